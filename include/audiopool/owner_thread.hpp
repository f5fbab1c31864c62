// audiopool/owner_thread.hpp — OwnerThread: one thread acquires; any thread
// releases. The shape of most audio programs: the audio thread takes scratch
// and hand-off buffers, and they come back on the audio thread itself or on a
// disk writer, an analyser, a GUI meter, a host's worker pool.
//
// Algorithm: the owner (the acquiring thread) takes indices from
//  - the stock: indices 0 .. Capacity-1, handed out once each at the start;
//  - the lanes: `Lanes` single-producer rings of Capacity indices. The first
//    `Lanes` threads that release a buffer each claim a lane for good (one
//    compare-and-swap, once per thread and pool) and from then on release
//    into it with loads and stores only, as SpscRing does. The owner's own
//    releases go to the owner's lane like anyone else's;
//  - the return ring, for the threads that found every lane taken: a bounded
//    multi-producer ring. A releaser claims a position with one fetch_add and
//    publishes (lap parity, index) into that position's slot with one release
//    store; the owner takes the slot at its own position once the parity says
//    it is published.
// An acquire looks at the caller's own lane first (its latest releases: warm
// in cache), then the other lanes, then the return ring, and only then the
// stock, and takes one index from the first that has one. The stock comes
// last because its buffers are the coldest: a buffer given back was in some
// core's cache moments ago, while one the stock still holds has not been
// touched since prefault() (or ever). A pool sized for a deep hand-off queue
// then keeps reusing the few buffers in circulation.
//
// A thread is named by its thread pointer (a register: no thread-local
// storage, no call). A lane belongs to one token for the pool's lifetime, so
// two live threads never share one. (A thread that starts after another
// ended can get the same token, and so the same lane; the thread library's
// own synchronisation orders the old thread's last release before the new
// thread's first.) Without a thread pointer (AUDIOPOOL_HAS_THREAD_POINTER 0)
// every release takes the return ring.
//
// A signal handler, though, runs on the thread it interrupts and has its
// token: a handler that releases while its thread was interrupted inside a
// release into the same lane is a second producer on that lane, and can
// overwrite the interrupted release's entry or, when it releases twice or
// more, move the lane's position backwards once the interrupted store lands.
// The owner never trusts a position that moved back: it reads entries only
// below the largest position it has seen, and when it reads a position behind
// that one it keeps the larger and reports the lane as Misuse::WrongThread
// (Popped::ruleBrokenBit on the pop that saw it, or ruleBroken if that pop
// is empty), in every build. The outcome: releases that landed behind, or whose
// entry a handler overwrote, are lost (counted as in use for good, visible in
// stats()); no buffer is handed out twice. (The lag behind the largest
// position is less than Capacity, since only Capacity buffers exist, so no
// entry of an earlier lap is read.) The report is best effort: the owner
// reads a lane's position only when it has taken everything it saw there, so
// a position that moved back and caught up again in between, or an
// overwritten entry with no move back (always so at Capacity 1 and 2), loses
// buffers unreported. And an entry that the lagging releaser rewrote in a
// slot the owner had seen published is read without an acquire that pairs
// with it, so that releaser's last writes to the buffer are not ordered
// before its next owner's (on weakly ordered machines, a data race on the
// samples). A handler that releases while its thread is not inside a release
// into this pool is an ordinary release (docs/guarantees.md, "Signal handlers").
//
// Why no ring can overflow, with no check: a release at position p of a ring
// writes the slot that position p - Capacity used. The releases at positions
// p - Capacity .. p - 1 happen-before the one at p (one producer, or for the
// return ring one chain of acq_rel read-modify-writes). Those Capacity
// positions hold distinct indices unless the owner consumed one of them in
// between (an index leaves a ring only when the owner takes it). The index
// released at p is one of the Capacity indices and was acquired by the owner
// before this release; if it had been in the window and not consumed, it
// could not have been acquired; so the owner consumed a position of the
// window, and with it position p - Capacity (positions are consumed in
// order), before the acquire that happens-before this release.
//
// The return ring only: a claim not yet published (the releasing thread
// pre-empted between its fetch_add and its store) holds back the positions
// after it; until it lands, an acquire that finds nothing elsewhere reports
// the pool exhausted although later releases are complete. The window is
// two instructions long, and only threads beyond the first `Lanes` use it.
//
// Zero is the initial state: the stock full, lanes and return ring empty (a
// slot's lap parity starts at 0, and position 0 expects 1), no lane bound. A
// constinit pool lives in .bss.
//
// Statistics: positions only. The owner keeps one count, an upper bound of
// the indices out: what it took from the stock, minus what it saw published
// in lanes and return ring and has not taken since (every pop adds one, every
// producer position seen new takes off what it published). An acquire
// reports it, and before it reports a new peak it reads every producer
// position, so Popped::inUse is exact at every new peak (a claimed release
// counts as done).
//
// Finding the caller's lane: a release scans the lane bindings (one line,
// written once per lane). An acquire compares the thread pointer with the
// one it remembers from the last acquire that found a lane (a lane stays
// bound to its token, so the remembered lane never goes stale) and is then
// a few loads and stores, inline in the pool's acquire. Any other thread
// takes one call: a thread without a lane is remembered too, with how many
// lanes were bound when it looked; lanes are claimed in order (the first
// seen free), so while the next one is still free it has none.
//
// Guarantee: acquire is wait-free (at most 2 + Lanes places looked at, one
// index taken). Release is wait-free: at most Lanes loads, a compare-and-swap
// on each of at most Lanes lanes the first time a thread releases, then loads
// and stores; or one fetch_add for threads without a lane. Those are single
// instructions on x86-64, ARMv8.1 (LSE) and RISC-V with Zacas; on LL/SC
// machines (ARMv8.0, POWER) a compare-and-swap or fetch_add is itself a loop
// that a neighbour's write can make retry, so there the first release of a
// thread and every lane-less release are lock-free. RISC-V's base A extension
// has a single-instruction fetch_add (amoadd) but no compare-and-swap (an
// LR/SC loop), so there a thread's first release is lock-free. The policy
// states its progress accordingly (Pool::progress): WaitFree only where both
// are single instructions.
// Rules: exactly one thread acquires at a time (a hand-over to another thread
// needs a happens-before from the old owner's last acquire to the new owner's
// first, as for SpscRing); any number of threads release. A second ACQUIRING
// thread is not defended against in release builds (two acquires can take
// the same index); checked builds report it as Misuse::WrongThread.
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <utility>
#include <string_view>
#endif
#include "audiopool/atomics.hpp"
#include "audiopool/free_list.hpp"
#include "audiopool/sample.hpp"

