// tests/model/model_handoff.cpp — HandoffQueue and Retirer model-checked
// under the C++ memory model with Relacy, as model_main.cpp does for the
// pool: the library's own code on model::Atomics (model_atomics.hpp), plain
// data as rl::var, so a value read before it was published, or a slot reused
// while its last value was still being read, is a DATA RACE report.
//
// Scenarios:
//  - queue hand-off: a producer pushes 6 messages through 2 slots (every slot
//    reused), each carrying an rl::var inside the slot and pointing at one
//    outside it; the consumer checks both and writes back to the outside one;
//  - queue statistics: a third thread reads size() and stats() meanwhile,
//    and checks that no snapshot has more pops than pushes or more waiting
//    than fit;
//  - retirer: one retiring thread and two collectors taking turns
//    implicitly (each collects whenever it runs), 3 objects through 2 slots.
// Each retired object writes its rl::var payload when retired and checks it
// when destroyed, and marks its queue slot (moved in, destroyed there);
// after the run every object must have been destroyed once.
//
// Mutants: the first pass records every site of handoff_queue.hpp and
// retirer.hpp that names a memory order (the free lists' own sites are
// model_main.cpp's); then each weakening (acquire or release to relaxed,
// acq_rel to each half) runs the scenarios again until one reports an error.
// A weakening none reports fails the run unless `notNeeded` lists it with
// the reason the order is there anyway.
//
//   audiopool-model-handoff            every scenario, then every mutant
//   audiopool-model-handoff --quick    a tenth of the iterations
#include <algorithm>
#include <atomic>
#include <chrono>
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
// would add orderings of their own).
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

// ------------------------------------------------------------- HandoffQueue

/// A message: a value inside the slot and a pointer to one outside it. A
/// new rl::var starts with no history, so the slot's own memory is tracked
/// through `slotMark` (one rl::var per slot, outside the queue): written
/// when a message is constructed in the slot, read when the consumer moves
/// it out. A slot reused before that read happened-before is a DATA RACE.
struct Message {
    rl::var<int> inside;
    rl::var<int>* outside = nullptr;
    rl::var<int>* slotMark = nullptr;  // only while the message is in its slot
    Message(int v, rl::var<int>* o, rl::var<int>* mark) noexcept : outside(o), slotMark(mark) {
        inside($) = v;
        (*slotMark)($) = v;
    }
    Message(Message&& m) noexcept : outside(m.outside) {
        inside($) = m.inside($);
        if (m.slotMark) RL_ASSERT((*m.slotMark)($) == inside($));  // the move out of the slot
    }
    Message(const Message&) = delete;
    Message& operator=(const Message&) = delete;
    Message& operator=(Message&&) = delete;
    ~Message() = default;
};

constexpr int messages = 6;
using Queue = audiopool::HandoffQueue<Message, 2, model::Atomics>;

/// A pop, retried a bounded number of times (nothing if none succeeded).
std::optional<Message> popWithin(Queue& queue) {
    for (int i = 0; i < 16; ++i) {
        if (std::optional<Message> m = queue.try_pop()) return m;
        rl::yield(1, $);
    }
    return std::nullopt;
}

struct QueueHandOff : rl::test_suite<QueueHandOff, 2> {
    alignas(Queue) unsigned char storage[sizeof(Queue)];
    Queue* queue = nullptr;
    rl::var<int> payload[messages];
    rl::var<int> slotMarks[Queue::capacity];

    void before() {
        queue = new (storage) Queue;
        for (auto& p : payload) p($) = 0;
        for (auto& m : slotMarks) m($) = -1;
    }
    void after() { queue->~Queue(); }

    void thread(unsigned me) {
        if (me == 0) {
            for (int i = 0; i < messages; ++i) {
                payload[i]($) = 10 + i;
                if (!pollFor([&] { return queue->try_emplace(i, &payload[i], &slotMarks[i % Queue::capacity]); }, 16))
                    return;
            }
        } else {
            for (int i = 0; i < messages; ++i) {
                std::optional<Message> m = popWithin(*queue);
                if (!m) return;
                RL_ASSERT(m->inside($) == i);
                RL_ASSERT((*m->outside)($) == 10 + i);
                (*m->outside)($) = 100 + i;  // the consumer owns it now
            }
        }
    }
};

