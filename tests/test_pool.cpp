// The pool's basic contract, for every built-in policy.
#include "test_prelude.hpp"
#include <cstring>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif
#include "support/pool_under_test.hpp"

template <class Policy>
using SmallPool = test::Pool<float, 2, 64, 4, Policy>;

TEST_CASE_TEMPLATE("InitialPoolHasFreeBuffers", Policy, AUDIOPOOL_ALL_POLICIES) {
    auto pool = test::makePool<SmallPool<Policy>>();
    const audiopool::Stats s = pool->stats();
    CHECK(s.capacity == 4);
    CHECK(s.inUse == 0);
    CHECK(s.highWater == 0);
    CHECK(s.acquisitions == 0);
    CHECK(s.releases == 0);
    CHECK(s.failedAcquisitions == 0);
    CHECK(s.rejectedRequests == 0);
    CHECK(s.misuses == 0);
}

TEST_CASE_TEMPLATE("AcquireAndReleaseBuffer", Policy, AUDIOPOOL_ALL_POLICIES) {
    auto pool = test::makePool<SmallPool<Policy>>();
    {
        auto buffer = pool->acquire(2, 32);
        REQUIRE(buffer);
        CHECK(buffer.numChannels() == 2);
        CHECK(buffer.numFrames() == 32);
        CHECK(buffer.channel(0).size() == 32);
        CHECK(buffer.channel(1).data() != buffer.channel(0).data());
        CHECK(pool->stats().inUse == 1);
    }
    CHECK(pool->stats().inUse == 0);
    CHECK(pool->stats().releases == 1);

    auto full = pool->acquire();  // defaults: the pool's full size
    REQUIRE(full);
    CHECK(full.numChannels() == 2);
    CHECK(full.numFrames() == 64);
    full.reset();  // explicit early return
    CHECK_FALSE(full);
    CHECK(pool->stats().inUse == 0);
    full.reset();  // a second reset of an empty handle does nothing
    CHECK(pool->stats().releases == 2);
}

TEST_CASE_TEMPLATE("AcquireAllBuffers", Policy, AUDIOPOOL_ALL_POLICIES) {
    auto pool = test::makePool<SmallPool<Policy>>();
    std::vector<typename SmallPool<Policy>::Unique> held;
    for (int i = 0; i < 4; ++i) {
        held.push_back(pool->acquire());
        REQUIRE(held.back());
    }
    // Four distinct buffers.
    std::vector<float*> starts;
    for (auto& h : held) starts.push_back(h.channel(0).data());
    std::sort(starts.begin(), starts.end());
    CHECK(std::adjacent_find(starts.begin(), starts.end()) == starts.end());

    auto none = pool->acquire();
    CHECK_FALSE(none);
    CHECK(none.numChannels() == 0);
    CHECK(none.channelPointers() == nullptr);
    CHECK(pool->stats().failedAcquisitions == 1);

    held.pop_back();  // give one back
    auto again = pool->acquire();
    CHECK(again);
    CHECK(pool->stats().inUse == 4);
    CHECK(pool->stats().highWater == 4);
}

TEST_CASE_TEMPLATE("BufferClear", Policy, AUDIOPOOL_ALL_POLICIES) {
    auto pool = test::makePool<SmallPool<Policy>>();
    auto buffer = pool->acquire(2, 64);
    REQUIRE(buffer);
    for (std::size_t c = 0; c < 2; ++c)
        for (float& s : buffer.channel(c)) s = 0.75f;
    buffer.clear();
    for (std::size_t c = 0; c < 2; ++c)
        for (float s : buffer.channel(c)) CHECK(s == 0.0f);

    // clear() covers the view only: a smaller view leaves the rest alone.
    for (float& s : buffer.channel(0)) s = 0.5f;
    buffer.reset();
    auto smaller = pool->acquire(1, 16);
    REQUIRE(smaller);
    // IndexStack hands the same buffer back; the others may not, so refill.
    for (float& s : std::span<float>(smaller.channelPointers()[0], 64)) s = 0.5f;
    smaller.clear();
    const float* first = smaller.channelPointers()[0];
    CHECK(first[15] == 0.0f);
    CHECK(first[16] == 0.5f);
}

