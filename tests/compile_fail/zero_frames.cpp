// expect: Frames must be at least 1
#include <audiopool/audiopool.hpp>
audiopool::Pool<float, 2, 0, 4> pool;
