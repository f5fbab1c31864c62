// The testing page's code (docs/testing.md): a doctest program, compiled and
// run, whose tests check a processBlock with audiopool/testing.hpp.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cstddef>
#include <vector>

// [setup]
// In exactly one .cpp file of the test program (with doctest: the one with its main).
#define AUDIOPOOL_TESTING_IMPLEMENTATION
#include <audiopool/testing.hpp>  // module mode: before `import audiopool;`
// [/setup]
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

/// The plugin under test: a gain through a pooled temporary.
class Gain {
public:
    // Before playback: allocates.
    void prepare(std::size_t channels, std::size_t maxFrames) {
        pool_.prepare({.channels = channels, .frames = maxFrames});
    }

    void processBlock(float* const* io, std::size_t channels, std::size_t frames) noexcept {
        if (auto tmp = pool_.acquire(channels, frames)) {
            tmp.copyFrom(io, channels, frames);
            for (std::size_t c = 0; c < channels; ++c)
                for (float& s : tmp.channel(c)) s *= gain_;
            tmp.copyTo(io, channels, frames);
        }
    }

private:
    audiopool::Pool<float, audiopool::dynamic, audiopool::dynamic, 2, audiopool::IndexStack> pool_;
    float gain_ = 0.5f;
};

/// The same with the everyday mistake: a scratch vector per block.
class GainWithScratchVector {
public:
    void processBlock(float* const* io, std::size_t channels, std::size_t frames) {
        std::vector<float> scratch(frames);  // allocates on the audio thread
        for (std::size_t c = 0; c < channels; ++c) {
            for (std::size_t i = 0; i < frames; ++i) scratch[i] = io[c][i] * 0.5f;
            for (std::size_t i = 0; i < frames; ++i) io[c][i] = scratch[i];
        }
    }
};

/// A stereo block of 256 frames, allocated before the test's scope.
struct Block {
    std::vector<float> left = std::vector<float>(256, 1.0f), right = std::vector<float>(256, 1.0f);
    float* io[2] = {left.data(), right.data()};
};

// [count]
TEST_CASE("processBlock neither allocates nor locks") {
    Gain gain;
    gain.prepare(2, 512);  // allocates: before the scope
    Block block;

    const audiopool::testing::Counts counts =
        audiopool::testing::countAllocations([&] { gain.processBlock(block.io, 2, 256); });

    CHECK(counts.allocations == 0);
    CHECK(counts.deallocations == 0);
    CHECK(counts.locks == 0);
    CHECK(block.left[0] == 0.5f);  // and it did its work
}
// [/count]

// [caught]
TEST_CASE("a scratch vector in processBlock is caught") {
    GainWithScratchVector gain;
    Block block;
    const audiopool::testing::Counts counts =
        audiopool::testing::countAllocations([&] { gain.processBlock(block.io, 2, 256); });
    CHECK(counts.allocations == 1);  // operator new, in std::vector's constructor
    CHECK(counts.deallocations == 1);
}
// [/caught]

// [abort]
TEST_CASE("processBlock, with the program stopped at its first allocation or lock") {
    Gain gain;
    gain.prepare(2, 512);
    Block block;
    {
        const audiopool::testing::AllocationScope noAllocations{audiopool::testing::OnAllocation::abort};
        gain.processBlock(block.io, 2, 256);
        gain.processBlock(block.io, 2, 128);
    }
    CHECK(block.right[0] == 0.25f);
}
// [/abort]
