// A bounded wait-free single-producer single-consumer queue: the hand-off
// ring the cross-thread benchmarks carry every subject's buffers through
// (callback.cpp, throughput.cpp), so there its cost is common to all
// subjects, and the results in docs/results/ were measured with it. Each
// index, and the slots, sit on their own cache line: the producer writes only
// the tail, the consumer only the head. The library's own queue is
// audiopool::HandoffQueue (handoff_queue.hpp), measured beside this one by
// bench/handoff.cpp.
//
// Library-independent: include it before `import audiopool;`.
#pragma once
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

namespace bench {

/// Alignment of each index and of the slots: two 64-byte lines, so the
/// adjacent-line prefetcher does not pair the head with the tail either.
inline constexpr std::size_t spscQueueLine = 128;

template <class T, std::size_t N>
class SpscQueue {
    static_assert(N > 0);
    // The audio thread pushes: moving a value in or out must not throw.
    static_assert(std::is_nothrow_move_constructible_v<T> && std::is_nothrow_move_assignable_v<T>);

public:
    /// Producer only. False when the queue is full (then `value` is untouched).
    bool push(T&& value) noexcept {
        const std::uint64_t tail = tail_.load(std::memory_order_relaxed);
        // acquire: pairs with pop's release, so the slot has been emptied.
        if (tail - head_.load(std::memory_order_acquire) == N) return false;
        slots_[tail % N] = std::move(value);
        // release: publishes the slot to pop's acquire.
        tail_.store(tail + 1, std::memory_order_release);
        return true;
    }

    /// Consumer only. The oldest value, or nothing when the queue is empty.
    std::optional<T> pop() noexcept {
        const std::uint64_t head = head_.load(std::memory_order_relaxed);
        // acquire: pairs with push's release.
        if (head == tail_.load(std::memory_order_acquire)) return std::nullopt;
        T& slot = slots_[head % N];
        std::optional<T> value(std::move(slot));
        // A moved-from object may still hold something (its state is only
        // "valid"); a trivially copyable one holds nothing to give back.
        if constexpr (!std::is_trivially_copyable_v<T>) slot = T{};
        // release: the slot may be reused by push.
        head_.store(head + 1, std::memory_order_release);
        return value;
    }

    /// Consumer only: true when nothing is waiting. After the producer's last
    /// push is known to be visible (e.g. an acquire load of a flag it set
    /// afterwards), empty() means everything has been popped.
    bool empty() const noexcept {
        return head_.load(std::memory_order_relaxed) == tail_.load(std::memory_order_acquire);
    }

private:
    alignas(spscQueueLine) std::atomic<std::uint64_t> head_{0};
    alignas(spscQueueLine) std::atomic<std::uint64_t> tail_{0};
    alignas(spscQueueLine) std::array<T, N> slots_{};
};

} // namespace bench
