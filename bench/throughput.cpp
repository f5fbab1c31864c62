// bench/throughput.cpp — Google Benchmark cases: audiopool beside its peers
// (bench/peers.hpp), measured in the same run, then a summary table of each
// case with every peer's time as a multiple of audiopool's, and the targets.
//
// Cases (all pools are float, 2 channels x 512 frames, 16 buffers unless the
// name says otherwise; every pool call goes through the RAII handles, with
// the statistics the pool always keeps):
//   pair/*        one thread: acquire + release (pop + push for the peers)
//   contended/*   two threads doing pairs on one shared pool / list
//   crossthread/* one thread acquires, another releases; the buffers travel
//                 through the same hand-off ring for all (bench::SpscQueue,
//                 bench/spsc_queue.hpp: each index on its own line)
//   fanout/*      one thread acquires and hands the buffers in turn to 3
//                 releasing threads (one hand-off ring each)
//   copy/*        acquire, copyFrom a JUCE-shaped 2 x 512 buffer, copyTo it
//                 back, release; vs two memcpy's of the same bytes each way
//   sweep/*       acquire every buffer of a pool, write one sample per
//                 channel, release them all; capacity 4..256, 1/2/8 channels
//
// Own options (before Google Benchmark's own):
//   --quick             fewer sweep points (the README's main job)
//   --summary-only      print only the summary, not Google Benchmark's lines
//   --summary-csv=PATH  write the summary rows (case, subject, ns, ratio)
// Use --benchmark_repetitions=N with --benchmark_enable_random_interleaving
// and the summary quotes medians.
#include "spsc_queue.hpp"
#include "each_type.hpp"
#include "peers.hpp"
#include "report.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

