// audiopool/thread_check.hpp — catching a pool used from a thread its policy
// does not allow (an SpscRing buffer released by a third thread, an
// IndexStack pool touched by a second thread).
//
// The pool owns two ThreadBindings (acquiring side, releasing side) in every
// build, so its class layout never depends on NDEBUG; they are consulted only
// when AUDIOPOOL_CHECK_THREADS is 1, the default without NDEBUG (config.hpp).
// With NDEBUG acquire and release run no extra instruction for them.
//
// A ThreadBinding remembers the one thread allowed on one side of a free list.
// The first use binds it; the pool unbinds both sides when it is idle (every
// buffer back), which is the moment a program may hand the pool to another
// thread (a host restarting its audio thread, say). A use from any other
// thread while bound is reported by the pool as Misuse::WrongThread. So
// checked builds enforce a slightly stricter rule than the policies state:
// the thread may change only while no buffer is out. The check costs one read
// of the thread pointer and one compare-and-swap per checked operation.
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <cstdint>
#endif
#include "audiopool/atomics.hpp"

namespace audiopool::detail {

// Members are declared inline (see config.hpp): they run on every checked acquire and release.
// Atomics: the pool's (atomics.hpp), for the word and the thread's name.
template <class Atomics>
class ThreadBinding {
public:
    /// Binds to the calling thread if unbound; true if the caller is the bound thread.
    inline bool bindOrCheck() noexcept {
        const std::uintptr_t me = Atomics::threadToken();
        std::uintptr_t bound = 0;
        // relaxed: a diagnostic that publishes nothing; the policy's own
        // atomics order the data (a correct program never races here).
        if (owner_.compare_exchange_strong(bound, me, std::memory_order_relaxed, std::memory_order_relaxed))
            return true;
        return bound == me;
    }
    /// Forgets the bound thread (the pool is idle; any thread may bind next).
    inline void unbind() noexcept { owner_.store(0, std::memory_order_relaxed); }  // relaxed: as above

private:
    // Atomic even for IndexStack: a misusing second thread must not turn the
    // check itself into a data race.
    typename Atomics::template Atomic<std::uintptr_t> owner_{0};
};

} // namespace audiopool::detail
