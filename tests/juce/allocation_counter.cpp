// Counts heap allocations in the test binary that links this file. JUCE
// allocates with std::malloc (HeapBlock), not operator new, so the count is
// taken at the malloc level, which operator new also goes through:
//  - normally by defining malloc, calloc, realloc and the aligned forms here,
//    counting, and forwarding to glibc's own entry points (__libc_*); free
//    stays glibc's;
//  - under a sanitizer, which owns malloc itself, through the sanitizer's
//    allocation hook instead.
#include "allocation_counter.hpp"

#include <atomic>
#include <cerrno>
#include <cstdlib>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define AUDIOPOOL_SANITIZER_MALLOC 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define AUDIOPOOL_SANITIZER_MALLOC 1
#endif

namespace {
// relaxed: a statistic; the tests read it on the thread that allocates.
std::atomic<std::size_t> allocations{0};
void count() noexcept { allocations.fetch_add(1, std::memory_order_relaxed); }
} // namespace

std::size_t test::allocationCount() noexcept { return allocations.load(std::memory_order_relaxed); }

#ifdef AUDIOPOOL_SANITIZER_MALLOC
#include <sanitizer/allocator_interface.h>

namespace {
void onMalloc(const volatile void*, std::size_t) { count(); }
void onFree(const volatile void*) {}
const int hooksInstalled = __sanitizer_install_malloc_and_free_hooks(&onMalloc, &onFree);
} // namespace

#else

extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);

void* malloc(std::size_t size) {
    count();
    return __libc_malloc(size);
}
void* calloc(std::size_t n, std::size_t size) {
    count();
    return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t size) {
    count();
    return __libc_realloc(p, size);
}
void* aligned_alloc(std::size_t alignment, std::size_t size) {
    count();
    return __libc_memalign(alignment, size);
}
void* memalign(std::size_t alignment, std::size_t size) {
    count();
    return __libc_memalign(alignment, size);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t size) {
    if (alignment % sizeof(void*) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
    count();
    void* p = __libc_memalign(alignment, size);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}
} // extern "C"

#endif
