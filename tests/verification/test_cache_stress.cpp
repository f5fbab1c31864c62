// The thread-cache stress (cache.hpp): multi-threaded, with ownership
// stamps, as test_stamped_stress.cpp does for the pools. Every holder writes
// its stamp (thread number + sequence number) into the whole buffer when it
// takes it and checks it before it lets go, and a holder count per buffer
// catches a buffer handed to two owners at once.
//
//  - Caches on several threads: each thread acquires through its own cache
//    (now and then directly from the pool, as a Shared, or through a
//    short-lived second cache), passes buffers to the next thread, which
//    releases them into its own cache or drops them to the shared free list;
//    the pool is small enough that refills, flushes and exhaustion happen
//    all the time; caches are drained, ended and made again during the run
//    (their counter slots reused); a reader thread takes snapshots meanwhile.
//    At the end the statistics must be exact: every hand-out and give-back
//    counted, nothing in use or cached, every buffer acquirable again.
//  - A narrow tag (BasicTreiber with TagBits 4): caches of every batch size
//    up to and past the most one batch may take (2^(TagBits-1)), so batches
//    cross the tag's half-wraps all the time; one thread mutates (several
//    threads would meet the ABA a narrow tag no longer prevents) and checks
//    the statistics exactly after every step, while a reader thread takes
//    snapshots.
//  - The free list alone, a narrow tag: one thread pops and pushes singly
//    and in batches, a reader checks that every counts() it takes lies
//    between the pops completed before it and the pops begun after it: the
//    half-wrap lag correction with batches, under a real race.
//
// In doctest suite "stress" (meson test "stress (<mode>)").
// Sizes: AUDIOPOOL_STRESS_CYCLES (default 20000) acquisitions per thread (the
// one-thread cases: 4 steps per cycle), AUDIOPOOL_STRESS_THREADS (default 4)
// threads with caches. Step 21 runs 10^6, step 20 (ThreadSanitizer) 10^5.
#include "test_prelude.hpp"
#include <chrono>
#include <cstdio>
#include <string>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif
#include "verification.hpp"

namespace {

std::uint64_t cyclesPerThread() { return verify::envOr("AUDIOPOOL_STRESS_CYCLES", 20000); }

/// A random pause while holding buffers: a short spin, now and then a yield,
/// so that holders overlap and pre-emption lands mid-operation.
void holdFor(std::mt19937_64& random) {
    const std::uint64_t r = random();
    if ((r & 0xFF) == 0) {
        std::this_thread::yield();
        return;
    }
    for (std::uint64_t i = 0, n = (r >> 8) % 32; i < n; ++i) std::atomic_signal_fence(std::memory_order_seq_cst);
}

/// A held handle and the stamp its buffer must carry.
template <class Handle>
struct Held {
    Handle handle;
    double stamp = 0;
};

/// Holders per buffer: +1 when a thread takes it, -1 just before it lets go.
template <std::size_t Capacity>
struct HolderCounts {
    std::array<std::atomic<int>, Capacity> holders{};
    std::atomic<std::uint64_t> doubleOwners{0};

