// Included first by every test file, before `import audiopool;` (in module
// mode every #include must come before the import): doctest, the standard
// headers the tests use and the test support from tests/support/
// (doctest-free and library-independent). The hand-off queue the tests pass
// handles between threads with is the library's (audiopool::HandoffQueue).
#pragma once
#include <doctest/doctest.h>

#include "support/juce_shaped_buffer.hpp"
#include "support/make_pool.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>  // std::getenv, std::strtoull (verify::envOr)
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string_view>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

// Every built-in policy, for TEST_CASE_TEMPLATE: the library's one list (a
// macro, so it may come before `import audiopool;`). Tests for some policies
// only filter audiopool::BuiltinPolicies by the policies' own traits
// (support/policy_lists.hpp, included after the library).
#include <audiopool/policy_list.hpp>
#define AUDIOPOOL_ALL_POLICIES AUDIOPOOL_BUILTIN_POLICIES
