// tests/model/model_main.cpp — the policies and the pool model-checked under
// the C++ memory model with Relacy (docs/verification.md, "Model checking").
//
// Each scenario is a small program as users write them, run on a real
// audiopool::Pool whose free list is built on model::Atomics (Relacy's
// atomics: model_atomics.hpp). The hand-off scenarios also run on each
// policy's prepared pool (every extent audiopool::dynamic, prepared to the
// static pool's sizes before any thread runs: PoolHolder), whose buffers'
// bookkeeping and rings live in the block prepare() allocates, each ring a
// power of two of slots; SpscRing and OwnerThread also with 3 buffers, so
// that a ring has a slot more than buffers. Every buffer has a plain
// payload, an rl::var that each owner writes and reads back; Relacy reports
// a DATA RACE when two accesses to it are not ordered by happens-before,
// which is what handing one buffer to two owners, or to a new owner before
// the old one's writes are visible, means. Relacy explores interleavings AND the values a relaxed or
// acquire load may read under the model (not only x86's), so an ordering that
// is too weak for ARM or POWER is found here on x86.
//
//   audiopool-model            every scenario, then every mutant
//   audiopool-model --list     the scenarios and the sites they reach
//   audiopool-model --quick    a tenth of the iterations
//   audiopool-model --only X   the scenarios whose name contains X (e.g.
//                              "prepared"), and the mutants they reach
//
// Mutants: the first pass records every site of the library that names a
// memory order. Then, for each site and each weakening of its order
// (acquire or release to relaxed; acq_rel to release and to acquire), the
// scenarios run again with that one order weakened, until one reports an
// error. A weakening no scenario reports fails the run, unless it is listed
// in `notNeeded` below with the reason the order is there anyway.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory_resource>
#include <new>
#include <source_location>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

// The build users ship: no thread binding checks (their extra atomic reads
// would add orderings of their own) and no fill of released buffers.
#define AUDIOPOOL_CHECK_THREADS 0
#define AUDIOPOOL_FILL_RELEASED 0
#include <audiopool/audiopool.hpp>

#include "../support/pool_under_test.hpp"  // test::PreparedTwin

// relacy.hpp, not relacy_std.hpp (which redefines std::atomic and clashes
// with the standard headers). For code written against it, it #defines the
// std::memory_order_* names (to add its debug info), new, delete, the C
// allocation functions, assert and errno; this file uses std::memory_order
// as the library does and constructs pools in its own storage, so those
// macros are undone. (It also replaces the global operator new, tracking
// what an execution allocates: a prepared pool's block comes from
// PoolHolder's arena instead, never from new.)
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

using audiopool::BasicOwnerThread;
using audiopool::BasicSpscRing;
using audiopool::BasicTreiber;
using audiopool::Pool;

template <unsigned TagBits = 32>
using ModelTreiber = BasicTreiber<audiopool::detail::NoTreiberHooks, TagBits, model::Atomics>;
using ModelSpscRing = BasicSpscRing<audiopool::detail::NoSpscHooks, model::Atomics>;
template <std::size_t Lanes>
using ModelOwnerThread = BasicOwnerThread<Lanes, audiopool::detail::NoOwnerThreadHooks, model::Atomics>;

// Every built-in policy whose threads share its state has scenarios below;
// a one-thread policy (IndexStack: plain memory, no atomics, nothing another
// thread may touch) has nothing to model. A built-in policy added to the list
// (policy_list.hpp) that lets two threads in fails to build here until it has
// its scenarios and is named in this list.
using ModelChecked = std::tuple<audiopool::Treiber, audiopool::SpscRing, audiopool::OwnerThread>;
template <class Policy, class... Checked>
constexpr bool modelCheckedOrOneThread(std::tuple<Checked...>*) {
    return audiopool::threadRuleOf<typename Policy::template FreeList<2>> == audiopool::ThreadRule::OneThread ||
           (std::is_same_v<Policy, Checked> || ...);
}
template <class... Policies>
constexpr bool everySharedPolicyModelChecked(std::tuple<Policies...>*) {
    return (modelCheckedOrOneThread<Policies>(static_cast<ModelChecked*>(nullptr)) && ...);
}
static_assert(everySharedPolicyModelChecked(static_cast<audiopool::BuiltinPolicies*>(nullptr)),
              "a built-in policy that lets two threads in has no model-check scenarios (tests/model/model_main.cpp)");

