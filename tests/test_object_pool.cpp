// ObjectPool: objects constructed in place in a pool's slots, for every
// built-in policy, with a static and a dynamic capacity: construction and
// destruction (each exactly once), exhaustion, Shared handles, detach,
// release, adopt and every misuse of them, a throwing constructor,
// prepare()'s refusals, the statistics, a constinit pool and over-aligned
// objects.
#include "test_prelude.hpp"
#include <functional>
#include <memory_resource>
#include <new>
#include <stdexcept>
#if defined(__SANITIZE_ADDRESS__)
#define OBJECT_POOL_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OBJECT_POOL_TEST_ASAN 1
#endif
#endif
#ifdef OBJECT_POOL_TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif
#include "support/record_misuses.hpp"
#include "support/policy_lists.hpp"

namespace {

using audiopool::dynamic;

using test::RecordMisuses;
using test::reports;

/// An object that counts its constructions and destructions, and checks
/// on destruction that it was constructed (a destructor run on a slot
/// never constructed, or twice, shows as a wrong stamp).
struct Counted {
    static constexpr std::uint64_t liveStamp = 0x5EED'CAFE'F00D'BEEFull;
    static inline int constructed = 0;
    static inline int destroyed = 0;
    static inline int badDestructions = 0;
    static void resetCounts() { constructed = destroyed = badDestructions = 0; }

    Counted(int v, float g) noexcept : value(v), gain(g) { ++constructed; }
    explicit Counted(int v) noexcept : Counted(v, 1.0f) {}
    Counted(const Counted&) = delete;
    Counted& operator=(const Counted&) = delete;
    ~Counted() {
        if (stamp != liveStamp) ++badDestructions;
        stamp = 0;
        ++destroyed;
    }

    int value;
    float gain;
    std::uint64_t stamp = liveStamp;
};

/// An object whose constructor throws when asked to.
struct MayThrow {
    static inline int destroyed = 0;
    explicit MayThrow(bool fail) {
        if (fail) throw std::runtime_error("refused");
    }
    MayThrow(const MayThrow&) = delete;
    MayThrow& operator=(const MayThrow&) = delete;
    ~MayThrow() { ++destroyed; }
};

constexpr std::size_t testCapacity = 4;

/// The pool a case runs on: static or dynamic capacity, on the heap (a
/// lane-ful OwnerThread list is large), a dynamic one prepared.
template <class T, class Policy, bool Dynamic>
auto makePool() {
    using PoolT = audiopool::ObjectPool<T, Dynamic ? dynamic : testCapacity, Policy>;
    auto pool = std::make_unique<PoolT>();
    if constexpr (Dynamic) REQUIRE(pool->prepare(testCapacity));
    return pool;
}

/// Runs `body` on a static pool and on a prepared dynamic one of T.
template <class T, class Policy, class Body>
void forBothCapacities(const Body& body) {
    {
        INFO("static capacity");
        auto pool = makePool<T, Policy, false>();
        body(*pool);
    }
    {
        INFO("dynamic capacity");
        auto pool = makePool<T, Policy, true>();
        body(*pool);
    }
}

/// Each stat checked on its own, so a failure names it.
void checkStats(const audiopool::Stats& s, std::size_t inUse, std::size_t highWater, std::uint64_t acquisitions,
                std::uint64_t releases, std::uint64_t failed, std::uint64_t misuses) {
    CHECK(s.capacity == testCapacity);
    CHECK(s.inUse == inUse);
    CHECK(s.highWater == highWater);
    CHECK(s.acquisitions == acquisitions);
    CHECK(s.releases == releases);
    CHECK(s.failedAcquisitions == failed);
    CHECK(s.rejectedRequests == 0);
    CHECK(s.misuses == misuses);
}

}  // namespace