/// The hand-off with a third thread reading the statistics meanwhile.
struct QueueStats : rl::test_suite<QueueStats, 3> {
    alignas(Queue) unsigned char storage[sizeof(Queue)];
    Queue* queue = nullptr;
    rl::var<int> payload[messages];
    rl::var<int> slotMarks[Queue::capacity];

    void before() {
        queue = new (storage) Queue;
        for (auto& p : payload) p($) = 0;
        for (auto& m : slotMarks) m($) = -1;
    }
    void after() { queue->~Queue(); }

    void thread(unsigned me) {
        if (me == 0) {
            for (int i = 0; i < messages; ++i)
                if (!pollFor([&] { return queue->try_emplace(i, &payload[i], &slotMarks[i % Queue::capacity]); }, 16))
                    return;
        } else if (me == 1) {
            for (int i = 0; i < messages; ++i) {
                std::optional<Message> m = popWithin(*queue);
                if (!m) return;
                RL_ASSERT(m->inside($) == i);
            }
        } else {
            for (int i = 0; i < 3; ++i) {
                const audiopool::HandoffStats s = queue->stats();
                RL_ASSERT(s.pops <= s.pushes);
                RL_ASSERT(s.size <= Queue::capacity);
                RL_ASSERT(s.highWater <= Queue::capacity);
                RL_ASSERT(queue->size() <= Queue::capacity);
                rl::yield(1, $);
            }
        }
    }
};

// ------------------------------------------------------------------ Retirer

constexpr int objects = 3;

/// Per object: its payload (written by the retiring thread, checked by the
/// destructor on the collecting one) and how often it was destroyed.
struct Ledger {
    rl::var<int> payload[objects];
    int destroyed[objects] = {};  // read after the run only (after())
    // One mark per queue slot, outside the retirer (a new rl::var starts
    // with no history, as Message's slotMark explains): written by the move
    // into the slot, read by the destructor there, so a slot reused before
    // its last object's destructor happened-before is a DATA RACE. Slots
    // are told apart by address, learnt by the retiring thread alone.
    static constexpr int slots = 2;
    rl::var<int> slotMark[slots];
    const void* slotAddress[slots] = {};
    rl::var<int>* markFor(const void* slot) {
        for (int i = 0; i < slots; ++i) {
            if (slotAddress[i] == nullptr) slotAddress[i] = slot;
            if (slotAddress[i] == slot) return &slotMark[i];
        }
        RL_ASSERT(false);  // more slots than the retirer has
        return nullptr;
    }
};

/// A retired object: destroying it checks and counts its payload.
struct Retiree {
    Ledger* ledger = nullptr;
    int id = 0;
    rl::var<int>* slotMark = nullptr;  // only once moved into the retirer's slot
    Retiree(Ledger* l, int i) noexcept : ledger(l), id(i) {}
    Retiree(Retiree&& r) noexcept
        : ledger(std::exchange(r.ledger, nullptr)), id(r.id), slotMark(ledger->markFor(this)) {
        (*slotMark)($) = id;
    }
    Retiree(const Retiree&) = delete;
    Retiree& operator=(const Retiree&) = delete;
    Retiree& operator=(Retiree&&) = delete;
    ~Retiree() {
        if (!ledger) return;
        if (slotMark) RL_ASSERT((*slotMark)($) == id);
        RL_ASSERT(ledger->payload[id]($) == 1 + id);
        ledger->payload[id]($) = -1;
        ++ledger->destroyed[id];
    }
};

/// Thread 0 retires the objects (one retiring thread: the queue's
/// producer); the other threads collect twice each. A final collect runs
/// after them all.
template <unsigned Threads>
struct RetireCollect : rl::test_suite<RetireCollect<Threads>, Threads> {
    static constexpr unsigned Retiring = 1;
    using R = audiopool::Retirer<2, 48, model::Atomics>;
    alignas(R) unsigned char storage[sizeof(R)];
    R* retirer = nullptr;
    Ledger ledger;

