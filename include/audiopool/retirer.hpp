// audiopool/retirer.hpp — Retirer: deferred destruction. The audio thread
// hands over an object it no longer needs (the impulse response it just
// swapped out, a std::unique_ptr to an old filter, a std::vector, a pool
// handle), and another thread destroys it later, so the audio thread never
// runs a destructor that frees memory.
//
//     constinit audiopool::Retirer<64> retirer;        // static storage: no heap
//     // audio thread:
//     if (auto fresh = incoming.try_pop()) {
//         if (retirer.retire(std::move(current))) current = std::move(*fresh);
//         // else: full; keep the old one this block and retry the next
//     }
//     // message thread, on a timer:
//     retirer.collect();
//
// Algorithm: a HandoffQueue (handoff_queue.hpp) of entries, each an
// object's bytes (ObjectBytes, aligned as std::max_align_t) and the function
// that destroys it. retire is the queue's try_emplace: the object is moved
// straight into the queue's slot (nothing is constructed when the queue is
// full, and the object stays with the caller), and the queue's release store
// publishes it with its destroy function. collect is the queue's consumer:
// it destroys the front entry's object where it lies, then pops the entry
// (trivially destructible), oldest first, and never scans an empty slot. So
// the Retirer has no memory ordering of its own to prove beyond the queue's
// and the collect flag below; retire is wait-free and destruction follows
// retire order.
//
// One thread retires (the queue's producer; checked builds report a second
// as Misuse::WrongThread while objects are pending, as the queue does). A
// renderer with several audio threads gives each its own Retirer.
//
// collect runs on one thread at a time: a call that finds another running
// returns 0 at once, without waiting. Successive collects may run on
// different threads: a flag taken with acquire and released with release
// orders each collect after the previous one (the queue's consumer state
// passes with it), and checked builds tell the queue its consumer moved.
//
// Zero is the initial state: the constructor is constexpr, so a Retirer can
// be `constinit` and then lives in .bss. With Capacity audiopool::dynamic the
// entries are one block from a std::pmr::memory_resource, given by prepare()
// off the audio thread.
//
// Statistics are the queue's (retired = pushes, collected = pops, refusals
// = failed pushes, high water, misuses).
//
// PeriodicCollector is the "elsewhere" for a program without a timer of its
// own: a thread that collects every period, and once more when it stops.
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <memory_resource>
#include <mutex>
#include <new>
#include <thread>
#include <type_traits>
#include <utility>
#endif
#include "audiopool/atomics.hpp"
#include "audiopool/free_list.hpp"
#include "audiopool/handoff_queue.hpp"
#include "audiopool/sizes.hpp"

