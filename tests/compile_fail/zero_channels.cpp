// expect: Channels must be at least 1
#include <audiopool/audiopool.hpp>
audiopool::Pool<float, 0, 64, 4> pool;
