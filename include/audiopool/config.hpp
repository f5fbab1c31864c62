// audiopool/config.hpp — the library's macros: build configuration and
// platform facts. It declares nothing (so it may sit in a module's global
// module fragment too) and every audiopool header includes it first.
//
// One switch chooses the mode: AUDIOPOOL_MODULE, defined by the module
// interface units (modules/*.cppm) before anything else. There the standard
// and system headers are included once, in the global module fragment
// (module_fragment.hpp), so each header includes its own standard headers
// only `#ifndef AUDIOPOOL_MODULE`; and AUDIOPOOL_EXPORT becomes `export`, so
// the headers' entities belong to the module. In header mode it is undefined,
// each header includes what it uses, and AUDIOPOOL_EXPORT is empty.
//
// A rule that matters in module mode, stated once: a member function defined
// inside its class in a named module is NOT implicitly inline (it is in a
// header). So members on the acquire/release path that are not templates are
// declared `inline` (or AUDIOPOOL_HOT_INLINE), or the module build would call
// them out of line.
#pragma once

#ifndef AUDIOPOOL_EXPORT
#ifdef AUDIOPOOL_MODULE
#define AUDIOPOOL_EXPORT export
#else
#define AUDIOPOOL_EXPORT
#endif
#endif

// mlock/munlock for Pool::lockMemory (POSIX).
#ifndef AUDIOPOOL_HAS_MLOCK
#if defined(__unix__) || defined(__APPLE__)
#define AUDIOPOOL_HAS_MLOCK 1
#else
#define AUDIOPOOL_HAS_MLOCK 0
#endif
#endif

// The thread identity of the checks: the thread pointer where the compiler
// can read it (g++ >= 11, clang >= 11 on the usual targets), errno's address
// elsewhere.
#ifndef AUDIOPOOL_HAS_THREAD_POINTER
#if defined(__has_builtin)
#if __has_builtin(__builtin_thread_pointer)
#define AUDIOPOOL_HAS_THREAD_POINTER 1
#endif
#endif
#endif
#ifndef AUDIOPOOL_HAS_THREAD_POINTER
#define AUDIOPOOL_HAS_THREAD_POINTER 0
#endif

// What a misuse does when no handler is installed (misuse.hpp): abort with a
// message without NDEBUG, count and carry on with it. Like assert(), it
// changes which code runs, never the class layout.
#ifndef AUDIOPOOL_ABORT_ON_MISUSE
#ifdef NDEBUG
#define AUDIOPOOL_ABORT_ON_MISUSE 0
#else
#define AUDIOPOOL_ABORT_ON_MISUSE 1
#endif
#endif

// Debug-only checks that a policy's thread rule is kept (thread_check.hpp):
// on by default without NDEBUG, off with it. They change which code runs, as
// assert() does, never the class layout: a program may mix translation units
// built with and without NDEBUG and share one pool between them.
#ifndef AUDIOPOOL_CHECK_THREADS
#ifdef NDEBUG
#define AUDIOPOOL_CHECK_THREADS 0
#else
#define AUDIOPOOL_CHECK_THREADS 1
#endif
#endif

// AddressSanitizer in this translation unit (clang: __has_feature; g++:
// __SANITIZE_ADDRESS__). Where it is, a released buffer's samples are
// poisoned until the buffer is acquired again (poison.hpp), so a write or read
// through a pointer kept past the release is reported as use-after-poison.
// Nothing changes without it. In module mode what counts is how the module
// itself was compiled (modules/meson.build gives it the consumer's -fsanitize).
#ifndef AUDIOPOOL_HAS_ASAN
#if defined(__SANITIZE_ADDRESS__)
#define AUDIOPOOL_HAS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AUDIOPOOL_HAS_ASAN 1
#endif
#endif
#endif
#ifndef AUDIOPOOL_HAS_ASAN
#define AUDIOPOOL_HAS_ASAN 0
#endif

