// The stamped ownership stress: multi-threaded, with ownership stamps, for
// every policy within its thread rule (the core suite's short smoke stress
// is tests/test_smoke_stress.cpp). Every holder writes its stamp (thread
// number + sequence number) into the whole buffer when it acquires and checks
// it before it lets go; a buffer handed to two owners at once would have one
// stamp overwritten.
//
// In doctest suite "stress" (meson test "stress (<mode>)").
// Sizes: AUDIOPOOL_STRESS_CYCLES (default 20000) cycles per thread,
// AUDIOPOOL_STRESS_THREADS (default 4) Treiber threads. The CI runs 10^6 cycles
// per thread in the optimised build and fewer under ThreadSanitizer; a soak is
// e.g. AUDIOPOOL_STRESS_CYCLES=100000000.
#include "test_prelude.hpp"
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <pthread.h>
#include <string>
#include <unistd.h>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif
#include "verification.hpp"

namespace {

std::uint64_t cyclesPerThread() { return verify::envOr("AUDIOPOOL_STRESS_CYCLES", 20000); }

/// A random pause while holding buffers: a short spin, now and then a yield,
/// so that holders overlap and pre-emption lands mid-operation.
void holdFor(std::mt19937_64& random) {
    const std::uint64_t r = random();
    if ((r & 0xFF) == 0) {
        std::this_thread::yield();
        return;
    }
    for (std::uint64_t i = 0, n = (r >> 8) % 64; i < n; ++i) std::atomic_signal_fence(std::memory_order_seq_cst);
}

/// A held reference and the stamp its buffer must carry.
template <class Handle>
struct Held {
    Handle handle;
    double stamp = 0;
};

template <class P, class Handle>
bool checkAndDrop(Held<Handle>& held) {
    const bool intact = verify::stampIntact(held.handle, held.stamp, P::channels, P::frames);
    held.handle.reset();
    return intact;
}

/// Counts the releases that go through OwnerThread's return ring.
struct ReturnRingCount {
    static inline std::atomic<std::uint64_t> releases{0};
    static void beforeReturnPublish() noexcept { releases.fetch_add(1, std::memory_order_relaxed); }
};

struct OwnerThreadOutcome {
    std::uint64_t received = 0, corrupted = 0, localCopies = 0, ownerLast = 0, failed = 0;
    bool stalled = false;  // the owner got nothing for 10 s: buffers were lost
    audiopool::Stats stats;
};

/// One owner acquires, stamps, and hands each buffer (a Shared handle) to
/// one of three releasing threads in turn, through a queue each; sometimes
/// it keeps a reference of its own and drops it later, so the last one is
/// dropped on the owner's thread or on a releaser's. The releasers hold
/// what they receive (and local copies) for a random time, check the stamps
/// and let go. A buffer handed out while someone still held it would have
/// that holder's stamp overwritten.
template <class Pool>
OwnerThreadOutcome runOwnerThreadStress(Pool& pool, std::uint64_t cycles) {
    using Message = Held<typename Pool::Shared>;
    constexpr std::size_t releasers = 3;
    std::array<audiopool::HandoffQueue<Message, 8>, releasers> handoff;
    std::atomic<bool> done{false};
    std::array<std::uint64_t, releasers> received{}, corrupted{}, localCopies{};
    std::vector<std::thread> threads;
    for (std::size_t r = 0; r < releasers; ++r)
        threads.emplace_back([&, r] {
            std::mt19937_64 random(100 + r);
            std::vector<Message> held;
            held.reserve(64);
            auto dropAt = [&](std::size_t i) {
                corrupted[r] += !checkAndDrop<Pool>(held[i]);
                held[i] = std::move(held.back());
                held.pop_back();
            };
            for (;;) {
                bool got = false;
                while (auto message = handoff[r].try_pop()) {
                    got = true;
                    ++received[r];
                    held.push_back(std::move(*message));
                    if (random() % 4 == 0) {  // a second reference on this thread
                        held.push_back(held.back());
                        ++localCopies[r];
                    }
                }
                if (!got && held.empty()) {  // nothing to do: leave the core to the others
                    // acquire: pairs with the owner's release store of `done`.
                    if (done.load(std::memory_order_acquire) && handoff[r].empty()) break;
                    std::this_thread::yield();
                    continue;
                }
                holdFor(random);
                const std::size_t keep = random() % 4;
                while (held.size() > keep) dropAt(random() % held.size());
                // acquire: pairs with the owner's release store of `done`.
                if (done.load(std::memory_order_acquire) && handoff[r].empty()) break;
            }
            while (!held.empty()) dropAt(held.size() - 1);
        });

    OwnerThreadOutcome out;
    std::mt19937_64 random(7);
    std::vector<Message> kept;  // the owner's own references
    std::uint64_t sent = 0, sequence = 0, ownerCorrupted = 0;
    auto dropKept = [&](std::size_t i) {
        out.ownerLast += kept[i].handle.useCount() == 1;  // a snapshot: the releaser may drop its copy meanwhile
        ownerCorrupted += !checkAndDrop<Pool>(kept[i]);
        kept[i] = std::move(kept.back());
        kept.pop_back();
    };
    auto lastAcquire = std::chrono::steady_clock::now();
    while (sent < cycles) {
        const std::size_t channels = random() % 3, frames = random() % (Pool::frames + 1);
        auto h = pool.acquireShared(channels, frames);
        if (!h) {
            ++out.failed;
            if (!kept.empty()) dropKept(random() % kept.size());
            if (std::chrono::steady_clock::now() - lastAcquire > std::chrono::seconds(10)) {
                out.stalled = true;  // report it rather than hang
                break;
            }
            std::this_thread::yield();
            continue;
        }
        lastAcquire = std::chrono::steady_clock::now();
        const double stamp = verify::makeStamp(0, ++sequence);
        verify::stampBuffer(h, stamp, Pool::channels, Pool::frames);
        if (h.numChannels() != channels || h.numFrames() != frames) ++ownerCorrupted;
        if (random() % 4 == 0) kept.push_back({h, stamp});
        Message message{std::move(h), stamp};
        auto& queue = handoff[sent % releasers];
        // NOLINTNEXTLINE(bugprone-use-after-move): push moves from it only when it succeeds
        while (!queue.try_push(std::move(message))) std::this_thread::yield();
        ++sent;
        if (!kept.empty() && kept.size() > random() % 3) dropKept(random() % kept.size());
    }
    while (!kept.empty()) dropKept(kept.size() - 1);
    done.store(true, std::memory_order_release);  // after the last push
    for (auto& t : threads) t.join();
    for (std::size_t r = 0; r < releasers; ++r) {
        out.received += received[r];
        out.corrupted += corrupted[r];
        out.localCopies += localCopies[r];
    }
    out.corrupted += ownerCorrupted;
    out.stats = pool.stats();
    return out;
}

template <class Pool>
void checkOwnerThreadStress(const OwnerThreadOutcome& out, std::uint64_t cycles) {
    const audiopool::Stats& s = out.stats;
    CHECK_FALSE(out.stalled);
    CHECK(out.received == cycles);
    CHECK(out.corrupted == 0);
    CHECK(s.inUse == 0);
    CHECK(s.acquisitions == cycles);
    CHECK(s.releases == cycles);
    CHECK(s.failedAcquisitions == out.failed);
    CHECK(s.misuses == 0);
    CHECK(s.highWater <= Pool::capacity);
}

// ---- releases from a signal handler ----

/// One owner acquires, stamps and hands buffers to one releasing thread; a
/// POSIX timer sends that thread SIGUSR1 every 20 us, and the handler
/// releases up to three buffers the thread parked for it (Unique::reset), so
/// handler releases land in the middle of the thread's own releases (a
/// lane's or the ring's entry and position stores). The releasing thread
/// parks with SIGUSR1 blocked; only its handler takes parked buffers. A
/// holder count per buffer and the stamps catch a buffer with two owners.
template <class Pool>
struct SignalStress {
    using Unique = typename Pool::Unique;
    static constexpr std::size_t parkSlots = 8;

