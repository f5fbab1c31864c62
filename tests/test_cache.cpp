// PoolCache (pool.cache<N>()): a thread's private stock of buffers in front
// of a shared pool, for every policy that lets any thread acquire and release,
// static and prepared, and for a policy without batch operations: reuse from
// the cache, batch refills and flushes, the statistics (exact at every step,
// and after the cache ends), exhaustion and oversized requests, more caches
// than the pool has slots for, a buffer of another pool, moves, caches on
// two threads passing buffers to each other, prepare() while a cache holds
// buffers, and a wrong thread in checked builds.
#include "test_prelude.hpp"
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif
#include "support/policy_lists.hpp"
#include "support/record_misuses.hpp"

namespace {

using audiopool::dynamic;
using test::RecordMisuses;
using test::reports;

/// A pool of `capacity` buffers of the policy: static, or (Prepared) every
/// extent dynamic and sized by prepare(), behind one interface.
template <class Policy, bool Prepared, std::size_t Capacity>
struct CachePool {
    using Type = std::conditional_t<Prepared, audiopool::Pool<float, dynamic, dynamic, dynamic, Policy>,
                                    audiopool::Pool<float, 2, 64, Capacity, Policy>>;
    CachePool() {
        if constexpr (Prepared) REQUIRE(pool->prepare({2, 64, Capacity}));
    }
    std::unique_ptr<Type> pool = std::make_unique<Type>();
};

/// Treiber's free list without its batch operations: a cache then moves its
/// batches one pop or push at a time (the path a user's own any-thread
/// policy takes).
struct TreiberOneByOne {
    static constexpr std::string_view name = "TreiberOneByOne";
    template <std::size_t Capacity>
    class FreeList : public audiopool::Treiber::FreeList<Capacity> {
    public:
        template <class Links>
        audiopool::PoppedBatch popBatch(Links, std::uint32_t*, std::uint32_t) noexcept = delete;
        template <class Links>
        void pushBatch(const std::uint32_t*, std::uint32_t, Links) noexcept = delete;
    };
};

template <class Policy, bool Prepared>
struct Case {
    using PolicyType = Policy;
    static constexpr bool prepared = Prepared;
};

template <class... Policies>
using StaticAndPrepared = std::tuple<Case<Policies, false>..., Case<Policies, true>...>;
template <class Tuple>
struct CasesOf;
template <class... Policies>
struct CasesOf<std::tuple<Policies...>> {
    using type = StaticAndPrepared<Policies..., TreiberOneByOne>;
};
using CacheCases = typename CasesOf<test::PoliciesWhere<test::AnyThread>>::type;

void checkConsistent(const audiopool::Stats& s) {
    CHECK(s.acquisitions - s.releases == s.inUse);
    CHECK(s.inUse + s.cached <= s.capacity);
    CHECK(s.highWater >= s.inUse + s.cached);
}

TEST_CASE_TEMPLATE_DEFINE("CacheHandsOutReusesAndCountsExactly", C, cache_basics) {
    CachePool<typename C::PolicyType, C::prepared, 16> owner;
    auto& pool = *owner.pool;
    {
        auto cache = pool.template cache<8>();
        CHECK(cache.caching());
        CHECK(cache.pool() == &pool);
        static_assert(decltype(cache)::batch == 4);

        // The first acquire takes a batch of 4: one handed out, 3 held.
        auto a = cache.acquire();
        REQUIRE(a);
        CHECK(a.numChannels() == 2);
        CHECK(a.numFrames() == 64);
        CHECK(cache.held() == 3);
        auto s = pool.stats();
        CHECK(s.inUse == 1);
        CHECK(s.cached == 3);
        CHECK(s.acquisitions == 1);
        CHECK(s.releases == 0);
        CHECK(s.highWater == 4);  // out of the free list: the handle's and the cache's
        checkConsistent(s);

        // Given back to the cache, it is the next one out (the warmest).
        const std::uint32_t index = a.index();
        a.channel(0)[0] = 0.5f;
        cache.release(std::move(a));
        CHECK_FALSE(a);  // NOLINT(bugprone-use-after-move,clang-analyzer-cplusplus.Move): release empties it
        CHECK(cache.held() == 4);
        s = pool.stats();
        CHECK(s.inUse == 0);
        CHECK(s.cached == 4);
        CHECK(s.releases == 1);
        auto again = cache.acquire(1, 10);
        REQUIRE(again);
        CHECK(again.index() == index);
        CHECK(again.numChannels() == 1);
        CHECK(again.numFrames() == 10);
        CHECK(again.channelPointers()[0] == again.channel(0).data());
        s = pool.stats();
        CHECK(s.acquisitions == 2);
        CHECK(s.inUse == 1);
        checkConsistent(s);

        // A handle from the cache dropped normally goes to the shared list.
        again.reset();
        s = pool.stats();
        CHECK(s.inUse == 0);
        CHECK(s.cached == 3);
        CHECK(s.releases == 2);
        checkConsistent(s);
    }
    // The cache ended: everything it held is back in the free list.
    const auto s = pool.stats();
    CHECK(s.inUse == 0);
    CHECK(s.cached == 0);
    CHECK(s.acquisitions == 2);
    CHECK(s.releases == 2);
    CHECK(s.highWater == 4);
    CHECK(s.failedAcquisitions == 0);
    CHECK(s.misuses == 0);
    // Every buffer can be taken directly again.
    std::vector<typename std::remove_reference_t<decltype(pool)>::Unique> all;
    for (int i = 0; i < 16; ++i) all.push_back(pool.acquire());
    CHECK(std::all_of(all.begin(), all.end(), [](const auto& h) { return bool(h); }));
    CHECK_FALSE(pool.acquire());
}

TEST_CASE_TEMPLATE_DEFINE("CacheRefillsAndFlushesInBatches", C, cache_batches) {
    CachePool<typename C::PolicyType, C::prepared, 32> owner;
    auto& pool = *owner.pool;
    using Unique = typename std::remove_reference_t<decltype(pool)>::Unique;
    auto cache = pool.template cache<8>();
    std::vector<Unique> out;
    // 10 acquires: refills of 4 at the 1st, 5th and 9th; 2 held after.
    for (int i = 0; i < 10; ++i) out.push_back(cache.acquire());
    CHECK(cache.held() == 2);
    std::vector<std::uint32_t> indices;
    for (const auto& h : out) indices.push_back(h.index());
    std::sort(indices.begin(), indices.end());
    CHECK(std::adjacent_find(indices.begin(), indices.end()) == indices.end());  // all different
    auto s = pool.stats();
    CHECK(s.inUse == 10);
    CHECK(s.cached == 2);
    CHECK(s.highWater == 12);
    // 10 releases into the cache (2 held): full after 6; the 7th gives the
    // 4 coldest back first; the 10th fills it again: 8 held.
    for (auto& h : out) cache.release(std::move(h));
    CHECK(cache.held() == 8);
    s = pool.stats();
    CHECK(s.inUse == 0);
    CHECK(s.cached == 8);
    CHECK(s.acquisitions == 10);
    CHECK(s.releases == 10);
    checkConsistent(s);
    cache.drain();
    CHECK(cache.held() == 0);
    s = pool.stats();
    CHECK(s.cached == 0);
    CHECK(s.inUse == 0);
    CHECK(s.releases == 10);
}

TEST_CASE_TEMPLATE_DEFINE("CacheRefusesAsThePoolDoes", C, cache_refusals) {
    CachePool<typename C::PolicyType, C::prepared, 4> owner;
    auto& pool = *owner.pool;
    using Unique = typename std::remove_reference_t<decltype(pool)>::Unique;
    auto cache = pool.template cache<8>();
    // Oversized: refused and counted, nothing taken.
    CHECK_FALSE(cache.acquire(3, 64));
    CHECK_FALSE(cache.acquire(2, 65));
    CHECK(cache.held() == 0);
    CHECK(pool.stats().rejectedRequests == 2);
    // The batch is cut to what the pool has; then the pool is exhausted.
    std::vector<Unique> out;
    for (int i = 0; i < 4; ++i) out.push_back(cache.acquire());
    CHECK(std::all_of(out.begin(), out.end(), [](const auto& h) { return bool(h); }));
    CHECK(cache.held() == 0);
    CHECK_FALSE(cache.acquire());
    CHECK_FALSE(pool.acquire());
    auto s = pool.stats();
    CHECK(s.failedAcquisitions == 2);
    CHECK(s.inUse == 4);
    CHECK(s.highWater == 4);
    // Buffers a cache holds are out of the other threads' reach: a direct
    // acquire finds the pool exhausted while they sit there.
    for (auto& h : out) cache.release(std::move(h));
    CHECK_FALSE(pool.acquire());
    CHECK(pool.stats().failedAcquisitions == 3);
    cache.drain();
    CHECK(pool.acquire());
}

TEST_CASE_TEMPLATE_DEFINE("CacheBeyondTheSlotsPassesStraightThrough", C, cache_slots) {
    CachePool<typename C::PolicyType, C::prepared, 64> owner;
    auto& pool = *owner.pool;
    using CacheType = decltype(pool.template cache<2>());
    std::vector<CacheType> caches;
    for (std::uint32_t i = 0; i < audiopool::maxCachesPerPool; ++i) caches.push_back(pool.template cache<2>());
    CHECK(std::all_of(caches.begin(), caches.end(), [](const auto& c) { return c.caching(); }));
    auto extra = pool.template cache<2>();
    CHECK_FALSE(extra.caching());
    auto h = extra.acquire();
    REQUIRE(h);
    CHECK(extra.held() == 0);
    CHECK(pool.stats().inUse == 1);
    extra.release(std::move(h));
    CHECK(extra.held() == 0);
    CHECK(pool.stats().inUse == 0);
    CHECK(pool.stats().cached == 0);
    // A slot freed by an ending cache is the next cache's.
    caches.pop_back();
    CHECK(pool.template cache<2>().caching());
}

TEST_CASE_TEMPLATE_DEFINE("CacheTakesNoBufferOfAnotherPool", C, cache_foreign) {
    RecordMisuses recording;
    CachePool<typename C::PolicyType, C::prepared, 8> mine, theirs;
    auto cache = mine.pool->template cache<4>();
    auto foreign = theirs.pool->acquire();
    REQUIRE(foreign);
    cache.release(std::move(foreign));
    CHECK_FALSE(foreign);  // NOLINT(bugprone-use-after-move,clang-analyzer-cplusplus.Move): release empties it
    CHECK(cache.held() == 0);
    REQUIRE(reports().size() == 1);
    CHECK(reports()[0].kind == audiopool::Misuse::ForeignRelease);
    CHECK(reports()[0].pool == mine.pool.get());
    CHECK(mine.pool->stats().misuses == 1);
    // The buffer went back to its own pool.
    CHECK(theirs.pool->stats().inUse == 0);
    CHECK(theirs.pool->stats().releases == 1);
    // An empty handle: nothing.
    cache.release({});
    CHECK(reports().size() == 1);
}

TEST_CASE_TEMPLATE_DEFINE("CacheMovesWithItsBuffers", C, cache_moves) {
    CachePool<typename C::PolicyType, C::prepared, 8> owner;
    auto& pool = *owner.pool;
    auto first = pool.template cache<4>();
    auto h = first.acquire();
    REQUIRE(h);
    CHECK(first.held() == 1);
    auto second = std::move(first);
    CHECK_FALSE(first.caching());  // NOLINT(bugprone-use-after-move,clang-analyzer-cplusplus.Move): checked empty
    CHECK(first.held() == 0);      // NOLINT(bugprone-use-after-move,clang-analyzer-cplusplus.Move)
    CHECK_FALSE(first.acquire());  // NOLINT(bugprone-use-after-move,clang-analyzer-cplusplus.Move): a cache of no pool
    CHECK(second.held() == 1);
    second.release(std::move(h));
    CHECK(second.held() == 2);
    decltype(second) third;
    third = std::move(second);
    CHECK(third.held() == 2);
    CHECK(pool.stats().cached == 2);
    third = {};  // ends the cache: its buffers go back
    CHECK(pool.stats().cached == 0);
    CHECK(pool.stats().inUse == 0);
}

TEST_CASE_TEMPLATE_DEFINE("CachesOnTwoThreadsPassBuffersAcross", C, cache_threads) {
    CachePool<typename C::PolicyType, C::prepared, 64> owner;
    auto& pool = *owner.pool;
    using Unique = typename std::remove_reference_t<decltype(pool)>::Unique;
    constexpr int rounds = 20000;
    audiopool::HandoffQueue<Unique, 16> toB, toA;
    std::atomic<bool> bad{false};
    // A takes from its cache, writes a stamp and sends the buffer to B; B
    // checks the stamp, releases it into its own cache, takes one of its
    // own and sends that back; A releases those into its cache.
    std::thread b([&] {
        auto cache = pool.template cache<8>();
        for (int received = 0; received < rounds;) {
            if (auto h = toB.try_pop()) {
                if (h->channel(0)[0] != float(received) || h->channel(1)[63] != -float(received))
                    bad.store(true, std::memory_order_relaxed);
                cache.release(std::move(*h));
                ++received;
                auto mine = cache.acquire();
                if (!mine) {
                    bad.store(true, std::memory_order_relaxed);
                    continue;
                }
                // A refused try_push leaves the value with the caller: retried until taken.
                // NOLINTNEXTLINE(bugprone-use-after-move)
                while (!toA.try_push(std::move(mine))) std::this_thread::yield();
            } else {
                std::this_thread::yield();
            }
        }
    });
    {
        auto cache = pool.template cache<8>();
        int returned = 0;
        for (int sent = 0; sent < rounds; ++sent) {
            auto h = cache.acquire();
            while (!h) {  // B's cache and the queues hold the rest: wait for some back
                while (auto back = toA.try_pop()) {
                    cache.release(std::move(*back));
                    ++returned;
                }
                h = cache.acquire();
                std::this_thread::yield();
            }
            h.channel(0)[0] = float(sent);
            h.channel(1)[63] = -float(sent);
            // A refused try_push leaves the value with the caller: retried until taken.
            // NOLINTNEXTLINE(bugprone-use-after-move)
            while (!toB.try_push(std::move(h))) {
                while (auto back = toA.try_pop()) {
                    cache.release(std::move(*back));
                    ++returned;
                }
                std::this_thread::yield();
            }
        }
        while (returned < rounds) {  // B sends one back per buffer it received
            while (auto back = toA.try_pop()) {
                cache.release(std::move(*back));
                ++returned;
            }
            std::this_thread::yield();
        }
        b.join();
        CHECK(returned == rounds);
    }
    CHECK_FALSE(bad.load());
    const auto s = pool.stats();
    CHECK(s.inUse == 0);
    CHECK(s.cached == 0);
    CHECK(s.acquisitions == 2 * std::uint64_t{rounds});
    CHECK(s.releases == 2 * std::uint64_t{rounds});
    CHECK(s.misuses == 0);
    CHECK(s.highWater <= 64);
}

TEST_CASE_TEMPLATE_APPLY(cache_basics, CacheCases);
TEST_CASE_TEMPLATE_APPLY(cache_batches, CacheCases);
TEST_CASE_TEMPLATE_APPLY(cache_refusals, CacheCases);
TEST_CASE_TEMPLATE_APPLY(cache_slots, CacheCases);
TEST_CASE_TEMPLATE_APPLY(cache_foreign, CacheCases);
TEST_CASE_TEMPLATE_APPLY(cache_moves, CacheCases);
TEST_CASE_TEMPLATE_APPLY(cache_threads, CacheCases);

TEST_CASE("CacheHoldingBuffersKeepsAPoolFromBeingPrepared") {
    audiopool::Pool<float, dynamic, dynamic, dynamic, audiopool::Treiber> pool;
    REQUIRE(pool.prepare({2, 64, 8}));
    auto cache = pool.cache<4>();
    { auto h = cache.acquire(); }  // dropped: back to the free list; the cache still holds 1
    CHECK(cache.held() == 1);
    CHECK_FALSE(pool.prepare({2, 128, 8}));
    CHECK_FALSE(pool.releaseMemory());
    cache.drain();
    REQUIRE(pool.prepare({2, 128, 8}));
    // Re-sized: the statistics start over, and the cache goes on with the new buffers.
    CHECK(pool.stats() == audiopool::Stats{8, 0, 0, 0, 0, 0, 0, 0, 0});
    auto h = cache.acquire();
    REQUIRE(h);
    CHECK(h.numFrames() == 128);
    CHECK(pool.stats().cached == 1);
    CHECK(pool.stats().acquisitions == 1);
}

#ifdef NDEBUG
constexpr bool checkedBuild = false;  // AUDIOPOOL_CHECK_THREADS defaults to 0
#else
constexpr bool checkedBuild = true;  // AUDIOPOOL_CHECK_THREADS defaults to 1
#endif

TEST_CASE("CacheCheckedBuildReportsASecondThread") {
    RecordMisuses recording;
    audiopool::Pool<float, 2, 64, 8, audiopool::Treiber> pool;
    auto cache = pool.cache<4>();
    auto mine = cache.acquire();  // binds the cache to this thread (checked builds)
    REQUIRE(mine);
    std::thread([&] {
        auto theirs = cache.acquire();  // reported in checked builds; it goes ahead either way
        CHECK(theirs);
        theirs.reset();
    }).join();
    CHECK(reports().size() == (checkedBuild ? 1u : 0u));
    if (checkedBuild) CHECK(reports()[0].kind == audiopool::Misuse::WrongThread);
}

TEST_CASE("CacheMoveAssignedBindsToItsNextThreadAfresh") {
    // A cache variable given a new cache: the thread that uses the new one
    // is not the old one's (which is still alive, so the two differ).
    RecordMisuses recording;
    audiopool::Pool<float, 2, 64, 8, audiopool::Treiber> pool;
    auto cache = pool.cache<4>();
    std::atomic<int> step{0};
    std::thread first([&] {
        cache.release(cache.acquire());
        step.store(1);
        while (step.load() != 2) std::this_thread::yield();
    });
    while (step.load() != 1) std::this_thread::yield();
    cache = pool.cache<4>();
    std::thread([&] { cache.release(cache.acquire()); }).join();
    step.store(2);
    first.join();
    CHECK(reports().empty());
    CHECK(pool.stats().misuses == 0);
}

}  // namespace
