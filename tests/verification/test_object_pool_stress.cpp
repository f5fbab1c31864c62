// The ObjectPool stress: multi-threaded, with ownership stamps, for every
// built-in policy within its thread rule. Each object's constructor writes
// its owner's stamp (thread number + sequence number) into the whole object;
// every holder checks it before letting go, and the destructor checks it
// once more and counts. An object handed to two owners at once, or destroyed
// twice, or a slot reused while its object was alive, shows as a wrong stamp
// or a wrong count.
//
// In doctest suite "stress" (meson test "stress (<mode>)").
// Sizes: AUDIOPOOL_STRESS_CYCLES (default 20000) objects per thread.
#include "test_prelude.hpp"
#include <chrono>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif
#include "verification.hpp"

namespace {

std::uint64_t cyclesPerThread() { return verify::envOr("AUDIOPOOL_STRESS_CYCLES", 20000); }

/// An object that carries its owner's stamp in every word and counts its
/// constructions and destructions (per test: reset by `Counts`).
struct Stamped {
    static constexpr std::size_t words = 12;
    static inline std::atomic<std::uint64_t> constructed{0}, destroyed{0}, torn{0};
    static void resetCounts() {
        constructed = 0;
        destroyed = 0;
        torn = 0;
    }

    explicit Stamped(std::uint64_t owner) noexcept : stamp(owner) {
        stampAll(owner);
        constructed.fetch_add(1, std::memory_order_relaxed);
    }
    Stamped(const Stamped&) = delete;
    Stamped& operator=(const Stamped&) = delete;
    ~Stamped() {
        if (!intact(stamp)) torn.fetch_add(1, std::memory_order_relaxed);
        stampAll(0);  // a second destruction, or a use after it, sees 0
        destroyed.fetch_add(1, std::memory_order_relaxed);
    }

    /// Whether every word carries `owner` (the object's stamp).
    bool intact(std::uint64_t owner) const noexcept {
        if (stamp != owner) return false;
        return std::all_of(body.begin(), body.end(), [&](std::uint64_t w) { return w == owner; });
    }
    /// The one holder of a Unique takes the object over: writes its stamp.
    void restamp(std::uint64_t owner) noexcept {
        stamp = owner;
        stampAll(owner);
    }

    std::uint64_t stamp;
    std::array<std::uint64_t, words> body{};

private:
    void stampAll(std::uint64_t owner) noexcept { body.fill(owner); }
};

std::uint64_t stampOf(std::uint64_t thread, std::uint64_t sequence) { return (thread << 48) | sequence; }

/// A random pause while holding objects, so holders overlap.
void holdFor(std::mt19937_64& random) {
    const std::uint64_t r = random();
    if ((r & 0xFF) == 0) {
        std::this_thread::yield();
        return;
    }
    for (std::uint64_t i = 0, n = (r >> 8) % 64; i < n; ++i) std::atomic_signal_fence(std::memory_order_seq_cst);
}

/// A held handle and the stamp its object must carry.
template <class Handle>
struct Held {
    Handle handle;
    std::uint64_t stamp = 0;
};

template <class Handle>
bool checkAndDrop(Held<Handle>& held) {
    const bool intact = held.handle && held.handle->intact(held.stamp);
    held.handle.reset();
    return intact;
}

constexpr std::size_t poolCapacity = 16;

/// Every thread makes, holds (Unique and Shared, a few at a time) and
/// releases on its own thread; Unique objects are restamped by each holder.
/// For Treiber (any thread).
template <class Pool>
std::uint64_t runLocal(Pool& pool, std::size_t threadCount, std::uint64_t cycles) {
    std::atomic<std::uint64_t> corrupted{0}, made{0};
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < threadCount; ++t)
        threads.emplace_back([&, t] {
            std::mt19937_64 random(t + 1);
            std::vector<Held<typename Pool::Unique>> unique;
            std::vector<Held<typename Pool::Shared>> shared;
            std::uint64_t bad = 0, done = 0, sequence = 0;
            while (done < cycles) {
                const std::uint64_t stamp = stampOf(t + 1, ++sequence);
                if (random() % 2 == 0) {
                    auto h = pool.make(stamp);
                    if (h) {
                        ++done;
                        unique.push_back({std::move(h), stamp});
                    }
                } else {
                    auto h = pool.makeShared(stamp);
                    if (h) {
                        ++done;
                        shared.push_back({h, stamp});
                        if (random() % 2 == 0) shared.push_back({std::move(h), stamp});
                    }
                }
                holdFor(random);
                while (unique.size() > random() % 3) {
                    bad += !checkAndDrop(unique.front());
                    unique.erase(unique.begin());
                }
                while (shared.size() > random() % 4) {
                    bad += !checkAndDrop(shared.back());
                    shared.pop_back();
                }
            }
            for (auto& h : unique) bad += !checkAndDrop(h);
            for (auto& h : shared) bad += !checkAndDrop(h);
            corrupted += bad;
            made += done;
        });
    for (auto& t : threads) t.join();
    CHECK(made.load() == cycles * threadCount);
    return corrupted.load();
}