TEST_CASE_TEMPLATE("ReferenceCounting", Policy, AUDIOPOOL_ALL_POLICIES) {
    auto pool = test::makePool<SmallPool<Policy>>();
    auto a = pool->acquireShared(2, 8);
    REQUIRE(a);
    CHECK(a.useCount() == 1);
    {
        auto b = a;  // copy: same buffer
        CHECK(b.channel(0).data() == a.channel(0).data());
        CHECK(a.useCount() == 2);
        auto c = b;  // NOLINT(performance-unnecessary-copy-initialization): the copy is one more reference
        CHECK(a.useCount() == 3);
        a.reset();
        CHECK_FALSE(a);
        CHECK(b.useCount() == 2);
        CHECK(pool->stats().inUse == 1);  // still out: b and c hold it
    }
    CHECK(pool->stats().inUse == 0);  // the last copy gave it back
    CHECK(pool->stats().releases == 1);

    // Unique -> Shared takes over the buffer without a new acquisition.
    auto unique = pool->acquire();
    const float* data = unique.channel(0).data();
    typename SmallPool<Policy>::Shared shared(std::move(unique));
    CHECK_FALSE(unique);
    CHECK(shared.channel(0).data() == data);
    CHECK(shared.useCount() == 1);
    CHECK(pool->stats().acquisitions == 2);

    // Copy- and move-assignment release what the target held.
    auto other = pool->acquireShared();
    CHECK(pool->stats().inUse == 2);
    other = shared;
    CHECK(pool->stats().inUse == 1);
    CHECK(shared.useCount() == 2);
    other = std::move(shared);
    CHECK(other.useCount() == 1);
    CHECK_FALSE(shared);
    const auto& alias = other;
    other = alias;  // self-assignment keeps it
    CHECK(other.useCount() == 1);
}

TEST_CASE_TEMPLATE("UniqueMoveReturnsTheTargetsBuffer", Policy, AUDIOPOOL_ALL_POLICIES) {
    auto pool = test::makePool<SmallPool<Policy>>();
    auto a = pool->acquire();
    auto b = pool->acquire();
    const float* aData = a.channel(0).data();
    b = std::move(a);  // b's old buffer goes back
    CHECK(pool->stats().inUse == 1);
    CHECK(b.channel(0).data() == aData);
    auto c(std::move(b));
    CHECK_FALSE(b);
    CHECK(c.channel(0).data() == aData);
}

TEST_CASE_TEMPLATE("OversizeRequestsAreRefusedAndCounted", Policy, AUDIOPOOL_ALL_POLICIES) {
    auto pool = test::makePool<SmallPool<Policy>>();
    CHECK_FALSE(pool->acquire(3, 64));
    CHECK_FALSE(pool->acquire(2, 65));
    CHECK_FALSE(pool->acquireShared(100, 100000));
    CHECK_FALSE(pool->acquire(static_cast<std::size_t>(-1), 1));  // e.g. a negative int from a host
    const audiopool::Stats s = pool->stats();
    CHECK(s.rejectedRequests == 4);
    CHECK(s.failedAcquisitions == 0);
    CHECK(s.acquisitions == 0);
    CHECK(s.inUse == 0);
}

TEST_CASE_TEMPLATE("ZeroSizedRequestsTakeABuffer", Policy, AUDIOPOOL_ALL_POLICIES) {
    // A host may call process with zero frames (VST3 does, to flush
    // parameters): the same code path must work, so a zero request succeeds.
    auto pool = test::makePool<SmallPool<Policy>>();
    auto empty = pool->acquire(2, 0);
    REQUIRE(empty);
    CHECK(empty.numFrames() == 0);
    CHECK(empty.channel(0).empty());
    auto noChannels = pool->acquire(0, 64);
    REQUIRE(noChannels);
    CHECK(noChannels.numChannels() == 0);
    CHECK(noChannels.channel(0).empty());  // out of range: empty span, never a wild pointer
    noChannels.clear();
    CHECK(pool->stats().inUse == 2);
}

