// The policy page's code (docs/choosing-a-policy.md), compiled and run.
#include <cstdio>
#include <mutex>
#include <thread>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

// [choose]
// Scratch buffers that never leave the audio thread: no atomics at all.
using VoiceScratch = audiopool::Pool<float, 2, 512, 32, audiopool::IndexStack>;
// Filled on the audio thread, released by one disk-writer thread.
using Recording = audiopool::Pool<float, 2, 512, 64, audiopool::SpscRing>;
// Taken on the audio thread only; given back there and on any other thread
// (a disk writer, an analyser, a GUI meter dropping its Shared copy).
using HandOff = audiopool::Pool<float, 2, 512, 64, audiopool::OwnerThread>;
// Borrowed and returned by several threads (audio, worker pool, UI previews).
using SharedScratch = audiopool::Pool<float, 2, 512, 16, audiopool::Treiber>;

static_assert(VoiceScratch::progress == audiopool::Progress::WaitFree);
static_assert(Recording::progress == audiopool::Progress::WaitFree && Recording::crossThread);
// Wait-free on x86-64, ARMv8.1+ and RISC-V with Zacas; lock-free elsewhere.
static_assert(HandOff::progress >= audiopool::Progress::LockFree && HandOff::crossThread);
static_assert(SharedScratch::progress == audiopool::Progress::LockFree);
// [/choose]

// [custom]
// A policy of your own: a tag type with a FreeList<Capacity> member template.
// This one guards a stack with a mutex: fine for a tool that never runs on
// an audio thread, and it says so: progress is Blocking.
struct MutexStack {
    template <std::size_t Capacity>
    class FreeList {
    public:
        static constexpr audiopool::Progress progress = audiopool::Progress::Blocking;
        static constexpr std::size_t maxCapacity = 0xFFFF'FFFEu;
        static constexpr bool crossThread = true;

        constexpr FreeList() noexcept {
            for (std::uint32_t i = 0; i < Capacity; ++i) free_[i] = i;
        }
        audiopool::Popped pop() noexcept {
            const std::lock_guard lock(mutex_);
            if (count_ == 0) return {audiopool::Popped::none, std::uint32_t(Capacity)};
            ++pops_;
            return {free_[--count_], std::uint32_t(Capacity - count_)};
        }
        void push(std::uint32_t index) noexcept {
            const std::lock_guard lock(mutex_);
            free_[count_++] = index;
            ++pushes_;
        }
        audiopool::FreeListCounts counts() const noexcept {
            const std::lock_guard lock(mutex_);
            return {count_, pops_, pushes_};
        }

    private:
        mutable std::mutex mutex_;
        std::size_t count_ = Capacity;
        std::uint64_t pops_ = 0, pushes_ = 0;
        std::uint32_t free_[Capacity]{};
    };
};
using OfflinePool = audiopool::Pool<double, 2, 4096, 8, MutexStack>;
// [/custom]

/// OwnerThread's rule: this thread acquires; the buffers come back here and
/// on six other threads (more than the four lanes).
bool ownerThreadRule() {
    static HandOff handOff;
    for (int round = 0; round < 3; ++round) {
        HandOff::Unique held[6];
        for (auto& h : held) h = handOff.acquire();
        auto shared = handOff.acquireShared();
        std::thread threads[5];
        for (std::size_t t = 0; t < 5; ++t) threads[t] = std::thread([b = std::move(held[t])]() mutable { b.reset(); });
        std::thread meter([copy = shared] {});  // a copy dropped on another thread
        shared.reset();                          // the last of the two gives the buffer back
        for (auto& t : threads) t.join();
        meter.join();
    }  // held[5] goes back here
    const auto s = handOff.stats();
    return s.acquisitions == 21 && s.releases == 21 && s.inUse == 0 && s.misuses == 0 && s.highWater == 7;
}

int main() {
    static OfflinePool offline;
    bool ok = OfflinePool::progress == audiopool::Progress::Blocking;
    const bool owner = ownerThreadRule();
    std::printf("OwnerThread, buffers given back on seven threads: %s\n", owner ? "ok" : "FAILED");
    ok = ok && owner;
    std::thread other([] {
        auto b = offline.acquire();
        b.clear();
    });
    other.join();
    auto mine = offline.acquire(1, 100);
    ok = ok && mine && mine.numFrames() == 100;
    mine.reset();
    const auto s = offline.stats();
    ok = ok && s.acquisitions == 2 && s.releases == 2 && s.inUse == 0;
    std::printf("custom policy: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