    static inline std::array<Held<Unique>, parkSlots> parked;
    static inline volatile std::sig_atomic_t parkedCount = 0;  // this thread and its handler only
    static inline std::array<std::atomic<int>, Pool::capacity> holders;
    static inline std::atomic<std::uint64_t> corrupted{0}, handlerRuns{0}, handlerReleases{0};

    static bool dropChecked(Held<Unique>& held) {
        const bool intact = verify::stampIntact(held.handle, held.stamp, Pool::channels, Pool::frames);
        // release: the holder count drops before the buffer goes back.
        holders[held.handle.index()].fetch_sub(1, std::memory_order_release);
        held.handle.reset();
        return intact;
    }
    static void onSignal(int) {
        handlerRuns.fetch_add(1, std::memory_order_relaxed);
        for (int n = 0; n < 3 && parkedCount > 0; ++n) {
            Held<Unique>& held = parked[static_cast<std::size_t>(parkedCount - 1)];
            if (!dropChecked(held)) corrupted.fetch_add(1, std::memory_order_relaxed);
            parkedCount = parkedCount - 1;
            handlerReleases.fetch_add(1, std::memory_order_relaxed);
        }
    }
};

struct SignalOutcome {
    std::uint64_t handedOver = 0, doubleOwners = 0, failed = 0, handlerRuns = 0, handlerReleases = 0, corrupted = 0;
    std::uint64_t wrongThread = 0, otherMisuses = 0;
    bool stalled = false;  // the owner got nothing for 2 s: every buffer lost
    audiopool::Stats stats;
};

template <class Pool>
SignalOutcome runSignalReleases(Pool& pool, std::chrono::milliseconds length) {
    using S = SignalStress<Pool>;
    using Message = Held<typename Pool::Unique>;
    for (auto& h : S::holders) h.store(0);
    S::parkedCount = 0;
    S::corrupted = 0;
    S::handlerRuns = 0;
    S::handlerReleases = 0;
    verify::MisuseLog log;
    struct sigaction action{}, previousAction{};
    action.sa_handler = &S::onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    REQUIRE(sigaction(SIGUSR1, &action, &previousAction) == 0);

    audiopool::HandoffQueue<Message, 64> handoff;
    std::atomic<bool> done{false};
    std::uint64_t releaserCorrupted = 0;
    std::thread releaser([&] {
        sigset_t usr1;
        sigemptyset(&usr1);
        sigaddset(&usr1, SIGUSR1);
        sigevent event{};
        event.sigev_notify = SIGEV_THREAD_ID;
        event.sigev_signo = SIGUSR1;
        event._sigev_un._tid = static_cast<pid_t>(gettid());
        timer_t timer{};
        const bool timerMade = timer_create(CLOCK_MONOTONIC, &event, &timer) == 0;
        if (timerMade) {
            itimerspec every{};
            every.it_interval.tv_nsec = 20'000;
            every.it_value.tv_nsec = 20'000;
            timer_settime(timer, 0, &every, nullptr);
        }
        std::mt19937_64 random(11);
        std::vector<Message> held;
        held.reserve(64);
        for (;;) {
            bool got = false;
            while (auto message = handoff.try_pop()) {
                got = true;
                if (random() % 2 == 0 && S::parkedCount < static_cast<std::sig_atomic_t>(S::parkSlots)) {
                    pthread_sigmask(SIG_BLOCK, &usr1, nullptr);  // the handler takes from the top
                    S::parked[static_cast<std::size_t>(S::parkedCount)] = std::move(*message);
                    S::parkedCount = S::parkedCount + 1;
                    pthread_sigmask(SIG_UNBLOCK, &usr1, nullptr);
                } else {
                    held.push_back(std::move(*message));
                }
            }
            // Its own releases, signals open: a handler release can land mid-way.
            while (!held.empty()) {
                releaserCorrupted += !S::dropChecked(held.back());
                held.pop_back();
            }
            // acquire: pairs with the owner's release store of `done`.
            if (done.load(std::memory_order_acquire) && handoff.empty()) break;
            if (!got) std::this_thread::yield();
        }
        if (timerMade) timer_delete(timer);
        pthread_sigmask(SIG_BLOCK, &usr1, nullptr);
        while (S::parkedCount > 0) {
            releaserCorrupted += !S::dropChecked(S::parked[static_cast<std::size_t>(S::parkedCount - 1)]);
            S::parkedCount = S::parkedCount - 1;
        }
        pthread_sigmask(SIG_UNBLOCK, &usr1, nullptr);
    });

    SignalOutcome out;
    std::uint64_t sequence = 0;
    const auto start = std::chrono::steady_clock::now();
    auto lastAcquire = start;
    while (std::chrono::steady_clock::now() - start < length) {
        auto h = pool.acquire();
        if (!h) {
            ++out.failed;
            if (std::chrono::steady_clock::now() - lastAcquire > std::chrono::seconds(2)) {
                out.stalled = true;
                break;
            }
            std::this_thread::yield();
            continue;
        }
        lastAcquire = std::chrono::steady_clock::now();
        // acquire: pairs with the release decrement of the buffer's last holder.
        if (S::holders[h.index()].fetch_add(1, std::memory_order_acquire) != 0) ++out.doubleOwners;
        const double stamp = verify::makeStamp(0, ++sequence);
        verify::stampBuffer(h, stamp, Pool::channels, Pool::frames);
        Message message{std::move(h), stamp};
        // NOLINTNEXTLINE(bugprone-use-after-move): push moves from it only when it succeeds
        while (!handoff.try_push(std::move(message))) std::this_thread::yield();
        ++out.handedOver;
    }
    done.store(true, std::memory_order_release);  // after the last push
    releaser.join();
    sigaction(SIGUSR1, &previousAction, nullptr);
    out.handlerRuns = S::handlerRuns.load();
    out.handlerReleases = S::handlerReleases.load();
    out.corrupted = S::corrupted.load() + releaserCorrupted;
    out.wrongThread = log.countOf(audiopool::Misuse::WrongThread);
    out.otherMisuses = log.count() - out.wrongThread;
    out.stats = pool.stats();
    return out;
}

template <class Pool>
void printSignalOutcome(const char* name, const SignalOutcome& out) {
    std::printf("stress %s, releases from a signal handler: %llu buffers handed over, %llu handler runs released %llu, "
                "%zu lost, %llu WrongThread reports, %llu exhausted acquires%s\n",
                name, static_cast<unsigned long long>(out.handedOver), static_cast<unsigned long long>(out.handlerRuns),
                static_cast<unsigned long long>(out.handlerReleases), out.stats.inUse,
                static_cast<unsigned long long>(out.wrongThread), static_cast<unsigned long long>(out.failed),
                out.stalled ? " (stopped: every buffer lost)" : "");
}

/// What every policy keeps, signal handler or not: no buffer with two
/// owners, nothing but thread-rule reports, consistent statistics.
template <class Pool>
void checkSignalOutcome(const SignalOutcome& out) {
    CHECK(out.handedOver > 0);
    CHECK(out.handlerRuns > 0);
    CHECK(out.doubleOwners == 0);
    CHECK(out.corrupted == 0);
    CHECK(out.otherMisuses == 0);
    CHECK(out.stats.highWater <= Pool::capacity);
    CHECK(out.stats.acquisitions == out.handedOver);
    CHECK(out.stats.inUse == out.stats.acquisitions - out.stats.releases);
    CHECK(out.stats.misuses == out.wrongThread);
}

std::chrono::milliseconds signalStressLength() {
    return std::chrono::milliseconds(verify::envOr("AUDIOPOOL_SIGNAL_STRESS_MS", 1500));
}

} // namespace

