// voices: a polyphonic renderer. 32 voices play overlapping notes; every
// block, each sounding voice renders into a buffer taken from the pool, and
// the voices' sends are summed into a Shared buffer that a send bus (an echo)
// keeps for one more block. The result is rendered offline into a WAV file,
// then the pool's statistics and its high-water mark say whether the pool is
// the right size.
//
//     voices [output.wav] [seconds]
//
// The render loop is written as an audio callback would be: nothing in
// renderBlock() allocates, locks or blocks (it is marked nonblocking, and
// RealtimeSanitizer checks it in CI), and an exhausted pool costs a
// voice one block of silence, never a crash.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "denormal_guard.hpp"
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#include <audiopool/config.hpp>  // the library's macros (AUDIOPOOL_NONBLOCKING): a module exports none
#else
#include <audiopool/audiopool.hpp>
#endif

namespace {

constexpr int sampleRate = 48000;
constexpr std::size_t blockFrames = 256;
constexpr std::size_t voiceCount = 32;
// One buffer per voice, plus this block's send buffer and the one the echo
// still holds, plus a little headroom; the statistics below check the guess.
constexpr std::size_t poolCapacity = voiceCount + 2 + 6;

// Single-threaded offline render: IndexStack (wait-free, no atomics). A
// plugin whose buffers stay on the audio thread would choose the same.
using Pool = audiopool::Pool<float, 2, blockFrames, poolCapacity, audiopool::IndexStack>;
constinit Pool pool;

/// A decaying two-oscillator tone that retriggers on its own schedule.
struct Voice {
    float frequency = 220.0f;
    float pan = 0.5f;       // 0 left .. 1 right
    float sendLevel = 0.3f; // to the echo bus
    float phase = 0.0f;
    float envelope = 0.0f;
    long period = 0;        // frames between notes
    long offset = 0;        // first note

    bool sounding() const AUDIOPOOL_NONBLOCKING { return envelope > 1.0e-4f; }

    /// Starts a note if one is due in this block.
    void schedule(long blockStart, long frames) AUDIOPOOL_NONBLOCKING {
        const long next = blockStart - offset;
        if (next >= 0 && next % period < frames) envelope = 1.0f;
    }

    /// Writes one block of this voice into `out` (2 channels).
    void render(const Pool::Unique& out) AUDIOPOOL_NONBLOCKING {
        const float step = frequency / float(sampleRate);
        const float decay = 0.99985f;
        auto left = out.channel(0), right = out.channel(1);
        for (std::size_t i = 0; i < out.numFrames(); ++i) {
            const float tone = std::sin(6.2831853f * phase) + 0.3f * std::sin(6.2831853f * 2.0f * phase);
            phase += step;
            phase -= std::floor(phase);
            const float s = 0.12f * envelope * tone;
            envelope *= decay;
            left[i] = s * (1.0f - pan);
            right[i] = s * pan;
        }
    }
};

/// The send bus: an echo that keeps the previous block's send buffer (a
/// second reference to it, not a copy) and plays it back attenuated.
class EchoBus {
public:
    /// Adds the echo of the previous block to `mix` and keeps `send` for next time.
    void process(const Pool::Shared& send, std::array<std::vector<float>, 2>& mix,
                 std::size_t frames) AUDIOPOOL_NONBLOCKING {
        if (previous_) {
            for (std::size_t c = 0; c < 2; ++c) {
                const auto from = previous_.channel(c);
                for (std::size_t i = 0; i < std::min(frames, from.size()); ++i) mix[c][i] += 0.5f * from[i];
            }
        }
        previous_ = send;  // the old buffer goes back to the pool here, unless shared elsewhere
    }
    void reset() { previous_.reset(); }

private:
    Pool::Shared previous_;
};

struct Renderer {
    std::array<Voice, voiceCount> voices{};
    EchoBus echo;
    std::array<std::vector<float>, 2> mix;  // the block's output, sized before playback
    std::uint64_t droppedVoiceBlocks = 0;

    Renderer() {
        for (auto& m : mix) m.assign(blockFrames, 0.0f);
        const float scale[] = {0, 2, 3, 5, 7, 9, 10};
        for (std::size_t v = 0; v < voiceCount; ++v) {
            auto& voice = voices[v];
            voice.frequency = 110.0f * std::pow(2.0f, (scale[v % 7] + 12.0f * float(v / 7 % 3)) / 12.0f);
            voice.pan = float(v % 8) / 7.0f;
            voice.sendLevel = 0.15f + 0.05f * float(v % 4);
            voice.period = sampleRate * (2 + long(v % 3)) / 2;
            voice.offset = long(v) * sampleRate / 16;
        }
    }

