// The prepared-pool recipes (docs/recipes.md, "Sizes from the host"),
// compiled and run: JUCE's prepareToPlay, CLAP's activate and deactivate,
// VST3's setupProcessing and JACK's buffer-size callback each give a pool
// with dynamic extents its sizes, and every process call handles blocks
// larger than announced in chunks of the prepared frames.
//
// The host types below are stand-ins with the names and signatures of
// JUCE's, the CLAP SDK's, the VST3 SDK's and JACK's, reduced to what the
// recipes use, so the program needs none of them; a plugin includes the
// real headers instead. main() plays each recipe the way its host would,
// blocks of several sizes (one larger than announced among them), and checks
// every output sample and what prepare() answers.
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory_resource>
#include <new>
#include <thread>
#include <vector>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

// ---- JUCE stand-ins (juce_audio_basics, juce_audio_processors) ----------
namespace juce {
template <class T>
class AudioBuffer {
public:
    AudioBuffer(int numChannels, int numSamples)
        : channels_(static_cast<std::size_t>(numChannels), std::vector<T>(static_cast<std::size_t>(numSamples))) {}
    int getNumChannels() const noexcept { return static_cast<int>(channels_.size()); }
    int getNumSamples() const noexcept { return channels_.empty() ? 0 : static_cast<int>(channels_[0].size()); }
    const T* getReadPointer(int c) const noexcept { return channels_[static_cast<std::size_t>(c)].data(); }
    T* getWritePointer(int c) noexcept { return channels_[static_cast<std::size_t>(c)].data(); }

private:
    std::vector<std::vector<T>> channels_;
};
class MidiBuffer {};
class AudioProcessor {
public:
    virtual ~AudioProcessor() = default;
    virtual void prepareToPlay(double sampleRate, int maximumExpectedSamplesPerBlock) = 0;
    virtual void releaseResources() = 0;
    virtual void processBlock(AudioBuffer<float>& buffer, MidiBuffer& midi) = 0;
    /// The bus layout's channels, summed over the buses of each side.
    int getTotalNumInputChannels() const noexcept { return inputs_; }
    int getTotalNumOutputChannels() const noexcept { return outputs_; }
    /// What JUCE's plugin wrappers call before prepareToPlay.
    void setPlayConfigDetails(int numIns, int numOuts, double /*sampleRate*/, int /*blockSize*/) {
        inputs_ = numIns;
        outputs_ = numOuts;
    }

private:
    int inputs_ = 0, outputs_ = 0;
};
} // namespace juce

// ---- CLAP stand-ins (clap/process.h, clap/audio-buffer.h) ----------------
struct clap_audio_buffer_t {
    float** data32;
    double** data64;
    std::uint32_t channel_count;
    std::uint32_t latency;
    std::uint64_t constant_mask;
};
struct clap_process_t {
    std::int64_t steady_time;
    std::uint32_t frames_count;
    const void* transport;
    const clap_audio_buffer_t* audio_inputs;
    clap_audio_buffer_t* audio_outputs;
    std::uint32_t audio_inputs_count;
    std::uint32_t audio_outputs_count;
};
using clap_process_status = std::int32_t;
enum : clap_process_status { CLAP_PROCESS_ERROR = 0, CLAP_PROCESS_CONTINUE = 1 };

