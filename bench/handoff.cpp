// bench/handoff.cpp — HandoffQueue and Retirer against what a user would
// otherwise write or pick up.
//
//  - transfer: one thread pushes `items` 64-bit values, another pops them,
//    through a 256-slot queue; ns per value, median of the runs. Subjects:
//    audiopool::HandoffQueue, bench::SpscQueue (bench/spsc_queue.hpp, the ring the other cross-thread benchmarks use),
//    boost::lockfree::spsc_queue and moodycamel::ReaderWriterQueue
//    (try_enqueue: it never grows).
//  - round trip: one value bounced between two threads through two queues;
//    percentiles of one trip (a push and a pop each way).
//  - retire: the audio thread's side of dropping a 16 KiB block it no longer
//    needs: Retirer::retire (a collector thread frees it) against freeing it
//    right there (delete, what the Retirer avoids). Percentiles per drop,
//    with the freeing thread busy allocating too.
//
// The machine is shared and noisy: compare subjects within one run, quote
// medians and ratios, never a lone absolute time (docs/benchmarks.md). A side
// that finds its queue full or empty yields, as a worker would, so that on a
// machine with fewer free cores than threads the other side gets to run.
//
//     audiopool-bench-handoff [--items=N] [--trips=N] [--drops=N] [--runs=N]
#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "spsc_queue.hpp"
#include "peers.hpp"
#include "timing.hpp"
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

