// Two translation units, one with NDEBUG and one without, linked into one
// program and sharing one extern pool: they agree on the layout of the pool
// and of its handles, and a buffer taken in one is given back in the other.
#include <doctest/doctest.h>

#include <vector>

#include "shared_pool.hpp"

TEST_CASE("LayoutIsTheSameWithAndWithoutNDEBUG") {
    const layout::UnitView checked = layout::checkedUnit();
    const layout::UnitView release = layout::releaseUnit();
    CHECK(checked.poolSize == release.poolSize);
    CHECK(checked.poolAlign == release.poolAlign);
    CHECK(checked.uniqueSize == release.uniqueSize);
    CHECK(checked.sharedSize == release.sharedSize);
    CHECK(checked.detachedSize == release.detachedSize);
    CHECK(checked.poolAddress == release.poolAddress);
}

TEST_CASE("LayoutOnePoolSharedByACheckedAndAReleaseUnit") {
    std::vector<layout::SharedPool::Unique> held;
    for (int i = 0; i < 5; ++i) held.push_back(layout::acquireInCheckedUnit());
    for (auto& h : held) REQUIRE(h);
    held[0].channel(0)[0] = 1.5f;
    audiopool::Stats s = layout::statsInReleaseUnit();
    CHECK(s.inUse == 5);
    CHECK(s.highWater == 5);
    for (auto& h : held) layout::releaseInReleaseUnit(std::move(h));
    s = layout::statsInReleaseUnit();
    CHECK(s.inUse == 0);
    CHECK(s.acquisitions == 5);
    CHECK(s.releases == 5);
    CHECK(s.misuses == 0);
    // Every buffer is still there, once.
    held.clear();
    for (std::size_t i = 0; i < layout::SharedPool::capacity; ++i) held.push_back(layout::acquireInCheckedUnit());
    for (auto& h : held) CHECK(h);
    CHECK_FALSE(layout::acquireInCheckedUnit());
    for (auto& h : held) layout::releaseInReleaseUnit(std::move(h));
    CHECK(layout::statsInReleaseUnit().inUse == 0);
}
