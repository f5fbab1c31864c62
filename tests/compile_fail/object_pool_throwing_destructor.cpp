// expect: destructor must be noexcept
// An object pool destroys an object on the thread that drops its last
// handle, often the audio thread: a destructor that may throw is refused.
#include <audiopool/audiopool.hpp>
struct Throws {
    ~Throws() noexcept(false) {}
};
audiopool::ObjectPool<Throws, 4> pool;
