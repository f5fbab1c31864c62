// audiopool/progress.hpp — the progress guarantee of a pool's operations, as a
// compile-time value (Pool::progress).
//
//  - WaitFree: every acquire and release finishes in a bounded number of its
//    own steps, whatever other threads do (SpscRing, IndexStack).
//  - LockFree: some thread always makes progress, but one thread can retry
//    while others keep winning; a thread pre-empted mid-operation never blocks
//    the others (Treiber).
//  - Blocking: an operation can wait for another thread (a user policy with a
//    mutex, say). Never use such a policy on the audio thread.
#pragma once
#include "audiopool/config.hpp"

AUDIOPOOL_EXPORT namespace audiopool {

enum class Progress { Blocking, LockFree, WaitFree };

constexpr std::string_view describe(Progress p) noexcept {
    switch (p) {
    case Progress::Blocking: return "blocking";
    case Progress::LockFree: return "lock-free";
    case Progress::WaitFree: return "wait-free";
    }
    return "unknown";
}

} // namespace audiopool
