// audiopool/treiber.hpp — Treiber: a lock-free free list for any number of
// threads acquiring and releasing.
//
// Algorithm: a Treiber stack of indices. The head is ONE 64-bit atomic
//     bits  0..15  index of the top free slot (0xFFFF = empty)
//     bits 16..31  number of free slots
//     bits 32..63  version tag, +1 on every successful pop or push
// so a pop or push is one 64-bit compare-and-swap (no 16-byte CAS, no
// libatomic). The tag defeats ABA: a thread that read head and next, was
// pre-empted, and resumes after others popped and pushed the same index finds
// a different tag and retries. The new tag is always computed from the head
// value the CAS just (re)loaded, never from a stale copy.
//
// The links live apart from the sample storage in an array of 32-bit words
// accessed only through std::atomic_ref (relaxed): a pop may read the link of
// a slot another thread has just popped and is relinking; that read is a
// harmless stale value (the tag makes the CAS fail), but it must be atomic to
// be well defined. Links stay mapped for the pool's lifetime.
//
// Statistics cost nothing on the hot path: the free count rides in the head,
// and the tag counts operations. Only when the low 31 tag bits wrap (every
// 2^31 operations) does one thread add 1 to a separate half-wrap counter, from
// which counts() rebuilds exact 64-bit totals.
//
// Guarantee: lock-free, not wait-free. A pop or push retries only when another
// thread's pop or push succeeded in between.
#pragma once
#include "audiopool/config.hpp"
#include "audiopool/cache_line.hpp"
#include "audiopool/free_list.hpp"