TEST_SUITE_BEGIN("stress");

TEST_CASE("StampedStressTreiberReleasesFromASignalHandler") {
    // Lock-free atomics are async-signal-safe: a handler's release in the
    // middle of its thread's release is just another thread's, so nothing
    // is lost and nothing is reported.
    using Pool = audiopool::Pool<double, 2, 32, 64, audiopool::Treiber>;
    auto pool = test::makePool<Pool>();
    const SignalOutcome out = runSignalReleases(*pool, signalStressLength());
    printSignalOutcome<Pool>("Treiber", out);
    checkSignalOutcome<Pool>(out);
    CHECK_FALSE(out.stalled);
    CHECK(out.stats.inUse == 0);
    CHECK(out.stats.misuses == 0);
    CHECK(verify::wholeness(*pool) == "");
}

TEST_CASE_TEMPLATE_DEFINE("StampedStressReleasesFromASignalHandlerNeverHandOutABufferTwice", Policy, signalReleases) {
    // A handler that interrupts its thread's release into the same lane (or
    // SpscRing's ring) is a second producer there: buffers may be lost
    // (counted as in use) and a position seen moving back is reported as
    // WrongThread, but no buffer is ever handed to two owners (before the
    // lane check, OwnerThread failed this within 0.02-6 s, every run).
    using Pool = audiopool::Pool<double, 2, 32, 64, Policy>;
    auto pool = test::makePool<Pool>();
    const SignalOutcome out = runSignalReleases(*pool, signalStressLength());
    printSignalOutcome<Pool>(std::string(Policy::name).c_str(), out);
    checkSignalOutcome<Pool>(out);
}
// The policies whose rule names the releasers: a handler is a second producer there.
TEST_CASE_TEMPLATE_APPLY(signalReleases, test::PoliciesWhere<test::HasOneAcquirer>);