    void before() {
        retirer = new (storage) R;
        for (int i = 0; i < Ledger::slots; ++i) {
            ledger.slotMark[i]($) = -1;
            ledger.slotAddress[i] = nullptr;
        }
        for (int i = 0; i < objects; ++i) {
            ledger.payload[i]($) = 0;
            ledger.destroyed[i] = 0;
        }
    }
    void after() {
        retirer->collect();
        const audiopool::RetirerStats s = retirer->stats();
        RL_ASSERT(s.pending == 0);
        RL_ASSERT(s.retired == s.collected);
        for (int i = 0; i < objects; ++i)
            if (s.retired == objects) RL_ASSERT(ledger.destroyed[i] == 1);  // every retire succeeded
            else RL_ASSERT(ledger.destroyed[i] <= 1);
        retirer->~R();
    }

    void thread(unsigned me) {
        if (me < Retiring) {
            for (int i = static_cast<int>(me); i < objects; i += static_cast<int>(Retiring)) {
                ledger.payload[i]($) = 1 + i;
                Retiree object(&ledger, i);
                // A refused retire leaves `object` here: then it is
                // destroyed by this thread, as the caller would.
                if (!pollFor([&] { return retirer->retire(std::move(object)); }, 16)) return;
            }
        } else {
            for (int round = 0; round < 2; ++round) {
                retirer->collect();
                rl::yield(1, $);
            }
        }
    }
};

// ------------------------------------------------------------------ Runner

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
        {"HandoffQueue: 6 messages through 2 slots", 100000, simulate<QueueHandOff>},
        {"HandoffQueue: statistics meanwhile", 100000, simulate<QueueStats>},
        {"Retirer: 1 retiring thread, 2 collectors", 100000, simulate<RetireCollect<3>>},
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

bool ours(const model::Site& s) {
    return std::strstr(s.file, "handoff_queue.hpp") != nullptr || std::strstr(s.file, "retirer.hpp") != nullptr;
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
struct NotNeeded {
    std::string_view file, operation, function;
    std::memory_order from, to;
    std::string_view why;
};
const NotNeeded notNeeded[] = {
    {"handoff_queue.hpp", "load", "::size(", std::memory_order_acquire, std::memory_order_relaxed,
     "the tail's: a caller that sees a value counted and pops it is ordered by the pop's own acquire "
     "(3). The head's: weakened, the tail read second may be older than the head and the clamp turns "
     "the difference into Capacity, a bounded but wrong snapshot no scenario can tell from a full "
     "queue; stats() has the same acquire, which the statistics scenario reports"},
};

bool listed(const model::Site& s, std::memory_order to) {
    for (const NotNeeded& n : notNeeded)
        if (std::strstr(s.file, n.file.data()) && std::string_view(s.operation) == n.operation &&
            std::strstr(s.function, n.function.data()) && s.order == n.from && to == n.to)
            return true;
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

} // namespace

int main(int argc, char** argv) {
    const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
    const double scale = quick ? 0.1 : 1.0;
    bool ok = true;

    model::sites.recording = true;
    unsigned index = 0;
    for (const Run& run : scenarios()) {
        model::sites.scenario = index++;
        const bool passed = runOne(run, scale, false);
        std::printf("%-55s %s\n", std::string(run.name).c_str(), passed ? "ok" : "FAILED");
        if (!passed) {
            runOne(run, scale, true);
            ok = false;
        }
    }
    model::sites.recording = false;

    unsigned mutants = 0, caught = 0, excused = 0;
    for (std::size_t i = 0; i < model::sites.count; ++i) {
        const model::Site site = model::sites.entries[i];
        if (!ours(site)) continue;
        for (const std::memory_order to : weakenings(site.order)) {
            ++mutants;
            model::mutation = {true, site, to};
            bool reported = false;
            for (const Run& run : scenarios())
                if (!runOne(run, scale, false)) {
                    reported = true;
                    break;
                }
            model::mutation.active = false;
            const char* file = std::strrchr(site.file, '/') ? std::strrchr(site.file, '/') + 1 : site.file;
            if (reported) {
                ++caught;
            } else if (listed(site, to)) {
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
    std::printf("%u mutants: %u reported, %u listed as not needed\n", mutants, caught, excused);
    std::printf("%s\n", ok ? "all as expected" : "FAILED");
    return ok ? 0 : 1;
}
