// The object-pool page's code (docs/object-pool.md), compiled and run by the
// test suite: the regions between "// [name]" and "// [/name]" are the
// snippets the page shows, checked to be identical by docs/check_snippets.py.
// main() plays a few blocks of notes through the synth, shares events between
// two consumers, prepares a dynamic pool, and checks what each should give.
#include <array>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <utility>
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
        std::fprintf(stderr, "object_pool snippet: %s\n", what);
        ++failures;
    }
}

// [voice]
// A synth voice: plain state, a noexcept constructor, a destructor that frees nothing.
struct Voice {
    Voice(int noteNumber, float velocity) noexcept : note(noteNumber), gain(velocity) {}

    /// Adds this voice to `out`; false once its release has faded out.
    bool render(float* out, int frames) noexcept {
        for (int i = 0; i < frames; ++i) {
            out[i] += gain * (phase < 0.5f ? 1.0f : -1.0f);
            phase += 0.01f * static_cast<float>(note - 40);
            if (phase >= 1.0f) phase -= 1.0f;
            if (releasing) gain *= 0.9f;
        }
        return !releasing || gain > 0.001f;
    }

    int note;
    float gain;
    float phase = 0.0f;
    bool releasing = false;
};

// Every voice made and ended on the audio thread: IndexStack (one thread, no atomics).
using VoicePool = audiopool::ObjectPool<Voice, 16, audiopool::IndexStack>;
constinit VoicePool voicePool;  // slots inline, all zero: in .bss, no heap
// [/voice]

// [synth]
class Synth {
public:
    // Audio thread: a note starts. An exhausted pool steals nothing and
    // allocates nothing: the note is dropped (and counted in the statistics).
    void noteOn(int note, float velocity) noexcept {
        for (auto& slot : voices_)
            if (!slot) {
                slot = voicePool.make(note, velocity);
                return;
            }
    }
    // Audio thread: a note stops; its voice fades out in render().
    void noteOff(int note) noexcept {
        for (auto& voice : voices_)
            if (voice && voice->note == note) voice->releasing = true;
    }
    // Audio thread: a voice that has faded out is destroyed and its slot
    // given back by reset(), here, on this thread.
    void render(float* out, int frames) noexcept {
        for (auto& voice : voices_)
            if (voice && !voice->render(out, frames)) voice.reset();
    }
    int active() const noexcept {
        int n = 0;
        for (const auto& voice : voices_) n += voice ? 1 : 0;
        return n;
    }

private:
    std::array<VoicePool::Unique, 16> voices_;  // two words each; empty = no voice
};
// [/synth]

// [events]
// A note event, made once and read by several consumers (a voice allocator
// and an arpeggiator, say): the last consumer to drop it destroys it.
struct NoteEvent {
    NoteEvent(int noteNumber, float noteVelocity, int offset) noexcept
        : note(noteNumber), velocity(noteVelocity), sampleOffset(offset) {}
    int note;
    float velocity;
    int sampleOffset;
};
using EventPool = audiopool::ObjectPool<NoteEvent, 64>;  // Treiber: any thread
constinit EventPool eventPool;

struct Consumer {
    std::vector<EventPool::Shared> pending;  // reserved before playback
};

void dispatch(int note, float velocity, int offset, Consumer& a, Consumer& b) noexcept {
    EventPool::Shared event = eventPool.makeShared(note, velocity, offset);
    if (!event) return;  // exhausted: counted in eventPool.stats().failedAcquisitions
    if (a.pending.size() < a.pending.capacity()) a.pending.push_back(event);  // a copy: one more reference
    if (b.pending.size() < b.pending.capacity()) b.pending.push_back(event);
}   // `event` goes here; a and b keep the object alive
// [/events]

// [prepare]
// Grains: as many as the host's block size and sample rate call for, so the
// capacity is decided in prepareToPlay. OwnerThread: the audio thread makes
// them; the audio thread or a worker may end them.
struct Grain {
    Grain(std::size_t startFrame, float pitch) noexcept : start(startFrame), rate(pitch) {}
    std::size_t start;
    float rate;
};
audiopool::ObjectPool<Grain, audiopool::dynamic, audiopool::OwnerThread> grains;

// Off the audio thread: allocates one zeroed block. The same capacity again keeps it.
bool prepareToPlay(double sampleRate, int maxBlockFrames) {
    const auto grainsPerBlock = static_cast<std::size_t>(sampleRate / 1000.0) + 1;
    const auto blocksInFlight = static_cast<std::size_t>(4 * 48000 / (maxBlockFrames > 0 ? maxBlockFrames : 1));
    return grains.prepare(grainsPerBlock * blocksInFlight);  // false: keep the old capacity, or report
}
// Off the audio thread, once every grain has ended.
void releaseResources() { (void)grains.releaseMemory(); }
// [/prepare]

// [retire]
// A voice that owns memory (a loaded sample): its destructor frees, so it is
// never destroyed on the audio thread.
struct SampleVoice {
    explicit SampleVoice(std::vector<float>&& loaded) noexcept : samples(std::move(loaded)) {}
    std::vector<float> samples;
};
using SampleVoicePool = audiopool::ObjectPool<SampleVoice, 8>;  // Treiber: the collector may end them
SampleVoicePool sampleVoices;
audiopool::Retirer<32> retirer;

