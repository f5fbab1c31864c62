// Interop with the real juce::AudioBuffer (JUCE 7, juce_audio_basics): copies
// both ways at full and partial sizes and across float/double, a JUCE buffer
// that refers to a pooled buffer without copying or allocating, a
// processBlock that uses pooled temporaries per stage, and audiopool::View
// over an AudioBuffer and a juce::dsp::AudioBlock (its header only: the
// class is a template over the caller's memory, nothing of juce_dsp is linked).
#include "../test_prelude.hpp"
// This program's one copy of the allocation functions' replacements (JUCE
// allocates with std::malloc, so counting operator new alone would miss it).
#define AUDIOPOOL_TESTING_IMPLEMENTATION
#include <audiopool/testing.hpp>

#include <juce_audio_basics/juce_audio_basics.h>
// juce_dsp.h defines this before its containers; empty off MSVC.
#define JUCE_VECTOR_CALLTYPE
#include <juce_dsp/containers/juce_AudioBlock.h>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

namespace {

template <class T>
T rampValue(int channel, int sample) {
    return T(channel * 1000 + sample) / T(8);
}

template <class T>
void fillRamp(juce::AudioBuffer<T>& buffer) {
    for (int c = 0; c < buffer.getNumChannels(); ++c)
        for (int i = 0; i < buffer.getNumSamples(); ++i) buffer.setSample(c, i, rampValue<T>(c, i));
}

template <class T>
void fillConstant(juce::AudioBuffer<T>& buffer, T value) {
    for (int c = 0; c < buffer.getNumChannels(); ++c)
        for (int i = 0; i < buffer.getNumSamples(); ++i) buffer.setSample(c, i, value);
}

/// Where the tests publish a JUCE buffer's channel array, so the compiler
/// cannot elide an allocation JUCE makes for it as unobservable.
float* const* volatile escapedChannels = nullptr;

template <class Policy, class S>
using SmallPool = audiopool::Pool<S, 2, 512, 4, Policy>;

} // namespace

TEST_CASE_TEMPLATE("copyFrom and copyTo a juce::AudioBuffer of the buffer's own size", Policy, AUDIOPOOL_ALL_POLICIES) {
    auto pool = test::makePool<SmallPool<Policy, float>>();
    juce::AudioBuffer<float> in(2, 512);
    fillRamp(in);
    auto tmp = pool->acquire(2, 512);
    REQUIRE(tmp);
    CHECK(tmp.copyFrom(in) == audiopool::CopyExtent{2, 512});
    for (int c = 0; c < 2; ++c)
        for (int i = 0; i < 512; ++i)
            CHECK(tmp.channel(static_cast<std::size_t>(c))[static_cast<std::size_t>(i)] == rampValue<float>(c, i));

    for (float& s : tmp.channel(1)) s = -s;
    juce::AudioBuffer<float> out(2, 512);
    out.clear();
    CHECK(tmp.copyTo(out) == audiopool::CopyExtent{2, 512});
    for (int i = 0; i < 512; ++i) {
        CHECK(out.getSample(0, i) == rampValue<float>(0, i));
        CHECK(out.getSample(1, i) == -rampValue<float>(1, i));
    }
}

