// audiopool/sizes.hpp — `audiopool::dynamic` and `audiopool::Sizes`: a
// pool's extents, fixed by its type or decided by the host at run time.
//
// Any of a pool's Channels, Frames and Capacity may be `audiopool::dynamic`
// (std::dynamic_extent, as std::span spells it). Such a pool has no buffers
// until prepare(Sizes{...}) gives it its sizes, off the audio thread, from
// what the host announced (JUCE prepareToPlay, CLAP activate, VST3
// setupProcessing, JACK's buffer-size callback).
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <cstddef>
#include <span>
#endif

AUDIOPOOL_EXPORT namespace audiopool {

/// The extent a pool's type leaves to prepare(): std::dynamic_extent.
inline constexpr std::size_t dynamic = std::dynamic_extent;

/// A pool's sizes: what prepare() is asked for, and what Pool::sizes()
/// reports. In a request, 0 for an extent the type fixes means "as the type
/// says"; any other value must equal it.
struct Sizes {
    std::size_t channels = 0;  ///< channels per buffer
    std::size_t frames = 0;    ///< frames (samples per channel) per buffer
    std::size_t capacity = 0;  ///< buffers in the pool

    friend constexpr bool operator==(const Sizes&, const Sizes&) = default;
};

} // namespace audiopool
