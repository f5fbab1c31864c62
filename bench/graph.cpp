// bench/graph.cpp — a multi-threaded graph renderer (Tracktion's graph,
// Ardour's process threads, a CLAP host's thread pool): per callback, a
// graph of nodes is processed by N worker threads, each node taking and
// giving back 2–4 buffers; and the bare case underneath it, two threads
// doing acquire+release pairs at once.
//
// The graph: `layers` layers of `width` nodes. Node (l, w) takes its input
// (the output of node (l-1, w), made on whichever worker ran that node, so
// buffers cross threads), takes 0–2 scratch buffers and an output buffer,
// runs a little DSP over them (a gain, a one-pole smoother per scratch), gives
// the input and the scratch back and passes the output on; the last layer
// adds its output into the callback's result and gives it back. Workers
// claim nodes with a fetch_add per layer and wait for each other between
// layers (a spinning barrier, as real-time thread pools do); the render
// thread is worker 0 and times each callback (TSC, bench/timing.hpp).
//
// Strategies (the same graph, the same DSP):
//   static          every node's buffers assigned before the run: the limit
//   Treiber shared  one audiopool Treiber pool, acquire and handle reset
//   Treiber cached  the same pool with a cache per worker (pool.cache<8>()):
//                   acquire from the worker's cache, give back into it
//   malloc/free     one allocation per buffer
//   pmr sync pool   std::pmr::synchronized_pool_resource
// Strategies take turns in ~20 ms slices; the run is `--repeats` repetitions
// (default 5) of `--seconds` / repeats each, and each ratio to static is the
// median over the repetitions, with the interval (lowest..highest) beside it.
// A target whose interval straddles its limit is "inconclusive at this
// length" rather than met or missed.
//
// The pair case: each of 2 threads (--pair-threads) runs back-to-back
// acquire+release pairs of a 2 x 512-float buffer (4 KiB, as the single-
// operation tables' pairs) for a fixed time; ns per pair per thread, median
// over the repetitions, the subjects taking turns.
//
// Targets (issue: per-thread caches): the cached pair under 2-thread
// contention no slower than malloc+free's; the cached graph callback within
// 1.05 x static at p50.
//
// Options: --workers=N (default 2), --seconds=S (graph, per repetition set;
// default 5), --repeats=R (default 5), --frames=F (default 256), --csv=PATH.
#include "report.hpp"
#include "timing.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <memory_resource>
#include <string>
#include <thread>
#include <vector>

#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