TEST_CASE_TEMPLATE("ObjectPoolMakeConstructsInPlaceAndTheLastHandleDestroysOnce", Policy, AUDIOPOOL_ALL_POLICIES) {
    forBothCapacities<Counted, Policy>([](auto& pool) {
        using PoolT = std::remove_reference_t<decltype(pool)>;
        static_assert(sizeof(typename PoolT::Unique) == 2 * sizeof(void*));
        static_assert(sizeof(typename PoolT::Shared) == 2 * sizeof(void*));
        Counted::resetCounts();
        {
            auto a = pool.make(7, 0.5f);
            REQUIRE(a);
            CHECK(a->value == 7);
            CHECK((*a).gain == 0.5f);
            CHECK(a.get() == &*a);
            CHECK(Counted::constructed == 1);

            auto b = std::move(a);  // NOLINT(bugprone-use-after-move): the moved-from handle is checked empty
            CHECK_FALSE(a);
            CHECK(a.get() == nullptr);
            CHECK(b->value == 7);
            CHECK(Counted::destroyed == 0);

            auto c = pool.make(8);
            const Counted* second = c.get();
            CHECK(second != b.get());
            b = std::move(c);  // destroys 7, takes 8 over
            CHECK(Counted::destroyed == 1);
            CHECK(b.get() == second);
            CHECK(b->value == 8);
            b.reset();
            CHECK_FALSE(b);
            CHECK(Counted::destroyed == 2);
            b.reset();  // empty: nothing happens
            CHECK(Counted::destroyed == 2);
            auto d = pool.make(9);
            CHECK(d->value == 9);
        }  // d's destructor
        CHECK(Counted::constructed == 3);
        CHECK(Counted::destroyed == 3);
        CHECK(Counted::badDestructions == 0);
        checkStats(pool.stats(), 0, 2, 3, 3, 0, 0);
    });
}

TEST_CASE_TEMPLATE("ObjectPoolExhaustedGivesAnEmptyHandleAndCounts", Policy, AUDIOPOOL_ALL_POLICIES) {
    forBothCapacities<Counted, Policy>([](auto& pool) {
        using PoolT = std::remove_reference_t<decltype(pool)>;
        Counted::resetCounts();
        std::vector<typename PoolT::Unique> held;
        for (std::size_t i = 0; i < testCapacity; ++i) {
            held.push_back(pool.make(static_cast<int>(i)));
            REQUIRE(held.back());
        }
        // Every slot distinct, each object intact.
        for (std::size_t i = 0; i < testCapacity; ++i) {
            CHECK(held[i]->value == static_cast<int>(i));
            for (std::size_t j = 0; j < i; ++j) CHECK(held[i].get() != held[j].get());
        }
        auto none = pool.make(99);
        CHECK_FALSE(none);
        auto noneShared = pool.makeShared(99);
        CHECK_FALSE(noneShared);
        CHECK(noneShared.useCount() == 0);
        CHECK(Counted::constructed == static_cast<int>(testCapacity));  // refused makes construct nothing
        checkStats(pool.stats(), testCapacity, testCapacity, testCapacity, 0, 2, 0);

        held[1].reset();
        auto again = pool.make(42);
        REQUIRE(again);
        CHECK(again->value == 42);
        held.clear();
        again.reset();
        CHECK(Counted::destroyed == Counted::constructed);
        checkStats(pool.stats(), 0, testCapacity, testCapacity + 1, testCapacity + 1, 2, 0);
    });
}