namespace {

constexpr std::size_t slots = 256;

// One interface for every subject: tryPush(value) -> bool, tryPop(value&) -> bool.
struct AudiopoolQueue {
    audiopool::HandoffQueue<std::uint64_t, slots> q;
    bool tryPush(std::uint64_t v) noexcept { return q.try_push(v); }
    bool tryPop(std::uint64_t& v) noexcept {
        if (auto got = q.try_pop()) {
            v = *got;
            return true;
        }
        return false;
    }
};
struct ExampleQueue {
    bench::SpscQueue<std::uint64_t, slots> q;
    bool tryPush(std::uint64_t v) noexcept { return q.push(std::uint64_t{v}); }
    bool tryPop(std::uint64_t& v) noexcept {
        if (auto got = q.pop()) {
            v = *got;
            return true;
        }
        return false;
    }
};
struct BoostQueue {
    boost::lockfree::spsc_queue<std::uint64_t, boost::lockfree::capacity<slots>> q;
    bool tryPush(std::uint64_t v) noexcept { return q.push(v); }
    bool tryPop(std::uint64_t& v) noexcept { return q.pop(v); }
};
struct MoodycamelQueue {
    moodycamel::ReaderWriterQueue<std::uint64_t> q{slots};
    bool tryPush(std::uint64_t v) noexcept { return q.try_enqueue(v); }
    bool tryPop(std::uint64_t& v) noexcept { return q.try_dequeue(v); }
};

std::uint64_t argOr(int argc, char** argv, const char* name, std::uint64_t fallback) {
    const std::size_t n = std::strlen(name);
    for (int i = 1; i < argc; ++i)
        if (std::strncmp(argv[i], name, n) == 0 && argv[i][n] == '=')
            return std::strtoull(argv[i] + n + 1, nullptr, 10);
    return fallback;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

/// ns per value moved from one thread to another; false in `ok` if a value
/// arrived out of order.
template <class Queue>
double transfer(std::uint64_t items, bool& ok) {
    auto queue = std::make_unique<Queue>();
    std::thread consumer([&] {
        std::uint64_t expected = 0, v = 0;
        while (expected < items)
            if (queue->tryPop(v)) {
                if (v != expected) ok = false;
                ++expected;
            } else {
                std::this_thread::yield();
            }
    });
    const std::uint64_t t0 = bench::stamp();
    for (std::uint64_t i = 0; i < items; ++i)
        while (!queue->tryPush(i)) std::this_thread::yield();
    consumer.join();
    const std::uint64_t t1 = bench::stamp();
    return double(t1 - t0) / double(items);
}

/// One trip's stamps: push to the other thread, which pushes it straight back.
template <class Queue>
std::vector<std::uint32_t> roundTrips(std::uint64_t trips) {
    auto there = std::make_unique<Queue>();
    auto back = std::make_unique<Queue>();
    std::thread echo([&] {
        std::uint64_t v = 0;
        for (std::uint64_t i = 0; i < trips; ++i) {
            while (!there->tryPop(v)) std::this_thread::yield();
            while (!back->tryPush(v)) std::this_thread::yield();
        }
    });
    std::vector<std::uint32_t> samples(trips);
    std::uint64_t v = 0;
    for (std::uint64_t i = 0; i < trips; ++i) {
        const std::uint64_t t0 = bench::stamp();
        while (!there->tryPush(i)) std::this_thread::yield();
        while (!back->tryPop(v)) std::this_thread::yield();
        samples[i] = static_cast<std::uint32_t>(std::min<std::uint64_t>(bench::stamp() - t0, UINT32_MAX));
    }
    echo.join();
    return samples;
}

using Block = std::unique_ptr<float[]>;
constexpr std::size_t blockFloats = 4096;  // 16 KiB

/// The stamps of each drop of a block on this thread: retired (Retire) or
/// freed here. Another thread allocates and frees blocks meanwhile (and, for
/// Retire, collects after each), so the allocator is shared as in a host.
template <bool Retire>
std::vector<std::uint32_t> drops(std::uint64_t count) {
    auto retirer = std::make_unique<audiopool::Retirer<1024>>();
    std::atomic<bool> running{true};
    std::thread other([&] {
        std::vector<Block> churn;
        std::uint64_t i = 0;
        while (running.load(std::memory_order_relaxed)) {
            churn.push_back(Block(new float[64 + (i * 37) % 8192]));
            if (churn.size() > 32) churn.erase(churn.begin());
            if (Retire) retirer->collect();
            ++i;
        }
    });
    std::vector<Block> blocks;
    blocks.reserve(count);
    for (std::uint64_t i = 0; i < count; ++i) {
        blocks.emplace_back(new float[blockFloats]);
        blocks.back()[i % blockFloats] = 1.0f;  // touched: the pages are real
    }
    std::vector<std::uint32_t> samples;
    samples.reserve(count);
    std::uint64_t refused = 0;
    for (auto& block : blocks) {
        const std::uint64_t t0 = bench::stamp();
        if constexpr (Retire) {
            if (!retirer->retire(std::move(block))) ++refused;  // full: freed below, counted
        } else {
            block.reset();
        }
        samples.push_back(static_cast<std::uint32_t>(std::min<std::uint64_t>(bench::stamp() - t0, UINT32_MAX)));
        for (int spin = 0; spin < 20000; ++spin) std::atomic_signal_fence(std::memory_order_seq_cst);  // a block's DSP
    }
    running.store(false);
    other.join();
    if (refused) fmt::print("  (retire refused {} of {} drops: the collector fell behind)\n", refused, count);
    return samples;
}

void printPercentiles(const char* name, std::vector<std::uint32_t> samples, double perNs) {
    const bench::Percentiles p = bench::percentiles(samples, perNs);
    fmt::print("  {:<28} {:>9.0f} {:>9.0f} {:>9.0f} {:>9.0f} {:>10.0f}\n", name, p.p50, p.p99, p.p999, p.p9999, p.max);
}

}  // namespace

int main(int argc, char** argv) {
    const std::uint64_t items = argOr(argc, argv, "--items", 2'000'000);
    const std::uint64_t trips = argOr(argc, argv, "--trips", 100'000);
    const std::uint64_t dropCount = argOr(argc, argv, "--drops", 20'000);
    const std::uint64_t runs = std::max<std::uint64_t>(1, argOr(argc, argv, "--runs", 5));
    const double perNs = bench::stampsPerNs();
    bool ok = true;

    fmt::print("transfer: {} values, {} slots, median of {} runs (ns per value)\n", items, slots, runs);
    std::vector<double> a, e, b, m;
    for (std::uint64_t r = 0; r < runs; ++r) {  // interleaved, so the machine's moods fall on every subject
        a.push_back(transfer<AudiopoolQueue>(items, ok) / perNs);
        e.push_back(transfer<ExampleQueue>(items, ok) / perNs);
        b.push_back(transfer<BoostQueue>(items, ok) / perNs);
        m.push_back(transfer<MoodycamelQueue>(items, ok) / perNs);
    }
    const double base = median(a);
    fmt::print("  {:<28} {:>7.2f}\n", "audiopool::HandoffQueue", base);
    fmt::print("  {:<28} {:>7.2f}  ({:.2f}x)\n", "bench::SpscQueue", median(e), median(e) / base);
    fmt::print("  {:<28} {:>7.2f}  ({:.2f}x)\n", "boost::lockfree::spsc_queue", median(b), median(b) / base);
    fmt::print("  {:<28} {:>7.2f}  ({:.2f}x)\n", "moodycamel::ReaderWriterQ", median(m), median(m) / base);

    fmt::print("\nround trip: {} trips (ns)          p50       p99     p99.9    p99.99        max\n", trips);
    printPercentiles("audiopool::HandoffQueue", roundTrips<AudiopoolQueue>(trips), perNs);
    printPercentiles("bench::SpscQueue", roundTrips<ExampleQueue>(trips), perNs);
    printPercentiles("boost::lockfree::spsc_queue", roundTrips<BoostQueue>(trips), perNs);
    printPercentiles("moodycamel::ReaderWriterQ", roundTrips<MoodycamelQueue>(trips), perNs);

    fmt::print("\ndrop a 16 KiB block: {} drops (ns)    p50       p99     p99.9    p99.99        max\n", dropCount);
    printPercentiles("Retirer::retire", drops<true>(dropCount), perNs);
    printPercentiles("delete[] on the audio thread", drops<false>(dropCount), perNs);

    if (!ok) fmt::print("a value arrived out of order\n");
    return ok ? 0 : 1;
}