TEST_CASE_TEMPLATE("copies between juce::AudioBuffer and a pooled buffer of another size cover only the overlap",
                   Policy, AUDIOPOOL_ALL_POLICIES) {
    auto pool = test::makePool<SmallPool<Policy, float>>();

    // Larger JUCE buffer into a smaller view: 2 x 300 of the JUCE 3 x 700.
    juce::AudioBuffer<float> big(3, 700);
    fillRamp(big);
    auto view = pool->acquire(2, 300);
    REQUIRE(view);
    CHECK(view.copyFrom(big) == audiopool::CopyExtent{2, 300});
    for (int c = 0; c < 2; ++c)
        for (int i = 0; i < 300; ++i)
            CHECK(view.channel(static_cast<std::size_t>(c))[static_cast<std::size_t>(i)] == rampValue<float>(c, i));

    // Smaller view into a larger JUCE buffer: the rest of the JUCE buffer is untouched.
    juce::AudioBuffer<float> target(2, 400);
    fillConstant(target, 7.0f);
    auto mono = pool->acquire(1, 100);
    REQUIRE(mono);
    for (float& s : mono.channel(0)) s = -1.0f;
    CHECK(mono.copyTo(target) == audiopool::CopyExtent{1, 100});
    for (int i = 0; i < 400; ++i) {
        CHECK(target.getSample(0, i) == (i < 100 ? -1.0f : 7.0f));
        CHECK(target.getSample(1, i) == 7.0f);
    }

    // A JUCE buffer smaller in frames than the view: only its frames are read.
    juce::AudioBuffer<float> shortBlock(2, 64);
    fillConstant(shortBlock, 0.25f);
    view.clear();
    CHECK(view.copyFrom(shortBlock) == audiopool::CopyExtent{2, 64});
    for (std::size_t c = 0; c < 2; ++c)
        for (std::size_t i = 0; i < 300; ++i) CHECK(view.channel(c)[i] == (i < 64 ? 0.25f : 0.0f));
}

TEST_CASE_TEMPLATE("float and double convert both ways between juce::AudioBuffer and pooled buffers", Policy,
                   AUDIOPOOL_ALL_POLICIES) {
    auto floatPool = test::makePool<SmallPool<Policy, float>>();
    auto doublePool = test::makePool<SmallPool<Policy, double>>();

    juce::AudioBuffer<double> inDouble(2, 256);
    fillRamp(inDouble);
    auto asFloat = floatPool->acquire(2, 256);
    REQUIRE(asFloat);
    CHECK(asFloat.copyFrom(inDouble) == audiopool::CopyExtent{2, 256});
    juce::AudioBuffer<double> backToDouble(2, 256);
    backToDouble.clear();
    CHECK(asFloat.copyTo(backToDouble) == audiopool::CopyExtent{2, 256});

    juce::AudioBuffer<float> inFloat(2, 256);
    fillRamp(inFloat);
    auto asDouble = doublePool->acquire(2, 256);
    REQUIRE(asDouble);
    CHECK(asDouble.copyFrom(inFloat) == audiopool::CopyExtent{2, 256});
    juce::AudioBuffer<float> backToFloat(2, 256);
    backToFloat.clear();
    CHECK(asDouble.copyTo(backToFloat) == audiopool::CopyExtent{2, 256});

    for (int c = 0; c < 2; ++c) {
        for (int i = 0; i < 256; ++i) {
            // The ramp values are exact in float (multiples of 1/8 below 2^21).
            CHECK(asFloat.channel(static_cast<std::size_t>(c))[static_cast<std::size_t>(i)] == rampValue<float>(c, i));
            CHECK(backToDouble.getSample(c, i) == rampValue<double>(c, i));
            CHECK(asDouble.channel(static_cast<std::size_t>(c))[static_cast<std::size_t>(i)] ==
                  rampValue<double>(c, i));
            CHECK(backToFloat.getSample(c, i) == rampValue<float>(c, i));
        }
    }
}

