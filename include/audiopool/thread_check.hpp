// audiopool/thread_check.hpp — checked builds only: catching a pool used from
// a thread its policy does not allow (an SpscRing buffer released by a third
// thread, an IndexStack pool touched by a second thread).
//
// Compiled in when AUDIOPOOL_CHECK_THREADS is 1, which is the default without
// NDEBUG (config.hpp). With NDEBUG nothing here exists: the free lists carry no
// extra state and acquire/release run no extra instruction.
//
// A ThreadBinding remembers the one thread allowed on one side of a free list.
// The first use binds it; the free list unbinds it when the pool is idle
// (every buffer back), which is the moment a program may hand the pool to
// another thread (a host restarting its audio thread, say). A use from any
// other thread while bound is reported by the pool as Misuse::WrongThread.
// So checked builds enforce a slightly stricter rule than the policies state:
// the thread may change only while no buffer is out. The check costs one load
// of a thread identity and one compare-and-swap per checked operation.
#pragma once
#include "audiopool/config.hpp"

#if AUDIOPOOL_CHECK_THREADS
namespace audiopool::detail {

// Members are declared inline: in a named module an in-class definition is
// not implicitly inline, and these run on every checked acquire and release.
class ThreadBinding {
public:
    /// Binds to the calling thread if unbound; true if the caller is the bound thread.
    inline bool bindOrCheck() noexcept {
        const std::size_t me = currentThread();
        std::size_t bound = 0;
        // relaxed: a diagnostic that publishes nothing; the policy's own
        // atomics order the data (a correct program never races here).
        if (owner_.compare_exchange_strong(bound, me, std::memory_order_relaxed,
                                           std::memory_order_relaxed))
            return true;
        return bound == me;
    }
    /// Forgets the bound thread (the pool is idle; any thread may bind next).
    inline void unbind() noexcept { owner_.store(0, std::memory_order_relaxed); }  // relaxed: as above

private:
    /// A non-zero token naming the calling thread (no allocation, no system call).
    static inline std::size_t currentThread() noexcept {
        const std::size_t token = std::hash<std::thread::id>{}(std::this_thread::get_id());
        return token == 0 ? 1 : token;
    }

    // Atomic even for IndexStack: a misusing second thread must not turn the
    // check itself into a data race.
    std::atomic<std::size_t> owner_{0};
};

} // namespace audiopool::detail
#endif
