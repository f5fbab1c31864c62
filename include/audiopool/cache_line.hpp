// audiopool/cache_line.hpp — the cache-line size every alignment in the
// library is built on (one constant, so a port changes one line).
#pragma once
#include "audiopool/config.hpp"

AUDIOPOOL_EXPORT namespace audiopool {

/// 64 bytes: the line on x86-64 and most ARM cores, and the width of an
/// AVX-512 register. Channels start on this boundary; hot atomics own a line.
inline constexpr std::size_t cacheLineSize = 64;

} // namespace audiopool
