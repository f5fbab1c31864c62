// makePool<P>(): a pool on the heap, for tests.
//
// Library-independent (P is any pool type): include it before
// `import audiopool;`.
#pragma once
#include <memory>

namespace test {

/// A pool of type P on the heap (pools can be large; the test stack is not).
/// Declare it before any handle so that handles are destroyed first.
template <class P>
std::unique_ptr<P> makePool() {
    return std::make_unique<P>();
}

} // namespace test
