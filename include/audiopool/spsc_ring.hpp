// audiopool/spsc_ring.hpp — SpscRing: a wait-free free list for one acquiring
// thread and one (other) releasing thread.
//
// Algorithm: a ring of Capacity indices with free-running 64-bit positions
// (PipeWire style: no wasted slot, no wrap within any program's lifetime).
// The acquiring thread is the ring's consumer and owns `head_`; the releasing
// thread is its producer and owns `pushes_` (the tail is Capacity + pushes).
// Each side's position sits in its own falseSharingRange block, and the
// consumer keeps a private copy of the tail so that most pops touch no line
// the producer writes (rigtorp's cached index).
//
// The producer never checks for a full ring: only Capacity indices exist, and
// the one being pushed is out, so the ring can never overflow. The slot it
// writes was last read by the consumer's pop at the same position, and that
// pop happens-before this push through whatever the program used to hand the
// buffer from the acquiring thread to the releasing one (a queue, a flag):
// of the pushes up to and including this one, each released an index whose
// pop happened-before it, and pops are sequenced on one thread.
//
// Zero is the initial state: the ring stores `index ^ (position % Capacity)`,
// so an all-zero ring holds 0, 1, 2, ... and both positions start at 0.
//
// Statistics are the positions themselves: pops = head; the consumer also
// keeps the peak it has reported, and re-reads the producer's position before
// reporting a new one, so Popped::inUse is exact at every new peak.
//
// Guarantee: wait-free. pop and push each finish in a fixed number of steps.
// Rules: exactly one thread acquires and exactly one thread releases (they may
// be the same thread, and may change over time only with a happens-before
// hand-over between the old and the new thread).
//
// A second releasing thread (easy to get with Shared handles: "whichever
// holder drops last releases") breaks the rule; then two pushes can race and
// the releasers' position can move backwards. Every position comparison is a
// signed difference, so the consumer never reads past the releasers'
// position; ring entries and positions are atomics, so the race is defined
// behaviour. The outcome, in every build: buffers can be lost (counted as in
// use for good, visible in stats()), no buffer is handed out twice, and
// highWater never exceeds Capacity. The consumer reports a position it sees
// move backwards as Misuse::WrongThread (on the empty path: free for the
// successful one). Checked builds also report the second thread directly.
// A second ACQUIRING thread is not defended against in release builds (two
// pops can return the same index); checked builds report it.
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <string_view>
#endif
#include "audiopool/atomics.hpp"
#include "audiopool/free_list.hpp"
#include "audiopool/sample.hpp"

namespace audiopool::detail {

/// The default hooks: none. Tests substitute a type whose static member runs
/// at the named point (to force an interleaving); the empty call compiles to
/// nothing.
struct NoSpscHooks {
    // inline: see config.hpp (module mode).
    static inline void beforePushPublish() noexcept {}
};

} // namespace audiopool::detail

