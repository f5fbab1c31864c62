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
};

#ifdef AUDIOPOOL_TEST_PREPARED
inline constexpr bool preparedRun = true;
template <class S, std::size_t Channels, std::size_t Frames, std::size_t Capacity, class Policy = audiopool::Treiber>
using Pool = PreparedTwin<audiopool::Pool<S, Channels, Frames, Capacity, Policy>>;
#else
inline constexpr bool preparedRun = false;
template <class S, std::size_t Channels, std::size_t Frames, std::size_t Capacity, class Policy = audiopool::Treiber>
using Pool = audiopool::Pool<S, Channels, Frames, Capacity, Policy>;
#endif

} // namespace test
