// audiopool/pool.hpp — Pool: a fixed set of multichannel audio buffers,
// handed out and taken back without allocating, locking or blocking.
//
// Everything is fixed at compile time: sample type, channel count, maximum
// frames per buffer, capacity and free-list policy. The storage is inline (no
// heap) and the constructor is constexpr, so a pool can be `constinit` in
// static storage; its initial state is all zero bits, so such a pool lives in
// .bss and adds nothing to the binary's size.
//
// Layout. Each buffer is a Slot: one bookkeeping block (its ownership word,
// detach generation, the free list's link if the policy has one, and its
// channel-pointer table), then its samples. The block is falseSharingRange
// bytes (sample.hpp) and so is every Slot's size, so what one buffer's
// owner writes never shares a cache line (or a prefetched pair) with what
// another buffer's owner writes. Each channel starts on a cache-line boundary.
// The free list's hot state and the high-water mark come next, on one line
// where the policy allows (Treiber, IndexStack); the counters written only on
// failure paths and the thread bindings last.
//
// Lines an acquire+release pair touches besides the samples (docs/guarantees.md):
//   Treiber, IndexStack: the free list's line (with the high-water mark) and
//   the buffer's bookkeeping line: 2.
//   SpscRing: the consumer's line, the producer's line, the ring's line, the
//   high-water line (read) and the buffer's bookkeeping line: 5, of which the
//   consumer and producer each write their own.
//   OwnerThread, the acquiring thread releasing too: the lane bindings
//   (read), the owner's line, its lane's position, the lane entry's line, the
//   high-water line (read) and the buffer's bookkeeping line: 6.
//
// Ownership is tracked per buffer in one word (0 = free, n = n live handles,
// or "detached" with a 31-bit generation): handles cannot release twice, and
// the lower-level Detached API is checked against it, so a misuse (a double
// or stale release among them) is reported (misuse.hpp) and never reaches
// the free list.
//
// Statistics come from the free list's own state plus three counters that are
// written only on the failure paths and one high-water mark written only when
// a new peak is reached.
//
// Progress: Pool::progress is the free list's guarantee; the pool adds only
// wait-free steps (single loads, stores and fetch-adds) around it, except the
// high-water update, a bounded compare-and-swap loop run only on a new peak.
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <memory_resource>
#include <type_traits>
#endif
#include "audiopool/buffer_storage.hpp"
#include "audiopool/cache.hpp"
#include "audiopool/detach_words.hpp"
#include "audiopool/free_list.hpp"
#include "audiopool/handles.hpp"
#include "audiopool/maybe_atomic.hpp"
#include "audiopool/misuse.hpp"
#include "audiopool/poison.hpp"
#include "audiopool/sample.hpp"
#include "audiopool/sizes.hpp"
#include "audiopool/thread_check.hpp"
#include "audiopool/treiber.hpp"

AUDIOPOOL_EXPORT namespace audiopool {

/// What a pool reports for tuning its size (Pool::stats()). With Treiber,
/// SpscRing and OwnerThread it may be read from any thread at any time
/// (Treiber: an exact snapshot, or with thread caches (cache.hpp) exact when
/// no operation is in progress; SpscRing and OwnerThread: exact when no
/// acquire or release is in progress); with IndexStack, on the pool's own
/// thread. A pool with dynamic sizes: not while prepare() or releaseMemory()
/// runs (they replace what the statistics are read from).
struct Stats {
    std::size_t capacity = 0;             ///< buffers in the pool
    std::size_t inUse = 0;                ///< buffers out of the pool now
    std::size_t highWater = 0;            ///< the most ever out at once (never decreases)
    std::uint64_t acquisitions = 0;       ///< successful acquires
    std::uint64_t releases = 0;           ///< buffers returned
    std::uint64_t failedAcquisitions = 0; ///< acquires refused because the pool was empty
    std::uint64_t rejectedRequests = 0;   ///< acquires refused as larger than the pool's buffers
    std::uint64_t misuses = 0;  ///< detected double, stale, foreign or out-of-range releases, and wrong-thread use
    /// Buffers held in thread caches now (Pool::cache(), cache.hpp): out of
    /// the free list, not in a handle. inUse does not count them; highWater does.
    std::size_t cached = 0;

    friend constexpr bool operator==(const Stats&, const Stats&) = default;
};

}  // namespace audiopool

