// processor_check: the JUCE plugin's processor (examples/juce_plugin) driven
// in-process through juce::AudioProcessor, as a host drives it, over what a
// run in jalv does not reach: releaseResources() and prepareToPlay() again
// with other sizes, a change of bus layout (stereo, then mono), and blocks
// larger and smaller than announced, of several sizes in turn.
//
//     AUDIOPOOL_PLUGIN_REPORT=1 processor_check
//
// Each phase: the layout, prepareToPlay(48000, ANNOUNCED), blocks of the
// given sizes in turn through processBlock (a generated signal of multiples
// of 2^-12, so every result is exact in float), every output sample compared
// with what the plugin computes,
//
//     out[n] = 0.5 * in[n] + 0.25 * in[n - 1]     (in[-1] = 0 after each prepareToPlay)
//
// then releaseResources(). Prints one line per phase; exits non-zero on any
// mismatch or refused layout. The processor's report (stderr, on
// destruction) is checked by scripts/test.d/53-juce-plugin.sh.
#include <juce_audio_processors/juce_audio_processors.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

// createPluginFilter(), declared by juce_audio_processors.h, is AudiopoolPlugin.cpp's.

namespace {

struct Phase {
    int channels;
    int announced;             // prepareToPlay's maximumExpectedSamplesPerBlock
    std::vector<int> blocks;   // block sizes, in turn
    int frames;                // frames in all
};

/// A deterministic signal: multiples of 2^-12 in [-1, 1).
class Signal {
public:
    float next() noexcept {
        state_ = state_ * 6364136223846793005u + 1442695040888963407u;
        const auto k = static_cast<int>((state_ >> 33) % 8192u) - 4096;
        return static_cast<float>(k) / 4096.0f;
    }

private:
    std::uint64_t state_ = 0x5eed;
};

std::string describe(const std::vector<int>& blocks) {
    std::string s;
    for (const int b : blocks) s += (s.empty() ? "" : ", ") + std::to_string(b);
    return s;
}

/// Runs one phase; returns the number of mismatched samples, or -1 when the
/// processor refused the layout.
long runPhase(juce::AudioProcessor& processor, const Phase& phase, Signal& signal) {
    const auto set = phase.channels == 1 ? juce::AudioChannelSet::mono() : juce::AudioChannelSet::stereo();
    juce::AudioProcessor::BusesLayout layout;
    layout.inputBuses.add(set);
    layout.outputBuses.add(set);
    if (!processor.setBusesLayout(layout)) return -1;

    processor.setRateAndBufferSizeDetails(48000.0, phase.announced);
    processor.prepareToPlay(48000.0, phase.announced);

    std::vector<float> previous(static_cast<std::size_t>(phase.channels), 0.0f);
    juce::AudioBuffer<float> buffer;
    juce::MidiBuffer midi;
    std::vector<float> input;
    long mismatches = 0;
    for (int done = 0, i = 0; done < phase.frames; ++i) {
        const int frames =
            std::min(phase.blocks[static_cast<std::size_t>(i) % phase.blocks.size()], phase.frames - done);
        buffer.setSize(phase.channels, frames);
        input.resize(static_cast<std::size_t>(phase.channels * frames));
        for (int c = 0; c < phase.channels; ++c)
            for (int n = 0; n < frames; ++n) {
                const float x = signal.next();
                input[static_cast<std::size_t>(c * frames + n)] = x;
                buffer.setSample(c, n, x);
            }
        processor.processBlock(buffer, midi);
        for (int c = 0; c < phase.channels; ++c) {
            float& before = previous[static_cast<std::size_t>(c)];
            for (int n = 0; n < frames; ++n) {
                const float x = input[static_cast<std::size_t>(c * frames + n)];
                const float expected = 0.5f * x + 0.25f * before;
                const float got = buffer.getSample(c, n);
                if (!(got == expected)) {  // exact: every value is a multiple of 2^-14 within float's precision
                    if (mismatches == 0)
                        std::printf("  first mismatch: channel %d, frame %d: %.9g, expected %.9g\n", c + 1, done + n,
                                    static_cast<double>(got), static_cast<double>(expected));
                    ++mismatches;
                }
                before = x;
            }
        }
        done += frames;
    }
    processor.releaseResources();
    return mismatches;
}

}  // namespace

int main() {
    const juce::ScopedJuceInitialiser_GUI initialiser;  // as a host has it
    const std::unique_ptr<juce::AudioProcessor> processor(createPluginFilter());

    // Larger than announced (chunks of 256, the last of 232); then announced
    // 64 after a release, blocks of several sizes; then mono, announced 512.
    const std::vector<Phase> phases = {
        {2, 256, {1000}, 48000},
        {2, 64, {1000, 64, 1, 333, 63}, 24000},
        {1, 512, {1000, 512, 77}, 24000},
    };
    Signal signal;
    int failed = 0;
    for (const Phase& phase : phases) {
        const long mismatches = runPhase(*processor, phase, signal);
        std::printf("in-process: %d channel(s), prepared for %d frames, blocks of %s frames: ", phase.channels,
                    phase.announced, describe(phase.blocks).c_str());
        if (mismatches < 0) std::printf("FAILED: the layout was refused\n");
        else
            std::printf("%d frames x %d channel(s) compared, %ld mismatches\n", phase.frames, phase.channels,
                        mismatches);
        if (mismatches != 0) ++failed;
    }
    return failed == 0 ? 0 : 1;
}
