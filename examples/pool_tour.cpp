// pool_tour: one pool of each built-in policy, used the way its policy
// allows, with the layout and statistics each reports.
//
//   Treiber    — four threads share one pool (lock-free)
//   SpscRing   — an "audio" thread acquires, a worker thread releases (wait-free)
//   IndexStack — one thread, per-voice scratch buffers (wait-free, no atomics)
#include <array>
#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

namespace {

template <class Pool>
void printLayout(const char* name, const Pool& pool) {
    std::printf("%-10s %zu x %zu ch x %zu frames of %s, %zu bytes per buffer, %zu bytes in all, %.*s\n",
                name, Pool::capacity, Pool::channels, Pool::frames,
                sizeof(typename Pool::Sample) == 4 ? "float" : "double", Pool::bufferBytes, sizeof(pool),
                static_cast<int>(audiopool::describe(Pool::progress).size()),
                audiopool::describe(Pool::progress).data());
}

void printStats(const char* name, const audiopool::Stats& s) {
    std::printf("%-10s inUse %zu  highWater %zu/%zu  acquisitions %llu  releases %llu  "
                "failed %llu  rejected %llu  misuses %llu\n",
                name, s.inUse, s.highWater, s.capacity, static_cast<unsigned long long>(s.acquisitions),
                static_cast<unsigned long long>(s.releases),
                static_cast<unsigned long long>(s.failedAcquisitions),
                static_cast<unsigned long long>(s.rejectedRequests),
                static_cast<unsigned long long>(s.misuses));
}

// Static storage, constant-initialised: no heap, no start-up code.
constinit audiopool::Pool<float, 2, 512, 16, audiopool::Treiber> shared;
constinit audiopool::Pool<float, 2, 256, 8, audiopool::SpscRing> handoff;
constinit audiopool::Pool<double, 1, 128, 32, audiopool::IndexStack> voices;

void treiberAcrossThreads() {
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([t] {
            for (int block = 0; block < 10000; ++block) {
                if (auto tmp = shared.acquire(2, 64 + static_cast<std::size_t>(t) * 64)) {
                    for (float& s : tmp.channel(0)) s = 0.5f;
                }  // back in the pool here
            }
        });
    }
    for (auto& t : threads) t.join();
}

void spscAudioToWorker() {
    using Buffer = decltype(handoff)::Unique;
    // A tiny SPSC mailbox for the demo (each slot: empty or one buffer).
    std::array<Buffer, 4> mailbox{};
    std::array<std::atomic<bool>, 4> full{};
    std::atomic<bool> finished{false};
    std::thread worker([&] {
        int received = 0;
        for (std::size_t i = 0;; i = (i + 1) % mailbox.size()) {
            if (full[i].load(std::memory_order_acquire)) {
                Buffer b = std::move(mailbox[i]);
                full[i].store(false, std::memory_order_release);
                ++received;  // "write to disk" — then b goes back to the pool on this thread
            } else if (finished.load(std::memory_order_acquire) && received == 5000) {
                break;
            } else {
                std::this_thread::yield();
            }
        }
    });
    for (int block = 0, slot = 0; block < 5000;) {  // the audio thread
        if (full[static_cast<std::size_t>(slot)].load(std::memory_order_acquire)) {
            std::this_thread::yield();
            continue;
        }
        auto b = handoff.acquire(2, 256);
        if (!b) {
            std::this_thread::yield();  // a real callback would skip this block's recording
            continue;
        }
        b.clear();
        mailbox[static_cast<std::size_t>(slot)] = std::move(b);
        full[static_cast<std::size_t>(slot)].store(true, std::memory_order_release);
        slot = (slot + 1) % 4;
        ++block;
    }
    finished.store(true, std::memory_order_release);
    worker.join();
}

void indexStackVoices() {
    for (int block = 0; block < 1000; ++block) {
        const std::size_t active = 8 + static_cast<std::size_t>(block % 20);  // voices come and go
        std::vector<decltype(voices)::Unique> scratch;  // (a real callback would use a fixed array)
        for (std::size_t v = 0; v < active; ++v) scratch.push_back(voices.acquire(1, 128));
        auto tooMany = voices.acquire(1, 4096);  // larger than the pool's buffers: refused, counted
        (void)tooMany;
    }
}

} // namespace

int main() {
    std::printf("audiopool %.*s pool tour\n\n", static_cast<int>(audiopool::version.size()),
                audiopool::version.data());
    printLayout("Treiber", shared);
    printLayout("SpscRing", handoff);
    printLayout("IndexStack", voices);
    shared.prefault();
    handoff.prefault();
    voices.prefault();

    treiberAcrossThreads();
    spscAudioToWorker();
    indexStackVoices();

    std::printf("\n");
    printStats("Treiber", shared.stats());
    printStats("SpscRing", handoff.stats());
    printStats("IndexStack", voices.stats());
    const bool allBack = shared.stats().inUse == 0 && handoff.stats().inUse == 0 && voices.stats().inUse == 0;
    std::printf("\nevery buffer back in its pool: %s\n", allBack ? "yes" : "NO");
    return allBack ? 0 : 1;
}
