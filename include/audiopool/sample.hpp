// audiopool/sample.hpp — sample types and the channel layout they imply.
//
// A pooled buffer stores each channel as one run of samples starting on a
// cache-line boundary; the run is padded to a whole number of cache lines so
// that two channels, and two buffers, never share a line.
#pragma once
#include "audiopool/config.hpp"
#include "audiopool/cache_line.hpp"

AUDIOPOOL_EXPORT namespace audiopool {

/// The sample types a pool can hold.
template <class T>
concept SampleType = std::same_as<T, float> || std::same_as<T, double>;

/// The region a copy covered: how many channels and frames were written.
struct CopyExtent {
    std::size_t channels = 0;
    std::size_t frames = 0;
    friend constexpr bool operator==(const CopyExtent&, const CopyExtent&) = default;
};

/// Samples from the start of one channel to the start of the next: Frames
/// rounded up to a whole number of cache lines.
template <SampleType S>
constexpr std::size_t channelStride(std::size_t frames) noexcept {
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
concept PointerToMutableSample =
    PointerToSample<P> && !std::is_const_v<std::remove_pointer_t<std::remove_cvref_t<P>>>;

} // namespace audiopool::detail
