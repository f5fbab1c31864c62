// expect: Treiber: Capacity must be at most 65534
#include <audiopool/audiopool.hpp>
audiopool::Pool<float, 1, 1, 70000, audiopool::Treiber> pool;
