// audiopool/free_list.hpp — the free-list policy concept.
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
// Optional: `std::uint32_t confirmInUse(std::uint32_t candidate) noexcept`,
// called on the acquiring thread when Popped::inUse would set a new high-water
// mark; a policy whose pop reports a stale upper bound (SpscRing) re-reads its
// state there and returns the exact number.
//
// The pool never pushes an index twice and never pushes an index it did not
// pop: it checks ownership itself (see pool.hpp), so a free list need not.
#pragma once
#include "audiopool/config.hpp"
#include "audiopool/progress.hpp"

AUDIOPOOL_EXPORT namespace audiopool {

/// What FreeList::pop returns.
struct Popped {
    static constexpr std::uint32_t none = 0xFFFF'FFFFu;
    /// The index taken from the free list, or `none` when the list was empty.
    std::uint32_t index;
    /// How many indices were out of the free list right after this pop, as
    /// seen by the popping thread (an upper bound where releases may not yet
    /// be visible to it; see confirmInUse).
    std::uint32_t inUse;
};

/// What FreeList::counts returns: the free-list state the statistics are
/// derived from, so the hot path keeps no separate counters.
struct FreeListCounts {
    std::size_t free;     ///< indices in the list now
    std::uint64_t pops;   ///< successful pops since construction
    std::uint64_t pushes; ///< pushes since construction
};

/// The requirements on a policy's FreeList<Capacity>.
template <class F>
concept IndexFreeList =
    std::is_nothrow_default_constructible_v<F> &&
    requires(F& list, const F& constList, std::uint32_t index) {
        { F::progress } -> std::convertible_to<Progress>;
        { F::maxCapacity } -> std::convertible_to<std::size_t>;
        { F::crossThread } -> std::convertible_to<bool>;
        { list.pop() } noexcept -> std::same_as<Popped>;
        { list.push(index) } noexcept;
        { constList.counts() } noexcept -> std::same_as<FreeListCounts>;
    };

/// A free-list policy: a tag type whose FreeList<Capacity> is an IndexFreeList.
template <class P>
concept FreeListPolicy = requires { typename P::template FreeList<2>; } &&
                         IndexFreeList<typename P::template FreeList<2>>;

} // namespace audiopool
