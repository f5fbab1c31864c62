// audiopool/handoff_queue.hpp — HandoffQueue: a bounded wait-free queue that
// carries values (pool handles, pointers, small messages) from one thread to
// one other: the audio thread's buffers to a disk or FFT worker, and back.
//
// Algorithm: a ring of Capacity slots with free-running 64-bit positions (no
// wasted slot, no wrap within any program's lifetime). The producer owns
// `tail_`, the consumer `head_`; each position sits in its own
// falseSharingRange block with the owner's private copy of the other side's
// position (rigtorp's cached index), so a push or pop reads the other
// thread's line only when its copy says the ring is full or empty. A value
// lives in its slot from the push that constructs it to the pop that moves
// it out and destroys it: T need not be default-constructible, and a slot
// never holds a moved-from value that owns something (a pool handle's
// buffer stays in the value that was popped, never in the ring).
//
// Zero is the initial state (both positions 0, slots uninitialised storage):
// the constructor is constexpr, so a queue can be `constinit` and then lives
// in .bss. With Capacity audiopool::dynamic the slots are one block from a
// std::pmr::memory_resource, given by prepare() off the audio thread (a
// power of two of slots, so a position's slot is a mask); until then the
// queue holds nothing and every push is refused.
//
// A consumer may take a value out (try_pop) or use it where it lies
// (front(), then pop()): the second needs no move, so T need only be
// destructible without throwing.
//
// Statistics are the positions themselves (pushes = tail, pops = head); the
// producer also keeps the high-water mark (written only at a new peak, after
// re-reading the consumer's position so the peak is exact) and the count of
// pushes refused because the queue was full (written only then).
//
// Guarantee: wait-free. try_push and try_pop each finish in a fixed number
// of steps (plus T's move constructor and destructor, which must not throw).
// Rules: exactly one thread pushes and exactly one thread pops at a time
// (they may be the same thread). Checked builds (AUDIOPOOL_CHECK_THREADS, the
// default without NDEBUG) bind each side to the first thread that uses it
// and report another thread as Misuse::WrongThread; the operation then goes
// ahead, as the pool's does. As with the pool, a side may change threads
// while the queue is empty (a host restarting its audio thread); otherwise
// rebindThreads() says that it does.
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <memory_resource>
#include <optional>
#include <type_traits>
#include <utility>
#endif
#include "audiopool/atomics.hpp"
#include "audiopool/free_list.hpp"
#include "audiopool/misuse.hpp"
#include "audiopool/sample.hpp"
#include "audiopool/sizes.hpp"
#include "audiopool/thread_check.hpp"

namespace audiopool::detail {

/// A queue's values, inline: Capacity slots, a value in a slot only between
/// its push and its pop. The constexpr constructor starts only a byte's
/// lifetime per slot (so the array is zero bits in a constinit queue); the
/// queue destroys what it constructs.
template <class T, std::size_t Capacity>
class QueueSlots {
public:
    static constexpr std::size_t capacity() noexcept { return Capacity; }
    AUDIOPOOL_HOT_INLINE T* at(std::uint64_t position) noexcept {
        return std::addressof(slots_[position % Capacity].value);
    }

private:
    union Slot {
        constexpr Slot() noexcept : none{} {}
        Slot(const Slot&) = delete;
        Slot& operator=(const Slot&) = delete;
        Slot(Slot&&) = delete;
        Slot& operator=(Slot&&) = delete;
        ~Slot() {}  // NOLINT(modernize-use-equals-default): = default is deleted for a union with a non-trivial member
        std::byte none;  // no value
        T value;
    };
    Slot slots_[Capacity];
};

/// A queue's values in a block from a memory resource (prepare()): a power
/// of two of slots, at least the capacity, so a position's slot is a mask
/// (the capacity, not the slot count, decides when the queue is full: at most
/// `capacity` consecutive positions are live, and they fall in distinct slots).
template <class T>
class QueueSlots<T, dynamic> {
public:
    constexpr QueueSlots() noexcept = default;
    QueueSlots(const QueueSlots&) = delete;
    QueueSlots& operator=(const QueueSlots&) = delete;
    // NOLINTNEXTLINE(cppcoreguidelines-rvalue-reference-param-not-moved): taken member by member with std::exchange
    QueueSlots(QueueSlots&& other) noexcept
        : values_(std::exchange(other.values_, nullptr)), mask_(std::exchange(other.mask_, 0)),
          capacity_(std::exchange(other.capacity_, 0)), bytes_(std::exchange(other.bytes_, 0)),
          resource_(std::exchange(other.resource_, nullptr)) {}
    QueueSlots& operator=(QueueSlots&&) = delete;
    ~QueueSlots() { deallocate(); }