TEST_CASE_TEMPLATE("ObjectPoolSharedCopiesShareOneObjectTheLastDestroysIt", Policy, AUDIOPOOL_ALL_POLICIES) {
    forBothCapacities<Counted, Policy>([](auto& pool) {
        using PoolT = std::remove_reference_t<decltype(pool)>;
        using Shared = typename PoolT::Shared;
        Counted::resetCounts();
        Shared a = pool.makeShared(3, 2.0f);
        REQUIRE(a);
        CHECK(a.useCount() == 1);
        CHECK(a->gain == 2.0f);
        Shared b = a;
        Shared c(b);
        CHECK(a.useCount() == 3);
        CHECK(b.get() == a.get());
        CHECK(&*c == a.get());
        b->value = 5;  // one object: every copy sees it
        CHECK(a->value == 5);

        Shared moved = std::move(c);  // NOLINT(bugprone-use-after-move): checked empty below
        CHECK_FALSE(c);
        CHECK(c.useCount() == 0);
        CHECK(moved.useCount() == 3);

        // From a Unique: no construction, count 1.
        Shared fromUnique(pool.make(11));
        CHECK(fromUnique.useCount() == 1);
        CHECK(Counted::constructed == 2);

        // Copy-assigning drops the old object (the last reference to 11).
        fromUnique = a;
        CHECK(Counted::destroyed == 1);
        CHECK(a.useCount() == 4);
        const Shared& same = fromUnique;
        fromUnique = same;  // self-assignment keeps everything
        CHECK(a.useCount() == 4);

        a.reset();
        b.reset();
        moved.reset();
        CHECK(Counted::destroyed == 1);  // fromUnique still holds it
        CHECK(fromUnique.useCount() == 1);
        CHECK(fromUnique->value == 5);
        Shared last;
        last = std::move(fromUnique);
        CHECK(Counted::destroyed == 1);
        last.reset();
        CHECK(Counted::destroyed == 2);
        CHECK(Counted::badDestructions == 0);
        checkStats(pool.stats(), 0, 2, 2, 2, 0, 0);
    });
}

TEST_CASE_TEMPLATE("ObjectPoolDetachReleaseAdoptAndEveryMisuse", Policy, AUDIOPOOL_ALL_POLICIES) {
    forBothCapacities<Counted, Policy>([](auto& pool) {
        using PoolT = std::remove_reference_t<decltype(pool)>;
        RecordMisuses recording;
        Counted::resetCounts();

        // detach keeps the object alive and counted in use; release destroys it.
        auto a = pool.make(1);
        const Counted* object = a.get();
        const audiopool::Detached d = a.detach();
        CHECK_FALSE(a);
        CHECK(d.pool == &pool);
        CHECK(Counted::destroyed == 0);
        CHECK(pool.stats().inUse == 1);
        CHECK(pool.release(d));
        CHECK(Counted::destroyed == 1);
        CHECK(pool.stats().inUse == 0);

        // A second release of the same Detached: refused, nothing destroyed.
        CHECK_FALSE(pool.release(d));
        REQUIRE(reports().size() == 1);
        CHECK(reports().back().kind == audiopool::Misuse::DoubleRelease);
        CHECK(reports().back().pool == &pool);
        CHECK(reports().back().index == d.index);
        CHECK(Counted::destroyed == 1);

        // adopt gives a Unique to the same object.
        auto b = pool.make(2);
        const audiopool::Detached db = b.detach();
        auto adopted = pool.adopt(db);
        REQUIRE(adopted);
        CHECK(adopted->value == 2);
        CHECK(Counted::destroyed == 1);
        // The Detached is used up: adopting or releasing it again is a double release.
        CHECK_FALSE(pool.adopt(db));
        CHECK_FALSE(pool.release(db));
        REQUIRE(reports().size() == 3);
        CHECK(reports()[1].kind == audiopool::Misuse::DoubleRelease);
        CHECK(reports()[2].kind == audiopool::Misuse::DoubleRelease);
        CHECK(adopted->value == 2);  // the live object untouched

        // A made-up Detached naming a slot a live handle owns: NotDetached.
        audiopool::Detached forged = db;
        forged.generation = db.generation + 1;  // the slot's current generation
        CHECK_FALSE(pool.release(forged));
        REQUIRE(reports().size() == 4);
        CHECK(reports().back().kind == audiopool::Misuse::NotDetached);

        // A stale Detached: the slot was released and reused (detached again) since.
        auto c = pool.make(3);
        const audiopool::Detached first = c.detach();
        CHECK(pool.release(first));
        std::vector<typename PoolT::Unique> reuse;
        std::vector<audiopool::Detached> again;
        for (std::size_t i = 0; i + 1 < testCapacity; ++i) {
            reuse.push_back(pool.make(10 + static_cast<int>(i)));
            again.push_back(reuse.back().detach());
        }
        CHECK_FALSE(pool.release(first));
        REQUIRE(reports().size() == 5);
        CHECK(reports().back().kind == audiopool::Misuse::DoubleRelease);

        // Out of range, another pool's, and a buffer pool's Detached.
        audiopool::Detached outOfRange = first;
        outOfRange.index = static_cast<std::uint32_t>(testCapacity);
        CHECK_FALSE(pool.release(outOfRange));
        PoolT other;
        if constexpr (PoolT::dynamicCapacity) REQUIRE(other.prepare(testCapacity));
        CHECK_FALSE(other.release(again.front()));
        audiopool::Pool<float, 1, 16, 2, Policy> buffers;
        auto buffer = buffers.acquire();
        const audiopool::Detached bufferDetached = buffer.detach();
        CHECK_FALSE(pool.release(bufferDetached));
        CHECK_FALSE(pool.release(audiopool::Detached{}));
        CHECK(buffers.release(bufferDetached));
        REQUIRE(reports().size() == 9);
        CHECK(reports()[5].kind == audiopool::Misuse::IndexOutOfRange);
        CHECK(reports()[6].kind == audiopool::Misuse::ForeignRelease);
        CHECK(reports()[6].pool == &other);
        CHECK(reports()[7].kind == audiopool::Misuse::ForeignRelease);
        CHECK(reports()[8].kind == audiopool::Misuse::ForeignRelease);

        // An empty handle detaches to an empty Detached.
        typename PoolT::Unique empty;
        const audiopool::Detached none = empty.detach();
        CHECK(none.pool == nullptr);

        // The genuine detachments still go back.
        for (const audiopool::Detached& x : again) CHECK(pool.release(x));
        adopted.reset();
        CHECK(object != nullptr);
        CHECK(Counted::destroyed == Counted::constructed);
        CHECK(Counted::badDestructions == 0);
        CHECK(other.stats().misuses == 1);
        const audiopool::Stats s = pool.stats();
        CHECK(s.inUse == 0);
        CHECK(s.misuses == 8);
        CHECK(s.acquisitions == s.releases);
        CHECK(s.acquisitions == 3 + testCapacity - 1);
    });
}