/// Any threads acquire and release (Treiber): several threads, each passing
/// Shared copies of what it holds to the next.
template <class Policy, bool Prepared>
void stressManyThreadsWithSharedCopiesPassedAround() {
    using Static = audiopool::Pool<double, 2, 64, 16, Policy>;
    using Pool = verify::PoolAs<Static, Prepared>;
    using Message = Held<typename Pool::Shared>;
    auto pool = verify::makePoolAs<Static, Prepared>();
    const std::uint64_t cycles = cyclesPerThread();
    const auto threads = static_cast<std::size_t>(verify::envOr("AUDIOPOOL_STRESS_THREADS", 4));
    REQUIRE(threads >= 2);

    // Thread t passes copies of the buffers it holds to thread t+1 (a ring).
    std::vector<std::unique_ptr<audiopool::HandoffQueue<Message, 8>>> inbox;
    for (std::size_t t = 0; t < threads; ++t) inbox.push_back(std::make_unique<audiopool::HandoffQueue<Message, 8>>());
    std::unique_ptr<std::atomic<bool>[]> finished(new std::atomic<bool>[threads]);
    for (std::size_t t = 0; t < threads; ++t) finished[t].store(false);
    std::vector<std::uint64_t> acquired(threads), failed(threads), passed(threads), corrupted(threads);

    auto worker = [&](std::size_t t) {
        std::mt19937_64 random(0xA0D10 + t);
        auto& mine = *inbox[t];
        auto& next = *inbox[(t + 1) % threads];
        std::vector<Message> held;
        held.reserve(64);
        auto dropAt = [&](std::size_t i) {
            corrupted[t] += !checkAndDrop<Pool>(held[i]);
            held[i] = std::move(held.back());
            held.pop_back();
        };
        std::uint64_t sequence = 0;
        while (acquired[t] < cycles) {
            while (auto message = mine.try_pop()) held.push_back(std::move(*message));
            const std::size_t channels = random() % 3, frames = random() % 65;  // zero sizes included
            if (auto h = pool->acquireShared(channels, frames)) {
                const double stamp = verify::makeStamp(static_cast<std::uint32_t>(t), ++sequence);
                verify::stampBuffer(h, stamp, Pool::channels, Pool::frames);
                if (h.numChannels() != channels || h.numFrames() != frames) ++corrupted[t];
                held.push_back({std::move(h), stamp});
                ++acquired[t];
            } else {
                ++failed[t];
            }
            if (!held.empty() && random() % 4 == 0) {  // a copy for the next thread
                Message copy = held[random() % held.size()];
                if (next.try_push(std::move(copy))) ++passed[t];  // when full, the copy is dropped here
            }
            holdFor(random);
            const std::size_t keep = random() % 4;
            while (held.size() > keep) dropAt(random() % held.size());
        }
        while (!held.empty()) dropAt(held.size() - 1);
        // release: publishes our last push to `next` to the thread draining it.
        finished[t].store(true, std::memory_order_release);
        // Drain copies still coming from the previous thread until it is done.
        const std::size_t previous = (t + threads - 1) % threads;
        for (;;) {
            while (auto message = mine.try_pop()) corrupted[t] += !checkAndDrop<Pool>(*message);
            // acquire: pairs with the release above in the previous thread.
            if (finished[previous].load(std::memory_order_acquire) && mine.empty()) break;
            std::this_thread::yield();
        }
    };
    std::vector<std::thread> workers;
    for (std::size_t t = 0; t < threads; ++t) workers.emplace_back(worker, t);
    for (auto& w : workers) w.join();

    std::uint64_t totalAcquired = 0, totalFailed = 0, totalPassed = 0, totalCorrupted = 0;
    for (std::size_t t = 0; t < threads; ++t) {
        CHECK(acquired[t] == cycles);
        totalAcquired += acquired[t];
        totalFailed += failed[t];
        totalPassed += passed[t];
        totalCorrupted += corrupted[t];
    }
    const audiopool::Stats s = pool->stats();
    std::printf("stress %s: %zu threads x %llu cycles survived (%llu shared copies passed, %llu exhausted acquires, "
                "highWater %zu/%zu)\n",
                std::string(Policy::name).c_str(), threads, static_cast<unsigned long long>(cycles),
                static_cast<unsigned long long>(totalPassed), static_cast<unsigned long long>(totalFailed), s.highWater,
                s.capacity);
    CHECK(totalCorrupted == 0);
    CHECK(s.inUse == 0);
    CHECK(s.acquisitions == totalAcquired);
    CHECK(s.releases == totalAcquired);
    CHECK(s.failedAcquisitions == totalFailed);
    CHECK(s.misuses == 0);
    CHECK(s.highWater <= Pool::capacity);
    CHECK(verify::wholeness(*pool) == "");
}

