// bench/timing.hpp — the clock the latency benchmarks read, and what is read
// off a set of timed samples: percentiles and the distribution's tail (CCDF)
// for the plots.
//
// None of this is part of the library; it includes nothing from it, so a
// benchmark file can include it before `import audiopool;`.
#pragma once
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace bench {

/// A timestamp that neither earlier nor later instructions cross (lfence on
/// both sides of rdtsc on x86-64; steady_clock elsewhere), and a compiler
/// barrier for memory operations.
inline std::uint64_t stamp() noexcept {
#if defined(__x86_64__)
    std::uint32_t lo, hi;
    asm volatile("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi)::"memory");
    return (std::uint64_t{hi} << 32) | lo;
#else
    std::atomic_signal_fence(std::memory_order_seq_cst);
    const auto t = std::chrono::steady_clock::now().time_since_epoch().count();
    std::atomic_signal_fence(std::memory_order_seq_cst);
    return static_cast<std::uint64_t>(t);
#endif
}

/// Stamps per nanosecond, measured against steady_clock over ~50 ms.
inline double stampsPerNs() {
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    const std::uint64_t s0 = stamp();
    while (Clock::now() - t0 < std::chrono::milliseconds(50)) {}
    const auto t1 = Clock::now();
    const std::uint64_t s1 = stamp();
    return double(s1 - s0) / double(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
}

/// Keeps `value` alive as if the program used it (so a malloc/free pair or a
/// store is not optimised away); emits no instruction.
template <class T>
inline void keep(const T& value) noexcept {
    asm volatile("" : : "r"(value) : "memory");
}

struct Percentiles {
    double p50, p99, p999, p9999, max;
};

/// Sorts `samples` (stamps) and reads the percentiles off them, each divided
/// by `perUnit` stamps (e.g. stamps per ns, or per ns x operations per sample).
inline Percentiles percentiles(std::vector<std::uint32_t>& samples, double perUnit) {
    std::sort(samples.begin(), samples.end());
    const auto at = [&](double q) {
        const std::size_t i = std::min(samples.size() - 1, std::size_t(q * double(samples.size())));
        return samples[i] / perUnit;
    };
    return {at(0.5), at(0.99), at(0.999), at(0.9999), samples.back() / perUnit};
}

/// The tail of sorted `samples`: (value / perUnit, fraction of samples at or
/// above it) at log-spaced fractions 1 .. 1/count (ten per decade), then the
/// maximum at 1/count. What the CCDF plots draw.
inline std::vector<std::pair<double, double>> tail(const std::vector<std::uint32_t>& sorted, double perUnit) {
    std::vector<std::pair<double, double>> points;
    const std::size_t count = sorted.size();
    for (double fraction = 1.0; fraction * double(count) >= 1.0; fraction /= std::pow(10.0, 0.1)) {
        const std::size_t i = std::min(count - 1, std::size_t((1.0 - fraction) * double(count)));
        points.emplace_back(sorted[i] / perUnit, fraction);
    }
    if (count > 0) points.emplace_back(sorted.back() / perUnit, 1.0 / double(count));
    return points;
}

} // namespace bench