// ---- VST3 stand-ins (ivstaudioprocessor.h, vstspeaker.h, audioeffect.h) --
namespace Steinberg {
using int32 = std::int32_t;
using tresult = std::int32_t;
enum : tresult { kResultOk = 0, kResultFalse = 1 };
namespace Vst {
using SpeakerArrangement = std::uint64_t;
using BusDirection = int32;
enum : BusDirection { kInput = 0, kOutput = 1 };
namespace SpeakerArr {
inline constexpr SpeakerArrangement kStereo = 0x3;  // kSpeakerL | kSpeakerR
inline int32 getChannelCount(SpeakerArrangement arrangement) { return std::popcount(arrangement); }
} // namespace SpeakerArr
struct ProcessSetup {
    int32 processMode;
    int32 symbolicSampleSize;
    int32 maxSamplesPerBlock;
    double sampleRate;
};
struct AudioBusBuffers {
    int32 numChannels;
    std::uint64_t silenceFlags;
    float** channelBuffers32;
    double** channelBuffers64;
};
struct ProcessData {
    int32 numSamples;
    int32 numInputs, numOutputs;
    AudioBusBuffers* inputs;
    AudioBusBuffers* outputs;
};
/// The SDK's AudioEffect, reduced to one input and one output bus.
class AudioEffect {
public:
    virtual ~AudioEffect() = default;
    virtual tresult setupProcessing(ProcessSetup& setup) {
        processSetup = setup;
        return kResultOk;
    }
    virtual tresult process(ProcessData& data) = 0;
    tresult setBusArrangements(SpeakerArrangement* inputs, int32 numIns, SpeakerArrangement* outputs, int32 numOuts) {
        if (numIns != 1 || numOuts != 1) return kResultFalse;
        arrangements_[kInput] = inputs[0];
        arrangements_[kOutput] = outputs[0];
        return kResultOk;
    }
    tresult getBusArrangement(BusDirection dir, int32 index, SpeakerArrangement& arrangement) {
        if (index != 0 || (dir != kInput && dir != kOutput)) return kResultFalse;
        arrangement = arrangements_[dir];
        return kResultOk;
    }

protected:
    ProcessSetup processSetup{};

private:
    SpeakerArrangement arrangements_[2]{SpeakerArr::kStereo, SpeakerArr::kStereo};
};
} // namespace Vst
} // namespace Steinberg

// ---- JACK stand-ins (jack/jack.h, jack/types.h) ---------------------------
// A client that records its callbacks, and ports that are plain arrays; the
// "server" in main() calls the callbacks as jackd would.
using jack_nframes_t = std::uint32_t;
using JackProcessCallback = int (*)(jack_nframes_t nframes, void* arg);
using JackBufferSizeCallback = int (*)(jack_nframes_t nframes, void* arg);
struct jack_port_t {
    std::vector<float> samples;
};
struct jack_client_t {
    jack_nframes_t bufferSize = 0;
    JackProcessCallback process = nullptr;
    void* processArg = nullptr;
    JackBufferSizeCallback bufferSizeChanged = nullptr;
    void* bufferSizeArg = nullptr;
    bool active = false;
};
int jack_set_process_callback(jack_client_t* client, JackProcessCallback callback, void* arg) {
    client->process = callback;
    client->processArg = arg;
    return 0;
}
int jack_set_buffer_size_callback(jack_client_t* client, JackBufferSizeCallback callback, void* arg) {
    client->bufferSizeChanged = callback;
    client->bufferSizeArg = arg;
    return 0;
}
jack_nframes_t jack_get_buffer_size(jack_client_t* client) { return client->bufferSize; }
int jack_activate(jack_client_t* client) {
    client->active = true;
    return 0;
}
void* jack_port_get_buffer(jack_port_t* port, jack_nframes_t /*nframes*/) { return port->samples.data(); }

// ---- the recipes ----------------------------------------------------------

// [juce]
class MyProcessor : public juce::AudioProcessor {
public:
    // Before playback, no processBlock running: the host's largest block and
    // the bus layout's output channels. prepare() allocates and touches every
    // page: never on the audio thread. Called again with the same sizes, it
    // keeps the memory; new sizes get a new block.
    void prepareToPlay(double /*sampleRate*/, int maximumExpectedSamplesPerBlock) override {
        // Capacity 0: the type's 4. false (a size of 0, no memory): the pool
        // keeps what it had, and processBlock does what that allows.
        pool.prepare({.channels = static_cast<std::size_t>(std::max(getTotalNumOutputChannels(), 0)),
                      .frames = static_cast<std::size_t>(std::max(maximumExpectedSamplesPerBlock, 0))});
    }

    // After playback: the memory goes back until the next prepareToPlay.
    void releaseResources() override { pool.releaseMemory(); }

