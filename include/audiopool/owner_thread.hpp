// audiopool/owner_thread.hpp — OwnerThread: one thread acquires; any thread
// releases. The shape of most audio programs: the audio thread takes scratch
// and hand-off buffers, and they come back on the audio thread itself or on a
// disk writer, an analyser, a GUI meter, a host's worker pool.
//
// Algorithm: two rings of Capacity indices.
//  - The owner's ring (an SpscRing free list, spsc_ring.hpp): the owner pops
//    from it, and a release on the owner's thread pushes to it. Both sides are
//    then the same thread, so neither touches a line another thread writes.
//  - The return ring, for releases on every other thread: a bounded
//    multi-producer ring with free-running 64-bit positions. A releaser claims
//    a position with one fetch_add and publishes its index into that
//    position's slot with one release store of (lap, index); the owner takes
//    the slot at its own position when the lap matches. No CAS loop and no
//    wait on either side.
//  The owner pops from its own ring first and from the return ring when its
//  own is empty, one index per acquire.
//
// Which thread is releasing: the owner writes its thread token (the thread
// pointer, a register: no thread-local storage, no call) into `owner_` when it
// changes, and a release compares its own token with it. Any thread that
// reads another token takes the return ring, which is always correct. The
// rare wrong answer is a thread that READS ITS OWN token after it stopped
// being the owner: a former owner that still sees its old value, or a new
// thread given the address of a dead owner's thread block. It then pushes to
// the owner's ring; against the current owner's pops that is the single
// producer the ring allows, and only if the current owner also releases at
// that moment do two producers meet. The owner's ring defends that case as
// SpscRing does (spsc_ring.hpp): an index can be lost (counted as in use for
// good), never handed out twice, and the owner reports a ring position it
// sees moving backwards as Misuse::WrongThread.
//
// Why the return ring cannot overflow, with no check: a release claiming
// position p writes the slot that position p - Capacity used. The claims are
// acq_rel read-modify-writes of one variable, so every earlier claim (and
// what preceded it, such as the pop of its index) happens-before claim p. The
// Capacity positions p - Capacity .. p - 1 hold distinct indices unless the
// owner consumed one of them first (an index leaves the ring only when the
// owner takes it); the index released at p is one of those Capacity indices
// (there are no others), released there before, so the owner consumed that
// position, and with it position p - Capacity, before it acquired the index
// again: that consumption happens-before claim p.
//
// A claim that is not yet published (the releasing thread pre-empted between
// its fetch_add and its store) holds back the positions after it: until it
// lands, an acquire that finds the owner's ring empty reports the pool
// exhausted although later releases are complete. That is the price of a
// wait-free release; the window is two instructions long.
//
// Zero is the initial state: the owner's ring starts full (spsc_ring.hpp), the
// return ring empty (lap 0 in a slot never matches: laps start at 1), and no
// owner token. A constinit pool lives in .bss.
//
// Statistics: the owner's ring's positions, the owner's position in the
// return ring and the claims. An acquire's in-use count is an upper bound
// built from the owner's last look at the claims; before it reports a new
// peak the owner looks again, so Popped::inUse is exact at every new peak (a
// claimed release counts as done).
//
// Guarantee: acquire is wait-free (a fixed number of steps on the owner's
// ring, then one on the return ring). Release on the owner's thread is
// wait-free (loads and stores); release on another thread is one fetch_add and
// one store: wait-free where fetch_add is one instruction (x86-64, ARMv8.1
// atomics, RISC-V A), lock-free where it is a load-linked/store-conditional
// loop that a neighbour's write can make retry (ARMv8.0, POWER). The policy
// states its progress accordingly.
// Rules: exactly one thread acquires at a time (a hand-over to another thread
// needs a happens-before between the old owner's last acquire and the new
// owner's first, as for SpscRing); any number of threads release.
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <algorithm>
#include <atomic>
#include <cstdint>
#endif
#include "audiopool/free_list.hpp"
#include "audiopool/sample.hpp"
#include "audiopool/spsc_ring.hpp"
#include "audiopool/thread_check.hpp"

