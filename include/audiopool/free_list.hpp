// audiopool/free_list.hpp — the free-list policy contract, written once.
//
// A pool hands out buffers by index: its free list holds the indices of the
// buffers nobody owns. The policy decides how that list is kept and so which
// threads may acquire and release, and with what progress guarantee. A policy
// is a tag type with a member template `FreeList<Capacity>`:
//
//   struct MyPolicy {
//       template <std::size_t Capacity>
//       class FreeList {
//       public:
//           static constexpr audiopool::Progress progress = ...;
//           static constexpr std::size_t maxCapacity = ...;  // largest Capacity it can index
//           static constexpr bool crossThread = ...;   // may a buffer be released on another
//                                                      // thread than the one that acquired it?
//                                                      // (the pool then counts references atomically)
//           constexpr FreeList() noexcept;             // starts holding every index 0..Capacity-1
//           audiopool::Popped pop() noexcept;          // an index, or Popped::none when empty
//           void push(std::uint32_t index) noexcept;   // gives an index back
//           audiopool::FreeListCounts counts() const noexcept;  // for statistics
//       };
//   };
//
// What the pool relies on:
//  - Ordering: (P) a push of index i synchronizes-with (A) the pop that next
//    returns i. Everything the releasing thread wrote before its push (the
//    samples, the pool's relaxed store to the buffer's ownership word) is then
//    visible to the thread whose pop returns i. The pool's own stores around
//    pop and push are relaxed because of this.
//  - The pool pushes only indices it popped, each once: it checks ownership
//    itself (pool.hpp), so a free list need not detect a double push.
//  - Popped::inUse is exact whenever it exceeds every value this list
//    returned before (a new peak); otherwise it may be an upper bound. The
//    pool raises its high-water mark from it.
//
// Optional members, probed for by the pool:
//  - `static constexpr audiopool::ThreadRule threadRule`: which threads may
//    pop and push (default ThreadRule::AnyThread). Checked builds report a
//    call from another thread as Misuse::WrongThread (the pool keeps the
//    binding, so the class layout is the same in every build).
//  - `using Link = T;`: per-index state the list needs (a stack's next
//    pointer). The pool then keeps one Link inside each buffer's own
//    bookkeeping line, and calls `pop(links)` and `push(index, links)`
//    instead, where `links[i]` is a `Link&` (any type with
//    `Link& operator[](std::uint32_t) const noexcept`). This keeps a pop or
//    push off the cache lines that other buffers' owners write.
//  - `using Atomics = T;`: the atomics the list is built on (atomics.hpp;
//    default StdAtomics). The pool uses the same for its own shared words,
//    so a model checker that substitutes them sees every atomic access.
//  - A pop that sees that its thread rule was broken (SpscRing's or an
//    OwnerThread lane's releasers' position moved backwards) says so: an
//    empty pop returns `{Popped::none, Popped::ruleBroken}`; a list whose
//    maxCapacity is below Popped::ruleBrokenBit may also set that bit in a
//    successful pop's inUse (OwnerThread does). The pool reports either as
//    Misuse::WrongThread in every build, at no cost to the common path: a
//    flagged inUse exceeds every high-water mark, so it is tested only in
//    the branch that handles a new peak.
//  - `PoppedBatch popBatch(links, std::uint32_t* out, std::uint32_t wanted)`
//    and `void pushBatch(const std::uint32_t* indices, std::uint32_t count,
//    links)`: many indices in one step, for a thread cache (cache.hpp) on a
//    list whose threadRule is AnyThread; the same ordering as pop and push
//    for every index moved. Without them a cache moves its batches one pop
//    or push at a time.
//
// Constant initialisation: a FreeList's initial state should be all zero
// bits (choose the encoding so), so that a `constinit` pool lives in .bss.
//
// Dynamic capacity (sizes.hpp). A pool with any `audiopool::dynamic` extent
// uses `FreeList<audiopool::dynamic>`, whose capacity is set when the pool is
// prepared. Such a list starts with capacity 0 (every pop empty) and has:
//  - `static std::size_t storageBytes(std::size_t capacity) noexcept`: the
//    memory it needs besides itself (its rings), 0 for none;
//  - `void attach(std::size_t capacity, std::byte* storage) noexcept`: called
//    on a newly constructed list, with storageBytes(capacity) zeroed bytes
//    aligned to falseSharingRange that the pool owns, allocated in the same
//    block as the buffers: from then on the list holds every index
//    0..capacity-1, as a static one does from construction.
// detail::ListCapacity gives both to a list that needs no storage, and
// capacity() to every list: a constant for a static one.
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <type_traits>
#endif
#include "audiopool/atomics.hpp"
#include "audiopool/sample.hpp"
#include "audiopool/sizes.hpp"

