// audiopool/spsc_ring.hpp — SpscRing: a wait-free free list for one acquiring
// thread and one (other) releasing thread.
//
// Algorithm: a ring of Capacity indices with free-running 64-bit positions
// (PipeWire style: no wasted slot, no wrap within any program's lifetime).
// The acquiring thread is the ring's consumer and owns `head_`; the releasing
// thread is its producer and owns `tail_`. Each position sits on its own cache
// line, and the consumer keeps a private copy of the tail so that most pops
// touch no line the producer writes (rigtorp's cached index).
//
// The producer never checks for a full ring: only Capacity indices exist, and
// the one being pushed is out, so the ring can never overflow. The slot it
// writes was last read by the consumer's pop at the same position, and that
// pop happens-before this push through whatever the program used to hand the
// buffer from the acquiring thread to the releasing one (a queue, a flag):
// of the pushes up to and including this one, each released an index whose
// pop happened-before it, and pops are sequenced on one thread.
//
// Statistics are the positions themselves: pops = head, pushes = tail - Capacity.
//
// Guarantee: wait-free. pop and push each finish in a fixed number of steps.
// Rules: exactly one thread acquires and exactly one thread releases (they may
// be the same thread, and may change over time only with a happens-before
// hand-over between the old and the new thread). Checked builds (without
// NDEBUG; thread_check.hpp) report a pop or push from another thread as
// Misuse::WrongThread, accepting a new thread only while every buffer is back.
#pragma once
#include "audiopool/config.hpp"
#include "audiopool/cache_line.hpp"
#include "audiopool/free_list.hpp"
#include "audiopool/thread_check.hpp"

AUDIOPOOL_EXPORT namespace audiopool {

struct SpscRing {
    template <std::size_t Capacity>
    class FreeList {
        static_assert(Capacity >= 1, "audiopool::SpscRing: Capacity must be at least 1");
        static_assert(Capacity <= 0xFFFF'FFFEu,
                      "audiopool::SpscRing: Capacity must fit a 32-bit index");
        static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
                      "audiopool::SpscRing needs a lock-free 64-bit atomic");

    public:
        static constexpr Progress progress = Progress::WaitFree;
        static constexpr std::size_t maxCapacity = 0xFFFF'FFFEu;
        static constexpr bool crossThread = true;

        constexpr FreeList() noexcept {
            for (std::uint32_t i = 0; i < Capacity; ++i) ring_[i] = i;
        }
        FreeList(const FreeList&) = delete;
        FreeList& operator=(const FreeList&) = delete;

        /// Acquiring thread only.
        Popped pop() noexcept {
            // relaxed: head_ is written only by this thread.
            const std::uint64_t head = head_.load(std::memory_order_relaxed);
            if (head == cachedTail_) {
                // (1) acquire: synchronizes-with the release store (2) in push,
                // so ring_[head % Capacity] and the buffer's samples are visible.
                cachedTail_ = tail_.load(std::memory_order_acquire);
                if (head == cachedTail_) return {Popped::none, static_cast<std::uint32_t>(Capacity)};
            }
            const std::uint32_t index = ring_[head % Capacity];
            // (3) release: pairs with the acquire in counts() (4), so a reader
            // never sees a pop count that is ahead of the ring contents.
            head_.store(head + 1, std::memory_order_release);
            return {index, static_cast<std::uint32_t>(Capacity - (cachedTail_ - (head + 1)))};
        }

        /// Releasing thread only.
        void push(std::uint32_t index) noexcept {
            // relaxed: tail_ is written only by this thread.
            const std::uint64_t tail = tail_.load(std::memory_order_relaxed);
            ring_[tail % Capacity] = index;
            // (2) release: publishes the ring entry and the samples the
            // releasing thread wrote, to the acquire (1) in pop.
            tail_.store(tail + 1, std::memory_order_release);
#if AUDIOPOOL_CHECK_THREADS
            // Every buffer back: the releasing side may pass to another thread.
            // relaxed: a stale head only makes this unbind early (a missed
            // report, never a false one).
            if (tail + 1 - head_.load(std::memory_order_relaxed) >= Capacity) releaser_.unbind();
#endif
        }

#if AUDIOPOOL_CHECK_THREADS
        /// Checked builds only: may the calling thread pop now? (It may if it
        /// is the acquiring thread, or if every buffer is back.)
        bool mayPop() noexcept {
            // relaxed: a diagnostic; a stale tail only delays a rebinding.
            if (tail_.load(std::memory_order_relaxed) - head_.load(std::memory_order_relaxed) >= Capacity)
                acquirer_.unbind();
            return acquirer_.bindOrCheck();
        }
        /// Checked builds only: may the calling thread push now?
        bool mayPush() noexcept { return releaser_.bindOrCheck(); }
#endif

        /// Acquiring thread only: the exact number in use now, refreshing the
        /// cached tail (pop's estimate counts releases it has not yet seen).
        std::uint32_t confirmInUse(std::uint32_t /*candidate*/) noexcept {
            cachedTail_ = tail_.load(std::memory_order_acquire);  // pairs with (2)
            const std::uint64_t head = head_.load(std::memory_order_relaxed);
            return static_cast<std::uint32_t>(Capacity - (cachedTail_ - head));
        }

        /// Any thread. Exact when no pop or push is in progress; otherwise a
        /// snapshot of two positions read one after the other (clamped).
        FreeListCounts counts() const noexcept {
            // (4) acquire: pairs with (3) and (2).
            const std::uint64_t head = head_.load(std::memory_order_acquire);
            const std::uint64_t tail = tail_.load(std::memory_order_acquire);
            const std::uint64_t free = std::min<std::uint64_t>(tail - head, Capacity);
            return {static_cast<std::size_t>(free), head, tail - Capacity};
        }

    private:
        alignas(cacheLineSize) std::atomic<std::uint64_t> head_{0};
        std::uint64_t cachedTail_{Capacity};  // acquiring thread's copy of tail_
        alignas(cacheLineSize) std::atomic<std::uint64_t> tail_{Capacity};
        alignas(cacheLineSize) std::uint32_t ring_[Capacity]{};
#if AUDIOPOOL_CHECK_THREADS
        detail::ThreadBinding acquirer_{}, releaser_{};
#endif
    };
};

} // namespace audiopool
