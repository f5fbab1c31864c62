// bench/peers.hpp — what audiopool is measured against, each written once.
//
// Every peer is a free list of buffer indices with the same two calls the
// benchmarks use, `pop(index&) -> bool` and `push(index)`, so a case can run
// any of them through one template:
//   - MutexFreeList      std::mutex + std::vector (what a user writes first)
//   - BoostStackFreeList boost::lockfree::stack with a fixed capacity
//   - BoostSpscFreeList  boost::lockfree::spsc_queue with a fixed capacity
//   - ConcurrentQueueFreeList   moodycamel::ConcurrentQueue
//   - ReaderWriterFreeList      moodycamel::ReaderWriterQueue (single producer/consumer)
//   - BareTaggedCas      the limit for any-thread lists: a tagged 64-bit CAS
//                        stack of indices and nothing else
//   - BareIndexStack     the limit for one thread: an array and a top index
//   - AtomicCount        a count of free buffers and no indices: the least
//                        one shared word for any number of releasers can be
// plus the allocators themselves (HeapBlock: malloc/free and new[]/delete[]).
//
// None of this is part of the library; it includes nothing from it, so a
// benchmark file can include it before `import audiopool;`.
#pragma once
#include <boost/lockfree/spsc_queue.hpp>
#include <boost/lockfree/stack.hpp>
#include <concurrentqueue/concurrentqueue.h>
#include <readerwriterqueue/readerwriterqueue.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <vector>