    std::size_t capacity() const noexcept { return capacity_; }
    std::pmr::memory_resource* resource() const noexcept { return resource_; }
    AUDIOPOOL_HOT_INLINE T* at(std::uint64_t position) noexcept { return values_ + (position & mask_); }

    /// A block for `capacity` values (1 .. 2^32 - 1) from `resource`, zeroed;
    /// one without a resource when the resource refuses (throws or breaks its
    /// contract with null).
    static QueueSlots allocate(std::size_t capacity, std::pmr::memory_resource* resource) noexcept {
        QueueSlots block;
        const std::size_t slots = std::bit_ceil(capacity);
        const std::size_t bytes = slots * sizeof(T);  // below 2^32 x sizeof(T): no overflow on 64-bit targets
        void* memory = nullptr;
        try {
            memory = resource->allocate(bytes, alignment);
        } catch (...) {
            return block;
        }
        // A resource that returns null breaks its contract; refuse it rather
        // than write through it (volatile: the compiler may assume non-null).
        void* volatile checked = memory;
        if (checked == nullptr) return block;
        std::memset(memory, 0, bytes);  // touches every page now, not on the audio thread
        block.values_ = static_cast<T*>(memory);
        block.mask_ = slots - 1;
        block.capacity_ = capacity;
        block.bytes_ = bytes;
        block.resource_ = resource;
        return block;
    }
    /// Takes `other`'s block, giving this one's back to its resource.
    // NOLINTNEXTLINE(cppcoreguidelines-rvalue-reference-param-not-moved): taken member by member with std::exchange
    void swapIn(QueueSlots&& other) noexcept {
        deallocate();
        values_ = std::exchange(other.values_, nullptr);
        mask_ = std::exchange(other.mask_, 0);
        capacity_ = std::exchange(other.capacity_, 0);
        bytes_ = std::exchange(other.bytes_, 0);
        resource_ = std::exchange(other.resource_, nullptr);
    }

private:
    static constexpr std::size_t alignment = alignof(T) > alignof(std::max_align_t) ? alignof(T)
                                                                                    : alignof(std::max_align_t);
    void deallocate() noexcept {
        if (resource_ != nullptr) resource_->deallocate(values_, bytes_, alignment);
    }

    T* values_ = nullptr;
    std::uint64_t mask_ = 0;
    std::size_t capacity_ = 0;
    std::size_t bytes_ = 0;
    std::pmr::memory_resource* resource_ = nullptr;
};

}  // namespace audiopool::detail