namespace {

constexpr std::size_t channels = 2;
constexpr std::size_t maxFrames = 1024;
constexpr std::size_t layers = 4;
constexpr std::size_t width = 8;
constexpr std::size_t nodes = layers * width;
constexpr std::size_t maxBuffersPerNode = 4;   // input, up to 2 scratch, output
constexpr std::size_t poolCapacity = 512;       // far more than a callback and every cache can hold
constexpr std::size_t cacheSize = 8;
constexpr double sliceSeconds = 0.02;

/// Scratch buffers node (l, w) takes: 0, 1 or 2, so a node holds 2–4 buffers.
constexpr std::size_t scratchOf(std::size_t l, std::size_t w) { return (l + w) % 3; }

using GraphPool = audiopool::Pool<float, channels, maxFrames, poolCapacity, audiopool::Treiber>;
constinit GraphPool graphPool;

// ---- the strategies: take(ctx, node, k) -> Buffer, give(ctx, Buffer&) ----

/// Every buffer assigned before the run: node n's k-th at a fixed place.
struct StaticBuffers {
    static constexpr const char* name = "static";
    struct Buffer {
        float* data = nullptr;
    };
    struct Context {};
    Buffer take(Context&, std::size_t node, std::size_t k) { return {storage->samples[node][k]}; }
    void give(Context&, Buffer& b) { b = {}; }
    static float* samples(const Buffer& b) { return b.data; }
    struct Storage {
        alignas(64) float samples[nodes][maxBuffersPerNode][channels * maxFrames];
    };
    std::unique_ptr<Storage> storage = std::make_unique<Storage>();  // value-initialised: every page touched
};

/// The shared pool: every take and give a compare-and-swap on its head.
struct SharedPool {
    static constexpr const char* name = "Treiber shared";
    using Buffer = GraphPool::Unique;
    struct Context {};
    SharedPool() { graphPool.prefault(); }
    Buffer take(Context&, std::size_t, std::size_t) { return graphPool.acquire(); }
    void give(Context&, Buffer& b) { b.reset(); }
    static float* samples(const Buffer& b) { return b.channelPointers()[0]; }
};

/// The same pool behind a cache per worker.
struct CachedPool {
    static constexpr const char* name = "Treiber cached";
    using Buffer = GraphPool::Unique;
    struct Context {
        audiopool::PoolCache<GraphPool, cacheSize> cache;
    };
    CachedPool() { graphPool.prefault(); }
    static Context context() { return {graphPool.cache<cacheSize>()}; }
    Buffer take(Context& c, std::size_t, std::size_t) { return c.cache.acquire(); }
    void give(Context& c, Buffer& b) { c.cache.release(std::move(b)); }
    static float* samples(const Buffer& b) { return b.channelPointers()[0]; }
};

inline std::size_t bufferBytes(std::size_t frames) { return channels * frames * sizeof(float); }

struct MallocBuffers {
    static constexpr const char* name = "malloc/free";
    struct Buffer {
        float* data = nullptr;
    };
    struct Context {};
    std::size_t frames = 0;
    Buffer take(Context&, std::size_t, std::size_t) {
        return {
            static_cast<float*>(std::malloc(bufferBytes(frames)))};  // NOLINT(cppcoreguidelines-no-malloc): the peer
    }
    void give(Context&, Buffer& b) {
        std::free(b.data);  // NOLINT(cppcoreguidelines-no-malloc): the peer
        b = {};
    }
    static float* samples(const Buffer& b) { return b.data; }
};

struct PmrSyncBuffers {
    static constexpr const char* name = "pmr sync pool";
    struct Buffer {
        float* data = nullptr;
    };
    struct Context {};
    std::size_t frames = 0;
    std::pmr::synchronized_pool_resource resource{std::pmr::pool_options{0, bufferBytes(maxFrames)},
                                                  std::pmr::new_delete_resource()};
    Buffer take(Context&, std::size_t, std::size_t) {
        return {static_cast<float*>(resource.allocate(bufferBytes(frames), alignof(float)))};
    }
    void give(Context&, Buffer& b) {
        resource.deallocate(b.data, bufferBytes(frames), alignof(float));
        b = {};
    }
    static float* samples(const Buffer& b) { return b.data; }
};

template <class S>
typename S::Context makeContext() {
    if constexpr (requires { S::context(); }) return S::context();
    else return {};
}

// ---- the graph ----

/// One worker's part of a callback: claim nodes layer by layer.
template <class S>
class Graph {
public:
    using Buffer = typename S::Buffer;

    Graph(S& strategy, std::size_t frames) : strategy_(strategy), frames_(frames) {}

    /// Worker `me`: every layer, with a barrier after each.
    void run(typename S::Context& ctx, std::uint64_t generation) {
        for (std::size_t l = 0; l < layers; ++l) {
            // relaxed: a claim counter; the barrier below orders the work.
            for (std::size_t w; (w = next_[l].fetch_add(1, std::memory_order_relaxed)) < width;) node(ctx, l, w);
            // acq_rel: releases this worker's outputs of layer l to the
            // workers that pass the barrier, and acquires theirs.
            arrived_[l].fetch_add(1, std::memory_order_acq_rel);
            // acquire: pairs with the other workers' acq_rel arrivals.
            while (arrived_[l].load(std::memory_order_acquire) < workers_ * generation) std::this_thread::yield();
        }
    }
    void reset(std::size_t workers) {
        workers_ = workers;
        for (auto& a : arrived_) a.store(0, std::memory_order_relaxed);
    }
    /// Before a callback (render thread, while the workers wait for it).
    void open() {
        for (auto& n : next_) n.store(0, std::memory_order_relaxed);
    }
    float result() const { return sink_.load(std::memory_order_relaxed); }

private:
    void node(typename S::Context& ctx, std::size_t l, std::size_t w) {
        const std::size_t n = l * width + w;
        Buffer out = strategy_.take(ctx, n, 0);
        float* o = S::samples(out);
        const std::size_t samples = channels * frames_;
        if (l == 0) {
            for (std::size_t i = 0; i < samples; ++i) o[i] = float(i % 64) * (1.0f / 64) - 0.5f;
        } else {
            Buffer& in = links_[l - 1][w];
            const float* x = S::samples(in);
            for (std::size_t i = 0; i < samples; ++i) o[i] = 0.9f * x[i];
            strategy_.give(ctx, in);
        }
        std::array<Buffer, 2> scratch{};
        for (std::size_t k = 0; k < scratchOf(l, w); ++k) {
            scratch[k] = strategy_.take(ctx, n, 1 + k);
            float* s = S::samples(scratch[k]);
            float state = 0;
            for (std::size_t i = 0; i < samples; ++i) s[i] = state += 0.1f * (o[i] - state);
            for (std::size_t i = 0; i < samples; ++i) o[i] += 0.25f * s[i];
        }
        for (std::size_t k = 0; k < scratchOf(l, w); ++k) strategy_.give(ctx, scratch[k]);
        if (l + 1 < layers) {
            links_[l][w] = std::move(out);
        } else {
            sink_.store(sink_.load(std::memory_order_relaxed) + o[samples - 1], std::memory_order_relaxed);
            strategy_.give(ctx, out);
        }
    }

