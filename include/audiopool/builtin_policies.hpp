// audiopool/builtin_policies.hpp — audiopool::BuiltinPolicies: the built-in
// free-list policies as one type, from the one list (policy_list.hpp).
// Each states its own facts: `name`, and its FreeList's progress,
// threadRule, crossThread and maxCapacity (free_list.hpp); so a program can
// run something for every policy and ask each what to expect of it.
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <tuple>
#endif
#include "audiopool/index_stack.hpp"
#include "audiopool/owner_thread.hpp"
#include "audiopool/policy_list.hpp"
#include "audiopool/spsc_ring.hpp"
#include "audiopool/treiber.hpp"

AUDIOPOOL_EXPORT namespace audiopool {

/// Every built-in policy, in one std::tuple of their tag types.
using BuiltinPolicies = std::tuple<AUDIOPOOL_BUILTIN_POLICIES>;

} // namespace audiopool
