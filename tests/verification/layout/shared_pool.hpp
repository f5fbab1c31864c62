// One pool shared by two translation units, one built with NDEBUG and one
// without: the class layout must be the same in both (it does not depend on
// NDEBUG), so they can share the pool and its handles.
#pragma once
#include <audiopool/audiopool.hpp>

namespace layout {
using SharedPool = audiopool::Pool<float, 1, 16, 16, audiopool::SpscRing>;
extern SharedPool sharedPool;  // defined in the checked unit

struct UnitView {
    std::size_t poolSize, poolAlign, uniqueSize, sharedSize, detachedSize;
    const void* poolAddress;
    bool checkedBuild;
};
UnitView checkedUnit();  // built without NDEBUG
UnitView releaseUnit();  // built with NDEBUG

SharedPool::Unique acquireInCheckedUnit();
void releaseInReleaseUnit(SharedPool::Unique&& handle);
audiopool::Stats statsInReleaseUnit();
} // namespace layout