    /// One audio callback: `frames` frames starting at `blockStart`. Marked
    /// nonblocking, like every function it calls here: RealtimeSanitizer
    /// (-fsanitize=realtime) stops the program if anything inside allocates,
    /// locks or blocks (docs/real-time.md).
    void renderBlock(long blockStart, std::size_t frames) AUDIOPOOL_NONBLOCKING {
        const DenormalGuard guard;
        for (auto& m : mix) std::fill_n(m.begin(), frames, 0.0f);
        auto send = pool.acquireShared(2, frames);
        if (send) send.clear();  // recycled buffers hold the last user's samples

        std::array<Pool::Unique, voiceCount> rendered;  // all voices' buffers out at once
        for (std::size_t v = 0; v < voiceCount; ++v) {
            voices[v].schedule(blockStart, long(frames));
            if (!voices[v].sounding()) continue;
            rendered[v] = pool.acquire(2, frames);
            if (!rendered[v]) {  // exhausted: this voice is silent for one block
                ++droppedVoiceBlocks;
                continue;
            }
            voices[v].render(rendered[v]);
        }
        for (std::size_t v = 0; v < voiceCount; ++v) {
            if (!rendered[v]) continue;
            for (std::size_t c = 0; c < 2; ++c) {
                const auto from = rendered[v].channel(c);
                for (std::size_t i = 0; i < frames; ++i) mix[c][i] += from[i];
                if (send) {
                    const auto to = send.channel(c);
                    for (std::size_t i = 0; i < frames; ++i) to[i] += voices[v].sendLevel * from[i];
                }
            }
        }  // each voice buffer goes back to the pool as `rendered` ends
        echo.process(send, mix, frames);
    }
};

void putLE(std::FILE* f, std::uint32_t value, int bytes) {
    for (int b = 0; b < bytes; ++b) std::fputc(int((value >> (8 * b)) & 0xFF), f);
}

/// Writes 16-bit PCM stereo WAV (RIFF) from interleaved samples in [-1, 1].
bool writeWav(const std::string& path, const std::vector<float>& interleaved) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return false;
    const std::uint32_t dataBytes = std::uint32_t(interleaved.size() * 2);
    std::fputs("RIFF", f);
    putLE(f, 36 + dataBytes, 4);
    std::fputs("WAVEfmt ", f);
    putLE(f, 16, 4);                  // fmt chunk size
    putLE(f, 1, 2);                   // PCM
    putLE(f, 2, 2);                   // channels
    putLE(f, sampleRate, 4);
    putLE(f, sampleRate * 2 * 2, 4);  // bytes per second
    putLE(f, 4, 2);                   // bytes per frame
    putLE(f, 16, 2);                  // bits per sample
    std::fputs("data", f);
    putLE(f, dataBytes, 4);
    for (float s : interleaved) {
        const long v = std::lround(std::clamp(s, -1.0f, 1.0f) * 32767.0f);
        putLE(f, std::uint32_t(std::int16_t(v)) & 0xFFFFu, 2);
    }
    return std::fclose(f) == 0;
}

/// What the statistics say about the pool's size.
void adviseOnSize(const audiopool::Stats& s, std::uint64_t droppedVoiceBlocks) {
    std::printf("pool: inUse %zu/%zu, highWater %zu, acquisitions %llu, releases %llu, failed %llu, "
                "dropped voice blocks %llu\n",
                s.inUse, s.capacity, s.highWater, static_cast<unsigned long long>(s.acquisitions),
                static_cast<unsigned long long>(s.releases), static_cast<unsigned long long>(s.failedAcquisitions),
                static_cast<unsigned long long>(droppedVoiceBlocks));
    if (s.failedAcquisitions > 0) {
        std::printf("advice: the pool ran out %llu times; raise the capacity above %zu (every voice and bus "
                    "buffer that can be out at once, plus headroom)\n",
                    static_cast<unsigned long long>(s.failedAcquisitions), s.capacity);
    } else if (s.highWater * 2 < s.capacity) {
        std::printf("advice: at most %zu of %zu buffers were ever out; a capacity of about %zu would do "
                    "(keep headroom for the densest passage you have not rendered)\n",
                    s.highWater, s.capacity, s.highWater + s.highWater / 4 + 1);
    } else {
        std::printf("advice: capacity %zu fits: the peak was %zu, leaving %zu spare\n", s.capacity, s.highWater,
                    s.capacity - s.highWater);
    }
}

} // namespace

int main(int argc, char** argv) {
    const std::string path = argc > 1 ? argv[1] : "voices.wav";
    const double seconds = argc > 2 ? std::atof(argv[2]) : 4.0;
    if (!(seconds > 0.0 && seconds <= 600.0)) {
        std::fprintf(stderr, "voices: seconds must be in (0, 600]\n");
        return 2;
    }
    const auto totalFrames = static_cast<std::size_t>(seconds * sampleRate);

    pool.prefault();  // before "playback", off the audio thread
    Renderer renderer;
    std::vector<float> output(totalFrames * 2);

    for (std::size_t start = 0; start < totalFrames; start += blockFrames) {
        const std::size_t frames = std::min(blockFrames, totalFrames - start);
        renderer.renderBlock(long(start), frames);
        for (std::size_t i = 0; i < frames; ++i) {
            output[2 * (start + i)] = std::tanh(renderer.mix[0][i]);  // soft limit
            output[2 * (start + i) + 1] = std::tanh(renderer.mix[1][i]);
        }
    }
    renderer.echo.reset();

    if (!writeWav(path, output)) {
        std::fprintf(stderr, "voices: cannot write %s\n", path.c_str());
        return 1;
    }
    float peak = 0.0f;
    for (float s : output) peak = std::max(peak, std::abs(s));
    std::printf("wrote %s: %d Hz, 2 channels, 16-bit PCM, %zu frames (%.2f s), peak %.3f\n", path.c_str(), sampleRate,
                totalFrames, double(totalFrames) / sampleRate, double(peak));
    adviseOnSize(pool.stats(), renderer.droppedVoiceBlocks);
    return pool.stats().inUse == 0 ? 0 : 1;
}
