// pool_tour: one pool of each built-in policy, used the way its policy
// allows, with the layout and statistics each reports.
//
//   Treiber    — four threads share one pool (lock-free)
//   SpscRing   — an "audio" thread acquires, a worker thread releases (wait-free)
//   OwnerThread — an "audio" thread acquires; it and three other threads
//                release (wait-free on x86-64 and ARMv8.1+)
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
    std::printf("%-11s %zu x %zu ch x %zu frames of %s, %zu bytes per buffer, %zu bytes in all, %.*s\n",
                name, Pool::capacity, Pool::channels, Pool::frames,
                sizeof(typename Pool::Sample) == 4 ? "float" : "double", Pool::bufferBytes, sizeof(pool),
                static_cast<int>(audiopool::describe(Pool::progress).size()),
                audiopool::describe(Pool::progress).data());
}

void printStats(const char* name, const audiopool::Stats& s) {
    std::printf("%-11s inUse %zu  highWater %zu/%zu  acquisitions %llu  releases %llu  "
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
constinit audiopool::Pool<float, 2, 256, 16, audiopool::OwnerThread> owned;
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

void ownerThreadFanOut() {
    using Buffer = decltype(owned)::Unique;
    // Three threads (a disk writer, an analyser, a meter), each with a
    // one-buffer mailbox; each lets go of what it takes, on its own thread.
    std::array<Buffer, 3> mailbox{};
    std::array<std::atomic<bool>, 3> full{};
    std::atomic<bool> finished{false};
    std::vector<std::thread> releasers;
    for (std::size_t r = 0; r < 3; ++r) {
        releasers.emplace_back([&, r] {
            for (;;) {
                if (full[r].load(std::memory_order_acquire)) {
                    Buffer b = std::move(mailbox[r]);
                    full[r].store(false, std::memory_order_release);
                    b.reset();  // back in the pool, from this thread
                } else if (finished.load(std::memory_order_acquire)) {
                    if (!full[r].load(std::memory_order_acquire)) break;
                } else {
                    std::this_thread::yield();
                }
            }
        });
    }
    for (std::size_t block = 0; block < 6000; ++block) {  // the audio thread: the only one acquiring
        auto scratch = owned.acquire(2, 64);  // given back on this thread at the end of the block
        auto b = owned.acquire(2, 256);
        if (!b) continue;  // a real callback would skip this block's hand-off
        b.clear();
        const std::size_t r = block % 3;
        if (!full[r].load(std::memory_order_acquire)) {
            mailbox[r] = std::move(b);
            full[r].store(true, std::memory_order_release);
        }  // else that thread is busy: `b` goes back to the pool here, on this thread
    }
    finished.store(true, std::memory_order_release);
    for (auto& t : releasers) t.join();
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
    printLayout("OwnerThread", owned);
    printLayout("IndexStack", voices);
    shared.prefault();
    handoff.prefault();
    owned.prefault();
    voices.prefault();

    treiberAcrossThreads();
    spscAudioToWorker();
    ownerThreadFanOut();
    indexStackVoices();

    std::printf("\n");
    printStats("Treiber", shared.stats());
    printStats("SpscRing", handoff.stats());
    printStats("OwnerThread", owned.stats());
    printStats("IndexStack", voices.stats());
    const bool allBack = shared.stats().inUse == 0 && handoff.stats().inUse == 0 && owned.stats().inUse == 0 &&
                         voices.stats().inUse == 0;
    std::printf("\nevery buffer back in its pool: %s\n", allBack ? "yes" : "NO");
    return allBack ? 0 : 1;
}