namespace {

using bench::blockChannels, bench::blockFrames, bench::blockFloats;
constexpr std::size_t pairCapacity = 16;

template <class Policy>
using BlockPool = audiopool::Pool<float, blockChannels, blockFrames, pairCapacity, Policy>;

// Pools live in static storage, as a plugin would keep them; one per policy
// and case, so that one case's statistics (the exhaustion check below, the
// spinning acquirer of crossthread) never leak into another's.
enum class Case { Pair, Contended, CrossThread, FanOut, Copy };
template <class Policy, Case C>
constinit BlockPool<Policy> blockPool;

// ---- measurements, by name, with the number of operations per iteration ----

std::map<std::string, double> operationsPerIteration;

template <class F>
benchmark::internal::Benchmark* add(const std::string& name, F&& body, double operations = 1) {
    operationsPerIteration[name] = operations;
    return benchmark::RegisterBenchmark(name.c_str(), std::forward<F>(body));
}

// ---- pair: one thread ----

template <class Policy, Case C = Case::Pair>
void poolPair(benchmark::State& state) {
    auto& pool = blockPool<Policy, C>;
    for (auto _ : state) {
        auto buffer = pool.acquire();
        benchmark::DoNotOptimize(buffer);
    }  // released here
    if (pool.stats().failedAcquisitions != 0) state.SkipWithError("pool exhausted");
}

/// The same pair through a PoolRef<float>, as a class that holds one calls
/// it: the reference is laundered through an empty asm, so the compiler does
/// not see which pool it refers to and both calls go through its table.
template <class Policy>
void poolRefPair(benchmark::State& state) {
    auto& pool = blockPool<Policy, Case::Pair>;
    audiopool::PoolRef<float> ref = pool;
    audiopool::PoolRef<float>* opaque = &ref;
    asm volatile("" : "+r"(opaque) : : "memory");
    for (auto _ : state) {
        auto buffer = opaque->acquire();
        benchmark::DoNotOptimize(buffer);
    }  // released here
    if (pool.stats().failedAcquisitions != 0) state.SkipWithError("pool exhausted");
}

template <class List>
void listPair(benchmark::State& state) {
    static List list;
    for (auto _ : state) {
        std::uint32_t index = 0;
        list.pop(index);
        benchmark::DoNotOptimize(index);
        list.push(index);
    }
}

template <bench::HeapKind Kind>
void heapPair(benchmark::State& state) {
    for (auto _ : state) {
        float* block = bench::HeapBlock<Kind>::allocate(blockFloats);
        benchmark::DoNotOptimize(block);
        bench::HeapBlock<Kind>::free(block);
    }
}

// ---- contended: the same pair on two threads at once ----

template <class List>
List& sharedList() {
    static List list;
    return list;
}

template <class List>
void listPairShared(benchmark::State& state) {
    auto& list = sharedList<List>();
    for (auto _ : state) {
        std::uint32_t index = 0;
        if (!list.pop(index)) continue;  // cannot happen: 16 indices, 2 threads
        benchmark::DoNotOptimize(index);
        list.push(index);
    }
}

// ---- crossthread: acquire here, release on a second thread ----

/// One thread acquires and hands each item, round robin, to one of
/// `Releasers` threads (each through its own hand-off ring), which release it.
template <class Item, std::size_t Releasers = 1, class Acquire, class Release>
void handOffLoop(benchmark::State& state, Acquire acquire, Release release) {
    std::array<bench::SpscQueue<Item, pairCapacity>, Releasers> handOff;
    std::atomic<bool> stop{false};
    // Waiting spins, then yields: on a loaded 2-core machine a pure spin can
    // burn a whole time slice while the other thread waits for the core.
    const auto waitABit = [](unsigned& spins) {
        if (++spins % 64 == 0) std::this_thread::yield();
    };
    std::array<std::thread, Releasers> releasers;
    for (std::size_t r = 0; r < Releasers; ++r)
        releasers[r] = std::thread([&, r] {
            unsigned spins = 0;
            // acquire: pairs with the release store of `stop` below, after
            // which every item is already in the hand-off.
            while (!stop.load(std::memory_order_acquire)) {
                if (auto item = handOff[r].pop()) release(*item);
                else waitABit(spins);
            }
            while (auto item = handOff[r].pop()) release(*item);
        });
    std::size_t next = 0;
    for (auto _ : state) {
        Item item{};
        unsigned spins = 0;
        while (!acquire(item)) waitABit(spins);  // the releasers are behind
        // Never full: each ring holds as many items as the pool has buffers.
        handOff[next].push(std::move(item));
        next = next + 1 == Releasers ? 0 : next + 1;
    }
    stop.store(true, std::memory_order_release);
    for (auto& releaser : releasers) releaser.join();
}

template <class Policy, std::size_t Releasers = 1>
void poolCrossThread(benchmark::State& state) {
    constexpr Case poolCase = Releasers == 1 ? Case::CrossThread : Case::FanOut;
    auto& pool = blockPool<Policy, poolCase>;
    using Unique = typename BlockPool<Policy>::Unique;
    handOffLoop<Unique, Releasers>(
        state, [&](Unique& item) { return bool(item = pool.acquire()); }, [](Unique& item) { item.reset(); });
}

template <class List, std::size_t Releasers = 1>
void listCrossThread(benchmark::State& state) {
    static List list;
    handOffLoop<std::uint32_t, Releasers>(
        state, [&](std::uint32_t& index) { return list.pop(index); }, [&](std::uint32_t& index) { list.push(index); });
}

// ---- copy: the full block path ----

/// A JUCE-shaped 2 x 512 float buffer (what processBlock() is given).
struct JuceShapedBlock {
    alignas(64) float data[blockChannels][blockFrames]{};
    int getNumChannels() const { return int(blockChannels); }
    int getNumSamples() const { return int(blockFrames); }
    const float* getReadPointer(int c) const { return data[c]; }
    float* getWritePointer(int c) { return data[c]; }
};

JuceShapedBlock io;

template <class Policy>
void poolCopy(benchmark::State& state) {
    auto& pool = blockPool<Policy, Case::Copy>;
    for (auto _ : state) {
        auto buffer = pool.acquire(io.getNumChannels(), io.getNumSamples());
        buffer.copyFrom(io);
        benchmark::ClobberMemory();
        buffer.copyTo(io);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(state.iterations() * 2 * std::int64_t(sizeof io.data));
}

void memcpyCopy(benchmark::State& state) {
    alignas(64) static float scratch[blockChannels][blockFrames];
    for (auto _ : state) {
        for (std::size_t c = 0; c < blockChannels; ++c)
            std::memcpy(scratch[c], io.getReadPointer(int(c)), sizeof scratch[c]);
        benchmark::ClobberMemory();
        for (std::size_t c = 0; c < blockChannels; ++c)
            std::memcpy(io.getWritePointer(int(c)), scratch[c], sizeof scratch[c]);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(state.iterations() * 2 * std::int64_t(sizeof io.data));
}

// ---- sweep: capacity x channels ----

template <class Policy, std::size_t Channels, std::size_t Capacity>
using SweepPool = audiopool::Pool<float, Channels, blockFrames, Capacity, Policy>;

template <class Policy, std::size_t Channels, std::size_t Capacity>
constinit SweepPool<Policy, Channels, Capacity> sweepPool;

template <class Policy, std::size_t Channels, std::size_t Capacity>
void poolSweep(benchmark::State& state) {
    auto& pool = sweepPool<Policy, Channels, Capacity>;
    pool.prefault();
    std::array<typename SweepPool<Policy, Channels, Capacity>::Unique, Capacity> held;
    for (auto _ : state) {
        for (auto& buffer : held) {
            buffer = pool.acquire();
            for (std::size_t c = 0; c < Channels; ++c) buffer.channelPointers()[c][0] = 1.0f;
        }
        benchmark::ClobberMemory();
        for (auto& buffer : held) buffer.reset();
    }
}

template <std::size_t Channels, std::size_t Capacity>
void mallocSweep(benchmark::State& state) {
    std::array<float*, Capacity> held{};
    for (auto _ : state) {
        for (auto& block : held) {
            block = static_cast<float*>(std::malloc(Channels * blockFrames * sizeof(float)));
            benchmark::DoNotOptimize(block);  // or the compiler drops the malloc/free pair
            for (std::size_t c = 0; c < Channels; ++c) block[c * blockFrames] = 1.0f;
        }
        benchmark::ClobberMemory();
        for (auto& block : held) std::free(block);
    }
}

template <std::size_t Channels, std::size_t Capacity>
void addSweepPoint(bool quick) {
    if (quick && !(Capacity == 4 || Capacity == 16 || Capacity == 64 || Capacity == 256)) return;
    const std::string point = "/cap:" + std::to_string(Capacity) + "/ch:" + std::to_string(Channels);
    add("sweep/Treiber" + point, poolSweep<audiopool::Treiber, Channels, Capacity>, Capacity);
    add("sweep/malloc" + point, mallocSweep<Channels, Capacity>, Capacity);
    if (!quick) add("sweep/IndexStack" + point, poolSweep<audiopool::IndexStack, Channels, Capacity>, Capacity);
}

template <std::size_t Channels>
void addSweep(bool quick) {
    [&]<std::size_t... Shift>(std::index_sequence<Shift...>) {
        (addSweepPoint<Channels, (std::size_t{4} << Shift)>(quick), ...);
    }(std::make_index_sequence<7>{});  // 4, 8, ..., 256
}

// ---- registration ----

void registerAll(bool quick) {
    using namespace bench;
    constexpr std::size_t n = pairCapacity;

    using Policies = audiopool::BuiltinPolicies;
    forEachType<Policies>([]<class Policy>(std::type_identity<Policy>) {
        add(std::string("pair/") + Policy::name.data(), poolPair<Policy>);
        add(std::string("pair/PoolRef to ") + Policy::name.data(), poolRefPair<Policy>);
    });
    add("pair/bare tagged CAS", listPair<BareTaggedCas<n>>);
    add("pair/bare index stack", listPair<BareIndexStack<n>>);
    add("pair/boost::lockfree::stack", listPair<BoostStackFreeList<n>>);
    add("pair/boost::lockfree::spsc_queue", listPair<BoostSpscFreeList<n>>);
    add("pair/moodycamel::ConcurrentQueue", listPair<ConcurrentQueueFreeList<n>>);
    add("pair/moodycamel::ReaderWriterQueue", listPair<ReaderWriterFreeList<n>>);
    add("pair/std::mutex + vector", listPair<MutexFreeList<n>>);
    add("pair/malloc+free 4 KiB", heapPair<HeapKind::Malloc>);
    add("pair/new[]+delete[] 4 KiB", heapPair<HeapKind::NewArray>);

    // Two threads acquire and release on one pool: the policies that let any
    // thread do both.
    std::vector<std::pair<std::string, void (*)(benchmark::State&)>> contended;
    forEachType<Policies>([&]<class Policy>(std::type_identity<Policy>) {
        if constexpr (BlockPool<Policy>::threadRule == audiopool::ThreadRule::AnyThread)
            contended.emplace_back(std::string("contended/") + Policy::name.data(), poolPair<Policy, Case::Contended>);
    });
    contended.insert(contended.end(),
                     {
                         {"contended/bare tagged CAS", listPairShared<BareTaggedCas<n>>},
                         {"contended/boost::lockfree::stack", listPairShared<BoostStackFreeList<n>>},
                         {"contended/moodycamel::ConcurrentQueue", listPairShared<ConcurrentQueueFreeList<n>>},
                         {"contended/std::mutex + vector", listPairShared<MutexFreeList<n>>},
                         {"contended/malloc+free 4 KiB", heapPair<HeapKind::Malloc>},
                     });
    for (const auto& [name, body] : contended) add(name, body)->Threads(2)->UseRealTime();

    // One thread acquires, another releases: the policies that allow it.
    std::vector<std::pair<std::string, void (*)(benchmark::State&)>> cross;
    forEachType<Policies>([&]<class Policy>(std::type_identity<Policy>) {
        if constexpr (BlockPool<Policy>::crossThread)
            cross.emplace_back(std::string("crossthread/") + Policy::name.data(), poolCrossThread<Policy>);
    });
    cross.insert(cross.end(),
                 {
                     {"crossthread/moodycamel::ReaderWriterQueue", listCrossThread<ReaderWriterFreeList<n>>},
                     {"crossthread/atomic count (floor)", listCrossThread<AtomicCount<n>>},
                     {"crossthread/boost::lockfree::spsc_queue", listCrossThread<BoostSpscFreeList<n>>},
                     {"crossthread/boost::lockfree::stack", listCrossThread<BoostStackFreeList<n>>},
                     {"crossthread/moodycamel::ConcurrentQueue", listCrossThread<ConcurrentQueueFreeList<n>>},
                 });
    for (const auto& [name, body] : cross) add(name, body)->UseRealTime();

    constexpr std::size_t fanOut = 3;
    // One thread acquires, several release: the policies that allow it.
    std::vector<std::pair<std::string, void (*)(benchmark::State&)>> fan;
    forEachType<Policies>([&]<class Policy>(std::type_identity<Policy>) {
        constexpr audiopool::ThreadRule rule = BlockPool<Policy>::threadRule;
        if constexpr (rule == audiopool::ThreadRule::AnyThread || rule == audiopool::ThreadRule::OneAcquirerAnyReleaser)
            fan.emplace_back(std::string("fanout/") + Policy::name.data(), poolCrossThread<Policy, fanOut>);
    });
    fan.insert(fan.end(),
               {
                   {"fanout/boost::lockfree::stack", listCrossThread<BoostStackFreeList<n>, fanOut>},
                   {"fanout/moodycamel::ConcurrentQueue", listCrossThread<ConcurrentQueueFreeList<n>, fanOut>},
                   {"fanout/std::mutex + vector", listCrossThread<MutexFreeList<n>, fanOut>},
                   {"fanout/atomic count (floor)", listCrossThread<AtomicCount<n>, fanOut>},
               });
    for (const auto& [name, body] : fan) add(name, body)->UseRealTime();

    forEachType<Policies>([]<class Policy>(std::type_identity<Policy>) {
        add(std::string("copy/") + Policy::name.data(), poolCopy<Policy>);
    });
    add("copy/memcpy", memcpyCopy);

    addSweep<1>(quick);
    addSweep<2>(quick);
    addSweep<8>(quick);
}

// ---- the summary ----

/// Collects one time per benchmark (ns per operation): the median aggregate
/// when there are repetitions, else the single run. Forwards to the console
/// reporter unless told to be quiet.
class SummaryReporter : public benchmark::ConsoleReporter {
public:
    explicit SummaryReporter(bool quiet) : quiet_(quiet) {}
    bool ReportContext(const Context& context) override {
        return quiet_ ? true : ConsoleReporter::ReportContext(context);
    }
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& run : runs) {
            if (run.error_occurred) continue;
            const bool aggregate = run.run_type == Run::RT_Aggregate;
            if (aggregate && run.aggregate_name != "median") continue;
            if (!aggregate && run.repetitions > 1) continue;
            const std::string name = run.run_name.function_name;
            const double ns = run.GetAdjustedRealTime() * timeUnitToNs(run.time_unit);
            nsPerOperation[name] = ns / operationsPerIteration[name];
        }
        if (!quiet_) ConsoleReporter::ReportRuns(runs);
    }
    void Finalize() override {
        if (!quiet_) ConsoleReporter::Finalize();
    }

    std::map<std::string, double> nsPerOperation;

private:
    static double timeUnitToNs(benchmark::TimeUnit unit) {
        switch (unit) {
        case benchmark::kSecond: return 1e9;
        case benchmark::kMillisecond: return 1e6;
        case benchmark::kMicrosecond: return 1e3;
        default: return 1;
        }
    }
    bool quiet_;
};

struct Comparison {
    std::string title;
    std::string prefix;     // the case: benchmark names start with it
    std::string reference;  // audiopool's subject, the 1.00 of the ratio column
};

void printSummary(const std::map<std::string, double>& ns, const std::string& csvPath) {
    const auto time = [&](const std::string& name) {
        auto it = ns.find(name);
        return it == ns.end() ? std::numeric_limits<double>::quiet_NaN() : it->second;
    };
    const std::vector<Comparison> comparisons = {
        {"Uncontended acquire+release pair, one thread", "pair/", "pair/Treiber"},
        {"Two threads doing pairs on one shared pool / list (time per pair)", "contended/", "contended/Treiber"},
        {"Acquire on one thread, release on another (time per buffer round)", "crossthread/", "crossthread/SpscRing"},
        {"Acquire on one thread, release on one of 3 others in turn (time per buffer)", "fanout/",
         "fanout/OwnerThread"},
        {"Block path: acquire, copyFrom 2x512 float, copyTo, release", "copy/", "copy/Treiber"},
    };
    bench::Table csv{"", {"case", "subject", "ns_per_op", "ratio_to_audiopool"}, {}};
    fmt::print("\n==== audiopool benchmark summary (ns per operation; x = time / audiopool's time, "
               "above 1 means audiopool is faster) ====\n");
    for (const auto& cmp : comparisons) {
        bench::Table t{cmp.title, {"subject", "ns", "x " + cmp.reference.substr(cmp.prefix.size())}, {}};
        const double reference = time(cmp.reference);
        for (const auto& [name, value] : ns) {
            if (name.rfind(cmp.prefix, 0) != 0) continue;
            const std::string subject = name.substr(cmp.prefix.size());
            t.rows.push_back({subject, bench::number(value), bench::number(value / reference)});
            csv.rows.push_back({cmp.prefix.substr(0, cmp.prefix.size() - 1), subject, fmt::format("{:.3f}", value),
                                fmt::format("{:.4f}", value / reference)});
        }
        std::sort(t.rows.begin(), t.rows.end(),
                  [](const auto& a, const auto& b) { return std::stod(a[1]) < std::stod(b[1]); });
        t.print();
    }

    // The sweep: ns per buffer, one row per capacity, one column per subject x channels.
    std::vector<std::string> columns;
    std::map<int, std::map<std::string, double>> byCapacity;
    for (const auto& [name, value] : ns) {
        if (name.rfind("sweep/", 0) != 0) continue;
        const auto capAt = name.find("/cap:");
        const auto chAt = name.find("/ch:");
        const std::string subject = name.substr(6, capAt - 6) + " ch" + name.substr(chAt + 4);
        const int capacity = std::stoi(name.substr(capAt + 5, chAt - capAt - 5));
        if (std::find(columns.begin(), columns.end(), subject) == columns.end()) columns.push_back(subject);
        byCapacity[capacity][subject] = value;
        csv.rows.push_back({"sweep", name.substr(6), fmt::format("{:.3f}", value),
                            fmt::format("{:.4f}", value / time("sweep/Treiber" + name.substr(capAt)))});
    }
    std::sort(columns.begin(), columns.end());
    bench::Table sweep{
        "Capacity sweep: acquire all, write one sample per channel, release all (ns per buffer)", {"capacity"}, {}};
    sweep.header.insert(sweep.header.end(), columns.begin(), columns.end());
    for (const auto& [capacity, row] : byCapacity) {
        std::vector<std::string> cells{std::to_string(capacity)};
        for (const auto& column : columns) {
            auto it = row.find(column);
            cells.push_back(it == row.end() ? "-" : bench::number(it->second));
        }
        sweep.rows.push_back(cells);
    }
    if (!byCapacity.empty()) sweep.print();

    // What a PoolRef adds to a pair (its two indirect calls), for the policy
    // where it adds the most.
    double poolRefExcess = 0;
    bench::forEachType<audiopool::BuiltinPolicies>([&]<class Policy>(std::type_identity<Policy>) {
        const std::string name(Policy::name);
        poolRefExcess = std::max(poolRefExcess, time("pair/PoolRef to " + name) - time("pair/" + name));
    });

    bench::printTargets(
        "Targets (ratios of medians from this run)",
        {
            {"PoolRef pair - direct pair, ns, the policy where it adds most", poolRefExcess, 3.0},
            {"Treiber pair / bare tagged-CAS pair", time("pair/Treiber") / time("pair/bare tagged CAS"), 1.15},
            {"Treiber pair / boost::lockfree::stack pair", time("pair/Treiber") / time("pair/boost::lockfree::stack"),
             0.7},
            {"SpscRing cross-thread / ReaderWriterQueue cross-thread",
             time("crossthread/SpscRing") / time("crossthread/moodycamel::ReaderWriterQueue"), 1.0},
            {"copy path throughput / memcpy throughput", time("copy/memcpy") / time("copy/Treiber"), 0.9, true},
            {"OwnerThread pair / Treiber pair", time("pair/OwnerThread") / time("pair/Treiber"), 0.6},
            {"OwnerThread cross-thread / SpscRing cross-thread",
             time("crossthread/OwnerThread") / time("crossthread/SpscRing"), 1.0},
            // The free list's share of a fan-out round: the atomic count is
            // the least any list for many releasers can be (docs/benchmarks.md,
            // "Targets: what decides them").
            {"OwnerThread fan-out / atomic-count floor fan-out, 3 releasers",
             time("fanout/OwnerThread") / time("fanout/atomic count (floor)"), 1.1},
        });
    if (!csvPath.empty()) csv.writeCsv(csvPath);
}

} // namespace

int main(int argc, char** argv) {
    const bool quick = !bench::takeOption(argc, argv, "quick").empty();
    const bool summaryOnly = !bench::takeOption(argc, argv, "summary-only").empty();
    const std::string csvPath = bench::takeOption(argc, argv, "summary-csv");
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    registerAll(quick);
    SummaryReporter reporter(summaryOnly);
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    printSummary(reporter.nsPerOperation, csvPath);
    return 0;
}