/// The pools the scenarios run on: 1 channel of 1 frame, Capacity buffers.
template <unsigned TagBits, std::size_t Capacity = 2>
using TreiberPool = Pool<float, 1, 1, Capacity, ModelTreiber<TagBits>>;
template <std::size_t Capacity = 2>
using SpscPool = Pool<float, 1, 1, Capacity, ModelSpscRing>;
template <std::size_t Lanes, std::size_t Capacity = 2>
using OwnerPool = Pool<float, 1, 1, Capacity, ModelOwnerThread<Lanes>>;
/// A static pool's prepared twin (as the core suite's): every extent
/// audiopool::dynamic, the same policy, the static type's constants kept.
template <class Static>
using Prepared = test::PreparedTwin<Static>;

/// The memory a prepared pool's block comes from, one block at a time (an
/// Arena is a static member of PoolHolder: static storage): no allocation
/// reaches the heap or Relacy's operator new, and the block is the same
/// bytes in every execution. (The free list destroys the ring cells it made
/// in the block before the pool gives it back: a Relacy atomic never
/// destroyed would be reported as a leak.)
class Arena final : public std::pmr::memory_resource {
public:
    static constexpr std::size_t bytes = 64 * 1024;

    /// Forgets a block still lent: an execution the checker stopped at an
    /// error never destroys its test object, and so never gives it back.
    void reset() noexcept { lent_ = false; }
    bool lent() const noexcept { return lent_; }

private:
    void* do_allocate(std::size_t size, std::size_t alignment) override {
        if (lent_ || size > bytes || alignment > alignof(std::max_align_t)) {
            std::fprintf(stderr, "model Arena: %zu bytes asked for, %s (raise Arena::bytes?)\n", size,
                         lent_ ? "the one block already lent" : "more than it has");
            std::abort();
        }
        lent_ = true;
        return storage_;
    }
    void do_deallocate(void* p, std::size_t, std::size_t) override {
        if (!lent_ || p != storage_) {
            std::fprintf(stderr, "model Arena: a block it did not lend given back\n");
            std::abort();
        }
        lent_ = false;
    }
    bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }

    alignas(std::max_align_t) std::byte storage_[bytes];
    bool lent_ = false;
};

/// A pool in static storage, constructed and destroyed with each Relacy
/// iteration (its atomics must be made inside the checker's context).
/// Relacy allocates the test object with malloc, which does not honour the
/// pool's cache-line alignment; the storage here does. A prepared pool
/// (P::dynamicSizes: a Prepared twin) is prepared here to its static type's
/// sizes, from the arena, before any thread runs (the test object is made
/// before the threads start), and gives its memory back here, every buffer
/// back (the scenario's other members, which may hold handles, are
/// destroyed before the holder: it is declared first).
template <class P>
struct PoolHolder {
    alignas(P) static inline unsigned char storage[sizeof(P)];
    static inline Arena arena;
    P* pool;
    PoolHolder() : pool(::new(static_cast<void*>(storage)) P()) {
        if constexpr (P::dynamicSizes) {
            arena.reset();
            if (!pool->prepare(audiopool::Sizes{P::channels, P::frames, P::capacity}, &arena)) {
                std::fprintf(stderr, "model: prepare() refused the scenario's sizes\n");
                std::abort();
            }
        }
    }
    ~PoolHolder() {
        if constexpr (P::dynamicSizes) {
            const bool released = pool->releaseMemory();
            RL_ASSERT(released);
            RL_ASSERT(!arena.lent());
        }
        pool->~P();
    }
    PoolHolder(const PoolHolder&) = delete;
    PoolHolder& operator=(const PoolHolder&) = delete;
};

/// Each buffer's payload: plain memory as far as the checker is concerned.
template <std::size_t Capacity>
struct Payloads {
    rl::var<int> value[Capacity];

    Payloads() {
        for (auto& v : value) v($) = 0;
    }
    /// What an owner does with its buffer: reads what the last owner left
    /// (a read that races with that owner's write is reported), writes its
    /// own stamp and reads it back.
    void use(std::uint32_t index, int stamp) {
        RL_ASSERT(index < Capacity);
        (void)value[index]($).load();
        value[index]($) = stamp;
        RL_ASSERT(value[index]($) == stamp);
    }
};

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

/// One buffer handed from one thread to another: the handle in plain
/// memory, published by a release store the receiver reads with acquire.
template <class Handle>
struct Mailbox {
    Handle handle;
    rl::atomic<int> full;

    Mailbox() { full($).store(0, rl::mo_relaxed); }
    void post(Handle&& h) {
        handle = std::move(h);
        full($).store(1, rl::mo_release);
    }
    bool take(Handle& into) {
        if (full($).load(rl::mo_acquire) == 0) return false;
        into = std::move(handle);
        full($).store(0, rl::mo_relaxed);  // only this thread looks again
        return true;
    }
};

// ---------------------------------------------------------------- Treiber

