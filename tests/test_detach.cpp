// The lower-level API: Unique::detach, Pool::release(Detached), Pool::adopt,
// and what happens when it is misused.
#include "test_prelude.hpp"
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif
#include "support/record_misuses.hpp"
#include "support/pool_under_test.hpp"

namespace {

using test::RecordMisuses;
using test::reports;

template <class Policy>
using SmallPool = test::Pool<float, 2, 16, 3, Policy>;

/// Acquires every buffer, checks they are distinct, and gives them back.
template <class P>
bool allBuffersAvailable(P& pool) {
    std::vector<typename P::Unique> held;
    for (std::size_t i = 0; i < P::capacity; ++i) held.push_back(pool.acquire());
    for (auto& h : held)
        if (!h) return false;
    std::vector<std::uint32_t> indices;
    for (auto& h : held) indices.push_back(h.index());
    std::sort(indices.begin(), indices.end());
    const bool distinct = std::adjacent_find(indices.begin(), indices.end()) == indices.end();
    const bool exhausted = !pool.acquire();
    return distinct && exhausted;
}

}  // namespace

TEST_CASE_TEMPLATE("DetachAndReleaseGivesTheBufferBack", Policy, AUDIOPOOL_ALL_POLICIES) {
    auto pool = test::makePool<SmallPool<Policy>>();
    auto handle = pool->acquire(1, 8);
    const audiopool::Detached detached = handle.detach();
    CHECK_FALSE(handle);
    CHECK(detached.pool == pool.get());
    CHECK(detached.channels == 1);
    CHECK(detached.frames == 8);
    CHECK(pool->stats().inUse == 1);  // still out while detached
    CHECK(pool->release(detached));
    CHECK(pool->stats().inUse == 0);
    CHECK(allBuffersAvailable(*pool));
}

TEST_CASE_TEMPLATE("AdoptPutsADetachedBufferBackUnderAHandle", Policy, AUDIOPOOL_ALL_POLICIES) {
    auto pool = test::makePool<SmallPool<Policy>>();
    auto handle = pool->acquire(2, 4);
    handle.channel(1)[3] = 42.0f;
    const auto detached = handle.detach();
    auto adopted = pool->adopt(detached);
    REQUIRE(adopted);
    CHECK(adopted.numChannels() == 2);
    CHECK(adopted.numFrames() == 4);
    CHECK(adopted.channel(1)[3] == 42.0f);
    adopted.reset();
    CHECK(pool->stats().inUse == 0);
}

TEST_CASE_TEMPLATE("MisusedReleasesAreDetectedAndLoseNothing", Policy, AUDIOPOOL_ALL_POLICIES) {
    RecordMisuses recording;
    auto pool = test::makePool<SmallPool<Policy>>();
    auto other = test::makePool<SmallPool<Policy>>();
    const auto detached = pool->acquire().detach();

    SUBCASE("double release") {
        CHECK(pool->release(detached));
        CHECK_FALSE(pool->release(detached));
        REQUIRE(reports().size() == 1);
        CHECK(reports()[0].kind == audiopool::Misuse::DoubleRelease);
        CHECK(reports()[0].pool == pool.get());
        CHECK(reports()[0].index == detached.index);
        CHECK_FALSE(pool->adopt(detached));  // adopting a released buffer is the same misuse
        CHECK(reports().size() == 2);
    }
    SUBCASE("release into another pool") {
        CHECK_FALSE(other->release(detached));
        REQUIRE(reports().size() == 1);
        CHECK(reports()[0].kind == audiopool::Misuse::ForeignRelease);
        CHECK(other->stats().misuses == 1);
        CHECK(other->stats().releases == 0);
        CHECK(allBuffersAvailable(*other));
        CHECK(pool->release(detached));
    }
    SUBCASE("index out of range") {
        audiopool::Detached forged = detached;
        forged.index = 3;  // == Capacity: the first index past the end
        CHECK_FALSE(pool->release(forged));
        forged.index = 0xFFFF'FFFFu;
        CHECK_FALSE(pool->adopt(forged));
        REQUIRE(reports().size() == 2);
        CHECK(reports()[0].kind == audiopool::Misuse::IndexOutOfRange);
        CHECK(reports()[0].index == 3);
        CHECK(reports()[1].kind == audiopool::Misuse::IndexOutOfRange);
        CHECK(reports()[1].index == 0xFFFF'FFFFu);
        CHECK(pool->stats().misuses == 2);
        CHECK(pool->release(detached));
    }
    SUBCASE("release of a buffer a live handle owns") {
        auto live = pool->acquire();
        audiopool::Detached forged{pool.get(), live.index(), 2, 16};
        CHECK_FALSE(pool->release(forged));
        REQUIRE(reports().size() == 1);
        CHECK(reports()[0].kind == audiopool::Misuse::NotDetached);
        // The pool did not take it back: still two out, and the one free
        // buffer left is another.
        CHECK(pool->stats().inUse == 2);
        {
            auto last = pool->acquire();
            REQUIRE(last);
            CHECK(last.index() != live.index());
            CHECK_FALSE(pool->acquire());
        }
        live.reset();
        CHECK(pool->release(detached));
    }
    SUBCASE("a default-constructed Detached belongs to no pool") {
        CHECK_FALSE(pool->release(audiopool::Detached{}));
        CHECK(reports().at(0).kind == audiopool::Misuse::ForeignRelease);
        CHECK(pool->release(detached));
    }
    // Whatever was tried, the pool is whole.
    CHECK(pool->stats().inUse == 0);
    CHECK(pool->stats().misuses == reports().size() - other->stats().misuses);
    CHECK(allBuffersAvailable(*pool));
}

TEST_CASE_TEMPLATE("AStaleDetachedIsRefusedAndTheBuffersOwnerKeepsIt", Policy, AUDIOPOOL_ALL_POLICIES) {
    // Detach, release, reuse the same buffer, then release the old Detached:
    // refused as DoubleRelease (its generation was retired), and the buffer
    // stays with its new owner.
    RecordMisuses recording;
    auto pool = test::makePool<SmallPool<Policy>>();
    auto first = pool->acquire();
    const std::uint32_t index = first.index();
    const audiopool::Detached old = first.detach();
    REQUIRE(pool->release(old));
    std::vector<typename SmallPool<Policy>::Unique> all;
    typename SmallPool<Policy>::Unique owner;
    while (auto h = pool->acquire()) {
        if (h.index() == index) owner = std::move(h);
        else all.push_back(std::move(h));
    }
    REQUIRE(owner);
    owner.channel(0)[0] = 7.0f;
    CHECK_FALSE(pool->release(old));
    CHECK_FALSE(pool->adopt(old));
    REQUIRE(reports().size() == 2);
    CHECK(reports()[0].kind == audiopool::Misuse::DoubleRelease);
    CHECK(reports()[1].kind == audiopool::Misuse::DoubleRelease);
    CHECK(pool->stats().inUse == SmallPool<Policy>::capacity);  // nothing went back
    CHECK_FALSE(pool->acquire());
    CHECK(owner.channel(0)[0] == 7.0f);
    // Detached again, the buffer has a new generation that works once.
    const audiopool::Detached again = owner.detach();
    CHECK(again.generation != old.generation);
    CHECK(pool->release(again));
    CHECK(pool->stats().inUse == SmallPool<Policy>::capacity - 1);
    all.clear();
    CHECK(pool->stats().misuses == 2);
    CHECK(allBuffersAvailable(*pool));
}