    void processBlock(juce::AudioBuffer<float>& buffer, juce::MidiBuffer&) override {
        // The host's memory, no copy: the output channels only (the buffer may
        // have more, input-only ones, which processBlock must not write).
        const audiopool::Sizes sizes = pool.sizes();
        const auto io = audiopool::View<float>(buffer).channels(0, sizes.channels);
        auto wet = pool.acquire(io.numChannels());  // sizes.frames frames
        if (!wet) return;                            // not prepared: the block passes as it is

        // A block larger than the host announced still goes through whole:
        // chunks of at most the prepared frames, each a view of the host's block.
        for (const audiopool::View<float> chunk : audiopool::chunks(io, sizes.frames)) {
            wet.copyFrom(chunk);  // into wet's first chunk.numFrames() frames
            for (std::size_t c = 0; c < wet.numChannels(); ++c)
                for (float& s : wet.channel(c).first(chunk.numFrames())) s *= 0.5f;  // the effect
            wet.copyTo(chunk);  // back into the host's block: chunk.numFrames() frames
        }
    }  // wet goes back to the pool here

private:
    // Channels and frames from the host, four buffers.
    using Pool = audiopool::Pool<float, audiopool::dynamic, audiopool::dynamic, 4, audiopool::IndexStack>;
    Pool pool;  // no buffers (and no memory) until prepareToPlay
};
// [/juce]

// [clap]
// The plugin's clap_plugin_t functions forward to these members. Its audio
// ports are stereo: the channels are the type's, the frames the host's.
struct MyClapPlugin {
    // Main thread. prepare() allocates: here, never in process(). false: the
    // host sees the activation fail.
    bool activate(double /*sample_rate*/, std::uint32_t /*min_frames_count*/, std::uint32_t max_frames_count) {
        return pool.prepare({.frames = max_frames_count});  // channels and capacity: 0, the type's
    }

    // Main thread, after the last process(): the memory goes back.
    void deactivate() { pool.releaseMemory(); }

    // Audio thread.
    clap_process_status process(const clap_process_t* process) {
        const clap_audio_buffer_t& in = process->audio_inputs[0];
        clap_audio_buffer_t& out = process->audio_outputs[0];
        const audiopool::View<const float> input(in.data32, in.channel_count, process->frames_count);
        const audiopool::View<float> output(out.data32, out.channel_count, process->frames_count);
        auto tmp = pool.acquire(input.numChannels());  // pool.sizes().frames frames
        if (!tmp) return CLAP_PROCESS_ERROR;            // not activated, or more than two channels

        // frames_count past max_frames_count breaks CLAP's rule; it still works.
        for (auto [start, count] : audiopool::chunks(process->frames_count, pool.sizes().frames)) {
            tmp.copyFrom(input.frames(start, count));
            for (std::size_t c = 0; c < tmp.numChannels(); ++c)
                for (float& s : tmp.channel(c).first(count)) s = -s;  // the effect
            tmp.copyTo(output.frames(start, count));
        }
        return CLAP_PROCESS_CONTINUE;
    }

    using Pool = audiopool::Pool<float, 2, audiopool::dynamic, 2, audiopool::IndexStack>;
    Pool pool;
};
// [/clap]

// [vst3]
// A DSP stage that takes any pool of float: through a PoolRef it reads the
// pool's sizes now, so it follows every prepare().
struct Stage {
    audiopool::PoolRef<float> scratch;

    void process(audiopool::View<float> io) const {  // audio thread
        auto tmp = scratch.acquire(io.numChannels(), scratch.frames());
        if (!tmp) return;
        for (const audiopool::View<float> chunk : audiopool::chunks(io, scratch.frames())) {
            tmp.copyFrom(chunk);
            for (std::size_t c = 0; c < tmp.numChannels(); ++c)
                for (float& s : tmp.channel(c).first(chunk.numFrames())) s *= 0.25f;  // the effect
            tmp.copyTo(chunk);
        }
    }
};

