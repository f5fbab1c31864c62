// tests/model/model_batch.cpp — Treiber's batch operations (popBatch,
// pushBatch) and the thread caches built on them (cache.hpp) model-checked
// under the C++ memory model with Relacy, as model_main.cpp does for the
// pools: the library's own code on model::Atomics (model_atomics.hpp), each
// index's payload an rl::var, so an index handed to two owners at once, or
// to a new owner before the old one's writes are visible, is a DATA RACE
// report; a holder flag per index (an exchange, relaxed) asserts the same
// without relying on the race detector.
//
// Scenarios:
//  - batches and single operations: three threads take and give back
//    indices of a 4-index free list, in batches (one asking for more than
//    is free) and one at a time, in every mix; after the run counts() must
//    be exact (every index free, pops and pushes as the threads counted);
//  - a narrow tag (TagBits 2: a half-wrap every 2 pops, and a batch takes at
//    most 2): one thread pops and pushes singly and in batches across many
//    half-wraps while another reads counts(), which must lie between the
//    pops completed before the call and those announced by its end;
//  - caches: two threads with a cache each (batches of 2) on a 4-buffer
//    pool, one passing a buffer to the other, which releases it into its own
//    cache; a cache ends and another is made (a counter slot claimed after
//    another thread gave one back); after the run the statistics must be
//    exact (nothing in use or cached, acquisitions and releases as counted).
//
// Mutants: the first pass records every site that names a memory order; the
// ones in Treiber's batch operations and in cache.hpp are this file's (the
// single pop and push, counts() and the pool's own sites are
// model_main.cpp's). Each weakening of one of them (acquire or release to
// relaxed, acq_rel to each half) runs the scenarios again until one reports
// an error; a weakening none reports fails the run unless `notNeeded` lists
// it with the reason the order is there anyway (and a listed one that is
// caught, or matches nothing, fails it too).
//
//   audiopool-model-batch            every scenario, then every mutant
//   audiopool-model-batch --quick    a tenth of the iterations
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <new>
#include <source_location>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The build users ship: no thread binding checks (their extra atomic reads
// would add orderings of their own) and no fill of released buffers.
#define AUDIOPOOL_CHECK_THREADS 0
#define AUDIOPOOL_FILL_RELEASED 0
#include <audiopool/audiopool.hpp>

// After every standard and audiopool header: see model_main.cpp.
#include <relacy/relacy.hpp>
#undef memory_order_relaxed
#undef memory_order_consume
#undef memory_order_acquire
#undef memory_order_release
#undef memory_order_acq_rel
#undef memory_order_seq_cst
#undef new
#undef delete
#undef malloc
#undef calloc
#undef realloc
#undef free
#undef assert
#undef errno

#include "model_atomics.hpp"

namespace {

template <unsigned TagBits>
using ModelTreiber = audiopool::BasicTreiber<audiopool::detail::NoTreiberHooks, TagBits, model::Atomics>;

/// Polls `ready` until it returns true, at most `tries` times, yielding to
/// the scheduler in between; false if it never did.
template <class F>
bool pollFor(F ready, int tries = 8) {
    for (int i = 0; i < tries; ++i) {
        if (ready()) return true;
        rl::yield(1, $);
    }
    return false;
}

/// An object in static storage, made and destroyed with each Relacy
/// iteration (its atomics must be made inside the checker's context).
/// Relacy allocates the test object with malloc, which does not honour a
/// pool's cache-line alignment; the storage here does.
template <class T>
struct Holder {
    alignas(T) static inline unsigned char storage[sizeof(T)];
    T* object;
    Holder() : object(::new(static_cast<void*>(storage)) T()) {}
    ~Holder() { object->~T(); }
    Holder(const Holder&) = delete;
    Holder& operator=(const Holder&) = delete;
};

/// Per index: its payload (plain memory for the checker) and a holder flag.
template <std::size_t Capacity>
struct Owners {
    rl::var<int> payload[Capacity];
    rl::atomic<int> held[Capacity];