namespace bench {

inline constexpr std::size_t lineSize = 64;  // matches audiopool::cacheLineSize on x86-64

/// The block every case moves around: what a JUCE processBlock() gets at
/// 512 frames of stereo float (4 KiB).
inline constexpr std::size_t blockChannels = 2;
inline constexpr std::size_t blockFrames = 512;
inline constexpr std::size_t blockFloats = blockChannels * blockFrames;

/// std::mutex + std::vector<index>: the free list a user writes first.
template <std::size_t Capacity>
class MutexFreeList {
public:
    MutexFreeList() {
        free_.reserve(Capacity);
        for (std::uint32_t i = 0; i < Capacity; ++i) free_.push_back(Capacity - 1 - i);
    }
    bool pop(std::uint32_t& index) {
        std::lock_guard lock(mutex_);
        if (free_.empty()) return false;
        index = free_.back();
        free_.pop_back();
        return true;
    }
    void push(std::uint32_t index) {
        std::lock_guard lock(mutex_);
        free_.push_back(index);  // never reallocates: reserved for Capacity
    }

private:
    std::mutex mutex_;
    std::vector<std::uint32_t> free_;
};

/// boost::lockfree::stack with a compile-time capacity (never allocates).
template <std::size_t Capacity>
class BoostStackFreeList {
public:
    BoostStackFreeList() {
        for (std::uint32_t i = 0; i < Capacity; ++i) stack_.bounded_push(Capacity - 1 - i);
    }
    bool pop(std::uint32_t& index) { return stack_.pop(index); }
    void push(std::uint32_t index) { stack_.bounded_push(index); }

private:
    boost::lockfree::stack<std::uint32_t, boost::lockfree::capacity<Capacity>> stack_;
};

/// boost::lockfree::spsc_queue with a compile-time capacity (one slot of the
/// ring is always empty, hence Capacity + 1).
template <std::size_t Capacity>
class BoostSpscFreeList {
public:
    BoostSpscFreeList() {
        for (std::uint32_t i = 0; i < Capacity; ++i) queue_.push(i);
    }
    bool pop(std::uint32_t& index) { return queue_.pop(index); }
    void push(std::uint32_t index) { queue_.push(index); }

private:
    boost::lockfree::spsc_queue<std::uint32_t, boost::lockfree::capacity<Capacity + 1>> queue_;
};

/// moodycamel::ConcurrentQueue, pre-sized. try_enqueue does not allocate; if
/// it ever fails (a new thread's first implicit-producer block) enqueue, which
/// may, keeps the index from being lost.
template <std::size_t Capacity>
class ConcurrentQueueFreeList {
public:
    ConcurrentQueueFreeList() : queue_(Capacity * 8) {
        for (std::uint32_t i = 0; i < Capacity; ++i) queue_.enqueue(i);
    }
    bool pop(std::uint32_t& index) { return queue_.try_dequeue(index); }
    void push(std::uint32_t index) {
        if (!queue_.try_enqueue(index)) queue_.enqueue(index);
    }

private:
    moodycamel::ConcurrentQueue<std::uint32_t> queue_;
};

/// moodycamel::ReaderWriterQueue (one producer, one consumer), pre-sized;
/// try_enqueue never allocates and never fails here (at most Capacity indices).
template <std::size_t Capacity>
class ReaderWriterFreeList {
public:
    ReaderWriterFreeList() : queue_(Capacity) {
        for (std::uint32_t i = 0; i < Capacity; ++i) queue_.try_enqueue(i);
    }
    bool pop(std::uint32_t& index) { return queue_.try_dequeue(index); }
    void push(std::uint32_t index) { queue_.try_enqueue(index); }

private:
    moodycamel::ReaderWriterQueue<std::uint32_t> queue_;
};

/// The limit for a lock-free free list: one 64-bit head {index, tag} swapped
/// by CAS, links in a separate array of relaxed atomics. No counts, no
/// ownership checks, no statistics: what is left when the pool is taken away.
template <std::size_t Capacity>
class BareTaggedCas {
    static constexpr std::uint32_t nil = 0xFFFF'FFFFu;
    static constexpr std::uint64_t pack(std::uint32_t index, std::uint32_t tag) {
        return std::uint64_t{index} | (std::uint64_t{tag} << 32);
    }

public:
    BareTaggedCas() {
        for (std::uint32_t i = 0; i < Capacity; ++i) next_[i].store(i + 1 < Capacity ? i + 1 : nil);
    }
    bool pop(std::uint32_t& index) {
        // acquire: pairs with the release CAS in push that made this index the head.
        std::uint64_t head = head_.load(std::memory_order_acquire);
        for (;;) {
            index = static_cast<std::uint32_t>(head);
            if (index == nil) return false;
            // relaxed: a stale link fails the CAS (the tag moved).
            const std::uint32_t next = next_[index].load(std::memory_order_relaxed);
            if (head_.compare_exchange_weak(head, pack(next, static_cast<std::uint32_t>(head >> 32) + 1),
                                            std::memory_order_acquire, std::memory_order_acquire))
                return true;
        }
    }
    void push(std::uint32_t index) {
        std::uint64_t head = head_.load(std::memory_order_relaxed);
        for (;;) {
            next_[index].store(static_cast<std::uint32_t>(head), std::memory_order_relaxed);
            // release: publishes the link to the acquire in pop.
            if (head_.compare_exchange_weak(head, pack(index, static_cast<std::uint32_t>(head >> 32) + 1),
                                            std::memory_order_release, std::memory_order_relaxed))
                return;
        }
    }

private:
    alignas(lineSize) std::atomic<std::uint64_t> head_{pack(0, 0)};
    alignas(lineSize) std::atomic<std::uint32_t> next_[Capacity];
};

/// The limit for one thread: an array of free indices and a top.
template <std::size_t Capacity>
class BareIndexStack {
public:
    BareIndexStack() {
        for (std::uint32_t i = 0; i < Capacity; ++i) stack_[i] = Capacity - 1 - i;
    }
    bool pop(std::uint32_t& index) {
        if (top_ == 0) return false;
        index = stack_[--top_];
        return true;
    }
    void push(std::uint32_t index) { stack_[top_++] = index; }

private:
    std::uint32_t top_ = Capacity;
    std::uint32_t stack_[Capacity];
};

/// The least a free list for any number of releasing threads can be with
/// one shared word: a count of free buffers and no indices (one locked
/// instruction per acquire and per release). With three releasers it is
/// close to the floor of the fan-out case (what is left is the hand-off and
/// the scheduling); with one, a wait-free ring without locked instructions
/// (SpscRing) beats it.
template <std::size_t Capacity>
class AtomicCount {
public:
    bool pop(std::uint32_t& index) {
        index = 0;
        // acquire: pairs with push's release (the releaser is done with it).
        std::uint32_t free = free_.load(std::memory_order_acquire);
        do {
            if (free == 0) return false;
        } while (!free_.compare_exchange_weak(free, free - 1, std::memory_order_acquire));
        return true;
    }
    void push(std::uint32_t) { free_.fetch_add(1, std::memory_order_release); }

private:
    alignas(128) std::atomic<std::uint32_t> free_{Capacity};
};

/// A buffer of `bytes` from the general-purpose allocator, as a pool-less
/// program would get its scratch block.
enum class HeapKind { Malloc, NewArray };

template <HeapKind Kind>
struct HeapBlock {
    static float* allocate(std::size_t floats) {
        if constexpr (Kind == HeapKind::Malloc) return static_cast<float*>(std::malloc(floats * sizeof(float)));
        else return new float[floats];
    }
    static void free(float* p) {
        if constexpr (Kind == HeapKind::Malloc) std::free(p);
        else delete[] p;
    }
};

} // namespace bench
