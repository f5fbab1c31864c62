// (being written) included by nonblocking_calls.cpp after the library.
#pragma once
namespace effects_handoff {
inline void setUp() {}
inline void audioCalls() noexcept [[clang::nonblocking]] {}
} // namespace effects_handoff
