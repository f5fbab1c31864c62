// audiopool::chunks: walking a block of any length in pool-sized chunks.
#include "test_prelude.hpp"

#include <iterator>
#include <ranges>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif
#include "support/pool_under_test.hpp"

namespace {

using audiopool::Chunk;

/// The chunks of (total, chunk), as the range-for in the header comment
/// sees them, compared with `expected`; usable in constant expressions.
template <std::size_t N>
constexpr bool yields(std::size_t total, std::size_t chunk, const std::array<Chunk, N>& expected) {
    std::size_t n = 0;
    for (auto [start, count] : audiopool::chunks(total, chunk)) {
        if (n == N || expected[n] != Chunk{start, count}) return false;
        ++n;
    }
    return n == N && audiopool::chunks(total, chunk).size() == N;
}

/// Walks (total, chunk) and checks the chunks tile [0, total) in order: each
/// starts where the last ended, none is empty or longer than `chunk`, only
/// the last may be shorter, and they end at `total`. Returns the count.
constexpr std::size_t tiles(std::size_t total, std::size_t chunk) {
    std::size_t next = 0, n = 0;
    bool shortSeen = false;
    for (const Chunk c : audiopool::chunks(total, chunk)) {
        if (c.start != next || c.count == 0 || c.count > chunk || shortSeen) return SIZE_MAX;
        shortSeen = c.count < chunk;
        next += c.count;
        ++n;
    }
    return next == total ? n : SIZE_MAX;
}

// The cases the issue names, at compile time.
static_assert(yields(4096, 512,
                     std::array<Chunk, 8>{Chunk{0, 512}, Chunk{512, 512}, Chunk{1024, 512}, Chunk{1536, 512},
                                          Chunk{2048, 512}, Chunk{2560, 512}, Chunk{3072, 512}, Chunk{3584, 512}}));
static_assert(yields(1, 512, std::array<Chunk, 1>{Chunk{0, 1}}));
static_assert(yields(0, 512, std::array<Chunk, 0>{}));
static_assert(yields(513, 512, std::array<Chunk, 2>{Chunk{0, 512}, Chunk{512, 1}}));
static_assert(yields(1023, 512, std::array<Chunk, 2>{Chunk{0, 512}, Chunk{512, 511}}));
static_assert(yields(512, 512, std::array<Chunk, 1>{Chunk{0, 512}}));
static_assert(yields(5, 1, std::array<Chunk, 5>{Chunk{0, 1}, Chunk{1, 1}, Chunk{2, 1}, Chunk{3, 1}, Chunk{4, 1}}));
// A chunk of 0 frames makes no progress: nothing is yielded, whatever the total.
static_assert(yields(4096, 0, std::array<Chunk, 0>{}));
static_assert(yields(0, 0, std::array<Chunk, 0>{}));
static_assert(audiopool::chunks(4096, 0).empty() && audiopool::chunks(0, 512).empty());
// A chunk longer than the block: one chunk of the whole block.
static_assert(yields(100, SIZE_MAX, std::array<Chunk, 1>{Chunk{0, 100}}));
// Near SIZE_MAX nothing wraps around: the last chunk ends exactly at the total.
static_assert(yields(SIZE_MAX, SIZE_MAX / 2 + 1,
                     std::array<Chunk, 2>{Chunk{0, SIZE_MAX / 2 + 1}, Chunk{SIZE_MAX / 2 + 1, SIZE_MAX / 2}}));
static_assert(audiopool::chunks(SIZE_MAX, 1).size() == SIZE_MAX);
static_assert(tiles(4096, 512) == 8 && tiles(1023, 512) == 2 && tiles(7, 3) == 3 && tiles(0, 3) == 0);

// It is an ordinary forward range, so the standard algorithms and views take it.
static_assert(std::forward_iterator<audiopool::ChunkRange::iterator>);
static_assert(std::ranges::forward_range<audiopool::ChunkRange>);
static_assert(std::is_trivially_copyable_v<audiopool::ChunkRange>);

} // namespace

TEST_CASE("ChunksOfTheIssuesBlockSizes") {
    struct Case {
        std::size_t total;
        std::vector<Chunk> expected;
    };
    const std::vector<Case> cases = {
        {4096, {{0, 512}, {512, 512}, {1024, 512}, {1536, 512}, {2048, 512}, {2560, 512}, {3072, 512}, {3584, 512}}},
        {1, {{0, 1}}},
        {0, {}},
        {513, {{0, 512}, {512, 1}}},
        {1023, {{0, 512}, {512, 511}}},
    };
    for (const Case& c : cases) {
        CAPTURE(c.total);
        std::vector<Chunk> seen;
        for (auto [start, count] : audiopool::chunks(c.total, 512)) seen.push_back({start, count});
        CHECK(seen == c.expected);
        CHECK(audiopool::chunks(c.total, 512).size() == c.expected.size());
        CHECK(audiopool::chunks(c.total, 512).empty() == c.expected.empty());
    }
}

TEST_CASE("ChunksOfZeroFramesYieldNothing") {
    std::size_t n = 0;
    for (auto chunk : audiopool::chunks(4096, 0)) {
        (void)chunk;
        if (++n > 1) break;  // the loop must not run at all, let alone forever
    }
    CHECK(n == 0);
    CHECK(audiopool::chunks(4096, 0).size() == 0);
}

TEST_CASE("ChunksTileEveryBlock") {
    for (std::size_t chunk = 1; chunk <= 70; ++chunk)
        for (std::size_t total = 0; total <= 300; ++total) {
            CAPTURE(chunk);
            CAPTURE(total);
            const std::size_t n = tiles(total, chunk);
            REQUIRE(n == (total + chunk - 1) / chunk);
            REQUIRE(audiopool::chunks(total, chunk).size() == n);
            REQUIRE(std::ranges::distance(audiopool::chunks(total, chunk)) == static_cast<std::ptrdiff_t>(n));
        }
}

TEST_CASE_TEMPLATE("ChunksWalkABlockLongerThanThePoolsBuffers", Policy, AUDIOPOOL_ALL_POLICIES) {
    // Every frame of a block of any length goes through one pooled buffer,
    // chunk by chunk, with the copies' start frames.
    using P = test::Pool<float, 2, 64, 2, Policy>;
    auto pool = test::makePool<P>();
    for (const int frames : {0, 1, 63, 64, 65, 200, 640}) {
        CAPTURE(frames);
        test::JuceShapedBuffer<float> block(2, frames);
        block.fillRamp();
        auto tmp = pool->acquire();
        for (auto [start, count] : audiopool::chunks(static_cast<std::size_t>(frames), P::frames)) {
            CHECK(tmp.copyFrom(block, start) == audiopool::CopyExtent{2, count});
            for (std::size_t c = 0; c < 2; ++c)
                for (std::size_t i = 0; i < count; ++i) tmp.channel(c)[i] = -2.0f * tmp.channel(c)[i];
            CHECK(tmp.copyTo(block, start) == audiopool::CopyExtent{2, count});
        }
        for (int c = 0; c < 2; ++c)
            for (int i = 0; i < frames; ++i)
                CHECK(block.at(c, i) == -2.0f * test::JuceShapedBuffer<float>::rampValue(c, i));
    }
}
