// bench/load.hpp — the background loads a benchmark runs beside the thread it
// measures, each on a thread of its own, started and stopped by a Load:
//
//   none   nothing else runs in the process
//   churn  a thread allocates and frees mixed sizes with malloc, 16 B .. 1 MiB
//          (log-uniform), touching every page, with a live set of 64 blocks;
//          one allocation in 512 is a 40 MiB block (a sample file being
//          loaded), above glibc's largest mmap threshold, so it is always
//          mmapped and munmapped. What an audio thread shares a process with:
//          a GUI, a sample loader. Its frees make glibc trim its heaps
//          (madvise) and unmap blocks (munmap), which also takes the process's
//          memory-map lock and shoots down TLB entries on the other core.
//   cache  a thread walks a buffer larger than the last-level cache, writing
//          one byte per cache line, so whatever the measured thread keeps in
//          the shared cache is evicted again and again.
//
// None of this is part of the library; it includes nothing from it, so a
// benchmark file can include it before `import audiopool;`.
#pragma once
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <span>
#include <string_view>
#include <thread>
#include <vector>

namespace bench {

enum class LoadKind { None, Churn, Cache };

/// The order a benchmark runs them in. Churn comes last: its frees of large
/// blocks raise glibc's mmap and trim thresholds (they adapt to the largest
/// block freed, for the whole process), after which every thread's heap is
/// trimmed less often — malloc would behave differently in whatever ran next.
inline constexpr LoadKind allLoads[] = {LoadKind::None, LoadKind::Cache, LoadKind::Churn};

inline std::string_view loadName(LoadKind kind) {
    switch (kind) {
    case LoadKind::Churn: return "churn";
    case LoadKind::Cache: return "cache";
    default: return "none";
    }
}

/// Bytes the cache load walks: twice the last-level cache the C library
/// reports, at least 64 MiB and at most 256 MiB. (A VM often reports the
/// whole socket's L3 — 508 MiB on this project's AMD EPYC machine, where a
/// core shares an L3 of typically 32 MiB with its core complex — hence the cap.)
inline std::size_t cacheLoadBytes() {
    const long reported = ::sysconf(_SC_LEVEL3_CACHE_SIZE);
    const std::size_t llc = reported > 0 ? std::size_t(reported) : 0;
    return std::clamp<std::size_t>(2 * llc, std::size_t{64} << 20, std::size_t{256} << 20);
}

/// A background load on its own thread, from construction to destruction.
class Load {
public:
    explicit Load(LoadKind kind) : kind_(kind) {
        if (kind_ == LoadKind::Cache) walked_ = cacheBuffer();  // allocated and touched before the thread starts
        if (kind_ != LoadKind::None) thread_ = std::thread([this] { kind_ == LoadKind::Churn ? churn() : walk(); });
    }
    ~Load() {
        stop_.store(true, std::memory_order_relaxed);  // relaxed: only a stop flag, nothing is published
        if (thread_.joinable()) thread_.join();
    }
    Load(const Load&) = delete;
    Load& operator=(const Load&) = delete;

private:
    bool stopping() const { return stop_.load(std::memory_order_relaxed); }

    void churn() {
        constexpr std::size_t page = 4096;
        std::mt19937 random(12345);
        std::vector<char*> live(64, nullptr);
        std::uniform_int_distribution<std::size_t> slot(0, live.size() - 1), sizeClass(4, 19), rare(0, 511);
        std::uniform_real_distribution<double> within(1.0, 2.0);
        while (!stopping()) {
            char*& block = live[slot(random)];
            std::free(block);
            // 2^4 .. 2^20 bytes, spread within each power of two.
            auto bytes = std::size_t(double(std::size_t{1} << sizeClass(random)) * within(random));
            if (rare(random) == 0) bytes = std::size_t{40} << 20;
            block = static_cast<char*>(std::malloc(bytes));
            for (std::size_t at = 0; at < bytes; at += page) block[at] = 1;
            block[bytes - 1] = 1;
        }
        for (char* block : live) std::free(block);
    }

    void walk() {
        constexpr std::size_t line = 64;
        volatile unsigned char* bytes = walked_.data();
        const std::size_t size = walked_.size();
        while (!stopping())
            for (std::size_t at = 0; at < size && !stopping(); at += line) bytes[at] = bytes[at] + 1;
    }

    /// One buffer for every cache load of the program, allocated and touched
    /// once: the first touch of fresh memory is slow on a VM (about 2 s per
    /// GiB here), so it is kept, and asked for in 2 MiB pages, which make
    /// the touching cheaper (and leave the walk's misses to the caches
    /// rather than to the TLB).
    static std::span<unsigned char> cacheBuffer() {
        static const std::span<unsigned char> buffer = [] {
            constexpr std::size_t hugePage = std::size_t{2} << 20;
            const std::size_t size = cacheLoadBytes();
            auto* bytes = static_cast<unsigned char*>(std::aligned_alloc(hugePage, size));
            if (!bytes) std::abort();
            ::madvise(bytes, size, MADV_HUGEPAGE);  // a hint: without it, 4 KiB pages
            std::memset(bytes, 0, size);
            return std::span<unsigned char>(bytes, size);
        }();
        return buffer;
    }

    LoadKind kind_;
    std::span<unsigned char> walked_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

} // namespace bench
