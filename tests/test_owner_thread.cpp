// OwnerThread (owner_thread.hpp): one thread acquires, any thread releases.
// Where the owner finds what was given back (its own lane, the other lanes,
// the return ring, then the stock), releases from more threads than there are
// lanes, a return-ring claim caught between its claim and its publication,
// threads that end and threads that start later, and the high-water mark
// when releases arrive from other threads. The policy-independent contract
// runs for OwnerThread in every policy-templated test (AUDIOPOOL_ALL_POLICIES).
#include "test_prelude.hpp"
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif
#include "support/pool_under_test.hpp"

namespace {

// Whether the library names threads by their thread pointer (then the first
// `Lanes` releasing threads get lanes; without it every release takes the
// return ring). The same test as config.hpp's, for module mode, where the
// library's macros are not visible.
#if defined(AUDIOPOOL_HAS_THREAD_POINTER)
constexpr bool threadPointer = AUDIOPOOL_HAS_THREAD_POINTER;
#elif defined(__has_builtin)
#if __has_builtin(__builtin_thread_pointer)
constexpr bool threadPointer = true;
#else
constexpr bool threadPointer = false;
#endif
#else
constexpr bool threadPointer = false;
#endif

/// Counts the releases that went through the return ring (the hook runs
/// once per return-ring release, between its claim and its publication).
struct CountingHooks {
    static inline std::atomic<std::uint64_t> returned{0};
    static void beforeReturnPublish() noexcept { returned.fetch_add(1, std::memory_order_relaxed); }
};

/// A lane count and the policy with it (and the counting hooks).
template <std::size_t L>
struct WithLanes {
    static constexpr std::size_t lanes = L;
    using Policy = audiopool::BasicOwnerThread<L, CountingHooks>;
};

/// Pauses the next return-ring release, once armed, between its claim and
/// its publication, until opened.
struct GateHooks {
    static inline std::atomic<bool> armed{false}, paused{false}, open{false};
    static void beforeReturnPublish() noexcept {
        if (!armed.exchange(false)) return;
        paused.store(true);
        while (!open.load()) std::this_thread::yield();
    }
};

/// Acquires on the calling thread until the pool refuses (or has handed
/// out one more than its capacity, which eachIndexOnce then reports).
template <class Pool>
std::vector<typename Pool::Unique> acquireAll(Pool& pool) {
    std::vector<typename Pool::Unique> held;
    while (held.size() <= Pool::capacity) {
        auto h = pool.acquire();
        if (!h) break;
        held.push_back(std::move(h));
    }
    return held;
}

template <class Handles>
std::vector<std::uint32_t> indicesOf(const Handles& held) {
    std::vector<std::uint32_t> indices;
    for (const auto& h : held) indices.push_back(h.index());
    return indices;
}

/// Whether `held` holds every index of the pool exactly once. If one is
/// there twice, drops every handle without releasing it (releasing a buffer
/// handed out twice would be a double release, which aborts checked builds),
/// so that the failure is reported and the other tests still run.
template <class Pool, class Handles>
bool eachIndexOnce(Handles&& held) {  // NOLINT(cppcoreguidelines-missing-std-forward): lvalues and temporaries alike
    std::vector<std::uint32_t> indices = indicesOf(held);
    std::sort(indices.begin(), indices.end());
    if (std::adjacent_find(indices.begin(), indices.end()) != indices.end()) {
        for (auto& h : held)
            if (h) (void)h.detach();
        return false;
    }
    return indices.size() == Pool::capacity && indices.back() == Pool::capacity - 1;
}

} // namespace

