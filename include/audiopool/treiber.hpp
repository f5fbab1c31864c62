// audiopool/treiber.hpp — Treiber: a lock-free free list for any number of
// threads acquiring and releasing.
//
// Algorithm: a Treiber stack of indices. The head is ONE 64-bit atomic
//     bits  0..15  index of the top free slot (meaningless when none is free)
//     bits 16..31  number of slots out of the list ("used")
//     bits 32..    version tag (TagBits wide, 32 by default), +1 on every pop
// so a pop or push is one 64-bit compare-and-swap (no 16-byte CAS, no
// libatomic). The tag defeats ABA: a pop that read head and next, was
// pre-empted, and resumes after others popped and pushed the same index finds
// a different tag and retries. The new tag is always computed from the head
// value the CAS just (re)loaded, never from a stale copy.
//
// Only pops advance the tag. A push cannot suffer ABA: its CAS succeeds only
// if the head (top index and used count) is what it read, and then the link
// it wrote (that top) is right whatever happened in between. So the ABA
// window is 2^TagBits pops: a pop must stay pre-empted between its load and
// its CAS while other threads complete 2^32 pops (about 60 s of back-to-back
// uncontended acquire+release pairs on one core at the measured 13.9 ns a
// pair, docs/results/throughput-summary.csv), and resume
// exactly when the tag has come round. docs/guarantees.md gives the bound.
//
// The links are the pool's (the policy declares `using Link`): one 32-bit
// word in each buffer's own bookkeeping line, read and written only through
// the atomics' ref (std::atomic_ref, relaxed). A pop may read the link of a slot another thread
// has just popped and is relinking; that read is a harmless stale value (the
// tag makes the CAS fail), but it must be atomic to be well defined. Links
// stay mapped for the pool's lifetime.
//
// Zero is the initial state: index 0 on top, nothing used, tag 0, and a link
// stores `next - (index + 1)`, so an all-zero link array chains 0, 1, 2, ...
// A constinit pool therefore lives in .bss. Emptiness is the used count, so
// the last slot's link is never followed.
//
// Statistics cost nothing on the hot path: the used count rides in the head,
// and the tag counts pops. Only when the tag's low TagBits-1 bits wrap does
// one thread add 1 to a separate half-wrap counter, from which counts()
// rebuilds exact 64-bit totals; pushes are pops minus used.
//
// Guarantee: lock-free, not wait-free. A pop or push retries when another
// thread's pop or push changed the head between its load and its CAS, or when
// compare_exchange_weak fails spuriously (LL/SC hardware loses a reservation
// to an interrupt or a neighbouring write); neither needs another thread to
// make progress first, and some thread always completes.
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

namespace audiopool::detail {

/// Rebuilds the 64-bit pop count from the number of half-wraps a reader saw
/// (which may lag the head by one crossing) and the TagBits-wide tag.
template <unsigned TagBits = 32>
constexpr std::uint64_t treiberPops(std::uint64_t halfWrapsSeen, std::uint32_t tag) noexcept {
    constexpr unsigned halfBits = TagBits - 1;
    const std::uint64_t tagHalf = (tag >> halfBits) & 1u;  // parity of the true half-wrap count
    const std::uint64_t halfWraps = halfWrapsSeen + (((halfWrapsSeen & 1u) != tagHalf) ? 1u : 0u);
    return (halfWraps << halfBits) | (tag & ((std::uint64_t{1} << halfBits) - 1));
}

/// The default hooks: none. Tests substitute a type whose static members run
/// at the named points (to force an interleaving); the empty calls compile to
/// nothing. beforeHalfWrapCount is optional.
struct NoTreiberHooks {
    // inline: see config.hpp (module mode); the empty calls compile to nothing.
    static inline void beforePopCas(std::uint32_t /*index*/, std::uint32_t /*next*/) noexcept {}
    static inline void beforeHalfWrapCount() noexcept {}
};

} // namespace audiopool::detail

