// bench/each_type.hpp — runs something once per type of a std::tuple, so a
// benchmark registers a case per built-in policy from the library's one list
// (audiopool::BuiltinPolicies) instead of naming the policies itself:
//
//     bench::forEachType<audiopool::BuiltinPolicies>([]<class Policy>(std::type_identity<Policy>) {
//         add(std::string("pair/") + Policy::name.data(), poolPair<Policy>);
//     });
//
// Names nothing of audiopool, so it may be included before `import audiopool;`.
#pragma once
#include <tuple>
#include <type_traits>

namespace bench {

template <class Tuple>
struct EachType;
template <class... Types>
struct EachType<std::tuple<Types...>> {
    template <class F>
    static void run(F&& f) {
        (f(std::type_identity<Types>{}), ...);
    }
};

/// Calls f(std::type_identity<T>{}) for each T of Tuple, in order.
template <class Tuple, class F>
void forEachType(F&& f) {
    EachType<Tuple>::run(f);
}

} // namespace bench
