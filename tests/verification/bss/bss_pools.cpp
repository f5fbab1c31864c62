// Four constinit pools of 4 MiB of samples each, one per policy. Their
// initial state is all zero bits, so they belong in .bss: the object's
// initialised data must stay tiny (check_sections.py checks it).
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

namespace bss {
constinit audiopool::Pool<float, 2, 512, 1024, audiopool::Treiber> treiberPool;
constinit audiopool::Pool<float, 2, 512, 1024, audiopool::SpscRing> spscRingPool;
constinit audiopool::Pool<float, 2, 512, 1024, audiopool::IndexStack> indexStackPool;
constinit audiopool::Pool<float, 2, 512, 1024, audiopool::OwnerThread> ownerThreadPool;
} // namespace bss

// Used, so no linker or compiler may drop them.
extern "C" const void* audiopoolBssPools[] = {&bss::treiberPool, &bss::spscRingPool, &bss::indexStackPool,
                                              &bss::ownerThreadPool};
