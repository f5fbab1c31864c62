// Built without NDEBUG: the pool's thread checks run here.
#ifdef NDEBUG
#error "checked_unit.cpp must be built without NDEBUG"
#endif
#include "shared_pool.hpp"

namespace layout {
constinit SharedPool sharedPool;

UnitView checkedUnit() {
    return {sizeof(SharedPool),
            alignof(SharedPool),
            sizeof(SharedPool::Unique),
            sizeof(SharedPool::Shared),
            sizeof(audiopool::Detached),
            &sharedPool,
            true};
}
SharedPool::Unique acquireInCheckedUnit() { return sharedPool.acquire(); }
} // namespace layout
