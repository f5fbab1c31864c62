// RealtimeSanitizer's death test: an audio callback marked nonblocking uses
// the pool (which RTSan lets pass), then calls malloc on purpose. Run under
// -fsanitize=realtime, the program must be stopped at the malloc with RTSan's
// report (expect_report.py checks the exit status and the report); if it
// returns, RTSan did not check the callback, and the test fails.
#include <cstdio>
#include <cstdlib>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#include <audiopool/config.hpp>  // AUDIOPOOL_NONBLOCKING: a module exports no macro
#else
#include <audiopool/audiopool.hpp>
#endif

namespace {

audiopool::Pool<float, 2, 64, 4, audiopool::Treiber> pool;

/// Keeps the optimiser from removing an allocation whose result is unused.
void escape(const void* p) { asm volatile("" : : "r"(p) : "memory"); }

void audioCallback() AUDIOPOOL_NONBLOCKING {
    if (auto tmp = pool.acquire()) tmp.clear();  // the pool's calls: no report
    void* scratch = std::malloc(64);             // the deliberate violation
    escape(scratch);
    std::free(scratch);
}

} // namespace

int main() {
    pool.prefault();
    audioCallback();
    std::puts("audioCallback returned: RealtimeSanitizer did not stop the malloc");
    return 0;
}
