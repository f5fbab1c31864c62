// audiopool/policy_list.hpp — the one list of the built-in free-list
// policies. Everything that runs "for every policy" is generated from it:
// audiopool::BuiltinPolicies (builtin_policies.hpp, a std::tuple of them),
// the test suites' policy-templated cases, the programs that build a pool of
// each, and the policy tables of the docs.
//
// Only a macro, like config.hpp: it may be included before `import
// audiopool;` (a module exports no macro). A new built-in policy is one more
// name here, its own header (with its `name` and FreeList traits), and its
// include in builtin_policies.hpp (CONTRIBUTING.md, "Adding a policy").
#pragma once
// One line, which meson.build, the CMake consumer and the benchmark checker
// read as text: the formatter leaves it so.
// clang-format off
#define AUDIOPOOL_BUILTIN_POLICIES ::audiopool::Treiber, ::audiopool::SpscRing, ::audiopool::IndexStack, ::audiopool::OwnerThread
// clang-format on