/// One maker hands each object to a releasing thread through a queue each
/// (a Unique, restamped by the receiver, or a Shared); with `makerKeeps`
/// it keeps Shared copies of its own for a while, so the last reference goes
/// on either side. For every cross-thread policy within its rule (SpscRing:
/// one releaser, the maker keeps nothing).
template <class Pool>
std::uint64_t runHandoff(Pool& pool, std::size_t releasers, bool makerKeeps, std::uint64_t cycles) {
    struct Message {
        typename Pool::Unique unique;
        typename Pool::Shared shared;
        std::uint64_t stamp = 0;
    };
    using Queue = audiopool::HandoffQueue<Message, 8>;
    std::vector<std::unique_ptr<Queue>> queues;
    for (std::size_t r = 0; r < releasers; ++r) queues.push_back(std::make_unique<Queue>());
    std::atomic<bool> done{false};
    std::atomic<std::uint64_t> corrupted{0}, received{0};
    std::vector<std::thread> threads;
    for (std::size_t r = 0; r < releasers; ++r)
        threads.emplace_back([&, r] {
            std::mt19937_64 random(100 + r);
            std::vector<Held<typename Pool::Unique>> unique;
            std::vector<Held<typename Pool::Shared>> shared;
            std::uint64_t bad = 0, got = 0, sequence = 0;
            for (;;) {
                while (auto message = queues[r]->try_pop()) {
                    ++got;
                    if (message->unique) {
                        bad += !message->unique->intact(message->stamp);
                        const std::uint64_t mine = stampOf(100 + r, ++sequence);
                        message->unique->restamp(mine);  // the sole owner now
                        unique.push_back({std::move(message->unique), mine});
                    } else {
                        shared.push_back({std::move(message->shared), message->stamp});
                    }
                }
                holdFor(random);
                while (unique.size() > random() % 3) {
                    bad += !checkAndDrop(unique.back());
                    unique.pop_back();
                }
                while (shared.size() > random() % 3) {
                    bad += !checkAndDrop(shared.back());
                    shared.pop_back();
                }
                // acquire: pairs with the maker's release store of `done`.
                if (done.load(std::memory_order_acquire) && queues[r]->empty()) break;
                if (unique.empty() && shared.empty()) std::this_thread::yield();
            }
            for (auto& h : unique) bad += !checkAndDrop(h);
            for (auto& h : shared) bad += !checkAndDrop(h);
            corrupted += bad;
            received += got;
        });

    std::mt19937_64 random(7);
    std::vector<Held<typename Pool::Shared>> kept;
    std::uint64_t sent = 0, sequence = 0, bad = 0;
    auto lastMade = std::chrono::steady_clock::now();
    bool stalled = false;
    while (sent < cycles) {
        const std::uint64_t stamp = stampOf(1, ++sequence);
        Message message;
        if (random() % 2 == 0) message.unique = pool.make(stamp);
        else message.shared = pool.makeShared(stamp);
        if (!message.unique && !message.shared) {
            if (!kept.empty()) {
                bad += !checkAndDrop(kept.back());
                kept.pop_back();
            }
            if (std::chrono::steady_clock::now() - lastMade > std::chrono::seconds(10)) {
                stalled = true;  // objects were lost: report it rather than hang
                break;
            }
            std::this_thread::yield();
            continue;
        }
        lastMade = std::chrono::steady_clock::now();
        message.stamp = stamp;
        if (makerKeeps && message.shared && random() % 2 == 0) kept.push_back({message.shared, stamp});
        auto& queue = *queues[sent % releasers];
        // NOLINTNEXTLINE(bugprone-use-after-move): push moves from it only when it succeeds
        while (!queue.try_push(std::move(message))) std::this_thread::yield();
        ++sent;
        while (kept.size() > random() % 3) {
            bad += !checkAndDrop(kept.front());
            kept.erase(kept.begin());
        }
    }
    for (auto& h : kept) bad += !checkAndDrop(h);
    kept.clear();
    done.store(true, std::memory_order_release);  // after the last push
    for (auto& t : threads) t.join();
    CHECK_FALSE(stalled);
    CHECK(received.load() == cycles);
    return corrupted.load() + bad;
}

