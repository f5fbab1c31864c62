// audiopool/misuse.hpp — what happens when a lower-level release is wrong.
//
// The handles make double release impossible. The lower-level API
// (Unique::detach / Pool::release(Detached) / Pool::adopt) can be misused: a
// detached buffer released twice, released into another pool, or an index out
// of range. The pool detects each, never touches its free list for it, counts
// it in Stats::misuses, and calls the misuse handler.
//
// Checked builds (AUDIOPOOL_CHECK_THREADS, the default without NDEBUG) also
// report Misuse::WrongThread: an acquire or release on a thread the policy
// does not allow (thread_check.hpp); every build reports it where a policy
// sees its rule broken (SpscRing's releasers' position, or an OwnerThread
// lane's, moving backwards). That one is reported and counted, and the
// operation then goes ahead, so a misuse that did not race loses nothing.
//
// The handler is process-wide and replaceable (setMisuseHandler). With none
// installed, a misuse prints one line to stderr and aborts when
// AUDIOPOOL_ABORT_ON_MISUSE is 1 (the default without NDEBUG: abortOnMisuse)
// and is only counted otherwise (ignoreMisuse). Both handlers have one
// definition whatever NDEBUG is; only the choice of default follows it, as
// assert() does. A handler runs on the thread that misused the pool, possibly the
// audio thread: keep it real-time safe or make it abort.
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#endif

AUDIOPOOL_EXPORT namespace audiopool {

/// What a lower-level release, or a thread its policy does not allow, did
/// wrong (MisuseReport::kind).
enum class Misuse {
    DoubleRelease,   ///< the buffer was already back in the pool, or the Detached is stale (an older detachment)
    ForeignRelease,  ///< the buffer belongs to another pool
    IndexOutOfRange, ///< no buffer has that index
    NotDetached,     ///< the buffer is owned by a live handle, not detached
    WrongThread,  ///< checked builds: a thread the policy does not allow (index: the buffer, or Popped::none for an acquire)
    ConcurrentPrepare,  ///< prepare() or releaseMemory() while another thread was in one of them (index: Popped::none)
    FrameOrder,  ///< an Arena frame ended while a frame opened after it was still open (frames are LIFO; index: the frame's depth)
};

/// A few words for a misuse, for a handler's message. Thread: any. Allocates: no.
constexpr std::string_view describe(Misuse m) noexcept {
    switch (m) {
    case Misuse::DoubleRelease: return "double release";
    case Misuse::ForeignRelease: return "release into a pool the buffer does not belong to";
    case Misuse::IndexOutOfRange: return "buffer index out of range";
    case Misuse::NotDetached: return "release of a buffer that a live handle owns";
    case Misuse::ConcurrentPrepare: return "prepare or releaseMemory while another thread was preparing the pool";
    case Misuse::WrongThread: return "acquire or release on a thread the pool's policy does not allow";
    case Misuse::FrameOrder: return "an arena frame ended before a frame opened after it";
    }
    return "unknown misuse";
}

/// What the misuse handler is told: the misuse, the pool that detected it
/// and the buffer index given (Popped::none for an acquire).
struct MisuseReport {
    Misuse kind;
    const void* pool;  ///< the pool that detected it
    std::uint64_t index;  ///< the buffer index given
};

/// A handler runs on the thread that misused the pool, possibly the audio
/// thread, so its type is nonblocking (config.hpp, AUDIOPOOL_NONBLOCKING):
/// clang >= 20 checks a handler declared with AUDIOPOOL_NONBLOCKING (or
/// [[clang::nonblocking]]) like any audio-thread function, and with
/// -Wfunction-effects warns when a plain function is installed.
using MisuseHandler = void (*)(const MisuseReport&) noexcept AUDIOPOOL_NONBLOCKING;

}  // namespace audiopool

namespace audiopool::detail {
/// Prints the report and ends the program. [[noreturn]]: the function effect
/// analysis lets a nonblocking function call a function that never returns
/// (the program is over, no deadline is missed), which is how the default
/// handler below is nonblocking although printing is not.
[[noreturn]] inline void printAndAbort(const MisuseReport& report) noexcept {
    std::fprintf(stderr, "audiopool: %.*s (pool %p, index %llu)\n", static_cast<int>(describe(report.kind).size()),
                 describe(report.kind).data(), report.pool, static_cast<unsigned long long>(report.index));
    std::abort();
}
}  // namespace audiopool::detail

AUDIOPOOL_EXPORT namespace audiopool {

/// A handler that prints one line to stderr and aborts (the default without
/// NDEBUG). It ends the program: it never returns to miss a deadline.
inline void abortOnMisuse(const MisuseReport& report) noexcept AUDIOPOOL_NONBLOCKING { detail::printAndAbort(report); }

/// A handler that does nothing: the misuse is only counted in Stats::misuses
/// (the default with NDEBUG).
inline void ignoreMisuse(const MisuseReport&) noexcept AUDIOPOOL_NONBLOCKING {}

}  // namespace audiopool

namespace audiopool::detail {
// nullptr: no handler installed; the default for the calling code applies.
// Zero-initialised, so it needs no start-up code.
inline std::atomic<MisuseHandler> misuseHandler{nullptr};
}  // namespace audiopool::detail

AUDIOPOOL_EXPORT namespace audiopool {

/// Installs `handler` (nullptr restores the default) and returns the previous
/// one (nullptr if it was the default); pass that back to restore it.
/// Thread: any. Progress: wait-free (one atomic exchange). Allocates: no.
inline MisuseHandler setMisuseHandler(MisuseHandler handler) noexcept {
    // acq_rel: the handler's own state, set up before this call, is visible
    // to a thread that loads it (acquire in reportMisuse).
    return detail::misuseHandler.exchange(handler, std::memory_order_acq_rel);
}

}  // namespace audiopool

namespace audiopool::detail {
inline void reportMisuse(const MisuseReport& report) noexcept AUDIOPOOL_NONBLOCKING {
    // acquire: pairs with the exchange in setMisuseHandler.
    if (const MisuseHandler handler = misuseHandler.load(std::memory_order_acquire)) handler(report);
    else if constexpr (AUDIOPOOL_ABORT_ON_MISUSE) abortOnMisuse(report);
}
}  // namespace audiopool::detail