    S& strategy_;
    std::size_t frames_;
    std::size_t workers_ = 1;
    std::array<std::array<Buffer, width>, layers> links_{};
    std::array<std::atomic<std::size_t>, layers> next_{};
    std::array<std::atomic<std::uint64_t>, layers> arrived_{};
    std::atomic<float> sink_{0};
};

/// A strategy with its workers: the render thread (worker 0) times callbacks,
/// the others spin (then yield) waiting for the next one.
class Contender {
public:
    virtual ~Contender() = default;
    virtual const char* name() const = 0;
    /// `count` timed callbacks, appended to ticks.
    virtual void slice(std::size_t count) = 0;
    std::vector<std::uint32_t> ticks;
};

template <class S>
class ContenderOf final : public Contender {
public:
    ContenderOf(std::size_t workers, std::size_t frames) : graph_(strategy_, frames) {
        if constexpr (requires { strategy_.frames; }) strategy_.frames = frames;
        graph_.reset(workers);
        for (std::size_t w = 1; w < workers; ++w) helpers_.emplace_back([this] { help(); });
    }
    ~ContenderOf() override {
        quit_.store(true, std::memory_order_relaxed);
        active_.store(true, std::memory_order_release);
        active_.notify_all();
        for (auto& t : helpers_) t.join();
    }
    const char* name() const override { return S::name; }
    void slice(std::size_t count) override {
        // The helpers spin only during this strategy's slice; between slices
        // they sleep, so that the other strategies' slices have the cores.
        active_.store(true, std::memory_order_release);
        active_.notify_all();
        for (int i = 0; i < 10; ++i) callback();  // untimed: the helpers wake up, the buffers warm up
        for (std::size_t i = 0; i < count; ++i) {
            const std::uint64_t t0 = bench::stamp();
            callback();
            const std::uint64_t t1 = bench::stamp();
            ticks.push_back(static_cast<std::uint32_t>(std::min<std::uint64_t>(t1 - t0, 0xFFFF'FFFFu)));
        }
        active_.store(false, std::memory_order_relaxed);
    }

private:
    void callback() {
        graph_.open();
        // release: the claim counters are reset before a helper sees the new generation.
        const std::uint64_t generation = go_.fetch_add(1, std::memory_order_release) + 1;
        graph_.run(ctx_, generation);
    }
    void help() {
        auto ctx = makeContext<S>();
        std::uint64_t seen = 0;
        for (unsigned spins = 0;;) {
            // acquire: pairs with callback()'s release.
            const std::uint64_t now = go_.load(std::memory_order_acquire);
            if (quit_.load(std::memory_order_relaxed)) return;
            if (now == seen) {
                if (++spins % 64 == 0) std::this_thread::yield();
                // Between slices: sleep until the next one (the last
                // callback of a slice finished before the flag dropped).
                if (!active_.load(std::memory_order_relaxed)) active_.wait(false, std::memory_order_acquire);
                continue;
            }
            seen = now;
            graph_.run(ctx, now);
        }
    }

    S strategy_;
    Graph<S> graph_;
    typename S::Context ctx_ = makeContext<S>();
    std::atomic<std::uint64_t> go_{0};
    std::atomic<bool> active_{false};
    std::atomic<bool> quit_{false};
    std::vector<std::thread> helpers_;
};

// ---- the pair case ----

/// ns per pair per thread, `threads` threads doing back-to-back pairs for `seconds`.
template <class S>
double pairNs(std::size_t threads, double seconds) {
    S strategy;
    if constexpr (requires { strategy.frames; }) strategy.frames = 512;
    std::atomic<bool> start{false}, stop{false};
    std::vector<std::uint64_t> pairs(threads, 0);
    std::vector<std::thread> pool;
    for (std::size_t t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            auto ctx = makeContext<S>();
            while (!start.load(std::memory_order_acquire)) {}
            std::uint64_t n = 0;
            while (!stop.load(std::memory_order_relaxed)) {
                for (int i = 0; i < 256; ++i) {
                    auto b = strategy.take(ctx, 0, 0);
                    bench::keep(S::samples(b));
                    strategy.give(ctx, b);
                }
                n += 256;
            }
            pairs[t] = n;
        });
    const auto t0 = std::chrono::steady_clock::now();
    start.store(true, std::memory_order_release);
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop.store(true, std::memory_order_relaxed);
    for (auto& th : pool) th.join();
    const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    double perThread = 0;
    for (const auto n : pairs) perThread += ns / double(n);
    return perThread / double(threads);
}

// ---- statistics over repetitions ----

struct Spread {
    double median = 0, low = 0, high = 0;
};
Spread spread(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    const double median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    return {median, values.front(), values.back()};
}
std::string shown(const Spread& s) {
    return fmt::format("{} [{}..{}]", bench::number(s.median), bench::number(s.low), bench::number(s.high));
}
/// met when the whole interval is within the limit, MISSED when none of it
/// is, otherwise inconclusive at this length.
std::string judged(const Spread& s, double limit) {
    if (s.high <= limit) return "met";
    if (s.low > limit) return "MISSED";
    return "inconclusive at this length";
}

} // namespace

int main(int argc, char** argv) {
    const auto workers = static_cast<std::size_t>(std::stoul(bench::takeOption(argc, argv, "workers", "2")));
    const double seconds = std::stod(bench::takeOption(argc, argv, "seconds", "5"));
    const auto repeats = static_cast<std::size_t>(std::stoul(bench::takeOption(argc, argv, "repeats", "5")));
    const auto frames = static_cast<std::size_t>(std::stoul(bench::takeOption(argc, argv, "frames", "256")));
    const auto pairThreads = static_cast<std::size_t>(std::stoul(bench::takeOption(argc, argv, "pair-threads", "2")));
    const std::string csvPath = bench::takeOption(argc, argv, "csv");
    if (workers < 1 || repeats < 1 || frames < 1 || frames > maxFrames || pairThreads < 1) {
        fmt::print(stderr, "graph: --workers, --repeats and --pair-threads at least 1, --frames 1..{}\n", maxFrames);
        return 2;
    }
    const double perUs = bench::stampsPerNs() * 1000;
    fmt::print("\n==== A graph renderer on {} worker threads ({} cores online) ====\n"
               "Per callback: {} layers x {} nodes, each taking 2-4 buffers of {} x {} floats (inputs cross threads);\n"
               "{} repetitions of {:.2f} s, strategies taking turns in ~{} ms slices; ratios to static, median "
               "[lowest..highest] over repetitions.\n",
               workers, std::thread::hardware_concurrency(), layers, width, channels, frames, repeats,
               seconds / double(repeats), sliceSeconds * 1000);

    std::vector<std::unique_ptr<Contender>> all;
    all.push_back(std::make_unique<ContenderOf<StaticBuffers>>(workers, frames));
    all.push_back(std::make_unique<ContenderOf<SharedPool>>(workers, frames));
    all.push_back(std::make_unique<ContenderOf<CachedPool>>(workers, frames));
    all.push_back(std::make_unique<ContenderOf<MallocBuffers>>(workers, frames));
    all.push_back(std::make_unique<ContenderOf<PmrSyncBuffers>>(workers, frames));

    // Slice length from static's callback time.
    all.front()->slice(200);
    auto probe = all.front()->ticks;
    const double estimateUs = bench::percentiles(probe, perUs).p50;
    const auto count = std::size_t(std::clamp(sliceSeconds * 1e6 / estimateUs, 20.0, 1e5));

    const std::size_t subjects = all.size();
    std::vector<std::vector<double>> p50(subjects), p999(subjects), ratio50(subjects), ratio999(subjects);
    std::vector<std::vector<std::uint32_t>> pooled(subjects);
    for (std::size_t r = 0; r < repeats; ++r) {
        for (auto& c : all) c->ticks.clear();
        const auto start = std::chrono::steady_clock::now();
        for (std::size_t round = 0; round == 0 || std::chrono::steady_clock::now() - start <
                                                      std::chrono::duration<double>(seconds / double(repeats));
             ++round)
            for (std::size_t k = 0; k < subjects; ++k) all[(round + k) % subjects]->slice(count);
        for (std::size_t i = 0; i < subjects; ++i) {
            pooled[i].insert(pooled[i].end(), all[i]->ticks.begin(), all[i]->ticks.end());
            const auto q = bench::percentiles(all[i]->ticks, perUs);
            p50[i].push_back(q.p50);
            p999[i].push_back(q.p999);
        }
        for (std::size_t i = 0; i < subjects; ++i) {
            ratio50[i].push_back(p50[i].back() / p50[0].back());
            ratio999[i].push_back(p999[i].back() / p999[0].back());
        }
    }

    bench::Table table{fmt::format("Graph callback, {} workers, {} frames (us; x: ratio to static, median "
                                   "[lowest..highest] of {} repetitions)",
                                   workers, frames, repeats),
                       {"strategy", "callbacks", "p50", "p99", "p99.9", "x p50", "x p99.9"},
                       {}};
    bench::Table csv{
        "",
        {"case", "subject", "workers", "frames", "repeats", "value", "median_ratio", "low_ratio", "high_ratio"},
        {}};
    std::vector<Spread> graphRatio(subjects);
    for (std::size_t i = 0; i < subjects; ++i) {
        const auto q = bench::percentiles(pooled[i], perUs);
        graphRatio[i] = spread(ratio50[i]);
        table.rows.push_back({all[i]->name(), std::to_string(pooled[i].size()), bench::number(q.p50),
                              bench::number(q.p99), bench::number(q.p999), shown(graphRatio[i]),
                              shown(spread(ratio999[i]))});
        csv.rows.push_back({"graph", all[i]->name(), std::to_string(workers), std::to_string(frames),
                            std::to_string(repeats), fmt::format("{:.3f}", q.p50),
                            fmt::format("{:.4f}", graphRatio[i].median), fmt::format("{:.4f}", graphRatio[i].low),
                            fmt::format("{:.4f}", graphRatio[i].high)});
    }
    table.print();
    all.clear();  // the helpers stop; the caches drain into the pool

    // The pair case: subjects take turns within each repetition.
    using PairRun = double (*)(std::size_t, double);
    const std::vector<std::pair<const char*, PairRun>> pairSubjects = {
        {SharedPool::name, pairNs<SharedPool>},
        {CachedPool::name, pairNs<CachedPool>},
        {MallocBuffers::name, pairNs<MallocBuffers>},
        {PmrSyncBuffers::name, pairNs<PmrSyncBuffers>},
    };
    const double pairSeconds = std::clamp(seconds / double(repeats) / 8, 0.02, 0.5);
    std::vector<std::vector<double>> pairNsOf(pairSubjects.size());
    std::vector<double> cachedOverMalloc;
    for (std::size_t r = 0; r < repeats; ++r) {
        for (std::size_t k = 0; k < pairSubjects.size(); ++k) {
            const std::size_t i = (r + k) % pairSubjects.size();
            pairNsOf[i].push_back(pairSubjects[i].second(pairThreads, pairSeconds));
        }
        cachedOverMalloc.push_back(pairNsOf[1].back() / pairNsOf[2].back());
    }
    bench::Table pairs{fmt::format("Acquire+release pairs of a 4 KiB buffer on {} threads at once (ns per pair per "
                                   "thread, median [lowest..highest] of {} repetitions of {:.2f} s)",
                                   pairThreads, repeats, pairSeconds),
                       {"subject", "ns per pair"},
                       {}};
    for (std::size_t i = 0; i < pairSubjects.size(); ++i) {
        const Spread s = spread(pairNsOf[i]);
        pairs.rows.push_back({pairSubjects[i].first, shown(s)});
        csv.rows.push_back({"pair", pairSubjects[i].first, std::to_string(pairThreads), "512", std::to_string(repeats),
                            fmt::format("{:.3f}", s.median), "", "", ""});
    }
    pairs.print();
    std::fflush(stdout);

    const Spread cachedPair = spread(cachedOverMalloc);
    const Spread cachedGraph = graphRatio[2];
    bench::Table targets{"Targets (thread caches; median [lowest..highest] over repetitions)",
                         {"target", "measured", "limit", "result"},
                         {}};
    targets.rows.push_back({fmt::format("Treiber cached pair / malloc+free pair, {} threads", pairThreads),
                            shown(cachedPair), "<= 1.00", judged(cachedPair, 1.0)});
    targets.rows.push_back({fmt::format("Treiber cached graph callback / static at p50, {} workers", workers),
                            shown(cachedGraph), "<= 1.05", judged(cachedGraph, 1.05)});
    targets.print();
    if (!csvPath.empty()) csv.writeCsv(csvPath);

    const auto s = graphPool.stats();
    fmt::print("Pool after the run: inUse {}, cached {}, failed acquisitions {} (all must be 0).\n", s.inUse, s.cached,
               s.failedAcquisitions);
    return s.inUse == 0 && s.cached == 0 && s.failedAcquisitions == 0 ? 0 : 1;
}