    Owners() {
        for (auto& p : payload) p($) = 0;
        for (auto& h : held) h($).store(0, rl::mo_relaxed);
    }
    /// The index is the caller's now: nobody else may hold it; it reads what
    /// the last owner left and writes its own stamp.
    void take(std::uint32_t index, int stamp) {
        RL_ASSERT(index < Capacity);
        // relaxed: the free list's own orders must carry the last owner's
        // release of the flag (a read-modify-write reads the latest value it
        // is ordered after).
        RL_ASSERT(held[index]($).exchange(1, rl::mo_relaxed) == 0);
        (void)payload[index]($).load();
        payload[index]($) = stamp;
    }
    void giveBack(std::uint32_t index, int stamp) {
        RL_ASSERT(payload[index]($) == stamp);
        held[index]($).store(0, rl::mo_relaxed);  // relaxed: as in take()
    }
};

// ------------------------------------------------------------ free list

/// A free list and its links, in one object of static storage.
template <unsigned TagBits, std::size_t Capacity>
struct ListAndLinks {
    using List = typename ModelTreiber<TagBits>::template FreeList<Capacity>;
    List list;
    typename List::Link links[Capacity];
};

/// Three threads, a 4-index list. Thread 0: a batch of 2, both back in one
/// batch, then one, back alone. Thread 1: one, then a batch of 3 (the list
/// may have fewer), everything back in one batch. Thread 2: a batch of 2,
/// one back alone and one in a batch of 1. Every index taken is used and
/// checked; after the run counts() must be exact.
struct BatchesAndSingles : rl::test_suite<BatchesAndSingles, 3> {
    static constexpr std::size_t capacity = 4;
    using L = ListAndLinks<32, capacity>;
    Holder<L> holder;
    Owners<capacity> owners;
    std::uint64_t taken[3] = {0, 0, 0};  // per thread, read in after()

    void thread(unsigned me) {
        L& l = *holder.object;
        const int stamp = static_cast<int>(me) + 1;
        std::uint32_t mine[capacity];
        std::uint32_t n = 0;
        auto takeBatch = [&](std::uint32_t wanted) {
            const audiopool::PoppedBatch got = l.list.popBatch(l.links, mine + n, wanted);
            RL_ASSERT(got.count <= wanted);
            RL_ASSERT(got.inUse <= capacity);
            for (std::uint32_t i = 0; i < got.count; ++i) owners.take(mine[n + i], stamp);
            n += got.count;
            taken[me] += got.count;
        };
        auto takeOne = [&] {
            const audiopool::Popped got = l.list.pop(l.links);
            if (got.index == audiopool::Popped::none) return;
            owners.take(got.index, stamp);
            mine[n++] = got.index;
            ++taken[me];
        };
        auto giveBatch = [&](std::uint32_t count) {  // the last `count` taken
            if (count == 0) return;
            for (std::uint32_t i = n - count; i < n; ++i) owners.giveBack(mine[i], stamp);
            l.list.pushBatch(mine + n - count, count, l.links);
            n -= count;
        };
        auto giveOne = [&] {
            owners.giveBack(mine[n - 1], stamp);
            l.list.push(mine[--n], l.links);
        };
        if (me == 0) {
            takeBatch(2);
            giveBatch(n);
            takeOne();
            if (n) giveOne();
        } else if (me == 1) {
            takeOne();
            takeBatch(3);
            giveBatch(n);
        } else {
            takeBatch(2);
            if (n) giveOne();
            giveBatch(n);
        }
    }

    void after() {
        const audiopool::FreeListCounts c = holder.object->list.counts();
        const std::uint64_t total = taken[0] + taken[1] + taken[2];
        RL_ASSERT(c.free == capacity);
        RL_ASSERT(c.pops == total);
        RL_ASSERT(c.pushes == total);
    }
};

/// A narrow tag: thread 0 pops and pushes across many half-wraps (batches
/// take at most 2 with TagBits 2); thread 1 reads counts(), which must lie
/// between the pops completed before the call (`completed`, stored after
/// each operation) and those announced by its end (`begun`, stored before
/// each operation, then a seq_cst fence: a reader that saw the operation's
/// head, then fenced, sees the announcement). Checked when the call spanned
/// at most one half-wrap's worth of pops (the lag counts() corrects).
struct NarrowTagCounts : rl::test_suite<NarrowTagCounts, 2> {
    static constexpr std::size_t capacity = 3;
    static constexpr unsigned tagBits = 2;
    static constexpr std::uint64_t halfWrap = 2;
    using L = ListAndLinks<tagBits, capacity>;
    Holder<L> holder;
    Owners<capacity> owners;
    rl::atomic<std::uint64_t> begun, completed;
    std::uint64_t pops = 0, pushes = 0;  // thread 0's, read in after()

