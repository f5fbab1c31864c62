// The Arena page's code (docs/arena.md), compiled and run by the test suite:
// the regions between "// [name]" and "// [/name]" are the snippets the page
// shows, checked to be identical by docs/check_snippets.py. main() plays
// blocks of several sizes through the effect (an analysis work area, a 4x
// oversampled stage and per-voice modulation), checks every output sample,
// reads the high-water mark, prepares a dynamic arena from it and runs the
// std::pmr part, exhaustion included.
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <memory_resource>
#include <new>
#include <span>
#include <vector>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

namespace {

int failures = 0;
void expect(bool condition, const char* what) {
    if (!condition) {
        std::printf("arena snippet: FAILED: %s\n", what);
        ++failures;
    }
}

struct Voice {
    float depth = 0.0f;  // the modulation's depth: the gain swings by +-depth
};

// [declare]
// 256 KiB for one callback's temporaries: inline, constinit, in .bss
// (no heap, no start-up code, nothing added to the binary's size).
constinit audiopool::Arena<262'144> scratch;

void prepareToPlay() {   // message thread, before playback
    scratch.prefault();  // touch the pages now, not in the first callback
}
// [/declare]

/// What the analysis found (its last energy), for main() to check.
float lastEnergy = 0.0f;

// [process]
void processBlock(audiopool::View<float> io, std::span<const Voice> voices) {  // audio thread
    auto frame = scratch.frame();  // everything taken below comes back at the closing brace
    const std::size_t frames = io.numFrames();

    // An analysis work area: its size follows the block size of this call.
    const std::span<float> work = frame.take<float>(2 * std::bit_ceil(frames));
    // A 4x oversampled stage: a View whose channel pointers and channels live in the arena.
    const audiopool::View<float> up = frame.buffer<float>(io.numChannels(), 4 * frames);
    if (work.empty() || up.empty()) return;  // out of memory: pass the input through; nothing was allocated

    std::ranges::fill(work, 0.0f);  // take() does not clear: write before reading
    std::ranges::copy(io.channel(0), work.begin());
    float energy = 0.0f;
    for (const float x : work) energy += x * x;  // (an FFT would run here)
    lastEnergy = energy;

    for (std::size_t c = 0; c < io.numChannels(); ++c) {
        const std::span<float> in = io.channel(c), over = up.channel(c);
        for (std::size_t i = 0; i < over.size(); ++i) over[i] = in[i / 4];  // upsample (hold)
        for (float& x : over) x = std::tanh(x);                             // the non-linear stage
        for (std::size_t i = 0; i < frames; ++i) in[i] = over[4 * i];       // downsample
    }

    for (const Voice& voice : voices) {
        auto perVoice = scratch.frame();  // nested: each voice's temporaries come back before the next voice's
        const std::span<float> gain = perVoice.take<float>(frames);
        if (gain.empty()) continue;
        for (std::size_t i = 0; i < frames; ++i) gain[i] = 1.0f + voice.depth * ((i % 2 == 0) ? 1.0f : -1.0f);
        for (std::size_t c = 0; c < io.numChannels(); ++c)
            for (std::size_t i = 0; i < frames; ++i) io.channel(c)[i] *= gain[i];
    }
}
// [/process]

// [sizing]
std::size_t bytesNeeded() {  // message thread, after a test session (no callback running)
    const audiopool::ArenaStats stats = scratch.stats();
    if (stats.failedTakes != 0)
        std::printf("arena too small: %llu takes refused\n", static_cast<unsigned long long>(stats.failedTakes));
    return stats.highWater;  // the peak of the session: size the arena from it, with a margin
}
// [/sizing]

// [prepared]
// Sized when the host says how large a block can be.
audiopool::Arena<audiopool::dynamic> perBlock;

bool prepareToPlay(std::size_t channels, std::size_t maxFrames, std::size_t maxVoices) {  // message thread
    // What one callback takes at most, alignment padding included.
    const std::size_t bytes = audiopool::arenaBytes<float>(2 * std::bit_ceil(maxFrames)) +
                              audiopool::arenaBufferBytes<float>(channels, 4 * maxFrames) +
                              (maxVoices > 0 ? audiopool::arenaBytes<float>(maxFrames) : 0);
    return perBlock.prepare(bytes);  // one block, zeroed (every page touched); false: nothing changed
}
// [/prepared]

// [pmr]
std::size_t heldNotes(std::span<const int> notes) {  // audio thread
    auto frame = scratch.frame();  // first the frame, then the containers: they go before it ends
    std::pmr::vector<int> held(&scratch.resource());
    try {
        held.reserve(notes.size());  // bumps the innermost frame: no heap, no lock
        for (const int note : notes)
            if (note >= 60) held.push_back(note);
    } catch (const std::bad_alloc&) {
        return 0;  // the standard's rule for a memory_resource: it throws when it runs out
    }
    return held.size();
}
// [/pmr]

std::vector<float> makeChannel(std::size_t frames, float scale) {
    std::vector<float> samples(frames);
    for (std::size_t i = 0; i < frames; ++i) samples[i] = scale * float(i % 7) / 7.0f;
    return samples;
}

} // namespace