TEST_CASE_TEMPLATE_DEFINE("ObjectPoolThrowingConstructorGivesTheSlotBack", Policy, throwingConstructor) {
    forBothCapacities<MayThrow, Policy>([](auto& pool) {
        static_assert(!noexcept(pool.make(true)));
        MayThrow::destroyed = 0;
        std::vector<typename std::remove_reference_t<decltype(pool)>::Unique> held;
        for (std::size_t i = 0; i + 1 < testCapacity; ++i) held.push_back(pool.make(false));
        // One slot left: a throw must give it back, or the next make fails.
        CHECK_THROWS_AS((void)pool.make(true), std::runtime_error);
        CHECK_THROWS_AS((void)pool.makeShared(true), std::runtime_error);
        CHECK(MayThrow::destroyed == 0);  // never constructed, never destroyed
        const audiopool::Stats s = pool.stats();
        CHECK(s.inUse == testCapacity - 1);
        CHECK(s.acquisitions == testCapacity + 1);  // the two throwing makes took and gave back the slot
        CHECK(s.releases == 2);
        CHECK(s.failedAcquisitions == 0);
        auto last = pool.make(false);
        CHECK(last);
        held.clear();
        last.reset();
        CHECK(MayThrow::destroyed == static_cast<int>(testCapacity));
    });
}

namespace {
/// The policies whose making thread may give a slot back (all but SpscRing).
template <class Policy>
struct MakerMayRelease
    : std::bool_constant<test::threadRuleOf<Policy> != audiopool::ThreadRule::OneAcquirerOneReleaser> {};
/// Whether make and makeShared take these arguments.
template <class PoolT, class... Args>
concept MakesFrom = requires(PoolT& pool, Args... args) {
    pool.make(args...);
    pool.makeShared(args...);
};
}  // namespace
TEST_CASE_TEMPLATE_APPLY(throwingConstructor, test::PoliciesWhere<MakerMayRelease>);

