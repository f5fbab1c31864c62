// audiopool/object_pool.hpp — ObjectPool: a fixed set of slots for objects
// of one type (synth voices, notes, events, grains), constructed in place and
// destroyed when their last handle goes, without allocating, locking or
// blocking.
//
// It is the buffer pool's machinery with an object where the samples were:
// the same free-list policies (free_list.hpp: Treiber, SpscRing, IndexStack,
// OwnerThread, or a user's), the same ownership word per slot (a double,
// stale, made-up or foreign release of a detached object is reported through
// misuse.hpp and never reaches the free list), the same statistics (Stats),
// thread checks (thread_check.hpp) and atomics seam (atomics.hpp).
//
// Layout. Each object lives in a Slot: the slot's bookkeeping (ownership
// word, detach generation, the free list's link if the policy has one), then
// the object, the whole rounded up to falseSharingRange bytes (sample.hpp),
// or to T's own alignment when that is larger. So what one object's owner
// writes never shares a cache line (or a prefetched pair) with what another
// object's owner writes. The cost is the padding: a slot takes
// sizeof(Slot) = the bookkeeping and the object rounded up to a whole
// falseSharingRange block (ObjectPool::slotBytes). The free list's hot state
// and the high-water mark come next, on their own line; the counters written
// only on failure paths and the thread bindings last.
//
// A static pool (Capacity a number) keeps its slots inline: the constructor
// is constexpr and the initial state all zero bits, so a `constinit` pool
// lives in .bss. A pool with Capacity == audiopool::dynamic has no slots
// until prepare(capacity) allocates them, in one block, from a
// std::pmr::memory_resource.
//
// ASan builds poison a destroyed object's bytes until a make takes its slot
// again (poison.hpp's scheme), so a use through a kept pointer is reported.
//
// Destruction: an object is destroyed by whichever thread drops its last
// handle (or releases it detached), right there, so T's destructor must be
// noexcept and should be cheap; an object that frees memory belongs with a
// Retirer (retirer.hpp), which destroys it on a collecting thread.
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <memory_resource>
#include <new>
#include <type_traits>
#include <utility>
#endif
#include "audiopool/detach_words.hpp"
#include "audiopool/free_list.hpp"
#include "audiopool/handles.hpp"
#include "audiopool/maybe_atomic.hpp"
#include "audiopool/misuse.hpp"
#include "audiopool/poison.hpp"
#include "audiopool/pool.hpp"
#include "audiopool/sample.hpp"
#include "audiopool/sizes.hpp"
#include "audiopool/thread_check.hpp"
#include "audiopool/treiber.hpp"

namespace audiopool::detail {

/// A static object pool's slots: inline, all zero bits (.bss).
template <class Slot, std::size_t Capacity>
class InlineObjectSlots {
public:
    constexpr InlineObjectSlots() noexcept = default;
    static constexpr std::size_t capacity() noexcept { return Capacity; }
    inline Slot* base() noexcept { return slots_; }
    inline const Slot* base() const noexcept { return slots_; }

#if AUDIOPOOL_HAS_ASAN
    /// ASan builds only: unpoisons the destroyed objects' bytes, so that the
    /// memory is not left poisoned for whatever uses it next (as
    /// InlineBuffers does). Without ASan the destructor stays implicit.
    constexpr ~InlineObjectSlots() {
        if (!std::is_constant_evaluated()) unpoisonSamples(slots_, sizeof(slots_));
    }
#endif

private:
    Slot slots_[Capacity]{};
};

/// A dynamic object pool's slots: one block from a memory_resource, the
/// free list's storage after the slots (free_list.hpp, "Dynamic capacity").
template <class Slot>
class AllocatedObjectSlots {
public:
    constexpr AllocatedObjectSlots() noexcept = default;
    AllocatedObjectSlots(const AllocatedObjectSlots&) = delete;
    AllocatedObjectSlots& operator=(const AllocatedObjectSlots&) = delete;
    AllocatedObjectSlots(AllocatedObjectSlots&&) = delete;
    AllocatedObjectSlots& operator=(AllocatedObjectSlots&&) = delete;
    /// Gives the block back (every object must be back, as for any pool's end).
    ~AllocatedObjectSlots() { swapIn(Block{}); }

    inline std::size_t capacity() const noexcept { return block_.capacity; }
    inline Slot* base() noexcept { return block_.slots; }
    inline const Slot* base() const noexcept { return block_.slots; }
    std::pmr::memory_resource* resource() const noexcept { return block_.resource; }
    /// The free list's storage in the current block.
    std::byte* listStorage() noexcept {
        return block_.slots == nullptr ? nullptr : reinterpret_cast<std::byte*>(block_.slots + block_.capacity);
    }

    /// A block and where it came from.
    struct Block {
        Slot* slots = nullptr;  // `raw` rounded up to alignof(Slot)
        void* raw = nullptr;    // what the resource returned
        std::size_t size = 0;   // what was asked of the resource
        std::size_t capacity = 0;
        std::pmr::memory_resource* resource = nullptr;
    };

