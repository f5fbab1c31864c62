// worker_handoff: the audio thread records. Every block it takes a buffer
// from the pool, fills it, and hands it through an audiopool::HandoffQueue
// (single producer, single consumer, wait-free) to a worker thread, which
// consumes it (here: checks and sums it, as a disk writer would write it) and
// lets it go back to the pool.
//
// Why OwnerThread: one thread acquires (the audio thread), and buffers may
// come back on any thread. Here the worker gives back almost every buffer,
// which SpscRing (one acquiring thread, one releasing thread) would allow
// too, at about the same cost per hand-off. But a recorder has more threads
// that end up dropping a buffer: the audio thread itself, when it cannot hand
// one on (see callback()); whichever thread empties the queue when a
// recording is abandoned; a meter that keeps a copy of the latest block. With
// SpscRing each of those is a second releasing thread, a misuse that can lose
// buffers in release builds; with OwnerThread it is an ordinary release. The
// audio thread's acquire is wait-free, and so is every release on x86-64 and
// ARMv8.1+ (on LL/SC machines a thread's first release, and every release by
// a thread beyond the first four, is lock-free; see docs/choosing-a-policy.md).
//
//     worker_handoff [blocks]
//
// The audio thread never waits: when the worker falls behind and the pool
// runs dry, that block is not recorded and is counted, and the pool's
// statistics say how far behind the worker got.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <thread>
#include <utility>

#ifdef AUDIOPOOL_IMPORT
import audiopool;
#include <audiopool/config.hpp>  // the library's macros (AUDIOPOOL_NONBLOCKING): a module exports none
#else
#include <audiopool/audiopool.hpp>
#endif

namespace {

constexpr std::size_t channels = 2;
constexpr std::size_t frames = 256;
constexpr std::size_t capacity = 16;
using Pool = audiopool::Pool<float, channels, frames, capacity, audiopool::OwnerThread>;
constinit Pool pool;

// The audio thread's buffers to the worker. Its size is the pool's capacity:
// every value in it is a buffer out of the pool, so a push never finds it full.
// Declared after the pool: destroyed before it (a queued handle goes back then).
constinit audiopool::HandoffQueue<Pool::Unique, capacity> toWorker;
std::atomic<bool> recording{true};

struct WorkerReport {
    std::size_t received = 0;
    std::size_t corrupt = 0;
    double sum = 0.0;
};

/// The worker: takes buffers off the queue, checks each holds the block it
/// was stamped with, and drops it, which returns it to the pool from this
/// thread (any thread may, with OwnerThread).
WorkerReport consume() {
    WorkerReport report;
    for (;;) {
        // acquire: pairs with the audio thread's release store, so once it
        // reads false every push made before it is visible to the pop below.
        const bool finished = !recording.load(std::memory_order_acquire);
        if (auto buffer = toWorker.try_pop()) {
            const float stamp = buffer->channel(0)[0];
            for (std::size_t c = 0; c < buffer->numChannels(); ++c)
                for (float s : buffer->channel(c))
                    if (s != stamp + float(c)) ++report.corrupt;
            report.sum += stamp;
            ++report.received;
            if (report.received % 200 == 0)  // a slow disk now and then
                std::this_thread::sleep_for(std::chrono::milliseconds(3));
        } else if (finished) {
            break;  // recording had stopped before this pop found the queue empty
        } else {
            std::this_thread::yield();
        }
    }
    return report;
}

struct AudioReport {
    std::size_t recorded = 0;
    std::size_t skipped = 0;  // the pool was empty
    std::size_t dropped = 0;  // the queue was full: given back on the audio thread
    double sum = 0.0;
};

/// One audio callback: records block `block` into a pooled buffer and hands
/// it to the worker; an empty pool skips the block. Marked nonblocking:
/// RealtimeSanitizer (-fsanitize=realtime) stops the program if anything
/// inside allocates, locks or blocks (docs/real-time.md).
void callback(std::size_t block, AudioReport& report) AUDIOPOOL_NONBLOCKING {
    auto buffer = pool.acquire(channels, frames);
    if (!buffer) {  // the worker is behind: skip recording this block
        ++report.skipped;
        return;
    }
    const float stamp = float(block % 1000);
    for (std::size_t c = 0; c < channels; ++c)
        for (float& s : buffer.channel(c)) s = stamp + float(c);
    if (!toWorker.try_push(std::move(buffer))) {
        // A full queue (not here, where it holds as many buffers as the pool;
        // a smaller one could be): `buffer` goes back to the pool right here,
        // on the audio thread, which OwnerThread allows, and the block is lost.
        ++report.dropped;
        return;
    }
    ++report.recorded;
    report.sum += stamp;
}

/// The audio thread: one callback per period. It waits for the period
/// between callbacks, as a device driver would; the callback itself never blocks.
AudioReport record(std::size_t blocks) {
    using Clock = std::chrono::steady_clock;
    const auto period = std::chrono::microseconds(250);  // a faster-than-real-time "device"
    auto next = Clock::now();
    AudioReport report;
    for (std::size_t block = 0; block < blocks; ++block) {
        next += period;
        std::this_thread::sleep_until(next);
        callback(block, report);
    }
    // release: publishes every push above to the worker's acquire.
    recording.store(false, std::memory_order_release);
    return report;
}

} // namespace

int main(int argc, char** argv) {
    const long blocks = argc > 1 ? std::atol(argv[1]) : 4000;
    if (blocks <= 0) {
        std::fprintf(stderr, "worker_handoff: blocks must be positive\n");
        return 2;
    }
    pool.prefault();

    WorkerReport worker;
    std::thread workerThread([&] { worker = consume(); });
    AudioReport audio;
    std::thread audioThread([&] { audio = record(static_cast<std::size_t>(blocks)); });
    audioThread.join();
    workerThread.join();

    const audiopool::Stats s = pool.stats();
    std::printf("blocks %ld: recorded %zu, skipped %zu (pool empty), received %zu, corrupt %zu\n", blocks,
                audio.recorded, audio.skipped, worker.received, worker.corrupt);
    std::printf("pool: inUse %zu/%zu, highWater %zu, acquisitions %llu, releases %llu, failed %llu, misuses %llu\n",
                s.inUse, s.capacity, s.highWater, static_cast<unsigned long long>(s.acquisitions),
                static_cast<unsigned long long>(s.releases), static_cast<unsigned long long>(s.failedAcquisitions),
                static_cast<unsigned long long>(s.misuses));
    const std::size_t taken = audio.recorded + audio.dropped;
    const bool consistent = taken + audio.skipped == std::size_t(blocks) && worker.received == audio.recorded &&
                            worker.corrupt == 0 && worker.sum == audio.sum && s.inUse == 0 && s.acquisitions == taken &&
                            s.releases == taken && s.failedAcquisitions == audio.skipped && s.misuses == 0;
    std::printf("every recorded block reached the worker intact and every buffer is back: %s\n",
                consistent ? "yes" : "NO");
    if (s.failedAcquisitions > 0)
        std::printf("advice: the worker fell %zu buffers behind at worst; a larger pool (or a faster "
                    "worker) would have kept the %zu skipped blocks\n",
                    s.highWater, audio.skipped);
    return consistent ? 0 : 1;
}