class MyVst3Processor : public Steinberg::Vst::AudioEffect {
public:
    // Called while the processor is inactive (before setActive(true)), on a
    // non-audio thread: the largest block, and the output bus's arrangement.
    Steinberg::tresult setupProcessing(Steinberg::Vst::ProcessSetup& setup) override {
        Steinberg::Vst::SpeakerArrangement arrangement = 0;
        getBusArrangement(Steinberg::Vst::kOutput, 0, arrangement);
        const Steinberg::int32 channels = Steinberg::Vst::SpeakerArr::getChannelCount(arrangement);
        const bool prepared = pool.prepare({.channels = static_cast<std::size_t>(std::max(channels, 0)),
                                            .frames = static_cast<std::size_t>(std::max(setup.maxSamplesPerBlock, 0)),
                                            .capacity = 2});
        return prepared ? AudioEffect::setupProcessing(setup) : Steinberg::kResultFalse;
    }

    Steinberg::tresult process(Steinberg::Vst::ProcessData& data) override {
        if (data.numInputs == 0 || data.numOutputs == 0) return Steinberg::kResultOk;
        const auto frames = static_cast<std::size_t>(std::max(data.numSamples, 0));
        const audiopool::View<const float> in(data.inputs[0].channelBuffers32,
                                              static_cast<std::size_t>(data.inputs[0].numChannels), frames);
        const audiopool::View<float> out(data.outputs[0].channelBuffers32,
                                         static_cast<std::size_t>(data.outputs[0].numChannels), frames);
        out.copyFrom(in);   // the host's memory only
        stage.process(out);  // in place, through a pooled buffer
        return Steinberg::kResultOk;
    }

private:
    using Pool =
        audiopool::Pool<float, audiopool::dynamic, audiopool::dynamic, audiopool::dynamic, audiopool::IndexStack>;
    Pool pool;          // every size from setupProcessing
    Stage stage{pool};  // refers to it: sees each new size
};
// [/vst3]

// [jack]
struct MyJackClient {
    // Before jack_activate: the server's buffer size now, and a callback
    // for every change.
    bool start(jack_client_t* client) {
        jack_set_process_callback(client, &MyJackClient::process, this);
        jack_set_buffer_size_callback(client, &MyJackClient::bufferSize, this);
        return pool.prepare({.frames = jack_get_buffer_size(client)}) && jack_activate(client) == 0;
    }

    // JACK's notification thread. jack_set_buffer_size() stops the process
    // cycle, calls every buffer-size callback, then restarts the cycle: no
    // process() runs now and every buffer is back, so prepare() may
    // allocate here. Non-zero: JACK reports the client's failure.
    static int bufferSize(jack_nframes_t nframes, void* arg) {
        return static_cast<MyJackClient*>(arg)->pool.prepare({.frames = nframes}) ? 0 : 1;
    }

    // The process thread.
    static int process(jack_nframes_t nframes, void* arg) {
        auto& self = *static_cast<MyJackClient*>(arg);
        const float* in[2];
        float* out[2];
        for (std::size_t c = 0; c < 2; ++c) {
            in[c] = static_cast<const float*>(jack_port_get_buffer(self.inputs[c], nframes));
            out[c] = static_cast<float*>(jack_port_get_buffer(self.outputs[c], nframes));
        }
        auto tmp = self.pool.acquire(2);  // pool.sizes().frames frames
        if (!tmp) return 0;
        for (auto [start, count] : audiopool::chunks(nframes, self.pool.sizes().frames)) {
            tmp.copyFrom(in, 2, nframes, start);
            for (std::size_t c = 0; c < tmp.numChannels(); ++c)
                for (float& s : tmp.channel(c).first(count)) s *= 0.75f;  // the effect
            tmp.copyTo(out, 2, nframes, start);
        }
        return 0;
    }

    jack_port_t* inputs[2]{};   // from jack_port_register
    jack_port_t* outputs[2]{};
    using Pool = audiopool::Pool<float, 2, audiopool::dynamic, 2, audiopool::IndexStack>;
    Pool pool;
};
// [/jack]

// ---- checks ---------------------------------------------------------------

int failures = 0;
void check(bool ok, const char* what) {
    if (!ok) {
        ++failures;
        std::printf("FAILED: %s\n", what);
    }
}

