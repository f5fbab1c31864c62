// audiopool/config.hpp — the one place that names the standard headers the
// library uses, the export macro and the cache-line constant.
//
// It declares nothing, so that it can sit in a module's global module fragment.
// Every other audiopool header includes this file first. In header mode it is
// an ordinary header. In module mode, modules/audiopool.cppm includes it in
// the global module fragment (so the standard library stays outside the
// module) with AUDIOPOOL_EXPORT defined as `export`, and then includes the
// other headers in the module purview, where `#pragma once` makes their own
// include of this file a no-op. One source of truth serves both modes.
#pragma once

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#include <unistd.h>
#define AUDIOPOOL_HAS_MLOCK 1
#else
#define AUDIOPOOL_HAS_MLOCK 0
#endif

// Marks a path an acquire or release takes only on failure, misuse or first
// use: kept out of line, so the successful path stays small enough to inline.
#if defined(__GNUC__) || defined(__clang__)
#define AUDIOPOOL_COLD [[gnu::cold, gnu::noinline]]
#else
#define AUDIOPOOL_COLD
#endif

// The acquire and release paths: a few dozen instructions that belong inline
// in the audio callback, whatever the caller's inlining budget says.
#if defined(__GNUC__) || defined(__clang__)
#define AUDIOPOOL_HOT_INLINE [[gnu::always_inline]] inline
#else
#define AUDIOPOOL_HOT_INLINE inline
#endif

// Expands to `export` inside the module interface unit, to nothing elsewhere.
#ifndef AUDIOPOOL_EXPORT
#define AUDIOPOOL_EXPORT
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

// The thread identity of the checks: the thread pointer where the compiler
// can read it (g++ >= 11, clang >= 11 on the usual targets), errno's address
// elsewhere.
#if defined(__has_builtin)
#if __has_builtin(__builtin_thread_pointer)
#define AUDIOPOOL_HAS_THREAD_POINTER 1
#endif
#endif
#ifndef AUDIOPOOL_HAS_THREAD_POINTER
#define AUDIOPOOL_HAS_THREAD_POINTER 0
#endif
