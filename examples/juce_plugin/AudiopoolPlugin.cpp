// juce_plugin: a JUCE audio plugin (LV2, VST3, Standalone) that uses
// audiopool the way docs/recipes.md says:
//
//  - pools sized by the host: prepareToPlay gives them the bus layout's
//    channel count and the largest block the host announced
//    (Pool<float, audiopool::dynamic, audiopool::dynamic, N, Policy> and
//    prepare()), off the audio thread; releaseResources gives their memory
//    back (releaseMemory());
//  - host blocks of any size processed whole, larger than announced too: in
//    chunks of at most the prepared frames, each a view of the host's own
//    memory (audiopool::View, audiopool::chunks), processed in place; a
//    temporary from a pool that is a member of the processor (IndexStack:
//    the audio thread takes it and gives it back itself) only where the
//    effect needs one, for the dry input of a chunk;
//  - a buffer handed to a second thread: each processed chunk is copied into
//    a buffer of an OwnerThread pool and passed through an
//    audiopool::HandoffQueue (wait-free, one thread to one other) to a meter
//    thread, which measures it and lets it go there. The output does not
//    depend on it: when that pool is empty, the chunk is not metered, and
//    that is counted.
//
// The effect is chosen so that a host run can be checked sample for sample
// (scripts/juce-plugin-host-check.sh): on every channel
//
//     out[n] = 0.5 * in[n] + 0.25 * in[n - 1]
//
// (a one-sample delay, carried from chunk to chunk and block to block; the
// sample before the first is 0). With inputs that are multiples of 2^-12 in
// [-1, 1) every result is exact in float.
//
// With AUDIOPOOL_PLUGIN_REPORT set in the environment, the processor prints
// what it did, the sizes it was prepared for and both pools' statistics to
// stderr when it is destroyed.
#include <juce_audio_processors/juce_audio_processors.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <thread>
#include <utility>

#include <audiopool/audiopool.hpp>

class AudiopoolPluginProcessor final : public juce::AudioProcessor {
public:
    AudiopoolPluginProcessor()
        : AudioProcessor(BusesProperties()
                             .withInput("Input", juce::AudioChannelSet::stereo(), true)
                             .withOutput("Output", juce::AudioChannelSet::stereo(), true)),
          meterThread_([this] { meterLoop(); }) {}

    ~AudiopoolPluginProcessor() override {
        // release: every push made before is visible to the meter's last pops.
        metering_.store(false, std::memory_order_release);
        meterThread_.join();
        keepStats();  // a host that never called releaseResources (LV2's JUCE wrapper)
        if (std::getenv("AUDIOPOOL_PLUGIN_REPORT") != nullptr) report();
    }

    // ---- audio -------------------------------------------------------------

    // [process]
    void prepareToPlay(double /*sampleRate*/, int maximumExpectedSamplesPerBlock) override {
        // Message thread, no processBlock running: the pools get their sizes
        // here, from the bus layout and the largest block the host announced.
        // prepare() allocates and touches every page: never on the audio
        // thread. No other thread may use a pool meanwhile: the meter thread
        // has let go of every buffer it was handed first.
        waitForMeter();
        const auto layoutChannels =
            static_cast<std::size_t>(std::max(getTotalNumInputChannels(), getTotalNumOutputChannels()));
        const audiopool::Sizes sizes{
            .channels = std::clamp<std::size_t>(layoutChannels, 1, maxChannels),
            .frames = static_cast<std::size_t>(std::max(maximumExpectedSamplesPerBlock, 1)),
        };
        // Capacity 0: as the type says. False only when the memory cannot be
        // had (every buffer is back here): a pool then keeps its sizes (none
        // before the first prepare), and processBlock does what they allow.
        if (!scratch_.prepare(sizes)) ++refused_;
        if (!meterPool_.prepare(sizes)) ++refused_;
        previous_ = {};
    }

    void releaseResources() override {
        // Message thread, after playback: the pools' memory goes back; the
        // next prepareToPlay sizes them again.
        waitForMeter();
        keepStats();
        if (!scratch_.releaseMemory()) ++refused_;  // false only while a buffer is out: cannot be here
        if (!meterPool_.releaseMemory()) ++refused_;
    }

    bool isBusesLayoutSupported(const BusesLayout& layouts) const override {
        const auto out = layouts.getMainOutputChannelSet();
        return (out == juce::AudioChannelSet::mono() || out == juce::AudioChannelSet::stereo()) &&
               layouts.getMainInputChannelSet() == out;
    }