TEST_CASE("ObjectPoolSpscRingTakesOnlyNoexceptConstructors") {
    // Its one releasing thread is another: a throwing constructor could not give the slot back.
    static_assert(!MakesFrom<audiopool::ObjectPool<MayThrow, 2, audiopool::SpscRing>, bool>);
    static_assert(MakesFrom<audiopool::ObjectPool<MayThrow, 2, audiopool::OwnerThread>, bool>);
    using Counting = audiopool::ObjectPool<Counted, 2, audiopool::SpscRing>;
    static_assert(MakesFrom<Counting, int>);
    Counting pool;
    Counted::resetCounts();
    CHECK(pool.make(1)->value == 1);
    CHECK(Counted::destroyed == 1);
}

TEST_CASE("ObjectPoolMakeIsNoexceptExactlyWhenTheConstructorIs") {
    audiopool::ObjectPool<Counted, 2> pool;
    static_assert(noexcept(pool.make(1)));
    static_assert(noexcept(pool.makeShared(1, 1.0f)));
    audiopool::ObjectPool<MayThrow, 2> throwing;
    static_assert(!noexcept(throwing.make(false)));
    CHECK(pool.capacity() == 2);
}

namespace {

/// A resource that counts what it hands out and gets back, and can be told
/// to throw, or to prepare its pool again from inside allocate (a
/// concurrent prepare, as another thread's would be).
class TestResource : public std::pmr::memory_resource {
public:
    bool throws = false;
    std::size_t allocations = 0, deallocations = 0, bytesOut = 0;
    std::function<void()> duringAllocate;

private:
    void* do_allocate(std::size_t bytes, std::size_t alignment) override {
        if (duringAllocate) duringAllocate();
        if (throws) throw std::bad_alloc();
        ++allocations;
        bytesOut += bytes;
        return std::pmr::new_delete_resource()->allocate(bytes, alignment);
    }
    void do_deallocate(void* memory, std::size_t bytes, std::size_t alignment) override {
        std::pmr::new_delete_resource()->deallocate(memory, bytes, alignment);
        ++deallocations;
        bytesOut -= bytes;
    }
    bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }
};

}  // namespace