/// One thread acquires, one other releases (SpscRing).
template <class Policy, bool Prepared>
void stressAcquireOnOneThreadReleaseOnAnother() {
    using Static = audiopool::Pool<float, 2, 64, 8, Policy>;
    using Pool = verify::PoolAs<Static, Prepared>;
    using Message = Held<typename Pool::Shared>;
    auto pool = verify::makePoolAs<Static, Prepared>();
    const std::uint64_t cycles = cyclesPerThread();
    audiopool::HandoffQueue<Message, 16> handoff;
    std::atomic<bool> done{false};
    std::uint64_t received = 0, corrupted = 0, localCopies = 0;

    // The releasing thread: holds a random number of buffers (and local
    // copies of them) for a random time, checks each stamp, lets go.
    std::thread releaser([&] {
        std::mt19937_64 random(99);
        std::vector<Message> held;
        held.reserve(64);
        auto dropAt = [&](std::size_t i) {
            corrupted += !checkAndDrop<Pool>(held[i]);
            held[i] = std::move(held.back());
            held.pop_back();
        };
        for (;;) {
            while (auto message = handoff.try_pop()) {
                ++received;
                held.push_back(std::move(*message));
                if (random() % 4 == 0) {  // a second reference on this thread
                    held.push_back(held.back());
                    ++localCopies;
                }
            }
            holdFor(random);
            const std::size_t keep = random() % 6;
            while (held.size() > keep) dropAt(random() % held.size());
            // acquire: pairs with the release store of `done` below.
            if (done.load(std::memory_order_acquire) && handoff.empty()) break;
        }
        while (!held.empty()) dropAt(held.size() - 1);
    });

    std::mt19937_64 random(7);
    std::uint64_t sent = 0, failed = 0;
    while (sent < cycles) {
        const std::size_t channels = random() % 3, frames = random() % 65;
        auto h = pool->acquireShared(channels, frames);
        if (!h) {
            ++failed;
            std::this_thread::yield();
            continue;
        }
        // A float holds integers exactly up to 2^24: the sequence number
        // modulo 2^16, times 256 to leave room for the sample positions.
        const double stamp = static_cast<double>(sent % 65536) * 256.0;
        verify::stampBuffer(h, stamp, Pool::channels, Pool::frames);
        Message message{std::move(h), stamp};
        // NOLINTNEXTLINE(bugprone-use-after-move): push moves from it only when it succeeds
        while (!handoff.try_push(std::move(message))) std::this_thread::yield();
        ++sent;
    }
    done.store(true, std::memory_order_release);  // after the last push
    releaser.join();

    const audiopool::Stats s = pool->stats();
    std::printf("stress %s: 2 threads, %llu buffers handed over and released (%llu local copies, %llu exhausted "
                "acquires, highWater %zu/%zu)\n",
                std::string(Policy::name).c_str(), static_cast<unsigned long long>(received),
                static_cast<unsigned long long>(localCopies), static_cast<unsigned long long>(failed), s.highWater,
                s.capacity);
    CHECK(received == cycles);
    CHECK(corrupted == 0);
    CHECK(s.inUse == 0);
    CHECK(s.acquisitions == cycles);
    CHECK(s.releases == cycles);
    CHECK(s.failedAcquisitions == failed);
    CHECK(s.misuses == 0);
    CHECK(s.highWater <= Pool::capacity);
    CHECK(verify::wholeness(*pool) == "");
}