    /// A zeroed block of `capacity` slots (their bookkeeping constructed)
    /// and `listBytes` for the free list; empty when the byte count would
    /// not fit in half the address space, or the resource fails (an
    /// exception it throws is caught here) or returns null or memory not
    /// aligned as asked. It asks at alignof(max_align_t), what every
    /// resource serves, and aligns the slots inside. Off the audio thread.
    static Block allocate(std::size_t capacity, std::size_t listBytes, std::pmr::memory_resource* resource) noexcept {
        constexpr std::size_t most = std::numeric_limits<std::size_t>::max() / 2;
        if (capacity > most / sizeof(Slot) || listBytes > most - capacity * sizeof(Slot)) return {};
        Block block{nullptr, nullptr, capacity * sizeof(Slot) + wholeBlocks(listBytes) + alignof(Slot), capacity,
                    resource};
        void* memory = nullptr;
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
        try {
            memory = resource->allocate(block.size, requestAlignment);
        } catch (...) {
            return {};
        }
#else
        memory = resource->allocate(block.size, requestAlignment);
#endif
        // Through a volatile: allocate() is declared to return non-null,
        // aligned memory, so a plain test could be dropped (as in
        // AllocatedBuffers::allocate).
        const volatile std::uintptr_t address = reinterpret_cast<std::uintptr_t>(memory);
        if (address == 0) return {};
        if (address % requestAlignment != 0) {
            deallocate(memory, block);
            return {};
        }
        block.raw = memory;
        std::memset(memory, 0, block.size);  // also touches every page: prefaulted
        auto* first = static_cast<std::byte*>(memory) + (alignof(Slot) - address % alignof(Slot)) % alignof(Slot);
        block.slots = reinterpret_cast<Slot*>(first);
        for (std::size_t i = 0; i < capacity; ++i) std::construct_at(block.slots + i);
        return block;
    }

    /// Makes `block` the pool's and gives back the one it had. The new
    /// slots' detach generations start past every one the old block gave
    /// out, so a detached object kept from before is refused as stale.
    /// Off the audio thread, while no other thread uses the pool.
    void swapIn(Block block) noexcept {
        const Block old = block_;
        block_ = block;
        if (old.slots != nullptr) {
            for (std::size_t i = 0; i < old.capacity; ++i) {
                // relaxed: no other thread uses the pool now (prepare()'s rule).
                generationBase_ = generationBaseAfter(generationBase_,
                                                      old.slots[i].fields.generation.load(std::memory_order_relaxed));
                std::destroy_at(old.slots + i);
            }
            unpoisonSamples(old.raw, old.size);  // ASan builds: the resource may reuse the memory
            deallocate(old.raw, old);
        }
        for (std::size_t i = 0; i < block.capacity; ++i)
            // relaxed: as above; the block reaches the audio thread by whatever lets it use the pool.
            block.slots[i].fields.generation.store(generationBase_, std::memory_order_relaxed);
    }

private:
    static constexpr std::size_t requestAlignment = alignof(std::max_align_t);

    static void deallocate(void* memory, const Block& block) noexcept {
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
        try {
            block.resource->deallocate(memory, block.size, requestAlignment);
        } catch (...) {  // NOLINT(bugprone-empty-catch): a deallocate that throws loses that memory, nothing else
        }
#else
        block.resource->deallocate(memory, block.size, requestAlignment);
#endif
    }

    Block block_{};
    std::uint32_t generationBase_ = 0;  // where the next block's detach generations start
};

} // namespace audiopool::detail

