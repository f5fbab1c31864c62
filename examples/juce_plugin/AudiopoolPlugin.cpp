// juce_plugin: a JUCE audio plugin (LV2, VST3, Standalone) that uses
// audiopool the way docs/recipes.md says:
//
//  - temporaries per block from a pool that is a member of the processor
//    (IndexStack: the audio thread takes them and gives them back itself);
//  - host blocks of any size processed whole, in chunks of the pool's 512
//    frames (audiopool::chunks, and copies at a start frame);
//  - a buffer handed to a second thread: each processed chunk is copied into
//    a buffer of an OwnerThread pool and passed through a wait-free SPSC
//    queue to a meter thread, which measures it and lets it go there. The
//    output does not depend on it: when that pool is empty, the chunk is not
//    metered, and that is counted.
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
// what it did and both pools' statistics to stderr when it is destroyed.
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

#include "../support/spsc_queue.hpp"  // the meter thread's hand-off queue

namespace {} // namespace

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
        if (std::getenv("AUDIOPOOL_PLUGIN_REPORT") != nullptr) report();
    }

    // ---- audio -------------------------------------------------------------

    // [process]
    void prepareToPlay(double /*sampleRate*/, int /*maximumExpectedSamplesPerBlock*/) override {
        // Message thread, before playback: fault the pools' pages in now.
        scratch_.prefault();
        meterPool_.prefault();
        previous_ = {};
    }

    void releaseResources() override {}

    bool isBusesLayoutSupported(const BusesLayout& layouts) const override {
        const auto out = layouts.getMainOutputChannelSet();
        return (out == juce::AudioChannelSet::mono() || out == juce::AudioChannelSet::stereo()) &&
               layouts.getMainInputChannelSet() == out;
    }

    using AudioProcessor::processBlock;  // the double-precision one: not supported (JUCE's default)
    void processBlock(juce::AudioBuffer<float>& buffer, juce::MidiBuffer&) override {
        juce::ScopedNoDenormals noDenormals;  // per callback: FTZ/DAZ are per thread
        const auto channels = std::min(static_cast<std::size_t>(buffer.getNumChannels()), Scratch::channels);
        const auto frames = static_cast<std::size_t>(buffer.getNumSamples());
        blocks_.fetch_add(1, std::memory_order_relaxed);
        frames_.fetch_add(frames, std::memory_order_relaxed);

        // Two temporaries for the whole block, Scratch::frames (512) frames each.
        auto dry = scratch_.acquire(channels);
        auto wet = scratch_.acquire(channels);
        if (!dry || !wet) return;  // cannot happen: nothing else takes them (the output would stay dry)

        // Any block size, larger than the pool's buffers too: every frame goes
        // through the pooled buffers, one chunk at a time.
        for (const auto [start, count] : audiopool::chunks(frames, Scratch::frames)) {
            dry.copyFrom(buffer, start);  // frames [start, start + count) of the block
            for (std::size_t c = 0; c < channels; ++c) {
                const std::span<const float> in = dry.channel(c);
                const std::span<float> out = wet.channel(c);
                float previous = previous_[c];
                for (std::size_t i = 0; i < count; ++i) {
                    out[i] = 0.5f * in[i] + 0.25f * previous;
                    previous = in[i];
                }
                previous_[c] = previous;
            }
            wet.copyTo(buffer, start);  // count frames (the overlap), written at start
            meter(wet, channels, count);
        }
    }  // dry and wet go back to the pool here
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
    // [handoff]
    using Scratch = audiopool::Pool<float, 2, 512, 2, audiopool::IndexStack>;
    // The audio thread acquires, the meter thread releases (and the audio
    // thread, for a chunk it could not queue): OwnerThread.
    using MeterPool = audiopool::Pool<float, 2, 512, 32, audiopool::OwnerThread>;

    /// Audio thread: hands a copy of the processed chunk to the meter thread.
    void meter(const Scratch::Unique& chunk, std::size_t channels, std::size_t count) noexcept {
        auto copy = meterPool_.acquire(channels, count);
        if (!copy) {  // the meter thread is behind: this chunk goes unmetered
            unmetered_.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        copy.copyFrom(chunk);  // the overlap: count frames
        // The queue holds as many as the pool, so it cannot be full; were it,
        // `copy` would go back to the pool from here.
        if (!toMeter_.push(std::move(copy))) unmetered_.fetch_add(1, std::memory_order_relaxed);
    }

    /// The meter thread: measures each buffer it is handed, and releases it.
    void meterLoop() {
        for (;;) {
            // acquire: pairs with the destructor's release store.
            const bool last = !metering_.load(std::memory_order_acquire);
            while (auto chunk = toMeter_.pop()) {
                float peak = peak_.load(std::memory_order_relaxed);  // written by this thread only
                for (std::size_t c = 0; c < chunk->numChannels(); ++c)
                    for (const float s : chunk->channel(c)) peak = std::max(peak, std::abs(s));
                peak_.store(peak, std::memory_order_relaxed);
                meteredFrames_.fetch_add(chunk->numFrames(), std::memory_order_relaxed);
            }  // the buffer goes back to the pool here, on this thread
            if (last) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }
    // [/handoff]

    void report() const {
        const audiopool::Stats s = scratch_.stats(), m = meterPool_.stats();
        std::fprintf(stderr,
                     "audiopool juce_plugin: %llu blocks, %llu frames; metered %llu frames, %llu chunks unmetered; "
                     "peak %.6f\n",
                     static_cast<unsigned long long>(blocks_.load()), static_cast<unsigned long long>(frames_.load()),
                     static_cast<unsigned long long>(meteredFrames_.load()),
                     static_cast<unsigned long long>(unmetered_.load()), static_cast<double>(peak_.load()));
        for (const auto& [name, st] : {std::pair{"scratch", s}, std::pair{"meter", m}})
            std::fprintf(stderr,
                         "audiopool juce_plugin: %s pool: inUse %zu/%zu, highWater %zu, acquisitions %llu, "
                         "releases %llu, failed %llu, misuses %llu\n",
                         name, st.inUse, st.capacity, st.highWater, static_cast<unsigned long long>(st.acquisitions),
                         static_cast<unsigned long long>(st.releases),
                         static_cast<unsigned long long>(st.failedAcquisitions),
                         static_cast<unsigned long long>(st.misuses));
    }

    Scratch scratch_;
    MeterPool meterPool_;
    example::SpscQueue<MeterPool::Unique, MeterPool::capacity> toMeter_;
    std::array<float, Scratch::channels> previous_{};  // the one-sample delay, per channel

    std::atomic<std::uint64_t> blocks_{0}, frames_{0}, meteredFrames_{0}, unmetered_{0};
    std::atomic<float> peak_{0.0f};
    std::atomic<bool> metering_{true};
    std::thread meterThread_;  // last: started once everything it uses is constructed

    JUCE_DECLARE_NON_COPYABLE_WITH_LEAK_DETECTOR(AudiopoolPluginProcessor)
};

juce::AudioProcessor* JUCE_CALLTYPE createPluginFilter() { return new AudiopoolPluginProcessor(); }