    NarrowTagCounts() {
        begun($).store(0, rl::mo_relaxed);
        completed($).store(0, rl::mo_relaxed);
    }

    void thread(unsigned me) {
        L& l = *holder.object;
        if (me == 1) {
            for (int i = 0; i < 3; ++i) {
                const std::uint64_t low = completed($).load(rl::mo_acquire);  // pairs with the release store below
                const audiopool::FreeListCounts c = l.list.counts();
                rl::atomic_thread_fence(rl::mo_seq_cst, $);  // with the mutator's fence
                const std::uint64_t high = begun($).load(rl::mo_relaxed);
                RL_ASSERT(c.free <= capacity);
                RL_ASSERT(c.pushes <= c.pops);
                if (high - low <= halfWrap) {
                    RL_ASSERT(c.pops >= low);
                    RL_ASSERT(c.pops <= high);
                }
                rl::yield(1, $);
            }
            return;
        }
        std::uint32_t mine[capacity];
        std::uint32_t n = 0;
        auto announce = [&](std::uint64_t reach) {
            begun($).store(pops + reach, rl::mo_relaxed);
            rl::atomic_thread_fence(rl::mo_seq_cst, $);
        };
        auto done = [&] { completed($).store(pops, rl::mo_release); };
        // pop 2 (batch), push 2 (batch), pop 1, pop 2 (batch, capped), push 3 (batch), pop 2 (batch), push 1, push 1
        for (int round = 0; round < 2; ++round) {
            announce(2);
            const audiopool::PoppedBatch got = l.list.popBatch(l.links, mine, 3);  // capped at 2
            RL_ASSERT(got.count == 2);
            for (std::uint32_t i = 0; i < got.count; ++i) owners.take(mine[i], 1);
            n = got.count;
            pops += n;
            done();
            for (std::uint32_t i = 0; i < n; ++i) owners.giveBack(mine[i], 1);
            l.list.pushBatch(mine, n, l.links);
            pushes += n;
            n = 0;
            announce(1);
            const audiopool::Popped one = l.list.pop(l.links);
            RL_ASSERT(one.index != audiopool::Popped::none);
            owners.take(one.index, 1);
            ++pops;
            done();
            owners.giveBack(one.index, 1);
            l.list.push(one.index, l.links);
            ++pushes;
        }
    }

    void after() {
        const audiopool::FreeListCounts c = holder.object->list.counts();
        RL_ASSERT(c.pops == pops);
        RL_ASSERT(c.pushes == pushes);
        RL_ASSERT(c.free == capacity);
    }
};

// ---------------------------------------------------------------- caches

/// Two threads with a cache each on a 4-buffer pool (batches of 2). Thread
/// 0 takes two buffers, passes one to thread 1 and releases the other into
/// its cache, then ends its cache. Thread 1 takes one, receives thread 0's
/// and releases both into its cache, ends that cache and makes another
/// (which may claim the slot thread 0 gave back: its counters continue from
/// thread 0's last stores), takes one more and releases it there.
struct CachesPassingBuffers : rl::test_suite<CachesPassingBuffers, 2> {
    using P = audiopool::Pool<float, 1, 1, 4, ModelTreiber<32>>;
    using Unique = P::Unique;
    Holder<P> holder;
    Owners<4> owners;
    Unique box;  // the buffer passed, published by `posted`
    rl::atomic<int> posted;
    std::uint64_t acquired[2] = {0, 0}, failed[2] = {0, 0};  // per thread, read in after()

    CachesPassingBuffers() { posted($).store(0, rl::mo_relaxed); }

    void use(const Unique& h, int stamp) {
        owners.take(h.index(), stamp);
        owners.giveBack(h.index(), stamp);
    }

