// A program in another project using audiopool. The policy is chosen at
// compile time (-DCONSUMER_POLICY=<a built-in policy's name>) and used the
// way that policy allows; the program checks what it sees and exits non-zero
// on any surprise.
#include <array>
#include <cstdio>
#include <thread>
#include <vector>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

namespace {

using Policy = audiopool::CONSUMER_POLICY;
using Pool = audiopool::Pool<float, 2, 128, 4, Policy>;
constinit Pool pool;

int failures = 0;
void expect(bool ok, const char* what) {
    if (!ok) {
        std::printf("FAILED: %s\n", what);
        ++failures;
    }
}

} // namespace

int main() {
    pool.prefault();
    // Raw channel pointers in and out, as a CLAP or VST3 host hands them over.
    std::array<std::vector<float>, 2> host{std::vector<float>(128, 0.25f), std::vector<float>(128, -0.5f)};
    float* hostChannels[2] = {host[0].data(), host[1].data()};
    {
        auto a = pool.acquire(2, 128);
        expect(bool(a), "a first buffer");
        expect(a.copyFrom(hostChannels, 2, 128) == audiopool::CopyExtent{2, 128}, "copyFrom raw channels");
        for (float& s : a.channel(1)) s *= 2.0f;
        expect(a.copyTo(hostChannels, 2, 128) == audiopool::CopyExtent{2, 128}, "copyTo raw channels");
        auto b = pool.acquire(), c = pool.acquire(), d = pool.acquire();
        expect(b && c && d, "four buffers in all");
        expect(!pool.acquire(), "a fifth is refused: the pool is exhausted, nothing allocated");
        auto shared = pool.acquireShared();
        expect(!shared, "and so is a shared one");
    }
    expect(host[0][5] == 0.25f && host[1][5] == -1.0f, "samples made the round trip");

    if constexpr (Pool::crossThread) {  // Treiber, SpscRing, OwnerThread: release on another thread
        auto buffer = pool.acquire();
        std::thread releaser([b = std::move(buffer)]() mutable { b.reset(); });
        releaser.join();
    }
    const audiopool::Stats s = pool.stats();
    expect(s.inUse == 0 && s.highWater == 4 && s.failedAcquisitions == 2, "statistics");
    std::printf("consumer: %s pool (%.*s), %zu bytes per buffer; inUse %zu, highWater %zu, acquisitions %llu, "
                "failed %llu: %s\n",
                sizeof(Pool::Sample) == 4 ? "float" : "double",
                static_cast<int>(audiopool::describe(Pool::progress).size()),
                audiopool::describe(Pool::progress).data(), Pool::bufferBytes, s.inUse, s.highWater,
                static_cast<unsigned long long>(s.acquisitions), static_cast<unsigned long long>(s.failedAcquisitions),
                failures == 0 ? "ok" : "FAILED");
    return failures == 0 ? 0 : 1;
}
