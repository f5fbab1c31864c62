// Pools sized at run time: audiopool::dynamic extents, prepare(),
// releaseMemory(), sizes(), and every bad input prepare() can be given, for
// every built-in policy.
#include "test_prelude.hpp"
#include <condition_variable>
#include <memory_resource>
#include <mutex>
#include <new>
#include <stdexcept>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif
#include "support/record_misuses.hpp"

namespace {

using audiopool::dynamic;
using audiopool::Sizes;

template <class Policy>
using DynamicPool = audiopool::Pool<float, dynamic, dynamic, dynamic, Policy>;

using test::RecordMisuses;
using test::reports;

/// A resource that counts what it hands out and gets back, and can be told
/// to throw, to return misaligned memory, or to wait inside allocate.
class TestResource : public std::pmr::memory_resource {
public:
    bool throws = false;
    bool misaligns = false;
    std::size_t allocations = 0, deallocations = 0, bytesOut = 0;
    // allocate() waits here while `hold` is set (for the concurrent prepare test).
    std::mutex mutex;
    std::condition_variable changed;
    bool hold = false, waiting = false;

private:
    void* do_allocate(std::size_t bytes, std::size_t alignment) override {
        {
            std::unique_lock lock(mutex);
            waiting = true;
            changed.notify_all();
            changed.wait(lock, [&] { return !hold; });
            waiting = false;
        }
        if (throws) throw std::bad_alloc();
        void* memory = std::pmr::new_delete_resource()->allocate(bytes + alignment, alignment);
        ++allocations;
        bytesOut += bytes;
        // Misaligned for the pool's own needs (cache lines), as the alignment asked for allows.
        return misaligns ? static_cast<std::byte*>(memory) + std::max(alignment, std::size_t{16}) : memory;
    }
    void do_deallocate(void* memory, std::size_t bytes, std::size_t alignment) override {
        auto* start = static_cast<std::byte*>(memory);
        if (misaligns) start -= std::max(alignment, std::size_t{16});
        std::pmr::new_delete_resource()->deallocate(start, bytes + alignment, alignment);
        ++deallocations;
        bytesOut -= bytes;
    }
    bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }
};

/// Takes every buffer; checks they are distinct and of the pool's size, writes
/// every sample, and checks no buffer's samples overlap another's.
template <class P>
void checkEveryBuffer(P& pool) {
    const Sizes sizes = pool.sizes();
    std::vector<typename P::Unique> held;
    for (std::size_t i = 0; i < sizes.capacity; ++i) {
        held.push_back(pool.acquire());
        REQUIRE(held.back());
        REQUIRE(held.back().numChannels() == sizes.channels);
        REQUIRE(held.back().numFrames() == sizes.frames);
    }
    CHECK_FALSE(pool.acquire());  // exhausted
    for (std::size_t b = 0; b < held.size(); ++b)
        for (std::size_t c = 0; c < sizes.channels; ++c) {
            const auto channel = held[b].channel(c);
            CHECK(channel.data() == held[b].channelPointers()[c]);
            CHECK(reinterpret_cast<std::uintptr_t>(channel.data()) % audiopool::cacheLineSize == 0);
            std::fill(channel.begin(), channel.end(), static_cast<float>(b * 1000 + c));
        }
    for (std::size_t b = 0; b < held.size(); ++b)
        for (std::size_t c = 0; c < sizes.channels; ++c)
            for (float x : held[b].channel(c)) REQUIRE(x == static_cast<float>(b * 1000 + c));
}

}  // namespace

TEST_CASE_TEMPLATE("DynamicPoolBeforePrepareRefusesAndCounts", Policy, AUDIOPOOL_ALL_POLICIES) {
    auto pool = test::makePool<DynamicPool<Policy>>();
    CHECK(pool->sizes() == Sizes{});
    CHECK_FALSE(pool->acquire());
    CHECK_FALSE(pool->acquire(1, 1));
    CHECK_FALSE(pool->acquire(0, 0));
    CHECK_FALSE(pool->acquireShared());
    const audiopool::Stats s = pool->stats();
    CHECK(s.capacity == 0);
    CHECK(s.inUse == 0);
    CHECK(s.rejectedRequests == 4);
    CHECK(s.failedAcquisitions == 0);
    CHECK(s.misuses == 0);
    CHECK(pool->releaseMemory());  // nothing to give back
}