    using AudioProcessor::processBlock;  // the double-precision one: not supported (JUCE's default)
    void processBlock(juce::AudioBuffer<float>& buffer, juce::MidiBuffer&) override {
        juce::ScopedNoDenormals noDenormals;  // per callback: FTZ/DAZ are per thread
        const audiopool::Sizes sizes = scratch_.sizes();  // what prepareToPlay gave the pool
        // The host's buffer, no copy: the channels the pool was prepared for.
        const auto block = audiopool::View<float>(buffer).channels(0, sizes.channels);
        countBlock(block.numFrames());

        // One temporary for the whole block, sizes.frames frames: a chunk's dry input.
        auto dry = scratch_.acquire(block.numChannels());
        if (!dry) return;  // not prepared (nothing else takes it): the block passes unprocessed

        // Any block size, larger than the host announced too: chunks of at
        // most the prepared frames, each a view of the host's own memory.
        for (const audiopool::View<float> chunk : audiopool::chunks(block, sizes.frames)) {
            // The output is written over the input in place, and the effect
            // reads the input one sample back: it reads it from a dry copy.
            dry.copyFrom(chunk);  // the chunk's frames, into dry's first ones
            const std::size_t count = chunk.numFrames();
            for (std::size_t c = 0; c < chunk.numChannels(); ++c) {
                const std::span<const float> in = dry.channel(c);
                const std::span<float> out = chunk.channel(c);
                out[0] = 0.5f * in[0] + 0.25f * previous_[c];
                for (std::size_t i = 1; i < count; ++i) out[i] = 0.5f * in[i] + 0.25f * in[i - 1];
                previous_[c] = in[count - 1];
            }
            meter(chunk);
        }
    }  // dry goes back to the pool here
    // [/process]

    // ---- the rest of juce::AudioProcessor ----------------------------------

    juce::AudioProcessorEditor* createEditor() override { return nullptr; }
    bool hasEditor() const override { return false; }
    const juce::String getName() const override { return JucePlugin_Name; }
    bool acceptsMidi() const override { return false; }
    bool producesMidi() const override { return false; }
    bool isMidiEffect() const override { return false; }
    double getTailLengthSeconds() const override { return 0.0; }
    int getNumPrograms() override { return 1; }
    int getCurrentProgram() override { return 0; }
    void setCurrentProgram(int) override {}
    const juce::String getProgramName(int) override { return {}; }
    void changeProgramName(int, const juce::String&) override {}
    void getStateInformation(juce::MemoryBlock&) override {}
    void setStateInformation(const void*, int) override {}

private:
    /// Mono or stereo (isBusesLayoutSupported).
    static constexpr std::size_t maxChannels = 2;

    // [handoff]
    // Channels and frames from prepareToPlay; one buffer, taken and given
    // back by the audio thread: IndexStack.
    using Scratch = audiopool::Pool<float, audiopool::dynamic, audiopool::dynamic, 1, audiopool::IndexStack>;
    // The same sizes; the audio thread acquires, the meter thread releases
    // (and the audio thread, for a chunk it could not queue): OwnerThread.
    using MeterPool = audiopool::Pool<float, audiopool::dynamic, audiopool::dynamic, 32, audiopool::OwnerThread>;

