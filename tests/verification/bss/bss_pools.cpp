// One constinit pool of 4 MiB of samples per built-in policy (the library's
// one list). Their initial state is all zero bits, so they belong in .bss:
// the object's initialised data must stay tiny (check_sections.py checks it,
// and counts the pools by their symbols).
#include <algorithm>
#include <array>
#include <cstddef>
#include <tuple>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

namespace bss {
/// 4 MiB of float samples in 2 channels: 1024 buffers of 512 frames, or as
/// many as the policy can address with longer buffers.
constexpr std::size_t samplesPerPool = (std::size_t{4} << 20) / sizeof(float);
template <class Policy>
constexpr std::size_t capacityFor = std::min<std::size_t>(1024, Policy::template FreeList<2>::maxCapacity);
template <class Policy>
constinit audiopool::Pool<float, 2, samplesPerPool / 2 / capacityFor<Policy>, capacityFor<Policy>, Policy> pool{};

template <class... Policies>
constexpr std::array<const void*, sizeof...(Policies)> addressesOf(std::tuple<Policies...>*) {
    return {&pool<Policies>...};
}
} // namespace bss

// Used, so no linker or compiler may drop them: one address per pool.
extern "C" const std::array<const void*, std::tuple_size_v<audiopool::BuiltinPolicies>> audiopoolBssPools =
    bss::addressesOf(static_cast<audiopool::BuiltinPolicies*>(nullptr));