AUDIOPOOL_EXPORT namespace audiopool {

/// A pool of Capacity buffers of Channels x Frames samples of S, handed out
/// by Policy's free list (Treiber unless named; see the policies below).
/// Storage inline, constructor constexpr: a pool can be `constinit`.
template <SampleType S, std::size_t Channels, std::size_t Frames, std::size_t Capacity, FreeListPolicy Policy = Treiber>
class Pool {  // NOLINT(cppcoreguidelines-special-member-functions): no copy or move; ~Pool only under ASan
    static_assert(Channels >= 1, "audiopool::Pool: Channels must be at least 1");
    static_assert(Frames >= 1, "audiopool::Pool: Frames must be at least 1");
    static_assert(Capacity >= 1, "audiopool::Pool: Capacity must be at least 1");
    static_assert((Channels == dynamic || Channels <= 0xFFFF'FFFFu) && (Frames == dynamic || Frames <= 0xFFFF'FFFFu),
                  "audiopool::Pool: Channels and Frames must each fit in 32 bits");

    /// Whether some extent is left to prepare(): then the buffers are one
    /// allocated block and the free list's capacity is dynamic too.
    static constexpr bool prepares = Channels == dynamic || Frames == dynamic || Capacity == dynamic;
    using FreeList = typename Policy::template FreeList<prepares ? dynamic : Capacity>;
    static_assert(Capacity == dynamic || Capacity <= FreeList::maxCapacity,
                  "audiopool::Pool: Capacity is beyond what this policy's index can address");
    static_assert(
        !prepares || requires(FreeList& list, std::byte* storage) {
            { FreeList::storageBytes(std::size_t{}) } noexcept -> std::convertible_to<std::size_t>;
            { list.attach(std::size_t{}, storage) } noexcept;
        }, "audiopool::Pool: this policy has no dynamic capacity (FreeList<audiopool::dynamic>: free_list.hpp)");
    /// The free list's atomics (atomics.hpp), for the pool's own shared words.
    using Atomics = atomicsOf<FreeList>;
    static_assert(!FreeList::crossThread || std::atomic<std::uint64_t>::is_always_lock_free,
                  "audiopool::Pool: a pool shared between threads needs lock-free 64-bit atomics");

public:
    using Sample = S;
    using PolicyType = Policy;
    using Unique = UniqueBuffer<Pool>;
    using Shared = SharedBuffer<Pool>;

    /// Channels per buffer, as the type says (audiopool::dynamic: see sizes()).
    static constexpr std::size_t channels = Channels;
    /// Frames per buffer, as the type says (audiopool::dynamic: see sizes()).
    static constexpr std::size_t frames = Frames;
    /// Buffers in the pool, as the type says (audiopool::dynamic: see sizes()).
    static constexpr std::size_t capacity = Capacity;
    /// Samples from one channel's start to the next (Frames padded to cache
    /// lines); 0 when Frames is dynamic.
    static constexpr std::size_t channelStride = Frames == dynamic ? 0 : paddedFrames<S>(Frames);
    /// Bytes of sample storage per buffer (a whole number of cache lines); 0
    /// when Channels or Frames is dynamic.
    static constexpr std::size_t bufferBytes =
        Channels == dynamic || Frames == dynamic ? 0 : Channels * channelStride * sizeof(S);
    /// Whether the pool is sized by prepare() (some extent is audiopool::dynamic).
    static constexpr bool dynamicSizes = prepares;
    /// The progress guarantee of acquire and release.
    static constexpr Progress progress = FreeList::progress;
    /// Whether handles may be released on another thread than the acquiring one.
    static constexpr bool crossThread = FreeList::crossThread;
    /// Which threads may acquire and release (checked without NDEBUG).
    static constexpr ThreadRule threadRule = threadRuleOf<FreeList>;

    /// Every buffer free. constexpr, so a pool can be `constinit`; its state
    /// is all zero bits (.bss). A pool with a dynamic extent has no buffers
    /// until prepare(). Thread: any, before any other use.
    /// Allocates: no (a static pool's storage is inline).
    constexpr Pool() noexcept = default;
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    /// Takes a buffer of `numChannels` x `numFrames` (at most Channels x
    /// Frames; zero is allowed and still takes a buffer). Returns an empty
    /// handle, counting why, when the request is larger than the pool's
    /// buffers (Stats::rejectedRequests) or the pool is exhausted
    /// (Stats::failedAcquisitions). Contents are whatever the last user left
    /// (debug builds: signalling NaNs, see AUDIOPOOL_FILL_RELEASED): call
    /// clear() if you need silence.
    /// Thread: per Pool::threadRule (Treiber any; SpscRing and OwnerThread
    /// the acquiring thread; IndexStack the pool's thread). Progress: Pool::progress.
    /// Allocates: no.
    [[nodiscard]] AUDIOPOOL_HOT_INLINE Unique acquire(std::size_t numChannels,
                                                      std::size_t numFrames) noexcept AUDIOPOOL_NONBLOCKING {
        if (numChannels > buffers_.channels() || numFrames > buffers_.frames()) [[unlikely]] {
            rejected();
            return {};
        }
        checkAcquireThread();
        const auto slots = buffers_.links();  // one load of a dynamic pool's block, for the pop and the store below
        const Popped popped = popIndex(slots);
        if (popped.index == Popped::none) [[unlikely]] {
            refused(popped.inUse);
            return {};
        }
        prepareHandOut(slots, popped.index);
        // relaxed: a statistic; it publishes no other data. (A pop that saw
        // its thread rule broken flags inUse above every mark: handled there.)
        if (popped.inUse > highWater_.load(std::memory_order_relaxed)) [[unlikely]]
            newPeakOrRuleBroken(popped.inUse);
        return Unique(this, popped.index, numChannels, numFrames);
    }
    /// As acquire(numChannels, numFrames), with every frame.
    /// Thread, progress, allocation: as acquire(numChannels, numFrames).
    [[nodiscard]] AUDIOPOOL_HOT_INLINE Unique acquire(std::size_t numChannels) noexcept AUDIOPOOL_NONBLOCKING {
        return acquire(numChannels, buffers_.frames());
    }
    /// As acquire(numChannels, numFrames), a whole buffer (Pool::sizes()).
    /// Thread, progress, allocation: as acquire(numChannels, numFrames).
    [[nodiscard]] AUDIOPOOL_HOT_INLINE Unique acquire() noexcept AUDIOPOOL_NONBLOCKING {
        return acquire(buffers_.channels(), buffers_.frames());
    }

    /// As acquire(), as a Shared handle.
    /// Thread: as acquire(). Progress: Pool::progress. Allocates: no.
    [[nodiscard]] Shared acquireShared(std::size_t numChannels, std::size_t numFrames) noexcept AUDIOPOOL_NONBLOCKING {
        return Shared(acquire(numChannels, numFrames));
    }
    /// As acquireShared(numChannels, numFrames), with every frame.
    [[nodiscard]] Shared acquireShared(std::size_t numChannels) noexcept AUDIOPOOL_NONBLOCKING {
        return Shared(acquire(numChannels));
    }
    /// As acquireShared(numChannels, numFrames), a whole buffer.
    [[nodiscard]] Shared acquireShared() noexcept AUDIOPOOL_NONBLOCKING { return Shared(acquire()); }

    /// A cache of up to Size buffers for the calling thread, in front of this
    /// pool's shared free list (cache.hpp): keep it in the thread's context,
    /// acquire and release through it on that thread only. Buffers move
    /// between it and the pool in batches of Size/2. When the pool already
    /// has maxCachesPerPool live caches, the cache passes every call
    /// straight to the pool (PoolCache::caching() is false). Only for a
    /// policy that lets any thread acquire and release (Treiber).
    /// Thread: any (the cache is then that thread's). Progress: lock-free
    /// (claims a counter slot). Allocates: no.
    template <std::size_t Size>
        requires(threadRule == ThreadRule::AnyThread)
    [[nodiscard]] PoolCache<Pool, Size> cache() noexcept {
        return PoolCache<Pool, Size>(*this, caches_.claim());
    }

    /// Gives back a buffer that Unique::detach() took out of its handle.
    /// Returns false, and reports the misuse, when it is not the current
    /// detachment of a buffer of this pool (already released, stale — from an
    /// earlier detachment of a buffer that has been reused since —, in a live
    /// handle, another pool's, or an index out of range); the free list is not
    /// touched then, and whoever owns the buffer now keeps it.
    /// Thread: a thread that may release (Pool::threadRule). Progress: one
    /// compare-and-swap (retried only on a spurious failure) and two stores, then
    /// Pool::progress (a push). Allocates: no.
    bool release(const Detached& detached) noexcept AUDIOPOOL_NONBLOCKING {
        if (!claimDetached(detached, 0)) return false;
        giveBack(detached.index);
        return true;
    }

    /// Puts a detached buffer back under a Unique handle (same checks as release).
    /// Thread: any (the new holder). Progress: wait-free (one compare-and-swap,
    /// retried only on a spurious failure, and two stores). Allocates: no.
    [[nodiscard]] Unique adopt(const Detached& detached) noexcept AUDIOPOOL_NONBLOCKING {
        if (!claimDetached(detached, 1)) return {};
        return Unique(this, detached.index, std::min<std::size_t>(detached.channels, buffers_.channels()),
                      std::min<std::size_t>(detached.frames, buffers_.frames()));
    }

    /// A snapshot of the statistics (see Stats for which threads may call
    /// it). highWater never decreases from one snapshot to the next and never
    /// exceeds capacity: the in-use count a snapshot sees is recorded as a
    /// peak before it is reported, even while an acquirer that made it has
    /// not yet recorded it itself.
    /// Thread: Treiber, SpscRing, OwnerThread any; IndexStack the pool's
    /// thread; a dynamic pool's not while prepare() or releaseMemory() runs.
    /// Progress: wait-free (a few loads per part of the free list;
    /// raising the high-water mark retries at most Capacity times).
    /// Allocates: no.
    Stats stats() const noexcept AUDIOPOOL_NONBLOCKING {
        const FreeListCounts counts = free_.counts();
        Stats s;
        s.capacity = buffers_.capacity();
        s.inUse = s.capacity - std::min<std::size_t>(counts.free, s.capacity);
        detail::raiseTo(highWater_, s.inUse);
        // relaxed: statistics.
        s.highWater = highWater_.load(std::memory_order_relaxed);
        s.acquisitions = counts.pops;
        s.releases = counts.pushes;
        s.failedAcquisitions = failed_.load(std::memory_order_relaxed);
        s.rejectedRequests = rejected_.load(std::memory_order_relaxed);
        s.misuses = misuses_.load(std::memory_order_relaxed);
        if constexpr (caches) {
            // The caches' hand-outs and give-backs (cache.hpp): their buffers
            // are out of the free list (so in the high-water mark above) but
            // in no handle.
            const detail::CacheTotals t = caches_.totals();
            s.cached = static_cast<std::size_t>(std::min<std::uint64_t>(t.held(), s.inUse));
            s.inUse -= s.cached;
            s.acquisitions += t.acquiredNet;
            s.releases += t.releasedNet;
        }
        return s;
    }

    /// Touches every page of the pool (samples and bookkeeping) and fills
    /// every buffer's channel-pointer table, so that no page fault and no
    /// first-use work happens later on the audio thread. Call it before
    /// playback, while no other thread uses the pool; it keeps the contents.
    /// Thread: any, while no other thread uses the pool. Progress: O(size of
    /// the pool), page faults included: not for the audio thread. Allocates: no.
    /// ASan builds: reads and writes the free buffers' samples, which are
    /// poisoned there (poison.hpp), without being reported: it keeps their
    /// contents and hands nothing out.
    AUDIOPOOL_NO_SANITIZE_ADDRESS void prefault() noexcept {
        constexpr std::size_t pageStep = 4096;  // touching more often than the page size is harmless
        auto* bytes = reinterpret_cast<volatile unsigned char*>(this);
        for (std::size_t offset = 0; offset < sizeof(Pool); offset += pageStep) bytes[offset] = bytes[offset];
        bytes[sizeof(Pool) - 1] = bytes[sizeof(Pool) - 1];
        if constexpr (prepares) buffers_.touchPages();
        for (std::uint32_t i = 0; i < buffers_.capacity(); ++i)
            if (!buffers_.pointersFilled(i)) buffers_.fillPointers(i);
    }

    /// The pool's sizes now: the type's for a static pool; for a pool with a
    /// dynamic extent, what the last successful prepare() gave it (all 0
    /// before the first and after releaseMemory()).
    /// Thread: any (a dynamic pool's: not while prepare() or releaseMemory()
    /// runs). Progress: wait-free. Allocates: no.
    Sizes sizes() const noexcept AUDIOPOOL_NONBLOCKING { return buffers_.sizes(); }

    /// Gives the pool its sizes, off the audio thread (JUCE prepareToPlay,
    /// CLAP activate, VST3 setupProcessing, JACK's buffer-size callback).
    /// An extent the type fixes takes 0 ("as the type says") or its own
    /// value. A dynamic pool allocates one block from `resource` (aligned,
    /// zeroed: every page touched, and locked when lockMemory() was asked
    /// for), holding every buffer, its bookkeeping and the free list's rings;
    /// a static pool allocates nothing and prefaults itself.
    /// Returns false and changes nothing when a buffer is still out (in a
    /// handle or detached); when a size is 0 for a dynamic extent, differs
    /// from a fixed one, or is over the limits (channels and frames at most
    /// 2^32 - 1, capacity at most the policy's maxCapacity: Treiber 65534,
    /// SpscRing and IndexStack 2^32 - 2, OwnerThread 2^31 - 2; the block's
    /// bytes must fit in half the address space); when (a dynamic pool's)
    /// `resource` is null,
    /// throws (the exception is caught) or breaks its contract (null, or
    /// memory not aligned to max_align_t: the block itself is aligned to
    /// falseSharingRange inside what the resource gives); and when another thread is in prepare() or
    /// releaseMemory() on this pool (not allowed: reported as
    /// Misuse::ConcurrentPrepare). The same sizes and resource again keep the
    /// memory and the statistics; other sizes re-size the pool and start
    /// its statistics over. `resource` must outlive the block it gave: until
    /// the next re-size, releaseMemory() or the pool's end.
    /// Thread: any, while no other thread uses the pool. Progress: allocates
    /// and touches every page: not for the audio thread. Allocates: yes
    /// (dynamic pools), from `resource`.
    bool prepare(Sizes wanted, std::pmr::memory_resource* resource = std::pmr::new_delete_resource()) noexcept {
        const Sizes sizes = resolve(wanted);
        if (!withinLimits(sizes)) return false;
        if constexpr (!prepares) {
            if (!allBack()) return false;
            prefault();
            return true;
        } else {
            if (resource == nullptr) return false;
            if (!beginPrepare()) return false;
            const bool done = resize(sizes, resource);
            endPrepare();
            return done;
        }
    }

    /// Gives a dynamic pool's memory back to its resource; the pool is as
    /// before its first prepare() (sizes 0, every acquire refused and
    /// counted as a rejected request) until the next prepare(). Returns
    /// false and changes nothing while a buffer is out or another thread is
    /// in prepare() or releaseMemory() (Misuse::ConcurrentPrepare). A static
    /// pool has nothing to give back: true when every buffer is back.
    /// Thread: any, while no other thread uses the pool. Progress: frees
    /// memory: not for the audio thread. Allocates: no (it frees).
    bool releaseMemory() noexcept {
        if constexpr (!prepares) {
            return allBack();
        } else {
            if (!beginPrepare()) return false;
            const bool done = allBack();
            if (done) {
                std::destroy_at(&free_);  // before its rings' storage goes back with the block
                buffers_.swapIn({});
                startOver();
            }
            endPrepare();
            return done;
        }
    }

    /// Locks the pool's pages in RAM (mlock) so they are never paged out.
    /// Returns false where that is not possible (no permission, RLIMIT_MEMLOCK,
    /// no mlock on this platform).
    /// Thread: any. Progress: a system call: not for the audio thread. Allocates: no.
    /// A dynamic pool: its block now, and every block a later prepare()
    /// allocates, until unlockMemory().
    bool lockMemory() noexcept { return lockPages(true); }
    /// Undoes lockMemory().
    /// Thread: any. Progress: a system call: not for the audio thread. Allocates: no.
    bool unlockMemory() noexcept { return lockPages(false); }

private:
    friend class UniqueBuffer<Pool>;
    friend class SharedBuffer<Pool>;
    friend class detail::BufferHandle<Pool>;
    template <class, std::size_t>
    friend class PoolCache;

    // A buffer's ownership word: 1..n = live handles (a Unique holds 1),
    // detachedBit | generation = out of any handle (Unique::detach); in the
    // free list 1 (given back by a Unique, which leaves the word as it was)
    // or 0 (by the last Shared reference or release(Detached)). No value a
    // free buffer holds matches a Detached, so a release of one is refused.
    static constexpr std::uint32_t detachedBit = detail::detachedBit;
    using OwnershipWord = detail::MaybeAtomic<std::uint32_t, crossThread, Atomics>;
    using Link = typename detail::LinkOf<FreeList>::type;
    static constexpr bool linked = !std::is_same_v<Link, detail::NoLink>;

    /// A buffer's bookkeeping, at the start of its own falseSharingRange
    /// block (the table of channel pointers follows: buffer_storage.hpp).
    struct Fields {
        OwnershipWord ownership{};
        /// The generation the buffer's next Detached carries: retired (+1)
        /// when a Detached is released or adopted, so a stale one is told
        /// apart. Written only by the buffer's sole owner; read atomically
        /// by a misusing release on another thread.
        detail::MaybeAtomic<std::uint32_t, crossThread, Atomics> generation{};
        [[no_unique_address]] Link link{};
    };
    using Buffers = std::conditional_t<prepares, detail::AllocatedBuffers<Sample, Fields>,
                                       detail::InlineBuffers<Sample, Channels, Frames, Capacity, Fields>>;
    /// Whether thread caches may be made (cache.hpp): any thread may acquire and release.
    static constexpr bool caches = threadRule == ThreadRule::AnyThread;
    using CacheAtomics = Atomics;

    Popped popIndex(typename Buffers::Links slots) noexcept {
        if constexpr (linked) return free_.pop(slots);
        else return free_.pop();
    }
    void pushIndex(std::uint32_t index) noexcept {
        if constexpr (linked) free_.push(index, buffers_.links());
        else free_.push(index);
    }

    /// A buffer just taken from the free list (or a cache) becomes a
    /// handle's: addressable, owned once, its channel pointers filled.
    AUDIOPOOL_HOT_INLINE void prepareHandOut(typename Buffers::Links slots, std::uint32_t index) noexcept {
        // ASan builds: the buffer is ours; its samples become addressable
        // before any handle can reach them (poison.hpp).
        if constexpr (detail::poisonsReleased) detail::unpoisonSamples(buffers_.samples(index), buffers_.sampleBytes());
        // relaxed: the pop's acquire already ordered us after the release that
        // freed this buffer; the word is ours alone until we hand out a handle.
        slots.fields(index).ownership.store(1, std::memory_order_relaxed);
        if (!buffers_.pointersFilled(index)) [[unlikely]]
            buffers_.fillPointers(index);
    }

    // ---- thread caches (cache.hpp): what PoolCache asks of the pool ----

    /// Whether a cached acquire's size fits; counts it as rejected if not.
    bool cachedRequestFits(std::size_t numChannels, std::size_t numFrames) noexcept {
        if (numChannels <= buffers_.channels() && numFrames <= buffers_.frames()) [[likely]]
            return true;
        rejected();
        return false;
    }
    /// Up to `wanted` buffers from the free list into `out`, the top (the
    /// most recently released) last; 0, counted as a failed acquisition,
    /// when it has none.
    std::uint32_t takeBatchCached(std::uint32_t* out, std::uint32_t wanted) noexcept {
        const auto slots = buffers_.links();
        PoppedBatch batch{0, 0};
        if constexpr (requires { free_.popBatch(slots, out, wanted); }) {
            batch = free_.popBatch(slots, out, wanted);
        } else {
            for (; batch.count < wanted; ++batch.count) {
                const Popped popped = popIndex(slots);
                batch.inUse = popped.inUse;
                if (popped.index == Popped::none) break;
                out[batch.count] = popped.index;
            }
        }
        if (batch.count == 0) [[unlikely]] {
            refused(batch.inUse);
            return 0;
        }
        std::reverse(out, out + batch.count);  // the cache hands out from the end: the warmest first
        // relaxed: a statistic, as in acquire().
        if (batch.inUse > highWater_.load(std::memory_order_relaxed)) [[unlikely]]
            newPeakOrRuleBroken(batch.inUse);
        return batch.count;
    }
    /// Gives `count` cached buffers back to the free list, `indices[0]` on top.
    void giveBatchCached(const std::uint32_t* indices, std::uint32_t count) noexcept {
        const auto slots = buffers_.links();
        if constexpr (requires { free_.pushBatch(indices, count, slots); }) {
            free_.pushBatch(indices, count, slots);
        } else {
            for (std::uint32_t i = count; i-- > 0;) pushIndex(indices[i]);
        }
    }
    /// A cached buffer handed out.
    Unique handOutCached(std::uint32_t index, std::size_t numChannels, std::size_t numFrames) noexcept {
        prepareHandOut(buffers_.links(), index);
        return Unique(this, index, numChannels, numFrames);
    }
    bool ownsCached(const Unique& buffer) const noexcept { return buffer.pool_ == this; }
    /// A handle's buffer taken into a cache: marked released (as a release
    /// into the free list marks it); the handle becomes empty. The ownership
    /// word stays 1, as a Unique's release leaves it.
    std::uint32_t takeBackCached(Unique& buffer) noexcept {
        const std::uint32_t index = buffer.index_;
        if constexpr (detail::marksReleased)
            detail::markReleased(buffers_.samples(index), buffers_.channels() * buffers_.stride());
        buffer.forget();
        return index;
    }
    void reportForeign(const Unique& buffer) noexcept { misuse(Misuse::ForeignRelease, buffer.index_); }
    void reportCacheThread() noexcept { misuse(Misuse::WrongThread, Popped::none); }
    detail::CacheCounters<Atomics>& cacheCounters(std::uint32_t slot) noexcept { return caches_.counters(slot); }
    void endCache(std::uint32_t slot) noexcept { caches_.unclaim(slot); }

    Sample* channelData(std::uint32_t index, std::size_t channel) noexcept {
        return buffers_.samples(index) + channel * buffers_.stride();
    }
    Sample* const* channelPointers(std::uint32_t index) const noexcept { return buffers_.pointers(index); }
    bool lockPages(bool lock) noexcept {
        const bool pool = detail::lockRange(this, sizeof(Pool), lock);
        if constexpr (prepares) return buffers_.lock(lock) && pool;
        else return pool;
    }

    // ---- prepare() and releaseMemory() ----

    /// The sizes a request stands for: a fixed extent's 0 becomes the
    /// type's value, and one that differs from it becomes 0 (refused).
    static constexpr Sizes resolve(Sizes wanted) noexcept {
        constexpr auto pick = [](std::size_t asked, std::size_t fixed) -> std::size_t {
            if (fixed == dynamic) return asked;
            return asked == 0 || asked == fixed ? fixed : 0;
        };
        return {pick(wanted.channels, Channels), pick(wanted.frames, Frames), pick(wanted.capacity, Capacity)};
    }
    static constexpr bool withinLimits(Sizes sizes) noexcept {
        return sizes.channels >= 1 && sizes.channels <= 0xFFFF'FFFFu && sizes.frames >= 1 &&
               sizes.frames <= 0xFFFF'FFFFu && sizes.capacity >= 1 && sizes.capacity <= FreeList::maxCapacity;
    }
    /// Every buffer in the free list (none in a handle or detached).
    bool allBack() const noexcept { return free_.counts().free == buffers_.capacity(); }

    /// Enters prepare() or releaseMemory(); false (reported) when another
    /// thread is in one of them.
    bool beginPrepare() noexcept {
        // acquire: pairs with endPrepare's release, so this call sees
        // everything the previous one did.
        if (!preparing_.exchange(true, std::memory_order_acquire)) return true;
        misuse(Misuse::ConcurrentPrepare, Popped::none);
        return false;
    }
    void endPrepare() noexcept { preparing_.store(false, std::memory_order_release); }

    /// prepare()'s work for a dynamic pool, with every check but the buffers' made.
    bool resize(Sizes sizes, std::pmr::memory_resource* resource) noexcept {
        if (!allBack()) return false;
        if (sizes == buffers_.sizes() && resource == buffers_.resource()) return true;
        const auto layout = Buffers::layoutFor(sizes, FreeList::storageBytes(sizes.capacity));
        if (layout.total == 0) return false;
        const auto block = Buffers::allocate(sizes, layout, resource);
        if (block.bytes == nullptr) return false;
        std::destroy_at(&free_);  // before its rings' storage goes back with the old block
        buffers_.swapIn(block);
        startOver();
        return true;
    }

    /// A re-sized (or emptied) dynamic pool starts over: a new free list (the
    /// old one was destroyed before its block went) over the new block, every
    /// statistic 0, no thread bound.
    void startOver() noexcept {
        std::construct_at(&free_);
        if (buffers_.capacity() != 0) free_.attach(buffers_.capacity(), buffers_.listStorage());
        // relaxed, all: no other thread uses the pool now (prepare()'s rule);
        // whoever does next is ordered after us by the hand-over that lets it.
        highWater_.store(0, std::memory_order_relaxed);
        failed_.store(0, std::memory_order_relaxed);
        rejected_.store(0, std::memory_order_relaxed);
        misuses_.store(0, std::memory_order_relaxed);
        if constexpr (caches) caches_.startOver();
        acquirer_.unbind();
        releaser_.unbind();
    }

    void releaseUnique(std::uint32_t index) noexcept {
        // The word stays 1: the next acquire stores 1 again. Not writing it
        // here keeps the bookkeeping line with the acquiring thread when
        // another thread releases (SpscRing's worker): one cache line less
        // moves between the cores per buffer.
        giveBack(index);
    }
    void addReference(std::uint32_t index) noexcept {
        // relaxed: a new reference is made from a live one, which keeps the
        // buffer out of the pool; nothing is published.
        buffers_.fields(index).ownership.fetch_add(1, std::memory_order_relaxed);
    }
    void dropReference(std::uint32_t index) noexcept {
        // acq_rel: release orders this owner's writes before the last owner's
        // push; acquire makes the last owner see every other owner's writes.
        if (buffers_.fields(index).ownership.fetch_sub(1, std::memory_order_acq_rel) == 1) giveBack(index);
    }
    std::size_t referenceCount(std::uint32_t index) const noexcept {
        return buffers_.fields(index).ownership.load(std::memory_order_relaxed);  // a snapshot
    }
    /// Marks the buffer detached; returns the generation the Detached carries.
    std::uint32_t markDetached(std::uint32_t index) noexcept {
        Fields& header = buffers_.fields(index);
        return detail::markDetachedWords(header.ownership, header.generation);
    }

    /// Moves a detached buffer's word to `to` and uses up the Detached (its
    /// generation is retired), or reports why it cannot (detach_words.hpp).
    bool claimDetached(const Detached& detached, std::uint32_t to) noexcept {
        if (detached.pool != this) return misuse(Misuse::ForeignRelease, detached.index);
        if (detached.index >= buffers_.capacity()) return misuse(Misuse::IndexOutOfRange, detached.index);
        Fields& header = buffers_.fields(detached.index);
        const detail::Claim claim =
            detail::claimDetachedWords(header.ownership, header.generation, detached.generation, to);
        if (claim == detail::Claim::claimed) return true;
        return misuse(claim == detail::Claim::notDetached ? Misuse::NotDetached : Misuse::DoubleRelease,
                      detached.index);
    }

    // Every release reaches the free list here: a Unique's (releaseUnique),
    // the last Shared reference's (dropReference) and release(Detached).
    void giveBack(std::uint32_t index) noexcept {
        checkReleaseThread(index);
        // ASan and debug builds: marked while we still own it, before the push (poison.hpp).
        if constexpr (detail::marksReleased)
            detail::markReleased(buffers_.samples(index), buffers_.channels() * buffers_.stride());
        pushIndex(index);
    }

    void rejected() noexcept {
        rejected_.fetch_add(1, std::memory_order_relaxed);  // relaxed: a statistic
    }
    /// An acquire that got no buffer: count it, and report a thread rule the
    /// free list saw broken (Popped::inUse of the empty pop).
    void refused(std::uint32_t inUse) noexcept {
        if constexpr (prepares)
            if (buffers_.capacity() == 0) return rejected();  // not prepared: no buffer at all
        failed_.fetch_add(1, std::memory_order_relaxed);  // relaxed: a statistic
        if (inUse == Popped::ruleBroken) misuse(Misuse::WrongThread, Popped::none);
    }

    // Checked builds (thread_check.hpp): a policy with a thread rule has its
    // acquiring and releasing threads checked; a wrong thread is reported,
    // and the operation still goes ahead (refusing it would lose the buffer).
    void checkAcquireThread() noexcept {
#if AUDIOPOOL_CHECK_THREADS
        if constexpr (threadRule != ThreadRule::AnyThread) {
            if (allBack()) {  // idle: the threads may change now
                acquirer_.unbind();
                releaser_.unbind();
            }
            if (!acquirer_.bindOrCheck()) misuse(Misuse::WrongThread, Popped::none);
        }
#endif
    }
    void checkReleaseThread([[maybe_unused]] std::uint32_t index) noexcept {
#if AUDIOPOOL_CHECK_THREADS
        if constexpr (threadRule == ThreadRule::OneThread) {
            if (!acquirer_.bindOrCheck()) misuse(Misuse::WrongThread, index);
        } else if constexpr (threadRule == ThreadRule::OneAcquirerOneReleaser) {
            if (!releaser_.bindOrCheck()) misuse(Misuse::WrongThread, index);
        }
#endif
    }

    AUDIOPOOL_COLD bool misuse(Misuse kind, std::uint64_t index) noexcept {
        misuses_.fetch_add(1, std::memory_order_relaxed);  // relaxed: a statistic
        detail::reportMisuse({kind, this, index});
        return false;
    }

    /// A successful pop's inUse above the high-water mark: a new peak, or
    /// (Popped::ruleBrokenBit) a thread rule the free list saw broken.
    AUDIOPOOL_COLD void newPeakOrRuleBroken(std::uint32_t inUse) noexcept {
        // Only a list with a rule that names releasers, and room for the
        // bit, flags it (OwnerThread); for the others this is no code at all.
        if constexpr (FreeList::maxCapacity < Popped::ruleBrokenBit && threadRule != ThreadRule::AnyThread) {
            if ((inUse & Popped::ruleBrokenBit) != 0) {
                misuse(Misuse::WrongThread, Popped::none);
                inUse &= ~Popped::ruleBrokenBit;
            }
        }
        detail::raiseTo(highWater_, std::min<std::size_t>(inUse, buffers_.capacity()));
    }

    // The buffers: inline for a static pool, a block's address and shape for a dynamic one.
    Buffers buffers_{};
    // The free list's hot state, then the high-water mark: on one line when
    // the free list has no line of its own to keep apart (Treiber, IndexStack).
    alignas(falseSharingRange) FreeList free_{};
    // mutable: stats() records the in-use count it saw as a peak (monotone).
    mutable detail::MaybeAtomic<std::size_t, crossThread, Atomics> highWater_{};
    // Written only on failure paths, and the checked builds' thread bindings.
    alignas(falseSharingRange) detail::MaybeAtomic<std::uint64_t, crossThread, Atomics> failed_{};
    detail::MaybeAtomic<std::uint64_t, crossThread, Atomics> rejected_{};
    detail::MaybeAtomic<std::uint64_t, crossThread, Atomics> misuses_{};
    detail::ThreadBinding<Atomics> acquirer_{}, releaser_{};
    // A dynamic pool only: set while prepare() or releaseMemory() runs.
    [[no_unique_address]] std::conditional_t<prepares, std::atomic<bool>, detail::NoLink> preparing_{};
    // Policies that allow thread caches: a counter slot per live cache (cache.hpp), last: off every hot path.
    [[no_unique_address]] std::conditional_t<caches, detail::CacheSlots<Atomics>, detail::NoLink> caches_{};
};

}  // namespace audiopool
