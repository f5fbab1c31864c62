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

// Expands to `export` inside the module interface unit, to nothing elsewhere.
#ifndef AUDIOPOOL_EXPORT
#define AUDIOPOOL_EXPORT
#endif

// Default for the misuse handler (see misuse.hpp): abort with a message in
// debug builds of the library, count and carry on in release builds.
#ifndef AUDIOPOOL_ABORT_ON_MISUSE
#ifdef NDEBUG
#define AUDIOPOOL_ABORT_ON_MISUSE 0
#else
#define AUDIOPOOL_ABORT_ON_MISUSE 1
#endif
#endif

// Debug-only checks that a policy's thread rule is kept (thread_check.hpp):
// on by default without NDEBUG, compiled out with it.
#ifndef AUDIOPOOL_CHECK_THREADS
#ifdef NDEBUG
#define AUDIOPOOL_CHECK_THREADS 0
#else
#define AUDIOPOOL_CHECK_THREADS 1
#endif
#endif
#if AUDIOPOOL_CHECK_THREADS
#include <functional>
#include <thread>
#endif