/// One thread acquires, any threads release (OwnerThread): one owner, three releasers.
template <class Policy, bool Prepared>
void stressOneOwnerThreeReleasers() {
    using Static = audiopool::Pool<double, 2, 32, 8, Policy>;
    using Pool = verify::PoolAs<Static, Prepared>;
    auto pool = verify::makePoolAs<Static, Prepared>();
    const std::uint64_t cycles = cyclesPerThread();
    const OwnerThreadOutcome out = runOwnerThreadStress(*pool, cycles);
    std::printf("stress %s: 1 owner + 3 releasers, %llu buffers handed over and released (%llu local copies, "
                "%llu owner copies dropped last, %llu exhausted acquires, highWater %zu/%zu)\n",
                std::string(Policy::name).c_str(), static_cast<unsigned long long>(out.received),
                static_cast<unsigned long long>(out.localCopies), static_cast<unsigned long long>(out.ownerLast),
                static_cast<unsigned long long>(out.failed), out.stats.highWater, out.stats.capacity);
    checkOwnerThreadStress<Pool>(out, cycles);
    CHECK(verify::wholeness(*pool) == "");
}

TEST_CASE("StampedStressOwnerThreadOneLaneSoReleasersShareTheReturnRing") {
    // One lane for four releasing threads (the owner releases its own
    // copies): at least two releasers go through the return ring.
    using Pool = audiopool::Pool<double, 2, 32, 8, audiopool::BasicOwnerThread<1, ReturnRingCount>>;
    auto pool = test::makePool<Pool>();
    const std::uint64_t cycles = cyclesPerThread();
    ReturnRingCount::releases.store(0);
    const OwnerThreadOutcome out = runOwnerThreadStress(*pool, cycles);
    const std::uint64_t throughRing = ReturnRingCount::releases.load();
    std::printf("stress OwnerThread, 1 lane: 1 owner + 3 releasers, %llu buffers handed over and released, %llu "
                "through the return ring (%llu exhausted acquires, highWater %zu/%zu)\n",
                static_cast<unsigned long long>(out.received), static_cast<unsigned long long>(throughRing),
                static_cast<unsigned long long>(out.failed), out.stats.highWater, out.stats.capacity);
    checkOwnerThreadStress<Pool>(out, cycles);
    CHECK(throughRing > 0);
    CHECK(throughRing <= cycles);
    CHECK(verify::wholeness(*pool) == "");
}

