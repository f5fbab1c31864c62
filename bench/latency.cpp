// bench/latency.cpp — the tail latency of one acquire, beside malloc and new[].
//
// Each sample times ONE operation (a pool acquire, or a malloc / new[] of the
// same 2 x 512 float block) with the TSC, fenced so the operation cannot leak
// out of the timed region; the release or free happens after, untimed. The
// subjects take turns sample by sample, so a noisy moment on this machine hits
// them all alike. "clock only" times an empty region: the floor every other
// row includes.
//
// Two scenarios:
//   quiet      nothing else runs in the process
//   competing  another thread allocates and frees mixed sizes with malloc
//              (16 B .. 256 KiB, and now and then 1-4 MiB, which glibc maps
//              and unmaps) — what an audio thread shares a process with
//
// Prints p50 / p99 / p99.9 / p99.99 / max per subject and the target
// (pool p99.99 <= 5 x its own median under the competing thread).
// Options: --samples=N (per subject and scenario, default 1000000),
//          --csv=PATH (percentiles), --ccdf=PATH (the distributions, to plot).
#include "peers.hpp"
#include "report.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

namespace {

using bench::blockChannels, bench::blockFrames, bench::blockFloats;

template <class Policy>
using BlockPool = audiopool::Pool<float, blockChannels, blockFrames, 16, Policy>;
template <class Policy>
constinit BlockPool<Policy> blockPool;

// ---- the clock ----

/// A timestamp that neither earlier nor later instructions cross (lfence on
/// both sides of rdtsc on x86-64; steady_clock elsewhere), and a compiler
/// barrier for memory operations.
inline std::uint64_t stamp() noexcept {
#if defined(__x86_64__)
    std::uint32_t lo, hi;
    asm volatile("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi)::"memory");
    return (std::uint64_t{hi} << 32) | lo;
#else
    std::atomic_signal_fence(std::memory_order_seq_cst);
    const auto t = std::chrono::steady_clock::now().time_since_epoch().count();
    std::atomic_signal_fence(std::memory_order_seq_cst);
    return static_cast<std::uint64_t>(t);
#endif
}

/// Stamps per nanosecond, measured against steady_clock over ~50 ms.
double stampsPerNs() {
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    const std::uint64_t s0 = stamp();
    while (Clock::now() - t0 < std::chrono::milliseconds(50)) {
    }
    const auto t1 = Clock::now();
    const std::uint64_t s1 = stamp();
    return double(s1 - s0) / double(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
}

// ---- what is measured ----

/// One subject: `timed()` does the operation between two stamps and returns
/// the stamps it took; it undoes the operation itself after the second stamp.
struct Subject {
    std::string name;
    bool pool;
    std::function<std::uint64_t()> timed;
    std::vector<std::uint32_t> samples{};
};

template <class Policy>
Subject poolSubject(const char* name) {
    auto& pool = blockPool<Policy>;
    pool.prefault();
    return {name, true, [] {  // the pool has static storage: nothing to capture
                const std::uint64_t t0 = stamp();
                auto buffer = blockPool<Policy>.acquire();
                const std::uint64_t t1 = stamp();
                buffer.channelPointers()[0][0] = 1.0f;  // used, then released (untimed)
                return t1 - t0;
            }};
}

template <bench::HeapKind Kind>
Subject heapSubject(const char* name) {
    return {name, false, [] {
                const std::uint64_t t0 = stamp();
                float* block = bench::HeapBlock<Kind>::allocate(blockFloats);
                const std::uint64_t t1 = stamp();
                block[0] = 1.0f;
                bench::HeapBlock<Kind>::free(block);
                return t1 - t0;
            }};
}

Subject clockSubject() {
    return {"clock only", false, [] {
                const std::uint64_t t0 = stamp();
                const std::uint64_t t1 = stamp();
                return t1 - t0;
            }};
}

/// Allocates and frees mixed sizes until told to stop, keeping up to 64
/// blocks alive and touching each page it gets.
class CompetingAllocator {
public:
    CompetingAllocator() : thread_([this] { run(); }) {}
    ~CompetingAllocator() {
        stop_.store(true, std::memory_order_relaxed);  // relaxed: only a stop flag
        thread_.join();
    }

private:
    void run() {
        std::mt19937 random(12345);
        std::vector<void*> live(64, nullptr);
        std::uniform_int_distribution<int> pick(0, 63), sizeClass(4, 18), large(0, 99);
        while (!stop_.load(std::memory_order_relaxed)) {
            auto& slot = live[pick(random)];
            std::free(slot);
            std::size_t bytes = std::size_t{1} << sizeClass(random);  // 16 B .. 256 KiB
            if (large(random) == 0) bytes = (std::size_t{1} << 20) * (1 + pick(random) % 4);  // 1-4 MiB
            auto* p = static_cast<char*>(std::malloc(bytes));
            for (std::size_t at = 0; at < bytes; at += 4096) p[at] = 1;
            slot = p;
        }
        for (void* p : live) std::free(p);
    }

    std::atomic<bool> stop_{false};
    std::thread thread_;
};

struct Percentiles {
    double p50, p99, p999, p9999, max;
};

Percentiles percentiles(std::vector<std::uint32_t>& samples, double perNs) {
    std::sort(samples.begin(), samples.end());
    const auto at = [&](double q) {
        const std::size_t i = std::min(samples.size() - 1, std::size_t(q * double(samples.size())));
        return samples[i] / perNs;
    };
    return {at(0.5), at(0.99), at(0.999), at(0.9999), samples.back() / perNs};
}

} // namespace

int main(int argc, char** argv) {
    const std::size_t count = std::stoull(bench::takeOption(argc, argv, "samples", "1000000"));
    const std::string csvPath = bench::takeOption(argc, argv, "csv");
    const std::string ccdfPath = bench::takeOption(argc, argv, "ccdf");
    const double perNs = stampsPerNs();

    bench::Table table{"", {"subject", "p50", "p99", "p99.9", "p99.99", "max", "p99.99/p50"}, {}};
    bench::Table csv{"", {"scenario", "subject", "samples", "p50_ns", "p99_ns", "p99.9_ns", "p99.99_ns", "max_ns"}, {}};
    bench::Table ccdf{"", {"scenario", "subject", "ns", "fraction_at_or_above"}, {}};
    std::vector<bench::Target> targets;

    for (const std::string scenario : {"quiet", "competing"}) {
        std::vector<Subject> subjects;
        subjects.push_back(poolSubject<audiopool::Treiber>("pool Treiber"));
        subjects.push_back(poolSubject<audiopool::SpscRing>("pool SpscRing"));
        subjects.push_back(poolSubject<audiopool::IndexStack>("pool IndexStack"));
        subjects.push_back(heapSubject<bench::HeapKind::Malloc>("malloc 4 KiB"));
        subjects.push_back(heapSubject<bench::HeapKind::NewArray>("new float[1024]"));
        subjects.push_back(clockSubject());
        for (auto& s : subjects) s.samples.reserve(count);
        {
            std::unique_ptr<CompetingAllocator> competitor;
            if (scenario == "competing") competitor = std::make_unique<CompetingAllocator>();
            for (std::size_t i = 0; i < count; ++i)
                for (auto& s : subjects) s.samples.push_back(static_cast<std::uint32_t>(std::min<std::uint64_t>(s.timed(), 0xFFFF'FFFFu)));
        }
        table.title = fmt::format("Latency of one operation, {} ({} samples each, ns; TSC at {:.3f} GHz)", scenario,
                                  count, perNs);
        table.rows.clear();
        for (auto& s : subjects) {
            const Percentiles p = percentiles(s.samples, perNs);
            table.rows.push_back({s.name, bench::number(p.p50), bench::number(p.p99), bench::number(p.p999),
                                  bench::number(p.p9999), bench::number(p.max), bench::number(p.p9999 / p.p50)});
            csv.rows.push_back({scenario, s.name, std::to_string(count), fmt::format("{:.1f}", p.p50),
                                fmt::format("{:.1f}", p.p99), fmt::format("{:.1f}", p.p999),
                                fmt::format("{:.1f}", p.p9999), fmt::format("{:.1f}", p.max)});
            // The distribution at log-spaced tail fractions 1 .. 1/count, for plotting.
            for (double fraction = 1.0; fraction * double(count) >= 1.0; fraction /= std::pow(10.0, 0.1)) {
                const std::size_t i = std::min(count - 1, std::size_t((1.0 - fraction) * double(count)));
                ccdf.rows.push_back({scenario, s.name, fmt::format("{:.1f}", s.samples[i] / perNs),
                                     fmt::format("{:.3g}", fraction)});
            }
            ccdf.rows.push_back({scenario, s.name, fmt::format("{:.1f}", p.max), fmt::format("{:.3g}", 1.0 / double(count))});
            if (scenario == "competing" && s.pool)
                targets.push_back({s.name + " p99.99 / p50, competing", p.p9999 / p.p50, 5.0});
        }
        table.print();
    }
    bench::printTargets("Targets", targets);
    if (!csvPath.empty()) csv.writeCsv(csvPath);
    if (!ccdfPath.empty()) ccdf.writeCsv(ccdfPath);
    return 0;
}
