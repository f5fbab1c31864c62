// The thread-cache page's code (docs/cache.md), compiled and run by the test
// suite: the regions between "// [name]" and "// [/name]" are the snippets
// the page shows, checked to be identical by docs/check_snippets.py. main()
// renders blocks of a small graph on two workers, passing buffers from one
// to the other, and checks the pool's statistics while the caches live and
// after they end.
#include <atomic>
#include <cstddef>
#include <cstdio>
#include <thread>
#include <utility>
#include <vector>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

namespace {

int failures = 0;
void expect(bool condition, const char* what) {
    if (!condition) {
        std::fprintf(stderr, "cache snippet: %s\n", what);
        ++failures;
    }
}

// [worker]
// One pool for every worker of the renderer: any thread may acquire and release.
using Scratch = audiopool::Pool<float, 2, 1024, 256, audiopool::Treiber>;
constinit Scratch scratch;

// Each worker keeps its cache in its own context, made once before playback.
struct WorkerContext {
    audiopool::PoolCache<Scratch, 8> cache = scratch.cache<8>();
};

// A node: takes its input (made by a node that may have run on another
// worker), takes a temporary from this worker's cache, gives both back into
// the cache, and returns its output.
Scratch::Unique processNode(WorkerContext& context, Scratch::Unique input, std::size_t frames) noexcept {
    auto output = context.cache.acquire(2, frames);
    auto temporary = context.cache.acquire(2, frames);
    if (!output || !temporary) return {};  // pool exhausted: counted in stats().failedAcquisitions
    for (std::size_t c = 0; c < 2; ++c) {
        auto in = input.channel(c), tmp = temporary.channel(c), out = output.channel(c);
        for (std::size_t i = 0; i < frames; ++i) {
            tmp[i] = in.empty() ? 0.0f : 0.5f * in[i];
            out[i] = tmp[i] + 0.25f;
        }
    }
    context.cache.release(std::move(input));  // back into this worker's cache, whoever took it
    context.cache.release(std::move(temporary));
    return output;
}
// [/worker]

} // namespace

int main() {
    constexpr int blocks = 200;
    constexpr std::size_t frames = 256;
    // Worker A makes the first node's output; worker B processes it further
    // and sends it back; A releases what comes back.
    std::vector<Scratch::Unique> toB, toA;
    std::atomic<int> stage{0};  // even: A's turn; odd: B's
    std::thread b([&] {
        WorkerContext context;
        for (int block = 0; block < blocks; ++block) {
            while (stage.load(std::memory_order_acquire) != 2 * block + 1) std::this_thread::yield();
            for (auto& buffer : toB) toA.push_back(processNode(context, std::move(buffer), frames));
            toB.clear();
            stage.store(2 * block + 2, std::memory_order_release);
        }
    });
    {
        WorkerContext context;
        for (int block = 0; block < blocks; ++block) {
            while (stage.load(std::memory_order_acquire) != 2 * block) std::this_thread::yield();
            for (auto& buffer : toA) context.cache.release(std::move(buffer));
            toA.clear();
            for (int node = 0; node < 4; ++node) toB.push_back(processNode(context, {}, frames));
            stage.store(2 * block + 1, std::memory_order_release);
        }
        while (stage.load(std::memory_order_acquire) != 2 * blocks) std::this_thread::yield();
        for (auto& buffer : toA) {
            expect(buffer.numFrames() == frames && buffer.channel(1)[frames - 1] == 0.375f, "B's output");
            context.cache.release(std::move(buffer));
        }
        toA.clear();
        b.join();

        // [stats]
        // While caches live: buffers they hold are neither in use nor free.
        const audiopool::Stats live = scratch.stats();
        expect(live.inUse == 0, "nothing in a handle");
        expect(live.cached > 0 && live.cached <= 8, "A's cache holds what it was given back");
        expect(live.acquisitions == live.releases, "every hand-out came back");
        expect(live.highWater <= 2 * 8 + 8 * 2, "the peak counts the caches' buffers too");
        // [/stats]
    }
    // Both caches ended: everything is back in the shared free list.
    const audiopool::Stats s = scratch.stats();
    expect(s.cached == 0 && s.inUse == 0, "drained on destruction");
    expect(s.acquisitions == std::uint64_t{blocks} * (4 * 2 + 4 * 2), "every acquire counted");
    expect(s.failedAcquisitions == 0 && s.misuses == 0, "no refusal, no misuse");
    std::printf("cache snippet: %s (%llu acquisitions, high water %zu of %zu)\n", failures ? "FAILED" : "ok",
                static_cast<unsigned long long>(s.acquisitions), s.highWater, s.capacity);
    return failures ? 1 : 0;
}
