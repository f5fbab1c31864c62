// audiopool/maybe_atomic.hpp — a word that is atomic where other threads can
// touch it and a plain integer where the policy promises one thread only.
//
// The pool keeps its ownership words and statistics in
// MaybeAtomic<T, Atomic, Atomics>: the Atomics type's atomic word
// (atomics.hpp) when Atomic is true, otherwise a PlainWord with the same
// interface. So the IndexStack policy ("no atomics at all") pays nothing for
// thread safety it does not offer, and the other policies use exactly the
// memory orders the caller names.
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <atomic>
#include <type_traits>
#include <utility>
#endif
#include "audiopool/atomics.hpp"

namespace audiopool::detail {

/// std::atomic's interface on a plain word, for one thread: the orders are ignored.
template <class T>
class PlainWord {
public:
    constexpr PlainWord() noexcept = default;
    T load(std::memory_order) const noexcept { return value_; }
    void store(T v, std::memory_order) noexcept { value_ = v; }
    T fetch_add(T v, std::memory_order) noexcept { return std::exchange(value_, value_ + v); }
    T fetch_sub(T v, std::memory_order) noexcept { return std::exchange(value_, value_ - v); }
    bool compare_exchange_weak(T& expected, T desired, std::memory_order, std::memory_order) noexcept {
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

template <class T, bool Atomic, class Atomics = StdAtomics>
using MaybeAtomic = std::conditional_t<Atomic, typename Atomics::template Atomic<T>, PlainWord<T>>;

/// Raises `counter` to `candidate` if it is lower (a monotonic maximum).
template <class Word, class T>
void raiseTo(Word& counter, T candidate) noexcept {
    T current = counter.load(std::memory_order_relaxed);
    // relaxed: a statistic; it publishes no other data.
    while (candidate > current &&
           !counter.compare_exchange_weak(current, candidate, std::memory_order_relaxed, std::memory_order_relaxed)) {}
}

} // namespace audiopool::detail
