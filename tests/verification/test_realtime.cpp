// Real-time safety, by test: everything an audio thread does with a pool —
// acquire, release, Shared copies, copyFrom/copyTo, clear, stats, the
// exhaustion, oversize and misuse paths, a thread cache's refills and
// flushes — makes no call to an allocation
// function or to pthread_mutex_lock (counted by the allocation scopes of
// audiopool/testing.hpp, whose replacements of those functions this file
// compiles into the program), for every policy. The first test shows the
// harness catches such calls.
#include "test_prelude.hpp"
#include <cstdlib>
#include <mutex>
#include <string>
// This program's one copy of the replacements, included before the import as
// a module user does.
#define AUDIOPOOL_TESTING_IMPLEMENTATION
#include <audiopool/testing.hpp>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif
#include "verification.hpp"

namespace {

/// Keeps the optimiser from removing an allocation whose result is unused.
void escape(const void* p) { asm volatile("" : : "r"(p) : "memory"); }

std::atomic<std::uint64_t> misusesSeen{0};
void countMisuse(const audiopool::MisuseReport&) noexcept { misusesSeen.fetch_add(1, std::memory_order_relaxed); }

/// Installs a real-time-safe misuse handler for one test.
struct CountMisuses {
    CountMisuses() : previous(audiopool::setMisuseHandler(&countMisuse)) {}
    ~CountMisuses() { audiopool::setMisuseHandler(previous); }
    CountMisuses(const CountMisuses&) = delete;  // one restore per install
    CountMisuses& operator=(const CountMisuses&) = delete;
    audiopool::MisuseHandler previous;
};

using audiopool::testing::countAllocations;
using audiopool::testing::Counts;

void checkNoCalls(const Counts& counts) {
    CHECK(counts.calls.operatorNew == 0);
    CHECK(counts.calls.operatorDelete == 0);
    CHECK(counts.calls.malloc == 0);
    CHECK(counts.calls.calloc == 0);
    CHECK(counts.calls.realloc == 0);
    CHECK(counts.calls.free == 0);
    CHECK(counts.calls.alignedAlloc == 0);
    CHECK(counts.locks == 0);
    CHECK(counts.total() == 0);
}

template <class Policy>
using RtPool = audiopool::Pool<float, 2, 64, 4, Policy>;

} // namespace

TEST_CASE("TheAudioScopeHarnessCatchesAllocationsAndLocks") {
    // Each function by name: the replacements, not a sanitizer's hooks.
    REQUIRE(audiopool::testing::detection == audiopool::testing::Detection::replacedFunctions);
    Counts calls = countAllocations([] {
        void* p = ::operator new(32);
        escape(p);
        ::operator delete(p);
    });
    CHECK(calls.calls.operatorNew == 1);
    CHECK(calls.calls.operatorDelete == 1);
    CHECK(calls.allocations == 1);
    CHECK(calls.deallocations == 1);
    CHECK(calls.total() == 2);

    calls = countAllocations([] {
        std::vector<int> v(100);  // the everyday way an allocation slips in
        escape(v.data());
    });
    CHECK(calls.calls.operatorNew == 1);
    CHECK(calls.calls.operatorDelete == 1);

    struct alignas(256) Wide {
        char bytes[256];
    };
    calls = countAllocations([] {
        auto* w = new Wide;  // aligned operator new
        escape(w);
        delete w;
        auto* n = new (std::nothrow) int[4];
        escape(n);
        delete[] n;
    });
    CHECK(calls.calls.operatorNew == 2);
    CHECK(calls.calls.operatorDelete == 2);

    calls = countAllocations([] {
        void* p = std::malloc(64);
        escape(p);
        p = std::realloc(p, 4096);  // NOLINT(bugprone-suspicious-realloc-usage): a probe; 64 bytes leak if it fails
        escape(p);
        std::free(p);
        void* q = std::calloc(8, 8);
        escape(q);
        std::free(q);
        void* r = std::aligned_alloc(64, 128);
        escape(r);
        std::free(r);
    });
    CHECK(calls.calls.malloc == 1);
    CHECK(calls.calls.realloc == 1);
    CHECK(calls.calls.calloc == 1);
    CHECK(calls.calls.alignedAlloc == 1);
    CHECK(calls.calls.free == 3);
    CHECK(calls.allocations == 4);
    CHECK(calls.deallocations == 3);

    std::mutex mutex;
    calls = countAllocations([&] {
        mutex.lock();
        mutex.unlock();
    });
    CHECK(calls.locks == 1);
    CHECK(calls.total() == 1);

    // Outside a scope nothing is counted, however much is allocated.
    std::vector<std::string> busy(50, std::string(100, 'x'));
    escape(busy.data());
    calls = countAllocations([] {});
    CHECK(calls.total() == 0);
}