AUDIOPOOL_EXPORT namespace audiopool {

/// A pool of Capacity objects of type T, handed out by Policy's free list
/// (Treiber unless named; free_list.hpp). make() constructs a T in a free
/// slot and returns a Unique handle; the object is destroyed, and its slot
/// given back, when its last handle goes. Capacity may be
/// audiopool::dynamic: then the pool has no slots until prepare().
/// Storage inline for a static Capacity, constructor constexpr: a pool can be
/// `constinit`. Every object must be back before the pool's end (as every
/// buffer before a Pool's): the pool's destructor destroys no object.
template <class T, std::size_t Capacity, FreeListPolicy Policy = Treiber>
class ObjectPool {  // NOLINT(cppcoreguidelines-special-member-functions): no copy or move; the destructor is implicit
    static_assert(std::is_object_v<T> && !std::is_const_v<T> && !std::is_volatile_v<T> && !std::is_array_v<T>,
                  "audiopool::ObjectPool: T must be a non-const, non-array object type");
    static_assert(std::is_nothrow_destructible_v<T>,
                  "audiopool::ObjectPool: T's destructor must be noexcept (it runs on the thread that drops the "
                  "last handle, often the audio thread; send objects that free memory to a Retirer)");
    static_assert(Capacity >= 1, "audiopool::ObjectPool: Capacity must be at least 1");

    static constexpr bool prepares = Capacity == dynamic;
    using FreeList = typename Policy::template FreeList<Capacity>;
    static_assert(prepares || Capacity <= FreeList::maxCapacity,
                  "audiopool::ObjectPool: Capacity is beyond what this policy's index can address");
    static_assert(
        !prepares || requires(FreeList& list, std::byte* storage) {
            { FreeList::storageBytes(std::size_t{}) } noexcept -> std::convertible_to<std::size_t>;
            { list.attach(std::size_t{}, storage) } noexcept;
        }, "audiopool::ObjectPool: this policy has no dynamic capacity (FreeList<audiopool::dynamic>: free_list.hpp)");
    using Atomics = atomicsOf<FreeList>;
    static_assert(!FreeList::crossThread || std::atomic<std::uint64_t>::is_always_lock_free,
                  "audiopool::ObjectPool: a pool shared between threads needs lock-free 64-bit atomics");

    // A slot's ownership word, as Pool's: 1..n = live handles (a Unique
    // holds 1), detachedBit | generation = out of any handle
    // (Unique::detach); in the free list 1 (given back by a Unique, which
    // leaves the word as it was) or 0 (by the last Shared or
    // release(Detached)). No value a free slot holds matches a Detached.
    static constexpr std::uint32_t detachedBit = detail::detachedBit;
    using Word = detail::MaybeAtomic<std::uint32_t, FreeList::crossThread, Atomics>;
    using Link = typename detail::LinkOf<FreeList>::type;
    static constexpr bool linked = !std::is_same_v<Link, detail::NoLink>;

    /// A slot's bookkeeping, before its object.
    struct Fields {
        Word ownership{};
        /// The generation the slot's next Detached carries (as Pool's).
        Word generation{};
        [[no_unique_address]] Link link{};
    };
    /// One object and its bookkeeping, a whole number of falseSharingRange
    /// blocks (or of T's alignment when larger).
    struct alignas(alignof(T) > falseSharingRange ? alignof(T) : falseSharingRange) Slot {
        Fields fields{};
        alignas(T) std::byte object[sizeof(T)]{};
    };
    using Slots = std::conditional_t<prepares, detail::AllocatedObjectSlots<Slot>,
                                     detail::InlineObjectSlots<Slot, prepares ? 1 : Capacity>>;

    /// The slots as a free list's links (free_list.hpp, `using Link`).
    struct Links {
        Slot* slots;
        inline Link& operator[](std::uint32_t index) const noexcept { return slots[index].fields.link; }
    };

    /// Whether a make from Args may run T's constructor: it cannot throw,
    /// or the making thread may give the slot back if it does (every rule
    /// but SpscRing's, whose one releasing thread is another).
    template <class... Args>
    static constexpr bool givesBackOnThrow =
        std::is_nothrow_constructible_v<T, Args&&...> || threadRuleOf<FreeList> != ThreadRule::OneAcquirerOneReleaser;

    static T* objectIn(Slot* slot) noexcept { return std::launder(reinterpret_cast<T*>(slot->object)); }

public:
    using Object = T;
    using PolicyType = Policy;
    class Shared;

    /// Move-only owner of one pooled object: destroys it and gives its slot
    /// back when destroyed, reset() or assigned to. Two words (pool, slot).
    class Unique {
    public:
        /// An empty handle. Thread: any. Progress: wait-free. Allocates: no.
        constexpr Unique() noexcept = default;
        /// Takes the object over; `that` becomes empty.
        /// Thread: the holder. Progress: wait-free. Allocates: no.
        Unique(Unique&& that) noexcept AUDIOPOOL_NONBLOCKING : pool_(std::exchange(that.pool_, nullptr)),
                                                               slot_(std::exchange(that.slot_, nullptr)) {}
        /// Destroys the object held (as reset()), then takes `that`'s over.
        /// Thread: a thread that may release. Progress: ObjectPool::progress. Allocates: no.
        Unique& operator=(Unique&& that) noexcept AUDIOPOOL_NONBLOCKING {
            if (this != &that) {
                reset();
                pool_ = std::exchange(that.pool_, nullptr);
                slot_ = std::exchange(that.slot_, nullptr);
            }
            return *this;
        }
        Unique(const Unique&) = delete;
        Unique& operator=(const Unique&) = delete;
        /// Destroys the object and gives its slot back (as reset()).
        /// Thread: a thread that may release. Progress: ObjectPool::progress. Allocates: no.
        ~Unique() AUDIOPOOL_NONBLOCKING { reset(); }

        /// Whether the handle holds an object.
        /// Thread: the holder. Progress: wait-free. Allocates: no.
        explicit operator bool() const noexcept AUDIOPOOL_NONBLOCKING { return slot_ != nullptr; }
        /// The object (nullptr for an empty handle). Constness is shallow, as std::unique_ptr's.
        /// Thread: the holder. Progress: wait-free. Allocates: no.
        T* get() const noexcept AUDIOPOOL_NONBLOCKING { return slot_ ? objectIn(slot_) : nullptr; }
        /// The object's members (the handle must hold one).
        /// Thread: the holder. Progress: wait-free. Allocates: no.
        T* operator->() const noexcept AUDIOPOOL_NONBLOCKING { return objectIn(slot_); }
        /// The object (the handle must hold one).
        /// Thread: the holder. Progress: wait-free. Allocates: no.
        T& operator*() const noexcept AUDIOPOOL_NONBLOCKING { return *objectIn(slot_); }

        /// Destroys the object now (on this thread) and gives its slot back;
        /// the handle becomes empty.
        /// Thread: a thread that may release (ObjectPool::threadRule).
        /// Progress: T's destructor, then ObjectPool::progress (a push). Allocates: no.
        void reset() noexcept AUDIOPOOL_NONBLOCKING {
            if (slot_) {
                pool_->releaseUnique(slot_);
                pool_ = nullptr;
                slot_ = nullptr;
            }
        }

        /// Ends this handle's ownership without destroying the object: the
        /// pool counts it in use until ObjectPool::release(detached) (which
        /// destroys it) or ObjectPool::adopt(detached). The Detached's
        /// channels and frames are 0. An empty handle gives an empty Detached.
        /// Thread: the holder. Progress: wait-free (two stores). Allocates: no.
        Detached detach() noexcept AUDIOPOOL_NONBLOCKING {
            if (!slot_) return {};
            const std::uint32_t index = pool_->indexOf(slot_);
            const Detached d{pool_, index, 0, 0, pool_->markDetached(*slot_)};
            pool_ = nullptr;
            slot_ = nullptr;
            return d;
        }

    private:
        friend class ObjectPool;
        friend class Shared;
        Unique(ObjectPool* owner, Slot* slot) noexcept AUDIOPOOL_NONBLOCKING : pool_(owner), slot_(slot) {}

        ObjectPool* pool_ = nullptr;
        Slot* slot_ = nullptr;
    };

    /// Copyable, reference-counted owner of one pooled object: the last
    /// copy to go destroys it and gives its slot back. Two words (pool,
    /// slot); the count is in the slot, atomic when ObjectPool::crossThread.
    class Shared {
    public:
        /// An empty handle. Thread: any. Progress: wait-free. Allocates: no.
        constexpr Shared() noexcept = default;
        /// Takes over a Unique's object (its count becomes 1).
        /// Thread: the holder. Progress: wait-free. Allocates: no.
        // `owned` is emptied here, which is what a move of it would do.
        // NOLINTNEXTLINE(cppcoreguidelines-rvalue-reference-param-not-moved)
        Shared(Unique&& owned) noexcept AUDIOPOOL_NONBLOCKING : pool_(std::exchange(owned.pool_, nullptr)),
                                                                slot_(std::exchange(owned.slot_, nullptr)) {}
        /// One more reference to the same object.
        /// Thread: any thread holding `that` (IndexStack: the pool's thread).
        /// Progress: wait-free (one relaxed increment). Allocates: no.
        Shared(const Shared& that) noexcept AUDIOPOOL_NONBLOCKING : pool_(that.pool_), slot_(that.slot_) {
            if (slot_) ObjectPool::addReference(*slot_);
        }
        /// Takes the reference over; `that` becomes empty.
        /// Thread: the holder. Progress: wait-free. Allocates: no.
        Shared(Shared&& that) noexcept AUDIOPOOL_NONBLOCKING : pool_(std::exchange(that.pool_, nullptr)),
                                                               slot_(std::exchange(that.slot_, nullptr)) {}
        /// Drops the reference held (as reset()), then shares `that`'s object.
        /// Thread: a thread that may release. Progress: as reset(). Allocates: no.
        Shared& operator=(const Shared& that) noexcept AUDIOPOOL_NONBLOCKING {
            if (this != &that) {
                if (that.slot_) ObjectPool::addReference(*that.slot_);
                reset();
                pool_ = that.pool_;
                slot_ = that.slot_;
            }
            return *this;
        }
        /// Drops the reference held (as reset()), then takes `that`'s over.
        /// Thread: a thread that may release. Progress: as reset(). Allocates: no.
        Shared& operator=(Shared&& that) noexcept AUDIOPOOL_NONBLOCKING {
            if (this != &that) {
                reset();
                pool_ = std::exchange(that.pool_, nullptr);
                slot_ = std::exchange(that.slot_, nullptr);
            }
            return *this;
        }
        /// Drops the reference (as reset()).
        /// Thread: a thread that may release. Progress: as reset(). Allocates: no.
        ~Shared() AUDIOPOOL_NONBLOCKING { reset(); }

        /// Whether the handle holds an object.
        /// Thread: the holder. Progress: wait-free. Allocates: no.
        explicit operator bool() const noexcept AUDIOPOOL_NONBLOCKING { return slot_ != nullptr; }
        /// The object (nullptr for an empty handle). Shared by every copy:
        /// what several threads do to it is theirs to synchronise.
        /// Thread: the holder. Progress: wait-free. Allocates: no.
        T* get() const noexcept AUDIOPOOL_NONBLOCKING { return slot_ ? objectIn(slot_) : nullptr; }
        /// The object's members (the handle must hold one).
        /// Thread: the holder. Progress: wait-free. Allocates: no.
        T* operator->() const noexcept AUDIOPOOL_NONBLOCKING { return objectIn(slot_); }
        /// The object (the handle must hold one).
        /// Thread: the holder. Progress: wait-free. Allocates: no.
        T& operator*() const noexcept AUDIOPOOL_NONBLOCKING { return *objectIn(slot_); }

        /// Drops this handle's reference now; the last one destroys the
        /// object (on this thread) and gives its slot back.
        /// Thread: any holder; where the last one may drop, a thread that may
        /// release (ObjectPool::threadRule). Progress: wait-free decrement,
        /// then for the last one T's destructor and ObjectPool::progress (a
        /// push). Allocates: no.
        void reset() noexcept AUDIOPOOL_NONBLOCKING {
            if (slot_) {
                pool_->dropReference(slot_);
                pool_ = nullptr;
                slot_ = nullptr;
            }
        }

        /// The number of Shared handles to this object (0 for an empty
        /// handle). Another thread may change it at any moment.
        /// Thread: the holder. Progress: wait-free. Allocates: no.
        std::size_t useCount() const noexcept AUDIOPOOL_NONBLOCKING {
            // relaxed: a snapshot.
            return slot_ ? slot_->fields.ownership.load(std::memory_order_relaxed) : 0;
        }

    private:
        ObjectPool* pool_ = nullptr;
        Slot* slot_ = nullptr;
    };

    /// Whether the capacity is set by prepare() (Capacity is audiopool::dynamic).
    static constexpr bool dynamicCapacity = prepares;
    /// Bytes each object's slot takes: its bookkeeping and the object,
    /// rounded up to whole falseSharingRange blocks (or T's alignment).
    static constexpr std::size_t slotBytes = sizeof(Slot);
    /// The progress guarantee of make and release.
    static constexpr Progress progress = FreeList::progress;
    /// Whether handles may be released (objects destroyed) on another thread than the making one.
    static constexpr bool crossThread = FreeList::crossThread;
    /// Which threads may make and release (checked without NDEBUG).
    static constexpr ThreadRule threadRule = threadRuleOf<FreeList>;
    /// The largest capacity the policy can index (prepare()'s limit).
    static constexpr std::size_t maxCapacity = FreeList::maxCapacity;

    /// Every slot free. constexpr, so a pool can be `constinit`; its state is
    /// all zero bits (.bss). A dynamic pool has no slots until prepare().
    /// Thread: any, before any other use. Allocates: no.
    constexpr ObjectPool() noexcept = default;
    ObjectPool(const ObjectPool&) = delete;
    ObjectPool& operator=(const ObjectPool&) = delete;

    /// Constructs a T from `args` in a free slot and returns its handle;
    /// an empty handle, counted in Stats::failedAcquisitions, when every
    /// slot is taken (or a dynamic pool is not prepared). If T's constructor
    /// throws, the slot goes back (counted as one acquisition and one
    /// release) and the exception propagates: on the audio thread, use
    /// noexcept constructors (make() is then noexcept and nonblocking).
    /// SpscRing takes only a noexcept constructor: its making thread may
    /// not give a slot back (one other thread releases).
    /// Thread: per ObjectPool::threadRule (Treiber any; SpscRing and
    /// OwnerThread the making thread; IndexStack the pool's thread).
    /// Progress: ObjectPool::progress, then T's constructor. Allocates: no
    /// (unless T's constructor does).
    template <class... Args>
        requires givesBackOnThrow<Args...>
    [[nodiscard]] Unique make(Args&&... args) noexcept(std::is_nothrow_constructible_v<T, Args&&...>)
        AUDIOPOOL_NONBLOCKING_IF(std::is_nothrow_constructible_v<T, Args&&...>) {
        static_assert(std::is_constructible_v<T, Args&&...>, "audiopool::ObjectPool::make: no such constructor of T");
        Slot* const slot = take();
        if (slot == nullptr) [[unlikely]]
            return {};
        if constexpr (std::is_nothrow_constructible_v<T, Args&&...>) {
            std::construct_at(reinterpret_cast<T*>(slot->object), std::forward<Args>(args)...);
        } else {
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
            try {
                std::construct_at(reinterpret_cast<T*>(slot->object), std::forward<Args>(args)...);
            } catch (...) {
                giveBack(slot);  // the word stays 1, as after a Unique's release
                throw;
            }
#else
            std::construct_at(reinterpret_cast<T*>(slot->object), std::forward<Args>(args)...);
#endif
        }
        return Unique(this, slot);
    }

    /// As make(), as a Shared handle (use count 1).
    /// Thread, progress, allocation: as make().
    template <class... Args>
        requires givesBackOnThrow<Args...>
    [[nodiscard]] Shared makeShared(Args&&... args) noexcept(std::is_nothrow_constructible_v<T, Args&&...>)
        AUDIOPOOL_NONBLOCKING_IF(std::is_nothrow_constructible_v<T, Args&&...>) {
        return Shared(make(std::forward<Args>(args)...));
    }

    /// Destroys an object that Unique::detach() took out of its handle and
    /// gives its slot back. Returns false, and reports the misuse as Pool
    /// does, when it is not the current detachment of an object of this pool
    /// (already released or adopted: DoubleRelease; stale, from an earlier
    /// detachment: DoubleRelease; owned by a live handle: NotDetached;
    /// another pool's: ForeignRelease; index out of range: IndexOutOfRange);
    /// nothing is destroyed then and the free list is not touched.
    /// Thread: a thread that may release (ObjectPool::threadRule). Progress:
    /// one compare-and-swap (retried only on a spurious failure) and two
    /// stores, T's destructor, then ObjectPool::progress. Allocates: no.
    bool release(const Detached& detached) noexcept AUDIOPOOL_NONBLOCKING {
        if (!claimDetached(detached, 0)) return false;
        Slot* const slot = slots_.base() + detached.index;
        std::destroy_at(objectIn(slot));
        giveBack(slot);
        return true;
    }

    /// Puts a detached object back under a Unique handle (same checks and
    /// reports as release(); an empty handle when refused).
    /// Thread: any (the new holder). Progress: wait-free (one
    /// compare-and-swap, retried only on a spurious failure, and two stores).
    /// Allocates: no.
    [[nodiscard]] Unique adopt(const Detached& detached) noexcept AUDIOPOOL_NONBLOCKING {
        if (!claimDetached(detached, 1)) return {};
        return Unique(this, slots_.base() + detached.index);
    }

    /// The number of slots: Capacity, or for a dynamic pool what the last
    /// successful prepare() gave it (0 before it and after releaseMemory()).
    /// Thread: any (a dynamic pool's: not while prepare() or releaseMemory()
    /// runs). Progress: wait-free. Allocates: no.
    std::size_t capacity() const noexcept AUDIOPOOL_NONBLOCKING { return slots_.capacity(); }

    /// Touches every page of the pool (a static pool's slots, which a
    /// constinit pool has in .bss, mapped on first touch), so that no page
    /// fault happens later on the audio thread. A dynamic pool's block is
    /// touched by prepare() already; this touches the pool object itself.
    /// Keeps the contents. Call it before playback.
    /// Thread: any, while no other thread uses the pool. Progress: O(size
    /// of the pool), page faults included: not for the audio thread.
    /// Allocates: no. ASan builds: reads and writes the destroyed objects'
    /// poisoned bytes without being reported.
    AUDIOPOOL_NO_SANITIZE_ADDRESS void prefault() noexcept {
        constexpr std::size_t pageStep = 4096;  // touching more often than the page size is harmless
        auto* bytes = reinterpret_cast<volatile unsigned char*>(this);
        for (std::size_t offset = 0; offset < sizeof(ObjectPool); offset += pageStep) bytes[offset] = bytes[offset];
        bytes[sizeof(ObjectPool) - 1] = bytes[sizeof(ObjectPool) - 1];
    }

    /// A snapshot of the statistics, as Pool::stats() (Stats: which threads
    /// may call it). rejectedRequests is always 0: make() has no size to
    /// refuse; a dynamic pool not prepared counts a make as failed.
    /// Thread: Treiber, SpscRing, OwnerThread any; IndexStack the pool's
    /// thread; a dynamic pool's not while prepare() or releaseMemory() runs.
    /// Progress: wait-free (a few loads; raising the high-water mark retries
    /// at most Capacity times). Allocates: no.
    Stats stats() const noexcept AUDIOPOOL_NONBLOCKING {
        const FreeListCounts counts = free_.counts();
        Stats s;
        s.capacity = slots_.capacity();
        s.inUse = s.capacity - std::min<std::size_t>(counts.free, s.capacity);
        detail::raiseTo(highWater_, s.inUse);
        // relaxed: statistics.
        s.highWater = highWater_.load(std::memory_order_relaxed);
        s.acquisitions = counts.pops;
        s.releases = counts.pushes;
        s.failedAcquisitions = failed_.load(std::memory_order_relaxed);
        s.misuses = misuses_.load(std::memory_order_relaxed);
        return s;
    }

    /// Gives a dynamic pool `capacity` slots in one block from `resource`
    /// (zeroed: every page touched), off the audio thread (prepareToPlay,
    /// CLAP activate). Returns false and changes nothing when an object is
    /// still out (in a handle or detached); when `capacity` is 0 or over
    /// maxCapacity (Treiber 65534, SpscRing and IndexStack 2^32 - 2,
    /// OwnerThread 2^31 - 2) or the block's bytes would not fit in half the
    /// address space; when `resource` is null, throws (caught) or returns
    /// null or misaligned memory; and when another thread is in prepare()
    /// or releaseMemory() on this pool (reported as
    /// Misuse::ConcurrentPrepare). The same capacity and resource again keep
    /// the block and the statistics; another re-sizes the pool and starts
    /// its statistics over. `resource` must outlive the block.
    /// Thread: any, while no other thread uses the pool. Progress: allocates
    /// and touches every page: not for the audio thread. Allocates: yes,
    /// from `resource`.
    bool prepare(std::size_t capacity, std::pmr::memory_resource* resource = std::pmr::new_delete_resource()) noexcept
        requires prepares
    {
        if (capacity == 0 || capacity > FreeList::maxCapacity || resource == nullptr) return false;
        if (!beginPrepare()) return false;
        const bool done = resize(capacity, resource);
        endPrepare();
        return done;
    }

    /// Gives a dynamic pool's block back to its resource; the pool is as
    /// before its first prepare() (capacity 0, every make refused) until the
    /// next prepare(). Returns false and changes nothing while an object is
    /// out or another thread is in prepare() or releaseMemory()
    /// (Misuse::ConcurrentPrepare).
    /// Thread: any, while no other thread uses the pool. Progress: frees
    /// memory: not for the audio thread. Allocates: no (it frees).
    bool releaseMemory() noexcept
        requires prepares
    {
        if (!beginPrepare()) return false;
        const bool done = allBack();
        if (done) {
            std::destroy_at(&free_);  // before its storage goes back with the block
            slots_.swapIn({});
            startOver();
        }
        endPrepare();
        return done;
    }

private:
    inline std::uint32_t indexOf(const Slot* slot) const noexcept {
        return static_cast<std::uint32_t>(slot - slots_.base());
    }

    inline Popped popIndex(Slot* base) noexcept {
        if constexpr (linked) return free_.pop(Links{base});
        else return free_.pop();
    }

    /// Takes a free slot off the list (its word set to 1), or nullptr (counted).
    AUDIOPOOL_HOT_INLINE Slot* take() noexcept AUDIOPOOL_NONBLOCKING {
        checkAcquireThread();
        Slot* const base = slots_.base();  // one load of a dynamic pool's block
        const Popped popped = popIndex(base);
        if (popped.index == Popped::none) [[unlikely]] {
            refused(popped.inUse);
            return nullptr;
        }
        Slot* const slot = base + popped.index;
        // ASan builds: the slot is ours; its object bytes become addressable
        // before anything is constructed there.
        if constexpr (detail::poisonsReleased) detail::unpoisonSamples(slot->object, sizeof(T));
        // relaxed: the pop's acquire already ordered us after the release
        // that freed this slot; the word is ours alone until a handle exists.
        slot->fields.ownership.store(1, std::memory_order_relaxed);
        // relaxed: a statistic. (A pop that saw its thread rule broken flags
        // inUse above every mark: handled there.)
        if (popped.inUse > highWater_.load(std::memory_order_relaxed)) [[unlikely]]
            newPeakOrRuleBroken(popped.inUse);
        return slot;
    }

    inline void releaseUnique(Slot* slot) noexcept {
        std::destroy_at(objectIn(slot));
        // The word stays 1 (the next make stores 1 again), as Pool's
        // releaseUnique: the bookkeeping line stays with the making thread.
        giveBack(slot);
    }
    static inline void addReference(Slot& slot) noexcept {
        // relaxed: a new reference is made from a live one, which keeps the
        // object alive; nothing is published.
        slot.fields.ownership.fetch_add(1, std::memory_order_relaxed);
    }
    inline void dropReference(Slot* slot) noexcept {
        // acq_rel: release orders this owner's use of the object before the
        // last owner's destructor call; acquire makes the last owner see
        // every other owner's writes before it destroys the object.
        if (slot->fields.ownership.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            std::destroy_at(objectIn(slot));
            giveBack(slot);
        }
    }

    /// Marks the slot detached; returns the generation the Detached carries.
    std::uint32_t markDetached(Slot& slot) noexcept {
        return detail::markDetachedWords(slot.fields.ownership, slot.fields.generation);
    }

    /// Moves a detached slot's word to `to` and uses up the Detached, or
    /// reports why it cannot (detach_words.hpp, as Pool does).
    bool claimDetached(const Detached& detached, std::uint32_t to) noexcept {
        if (detached.pool != this) return misuse(Misuse::ForeignRelease, detached.index);
        if (detached.index >= slots_.capacity()) return misuse(Misuse::IndexOutOfRange, detached.index);
        Fields& fields = slots_.base()[detached.index].fields;
        const detail::Claim claim =
            detail::claimDetachedWords(fields.ownership, fields.generation, detached.generation, to);
        if (claim == detail::Claim::claimed) return true;
        return misuse(claim == detail::Claim::notDetached ? Misuse::NotDetached : Misuse::DoubleRelease,
                      detached.index);
    }

    // Every slot reaches the free list here, its object already destroyed
    // (or never constructed: a throwing constructor).
    inline void giveBack(Slot* slot) noexcept {
        const std::uint32_t index = indexOf(slot);
        checkReleaseThread(index);
        // ASan builds: poisoned while we still own the slot, before the push.
        // ASan builds: from the object to the slot's end, padding included, so
        // the object's last bytes are poisoned too (ASan poisons the tail of
        // an 8-byte granule only when the rest of it is poisoned as well).
        if constexpr (detail::poisonsReleased)
            detail::poisonBytes(slot->object,
                                static_cast<std::size_t>(reinterpret_cast<std::byte*>(slot + 1) - slot->object));
        if constexpr (linked) free_.push(index, Links{slots_.base()});
        else free_.push(index);
    }

    /// Every slot in the free list (none in a handle or detached).
    bool allBack() const noexcept { return free_.counts().free == slots_.capacity(); }

    /// A make that got no slot: count it, and report a thread rule the free
    /// list saw broken (Popped::inUse of the empty pop).
    AUDIOPOOL_COLD void refused(std::uint32_t inUse) noexcept {
        failed_.fetch_add(1, std::memory_order_relaxed);  // relaxed: a statistic
        if (inUse == Popped::ruleBroken) misuse(Misuse::WrongThread, Popped::none);
    }

    /// A successful pop's inUse above the high-water mark: a new peak, or
    /// (Popped::ruleBrokenBit) a thread rule the free list saw broken.
    AUDIOPOOL_COLD void newPeakOrRuleBroken(std::uint32_t inUse) noexcept {
        if constexpr (FreeList::maxCapacity < Popped::ruleBrokenBit && threadRule != ThreadRule::AnyThread) {
            if ((inUse & Popped::ruleBrokenBit) != 0) {
                misuse(Misuse::WrongThread, Popped::none);
                inUse &= ~Popped::ruleBrokenBit;
            }
        }
        detail::raiseTo(highWater_, std::min<std::size_t>(inUse, slots_.capacity()));
    }

    // Checked builds (thread_check.hpp), as Pool: a wrong thread is
    // reported and the operation still goes ahead.
    inline void checkAcquireThread() noexcept {
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
    inline void checkReleaseThread([[maybe_unused]] std::uint32_t index) noexcept {
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

    // ---- prepare() and releaseMemory() ----

    bool beginPrepare() noexcept {
        // acquire: pairs with endPrepare's release, so this call sees
        // everything the previous one did.
        if (!preparing_.exchange(true, std::memory_order_acquire)) return true;
        misuse(Misuse::ConcurrentPrepare, Popped::none);
        return false;
    }
    void endPrepare() noexcept { preparing_.store(false, std::memory_order_release); }

    bool resize(std::size_t capacity, std::pmr::memory_resource* resource) noexcept {
        if (!allBack()) return false;
        if (capacity == slots_.capacity() && resource == slots_.resource()) return true;
        const auto block = Slots::allocate(capacity, FreeList::storageBytes(capacity), resource);
        if (block.slots == nullptr) return false;
        std::destroy_at(&free_);  // before its storage goes back with the old block
        slots_.swapIn(block);
        startOver();
        return true;
    }

    /// A re-sized (or emptied) dynamic pool starts over: a new free list
    /// over the new block, every statistic 0, no thread bound.
    void startOver() noexcept {
        std::construct_at(&free_);
        if (slots_.capacity() != 0) free_.attach(slots_.capacity(), slots_.listStorage());
        // relaxed, all: no other thread uses the pool now (prepare()'s rule).
        highWater_.store(0, std::memory_order_relaxed);
        failed_.store(0, std::memory_order_relaxed);
        misuses_.store(0, std::memory_order_relaxed);
        acquirer_.unbind();
        releaser_.unbind();
    }

    // The slots: inline for a static pool, a block for a dynamic one.
    Slots slots_{};
    // The free list's hot state, then the high-water mark.
    alignas(falseSharingRange) FreeList free_{};
    // mutable: stats() records the in-use count it saw as a peak (monotone).
    mutable detail::MaybeAtomic<std::size_t, crossThread, Atomics> highWater_{};
    // Written only on failure paths, and the checked builds' thread bindings.
    alignas(falseSharingRange) detail::MaybeAtomic<std::uint64_t, crossThread, Atomics> failed_{};
    detail::MaybeAtomic<std::uint64_t, crossThread, Atomics> misuses_{};
    detail::ThreadBinding<Atomics> acquirer_{}, releaser_{};
    // A dynamic pool only: set while prepare() or releaseMemory() runs.
    [[no_unique_address]] std::conditional_t<prepares, std::atomic<bool>, detail::NoLink> preparing_{};
};

}  // namespace audiopool