int main() {
    prepareToPlay();
    const std::array<Voice, 3> voices{{{0.1f}, {0.2f}, {0.0f}}};
    for (const std::size_t frames : {std::size_t{64}, std::size_t{512}, std::size_t{1}, std::size_t{1000}}) {
        std::vector<float> left = makeChannel(frames, 0.5f), right = makeChannel(frames, -0.25f);
        const std::vector<float> leftIn = left, rightIn = right;
        float* channels[] = {left.data(), right.data()};
        processBlock(audiopool::View<float>(channels, 2, frames), voices);
        bool exact = true;
        for (std::size_t i = 0; i < frames; ++i) {
            float l = std::tanh(leftIn[i]), r = std::tanh(rightIn[i]);
            for (const Voice& voice : voices) {
                const float gain = 1.0f + voice.depth * ((i % 2 == 0) ? 1.0f : -1.0f);
                l *= gain;
                r *= gain;
            }
            exact = exact && left[i] == l && right[i] == r;
        }
        expect(exact, "every output sample is tanh(input) times the voices' gains");
        float energy = 0.0f;
        for (const float x : leftIn) energy += x * x;
        expect(std::fabs(lastEnergy - energy) <= 1e-4f * (1.0f + energy), "the analysis saw the left channel");
        expect(scratch.stats().used == 0, "every frame gave its memory back");
    }

    const std::size_t peak = bytesNeeded();
    expect(peak > 0 && peak <= scratch.stats().capacity, "the high-water mark is within the arena");
    expect(scratch.stats().failedTakes == 0 && scratch.stats().misuses == 0, "no take refused, no misuse");

    expect(prepareToPlay(2, 1000, voices.size()), "the dynamic arena is prepared");
    expect(perBlock.stats().capacity >= peak, "the computed size covers the measured peak of 1000-frame blocks");
    {
        auto frame = perBlock.frame();
        expect(!frame.take<float>(2048).empty(), "the analysis work area fits");
        expect(!frame.buffer<float>(2, 4000).empty(), "the oversampled stage fits");
        expect(!frame.take<float>(1000).empty(), "a voice's modulation fits");
        expect(perBlock.stats().failedTakes == 0, "nothing refused");
    }

    std::vector<int> notes;
    for (int i = 0; i < 200; ++i) notes.push_back(40 + i % 50);
    expect(heldNotes(notes) == 120, "the pmr vector kept the notes from 60 up");
    {
        auto fill = scratch.frame();  // leaves too little for the vector: bad_alloc, caught
        expect(!fill.take<std::byte>(scratch.stats().capacity - 256).empty(), "the arena is nearly full");
        expect(heldNotes(notes) == 0, "exhaustion reached the catch");
    }
    expect(scratch.stats().used == 0, "the frames gave everything back");
    std::printf("arena snippet: %s\n", failures == 0 ? "ok" : "FAILED");
    return failures == 0 ? 0 : 1;
}
