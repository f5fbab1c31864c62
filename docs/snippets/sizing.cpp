// The sizing page's code (docs/sizing.md), compiled and run: statistics
// taken on the audio thread, formatted with {fmt} on another.
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>

#include <fmt/format.h>
#ifdef AUDIOPOOL_IMPORT
import audiopool.fmt;
#else
#include <audiopool/fmt.hpp>
#endif

using Pool = audiopool::Pool<float, 2, 256, 24, audiopool::SpscRing>;
Pool pool;

// [report]
// Message thread (a timer, a log line at the end of a session): format the
// pool and its statistics. Not on the audio thread: fmt allocates.
std::string describePool() { return fmt::format("{}\n{}", pool, pool.stats()); }
// [/report]

// [advice]
// A rule of thumb from the statistics after a realistic session.
std::size_t suggestedCapacity(const audiopool::Stats& s) {
    if (s.failedAcquisitions > 0) return s.capacity * 2;  // it ran out: measure again with more
    return s.highWater + s.highWater / 4 + 1;             // the peak plus a quarter
}
// [/advice]

int main() {
    {
        auto a = pool.acquire(), b = pool.acquire(), c = pool.acquire();
        std::thread releaser([x = std::move(a), y = std::move(b), z = std::move(c)]() mutable {
            x.reset();
            y.reset();
            z.reset();
        });
        releaser.join();
    }
    const std::string text = describePool();
    std::printf("%s\n", text.c_str());
    const bool ok = text.find("SpscRing (wait-free)") != std::string::npos &&
                    text.find("inUse 0/24, highWater 3, acquisitions 3, releases 3") != std::string::npos &&
                    suggestedCapacity(pool.stats()) == 4;
    return ok ? 0 : 1;
}
