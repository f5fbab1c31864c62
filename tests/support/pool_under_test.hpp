// test::Pool<S, Channels, Frames, Capacity, Policy>: the pool type the core
// suite tests. Built once as audiopool::Pool itself, and once more (the
// "prepared" programs, AUDIOPOOL_TEST_PREPARED) as its prepared twin: a pool
// whose every extent is audiopool::dynamic, prepared by test::makePool to the
// same sizes, which keeps the static type's constants (so a test written
// against P::channels, P::frames and P::capacity runs unchanged on it).
//
// Include after the library (header or `import audiopool;`): it names its types.
#pragma once

namespace test {

template <class Static>
struct PreparedTwin : audiopool::Pool<typename Static::Sample, audiopool::dynamic, audiopool::dynamic,
                                      audiopool::dynamic, typename Static::PolicyType> {
    /// The static type this pool stands in for (test::makePool prepares it to its sizes).
    using StaticTwin = Static;
    static constexpr std::size_t channels = Static::channels;
    static constexpr std::size_t frames = Static::frames;
    static constexpr std::size_t capacity = Static::capacity;
    static constexpr std::size_t channelStride = Static::channelStride;  // a prepared pool pads frames alike
    static constexpr std::size_t bufferBytes = Static::bufferBytes;
};

/// Whether a policy has a dynamic capacity: the library's policies, with any
/// hooks, lanes or atomics. A test's own policy (an untagged Treiber, a
/// wrapper that pauses) keeps its static pool in the prepared run too.
template <class Policy>
inline constexpr bool hasDynamicCapacity = std::is_same_v<Policy, audiopool::IndexStack>;
template <class Hooks, unsigned TagBits, class Atomics>
inline constexpr bool hasDynamicCapacity<audiopool::BasicTreiber<Hooks, TagBits, Atomics>> = true;
template <class Hooks, class Atomics>
inline constexpr bool hasDynamicCapacity<audiopool::BasicSpscRing<Hooks, Atomics>> = true;
template <std::size_t Lanes, class Hooks, class Atomics>
inline constexpr bool hasDynamicCapacity<audiopool::BasicOwnerThread<Lanes, Hooks, Atomics>> = true;

#ifdef AUDIOPOOL_TEST_PREPARED
inline constexpr bool preparedRun = true;
template <class S, std::size_t Channels, std::size_t Frames, std::size_t Capacity, class Policy = audiopool::Treiber>
using Pool =
    std::conditional_t<hasDynamicCapacity<Policy>, PreparedTwin<audiopool::Pool<S, Channels, Frames, Capacity, Policy>>,
                       audiopool::Pool<S, Channels, Frames, Capacity, Policy>>;
#else
inline constexpr bool preparedRun = false;
template <class S, std::size_t Channels, std::size_t Frames, std::size_t Capacity, class Policy = audiopool::Treiber>
using Pool = audiopool::Pool<S, Channels, Frames, Capacity, Policy>;
#endif

} // namespace test
