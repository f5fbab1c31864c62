// A use after release, for AddressSanitizer to stop: acquires a buffer, keeps
// its channel pointers, gives the buffer back with reset(), then writes
// through a kept pointer. In an ASan build the pool has poisoned the released
// samples (include/audiopool/poison.hpp), so ASan ends the program at that
// write with a use-after-poison report naming writeAfterRelease; the test
// (tests/verification/meson.build) runs it under expect_report.py, which
// fails if the program gets past the write.
#include <cstdio>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

namespace {

audiopool::Pool<float, 2, 256, 4> pool;

// Out of line, so the report's top frame names it.
[[gnu::noinline]] void writeAfterRelease(float* const* kept) {
    kept[1][7] = 0.5f;  // the buffer went back to the pool: a use after release
}

} // namespace

int main() {
    auto buffer = pool.acquire();
    if (!buffer) return 2;
    float* const* kept = buffer.channelPointers();
    kept[1][7] = 0.25f;  // while owned: fine
    buffer.reset();
    writeAfterRelease(kept);
    std::puts("not caught: the write after release went through");
    return 0;
}