/// Three threads acquire, use and release from a two-buffer Treiber pool
/// (P: TreiberPool or its Prepared twin), twice each: every buffer is
/// reused across threads.
template <class P>
struct TreiberAnyThreads : rl::test_suite<TreiberAnyThreads<P>, 3> {
    PoolHolder<P> holder;
    Payloads<P::capacity> payload;

    void thread(unsigned me) {
        for (int round = 0; round < 2; ++round) {
            auto buffer = holder.pool->acquire();
            if (!buffer) continue;
            payload.use(buffer.index(), static_cast<int>(me * 16 + round + 1));
        }
    }
};

/// Holds thread 0's first pop open between its read of the head and link and
/// its compare-and-swap (BasicTreiber's beforePopCas hook) until thread 1
/// says it is done cycling buffers (or a bounded wait ends). No random
/// schedule keeps one thread pre-empted across the forty-odd steps of
/// another: this gives the checker the window; where and how thread 2 runs,
/// and what every load reads, it still explores.
struct AbaWindow {
    static inline rl::atomic<int>* opened = nullptr;  // thread 0 is in the window
    static inline rl::atomic<int>* cycled = nullptr;  // thread 1 is done
    static inline bool used = false;                  // once per execution

    static void beforePopCas(std::uint32_t, std::uint32_t) noexcept {
        if (rl::thread_index() != 0 || used) return;
        used = true;
        opened->store(1, rl::mo_release, $);
        for (int i = 0; i < 200 && cycled->load(rl::mo_acquire, $) == 0; ++i) rl::yield(1, $);
    }
    static void beforeHalfWrapCount() noexcept {}
};

/// ABA: thread 1 takes a buffer; once thread 0's acquire has read the head
/// and its link (to the next buffer) and waits before its compare-and-swap,
/// thread 1 takes the other two, keeps the one that link names, gives two
/// back and cycles one until the head's index, used count and tag are where
/// thread 0 saw them. With a tag of TagBits = 2 the tag comes round after
/// four pops, thread 0's compare-and-swap succeeds with the stale link, and
/// thread 2's acquire (once thread 1 has cycled) gets the buffer thread 1
/// still holds: a race on its payload. With the real 32 bits the
/// compare-and-swap fails and retries.
template <unsigned TagBits>
struct TreiberAba : rl::test_suite<TreiberAba<TagBits>, 3> {
    using P = Pool<float, 1, 1, 3, BasicTreiber<AbaWindow, TagBits, model::Atomics>>;
    PoolHolder<P> holder;
    Payloads<3> payload;
    rl::atomic<int> opened, cycled, done;

    TreiberAba() {
        opened($).store(0, rl::mo_relaxed);
        cycled($).store(0, rl::mo_relaxed);
        done($).store(0, rl::mo_relaxed);
        AbaWindow::opened = &opened;
        AbaWindow::cycled = &cycled;
        AbaWindow::used = false;
    }

    void thread(unsigned me) {
        P& pool = *holder.pool;
        if (me == 1) {
            auto first = pool.acquire();
            pollFor([&] { return opened($).load(rl::mo_acquire) == 1; }, 200);
            auto second = pool.acquire(), kept = pool.acquire();
            if (kept) payload.use(kept.index(), 100);
            first.reset();
            second.reset();
            for (int round = 0; round < 2; ++round) (void)pool.acquire();  // acquired and released at once
            cycled($).store(1, rl::mo_release);
            if (kept) payload.use(kept.index(), 101);  // still ours
            pollFor([&] { return done($).load(rl::mo_acquire) == 2; }, 200);
            return;  // kept goes back only now
        }
        // Thread 2 starts its work once thread 1 has cycled (it would
        // otherwise move the head itself and close the window).
        if (me == 2) pollFor([&] { return cycled($).load(rl::mo_acquire) == 1; }, 200);
        if (auto buffer = pool.acquire()) payload.use(buffer.index(), static_cast<int>(me));
        done($).fetch_add(1, rl::mo_release);
    }
};

// ---------------------------------------------------------------- SpscRing

/// The SpscRing shape: thread 0 acquires and writes, hands each buffer to
/// thread 1, which reads, writes and releases it; thread 0 reuses it. P:
/// SpscPool or its Prepared twin. Twice round the pool: with 3 buffers a
/// prepared ring has 4 slots (the last unused at first), and its 6 pops and
/// 6 pushes use every slot and come round to the first again.
template <class P>
struct SpscHandOff : rl::test_suite<SpscHandOff<P>, 2> {
    static constexpr int rounds = 2 * static_cast<int>(P::capacity);
    PoolHolder<P> holder;
    Payloads<P::capacity> payload;
    Mailbox<typename P::Unique> box[rounds];

