// audiopool/fmt.hpp — {fmt} formatting for a pool's statistics and for a
// one-line description of a pool:
//
//     fmt::print("{}\n", pool);          // Pool<float> 2 ch x 512 frames x 16 buffers, Treiber (lock-free), ...
//     fmt::print("{}\n", pool.stats());  // inUse 3/16, highWater 5, acquisitions 120, ...
//
// Header mode: #include <audiopool/fmt.hpp> (needs {fmt} 9 or later).
// Module mode: import audiopool.fmt; (it re-exports audiopool).
//
// Not for the audio thread: formatting allocates (fmt::format returns a
// std::string) and printing is I/O. Take the Stats snapshot on the audio
// thread if you must (stats() is cheap and allocation-free), hand it to
// another thread, and format it there.
//
// The core library stays free of {fmt}: only this header (and the
// audiopool.fmt module built from it) includes it.
#pragma once
#ifndef AUDIOPOOL_MODULE
// In header mode this header brings in what it formats. The module interface
// unit (modules/audiopool.fmt.cppm) has {fmt} in its global module fragment
// and imports audiopool.
#include <fmt/format.h>

#include "audiopool/audiopool.hpp"
#endif

AUDIOPOOL_EXPORT namespace audiopool {

/// The name a pool description gives a free-list policy: the policy's own
/// `static constexpr std::string_view name` (every built-in policy has one),
/// else "custom". Give your policy a `name`, or specialise this with a
/// `static constexpr std::string_view value`.
template <class Policy>
struct PolicyName {
    static constexpr std::string_view value = [] {
        if constexpr (requires { std::string_view{Policy::name}; }) return std::string_view{Policy::name};
        else return std::string_view{"custom"};
    }();
};

} // namespace audiopool

namespace audiopool::detail {

/// The format specification these formatters accept: only the empty one
/// (`{}`); anything else is a format error (at compile time for checked
/// format strings).
struct PlainFormatSpec {
    constexpr auto parse(fmt::format_parse_context& context) {
        auto it = context.begin();
        if (it != context.end() && *it != '}') throw fmt::format_error("audiopool: only {} is supported");
        return it;
    }
};

} // namespace audiopool::detail

/// Stats as one line: "inUse 3/16, highWater 5, acquisitions 120, releases 117,
/// failed 0, rejected 0, misuses 0", and ", cached 4" when thread caches
/// hold buffers (Stats::cached).
template <>
struct fmt::formatter<audiopool::Stats> : audiopool::detail::PlainFormatSpec {
    template <class FormatContext>
    auto format(const audiopool::Stats& s, FormatContext& context) const {
        auto out = fmt::format_to(context.out(),
                                  "inUse {}/{}, highWater {}, acquisitions {}, releases {}, failed {}, "
                                  "rejected {}, misuses {}",
                                  s.inUse, s.capacity, s.highWater, s.acquisitions, s.releases, s.failedAcquisitions,
                                  s.rejectedRequests, s.misuses);
        if (s.cached != 0) out = fmt::format_to(out, ", cached {}", s.cached);
        return out;
    }
};

/// A pool as one line: sample type, channels x frames x capacity, policy and
/// its progress guarantee, bytes per buffer and in all. A pool with dynamic
/// sizes prints the sizes prepare() gave it ("prepared"), or "not prepared";
/// its bytes in all are the pool object's (its buffers are in its block).
template <class S, std::size_t Channels, std::size_t Frames, std::size_t Capacity, class Policy>
struct fmt::formatter<audiopool::Pool<S, Channels, Frames, Capacity, Policy>> : audiopool::detail::PlainFormatSpec {
    using PoolType = audiopool::Pool<S, Channels, Frames, Capacity, Policy>;
    template <class FormatContext>
    auto format(const PoolType& pool, FormatContext& context) const {
        const char* sample = std::is_same_v<S, float> ? "float" : "double";
        if constexpr (PoolType::dynamicSizes) {
            const audiopool::Sizes sizes = pool.sizes();
            if (sizes.capacity == 0)
                return fmt::format_to(context.out(), "Pool<{}> not prepared (dynamic sizes), {} ({})", sample,
                                      audiopool::PolicyName<Policy>::value, audiopool::describe(PoolType::progress));
            return fmt::format_to(context.out(),
                                  "Pool<{}> prepared {} ch x {} frames x {} buffers, {} ({}), {} bytes per buffer",
                                  sample, sizes.channels, sizes.frames, sizes.capacity,
                                  audiopool::PolicyName<Policy>::value, audiopool::describe(PoolType::progress),
                                  sizes.channels * audiopool::paddedFrames<S>(sizes.frames) * sizeof(S));
        } else {
            return fmt::format_to(
                context.out(), "Pool<{}> {} ch x {} frames x {} buffers, {} ({}), {} bytes per buffer, {} bytes in all",
                sample, Channels, Frames, Capacity, audiopool::PolicyName<Policy>::value,
                audiopool::describe(PoolType::progress), PoolType::bufferBytes, sizeof(PoolType));
        }
    }
};
