// Every Arena member documented as safe on the audio thread, called from the
// [[clang::nonblocking]] callback of nonblocking_calls.cpp (included by it
// after the library): frames (opened, nested, moved, ended), take, buffer,
// stats and the memory resource's accessor, on a static and a prepared
// arena. None of the calls is a misuse (main counts the reports).
#pragma once
#include <cstddef>
#include <memory_resource>
#include <span>
#include <utility>

namespace effects_arena {

inline constinit audiopool::Arena<65536> staticArena;
inline audiopool::Arena<audiopool::dynamic> preparedArena;

/// prepare() allocates: before the callback, as a host's prepareToPlay would.
inline void setUp() {
    (void)preparedArena.prepare(65536);
    staticArena.prefault();
}

template <std::size_t Bytes>
void useArena(audiopool::Arena<Bytes>& arena) noexcept [[clang::nonblocking]] {
    auto frame = arena.frame();
    const std::span<float> work = frame.template take<float>(256);
    if (!work.empty()) work[0] = 1.0f;
    const std::span<double> none = frame.template take<double>(0);
    (void)none;
    {
        auto inner = arena.frame();
        const audiopool::View<float> up = inner.template buffer<float>(2, 128);
        up.clear();
        const audiopool::View<double> wide = inner.template buffer<double>(1, 64);
        (void)wide.numFrames();
        auto moved = std::move(inner);
        (void)moved.isOpen();
        (void)moved.template take<int>(8);
        moved.end();
    }
    std::pmr::memory_resource& resource = arena.resource();
    (void)resource;
    const audiopool::ArenaStats stats = arena.stats();
    (void)stats;
    typename audiopool::Arena<Bytes>::Frame later;
    later = arena.frame();
}

inline void audioCalls() noexcept [[clang::nonblocking]] {
    useArena(staticArena);
    useArena(preparedArena);
}

} // namespace effects_arena
