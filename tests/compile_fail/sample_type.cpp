// expect: SampleType
#include <audiopool/audiopool.hpp>
audiopool::Pool<int, 2, 64, 4> pool;
