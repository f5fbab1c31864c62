// (being written) included by nonblocking_calls.cpp after the library.
#pragma once
namespace effects_arena {
inline void setUp() {}
inline void audioCalls() noexcept [[clang::nonblocking]] {}
} // namespace effects_arena