/// One thread does everything (IndexStack): long random sequences, checked
/// against a model as they go.
template <class Policy, bool Prepared>
void stressLongRandomSequencesOnOneThread() {
    using Static = audiopool::Pool<double, 3, 16, 6, Policy>;
    using Pool = verify::PoolAs<Static, Prepared>;
    using Entry = Held<typename Pool::Shared>;
    auto pool = verify::makePoolAs<Static, Prepared>();
    const std::uint64_t steps = cyclesPerThread() * 4;
    std::mt19937_64 random(2026);
    std::vector<Entry> held;
    held.reserve(64);
    std::uint64_t acquisitions = 0, failures = 0, corrupted = 0, sequence = 0;
    std::size_t buffersOut = 0, peak = 0;
    auto buffersHeld = [&] {  // distinct buffers among the entries (the model)
        std::vector<std::uint32_t> ids;
        for (auto& e : held) ids.push_back(e.handle.index());
        std::sort(ids.begin(), ids.end());
        return static_cast<std::size_t>(std::unique(ids.begin(), ids.end()) - ids.begin());
    };
    for (std::uint64_t step = 0; step < steps; ++step) {
        const auto action = random() % 8;
        if (action < 3) {
            const std::size_t channels = random() % 4, frames = random() % 17;
            if (auto h = pool->acquireShared(channels, frames)) {
                const double stamp = verify::makeStamp(0, ++sequence);
                verify::stampBuffer(h, stamp, Pool::channels, Pool::frames);
                held.push_back({std::move(h), stamp});
                ++acquisitions;
                peak = std::max(peak, ++buffersOut);
            } else {
                ++failures;
                if (buffersOut != Pool::capacity) ++corrupted;  // refused while a buffer was free
            }
        } else if (action < 5 && !held.empty()) {
            held.push_back(held[random() % held.size()]);  // one more reference
        } else if (!held.empty()) {
            const std::size_t victim = random() % held.size();
            corrupted += !checkAndDrop<Pool>(held[victim]);
            held[victim] = std::move(held.back());
            held.pop_back();
            buffersOut = buffersHeld();
        }
        if ((step & 0x3F) == 0) {
            const audiopool::Stats s = pool->stats();
            if (s.inUse != buffersOut || s.highWater != peak || s.acquisitions != acquisitions ||
                s.failedAcquisitions != failures)
                ++corrupted;
        }
    }
    for (auto& e : held) corrupted += !checkAndDrop<Pool>(e);
    held.clear();
    const audiopool::Stats s = pool->stats();
    std::printf("stress %s: 1 thread x %llu random steps (%llu acquisitions, %llu exhausted, highWater %zu/%zu)\n",
                std::string(Policy::name).c_str(), static_cast<unsigned long long>(steps),
                static_cast<unsigned long long>(acquisitions), static_cast<unsigned long long>(failures), s.highWater,
                s.capacity);
    CHECK(corrupted == 0);
    CHECK(s.inUse == 0);
    CHECK(s.acquisitions == acquisitions);
    CHECK(s.acquisitions == s.releases);
    CHECK(s.highWater == peak);
    CHECK(s.highWater <= Pool::capacity);
    CHECK(verify::wholeness(*pool) == "");
}