TEST_CASE_TEMPLATE("StatisticsAreExactAfterAScriptedSequence", Policy, AUDIOPOOL_ALL_POLICIES) {
    auto pool = test::makePool<SmallPool<Policy>>();
    {
        auto a = pool->acquire();
        auto b = pool->acquire();
        auto c = pool->acquireShared();
        auto c2 = c;  // NOLINT(performance-unnecessary-copy-initialization): the copy is one more reference
        b.reset();
        auto d = pool->acquire();
        auto e = pool->acquire();   // fourth out: a, c, d, e
        auto f = pool->acquire();   // exhausted
        auto g = pool->acquire(9);  // oversize
        CHECK_FALSE(f);
        CHECK_FALSE(g);
        const audiopool::Stats mid = pool->stats();
        CHECK(mid.inUse == 4);
        CHECK(mid.highWater == 4);
        CHECK(mid.acquisitions == 5);
        CHECK(mid.releases == 1);
        CHECK(mid.failedAcquisitions == 1);
        CHECK(mid.rejectedRequests == 1);
    }
    const audiopool::Stats end = pool->stats();
    audiopool::Stats expected;
    expected.capacity = 4;
    expected.inUse = 0;
    expected.highWater = 4;
    expected.acquisitions = 5;
    expected.releases = 5;
    expected.failedAcquisitions = 1;
    expected.rejectedRequests = 1;
    expected.misuses = 0;
    CHECK(end == expected);

    // The high-water mark stays at the peak when fewer are out later.
    { auto only = pool->acquire(); }
    CHECK(pool->stats().highWater == 4);
    CHECK(pool->stats().acquisitions == 6);
}

TEST_CASE_TEMPLATE("EveryChannelIsCacheLineAligned", Policy, AUDIOPOOL_ALL_POLICIES) {
    using Odd = test::Pool<float, 3, 37, 5, Policy>;  // sizes that are not multiples of anything
    auto pool = test::makePool<Odd>();
    if constexpr (!test::preparedRun) {  // a prepared pool's layout is a run-time value: checked below
        static_assert(Odd::channelStride == 48);  // 37 floats padded to 3 lines of 16
        static_assert(Odd::bufferBytes % audiopool::cacheLineSize == 0);
    }
    std::vector<typename Odd::Unique> held;
    for (int i = 0; i < 5; ++i) held.push_back(pool->acquire());
    for (auto& h : held) {
        REQUIRE(h);
        for (std::size_t c = 0; c < 3; ++c) {
            const auto address = reinterpret_cast<std::uintptr_t>(h.channelPointers()[c]);
            CHECK(address % audiopool::cacheLineSize == 0);
            if (c > 0) CHECK(h.channelPointers()[c] - h.channelPointers()[c - 1] == 48);
        }
    }
    using Doubles = test::Pool<double, 2, 1, 2, Policy>;
    if constexpr (!test::preparedRun) {
        static_assert(Doubles::channelStride == 8);
        static_assert(Doubles::bufferBytes == 128);
    }
    auto doubles = test::makePool<Doubles>();
    auto one = doubles->acquire();
    CHECK(one.channelPointers()[1] - one.channelPointers()[0] == 8);  // one frame padded to a line of 8
}

TEST_CASE_TEMPLATE("ProgressIsACompileTimeFact", Policy, AUDIOPOOL_ALL_POLICIES) {
    // The pool states what its policy's free list states of itself...
    using P = SmallPool<Policy>;
    using F = typename Policy::template FreeList<P::capacity>;
    static_assert(P::progress == F::progress);
    static_assert(P::crossThread == F::crossThread);
    static_assert(P::threadRule == audiopool::threadRuleOf<F>);
    // ...and what each thread rule implies holds for every built-in policy:
    // only a one-thread list keeps plain (non-atomic) words, every one is at
    // least lock-free, and on x86-64 (a compare-and-swap and a fetch_add are
    // single instructions) only the any-thread list can make a thread retry.
    static_assert(P::crossThread == (P::threadRule != audiopool::ThreadRule::OneThread));
    static_assert(P::progress >= audiopool::Progress::LockFree);
#if defined(__x86_64__)
    static_assert((P::progress == audiopool::Progress::WaitFree) ==
                  (P::threadRule != audiopool::ThreadRule::AnyThread));
#endif
    CHECK(audiopool::describe(P::progress).size() > 0);
}

