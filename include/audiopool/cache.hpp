// audiopool/cache.hpp — PoolCache: one thread's private stock of buffers in
// front of a pool that many threads share (a graph renderer's workers, a
// host's process threads).
//
// Why: on a pool that any thread may use (Treiber), every acquire and
// release is a compare-and-swap on one head word; when two threads take and
// give back all the time, that word's cache line moves between their cores
// on each operation, and a pair costs several times what it costs on one
// thread (bench/graph.cpp measures it beside glibc's malloc, whose
// per-thread cache avoids exactly this). A cache is the thread's own small
// stack of buffer indices: acquire takes from it and release puts into it
// with plain loads and stores, and it moves buffers to and from the shared
// free list in batches of Size/2, one compare-and-swap per batch (the
// "magazines" of a slab allocator).
//
// No thread-local storage: a plugin is a shared library, where a
// thread_local may call __tls_get_addr and allocate on first use. The cache
// is an explicit object the thread owns, made once with `pool.cache<8>()`
// (kept in the worker's context) and used from that thread only (checked
// builds report another thread as Misuse::WrongThread).
//
// What goes where:
//  - cache.acquire() returns an ordinary Pool::Unique. Dropped or reset(), it
//    goes back to the shared free list, from any thread, as any handle does;
//    given to cache.release(std::move(h)) on the cache's thread, it goes into
//    the cache. So a buffer may travel to another thread (a node downstream
//    on another worker) and be released there into that thread's cache, or
//    dropped: nothing depends on where it was taken. (A handle that went back
//    to "its" cache on destruction would race with that cache's thread when
//    dropped elsewhere; one that went to "the dropping thread's" cache would
//    need thread-local storage.)
//  - When the cache is empty, an acquire takes a batch of Size/2 (fewer if
//    the pool has fewer free); when it is full, a release gives Size/2 back
//    first. The destructor, and drain(), give back everything it holds.
//
// Statistics stay exact. The pool keeps a slot of counters for each live
// cache (at most audiopool::maxCachesPerPool at once; each on its own line, written
// only by its cache's thread with plain stores): what the cache handed out
// and took back, net of its batch transfers. Pool::stats() adds them to the
// free list's counts, so acquisitions and releases count every hand-out
// and give-back through a cache, Stats::cached is the number of buffers the
// caches hold now, and inUse is the buffers in handles (exact when no
// operation is in progress, as with the other multi-thread lists).
// highWater counts buffers out of the shared free list, caches included:
// a cache's buffers are out of reach of the other threads, so that is
// what the capacity must cover.
//
// More caches than slots: pool.cache() then returns a cache that holds
// nothing and passes every acquire and release straight to the pool
// (caching() is false): slower, never wrong.
//
// Progress: acquire and release from the cache are wait-free (a few loads and
// stores); a refill, flush or drain is the free list's batch operation
// (Treiber: lock-free, one compare-and-swap retried on contention).
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <utility>
#endif
#include "audiopool/atomics.hpp"
#include "audiopool/free_list.hpp"
#include "audiopool/sample.hpp"
#include "audiopool/thread_check.hpp"

AUDIOPOOL_EXPORT namespace audiopool {

/// Live caches one pool can count at once (Pool::cache()); a pool gives
/// each a slot of counters (one falseSharingRange line each).
inline constexpr std::uint32_t maxCachesPerPool = 16;

} // namespace audiopool

namespace audiopool::detail {

/// One cache slot's counters, written only by the thread of the cache that
/// holds the slot (a load and a store, no read-modify-write), read by stats().
template <class Atomics>
struct alignas(falseSharingRange) CacheCounters {
    /// Buffers handed out minus buffers taken from the free list (mod 2^64).
    typename Atomics::template Atomic<std::uint64_t> acquiredNet{0};
    /// Buffers taken back minus buffers given to the free list (mod 2^64).
    typename Atomics::template Atomic<std::uint64_t> releasedNet{0};
};

/// What the caches of a pool add to its statistics.
struct CacheTotals {
    std::uint64_t acquiredNet = 0;
    std::uint64_t releasedNet = 0;
    /// Buffers the caches hold now: released net minus acquired net.
    std::uint64_t held() const noexcept { return releasedNet - acquiredNet; }
};

/// The counter slots of a pool whose policy allows caches. All zero bits
/// initially (a constinit pool stays in .bss). A slot's counters are
/// cumulative over every cache that held it, so a cache that ends leaves
/// them as they are (its net holding is 0 after its drain) and stats() never
/// has to fold one cache's counts into another place.
template <class Atomics>
class CacheSlots {
public:
    static constexpr std::uint32_t none = 0xFFFF'FFFFu;