AUDIOPOOL_EXPORT namespace audiopool {

/// The progress guarantee of a pool's operations, as a compile-time value
/// (Pool::progress):
///  - WaitFree: every acquire and release finishes in a bounded number of its
///    own steps, whatever other threads do (SpscRing, IndexStack; OwnerThread
///    where a compare-and-swap and a fetch_add are single instructions).
///  - LockFree: some thread always makes progress, but one thread can retry
///    while others keep winning; a thread pre-empted mid-operation never
///    blocks the others (Treiber).
///  - Blocking: an operation can wait for another thread (a user policy with
///    a mutex, say). Never use such a policy on the audio thread.
enum class Progress { Blocking, LockFree, WaitFree };

/// "blocking", "lock-free" or "wait-free". Thread: any. Allocates: no.
constexpr std::string_view describe(Progress p) noexcept {
    switch (p) {
    case Progress::Blocking: return "blocking";
    case Progress::LockFree: return "lock-free";
    case Progress::WaitFree: return "wait-free";
    }
    return "unknown";
}

/// Which threads a free list lets pop and push.
enum class ThreadRule {
    AnyThread,              ///< any number of threads pop and push (Treiber)
    OneAcquirerOneReleaser, ///< one thread pops, one (maybe other) thread pushes (SpscRing)
    OneAcquirerAnyReleaser, ///< one thread pops, any number of threads push (OwnerThread)
    OneThread,              ///< one thread does everything (IndexStack)
};

/// What FreeList::pop returns.
struct Popped {
    static constexpr std::uint32_t none = 0xFFFF'FFFFu;
    /// With index == none: the list saw its thread rule broken.
    static constexpr std::uint32_t ruleBroken = 0xFFFF'FFFFu;
    /// Set in a successful pop's inUse: the list saw its thread rule broken
    /// (only lists whose maxCapacity is below it; see the contract above).
    static constexpr std::uint32_t ruleBrokenBit = 0x8000'0000u;
    /// The index taken from the free list, or `none` when the list was empty.
    std::uint32_t index;
    /// How many indices were out of the free list right after this pop
    /// (exact at a new peak; see the contract above).
    std::uint32_t inUse;
};

/// What the optional FreeList::popBatch returns (a thread cache's refill).
struct PoppedBatch {
    /// How many indices were taken (0 when the list was empty).
    std::uint32_t count;
    /// How many indices were out of the free list right after (exact at a
    /// new peak, as Popped::inUse).
    std::uint32_t inUse;
};

/// What FreeList::counts returns: the free-list state the statistics are
/// derived from, so the hot path keeps no separate counters.
struct FreeListCounts {
    std::size_t free;     ///< indices in the list now
    std::uint64_t pops;   ///< successful pops since construction
    std::uint64_t pushes; ///< pushes since construction
};

} // namespace audiopool

namespace audiopool::detail {

/// A free list's capacity: the template's constant, or (Capacity ==
/// dynamic) a value set by attach(). A FreeList derives from it and calls
/// capacity() wherever it needs the count, which for a static list compiles
/// to the constant it was.
template <std::size_t Capacity>
struct ListCapacity {
    static constexpr std::size_t capacity() noexcept { return Capacity; }
};
template <>
struct ListCapacity<dynamic> {
    constexpr std::size_t capacity() const noexcept { return capacity_; }
    /// No storage besides the list itself (a ring list hides this).
    static constexpr std::size_t storageBytes(std::size_t /*capacity*/) noexcept { return 0; }
    constexpr void attach(std::size_t capacity, std::byte* /*storage*/) noexcept {
        capacity_ = static_cast<std::uint32_t>(capacity);
    }

private:
    std::uint32_t capacity_ = 0;  // 0 until attached: every pop finds the list empty
};

/// Where a ring list's position p lands: slot p % Capacity for a static ring;
/// a dynamic ring has a power of two of slots (at least its capacity: a ring
/// never holds more than capacity entries, so the rest stay unused), so the
/// slot is a mask and the lap a shift instead of a division.
template <std::size_t Capacity>
struct RingGeometry {
    static constexpr std::uint32_t slotOf(std::uint64_t position) noexcept {
        return static_cast<std::uint32_t>(position % Capacity);
    }
    static constexpr std::uint64_t lapOf(std::uint64_t position) noexcept { return position / Capacity; }
};
template <>
struct RingGeometry<dynamic> {
    constexpr std::uint32_t slotOf(std::uint64_t position) const noexcept {
        return static_cast<std::uint32_t>(position & mask_);
    }
    constexpr std::uint64_t lapOf(std::uint64_t position) const noexcept { return position >> shift_; }
    /// Slots a ring of `capacity` has: the next power of two.
    static constexpr std::size_t slotsFor(std::size_t capacity) noexcept { return std::bit_ceil(capacity); }
    constexpr void setSlots(std::size_t capacity) noexcept {
        const std::size_t slots = slotsFor(capacity);
        mask_ = slots - 1;
        shift_ = static_cast<unsigned>(std::countr_zero(slots));
    }

private:
    std::uint64_t mask_ = 0;
    unsigned shift_ = 0;
};

/// The cells of a dynamic list's rings, in the pool's storage: made by
/// make() (their lifetime starts there, in attach's zeroed bytes) and
/// destroyed with the list, before the pool gives the storage back. (A plain
/// word's lifetime needs neither; an atomic the model checker substitutes
/// does.) One per list, beside its rings (which point into the cells): a
/// member of a static list's size, not an array element, so that a
/// constinit pool's arrays stay trivially destructible.
template <class Cell>
class RingCells {
public:
    constexpr RingCells() noexcept = default;
    RingCells(const RingCells&) = delete;
    RingCells& operator=(const RingCells&) = delete;
    RingCells(RingCells&&) = delete;
    RingCells& operator=(RingCells&&) = delete;
    ~RingCells() { std::destroy_n(cells_, count_); }

