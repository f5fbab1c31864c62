// bench/arena.cpp — the time of one audio callback that takes 40 temporaries
// of variable sizes, writes and sums each, with four ways of getting them:
//
//   static       a fixed preallocated array, carved at cache-line offsets
//                with no checks at all: the limit
//   Arena        audiopool::Arena (constinit): a frame per callback, take<float>(n)
//   monotonic    std::pmr::monotonic_buffer_resource over a stack buffer, made
//                per callback, with std::pmr::null_memory_resource() upstream
//   malloc/free  malloc each temporary, free them all at the callback's end
//
// The sizes (64..4096 floats) come from one fixed pseudo-random sequence, the
// same for every subject: callback i uses row i % rows of the table. Every
// subject runs as a block of callbacks, blocks interleaved, each subject
// repeated 5 times; per block the p50 of the callback's time is read, and
// per repetition its ratio to the static array's p50 in that repetition. The
// table prints each subject's median p50 and median ratio over the
// repetitions; the target is the Arena within 1.02 of the static array.
//
//   g++ -std=c++20 -O2 -DNDEBUG -Iinclude -I. bench/arena.cpp -o /tmp/ba -pthread -lfmt && /tmp/ba
//   /tmp/ba --seconds=60          (a longer run: the blocks take N s in all; default 8)
//   /tmp/ba --csv=arena.csv       (also writes subject,p50_ns,ratio_to_static)
#include "report.hpp"
#include "timing.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory_resource>
#include <span>
#include <string>
#include <vector>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

namespace {

constexpr std::size_t temporaries = 40;
constexpr std::size_t smallest = 64, largest = 4096;  // floats per temporary
constexpr std::size_t rows = 64;                      // callbacks before the sizes repeat
constexpr std::size_t repetitions = 5;
constexpr std::size_t lineFloats = audiopool::cacheLineSize / sizeof(float);
/// The most one callback takes, each temporary padded to a whole cache line.
constexpr std::size_t mostFloats = temporaries * ((largest + lineFloats - 1) / lineFloats * lineFloats);

using Sizes = std::array<std::array<std::size_t, temporaries>, rows>;

/// The fixed pseudo-random sizes: a linear congruential sequence from a fixed seed.
Sizes makeSizes() {
    Sizes sizes{};
    std::uint64_t state = 0x2545F4914F6CDD1DULL;
    for (auto& row : sizes)
        for (std::size_t& size : row) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            size = smallest + static_cast<std::size_t>(state >> 33) % (largest - smallest + 1);
        }
    return sizes;
}

/// The callback's work on one temporary: write it, then sum it back (the
/// barrier between makes the stores happen and the loads read memory, for
/// every subject alike, malloc's memory that is freed unread among them).
/// Not inlined: every subject runs the same instructions on its memory
/// (inlined, g++ compiled the static array's loops differently from the
/// others', by a third of the callback's time, which measured the compiler
/// rather than the ways of getting memory).
[[gnu::noinline]] float use(float* data, std::size_t count, float seed) {
    for (std::size_t i = 0; i < count; ++i) data[i] = seed + static_cast<float>(i & 1023);
    bench::keep(data);
    float sums[4] = {0, 0, 0, 0};
    std::size_t i = 0;
    for (; i + 4 <= count; i += 4)
        for (std::size_t k = 0; k < 4; ++k) sums[k] += data[i + k];
    for (; i < count; ++i) sums[0] += data[i];
    return (sums[0] + sums[1]) + (sums[2] + sums[3]);
}

alignas(audiopool::cacheLineSize) float staticFloats[mostFloats];
constinit audiopool::Arena<mostFloats * sizeof(float)> arena;

struct StaticArray {
    static constexpr const char* name = "static";
    static float callback(const std::array<std::size_t, temporaries>& sizes, float seed) {
        float total = 0;
        std::size_t offset = 0;
        for (const std::size_t size : sizes) {
            float* const data = staticFloats + offset;
            offset += (size + lineFloats - 1) / lineFloats * lineFloats;
            total += use(data, size, seed);
        }
        return total;
    }
};

struct ArenaFrame {
    static constexpr const char* name = "Arena";
    static float callback(const std::array<std::size_t, temporaries>& sizes, float seed) {
        float total = 0;
        auto frame = arena.frame();
        for (const std::size_t size : sizes) {
            const std::span<float> data = frame.take<float>(size);
            if (data.empty()) std::abort();  // sized for the largest callback: never
            total += use(data.data(), size, seed);
        }
        return total;
    }
};

struct Monotonic {
    static constexpr const char* name = "monotonic";
    static float callback(const std::array<std::size_t, temporaries>& sizes, float seed) {
        alignas(audiopool::cacheLineSize) std::byte stack[mostFloats * sizeof(float)];
        std::pmr::monotonic_buffer_resource resource(stack, sizeof(stack), std::pmr::null_memory_resource());
        float total = 0;
        for (const std::size_t size : sizes) {
            auto* const data = static_cast<float*>(resource.allocate(size * sizeof(float), audiopool::cacheLineSize));
            total += use(data, size, seed);
        }
        return total;
    }
};

