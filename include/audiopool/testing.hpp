// audiopool/testing.hpp — allocation and lock checks for a test program's own processBlock tests.
//
// An AllocationScope counts, on the thread that made it and while it is
// alive, every call to an allocation function (operator new and delete in
// every form, malloc, calloc, realloc, free, aligned_alloc, memalign,
// posix_memalign) and to pthread_mutex_lock; with OnAllocation::abort it
// stops the program at the first one instead, naming it:
//
//     #define AUDIOPOOL_TESTING_IMPLEMENTATION  // in exactly one .cpp of the test program
//     #include <audiopool/testing.hpp>
//
//     const audiopool::testing::Counts counts =
//         audiopool::testing::countAllocations([&] { processor.processBlock(buffer, midi); });
//     CHECK(counts.total() == 0);
//
// It works by replacing those functions in the test program (the file that
// defines AUDIOPOOL_TESTING_IMPLEMENTATION defines them), so it belongs in a
// test executable, never in a library or a plugin a host loads. How calls are
// seen depends on how the program is built (`detection` says which):
//  - no sanitizer, glibc (Linux): each function is replaced and counted by
//    name; calls to glibc's allocator then do the work (__libc_malloc and
//    friends; the next pthread_mutex_lock through dlsym);
//  - AddressSanitizer, ThreadSanitizer, MemorySanitizer (which own malloc and
//    do not allow replacing it, on any platform they run on, macOS included):
//    allocations and deallocations are seen through the sanitizer's allocator
//    hooks, as totals only; locks are not seen;
//  - RealtimeSanitizer (-fsanitize=realtime, clang >= 20): a scope is also
//    one of its real-time contexts, so RTSan reports the first call it deems
//    unsafe there (allocation, lock, sleep, file or socket I/O, ...) with a
//    stack trace, and by default stops the program, whatever OnAllocation
//    says; the counts stay zero (RTSan runs no allocator hooks).
// Elsewhere (macOS or musl without a sanitizer, Windows) the implementation
// does not compile: it says so. docs/testing.md has the whole story.
//
// Library-independent, and not part of `import audiopool;` (a module cannot
// replace malloc): a module user includes it before the import.
#ifndef AUDIOPOOL_TESTING_HPP_INCLUDED
#define AUDIOPOOL_TESTING_HPP_INCLUDED

#include <cstddef>
#include <cstdint>
#include <utility>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer) ||          \
    __has_feature(hwaddress_sanitizer)
#define AUDIOPOOL_TESTING_SANITIZER_MALLOC 1
#endif
#if __has_feature(realtime_sanitizer)
#define AUDIOPOOL_TESTING_SANITIZER_MALLOC 1
#define AUDIOPOOL_TESTING_RTSAN 1
#endif
#endif
#if (defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || defined(__SANITIZE_HWADDRESS__)) &&              \
    !defined(AUDIOPOOL_TESTING_SANITIZER_MALLOC)
#define AUDIOPOOL_TESTING_SANITIZER_MALLOC 1
#endif