TEST_CASE("OwnerThreadTheOwnersOwnReleasesComeBackFirstThenOtherLanesThenTheStock") {
    using Pool = test::Pool<float, 1, 16, 8, audiopool::OwnerThread>;
    auto pool = test::makePool<Pool>();
    auto a = pool->acquire(), b = pool->acquire(), c = pool->acquire();
    REQUIRE((a && b && c));
    // The stock hands out 0 .. Capacity-1 in order.
    CHECK(a.index() == 0);
    CHECK(b.index() == 1);
    CHECK(c.index() == 2);
    std::thread([&] { c.reset(); }).join();  // into that thread's lane
    b.reset();  // into the owner's lane: 1, then 0
    a.reset();
    std::vector<Pool::Unique> held = acquireAll(*pool);
    CHECK(eachIndexOnce<Pool>(held));
    // The owner's own lane (oldest first), the other thread's lane, then the
    // stock (the coldest buffers last).
    const std::vector<std::uint32_t> expected =
        threadPointer ? std::vector<std::uint32_t>{1, 0, 2, 3, 4, 5, 6, 7}
                      : std::vector<std::uint32_t>{2, 1, 0, 3, 4, 5, 6, 7};  // all in the return ring
    CHECK(indicesOf(held) == expected);
    const audiopool::Stats s = pool->stats();
    CHECK(s.inUse == 8);
    CHECK(s.highWater == 8);
    CHECK(s.acquisitions == 11);
    CHECK(s.releases == 3);
    CHECK(s.failedAcquisitions == 1);
}

TEST_CASE_TEMPLATE("OwnerThreadReleasesFromMoreThreadsThanLanesAllComeBack", L, WithLanes<4>, WithLanes<1>,
                   WithLanes<0>) {
    constexpr std::size_t threads = 6, perThread = 4, rounds = 5;
    using Pool = test::Pool<float, 1, 16, threads * perThread, typename L::Policy>;
    auto pool = test::makePool<Pool>();
    CountingHooks::returned.store(0);
    // The releasing threads live through every round, so there are always
    // six of them with distinct thread pointers: the first L::lanes to
    // release keep a lane, the others use the return ring, every round.
    std::array<std::vector<typename Pool::Unique>, threads> given;
    std::atomic<std::size_t> round{0}, released{0};
    std::vector<std::thread> releasers;
    for (std::size_t t = 0; t < threads; ++t)
        releasers.emplace_back([&, t] {
            for (std::size_t r = 1; r <= rounds; ++r) {
                // acquire: pairs with the owner's release store of `round`,
                // which hands over given[t].
                while (round.load(std::memory_order_acquire) < r) std::this_thread::yield();
                given[t].clear();  // the releases, on this thread
                // release: the owner reads nothing of ours, but waits for this.
                released.fetch_add(1, std::memory_order_release);
            }
        });
    for (std::size_t r = 1; r <= rounds; ++r) {
        CAPTURE(r);
        std::vector<typename Pool::Unique> all = acquireAll(*pool);  // the last acquire fails
        if (!eachIndexOnce<Pool>(all)) {
            FAIL_CHECK("round " << r << ": not every buffer came back exactly once");
            round.store(rounds, std::memory_order_release);  // let the releasers finish
            break;
        }
        audiopool::Stats s = pool->stats();
        CHECK(s.inUse == Pool::capacity);
        CHECK(s.highWater == Pool::capacity);
        CHECK(s.acquisitions == r * Pool::capacity);
        CHECK(s.releases == (r - 1) * Pool::capacity);
        CHECK(s.failedAcquisitions == r);
        for (std::size_t t = 0; t < threads; ++t)
            for (std::size_t k = 0; k < perThread; ++k) given[t].push_back(std::move(all[t * perThread + k]));
        round.store(r, std::memory_order_release);
        // acquire: pairs with the releasers' fetch_add.
        while (released.load(std::memory_order_acquire) < r * threads) std::this_thread::yield();
        s = pool->stats();  // quiet: exact
        CHECK(s.inUse == 0);
        CHECK(s.highWater == Pool::capacity);
        CHECK(s.acquisitions == r * Pool::capacity);
        CHECK(s.releases == r * Pool::capacity);
        CHECK(s.failedAcquisitions == r);
    }
    for (auto& t : releasers) t.join();
    const std::size_t ringThreads = threadPointer ? threads - std::min(L::lanes, threads) : threads;
    CHECK(CountingHooks::returned.load() == rounds * ringThreads * perThread);
    // Every buffer can be acquired again, once.
    CHECK(eachIndexOnce<Pool>(acquireAll(*pool)));
}

