// Every PoolCache member documented as safe on the audio thread (cache.hpp),
// called from the [[clang::nonblocking]] callback of nonblocking_calls.cpp
// (included by it after the library): acquire (whole, by channels, by
// channels and frames, oversized), release into the cache (its flush when
// full included), release of an empty handle, drain, held, caching and pool,
// on a Treiber pool's cache, static and prepared, and on a cache of no pool.
// Making and ending a cache is not for the audio thread's callback (ending
// drains, which is; the cache is made beforehand, as a worker's context
// would keep it). None of the calls is a misuse (main counts the reports).
#pragma once
#include <cstddef>
#include <utility>

namespace effects_cache {

using StaticPool = audiopool::Pool<float, 2, 64, 8, audiopool::Treiber>;
using PreparedPool =
    audiopool::Pool<float, audiopool::dynamic, audiopool::dynamic, audiopool::dynamic, audiopool::Treiber>;

inline constinit StaticPool staticPool{};
inline PreparedPool preparedPool;
inline audiopool::PoolCache<StaticPool, 4> staticCache;
inline audiopool::PoolCache<PreparedPool, 4> preparedCache;
inline audiopool::PoolCache<StaticPool, 4> noPool;  // a cache of no pool

/// prepare() allocates, and a cache is made before the callback runs.
inline void setUp() {
    (void)preparedPool.prepare({2, 64, 8});
    staticCache = staticPool.cache<4>();
    preparedCache = preparedPool.cache<4>();
}

template <class Cache>
void useCache(Cache& cache) noexcept [[clang::nonblocking]] {
    using Unique = typename Cache::Unique;
    Unique a = cache.acquire();
    Unique b = cache.acquire(1);
    Unique c = cache.acquire(2, 32);
    Unique tooLarge = cache.acquire(3, 1);  // refused, counted
    (void)tooLarge;
    Unique d = cache.pool() ? cache.pool()->acquire() : Unique{};
    Unique e = cache.acquire();
    cache.release(std::move(a));
    cache.release(std::move(b));
    cache.release(std::move(c));
    cache.release(std::move(d));
    cache.release(std::move(e));  // the cache is full here: a flush first
    cache.release(Unique{});
    (void)cache.held();
    (void)cache.caching();
    cache.drain();
}

/// Called from the nonblocking callback.
inline void audioCalls() noexcept [[clang::nonblocking]] {
    useCache(staticCache);
    useCache(preparedCache);
    useCache(noPool);
}

} // namespace effects_cache