namespace audiopool::testing {

/// What an AllocationScope does at a call it sees.
enum class OnAllocation {
    count, ///< counts it (Counts); the call then goes ahead
    abort, ///< writes which call it was (and a backtrace) to stderr and calls std::abort()
};

/// How this program sees the calls, decided by how it is compiled.
enum class Detection {
    replacedFunctions, ///< every function replaced: Counts::calls by function, locks counted
    sanitizerHooks,    ///< ASan/TSan/MSan's allocator hooks: allocations and deallocations only
    realtimeSanitizer, ///< RTSan's real-time contexts: RTSan reports each unsafe call; the counts stay zero
};

/// The Detection of this program.
inline constexpr Detection detection =
#if defined(AUDIOPOOL_TESTING_RTSAN)
    Detection::realtimeSanitizer;
#elif defined(AUDIOPOOL_TESTING_SANITIZER_MALLOC)
    Detection::sanitizerHooks;
#else
    Detection::replacedFunctions;
#endif

/// The calls a scope saw, function by function (with
/// Detection::replacedFunctions; zero otherwise, where only Counts' totals
/// are known).
struct Calls {
    std::uint64_t operatorNew = 0;    ///< operator new and new[], every form (nothrow, aligned)
    std::uint64_t malloc = 0;         ///< malloc
    std::uint64_t calloc = 0;         ///< calloc
    std::uint64_t realloc = 0;        ///< realloc
    std::uint64_t alignedAlloc = 0;   ///< aligned_alloc, memalign, posix_memalign
    std::uint64_t operatorDelete = 0; ///< operator delete and delete[] of a non-null pointer, every form
    std::uint64_t free = 0;           ///< free of a non-null pointer
};

/// What a scope saw. Freeing a null pointer is a no-op and is not counted.
struct Counts {
    std::uint64_t allocations = 0;  ///< every allocating call (operator new, malloc, calloc, realloc, aligned forms)
    std::uint64_t deallocations = 0;  ///< every operator delete and free of a non-null pointer
    std::uint64_t locks = 0;  ///< pthread_mutex_lock (std::mutex::lock); Detection::replacedFunctions only
    Calls calls;  ///< the same, function by function

    /// Every call seen: allocations + deallocations + locks.
    [[nodiscard]] constexpr std::uint64_t total() const noexcept { return allocations + deallocations + locks; }
};

namespace detail {
/// The kinds of call a thread's tally counts (one slot each).
enum CallKind : std::size_t {
    operatorNewCall,
    mallocCall,
    callocCall,
    reallocCall,
    alignedAllocCall,
    operatorDeleteCall,
    freeCall,
    mutexLockCall,
    hookedAllocation,  // seen through a sanitizer's malloc hook
    hookedDeallocation,  // seen through a sanitizer's free hook
    callKinds
};
/// Calls of each kind a thread made inside its scopes, since it started.
struct Tally {
    std::uint64_t byKind[callKinds] = {};
};
struct ThreadState;
}  // namespace detail

/// While alive, sees the calls to allocation functions and pthread_mutex_lock
/// made by the thread that constructed it (other threads' calls are not
/// seen), and counts them or aborts at the first (OnAllocation). Scopes nest:
/// an outer scope sees the calls of the inner ones, and a thread aborts if
/// any of its live scopes says abort. Read counts() before the test
/// framework reports (it may allocate), or use countAllocations().
/// Thread: construct, read and destroy on one thread (destroying it on
/// another aborts with a message). Progress: wait-free. Allocates: no.
class AllocationScope {
public:
    /// Starts seeing this thread's calls.
    explicit AllocationScope(OnAllocation onAllocation = OnAllocation::count) noexcept;
    /// Stops seeing them (for this scope; enclosing scopes go on).
    ~AllocationScope();
    AllocationScope(const AllocationScope&) = delete;
    AllocationScope& operator=(const AllocationScope&) = delete;

    /// The calls this thread made since the scope began.
    [[nodiscard]] Counts counts() const noexcept;

private:
    detail::ThreadState* owner_;
    detail::Tally start_;
    OnAllocation onAllocation_;
};

/// Runs `body` on the calling thread inside an AllocationScope and returns
/// what it saw. The checks come after, outside the scope.
/// Thread: any. Allocates: only what `body` does.
template <class Body>
[[nodiscard]] Counts countAllocations(Body&& body) {
    const AllocationScope scope;
    std::forward<Body>(body)();
    return scope.counts();
}

}  // namespace audiopool::testing

#endif  // AUDIOPOOL_TESTING_HPP_INCLUDED

// ---- The implementation: compiled once, where AUDIOPOOL_TESTING_IMPLEMENTATION is defined ----
#if defined(AUDIOPOOL_TESTING_IMPLEMENTATION) && !defined(AUDIOPOOL_TESTING_IMPLEMENTED)
#define AUDIOPOOL_TESTING_IMPLEMENTED 1

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>
#include <unistd.h>

