// The JUCE recipe (docs/recipes.md), compiled against the real JUCE and run.
#include <juce_audio_basics/juce_audio_basics.h>

#include <cstddef>
#include <cstdio>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

// [juce]
class MyProcessor /* : public juce::AudioProcessor */ {
public:
    void prepareToPlay(double /*sampleRate*/, int /*maximumExpectedSamplesPerBlock*/) {
        pool.prefault();  // message thread: fault the pages in now
    }

    void processBlock(juce::AudioBuffer<float>& buffer, juce::MidiBuffer&) {
        juce::ScopedNoDenormals noDenormals;  // per callback: FTZ/DAZ are per thread
        const int channels = buffer.getNumChannels();
        auto side = pool.acquire(static_cast<std::size_t>(channels));  // Pool::frames frames
        if (!side) return;

        // A host may pass any block size, larger than the pool's buffers too:
        // every frame goes through the pooled buffer, one chunk at a time.
        const auto frames = static_cast<std::size_t>(buffer.getNumSamples());
        for (auto [start, count] : audiopool::chunks(frames, Pool::frames)) {
            side.copyFrom(buffer, start);  // frames [start, start + count) of the block
            // A juce::AudioBuffer that refers to the pooled samples: no copy, and no
            // allocation below 32 channels, so JUCE's DSP calls work on it directly.
            juce::AudioBuffer<float> view(side.channelPointers(), channels, static_cast<int>(count));
            view.applyGain(0.5f);
            for (int c = 0; c < channels; ++c)
                buffer.addFrom(c, static_cast<int>(start), view, c, 0, static_cast<int>(count));
        }
    }

private:
    using Pool = audiopool::Pool<float, 2, 512, 4, audiopool::IndexStack>;
    Pool pool;
};
// [/juce]

/// A sample unique to its position, exact in float, and so is 1.5 times it.
static float inputSample(int channel, int frame) { return static_cast<float>(channel * 10000 + frame + 1) / 16.0f; }

int main() {
    static MyProcessor processor;
    processor.prepareToPlay(48000.0, 4096);
    juce::MidiBuffer midi;
    bool ok = true;
    // Blocks longer than the 512-frame buffers, shorter, empty and one frame
    // over: every output sample is the input plus half of it (the wet half).
    for (const int frames : {4096, 1, 0, 513, 512, 1023}) {
        juce::AudioBuffer<float> buffer(2, frames);
        for (int c = 0; c < 2; ++c)
            for (int i = 0; i < frames; ++i) buffer.setSample(c, i, inputSample(c, i));
        processor.processBlock(buffer, midi);
        int wrong = 0;
        for (int c = 0; c < 2; ++c)
            for (int i = 0; i < frames; ++i)
                if (buffer.getSample(c, i) != 1.5f * inputSample(c, i)) ++wrong;
        std::printf("juce recipe, %d-frame block: %d wrong samples\n", frames, wrong);
        ok = ok && wrong == 0;
    }
    std::printf("juce recipe: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