    void thread(unsigned me) {
        P& pool = *holder.pool;
        for (int round = 0; round < rounds; ++round) {
            if (me == 0) {
                typename P::Unique buffer;
                pollFor([&] { return static_cast<bool>(buffer = pool.acquire()); });
                if (buffer) payload.use(buffer.index(), round + 1);
                box[round].post(std::move(buffer));
            } else {
                typename P::Unique buffer;
                if (!pollFor([&] { return box[round].take(buffer); }, 16)) return;
                if (buffer) payload.use(buffer.index(), 100 + round);
            }  // released here, by the thread that holds it
        }
    }
};

// ---------------------------------------------------------------- OwnerThread

/// The OwnerThread shape: thread 0 acquires and writes; it releases some
/// buffers itself (its own lane) and hands the others to threads 1 and 2,
/// which read, write and release them (a lane each with Lanes >= 2; with
/// Lanes = 1 one of them uses the return ring; with 0 all releases do).
/// P: OwnerPool<Lanes, Capacity> or its Prepared twin. Thread 0 acquires
/// 2 * (Capacity + 1) times: with 3 buffers and no lanes, a prepared
/// return ring has 4 slots and takes every release; when all 8 acquires
/// succeed (most executions), at most 3 come from the stock and the owner's
/// fifth pop from the ring reads its first slot again, on the second lap.
template <class P>
struct OwnerHandOff : rl::test_suite<OwnerHandOff<P>, 3> {
    using Unique = typename P::Unique;
    static constexpr int rounds = static_cast<int>(P::capacity) + 1;
    PoolHolder<P> holder;
    Payloads<P::capacity> payload;
    Mailbox<Unique> box[2][rounds];

    void thread(unsigned me) {
        P& pool = *holder.pool;
        if (me == 0) {
            int posted[2] = {0, 0};
            for (int round = 0; round < 2 * rounds; ++round) {
                Unique buffer;
                pollFor([&] { return static_cast<bool>(buffer = pool.acquire()); });
                if (!buffer) continue;
                payload.use(buffer.index(), round + 1);
                const int to = round % 2;
                if (round % 3 == 2 || posted[to] == rounds) continue;  // released here
                box[to][posted[to]++].post(std::move(buffer));
            }
            return;
        }
        const int from = static_cast<int>(me) - 1;
        for (int round = 0; round < rounds; ++round) {
            Unique buffer;
            if (!pollFor([&] { return box[from][round].take(buffer); }, 16)) return;
            if (buffer) payload.use(buffer.index(), 100 * static_cast<int>(me) + round);
        }
    }
};

// ---------------------------------------------------------------- Shared

/// The Shared reference count: thread 0 shares its buffer with thread 1;
/// each writes its own part and drops its reference, in either order;
/// thread 2 waits for the buffer to come back (one-buffer pool) and writes
/// both parts. The last reference's release must carry both writers' work.
struct SharedRefCount : rl::test_suite<SharedRefCount, 3> {
    using P = Pool<float, 1, 1, 1, ModelTreiber<32>>;
    PoolHolder<P> holder;
    Payloads<1> partA, partB;
    Mailbox<P::Shared> box;

    void thread(unsigned me) {
        P& pool = *holder.pool;
        if (me == 0) {
            P::Shared mine = pool.acquireShared();
            if (!mine) return;
            P::Shared copy = mine;
            box.post(std::move(copy));
            partA.use(mine.index(), 1);
        } else if (me == 1) {
            P::Shared theirs;
            if (!pollFor([&] { return box.take(theirs); }, 16)) return;
            if (theirs) partB.use(theirs.index(), 2);
        } else {
            P::Unique buffer;
            if (!pollFor([&] { return static_cast<bool>(buffer = pool.acquire()); }, 16)) return;
            partA.use(buffer.index(), 3);
            partB.use(buffer.index(), 4);
        }
    }
};

// ---------------------------------------------------------------- Detached

/// What the misuse handler saw in the current iteration (the checker runs
/// its threads as fibers of one OS thread: plain counters are enough).
struct MisuseCounts {
    static inline int doubleRelease = 0, notDetached = 0, other = 0;
    static void record(const audiopool::MisuseReport& report) noexcept {
        if (report.kind == audiopool::Misuse::DoubleRelease) ++doubleRelease;
        else if (report.kind == audiopool::Misuse::NotDetached) ++notDetached;
        else ++other;
    }
};

/// A Detached passed on by a channel that orders nothing (a relaxed flag;
/// the value itself is plain memory the checker does not track), so that
/// only the pool's own orders (D)/(C) can order the buffer's contents.
struct UnorderedNote {
    audiopool::Detached detached;
    rl::atomic<int> full;

    UnorderedNote() { full($).store(0, rl::mo_relaxed); }
    void post(const audiopool::Detached& d) {
        detached = d;
        full($).store(1, rl::mo_relaxed);
    }
    bool take(audiopool::Detached& into) {
        if (full($).load(rl::mo_relaxed) == 0) return false;
        into = detached;
        return true;
    }
};

