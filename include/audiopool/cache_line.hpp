// audiopool/cache_line.hpp — the two sizes every alignment in the library is
// built on (one place, so a port changes two lines).
#pragma once
#include "audiopool/config.hpp"

AUDIOPOOL_EXPORT namespace audiopool {

/// 64 bytes: the line on x86-64 and most ARM cores, and the width of an
/// AVX-512 register. Channels start on this boundary.
inline constexpr std::size_t cacheLineSize = 64;

/// How far apart two words must be so that writing one never slows a thread
/// that writes the other: the pool's per-buffer bookkeeping and its hot
/// atomics are padded to this. 128 bytes where the hardware moves or
/// prefetches lines in pairs or has 128-byte lines: x86-64 (the adjacent-line
/// prefetcher fetches 128-byte pairs), AArch64 (Apple silicon's lines are 128
/// bytes) and POWER; 64 elsewhere. std::hardware_destructive_interference_size
/// is not used: it may differ between compilers (and with -mtune), and this
/// value decides the class layout, which must be the same in every build.
#if defined(__x86_64__) || defined(_M_X64) || defined(__aarch64__) || defined(_M_ARM64) || \
    defined(__powerpc64__)
inline constexpr std::size_t falseSharingRange = 128;
#else
inline constexpr std::size_t falseSharingRange = 64;
#endif

} // namespace audiopool