// A function kept out of line, and compiled as the hot code around it is (not
// as AUDIOPOOL_COLD's failure paths are, for size): an acquiring thread
// without a lane of its own takes OwnerThread::popPastOwnLane on every acquire.
#ifndef AUDIOPOOL_OUT_OF_LINE
#if defined(__GNUC__) || defined(__clang__)
#define AUDIOPOOL_OUT_OF_LINE [[gnu::noinline]]
#else
#define AUDIOPOOL_OUT_OF_LINE
#endif
#endif

namespace audiopool::detail {

/// The default hooks: none. Tests substitute a type whose static members run
/// at the named points (to force an interleaving); each is optional there,
/// and the empty call compiles to nothing.
struct NoOwnerThreadHooks {
    // inline: see config.hpp (module mode).
    static inline void beforeReturnPublish() noexcept {}
    /// In a lane release, between the entry's store and the position's.
    static inline void beforeLanePublish() noexcept {}
    /// In a thread's first release, after it saw a free lane and before its
    /// compare-and-swap on it.
    static inline void beforeLaneClaim() noexcept {}
};

/// Whether this target's compare-and-swap and fetch_add are single
/// instructions that always complete (so every release is wait-free).
inline constexpr bool readModifyWriteIsWaitFree =
#if defined(__x86_64__) || defined(_M_X64) || defined(__ARM_FEATURE_ATOMICS) ||                                        \
    (defined(__riscv) && defined(__riscv_zacas) && __riscv_xlen == 64)
    true;
#else
    false;
#endif

} // namespace audiopool::detail