template <class Policy, bool Prepared>
void audioThreadPathsNeitherAllocateNorLock() {
    using Pool = verify::PoolAs<RtPool<Policy>, Prepared>;
    CountMisuses handler;
    misusesSeen.store(0);
    auto pool = verify::makePoolAs<RtPool<Policy>, Prepared>();  // prepare() allocates: outside the scope
    auto other = verify::makePoolAs<RtPool<Policy>, Prepared>();
    test::JuceShapedBuffer<float> juceFloat(2, 64);
    juceFloat.fillRamp();
    test::JuceShapedBuffer<double> juceDouble(3, 80);
    std::vector<float> left(64, 0.25f), right(64, -0.25f);
    float* raw[] = {left.data(), right.data()};
    const float* rawConst[] = {left.data(), nullptr};
    std::vector<double> wide(64);
    double* rawDouble[] = {wide.data()};

    std::uint64_t unexpected = 0;  // outcomes are tallied inside, checked outside
    auto expect = [&](bool ok) { unexpected += !ok; };
    using Extent = audiopool::CopyExtent;

    const Counts calls = countAllocations([&] {
        auto a = pool->acquire(2, 64);
        auto b = pool->acquireShared(1, 32);
        expect(a && b);
        auto bCopy = b;
        typename Pool::Shared bAssigned;
        bAssigned = bCopy;
        auto bMoved = std::move(bCopy);
        expect(b.useCount() == 3);
        a.clear();
        expect(a.copyFrom(juceFloat) == Extent{2, 64});
        expect(a.copyTo(juceDouble) == Extent{2, 64});
        expect(a.copyFrom(juceDouble) == Extent{2, 64});
        expect(a.copyFrom(rawConst, 2, 64) == Extent{1, 64});
        expect(a.copyTo(raw, 2, 64) == Extent{2, 64});
        expect(a.copyTo(rawDouble, 1, 64) == Extent{1, 64});
        expect(b.copyFrom(a) == Extent{1, 32});
        expect(a.copyTo(b) == Extent{1, 32});
        for (float& s : a.channel(1)) s *= 0.5f;
        expect(a.channelPointers()[1] == a.channel(1).data());
        expect(pool->stats().inUse == 2);

        auto c = pool->acquire();
        auto d = pool->acquireShared();
        expect(!pool->acquire());            // exhausted
        expect(!pool->acquireShared(1, 1));  // exhausted
        expect(!pool->acquire(3, 1));        // oversize channels
        expect(!pool->acquire(1, 65));       // oversize frames
        d.reset();
        auto zero = pool->acquire(0, 0);  // zero-sized
        expect(zero && zero.channel(0).empty());
        zero.clear();
        zero.reset();

        const audiopool::Detached detached = c.detach();
        auto adopted = pool->adopt(detached);
        const audiopool::Detached again = adopted.detach();
        expect(pool->release(again));
        expect(!pool->release(again));   // double release: the handler runs
        expect(!other->release(again));  // foreign release
        audiopool::Detached outOfRange = again;
        outOfRange.index = 99;
        expect(!pool->release(outOfRange));

        a = pool->acquire(1, 1);  // move-assignment releases the old buffer
        const audiopool::Stats s = pool->stats();
        expect(s.inUse == 2 && s.failedAcquisitions == 2 && s.rejectedRequests == 2 && s.misuses == 2);
        expect(other->stats().misuses == 1);
    });  // every handle above is destroyed inside the scope

    checkNoCalls(calls);
    CHECK(unexpected == 0);
    CHECK(misusesSeen.load() == 3);
    CHECK(verify::wholeness(*pool) == "");
}

TEST_CASE_TEMPLATE("AudioThreadPathsNeitherAllocateNorLock", Policy, AUDIOPOOL_ALL_POLICIES) {
    audioThreadPathsNeitherAllocateNorLock<Policy, false>();
}
TEST_CASE_TEMPLATE("PreparedPoolsAudioThreadPathsNeitherAllocateNorLock", Policy, AUDIOPOOL_ALL_POLICIES) {
    audioThreadPathsNeitherAllocateNorLock<Policy, true>();
}

TEST_CASE_TEMPLATE("ViewsAndPoolRefsNeitherAllocateNorLock", Policy, AUDIOPOOL_ALL_POLICIES) {
    using Pool = RtPool<Policy>;
    auto pool = test::makePool<Pool>();
    test::JuceShapedBuffer<float> juce(2, 200);
    juce.fillRamp();
    std::vector<float> left(200, 1.0f), right(200, 1.0f);
    float* raw[] = {left.data(), right.data()};
    const audiopool::PoolRef<float> ref = *pool;  // made outside: it is two pointers
    std::uint64_t unexpected = 0;
    auto expect = [&](bool ok) { unexpected += !ok; };
    using Extent = audiopool::CopyExtent;

    // A 200-frame host block through 64-frame buffers taken by a PoolRef:
    // chunks of a view of the JUCE-shaped input, copied out to a view of the
    // raw output, the right channel cleared on the way.
    const Counts calls = countAllocations([&] {
        const audiopool::View<float> out(raw, 2, 200);
        const audiopool::View<float> in(juce);
        std::size_t done = 0;
        for (const audiopool::View<float> chunk : audiopool::chunks(in, Pool::frames)) {
            audiopool::Buffer<float> tmp = ref.acquire(chunk.numChannels(), chunk.numFrames());
            expect(static_cast<bool>(tmp));
            expect(tmp.copyFrom(chunk) == Extent{2, chunk.numFrames()});
            tmp.view().channels(1, 1).clear();
            expect(tmp.copyTo(out.frames(done, chunk.numFrames())) == Extent{2, chunk.numFrames()});
            done += chunk.numFrames();
            audiopool::Buffer<float> moved(std::move(tmp));
            moved.reset();
        }
        expect(done == 200);
        expect(!ref.acquire(3, 1));  // more channels than the pool's: refused, counted
        const audiopool::Stats s = ref.stats();
        expect(s.inUse == 0 && s.acquisitions == 4 && s.rejectedRequests == 1);
    });

    checkNoCalls(calls);
    CHECK(unexpected == 0);
    CHECK(left[199] == juce.at(0, 199));
    CHECK(right[0] == 0.0f);
    CHECK(verify::wholeness(*pool) == "");
}

