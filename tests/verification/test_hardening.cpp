// Misuse and worst cases that must never hand one buffer to two owners, each
// reproduced deterministically where it can be:
//  - SpscRing with a second releasing thread (a broken thread rule): buffers
//    may be lost, never handed out twice; highWater stays within capacity.
//  - a stale Detached (an earlier detachment of a reused buffer) is refused
//    and the buffer's current owner keeps it.
//  - Treiber's ABA window is counted in pops only (a narrow 8-bit tag makes
//    the window reachable in a test), and its statistics are exact across a
//    half-wrap whose count is not yet written.
//  - the high-water mark never decreases, also while an acquirer is stalled
//    between its pop and its high-water update, and records the true peak.
//  - each buffer's bookkeeping has cache lines of its own.
// Also built with NDEBUG (header mode), where no thread check runs.
#include "test_prelude.hpp"
#include <sched.h>
#include <string>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif
#include "verification.hpp"

namespace {

using audiopool::Misuse;

/// Pins the calling thread to one CPU (of those the process may use); with a
/// single CPU available everything shares it.
void pinToCpu(int which) {
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return;
    const int count = CPU_COUNT(&allowed);
    int target = which % count;
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
        if (!CPU_ISSET(cpu, &allowed)) continue;
        if (target-- == 0) {
            cpu_set_t one;
            CPU_ZERO(&one);
            CPU_SET(cpu, &one);
            sched_setaffinity(0, sizeof one, &one);
            return;
        }
    }
}

/// The outcome of a run with two releasing threads.
struct BrokenRuleOutcome {
    std::uint64_t handOuts = 0, doubleOwners = 0, emptyAcquires = 0;
    audiopool::Stats stats;
};

/// One acquiring thread (CPU 0) hands every buffer it gets to one of two
/// releasing threads (both on CPU 1, so they pre-empt each other mid-push).
/// A per-index holder count checks that no buffer ever has two owners. With
/// Shared handles the acquirer keeps a copy too and sometimes drops it last,
/// so three threads release.
template <class Handle, class Pool>
BrokenRuleOutcome runTwoReleasers(Pool& pool, std::uint64_t handOuts) {
    constexpr bool shared = std::is_same_v<Handle, typename Pool::Shared>;
    constexpr std::size_t queueSize = 4096;  // deep enough to drain the ring
    using Queue = audiopool::HandoffQueue<Handle, queueSize>;
    auto queues = std::make_unique<std::array<Queue, 2>>();
    auto holders = std::make_unique<std::array<std::atomic<int>, Pool::capacity>>();
    for (auto& h : *holders) h.store(0);
    std::atomic<bool> done{false};
    std::atomic<std::uint64_t> doubleOwners{0};

    auto releaser = [&](Queue& queue) {
        pinToCpu(1);
        for (;;) {
            if (auto h = queue.try_pop()) {
                // acq_rel: the count drops before the buffer goes back.
                (*holders)[h->index()].fetch_sub(1, std::memory_order_acq_rel);
                h->reset();
            } else if (done.load(std::memory_order_acquire) && queue.empty()) {
                return;
            }
        }
    };
    std::thread r0(releaser, std::ref((*queues)[0])), r1(releaser, std::ref((*queues)[1]));

    BrokenRuleOutcome out;
    std::thread acquirer([&] {
        pinToCpu(0);
        std::array<Handle, 64> kept{};  // Shared: the acquirer's own copies
        std::size_t next = 0;
        std::mt19937 random(7);
        std::uint64_t empties = 0;
        while (out.handOuts < handOuts && empties < 100'000'000) {
            Handle h;
            if constexpr (shared) h = pool.acquireShared();
            else h = pool.acquire();
            if (!h) {
                ++empties;
                continue;
            }
            const int copies = shared ? 2 : 1;
            if ((*holders)[h.index()].fetch_add(copies, std::memory_order_acq_rel) != 0)
                doubleOwners.fetch_add(1, std::memory_order_relaxed);
            if constexpr (shared) {
                Handle& slot = kept[next++ % kept.size()];
                if (slot) {  // drop an older copy: sometimes the last one
                    (*holders)[slot.index()].fetch_sub(1, std::memory_order_acq_rel);
                    slot.reset();
                }
                slot = h;
            }
            Queue& queue = (*queues)[random() & 1];
            // NOLINTNEXTLINE(bugprone-use-after-move): push moves from it only when it succeeds
            while (!queue.try_push(std::move(h))) std::this_thread::yield();
            ++out.handOuts;
        }
        for (auto& slot : kept)
            if (slot) {
                (*holders)[slot.index()].fetch_sub(1, std::memory_order_acq_rel);
                slot.reset();
            }
        out.emptyAcquires = empties;
        done.store(true, std::memory_order_release);
    });
    acquirer.join();
    r0.join();
    r1.join();
    out.doubleOwners = doubleOwners.load();
    out.stats = pool.stats();
    return out;
}

