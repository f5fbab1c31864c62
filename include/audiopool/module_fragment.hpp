// audiopool/module_fragment.hpp — every standard and system header the
// library uses, in one list: the module interface units include it in their
// global module fragment (after config.hpp), so the standard library stays
// outside the module. Header mode never includes it: there each header
// includes what it uses.
#pragma once
#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cerrno>
#include <concepts>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <memory_resource>
#include <mutex>
#include <new>
#include <optional>
#include <span>
#include <string_view>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#if AUDIOPOOL_HAS_MLOCK
#include <sys/mman.h>
#endif
#if AUDIOPOOL_HAS_ASAN
#include <sanitizer/asan_interface.h>
#endif
