// Included first by every test file, before `import audiopool;` (in module
// mode every #include must come before the import). It holds what the tests
// share that does not need the library itself.
#pragma once
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

// The three built-in policies, for TEST_CASE_TEMPLATE.
#define AUDIOPOOL_ALL_POLICIES audiopool::Treiber, audiopool::SpscRing, audiopool::IndexStack

namespace test {

/// A buffer shaped like juce::AudioBuffer<T> (the members audiopool's
/// JuceLike concepts ask for, and nothing else).
template <class T>
class JuceShapedBuffer {
public:
    JuceShapedBuffer(int channels, int samples)
        : channels_(channels), samples_(samples),
          data_(static_cast<std::size_t>(channels) * static_cast<std::size_t>(samples)) {}
    int getNumChannels() const { return channels_; }
    int getNumSamples() const { return samples_; }
    const T* getReadPointer(int channel) const { return data_.data() + offset(channel); }
    T* getWritePointer(int channel) { return data_.data() + offset(channel); }
    T& at(int channel, int sample) { return data_[offset(channel) + static_cast<std::size_t>(sample)]; }

    /// Fills sample (c, i) with a value unique to its position.
    void fillRamp(T base = T(0)) {
        for (int c = 0; c < channels_; ++c)
            for (int i = 0; i < samples_; ++i) at(c, i) = base + rampValue(c, i);
    }
    static T rampValue(int channel, int sample) { return T(channel * 1000 + sample) / T(8); }

private:
    std::size_t offset(int channel) const {
        return static_cast<std::size_t>(channel) * static_cast<std::size_t>(samples_);
    }
    int channels_, samples_;
    std::vector<T> data_;
};

/// A pool of type P on the heap (pools can be large; the test stack is not).
/// Declare it before any handle so that handles are destroyed first.
template <class P>
std::unique_ptr<P> makePool() {
    return std::make_unique<P>();
}

/// A bounded single-producer single-consumer queue for handing handles from
/// one test thread to another (the hand-over establishes happens-before).
template <class T, std::size_t N>
class SpscQueue {
public:
    bool push(T&& value) {
        const std::size_t tail = tail_.load(std::memory_order_relaxed);
        if (tail - head_.load(std::memory_order_acquire) == N) return false;
        slots_[tail % N] = std::move(value);
        tail_.store(tail + 1, std::memory_order_release);
        return true;
    }
    bool empty() const { return head_.load(std::memory_order_relaxed) == tail_.load(std::memory_order_acquire); }
    std::optional<T> pop() {
        const std::size_t head = head_.load(std::memory_order_relaxed);
        if (head == tail_.load(std::memory_order_acquire)) return std::nullopt;
        std::optional<T> value(std::move(slots_[head % N]));
        slots_[head % N] = T{};
        head_.store(head + 1, std::memory_order_release);
        return value;
    }

private:
    std::array<T, N> slots_{};
    std::atomic<std::size_t> head_{0}, tail_{0};
};

} // namespace test
