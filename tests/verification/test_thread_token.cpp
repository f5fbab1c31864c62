// Thread identity that moves: a fiber (ucontext) or a coroutine that is
// suspended on one thread and resumed on another must be named by the thread
// it runs on now, also when both reads of the thread token sit in one
// optimised function with the switch between them (g++ and clang merge two
// reads of __builtin_thread_pointer() across swapcontext or co_await, as a
// value that cannot change within a function; atomics.hpp reads it with an
// `asm volatile` instruction instead).
//
// Built with optimisation (meson.build: optimization=2) in both modes: at -O0
// nothing is merged and the test could not fail.
#include "test_prelude.hpp"
#include <coroutine>
#include <ucontext.h>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif
#include "verification.hpp"

namespace {

/// Two threads that take turns: each runs `step(n)` when its turn comes,
/// and both stay alive until the last step, so their tokens stay distinct.
class TwoThreads {
public:
    template <class Step>
    void run(Step step, int steps) {
        auto body = [&](int parity) {
            for (int n = parity; n < steps; n += 2) {
                // acquire: pairs with the release below, so each step sees the last one's writes.
                while (turn_.load(std::memory_order_acquire) != n) std::this_thread::yield();
                step(n);
                turn_.store(n + 1, std::memory_order_release);
            }
            while (turn_.load(std::memory_order_acquire) < steps) std::this_thread::yield();
        };
        std::thread a(body, 0), b(body, 1);
        a.join();
        b.join();
    }

private:
    std::atomic<int> turn_{0};
};

// ---- a fiber ----

ucontext_t fiberContext;
ucontext_t* returnTo = nullptr;
alignas(64) unsigned char fiberStack[256 * 1024];
std::uintptr_t fiberTokens[3];

/// Suspends the fiber, to be resumed by whichever thread calls resumeFiber next.
void suspendFiber() { swapcontext(&fiberContext, returnTo); }
void resumeFiber() {
    ucontext_t here;
    returnTo = &here;
    swapcontext(&here, &fiberContext);
}

/// Three reads of the token in one function, a thread switch between each.
[[gnu::noinline]] void fiberReadsTokens() {
    fiberTokens[0] = audiopool::StdAtomics::threadToken();
    suspendFiber();
    fiberTokens[1] = audiopool::StdAtomics::threadToken();
    suspendFiber();
    fiberTokens[2] = audiopool::StdAtomics::threadToken();
    suspendFiber();
}

void startFiber(void (*body)()) {
    getcontext(&fiberContext);
    fiberContext.uc_stack.ss_sp = fiberStack;
    fiberContext.uc_stack.ss_size = sizeof fiberStack;
    fiberContext.uc_link = nullptr;
    makecontext(&fiberContext, body, 0);
}

// ---- a coroutine ----

/// A coroutine that never suspends at its start or end, so the caller owns nothing after it.
struct Detached {
    struct promise_type {
        Detached get_return_object() noexcept { return {}; }
        std::suspend_never initial_suspend() noexcept { return {}; }
        std::suspend_never final_suspend() noexcept { return {}; }
        void return_void() noexcept {}
        void unhandled_exception() noexcept { std::terminate(); }
    };
};

/// An awaiter that parks the coroutine, to be resumed by whichever thread
/// calls resumeParked next.
std::coroutine_handle<> parked;
struct Park {
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) noexcept { parked = h; }
    void await_resume() const noexcept {}
};
void resumeParked() { std::exchange(parked, nullptr).resume(); }

std::uintptr_t coroutineTokens[3];

Detached coroutineReadsTokens() {
    coroutineTokens[0] = audiopool::StdAtomics::threadToken();
    co_await Park{};
    coroutineTokens[1] = audiopool::StdAtomics::threadToken();
    co_await Park{};
    coroutineTokens[2] = audiopool::StdAtomics::threadToken();
}

} // namespace

TEST_CASE("ThreadTokenNamesTheThreadAFiberRunsOnNow") {
    startFiber(&fiberReadsTokens);
    std::uintptr_t threadTokens[2] = {};
    TwoThreads{}.run(
        [&](int n) {
            threadTokens[n % 2] = audiopool::StdAtomics::threadToken();
            resumeFiber();
        },
        3);
    CHECK(threadTokens[0] != threadTokens[1]);
    CHECK(fiberTokens[0] == threadTokens[0]);
    CHECK(fiberTokens[1] == threadTokens[1]);
    CHECK(fiberTokens[2] == threadTokens[0]);
}

TEST_CASE("ThreadTokenNamesTheThreadACoroutineIsResumedOn") {
    std::uintptr_t threadTokens[2] = {};
    TwoThreads{}.run(
        [&](int n) {
            threadTokens[n % 2] = audiopool::StdAtomics::threadToken();
            if (n == 0) coroutineReadsTokens();
            else resumeParked();
        },
        3);
    CHECK(threadTokens[0] != threadTokens[1]);
    CHECK(coroutineTokens[0] == threadTokens[0]);
    CHECK(coroutineTokens[1] == threadTokens[1]);
    CHECK(coroutineTokens[2] == threadTokens[0]);
}

namespace {

using OnePool = audiopool::Pool<float, 1, 16, 4, audiopool::IndexStack>;
OnePool* fiberPool = nullptr;
OnePool::Unique fiberHeld[2];

/// Acquires on one thread, moves, acquires again while the first buffer is out.
[[gnu::noinline]] void fiberAcquiresTwice() {
    fiberHeld[0] = fiberPool->acquire();
    suspendFiber();
    fiberHeld[1] = fiberPool->acquire();
    suspendFiber();
}

} // namespace

TEST_CASE("AFiberThatMovesIsSeenAsTheThreadItRunsOnByThePoolsThreadCheck") {
#if AUDIOPOOL_CHECK_THREADS
    // An IndexStack pool belongs to one thread while buffers are out: the
    // fiber's second acquire runs on another thread and is reported.
    verify::MisuseLog log;
    auto pool = test::makePool<OnePool>();
    fiberPool = pool.get();
    startFiber(&fiberAcquiresTwice);
    TwoThreads{}.run([](int) { resumeFiber(); }, 2);
    CHECK(fiberHeld[0]);
    CHECK(fiberHeld[1]);
    CHECK(log.countOf(audiopool::Misuse::WrongThread) == 1);
    // Given back on the thread that runs this test, a third one: each
    // release is reported too, and goes ahead.
    fiberHeld[1].reset();
    fiberHeld[0].reset();
    CHECK(log.countOf(audiopool::Misuse::WrongThread) == 3);
    CHECK(pool->stats().inUse == 0);
    fiberPool = nullptr;
#else
    MESSAGE("thread checks are off in this build (NDEBUG)");
#endif
}
