// The real-time page's code (docs/real-time.md), compiled and run.
#include <cstdio>

#include "../../examples/denormal_guard.hpp"
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

using Pool = audiopool::Pool<float, 2, 512, 32, audiopool::Treiber>;
Pool pool;

// [prepare]
// Before playback, on a non-audio thread.
bool prepareForPlayback() {
    pool.prefault();                   // every page touched now, not in the first callback
    const bool locked = pool.lockMemory();  // optional: never paged out (needs RLIMIT_MEMLOCK)
    return locked;                     // false is not fatal: the pages are faulted in already
}
// [/prepare]

// [denormals]
void audioCallback(float* const* io, std::size_t channels, std::size_t frames) {
    const DenormalGuard guard;
    if (auto tmp = pool.acquire(channels, frames)) {
        tmp.copyFrom(io, channels, frames);
        // ... DSP on tmp ...
        tmp.copyTo(io, channels, frames);
    }
}
// [/denormals]

int main() {
    const bool locked = prepareForPlayback();
    float left[64] = {}, right[64] = {};
    left[3] = 1e-40f;  // a denormal in the input
    float* io[] = {left, right};
    audioCallback(io, 2, 64);
    const bool ok = pool.stats().inUse == 0 && pool.stats().acquisitions == 1;
    if (locked) pool.unlockMemory();
    std::printf("real-time recipe: %s (memory %s)\n", ok ? "ok" : "FAILED", locked ? "locked" : "not locked");
    return ok ? 0 : 1;
}