AUDIOPOOL_EXPORT namespace audiopool {

/// SpscRing with test hooks and the atomics it is built on (atomics.hpp;
/// the model checker substitutes its own). Use `audiopool::SpscRing`.
template <class Hooks = detail::NoSpscHooks, class AtomicsT = StdAtomics>
struct BasicSpscRing {
    /// The policy's name, for descriptions (PolicyName, fmt.hpp).
    static constexpr std::string_view name = "SpscRing";
    // Capacity is checked by the pool (at least 1, at most maxCapacity).
    template <std::size_t Capacity>
    class FreeList : public FreeListTraits<Progress::WaitFree, 0xFFFF'FFFEu, true, ThreadRule::OneAcquirerOneReleaser>,
                     public detail::ListCapacity<Capacity>,
                     public detail::RingGeometry<Capacity> {
        using detail::RingGeometry<Capacity>::slotOf;

        static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
                      "audiopool::SpscRing needs a lock-free 64-bit atomic");
        static_assert(std::atomic_ref<std::uint32_t>::is_always_lock_free,
                      "audiopool::SpscRing needs lock-free 32-bit atomic ring entries");

        /// Free indices the consumer may take: tail - head as a signed
        /// difference (negative only when the one-releaser rule was broken).
        constexpr std::int64_t available(std::uint64_t pushes, std::uint64_t head) const noexcept {
            return static_cast<std::int64_t>(this->capacity() + pushes - head);
        }
        /// In use after a pop that saw `free` (1..Capacity) free: exact when
        /// `free` is. (free <= Capacity even with a broken rule: pushes never
        /// outnumber the pops before them, so the releasers' position never
        /// passes head + Capacity.)
        constexpr std::uint32_t inUseAfterPop(std::int64_t free) const noexcept {
            return static_cast<std::uint32_t>(this->capacity() + 1 - static_cast<std::uint64_t>(free));
        }

    public:
        using Atomics = AtomicsT;

        /// Takes the oldest free index.
        /// Thread: the acquiring thread only. Progress: wait-free. Allocates: no.
        Popped pop() noexcept AUDIOPOOL_NONBLOCKING {
            // relaxed: head_ is written only by this thread.
            const std::uint64_t head = head_.load(std::memory_order_relaxed);
            std::int64_t free = available(cachedPushes_, head);
            // Look at the releases when the copy shows none free, and before
            // reporting a new peak: the copy counts releases this thread has
            // not yet seen as still out, so the peak would be too high.
            if (free <= 0 || inUseAfterPop(free) > peak_) [[unlikely]] {
                // (1) acquire: synchronizes-with the release store (2) in
                // push, so the ring entries and the buffers' samples are visible.
                const std::uint64_t pushes = pushes_.load(std::memory_order_acquire);
                // Only a broken rule moves the position back; then keep the
                // larger one, whose entries were published when it was read.
                const bool movedBack = static_cast<std::int64_t>(pushes - cachedPushes_) < 0;
                if (!movedBack) cachedPushes_ = pushes;
                free = available(cachedPushes_, head);
                if (free <= 0) [[unlikely]]
                    return {Popped::none,
                            movedBack ? Popped::ruleBroken
                                      : static_cast<std::uint32_t>(Capacity == dynamic ? this->capacity() : Capacity)};
                peak_ = std::max(peak_, inUseAfterPop(free));
            }
            // relaxed: written by the producer with release (2), read after (1).
            const std::uint32_t index =
                Atomics::ref(ring_[slotOf(head)]).load(std::memory_order_relaxed) ^ slotOf(head);
            // ring_[k] only ever holds i ^ k for an index i the pool checked
            // (or 0 ^ k at first), even when two releasers race: the pool's
            // "got none" test after this pop folds away.
            AUDIOPOOL_ASSUME(index < (Capacity == dynamic ? this->capacity() : Capacity));
            // (3) release: pairs with the acquire in counts() (4), so a reader
            // never sees a pop count that is ahead of the ring contents.
            head_.store(head + 1, std::memory_order_release);
            return {index, inUseAfterPop(free)};
        }

        /// Gives an index back.
        /// Thread: the releasing thread only. Progress: wait-free. Allocates: no.
        void push(std::uint32_t index) noexcept AUDIOPOOL_NONBLOCKING {
            // acquire, not relaxed: with one releaser this thread wrote the
            // value itself and the order costs nothing on x86 or ARMv8.1+;
            // with a second (rule-breaking) releaser it orders this push after
            // the one whose position we read, so the consumer that reads our
            // position (1) also sees that push's ring entry.
            const std::uint64_t pushes = pushes_.load(std::memory_order_acquire);
            const std::uint64_t tail = this->capacity() + pushes;
            // relaxed: published by the release store (2).
            Atomics::ref(ring_[slotOf(tail)]).store(index ^ slotOf(tail), std::memory_order_relaxed);
            Hooks::beforePushPublish();
            // (2) release: publishes the ring entry and the samples the
            // releasing thread wrote, to the acquire (1) in pop.
            pushes_.store(pushes + 1, std::memory_order_release);
        }

        /// Any thread. Exact when no pop or push is in progress; otherwise a
        /// snapshot of two positions read one after the other: the releases
        /// are read last, so inUse is never above the true number.
        /// Thread: any. Progress: wait-free. Allocates: no.
        FreeListCounts counts() const noexcept AUDIOPOOL_NONBLOCKING {
            // (4) acquire: pairs with (3), so the releases' position read
            // next is at least the one the pop we see had seen: inUse is then
            // never above the true number.
            const std::uint64_t head = head_.load(std::memory_order_acquire);
            // relaxed: read last, and nothing is read after it.
            const std::uint64_t pushes = pushes_.load(std::memory_order_relaxed);
            const std::int64_t free =
                std::clamp<std::int64_t>(available(pushes, head), 0, static_cast<std::int64_t>(this->capacity()));
            const std::uint64_t inUse = this->capacity() - static_cast<std::uint64_t>(free);
            // Releases as pops - inUse: equal to `pushes` in correct use, and
            // consistent with inUse when a broken rule lost some.
            return {static_cast<std::size_t>(free), head, head - std::min(head, inUse)};
        }

        /// Dynamic capacity: the ring's slots, a power of two (free_list.hpp).
        static constexpr std::size_t storageBytes(std::size_t capacity) noexcept
            requires(Capacity == dynamic)
        {
            return detail::RingGeometry<dynamic>::slotsFor(capacity) *
                   sizeof(typename Atomics::template Cell<std::uint32_t>);
        }
        /// Dynamic capacity: takes the ring from the pool's storage (free_list.hpp).
        void attach(std::size_t capacity, std::byte* storage) noexcept
            requires(Capacity == dynamic)
        {
            this->setSlots(capacity);
            ring_ = cells_.make(storage, detail::RingGeometry<dynamic>::slotsFor(capacity));
            detail::ListCapacity<dynamic>::attach(capacity, storage);
        }

    private:
        // The consumer's line: its position, its copy of the producer's, its peak.
        alignas(falseSharingRange) typename Atomics::template Atomic<std::uint64_t> head_{0};
        std::uint64_t cachedPushes_{0};
        std::uint32_t peak_{0};
        // The producer's line.
        alignas(falseSharingRange) typename Atomics::template Atomic<std::uint64_t> pushes_{0};
        alignas(falseSharingRange) detail::RingSlots<typename Atomics::template Cell<std::uint32_t>, Capacity> ring_{};
        // A dynamic list's ring cells (destroyed with the list); nothing for a static one.
        [[no_unique_address]] detail::RingCellsOf<typename Atomics::template Cell<std::uint32_t>, Capacity> cells_{};
    };
};

/// Wait-free free list for one acquiring and one releasing thread.
using SpscRing = BasicSpscRing<>;

} // namespace audiopool
