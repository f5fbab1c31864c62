// audiopool/sample.hpp — sample types and the memory layout they live in.
//
// A pooled buffer stores each channel as one run of samples starting on a
// cache-line boundary; the run is padded to a whole number of cache lines so
// that two channels, and two buffers, never share a line.
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <concepts>
#include <cstddef>
#include <type_traits>
#endif

AUDIOPOOL_EXPORT namespace audiopool {

/// 64 bytes: the line on x86-64 and most ARM cores, and the width of an
/// AVX-512 register. Channels start on this boundary.
inline constexpr std::size_t cacheLineSize = 64;

/// How far apart two words must be so that writing one never slows a thread
/// that writes the other: the pool's per-buffer bookkeeping and the free
/// lists' hot positions are padded to this. 128 bytes where the hardware
/// moves or prefetches lines in pairs or has 128-byte lines: x86-64 (the
/// adjacent-line prefetcher fetches 128-byte pairs), AArch64 (Apple silicon's
/// lines are 128 bytes) and POWER; 64 elsewhere.
/// std::hardware_destructive_interference_size is not used: it may differ
/// between compilers (and with -mtune), and this value decides the class
/// layout, which must be the same in every build.
#if defined(__x86_64__) || defined(_M_X64) || defined(__aarch64__) || defined(_M_ARM64) || defined(__powerpc64__)
inline constexpr std::size_t falseSharingRange = 128;
#else
inline constexpr std::size_t falseSharingRange = 64;
#endif

/// The sample types a pool can hold.
template <class T>
concept SampleType = std::same_as<T, float> || std::same_as<T, double>;

/// The region a copy covered: how many channels and frames were written.
struct CopyExtent {
    std::size_t channels = 0;
    std::size_t frames = 0;
    friend constexpr bool operator==(const CopyExtent&, const CopyExtent&) = default;
};

/// `frames` rounded up to a whole number of cache lines of S: the distance,
/// in samples, from one channel's start to the next (Pool::channelStride).
template <SampleType S>
constexpr std::size_t paddedFrames(std::size_t frames) noexcept {
    constexpr std::size_t perLine = cacheLineSize / sizeof(S);
    return (frames + perLine - 1) / perLine * perLine;
}

} // namespace audiopool

namespace audiopool::detail {

/// P (or a reference to it) is a pointer to float or double, const or not.
template <class P>
concept PointerToSample = std::is_pointer_v<std::remove_cvref_t<P>> &&
                          SampleType<std::remove_cv_t<std::remove_pointer_t<std::remove_cvref_t<P>>>>;

/// P (or a reference to it) is a pointer to non-const float or double.
template <class P>
concept PointerToMutableSample = PointerToSample<P> && !std::is_const_v<std::remove_pointer_t<std::remove_cvref_t<P>>>;

} // namespace audiopool::detail