/// What every run must end with: every object destroyed once, intact, and
/// the statistics agreeing.
template <class Pool>
void checkEnd(const Pool& pool, std::uint64_t corrupted, std::uint64_t made) {
    CHECK(corrupted == 0);
    CHECK(Stamped::torn.load() == 0);
    CHECK(Stamped::constructed.load() == made);
    CHECK(Stamped::destroyed.load() == made);
    const audiopool::Stats s = pool.stats();
    CHECK(s.inUse == 0);
    CHECK(s.acquisitions == made);
    CHECK(s.releases == made);
    CHECK(s.misuses == 0);
    CHECK(s.highWater <= poolCapacity);
}

template <class Policy, bool Dynamic>
auto makeStressPool() {
    using Pool = audiopool::ObjectPool<Stamped, Dynamic ? audiopool::dynamic : poolCapacity, Policy>;
    auto pool = std::make_unique<Pool>();
    if constexpr (Dynamic) REQUIRE(pool->prepare(poolCapacity));
    return pool;
}

template <class Policy, bool Dynamic>
void stressPolicy() {
    INFO(Policy::name, Dynamic ? " (dynamic capacity)" : " (static capacity)");
    const std::uint64_t cycles = cyclesPerThread();
    constexpr audiopool::ThreadRule rule = test::threadRuleOf<Policy>;
    if constexpr (rule == audiopool::ThreadRule::AnyThread) {
        {
            Stamped::resetCounts();
            auto pool = makeStressPool<Policy, Dynamic>();
            const std::uint64_t corrupted = runLocal(*pool, 4, cycles);
            checkEnd(*pool, corrupted, 4 * cycles);
        }
        Stamped::resetCounts();
        auto pool = makeStressPool<Policy, Dynamic>();
        checkEnd(*pool, runHandoff(*pool, 3, true, cycles), cycles);
    } else if constexpr (rule == audiopool::ThreadRule::OneAcquirerAnyReleaser) {
        Stamped::resetCounts();
        auto pool = makeStressPool<Policy, Dynamic>();
        checkEnd(*pool, runHandoff(*pool, 3, true, cycles), cycles);
    } else if constexpr (rule == audiopool::ThreadRule::OneAcquirerOneReleaser) {
        Stamped::resetCounts();
        auto pool = makeStressPool<Policy, Dynamic>();
        checkEnd(*pool, runHandoff(*pool, 1, false, cycles), cycles);
    } else {
        // One thread does everything: the stamps still catch a slot given twice.
        Stamped::resetCounts();
        auto pool = makeStressPool<Policy, Dynamic>();
        std::uint64_t corrupted = 0;
        std::thread([&] { corrupted = runLocal(*pool, 1, cycles); }).join();
        checkEnd(*pool, corrupted, cycles);
    }
}

}  // namespace

TEST_CASE_TEMPLATE("ObjectPoolStampedStressEachObjectDestroyedOnce" * doctest::test_suite("stress"), Policy,
                   AUDIOPOOL_ALL_POLICIES) {
    stressPolicy<Policy, false>();
    stressPolicy<Policy, true>();
}