    /// A free slot for a new cache, or none. Thread: any. Progress: lock-free.
    std::uint32_t claim() noexcept {
        // acquire: pairs with unclaim()'s release, so the new cache's plain
        // load+store updates continue from the last cache's final values.
        std::uint32_t taken = claimed_.load(std::memory_order_acquire);
        for (;;) {
            const std::uint32_t free = ~taken & allSlots;
            if (free == 0) return none;
            const std::uint32_t slot = static_cast<std::uint32_t>(std::countr_zero(free));
            if (claimed_.compare_exchange_weak(taken, taken | (1u << slot), std::memory_order_acquire,
                                               std::memory_order_acquire))
                return slot;
        }
    }
    /// Gives a slot back. Thread: the cache's. Progress: wait-free (one fetch_and).
    void unclaim(std::uint32_t slot) noexcept {
        // release: publishes this cache's last counter stores to the next claim().
        claimed_.fetch_and(~(1u << slot), std::memory_order_release);
    }
    CacheCounters<Atomics>& counters(std::uint32_t slot) noexcept { return counters_[slot]; }

    /// The sums over every slot (relaxed loads: statistics). Thread: any.
    CacheTotals totals() const noexcept {
        CacheTotals t;
        for (const auto& c : counters_) {
            t.acquiredNet += c.acquiredNet.load(std::memory_order_relaxed);
            t.releasedNet += c.releasedNet.load(std::memory_order_relaxed);
        }
        return t;
    }
    /// Every counter 0 (a re-prepared pool starts its statistics over).
    /// Thread: the one preparing the pool, while no cache holds a buffer.
    void startOver() noexcept {
        for (auto& c : counters_) {
            // relaxed: no other thread uses the pool now (prepare()'s rule).
            c.acquiredNet.store(0, std::memory_order_relaxed);
            c.releasedNet.store(0, std::memory_order_relaxed);
        }
    }

private:
    static constexpr std::uint32_t allSlots = (maxCachesPerPool == 32) ? ~0u : (1u << maxCachesPerPool) - 1;
    typename Atomics::template Atomic<std::uint32_t> claimed_{0};
    CacheCounters<Atomics> counters_[maxCachesPerPool]{};
};

/// Adds `n` to a counter only this thread writes: a load and a store (no
/// locked instruction), atomic so that stats() may read it meanwhile.
template <class Word>
inline void bumpOwned(Word& counter, std::uint64_t n) noexcept {
    // relaxed, both: a statistic; only this thread writes the word.
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

} // namespace audiopool::detail

AUDIOPOOL_EXPORT namespace audiopool {

/// One thread's private stock of up to Size buffers of PoolT, made by
/// `pool.cache<Size>()`; see the top of cache.hpp. Move-only; the thread
/// that uses it must be one (checked builds report another), and the pool
/// must outlive it.
template <class PoolT, std::size_t Size>
class PoolCache {
    static_assert(Size >= 2 && Size <= 4096, "audiopool::PoolCache: Size must be 2..4096");
    using Atomics = typename PoolT::CacheAtomics;

public:
    using Pool = PoolT;
    using Unique = typename PoolT::Unique;
    /// Buffers a cache holds at most.
    static constexpr std::size_t capacity = Size;
    /// Buffers moved per transfer to or from the pool's free list.
    static constexpr std::uint32_t batch = static_cast<std::uint32_t>(Size / 2);

    /// A cache of no pool: acquire() returns empty handles, release() gives
    /// the buffer back to its pool. Thread: any. Allocates: no.
    PoolCache() noexcept = default;
    /// Takes `that`'s buffers and slot over; `that` becomes a cache of no pool.
    /// Thread: the cache's. Progress: wait-free (O(Size) copies). Allocates: no.
    PoolCache(PoolCache&& that) noexcept
        : pool_(std::exchange(that.pool_, nullptr)), slot_(std::exchange(that.slot_, Slots::none)),
          count_(std::exchange(that.count_, 0)), indices_(that.indices_) {}
    /// Drains and ends this cache, then takes `that`'s over.
    /// Thread: the cache's. Progress: as drain(). Allocates: no.
    PoolCache& operator=(PoolCache&& that) noexcept {
        if (this != &that) {
            end();
            pool_ = std::exchange(that.pool_, nullptr);
            slot_ = std::exchange(that.slot_, Slots::none);
            count_ = std::exchange(that.count_, 0);
            indices_ = that.indices_;
            thread_.unbind();  // checked builds: the next use binds the cache to its thread
        }
        return *this;
    }
    PoolCache(const PoolCache&) = delete;
    PoolCache& operator=(const PoolCache&) = delete;
    /// Gives every buffer it holds back to the pool and frees its slot.
    /// Thread: the cache's (or any, once that thread is done with it).
    /// Progress: as drain(). Allocates: no.
    ~PoolCache() { end(); }

    /// A buffer of `numChannels` x `numFrames` (at most the pool's), from the
    /// cache, refilled from the pool with a batch when empty. Refused as
    /// Pool::acquire refuses (an oversized request, counted as a rejected
    /// request; an exhausted pool, counted as a failed acquisition): an
    /// empty handle. Thread: the cache's. Progress: wait-free from the
    /// cache; a refill is the free list's batch pop (Treiber: lock-free).
    /// Allocates: no.
    [[nodiscard]] Unique acquire(std::size_t numChannels, std::size_t numFrames) noexcept AUDIOPOOL_NONBLOCKING {
        if (pool_ == nullptr) [[unlikely]]
            return {};
        if (slot_ == Slots::none) [[unlikely]]
            return pool_->acquire(numChannels, numFrames);
        if (!pool_->cachedRequestFits(numChannels, numFrames)) [[unlikely]]
            return {};
        checkThread();
        if (count_ == 0) [[unlikely]]
            if (!refill()) return {};
        const std::uint32_t index = indices_[--count_];
        detail::bumpOwned(counters().acquiredNet, 1);
        return pool_->handOutCached(index, numChannels, numFrames);
    }
    /// As acquire(numChannels, numFrames), with every frame.
    [[nodiscard]] Unique acquire(std::size_t numChannels) noexcept AUDIOPOOL_NONBLOCKING {
        return pool_ ? acquire(numChannels, pool_->sizes().frames) : Unique{};
    }
    /// As acquire(numChannels, numFrames), a whole buffer.
    [[nodiscard]] Unique acquire() noexcept AUDIOPOOL_NONBLOCKING {
        return pool_ ? acquire(pool_->sizes().channels, pool_->sizes().frames) : Unique{};
    }

    /// Takes a buffer back into the cache (any buffer of this pool, acquired
    /// through any cache or none, on any thread); `buffer` becomes empty.
    /// When the cache is full it first gives a batch back to the pool. An
    /// empty handle: nothing. A buffer of another pool is reported
    /// (Misuse::ForeignRelease) and goes back to its own pool.
    /// Thread: the cache's. Progress: wait-free into the cache; a flush is
    /// the free list's batch push (Treiber: lock-free). Allocates: no.
    // `buffer` is emptied in every branch (taken over, or reset()).
    // NOLINTNEXTLINE(cppcoreguidelines-rvalue-reference-param-not-moved)
    void release(Unique&& buffer) noexcept AUDIOPOOL_NONBLOCKING {
        if (!buffer) return;
        if (slot_ == Slots::none || !pool_->ownsCached(buffer)) [[unlikely]] {
            if (slot_ != Slots::none) pool_->reportForeign(buffer);
            buffer.reset();
            return;
        }
        checkThread();
        if (count_ == Size) [[unlikely]]
            flush(batch);
        indices_[count_++] = pool_->takeBackCached(buffer);
        detail::bumpOwned(counters().releasedNet, 1);
    }

    /// Gives every buffer the cache holds back to the pool (one batch).
    /// Thread: the cache's. Progress: the free list's batch push (Treiber:
    /// lock-free). Allocates: no.
    void drain() noexcept AUDIOPOOL_NONBLOCKING {
        if (count_ != 0) flush(count_);
    }

    /// Buffers the cache holds now. Thread: the cache's. Allocates: no.
    std::size_t held() const noexcept AUDIOPOOL_NONBLOCKING { return count_; }
    /// Whether this cache keeps buffers (false for a cache of no pool, or when
    /// the pool already had maxCachesPerPool live caches: then every acquire
    /// and release goes straight to the pool). Thread: any. Allocates: no.
    bool caching() const noexcept AUDIOPOOL_NONBLOCKING { return slot_ != Slots::none; }
    /// The pool, or nullptr for a cache of no pool.
    Pool* pool() const noexcept AUDIOPOOL_NONBLOCKING { return pool_; }

private:
    friend PoolT;
    using Slots = detail::CacheSlots<Atomics>;

    PoolCache(PoolT& pool, std::uint32_t slot) noexcept : pool_(&pool), slot_(slot) {}

    detail::CacheCounters<Atomics>& counters() noexcept { return pool_->cacheCounters(slot_); }

    /// A batch from the pool; false (counted by the pool) when it had none.
    bool refill() noexcept {
        const std::uint32_t taken = pool_->takeBatchCached(indices_.data(), batch);
        if (taken == 0) return false;
        count_ = taken;
        // The taken buffers are the cache's now, not handed out: net of the batch.
        detail::bumpOwned(counters().acquiredNet, std::uint64_t{0} - taken);
        return true;
    }
    /// Gives the `n` buffers at the bottom of the stack back to the pool (the
    /// least recently released, the coldest) and keeps the warm ones.
    void flush(std::uint32_t n) noexcept {
        pool_->giveBatchCached(indices_.data(), n);
        for (std::uint32_t i = n; i < count_; ++i) indices_[i - n] = indices_[i];
        count_ -= n;
        detail::bumpOwned(counters().releasedNet, std::uint64_t{0} - n);
    }
    void end() noexcept {
        if (slot_ == Slots::none) return;
        drain();
        pool_->endCache(slot_);
        slot_ = Slots::none;
        pool_ = nullptr;
    }
    void checkThread() noexcept {
#if AUDIOPOOL_CHECK_THREADS
        if (!thread_.bindOrCheck()) pool_->reportCacheThread();
#endif
    }

    PoolT* pool_ = nullptr;
    std::uint32_t slot_ = Slots::none;
    std::uint32_t count_ = 0;
    // The cache's stack: indices_[count_ - 1] is the most recently released
    // (warmest) buffer, handed out first.
    std::array<std::uint32_t, Size> indices_{};
    detail::ThreadBinding<Atomics> thread_{};
};

} // namespace audiopool
