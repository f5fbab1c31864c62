// The allocation counter (allocation_counter.hpp). JUCE allocates with
// std::malloc (HeapBlock), not operator new, so allocations are taken at the
// malloc level:
//  - normally by replacing the allocation functions here (malloc, calloc,
//    realloc, free, the aligned forms, every replaceable operator new and
//    delete) and pthread_mutex_lock, counting, and doing the real work with
//    glibc's own allocator entry points (__libc_malloc and friends) and the
//    next pthread_mutex_lock definition (dlsym RTLD_NEXT);
//  - under a sanitizer, which owns malloc itself, through the sanitizer's
//    allocation hook instead (only the process-wide count is kept there).
#include "allocation_counter.hpp"

#include <atomic>
#include <cstddef>

namespace {
// constinit: counting may start before any dynamic initialisation. relaxed: a
// statistic; the tests read it on the thread that allocates.
constinit std::atomic<std::size_t> allocations{0};
void countAllocation() noexcept { allocations.fetch_add(1, std::memory_order_relaxed); }
} // namespace

std::size_t test::allocationCount() noexcept { return allocations.load(std::memory_order_relaxed); }

#ifdef AUDIOPOOL_SANITIZER_MALLOC
#include <sanitizer/allocator_interface.h>

namespace {
void onMalloc(const volatile void*, std::size_t) { countAllocation(); }
void onFree(const volatile void*) {}
const int hooksInstalled = __sanitizer_install_malloc_and_free_hooks(&onMalloc, &onFree);
} // namespace

#else

#include <cerrno>
#include <cstdlib>
#include <dlfcn.h>
#include <new>
#include <pthread.h>

// glibc's own entry points, declared here to call past the probes.
// NOLINTBEGIN(bugprone-reserved-identifier)
extern "C" {
void* __libc_malloc(std::size_t) noexcept;
void* __libc_calloc(std::size_t, std::size_t) noexcept;
void* __libc_realloc(void*, std::size_t) noexcept;
void* __libc_memalign(std::size_t, std::size_t) noexcept;
void __libc_free(void*) noexcept;
}
// NOLINTEND(bugprone-reserved-identifier)

namespace {

// constinit and trivial: reading it never allocates (the TLS block of the
// executable is static), so it is safe inside malloc itself.
constinit thread_local bool insideAudioScope = false;

struct Counters {
    std::atomic<std::uint64_t> operatorNew{0}, operatorDelete{0}, malloc{0}, calloc{0}, realloc{0}, free{0},
        alignedAlloc{0}, mutexLock{0};
};
constinit Counters counters;

/// A call to a counted function: noted if the calling thread is in an audio scope.
inline void note(std::atomic<std::uint64_t>& counter) noexcept {
    // relaxed: the counts are read after the scope ends, on the same thread
    // or after a join.
    if (insideAudioScope) counter.fetch_add(1, std::memory_order_relaxed);
}
/// A call that allocates: noted, and counted for allocationCount().
inline void noteAllocation(std::atomic<std::uint64_t>& counter) noexcept {
    note(counter);
    countAllocation();
}

void* allocate(std::size_t size) noexcept { return __libc_malloc(size == 0 ? 1 : size); }
void* allocateAligned(std::size_t size, std::align_val_t alignment) noexcept {
    return __libc_memalign(static_cast<std::size_t>(alignment), size == 0 ? 1 : size);
}
void* orThrow(void* p) {
    if (p == nullptr) throw std::bad_alloc();
    return p;
}

using MutexLock = int (*)(pthread_mutex_t*);
std::atomic<MutexLock> realMutexLock{nullptr};
MutexLock nextMutexLock() noexcept {
    MutexLock f = realMutexLock.load(std::memory_order_acquire);
    if (f == nullptr) {
        f = reinterpret_cast<MutexLock>(dlsym(RTLD_NEXT, "pthread_mutex_lock"));
        realMutexLock.store(f, std::memory_order_release);
    }
    return f;
}
[[maybe_unused]] const bool resolvedAtStartup = nextMutexLock() != nullptr;

} // namespace