/// Two claims of one Detached race: thread 0 writes its buffer, detaches it
/// and gives the Detached to threads 1 and 2; thread 1 adopts it, thread 2
/// releases it. One claim wins and sees thread 0's write; the other is
/// refused and reported as DoubleRelease (the detachment is used up), never
/// as NotDetached, whatever it read of the buffer's words.
struct DetachedClaimRace : rl::test_suite<DetachedClaimRace, 3> {
    using P = Pool<float, 1, 1, 1, ModelTreiber<32>>;
    PoolHolder<P> holder;
    Payloads<1> payload;
    UnorderedNote box[2];
    int claimed = 0;  // touched by threads 1 and 2 only after a successful claim
    audiopool::MisuseHandler previous = nullptr;

    void before() {
        MisuseCounts::doubleRelease = MisuseCounts::notDetached = MisuseCounts::other = 0;
        previous = audiopool::setMisuseHandler(&MisuseCounts::record);
    }
    void after() {
        audiopool::setMisuseHandler(previous);
        RL_ASSERT(MisuseCounts::notDetached == 0);
        RL_ASSERT(MisuseCounts::other == 0);
        RL_ASSERT(claimed <= 1);
    }

    void thread(unsigned me) {
        P& pool = *holder.pool;
        if (me == 0) {
            P::Unique buffer = pool.acquire();
            if (!buffer) return;
            payload.use(buffer.index(), 1);
            const audiopool::Detached d = buffer.detach();
            box[0].post(d);
            box[1].post(d);
            return;
        }
        audiopool::Detached d;
        if (!pollFor([&] { return box[me - 1].take(d); }, 16)) return;
        if (me == 1) {
            if (P::Unique adopted = pool.adopt(d)) {
                ++claimed;
                payload.use(adopted.index(), 2);
            }
        } else if (pool.release(d)) {
            ++claimed;
        }
    }
};

// ---------------------------------------------------------------- statistics

/// Statistics read while buffers move: thread 0 acquires a buffer, hands it
/// to thread 1, which releases it and says so; only then does thread 0
/// acquire again, so at most one buffer is ever out. Thread 2 reads stats()
/// three times. Each snapshot must say at most one buffer is out (and no
/// higher peak), count no more acquisitions than were made, and no snapshot
/// may count fewer acquisitions or releases than the one before. These are
/// the orders that make stats() honest from any thread; they order no
/// buffer's contents, so the payload scenarios cannot see them.
template <class Policy>
struct StatsWhileMoving : rl::test_suite<StatsWhileMoving<Policy>, 3> {
    using P = Pool<float, 1, 1, 2, Policy>;
    using Unique = typename P::Unique;
    static constexpr int rounds = 3;
    PoolHolder<P> holder;
    Mailbox<Unique> box[rounds];
    rl::atomic<int> returned;

    StatsWhileMoving() { returned($).store(0, rl::mo_relaxed); }

    void thread(unsigned me) {
        P& pool = *holder.pool;
        if (me == 0) {
            for (int round = 0; round < rounds; ++round) {
                if (!pollFor([&] { return returned($).load(rl::mo_acquire) == round; }, 16)) return;
                Unique buffer = pool.acquire();
                box[round].post(std::move(buffer));
            }
        } else if (me == 1) {
            for (int round = 0; round < rounds; ++round) {
                Unique buffer;
                if (!pollFor([&] { return box[round].take(buffer); }, 16)) return;
                buffer.reset();
                returned($).store(round + 1, rl::mo_release);
            }
        } else {
            audiopool::Stats last{};
            for (int look = 0; look < 3; ++look) {
                const audiopool::Stats now = pool.stats();
                RL_ASSERT(now.inUse <= 1);
                RL_ASSERT(now.highWater <= 1);
                RL_ASSERT(now.acquisitions <= rounds);
                RL_ASSERT(now.releases <= now.acquisitions);
                RL_ASSERT(now.acquisitions >= last.acquisitions);
                RL_ASSERT(now.releases >= last.releases);
                last = now;
            }
        }
    }
};

// ---------------------------------------------------------------- the runner

struct Options {
    double scale = 1.0;  // of every iteration count
    bool list = false;
    std::string_view only;  // run only the scenarios whose name contains it
};

std::ostream silent(nullptr);

struct Run {
    std::string_view name;
    rl::scheduler_type_e scheduler;
    rl::iteration_t iterations;
    unsigned contextBound;
    bool expectError;  // a scenario that must be caught (the tiny tag's ABA)
    bool (*simulate)(rl::test_params&);
};

template <class Test>
bool simulate(rl::test_params& p) {
    return rl::simulate<Test>(p);
}

