// Shared by the verification tests (stress, ABA, misuse, real-time safety):
// ownership stamps, a thread-safe misuse recorder and the "is the pool whole"
// check. Include after test_prelude.hpp and after the library (header or
// `import audiopool;`), since it uses the library's types.
#pragma once
#include "support/policy_lists.hpp"
#include "support/pool_under_test.hpp"

namespace verify {

#ifdef NDEBUG
inline constexpr bool checkedBuild = false;  // AUDIOPOOL_CHECK_THREADS defaults to 0
#else
inline constexpr bool checkedBuild = true;   // AUDIOPOOL_CHECK_THREADS defaults to 1
#endif

/// A pool of type Static, or (Prepared) its prepared twin
/// (support/pool_under_test.hpp), which test::makePool prepares to Static's sizes.
template <class Static, bool Prepared>
using PoolAs = std::conditional_t<Prepared, test::PreparedTwin<Static>, Static>;

/// A pool of type Static on the heap, or (Prepared) its prepared twin.
template <class Static, bool Prepared>
std::unique_ptr<PoolAs<Static, Prepared>> makePoolAs() {
    return test::makePool<PoolAs<Static, Prepared>>();
}

/// A count from the environment variable `name` (a test's size, set by
/// scripts/test.d/21-stress.sh for the full run), or `fallback`.
inline std::uint64_t envOr(const char* name, std::uint64_t fallback) {
    // Read on the test's main thread; nothing in the tests sets the environment.
    const char* text = std::getenv(name);  // NOLINT(concurrency-mt-unsafe)
    return text && *text ? std::strtoull(text, nullptr, 10) : fallback;
}

/// An ownership stamp: the holder's thread number and its sequence number,
/// exact in a double (thread < 2^20, sequence < 2^32).
inline double makeStamp(std::uint32_t thread, std::uint64_t sequence) {
    return static_cast<double>((std::uint64_t{thread} << 32) | (sequence & 0xFFFF'FFFFu));
}

/// Writes `stamp` (plus the sample's position, so a shifted or partial
/// overwrite shows too) into the buffer's whole storage, not just the view:
/// any second owner writes somewhere in it.
template <class Handle>
void stampBuffer(const Handle& h, double stamp, std::size_t channels, std::size_t frames) {
    using Sample = std::remove_pointer_t<std::remove_cvref_t<decltype(*h.channelPointers())>>;
    for (std::size_t c = 0; c < channels; ++c)
        for (std::size_t i = 0; i < frames; ++i)
            h.channelPointers()[c][i] = static_cast<Sample>(stamp + static_cast<double>(c * frames + i));
}

/// Whether every sample still holds what stampBuffer wrote.
template <class Handle>
bool stampIntact(const Handle& h, double stamp, std::size_t channels, std::size_t frames) {
    using Sample = std::remove_pointer_t<std::remove_cvref_t<decltype(*h.channelPointers())>>;
    for (std::size_t c = 0; c < channels; ++c)
        for (std::size_t i = 0; i < frames; ++i)
            if (h.channelPointers()[c][i] != static_cast<Sample>(stamp + static_cast<double>(c * frames + i)))
                return false;
    return true;
}

/// Records misuse reports from any thread, without allocating (the handler
/// may run on an audio thread or on several threads at once): the first
/// maxReports in full, and every one counted by its kind.
class MisuseLog {
public:
    static constexpr std::size_t maxReports = 64;
    MisuseLog() {
        clear();  // before the handler may write to the log
        previous_ = audiopool::setMisuseHandler(&record);  // NOLINT(cppcoreguidelines-prefer-member-initializer)
    }
    ~MisuseLog() { audiopool::setMisuseHandler(previous_); }
    MisuseLog(const MisuseLog&) = delete;
    MisuseLog& operator=(const MisuseLog&) = delete;

    static std::size_t count() { return count_.load(std::memory_order_acquire); }
    static audiopool::MisuseReport report(std::size_t i) { return reports_[i]; }
    /// Every report of this kind, the ones past maxReports included.
    static std::size_t countOf(audiopool::Misuse kind) {
        return byKind_[static_cast<std::size_t>(kind)].load(std::memory_order_acquire);
    }
    static void clear() {
        for (auto& n : byKind_) n.store(0, std::memory_order_relaxed);
        count_.store(0, std::memory_order_release);  // after the kinds: publishes them with it
    }

private:
    static void record(const audiopool::MisuseReport& report) noexcept {
        // acq_rel: the slot written below is published to count()'s acquire
        // load together with the next increment (tests read after a join).
        const std::size_t slot = count_.fetch_add(1, std::memory_order_acq_rel);
        if (slot < maxReports) reports_[slot] = report;
        // acq_rel: as count_ (read by countOf after a join).
        byKind_[static_cast<std::size_t>(report.kind)].fetch_add(1, std::memory_order_acq_rel);
    }
    static inline std::array<audiopool::MisuseReport, maxReports> reports_{};
    static inline std::atomic<std::size_t> count_{0};
    static inline std::array<std::atomic<std::size_t>, 8> byKind_{};  // indexed by Misuse
    audiopool::MisuseHandler previous_;
};

/// The pool is whole: nothing is out, every one of its Capacity buffers can be
/// acquired (so the free list holds each index once: distinct indices, then
/// exhaustion), and the statistics balance. Acquires on the calling thread and
/// gives everything back. Returns an empty string when whole, else why not.
template <class P>
std::string wholeness(P& pool) {
    const audiopool::Stats before = pool.stats();
    if (before.inUse != 0) return "inUse is " + std::to_string(before.inUse);
    if (before.acquisitions != before.releases) return "acquisitions != releases";
    std::vector<typename P::Unique> held;
    for (std::size_t i = 0; i < P::capacity; ++i) {
        held.push_back(pool.acquire());
        if (!held.back()) return "only " + std::to_string(i) + " buffers could be acquired";
    }
    std::vector<std::uint32_t> indices;
    for (auto& h : held) indices.push_back(h.index());
    std::sort(indices.begin(), indices.end());
    if (std::adjacent_find(indices.begin(), indices.end()) != indices.end()) return "an index was handed out twice";
    if (indices.back() >= P::capacity) return "an index is out of range";
    if (pool.acquire()) return "more than Capacity buffers were handed out";
    held.clear();
    const audiopool::Stats after = pool.stats();
    if (after.inUse != 0) return "inUse after giving back is " + std::to_string(after.inUse);
    if (after.acquisitions != after.releases) return "acquisitions != releases after giving back";
    if (after.highWater > P::capacity) return "highWater above capacity";
    return {};
}

} // namespace verify
