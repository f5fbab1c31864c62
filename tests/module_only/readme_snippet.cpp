// The README's first snippet, in a file with nothing before
// `import audiopool;`, compiled and run. check_readme.py checks that the lines
// between [readme] and [/readme], less the [stand-in] block, are that snippet.
// The stand-in is the part of juce::AudioBuffer the snippet uses (a plugin
// would have included JUCE before the import); it needs no standard header.
// The snippet is laid out for reading, so the formatter leaves it alone.
// clang-format off
// [readme]
import audiopool;                  // module mode (clang >= 17)
// or: #include <audiopool/audiopool.hpp>   (header mode: g++ >= 12, clang >= 14)
// [stand-in]
namespace juce {
template <typename Type>
class AudioBuffer {
public:
    AudioBuffer(int numChannels, int numSamples) noexcept : channels_(numChannels), samples_(numSamples) {}
    int getNumChannels() const noexcept { return channels_; }
    int getNumSamples() const noexcept { return samples_; }
    const Type* getReadPointer(int channel) const noexcept { return data_[channel]; }
    Type* getWritePointer(int channel) noexcept { return data_[channel]; }

private:
    int channels_, samples_;
    Type data_[2][512] = {};
};
} // namespace juce
// [/stand-in]

// Sizes known when you compile: a static pool.
using Pool = audiopool::Pool<float, 2 /*channels*/, 512 /*frames*/, 16 /*buffers*/,
                             audiopool::Treiber /*free-list policy*/>;
constinit Pool pool;               // storage inline: no heap, no start-up code

// Sizes the host decides: a prepared pool, sized off the audio thread.
using Prepared = audiopool::Pool<float, audiopool::dynamic, audiopool::dynamic, 16, audiopool::Treiber>;
Prepared scratch;                  // no memory until prepare()

void prepareToPlay(double /*sampleRate*/, int maxBlock) {          // message thread
    scratch.prepare({.channels = 2, .frames = static_cast<unsigned>(maxBlock)});  // allocates one block
}

void process(juce::AudioBuffer<float>& io) {                        // audio thread: either pool
    if (auto tmp = pool.acquire(io.getNumChannels(), io.getNumSamples())) {
        tmp.copyFrom(io);          // any JUCE-shaped buffer, or raw channel pointers
        for (float& s : tmp.channel(0)) s *= 0.5f;                  // std::span<float>
        tmp.copyTo(io);
    }                              // the buffer is back in the pool here
    else { /* exhausted, or over 512 frames (see audiopool::chunks): nothing was allocated */ }
}
// [/readme]
// clang-format on

#include "check.hpp"  // includes nothing: safe after the import

// True when channel 0 of io holds left and channel 1 holds right.
bool holds(const juce::AudioBuffer<float>& io, float left, float right) {
    for (int i = 0; i < io.getNumSamples(); ++i)
        if (io.getReadPointer(0)[i] != left || io.getReadPointer(1)[i] != right) return false;
    return true;
}

int main() {
    juce::AudioBuffer<float> io(2, 300);
    for (int i = 0; i < io.getNumSamples(); ++i) {
        io.getWritePointer(0)[i] = 1.0f;
        io.getWritePointer(1)[i] = -1.0f;
    }

    process(io);  // channel 0 halved, channel 1 as it was
    CHECK(holds(io, 0.5f, -1.0f));
    Pool::Unique held[16];
    for (Pool::Unique& h : held) h = pool.acquire();
    CHECK(pool.stats().inUse == 16);

    process(io);  // exhausted: io untouched
    CHECK(holds(io, 0.5f, -1.0f));
    for (Pool::Unique& h : held) h.reset();

    const audiopool::Stats s = pool.stats();
    CHECK(s.inUse == 0 && s.acquisitions == 17 && s.releases == 17 && s.failedAcquisitions == 1);

    CHECK(!scratch.acquire());  // not prepared yet: refused, counted
    prepareToPlay(48000.0, 300);
    CHECK(scratch.sizes() == (audiopool::Sizes{2, 300, 16}));
    auto tmp = scratch.acquire();
    CHECK(tmp && tmp.numFrames() == 300 && tmp.numChannels() == 2);
    CHECK(scratch.stats().rejectedRequests == 0);  // the prepare started the statistics over
    if (failures == 0) __builtin_printf("README snippet: ok\n");
    return failures == 0 ? 0 : 1;
}
