// juce_process_block: audiopool in a JUCE processBlock, the way a plugin
// uses it. The processor below has the shape of a juce::AudioProcessor
// (prepareToPlay / processBlock / releaseResources) without the plugin
// wrapper: it drives a copy of the input through a saturator and mixes it
// with the dry signal kept in a pooled buffer.
//
// What to copy from it:
//  - the pool is a member; its buffers hold a chunk of 512 frames, not the
//    largest block: a host may call processBlock with any number of frames,
//    more than the pool's buffers hold too, and audiopool::chunks walks the
//    block through one pooled buffer, chunk by chunk, with copyFrom(buffer,
//    start) reading the chunk that starts at `start`;
//  - prefault() in prepareToPlay, on the message thread, before playback;
//  - juce::ScopedNoDenormals at the top of every processBlock;
//  - acquire one buffer per block; an empty handle means "pass through";
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
    static constexpr std::size_t chunkFrames = 512;  // any block size works: see processBlock

    /// Message thread, before playback. The block size does not matter.
    void prepareToPlay(double /*sampleRate*/, int /*maximumExpectedSamplesPerBlock*/) { pool_.prefault(); }

    /// Audio thread. Marked nonblocking: RealtimeSanitizer (-fsanitize=realtime)
    /// stops the program if anything inside, JUCE's calls included,
    /// allocates, locks or blocks (docs/real-time.md).
    void processBlock(juce::AudioBuffer<float>& buffer, juce::MidiBuffer&) AUDIOPOOL_NONBLOCKING {
        juce::ScopedNoDenormals noDenormals;
        const int channels = buffer.getNumChannels();
        auto dry = pool_.acquire(static_cast<std::size_t>(channels));  // chunkFrames frames
        if (!dry) return;  // exhausted, or more channels than the pool's: pass the input through untouched

        // Every frame of the block, one chunk of at most chunkFrames at a time.
        const auto frames = static_cast<std::size_t>(buffer.getNumSamples());
        for (auto [start, count] : audiopool::chunks(frames, chunkFrames)) {
            const int first = static_cast<int>(start), samples = static_cast<int>(count);
            dry.copyFrom(buffer, start);  // frames [start, start + count) of the block
            for (int c = 0; c < channels; ++c) {
                float* wet = buffer.getWritePointer(c, first);
                for (int i = 0; i < samples; ++i) wet[i] = std::tanh(drive * wet[i]);
            }
            const juce::AudioBuffer<float> dryView(dry.channelPointers(), channels, samples);  // no copy
            buffer.applyGain(first, samples, wetGain);
            for (int c = 0; c < channels; ++c) buffer.addFrom(c, first, dryView, c, 0, samples, dryGain);
        }
    }  // `dry` goes back to the pool here

    void releaseResources() {}
    audiopool::Stats stats() const { return pool_.stats(); }

    static constexpr float drive = 4.0f, wetGain = 0.3f, dryGain = 0.7f;

private:
    // Only the audio thread acquires and releases here: IndexStack would do;
    // Treiber also lets other threads borrow buffers from the same pool.
    audiopool::Pool<float, maxChannels, chunkFrames, 4, audiopool::Treiber> pool_;
};

} // namespace

int main() {
    SaturatorProcessor processor;
    processor.prepareToPlay(48000.0, 4096);

    juce::MidiBuffer midi;
    juce::AudioBuffer<float> block;
    double phase = 0.0;
    int blocks = 0, samplesDone = 0;
    bool allRight = true;
    // Hosts vary the block size: larger than the pool's 512-frame buffers,
    // one frame, none, one frame over, exactly one buffer, and in between.
    for (const int size : {4096, 1, 0, 513, 512, 480, 64, 1023, 333}) {
        int wrong = 0;
        double maxError = 0.0;
        for (int repeat = 0; repeat < 20; ++repeat, ++blocks) {
            block.setSize(2, size, false, false, true);  // reallocates only when a block grows
            for (int i = 0; i < size; ++i, phase += 0.031) {
                block.setSample(0, i, float(0.8 * std::sin(phase)));
                block.setSample(1, i, float(0.5 * std::cos(phase)));
            }
            juce::AudioBuffer<float> input;
            input.makeCopyOf(block);
            processor.processBlock(block, midi);
            // Every output sample against the formula.
            for (int c = 0; c < 2; ++c)
                for (int i = 0; i < size; ++i) {
                    const float x = input.getSample(c, i);
                    const float expected = SaturatorProcessor::wetGain * std::tanh(SaturatorProcessor::drive * x) +
                                           SaturatorProcessor::dryGain * x;
                    const double error = std::abs(double(block.getSample(c, i)) - double(expected));
                    maxError = std::max(maxError, error);
                    if (!(error < 1e-6)) ++wrong;
                }
            samplesDone += size;
        }
        std::printf("%d-frame blocks: %d wrong samples, max error vs. the formula %.3g\n", size, wrong, maxError);
        allRight = allRight && wrong == 0;
    }
    processor.releaseResources();

    const audiopool::Stats s = processor.stats();
    std::printf("processed %d blocks (%d samples) through processBlock\n", blocks, samplesDone);
    std::printf("pool: inUse %zu/%zu, highWater %zu, acquisitions %llu, releases %llu, failed %llu\n", s.inUse,
                s.capacity, s.highWater, static_cast<unsigned long long>(s.acquisitions),
                static_cast<unsigned long long>(s.releases), static_cast<unsigned long long>(s.failedAcquisitions));
    const bool ok = allRight && s.inUse == 0 && s.acquisitions == std::uint64_t(blocks) && s.highWater == 1;
    std::printf("%s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
