// bench/object_pool.cpp — audiopool::ObjectPool against the other ways a
// program gets a small object (a 64-byte synth voice) and gives it back.
//
//  - pair: one thread makes an object and destroys it, over and over; ns per
//    make + destroy. Subjects: new/delete (the baseline), ObjectPool with each
//    built-in policy (SpscRing and OwnerThread used from one thread, which
//    their rules allow), std::make_unique, boost::object_pool (construct /
//    destroy) and std::pmr::unsynchronized_pool_resource through a
//    polymorphic_allocator (new_object / delete_object).
//  - voices: a voice allocator's pattern: 32 objects live, each step
//    destroys one (a fixed pseudo-random sequence, the same for every
//    subject) and makes a new one in its place; ns per step, same subjects.
//    (boost::object_pool's destroy keeps its free list ordered: O(free
//    chunks), which this pattern shows.)
//  - two threads: each thread makes and destroys pairs on one shared
//    ObjectPool<Treiber>, against new/delete on both threads; ns per pair per
//    thread (wall time of the run / pairs per thread).
//
// Every subject runs as a block, blocks interleaved, each subject repeated 5
// times; per block the p50 of a batch's time (divided by the batch's
// operations) is read, and per repetition its ratio to new/delete's in that
// repetition. The tables print each subject's median and median ratio; the
// targets: ObjectPool<IndexStack> within new/delete's time, per pair and per
// voices step. The machine is shared and noisy: compare subjects within one
// run, quote medians and ratios (docs/benchmarks.md).
//
//   g++ -std=c++20 -O2 -DNDEBUG -Iinclude -I. bench/object_pool.cpp -o /tmp/bop -pthread -lfmt && /tmp/bop
//   /tmp/bop --seconds=60          (a longer run: the blocks take N s in all; default 6)
//   /tmp/bop --csv=object_pool.csv (also writes case,subject,ns,ratio_to_new_delete)
#include "report.hpp"
#include "timing.hpp"

#include <boost/pool/object_pool.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <memory_resource>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

namespace {

constexpr std::size_t repetitions = 5;
constexpr std::size_t liveVoices = 32;
constexpr std::size_t poolCapacity = 64;
constexpr std::size_t batch = 256;  // operations between two stamps
constexpr std::size_t sequenceLength = 4096;

/// A voice's state: 64 bytes, written by its constructor.
struct Voice {
    float phase = 0, increment = 0, level = 0, target = 0;
    float attack = 0, release = 0, cutoff = 0, resonance = 0;
    std::uint32_t note = 0, velocity = 0, age = 0, channel = 0;
    float pan = 0, detune = 0, spare[2] = {0, 0};

    explicit Voice(std::uint32_t n) noexcept
        : increment(0.01f * float(n)), level(1), attack(0.001f), release(0.2f), note(n), velocity(100) {}
};
static_assert(sizeof(Voice) == 64);

// ---- subjects: Handle make(seed), void destroy(Handle&) ----

struct NewDelete {
    using Handle = Voice*;
    static std::string name() { return "new/delete"; }
    Handle make(std::uint32_t n) { return new Voice(n); }
    void destroy(Handle& h) {
        delete h;
        h = nullptr;
    }
};

template <class Policy>
struct Pooled {
    using Pool = audiopool::ObjectPool<Voice, poolCapacity, Policy>;
    static inline constinit Pool pool;  // static storage, as a plugin's pool
    using Handle = typename Pool::Unique;
    static std::string name() { return fmt::format("ObjectPool<{}>", Policy::name); }
    Handle make(std::uint32_t n) noexcept { return pool.make(n); }
    void destroy(Handle& h) noexcept { h.reset(); }
};

struct MakeUnique {
    using Handle = std::unique_ptr<Voice>;
    static std::string name() { return "std::make_unique"; }
    Handle make(std::uint32_t n) { return std::make_unique<Voice>(n); }
    void destroy(Handle& h) { h.reset(); }
};

struct BoostPool {
    using Handle = Voice*;
    boost::object_pool<Voice> pool;
    static std::string name() { return "boost::object_pool"; }
    Handle make(std::uint32_t n) { return pool.construct(n); }
    void destroy(Handle& h) {
        pool.destroy(h);
        h = nullptr;
    }
};

struct PmrPool {
    using Handle = Voice*;
    std::pmr::unsynchronized_pool_resource resource;
    std::pmr::polymorphic_allocator<> allocator{&resource};
    static std::string name() { return "pmr unsynchronized_pool"; }
    Handle make(std::uint32_t n) { return allocator.new_object<Voice>(n); }
    void destroy(Handle& h) {
        allocator.delete_object(h);
        h = nullptr;
    }
};

using Subjects =
    std::tuple<NewDelete, Pooled<audiopool::IndexStack>, Pooled<audiopool::Treiber>, Pooled<audiopool::SpscRing>,
               Pooled<audiopool::OwnerThread>, MakeUnique, BoostPool, PmrPool>;
constexpr std::size_t subjectCount = std::tuple_size_v<Subjects>;

/// Which live voice each voices step replaces: a linear congruential
/// sequence from a fixed seed.
std::vector<std::uint32_t> makeSequence() {
    std::vector<std::uint32_t> sequence(sequenceLength);
    std::uint64_t state = 0x2545F4914F6CDD1DULL;
    for (auto& index : sequence) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        index = static_cast<std::uint32_t>((state >> 33) % liveVoices);
    }
    return sequence;
}