struct Malloc {
    static constexpr const char* name = "malloc/free";
    static float callback(const std::array<std::size_t, temporaries>& sizes, float seed) {
        std::array<float*, temporaries> taken{};
        float total = 0;
        for (std::size_t t = 0; t < temporaries; ++t) {
            taken[t] =
                static_cast<float*>(std::malloc(sizes[t] * sizeof(float)));  // NOLINT(cppcoreguidelines-no-malloc)
            if (taken[t] == nullptr) std::abort();
            total += use(taken[t], sizes[t], seed);
        }
        for (float* data : taken) std::free(data);  // NOLINT(cppcoreguidelines-no-malloc)
        return total;
    }
};

/// One block: timed callbacks for `duration` after a short warm-up (at
/// least 64 whatever the load); the p50 in ns.
template <class Subject>
double block(const Sizes& sizes, std::chrono::nanoseconds duration, double perNs, std::vector<std::uint32_t>& samples,
             float& checksum) {
    samples.clear();
    float sink = 0;
    for (std::size_t i = 0; i < rows; ++i) sink += Subject::callback(sizes[i], 0.5f);
    const auto deadline = std::chrono::steady_clock::now() + duration;
    for (std::size_t i = 0; i < rows || (i % 16 != 0 || std::chrono::steady_clock::now() < deadline); ++i) {
        const float seed = static_cast<float>(i & 7);
        const std::uint64_t start = bench::stamp();
        sink += Subject::callback(sizes[i % rows], seed);
        const std::uint64_t end = bench::stamp();
        samples.push_back(static_cast<std::uint32_t>(std::min<std::uint64_t>(end - start, 0xFFFF'FFFFu)));
    }
    bench::keep(sink);
    checksum = Subject::callback(sizes[0], 1.0f);
    return bench::percentiles(samples, perNs).p50;
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

} // namespace

int main(int argc, char** argv) {
    const double seconds = std::stod(bench::takeOption(argc, argv, "seconds", "8"));
    const std::string csv = bench::takeOption(argc, argv, "csv");
    const Sizes sizes = makeSizes();
    const double perNs = bench::stampsPerNs();
    arena.prefault();

    // Every block gets the same share of the run's time.
    constexpr std::size_t subjects = 4;
    std::vector<std::uint32_t> samples;
    samples.reserve(1 << 20);
    const auto perBlock =
        std::chrono::nanoseconds(static_cast<std::int64_t>(seconds * 1e9 / double(subjects * repetitions)));

    const std::array<const char*, subjects> names{StaticArray::name, ArenaFrame::name, Monotonic::name, Malloc::name};
    std::array<std::vector<double>, subjects> p50s, ratios;
    std::array<float, subjects> checksums{};
    for (std::size_t r = 0; r < repetitions; ++r) {
        std::array<double, subjects> p50{};
        p50[0] = block<StaticArray>(sizes, perBlock, perNs, samples, checksums[0]);
        p50[1] = block<ArenaFrame>(sizes, perBlock, perNs, samples, checksums[1]);
        p50[2] = block<Monotonic>(sizes, perBlock, perNs, samples, checksums[2]);
        p50[3] = block<Malloc>(sizes, perBlock, perNs, samples, checksums[3]);
        for (std::size_t s = 0; s < subjects; ++s) {
            p50s[s].push_back(p50[s]);
            ratios[s].push_back(p50[s] / p50[0]);
        }
    }
    for (std::size_t s = 1; s < subjects; ++s)
        if (checksums[s] != checksums[0]) {
            fmt::print(stderr, "{} computed {} where the static array computed {}\n", names[s], checksums[s],
                       checksums[0]);
            return 1;
        }
    if (arena.stats().failedTakes != 0 || arena.stats().used != 0) {
        fmt::print(stderr, "the arena refused a take or kept memory past a frame\n");
        return 1;
    }

    bench::Table table{fmt::format("One callback: {} temporaries of {}..{} floats, written and summed "
                                   "({:.2f} s per block, {} blocks per subject, interleaved)",
                                   temporaries, smallest, largest, seconds / double(subjects * repetitions),
                                   repetitions),
                       {"subject", "p50 ns (median)", "p50 ns per repetition", "ratio to static (median)"},
                       {}};
    for (std::size_t s = 0; s < subjects; ++s) {
        std::string each;
        for (const double v : p50s[s]) each += (each.empty() ? "" : " ") + bench::number(v);
        table.rows.push_back({names[s], bench::number(median(p50s[s])), each, bench::number(median(ratios[s]))});
    }
    table.print();
    bench::printTargets("Target", {{"Arena p50 / static p50", median(ratios[1]), 1.02}});
    if (!csv.empty()) {
        bench::Table out{"", {"subject", "p50_ns", "ratio_to_static"}, {}};
        for (std::size_t s = 0; s < subjects; ++s)
            out.rows.push_back(
                {names[s], fmt::format("{:.1f}", median(p50s[s])), fmt::format("{:.3f}", median(ratios[s]))});
        out.writeCsv(csv);
    }
    return 0;
}