// Debug builds without ASan: a released buffer's samples are overwritten
// with signalling NaNs before it goes back on the free list (poison.hpp), so
// a read through a pointer kept past the release gives NaN, not plausible
// stale audio. On by default without NDEBUG and without ASan (which catches
// the access itself). It costs one write of the buffer per release, what a
// clear() costs (measured in docs/real-time.md); define it to 0 to keep the
// contents (in module mode, where the module is compiled: Meson's cpp_args).
// Like assert(), it changes which code runs, never the class layout.
#ifndef AUDIOPOOL_FILL_RELEASED
#if defined(NDEBUG) || AUDIOPOOL_HAS_ASAN
#define AUDIOPOOL_FILL_RELEASED 0
#else
#define AUDIOPOOL_FILL_RELEASED 1
#endif
#endif

// A function that may read and write poisoned memory (Pool::prefault touches
// every page of the pool, free buffers included) without an ASan report.
// Empty without ASan.
#ifndef AUDIOPOOL_NO_SANITIZE_ADDRESS
#if AUDIOPOOL_HAS_ASAN && (defined(__GNUC__) || defined(__clang__))
#define AUDIOPOOL_NO_SANITIZE_ADDRESS __attribute__((no_sanitize("address")))
#elif AUDIOPOOL_HAS_ASAN && defined(_MSC_VER)
#define AUDIOPOOL_NO_SANITIZE_ADDRESS __declspec(no_sanitize_address)
#else
#define AUDIOPOOL_NO_SANITIZE_ADDRESS
#endif
#endif

// The acquire path: a few dozen instructions that belong inline in the audio
// callback, whatever the caller's inlining budget says.
#ifndef AUDIOPOOL_HOT_INLINE
#if defined(__GNUC__) || defined(__clang__)
#define AUDIOPOOL_HOT_INLINE [[gnu::always_inline]] inline
#else
#define AUDIOPOOL_HOT_INLINE inline
#endif
#endif

// A path an acquire or release takes only on failure, misuse or first use:
// kept out of line, so the successful path stays small.
#ifndef AUDIOPOOL_COLD
#if defined(__GNUC__) || defined(__clang__)
#define AUDIOPOOL_COLD [[gnu::cold, gnu::noinline]]
#else
#define AUDIOPOOL_COLD
#endif
#endif

// Marks a function safe for the audio thread in a way the compiler checks:
// [[clang::nonblocking]], verified by clang's function effect analysis
// (-Wfunction-effects: no allocation, lock, blocking call, throw or call of a
// function not itself nonblocking inside) and by RealtimeSanitizer at run time
// (-fsanitize=realtime). Every member the docs call safe on the audio thread
// carries it, so a user's own [[clang::nonblocking]] callback is verified
// through audiopool's calls (docs/real-time.md). Only from clang 20, where the
// analysis arrived: clang 19 accepts the attribute but checks no body, and by
// default warns when a plain function becomes a nonblocking function pointer
// (a user's misuse handler). Empty elsewhere (g++): it never changes code.
#ifndef AUDIOPOOL_NONBLOCKING
#if defined(__clang__) && __clang_major__ >= 20
#define AUDIOPOOL_NONBLOCKING [[clang::nonblocking]]
#else
#define AUDIOPOOL_NONBLOCKING
#endif
#endif

// AUDIOPOOL_NONBLOCKING on a condition: [[clang::nonblocking(condition)]]
// where clang checks function effects, so a template member is nonblocking
// exactly when what it calls is (ObjectPool::make: when T's constructor cannot
// throw). Empty elsewhere, as AUDIOPOOL_NONBLOCKING.
#ifndef AUDIOPOOL_NONBLOCKING_IF
#if defined(__clang__) && __clang_major__ >= 20
#define AUDIOPOOL_NONBLOCKING_IF(...) [[clang::nonblocking(__VA_ARGS__)]]
#else
#define AUDIOPOOL_NONBLOCKING_IF(...)
#endif
#endif

// States an invariant the compiler cannot see, so it can drop a test the
// invariant makes redundant. Only for facts the library itself maintains,
// never for anything a caller passes in (that is checked, not assumed).
#ifndef AUDIOPOOL_ASSUME
#if defined(__GNUC__) || defined(__clang__)
#define AUDIOPOOL_ASSUME(condition)                                                                                    \
    do {                                                                                                               \
        if (!(condition)) __builtin_unreachable();                                                                     \
    } while (0)
#elif defined(_MSC_VER)
#define AUDIOPOOL_ASSUME(condition) __assume(condition)
#else
#define AUDIOPOOL_ASSUME(condition) ((void)0)
#endif
#endif
