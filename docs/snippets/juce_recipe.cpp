// The JUCE recipe (docs/recipes.md), compiled against the real JUCE and run.
#include <juce_audio_basics/juce_audio_basics.h>

#include <cstdio>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

// [juce]
class MyProcessor /* : public juce::AudioProcessor */ {
public:
    void prepareToPlay(double /*sampleRate*/, int maximumExpectedSamplesPerBlock) {
        jassert(maximumExpectedSamplesPerBlock <= 1024);  // the pool's buffers are 1024 frames
        juce::ignoreUnused(maximumExpectedSamplesPerBlock);  // (jassert is empty in release builds)
        pool.prefault();                                   // message thread: fault the pages in now
    }

    void processBlock(juce::AudioBuffer<float>& buffer, juce::MidiBuffer&) {
        juce::ScopedNoDenormals noDenormals;  // per callback: FTZ/DAZ are per thread
        auto side = pool.acquire(buffer.getNumChannels(), buffer.getNumSamples());
        if (!side) return;

        side.copyFrom(buffer);
        // A juce::AudioBuffer that refers to the pooled samples: no copy, and no
        // allocation below 32 channels, so JUCE's DSP calls work on it directly.
        juce::AudioBuffer<float> view(side.channelPointers(), buffer.getNumChannels(), buffer.getNumSamples());
        view.applyGainRamp(0, view.getNumSamples(), 0.0f, 1.0f);
        for (int c = 0; c < buffer.getNumChannels(); ++c)
            buffer.addFrom(c, 0, view, c, 0, buffer.getNumSamples(), 0.5f);
    }

private:
    audiopool::Pool<float, 2, 1024, 4, audiopool::IndexStack> pool;
};
// [/juce]

int main() {
    static MyProcessor processor;
    processor.prepareToPlay(48000.0, 512);
    juce::AudioBuffer<float> buffer(2, 512);
    for (int c = 0; c < 2; ++c)
        for (int i = 0; i < 512; ++i) buffer.setSample(c, i, 1.0f);
    juce::MidiBuffer midi;
    processor.processBlock(buffer, midi);
    // 1 + 0.5 * ramp(0 -> 1): JUCE's ramp reaches 1 - 1/512 at the last sample.
    const bool ok = buffer.getSample(0, 0) == 1.0f &&
                    std::abs(buffer.getSample(1, 511) - (1.0f + 0.5f * (511.0f / 512.0f))) < 1e-6f;
    std::printf("juce recipe: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