#ifdef AUDIOPOOL_TESTING_SANITIZER_MALLOC
// The sanitizer runtime's interface (<sanitizer/allocator_interface.h> and
// common_interface_defs.h, which not every compiler installs), declared here.
// NOLINTBEGIN(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp): the runtime's names
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*onMalloc)(const volatile void*, std::size_t),
                                                         void (*onFree)(const volatile void*));
#ifndef AUDIOPOOL_TESTING_RTSAN  // RTSan's runtime has no stack printer of its own to call
extern "C" void __sanitizer_print_stack_trace();
#endif
// NOLINTEND(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp)
#else
#if !defined(__GLIBC__)
#error "audiopool/testing.hpp replaces malloc through glibc's allocator: without a sanitizer it needs glibc (Linux). \
Elsewhere build the test program with -fsanitize=address or -fsanitize=thread (docs/testing.md)."
#endif
#include <atomic>
#include <dlfcn.h>
#include <execinfo.h>
#include <malloc.h>  // memalign's declaration
#include <pthread.h>
// glibc's own allocator entry points, which the replacements call.
// NOLINTBEGIN(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp): glibc's names
extern "C" {
void* __libc_malloc(std::size_t) noexcept;
void* __libc_calloc(std::size_t, std::size_t) noexcept;
void* __libc_realloc(void*, std::size_t) noexcept;
void* __libc_memalign(std::size_t, std::size_t) noexcept;
void __libc_free(void*) noexcept;
}
// NOLINTEND(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp)
#endif
#ifdef AUDIOPOOL_TESTING_RTSAN
// RealtimeSanitizer's entry and exit of a real-time context: what the
// compiler calls around a [[clang::nonblocking]] function.
// NOLINTBEGIN(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp): the runtime's names
extern "C" void __rtsan_realtime_enter();
extern "C" void __rtsan_realtime_exit();
// NOLINTEND(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp)
#endif

namespace audiopool::testing::detail {

/// A thread's calls and its live scopes. Read and written by that thread only.
struct ThreadState {
    Tally tally;
    int scopes = 0;  // live scopes: calls are counted while > 0
    int abortingScopes = 0;  // live scopes with OnAllocation::abort
};

// constinit and trivial: this executable's static TLS, so reading it never
// allocates and is safe inside malloc itself.
constinit thread_local ThreadState threadState;

inline void writeError(const char* text) noexcept {
    std::size_t left = std::strlen(text);
    while (left > 0) {
        const ssize_t written = ::write(STDERR_FILENO, text, left);
        if (written <= 0) return;
        text += written;
        left -= static_cast<std::size_t>(written);
    }
}

[[noreturn]] inline void abortAt(const char* call) noexcept {
    // The report's own calls are not caught again.
    threadState.scopes = 0;
    threadState.abortingScopes = 0;
    writeError("audiopool::testing: ");
    writeError(call);
    writeError(" inside an AllocationScope(OnAllocation::abort) on this thread\n");
#if defined(AUDIOPOOL_TESTING_RTSAN)
    writeError("audiopool::testing: run under a debugger for the stack (RealtimeSanitizer's own report has it)\n");
#elif defined(AUDIOPOOL_TESTING_SANITIZER_MALLOC)
    __sanitizer_print_stack_trace();
#else
    writeError("audiopool::testing: backtrace, innermost first (names with -rdynamic, lines with addr2line -e; "
               "a debugger stops at the abort with the whole stack):\n");
    void* frames[64];
    backtrace_symbols_fd(frames, backtrace(frames, 64), STDERR_FILENO);
#endif
    std::abort();
}

/// A call of `kind` by this thread: counted if it is inside a scope.
inline void note(CallKind kind, const char* call) noexcept {
    ThreadState& state = threadState;
    if (state.scopes == 0) return;
    ++state.tally.byKind[kind];
    if (state.abortingScopes != 0) abortAt(call);
}

#ifdef AUDIOPOOL_TESTING_SANITIZER_MALLOC
inline void onMalloc(const volatile void*, std::size_t) { note(hookedAllocation, "an allocation"); }
inline void onFree(const volatile void* p) {
    if (p != nullptr) note(hookedDeallocation, "a deallocation");
}
[[maybe_unused]] const int hooksInstalled = __sanitizer_install_malloc_and_free_hooks(&onMalloc, &onFree);
#else
inline void* allocate(std::size_t size) noexcept { return __libc_malloc(size == 0 ? 1 : size); }
inline void* allocateAligned(std::size_t size, std::align_val_t alignment) noexcept {
    return __libc_memalign(static_cast<std::size_t>(alignment), size == 0 ? 1 : size);
}
inline void* orThrow(void* p) {
    if (p == nullptr) throw std::bad_alloc();
    return p;
}
inline void deallocate(void* p) noexcept {
    if (p != nullptr) note(operatorDeleteCall, "operator delete");
    __libc_free(p);
}

using MutexLock = int (*)(pthread_mutex_t*);
// Not a function-local static: its initialisation guard must not run inside
// pthread_mutex_lock.
constinit inline std::atomic<MutexLock> realMutexLock{nullptr};
/// The pthread_mutex_lock the replacement calls (the next definition after
/// this program's): resolved at start-up, or by the first lock before that.
inline MutexLock nextMutexLock() noexcept {
    // acquire/release: a thread that reads the pointer sees the resolved function.
    MutexLock next = realMutexLock.load(std::memory_order_acquire);
    if (next == nullptr) {
        // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): dlsym returns the function as a void*
        next = reinterpret_cast<MutexLock>(dlsym(RTLD_NEXT, "pthread_mutex_lock"));
        realMutexLock.store(next, std::memory_order_release);
    }
    return next;
}
[[maybe_unused]] const bool mutexLockResolved = nextMutexLock() != nullptr;

// glibc's backtrace() loads its unwinder (and allocates) on first use: done
// at start-up, so the report from inside malloc does not. (Not inline
// variables, here and above: those are initialised only where used.)
[[maybe_unused]] const bool unwinderLoaded = [] {
    void* frame[1];
    return backtrace(frame, 1) >= 0;
}();
#endif

}  // namespace audiopool::testing::detail