AUDIOPOOL_EXPORT namespace audiopool {

/// What a HandoffQueue reports (HandoffQueue::stats()): exact when no push or
/// pop is in progress, otherwise a snapshot (size as HandoffQueue::size()).
/// Thread: any.
struct HandoffStats {
    std::size_t capacity = 0;  ///< values the queue holds at most
    std::size_t size = 0;  ///< values waiting now
    std::size_t highWater = 0;  ///< the most ever waiting at once (never decreases)
    std::uint64_t pushes = 0;  ///< values pushed
    std::uint64_t pops = 0;  ///< values popped
    std::uint64_t failedPushes = 0;  ///< pushes refused because the queue was full
    std::uint64_t misuses = 0;  ///< checked builds: pushes and pops from a thread the queue was not bound to
};

/// A bounded queue of up to Capacity values of T from one producing thread to
/// one consuming thread; wait-free on both sides. T's move constructor and
/// destructor must not throw (they run inside try_push and try_pop). Values
/// still queued when the queue is destroyed are destroyed with it, on the
/// destroying thread: a queue of pool handles must be destroyed before
/// their pool. Atomics: atomics.hpp (a model checker substitutes its own).
template <class T, std::size_t Capacity, class AtomicsT = StdAtomics>
class HandoffQueue {
    static_assert(std::is_object_v<T> && !std::is_array_v<T> && !std::is_const_v<T>,
                  "audiopool::HandoffQueue: T must be a non-const object type (not a reference or an array)");
    static_assert(std::is_nothrow_destructible_v<T>,
                  "audiopool::HandoffQueue: T's destructor must be noexcept (it runs on the audio thread, which "
                  "never throws)");
    static_assert(Capacity >= 1, "audiopool::HandoffQueue: Capacity must be at least 1");
    static_assert(Capacity == dynamic || Capacity <= 0xFFFF'FFFFu,
                  "audiopool::HandoffQueue: Capacity must be below 2^32 (or audiopool::dynamic)");
    static constexpr bool prepares = Capacity == dynamic;

public:
    /// The values carried.
    using value_type = T;
    /// The atomics the queue is built on (atomics.hpp).
    using Atomics = AtomicsT;
    // try_push, try_emplace, try_pop and pop run T's constructors or
    // destructor, so they carry no nonblocking attribute of their own: clang's
    // function effect analysis checks them in a nonblocking caller by their
    // bodies, for that T (nonblocking for a number or a pool handle; not for
    // a std::unique_ptr, whose destructor may delete). The other members are
    // marked AUDIOPOOL_NONBLOCKING.

    /// Values the queue holds at most, as the type says (audiopool::dynamic:
    /// stats().capacity, set by prepare()).
    static constexpr std::size_t capacity = Capacity;
    /// Whether the capacity is set by prepare() (Capacity is audiopool::dynamic).
    static constexpr bool dynamicCapacity = prepares;
    /// The largest capacity prepare() takes.
    static constexpr std::size_t maxCapacity = 0xFFFF'FFFFu;
    /// The progress guarantee of try_push and try_pop.
    static constexpr Progress progress = Progress::WaitFree;

    /// An empty queue. constexpr, so a queue can be `constinit`; its state is
    /// all zero bits (.bss). Thread: any, before any other use. Allocates: no.
    constexpr HandoffQueue() noexcept = default;
    HandoffQueue(const HandoffQueue&) = delete;
    HandoffQueue& operator=(const HandoffQueue&) = delete;
    HandoffQueue(HandoffQueue&&) = delete;
    HandoffQueue& operator=(HandoffQueue&&) = delete;

    /// Destroys the values still queued, oldest first.
    /// Thread: any, once no push or pop can run (after joining the others).
    /// Allocates: no (T's destructor may, e.g. when it frees what it owns).
    ~HandoffQueue() {
        destroyWaiting();
        if constexpr (prepares) slots_.swapIn({});
    }

    /// Moves `value` to the back of the queue. Returns false when the queue is
    /// full: then `value` is left as it was (the caller still owns it) and the
    /// refusal is counted (HandoffStats::failedPushes).
    /// Thread: the producing thread only. Progress: wait-free. Allocates: no.
    [[nodiscard]] AUDIOPOOL_HOT_INLINE bool try_push(T&& value) noexcept
        requires std::is_nothrow_move_constructible_v<T>
    {
        return try_emplace(std::move(value));
    }
    /// As try_push(T&&), with a copy of `value` (T copyable without throwing).
    /// Thread: the producing thread only. Progress: wait-free. Allocates: no.
    [[nodiscard]] AUDIOPOOL_HOT_INLINE bool try_push(const T& value) noexcept
        requires std::is_nothrow_copy_constructible_v<T>
    {
        return try_emplace(value);
    }
    /// Constructs a value from `args` at the back of the queue (the
    /// constructor must not throw). Returns false when the queue is full:
    /// then nothing is constructed, `args` are untouched, and the refusal is
    /// counted (HandoffStats::failedPushes).
    /// Thread: the producing thread only. Progress: wait-free. Allocates: no.
    template <class... Args>
        requires std::is_nothrow_constructible_v<T, Args&&...>
    [[nodiscard]] AUDIOPOOL_HOT_INLINE bool try_emplace(Args&&... args) noexcept {
        checkThread(producer_);
        // relaxed: tail_ is written only by this thread.
        const std::uint64_t tail = tail_.load(std::memory_order_relaxed);
        if (tail - cachedHead_ == slots_.capacity()) [[unlikely]] {
            // (1) acquire: synchronizes-with the release store (4) in
            // try_pop, so the value that slot held has been moved out and
            // destroyed before we construct into it.
            cachedHead_ = head_.load(std::memory_order_acquire);
            if (tail - cachedHead_ == slots_.capacity()) [[unlikely]]
                return refuse();
        }
        std::construct_at(slotAt(tail), std::forward<Args>(args)...);
        // (2) release: publishes the value to the acquire (3) in try_pop.
        tail_.store(tail + 1, std::memory_order_release);
        // relaxed: a statistic this thread alone writes; it publishes nothing.
        if (tail + 1 - cachedHead_ > highWater_.load(std::memory_order_relaxed)) [[unlikely]]
            newPeak(tail + 1);
        return true;
    }

    /// Takes the oldest value, or nothing when the queue is empty.
    /// Thread: the consuming thread only. Progress: wait-free. Allocates: no.
    [[nodiscard]] AUDIOPOOL_HOT_INLINE std::optional<T> try_pop() noexcept
        requires std::is_nothrow_move_constructible_v<T>
    {
        checkThread(consumer_);
        // relaxed: head_ is written only by this thread.
        const std::uint64_t head = head_.load(std::memory_order_relaxed);
        if (head == cachedTail_) {
            // (3) acquire: synchronizes-with the release store (2) in
            // try_emplace, so the value in the slot is fully constructed.
            cachedTail_ = tail_.load(std::memory_order_acquire);
            if (head == cachedTail_) return std::nullopt;
        }
        T* const slot = slotAt(head);
        std::optional<T> value(std::move(*slot));
        std::destroy_at(slot);
        // (4) release: the slot is empty; pairs with the acquire (1) in
        // try_emplace (and (5) in stats()).
        head_.store(head + 1, std::memory_order_release);
        return value;
    }

    /// The oldest value, where it lies in the queue, or nullptr when the
    /// queue is empty: for a consumer that uses a value in place (or a T
    /// that cannot move). It stays the front, and the pointer valid, until
    /// pop(). Thread: the consuming thread only. Progress: wait-free. Allocates: no.
    [[nodiscard]] AUDIOPOOL_HOT_INLINE T* front() noexcept AUDIOPOOL_NONBLOCKING {
        checkThread(consumer_);
        // relaxed: head_ is written only by this thread.
        const std::uint64_t head = head_.load(std::memory_order_relaxed);
        if (head == cachedTail_) {
            // acquire: as (3) in try_pop.
            cachedTail_ = tail_.load(std::memory_order_acquire);
            if (head == cachedTail_) return nullptr;
        }
        return slotAt(head);
    }
    /// Destroys the value front() returned and frees its slot for the
    /// producer. Does nothing when front() has not found a value since the
    /// last pop() (the queue looked empty to the consumer).
    /// Thread: the consuming thread only. Progress: wait-free. Allocates: no
    /// (T's destructor runs here).
    AUDIOPOOL_HOT_INLINE void pop() noexcept {
        // relaxed: head_ is written only by this thread.
        const std::uint64_t head = head_.load(std::memory_order_relaxed);
        if (head == cachedTail_) [[unlikely]]
            return;
        std::destroy_at(slotAt(head));
        // release: as (4) in try_pop.
        head_.store(head + 1, std::memory_order_release);
    }

    /// Values waiting now, as two positions read one after the other: the
    /// consumer's, then the producer's. Either side may move between the
    /// reads, so it is an upper bound of the size at both moments (never
    /// above Capacity); 0 means the queue was empty when the second was read.
    /// Thread: any. Progress: wait-free. Allocates: no.
    AUDIOPOOL_HOT_INLINE std::size_t size() const noexcept AUDIOPOOL_NONBLOCKING {
        // (5) acquire: pairs with (4); the tail read next is then at least
        // the one the consumer saw when it popped up to head.
        const std::uint64_t head = head_.load(std::memory_order_acquire);
        // acquire: pairs with (2), so a consumer that sees a value here can pop it.
        const std::uint64_t tail = tail_.load(std::memory_order_acquire);
        return sizeBetween(head, tail);
    }
    /// Whether nothing is waiting (size() == 0: the queue was empty at a
    /// moment during the call). Thread: any. Progress: wait-free. Allocates: no.
    AUDIOPOOL_HOT_INLINE bool empty() const noexcept AUDIOPOOL_NONBLOCKING { return size() == 0; }

    /// The queue's statistics (see HandoffStats).
    /// Thread: any. Progress: wait-free. Allocates: no.
    inline HandoffStats stats() const noexcept AUDIOPOOL_NONBLOCKING {
        HandoffStats s;
        s.capacity = slots_.capacity();
        // acquire: as in size().
        const std::uint64_t head = head_.load(std::memory_order_acquire);
        // relaxed: read last; nothing is read through it.
        const std::uint64_t tail = tail_.load(std::memory_order_relaxed);
        s.size = sizeBetween(head, tail);
        s.pops = head;
        s.pushes = tail;
        // relaxed: statistics; they publish nothing.
        s.highWater = static_cast<std::size_t>(highWater_.load(std::memory_order_relaxed));
        s.failedPushes = failedPushes_.load(std::memory_order_relaxed);
        s.misuses = misuses_.load(std::memory_order_relaxed);
        return s;
    }

    /// Gives a queue with dynamic capacity room for `values` values, off
    /// the audio thread (prepareToPlay, activate): one block from `resource`,
    /// zeroed (every page touched). Returns false and changes nothing when
    /// values are waiting, when `values` is 0 or above maxCapacity, and when
    /// `resource` is null or throws. The same capacity and resource again
    /// keep the block and the statistics; another capacity replaces the
    /// block and starts the statistics over (misuses aside). `resource`
    /// must outlive the block: until the next re-size, releaseMemory() or
    /// the queue's end.
    /// Thread: any, while no other thread uses the queue. Progress: allocates:
    /// not for the audio thread. Allocates: yes, from `resource`.
    bool prepare(std::size_t values, std::pmr::memory_resource* resource = std::pmr::new_delete_resource()) noexcept
        requires prepares
    {
        if (values == 0 || values > maxCapacity || resource == nullptr || size() != 0) return false;
        if (values == slots_.capacity() && resource == slots_.resource()) return true;
        auto block = detail::QueueSlots<T, dynamic>::allocate(values, resource);
        if (!block.resource()) return false;
        slots_.swapIn(std::move(block));
        startOver();
        return true;
    }
    /// Gives a queue with dynamic capacity its block back; it then holds
    /// nothing (every push refused and counted) until the next prepare().
    /// Returns false and changes nothing while values are waiting.
    /// Thread: any, while no other thread uses the queue. Progress: frees
    /// memory: not for the audio thread. Allocates: no.
    bool releaseMemory() noexcept
        requires prepares
    {
        if (size() != 0) return false;
        slots_.swapIn({});
        startOver();
        return true;
    }

    /// Checked builds: forgets which threads push and pop, so the next push
    /// and the next pop bind new ones although values are still waiting (an
    /// empty queue forgets them by itself).
    /// The old threads must have finished with the queue before the new ones
    /// start (a join, or a hand-over that synchronises). Nothing without checks.
    /// Thread: any, while no push or pop runs. Progress: wait-free. Allocates: no.
    inline void rebindThreads() noexcept {
        producer_.unbind();
        consumer_.unbind();
    }

private:
    /// tail - head, where head was read first: the consumer may have popped
    /// and the producer pushed again in between, so clamp to the capacity.
    std::size_t sizeBetween(std::uint64_t head, std::uint64_t tail) const noexcept {
        return static_cast<std::size_t>(std::min<std::uint64_t>(tail - head, slots_.capacity()));
    }

    AUDIOPOOL_HOT_INLINE T* slotAt(std::uint64_t position) noexcept { return slots_.at(position); }

    /// Destroys the values still waiting (the queue's end; no other thread
    /// uses it).
    void destroyWaiting() noexcept {
        // relaxed: the caller has ordered this after the last push and pop (a join).
        const std::uint64_t tail = tail_.load(std::memory_order_relaxed);
        for (std::uint64_t p = head_.load(std::memory_order_relaxed); p != tail; ++p) std::destroy_at(slotAt(p));
    }

    /// A new block (or none): positions and statistics from zero.
    void startOver() noexcept {
        // relaxed: no other thread uses the queue during prepare() or releaseMemory().
        head_.store(0, std::memory_order_relaxed);
        tail_.store(0, std::memory_order_relaxed);
        cachedHead_ = 0;
        cachedTail_ = 0;
        highWater_.store(0, std::memory_order_relaxed);
        failedPushes_.store(0, std::memory_order_relaxed);
        producer_.unbind();
        consumer_.unbind();
    }

    // Checked builds (thread_check.hpp): an empty queue may change threads.
    AUDIOPOOL_HOT_INLINE void checkThread([[maybe_unused]] detail::ThreadBinding<Atomics>& side) noexcept {
#if AUDIOPOOL_CHECK_THREADS
        if (empty()) side.unbind();
        if (!side.bindOrCheck()) misuse();
#endif
    }

    AUDIOPOOL_COLD bool refuse() noexcept {
        // relaxed: a statistic only this thread writes (a load and a store,
        // not a read-modify-write, since no other thread adds to it).
        failedPushes_.store(failedPushes_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        return false;
    }

    /// The size after a push looked like a new peak through the cached head
    /// (an upper bound): refresh the copy for the exact size. The fresher
    /// copy also makes the next pushes' estimates (and refusals) exact longer.
    AUDIOPOOL_COLD void newPeak(std::uint64_t tailAfterPush) noexcept {
        // acquire: as (1), since the copy decides, later, which slots are
        // free. The size it gives is exact or below the true one (the
        // consumer only moves forward), never above.
        cachedHead_ = head_.load(std::memory_order_acquire);
        const std::uint64_t size = tailAfterPush - cachedHead_;
        // relaxed: a statistic only this thread writes.
        if (size > highWater_.load(std::memory_order_relaxed)) highWater_.store(size, std::memory_order_relaxed);
    }

    AUDIOPOOL_COLD void misuse() noexcept {
        misuses_.fetch_add(1, std::memory_order_relaxed);  // relaxed: a statistic
        detail::reportMisuse({Misuse::WrongThread, this, Popped::none});
    }

    // The consumer's line: its position and its copy of the producer's.
    alignas(falseSharingRange) typename Atomics::template Atomic<std::uint64_t> head_{0};
    std::uint64_t cachedTail_{0};
    // The producer's line: its position, its copy of the consumer's, and the
    // statistics only it writes.
    alignas(falseSharingRange) typename Atomics::template Atomic<std::uint64_t> tail_{0};
    std::uint64_t cachedHead_{0};
    typename Atomics::template Atomic<std::uint64_t> highWater_{0};
    typename Atomics::template Atomic<std::uint64_t> failedPushes_{0};
    // Checked builds only consult these (present in every build: one layout).
    alignas(falseSharingRange) detail::ThreadBinding<Atomics> producer_{}, consumer_{};
    typename Atomics::template Atomic<std::uint64_t> misuses_{0};
    // The values (a dynamic queue: where they are, read by both sides and
    // written only by prepare(), on a line of its own).
    alignas(falseSharingRange) detail::QueueSlots<T, Capacity> slots_;
};

}  // namespace audiopool