TEST_CASE_TEMPLATE("a juce::AudioBuffer refers to a pooled buffer through channelPointers() without copying or "
                   "allocating",
                   Policy, AUDIOPOOL_ALL_POLICIES) {
    auto pool = test::makePool<audiopool::Pool<float, 8, 256, 2, Policy>>();
    auto tmp = pool->acquire(8, 200);
    REQUIRE(tmp);
    tmp.clear();

    std::size_t allocations = 0;
    bool samePointers = true;
    {
        const audiopool::testing::AllocationScope watch;
        juce::AudioBuffer<float> view(tmp.channelPointers(), static_cast<int>(tmp.numChannels()),
                                      static_cast<int>(tmp.numFrames()));
        for (int c = 0; c < view.getNumChannels(); ++c) {
            samePointers = samePointers && view.getReadPointer(c) == tmp.channelPointers()[c];
            view.getWritePointer(c)[c] = 1.0f + static_cast<float>(c);  // through JUCE...
        }
        view.applyGain(2.0f);
        escapedChannels = view.getArrayOfWritePointers();
        allocations = watch.counts().allocations;
        CHECK(view.getNumChannels() == 8);
        CHECK(view.getNumSamples() == 200);
    }
    CHECK(allocations == 0);
    CHECK(samePointers);
    for (std::size_t c = 0; c < 8; ++c)  // ...seen in the pooled buffer: no copy was made
        for (std::size_t i = 0; i < 200; ++i) CHECK(tmp.channel(c)[i] == (i == c ? 2.0f * (1.0f + float(c)) : 0.0f));

    // The counter does see JUCE's allocations, so the zero above means
    // something: from 32 channels up JUCE allocates its channel-pointer array
    // even when it only refers to the samples.
    auto wide = test::makePool<audiopool::Pool<float, 40, 16, 1, Policy>>();
    auto wideBuffer = wide->acquire();
    REQUIRE(wideBuffer);
    const audiopool::testing::AllocationScope control;
    {
        juce::AudioBuffer<float> wideView(wideBuffer.channelPointers(), 40, 16);
        escapedChannels = wideView.getArrayOfWritePointers();
    }
    CHECK(control.counts().allocations > 0);
}

namespace {

/// A three-stage effect written the way the seed's users write processBlock:
/// stage 1 copies the input to a pooled temporary and drives it, stage 2
/// smooths it with a one-pole low-pass into a second temporary, stage 3 mixes
/// it back into the JUCE buffer through a juce::AudioBuffer that refers to the
/// temporary. Returns false if the pool could not supply a temporary.
template <class Pool>
bool processBlock(Pool& pool, juce::AudioBuffer<float>& io, float drive, float smoothing, float wetGain) {
    const auto channels = static_cast<std::size_t>(io.getNumChannels());
    const auto frames = static_cast<std::size_t>(io.getNumSamples());
    auto driven = pool.acquire(channels, frames);
    auto smoothed = pool.acquire(channels, frames);
    if (!driven || !smoothed) return false;

    driven.copyFrom(io);
    for (std::size_t c = 0; c < channels; ++c)
        for (float& s : driven.channel(c)) s = s * drive / (1.0f + std::abs(s * drive));

    for (std::size_t c = 0; c < channels; ++c) {
        float state = 0.0f;
        const auto from = driven.channel(c);
        const auto to = smoothed.channel(c);
        for (std::size_t i = 0; i < frames; ++i) to[i] = state += smoothing * (from[i] - state);
    }

    const juce::AudioBuffer<float> wet(smoothed.channelPointers(), io.getNumChannels(), io.getNumSamples());
    for (int c = 0; c < io.getNumChannels(); ++c) io.addFrom(c, 0, wet, c, 0, io.getNumSamples(), wetGain);
    return true;
}

} // namespace