    void take(std::uint32_t index) {
        // acquire: pairs with the release decrement of the buffer's last holder.
        if (holders[index].fetch_add(1, std::memory_order_acquire) != 0)
            doubleOwners.fetch_add(1, std::memory_order_relaxed);
    }
    void letGo(std::uint32_t index) {
        // release: this holder's use comes before the buffer goes back.
        holders[index].fetch_sub(1, std::memory_order_release);
    }
};

/// What every thread of the many-caches stress counts.
struct CacheThreadCounts {
    std::uint64_t acquired = 0, failed = 0, rejected = 0, corrupted = 0, passed = 0;
    std::uint64_t intoCache = 0, dropped = 0, remade = 0, drained = 0, shortLived = 0;
};

/// Caches on `threads` threads passing buffers around a ring (see the top).
/// Returns nothing: checks inside.
template <class Policy, bool Prepared>
void stressCachesOnManyThreads() {
    using Static = audiopool::Pool<double, 2, 32, 24, Policy>;
    using Pool = verify::PoolAs<Static, Prepared>;
    using Unique = typename Pool::Unique;
    using Shared = typename Pool::Shared;
    using Message = Held<Unique>;
    constexpr std::size_t cacheSize = 8;
    auto pool = verify::makePoolAs<Static, Prepared>();
    const std::uint64_t cycles = cyclesPerThread();
    const auto threads = static_cast<std::size_t>(verify::envOr("AUDIOPOOL_STRESS_THREADS", 4));
    REQUIRE(threads >= 2);
    REQUIRE(threads * 2 + 1 <= audiopool::maxCachesPerPool);  // a cache, a short-lived one and a remade one each

    HolderCounts<Static::capacity> holders;
    std::vector<std::unique_ptr<audiopool::HandoffQueue<Message, 8>>> inbox;
    for (std::size_t t = 0; t < threads; ++t) inbox.push_back(std::make_unique<audiopool::HandoffQueue<Message, 8>>());
    std::unique_ptr<std::atomic<bool>[]> finished(new std::atomic<bool>[threads]);
    for (std::size_t t = 0; t < threads; ++t) finished[t].store(false);
    std::atomic<std::size_t> running{threads};
    std::vector<CacheThreadCounts> counts(threads);

    auto worker = [&](std::size_t t) {
        CacheThreadCounts& c = counts[t];
        std::mt19937_64 random(0xCAC4E + t);
        auto& mine = *inbox[t];
        auto& next = *inbox[(t + 1) % threads];
        auto cache = pool->template cache<cacheSize>();
        std::vector<Held<Unique>> held;
        std::vector<Held<Shared>> shared;
        held.reserve(32);
        shared.reserve(8);
        std::uint64_t sequence = 0;
        auto stamp = [&](const auto& h) {
            const double s = verify::makeStamp(static_cast<std::uint32_t>(t), ++sequence);
            verify::stampBuffer(h, s, Pool::channels, Pool::frames);
            return s;
        };
        auto check = [&](const auto& h, double s) {
            c.corrupted += !verify::stampIntact(h.handle, s, Pool::channels, Pool::frames);
        };
        // Into this thread's cache, or (`direct`) to the shared free list.
        auto letGo = [&](Held<Unique>& h, bool direct) {
            check(h, h.stamp);
            holders.letGo(h.handle.index());
            if (direct) {
                h.handle.reset();
                ++c.dropped;
            } else {
                cache.release(std::move(h.handle));
                ++c.intoCache;
            }
        };
        auto took = [&](Unique h, std::size_t channels, std::size_t frames) {
            if (!h) {
                ++c.failed;
                return;
            }
            holders.take(h.index());
            if (h.numChannels() != channels || h.numFrames() != frames) ++c.corrupted;
            const double s = stamp(h);
            held.push_back({std::move(h), s});
            ++c.acquired;
        };

        while (c.acquired < cycles) {
            // What the previous thread passed on: taken over (restamped), or let go at once.
            while (auto message = mine.try_pop()) {
                check(*message, message->stamp);
                const std::uint64_t r = random() % 4;
                if (r < 2) {
                    message->stamp = stamp(message->handle);
                    held.push_back(std::move(*message));
                } else {
                    letGo(*message, r == 3);
                }
            }

            const std::uint64_t how = random() % 32;
            const std::size_t channels = random() % 3, frames = random() % (Pool::frames + 1);  // zero sizes too
            if (how == 0) {
                took(pool->acquire(channels, frames), channels, frames);
            } else if (how == 1) {  // a Shared from the cache: its last reference goes to the free list
                Shared h(cache.acquire(channels, frames));
                if (h) {
                    holders.take(h.index());
                    if (h.numChannels() != channels || h.numFrames() != frames) ++c.corrupted;
                    shared.push_back({h, stamp(h)});
                    ++c.acquired;
                } else {
                    ++c.failed;
                }
            } else if (how == 2) {  // a second, short-lived cache on this thread: a slot claimed and freed
                auto other = pool->template cache<4>();
                took(other.acquire(channels, frames), channels, frames);
                ++c.shortLived;
            } else if (how == 3) {  // oversized: refused and counted, nothing taken
                if (cache.acquire(Pool::channels + 1, frames) || cache.acquire(channels, Pool::frames + 1))
                    ++c.corrupted;
                c.rejected += 2;
            } else {
                took(cache.acquire(channels, frames), channels, frames);
            }

            if (!held.empty() && random() % 3 == 0) {  // one to the next thread
                const std::size_t i = random() % held.size();
                // NOLINTNEXTLINE(bugprone-use-after-move): push moves from it only when it succeeds
                if (next.try_push(std::move(held[i]))) {
                    held[i] = std::move(held.back());
                    held.pop_back();
                    ++c.passed;
                }
            }
            holdFor(random);
            const std::size_t keep = random() % 4;
            while (held.size() > keep) {
                const std::size_t i = random() % held.size();
                letGo(held[i], random() % 4 == 0);
                held[i] = std::move(held.back());
                held.pop_back();
            }
            while (shared.size() > random() % 2) {
                check(shared.back(), shared.back().stamp);
                holders.letGo(shared.back().handle.index());
                shared.pop_back();
            }

            const std::uint64_t life = random() % 1024;
            if (life == 0) {
                cache.drain();
                ++c.drained;
            } else if (life == 1) {  // ended, then a new one (its slot free for the next claim)
                cache = {};
                cache = pool->template cache<cacheSize>();
                ++c.remade;
            } else if (life == 2) {  // a new one claimed while the old one still holds its slot
                cache = pool->template cache<cacheSize>();
                ++c.remade;
            }
            if (!cache.caching()) ++c.corrupted;  // a slot must always have been free
        }
        while (!held.empty()) {
            letGo(held.back(), false);
            held.pop_back();
        }
        for (auto& s : shared) {
            check(s, s.stamp);
            holders.letGo(s.handle.index());
        }
        shared.clear();
        // The cache ends before this thread waits: a finished thread holds nothing
        // a running one may need.
        cache = {};
        // release: publishes our last push to `next` to the thread draining it.
        finished[t].store(true, std::memory_order_release);
        const std::size_t previous = (t + threads - 1) % threads;
        for (;;) {
            while (auto message = mine.try_pop()) letGo(*message, true);
            // acquire: pairs with the release above in the previous thread.
            if (finished[previous].load(std::memory_order_acquire) && mine.empty()) break;
            std::this_thread::yield();
        }
        running.fetch_sub(1, std::memory_order_release);
    };

    // Snapshots while everything moves: only what holds at any moment.
    std::uint64_t snapshots = 0, badSnapshots = 0;
    std::thread reader([&] {
        std::size_t lastHighWater = 0;
        // acquire: pairs with each worker's release decrement.
        while (running.load(std::memory_order_acquire) != 0) {
            const audiopool::Stats s = pool->stats();
            ++snapshots;
            if (s.inUse + s.cached > s.capacity || s.highWater > s.capacity || s.highWater < lastHighWater ||
                s.misuses != 0 || s.capacity != Static::capacity)
                ++badSnapshots;
            lastHighWater = s.highWater;
            std::this_thread::yield();
        }
    });
    std::vector<std::thread> workers;
    for (std::size_t t = 0; t < threads; ++t) workers.emplace_back(worker, t);
    for (auto& w : workers) w.join();
    reader.join();

    CacheThreadCounts total;
    for (const auto& c : counts) {
        total.acquired += c.acquired;
        total.failed += c.failed;
        total.rejected += c.rejected;
        total.corrupted += c.corrupted;
        total.passed += c.passed;
        total.intoCache += c.intoCache;
        total.dropped += c.dropped;
        total.remade += c.remade;
        total.drained += c.drained;
        total.shortLived += c.shortLived;
    }
    const audiopool::Stats s = pool->stats();
    std::printf("stress %s%s, caches: %zu threads x %llu acquisitions (%llu passed on, %llu released into a cache, "
                "%llu dropped directly, %llu exhausted, %llu caches remade, %llu drained, %llu short-lived; "
                "%llu snapshots meanwhile; highWater %zu/%zu)\n",
                std::string(Policy::name).c_str(), Prepared ? " prepared" : "", threads,
                static_cast<unsigned long long>(cycles), static_cast<unsigned long long>(total.passed),
                static_cast<unsigned long long>(total.intoCache), static_cast<unsigned long long>(total.dropped),
                static_cast<unsigned long long>(total.failed), static_cast<unsigned long long>(total.remade),
                static_cast<unsigned long long>(total.drained), static_cast<unsigned long long>(total.shortLived),
                static_cast<unsigned long long>(snapshots), s.highWater, s.capacity);
    CHECK(total.corrupted == 0);
    CHECK(holders.doubleOwners.load() == 0);
    CHECK(badSnapshots == 0);
    CHECK(total.acquired == cycles * threads);
    CHECK(total.failed > 0);  // the pool was exhausted: the refill's refusal ran
    CHECK(total.intoCache > 0);
    CHECK(s.inUse == 0);
    CHECK(s.cached == 0);
    CHECK(s.acquisitions == total.acquired);
    CHECK(s.releases == total.acquired);
    CHECK(s.failedAcquisitions == total.failed);
    CHECK(s.rejectedRequests == total.rejected);
    CHECK(s.misuses == 0);
    CHECK(s.highWater <= Static::capacity);
    CHECK(verify::wholeness(*pool) == "");
}

// ---- a narrow tag ----

/// No hooks (the library's own default is in its detail namespace).
struct NoHooks {
    static void beforePopCas(std::uint32_t, std::uint32_t) noexcept {}
    static void beforeHalfWrapCount() noexcept {}
};
constexpr unsigned narrowTagBits = 4;  // a half-wrap every 8 pops; a batch takes at most 8
using NarrowTreiber = audiopool::BasicTreiber<NoHooks, narrowTagBits>;

/// One thread, four caches (batches of 1, 2 and 8, and one that asks for 16
/// and gets at most 8), direct acquires and releases, buffers released into
/// any cache: the statistics checked exactly after every step against the
/// model (handles held, what each cache holds), while a reader thread takes
/// snapshots.
template <bool Prepared>
void stressNarrowTagCachesOnOneThread() {
    using Static = audiopool::Pool<double, 1, 16, 12, NarrowTreiber>;
    using Pool = verify::PoolAs<Static, Prepared>;
    using Unique = typename Pool::Unique;
    auto pool = verify::makePoolAs<Static, Prepared>();
    const std::uint64_t steps = cyclesPerThread() * 4;

    auto c2 = pool->template cache<2>();
    auto c4 = pool->template cache<4>();
    auto c16 = pool->template cache<16>();
    auto c32 = pool->template cache<32>();
    std::vector<Held<Unique>> held;
    std::mt19937_64 random(0x7A6);
    std::uint64_t acquisitions = 0, releases = 0, failed = 0, corrupted = 0, mismatches = 0, sequence = 0;
    std::size_t peak = 0;
    auto cachedNow = [&] { return c2.held() + c4.held() + c16.held() + c32.held(); };

    std::atomic<bool> done{false};
    std::uint64_t snapshots = 0, badSnapshots = 0;
    std::thread reader([&] {
        // acquire: pairs with the release store below (nothing is read after it).
        while (!done.load(std::memory_order_acquire)) {
            const audiopool::Stats s = pool->stats();
            ++snapshots;
            if (s.inUse + s.cached > s.capacity || s.highWater > s.capacity || s.misuses != 0) ++badSnapshots;
            std::this_thread::yield();
        }
    });

    auto take = [&](Unique h) {
        if (!h) {
            ++failed;
            if (held.size() + cachedNow() != Pool::capacity) ++mismatches;  // refused while one was free
            return;
        }
        const double s = verify::makeStamp(0, ++sequence);
        verify::stampBuffer(h, s, Pool::channels, Pool::frames);
        held.push_back({std::move(h), s});
        ++acquisitions;
    };
    for (std::uint64_t step = 0; step < steps; ++step) {
        const std::uint64_t r = random();
        const std::uint64_t what = r % 16;
        if (what < 8) {
            switch ((r >> 8) % 5) {
            case 0: take(c2.acquire()); break;
            case 1: take(c4.acquire()); break;
            case 2: take(c16.acquire()); break;
            case 3: take(c32.acquire()); break;
            default: take(pool->acquire()); break;
            }
        } else if (what < 15 && !held.empty()) {
            const std::size_t i = (r >> 16) % held.size();
            Held<Unique> h = std::move(held[i]);
            held[i] = std::move(held.back());
            held.pop_back();
            corrupted += !verify::stampIntact(h.handle, h.stamp, Pool::channels, Pool::frames);
            switch ((r >> 8) % 5) {
            case 0: c2.release(std::move(h.handle)); break;
            case 1: c4.release(std::move(h.handle)); break;
            case 2: c16.release(std::move(h.handle)); break;
            case 3: c32.release(std::move(h.handle)); break;
            default: h.handle.reset(); break;
            }
            ++releases;
        } else if (what == 15) {
            switch ((r >> 8) % 6) {
            case 0: c2.drain(); break;
            case 1: c4.drain(); break;
            case 2: c16.drain(); break;
            case 3: c32.drain(); break;
            case 4: c16 = pool->template cache<16>(); break;  // the old one ends after the new one claims
            default: c32 = {}, c32 = pool->template cache<32>(); break;
            }
        }
        peak = std::max(peak, held.size() + cachedNow());
        if (c2.held() > 2 || c4.held() > 4 || c16.held() > 16 || c32.held() > 32) ++mismatches;
        const audiopool::Stats s = pool->stats();
        if (s.inUse != held.size() || s.cached != cachedNow() || s.acquisitions != acquisitions ||
            s.releases != releases || s.failedAcquisitions != failed || s.highWater != peak || s.misuses != 0)
            ++mismatches;
    }
    for (auto& h : held) corrupted += !verify::stampIntact(h.handle, h.stamp, Pool::channels, Pool::frames);
    releases += held.size();
    held.clear();
    c2 = {};
    c4 = {};
    c16 = {};
    c32 = {};
    done.store(true, std::memory_order_release);
    reader.join();

    const audiopool::Stats s = pool->stats();
    std::printf("stress narrow tag (%u bits)%s, caches of 2, 4, 16 and 32 on one thread: %llu steps, %llu "
                "acquisitions (%llu exhausted), about %llu half-wraps, %llu snapshots meanwhile\n",
                narrowTagBits, Prepared ? " prepared" : "", static_cast<unsigned long long>(steps),
                static_cast<unsigned long long>(acquisitions), static_cast<unsigned long long>(failed),
                static_cast<unsigned long long>(acquisitions >> (narrowTagBits - 1)),
                static_cast<unsigned long long>(snapshots));
    CHECK(mismatches == 0);
    CHECK(corrupted == 0);
    CHECK(badSnapshots == 0);
    CHECK(failed > 0);
    CHECK(s.inUse == 0);
    CHECK(s.cached == 0);
    CHECK(s.acquisitions == acquisitions);
    CHECK(s.releases == releases);
    CHECK(s.releases == s.acquisitions);
    CHECK(s.failedAcquisitions == failed);
    CHECK(s.highWater == peak);
    CHECK(s.misuses == 0);
    CHECK(verify::wholeness(*pool) == "");
}

/// The narrow-tag free list alone: one thread pops and pushes, singly and in
/// batches (up to past the cap of 2^(TagBits-1) a batch may take), its own
/// model checking that no index is out twice; a reader checks every
/// counts() it takes against the pops the mutator announced: at least the
/// pops completed before the call, at most those begun by its end. Exact
/// whenever the call spanned at most one half-wrap's worth of pops (the lag
/// counts() corrects); the reader counts the calls that spanned more (a
/// pre-empted reader) and skips them.
void stressNarrowTagFreeListCounts() {
    constexpr std::size_t capacity = 40;
    constexpr unsigned tagBits = 5;  // a half-wrap every 16 pops
    using List = typename audiopool::BasicTreiber<NoHooks, tagBits>::template FreeList<capacity>;
    constexpr std::uint64_t halfWrap = std::uint64_t{1} << (tagBits - 1);
    auto list = std::make_unique<List>();
    std::array<typename List::Link, capacity> links{};
    const std::uint64_t steps = cyclesPerThread() * 4;

    // Announced pops: `begun` is stored before an operation (what it may
    // reach), `completed` after it (the half-wrap counted too).
    std::atomic<std::uint64_t> begun{0}, completed{0};
    std::atomic<bool> done{false};
    std::uint64_t checked = 0, skipped = 0, wrong = 0;
    // How many counts the reader has checked so far, for the mutator: on a
    // loaded machine the reader may not run at all during `steps`, so the
    // mutator goes on (up to 10 s) until it has checked a few.
    std::atomic<std::uint64_t> checkedSoFar{0};
    std::thread reader([&] {
        // acquire: pairs with the release store of `done` (nothing is read after it).
        while (!done.load(std::memory_order_acquire)) {
            // acquire: pairs with the release store of `completed` after each
            // operation, so the operations it counts happen before counts().
            const std::uint64_t low = completed.load(std::memory_order_acquire);
            const audiopool::FreeListCounts c = list->counts();
            // seq_cst fence, with the mutator's between its announcement and
            // its operation: if counts() read a head that operation wrote,
            // the mutator's fence precedes this one in the single total
            // order, so the load below sees that announcement (or a later one).
            std::atomic_thread_fence(std::memory_order_seq_cst);
            // relaxed: ordered by the fences above.
            const std::uint64_t high = begun.load(std::memory_order_relaxed);
            if (high - low > halfWrap) {
                ++skipped;
                continue;
            }
            ++checked;
            checkedSoFar.store(checked, std::memory_order_relaxed);  // relaxed: a progress count only
            if (c.pops < low || c.pops > high || c.pushes > c.pops || c.free > capacity) ++wrong;
        }
    });

    std::vector<std::uint32_t> out;  // the indices the mutator holds
    out.reserve(capacity);
    std::array<bool, capacity> isOut{};
    std::array<std::uint32_t, capacity> batch{};
    std::uint64_t pops = 0, pushes = 0, duplicates = 0, mismatches = 0;
    std::mt19937_64 random(0xB47C4);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    const auto goOn = [&](std::uint64_t step) {
        if (step < steps) return true;
        // relaxed: a progress count only.
        return checkedSoFar.load(std::memory_order_relaxed) < 10 && std::chrono::steady_clock::now() < deadline;
    };
    std::uint64_t stepsRun = 0;
    for (std::uint64_t step = 0; goOn(step); ++step, ++stepsRun) {
        const std::uint64_t r = random();
        const std::size_t free = capacity - out.size();
        if (r % 2 == 0) {  // pop, or a batch of 1..20 (past the cap of 16)
            const auto wanted = static_cast<std::uint32_t>(1 + (r >> 8) % 20);
            const bool single = (r >> 16) % 4 == 0;
            const std::uint64_t reach =
                single ? std::min<std::size_t>(free, 1) : std::min<std::uint64_t>({wanted, free, halfWrap});
            // relaxed, then a seq_cst fence: the announcement comes before
            // the operation for a reader that saw the operation (its fence).
            begun.store(pops + reach, std::memory_order_relaxed);
            std::atomic_thread_fence(std::memory_order_seq_cst);
            std::uint32_t got = 0;
            if (single) {
                const audiopool::Popped p = list->pop(links.data());
                if (p.index != audiopool::Popped::none) batch[got++] = p.index;
            } else {
                got = list->popBatch(links.data(), batch.data(), wanted).count;
            }
            if (got != reach) ++mismatches;
            for (std::uint32_t i = 0; i < got; ++i) {
                if (batch[i] >= capacity || isOut[batch[i]]) {
                    ++duplicates;
                    continue;
                }
                isOut[batch[i]] = true;
                out.push_back(batch[i]);
            }
            pops += got;
            // release: publishes the operation (and its half-wrap count) to the reader.
            completed.store(pops, std::memory_order_release);
        } else if (!out.empty()) {  // push, or a batch of random indices the mutator holds
            std::shuffle(out.begin(), out.end(), random);
            const auto n = static_cast<std::uint32_t>((r >> 16) % 4 == 0 ? 1 : 1 + (r >> 8) % out.size());
            if (n == 1) list->push(out.back(), links.data());
            else list->pushBatch(out.data() + out.size() - n, n, links.data());
            for (std::uint32_t i = 0; i < n; ++i) {
                isOut[out.back()] = false;
                out.pop_back();
            }
            pushes += n;
        }
        const audiopool::FreeListCounts c = list->counts();
        if (c.pops != pops || c.pushes != pushes || c.free != capacity - out.size()) ++mismatches;
    }
    done.store(true, std::memory_order_release);
    reader.join();
    std::printf("stress narrow tag (%u bits), free list alone: %llu steps, %llu pops (%llu half-wraps); reader: "
                "%llu counts checked, %llu spanning more than a half-wrap skipped\n",
                tagBits, static_cast<unsigned long long>(stepsRun), static_cast<unsigned long long>(pops),
                static_cast<unsigned long long>(pops / halfWrap), static_cast<unsigned long long>(checked),
                static_cast<unsigned long long>(skipped));
    CHECK(duplicates == 0);
    CHECK(mismatches == 0);
    CHECK(wrong == 0);
    CHECK(checked > 0);
}

} // namespace

TEST_SUITE_BEGIN("stress");

TEST_CASE_TEMPLATE_DEFINE("CacheStressManyThreadsNeverHandOutABufferTwiceAndCountExactly", Policy, cacheStress) {
    stressCachesOnManyThreads<Policy, false>();
}
TEST_CASE_TEMPLATE_DEFINE("CacheStressManyThreadsPrepared", Policy, cacheStressPrepared) {
    stressCachesOnManyThreads<Policy, true>();
}
// The policies that allow caches: any thread acquires and releases.
TEST_CASE_TEMPLATE_APPLY(cacheStress, test::PoliciesWhere<test::AnyThread>);
TEST_CASE_TEMPLATE_APPLY(cacheStressPrepared, test::PoliciesWhere<test::AnyThread>);

TEST_CASE("CacheStressNarrowTagBatchesCountExactly") {
    stressNarrowTagCachesOnOneThread<false>();
    stressNarrowTagCachesOnOneThread<true>();
}

TEST_CASE("CacheStressNarrowTagFreeListCountsExactWhileRead") { stressNarrowTagFreeListCounts(); }

TEST_SUITE_END();