TEST_CASE("OwnerThreadAReturnClaimNotYetPublishedHoldsTheRingBackAndNothingIsHandedOutTwice") {
    using Pool = test::Pool<float, 1, 16, 3, audiopool::BasicOwnerThread<0, GateHooks>>;
    auto pool = test::makePool<Pool>();
    GateHooks::armed.store(false);
    GateHooks::paused.store(false);
    GateHooks::open.store(false);
    {
        // A first lap of the return ring: positions 0, 1, 2 published and
        // taken, so every slot holds a lap-1 word.
        std::vector<Pool::Unique> first = acquireAll(*pool);
        REQUIRE(first.size() == 3);
        while (!first.empty()) first.pop_back();
    }
    auto x = pool->acquire(), y = pool->acquire(), z = pool->acquire();  // positions 0, 1, 2
    REQUIRE((x && y && z));
    const std::uint32_t yIndex = y.index(), zIndex = z.index();
    // y's release claims position 3, whose slot still holds position 0's
    // word: x's index, and x is held. It stops before publishing.
    GateHooks::armed.store(true);
    std::thread releaser([&] { y.reset(); });
    while (!GateHooks::paused.load()) std::this_thread::yield();
    z.reset();  // position 4, published
    auto blocked = pool->acquire();
    CHECK_FALSE(blocked);  // position 3 is not published: the pool reports exhaustion
    if (blocked) {
        CHECK(blocked.index() != x.index());
        (void)blocked.detach();  // not released: it may be x's buffer
    }
    audiopool::Stats s = pool->stats();
    CHECK(s.failedAcquisitions == 2);  // the first lap's last acquire, and this one
    CHECK(s.acquisitions == 6);

    GateHooks::open.store(true);
    releaser.join();
    auto again = pool->acquire(), andAgain = pool->acquire();
    REQUIRE((again && andAgain));
    CHECK(again.index() == yIndex);  // position 3
    CHECK(andAgain.index() == zIndex);  // position 4
    CHECK_FALSE(pool->acquire());  // x is still held
    std::array<Pool::Unique, 3> held{std::move(x), std::move(again), std::move(andAgain)};
    CHECK(eachIndexOnce<Pool>(held));
    s = pool->stats();
    CHECK(s.inUse == 3);
    CHECK(s.acquisitions == 8);
    CHECK(s.releases == 5);
    CHECK(s.failedAcquisitions == 3);
    for (auto& h : held) h.reset();
    CHECK(eachIndexOnce<Pool>(acquireAll(*pool)));
}

TEST_CASE("OwnerThreadThreadsThatEndAndThreadsThatStartLaterLoseNothing") {
    using Pool = test::Pool<float, 1, 16, 8, audiopool::BasicOwnerThread<2>>;
    auto pool = test::makePool<Pool>();
    std::vector<Pool::Unique> held = acquireAll(*pool);
    REQUIRE(held.size() == Pool::capacity);
    auto releaseTwo = [&] {
        held.pop_back();
        held.pop_back();
    };
    // Two threads alive at once take both lanes, then end.
    {
        std::atomic<int> done{0};
        auto releaser = [&] {
            releaseTwo();
            done.fetch_add(1);
            while (done.load() != 2) std::this_thread::yield();
        };
        std::thread first(releaser);
        while (done.load() != 1) std::this_thread::yield();
        std::thread second(releaser);
        first.join();
        second.join();
    }
    // Then one thread after another, each started after the last one ended
    // (a new thread often has an ended one's thread pointer, so its lane,
    // with entries the owner has not taken yet; otherwise it uses the
    // return ring). The owner takes everything back after every second one.
    std::uint64_t released = 4;
    for (int i = 0; i < 24; ++i) {
        CAPTURE(i);
        std::thread(releaseTwo).join();
        released += 2;
        if (i % 2 == 1) {
            std::vector<Pool::Unique> back = acquireAll(*pool);
            for (auto& h : back) held.push_back(std::move(h));
            REQUIRE(eachIndexOnce<Pool>(held));
        }
        const audiopool::Stats s = pool->stats();
        CHECK(s.inUse == held.size());
        CHECK(s.releases == released);
        CHECK(s.acquisitions - s.releases == held.size());
    }
    held.clear();
    const audiopool::Stats s = pool->stats();
    CHECK(s.inUse == 0);
    CHECK(s.acquisitions == s.releases);
    CHECK(eachIndexOnce<Pool>(acquireAll(*pool)));
}