    /// Makes `count` cells at `storage` (once per list) and returns the first.
    Cell* make(std::byte* storage, std::size_t count) noexcept {
        cells_ = reinterpret_cast<Cell*>(storage);
        count_ = count;
        for (std::size_t i = 0; i < count; ++i) std::construct_at(cells_ + i);
        return cells_;
    }

private:
    Cell* cells_ = nullptr;
    std::size_t count_ = 0;
};

/// What a static list keeps instead of RingCells: nothing.
struct NoRingCells {};
/// A list's RingCells when its capacity is dynamic.
template <class Cell, std::size_t Capacity>
using RingCellsOf = std::conditional_t<Capacity == dynamic, RingCells<Cell>, NoRingCells>;

/// A ring's slots: inline for a static capacity, a pointer into the
/// list's RingCells for a dynamic one.
template <class Cell, std::size_t Capacity>
using RingSlots = std::conditional_t<Capacity == dynamic, Cell*, Cell[Capacity == dynamic ? 1 : Capacity]>;

/// Bytes rounded up to whole falseSharingRange blocks.
constexpr std::size_t wholeBlocks(std::size_t bytes) noexcept {
    return (bytes + falseSharingRange - 1) / falseSharingRange * falseSharingRange;
}

/// Stands for the pool's link accessor in the concept below.
template <class Link>
struct LinksArchetype {
    Link& operator[](std::uint32_t) const noexcept;
};

template <class F>
inline constexpr bool hasLink = requires { typename F::Link; };

/// The link a policy without `using Link` gets: nothing.
struct NoLink {};
/// F::Link, or NoLink: always a type, so the concept below never names
/// `typename F::Link` itself (clang 14 rejects that inside a disjunction's
/// nested requirement even when the other side holds).
template <class F>
struct LinkOf {
    using type = NoLink;
};
template <class F>
    requires requires { typename F::Link; }
struct LinkOf<F> {
    using type = typename F::Link;
};

/// pop() and push(index), or with `using Link`, pop(links) and push(index, links).
template <class F>
concept PopsAndPushes = requires(F& list, std::uint32_t index, LinksArchetype<typename LinkOf<F>::type> links) {
    requires hasLink<F> || requires {
        { list.pop() } noexcept -> std::same_as<Popped>;
        { list.push(index) } noexcept;
    };
    requires !hasLink<F> || requires {
        { list.pop(links) } noexcept -> std::same_as<Popped>;
        { list.push(index, links) } noexcept;
    };
};

} // namespace audiopool::detail

AUDIOPOOL_EXPORT namespace audiopool {

/// The constants every free list states, in one place, and no copying (a
/// free list lives inside its pool). A FreeList may derive from it; it adds no
/// state (an empty base).
template <Progress P, std::size_t MaxCapacity, bool CrossThread, ThreadRule Rule>
struct FreeListTraits {
    static constexpr Progress progress = P;
    static constexpr std::size_t maxCapacity = MaxCapacity;
    static constexpr bool crossThread = CrossThread;
    static constexpr ThreadRule threadRule = Rule;

    constexpr FreeListTraits() noexcept = default;
    ~FreeListTraits() = default;
    FreeListTraits(const FreeListTraits&) = delete;
    FreeListTraits& operator=(const FreeListTraits&) = delete;
};

/// The requirements on a policy's FreeList<Capacity>.
template <class F>
concept IndexFreeList = std::is_nothrow_default_constructible_v<F> && requires(const F& constList) {
    { F::progress } -> std::convertible_to<Progress>;
    { F::maxCapacity } -> std::convertible_to<std::size_t>;
    { F::crossThread } -> std::convertible_to<bool>;
    { constList.counts() } noexcept -> std::same_as<FreeListCounts>;
} && detail::PopsAndPushes<F>;

/// A free-list policy: a tag type whose FreeList<Capacity> is an IndexFreeList.
template <class P>
concept FreeListPolicy =
    requires { typename P::template FreeList<2>; } && IndexFreeList<typename P::template FreeList<2>>;

/// The atomics free list F is built on (StdAtomics unless it states its own).
template <class F>
struct AtomicsOfList {
    using type = StdAtomics;
};
template <class F>
    requires requires { typename F::Atomics; }
struct AtomicsOfList<F> {
    using type = typename F::Atomics;
};
/// The atomics free list F is built on, as a type (AtomicsOfList's `type`).
template <class F>
using atomicsOf = typename AtomicsOfList<F>::type;

/// The thread rule of free list F (ThreadRule::AnyThread unless it states one).
template <class F>
inline constexpr ThreadRule threadRuleOf = [] {
    if constexpr (requires { F::threadRule; }) return ThreadRule{F::threadRule};
    else return ThreadRule::AnyThread;
}();

} // namespace audiopool