// [outcomes]
void prepareOutcomes() {
    using Scratch = audiopool::Pool<float, audiopool::dynamic, audiopool::dynamic, audiopool::dynamic>;
    Scratch pool;  // not prepared: no memory, sizes() all 0
    check(!pool.acquire(1, 64) && pool.stats().rejectedRequests == 1, "before prepare: an empty handle, rejected");

    // Off the audio thread: one zeroed block (buffers, bookkeeping, free list).
    check(pool.prepare({.channels = 2, .frames = 256, .capacity = 8}), "prepared");
    check(pool.acquire().numFrames() == 256 && pool.stats().acquisitions == 1, "a whole buffer: 256 frames");

    // The same sizes again: the same memory, the statistics kept.
    check(pool.prepare({.channels = 2, .frames = 256, .capacity = 8}) && pool.stats().acquisitions == 1, "kept");

    {
        auto held = pool.acquire(2, 100);
        check(!pool.prepare({.channels = 2, .frames = 1024, .capacity = 8}), "a buffer is out: false");
        check(pool.sizes() == audiopool::Sizes{2, 256, 8}, "and nothing changed");
    }
    check(!pool.prepare({.channels = 0, .frames = 1024, .capacity = 8}), "a size of 0: false");

    // Other sizes: a new block, the old one given back, statistics from 0.
    check(pool.prepare({.channels = 2, .frames = 1024, .capacity = 8}) && pool.stats().acquisitions == 0, "re-sized");

    check(pool.releaseMemory() && pool.sizes() == audiopool::Sizes{}, "memory given back: as before prepare()");
}
// [/outcomes]

/// A resource that counts its blocks, and throws or misaligns on request.
class TestResource : public std::pmr::memory_resource {
public:
    enum class Mode { Normal, Throw, Misalign };
    explicit TestResource(Mode mode = Mode::Normal) : mode_(mode) {}
    int allocations = 0, deallocations = 0;

private:
    // Misalign: the memory starts this far in: aligned as asked (max_align_t), not to a cache line.
    static constexpr std::size_t skew = 16;
    void* do_allocate(std::size_t bytes, std::size_t alignment) override {
        if (mode_ == Mode::Throw) throw std::bad_alloc();
        ++allocations;
        auto* memory = static_cast<std::byte*>(std::pmr::new_delete_resource()->allocate(bytes + skew, alignment));
        return mode_ == Mode::Misalign ? memory + skew : memory;
    }
    void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
        ++deallocations;
        auto* memory = static_cast<std::byte*>(p) - (mode_ == Mode::Misalign ? skew : 0);
        std::pmr::new_delete_resource()->deallocate(memory, bytes + skew, alignment);
    }
    bool do_is_equal(const std::pmr::memory_resource& that) const noexcept override { return this == &that; }
    Mode mode_;
};