template <class Handle>
void checkTwoReleasers(const char* what) {
    using Pool = test::Pool<float, 1, 16, 8192, audiopool::SpscRing>;
    verify::MisuseLog log;  // checked builds report the second releaser
    auto pool = test::makePool<Pool>();
    const BrokenRuleOutcome out =
        runTwoReleasers<Handle>(*pool, verify::envOr("AUDIOPOOL_BROKEN_RULE_HANDOUTS", 400'000));
    const audiopool::Stats& s = out.stats;
    MESSAGE(std::string(what) << ": " << out.handOuts << " hand-outs, " << s.inUse << " buffers lost, " << s.misuses
                              << " misuses reported, " << out.emptyAcquires << " empty acquires");
    CHECK(out.doubleOwners == 0);
    CHECK(s.highWater <= Pool::capacity);
    CHECK(s.inUse <= Pool::capacity);
    CHECK(s.inUse == s.acquisitions - s.releases);  // lost buffers stay counted in use
    CHECK(s.acquisitions == out.handOuts);
}

}  // namespace

TEST_CASE("HardeningSpscRingWithTwoReleasersLosesBuffersButNeverHandsOneOutTwice") {
    using Pool = test::Pool<float, 1, 16, 8192, audiopool::SpscRing>;
    SUBCASE("Unique handles") { checkTwoReleasers<Pool::Unique>("Unique"); }
    SUBCASE("Shared handles, the acquirer sometimes dropping last") { checkTwoReleasers<Pool::Shared>("Shared"); }
}

namespace {

/// Runs `script` once inside the next push, after it wrote its ring entry and
/// before it publishes its position: the moment a second releasing thread can
/// overtake it.
struct PushScript {
    static inline void (*script)() = nullptr;
    static void beforePushPublish() noexcept {
        if (auto run = std::exchange(script, nullptr)) run();
    }
};
using RacePool = test::Pool<float, 1, 16, 4, audiopool::BasicSpscRing<PushScript>>;
struct RaceState {
    RacePool* pool = nullptr;
    RacePool::Unique a, b, c, d, b2, c2;
};
RaceState race;

/// Releaser B overtakes the paused releaser A twice, and the acquirer takes
/// both buffers B gave back; A's position, published next, is then behind.
void overtakeTwice() {
    race.b.reset();
    race.c.reset();
    race.b2 = race.pool->acquire();
    race.c2 = race.pool->acquire();
}

}  // namespace

TEST_CASE("HardeningSpscRingReleasersPositionMovingBackIsCaughtAndNeverHandsOutAnOwnedBuffer") {
    verify::MisuseLog log;
    auto pool = test::makePool<RacePool>();
    race.pool = pool.get();
    race.a = pool->acquire();
    race.b = pool->acquire();
    race.c = pool->acquire();
    race.d = pool->acquire();  // the ring is empty
    PushScript::script = &overtakeTwice;
    race.a.reset();  // releaser A pauses in its push; B runs overtakeTwice
    REQUIRE(race.b2);
    REQUIRE(race.c2);
    // A's position (one release) is now behind the two the acquirer took.
    // Nothing may come out: every index in the ring behind it is owned.
    const std::size_t reportsBefore = log.countOf(Misuse::WrongThread);
    auto e = pool->acquire();
    CHECK_FALSE(e);
    CHECK(log.countOf(Misuse::WrongThread) == reportsBefore + 1);  // seen, in every build
    const audiopool::Stats s = pool->stats();
    CHECK(s.highWater <= RacePool::capacity);
    CHECK(s.inUse == s.acquisitions - s.releases);
    // Releases go on; a buffer may be lost, none is handed out twice.
    const std::uint32_t owned[] = {race.b2.index(), race.c2.index()};
    // d's release lands at a position the acquirer has already passed (A's
    // moved back): it is lost, and nothing (above all no owned buffer) comes out.
    race.d.reset();
    std::vector<RacePool::Unique> more;
    while (auto h = pool->acquire()) {
        for (std::uint32_t o : owned) CHECK(h.index() != o);
        more.push_back(std::move(h));
    }
    CHECK(more.empty());
    race.b2.reset();
    race.c2.reset();
    while (auto h = pool->acquire()) more.push_back(std::move(h));
    std::vector<std::uint32_t> indices;
    for (const auto& h : more) indices.push_back(h.index());
    std::sort(indices.begin(), indices.end());
    CHECK(std::adjacent_find(indices.begin(), indices.end()) == indices.end());
    MESSAGE((RacePool::capacity - indices.size()) << " of " << RacePool::capacity << " buffers lost");
    more.clear();
    const audiopool::Stats end = pool->stats();
    CHECK(end.highWater <= RacePool::capacity);
    CHECK(end.inUse == end.acquisitions - end.releases);
    CHECK(end.inUse == RacePool::capacity - indices.size());  // the lost ones count as in use
    race.pool = nullptr;
}

namespace {

/// Runs `script` once inside the next lane release, after it wrote its entry
/// and before it publishes its position: where a signal handler that
/// releases on the same thread can interrupt it.
struct LaneScript {
    static inline void (*script)() = nullptr;
    static void beforeLanePublish() noexcept {
        if (auto run = std::exchange(script, nullptr)) run();
    }
};
/// One lane: the test thread's (it acquires and releases).
template <std::size_t Capacity>
using LanePool = test::Pool<float, 1, 16, Capacity, audiopool::BasicOwnerThread<1, LaneScript>>;
template <std::size_t Capacity>
struct LaneRace {
    static inline LanePool<Capacity>* pool = nullptr;
    static inline typename LanePool<Capacity>::Unique b, c, b2, c2;
    /// The "signal handler": two releases on the interrupted thread; then
    /// the owner takes both buffers back (here, for a deterministic test, on
    /// the same thread, standing in for the owner running meanwhile: an
    /// acquire from a real handler would be a misuse of its own).
    static void handlerReleasesTwice() {
        b.reset();
        c.reset();
        b2 = pool->acquire();
        c2 = pool->acquire();
    }
    /// Takes a, b, c and `more` other buffers, then releases a with the
    /// "handler" armed: the lane's position ends below the owner's, with b
    /// and c taken back as b2 and c2. Returns the other buffers.
    static std::vector<typename LanePool<Capacity>::Unique> moveLaneBack(LanePool<Capacity>& into, std::size_t more) {
        pool = &into;
        auto a = into.acquire();
        b = into.acquire();
        c = into.acquire();
        std::vector<typename LanePool<Capacity>::Unique> held;
        for (std::size_t i = 0; i < more; ++i) held.push_back(into.acquire());
        LaneScript::script = &handlerReleasesTwice;
        a.reset();
        REQUIRE(b2);
        REQUIRE(c2);
        return held;
    }
};

/// Acquires until the pool says empty, at most twice its capacity (a list
/// that reads stale entries would never say empty); every index at most once.
template <class Pool>
std::vector<std::uint32_t> drainIndices(Pool& pool, std::vector<typename Pool::Unique>& into) {
    std::vector<std::uint32_t> indices;
    for (std::size_t i = 0; i < 2 * Pool::capacity; ++i) {
        auto h = pool.acquire();
        if (!h) break;
        indices.push_back(h.index());
        into.push_back(std::move(h));
    }
    return indices;
}

bool allDistinct(std::vector<std::uint32_t> indices) {
    std::sort(indices.begin(), indices.end());
    return std::adjacent_find(indices.begin(), indices.end()) == indices.end();
}

}  // namespace

TEST_CASE("HardeningOwnerThreadLaneMovingBackIsCaughtAndNeverHandsOutAnOwnedBuffer") {
    // A release interrupted between its entry and its position by a signal
    // handler that releases twice on the same thread: the handler's two
    // releases are published and taken, then the interrupted store moves the
    // lane's position back below the owner's.
    SUBCASE("seen by an acquire that finds the pool empty") {
        constexpr std::size_t capacity = 6;
        using Pool = LanePool<capacity>;
        using Race = LaneRace<capacity>;
        verify::MisuseLog log;
        auto pool = test::makePool<Pool>();
        std::vector<Pool::Unique> held = Race::moveLaneBack(*pool, 3);  // the stock is empty
        // Every buffer is owned but a's, whose entry the handler overwrote:
        // nothing may come out (an owned one least of all), and the
        // moved-back position is reported.
        std::vector<Pool::Unique> more;
        const std::vector<std::uint32_t> got = drainIndices(*pool, more);
        CHECK(got.empty());
        CHECK(log.countOf(Misuse::WrongThread) == 1);  // in every build
        // Releases go on: one that lands behind the owner's position is lost,
        // the next one is taken again; nothing is ever handed out twice.
        const std::uint32_t first = held[0].index(), second = held[1].index();
        held[0].reset();
        CHECK_FALSE(pool->acquire());
        held[1].reset();
        auto back = pool->acquire();
        REQUIRE(back);
        CHECK(back.index() == second);
        CHECK(back.index() != first);
        const audiopool::Stats s = pool->stats();
        CHECK(s.highWater <= capacity);
        CHECK(s.inUse == s.acquisitions - s.releases);
        CHECK(s.inUse == 6);  // a's and the first held buffer are lost, counted as in use
        CHECK(s.misuses == log.count());
        back.reset();
        Race::b2.reset();
        Race::c2.reset();
        held.clear();
        more.clear();
        const std::vector<std::uint32_t> end = drainIndices(*pool, more);
        CHECK(allDistinct(end));
        CHECK(end.size() == capacity - 2);
        more.clear();
        Race::pool = nullptr;
    }
    SUBCASE("seen by an acquire that still gets a buffer from the stock") {
        constexpr std::size_t capacity = 8;
        using Pool = LanePool<capacity>;
        using Race = LaneRace<capacity>;
        verify::MisuseLog log;
        auto pool = test::makePool<Pool>();
        Race::moveLaneBack(*pool, 0);
        // The lane has nothing; the stock has five: the acquire succeeds and
        // reports the broken rule (Popped::ruleBrokenBit) all the same.
        auto d = pool->acquire();
        REQUIRE(d);
        CHECK(d.index() != Race::b2.index());
        CHECK(d.index() != Race::c2.index());
        CHECK(log.countOf(Misuse::WrongThread) == 1);
        CHECK(pool->stats().highWater <= capacity);
        std::vector<Pool::Unique> more;
        std::vector<std::uint32_t> got = drainIndices(*pool, more);
        got.push_back(d.index());
        got.push_back(Race::b2.index());
        got.push_back(Race::c2.index());
        CHECK(allDistinct(got));
        CHECK(got.size() == capacity - 1);  // a's buffer is lost
        CHECK(log.countOf(Misuse::WrongThread) == 1);  // reported once
        Race::b2.reset();
        Race::c2.reset();
        Race::pool = nullptr;
    }
}

TEST_CASE_TEMPLATE("HardeningStaleDetachedIsRefusedAndTheOwnerKeepsTheBuffer", Policy, AUDIOPOOL_ALL_POLICIES) {
    using Pool = test::Pool<float, 2, 16, 3, Policy>;
    verify::MisuseLog log;
    auto pool = test::makePool<Pool>();

    auto first = pool->acquire();
    const std::uint32_t index = first.index();
    const audiopool::Detached d1 = first.detach();
    CHECK(pool->release(d1));

    // Take buffers until the same one comes back (FIFO for SpscRing).
    std::vector<typename Pool::Unique> others;
    typename Pool::Unique owner;
    while (auto h = pool->acquire()) {
        if (h.index() == index) {
            owner = std::move(h);
            break;
        }
        others.push_back(std::move(h));
    }
    REQUIRE(owner);
    owner.channel(0)[0] = 42.0f;

    SUBCASE("while the buffer is detached again") {
        const audiopool::Detached d2 = owner.detach();
        CHECK(d2.generation != d1.generation);
        CHECK_FALSE(pool->release(d1));  // stale
        CHECK_FALSE(pool->adopt(d1));
        CHECK(log.countOf(Misuse::DoubleRelease) == 2);
        // The current detachment is untouched: it still adopts and releases.
        auto back = pool->adopt(d2);
        REQUIRE(back);
        CHECK(back.channel(0)[0] == 42.0f);
        CHECK(back.index() == index);
    }
    SUBCASE("while a handle owns the buffer") {
        CHECK_FALSE(pool->release(d1));  // stale: this buffer was reused since
        CHECK(log.countOf(Misuse::DoubleRelease) == 1);
        CHECK(pool->stats().inUse == 1 + others.size());
        // The pool did not get it back: the rest of the pool never yields it.
        std::vector<typename Pool::Unique> rest;
        while (auto h = pool->acquire()) {
            CHECK(h.index() != index);
            rest.push_back(std::move(h));
        }
        CHECK(owner.channel(0)[0] == 42.0f);
    }
    SUBCASE("a Detached is good for one use: release after adopt") {
        const audiopool::Detached d2 = owner.detach();
        auto adopted = pool->adopt(d2);
        REQUIRE(adopted);
        CHECK_FALSE(pool->release(d2));
        CHECK(log.countOf(Misuse::DoubleRelease) == 1);
        // The adopted handle still owns the buffer, and gives it back once.
        CHECK(pool->stats().inUse == 1 + others.size());
        adopted.reset();
        CHECK(pool->stats().inUse == others.size());
    }
    owner.reset();
    others.clear();
    CHECK(log.count() == pool->stats().misuses);
    CHECK(verify::wholeness(*pool) == "");
}

namespace {

/// Single-threaded hooks for a Treiber with an 8-bit tag: the outermost pop
/// runs `script` at its hook, after reading head and link and before its CAS
/// (re-entrant pops inside the script do not run it again); `onHalfWrap` runs
/// once when a pop crosses a half-wrap, before the crossing is counted.
struct TagScript {
    static inline void (*script)() = nullptr;
    static inline void (*onHalfWrap)() = nullptr;
    static inline int casAttempts = 0;  // of pops outside the script
    static inline bool inScript = false;
    static void beforePopCas(std::uint32_t, std::uint32_t) noexcept {
        if (inScript) return;
        ++casAttempts;
        if (auto run = std::exchange(script, nullptr)) {
            inScript = true;
            run();
            inScript = false;
        }
    }
    static void beforeHalfWrapCount() noexcept {
        if (auto run = std::exchange(onHalfWrap, nullptr)) run();
    }
};
using NarrowTagPool = test::Pool<double, 1, 16, 8, audiopool::BasicTreiber<TagScript, 8>>;

struct NarrowTagState {
    NarrowTagPool* pool = nullptr;
    NarrowTagPool::Unique x, p1, p2;
    int pairs = 0;
};
NarrowTagState narrow;

/// With buffer x held and the paused pop having read top t (next n):
/// acquire t and n, give back x and then t, so t is on top again with the
/// same used count but its link now points at x, while n is owned (p2). Then
/// `pairs` acquire+release pairs of t. The tag moved by 2 + pairs pops and
/// the head moved through 4 + 2 * pairs operations.
void abaScript() {
    narrow.p1 = narrow.pool->acquire();
    narrow.p2 = narrow.pool->acquire();
    narrow.x.reset();
    narrow.p1.reset();
    for (int i = 0; i < narrow.pairs; ++i) {
        auto h = narrow.pool->acquire();
        h.reset();
    }
}

/// Runs the ABA interleaving with `pairs` extra pairs; returns the index the
/// paused acquire got, the one after it, and p2's (the buffer that must not
/// be handed out while p2 holds it).
struct NarrowOutcome {
    std::uint32_t paused, following, owned;
    int casAttempts;
};
NarrowOutcome runNarrowAba(int pairs) {
    auto pool = test::makePool<NarrowTagPool>();
    narrow.pool = pool.get();
    narrow.pairs = pairs;
    narrow.x = pool->acquire();  // index 0; the head is now 1 -> 2
    TagScript::casAttempts = 0;
    TagScript::script = &abaScript;
    auto paused = pool->acquire();
    NarrowOutcome out{paused.index(), 0, narrow.p2.index(), TagScript::casAttempts};
    auto following = pool->acquire();
    out.following = following.index();
    // Leave no buffer pushed twice: a doubly handed-out buffer is left out.
    if (out.following == out.owned) (void)following.detach();
    following.reset();
    paused.reset();
    narrow.p2.reset();
    narrow.pool = nullptr;
    return out;
}

}  // namespace

TEST_CASE("HardeningTreiberTagCountsPopsOnly") {
    SUBCASE("128 pops and 128 pushes in the window: the tag still differs") {
        // Had pushes advanced the tag too, 256 operations would bring an
        // 8-bit tag round and the paused CAS would install the stale link.
        const NarrowOutcome out = runNarrowAba(126);
        CHECK(out.casAttempts >= 2);  // the paused CAS failed and retried
        CHECK(out.paused == 1);
        CHECK(out.following == 0);  // x, relinked under 1
        CHECK(out.following != out.owned);
    }
    SUBCASE("255 pops, just under the tag's range: safe") {
        const NarrowOutcome out = runNarrowAba(253);
        CHECK(out.paused == 1);
        CHECK(out.following != out.owned);
    }
    SUBCASE("exactly 256 pops: the bound is 2^TagBits pops, and it is reached") {
        const NarrowOutcome out = runNarrowAba(254);
        CHECK(out.paused == 1);
        CHECK(out.following == out.owned);  // the ABA the full 32-bit tag puts 2^32 pops away
    }
}

namespace {
audiopool::Stats seenDuringHalfWrap;
void readStatsDuringHalfWrap() { seenDuringHalfWrap = narrow.pool->stats(); }
}  // namespace

TEST_CASE("HardeningTreiberStatisticsAreExactAcrossAStalledHalfWrapCount") {
    auto pool = test::makePool<NarrowTagPool>();
    narrow.pool = pool.get();
    auto held = pool->acquire();  // 1 pop; every pair below adds one
    TagScript::onHalfWrap = &readStatsDuringHalfWrap;
    for (int i = 1; i < 128; ++i) pool->acquire().reset();  // pop 128 crosses the half-wrap
    REQUIRE(!TagScript::onHalfWrap);  // it ran, inside pop 128
    CHECK(seenDuringHalfWrap.acquisitions == 128);
    CHECK(seenDuringHalfWrap.releases == 126);  // pop 128's buffer is not back yet
    CHECK(seenDuringHalfWrap.inUse == 2);
    for (int i = 0; i < 1000; ++i) pool->acquire().reset();
    const audiopool::Stats s = pool->stats();
    CHECK(s.acquisitions == 1128);
    CHECK(s.releases == 1127);
    held.reset();
    CHECK(pool->stats().releases == 1128);
    narrow.pool = nullptr;
}

namespace {

/// A policy wrapper that runs a hook right after the inner free list's pop
/// returns: on the acquiring thread, between the pop and the pool's
/// high-water update.
struct AfterPop {
    static inline void (*hook)() = nullptr;
    static void run() {
        if (auto f = std::exchange(hook, nullptr)) f();
    }
};
template <class Inner>
struct PausingAfterPop {
    template <std::size_t Capacity>
    class FreeList : public Inner::template FreeList<Capacity> {
        using Base = typename Inner::template FreeList<Capacity>;

    public:
        audiopool::Popped pop() noexcept
            requires requires(Base& b) { b.pop(); }
        {
            const audiopool::Popped popped = Base::pop();
            AfterPop::run();
            return popped;
        }
        template <class Links>
        audiopool::Popped pop(Links links) noexcept
            requires requires(Base& b) { b.pop(links); }
        {
            const audiopool::Popped popped = Base::pop(links);
            AfterPop::run();
            return popped;
        }
    };
};

template <class Policy>
struct Peaks {
    using Pool = test::Pool<float, 1, 16, 4, PausingAfterPop<Policy>>;
    static inline Pool* pool = nullptr;
    static inline typename Pool::Unique first;
    static inline audiopool::Stats before, after;
    static void snapshotAroundRelease() {
        before = pool->stats();
        first.reset();
        after = pool->stats();
    }
    static void releaseFirst() { first.reset(); }
};

}  // namespace

TEST_CASE_TEMPLATE("HardeningHighWaterNeverDecreasesWhileAnAcquirerIsStalled", Policy, AUDIOPOOL_ALL_POLICIES) {
    using P = Peaks<Policy>;
    auto pool = test::makePool<typename P::Pool>();
    P::pool = pool.get();
    P::first = pool->acquire();
    CHECK(pool->stats().highWater == 1);
    // The second acquire pops (2 out), then stalls: another snapshot, the
    // first buffer given back (1 out), another snapshot.
    AfterPop::hook = &P::snapshotAroundRelease;
    auto second = pool->acquire();
    REQUIRE(second);
    CHECK(P::before.inUse == 2);
    CHECK(P::before.highWater == 2);
    CHECK(P::after.inUse == 1);
    CHECK(P::after.highWater >= P::before.highWater);
    CHECK(pool->stats().highWater == 2);
    second.reset();
    CHECK(pool->stats().highWater == 2);
    P::pool = nullptr;
}

TEST_CASE_TEMPLATE("HardeningHighWaterRecordsTheTruePeakWhenAReleaseRacesTheAcquire", Policy, AUDIOPOOL_ALL_POLICIES) {
    using P = Peaks<Policy>;
    auto pool = test::makePool<typename P::Pool>();
    P::pool = pool.get();
    P::first = pool->acquire();
    // 2 out right after the second pop; a release lands before the pool
    // records the peak. The peak was 2.
    AfterPop::hook = &P::releaseFirst;
    auto second = pool->acquire();
    REQUIRE(second);
    CHECK(pool->stats().inUse == 1);
    CHECK(pool->stats().highWater == 2);
    second.reset();
    P::pool = nullptr;
}

TEST_CASE_TEMPLATE("HardeningEachBuffersBookkeepingHasItsOwnLines", Policy, AUDIOPOOL_ALL_POLICIES) {
    using Pool = test::Pool<float, 2, 20, 4, Policy>;
    auto pool = test::makePool<Pool>();
    std::vector<typename Pool::Unique> held;
    for (std::size_t i = 0; i < Pool::capacity; ++i) held.push_back(pool->acquire());
    constexpr std::uintptr_t range = audiopool::falseSharingRange;
    auto block = [](const void* p) { return reinterpret_cast<std::uintptr_t>(p) / range; };
    for (const auto& a : held) {
        // The channel-pointer table lives in the buffer's bookkeeping block...
        const std::uintptr_t own = block(static_cast<const void*>(a.channelPointers()));
        for (const auto& b : held) {
            if (&a == &b) continue;
            // ...which shares no falseSharingRange block with another
            // buffer's bookkeeping or samples.
            CHECK(own != block(static_cast<const void*>(b.channelPointers())));
            for (std::size_t c = 0; c < Pool::channels; ++c) {
                CHECK(own != block(b.channelPointers()[c]));
                CHECK(own != block(b.channelPointers()[c] + Pool::channelStride - 1));
            }
        }
        for (std::size_t c = 0; c < Pool::channels; ++c)
            CHECK(reinterpret_cast<std::uintptr_t>(a.channelPointers()[c]) % audiopool::cacheLineSize == 0);
    }
}
