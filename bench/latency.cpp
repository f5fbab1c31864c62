// bench/latency.cpp — the tail latency of acquire+release, beside malloc/free
// and new[]/delete[], under each background load (bench/load.hpp).
//
// One operation takes a few nanoseconds, less than the clock's own cost and
// its resolution (the TSC on a VM often advances in steps of ~10 ns), so a
// sample times a BATCH: 32 acquire+release pairs of one buffer (or 32
// malloc+free / new[]+delete[] pairs of the same 2 x 512 float block), each
// writing one sample into the buffer, between two fenced TSC reads. The
// per-operation time reported is the batch's time / 32: it includes 1/32 of
// the clock's cost, which the "clock only" row (an empty batch, also / 32)
// shows. Steps of the per-operation value are ~0.3 ns, so differences of 1 ns
// are resolved. The subjects take turns sample by sample, so a noisy moment on
// the machine hits them all alike.
//
// Loads: none, churn (a malloc-churning thread), cache (a thread walking a
// buffer larger than the last-level cache): see bench/load.hpp.
//
// Prints p50 / p99 / p99.9 / p99.99 / max per subject and load, and the
// targets: under the cache and the churn loads, each pool's p99.99 at most
// malloc's in the same run (the machine's rare events land in both; what
// differs is what the operation itself does: docs/benchmarks.md, "Targets:
// what decides them").
// Options: --samples=N (per subject and load, default 1000000),
//          --csv=PATH (percentiles), --ccdf=PATH (the distributions, to plot).
#include "each_type.hpp"
#include "load.hpp"
#include "peers.hpp"
#include "report.hpp"
#include "timing.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <utility>
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

/// Pairs timed together in one sample.
constexpr int batch = 32;

/// One subject: `timed()` runs one batch between two stamps and returns the
/// stamps it took.
struct Subject {
    std::string name;
    bool pool;
    std::function<std::uint64_t()> timed;
    std::vector<std::uint32_t> samples{};
};

template <class Policy>
Subject poolSubject(std::string name) {
    blockPool<Policy>.prefault();
    return {std::move(name), true, [] {  // the pool has static storage: nothing to capture
                auto& pool = blockPool<Policy>;
                const std::uint64_t t0 = bench::stamp();
                for (int i = 0; i < batch; ++i) {
                    auto buffer = pool.acquire();
                    buffer.channelPointers()[0][0] = 1.0f;
                }  // released here, each time round
                const std::uint64_t t1 = bench::stamp();
                return t1 - t0;
            }};
}

template <bench::HeapKind Kind>
Subject heapSubject(const char* name) {
    return {name, false, [] {
                const std::uint64_t t0 = bench::stamp();
                for (int i = 0; i < batch; ++i) {
                    float* block = bench::HeapBlock<Kind>::allocate(blockFloats);
                    block[0] = 1.0f;
                    bench::keep(block);  // or the compiler drops the pair
                    bench::HeapBlock<Kind>::free(block);
                }
                const std::uint64_t t1 = bench::stamp();
                return t1 - t0;
            }};
}

Subject clockSubject() {
    return {"clock only", false, [] {
                const std::uint64_t t0 = bench::stamp();
                const std::uint64_t t1 = bench::stamp();
                return t1 - t0;
            }};
}

} // namespace

int main(int argc, char** argv) {
    const std::size_t count = std::stoull(bench::takeOption(argc, argv, "samples", "1000000"));
    const std::string csvPath = bench::takeOption(argc, argv, "csv");
    const std::string ccdfPath = bench::takeOption(argc, argv, "ccdf");
    const double perNs = bench::stampsPerNs();
    const double perOpNs = perNs * batch;  // stamps per ns of one operation

    bench::Table table{"", {"subject", "p50", "p99", "p99.9", "p99.99", "max", "p99.99/p50"}, {}};
    bench::Table csv{"", {"load", "subject", "samples", "p50_ns", "p99_ns", "p99.9_ns", "p99.99_ns", "max_ns"}, {}};
    bench::Table ccdf{"", {"load", "subject", "ns", "fraction_at_or_above"}, {}};
    std::vector<bench::Target> targets;

    fmt::print("\nLatency per operation: each sample times {0} acquire+release pairs (or malloc+free, "
               "new[]+delete[])\nbetween two fenced TSC reads and is divided by {0}; 'clock only' is an empty "
               "sample / {0},\nthe share of the clock in every other row. TSC at {1:.3f} GHz.\n",
               batch, perNs);
    for (const bench::LoadKind load : bench::allLoads) {
        const std::string loadName(bench::loadName(load));
        std::vector<Subject> subjects;
        bench::forEachType<audiopool::BuiltinPolicies>([&]<class Policy>(std::type_identity<Policy>) {
            subjects.push_back(poolSubject<Policy>(std::string("pool ") + Policy::name.data()));
        });
        subjects.push_back(heapSubject<bench::HeapKind::Malloc>("malloc 4 KiB"));
        subjects.push_back(heapSubject<bench::HeapKind::NewArray>("new float[1024]"));
        subjects.push_back(clockSubject());
        for (auto& s : subjects) s.samples.reserve(count);
        {
            const bench::Load background(load);
            for (std::size_t i = 0; i < count; ++i)
                for (auto& s : subjects)
                    s.samples.push_back(static_cast<std::uint32_t>(std::min<std::uint64_t>(s.timed(), 0xFFFF'FFFFu)));
        }
        table.title = fmt::format("Latency per operation, load {} ({} samples of {} pairs each, ns per operation)",
                                  loadName, count, batch);
        table.rows.clear();
        double mallocTail = 0;
        std::vector<std::pair<std::string, double>> poolTails;
        for (auto& s : subjects) {
            const bench::Percentiles p = bench::percentiles(s.samples, perOpNs);
            table.rows.push_back({s.name, bench::number(p.p50), bench::number(p.p99), bench::number(p.p999),
                                  bench::number(p.p9999), bench::number(p.max), bench::number(p.p9999 / p.p50)});
            csv.rows.push_back({loadName, s.name, std::to_string(count), fmt::format("{:.2f}", p.p50),
                                fmt::format("{:.2f}", p.p99), fmt::format("{:.2f}", p.p999),
                                fmt::format("{:.2f}", p.p9999), fmt::format("{:.2f}", p.max)});
            for (const auto& [ns, fraction] : bench::tail(s.samples, perOpNs))
                ccdf.rows.push_back({loadName, s.name, fmt::format("{:.2f}", ns), fmt::format("{:.3g}", fraction)});
            if (s.name == "malloc 4 KiB") mallocTail = p.p9999;
            if (s.pool) poolTails.emplace_back(s.name, p.p9999);
        }
        if (load != bench::LoadKind::None)
            for (const auto& [name, p9999] : poolTails)
                targets.push_back({name + " p99.99 / malloc p99.99, " + loadName, p9999 / mallocTail, 1.0});
        table.print();
    }
    bench::printTargets("Targets", targets);
    if (!csvPath.empty()) csv.writeCsv(csvPath);
    if (!ccdfPath.empty()) ccdf.writeCsv(ccdfPath);
    return 0;
}