namespace audiopool::testing {

AllocationScope::AllocationScope(OnAllocation onAllocation) noexcept
    : owner_(&detail::threadState), start_(owner_->tally), onAllocation_(onAllocation) {
    ++owner_->scopes;
    if (onAllocation_ == OnAllocation::abort) ++owner_->abortingScopes;
#ifdef AUDIOPOOL_TESTING_RTSAN
    __rtsan_realtime_enter();
#endif
}

AllocationScope::~AllocationScope() {
#ifdef AUDIOPOOL_TESTING_RTSAN
    __rtsan_realtime_exit();
#endif
    if (owner_ != &detail::threadState) {
        detail::writeError("audiopool::testing: an AllocationScope destroyed on another thread than its own\n");
        std::abort();
    }
    --owner_->scopes;
    if (onAllocation_ == OnAllocation::abort) --owner_->abortingScopes;
}

Counts AllocationScope::counts() const noexcept {
    using namespace detail;
    std::uint64_t seen[callKinds];
    for (std::size_t k = 0; k < callKinds; ++k) seen[k] = owner_->tally.byKind[k] - start_.byKind[k];
    Counts c;
    c.calls = {seen[operatorNewCall],  seen[mallocCall],         seen[callocCall], seen[reallocCall],
               seen[alignedAllocCall], seen[operatorDeleteCall], seen[freeCall]};
    c.allocations = seen[operatorNewCall] + seen[mallocCall] + seen[callocCall] + seen[reallocCall] +
                    seen[alignedAllocCall] + seen[hookedAllocation];
    c.deallocations = seen[operatorDeleteCall] + seen[freeCall] + seen[hookedDeallocation];
    c.locks = seen[mutexLockCall];
    return c;
}

}  // namespace audiopool::testing