/// What docs/guarantees.md says prepare(), releaseMemory() and sizes() do.
void moreOutcomes() {
    using Dynamic = audiopool::Pool<float, audiopool::dynamic, audiopool::dynamic, audiopool::dynamic>;
    Dynamic pool;
    check(!pool.acquire() && !pool.acquire(2) && !pool.acquireShared() && pool.stats().rejectedRequests == 3,
          "unprepared: every acquire empty, counted as rejected");
    check(pool.releaseMemory(), "releaseMemory before prepare: nothing to give back");

    TestResource counted;
    check(pool.prepare({2, 64, 4}, &counted) && counted.allocations == 1, "prepared from a resource");
    check(pool.prepare({2, 64, 4}, &counted) && counted.allocations == 1, "same sizes, same resource: no allocation");
    const audiopool::Stats before = pool.stats();
    check(!pool.prepare({2, 64, 4}, nullptr), "a null resource: false");
    TestResource throwing(TestResource::Mode::Throw);
    check(!pool.prepare({2, 128, 4}, &throwing), "a throwing resource: false");
    check(!pool.prepare({2, 64, 0}, &counted) && !pool.prepare({2, 0, 4}, &counted), "a size of 0: false");
    check(!pool.prepare({2, 64, 65535}, &counted), "capacity over Treiber's 65534: false");
    if constexpr (sizeof(std::size_t) > 4)
        check(!pool.prepare({2, std::size_t{1} << 32, 4}, &counted), "frames over 2^32 - 1: false");
    check(pool.sizes() == audiopool::Sizes{2, 64, 4} && pool.stats() == before && counted.allocations == 1,
          "after every refusal: the same sizes, statistics and memory");
    {
        TestResource loose(TestResource::Mode::Misalign);
        Dynamic other;  // destroyed before `loose`, to which it gives its block back
        check(other.prepare({2, 128, 4}, &loose) &&
                  reinterpret_cast<std::uintptr_t>(other.acquire().channel(0).data()) % audiopool::cacheLineSize == 0,
              "memory aligned only as asked: the pool aligns its block inside it");
    }
    {
        auto detached = pool.acquire().detach();
        check(!pool.prepare({2, 32, 4}, &counted) && !pool.releaseMemory(), "a detached buffer is out: false");
        check(pool.release(detached), "given back");
    }
    TestResource other;
    check(pool.prepare({2, 64, 4}, &other) && other.allocations == 1 && counted.deallocations == 1,
          "another resource: a new block, the old one given back");
    check(pool.releaseMemory() && other.deallocations == 1 && pool.sizes() == audiopool::Sizes{}, "released");

    // A PoolRef reads a prepared pool's sizes through the pool.
    const audiopool::PoolRef<float> ref(pool);
    check(ref.sizes() == audiopool::Sizes{} && !ref.acquire(), "PoolRef: unprepared");
    check(pool.prepare({3, 100, 2}) && ref.sizes() == audiopool::Sizes{3, 100, 2} && ref.acquire().numFrames() == 100,
          "PoolRef: the prepared sizes");

    // Extents the type fixes: 0 or their own value.
    audiopool::Pool<float, 2, audiopool::dynamic, 4, audiopool::SpscRing> mixed;
    check(!mixed.prepare({.channels = 3, .frames = 64}) &&
              mixed.prepare({.channels = 2, .frames = 64, .capacity = 4}) && mixed.prepare({.frames = 64}) &&
              mixed.sizes() == audiopool::Sizes{2, 64, 4},
          "a fixed extent: 0 or its own value");

    // A static pool: prepare() allocates nothing and prefaults it.
    audiopool::Pool<float, 2, 64, 4, audiopool::OwnerThread> fixed;
    check(fixed.prepare({}) && fixed.prepare({2, 64, 4}) && !fixed.prepare({2, 128, 4}), "a static pool's sizes");
    {
        auto held = fixed.acquire();
        check(!fixed.prepare({}) && !fixed.releaseMemory(), "a static pool with a buffer out: false");
    }
    check(fixed.releaseMemory() && fixed.sizes() == audiopool::Sizes{2, 64, 4}, "a static pool keeps its sizes");
}

/// A sample unique to its position, exact in float, and so are half, a
/// quarter, three quarters and the negation of it.
float inputSample(std::size_t channel, std::size_t frame) {
    return static_cast<float>(channel * 10000 + frame + 1) / 16.0f;
}

/// Two channels of host memory: inputs filled with inputSample, outputs with
/// a value no recipe writes (so a frame left unwritten shows).
struct Block {
    explicit Block(std::size_t frames) : frames(frames) {
        for (std::size_t c = 0; c < 2; ++c) {
            in[c].resize(frames);
            out[c].assign(frames, 12345.0f);
            for (std::size_t i = 0; i < frames; ++i) in[c][i] = inputSample(c, i);
            inputs[c] = in[c].data();
            outputs[c] = out[c].data();
        }
    }
    /// Output samples that are not effect(input), and input samples that changed.
    template <class Effect>
    std::size_t wrong(Effect effect) const {
        std::size_t n = 0;
        for (std::size_t c = 0; c < 2; ++c)
            for (std::size_t i = 0; i < frames; ++i)
                n += (out[c][i] != effect(inputSample(c, i))) + (in[c][i] != inputSample(c, i));
        return n;
    }
    std::size_t frames;
    std::vector<float> in[2], out[2];
    float* inputs[2]{};
    float* outputs[2]{};
};

// Block sizes: as announced, shorter, one frame, none, one over, and several
// times the announced size.
constexpr std::size_t announced = 256;
constexpr std::size_t blockSizes[] = {announced, 100, 1, 0, announced + 1, 4 * announced + 3};