AUDIOPOOL_EXPORT namespace audiopool {

/// OwnerThread with a lane count, test hooks and the atomics it is built on
/// (atomics.hpp; the model checker substitutes its own). Use
/// `audiopool::OwnerThread`.
/// Lanes: how many releasing threads get a lane of their own (each costs
/// Capacity x 4 bytes and two cache-line blocks); 0 sends every release
/// through the return ring.
template <std::size_t Lanes = 4, class Hooks = detail::NoOwnerThreadHooks, class AtomicsT = StdAtomics>
struct BasicOwnerThread {
    static_assert(Lanes <= 64, "audiopool::BasicOwnerThread: at most 64 lanes (each release scans them)");
    /// The policy's name, for descriptions (PolicyName, fmt.hpp).
    static constexpr std::string_view name = "OwnerThread";

    // Capacity is checked by the pool (at least 1, at most maxCapacity).
    template <std::size_t Capacity>
    class FreeList : public FreeListTraits<detail::readModifyWriteIsWaitFree ? Progress::WaitFree : Progress::LockFree,
                                           0x7FFF'FFFEu, true, ThreadRule::OneAcquirerAnyReleaser>,
                     public detail::ListCapacity<Capacity>,
                     public detail::RingGeometry<Capacity> {
        using detail::RingGeometry<Capacity>::slotOf;
        using detail::RingGeometry<Capacity>::lapOf;
        using Cell = typename AtomicsT::template Cell<std::uint32_t>;
        static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
                      "audiopool::OwnerThread needs a lock-free 64-bit atomic");
        static_assert(std::atomic_ref<std::uint32_t>::is_always_lock_free,
                      "audiopool::OwnerThread needs lock-free 32-bit atomic ring entries");

        static constexpr std::size_t noLane = Lanes;
        static constexpr bool knowsThreads = AtomicsT::cheapThreadToken;
        static constexpr std::uint32_t parityBit = 0x8000'0000u;

        /// A return-ring slot word: the parity of the position's lap (laps
        /// count from 1) in the top bit, the index below. The slot holds
        /// either this lap's word or the previous lap's, never an older one
        /// (no ring overflows, see the top), so one bit tells them apart.
        constexpr std::uint32_t slotWord(std::uint64_t position, std::uint32_t index) const noexcept {
            return ((lapOf(position) + 1) % 2 != 0 ? parityBit : 0u) | index;
        }

        /// One releasing thread's ring to the owner. The producer writes
        /// `pushes` and the entries; the owner's position in it is
        /// FreeList::laneTaken_.
        struct Lane {
            alignas(falseSharingRange) typename AtomicsT::template Atomic<std::uint64_t> pushes{0};
            alignas(falseSharingRange) detail::RingSlots<Cell, Capacity> entries{};
        };

    public:
        using Atomics = AtomicsT;

        /// Takes a free index. Thread: the owner (the one acquiring thread).
        /// Progress: wait-free. Allocates: no.
        /// Inline: the owner's own lane, found by the token it was last
        /// seen with (a few loads and stores); everything else is one call
        /// away (popPastOwnLane), so the pool's acquire stays inline.
        AUDIOPOOL_HOT_INLINE Popped pop() noexcept AUDIOPOOL_NONBLOCKING {
            std::size_t mine = noLane;
            std::uint64_t pushes = 0;
            std::uintptr_t me = 0;
            if constexpr (knowsThreads && Lanes > 0) {
                me = Atomics::threadToken();
                if (me == ownerToken_) [[likely]] {
                    mine = ownerLane_;
                    Lane& lane = *ownerLaneAt_;
                    // relaxed: laneTaken_ is written only by this thread.
                    const std::uint64_t taken = laneTaken_[mine].load(std::memory_order_relaxed);
                    const std::uint64_t seen = seenPushes_[mine];
                    // seen never falls below taken (sawMore keeps the larger
                    // position), so equality is "nothing seen waiting".
                    bool waiting = taken != seen;
                    if (!waiting) {
                        pushes = lanePosition(lane);  // popPastOwnLane goes on from it when nothing new is there
                        waiting = sawMore(mine, seen, pushes);
                    }
                    if (waiting) [[likely]]
                        return {takeFromLane(mine, lane, taken), inUseAfterPop()};
                }
            }
            return popPastOwnLaneFromPop(mine, pushes, me);
        }

        /// Gives an index back, into the calling thread's lane (claiming one
        /// on its first release) or, with every lane taken, the return ring.
        /// Thread: any. Progress: wait-free (see the top for LL/SC machines). Allocates: no.
        void push(std::uint32_t index) noexcept AUDIOPOOL_NONBLOCKING {
            if constexpr (knowsThreads && Lanes > 0) {
                const std::uintptr_t me = Atomics::threadToken();
                Lane* lane = laneOf(me);
                if (lane == nullptr) [[unlikely]]
                    lane = claimLane(me);
                if (lane != nullptr) [[likely]] {
                    pushLane(*lane, index);
                    return;
                }
            }
            pushReturned(index);
        }

        /// Thread: any. Exact when no acquire or release is in progress;
        /// otherwise a snapshot whose in-use count is never above the true one
        /// (the owner's positions are read first, the releasers' last).
        /// Progress: wait-free. Allocates: no.
        FreeListCounts counts() const noexcept AUDIOPOOL_NONBLOCKING {
            // (5) acquire, all the owner's positions: pair with the release
            // stores (4), so the producer positions read after them are at
            // least as far along.
            const std::uint64_t stockTaken = stockTaken_.load(std::memory_order_acquire);
            const std::uint64_t returnTaken = taken_.load(std::memory_order_acquire);
            std::uint64_t laneTaken[Lanes > 0 ? Lanes : 1]{};
            std::uint64_t pops = stockTaken + returnTaken;
            for (std::size_t k = 0; k < Lanes; ++k)
                pops += laneTaken[k] = laneTaken_[k].load(std::memory_order_acquire);
            // relaxed, the producers' positions: (5) keeps them after the
            // owner's, and they order nothing read after them.
            // Signed: a lane whose position a second producer moved back
            // (see the top) is behind the owner's; the sum is then clamped
            // to 0..Capacity, so a misused pool still reports a count in range.
            std::int64_t waiting = 0;
            for (std::size_t k = 0; k < Lanes; ++k)
                waiting += static_cast<std::int64_t>(lanes_[k].pushes.load(std::memory_order_relaxed) - laneTaken[k]);
            const std::uint64_t claims = claims_.load(std::memory_order_relaxed);
            waiting += static_cast<std::int64_t>(claims - std::min(claims, returnTaken));
            const auto free = static_cast<std::uint64_t>(
                std::clamp<std::int64_t>(static_cast<std::int64_t>(this->capacity() - stockTaken) + waiting, 0,
                                         static_cast<std::int64_t>(this->capacity())));
            const std::uint64_t inUse = this->capacity() - free;
            return {static_cast<std::size_t>(free), pops, pops - std::min(pops, inUse)};
        }

        /// Dynamic capacity: each lane's ring and the return ring, each a
        /// power of two of slots in whole falseSharingRange blocks (free_list.hpp).
        static constexpr std::size_t storageBytes(std::size_t capacity) noexcept
            requires(Capacity == dynamic)
        {
            return (Lanes + 1) * ringBytes(capacity);
        }
        /// Dynamic capacity: takes the rings from the pool's storage (free_list.hpp).
        void attach(std::size_t capacity, std::byte* storage) noexcept
            requires(Capacity == dynamic)
        {
            this->setSlots(capacity);
            // One run of cells over every ring (and the padding between them).
            const std::size_t perRing = ringBytes(capacity) / sizeof(Cell);
            Cell* cells = cells_.make(storage, (Lanes + 1) * perRing);
            for (std::size_t k = 0; k < Lanes; ++k) lanes_[k].entries = cells + k * perRing;
            returnRing_ = cells + Lanes * perRing;
            detail::ListCapacity<dynamic>::attach(capacity, storage);
        }

    private:
        // ---- the owner's side ----

        /// popPastOwnLane, reached from pop() through a cold jump: keeps the
        /// call out of the way of the own-lane path as the compiler lays it
        /// out (one instruction less per pair than an ordinary call here).
        AUDIOPOOL_COLD Popped popPastOwnLaneFromPop(std::size_t mine, std::uint64_t pushes,
                                                    std::uintptr_t me) noexcept {
            return popPastOwnLane(mine, pushes, me);
        }

        /// pop() with nothing in the remembered owner's lane as of its
        /// position `pushes` (reported when behind), or (mine == noLane) on
        /// another thread than the remembered one, `me`: every acquire of a
        /// thread that releases nothing itself (a producer handing buffers off).
        /// Then the other lanes, the return ring and the stock; or, with
        /// nothing anywhere, Popped::none with the capacity
        /// (Popped::ruleBroken when a broken rule waits to be reported).
        AUDIOPOOL_OUT_OF_LINE Popped popPastOwnLane(std::size_t mine, std::uint64_t pushes,
                                                    [[maybe_unused]] std::uintptr_t me) noexcept {
            if (mine != noLane) {
                if (pushes < seenPushes_[mine]) [[unlikely]]
                    laneBehind(mine, pushes);
            } else if constexpr (knowsThreads && Lanes > 0) {
                mine = rememberLaneOf(me);
                if (mine != noLane) {
                    const std::uint32_t index = popLane(mine);
                    if (index != Popped::none) return {index, inUseAfterPop()};
                }
            }
            const std::uint32_t index = takeElsewhere(mine);
            if (index != Popped::none) [[likely]]
                return {index, inUseAfterPop()};
            return {Popped::none, takeRuleBroken() ? Popped::ruleBroken : static_cast<std::uint32_t>(this->capacity())};
        }

        /// The lane bound to `me`, or noLane, remembered for the next pop.
        /// A lane stays bound to its token, so a remembered lane never goes
        /// stale (ownerToken_). A thread without one may claim one with its
        /// next release; lanes are claimed in order (claimLane takes the
        /// first it sees free, and a bound lane stays bound), so it can only
        /// get the first lane that was free when it looked: while that one
        /// is still free, it has none, and one load says so (lanelessToken_).
        std::size_t rememberLaneOf(std::uintptr_t me) noexcept {
            // relaxed, all: as in laneOf.
            if (me == lanelessToken_ &&
                (lanesBound_ == Lanes || binders_[lanesBound_].load(std::memory_order_relaxed) == 0))
                return noLane;
            std::size_t k = 0;
            for (; k < Lanes; ++k) {
                const std::uintptr_t bound = binders_[k].load(std::memory_order_relaxed);
                if (bound == me) {
                    ownerToken_ = me;
                    ownerLane_ = k;
                    ownerLaneAt_ = &lanes_[k];
                    return k;
                }
                if (bound == 0) break;
            }
            lanelessToken_ = me;
            lanesBound_ = k;
            return noLane;
        }

        /// The other lanes, the return ring, then the stock.
        AUDIOPOOL_HOT_INLINE std::uint32_t takeElsewhere(std::size_t mine) noexcept {
            for (std::size_t k = 0; k < Lanes; ++k) {
                if (k == mine) continue;
                const std::uint32_t index = popLane(k);
                if (index != Popped::none) return index;
            }
            // An unprepared dynamic list (capacity 0) has no return ring to look at.
            if (Capacity == dynamic && this->capacity() == 0) return Popped::none;
            const std::uint32_t index = popReturned();
            if (index != Popped::none) return index;
            // relaxed: stockTaken_ is written only by this thread.
            const std::uint32_t stock = static_cast<std::uint32_t>(stockTaken_.load(std::memory_order_relaxed));
            if (stock == this->capacity()) return Popped::none;
            ++outAtMost_;
            // (4) release: pairs with the acquire in counts() (5).
            stockTaken_.store(stock + 1, std::memory_order_release);
            return stock;
        }

        /// Lane k's oldest entry, or Popped::none.
        std::uint32_t popLane(std::size_t k) noexcept {
            // relaxed: laneTaken_ is written only by this thread.
            const std::uint64_t taken = laneTaken_[k].load(std::memory_order_relaxed);
            // seenPushes_[k] never falls below taken (sawMore keeps the
            // larger position), so equality is "nothing seen waiting".
            if (taken == seenPushes_[k] && !lookAtLane(k)) return Popped::none;
            return takeFromLane(k, lanes_[k], taken);
        }

        /// Lane k's (`lane`'s) entry at `taken`, which the owner has seen published.
        std::uint32_t takeFromLane(std::size_t k, Lane& lane, std::uint64_t taken) noexcept {
            // relaxed: published by (2), read after (3).
            const std::uint32_t index = Atomics::ref(lane.entries[slotOf(taken)]).load(std::memory_order_relaxed);
            AUDIOPOOL_ASSUME(index < this->capacity());  // every entry is an index the pool checked
            ++outAtMost_;  // seen waiting, now out
            // (4) release: pairs with the acquire in counts() (5).
            laneTaken_[k].store(taken + 1, std::memory_order_release);
            return index;
        }

        /// The return ring's next index, or Popped::none when nothing (or
        /// only a claim not yet published) is there.
        std::uint32_t popReturned() noexcept {
            // relaxed: taken_ is written only by this thread.
            const std::uint64_t position = taken_.load(std::memory_order_relaxed);
            // (8) acquire: synchronizes-with the release store (9) that
            // published this slot (the index and the buffer's samples).
            const std::uint32_t word = Atomics::ref(returnRing_[slotOf(position)]).load(std::memory_order_acquire);
            if ((word & parityBit) != (slotWord(position, 0) & parityBit)) return Popped::none;
            const std::uint32_t index = word & ~parityBit;
            AUDIOPOOL_ASSUME(index < this->capacity());  // every published slot holds an index the pool checked
            if (position < seenClaims_) ++outAtMost_;  // counted as waiting when the claims were read
            // (4) release: pairs with the acquire in counts() (5).
            taken_.store(position + 1, std::memory_order_release);
            return index;
        }

        /// Popped::inUse of the pop just made: the bound, or, past the peak
        /// (or with a broken rule to report), the exact count.
        std::uint32_t inUseAfterPop() noexcept {
            // At or below peak_ (at most Capacity) the bound is in range as
            // it is; one past it, or one that went below zero (see
            // inUseAtMost), takes atNewPeak.
            if (outAtMost_ <= peak_) [[likely]]
                return static_cast<std::uint32_t>(outAtMost_);
            return atNewPeak();
        }

        /// In use after a pop, from what the owner has seen: never below the
        /// true count.
        std::uint32_t inUseAtMost() const noexcept {
            // Every position seen is a release of a buffer this thread took
            // earlier, so the bound does not go below zero; should it, the
            // count is 0 rather than a wrapped one.
            return static_cast<std::int64_t>(outAtMost_) > 0 ? static_cast<std::uint32_t>(outAtMost_) : 0u;
        }

        /// Reads lane k's producer position and counts what it published
        /// since we last looked as waiting. Returns whether it published
        /// anything past the largest position seen before; a position behind
        /// that one is kept, and reported.
        bool lookAtLane(std::size_t k) noexcept {
            const std::uint64_t seen = seenPushes_[k];
            const std::uint64_t pushes = lanePosition(lanes_[k]);
            if (sawMore(k, seen, pushes)) [[likely]]
                return true;
            if (pushes < seen) [[unlikely]]
                laneBehind(k, pushes);
            return false;
        }

        /// A lane's producer position.
        static std::uint64_t lanePosition(const Lane& lane) noexcept {
            // (3) acquire: synchronizes-with the release store (2) in
            // pushLane, so the entries and the samples the releasing thread
            // wrote are visible to us.
            return lane.pushes.load(std::memory_order_acquire);
        }

        /// Whether lane k's position `pushes` is past `seen`, the largest
        /// seen before; if so, counts the difference as waiting and keeps it.
        bool sawMore(std::size_t k, std::uint64_t seen, std::uint64_t pushes) noexcept {
            // Positions never wrap (64 bits), so unsigned order is their order.
            if (pushes <= seen) return false;
            outAtMost_ -= pushes - seen;
            seenPushes_[k] = pushes;
            return true;
        }

        /// Lane k's position is behind the largest we saw (a second
        /// producer moved it back, see the top): we keep the larger one, and
        /// report each position it is seen at behind it once, on this pop.
        /// peak_ goes to 0 so that a successful pop takes the cold path
        /// (atNewPeak), which flags it; peak_ only decides when inUse is
        /// recomputed exactly.
        AUDIOPOOL_COLD void laneBehind(std::size_t k, std::uint64_t pushes) noexcept {
            // Positions seen behind are at least 1 (a release stores at least
            // its own position + 1), so the zero that starts lastBehind_ matches none.
            const auto at = static_cast<std::uint32_t>(pushes);
            if (at == lastBehind_[k]) return;
            lastBehind_[k] = at;
            ruleBroken_ = true;
            peak_ = 0;
        }
        /// Whether a broken rule waits to be reported; forgets it.
        bool takeRuleBroken() noexcept { return std::exchange(ruleBroken_, false); }

        /// A pop whose in-use bound passed the peak: look at every producer,
        /// and flag a broken rule seen since the last report.
        AUDIOPOOL_COLD std::uint32_t atNewPeak() noexcept {
            const std::uint32_t exact = exactInUse();
            peak_ = std::max(peak_, exact);
            return takeRuleBroken() ? exact | Popped::ruleBrokenBit : exact;
        }

        /// In use after a pop, with every producer's position read now.
        AUDIOPOOL_COLD std::uint32_t exactInUse() noexcept {
            for (std::size_t k = 0; k < Lanes; ++k) lookAtLane(k);
            // (7) relaxed: a count of claims; the slot itself is read with
            // acquire (8) when the owner takes it.
            const std::uint64_t claims = claims_.load(std::memory_order_relaxed);
            // relaxed: our own position. Claims at or past it that we had not
            // counted yet now wait (positions before it were taken).
            const std::uint64_t taken = taken_.load(std::memory_order_relaxed);
            const std::uint64_t counted = std::max(seenClaims_, taken);
            if (claims > counted) outAtMost_ -= claims - counted;
            seenClaims_ = std::max(seenClaims_, claims);
            return inUseAtMost();
        }

        static constexpr std::size_t ringBytes(std::size_t capacity) noexcept {
            return detail::wholeBlocks(detail::RingGeometry<dynamic>::slotsFor(capacity) * sizeof(Cell));
        }

        // ---- the releasers' side ----

        /// The lane bound to `me`, or nullptr. (A pointer, not a number: the
        /// release addresses the lane with it directly.)
        Lane* laneOf(std::uintptr_t me) noexcept {
            for (std::size_t k = 0; k < Lanes; ++k)
                // relaxed: a lane's token is written once; seeing our own
                // token means we wrote it (see the top).
                if (binders_[k].load(std::memory_order_relaxed) == me) return &lanes_[k];
            return nullptr;
        }

        /// Binds the first free lane to `me`; nullptr when every lane is taken.
        AUDIOPOOL_COLD Lane* claimLane(std::uintptr_t me) noexcept {
            for (std::size_t k = 0; k < Lanes; ++k) {
                // relaxed, both: the lane has had no producer before, so there
                // is nothing to order; the winner alone writes its positions.
                // A lane seen taken is not tried: a thread beyond the lanes
                // pays loads here, no locked instruction. A lane taken by
                // this very thread is its own: a signal handler on it claimed
                // it since laneOf() looked (or since this loop did).
                std::uintptr_t bound = binders_[k].load(std::memory_order_relaxed);
                if (bound == me) return &lanes_[k];
                if (bound != 0) continue;
                if constexpr (requires { Hooks::beforeLaneClaim(); }) Hooks::beforeLaneClaim();
                if (binders_[k].compare_exchange_strong(bound, me, std::memory_order_relaxed,
                                                        std::memory_order_relaxed) ||
                    bound == me)
                    return &lanes_[k];
            }
            return nullptr;
        }

        void pushLane(Lane& lane, std::uint32_t index) noexcept {
            // relaxed: this thread is the lane's only producer (a signal
            // handler on it aside: see the top).
            const std::uint64_t pushes = lane.pushes.load(std::memory_order_relaxed);
            // relaxed: published by the release store (2).
            Atomics::ref(lane.entries[slotOf(pushes)]).store(index, std::memory_order_relaxed);
            if constexpr (requires { Hooks::beforeLanePublish(); }) Hooks::beforeLanePublish();
            // (2) release: publishes the entry and everything this thread
            // wrote to the buffer, to the owner's acquire (3).
            lane.pushes.store(pushes + 1, std::memory_order_release);
        }

        void pushReturned(std::uint32_t index) noexcept {
            // (1) acq_rel: the claims form one chain of read-modify-writes,
            // so every earlier claim happens-before this one; that keeps the
            // slot we write free (see the top). (The model check reports
            // neither half missing: the hand-off that brought the buffer
            // from the owner orders the slot's last use before us in every
            // scenario; docs/verification.md.)
            const std::uint64_t position = claims_.fetch_add(1, std::memory_order_acq_rel);
            if constexpr (requires { Hooks::beforeReturnPublish(); }) Hooks::beforeReturnPublish();
            // (9) release: publishes the index and everything this thread
            // wrote to the buffer, to the owner's acquire (8).
            Atomics::ref(returnRing_[slotOf(position)]).store(slotWord(position, index), std::memory_order_release);
        }

        // The owner's line: the token it acquired with last and that
        // thread's lane (number and address; token 0, which no thread has,
        // until a thread with a lane acquires), the same for a thread
        // without a lane, its positions, what it has seen of the
        // producers', and the peak it reported.
        alignas(falseSharingRange) std::uintptr_t ownerToken_{0};
        std::size_t ownerLane_{0};
        Lane* ownerLaneAt_{nullptr};  // &lanes_[ownerLane_] once a token is remembered
        // The last acquiring thread seen without a lane, and how many lanes
        // were bound then (token 0: none seen yet).
        std::uintptr_t lanelessToken_{0};
        std::size_t lanesBound_{0};
        typename Atomics::template Atomic<std::uint64_t> stockTaken_{0};
        typename Atomics::template Atomic<std::uint64_t> taken_{0};  // in the return ring
        typename Atomics::template Atomic<std::uint64_t> laneTaken_[Lanes > 0 ? Lanes : 1]{};
        std::uint64_t seenPushes_[Lanes > 0 ? Lanes : 1]{};
        std::uint64_t seenClaims_{0};
        // Taken from the stock minus published, seen and not yet taken
        // (modulo 2^64): what is out at most.
        std::uint64_t outAtMost_{0};
        std::uint32_t peak_{0};
        bool ruleBroken_{false};  // a lane moved back, not yet reported
        std::uint32_t lastBehind_[Lanes > 0 ? Lanes : 1]{};  // the position each was last reported behind at
        // Written once per lane, read by every release and acquire.
        alignas(falseSharingRange) typename Atomics::template Atomic<std::uintptr_t> binders_[Lanes > 0 ? Lanes : 1]{};
        Lane lanes_[Lanes > 0 ? Lanes : 1]{};
        // The lane-less releasers' line, and their ring.
        alignas(falseSharingRange) typename Atomics::template Atomic<std::uint64_t> claims_{0};
        alignas(falseSharingRange) detail::RingSlots<Cell, Capacity> returnRing_{};
        // A dynamic list's ring cells (destroyed with the list); nothing for a static one.
        [[no_unique_address]] detail::RingCellsOf<Cell, Capacity> cells_{};
    };
};

/// One thread acquires, any thread releases; both wait-free on x86-64 and
/// ARMv8.1+ (see owner_thread.hpp).
using OwnerThread = BasicOwnerThread<>;

} // namespace audiopool
