// synth_voices: a polyphonic synth whose voices come from an
// audiopool::ObjectPool and whose per-block temporaries come from an
// audiopool::Arena, so its audio callback allocates nothing.
//
// The voices live in a `constinit ObjectPool<Voice, 16, IndexStack>` (in
// .bss: no allocation at start-up either; IndexStack because the audio
// thread alone makes and drops voices). A note-on makes a voice and keeps
// its Unique handle in a fixed array; when all 16 are busy the make is
// refused and the note is dropped (counted; a synth could steal the oldest
// voice instead). A voice whose release has ended is dropped right there,
// on the audio thread: its destructor is trivial, so that costs nothing.
//
// Everything a block needs for a moment comes from a `constinit Arena`: a
// frame opened at the top of the callback gives the stereo mix bus (a View
// from frame.buffer<float>(2, frames)); a frame per voice gives its scratch
// channel and its oversampling work area, whose size depends on the note
// (frame.take<float>(n)). Each frame's memory comes back when it ends. The
// callback is marked AUDIOPOOL_NONBLOCKING: RealtimeSanitizer
// (-fsanitize=realtime) stops the program if anything inside allocates,
// frees, locks or blocks (docs/real-time.md).
//
//     synth_voices [blocks]      (default 500 blocks of 64 frames)
//
// The note sequence is fixed: an arpeggio that holds 16 notes, a 17th note
// while they are all held (refused), then single notes. The program prints
// what the pool and the arena saw, and the output's peak level, silent
// blocks and a checksum of its samples, the same on every run.
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#ifdef AUDIOPOOL_IMPORT
import audiopool;
#include <audiopool/config.hpp>  // the library's macros (AUDIOPOOL_NONBLOCKING): a module exports none
#else
#include <audiopool/audiopool.hpp>
#endif

namespace {

constexpr float sampleRate = 48000.0f;
constexpr std::size_t blockFrames = 64;
constexpr std::size_t maxVoices = 16;
constexpr float mixGain = 0.125f;  // headroom for 16 voices at once

/// Each MIDI note's frequency in Hz, computed at compile time (no libm call
/// on the audio thread): equal temperament from A4 = 440 Hz.
constexpr std::array<float, 128> noteFrequencies = [] {
    constexpr double semitone = 1.0594630943592952646;  // 2^(1/12)
    std::array<float, 128> hz{};
    double f = 440.0;
    for (int n = 69; n < 128; ++n, f *= semitone) hz[std::size_t(n)] = float(f);
    f = 440.0;
    for (int n = 69; n >= 0; --n, f /= semitone) hz[std::size_t(n)] = float(f);
    return hz;
}();

/// One sounding note: a sawtooth, rendered oversampled and low-passed, with
/// an attack / release envelope. Plain data: its destructor is trivial, as
/// one that runs on the audio thread must be cheap.
class Voice {
public:
    Voice(int note, float velocity) noexcept
        : note_(note), gain_(velocity / 127.0f),
          // Higher notes alias more: render them at a higher rate.
          oversampling_(note >= 72   ? 4
                        : note >= 60 ? 2
                                     : 1),
          increment_(noteFrequencies[std::size_t(note) & 127] / (sampleRate * float(oversampling_))) {}

    int note() const noexcept { return note_; }
    std::size_t oversampling() const noexcept { return oversampling_; }
    bool finished() const noexcept { return released_ && level_ <= 0.0f; }
    void release() noexcept { released_ = true; }

    /// Renders `out.size()` samples into `out`, using `work` (oversampling()
    /// times as many) for the oversampled sawtooth.
    void render(std::span<float> out, std::span<float> work) noexcept {
        for (float& sample : work) {
            sample = 2.0f * phase_ - 1.0f;
            phase_ += increment_;
            if (phase_ >= 1.0f) phase_ -= 1.0f;
        }
        for (std::size_t n = 0; n < out.size(); ++n) {
            float sum = 0.0f;  // one-pole low-pass, then keep every oversampling()-th sample
            for (std::size_t k = 0; k < oversampling_; ++k) {
                filter_ += 0.25f * (work[n * oversampling_ + k] - filter_);
                sum = filter_;
            }
            out[n] = sum * level_ * gain_;
            level_ = released_ ? std::fmax(0.0f, level_ - releaseStep) : std::fmin(1.0f, level_ + attackStep);
        }
    }

private:
    static constexpr float attackStep = 1.0f / (0.005f * sampleRate);  // 5 ms attack
    static constexpr float releaseStep = 1.0f / (0.05f * sampleRate);  // 50 ms release