TEST_CASE_TEMPLATE("PrefaultKeepsContents", Policy, AUDIOPOOL_ALL_POLICIES) {
    // Two pools taken through the same steps, one of them prefaulted: then
    // every buffer holds the same bytes in both. (What a free buffer holds is
    // what its release left: its last samples, or in debug builds the fill of
    // AUDIOPOOL_FILL_RELEASED; either way prefault must not change it.)
    using P = test::Pool<double, 2, 2048, 3, Policy>;
    const auto steps = [](P& pool) {
        auto held = pool.acquire();
        for (double& s : held.channel(1)) s = 3.0;
        auto released = pool.acquire();
        for (double& s : released.channel(1)) s = 4.0;
        return held;  // `released` goes back to the pool
    };
    auto plain = test::makePool<P>();
    auto faulted = test::makePool<P>();
    auto heldPlain = steps(*plain);
    auto heldFaulted = steps(*faulted);
    faulted->prefault();
    CHECK(heldFaulted.channel(1)[2047] == 3.0);  // an owned buffer's samples
    // The free buffers, taken in the order each pool hands them out (the same in both).
    typename P::Unique fromPlain[] = {plain->acquire(), plain->acquire()};
    typename P::Unique fromFaulted[] = {faulted->acquire(), faulted->acquire()};
    for (std::size_t i = 0; i < 2; ++i) {
        REQUIRE(fromPlain[i].index() == fromFaulted[i].index());
        for (std::size_t c = 0; c < P::channels; ++c)
            // The bytes, NaN payloads included, are what must match.
            // NOLINTNEXTLINE(bugprone-suspicious-memory-comparison,bugprone-suspicious-string-compare)
            CHECK(std::memcmp(fromPlain[i].channelPointers()[c], fromFaulted[i].channelPointers()[c],
                              P::channelStride * sizeof(double)) == 0);
    }
    CHECK(faulted->stats().inUse == 3);
}

// A pool in static storage with no dynamic initialisation at all.
constinit audiopool::Pool<float, 2, 512, 16, audiopool::Treiber> globalTreiber;
constinit audiopool::Pool<double, 8, 256, 8, audiopool::SpscRing> globalSpsc;
constinit audiopool::Pool<float, 1, 128, 4, audiopool::IndexStack> globalStack;
constinit audiopool::Pool<float, 2, 64, 6, audiopool::OwnerThread> globalOwner;

namespace {

/// The pointer a buffer's channel-pointer table holds for channel c, read
/// from the pool's bytes without acquiring the buffer (acquiring fills the
/// table). White-box: every buffer's table sits at the same offset in its
/// slot, and slots are equally spaced; both are measured from two handles.
template <class P>
struct PointerTablePeek {
    const unsigned char* base = nullptr;  // buffer 0's table
    std::ptrdiff_t slotStride = 0;

    PointerTablePeek(const P& pool, const typename P::Unique& a, const typename P::Unique& b) {
        const auto* tableA = reinterpret_cast<const unsigned char*>(a.channelPointers());
        const auto* tableB = reinterpret_cast<const unsigned char*>(b.channelPointers());
        slotStride =
            (tableB - tableA) / (static_cast<std::ptrdiff_t>(b.index()) - static_cast<std::ptrdiff_t>(a.index()));
        base = tableA - slotStride * static_cast<std::ptrdiff_t>(a.index());
        // A static pool's slots are inside it; a prepared pool's, in its block.
        if constexpr (!test::preparedRun) REQUIRE(base >= reinterpret_cast<const unsigned char*>(&pool));
    }
    /// Where buffer `index`'s channel c starts, from handle h's samples.
    typename P::Sample* expected(const typename P::Unique& h, std::uint32_t index, std::size_t channel) const {
        auto* samples = reinterpret_cast<unsigned char*>(h.channelPointers()[0]);
        samples += slotStride * (static_cast<std::ptrdiff_t>(index) - static_cast<std::ptrdiff_t>(h.index()));
        const std::ptrdiff_t channelStride = h.channelPointers()[1] - h.channelPointers()[0];
        return reinterpret_cast<typename P::Sample*>(samples) + static_cast<std::ptrdiff_t>(channel) * channelStride;
    }
    typename P::Sample* at(std::uint32_t index, std::size_t channel) const {
        typename P::Sample* pointer = nullptr;
        std::memcpy(static_cast<void*>(&pointer), base + slotStride * index + channel * sizeof pointer, sizeof pointer);
        return pointer;
    }
};

} // namespace