/// `batch` make + destroy pairs.
template <class Subject>
void pairs(Subject& subject, std::uint32_t& seed) {
    for (std::size_t i = 0; i < batch; ++i) {
        auto handle = subject.make(seed++);
        bench::keep(&*handle);
        subject.destroy(handle);
    }
}

/// `batch` voices steps from `at` in the sequence.
template <class Subject>
void steps(Subject& subject, std::array<typename Subject::Handle, liveVoices>& live,
           const std::vector<std::uint32_t>& sequence, std::size_t& at, std::uint32_t& seed) {
    for (std::size_t i = 0; i < batch; ++i) {
        auto& handle = live[sequence[at]];
        at = (at + 1) % sequence.size();
        subject.destroy(handle);
        handle = subject.make(seed++);
        bench::keep(&*handle);
    }
}

/// One block of either case for `duration` after a warm-up; the p50 of a
/// batch's stamps, in ns per operation.
template <class Subject, bool voices>
double block(const std::vector<std::uint32_t>& sequence, std::chrono::nanoseconds duration, double perNs,
             std::vector<std::uint32_t>& samples) {
    Subject subject;
    std::array<typename Subject::Handle, liveVoices> live{};
    std::uint32_t seed = 1;
    std::size_t at = 0;
    if constexpr (voices)
        for (auto& handle : live) handle = subject.make(seed++);
    const auto run = [&] {
        if constexpr (voices) steps(subject, live, sequence, at, seed);
        else pairs(subject, seed);
    };
    for (int i = 0; i < 16; ++i) run();
    samples.clear();
    const auto deadline = std::chrono::steady_clock::now() + duration;
    for (std::size_t i = 0; i < 64 || (i % 16 != 0 || std::chrono::steady_clock::now() < deadline); ++i) {
        const std::uint64_t start = bench::stamp();
        run();
        const std::uint64_t end = bench::stamp();
        samples.push_back(static_cast<std::uint32_t>(std::min<std::uint64_t>(end - start, 0xFFFF'FFFFu)));
    }
    for (auto& handle : live)
        if (handle) subject.destroy(handle);
    return bench::percentiles(samples, perNs * double(batch)).p50;
}

/// Two threads, each `count` pairs on `make`/`destroy`; ns per pair per thread.
template <class Make, class Destroy>
double twoThreads(std::size_t count, Make make, Destroy destroy) {
    std::atomic<int> ready{0};
    const auto work = [&] {
        // acq_rel / acquire: only a start line; the threads share nothing else here.
        ready.fetch_add(1, std::memory_order_acq_rel);
        while (ready.load(std::memory_order_acquire) < 2) {}
        for (std::size_t i = 0; i < count; ++i) {
            auto handle = make(static_cast<std::uint32_t>(i));
            bench::keep(&*handle);
            destroy(handle);
        }
    };
    const auto start = std::chrono::steady_clock::now();
    std::thread other(work);
    work();
    other.join();
    const auto elapsed = std::chrono::steady_clock::now() - start;
    return double(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()) / double(count);
}

constinit audiopool::ObjectPool<Voice, poolCapacity, audiopool::Treiber> sharedPool;

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

struct Results {
    std::vector<std::string> names;
    std::vector<std::vector<double>> ns, ratios;

    explicit Results(std::vector<std::string> subjectNames)
        : names(std::move(subjectNames)), ns(names.size()), ratios(names.size()) {}
    void add(const std::vector<double>& repetition) {
        for (std::size_t s = 0; s < names.size(); ++s) {
            ns[s].push_back(repetition[s]);
            ratios[s].push_back(repetition[s] / repetition[0]);
        }
    }
    double ratio(std::size_t s) const { return median(ratios[s]); }
    void print(const std::string& title, const std::string& unit) const {
        bench::Table table{
            title, {"subject", unit + " (median)", unit + " per repetition", "ratio to new/delete (median)"}, {}};
        for (std::size_t s = 0; s < names.size(); ++s) {
            std::string each;
            for (const double v : ns[s]) each += (each.empty() ? "" : " ") + bench::number(v);
            table.rows.push_back({names[s], bench::number(median(ns[s])), each, bench::number(ratio(s))});
        }
        table.print();
    }
    void addCsv(bench::Table& out, const std::string& caseName) const {
        for (std::size_t s = 0; s < names.size(); ++s)
            out.rows.push_back(
                {caseName, names[s], fmt::format("{:.2f}", median(ns[s])), fmt::format("{:.3f}", ratio(s))});
    }
};

template <bool voices>
Results runCase(const std::vector<std::uint32_t>& sequence, std::chrono::nanoseconds perBlock, double perNs,
                std::vector<std::uint32_t>& samples) {
    Results results([]<std::size_t... s>(std::index_sequence<s...>) {
        return std::vector<std::string>{std::tuple_element_t<s, Subjects>::name()...};
    }(std::make_index_sequence<subjectCount>{}));
    for (std::size_t r = 0; r < repetitions; ++r) {
        std::vector<double> repetition;
        [&]<std::size_t... s>(std::index_sequence<s...>) {
            (repetition.push_back(block<std::tuple_element_t<s, Subjects>, voices>(sequence, perBlock, perNs, samples)),
             ...);
        }(std::make_index_sequence<subjectCount>{});
        results.add(repetition);
    }
    return results;
}

} // namespace

int main(int argc, char** argv) {
    const double seconds = std::stod(bench::takeOption(argc, argv, "seconds", "6"));
    const std::string csv = bench::takeOption(argc, argv, "csv");
    const std::vector<std::uint32_t> sequence = makeSequence();
    const double perNs = bench::stampsPerNs();
    [&]<std::size_t... s>(std::index_sequence<s...>) {
        (..., [] {
            if constexpr (requires { std::tuple_element_t<s, Subjects>::pool.prefault(); })
                std::tuple_element_t<s, Subjects>::pool.prefault();
        }());
    }(std::make_index_sequence<subjectCount>{});
    sharedPool.prefault();

    // The single-thread blocks take 80% of the time, the two-thread runs the rest.
    std::vector<std::uint32_t> samples;
    samples.reserve(1 << 20);
    const auto perBlock = std::chrono::nanoseconds(
        static_cast<std::int64_t>(0.8 * seconds * 1e9 / double(2 * subjectCount * repetitions)));
    const Results pairResults = runCase<false>(sequence, perBlock, perNs, samples);
    const Results voiceResults = runCase<true>(sequence, perBlock, perNs, samples);

    // Two threads: the pair count of a run sized from the single-thread
    // new/delete time, so each run takes about its share of the time.
    const double shareNs = 0.2 * seconds * 1e9 / double(2 * repetitions);
    const auto twoCount =
        static_cast<std::size_t>(std::max(10000.0, shareNs / std::max(1.0, 4 * median(pairResults.ns[0]))));
    Results twoResults({"new/delete", "ObjectPool<Treiber> shared"});
    std::uint64_t sharedFailed = 0;
    for (std::size_t r = 0; r < repetitions; ++r) {
        const double heap =
            twoThreads(twoCount, [](std::uint32_t n) { return new Voice(n); }, [](Voice* v) { delete v; });
        const auto before = sharedPool.stats().failedAcquisitions;
        const double pooled = twoThreads(
            twoCount, [](std::uint32_t n) { return sharedPool.make(n); }, [](auto& handle) { handle.reset(); });
        sharedFailed += sharedPool.stats().failedAcquisitions - before;
        twoResults.add({heap, pooled});
    }

    const auto pairStats = Pooled<audiopool::IndexStack>::pool.stats();
    if (pairStats.inUse != 0 || pairStats.failedAcquisitions != 0 || pairStats.misuses != 0 || sharedFailed != 0 ||
        sharedPool.stats().inUse != 0) {
        fmt::print(stderr, "a pool refused a make or kept an object\n");
        return 1;
    }

    const double blockSeconds = double(perBlock.count()) / 1e9;
    pairResults.print(fmt::format("One thread: make + destroy a {}-byte object ({:.2f} s per block, {} blocks per "
                                  "subject, interleaved)",
                                  sizeof(Voice), blockSeconds, repetitions),
                      "ns per pair");
    voiceResults.print(fmt::format("Voice allocator: {} live, each step destroys a pseudo-random one and makes "
                                   "a new one ({:.2f} s per block)",
                                   liveVoices, blockSeconds),
                       "ns per step");
    twoResults.print(fmt::format("Two threads: each {} make + destroy pairs on one shared pool, or new/delete "
                                 "({} runs)",
                                 twoCount, repetitions),
                     "ns per pair per thread");
    // The single-thread policies' pool against the heap; the shared Treiber
    // pool is not held to the heap's time (its compare-and-swap makes a pair
    // cost about as much as glibc's per-thread cache, at times more).
    bench::printTargets("Targets", {{"ObjectPool<IndexStack> pair / new/delete pair", pairResults.ratio(1), 1.0},
                                    {"ObjectPool<IndexStack> step / new/delete step", voiceResults.ratio(1), 1.0}});
    if (!csv.empty()) {
        bench::Table out{"", {"case", "subject", "ns", "ratio_to_new_delete"}, {}};
        pairResults.addCsv(out, "pair");
        voiceResults.addCsv(out, "voices");
        twoResults.addCsv(out, "two_threads");
        out.writeCsv(csv);
    }
    return 0;
}
