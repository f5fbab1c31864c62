// makePool<P>(): a pool on the heap, for tests.
//
// Library-independent (P is any pool type): include it before
// `import audiopool;`.
#pragma once
#include <cstdlib>
#include <memory>

namespace test {

/// A pool of type P on the heap (pools can be large; the test stack is not).
/// Declare it before any handle so that handles are destroyed first.
/// A prepared twin (support/pool_under_test.hpp) comes prepared to its
/// static type's sizes; a failed prepare aborts the test program.
template <class P>
std::unique_ptr<P> makePool() {
    auto pool = std::make_unique<P>();
    if constexpr (requires { typename P::StaticTwin; })
        if (!pool->prepare({P::channels, P::frames, P::capacity})) std::abort();
    return pool;
}

} // namespace test