    int note_;
    float gain_;
    std::size_t oversampling_;
    float increment_;
    float phase_ = 0.0f, filter_ = 0.0f, level_ = 0.0f;
    bool released_ = false;
};
static_assert(std::is_trivially_destructible_v<Voice>);

using VoicePool = audiopool::ObjectPool<Voice, maxVoices, audiopool::IndexStack>;
constinit VoicePool voicePool;
// The most one block takes: the bus (2 channels) and one voice's scratch
// channel and largest work area at a time, each padded. 64 KiB is ample;
// arena.stats().highWater says what a run needed.
constinit audiopool::Arena<std::size_t{64} * 1024> arena;

/// A note starting or ending at a block (what a host's MIDI events give).
struct NoteEvent {
    std::size_t block;
    int note;
    bool on;
};

/// The fixed sequence: 16 notes arpeggiated and held, a 17th while all are
/// held, then 23 short notes one after another.
std::vector<NoteEvent> makeSequence() {
    std::vector<NoteEvent> events;
    for (int i = 0; i < 16; ++i) {
        events.push_back({10 + std::size_t(i) * 2, 48 + i * 2, true});
        events.push_back({80 + std::size_t(i), 48 + i * 2, false});
    }
    events.push_back({60, 90, true});  // all 16 held: refused
    events.push_back({70, 90, false}); // no voice plays it: ignored
    for (int i = 0; i < 23; ++i) {
        events.push_back({200 + std::size_t(i) * 10, 55 + (i * 5) % 29, true});
        events.push_back({206 + std::size_t(i) * 10, 55 + (i * 5) % 29, false});
    }
    return events;
}

/// What the audio thread owns and counts.
struct Synth {
    std::array<VoicePool::Unique, maxVoices> voices;  // empty handles where no voice plays
    std::size_t notes = 0, made = 0, refused = 0, peakVoices = 0, ended = 0;
};

void noteOn(Synth& synth, int note, float velocity) noexcept AUDIOPOOL_NONBLOCKING {
    ++synth.notes;
    VoicePool::Unique voice = voicePool.make(note, velocity);
    if (!voice) {  // every voice busy: the pool refused (and counted it)
        ++synth.refused;
        return;
    }
    ++synth.made;
    for (auto& held : synth.voices)
        if (!held) {  // the array has a place for every voice the pool holds
            held = std::move(voice);
            break;
        }
}

void noteOff(Synth& synth, int note) noexcept AUDIOPOOL_NONBLOCKING {
    for (auto& held : synth.voices)
        if (held && held->note() == note) held->release();
}

/// One audio callback: the block's note events, then every voice rendered
/// and mixed into the bus, then the bus copied out.
void callback(Synth& synth, std::span<const NoteEvent> events, float* left, float* right,
              std::size_t frames) noexcept AUDIOPOOL_NONBLOCKING {
    auto frame = arena.frame();  // everything taken below comes back at its end
    for (const NoteEvent& event : events) {
        if (event.on) noteOn(synth, event.note, 100.0f);
        else noteOff(synth, event.note);
    }
    const audiopool::View<float> bus = frame.buffer<float>(2, frames);
    if (bus.numChannels() != 2) {  // the arena is sized so that this never happens: silence if it does
        std::memset(left, 0, frames * sizeof(float));
        std::memset(right, 0, frames * sizeof(float));
        return;
    }
    bus.clear();

    std::size_t sounding = 0;
    for (std::size_t v = 0; v < synth.voices.size(); ++v) {
        VoicePool::Unique& voice = synth.voices[v];
        if (!voice) continue;
        ++sounding;
        {
            auto voiceFrame = arena.frame();  // this voice's temporaries, back before the next voice's
            const std::span<float> scratch = voiceFrame.take<float>(frames);
            const std::span<float> work = voiceFrame.take<float>(frames * voice->oversampling());
            if (scratch.empty() || work.empty()) continue;  // never with this arena: counted in failedTakes
            voice->render(scratch, work);
            const float pan = float(v) / float(maxVoices - 1);  // spread the voices across the stereo field
            for (std::size_t n = 0; n < frames; ++n) {
                bus.channel(0)[n] += scratch[n] * mixGain * (1.0f - pan);
                bus.channel(1)[n] += scratch[n] * mixGain * pan;
            }
        }
        if (voice->finished()) {
            voice.reset();  // the voice is destroyed here, its slot back in the pool
            ++synth.ended;
        }
    }
    if (sounding > synth.peakVoices) synth.peakVoices = sounding;
    std::memcpy(left, bus.channel(0).data(), frames * sizeof(float));
    std::memcpy(right, bus.channel(1).data(), frames * sizeof(float));
}

} // namespace

