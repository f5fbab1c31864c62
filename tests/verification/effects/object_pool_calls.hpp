// Every ObjectPool member documented as safe on the audio thread, called from
// the [[clang::nonblocking]] callback of nonblocking_calls.cpp (included by it
// after the library): make and makeShared (noexcept constructor), the handles'
// accessors, Shared copies and assignments, Unique to Shared, reset, moves,
// detach with release and adopt, stats and capacity, for each built-in policy,
// on a static pool and a prepared dynamic one. None of the calls is a misuse
// (main counts the reports).
#pragma once
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <utility>

namespace effects_object_pool {

/// A voice as a synth keeps one: plain state, a noexcept constructor, a
/// trivial destructor.
struct Voice {
    Voice(int noteNumber, float velocity) noexcept : note(noteNumber), gain(velocity) {}
    int note;
    float gain;
    double phase = 0.0;
};

template <class Policy>
inline constinit audiopool::ObjectPool<Voice, 8, Policy> staticPool;
template <class Policy>
inline audiopool::ObjectPool<Voice, audiopool::dynamic, Policy> preparedPool;

/// prepare() allocates: before the callback, as a host's prepareToPlay would.
inline void setUp() {
    std::apply([](auto... policy) { (..., (void)preparedPool<decltype(policy)>.prepare(8)); },
               audiopool::BuiltinPolicies{});
}

template <class Pool>
void usePool(Pool& pool) noexcept [[clang::nonblocking]] {
    typename Pool::Unique voice = pool.make(60, 0.5f);
    if (!voice) return;
    voice->phase += 0.25;
    (*voice).gain *= 0.5f;
    (void)voice.get();
    typename Pool::Unique other = pool.make(61, 1.0f);
    voice = std::move(other);  // destroys the first voice
    typename Pool::Shared event = pool.makeShared(62, 1.0f);
    typename Pool::Shared copy = event;
    copy = event;
    (void)copy.useCount();
    (void)copy->note;
    (void)static_cast<bool>(copy);
    typename Pool::Shared fromUnique(pool.make(63, 1.0f));
    fromUnique = std::move(copy);
    fromUnique.reset();
    event.reset();
    const audiopool::Detached detached = voice.detach();
    typename Pool::Unique back = pool.adopt(detached);
    const audiopool::Detached again = back.detach();
    (void)pool.release(again);
    back.reset();
    (void)pool.stats();
    (void)pool.capacity();
}

/// Called from the nonblocking callback.
inline void audioCalls() noexcept [[clang::nonblocking]] {
    std::apply(
        [](auto... policy) {
            (..., usePool(staticPool<decltype(policy)>));
            (..., usePool(preparedPool<decltype(policy)>));
        },
        audiopool::BuiltinPolicies{});
}

} // namespace effects_object_pool
