// expect: Capacity must be at least 1
#include <audiopool/audiopool.hpp>
audiopool::Pool<float, 2, 64, 0, audiopool::IndexStack> pool;