#ifndef AUDIOPOOL_TESTING_SANITIZER_MALLOC
// ---- C allocation functions and pthread_mutex_lock --------------------------
extern "C" {
void* malloc(std::size_t size) noexcept {
    audiopool::testing::detail::note(audiopool::testing::detail::mallocCall, "malloc");
    return __libc_malloc(size);
}
void* calloc(std::size_t count, std::size_t size) noexcept {
    audiopool::testing::detail::note(audiopool::testing::detail::callocCall, "calloc");
    return __libc_calloc(count, size);
}
void* realloc(void* p, std::size_t size) noexcept {
    audiopool::testing::detail::note(audiopool::testing::detail::reallocCall, "realloc");
    return __libc_realloc(p, size);
}
void free(void* p) noexcept {
    if (p != nullptr) audiopool::testing::detail::note(audiopool::testing::detail::freeCall, "free");
    __libc_free(p);
}
void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
    audiopool::testing::detail::note(audiopool::testing::detail::alignedAllocCall, "aligned_alloc");
    return __libc_memalign(alignment, size);
}
void* memalign(std::size_t alignment, std::size_t size) noexcept {
    audiopool::testing::detail::note(audiopool::testing::detail::alignedAllocCall, "memalign");
    return __libc_memalign(alignment, size);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t size) noexcept {
    audiopool::testing::detail::note(audiopool::testing::detail::alignedAllocCall, "posix_memalign");
    if (alignment % sizeof(void*) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
    void* p = __libc_memalign(alignment, size);
    if (p == nullptr) return ENOMEM;
    *out = p;
    return 0;
}
int pthread_mutex_lock(pthread_mutex_t* mutex) noexcept {
    audiopool::testing::detail::note(audiopool::testing::detail::mutexLockCall, "pthread_mutex_lock");
    return audiopool::testing::detail::nextMutexLock()(mutex);
}
}

// ---- operator new and delete, every replaceable form ------------------------
namespace audiopool::testing::detail {
inline void noteNew() noexcept { note(operatorNewCall, "operator new"); }
}  // namespace audiopool::testing::detail
// One form a line, so the table reads down: the formatter leaves it so.
// clang-format off
void* operator new(std::size_t n) { audiopool::testing::detail::noteNew(); return audiopool::testing::detail::orThrow(audiopool::testing::detail::allocate(n)); }
void* operator new[](std::size_t n) { audiopool::testing::detail::noteNew(); return audiopool::testing::detail::orThrow(audiopool::testing::detail::allocate(n)); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { audiopool::testing::detail::noteNew(); return audiopool::testing::detail::allocate(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { audiopool::testing::detail::noteNew(); return audiopool::testing::detail::allocate(n); }
void* operator new(std::size_t n, std::align_val_t a) { audiopool::testing::detail::noteNew(); return audiopool::testing::detail::orThrow(audiopool::testing::detail::allocateAligned(n, a)); }
void* operator new[](std::size_t n, std::align_val_t a) { audiopool::testing::detail::noteNew(); return audiopool::testing::detail::orThrow(audiopool::testing::detail::allocateAligned(n, a)); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept { audiopool::testing::detail::noteNew(); return audiopool::testing::detail::allocateAligned(n, a); }
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept { audiopool::testing::detail::noteNew(); return audiopool::testing::detail::allocateAligned(n, a); }

void operator delete(void* p) noexcept { audiopool::testing::detail::deallocate(p); }
void operator delete[](void* p) noexcept { audiopool::testing::detail::deallocate(p); }
void operator delete(void* p, std::size_t) noexcept { audiopool::testing::detail::deallocate(p); }
void operator delete[](void* p, std::size_t) noexcept { audiopool::testing::detail::deallocate(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { audiopool::testing::detail::deallocate(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { audiopool::testing::detail::deallocate(p); }
void operator delete(void* p, std::align_val_t) noexcept { audiopool::testing::detail::deallocate(p); }
void operator delete[](void* p, std::align_val_t) noexcept { audiopool::testing::detail::deallocate(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { audiopool::testing::detail::deallocate(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { audiopool::testing::detail::deallocate(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { audiopool::testing::detail::deallocate(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { audiopool::testing::detail::deallocate(p); }
// clang-format on
#endif

#endif  // AUDIOPOOL_TESTING_IMPLEMENTATION
