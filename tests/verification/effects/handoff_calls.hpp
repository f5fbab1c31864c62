// The HandoffQueue and Retirer members documented as safe on the audio
// thread, called from nonblocking_calls.cpp's [[clang::nonblocking]]
// callback: the function effect analysis must prove each of them. Included by
// nonblocking_calls.cpp after the library. Retirer::collect is not here: it
// runs the retired objects' destructors, on another thread.
#pragma once
#include <cstdint>
#include <memory>
#include <utility>

namespace effects_handoff {

using Pool = audiopool::Pool<float, 1, 64, 4, audiopool::Treiber>;

/// Members in destruction order: the retirer and the queues (which may hold
/// the pool's handles) go before the pool.
struct State {
    Pool pool;
    audiopool::HandoffQueue<std::uint64_t, 4> numbers;
    audiopool::HandoffQueue<Pool::Unique, 4> toWorker;
    audiopool::Retirer<4> retirer;
    audiopool::Retirer<audiopool::dynamic> sizedRetirer;
    std::unique_ptr<float[]> samples;  // the audio thread's, until it retires them
};
inline constinit State state;

inline void setUp() {
    (void)state.sizedRetirer.prepare(4);
    state.samples = std::make_unique<float[]>(256);
}

inline void audioCalls() noexcept [[clang::nonblocking]] {
    (void)state.numbers.try_push(std::uint64_t{1});
    const std::uint64_t two = 2;
    (void)state.numbers.try_push(two);
    (void)state.numbers.try_emplace(std::uint64_t{3});
    if (auto n = state.numbers.try_pop()) (void)*n;
    (void)state.numbers.size();
    (void)state.numbers.empty();
    (void)state.numbers.stats();
    if (auto buffer = state.pool.acquire()) (void)state.toWorker.try_push(std::move(buffer));
    if (auto buffer = state.toWorker.try_pop()) (void)state.retirer.retire(std::move(*buffer));
    if (auto buffer = state.pool.acquire()) (void)state.sizedRetirer.retire(std::move(buffer));
    if (auto shared = state.pool.acquireShared()) (void)state.retirer.retire(std::move(shared));
    (void)state.sizedRetirer.retire(std::move(state.samples));
    (void)state.toWorker.stats();
    (void)state.retirer.pending();
    (void)state.retirer.stats();
    (void)state.sizedRetirer.stats();
}

} // namespace effects_handoff
