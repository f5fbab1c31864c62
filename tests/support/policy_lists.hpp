// The built-in policies (audiopool::BuiltinPolicies, from the one list in
// audiopool/policy_list.hpp) filtered by what each states of itself, for the
// tests that apply to some policies only: doctest's
//     TEST_CASE_TEMPLATE_DEFINE("...", Policy, id) { ... }
//     TEST_CASE_TEMPLATE_APPLY(id, test::PoliciesWhere<test::HasOneAcquirer>);
// A new policy joins every list its traits put it in, with no edit here.
// Included after the library (after `import audiopool;` in module mode).
#pragma once

namespace test {

/// The free list a policy gives a small pool: where its traits are.
template <class Policy>
using FreeListOf = typename Policy::template FreeList<2>;

template <class Policy>
inline constexpr audiopool::ThreadRule threadRuleOf = audiopool::threadRuleOf<FreeListOf<Policy>>;

/// Exactly one thread acquires, and the rule names who releases (SpscRing, OwnerThread).
template <class Policy>
struct HasOneAcquirer : std::bool_constant<threadRuleOf<Policy> == audiopool::ThreadRule::OneAcquirerOneReleaser ||
                                           threadRuleOf<Policy> == audiopool::ThreadRule::OneAcquirerAnyReleaser> {};
/// A buffer may be released on another thread than the acquiring one.
template <class Policy>
struct CrossThread : std::bool_constant<FreeListOf<Policy>::crossThread> {};
/// Any number of threads may release (Treiber, OwnerThread).
template <class Policy>
struct ManyReleasers : std::bool_constant<threadRuleOf<Policy> == audiopool::ThreadRule::AnyThread ||
                                          threadRuleOf<Policy> == audiopool::ThreadRule::OneAcquirerAnyReleaser> {};
/// Any thread may acquire and release: thread caches allowed (Treiber).
template <class Policy>
struct AnyThread : std::bool_constant<threadRuleOf<Policy> == audiopool::ThreadRule::AnyThread> {};
/// One thread does everything (IndexStack).
template <class Policy>
struct OneThread : std::bool_constant<threadRuleOf<Policy> == audiopool::ThreadRule::OneThread> {};

template <template <class> class Keep, class List>
struct Filter;
template <template <class> class Keep, class... Policies>
struct Filter<Keep, std::tuple<Policies...>> {
    using type = decltype(std::tuple_cat(
        std::declval<std::conditional_t<Keep<Policies>::value, std::tuple<Policies>, std::tuple<>>>()...));
};
/// The built-in policies for which Keep<Policy>::value is true, as a std::tuple.
template <template <class> class Keep>
using PoliciesWhere = typename Filter<Keep, audiopool::BuiltinPolicies>::type;

} // namespace test