/// A thread cache (cache.hpp) on the audio thread: made outside the scope, as
/// a worker's context keeps it; inside, acquires from it (a batch refill, an
/// exhausted pool, an oversized request), releases into it (a flush when
/// full), a drop to the free list, a drain and the statistics.
template <bool Prepared>
void cacheAudioThreadPathsNeitherAllocateNorLock() {
    using Pool = verify::PoolAs<RtPool<audiopool::Treiber>, Prepared>;
    auto pool = verify::makePoolAs<RtPool<audiopool::Treiber>, Prepared>();
    auto cache = pool->template cache<4>();  // batches of 2
    std::uint64_t unexpected = 0;
    auto expect = [&](bool ok) { unexpected += !ok; };

    const Counts calls = countAllocations([&] {
        typename Pool::Unique a = cache.acquire();  // a refill of 2
        typename Pool::Unique b = cache.acquire(1, 16);
        typename Pool::Unique c = cache.acquire(2);  // another refill
        typename Pool::Unique d = cache.acquire();
        expect(a && b && c && d);
        expect(!cache.acquire());      // exhausted
        expect(!cache.acquire(3, 1));  // oversized
        a.clear();
        cache.release(std::move(a));
        cache.release(std::move(b));
        cache.release(std::move(c));
        d.reset();  // to the free list
        expect(cache.held() == 3);
        const audiopool::Stats s = pool->stats();
        expect(s.inUse == 0 && s.cached == 3 && s.acquisitions == 4 && s.releases == 4 && s.failedAcquisitions == 1 &&
               s.rejectedRequests == 1);
        typename Pool::Unique again = cache.acquire();
        cache.release(std::move(again));
        cache.drain();
        expect(pool->stats().cached == 0);
    });

    checkNoCalls(calls);
    CHECK(unexpected == 0);
    cache = {};
    CHECK(verify::wholeness(*pool) == "");
}

TEST_CASE("CacheAudioThreadPathsNeitherAllocateNorLock") {
    cacheAudioThreadPathsNeitherAllocateNorLock<false>();
    cacheAudioThreadPathsNeitherAllocateNorLock<true>();
}

// OwnerThread twice: the releasing thread claims a lane (its first release)
// and then uses it; with no lanes, every release goes through the return ring.
TEST_CASE_TEMPLATE("ReleasingOnASecondAudioThreadNeitherAllocatesNorLocks", Policy, audiopool::Treiber,
                   audiopool::SpscRing, audiopool::OwnerThread, audiopool::BasicOwnerThread<0>) {
    using Pool = RtPool<Policy>;
    auto pool = test::makePool<Pool>();
    audiopool::HandoffQueue<typename Pool::Shared, 4> handoff;
    constexpr int rounds = 200;
    std::atomic<bool> releaserReady{false};
    std::uint64_t unexpected = 0;

    Counts releaserCalls;  // each thread counts its own calls
    std::thread releaser([&] {  // created, and its stack set up, outside any scope
        releaserReady.store(true);
        releaserCalls = countAllocations([&] {
            for (int received = 0; received < rounds;) {
                if (auto h = handoff.try_pop()) {
                    // NOLINTNEXTLINE(performance-unnecessary-copy-initialization): one more reference, dropped here
                    auto copy = *h;
                    unexpected += copy.useCount() != 2;
                    ++received;
                }
            }
        });
    });
    while (!releaserReady.load()) std::this_thread::yield();
    audiopool::Stats s;
    const Counts senderCalls = countAllocations([&] {
        for (int sent = 0; sent < rounds;) {
            if (auto h = pool->acquireShared(2, 16)) {
                h.clear();
                // NOLINTNEXTLINE(bugprone-use-after-move): push moves from it only when it succeeds
                while (!handoff.try_push(std::move(h))) {}
                ++sent;
            }
        }
        s = pool->stats();
    });
    releaser.join();

    checkNoCalls(senderCalls);
    checkNoCalls(releaserCalls);
    CHECK(unexpected == 0);
    CHECK(s.acquisitions == rounds);
    CHECK(verify::wholeness(*pool) == "");
}