    /// Audio thread: hands a copy of the processed chunk to the meter thread
    /// (the host's memory is the host's again once processBlock returns).
    void meter(audiopool::View<const float> chunk) noexcept {
        auto copy = meterPool_.acquire(chunk.numChannels(), chunk.numFrames());
        if (!copy) {  // the meter thread is behind: this chunk goes unmetered
            unmetered_.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        copy.copyFrom(chunk);  // the whole chunk: copy has its size
        // The queue holds as many as the pool, so it cannot be full; were it,
        // `copy` would go back to the pool from here.
        if (toMeter_.try_push(std::move(copy))) handedToMeter_.fetch_add(1, std::memory_order_relaxed);
        else unmetered_.fetch_add(1, std::memory_order_relaxed);
    }

    /// The meter thread: measures each buffer it is handed, and releases it.
    void meterLoop() {
        for (;;) {
            // acquire: pairs with the destructor's release store.
            const bool last = !metering_.load(std::memory_order_acquire);
            while (auto chunk = toMeter_.try_pop()) {
                float peak = peak_.load(std::memory_order_relaxed);  // written by this thread only
                for (std::size_t c = 0; c < chunk->numChannels(); ++c)
                    for (const float s : chunk->channel(c)) peak = std::max(peak, std::abs(s));
                peak_.store(peak, std::memory_order_relaxed);
                meteredFrames_.fetch_add(chunk->numFrames(), std::memory_order_relaxed);
                chunk.reset();  // the buffer goes back to the pool here, on this thread
                // release: that release happens before waitForMeter() returns.
                backFromMeter_.fetch_add(1, std::memory_order_release);
            }
            if (last) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }

    /// Message thread, no processBlock running: waits until the meter thread
    /// has given back every buffer the audio thread handed it, so that no
    /// other thread uses the meter pool (prepare() and releaseMemory() ask it).
    void waitForMeter() const {
        // relaxed: written by processBlock calls, which the host finished before this call.
        const std::uint64_t handed = handedToMeter_.load(std::memory_order_relaxed);
        // acquire: pairs with the meter thread's release increments.
        while (backFromMeter_.load(std::memory_order_acquire) != handed)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    // [/handoff]

    /// Audio thread: counts a block.
    void countBlock(std::size_t frames) noexcept {
        blocks_.fetch_add(1, std::memory_order_relaxed);
        frames_.fetch_add(frames, std::memory_order_relaxed);
        // relaxed: statistics, written by the audio thread only.
        if (frames > largestBlock_.load(std::memory_order_relaxed))
            largestBlock_.store(frames, std::memory_order_relaxed);
    }

    /// Message thread, no processBlock running and the meter thread done:
    /// keeps the prepared pools' sizes and statistics for report() (a pool
    /// starts its statistics over when prepared again, and has none once
    /// its memory is released).
    void keepStats() {
        if (scratch_.sizes().frames == 0) return;  // not prepared: nothing new
        kept_ = {scratch_.sizes(), scratch_.stats(), meterPool_.stats()};
    }

    void report() const {
        std::fprintf(stderr,
                     "audiopool juce_plugin: prepared for %zu channels x %zu frames, %d prepare/release refused; "
                     "%llu blocks, %llu frames, the largest %llu; metered %llu frames, %llu chunks unmetered; "
                     "peak %.6f\n",
                     kept_.sizes.channels, kept_.sizes.frames, refused_,
                     static_cast<unsigned long long>(blocks_.load()), static_cast<unsigned long long>(frames_.load()),
                     static_cast<unsigned long long>(largestBlock_.load()),
                     static_cast<unsigned long long>(meteredFrames_.load()),
                     static_cast<unsigned long long>(unmetered_.load()), static_cast<double>(peak_.load()));
        for (const auto& [name, st] : {std::pair{"scratch", kept_.scratch}, std::pair{"meter", kept_.meter}})
            std::fprintf(
                stderr,
                "audiopool juce_plugin: %s pool: inUse %zu/%zu, highWater %zu, acquisitions %llu, "
                "releases %llu, failed %llu, rejected %llu, misuses %llu\n",
                name, st.inUse, st.capacity, st.highWater, static_cast<unsigned long long>(st.acquisitions),
                static_cast<unsigned long long>(st.releases), static_cast<unsigned long long>(st.failedAcquisitions),
                static_cast<unsigned long long>(st.rejectedRequests), static_cast<unsigned long long>(st.misuses));
    }

    Scratch scratch_;
    MeterPool meterPool_;
    audiopool::HandoffQueue<MeterPool::Unique, MeterPool::capacity> toMeter_;
    std::array<float, maxChannels> previous_{};  // the one-sample delay, per channel

    struct Kept {
        audiopool::Sizes sizes;
        audiopool::Stats scratch, meter;
    };
    Kept kept_{};      // the message thread's
    int refused_ = 0;  // prepare() and releaseMemory() calls that failed (the message thread's)
    std::atomic<std::uint64_t> blocks_{0}, frames_{0}, largestBlock_{0}, meteredFrames_{0}, unmetered_{0};
    std::atomic<std::uint64_t> handedToMeter_{0}, backFromMeter_{0};
    std::atomic<float> peak_{0.0f};
    std::atomic<bool> metering_{true};
    std::thread meterThread_;  // last: started once everything it uses is constructed

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR(AudiopoolPluginProcessor)
};

juce::AudioProcessor* JUCE_CALLTYPE createPluginFilter() { return new AudiopoolPluginProcessor(); }
