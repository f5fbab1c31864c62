// audiopool/stats.hpp — what a pool reports for tuning its size.
//
// Read with Pool::stats(). With Treiber and SpscRing it may be called from any
// thread at any time (Treiber: an exact snapshot; SpscRing: exact when no
// acquire or release is in progress). With IndexStack, call it on the pool's
// own thread.
#pragma once
#include "audiopool/config.hpp"

AUDIOPOOL_EXPORT namespace audiopool {

struct Stats {
    std::size_t capacity = 0;             ///< buffers in the pool
    std::size_t inUse = 0;                ///< buffers out of the pool now
    std::size_t highWater = 0;            ///< the most ever out at once
    std::uint64_t acquisitions = 0;       ///< successful acquires
    std::uint64_t releases = 0;           ///< buffers returned
    std::uint64_t failedAcquisitions = 0; ///< acquires refused because the pool was empty
    std::uint64_t rejectedRequests = 0;   ///< acquires refused as larger than the pool's buffers
    std::uint64_t misuses = 0;            ///< detected double, foreign or out-of-range releases (and wrong-thread use in checked builds)

    friend constexpr bool operator==(const Stats&, const Stats&) = default;
};

} // namespace audiopool