TEST_CASE_TEMPLATE("PrefaultFillsEveryBuffersPointerTable", Policy, AUDIOPOOL_ALL_POLICIES) {
    // prefault() leaves no first-use work for the audio thread: the table of
    // every buffer, the last one included, is filled before any acquire
    // reaches it. Without prefault() the untouched buffers' tables are
    // still empty (so the check can tell the two apart).
    using P = test::Pool<float, 3, 32, 5, Policy>;
    for (const bool prefaulted : {false, true}) {
        CAPTURE(prefaulted);
        auto pool = test::makePool<P>();
        if (prefaulted) pool->prefault();
        auto a = pool->acquire();
        auto b = pool->acquire();
        REQUIRE(a);
        REQUIRE(b);
        const PointerTablePeek<P> peek(*pool, a, b);
        // A handle's own table, as the peek sees it.
        CHECK(peek.at(a.index(), 2) == a.channelPointers()[2]);
        for (std::uint32_t i = 0; i < P::capacity; ++i) {
            if (i == a.index() || i == b.index()) continue;
            for (std::size_t c = 0; c < P::channels; ++c) {
                CAPTURE(i);
                CAPTURE(c);
                // A prepared pool fills every table when it is prepared.
                if (prefaulted || test::preparedRun) CHECK(peek.at(i, c) == peek.expected(a, i, c));
                else CHECK(peek.at(i, c) == nullptr);
            }
        }
    }
}

TEST_CASE_TEMPLATE("HighWaterRecordsTheTruePeakBelowCapacity", Policy, AUDIOPOOL_ALL_POLICIES) {
    // inUse after every step, and a high-water mark that is the true peak
    // (below capacity, so a mark stuck at capacity or at the last count fails).
    using P = test::Pool<float, 1, 16, 6, Policy>;
    auto pool = test::makePool<P>();
    const auto expect = [&](std::size_t inUse, std::size_t highWater) {
        const audiopool::Stats s = pool->stats();
        CHECK(s.inUse == inUse);
        CHECK(s.highWater == highWater);
        CHECK(s.acquisitions - s.releases == inUse);
    };
    expect(0, 0);
    {
        auto a = pool->acquire();
        expect(1, 1);
        auto b = pool->acquire();
        auto c = pool->acquire();
        expect(3, 3);
        b.reset();
        expect(2, 3);
        auto d = pool->acquire();
        expect(3, 3);
        auto e = pool->acquire();
        expect(4, 4);
        a.reset();
        c.reset();
        d.reset();
        expect(1, 4);
    }
    expect(0, 4);
    {
        auto again = pool->acquireShared();
        auto copy = again;  // NOLINT(performance-unnecessary-copy-initialization): the copy is one more reference
        expect(1, 4);
    }
    expect(0, 4);
}

TEST_CASE("ConstinitGlobalPools") {
    if (auto buffer = globalTreiber.acquire(2, 256)) {
        // The pointer table of a buffer in .bss is filled on its first
        // acquire: it must name the same samples as channel().
        buffer.channel(1)[0] = 1.0f;
        CHECK(buffer.channelPointers()[1] == buffer.channel(1).data());
        CHECK(buffer.channelPointers()[0] == buffer.channel(0).data());
        CHECK(buffer.channelPointers()[1][0] == 1.0f);
        CHECK(buffer.channelPointers()[1] - buffer.channelPointers()[0] ==
              static_cast<std::ptrdiff_t>(decltype(globalTreiber)::channelStride));
    } else {
        FAIL("a fresh constinit pool must have a buffer");
    }
    CHECK(globalTreiber.stats().acquisitions == 1);
    CHECK(globalTreiber.stats().inUse == 0);
    auto s = globalSpsc.acquireShared();
    CHECK(s.numChannels() == 8);
    auto u = globalStack.acquire();
    CHECK(u.numFrames() == 128);
    auto o = globalOwner.acquire(1, 64);
    CHECK(o.numChannels() == 1);
    CHECK(globalOwner.stats().inUse == 1);
}
