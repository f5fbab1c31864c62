// Stamped stress of HandoffQueue and Retirer under real threads.
//
// HandoffQueue: an "audio" thread acquires pool buffers, stamps each with its
// sequence number and pushes it to a worker through a small queue (3 slots,
// not a power of two, so it is often full and often empty); the worker checks
// the stamp and the order, re-stamps the buffer and sends it back through a
// second queue; the audio thread checks the worker's stamp and lets go. A
// value duplicated, lost, reordered or read before it was complete shows as
// a wrong stamp or a count that does not balance.
//
// Retirer: one thread retires objects that each own a flag; two collectors
// destroy them, calling collect at the same time, so the queue's consumer
// side passes from thread to thread. Every flag must end up set exactly once (each object
// destroyed once, none lost), in retire order, never on the retiring
// thread, whatever the interleaving. The order is checked through a plain
// (non-atomic) counter the destructors share: only the collect flag's
// hand-over orders them, which ThreadSanitizer checks.
//
// The cases in doctest suite "stress" run in the stress run (sizes:
// AUDIOPOOL_STRESS_CYCLES, default 20000); a short twin of each runs in the
// normal run.
#include "test_prelude.hpp"
#include <chrono>
#include <string>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif
#include "verification.hpp"

namespace {

std::uint64_t stressCycles() { return verify::envOr("AUDIOPOOL_STRESS_CYCLES", 20000); }
constexpr std::uint64_t shortCycles = 2000;

/// A short random pause, now and then a yield, so that the two sides overlap
/// and pre-emption lands between a push's steps.
void pause(std::mt19937_64& random) {
    const std::uint64_t r = random();
    if ((r & 0x3F) == 0) {
        std::this_thread::yield();
        return;
    }
    for (std::uint64_t i = 0, n = (r >> 8) % 32; i < n; ++i) std::atomic_signal_fence(std::memory_order_seq_cst);
}

struct RoundTripOutcome {
    std::uint64_t sent = 0, returned = 0, corrupt = 0, outOfOrder = 0;
    audiopool::HandoffStats toWorker, back;
};

template <class Policy>
RoundTripOutcome runRoundTrip(std::uint64_t cycles) {
    using Pool = audiopool::Pool<float, 2, 32, 6, Policy>;
    using Queue = audiopool::HandoffQueue<typename Pool::Unique, 3>;
    auto pool = test::makePool<Pool>();
    RoundTripOutcome outcome;
    {
        auto toWorker = std::make_unique<Queue>();
        auto back = std::make_unique<Queue>();
        std::atomic<bool> sending{true};
        std::atomic<std::uint64_t> workerCorrupt{0}, workerOutOfOrder{0};
        std::thread worker([&] {
            std::mt19937_64 random(2);
            std::uint64_t expected = 0;
            for (;;) {
                // acquire: pairs with the release below; after it reads false
                // every push made before it is visible to the pop.
                const bool finished = !sending.load(std::memory_order_acquire);
                if (auto buffer = toWorker->try_pop()) {
                    const double stamp = verify::makeStamp(0, expected);
                    if (!verify::stampIntact(*buffer, stamp, Pool::channels, Pool::frames)) {
                        workerCorrupt.fetch_add(1, std::memory_order_relaxed);
                        if (!verify::stampIntact(*buffer, verify::makeStamp(0, expected + 1), Pool::channels,
                                                 Pool::frames))
                            workerOutOfOrder.fetch_add(1, std::memory_order_relaxed);
                    }
                    verify::stampBuffer(*buffer, verify::makeStamp(1, expected), Pool::channels, Pool::frames);
                    ++expected;
                    pause(random);
                    while (!back->try_push(std::move(*buffer))) std::this_thread::yield();
                } else if (finished) {
                    break;
                }
            }
        });
        std::mt19937_64 random(1);
        std::uint64_t returnedExpected = 0;
        auto receive = [&] {
            while (auto buffer = back->try_pop()) {
                if (!verify::stampIntact(*buffer, verify::makeStamp(1, returnedExpected), Pool::channels, Pool::frames))
                    ++outcome.corrupt;
                ++returnedExpected;
                ++outcome.returned;
            }  // released here, on the acquiring thread
        };
        while (outcome.sent < cycles) {
            receive();
            auto buffer = pool->acquire();
            if (!buffer) continue;  // all out with the worker: receive and retry
            verify::stampBuffer(buffer, verify::makeStamp(0, outcome.sent), Pool::channels, Pool::frames);
            if (!toWorker->try_push(std::move(buffer))) continue;  // full: the buffer goes back, the stamp is resent
            ++outcome.sent;
            pause(random);
        }
        // Take everything back (the worker waits for room in `back`); a lost
        // value would leave it short: give up after 10 s and say so.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (outcome.returned < cycles && std::chrono::steady_clock::now() < deadline) {
            receive();
            std::this_thread::yield();
        }
        // release: pairs with the worker's acquire.
        sending.store(false, std::memory_order_release);
        worker.join();
        receive();
        outcome.corrupt += workerCorrupt.load();
        outcome.outOfOrder = workerOutOfOrder.load();
        outcome.toWorker = toWorker->stats();
        outcome.back = back->stats();
    }
    const std::string whole = verify::wholeness(*pool);
    CHECK_MESSAGE(whole.empty(), whole);
    return outcome;
}

