// juce_process_block: audiopool in a JUCE processBlock, the way a plugin
// uses it. The processor below has the shape of a juce::AudioProcessor
// (prepareToPlay / processBlock / releaseResources) without the plugin
// wrapper: it drives a copy of the input through a saturator and mixes it
// with the dry signal kept in a pooled buffer.
//
// What to copy from it:
//  - the pool is a member sized for the largest block (checked in prepareToPlay);
//  - prefault() in prepareToPlay, on the message thread, before playback;
//  - juce::ScopedNoDenormals at the top of every processBlock;
//  - acquire with the block's own size; an empty handle means "pass through";
//  - a juce::AudioBuffer referring to the pooled buffer (channelPointers())
//    lets JUCE's own DSP calls work on it without a copy.
#include <juce_audio_basics/juce_audio_basics.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#include <audiopool/config.hpp>  // the library's macros (AUDIOPOOL_NONBLOCKING): a module exports none
#else
#include <audiopool/audiopool.hpp>
#endif

namespace {

class SaturatorProcessor {
public:
    static constexpr int maxChannels = 2;
    static constexpr int maxBlockSize = 1024;

    /// Message thread, before playback.
    bool prepareToPlay(double /*sampleRate*/, int maximumExpectedSamplesPerBlock) {
        if (maximumExpectedSamplesPerBlock > maxBlockSize) return false;  // the pool's buffers are too small
        pool_.prefault();
        return true;
    }

    /// Audio thread. Marked nonblocking: RealtimeSanitizer (-fsanitize=realtime)
    /// stops the program if anything inside, JUCE's calls included,
    /// allocates, locks or blocks (docs/real-time.md).
    void processBlock(juce::AudioBuffer<float>& buffer, juce::MidiBuffer&) AUDIOPOOL_NONBLOCKING {
        juce::ScopedNoDenormals noDenormals;
        const int channels = buffer.getNumChannels(), samples = buffer.getNumSamples();
        auto dry = pool_.acquire(static_cast<std::size_t>(channels), static_cast<std::size_t>(samples));
        if (!dry) return;  // exhausted or too large: pass the input through untouched

        dry.copyFrom(buffer);
        for (int c = 0; c < channels; ++c) {
            float* wet = buffer.getWritePointer(c);
            for (int i = 0; i < samples; ++i) wet[i] = std::tanh(drive * wet[i]);
        }
        const juce::AudioBuffer<float> dryView(dry.channelPointers(), channels, samples);  // no copy
        buffer.applyGain(wetGain);
        for (int c = 0; c < channels; ++c) buffer.addFrom(c, 0, dryView, c, 0, samples, dryGain);
    }  // `dry` goes back to the pool here

    void releaseResources() {}
    audiopool::Stats stats() const { return pool_.stats(); }

    static constexpr float drive = 4.0f, wetGain = 0.3f, dryGain = 0.7f;

private:
    // Only the audio thread acquires and releases here: IndexStack would do;
    // Treiber also lets other threads borrow buffers from the same pool.
    audiopool::Pool<float, maxChannels, maxBlockSize, 4, audiopool::Treiber> pool_;
};

} // namespace

int main() {
    SaturatorProcessor processor;
    if (!processor.prepareToPlay(48000.0, 512)) return 1;

    juce::MidiBuffer midi;
    juce::AudioBuffer<float> block(2, 512);
    double phase = 0.0, maxError = 0.0;
    int blocks = 0, samplesDone = 0;
    for (const int size : {512, 480, 512, 64, 1, 512, 333}) {  // hosts vary the block size
        for (int repeat = 0; repeat < 20; ++repeat, ++blocks) {
            block.setSize(2, size, false, false, true);  // no reallocation below 512
            for (int i = 0; i < size; ++i, phase += 0.031) {
                block.setSample(0, i, float(0.8 * std::sin(phase)));
                block.setSample(1, i, float(0.5 * std::cos(phase)));
            }
            juce::AudioBuffer<float> input;
            input.makeCopyOf(block);
            processor.processBlock(block, midi);
            for (int c = 0; c < 2; ++c)
                for (int i = 0; i < size; ++i) {
                    const float x = input.getSample(c, i);
                    const float expected = SaturatorProcessor::wetGain * std::tanh(SaturatorProcessor::drive * x) +
                                           SaturatorProcessor::dryGain * x;
                    maxError = std::max(maxError, double(std::abs(block.getSample(c, i) - expected)));
                }
            samplesDone += size;
        }
    }
    processor.releaseResources();

    const audiopool::Stats s = processor.stats();
    std::printf("processed %d blocks (%d samples) through processBlock; max error vs. the formula %.3g\n", blocks,
                samplesDone, maxError);
    std::printf("pool: inUse %zu/%zu, highWater %zu, acquisitions %llu, releases %llu, failed %llu\n", s.inUse,
                s.capacity, s.highWater, static_cast<unsigned long long>(s.acquisitions),
                static_cast<unsigned long long>(s.releases), static_cast<unsigned long long>(s.failedAcquisitions));
    const bool ok = maxError < 1e-6 && s.inUse == 0 && s.acquisitions == std::uint64_t(blocks) && s.highWater == 1;
    std::printf("%s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
