// (being written) included by nonblocking_calls.cpp after the library.
#pragma once
namespace effects_object_pool {
inline void setUp() {}
inline void audioCalls() noexcept [[clang::nonblocking]] {}
} // namespace effects_object_pool