namespace audiopool::detail {

/// Rebuilds the 64-bit operation count from the number of half-wraps a reader
/// saw (which may lag the head by one crossing) and the 32-bit tag.
constexpr std::uint64_t treiberOperations(std::uint64_t halfWrapsSeen, std::uint32_t tag) noexcept {
    const std::uint64_t tagHalf = tag >> 31;  // parity of the true half-wrap count
    const std::uint64_t halfWraps = halfWrapsSeen + (((halfWrapsSeen & 1u) != tagHalf) ? 1u : 0u);
    return (halfWraps << 31) | (tag & 0x7FFF'FFFFu);
}

/// The default hooks: none. Tests substitute a type whose static members run
/// at the named points (to force an interleaving); the empty calls compile to
/// nothing.
struct NoTreiberHooks {
    // inline: in a named module an in-class definition is not implicitly
    // inline, and the call would stay in every pop of the module build.
    static inline void beforePopCas(std::uint32_t /*index*/, std::uint32_t /*next*/) noexcept {}
};

} // namespace audiopool::detail

AUDIOPOOL_EXPORT namespace audiopool {

template <class Hooks = detail::NoTreiberHooks>
struct BasicTreiber {
    template <std::size_t Capacity>
    class FreeList {
        static_assert(Capacity >= 1, "audiopool::Treiber: Capacity must be at least 1");
        static_assert(Capacity <= 0xFFFE,
                      "audiopool::Treiber: Capacity must be at most 65534 (16-bit index in the head word)");
        static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
                      "audiopool::Treiber needs a lock-free 64-bit atomic");
        static_assert(std::atomic_ref<std::uint32_t>::is_always_lock_free,
                      "audiopool::Treiber needs lock-free 32-bit atomic links");

        static constexpr std::uint32_t nil = 0xFFFF;

        static constexpr std::uint64_t pack(std::uint32_t index, std::uint32_t free,
                                            std::uint32_t tag) noexcept {
            return std::uint64_t{index} | (std::uint64_t{free} << 16) | (std::uint64_t{tag} << 32);
        }
        static constexpr std::uint32_t indexOf(std::uint64_t h) noexcept { return h & 0xFFFFu; }
        static constexpr std::uint32_t freeOf(std::uint64_t h) noexcept { return (h >> 16) & 0xFFFFu; }
        static constexpr std::uint32_t tagOf(std::uint64_t h) noexcept {
            return static_cast<std::uint32_t>(h >> 32);
        }

    public:
        static constexpr Progress progress = Progress::LockFree;
        static constexpr std::size_t maxCapacity = 0xFFFE;
        static constexpr bool crossThread = true;

        constexpr FreeList() noexcept : head_(pack(0, Capacity, 0)) {
            for (std::uint32_t i = 0; i < Capacity; ++i) next_[i] = (i + 1 < Capacity) ? i + 1 : nil;
        }
        FreeList(const FreeList&) = delete;
        FreeList& operator=(const FreeList&) = delete;

        Popped pop() noexcept {
            // acquire: (1) synchronizes-with the release CAS in push (2) that
            // made this index the head, so the link we read next and the
            // samples the releasing thread wrote are visible to us.
            std::uint64_t head = head_.load(std::memory_order_acquire);
            for (;;) {
                const std::uint32_t index = indexOf(head);
                if (index == nil) return {Popped::none, static_cast<std::uint32_t>(Capacity)};
                // relaxed: may be stale if another thread popped `index`
                // meanwhile; then the tag has moved and the CAS below fails.
                const std::uint32_t next = std::atomic_ref(next_[index]).load(std::memory_order_relaxed);
                Hooks::beforePopCas(index, next);
                const std::uint32_t tag = tagOf(head) + 1;
                const std::uint64_t wanted = pack(next, freeOf(head) - 1, tag);
                // success acquire: same pairing as (1) for the value we replace;
                // failure acquire: the reloaded head is read as in (1).
                if (head_.compare_exchange_weak(head, wanted, std::memory_order_acquire,
                                                std::memory_order_acquire)) {
                    noteTag(tag);
                    return {index, static_cast<std::uint32_t>(Capacity - freeOf(wanted))};
                }
            }
        }

        void push(std::uint32_t index) noexcept {
            // relaxed: only used to link; the CAS validates it.
            std::uint64_t head = head_.load(std::memory_order_relaxed);
            for (;;) {
                // relaxed: published by the release CAS below; this slot is
                // ours until that CAS succeeds.
                std::atomic_ref(next_[index]).store(indexOf(head), std::memory_order_relaxed);
                const std::uint32_t tag = tagOf(head) + 1;
                const std::uint64_t wanted = pack(index, freeOf(head) + 1, tag);
                // (2) success release: publishes the link above and everything
                // the releasing thread wrote to the buffer, to the acquire in
                // pop (1). failure relaxed: we only relink and retry.
                if (head_.compare_exchange_weak(head, wanted, std::memory_order_release,
                                                std::memory_order_relaxed)) {
                    noteTag(tag);
                    return;
                }
            }
        }

        FreeListCounts counts() const noexcept {
            // acquire: (4) synchronizes-with the release increment (3), so the
            // head read below is no older than the crossing it counted; the
            // count can then lag the head by at most one crossing, which
            // treiberOperations corrects from the tag's top bit.
            const std::uint64_t halfWraps = halfWraps_.load(std::memory_order_acquire);
            const std::uint64_t head = head_.load(std::memory_order_acquire);
            const std::uint64_t operations = detail::treiberOperations(halfWraps, tagOf(head));
            const std::uint64_t inUse = Capacity - freeOf(head);
            return {freeOf(head), (operations + inUse) / 2, (operations - inUse) / 2};
        }

    private:
        void noteTag(std::uint32_t tag) noexcept {
            // (3) release: orders our CAS before the increment for readers (4).
            if ((tag & 0x7FFF'FFFFu) == 0) [[unlikely]]
                halfWraps_.fetch_add(1, std::memory_order_release);
        }

        alignas(cacheLineSize) std::atomic<std::uint64_t> head_;
        alignas(cacheLineSize) std::atomic<std::uint64_t> halfWraps_{0};
        alignas(cacheLineSize) std::uint32_t next_[Capacity]{};
    };
};

/// Lock-free free list; any number of threads may acquire and release.
using Treiber = BasicTreiber<>;

} // namespace audiopool