AUDIOPOOL_EXPORT namespace audiopool {

/// What a Retirer reports (Retirer::stats()). Thread: any; exact when no
/// retire or collect is in progress, otherwise a snapshot (as HandoffStats).
struct RetirerStats {
    std::size_t capacity = 0;  ///< objects the retirer holds at most
    std::size_t pending = 0;  ///< objects retired and not yet destroyed
    std::size_t highWater = 0;  ///< the most ever pending at once (never decreases)
    std::uint64_t retired = 0;  ///< objects taken by retire
    std::uint64_t collected = 0;  ///< objects destroyed by collect (or prepare, or the destructor)
    std::uint64_t failedRetires = 0;  ///< retires refused because the retirer was full
    std::uint64_t misuses = 0;  ///< checked builds: retires from a second retiring thread
};

/// Up to Capacity objects, each of at most ObjectBytes bytes, retired by one
/// thread (the audio thread) and destroyed later, oldest first, by collect()
/// on another thread. Storage inline (one entry of ObjectBytes plus a
/// pointer per object) or, with Capacity audiopool::dynamic, from prepare();
/// constructor constexpr. Atomics: atomics.hpp (a model checker substitutes
/// its own).
template <std::size_t Capacity, std::size_t ObjectBytes = 48, class AtomicsT = StdAtomics>
class Retirer {
    static_assert(ObjectBytes >= 1, "audiopool::Retirer: ObjectBytes must be at least 1");
    static constexpr bool prepares = Capacity == dynamic;

public:
    /// The atomics the retirer is built on (atomics.hpp).
    using Atomics = AtomicsT;
    /// Objects the retirer holds at most, as the type says (audiopool::dynamic:
    /// stats().capacity, set by prepare()).
    static constexpr std::size_t capacity = Capacity;
    /// Whether the capacity is set by prepare() (Capacity is audiopool::dynamic).
    static constexpr bool dynamicCapacity = prepares;
    /// The largest object retire takes, in bytes.
    static constexpr std::size_t objectBytes = ObjectBytes;
    /// The strictest alignment retire takes.
    static constexpr std::size_t objectAlignment = alignof(std::max_align_t);
    /// The progress guarantee of retire (the queue's push).
    static constexpr Progress progress = Progress::WaitFree;

    /// Whether retire takes an object of type T: it fits an entry, and moving
    /// and destroying it do not throw.
    template <class T>
    static constexpr bool canRetire =
        std::is_object_v<T> && !std::is_array_v<T> && !std::is_const_v<T> && sizeof(T) <= ObjectBytes &&
        alignof(T) <= objectAlignment && std::is_nothrow_move_constructible_v<T> && std::is_nothrow_destructible_v<T>;

    /// No object pending. constexpr, so a retirer can be `constinit`; its
    /// state is all zero bits (.bss). Thread: any, before any other use. Allocates: no.
    constexpr Retirer() noexcept = default;
    Retirer(const Retirer&) = delete;
    Retirer& operator=(const Retirer&) = delete;
    Retirer(Retirer&&) = delete;
    Retirer& operator=(Retirer&&) = delete;

    /// Destroys every object still pending, oldest first (as collect()).
    /// Thread: any, once no retire or collect can run (after joining the
    /// others, and after a PeriodicCollector on it has stopped).
    /// Allocates: no (the objects' destructors may free memory).
    ~Retirer() { collect(); }

    /// Moves `object` into the retirer, to be destroyed by a later collect()
    /// on another thread. Only a non-const rvalue: `retire(std::move(old))`.
    /// Returns false when the retirer is full (or, dynamic, not prepared):
    /// then `object` is left as it was (the caller still owns it; retry in
    /// the next block) and the refusal is counted (RetirerStats::failedRetires).
    /// A type that does not fit an entry (canRetire) is a compile error.
    /// Thread: one retiring thread (checked builds report another as
    /// Misuse::WrongThread while objects are pending, and the retire goes
    /// ahead; nothing pending, the retiring thread may change).
    /// Progress: wait-free. Allocates: no.
    template <class T>
        requires(!std::is_lvalue_reference_v<T> && !std::is_const_v<T>)
    [[nodiscard]] AUDIOPOOL_HOT_INLINE bool retire(T&& object) noexcept AUDIOPOOL_NONBLOCKING {
        using Object = T;
        static_assert(sizeof(Object) <= ObjectBytes,
                      "audiopool::Retirer::retire: the object is larger than ObjectBytes (retire a std::unique_ptr "
                      "to it, or raise ObjectBytes)");
        static_assert(alignof(Object) <= objectAlignment,
                      "audiopool::Retirer::retire: the object is over-aligned (retire a std::unique_ptr to it)");
        static_assert(std::is_nothrow_move_constructible_v<Object> && std::is_nothrow_destructible_v<Object>,
                      "audiopool::Retirer::retire: moving and destroying the object must not throw");
        if constexpr (canRetire<Object>) return queue_.try_emplace(std::in_place_type<Object>, std::forward<T>(object));
        else return false;  // unreachable: a static_assert above failed
    }

    /// Destroys the objects retired so far, oldest first, and returns how
    /// many: every object retired before the call, and perhaps some retired
    /// during it (at most the capacity in all, so a call always ends). When
    /// another collect is running, returns 0 at once.
    /// Thread: any but the audio thread (it runs the objects' destructors),
    /// one at a time; successive calls may be on different threads.
    /// Progress: blocking only as the destructors are; it never waits for
    /// another thread. Allocates: no (the destructors may free).
    std::size_t collect() noexcept {
        if (!beginCollect()) return 0;
        const std::size_t destroyed = destroyPending(queue_.stats().capacity);
        endCollect();
        return destroyed;
    }

    /// Objects retired and not yet destroyed (including retires in progress:
    /// an upper bound, as HandoffQueue::size()).
    /// Thread: any. Progress: wait-free. Allocates: no.
    inline std::size_t pending() const noexcept AUDIOPOOL_NONBLOCKING { return queue_.size(); }

    /// The retirer's statistics (see RetirerStats).
    /// Thread: any. Progress: wait-free. Allocates: no.
    inline RetirerStats stats() const noexcept AUDIOPOOL_NONBLOCKING {
        const HandoffStats q = queue_.stats();
        RetirerStats s;
        s.capacity = q.capacity;
        s.pending = q.size;
        s.highWater = q.highWater;
        s.retired = q.pushes;
        s.collected = q.pops;
        s.failedRetires = q.failedPushes;
        s.misuses = q.misuses;
        return s;
    }

    /// Gives a retirer with dynamic capacity room for `objects` objects, off
    /// the audio thread (prepareToPlay, activate): destroys what is pending
    /// (waiting for a collect in progress to end: a PeriodicCollector may
    /// keep running), then takes one block from `resource` as
    /// HandoffQueue::prepare does. Returns false when `objects` is 0 or above
    /// HandoffQueue::maxCapacity, or when `resource` is null or throws (the
    /// pending objects were destroyed all the same). The same capacity and
    /// resource again keep the block and the statistics; another capacity
    /// starts the statistics over (misuses aside). `resource` must outlive
    /// the block.
    /// Thread: any but the audio thread, while no retire runs.
    /// Progress: blocking. Allocates: yes, from `resource`.
    bool prepare(std::size_t objects, std::pmr::memory_resource* resource = std::pmr::new_delete_resource()) noexcept
        requires dynamicCapacity
    {
        waitToCollect();
        destroyPending(queue_.stats().capacity);
        const bool prepared = queue_.prepare(objects, resource);
        endCollect();
        return prepared;
    }
    /// Gives a retirer with dynamic capacity its block back, after destroying
    /// what is pending (waiting, as prepare() does, for a collect in
    /// progress); it then refuses every retire until the next prepare().
    /// Thread: any but the audio thread, while no retire runs.
    /// Progress: blocking. Allocates: no (frees the block).
    void releaseMemory() noexcept
        requires dynamicCapacity
    {
        waitToCollect();
        destroyPending(queue_.stats().capacity);
        (void)queue_.releaseMemory();  // nothing pending: never refused
        endCollect();
    }

private:
    using DestroyFunction = void (*)(std::byte*) noexcept;

    template <class Object>
    static void destroyAs(std::byte* bytes) noexcept {
        std::destroy_at(std::launder(reinterpret_cast<Object*>(bytes)));
    }

    // One retired object, constructed in the queue's slot by retire and
    // never moved: collect destroys the object through `destroy` and then
    // pops the entry, whose own destructor is trivial.
    struct Entry {
        template <class Object>
        // NOLINTNEXTLINE(cppcoreguidelines-pro-type-member-init): `bytes` is the object's storage, filled here
        Entry(std::in_place_type_t<Object> /*type*/, Object&& object) noexcept : destroy(&destroyAs<Object>) {
            std::construct_at(reinterpret_cast<Object*>(bytes), std::forward<Object>(object));
        }
        Entry(const Entry&) = delete;
        Entry& operator=(const Entry&) = delete;
        Entry(Entry&&) = delete;
        Entry& operator=(Entry&&) = delete;
        ~Entry() = default;

        alignas(objectAlignment) std::byte bytes[ObjectBytes];
        DestroyFunction destroy;
    };
    static_assert(std::is_trivially_destructible_v<Entry>);

    /// Takes the collect flag, or false when another thread holds it.
    bool beginCollect() noexcept {
        std::uint32_t idle = 0;
        // (1) acquire: pairs with the release (2) that ended the previous
        // collect, so its pops (the queue's consumer state) happen before
        // ours. relaxed on failure: another collect runs; we touch nothing.
        if (!collecting_.compare_exchange_strong(idle, 1, std::memory_order_acquire, std::memory_order_relaxed))
            return false;
        followCollectingThread();
        return true;
    }
    /// Takes the collect flag, waiting for a collect in progress to end.
    void waitToCollect() noexcept {
        while (!beginCollect()) std::this_thread::yield();
    }
    void endCollect() noexcept {
        // (2) release: see (1).
        collecting_.store(0, std::memory_order_release);
    }

    /// Destroys at most `limit` objects, oldest first; returns how many.
    /// The caller holds the collect flag.
    std::size_t destroyPending(std::size_t limit) noexcept {
        std::size_t destroyed = 0;
        while (destroyed < limit) {
            Entry* const entry = queue_.front();
            if (entry == nullptr) break;
            entry->destroy(entry->bytes);
            queue_.pop();
            ++destroyed;
        }
        return destroyed;
    }

    /// Checked builds: the queue binds its consumer side to one thread; when
    /// collect moves to another thread while objects are pending, say so
    /// (the flag's acquire has ordered the old thread's pops before ours).
    /// rebindThreads() forgets the retiring thread too: its next retire binds
    /// it again, so a second retiring thread is still reported, one retire
    /// later at worst.
    void followCollectingThread() noexcept {
#if AUDIOPOOL_CHECK_THREADS
        const std::uintptr_t me = Atomics::threadToken();
        if (me != lastCollector_) {
            if (lastCollector_ != 0) queue_.rebindThreads();  // the first collect finds the consumer unbound
            lastCollector_ = me;
        }
#endif
    }

    // First: the queue's misuse reports name its address, which is then the retirer's.
    HandoffQueue<Entry, Capacity, Atomics> queue_{};
    // 1 while a collect (or prepare, or releaseMemory) runs.
    alignas(falseSharingRange) typename Atomics::template Atomic<std::uint32_t> collecting_{0};
    // Checked builds: the thread of the last collect (read and written only
    // by the thread holding the collect flag).
    std::uintptr_t lastCollector_ = 0;
};

/// A thread of its own that calls `retirer.collect()` every `period`, for a
/// program with no timer thread to call it from. stop() (or the destructor)
/// wakes the thread at once, joins it, and collects once more on the
/// stopping thread, so nothing retired before is left pending. The retirer
/// must outlive it. R: a Retirer (any type with `std::size_t collect()`).
template <class R>
class PeriodicCollector {
public:
    /// Starts the thread. Thread: any but the audio thread. Progress: blocking.
    /// Allocates: yes (the thread); throws std::system_error if it cannot start.
    PeriodicCollector(R& retirer, std::chrono::nanoseconds period) : retirer_(retirer), period_(period) {
        thread_ = std::thread([this] { run(); });  // after every other member is ready
    }
    PeriodicCollector(const PeriodicCollector&) = delete;
    PeriodicCollector& operator=(const PeriodicCollector&) = delete;
    PeriodicCollector(PeriodicCollector&&) = delete;
    PeriodicCollector& operator=(PeriodicCollector&&) = delete;

    /// Stops (see stop()). Thread: as stop(). Progress: blocking. Allocates: no.
    ~PeriodicCollector() { stop(); }

    /// Wakes the thread at once and joins it, then collects what is still
    /// pending on the calling thread; later calls do nothing. Call it before
    /// destroying or re-using the retirer elsewhere (a plugin's
    /// releaseResources, say).
    /// Thread: any but the audio thread and the collector's own; not
    /// concurrently with another stop() or the destructor.
    /// Progress: blocking (waits for a collect in progress). Allocates: no.
    void stop() {
        if (!thread_.joinable()) return;
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_one();
        thread_.join();
        const std::size_t last = retirer_.collect();
        const std::lock_guard<std::mutex> lock(mutex_);
        collected_ += last;
    }

    /// Objects its collects have destroyed so far.
    /// Thread: any but the audio thread. Progress: blocking (a mutex). Allocates: no.
    std::uint64_t collected() const {
        const std::lock_guard<std::mutex> lock(mutex_);
        return collected_;
    }

private:
    void run() {
        std::unique_lock<std::mutex> lock(mutex_);
        while (!wake_.wait_for(lock, period_, [this] { return stopping_; })) {
            lock.unlock();  // the destructors run without the lock: stopping is never held up by them
            const std::size_t destroyed = retirer_.collect();
            lock.lock();
            collected_ += destroyed;
        }
    }

    R& retirer_;
    const std::chrono::nanoseconds period_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;  // guarded by mutex_
    std::uint64_t collected_ = 0;  // guarded by mutex_
    std::thread thread_;
};

}  // namespace audiopool