// Audio thread: the voice is done. The handle moves into the retirer; the
// object and its memory go on the collecting thread.
void endVoice(SampleVoicePool::Unique& voice) noexcept {
    if (!retirer.retire(std::move(voice))) {
        // The retirer is full: keep the voice (silent) and try again next block.
    }
}
// Message thread, on a timer: destroys what was retired, frees its memory
// and gives the slots back to the pool.
void collectRetired() { (void)retirer.collect(); }
// [/retire]

// [detach]
// A C API that carries a `void*` of user data per callback: the handle is
// detached into a token kept alive by the pool, and released (destroyed and
// given back) when the callback is done with it.
struct Callback {
    audiopool::Detached token{};
};
void schedule(Callback& callback, int note) noexcept {
    auto event = eventPool.make(note, 1.0f, 0);
    callback.token = event.detach();  // the object lives on; the pool counts it in use
}
void finished(Callback& callback) noexcept {
    // Refused and reported (misuse.hpp) if the token was already released.
    (void)eventPool.release(callback.token);
}
// [/detach]

// [stats]
// From a timer on the message thread (Treiber, SpscRing, OwnerThread: any
// thread; IndexStack: its own thread only).
void logEventPool() {
    const audiopool::Stats s = eventPool.stats();
    std::printf("events: %zu of %zu in use, at most %zu; %llu made, %llu refused\n", s.inUse, s.capacity, s.highWater,
                static_cast<unsigned long long>(s.acquisitions), static_cast<unsigned long long>(s.failedAcquisitions));
}
// [/stats]

// [layout]
// Each slot: the slot's bookkeeping and the object, rounded up to whole
// falseSharingRange blocks, so two objects' owners never write one cache line.
static_assert(VoicePool::slotBytes % audiopool::falseSharingRange == 0);
static_assert(VoicePool::slotBytes >= sizeof(Voice));
// The memory a pool of 16 voices takes: 16 slots and the free list's line.
constexpr std::size_t voiceMemory = 16 * VoicePool::slotBytes;
// [/layout]

}  // namespace

int main() {
    // The synth: three notes, one released and faded out.
    Synth synth;
    std::array<float, 64> block{};
    synth.noteOn(60, 0.8f);
    synth.noteOn(64, 0.7f);
    synth.noteOn(67, 0.6f);
    expect(synth.active() == 3, "three voices after three notes");
    synth.render(block.data(), 64);
    synth.noteOff(64);
    for (int i = 0; i < 20; ++i) synth.render(block.data(), 64);
    expect(synth.active() == 2, "the released voice faded out and went back");
    expect(voicePool.stats().inUse == 2, "the pool counts two voices in use");
    for (int n = 0; n < 20; ++n) synth.noteOn(70 + n, 0.5f);
    expect(synth.active() == 16, "every voice slot taken");
    expect(voicePool.stats().failedAcquisitions == 0, "the synth's own 16 slots ran out first");

    // Events shared by two consumers.
    Consumer a, b;
    a.pending.reserve(8);
    b.pending.reserve(8);
    dispatch(60, 1.0f, 0, a, b);
    dispatch(62, 0.5f, 32, a, b);
    expect(a.pending.size() == 2 && b.pending.size() == 2, "both consumers got both events");
    expect(a.pending[0].get() == b.pending[0].get(), "one object, two references");
    expect(a.pending[0].useCount() == 2, "two references");
    a.pending.clear();
    expect(eventPool.stats().inUse == 2, "b still holds both events");
    b.pending.clear();
    expect(eventPool.stats().inUse == 0, "the last reference gave the events back");

    // Heavier voices go to the retirer.
    {
        auto voice = sampleVoices.make(std::vector<float>(4096, 0.0f));
        expect(static_cast<bool>(voice), "a sample voice made");
        endVoice(voice);
        expect(!voice, "the handle moved into the retirer");
        expect(sampleVoices.stats().inUse == 1, "retired, not yet destroyed");
        collectRetired();
        expect(sampleVoices.stats().inUse == 0, "destroyed by the collector, slot given back");
    }

    // Detached tokens.
    Callback callback;
    schedule(callback, 72);
    expect(eventPool.stats().inUse == 1, "a detached event is in use");
    finished(callback);
    expect(eventPool.stats().inUse == 0, "released");

    // Dynamic capacity.
    expect(grains.capacity() == 0, "no grains before prepareToPlay");
    expect(!grains.make(std::size_t{0}, 1.0f), "no grain before prepareToPlay");
    expect(prepareToPlay(48000.0, 512), "prepared");
    expect(grains.capacity() == std::size_t{49} * 375, "the capacity asked for");
    {
        auto grain = grains.make(std::size_t{128}, 1.5f);
        expect(grain && grain->start == 128, "a grain made");
    }
    releaseResources();
    expect(grains.capacity() == 0, "memory given back");

    logEventPool();
    expect(voiceMemory >= 16 * sizeof(Voice), "the slots hold the voices");
    if (failures == 0) std::printf("object_pool snippet: ok\n");
    return failures == 0 ? 0 : 1;
}
