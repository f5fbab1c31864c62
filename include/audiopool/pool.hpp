// audiopool/pool.hpp — Pool: a fixed set of multichannel audio buffers,
// handed out and taken back without allocating, locking or blocking.
//
// Everything is fixed at compile time: sample type, channel count, maximum
// frames per buffer, capacity and free-list policy. The storage is inline (no
// heap) and the constructor is constexpr, so a pool can be `constinit` in
// static storage. Each channel starts on a cache-line boundary and each
// buffer is a whole number of cache lines.
//
// Ownership is tracked per buffer in one small word (0 = free, n = n live
// handles, or "detached"): handles cannot release twice, and the lower-level
// Detached API is checked against it, so a misuse is reported (misuse.hpp)
// and never reaches the free list.
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
#include "audiopool/counter.hpp"
#include "audiopool/free_list.hpp"
#include "audiopool/handles.hpp"
#include "audiopool/misuse.hpp"
#include "audiopool/progress.hpp"
#include "audiopool/sample.hpp"
#include "audiopool/stats.hpp"
#include "audiopool/treiber.hpp"

AUDIOPOOL_EXPORT namespace audiopool {

template <SampleType S, std::size_t Channels, std::size_t Frames, std::size_t Capacity,
          FreeListPolicy Policy = Treiber>
class Pool {
    static_assert(Channels >= 1, "audiopool::Pool: Channels must be at least 1");
    static_assert(Frames >= 1, "audiopool::Pool: Frames must be at least 1");
    static_assert(Capacity >= 1, "audiopool::Pool: Capacity must be at least 1");
    static_assert(Channels <= 0xFFFF'FFFFu && Frames <= 0xFFFF'FFFFu,
                  "audiopool::Pool: Channels and Frames must each fit in 32 bits");

    using FreeList = typename Policy::template FreeList<Capacity>;
    static_assert(Capacity <= FreeList::maxCapacity,
                  "audiopool::Pool: Capacity is beyond what this policy's index can address");

public:
    using Sample = S;
    using PolicyType = Policy;
    using Unique = UniqueBuffer<Pool>;
    using Shared = SharedBuffer<Pool>;

    static constexpr std::size_t channels = Channels;
    static constexpr std::size_t frames = Frames;
    static constexpr std::size_t capacity = Capacity;
    /// Samples from one channel's start to the next (Frames padded to cache lines).
    static constexpr std::size_t channelStride = audiopool::channelStride<S>(Frames);
    /// Bytes of sample storage per buffer (a whole number of cache lines).
    static constexpr std::size_t bufferBytes = Channels * channelStride * sizeof(S);
    /// The progress guarantee of acquire and release.
    static constexpr Progress progress = FreeList::progress;
    /// Whether handles may be released on another thread than the acquiring one.
    static constexpr bool crossThread = FreeList::crossThread;

    constexpr Pool() noexcept {
        for (std::size_t i = 0; i < Capacity; ++i)
            for (std::size_t c = 0; c < Channels; ++c)
                pointers_[i][c] = &storage_[i].samples[c * channelStride];
    }
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    /// Takes a buffer of `channels` x `frames` (at most Channels x Frames; zero
    /// is allowed and still takes a buffer). Returns an empty handle, counting
    /// why, when the request is larger than the pool's buffers
    /// (Stats::rejectedRequests) or the pool is exhausted
    /// (Stats::failedAcquisitions). Contents are whatever the last user left:
    /// call clear() if you need silence.
    [[nodiscard]] Unique acquire(std::size_t channels = Channels, std::size_t frames = Frames) noexcept {
        // relaxed (all three counters): statistics; they publish no other data.
        if (channels > Channels || frames > Frames) [[unlikely]] {
            rejected_.fetchAdd(1, std::memory_order_relaxed);
            return {};
        }
        checkPopThread();
        const Popped popped = free_.pop();
        if (popped.index == Popped::none) [[unlikely]] {
            failed_.fetchAdd(1, std::memory_order_relaxed);
            return {};
        }
        // relaxed: the pop's acquire already ordered us after the release that
        // freed this buffer; the count is ours alone until we hand out a handle.
        references_[popped.index].store(1, std::memory_order_relaxed);
        if (popped.inUse > highWater_.load(std::memory_order_relaxed)) [[unlikely]]
            raiseHighWater(popped.inUse);
        return Unique(this, popped.index, channels, frames);
    }

    /// As acquire(), as a Shared handle.
    [[nodiscard]] Shared acquireShared(std::size_t channels = Channels, std::size_t frames = Frames) noexcept {
        return Shared(acquire(channels, frames));
    }

    /// Gives back a buffer that Unique::detach() took out of its handle.
    /// Returns false, and reports the misuse, when it is not a detached buffer
    /// of this pool (already released, in a live handle, another pool's, or an
    /// index out of range); the free list is not touched then.
    bool release(const Detached& detached) noexcept {
        if (!claimDetached(detached, 0)) return false;
        giveBack(detached.index);
        return true;
    }

    /// Puts a detached buffer back under a Unique handle (same checks as release).
    [[nodiscard]] Unique adopt(const Detached& detached) noexcept {
        if (!claimDetached(detached, 1)) return {};
        return Unique(this, detached.index, std::min<std::size_t>(detached.channels, Channels),
                      std::min<std::size_t>(detached.frames, Frames));
    }

    /// A snapshot of the statistics (see stats.hpp for which threads may call it).
    Stats stats() const noexcept {
        const FreeListCounts counts = free_.counts();
        Stats s;
        s.capacity = Capacity;
        s.inUse = Capacity - counts.free;
        // relaxed: statistics.
        s.highWater = std::max<std::size_t>(highWater_.load(std::memory_order_relaxed), s.inUse);
        s.acquisitions = counts.pops;
        s.releases = counts.pushes;
        s.failedAcquisitions = failed_.load(std::memory_order_relaxed);
        s.rejectedRequests = rejected_.load(std::memory_order_relaxed);
        s.misuses = misuses_.load(std::memory_order_relaxed);
        return s;
    }

    /// Touches every page of the pool (samples and bookkeeping) so that no
    /// page fault happens later on the audio thread. Call it before playback,
    /// while no other thread uses the pool; it keeps the contents.
    void prefault() noexcept {
        constexpr std::size_t pageStep = 4096;  // touching more often than the page size is harmless
        auto* bytes = reinterpret_cast<volatile unsigned char*>(this);
        for (std::size_t offset = 0; offset < sizeof(Pool); offset += pageStep) bytes[offset] = bytes[offset];
        bytes[sizeof(Pool) - 1] = bytes[sizeof(Pool) - 1];
    }

    /// Locks the pool's pages in RAM (mlock) so they are never paged out.
    /// Returns false where that is not possible (no permission, RLIMIT_MEMLOCK,
    /// no mlock on this platform). Not for the audio thread: it is a system call.
    bool lockMemory() noexcept {
#if AUDIOPOOL_HAS_MLOCK
        return ::mlock(static_cast<const void*>(this), sizeof(Pool)) == 0;
#else
        return false;
#endif
    }
    /// Undoes lockMemory(). Not for the audio thread.
    bool unlockMemory() noexcept {
#if AUDIOPOOL_HAS_MLOCK
        return ::munlock(static_cast<const void*>(this), sizeof(Pool)) == 0;
#else
        return false;
#endif
    }

private:
    friend class UniqueBuffer<Pool>;
    friend class SharedBuffer<Pool>;
    friend class detail::BufferHandle<Pool>;

    // A buffer's ownership word: 0 = in the free list, 1..n = live handles,
    // detachedMark = out of any handle (Unique::detach).
    static constexpr std::uint32_t detachedMark = 0x8000'0000u;
    using OwnershipWord = detail::Counter<std::uint32_t, crossThread>;

    Sample* const* channelPointers(std::uint32_t index) const noexcept { return pointers_[index]; }

    void releaseUnique(std::uint32_t index) noexcept {
        // relaxed: the push's release publishes this store with the samples.
        references_[index].store(0, std::memory_order_relaxed);
        giveBack(index);
    }
    void addReference(std::uint32_t index) noexcept {
        // relaxed: a new reference is made from a live one, which keeps the
        // buffer out of the pool; nothing is published.
        references_[index].fetchAdd(1, std::memory_order_relaxed);
    }
    void dropReference(std::uint32_t index) noexcept {
        // acq_rel: release orders this owner's writes before the last owner's
        // push; acquire makes the last owner see every other owner's writes.
        if (references_[index].fetchSub(1, std::memory_order_acq_rel) == 1) giveBack(index);
    }
    std::size_t referenceCount(std::uint32_t index) const noexcept {
        return references_[index].load(std::memory_order_relaxed);  // a snapshot
    }
    void markDetached(std::uint32_t index) noexcept {
        references_[index].store(detachedMark, std::memory_order_relaxed);  // sole owner
    }

    /// Moves a detached buffer's word to `to`, or reports why it cannot.
    bool claimDetached(const Detached& detached, std::uint32_t to) noexcept {
        if (detached.pool != this) return misuse(Misuse::ForeignRelease, detached.index);
        if (detached.index >= Capacity) return misuse(Misuse::IndexOutOfRange, detached.index);
        std::uint32_t expected = detachedMark;
        // acquire: the detaching thread's writes to the samples (ordered before
        // its hand-over of the Detached value) are seen by whoever pushes next.
        while (!references_[detached.index].compareExchange(expected, to, std::memory_order_acquire,
                                                            std::memory_order_relaxed)) {
            if (expected != detachedMark)  // not a spurious failure
                return misuse(expected == 0 ? Misuse::DoubleRelease : Misuse::NotDetached, detached.index);
        }
        return true;
    }

    void giveBack(std::uint32_t index) noexcept {
        checkPushThread(index);
        free_.push(index);
    }

    // Checked builds (thread_check.hpp): a policy with a thread rule says
    // whether the calling thread may pop or push; a wrong thread is reported,
    // and the operation still goes ahead (refusing it would lose the buffer).
    void checkPopThread() noexcept {
#if AUDIOPOOL_CHECK_THREADS
        if constexpr (requires { free_.mayPop(); })
            if (!free_.mayPop()) misuse(Misuse::WrongThread, Popped::none);
#endif
    }
    void checkPushThread([[maybe_unused]] std::uint32_t index) noexcept {
#if AUDIOPOOL_CHECK_THREADS
        if constexpr (requires { free_.mayPush(); })
            if (!free_.mayPush()) misuse(Misuse::WrongThread, index);
#endif
    }

    bool misuse(Misuse kind, std::uint64_t index) noexcept {
        misuses_.fetchAdd(1, std::memory_order_relaxed);  // relaxed: a statistic
        detail::reportMisuse({kind, this, index});
        return false;
    }

    void raiseHighWater(std::uint32_t candidate) noexcept {
        if constexpr (requires { free_.confirmInUse(candidate); }) candidate = free_.confirmInUse(candidate);
        detail::raiseTo(highWater_, static_cast<std::size_t>(candidate));
    }

    struct alignas(cacheLineSize) Slot {
        Sample samples[Channels * channelStride];
    };
    static_assert(sizeof(Slot) % cacheLineSize == 0);

    Slot storage_[Capacity]{};
    Sample* pointers_[Capacity][Channels]{};
    FreeList free_{};
    alignas(cacheLineSize) OwnershipWord references_[Capacity]{};
    alignas(cacheLineSize) detail::Counter<std::size_t, crossThread> highWater_{};
    alignas(cacheLineSize) detail::Counter<std::uint64_t, crossThread> failed_{};
    detail::Counter<std::uint64_t, crossThread> rejected_{};
    detail::Counter<std::uint64_t, crossThread> misuses_{};
};

} // namespace audiopool
