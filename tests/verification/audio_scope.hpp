// The real-time-safety harness: counts calls to the allocation functions
// (operator new/delete in every form, malloc, calloc, realloc, free,
// aligned_alloc, posix_memalign) and to pthread_mutex_lock made by a thread
// while it is inside a marked "audio" scope. The functions themselves are
// replaced in audio_scope.cpp, linked only into the real-time test binary
// (never into a sanitizer build: the sanitizers replace them too).
//
// Include before `import audiopool;`: it names only standard types.
#pragma once
#include <cstdint>

namespace audioscope {

/// Calls counted inside audio scopes since the counters were last read.
struct Calls {
    std::uint64_t operatorNew = 0, operatorDelete = 0, malloc = 0, calloc = 0, realloc = 0, free = 0,
                  alignedAlloc = 0, mutexLock = 0;
    std::uint64_t total() const {
        return operatorNew + operatorDelete + malloc + calloc + realloc + free + alignedAlloc + mutexLock;
    }
};

/// Marks the calling thread as an audio thread until leave().
void enter() noexcept;
void leave() noexcept;
/// Reads and resets the counters (all threads together).
Calls takeCalls() noexcept;

/// Runs `body` inside an audio scope on the calling thread and returns the
/// calls it made. Nothing inside may itself allocate to report a result:
/// check results after this returns.
template <class Body>
Calls countDuring(Body&& body) {
    takeCalls();
    enter();
    body();
    leave();
    return takeCalls();
}

} // namespace audioscope
