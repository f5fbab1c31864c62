// One constinit pool of 4 MiB of samples per built-in policy (the library's
// one list). Their initial state is all zero bits, so they belong in .bss:
// the object's initialised data must stay tiny (check_sections.py checks it,
// and counts the pools from the size of audiopoolBssPools).
#include <array>
#include <tuple>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

namespace bss {
template <class Policy>
constinit audiopool::Pool<float, 2, 512, 1024, Policy> pool{};

template <class... Policies>
constexpr std::array<const void*, sizeof...(Policies)> addressesOf(std::tuple<Policies...>*) {
    return {&pool<Policies>...};
}
} // namespace bss

// Used, so no linker or compiler may drop them: one address per pool.
extern "C" const std::array<const void*, std::tuple_size_v<audiopool::BuiltinPolicies>> audiopoolBssPools =
    bss::addressesOf(static_cast<audiopool::BuiltinPolicies*>(nullptr));
