// Built with NDEBUG: no thread check runs here.
#ifndef NDEBUG
#error "release_unit.cpp must be built with NDEBUG"
#endif
#include "shared_pool.hpp"

namespace layout {
UnitView releaseUnit() {
    return {sizeof(SharedPool),
            alignof(SharedPool),
            sizeof(SharedPool::Unique),
            sizeof(SharedPool::Shared),
            sizeof(audiopool::Detached),
            &sharedPool,
            false};
}
void releaseInReleaseUnit(SharedPool::Unique&& handle) {
    const SharedPool::Unique released = std::move(handle);  // released here, in this unit
}
audiopool::Stats statsInReleaseUnit() { return sharedPool.stats(); }
} // namespace layout