TEST_CASE_TEMPLATE("ObjectPoolPrepareReleaseMemoryAndTheirRefusals", Policy, AUDIOPOOL_ALL_POLICIES) {
    using PoolT = audiopool::ObjectPool<Counted, dynamic, Policy>;
    RecordMisuses recording;
    Counted::resetCounts();
    TestResource resource, second;
    {
        PoolT pool;
        // Not prepared: no slots, every make refused and counted as failed.
        CHECK(pool.capacity() == 0);
        CHECK_FALSE(pool.make(1));
        CHECK(pool.stats().failedAcquisitions == 1);
        CHECK(pool.stats().capacity == 0);
        CHECK(Counted::constructed == 0);

        // Bad requests: nothing asked of any resource.
        CHECK_FALSE(pool.prepare(0, &resource));
        CHECK_FALSE(pool.prepare(PoolT::maxCapacity + 1, &resource));
        CHECK_FALSE(pool.prepare(3, nullptr));
        CHECK(resource.allocations == 0);
        resource.throws = true;
        CHECK_FALSE(pool.prepare(3, &resource));
        resource.throws = false;
        CHECK(pool.capacity() == 0);

        REQUIRE(pool.prepare(3, &resource));
        CHECK(pool.capacity() == 3);
        CHECK(resource.allocations == 1);
        CHECK(resource.bytesOut >= 3 * PoolT::slotBytes);
        auto a = pool.make(1);
        auto detached = pool.make(2).detach();
        CHECK(pool.stats().acquisitions == 2);
        CHECK(pool.stats().failedAcquisitions == 0);  // started over

        // Objects out (in a handle, detached): refused, nothing changes.
        CHECK_FALSE(pool.prepare(5, &second));
        CHECK_FALSE(pool.releaseMemory());
        CHECK(pool.capacity() == 3);
        CHECK(a->value == 1);
        a.reset();
        CHECK_FALSE(pool.prepare(5, &second));
        CHECK(pool.release(detached));
        const audiopool::Detached kept = pool.adopt(pool.make(3).detach()).detach();
        CHECK(pool.release(kept));
        const audiopool::Detached stale = pool.make(4).detach();  // kept past a re-size below
        CHECK(pool.release(stale));
        CHECK(second.allocations == 0);

        // The same capacity and resource: the block and the statistics kept.
        const audiopool::Stats before = pool.stats();
        CHECK(pool.prepare(3, &resource));
        CHECK(resource.allocations == 1);
        CHECK(pool.stats() == before);

        // A concurrent prepare (here: one from inside the resource) is refused and reported.
        bool inner = true;
        second.duringAllocate = [&] { inner = pool.prepare(2, &resource); };
        CHECK(pool.prepare(5, &second));
        second.duringAllocate = nullptr;
        CHECK_FALSE(inner);
        REQUIRE(reports().size() == 1);
        CHECK(reports().back().kind == audiopool::Misuse::ConcurrentPrepare);
        CHECK(pool.capacity() == 5);
        CHECK(resource.bytesOut == 0);  // the old block went back
        CHECK(resource.deallocations == 1);
        CHECK(pool.stats().acquisitions == 0);  // started over

        // A Detached from before the re-size matches no slot of the new block.
        for (int i = 0; i < 5; ++i) pool.make(i).detach();  // every slot detached once
        CHECK_FALSE(pool.release(stale));
        REQUIRE(reports().size() == 2);
        CHECK(reports().back().kind == audiopool::Misuse::DoubleRelease);
        CHECK(pool.stats().inUse == 5);  // nothing given back by the refused release

        // The five detached objects are lost to the program (never released):
        // releaseMemory refuses while they are out.
        CHECK_FALSE(pool.releaseMemory());
    }
    // The pool's end gave its block back (its objects' destructors never ran:
    // they were detached and never released).
    CHECK(second.bytesOut == 0);
    CHECK(second.deallocations == 1);

    PoolT pool;
    REQUIRE(pool.prepare(2));
    { auto x = pool.makeShared(1); }
    CHECK(pool.releaseMemory());
    CHECK(pool.capacity() == 0);
    CHECK(pool.stats() == audiopool::Stats{});
    CHECK_FALSE(pool.make(1));
    REQUIRE(pool.prepare(2));
    CHECK(pool.make(2));
}

namespace {
// Constant-initialised: in .bss, no start-up code, usable from any static
// initialiser.
constinit audiopool::ObjectPool<Counted, 3> staticPool;

struct alignas(256) OverAligned {
    explicit OverAligned(std::uint8_t fill) noexcept { bytes.fill(fill); }
    std::array<std::uint8_t, 300> bytes{};
};
}  // namespace

TEST_CASE("ObjectPoolConstinitStaticPool") {
    Counted::resetCounts();
    staticPool.prefault();  // keeps the state: every slot still free
    CHECK(staticPool.stats().inUse == 0);
    auto a = staticPool.make(1);
    auto b = staticPool.makeShared(2);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->value + b->value == 3);
    CHECK(staticPool.stats().inUse == 2);
    a.reset();
    b.reset();
    CHECK(Counted::destroyed == 2);
}

TEST_CASE_TEMPLATE("ObjectPoolSlotsFalseSharingApartOverAlignedObjectsAligned", Policy, AUDIOPOOL_ALL_POLICIES) {
    forBothCapacities<OverAligned, Policy>([](auto& pool) {
        using PoolT = std::remove_reference_t<decltype(pool)>;
        static_assert(PoolT::slotBytes % 256 == 0 && PoolT::slotBytes % audiopool::falseSharingRange == 0);
        static_assert(PoolT::slotBytes >= sizeof(OverAligned));
        std::vector<typename PoolT::Unique> held;
        for (std::size_t i = 0; i < testCapacity; ++i) {
            held.push_back(pool.make(static_cast<std::uint8_t>(i + 1)));
            REQUIRE(held.back());
            const auto at = reinterpret_cast<std::uintptr_t>(held.back().get());
            CHECK(at % 256 == 0);
            for (std::size_t j = 0; j < i; ++j) {
                const auto other = reinterpret_cast<std::uintptr_t>(held[j].get());
                const std::uintptr_t apart = at > other ? at - other : other - at;
                CHECK(apart >= PoolT::slotBytes);
            }
        }
        for (std::size_t i = 0; i < testCapacity; ++i)
            CHECK(std::all_of(held[i]->bytes.begin(), held[i]->bytes.end(),
                              [&](std::uint8_t b) { return b == static_cast<std::uint8_t>(i + 1); }));
    });
}