template <class Policy>
void checkRoundTrip(std::uint64_t cycles) {
    const RoundTripOutcome o = runRoundTrip<Policy>(cycles);
    CHECK(o.sent == cycles);
    CHECK(o.returned == cycles);
    CHECK(o.corrupt == 0);
    CHECK(o.outOfOrder == 0);
    CHECK(o.toWorker.pushes == cycles);
    CHECK(o.toWorker.pops == cycles);
    CHECK(o.back.pushes == cycles);
    CHECK(o.back.pops == cycles);
    CHECK(o.toWorker.size == 0);
    CHECK(o.toWorker.highWater <= 3);
    CHECK(o.back.highWater <= 3);
    CHECK(o.toWorker.misuses == 0);
    CHECK(o.back.misuses == 0);
}

} // namespace

TEST_CASE_TEMPLATE("HandoffQueueStampedRoundTrip" * doctest::test_suite("stress"), Policy, AUDIOPOOL_ALL_POLICIES) {
    checkRoundTrip<Policy>(stressCycles());
}
TEST_CASE_TEMPLATE("HandoffQueueStampedRoundTripShort", Policy, AUDIOPOOL_ALL_POLICIES) {
    checkRoundTrip<Policy>(shortCycles);
}

namespace {

/// What the retired objects' destructors share: written only by the thread
/// holding the retirer's collect flag.
struct DestructionOrder {
    std::uint64_t next = 0;  // the id due next (plain: the collect flag orders its writers)
    std::uint64_t outOfOrder = 0;
    std::atomic<std::uint64_t> onRetiringThread{0};
    std::thread::id retiringThread;
};

/// Owns one flag; its destructor counts on it and checks it is destroyed in
/// retire order, off the retiring thread. A moved-from Token owns none.
struct Token {
    std::atomic<std::uint8_t>* flag = nullptr;
    DestructionOrder* order = nullptr;
    std::uint64_t id = 0;
    Token(std::atomic<std::uint8_t>* f, DestructionOrder* o, std::uint64_t i) noexcept : flag(f), order(o), id(i) {}
    Token(Token&& other) noexcept : flag(std::exchange(other.flag, nullptr)), order(other.order), id(other.id) {}
    Token(const Token&) = delete;
    Token& operator=(const Token&) = delete;
    Token& operator=(Token&&) = delete;
    ~Token() {
        if (!flag) return;
        flag->fetch_add(1, std::memory_order_relaxed);
        if (id != order->next) ++order->outOfOrder;
        order->next = id + 1;
        if (std::this_thread::get_id() == order->retiringThread)
            order->onRetiringThread.fetch_add(1, std::memory_order_relaxed);
    }
};

/// One thread retires `count` Tokens; two collectors collect at the same
/// time until every retire is done. Every flag must be 1 at the end, every
/// destruction in order and off the retiring thread.
void checkRetireStress(std::uint64_t count) {
    using R = audiopool::Retirer<8>;
    auto retirer = std::make_unique<R>();
    auto flags = std::make_unique<std::atomic<std::uint8_t>[]>(count);
    for (std::size_t i = 0; i < count; ++i) flags[i].store(0, std::memory_order_relaxed);
    DestructionOrder order;
    std::atomic<bool> doneRetiring{false};
    std::uint64_t refusals = 0;
    std::thread retiring([&] {
        // Read by the destructors: the queue's push publishes it with the first Token.
        order.retiringThread = std::this_thread::get_id();
        std::mt19937_64 random(10);
        for (std::uint64_t i = 0; i < count; ++i) {
            Token token(&flags[i], &order, i);
            // NOLINTNEXTLINE(bugprone-use-after-move): a refused retire leaves `token` as it was
            while (!retirer->retire(std::move(token))) {
                ++refusals;
                std::this_thread::yield();
            }
            pause(random);
        }
        // release: pairs with the collectors' acquire.
        doneRetiring.store(true, std::memory_order_release);
    });
    // Two collectors call collect freely, at the same time: one of them
    // finds the other's collect running and returns 0, and successive
    // collects run on different threads. Nothing but the retirer's collect
    // flag orders one collector's destructions after the other's.
    std::atomic<std::size_t> collected{0};
    std::vector<std::thread> collectors;
    for (int c = 0; c < 2; ++c)
        collectors.emplace_back([&] {
            for (;;) {
                // acquire: pairs with the retiring thread's release: its
                // retires are all visible to the collect below.
                const bool done = doneRetiring.load(std::memory_order_acquire);
                collected.fetch_add(retirer->collect(), std::memory_order_relaxed);
                if (done) return;  // the other's collect may have been running: main collects last
                std::this_thread::yield();
            }
        });
    retiring.join();
    for (auto& t : collectors) t.join();
    collected.fetch_add(retirer->collect(), std::memory_order_relaxed);  // anything the last collects missed
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < count; ++i)
        if (flags[i].load(std::memory_order_relaxed) != 1) ++wrong;
    CHECK(wrong == 0);
    CHECK(collected.load() == count);
    CHECK(order.outOfOrder == 0);
    CHECK(order.next == count);
    CHECK(order.onRetiringThread.load() == 0);
    const audiopool::RetirerStats s = retirer->stats();
    CHECK(s.retired == count);
    CHECK(s.collected == count);
    CHECK(s.pending == 0);
    CHECK(s.failedRetires == refusals);
    CHECK(s.highWater <= 8);
    CHECK(s.misuses == 0);
}

} // namespace

TEST_CASE("RetirerEachObjectDestroyedOnceInOrder" * doctest::test_suite("stress")) {
    checkRetireStress(stressCycles());
}
TEST_CASE("RetirerEachObjectDestroyedOnceInOrderShort") { checkRetireStress(shortCycles); }