TEST_CASE_TEMPLATE("PreparedPoolHandsOutBuffersOfItsSizes", Policy, AUDIOPOOL_ALL_POLICIES) {
    TestResource resource;
    auto pool = test::makePool<DynamicPool<Policy>>();
    REQUIRE(pool->prepare({.channels = 3, .frames = 100, .capacity = 5}, &resource));
    CHECK(pool->sizes() == Sizes{3, 100, 5});
    CHECK(resource.allocations == 1);
    checkEveryBuffer(*pool);
    {
        auto part = pool->acquire(2, 37);
        REQUIRE(part);
        CHECK(part.numChannels() == 2);
        CHECK(part.numFrames() == 37);
        CHECK_FALSE(pool->acquire(4, 1));  // more channels than prepared
        CHECK_FALSE(pool->acquire(1, 101));  // more frames than prepared
        auto channels = pool->acquire(1);
        CHECK(channels.numFrames() == 100);
    }
    const audiopool::Stats s = pool->stats();
    CHECK(s.capacity == 5);
    CHECK(s.inUse == 0);
    CHECK(s.highWater == 5);
    CHECK(s.acquisitions == 7);
    CHECK(s.releases == 7);
    CHECK(s.failedAcquisitions == 1);
    CHECK(s.rejectedRequests == 2);
    CHECK(pool->releaseMemory());
    CHECK(resource.deallocations == 1);
    CHECK(resource.bytesOut == 0);
}

TEST_CASE_TEMPLATE("PrepareAgainResizesOrKeeps", Policy, AUDIOPOOL_ALL_POLICIES) {
    TestResource resource;
    auto pool = test::makePool<DynamicPool<Policy>>();
    REQUIRE(pool->prepare({2, 64, 4}, &resource));
    { auto a = pool->acquire(); }
    // The same sizes and resource: the memory and the statistics stay.
    REQUIRE(pool->prepare({2, 64, 4}, &resource));
    CHECK(resource.allocations == 1);
    CHECK(pool->stats().acquisitions == 1);
    // Other sizes: a new block, the old one given back, statistics over.
    REQUIRE(pool->prepare({1, 4096, 9}, &resource));
    CHECK(resource.allocations == 2);
    CHECK(resource.deallocations == 1);
    CHECK(pool->stats() == audiopool::Stats{.capacity = 9});
    checkEveryBuffer(*pool);
    // Smaller again, many times over: every block but the last is given back.
    for (std::size_t capacity = 1; capacity <= 20; ++capacity) {
        REQUIRE(pool->prepare({capacity % 3 + 1, capacity * 7, capacity}, &resource));
        checkEveryBuffer(*pool);
    }
    CHECK(resource.allocations == resource.deallocations + 1);
    REQUIRE(pool->releaseMemory());
    CHECK(resource.bytesOut == 0);
    CHECK_FALSE(pool->acquire());  // after releaseMemory(): as before prepare
    CHECK(pool->stats().rejectedRequests == 1);
    REQUIRE(pool->prepare({2, 16, 2}, &resource));  // and it can be prepared again
    checkEveryBuffer(*pool);
}

TEST_CASE_TEMPLATE("PrepareRefusesWhileBuffersAreOut", Policy, AUDIOPOOL_ALL_POLICIES) {
    TestResource resource;
    auto pool = test::makePool<DynamicPool<Policy>>();
    REQUIRE(pool->prepare({2, 32, 3}, &resource));
    auto held = pool->acquire();
    held.channel(1)[31] = 0.5f;
    CHECK_FALSE(pool->prepare({2, 64, 3}, &resource));
    CHECK_FALSE(pool->releaseMemory());
    audiopool::Detached detached;
    {
        auto other = pool->acquire();
        detached = other.detach();  // out, though in no handle
    }
    held.reset();
    CHECK_FALSE(pool->prepare({2, 64, 3}, &resource));
    CHECK_FALSE(pool->releaseMemory());
    CHECK(resource.allocations == 1);  // nothing was allocated for the refused ones
    CHECK(pool->sizes() == Sizes{2, 32, 3});
    CHECK(pool->release(detached));
    CHECK(pool->prepare({2, 64, 3}, &resource));
    CHECK(pool->sizes() == Sizes{2, 64, 3});
}