    void thread(unsigned me) {
        P& pool = *holder.object;
        const int stamp = static_cast<int>(me) + 1;
        auto cache = pool.cache<4>();
        if (me == 0) {
            Unique a = cache.acquire(), b = cache.acquire();
            acquired[0] += (a ? 1 : 0) + (b ? 1 : 0);
            failed[0] += (a ? 0 : 1) + (b ? 0 : 1);
            if (a) use(a, stamp);
            if (b) use(b, stamp);
            box = std::move(a);
            posted($).store(1, rl::mo_release);  // publishes `box`
            cache.release(std::move(b));
            cache = {};  // ends: its buffers back, its slot given back
            return;
        }
        Unique c = cache.acquire();
        acquired[1] += c ? 1 : 0;
        failed[1] += c ? 0 : 1;
        if (c) use(c, stamp);
        Unique received;
        if (pollFor([&] { return posted($).load(rl::mo_acquire) == 1; }, 16)) received = std::move(box);
        if (received) use(received, stamp);
        cache.release(std::move(received));
        cache.release(std::move(c));
        cache = {};
        cache = pool.cache<4>();
        Unique d = cache.acquire();
        acquired[1] += d ? 1 : 0;
        failed[1] += d ? 0 : 1;  // thread 0's cache may still hold the rest
        if (d) use(d, stamp);
        cache.release(std::move(d));
    }

