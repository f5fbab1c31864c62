// The quick start's code (docs/quick-start.md), compiled and run by the test
// suite: the regions between "// [name]" and "// [/name]" are the snippets
// the page shows, checked to be identical by docs/check_snippets.py.
#include <cstdio>
#include <vector>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

// [declare]
using Pool =
    audiopool::Pool<float, 2 /*channels*/, 512 /*frames*/, 16 /*buffers*/, audiopool::Treiber /*free-list policy*/>;
constinit Pool pool;  // storage inline: no heap, no start-up code
// [/declare]

// [prepared]
using Prepared = audiopool::Pool<float, audiopool::dynamic /*channels*/, audiopool::dynamic /*frames*/, 16 /*buffers*/,
                                 audiopool::Treiber>;
Prepared scratch;  // no buffers until prepare(): every acquire is an empty handle

// Before playback, off the audio thread (JUCE prepareToPlay, CLAP activate,
// VST3 setupProcessing, JACK's buffer-size callback): prepare() allocates
// one zeroed block, so never in the audio callback. The same sizes again keep it.
bool prepareToPlay(std::size_t numChannels, std::size_t maxBlockFrames) {
    return scratch.prepare({.channels = numChannels, .frames = maxBlockFrames});  // capacity: the type's 16
}
// [/prepared]

// [process]
// Audio thread: the host hands over non-interleaved channels.
void process(float* const* io, int numChannels, int numFrames) {
    auto tmp = pool.acquire(numChannels, numFrames);
    if (!tmp) return;  // exhausted (or too large): degrade gracefully, nothing was allocated

    tmp.copyFrom(io, numChannels, numFrames);
    for (std::size_t c = 0; c < tmp.numChannels(); ++c)
        for (float& s : tmp.channel(c)) s *= 0.5f;  // std::span<float>
    tmp.copyTo(io, numChannels, numFrames);
}  // tmp goes back to the pool here
// [/process]

int main() {
    std::vector<float> left(256, 1.0f), right(256, -1.0f);
    float* io[] = {left.data(), right.data()};
    process(io, 2, 256);
    bool ok = left[10] == 0.5f && right[255] == -0.5f;

    // [shared]
    auto a = pool.acquireShared();  // copyable; the last copy gives the buffer back
    auto b = a;                     // both views of one buffer: no samples copied
    a.reset();                      // b still owns it
    // [/shared]
    ok = ok && b && b.useCount() == 1;
    b.reset();

    // [stats]
    const audiopool::Stats s = pool.stats();
    std::printf("in use %zu of %zu, at most %zu, %llu failed\n", s.inUse, s.capacity, s.highWater,
                static_cast<unsigned long long>(s.failedAcquisitions));
    // [/stats]
    ok = ok && s.inUse == 0 && s.highWater == 1 && s.acquisitions == 2;

    // The prepared pool: the same acquire and handles, at the sizes it was given.
    ok = ok && !scratch.acquire(2, 64) && scratch.stats().rejectedRequests == 1;  // not prepared yet
    ok = ok && prepareToPlay(2, 256) && scratch.sizes() == audiopool::Sizes{2, 256, 16};
    ok = ok && scratch.acquire(2, 256) && !scratch.acquire(2, 257) && scratch.acquire().numFrames() == 256;
    ok = ok && prepareToPlay(2, 256) && scratch.stats().acquisitions == 2;  // the same sizes: statistics kept
    ok = ok && scratch.releaseMemory() && scratch.sizes() == audiopool::Sizes{};
    return ok ? 0 : 1;
}