TEST_CASE_TEMPLATE("PrepareRefusesBadSizesAndChangesNothing", Policy, AUDIOPOOL_ALL_POLICIES) {
    TestResource resource;
    auto pool = test::makePool<DynamicPool<Policy>>();
    REQUIRE(pool->prepare({2, 32, 3}, &resource));
    const std::size_t most = std::numeric_limits<std::size_t>::max();
    for (const Sizes bad : {Sizes{0, 32, 3}, Sizes{2, 0, 3}, Sizes{2, 32, 0}, Sizes{std::size_t{1} << 32, 1, 1},
                            Sizes{1, std::size_t{1} << 32, 1}, Sizes{1, 1, std::size_t{1} << 32},
                            Sizes{most, most, most}, Sizes{0xFFFF'FFFFu, 0xFFFF'FFFFu, 2}}) {
        CAPTURE(bad.channels);
        CAPTURE(bad.frames);
        CAPTURE(bad.capacity);
        CHECK_FALSE(pool->prepare(bad, &resource));
        CHECK(pool->sizes() == Sizes{2, 32, 3});
    }
    CHECK_FALSE(pool->prepare({2, 32, 4}, nullptr));
    CHECK(resource.allocations == 1);
    checkEveryBuffer(*pool);
}

TEST_CASE("PrepareKeepsEachPolicysCapacityLimit") {
    TestResource resource;  // before the pools, which give their memory back to it
    auto treiber = test::makePool<DynamicPool<audiopool::Treiber>>();
    CHECK_FALSE(treiber->prepare({1, 1, 65535}, &resource));  // a 16-bit index
    CHECK(resource.allocations == 0);
    CHECK(treiber->prepare({1, 1, 65534}, &resource));
    checkEveryBuffer(*treiber);
    auto owner = test::makePool<DynamicPool<audiopool::OwnerThread>>();
    CHECK_FALSE(owner->prepare({1, 1, 0x7FFF'FFFFu}, &resource));
    CHECK(resource.allocations == 1);
}

TEST_CASE_TEMPLATE("PrepareSurvivesAResourceThatThrowsOrMisaligns", Policy, AUDIOPOOL_ALL_POLICIES) {
    TestResource resource;
    auto pool = test::makePool<DynamicPool<Policy>>();
    resource.throws = true;
    CHECK_FALSE(pool->prepare({2, 32, 3}, &resource));
    CHECK(pool->sizes() == Sizes{});
    CHECK_FALSE(pool->acquire());
    resource.throws = false;
    REQUIRE(pool->prepare({2, 32, 3}, &resource));
    resource.throws = true;  // a re-size whose allocation throws keeps the pool as it was
    CHECK_FALSE(pool->prepare({2, 64, 3}, &resource));
    CHECK(pool->sizes() == Sizes{2, 32, 3});
    checkEveryBuffer(*pool);
    resource.throws = false;
    // Memory aligned as asked (max_align_t) but not to a cache line: the
    // pool aligns the block inside it, and every buffer is still on lines.
    REQUIRE(pool->releaseMemory());
    resource.misaligns = true;
    REQUIRE(pool->prepare({2, 64, 3}, &resource));
    CHECK(resource.allocations == 2);
    CHECK(pool->sizes() == Sizes{2, 64, 3});
    checkEveryBuffer(*pool);
    REQUIRE(pool->releaseMemory());
    CHECK(resource.bytesOut == 0);
}

TEST_CASE_TEMPLATE("ConcurrentPrepareIsRefusedAndReported", Policy, AUDIOPOOL_ALL_POLICIES) {
    RecordMisuses record;
    TestResource resource;  // before the pool, which gives its memory back to it
    auto pool = test::makePool<DynamicPool<Policy>>();
    resource.hold = true;
    bool first = false;
    std::thread preparing([&] { first = pool->prepare({2, 32, 3}, &resource); });
    {
        std::unique_lock lock(resource.mutex);
        resource.changed.wait(lock, [&] { return resource.waiting; });  // the first is inside prepare()
    }
    CHECK_FALSE(pool->prepare({2, 32, 3}, &resource));
    CHECK_FALSE(pool->releaseMemory());
    REQUIRE(reports().size() == 2);
    CHECK(reports()[0].kind == audiopool::Misuse::ConcurrentPrepare);
    CHECK(reports()[1].kind == audiopool::Misuse::ConcurrentPrepare);
    CHECK(reports()[0].pool == pool.get());
    {
        std::lock_guard lock(resource.mutex);
        resource.hold = false;
    }
    resource.changed.notify_all();
    preparing.join();
    CHECK(first);
    CHECK(pool->sizes() == Sizes{2, 32, 3});
    checkEveryBuffer(*pool);
}

TEST_CASE_TEMPLATE("ADetachedFromBeforeAResizeIsStale", Policy, AUDIOPOOL_ALL_POLICIES) {
    // A new block's detach generations start past the old block's: a
    // Detached kept across a re-size (or releaseMemory and prepare) matches
    // no buffer of the new block, even one detached now at the same index.
    RecordMisuses record;
    auto pool = test::makePool<DynamicPool<Policy>>();
    for (const bool throughRelease : {false, true}) {
        CAPTURE(throughRelease);
        REQUIRE(pool->prepare({2, 64, 4}));
        audiopool::Detached stale;
        {
            auto first = pool->acquire();
            stale = first.detach();
        }
        REQUIRE(pool->release(stale));
        if (throughRelease) REQUIRE(pool->releaseMemory());
        REQUIRE(pool->prepare({2, 128, 4}));
        auto now = pool->acquire();
        REQUIRE(now.index() == stale.index);  // the same index, in the new block
        const audiopool::Detached current = now.detach();
        reports().clear();
        CHECK_FALSE(pool->release(stale));
        CHECK_FALSE(pool->adopt(stale));
        REQUIRE(reports().size() == 2);
        CHECK(reports()[0].kind == audiopool::Misuse::DoubleRelease);
        CHECK(reports()[1].kind == audiopool::Misuse::DoubleRelease);
        CHECK(pool->release(current));  // its owner still has it, and gives it back
        CHECK(pool->stats().inUse == 0);
        REQUIRE(pool->releaseMemory());
    }
}

TEST_CASE_TEMPLATE("PrefaultOnAPreparedPoolKeepsItsBuffers", Policy, AUDIOPOOL_ALL_POLICIES) {
    // prepare() prefaults already; prefault() again (ASan builds: over
    // released, poisoned samples) is allowed and keeps what a holder wrote.
    auto pool = test::makePool<DynamicPool<Policy>>();
    pool->prefault();  // before prepare: nothing to touch
    REQUIRE(pool->prepare({2, 4096, 4}));
    {
        auto a = pool->acquire();
        auto b = pool->acquire();
    }
    pool->prefault();
    auto held = pool->acquire();
    REQUIRE(held);
    held.channel(1)[4095] = 3.0f;
    pool->prefault();  // with a buffer out
    CHECK(held.channel(1)[4095] == 3.0f);
    std::vector<typename DynamicPool<Policy>::Unique> rest;
    for (std::size_t i = 1; i < 4; ++i) rest.push_back(pool->acquire());
    for (const auto& h : rest) CHECK((h && h.index() != held.index()));
    CHECK_FALSE(pool->acquire());
}

TEST_CASE_TEMPLATE("MixedExtentsTakeTheTypesValues", Policy, AUDIOPOOL_ALL_POLICIES) {
    using Mixed = audiopool::Pool<float, 2, dynamic, 8, Policy>;
    static_assert(Mixed::dynamicSizes);
    static_assert(Mixed::channels == 2 && Mixed::frames == dynamic && Mixed::capacity == 8);
    auto pool = test::makePool<Mixed>();
    CHECK(pool->sizes() == Sizes{});
    CHECK_FALSE(pool->prepare({.channels = 3, .frames = 256}));  // channels fixed at 2
    CHECK_FALSE(pool->prepare({.frames = 256, .capacity = 9}));  // capacity fixed at 8
    CHECK_FALSE(pool->prepare({.channels = 2, .capacity = 8}));  // frames left 0: refused
    REQUIRE(pool->prepare({.frames = 256}));  // 0: "as the type says"
    CHECK(pool->sizes() == Sizes{2, 256, 8});
    REQUIRE(pool->prepare({.channels = 2, .frames = 512, .capacity = 8}));
    CHECK(pool->sizes() == Sizes{2, 512, 8});
    checkEveryBuffer(*pool);
}

TEST_CASE_TEMPLATE("StaticPoolPrepareChecksItsSizesAndAllocatesNothing", Policy, AUDIOPOOL_ALL_POLICIES) {
    using Static = audiopool::Pool<float, 2, 64, 4, Policy>;
    static_assert(!Static::dynamicSizes);
    TestResource resource;
    auto pool = test::makePool<Static>();
    CHECK(pool->prepare({}, &resource));
    CHECK(pool->prepare({2, 64, 4}, &resource));
    CHECK_FALSE(pool->prepare({2, 128, 4}, &resource));
    CHECK(resource.allocations == 0);
    CHECK(pool->sizes() == Sizes{2, 64, 4});
    auto held = pool->acquire();
    CHECK_FALSE(pool->prepare({}, &resource));
    CHECK_FALSE(pool->releaseMemory());
    held.reset();
    CHECK(pool->releaseMemory());
    CHECK(pool->acquire());  // a static pool keeps its buffers
}

TEST_CASE_TEMPLATE("PreparedPoolsHandlesViewsAndPoolRefs", Policy, AUDIOPOOL_ALL_POLICIES) {
    auto pool = test::makePool<DynamicPool<Policy>>();
    REQUIRE(pool->prepare({2, 48, 4}));
    audiopool::PoolRef<float> ref = *pool;
    CHECK(ref.sizes() == Sizes{2, 48, 4});
    CHECK(ref.frames() == 48);
    // A host block of 100 frames through 48-frame buffers, in chunks.
    std::vector<float> left(100), right(100);
    for (std::size_t i = 0; i < 100; ++i) left[i] = static_cast<float>(i), right[i] = -static_cast<float>(i);
    float* channels[] = {left.data(), right.data()};
    const audiopool::View<float> host(channels, 2, 100);
    std::size_t chunkCount = 0;
    for (const audiopool::View<float> chunk : audiopool::chunks(host, pool->sizes().frames)) {
        auto scratch = ref.acquire(chunk.numChannels(), chunk.numFrames());
        REQUIRE(scratch);
        scratch.copyFrom(chunk);
        for (std::size_t c = 0; c < 2; ++c)
            for (float& x : scratch.channel(c)) x *= 2.0f;
        scratch.copyTo(chunk);
        ++chunkCount;
    }
    CHECK(chunkCount == 3);
    for (std::size_t i = 0; i < 100; ++i) {
        CHECK(left[i] == 2.0f * static_cast<float>(i));
        CHECK(right[i] == -2.0f * static_cast<float>(i));
    }
    {
        auto shared = pool->acquireShared();
        auto copy = shared;
        copy = shared;  // assigned from a handle of the same buffer: still two references
        CHECK(copy.useCount() == 2);
        CHECK(pool->stats().inUse == 1);
        auto whole = ref.acquire();
        CHECK(whole.numFrames() == 48);
        CHECK(pool->stats().inUse == 2);
    }
    CHECK(pool->stats().inUse == 0);
    CHECK(pool->releaseMemory());
    CHECK(ref.sizes() == Sizes{});
    CHECK_FALSE(ref.acquire());
}

TEST_CASE("ConstinitDynamicPoolIsSmallAndPreparesLater") {
    static constinit audiopool::Pool<double, dynamic, dynamic, dynamic, audiopool::OwnerThread> pool;
    static_assert(sizeof(pool) < 4096, "a dynamic pool keeps its buffers out of line");
    REQUIRE(pool.prepare({8, 1024, 16}));
    checkEveryBuffer(pool);
    CHECK(pool.releaseMemory());
}