    void after() {
        box.reset();  // not received (thread 1 stopped polling): back to the free list
        const audiopool::Stats s = holder.object->stats();
        const std::uint64_t total = acquired[0] + acquired[1];
        RL_ASSERT(s.inUse == 0);
        RL_ASSERT(s.cached == 0);
        RL_ASSERT(s.acquisitions == total);
        RL_ASSERT(s.releases == total);
        RL_ASSERT(s.failedAcquisitions == failed[0] + failed[1]);
        RL_ASSERT(s.misuses == 0);
        RL_ASSERT(s.highWater <= 4);
    }
};

// ---------------------------------------------------------------- runner

struct Run {
    std::string_view name;
    rl::iteration_t iterations;
    bool (*simulate)(rl::test_params&);
};

template <class Test>
bool simulate(rl::test_params& p) {
    return rl::simulate<Test>(p);
}

std::vector<Run> scenarios() {
    return {
        {"Treiber batches and singles: 3 threads, 4 indices", 200000, simulate<BatchesAndSingles>},
        {"Treiber narrow tag: batches across half-wraps, a reader", 100000, simulate<NarrowTagCounts>},
        {"caches: 2 threads pass buffers, a slot reused", 100000, simulate<CachesPassingBuffers>},
    };
}

std::ostream silent(nullptr);

bool runOne(const Run& run, double scale, bool report) {
    rl::test_params p;
    p.search_type = rl::sched_random;
    p.iteration_count = std::max<rl::iteration_t>(1000, static_cast<rl::iteration_t>(double(run.iterations) * scale));
    p.output_stream = report ? &std::cout : &silent;
    p.progress_stream = &silent;
    p.collect_history = report;
    p.output_history = report;
    return run.simulate(p);
}

/// This file's sites: Treiber's batch operations and the caches'.
bool ours(const model::Site& s) {
    if (std::strstr(s.file, "cache.hpp") != nullptr) return true;
    return std::strstr(s.file, "treiber.hpp") != nullptr &&
           (std::strstr(s.function, "popBatch") != nullptr || std::strstr(s.function, "pushBatch") != nullptr);
}

std::vector<std::memory_order> weakenings(std::memory_order o) {
    switch (o) {
    case std::memory_order_acquire:
    case std::memory_order_release: return {std::memory_order_relaxed};
    case std::memory_order_acq_rel: return {std::memory_order_release, std::memory_order_acquire};
    default: return {};
    }
}

/// Weakenings no scenario reports, each with why the order is as written.
/// Matched by file, operation, a part of the function's name and the two
/// orders (not by line).
struct NotNeeded {
    std::string_view file, operation, function;
    std::memory_order from, to;
    std::string_view why;
};
constexpr auto acquire = std::memory_order_acquire;
constexpr auto relaxed = std::memory_order_relaxed;
const NotNeeded notNeeded[] = {
    {"treiber.hpp", "compare_exchange (success)", "popBatch", acquire, relaxed,
     "redundant, as in pop: the load (5) or the failed compare-and-swap before it read the same head "
     "value with acquire (the tag makes head values unique), so the links were already ordered; kept "
     "because a failure order stronger than the success order draws a GCC 12 warning"},
    // claim(): each of its three acquires is redundant while the other two
    // stay (weakening two together would not be).
    {"cache.hpp", "load", "claim", acquire, relaxed,
     "redundant: nothing is read between the load and the compare-and-swap, whose success acquire "
     "pairs with unclaim()'s release"},
    {"cache.hpp", "compare_exchange (success)", "claim", acquire, relaxed,
     "redundant while the load and the failure order acquire: the value a successful compare-and-swap "
     "replaces was read before by the load or by the failed compare-and-swap, with acquire (as pop's)"},
    {"cache.hpp", "compare_exchange (failure)", "claim", acquire, relaxed,
     "redundant: as the load; a failed claim reads nothing but the bits, and the successful one acquires"},
};

bool listed(const model::Site& s, std::memory_order to, std::vector<bool>& used) {
    for (std::size_t i = 0; i < std::size(notNeeded); ++i) {
        const NotNeeded& n = notNeeded[i];
        if (std::strstr(s.file, std::string(n.file).c_str()) && std::string_view(s.operation) == n.operation &&
            std::strstr(s.function, std::string(n.function).c_str()) && s.order == n.from && to == n.to) {
            used[i] = true;
            return true;
        }
    }
    return false;
}

const char* orderName(std::memory_order o) {
    switch (o) {
    case std::memory_order_relaxed: return "relaxed";
    case std::memory_order_consume: return "consume";
    case std::memory_order_acquire: return "acquire";
    case std::memory_order_release: return "release";
    case std::memory_order_acq_rel: return "acq_rel";
    case std::memory_order_seq_cst: return "seq_cst";
    }
    return "?";
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each line as it is made (a CI log)
    const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
    const double scale = quick ? 0.1 : 1.0;
    bool ok = true;

    model::sites.recording = true;
    unsigned index = 0;
    for (const Run& run : scenarios()) {
        model::sites.scenario = index++;
        const bool passed = runOne(run, scale, false);
        std::printf("%-60s %s\n", std::string(run.name).c_str(), passed ? "ok" : "FAILED");
        if (!passed) {
            runOne(run, scale, true);
            ok = false;
        }
    }
    model::sites.recording = false;

    unsigned mutants = 0, caught = 0, excused = 0;
    std::vector<bool> used(std::size(notNeeded), false);
    for (std::size_t i = 0; i < model::sites.count; ++i) {
        const model::Site site = model::sites.entries[i];
        if (!ours(site)) continue;
        for (const std::memory_order to : weakenings(site.order)) {
            ++mutants;
            model::mutation = {true, site, to};
            const Run* catcher = nullptr;
            const std::vector<Run> runs = scenarios();
            for (std::size_t r = 0; r < runs.size() && catcher == nullptr; ++r)
                if ((site.reachedBy & (1u << r)) != 0 && !runOne(runs[r], scale, false)) catcher = &runs[r];
            model::mutation.active = false;
            const char* file = std::strrchr(site.file, '/') ? std::strrchr(site.file, '/') + 1 : site.file;
            const bool isListed = listed(site, to, used);
            if (catcher) {
                ++caught;
                std::printf("caught: %s:%u %s %s -> %s%s\n", file, site.line, site.operation, orderName(site.order),
                            orderName(to), isListed ? "  <-- listed as not needed: update the list" : "");
                if (isListed) ok = false;
            } else if (isListed) {
                ++excused;
                std::printf("not needed: %s:%u %s %s -> %s\n", file, site.line, site.operation, orderName(site.order),
                            orderName(to));
            } else {
                ok = false;
                std::printf("SURVIVED: %s:%u %s %s -> %s (%s)\n", file, site.line, site.operation,
                            orderName(site.order), orderName(to), site.function);
            }
        }
    }
    for (std::size_t i = 0; i < std::size(notNeeded); ++i)
        if (!used[i]) {
            ok = false;
            std::printf("listed as not needed but no such mutant survived: %s %s in %s\n",
                        std::string(notNeeded[i].file).c_str(), std::string(notNeeded[i].operation).c_str(),
                        std::string(notNeeded[i].function).c_str());
        }
    std::printf("%u mutants: %u reported, %u listed as not needed\n", mutants, caught, excused);
    std::printf("%s\n", ok ? "all as expected" : "FAILED");
    return ok ? 0 : 1;
}
