// The core suite's smoke stress: short random acquire/release sequences
// checked against a model, single-threaded for every policy and
// multi-threaded where the policy allows it, at a fixed small size. (The
// stamped ownership stress, sized from the environment and run at full size
// by scripts/test.d/21-stress.sh, is tests/verification/test_stamped_stress.cpp.)
#include "test_prelude.hpp"
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif
#include "support/pool_under_test.hpp"

namespace {

template <class Policy>
using StressPool = test::Pool<float, 2, 32, 8, Policy>;

/// Writes `stamp` into every sample of the buffer's full storage.
template <class Handle>
void stampBuffer(const Handle& h, float stamp) {
    for (std::size_t c = 0; c < 2; ++c) std::fill_n(h.channelPointers()[c], 32, stamp);
}
template <class Handle>
bool stampIntact(const Handle& h, float stamp) {
    for (std::size_t c = 0; c < 2; ++c)
        for (std::size_t i = 0; i < 32; ++i)
            if (h.channelPointers()[c][i] != stamp) return false;
    return true;
}

} // namespace

TEST_CASE_TEMPLATE("SmokeStressRandomStepsMatchAModel", Policy, AUDIOPOOL_ALL_POLICIES) {
    using Pool = StressPool<Policy>;
    auto pool = test::makePool<Pool>();
    std::mt19937 random(20261125);
    struct Held {
        typename Pool::Shared handle;
        float stamp;
    };
    std::vector<Held> held;  // several entries may share one buffer
    std::size_t buffersOut = 0, peak = 0;
    std::uint64_t acquisitions = 0, failures = 0, rejections = 0;
    float nextStamp = 1.0f;

    for (int step = 0; step < 20000; ++step) {
        const int action = static_cast<int>(random() % 10);
        if (action < 4) {  // acquire, sometimes oversize
            const std::size_t channels = random() % 4;  // 3 is oversize
            const std::size_t frames = random() % 40;   // > 32 is oversize
            auto h = pool->acquireShared(channels, frames);
            if (channels > 2 || frames > 32) {
                CHECK_FALSE(h);
                ++rejections;
            } else if (buffersOut == Pool::capacity) {
                CHECK_FALSE(h);
                ++failures;
            } else {
                REQUIRE(h);
                CHECK(h.numChannels() == channels);
                CHECK(h.numFrames() == frames);
                ++acquisitions;
                peak = std::max(peak, ++buffersOut);
                stampBuffer(h, nextStamp);
                held.push_back({std::move(h), nextStamp});
                nextStamp += 1.0f;
            }
        } else if (action < 6 && !held.empty()) {  // share a held buffer
            const Held& from = held[random() % held.size()];
            held.push_back({from.handle, from.stamp});
        } else if (!held.empty()) {  // drop a random handle
            const std::size_t victim = random() % held.size();
            REQUIRE(stampIntact(held[victim].handle, held[victim].stamp));
            const bool last = held[victim].handle.useCount() == 1;
            held.erase(held.begin() + static_cast<std::ptrdiff_t>(victim));
            if (last) --buffersOut;
        }
        const audiopool::Stats s = pool->stats();
        REQUIRE(s.inUse == buffersOut);
        REQUIRE(s.highWater == peak);
        REQUIRE(s.acquisitions == acquisitions);
        REQUIRE(s.failedAcquisitions == failures);
        REQUIRE(s.rejectedRequests == rejections);
    }
    held.clear();
    const audiopool::Stats s = pool->stats();
    CHECK(s.inUse == 0);
    CHECK(s.acquisitions == s.releases);
    CHECK(s.highWater <= Pool::capacity);
    CHECK(s.highWater == Pool::capacity);  // 20000 random steps do reach the top
}

TEST_CASE("SmokeStressTreiberManyThreads") {
    using Pool = StressPool<audiopool::Treiber>;
    auto pool = test::makePool<Pool>();
    constexpr int threads = 4, steps = 20000;
    std::atomic<int> corrupted{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            std::mt19937 random(static_cast<unsigned>(t) + 1u);
            std::vector<std::pair<Pool::Unique, float>> mine;
            for (int i = 0; i < steps; ++i) {
                if (mine.size() < 3 && random() % 2 == 0) {
                    if (auto h = pool->acquire()) {
                        const float stamp = float(t * steps + i);
                        stampBuffer(h, stamp);
                        mine.emplace_back(std::move(h), stamp);
                    }
                } else if (!mine.empty()) {
                    if (!stampIntact(mine.back().first, mine.back().second)) corrupted.fetch_add(1);
                    mine.pop_back();
                }
            }
        });
    }
    for (auto& w : workers) w.join();
    CHECK(corrupted.load() == 0);
    const audiopool::Stats s = pool->stats();
    CHECK(s.inUse == 0);
    CHECK(s.acquisitions == s.releases);
    CHECK(s.acquisitions > 0);
    CHECK(s.highWater <= Pool::capacity);
}

TEST_CASE("SmokeStressSpscRingAcquireHereReleaseThere") {
    using Pool = StressPool<audiopool::SpscRing>;
    auto pool = test::makePool<Pool>();
    audiopool::HandoffQueue<Pool::Unique, 16> handoff;
    constexpr int total = 20000;
    std::atomic<bool> done{false};
    std::atomic<int> corrupted{0}, received{0};
    std::thread releaser([&] {
        for (;;) {
            if (auto h = handoff.try_pop()) {
                if (!stampIntact(*h, float(h->numFrames()))) corrupted.fetch_add(1);
                received.fetch_add(1, std::memory_order_relaxed);
                continue;  // the buffer went back to the pool just now, on this thread
            }
            // acquire: pairs with the release below, so every push before it
            // is visible; an empty queue after that means we are finished.
            if (done.load(std::memory_order_acquire) && handoff.empty()) break;
            std::this_thread::yield();
        }
    });
    int sent = 0;
    std::mt19937 random(7);
    while (sent < total) {
        auto h = pool->acquire(2, 1 + random() % 32);
        if (!h) {
            std::this_thread::yield();
            continue;
        }
        stampBuffer(h, float(h.numFrames()));
        // NOLINTNEXTLINE(bugprone-use-after-move): push moves from it only when it succeeds
        while (!handoff.try_push(std::move(h))) std::this_thread::yield();
        ++sent;
    }
    done.store(true, std::memory_order_release);
    releaser.join();
    CHECK(received.load() == total);
    CHECK(corrupted.load() == 0);
    const audiopool::Stats s = pool->stats();
    CHECK(s.inUse == 0);
    CHECK(s.acquisitions == total);
    CHECK(s.releases == total);
    CHECK(s.highWater <= Pool::capacity);
}
