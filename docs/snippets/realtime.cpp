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

// [nonblocking]
#include <audiopool/config.hpp>  // AUDIOPOOL_NONBLOCKING (in module mode: after `import audiopool;`)

// The misuse handler runs on the thread that misused the pool: nonblocking too.
unsigned long misusesSeen = 0;  // one audio thread here
void countMisuse(const audiopool::MisuseReport&) noexcept AUDIOPOOL_NONBLOCKING { ++misusesSeen; }

// [[clang::nonblocking]] with clang >= 20: -Wfunction-effects checks the body
// (and every audiopool call in it) at compile time, -fsanitize=realtime at run time.
void processBlock(float* const* io, std::size_t channels, std::size_t frames) noexcept AUDIOPOOL_NONBLOCKING {
    if (auto tmp = pool.acquire(channels, frames)) {
        tmp.copyFrom(io, channels, frames);
        for (float& s : tmp.channel(0)) s *= 0.5f;  // ... DSP on tmp ...
        tmp.copyTo(io, channels, frames);
    }
}
// [/nonblocking]

int main() {
    audiopool::setMisuseHandler(countMisuse);
    const bool locked = prepareForPlayback();
    float left[64] = {}, right[64] = {};
    left[3] = 1e-40f;  // a denormal in the input
    float* io[] = {left, right};
    audioCallback(io, 2, 64);
    left[0] = 0.5f;
    processBlock(io, 2, 64);
    const bool ok = pool.stats().inUse == 0 && pool.stats().acquisitions == 2 && left[0] == 0.25f && misusesSeen == 0;
    if (locked) pool.unlockMemory();
    std::printf("real-time recipe: %s (memory %s)\n", ok ? "ok" : "FAILED", locked ? "locked" : "not locked");
    return ok ? 0 : 1;
}
