// audiopool::PoolRef<Sample>: one type for any pool of Sample, and the
// Buffer<Sample> it hands out, which goes back to its own pool.
#include "test_prelude.hpp"

#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif
#include "support/pool_under_test.hpp"

namespace {

/// A DSP class that takes "a pool of float" and is not a template.
struct Gain {
    audiopool::PoolRef<float> scratch;
    /// Halves `io` through a scratch buffer; false when the pool refused.
    bool process(audiopool::View<float> io) const {
        auto tmp = scratch.acquire(io.numChannels(), io.numFrames());
        if (!tmp) return false;
        tmp.copyFrom(io);
        for (std::size_t c = 0; c < tmp.numChannels(); ++c)
            for (float& s : tmp.channel(c)) s *= 0.5f;
        tmp.copyTo(io);
        return true;
    }
};

} // namespace

TEST_CASE_TEMPLATE("A PoolRef acquires from its pool and its Buffers go back to it", Policy, AUDIOPOOL_ALL_POLICIES) {
    using Pool = test::Pool<float, 3, 48, 3, Policy>;
    auto pool = test::makePool<Pool>();
    const audiopool::PoolRef<float> ref = *pool;
    CHECK(ref);
    CHECK(ref.channels() == 3);
    CHECK(ref.frames() == 48);
    CHECK(ref.capacity() == 3);
    CHECK(ref.progress() == Pool::progress);
    CHECK(ref.threadRule() == Pool::threadRule);

    {
        audiopool::Buffer<float> a = ref.acquire(2, 40);
        REQUIRE(a);
        CHECK(a.numChannels() == 2);
        CHECK(a.numFrames() == 40);
        CHECK(a.channel(2).empty());
        CHECK(pool->stats().inUse == 1);
        // The pool's own memory: a buffer the pool hands out next is another one.
        auto direct = pool->acquire();
        REQUIRE(direct);
        CHECK(direct.index() != a.index());
        CHECK(a.channelPointers()[1] == a.channel(1).data());
        CHECK(a.view().channel(0).data() == a.channelPointers()[0]);

        audiopool::Buffer<float> full = ref.acquire();  // the pool's full size
        REQUIRE(full);
        CHECK(full.numChannels() == 3);
        CHECK(full.numFrames() == 48);
        CHECK_FALSE(ref.acquire());  // exhausted: empty, counted by the pool
        CHECK(pool->stats().failedAcquisitions == 1);
        CHECK(ref.stats() == pool->stats());
    }
    CHECK(pool->stats().inUse == 0);  // every Buffer and the Unique went back
    CHECK(pool->stats().releases == 3);

    CHECK_FALSE(ref.acquire(4, 1));  // larger than the pool's buffers: refused and counted
    CHECK_FALSE(ref.acquire(1, 49));
    CHECK(pool->stats().rejectedRequests == 2);
    CHECK(pool->stats().inUse == 0);
}

TEST_CASE_TEMPLATE("A Buffer moves, move-assigns and resets like the pool's Unique", Policy, AUDIOPOOL_ALL_POLICIES) {
    using Pool = test::Pool<double, 2, 16, 2, Policy>;
    auto pool = test::makePool<Pool>();
    const audiopool::PoolRef<double> ref = *pool;
    audiopool::Buffer<double> a = ref.acquire();
    REQUIRE(a);
    const std::uint32_t first = a.index();
    audiopool::Buffer<double> b(std::move(a));
    CHECK_FALSE(a);  // NOLINT(bugprone-use-after-move): a moved-from Buffer is empty, which is the point
    CHECK(a.numChannels() == 0);
    CHECK(a.channelPointers() == nullptr);
    CHECK(a.index() == 0);
    CHECK(b.index() == first);
    CHECK(pool->stats().inUse == 1);

    audiopool::Buffer<double> c = ref.acquire();
    REQUIRE(c);
    c = std::move(b);  // c's own buffer goes back first
    CHECK(pool->stats().inUse == 1);
    CHECK(c.index() == first);
    c.reset();
    CHECK_FALSE(c);
    CHECK(pool->stats().inUse == 0);
    c.reset();  // twice: nothing more
    CHECK(pool->stats().releases == 2);
    CHECK(pool->stats().misuses == 0);
}

TEST_CASE("One PoolRef type serves pools of every policy and size") {
    auto small = test::makePool<test::Pool<float, 1, 32, 2, audiopool::IndexStack>>();
    auto wide = test::makePool<test::Pool<float, 8, 512, 4, audiopool::Treiber>>();
    auto owner = test::makePool<test::Pool<float, 2, 256, 8, audiopool::OwnerThread>>();
    const Gain gains[] = {{*small}, {*wide}, {*owner}};

    std::vector<float> left(200, 2.0f), right(200, 4.0f);
    float* channels[2] = {left.data(), right.data()};
    const audiopool::View<float> io(channels, 2, 200);
    CHECK_FALSE(gains[0].process(io));  // 200 frames are more than 32: refused
    CHECK(small->stats().rejectedRequests == 1);
    CHECK(gains[1].process(io));
    CHECK(gains[2].process(io.frames(0, 100)));
    CHECK(left[0] == 0.5f);     // halved twice
    CHECK(left[150] == 1.0f);   // halved once
    CHECK(right[99] == 1.0f);
    CHECK(wide->stats().inUse == 0);
    CHECK(owner->stats().inUse == 0);
    CHECK(wide->stats().acquisitions == 1);
    CHECK(owner->stats().acquisitions == 1);
}

TEST_CASE("A PoolRef to no pool refuses every acquire; a PoolRef of double takes only pools of double") {
    const audiopool::PoolRef<float> none;
    CHECK_FALSE(none);
    CHECK_FALSE(none.acquire());
    CHECK_FALSE(none.acquire(1, 1));
    CHECK(none.stats() == audiopool::Stats{});
    CHECK(none.channels() == 0);
    CHECK(none.frames() == 0);
    CHECK(none.capacity() == 0);
    static_assert(std::is_constructible_v<audiopool::PoolRef<double>, audiopool::Pool<double, 1, 8, 1>&>);
    static_assert(!std::is_constructible_v<audiopool::PoolRef<double>, audiopool::Pool<float, 1, 8, 1>&>);
    static_assert(!std::is_copy_constructible_v<audiopool::Buffer<float>>);
    static_assert(std::is_nothrow_move_constructible_v<audiopool::Buffer<float>>);
    static_assert(std::is_trivially_copyable_v<audiopool::PoolRef<float>>);
    static_assert(sizeof(audiopool::PoolRef<float>) == 2 * sizeof(void*));
    const audiopool::Buffer<float> empty;
    CHECK(empty.view().empty());
    static_assert(noexcept(none.acquire()) && noexcept(none.stats()) && noexcept(empty.view()));
}