TEST_CASE_TEMPLATE("ObjectPoolStatesItsPolicysFacts", Policy, AUDIOPOOL_ALL_POLICIES) {
    using PoolT = audiopool::ObjectPool<Counted, 4, Policy>;
    using List = typename Policy::template FreeList<4>;
    static_assert(PoolT::progress == List::progress);
    static_assert(PoolT::crossThread == List::crossThread);
    static_assert(PoolT::threadRule == audiopool::threadRuleOf<List>);
    static_assert(PoolT::maxCapacity == List::maxCapacity);
    static_assert(!PoolT::dynamicCapacity && audiopool::ObjectPool<Counted, dynamic, Policy>::dynamicCapacity);
    CHECK(PoolT::slotBytes % audiopool::falseSharingRange == 0);
}

#ifdef NDEBUG
constexpr bool checkedBuild = false;  // AUDIOPOOL_CHECK_THREADS defaults to 0
#else
constexpr bool checkedBuild = true;  // AUDIOPOOL_CHECK_THREADS defaults to 1
#endif

TEST_CASE("ObjectPoolCheckedBuildReportsMakeOnAWrongThread") {
    RecordMisuses recording;
    Counted::resetCounts();
    audiopool::ObjectPool<Counted, 4, audiopool::IndexStack> pool;
    auto mine = pool.make(1);  // binds the pool to this thread (checked builds)
    bool made = false;
    std::thread([&] {
        auto theirs = pool.make(2);  // reported in checked builds; it goes ahead either way
        made = static_cast<bool>(theirs);
        theirs.detach();  // keep the release off this thread: reported once only
    }).join();
    CHECK(made);
    const std::size_t expected = checkedBuild ? 1 : 0;
    REQUIRE(reports().size() == expected);
    if (checkedBuild) {
        CHECK(reports().back().kind == audiopool::Misuse::WrongThread);
        CHECK(reports().back().pool == &pool);
    }
    CHECK(pool.stats().misuses == expected);
}

#ifdef OBJECT_POOL_TEST_ASAN
TEST_CASE_TEMPLATE("ObjectPoolAsanPoisonsADestroyedObjectUntilItsSlotIsTakenAgain", Policy, AUDIOPOOL_ALL_POLICIES) {
    forBothCapacities<Counted, Policy>([](auto& pool) {
        for (std::size_t i = 0; i < testCapacity; ++i) {
            auto object = pool.make(static_cast<int>(i));
            const Counted* at = object.get();
            CHECK_FALSE(__asan_region_is_poisoned(const_cast<Counted*>(at), sizeof(Counted)));
            object.reset();
            CHECK(__asan_address_is_poisoned(&at->value));
        }
        // Every slot taken again: addressable, and the bookkeeping never poisoned.
        std::vector<typename std::remove_reference_t<decltype(pool)>::Unique> held;
        for (std::size_t i = 0; i < testCapacity; ++i) held.push_back(pool.make(1));
        for (const auto& h : held) CHECK_FALSE(__asan_region_is_poisoned(h.get(), sizeof(Counted)));
        held.clear();
        pool.prefault();  // reads and writes poisoned bytes unreported
    });
    // Every byte of a destroyed object, its last included: ASan poisons a
    // granule's tail only with the rest of the granule (the slot's padding).
    struct Odd {
        char bytes[13];
    };
    forBothCapacities<Odd, Policy>([](auto& pool) {
        auto object = pool.make();
        const char* at = object.get()->bytes;
        object.reset();
        for (std::size_t b = 0; b < sizeof(Odd); ++b) CHECK(__asan_address_is_poisoned(at + b));
    });
}
#endif