/// Samples of a JUCE block of `channels` channels after processBlock that
/// are not effect(input) on the first `processed` channels, or not the input
/// on the others.
template <class Effect>
std::size_t juceBlock(MyProcessor& processor, std::size_t frames, Effect effect, int channels = 2, int processed = 2) {
    juce::AudioBuffer<float> buffer(channels, static_cast<int>(frames));
    for (int c = 0; c < channels; ++c)
        for (std::size_t i = 0; i < frames; ++i)
            buffer.getWritePointer(c)[i] = inputSample(static_cast<std::size_t>(c), i);
    juce::MidiBuffer midi;
    processor.processBlock(buffer, midi);
    std::size_t wrong = 0;
    for (int c = 0; c < channels; ++c)
        for (std::size_t i = 0; i < frames; ++i) {
            const float x = inputSample(static_cast<std::size_t>(c), i);
            wrong += buffer.getReadPointer(c)[i] != (c < processed ? effect(x) : x);
        }
    return wrong;
}

void juceHost() {
    MyProcessor processor;
    const auto half = [](float x) { return 0.5f * x; };
    const auto same = [](float x) { return x; };
    check(juceBlock(processor, 64, same) == 0, "juce: before prepareToPlay the block passes as it is");
    processor.setPlayConfigDetails(2, 2, 48000.0, static_cast<int>(announced));
    processor.prepareToPlay(48000.0, static_cast<int>(announced));
    processor.prepareToPlay(48000.0, static_cast<int>(announced));  // hosts do call it twice
    std::size_t wrong = 0;
    for (const std::size_t frames : blockSizes) wrong += juceBlock(processor, frames, half);
    check(wrong == 0, "juce: every block, larger than announced too");
    check(juceBlock(processor, 300, half, 3, 2) == 0, "juce: a third, input-only channel is left alone");
    processor.prepareToPlay(44100.0, 64);  // new settings: chunks of 64
    check(juceBlock(processor, 1000, half) == 0, "juce: re-prepared for 64 frames, a 1000-frame block");
    processor.releaseResources();
    check(juceBlock(processor, 100, same) == 0, "juce: after releaseResources the block passes as it is");
    processor.prepareToPlay(48000.0, 0);  // a size of 0: refused
    check(juceBlock(processor, 100, same) == 0, "juce: prepareToPlay with no block size: the block passes");
    processor.setPlayConfigDetails(2, 1, 48000.0, static_cast<int>(announced));  // stereo in, mono out
    processor.prepareToPlay(48000.0, static_cast<int>(announced));
    check(juceBlock(processor, 700, half, 2, 1) == 0, "juce: mono out, the input-only channel left alone");
    std::printf("juce recipe: %zu wrong samples\n", wrong);
}

void clapHost() {
    MyClapPlugin plugin;
    check(plugin.activate(48000.0, 1, announced), "clap: activated");
    std::size_t wrong = 0;
    for (const std::size_t frames : blockSizes) {
        Block block(frames);
        clap_audio_buffer_t in{block.inputs, nullptr, 2, 0, 0}, out{block.outputs, nullptr, 2, 0, 0};
        const clap_process_t process{0, static_cast<std::uint32_t>(frames), nullptr, &in, &out, 1, 1};
        check(plugin.process(&process) == CLAP_PROCESS_CONTINUE, "clap: process continues");
        wrong += block.wrong([](float x) { return -x; });
    }
    check(wrong == 0, "clap: every block, larger than announced too");
    const audiopool::Stats s = plugin.pool.stats();
    check(s.acquisitions == std::size(blockSizes) && s.inUse == 0 && s.highWater == 1, "clap: one buffer per call");
    plugin.deactivate();
    check(plugin.pool.sizes().frames == 0, "clap: deactivated, no memory");
    Block block(announced);
    clap_audio_buffer_t in{block.inputs, nullptr, 2, 0, 0}, out{block.outputs, nullptr, 2, 0, 0};
    const clap_process_t process{0, announced, nullptr, &in, &out, 1, 1};
    check(plugin.process(&process) == CLAP_PROCESS_ERROR && block.wrong([](float) { return 12345.0f; }) == 0,
          "clap: process while inactive writes nothing");
    check(!plugin.activate(48000.0, 1, 0), "clap: an activation for 0 frames fails");
    std::printf("clap recipe: %zu wrong samples\n", wrong);
}