int main(int argc, char** argv) {
    const long blocksWanted = argc > 1 ? std::atol(argv[1]) : 500;
    if (blocksWanted <= 0) {
        std::fprintf(stderr, "synth_voices: blocks must be positive\n");
        return 2;
    }
    const auto blocks = static_cast<std::size_t>(blocksWanted);

    // prepareToPlay: touch the pool's and the arena's pages (in .bss) so that
    // the first blocks take no page fault.
    voicePool.prefault();
    arena.prefault();
    const std::vector<NoteEvent> sequence = makeSequence();

    // The host's audio loop: each block gets the events that fall in it.
    Synth synth;
    std::array<float, blockFrames> left{}, right{};
    std::array<NoteEvent, 2 * maxVoices + 2> blockEvents{};
    float peak = 0.0f;
    std::size_t silentBlocks = 0;
    std::uint64_t checksum = 0xcbf29ce484222325ULL;  // FNV-1a over the samples' bits
    for (std::size_t b = 0; b < blocks; ++b) {
        std::size_t count = 0;
        for (const NoteEvent& event : sequence)
            if (event.block == b && count < blockEvents.size()) blockEvents[count++] = event;
        callback(synth, std::span<const NoteEvent>(blockEvents.data(), count), left.data(), right.data(), blockFrames);
        float blockPeak = 0.0f;
        for (std::size_t n = 0; n < blockFrames; ++n) {
            blockPeak = std::fmax(blockPeak, std::fmax(std::fabs(left[n]), std::fabs(right[n])));
            for (const float* sample : {&left[n], &right[n]}) {
                std::uint32_t bits = 0;
                std::memcpy(&bits, sample, sizeof(bits));
                checksum = (checksum ^ bits) * 0x100000001b3ULL;
            }
        }
        peak = std::fmax(peak, blockPeak);
        if (blockPeak == 0.0f) ++silentBlocks;
    }
    // The host stops: voices still sounding are dropped.
    std::size_t stopped = 0;
    for (auto& voice : synth.voices)
        if (voice) {
            voice.reset();
            ++stopped;
        }

    const audiopool::Stats p = voicePool.stats();
    const audiopool::ArenaStats a = arena.stats();
    std::printf("blocks %zu, notes %zu, voices made %zu, refused %zu (all %zu busy), peak voices %zu\n", blocks,
                synth.notes, synth.made, synth.refused, maxVoices, synth.peakVoices);
    std::printf("voices ended by their envelope %zu, stopped by the host %zu\n", synth.ended, stopped);
    std::printf("object pool: inUse %zu/%zu, highWater %zu, acquisitions %llu, releases %llu, failed %llu, "
                "misuses %llu\n",
                p.inUse, p.capacity, p.highWater, static_cast<unsigned long long>(p.acquisitions),
                static_cast<unsigned long long>(p.releases), static_cast<unsigned long long>(p.failedAcquisitions),
                static_cast<unsigned long long>(p.misuses));
    std::printf("arena: capacity %zu, highWater %zu bytes, failed takes %llu, misuses %llu\n", a.capacity, a.highWater,
                static_cast<unsigned long long>(a.failedTakes), static_cast<unsigned long long>(a.misuses));
    std::printf("output: peak %.3f, silent blocks %zu of %zu, checksum %016llx\n", double(peak), silentBlocks, blocks,
                static_cast<unsigned long long>(checksum));
    const bool consistent = p.inUse == 0 && p.acquisitions == synth.made && p.releases == synth.made &&
                            p.failedAcquisitions == synth.refused && p.misuses == 0 && a.failedTakes == 0 &&
                            a.misuses == 0 && a.used == 0 && synth.made + synth.refused == synth.notes &&
                            synth.ended + stopped == synth.made && peak > 0.0f;
    std::printf("%s\n", consistent ? "ok" : "INCONSISTENT");
    return consistent ? 0 : 1;
}