namespace test::audioscope {
void enter() noexcept { insideAudioScope = true; }
void leave() noexcept { insideAudioScope = false; }
Calls takeCalls() noexcept {
    auto take = [](std::atomic<std::uint64_t>& c) { return c.exchange(0, std::memory_order_relaxed); };
    Calls calls;
    calls.operatorNew = take(counters.operatorNew);
    calls.operatorDelete = take(counters.operatorDelete);
    calls.malloc = take(counters.malloc);
    calls.calloc = take(counters.calloc);
    calls.realloc = take(counters.realloc);
    calls.free = take(counters.free);
    calls.alignedAlloc = take(counters.alignedAlloc);
    calls.mutexLock = take(counters.mutexLock);
    return calls;
}
} // namespace test::audioscope

// ---- C allocation functions ------------------------------------------------
extern "C" {
void* malloc(std::size_t size) noexcept {
    noteAllocation(counters.malloc);
    return __libc_malloc(size);
}
void* calloc(std::size_t count, std::size_t size) noexcept {
    noteAllocation(counters.calloc);
    return __libc_calloc(count, size);
}
void* realloc(void* p, std::size_t size) noexcept {
    noteAllocation(counters.realloc);
    return __libc_realloc(p, size);
}
void free(void* p) noexcept {
    note(counters.free);
    __libc_free(p);
}
void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
    noteAllocation(counters.alignedAlloc);
    return __libc_memalign(alignment, size);
}
void* memalign(std::size_t alignment, std::size_t size) noexcept {
    noteAllocation(counters.alignedAlloc);
    return __libc_memalign(alignment, size);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t size) noexcept {
    note(counters.alignedAlloc);
    if (alignment % sizeof(void*) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
    countAllocation();
    void* p = __libc_memalign(alignment, size);
    if (p == nullptr) return ENOMEM;
    *out = p;
    return 0;
}
int pthread_mutex_lock(pthread_mutex_t* mutex) noexcept {
    note(counters.mutexLock);
    return nextMutexLock()(mutex);
}
}

// ---- operator new and delete, every replaceable form ------------------------
// One form a line, so the table reads down: the formatter leaves it so.
// clang-format off
void* operator new(std::size_t n) { noteAllocation(counters.operatorNew); return orThrow(allocate(n)); }
void* operator new[](std::size_t n) { noteAllocation(counters.operatorNew); return orThrow(allocate(n)); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { noteAllocation(counters.operatorNew); return allocate(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { noteAllocation(counters.operatorNew); return allocate(n); }
void* operator new(std::size_t n, std::align_val_t a) { noteAllocation(counters.operatorNew); return orThrow(allocateAligned(n, a)); }
void* operator new[](std::size_t n, std::align_val_t a) { noteAllocation(counters.operatorNew); return orThrow(allocateAligned(n, a)); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept { noteAllocation(counters.operatorNew); return allocateAligned(n, a); }
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept { noteAllocation(counters.operatorNew); return allocateAligned(n, a); }

void operator delete(void* p) noexcept { note(counters.operatorDelete); __libc_free(p); }
void operator delete[](void* p) noexcept { note(counters.operatorDelete); __libc_free(p); }
void operator delete(void* p, std::size_t) noexcept { note(counters.operatorDelete); __libc_free(p); }
void operator delete[](void* p, std::size_t) noexcept { note(counters.operatorDelete); __libc_free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { note(counters.operatorDelete); __libc_free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { note(counters.operatorDelete); __libc_free(p); }
void operator delete(void* p, std::align_val_t) noexcept { note(counters.operatorDelete); __libc_free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { note(counters.operatorDelete); __libc_free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { note(counters.operatorDelete); __libc_free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { note(counters.operatorDelete); __libc_free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { note(counters.operatorDelete); __libc_free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { note(counters.operatorDelete); __libc_free(p); }
// clang-format on

#endif