TEST_CASE_TEMPLATE("OwnerThreadHighWaterIsExactAtNewPeaksWhenOtherThreadsRelease", L, WithLanes<4>, WithLanes<0>) {
    using Pool = test::Pool<float, 1, 16, 6, typename L::Policy>;
    // The owner acquires 3, another thread releases 2, the owner acquires 4
    // more: the two released first, then from the stock (3 left). The owner
    // has not seen those releases before: each new peak it reports must
    // count them. stats() records what it sees as a peak too, so the run
    // is made twice: with a snapshot after every acquire (a peak reported
    // too high shows at once), and with none until a release has taken the
    // count below the peak (a peak reported too low shows then).
    for (const bool snapshotEveryStep : {true, false}) {
        CAPTURE(snapshotEveryStep);
        auto pool = test::makePool<Pool>();
        std::vector<typename Pool::Unique> held;
        for (int i = 0; i < 3; ++i) held.push_back(pool->acquire());
        std::thread([&] {
            held.pop_back();
            held.pop_back();
        }).join();
        const std::size_t expectedHighWater[] = {3, 3, 4, 5};
        for (std::size_t k = 0; k < 4; ++k) {
            CAPTURE(k);
            held.push_back(pool->acquire());
            REQUIRE(held.back());
            if (!snapshotEveryStep) continue;
            const audiopool::Stats s = pool->stats();
            CHECK(s.inUse == k + 2);
            CHECK(s.highWater == expectedHighWater[k]);
        }
        held.pop_back();  // 4 in use, below the peak
        audiopool::Stats s = pool->stats();
        CHECK(s.inUse == 4);
        CHECK(s.highWater == 5);
        held.push_back(pool->acquire());
        held.push_back(pool->acquire());  // the other released one
        REQUIRE(held.back());
        CHECK_FALSE(pool->acquire());
        REQUIRE(eachIndexOnce<Pool>(held));
        s = pool->stats();
        CHECK(s.inUse == 6);
        CHECK(s.highWater == 6);
    }
}

namespace {

/// Runs `script` once, in the next release that claims a lane, between its
/// look at the lane and its compare-and-swap (where a signal handler can
/// interrupt it), and counts the releases that go through the return ring.
struct ClaimScript {
    static inline void (*script)() = nullptr;
    static inline std::atomic<std::uint64_t> returned{0};
    static void beforeLaneClaim() noexcept {
        if (auto run = std::exchange(script, nullptr)) run();
    }
    static void beforeReturnPublish() noexcept { returned.fetch_add(1, std::memory_order_relaxed); }
};
using ClaimPool = test::Pool<float, 1, 16, 4, audiopool::BasicOwnerThread<2, ClaimScript>>;
ClaimPool* claimPool = nullptr;
ClaimPool::Unique claimSecond;

} // namespace

TEST_CASE("OwnerThreadAThreadWhoseLaneClaimIsInterruptedByItsOwnHandlerKeepsOneLane") {
    if constexpr (!threadPointer) return;  // no lanes without a thread pointer
    // The thread's first release stops before its claim of lane 0; a
    // "signal handler" on the same thread releases too, and claims lane 0.
    // The interrupted claim then finds lane 0 taken by its own thread and
    // uses it: lane 1 stays free for the next thread, which releases
    // through it, not through the return ring.
    auto pool = test::makePool<ClaimPool>();
    claimPool = pool.get();
    auto first = pool->acquire();
    claimSecond = pool->acquire();
    auto other = pool->acquire();
    ClaimScript::returned = 0;
    ClaimScript::script = [] { claimSecond.reset(); };
    first.reset();
    CHECK_FALSE(claimSecond);
    std::thread([&] { other.reset(); }).join();
    CHECK(ClaimScript::returned.load() == 0);
    CHECK(pool->stats().inUse == 0);
    // Every buffer comes back once.
    std::vector<ClaimPool::Unique> held;
    while (auto h = pool->acquire()) held.push_back(std::move(h));
    CHECK(held.size() == ClaimPool::capacity);
    claimPool = nullptr;
}