TEST_CASE_TEMPLATE("a processBlock with pooled temporaries per stage gives the expected samples and allocates nothing",
                   Policy, AUDIOPOOL_ALL_POLICIES) {
    auto pool = test::makePool<audiopool::Pool<float, 2, 512, 2, Policy>>();
    pool->prefault();
    const float drive = 3.0f, smoothing = 0.2f, wetGain = 0.5f;

    for (const int blockSize : {512, 441, 64}) {
        CAPTURE(blockSize);
        juce::AudioBuffer<float> io(2, blockSize);
        for (int c = 0; c < 2; ++c)
            for (int i = 0; i < blockSize; ++i)
                io.setSample(c, i, std::sin(0.05f * float(i) + float(c)) * (c == 0 ? 0.9f : 0.4f));
        juce::AudioBuffer<float> input;
        input.makeCopyOf(io);

        const audiopool::testing::AllocationScope watch;
        const bool processed = processBlock(*pool, io, drive, smoothing, wetGain);
        const std::size_t allocations = watch.counts().allocations;
        REQUIRE(processed);
        CHECK(allocations == 0);
        CHECK(pool->stats().inUse == 0);

        for (int c = 0; c < 2; ++c) {
            float state = 0.0f;
            for (int i = 0; i < blockSize; ++i) {
                const float x = input.getSample(c, i) * drive;
                const float shaped = x / (1.0f + std::abs(x));
                state += smoothing * (shaped - state);
                const float expected = input.getSample(c, i) + wetGain * state;
                CHECK(io.getSample(c, i) == doctest::Approx(expected).epsilon(1e-6));
            }
        }
    }
    // Two temporaries per block, three blocks, all back.
    const auto s = pool->stats();
    CHECK(s.acquisitions == 6);
    CHECK(s.releases == 6);
    CHECK(s.highWater == 2);
    CHECK(s.failedAcquisitions == 0);

    // Exhaustion degrades gracefully: with one buffer taken, the block is skipped untouched.
    auto held = pool->acquire();
    juce::AudioBuffer<float> io(2, 128);
    fillConstant(io, 0.5f);
    CHECK_FALSE(processBlock(*pool, io, drive, smoothing, wetGain));
    for (int c = 0; c < 2; ++c)
        for (int i = 0; i < 128; ++i) CHECK(io.getSample(c, i) == 0.5f);
    CHECK(pool->stats().failedAcquisitions == 1);
}

TEST_CASE_TEMPLATE("a View over a juce::AudioBuffer and a juce::dsp::AudioBlock processes host memory in place", Policy,
                   AUDIOPOOL_ALL_POLICIES) {
    juce::AudioBuffer<float> host(4, 1000);
    fillRamp(host);
    const audiopool::View hostView(host);  // View<float> over the buffer's write pointers
    CHECK(hostView.numChannels() == 4);
    CHECK(hostView.numFrames() == 1000);
    CHECK(hostView.channel(3).data() == host.getWritePointer(3));

    // A block of channels 1..2, samples 100..899: getSubBlock keeps its own
    // offsets, which the view keeps in turn.
    juce::dsp::AudioBlock<float> whole(host);
    const juce::dsp::AudioBlock<float> block = whole.getSubsetChannelBlock(1, 2).getSubBlock(100, 800);
    const audiopool::View blockView(block);
    CHECK(blockView.numChannels() == 2);
    CHECK(blockView.numFrames() == 800);
    CHECK(blockView.channel(0).data() == host.getWritePointer(1) + 100);
    CHECK(blockView.channel(1)[799] == rampValue<float>(2, 899));

    // Chunked through a pooled scratch buffer of 256 frames: the chunks are
    // views of the block itself; each is copied in, halved, copied back.
    auto pool = test::makePool<SmallPool<Policy, float>>();
    std::size_t allocations = 0, chunksDone = 0;
    {
        const audiopool::testing::AllocationScope watch;
        for (const audiopool::View<float> chunk : audiopool::chunks(blockView, 256)) {
            auto scratch = pool->acquire(chunk.numChannels(), chunk.numFrames());
            if (!scratch) break;
            scratch.copyFrom(chunk);
            for (std::size_t c = 0; c < scratch.numChannels(); ++c)
                for (float& s : scratch.channel(c)) s *= 0.5f;
            scratch.copyTo(chunk);
            ++chunksDone;
        }
        allocations = watch.counts().allocations;
    }
    CHECK(chunksDone == 4);
    CHECK(allocations == 0);
    for (int c = 0; c < 4; ++c)
        for (int i = 0; i < 1000; ++i) {
            const bool inBlock = (c == 1 || c == 2) && i >= 100 && i < 900;
            CHECK(host.getSample(c, i) == (inBlock ? rampValue<float>(c, i) * 0.5f : rampValue<float>(c, i)));
        }

    // The handles' copies take the block directly as well.
    auto h = pool->acquire(2, 512);
    REQUIRE(h);
    CHECK(h.copyFrom(block) == audiopool::CopyExtent{2, 512});
    CHECK(h.channel(0)[0] == rampValue<float>(1, 100) * 0.5f);
}