AUDIOPOOL_EXPORT namespace audiopool {

/// Treiber with test hooks, a tag width (tests narrow the tag to reach its
/// wrap-around in milliseconds) and the atomics it is built on (atomics.hpp;
/// the model checker substitutes its own). Use `audiopool::Treiber`.
template <class Hooks = detail::NoTreiberHooks, unsigned TagBits = 32, class AtomicsT = StdAtomics>
struct BasicTreiber {
    static_assert(TagBits >= 2 && TagBits <= 32, "audiopool::BasicTreiber: TagBits must be 2..32");
    /// The policy's name, for descriptions (PolicyName, fmt.hpp).
    static constexpr std::string_view name = "Treiber";

    template <std::size_t Capacity>
    class FreeList : public FreeListTraits<Progress::LockFree, 0xFFFE, true, ThreadRule::AnyThread>,
                     public detail::ListCapacity<Capacity> {
        static_assert(Capacity >= 1, "audiopool::Treiber: Capacity must be at least 1");
        static_assert(Capacity == dynamic || Capacity <= 0xFFFE,
                      "audiopool::Treiber: Capacity must be at most 65534 (16-bit index in the head word)");
        static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
                      "audiopool::Treiber needs a lock-free 64-bit atomic");
        static_assert(std::atomic_ref<std::uint32_t>::is_always_lock_free,
                      "audiopool::Treiber needs lock-free 32-bit atomic links");

        static constexpr std::uint32_t tagMask = static_cast<std::uint32_t>((std::uint64_t{1} << TagBits) - 1);
        static constexpr std::uint32_t halfWrapMask = tagMask >> 1;

        static constexpr std::uint64_t pack(std::uint32_t index, std::uint32_t used, std::uint32_t tag) noexcept {
            return std::uint64_t{index & 0xFFFFu} | (std::uint64_t{used} << 16) | (std::uint64_t{tag} << 32);
        }
        static constexpr std::uint32_t indexOf(std::uint64_t h) noexcept { return h & 0xFFFFu; }
        static constexpr std::uint32_t usedOf(std::uint64_t h) noexcept { return (h >> 16) & 0xFFFFu; }
        static constexpr std::uint32_t tagOf(std::uint64_t h) noexcept { return static_cast<std::uint32_t>(h >> 32); }
        // A link stores next - (index + 1) (modulo 2^32; pack keeps the low
        // 16 bits), so zero links chain 0, 1, 2, ...
        static constexpr std::uint32_t decodeLink(std::uint32_t index, std::uint32_t link) noexcept {
            return index + 1 + link;
        }
        static constexpr std::uint32_t encodeLink(std::uint32_t index, std::uint32_t next) noexcept {
            return next - (index + 1);
        }

    public:
        using Atomics = AtomicsT;
        /// Each buffer's next-free link, kept by the pool in the buffer's own
        /// line: a 32-bit word read and written atomically in place.
        using Link = typename Atomics::template Cell<std::uint32_t>;

        /// Takes the top index. Thread: any. Progress: lock-free. Allocates: no.
        template <class Links>
        Popped pop(Links links) noexcept AUDIOPOOL_NONBLOCKING {
            // (1) acquire: synchronizes-with the release CAS (2) in push that
            // made this index the head, so its link and the samples the
            // releasing thread wrote are visible to us.
            std::uint64_t head = head_.load(std::memory_order_acquire);
            for (;;) {
                const std::uint32_t used = usedOf(head);
                if (used == this->capacity()) return {Popped::none, used};
                const std::uint32_t index = indexOf(head);
                // relaxed: may be stale if another thread popped `index`
                // meanwhile; then the tag has moved and the CAS below fails.
                const std::uint32_t next =
                    decodeLink(index, Atomics::ref(links[index]).load(std::memory_order_relaxed));
                Hooks::beforePopCas(index, next);
                const std::uint32_t tag = (tagOf(head) + 1) & tagMask;
                const std::uint64_t wanted = pack(next, used + 1, tag);
                // success acquire: the same pairing as (1) for the head we
                // replace; failure acquire: the reloaded head is read as in (1).
                if (head_.compare_exchange_weak(head, wanted, std::memory_order_acquire, std::memory_order_acquire)) {
                    if ((tag & halfWrapMask) == 0) [[unlikely]]
                        countHalfWrap();
                    return {index, used + 1};
                }
            }
        }

        /// Puts an index on top. Thread: any. Progress: lock-free. Allocates: no.
        template <class Links>
        void push(std::uint32_t index, Links links) noexcept AUDIOPOOL_NONBLOCKING {
            // relaxed: only used to link; the CAS validates it.
            std::uint64_t head = head_.load(std::memory_order_relaxed);
            for (;;) {
                // relaxed: published by the release CAS below; this slot is
                // ours until that CAS succeeds.
                Atomics::ref(links[index]).store(encodeLink(index, indexOf(head)), std::memory_order_relaxed);
                // The tag stays: pushes cannot suffer ABA (see the top).
                const std::uint64_t wanted = pack(index, usedOf(head) - 1, tagOf(head));
                // (2) success release: publishes the link above and everything
                // the releasing thread wrote to the buffer, to the acquire in
                // pop (1). failure relaxed: we only relink and retry.
                if (head_.compare_exchange_weak(head, wanted, std::memory_order_release, std::memory_order_relaxed))
                    return;
            }
        }

        /// Takes up to `wanted` indices from the top in one compare-and-swap
        /// (a thread cache's refill, cache.hpp) into `out`, top first; returns
        /// how many (0 when the list is empty) and the used count after.
        /// The tag advances by the number taken, so the pop count stays exact
        /// and the ABA argument is the single pop's: a head that compares
        /// equal with its tag saw no pop in between, so the links followed
        /// below it (of indices still in the list) are the ones in place.
        /// At most 2^(TagBits-1) are taken, so one call crosses at most one
        /// half-wrap (counts() corrects a lag of one crossing, no more).
        /// Thread: any. Progress: lock-free. Allocates: no.
        template <class Links>
        PoppedBatch popBatch(Links links, std::uint32_t* out, std::uint32_t wanted) noexcept AUDIOPOOL_NONBLOCKING {
            wanted = std::min<std::uint32_t>(wanted, halfWrapMask + 1);
            // (5) acquire: as (1), for the head and every link below it that
            // the push (2) or pushBatch (6) that made it the head published.
            std::uint64_t head = head_.load(std::memory_order_acquire);
            for (;;) {
                const std::uint32_t used = usedOf(head);
                const std::uint32_t count = std::min<std::uint32_t>(wanted, this->capacity() - used);
                if (count == 0) return {0, used};
                std::uint32_t index = indexOf(head);
                for (std::uint32_t i = 0;; ++i) {
                    out[i] = index;
                    // relaxed: as in pop; a stale link means the tag moved and the CAS fails.
                    index = decodeLink(index, Atomics::ref(links[index]).load(std::memory_order_relaxed)) & 0xFFFFu;
                    if (i + 1 == count) break;
                    // A stale chain can name any index: keep the walk inside
                    // the links until the CAS below refuses it.
                    if (index >= this->capacity()) index = 0;
                }
                Hooks::beforePopCas(out[0], index);  // as pop's: a test may hold the batch's window open here
                const std::uint32_t oldTag = tagOf(head);
                const std::uint32_t tag = (oldTag + count) & tagMask;
                const std::uint64_t wanted64 = pack(index, used + count, tag);
                // success and failure acquire: as in pop (1).
                if (head_.compare_exchange_weak(head, wanted64, std::memory_order_acquire, std::memory_order_acquire)) {
                    if ((oldTag & halfWrapMask) + count > halfWrapMask) [[unlikely]]
                        countHalfWrap();
                    return {count, used + count};
                }
            }
        }

        /// Puts `count` indices (at least 1) on top in one compare-and-swap,
        /// `indices[0]` on top (a thread cache's flush, cache.hpp). The
        /// indices are the caller's: linking them to each other needs no
        /// atomicity against other threads, only the last one's link to the
        /// old head is redone on a retry.
        /// Thread: any. Progress: lock-free. Allocates: no.
        template <class Links>
        void pushBatch(const std::uint32_t* indices, std::uint32_t count, Links links) noexcept AUDIOPOOL_NONBLOCKING {
            for (std::uint32_t i = 0; i + 1 < count; ++i)
                // relaxed: published by the release CAS (6).
                Atomics::ref(links[indices[i]])
                    .store(encodeLink(indices[i], indices[i + 1]), std::memory_order_relaxed);
            const std::uint32_t last = indices[count - 1];
            // relaxed: only used to link; the CAS validates it.
            std::uint64_t head = head_.load(std::memory_order_relaxed);
            for (;;) {
                // relaxed: published by the release CAS (6).
                Atomics::ref(links[last]).store(encodeLink(last, indexOf(head)), std::memory_order_relaxed);
                const std::uint64_t wanted = pack(indices[0], usedOf(head) - count, tagOf(head));
                // (6) success release: publishes every link above and the
                // buffers' contents to the acquire in pop (1) or popBatch (5).
                if (head_.compare_exchange_weak(head, wanted, std::memory_order_release, std::memory_order_relaxed))
                    return;
            }
        }

        /// Thread: any. Progress: wait-free. Allocates: no.
        FreeListCounts counts() const noexcept AUDIOPOOL_NONBLOCKING {
            // (4) acquire: synchronizes-with the release increment (3), so the
            // head read below is no older than the crossing it counted; the
            // count can then lag the head by at most one crossing, which
            // treiberPops corrects from the tag's top bit.
            const std::uint64_t halfWraps = halfWraps_.load(std::memory_order_acquire);
            // relaxed: (4) already keeps this read after the crossing, and
            // nothing is read after it (the model check found no need for more).
            const std::uint64_t head = head_.load(std::memory_order_relaxed);
            const std::uint64_t pops = detail::treiberPops<TagBits>(halfWraps, tagOf(head));
            const std::uint32_t used = usedOf(head);
            return {this->capacity() - used, pops, pops - used};
        }

    private:
        void countHalfWrap() noexcept {
            if constexpr (requires { Hooks::beforeHalfWrapCount(); }) Hooks::beforeHalfWrapCount();
            // (3) release: orders our CAS before the increment for readers (4).
            halfWraps_.fetch_add(1, std::memory_order_release);
        }

        // Both on one line with the pool's high-water mark (pool.hpp): a pop
        // touches this line and the popped buffer's own line, nothing else.
        typename Atomics::template Atomic<std::uint64_t> head_{0};
        typename Atomics::template Atomic<std::uint64_t> halfWraps_{0};
    };
};

/// Lock-free free list; any number of threads may acquire and release.
using Treiber = BasicTreiber<>;

} // namespace audiopool