namespace audiopool::detail {

/// The default hooks: none. Tests substitute a type whose static member runs
/// at the named point (to force an interleaving); the empty call compiles to
/// nothing.
struct NoOwnerThreadHooks {
    // inline: see config.hpp (module mode).
    static inline void beforeReturnPublish() noexcept {}
};

/// Whether this target's fetch_add is a single instruction that always
/// completes (so a release on another thread is wait-free, not lock-free).
inline constexpr bool fetchAddIsWaitFree =
#if defined(__x86_64__) || defined(_M_X64) || defined(__ARM_FEATURE_ATOMICS) || \
    (defined(__riscv) && defined(__riscv_atomic) && __riscv_xlen == 64)
    true;
#else
    false;
#endif

} // namespace audiopool::detail

AUDIOPOOL_EXPORT namespace audiopool {

/// OwnerThread with test hooks. Use `audiopool::OwnerThread`.
template <class Hooks = detail::NoOwnerThreadHooks>
struct BasicOwnerThread {
    // Capacity is checked by the pool (at least 1, at most maxCapacity).
    template <std::size_t Capacity>
    class FreeList : public FreeListTraits<detail::fetchAddIsWaitFree ? Progress::WaitFree : Progress::LockFree,
                                           0xFFFF'FFFEu, true, ThreadRule::OneAcquirerAnyReleaser> {
        static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
                      "audiopool::OwnerThread needs a lock-free 64-bit atomic");
        static_assert(std::atomic_ref<std::uint64_t>::is_always_lock_free,
                      "audiopool::OwnerThread needs lock-free 64-bit atomic ring slots");

        using OwnRing = typename BasicSpscRing<>::template FreeList<Capacity>;

        /// A return-ring slot: the lap its position is in (from 1, so the
        /// all-zero initial slot matches no position) and the index.
        static constexpr std::uint64_t slotWord(std::uint64_t position, std::uint32_t index) noexcept {
            return (std::uint64_t{lapOf(position)} << 32) | index;
        }
        static constexpr std::uint32_t lapOf(std::uint64_t position) noexcept {
            return static_cast<std::uint32_t>(position / Capacity + 1);
        }
        static constexpr std::uint32_t slotOf(std::uint64_t position) noexcept {
            return static_cast<std::uint32_t>(position % Capacity);
        }

        /// Whether a thread can name itself without a call (the thread
        /// pointer). Without it every release takes the return ring.
        static constexpr bool knowsThreads = AUDIOPOOL_HAS_THREAD_POINTER;

    public:
        /// Takes a free index: the owner's ring first, then the return ring.
        /// Thread: the owner (the one acquiring thread). Progress: wait-free. Allocates: no.
        Popped pop() noexcept AUDIOPOOL_NONBLOCKING {
            if constexpr (knowsThreads) {
                const std::uintptr_t me = detail::currentThreadToken();
                // relaxed, both: releasers only compare the token with their
                // own; whatever they read, a token not theirs sends them to
                // the return ring, which is correct from any thread (see the top).
                if (owner_.load(std::memory_order_relaxed) != me) [[unlikely]]
                    owner_.store(me, std::memory_order_relaxed);
            }

            const Popped own = own_.pop();
            std::uint32_t index = own.index;
            if (index == Popped::none) [[unlikely]] {
                index = popReturned();
                if (index == Popped::none) return {Popped::none, own.inUse};  // own.inUse may say ruleBroken
            }
            // In use = out of both rings. Upper bound: the claims we last saw
            // are at most the real ones.
            const std::uint32_t inUse = inUseAtMost();
            if (inUse <= peak_) [[likely]] return {index, inUse};
            // A new peak: count exactly before reporting it.
            const std::uint32_t exact = exactInUse();
            peak_ = std::max(peak_, exact);
            return {index, exact};
        }

        /// Gives an index back: to the owner's ring on the owner's thread,
        /// to the return ring on any other.
        /// Thread: any. Progress: wait-free (see the top for LL/SC machines). Allocates: no.
        void push(std::uint32_t index) noexcept AUDIOPOOL_NONBLOCKING {
            // relaxed: see pop. (A token is never 0, the value before any pop.)
            if (knowsThreads && owner_.load(std::memory_order_relaxed) == detail::currentThreadToken())
                own_.push(index);
            else
                pushReturned(index);
        }

        /// Thread: any. Exact when no acquire or release is in progress;
        /// otherwise a snapshot whose in-use count is never above the true one
        /// (the releases are read last). Progress: wait-free. Allocates: no.
        FreeListCounts counts() const noexcept AUDIOPOOL_NONBLOCKING {
            // (5) acquire: pairs with the release (4), so the claims read
            // below are no fewer than the positions the owner took.
            const std::uint64_t taken = taken_.load(std::memory_order_acquire);
            const FreeListCounts own = own_.counts();
            // (6) acquire: pairs with the claims' release half (1).
            const std::uint64_t claims = claims_.load(std::memory_order_acquire);
            const std::uint64_t waiting = claims - std::min(claims, taken);
            const std::size_t free = std::min<std::size_t>(Capacity, own.free + waiting);
            const std::uint64_t pops = own.pops + taken;
            const std::uint64_t inUse = Capacity - free;
            return {free, pops, pops - std::min(pops, inUse)};
        }

    private:
        /// The return ring's next index, or Popped::none when nothing (or
        /// only a claim not yet published) is there. Thread: the owner.
        std::uint32_t popReturned() noexcept {
            // relaxed: taken_ is written only by this thread.
            const std::uint64_t position = taken_.load(std::memory_order_relaxed);
            // (2) acquire: synchronizes-with the release store (3) that
            // published this slot, so the index and the samples the releasing
            // thread wrote are visible to us.
            const std::uint64_t word =
                std::atomic_ref(returnRing_[slotOf(position)]).load(std::memory_order_acquire);
            if (static_cast<std::uint32_t>(word >> 32) != lapOf(position)) return Popped::none;
            const auto index = static_cast<std::uint32_t>(word);
            // Every published slot holds an index the pool checked.
            AUDIOPOOL_ASSUME(index < Capacity);
            // (4) release: pairs with the acquire in counts() (5).
            taken_.store(position + 1, std::memory_order_release);
            return index;
        }

        /// Thread: any but the owner (the owner may, too: it is always correct).
        void pushReturned(std::uint32_t index) noexcept {
            // (1) acq_rel: the claims form one chain of read-modify-writes, so
            // every earlier claim happens-before this one; that is what keeps
            // the slot we write free (see the top). Release: pairs with the
            // acquire in counts() (6) and in exactInUse() (7).
            const std::uint64_t position = claims_.fetch_add(1, std::memory_order_acq_rel);
            Hooks::beforeReturnPublish();
            // (3) release: publishes the index and everything the releasing
            // thread wrote to the buffer, to the owner's acquire (2).
            std::atomic_ref(returnRing_[slotOf(position)]).store(slotWord(position, index), std::memory_order_release);
        }

        /// In use after a pop, from the owner's own view: exact for its own
        /// ring, and the claims as last read (no more than the real ones).
        std::uint32_t inUseAtMost() const noexcept {
            const FreeListCounts own = own_.counts();
            // relaxed: our own position.
            const std::uint64_t taken = taken_.load(std::memory_order_relaxed);
            const std::uint64_t waiting = seenClaims_ - std::min(seenClaims_, taken);
            return static_cast<std::uint32_t>(Capacity - std::min<std::size_t>(Capacity, own.free + waiting));
        }

        /// In use after a pop, with the claims read now. Thread: the owner.
        AUDIOPOOL_COLD std::uint32_t exactInUse() noexcept {
            // (7) acquire: pairs with the claims' release half (1).
            seenClaims_ = claims_.load(std::memory_order_acquire);
            return inUseAtMost();
        }

        // The owner's line: its ring (SpscRing keeps each side on its own
        // lines), its position in the return ring, the claims it last saw and
        // the peak it reported.
        OwnRing own_{};
        alignas(falseSharingRange) std::atomic<std::uint64_t> taken_{0};
        std::uint64_t seenClaims_{0};
        std::uint32_t peak_{0};
        // Read by every release, written only when the owner changes.
        alignas(falseSharingRange) std::atomic<std::uintptr_t> owner_{0};
        // The releasers' line.
        alignas(falseSharingRange) std::atomic<std::uint64_t> claims_{0};
        alignas(falseSharingRange) std::uint64_t returnRing_[Capacity]{};
    };
};

/// One thread acquires (wait-free), any thread releases (wait-free on x86-64
/// and ARMv8.1+: see owner_thread.hpp).
using OwnerThread = BasicOwnerThread<>;

} // namespace audiopool