void vst3Host() {
    MyVst3Processor processor;
    Steinberg::Vst::SpeakerArrangement stereo = Steinberg::Vst::SpeakerArr::kStereo;
    check(processor.setBusArrangements(&stereo, 1, &stereo, 1) == Steinberg::kResultOk, "vst3: stereo");
    Steinberg::Vst::ProcessSetup setup{0, 0, static_cast<Steinberg::int32>(announced), 48000.0};
    check(processor.setupProcessing(setup) == Steinberg::kResultOk, "vst3: set up");
    check(processor.setupProcessing(setup) == Steinberg::kResultOk, "vst3: set up again, the same sizes");
    std::size_t wrong = 0;
    for (const std::size_t frames : blockSizes) {
        Block block(frames);
        Steinberg::Vst::AudioBusBuffers in{2, 0, block.inputs, nullptr}, out{2, 0, block.outputs, nullptr};
        Steinberg::Vst::ProcessData data{static_cast<Steinberg::int32>(frames), 1, 1, &in, &out};
        check(processor.process(data) == Steinberg::kResultOk, "vst3: processed");
        wrong += block.wrong([](float x) { return 0.25f * x; });
    }
    check(wrong == 0, "vst3: every block, larger than announced too");
    Steinberg::Vst::ProcessSetup none{0, 0, 0, 48000.0};
    check(processor.setupProcessing(none) == Steinberg::kResultFalse, "vst3: a setup for 0 frames fails");
    std::printf("vst3 recipe: %zu wrong samples\n", wrong);
}

void jackHost() {
    jack_port_t ports[4];
    MyJackClient client;
    for (std::size_t c = 0; c < 2; ++c) {
        client.inputs[c] = &ports[c];
        client.outputs[c] = &ports[2 + c];
    }
    jack_client_t server;
    server.bufferSize = announced;
    check(client.start(&server) && server.active, "jack: started");
    // One cycle as the server runs it: the ports' buffers, then process.
    const auto cycle = [&](std::size_t frames) {
        for (std::size_t c = 0; c < 2; ++c) {
            ports[c].samples.resize(frames);
            for (std::size_t i = 0; i < frames; ++i) ports[c].samples[i] = inputSample(c, i);
            ports[2 + c].samples.assign(frames, 12345.0f);
        }
        server.process(static_cast<jack_nframes_t>(frames), server.processArg);
        std::size_t wrong = 0;
        for (std::size_t c = 0; c < 2; ++c)
            for (std::size_t i = 0; i < frames; ++i) wrong += ports[2 + c].samples[i] != 0.75f * inputSample(c, i);
        return wrong;
    };
    std::size_t wrong = 0;
    for (const std::size_t frames : blockSizes) wrong += cycle(frames);
    // jack_set_buffer_size(client, 1024): the cycle stops, the callback runs, the cycle restarts.
    server.bufferSize = 1024;
    check(server.bufferSizeChanged(server.bufferSize, server.bufferSizeArg) == 0, "jack: buffer size changed");
    check(client.pool.sizes() == audiopool::Sizes{2, 1024, 2} && client.pool.stats().acquisitions == 0,
          "jack: the new size, statistics from 0");
    // The process thread is another thread than the one that prepared (checked
    // builds: a thread the policy does not allow would be reported, and abort).
    std::thread([&] { wrong += cycle(1024) + cycle(3000); }).join();
    check(server.bufferSizeChanged(server.bufferSize, server.bufferSizeArg) == 0 &&
              client.pool.stats().acquisitions == 2,
          "jack: the same size again keeps the statistics");
    check(wrong == 0, "jack: every cycle");
    std::printf("jack recipe: %zu wrong samples\n", wrong);
}

int main() {
    prepareOutcomes();
    moreOutcomes();
    juceHost();
    clapHost();
    vst3Host();
    jackHost();
    std::printf("prepare recipes: %s\n", failures == 0 ? "ok" : "FAILED");
    return failures == 0 ? 0 : 1;
}
