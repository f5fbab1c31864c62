// The death test of audiopool/testing.hpp's OnAllocation::abort: an
// aborting AllocationScope lets the pool's audio-thread calls pass, and
// stops the program at the first allocation after them, made inside a
// counting scope nested in it, with a message naming the call (and a
// backtrace). expect_report.py checks the failing exit status and the
// message; if the program returns, the scope did not stop it, and it says so.
#include <cstdio>
#include <vector>
// This program's one copy of the replacements, before the import.
#define AUDIOPOOL_TESTING_IMPLEMENTATION
#include <audiopool/testing.hpp>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

namespace {

audiopool::Pool<float, 2, 64, 4, audiopool::Treiber> pool;

/// Keeps the optimiser from removing an allocation whose result is unused.
void escape(const void* p) { asm volatile("" : : "r"(p) : "memory"); }

/// The deliberate violation, in a function of its own so the backtrace names it.
[[gnu::noinline]] void allocateScratchInTheCallback() {
    std::vector<float> scratch(256);
    escape(scratch.data());
}

} // namespace

int main() {
    pool.prefault();
    {
        const audiopool::testing::AllocationScope guard{audiopool::testing::OnAllocation::abort};
        if (auto tmp = pool.acquire()) tmp.clear();  // the pool's calls: not stopped
        const audiopool::testing::AllocationScope inner;  // counting inside does not lift the abort
        allocateScratchInTheCallback();
    }
    std::puts("testing_abort: the allocation inside an aborting AllocationScope was not stopped");
    return 0;
}
