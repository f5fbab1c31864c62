// expect: (deleted|delete)
#include <audiopool/audiopool.hpp>
audiopool::Pool<float, 2, 64, 4> pool;
void f() {
    auto a = pool.acquire();
    auto b = a;
}
