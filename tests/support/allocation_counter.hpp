// Counts heap allocations in the test binary that links allocation_counter.cpp
// (that file replaces the allocation functions; link it into a test program
// only, never into the library or a benchmark). Two views:
//
//  - allocationCount() / AllocationWatch: every heap allocation the process
//    makes, on any thread (malloc, calloc, realloc, the aligned forms, and
//    operator new, which goes through them). Works in every build: under a
//    sanitizer, which owns malloc itself, it is counted through the
//    sanitizer's allocation hook.
//  - test::audioscope: calls to each allocation function (operator new and
//    delete in every form, malloc, calloc, realloc, free, aligned_alloc,
//    memalign, posix_memalign) and to pthread_mutex_lock made by a thread
//    while it is inside a marked "audio" scope. Without a sanitizer the
//    functions are replaced one by one and counted. Under RealtimeSanitizer
//    (-fsanitize=realtime) an audio scope is a [[clang::nonblocking]]
//    function instead: RTSan stops the program at the first call it deems
//    unsafe there (allocation, lock, sleep, file or socket I/O, ...;
//    halt_on_error), so a scope that returns made no such call and its
//    counts are zero. Under the other sanitizers, which own malloc and do not
//    allow the replacement, the declarations below are absent.
//
// Library-independent: include it before `import audiopool;`.
#pragma once
#include <cstddef>
#include <cstdint>
#include <utility>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define AUDIOPOOL_SANITIZER_MALLOC 1
#endif
// RealtimeSanitizer intercepts malloc and pthread_mutex_lock itself (and
// runs the allocation hooks): the audio scopes become its real-time contexts.
#if __has_feature(realtime_sanitizer)
#define AUDIOPOOL_SANITIZER_MALLOC 1
#define AUDIOPOOL_RTSAN_SCOPES 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#ifndef AUDIOPOOL_SANITIZER_MALLOC
#define AUDIOPOOL_SANITIZER_MALLOC 1
#endif
#endif

namespace test {

/// How many heap allocations this process has made so far (all threads).
std::size_t allocationCount() noexcept;

/// allocationCount() at construction; allocations() is the number since.
class AllocationWatch {
public:
    AllocationWatch() noexcept : start_(allocationCount()) {}
    std::size_t allocations() const noexcept { return allocationCount() - start_; }

private:
    std::size_t start_;
};

#if !defined(AUDIOPOOL_SANITIZER_MALLOC) || defined(AUDIOPOOL_RTSAN_SCOPES)
namespace audioscope {

/// Calls counted inside audio scopes since the counters were last read.
struct Calls {
    std::uint64_t operatorNew = 0, operatorDelete = 0, malloc = 0, calloc = 0, realloc = 0, free = 0, alignedAlloc = 0,
                  mutexLock = 0;
    std::uint64_t total() const {
        return operatorNew + operatorDelete + malloc + calloc + realloc + free + alignedAlloc + mutexLock;
    }
};

#ifdef AUDIOPOOL_RTSAN_SCOPES
/// Runs `body` in a real-time context: RealtimeSanitizer stops the program at
/// any unsafe call it makes, on this thread.
template <class Body>
void run(Body&& body) {
    [&]() [[clang::nonblocking]] { body(); }();
}
/// Nothing is counted: a scope with an unsafe call never returns.
inline Calls takeCalls() noexcept { return {}; }
#else
/// Marks the calling thread as an audio thread until leave().
void enter() noexcept;
void leave() noexcept;
/// Reads and resets the counters (all threads together).
Calls takeCalls() noexcept;

/// Runs `body` inside an audio scope on the calling thread (its calls are
/// counted until the next takeCalls()).
template <class Body>
void run(Body&& body) {
    enter();
    std::forward<Body>(body)();
    leave();
}
#endif

/// Runs `body` inside an audio scope on the calling thread and returns the
/// calls it made. Nothing inside may itself allocate to report a result:
/// check results after this returns.
template <class Body>
Calls countDuring(Body&& body) {
    takeCalls();
    run(std::forward<Body>(body));
    return takeCalls();
}

} // namespace audioscope
#endif

} // namespace test
