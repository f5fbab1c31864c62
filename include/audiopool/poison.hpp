// audiopool/poison.hpp — making a use of a buffer after its release show.
//
// A handle's channelPointers() and channel() spans stay in the caller's hands
// after the handle gives its buffer back; writing through them then corrupts
// whatever the buffer's next owner keeps there, and reading gives plausible
// stale audio. Nothing stops that in the type system, so the pool marks a
// released buffer's samples (docs/real-time.md, "Use after release"):
//
//  - AddressSanitizer builds (AUDIOPOOL_HAS_ASAN): the samples are poisoned
//    when the buffer goes back on the free list and unpoisoned when an acquire
//    takes it off again, so any access in between is reported
//    (use-after-poison) at the line that made it.
//  - Debug builds without ASan (AUDIOPOOL_FILL_RELEASED): the samples are
//    overwritten with signalling NaNs on release, so a read in between gives
//    NaN. A write in between is not caught (the next owner's clear() or copy
//    hides it).
//  - Otherwise nothing: the pool calls these only under `if constexpr`, so
//    acquire and release compile to the same instructions as without them.
//
// The bookkeeping block before the samples (the free list's link among it)
// is never marked: the free list reads and writes it while the buffer is free.
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard and system headers are in the global module fragment
#include <algorithm>
#include <cstring>
#include <cstddef>
#include <limits>
#if AUDIOPOOL_HAS_ASAN
#include <sanitizer/asan_interface.h>
#endif
#endif
#include "audiopool/sample.hpp"

namespace audiopool::detail {

inline constexpr bool fillsReleased = AUDIOPOOL_FILL_RELEASED != 0;
inline constexpr bool poisonsReleased = AUDIOPOOL_HAS_ASAN != 0;
/// Whether a release marks the buffer at all (the pool's call site tests it).
inline constexpr bool marksReleased = fillsReleased || poisonsReleased;

// ASan's poisoning writes its shadow memory and nothing else: no allocation,
// lock or system call. Its functions are not declared nonblocking, so clang's
// effect analysis would flag the calls; these wrappers vouch for them.
#if AUDIOPOOL_HAS_ASAN && defined(__clang__) && __clang_major__ >= 20
#define AUDIOPOOL_ASAN_CALL(call)                                                                                      \
    _Pragma("clang diagnostic push") _Pragma("clang diagnostic ignored \"-Wfunction-effects\"") call;                  \
    _Pragma("clang diagnostic pop")
#else
#define AUDIOPOOL_ASAN_CALL(call) call
#endif

/// Makes `bytes` from `samples` addressable again: an acquired buffer's
/// samples, right after its pop and before a handle to it exists; the whole
/// pool when it is destroyed, so that memory reused after it (a new pool in
/// the same storage) is not left poisoned.
inline void unpoisonSamples([[maybe_unused]] const void* samples,
                            [[maybe_unused]] std::size_t bytes) noexcept AUDIOPOOL_NONBLOCKING {
#if AUDIOPOOL_HAS_ASAN
    AUDIOPOOL_ASAN_CALL(__asan_unpoison_memory_region(samples, bytes));
#endif
}

/// A released buffer's `count` samples, marked while the releasing thread
/// still owns them: before its index goes back on the free list. After the
/// push another thread may pop the buffer (and unpoison it); a fill or a
/// poisoning that came later would hit a live buffer.
template <SampleType S>
void markReleased([[maybe_unused]] S* samples, [[maybe_unused]] std::size_t count) noexcept AUDIOPOOL_NONBLOCKING {
    if constexpr (fillsReleased) std::fill_n(samples, count, std::numeric_limits<S>::signaling_NaN());
#if AUDIOPOOL_HAS_ASAN
    AUDIOPOOL_ASAN_CALL(__asan_poison_memory_region(samples, count * sizeof(S)));
#endif
}

/// ASan builds: makes `bytes` from `memory` unaddressable (a destroyed
/// object, its slot's padding after it). Nothing elsewhere.
inline void poisonBytes([[maybe_unused]] const void* memory,
                        [[maybe_unused]] std::size_t bytes) noexcept AUDIOPOOL_NONBLOCKING {
#if AUDIOPOOL_HAS_ASAN
    AUDIOPOOL_ASAN_CALL(__asan_poison_memory_region(memory, bytes));
#endif
}

/// markReleased for memory of no one sample type (an arena frame's): every
/// byte set to 0xFF, a NaN read as float and as double (a quiet one: no
/// pattern is a signalling NaN of both), or poisoned under ASan. `memory` and
/// `bytes` should be whole 8-byte granules, or ASan leaves a granule's tail
/// addressable.
inline void markReleasedBytes([[maybe_unused]] void* memory,
                              [[maybe_unused]] std::size_t bytes) noexcept AUDIOPOOL_NONBLOCKING {
    if constexpr (fillsReleased) std::memset(memory, 0xFF, bytes);
    poisonBytes(memory, bytes);
}

#undef AUDIOPOOL_ASAN_CALL

} // namespace audiopool::detail