/// The scenarios, their schedulers and iteration counts. Those on prepared
/// pools come last: the mutant pass tries the scenarios in this order, so a
/// weakening is reported by the static scenario that always did (the table
/// in docs/verification.md), and the prepared ones add run time only for
/// the weakenings no scenario reports (their iteration counts are lower
/// than their static twins' for that reason: the run stays near a minute).
std::vector<Run> scenarios() {
    return {
        {"Treiber: 3 threads, 2 buffers", rl::sched_random, 100000, 0, false,
         simulate<TreiberAnyThreads<TreiberPool<32>>>},
        {"Treiber: 3 threads, 2 buffers", rl::sched_bound, 0, 1, false, simulate<TreiberAnyThreads<TreiberPool<32>>>},
        {"Treiber ABA, 32-bit tag", rl::sched_random, 100000, 0, false, simulate<TreiberAba<32>>},
        {"Treiber ABA, 2-bit tag", rl::sched_random, 1000000, 0, true, simulate<TreiberAba<2>>},
        {"SpscRing: hand-off, 2 threads", rl::sched_random, 100000, 0, false, simulate<SpscHandOff<SpscPool<>>>},
        {"SpscRing: hand-off, 2 threads", rl::sched_bound, 0, 2, false, simulate<SpscHandOff<SpscPool<>>>},
        {"OwnerThread: lanes, 3 threads", rl::sched_random, 50000, 0, false, simulate<OwnerHandOff<OwnerPool<4>>>},
        {"OwnerThread: 1 lane + return ring", rl::sched_random, 100000, 0, false, simulate<OwnerHandOff<OwnerPool<1>>>},
        {"OwnerThread: return ring only", rl::sched_random, 100000, 0, false, simulate<OwnerHandOff<OwnerPool<0>>>},
        {"Treiber: stats, 2-bit tag", rl::sched_random, 100000, 0, false, simulate<StatsWhileMoving<ModelTreiber<2>>>},
        {"SpscRing: stats", rl::sched_random, 100000, 0, false, simulate<StatsWhileMoving<ModelSpscRing>>},
        {"OwnerThread: stats, 1 lane", rl::sched_random, 100000, 0, false,
         simulate<StatsWhileMoving<ModelOwnerThread<1>>>},
        {"OwnerThread: stats, return ring", rl::sched_random, 100000, 0, false,
         simulate<StatsWhileMoving<ModelOwnerThread<0>>>},
        {"Shared: reference count, 3 threads", rl::sched_random, 100000, 0, false, simulate<SharedRefCount>},
        {"Detached: adopt and release race", rl::sched_random, 100000, 0, false, simulate<DetachedClaimRace>},
        {"Shared: reference count, 3 threads", rl::sched_bound, 0, 2, false, simulate<SharedRefCount>},
        {"Treiber prepared: 3 threads, 2 buffers", rl::sched_random, 100000, 0, false,
         simulate<TreiberAnyThreads<Prepared<TreiberPool<32>>>>},
        {"SpscRing prepared: hand-off, 2 threads", rl::sched_random, 100000, 0, false,
         simulate<SpscHandOff<Prepared<SpscPool<>>>>},
        {"SpscRing prepared: 3 buffers, 4 slots", rl::sched_random, 100000, 0, false,
         simulate<SpscHandOff<Prepared<SpscPool<3>>>>},
        {"OwnerThread prepared: lanes, 3 threads", rl::sched_random, 20000, 0, false,
         simulate<OwnerHandOff<Prepared<OwnerPool<4>>>>},
        {"OwnerThread prepared: return ring only", rl::sched_random, 30000, 0, false,
         simulate<OwnerHandOff<Prepared<OwnerPool<0>>>>},
        {"OwnerThread prepared: ring, 3 buffers", rl::sched_random, 50000, 0, false,
         simulate<OwnerHandOff<Prepared<OwnerPool<0, 3>>>>},
    };
}

const char* schedulerName(rl::scheduler_type_e s) {
    return s == rl::sched_random ? "random" : s == rl::sched_bound ? "context-bound" : "full";
}

struct Outcome {
    bool error;
    rl::test_result_e result;
    rl::iteration_t stopIteration;
    double seconds;
};

rl::iteration_t iterationsOf(const Run& run, const Options& options) {
    return std::max<rl::iteration_t>(1000,
                                     static_cast<rl::iteration_t>(static_cast<double>(run.iterations) * options.scale));
}

