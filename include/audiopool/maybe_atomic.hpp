// audiopool/maybe_atomic.hpp — a word that is a std::atomic where other
// threads can touch it and a plain integer where the policy promises one
// thread only.
//
// The pool keeps its ownership words and statistics in MaybeAtomic<T, Atomic>,
// so the IndexStack policy ("no atomics at all") pays nothing for thread
// safety it does not offer, and the other policies use exactly the memory
// orders the caller names.
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <atomic>
#include <utility>
#endif

namespace audiopool::detail {

template <class T, bool Atomic>
class MaybeAtomic;

template <class T>
class MaybeAtomic<T, true> {
    static_assert(std::atomic<T>::is_always_lock_free,
                  "audiopool: this word type is not lock-free on this target");

public:
    constexpr MaybeAtomic() noexcept = default;
    T load(std::memory_order o) const noexcept { return value_.load(o); }
    void store(T v, std::memory_order o) noexcept { value_.store(v, o); }
    T fetchAdd(T v, std::memory_order o) noexcept { return value_.fetch_add(v, o); }
    T fetchSub(T v, std::memory_order o) noexcept { return value_.fetch_sub(v, o); }
    bool compareExchange(T& expected, T desired, std::memory_order success,
                         std::memory_order failure) noexcept {
        return value_.compare_exchange_weak(expected, desired, success, failure);
    }

private:
    std::atomic<T> value_{};
};

template <class T>
class MaybeAtomic<T, false> {
public:
    constexpr MaybeAtomic() noexcept = default;
    T load(std::memory_order) const noexcept { return value_; }
    void store(T v, std::memory_order) noexcept { value_ = v; }
    T fetchAdd(T v, std::memory_order) noexcept { return std::exchange(value_, value_ + v); }
    T fetchSub(T v, std::memory_order) noexcept { return std::exchange(value_, value_ - v); }
    bool compareExchange(T& expected, T desired, std::memory_order, std::memory_order) noexcept {
        if (value_ != expected) {
            expected = value_;
            return false;
        }
        value_ = desired;
        return true;
    }

private:
    T value_{};
};

/// Raises `counter` to `candidate` if it is lower (a monotonic maximum).
template <class T, bool Atomic>
void raiseTo(MaybeAtomic<T, Atomic>& counter, T candidate) noexcept {
    T current = counter.load(std::memory_order_relaxed);
    // relaxed: a statistic; it publishes no other data.
    while (candidate > current &&
           !counter.compareExchange(current, candidate, std::memory_order_relaxed,
                                    std::memory_order_relaxed)) {
    }
}

} // namespace audiopool::detail