// Every built-in policy (the one list), stressed as its thread rule allows.
TEST_CASE_TEMPLATE("StampedStressEveryPolicyAsItsThreadRuleAllows", Policy, AUDIOPOOL_ALL_POLICIES) {
    constexpr audiopool::ThreadRule rule = test::threadRuleOf<Policy>;
    if constexpr (rule == audiopool::ThreadRule::AnyThread)
        stressManyThreadsWithSharedCopiesPassedAround<Policy, false>();
    else if constexpr (rule == audiopool::ThreadRule::OneAcquirerOneReleaser)
        stressAcquireOnOneThreadReleaseOnAnother<Policy, false>();
    else if constexpr (rule == audiopool::ThreadRule::OneAcquirerAnyReleaser)
        stressOneOwnerThreeReleasers<Policy, false>();
    else stressLongRandomSequencesOnOneThread<Policy, false>();
}

// The same, on each policy's prepared pool (every extent dynamic, the same sizes).
TEST_CASE_TEMPLATE("StampedStressEveryPolicyPrepared", Policy, AUDIOPOOL_ALL_POLICIES) {
    constexpr audiopool::ThreadRule rule = test::threadRuleOf<Policy>;
    if constexpr (rule == audiopool::ThreadRule::AnyThread)
        stressManyThreadsWithSharedCopiesPassedAround<Policy, true>();
    else if constexpr (rule == audiopool::ThreadRule::OneAcquirerOneReleaser)
        stressAcquireOnOneThreadReleaseOnAnother<Policy, true>();
    else if constexpr (rule == audiopool::ThreadRule::OneAcquirerAnyReleaser)
        stressOneOwnerThreeReleasers<Policy, true>();
    else stressLongRandomSequencesOnOneThread<Policy, true>();
}

TEST_SUITE_END();