/// Runs one scenario; `report`: print Relacy's report and the failing
/// execution's history (for an unexpected result).
Outcome runOne(const Run& run, const Options& options, bool report = false) {
    rl::test_params p;
    p.search_type = run.scheduler;
    if (run.scheduler == rl::sched_random) p.iteration_count = iterationsOf(run, options);
    p.context_bound = run.contextBound;
    p.output_stream = report ? &std::cout : &silent;
    p.progress_stream = &silent;
    p.collect_history = report;
    p.output_history = report;
    const auto start = std::chrono::steady_clock::now();
    const bool passed = run.simulate(p);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return {!passed, p.test_result, p.stop_iteration, seconds};
}

std::string shortFile(const char* file) {
    std::string_view f(file);
    const auto slash = f.rfind('/');
    return std::string(slash == std::string_view::npos ? f : f.substr(slash + 1));
}

std::string siteName(const model::Site& s) {
    return shortFile(s.file) + ":" + std::to_string(s.line) + " " + s.operation;
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

/// The weakenings of one order: each drops one half of what it orders.
std::vector<std::memory_order> weakenings(std::memory_order o) {
    switch (o) {
    case std::memory_order_acquire:
    case std::memory_order_release: return {std::memory_order_relaxed};
    case std::memory_order_acq_rel: return {std::memory_order_release, std::memory_order_acquire};
    default: return {};
    }
}

/// Weakenings no scenario reports, each with why the order is as written.
/// Matched by file, operation, a part of the enclosing function's name and
/// the two orders (not by line: lines move when a header is edited). An
/// entry that matches no surviving mutant fails the run, so the list cannot
/// go stale.
struct NotNeeded {
    std::string_view file, operation, function;
    std::memory_order from, to;
    std::string_view why;
    unsigned nth = 0;  // 0: every such call in the function; n: only its n-th (in line order)
};
constexpr auto acquire = std::memory_order_acquire;
constexpr auto release = std::memory_order_release;
constexpr auto acqRel = std::memory_order_acq_rel;
constexpr auto relaxed = std::memory_order_relaxed;
const NotNeeded notNeeded[] = {
    {"treiber.hpp", "compare_exchange (success)", "::pop(", acquire, relaxed,
     "redundant: the load (1) or the failed compare-and-swap before it read the same head value with "
     "acquire, and the tag makes head values unique, so it already synchronized with that push; kept "
     "because a failure order stronger than the success order draws a GCC 12 warning, and it costs "
     "nothing on x86 (one lock cmpxchg either way)"},
    {"spsc_ring.hpp", "load", "::push(", acquire, relaxed,
     "needed only when the one-releaser rule is broken (a second releaser's push must come after the "
     "one whose position it read): correct use reads its own value"},
    {"owner_thread.hpp", "store", "::takeElsewhere(", release, relaxed,
     "statistics (4)/(5) for the stock: the stock is taken before any release in these scenarios, so "
     "no snapshot can pair a new stock position with an old producer position"},
    {"owner_thread.hpp", "load", "::counts(", acquire, relaxed, "statistics (5) for the stock position: as above", 1},
    {"owner_thread.hpp", "load", "::counts(", acquire, relaxed,
     "statistics (5) for the return ring's position: a stale claim count only lowers the waiting "
     "count, which the free stock hides at these sizes",
     2},
    {"owner_thread.hpp", "store", "::popReturned(", release, relaxed,
     "statistics (4) for the return ring's position: as above"},
    {"owner_thread.hpp", "fetch_add", "::pushReturned(", acqRel, release,
     "the claims chain that the ring-overflow argument uses; the hand-off that brought the buffer "
     "from the owner orders the slot's last use before the claim in every scenario"},
    {"owner_thread.hpp", "fetch_add", "::pushReturned(", acqRel, acquire, "as above"},
};

/// Which call of its kind (same file, function, operation and order) a site
/// is, counting from 1 in line order.
unsigned nthOfItsKind(const model::Site& site) {
    unsigned n = 1;
    for (std::size_t i = 0; i < model::sites.count; ++i) {
        const model::Site& o = model::sites.entries[i];
        if (std::strcmp(o.file, site.file) == 0 && std::strcmp(o.function, site.function) == 0 &&
            std::strcmp(o.operation, site.operation) == 0 && o.order == site.order &&
            (o.line < site.line || (o.line == site.line && o.column < site.column)))
            ++n;
    }
    return n;
}

bool listedAsNotNeeded(const model::Site& site, std::memory_order to, std::uint32_t& usedEntries) {
    for (std::size_t i = 0; i < std::size(notNeeded); ++i) {
        const NotNeeded& n = notNeeded[i];
        if ((n.nth == 0 || n.nth == nthOfItsKind(site)) && shortFile(site.file) == n.file &&
            std::string_view(site.operation) == n.operation &&
            std::string_view(site.function).find(n.function) != std::string_view::npos && site.order == n.from &&
            to == n.to) {
            usedEntries |= std::uint32_t{1} << i;
            return true;
        }
    }
    return false;
}

int runAll(const Options& options) {
    int failures = 0;
    const auto runs = scenarios();

    std::printf("Scenarios (real orders):\n");
    std::printf("  %-38s %-14s %11s %8s  %s\n", "scenario", "scheduler", "iterations", "seconds", "result");
    model::sites.recording = true;
    for (std::size_t r = 0; r < runs.size(); ++r) {
        const Run& run = runs[r];
        if (run.name.find(options.only) == std::string_view::npos) continue;
        model::sites.scenario = static_cast<unsigned>(r);
        const Outcome o = runOne(run, options);
        const bool ok = o.error == run.expectError;
        if (!ok) ++failures;
        const std::string iterations =
            run.scheduler == rl::sched_bound
                ? "all, bound " + std::to_string(run.contextBound)
                : std::to_string(static_cast<unsigned long long>(iterationsOf(run, options)));
        std::printf("  %-38.*s %-14s %11s %8.2f  %s%s\n", static_cast<int>(run.name.size()), run.name.data(),
                    schedulerName(run.scheduler), iterations.c_str(), o.seconds,
                    o.error ? rl::test_result_str(o.result) : "passed",
                    ok ? (run.expectError ? " (expected)" : "") : "  <-- UNEXPECTED");
        if (o.error && run.expectError)
            std::printf("  %38s %-14s %11llu  the iteration that found it\n", "", "",
                        static_cast<unsigned long long>(o.stopIteration));
        if (!ok && o.error) runOne(run, options, true);  // the report and the history
    }
    model::sites.recording = false;
    if (options.list) {
        for (std::size_t i = 0; i < model::sites.count; ++i) {
            const model::Site& s = model::sites.entries[i];
            std::printf("  site %-40s %s\n", siteName(s).c_str(), orderName(s.order));
        }
        return failures;
    }

    std::printf("\nMutants (one order weakened; the first scenario that reports it):\n");
    int caught = 0, survived = 0;
    std::uint32_t listedUsed = 0;
    for (std::size_t i = 0; i < model::sites.count; ++i) {
        const model::Site site = model::sites.entries[i];
        for (const std::memory_order to : weakenings(site.order)) {
            model::mutation = {true, site, to};
            const Run* catcher = nullptr;
            Outcome how{};
            for (std::size_t r = 0; r < runs.size(); ++r) {
                const Run& run = runs[r];
                if (run.expectError || (site.reachedBy & (std::uint32_t{1} << r)) == 0) continue;
                how = runOne(run, options);
                if (how.error) {
                    catcher = &run;
                    break;
                }
            }
            model::mutation = {};
            const std::string what = siteName(site) + " " + orderName(site.order) + "->" + orderName(to);
            const bool listed = listedAsNotNeeded(site, to, listedUsed);
            if (catcher) {
                ++caught;
                std::printf("  %-60s caught: %s, %s (%s)%s\n", what.c_str(), std::string(catcher->name).c_str(),
                            rl::test_result_str(how.result), schedulerName(catcher->scheduler),
                            listed ? "  <-- listed as not needed: update the list" : "");
                if (listed) ++failures;
            } else if (listed) {
                ++survived;
                std::printf("  %-60s not caught, listed: see notNeeded\n", what.c_str());
            } else {
                ++survived;
                ++failures;
                std::printf("  %-60s NOT CAUGHT  <-- strengthen a scenario, or list it with the reason\n",
                            what.c_str());
            }
        }
    }
    for (std::size_t i = 0; i < std::size(notNeeded); ++i)
        if (!options.only.empty()) break;  // a partial run does not reach every site
        else if ((listedUsed & (std::uint32_t{1} << i)) == 0) {
            ++failures;
            std::printf("  listed as not needed but no such mutant survived: %.*s %.*s in %.*s\n",
                        static_cast<int>(notNeeded[i].file.size()), notNeeded[i].file.data(),
                        static_cast<int>(notNeeded[i].operation.size()), notNeeded[i].operation.data(),
                        static_cast<int>(notNeeded[i].function.size()), notNeeded[i].function.data());
        }
    std::printf("\n%d mutants caught, %d not caught (each listed in notNeeded with its reason)\n", caught, survived);
    return failures;
}

} // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each line as it is made (a CI log)
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a(argv[i]);
        if (a == "--quick") options.scale = 0.1;
        else if (a == "--list") options.list = true;
        else if (a == "--only" && i + 1 < argc) options.only = argv[++i];
        else {
            std::fprintf(stderr, "usage: %s [--quick] [--list] [--only NAME-PART]\n", argv[0]);
            return 2;
        }
    }
    const int failures = runAll(options);
    std::printf("%s\n", failures == 0 ? "model: all as expected" : "model: FAILED");
    return failures == 0 ? 0 : 1;
}
