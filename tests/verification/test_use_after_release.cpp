// Use after release (include/audiopool/poison.hpp, docs/real-time.md): what a
// released buffer's samples are until an acquire takes the buffer again.
//  - AddressSanitizer builds: poisoned from the release to the next acquire,
//    whichever way the buffer went back (Unique, the last Shared, a
//    Detached); never while a handle or a Detached owns it; prefault() passes
//    over them; a destroyed pool leaves its memory unpoisoned.
//  - Debug builds without ASan (AUDIOPOOL_FILL_RELEASED): a released buffer
//    reads as signalling NaNs, after its re-acquire too.
//  - Neither (NDEBUG, or AUDIOPOOL_FILL_RELEASED=0): the contents are kept.
// That ASan stops a write through a kept pointer is shown by a program of
// its own (asan_use_after_release.cpp), since the report ends the process.
#include "test_prelude.hpp"
// Macros only, so it may come before the import; in module mode the module
// was built with the same flags, so its choices match the ones seen here.
#include <audiopool/config.hpp>
#include <bit>
#include <limits>
#include <optional>
#include <string>
#if AUDIOPOOL_HAS_ASAN
#include <sanitizer/asan_interface.h>
#endif
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif
#include "verification.hpp"

namespace {

/// One buffer: every re-acquire gets the buffer released before.
template <class Policy, class Sample = float>
using OneBufferPool = test::Pool<Sample, 2, 100, 1, Policy>;

/// Samples in a buffer's whole storage: each channel's padded stride, not just the view.
template <class P>
constexpr std::size_t storedSamples = P::channels * P::channelStride;

/// Calls f(sample) for every sample of the buffer's whole storage.
template <class P, class F>
void forEachStoredSample(typename P::Sample* const* pointers, F f) {
    for (std::size_t c = 0; c < P::channels; ++c)
        for (std::size_t i = 0; i < P::channelStride; ++i) f(pointers[c][i]);
}

/// How many samples of the buffer's whole storage satisfy `test`.
template <class P, class Test>
std::size_t countStoredSamples(typename P::Sample* const* pointers, Test test) {
    std::size_t n = 0;
    forEachStoredSample<P>(pointers, [&](auto& s) { n += test(s) ? 1 : 0; });
    return n;
}

/// Acquires a buffer and writes `value` into its whole storage.
template <class P>
typename P::Unique acquireFilledWith(P& pool, typename P::Sample value) {
    auto buffer = pool.acquire();
    REQUIRE(buffer);
    forEachStoredSample<P>(buffer.channelPointers(), [&](auto& s) { s = value; });
    return buffer;
}

} // namespace

#if AUDIOPOOL_HAS_ASAN

namespace {
/// How many samples of the buffer's storage ASan reports as poisoned.
template <class P>
std::size_t poisonedSamples(typename P::Sample* const* pointers) {
    return countStoredSamples<P>(pointers, [](auto& s) { return __asan_address_is_poisoned(&s) != 0; });
}
} // namespace

TEST_CASE_TEMPLATE("UseAfterReleaseSamplesArePoisonedFromReleaseToAcquire", Policy, AUDIOPOOL_ALL_POLICIES) {
    using Pool = OneBufferPool<Policy>;
    auto pool = test::makePool<Pool>();
    auto buffer = acquireFilledWith(*pool, 0.25f);
    float* const* kept = buffer.channelPointers();
    CHECK(poisonedSamples<Pool>(kept) == 0);

    buffer.reset();
    CHECK(poisonedSamples<Pool>(kept) == storedSamples<Pool>);

    auto again = pool->acquire();
    REQUIRE(again.channelPointers() == kept);  // the same buffer
    CHECK(poisonedSamples<Pool>(kept) == 0);
    if constexpr (!AUDIOPOOL_FILL_RELEASED) {  // poisoning alone keeps the contents
        CHECK(countStoredSamples<Pool>(kept, [](float s) { return s == 0.25f; }) == storedSamples<Pool>);
    }
    forEachStoredSample<Pool>(kept, [](float& s) { s = 0.5f; });  // writable again: no report
    again.reset();
    CHECK(poisonedSamples<Pool>(kept) == storedSamples<Pool>);
}

TEST_CASE_TEMPLATE("UseAfterReleaseEveryReleasePathPoisonsAndNoOwnerIsPoisoned", Policy, AUDIOPOOL_ALL_POLICIES) {
    using Pool = OneBufferPool<Policy, double>;
    constexpr std::size_t stored = storedSamples<Pool>;
    verify::MisuseLog log;  // records the refused release below instead of aborting
    auto pool = test::makePool<Pool>();

    // The last Shared reference gives it back; an earlier one does not.
    auto shared = pool->acquireShared();
    double* const* kept = shared.channelPointers();
    {
        auto copy = shared;
        shared.reset();
        CHECK(poisonedSamples<Pool>(kept) == 0);
    }
    CHECK(poisonedSamples<Pool>(kept) == stored);

    // Detached and adopted buffers never pass through the free list.
    auto unique = pool->acquire();
    REQUIRE(unique.channelPointers() == kept);
    const audiopool::Detached first = unique.detach();
    CHECK(poisonedSamples<Pool>(kept) == 0);
    auto adopted = pool->adopt(first);
    REQUIRE(adopted);
    CHECK(poisonedSamples<Pool>(kept) == 0);
    const audiopool::Detached second = adopted.detach();

    // A refused release (a used-up Detached) leaves the owner's buffer alone.
    CHECK_FALSE(pool->release(first));
    CHECK(log.count() == 1);
    CHECK(poisonedSamples<Pool>(kept) == 0);

    CHECK(pool->release(second));
    CHECK(poisonedSamples<Pool>(kept) == stored);
    CHECK(verify::wholeness(*pool) == "");
    CHECK(poisonedSamples<Pool>(kept) == stored);
}

TEST_CASE_TEMPLATE("UseAfterReleasePrefaultPassesOverPoisonedBuffers", Policy, AUDIOPOOL_ALL_POLICIES) {
    // 32 KiB of samples per buffer: prefault() touches bytes inside them.
    using Pool = test::Pool<float, 2, 4096, 2, Policy>;
    auto pool = test::makePool<Pool>();
    float* const* kept[2] = {};
    {
        auto a = pool->acquire();
        auto b = pool->acquire();
        kept[0] = a.channelPointers();
        kept[1] = b.channelPointers();
    }
    pool->prefault();  // reads and writes the poisoned samples: no report
    CHECK(poisonedSamples<Pool>(kept[0]) == storedSamples<Pool>);  // and they stay poisoned
    CHECK(poisonedSamples<Pool>(kept[1]) == storedSamples<Pool>);
    CHECK(verify::wholeness(*pool) == "");
}

TEST_CASE("UseAfterReleaseADestroyedPoolLeavesItsMemoryUnpoisoned") {
    // A static pool's own storage (a prepared pool's block is unpoisoned
    // before it goes back to its resource): the static type in every run.
    using Pool = audiopool::Pool<float, 2, 100, 1, audiopool::Treiber>;
    auto storage = std::make_unique<std::optional<Pool>>();
    storage->emplace();
    float* const* pointers = (*storage)->acquire().channelPointers();  // acquired and released at once
    float* const first = pointers[0];                                   // the table goes with the pool
    REQUIRE(__asan_address_is_poisoned(first));
    storage->reset();
    CHECK(__asan_region_is_poisoned(first, storedSamples<Pool> * sizeof(float)) == nullptr);
    storage->emplace();  // a new pool in the same memory zeroes it: no report
    CHECK((*storage)->stats().inUse == 0);
}

#elif AUDIOPOOL_FILL_RELEASED

namespace {
/// Whether `s` holds exactly the pattern a released buffer is filled with.
template <class Sample>
bool isSignallingNaN(const Sample& s) {
    using Bits = std::conditional_t<sizeof(Sample) == 4, std::uint32_t, std::uint64_t>;
    return std::bit_cast<Bits>(s) == std::bit_cast<Bits>(std::numeric_limits<Sample>::signaling_NaN());
}
} // namespace

TEST_CASE_TEMPLATE("UseAfterReleaseAReleasedBufferReadsAsSignallingNaN", Policy, AUDIOPOOL_ALL_POLICIES) {
    const auto check = [](auto pool) {
        using Pool = typename decltype(pool)::element_type;
        using Sample = typename Pool::Sample;
        auto buffer = acquireFilledWith(*pool, Sample(0.25));
        Sample* const* kept = buffer.channelPointers();
        buffer.reset();
        // A read through the kept pointers, as a bug would make it.
        CHECK(countStoredSamples<Pool>(kept, isSignallingNaN<Sample>) == storedSamples<Pool>);

        auto again = pool->acquire();
        REQUIRE(again.channelPointers() == kept);  // the same buffer, still NaN for its new owner
        CHECK(countStoredSamples<Pool>(kept, isSignallingNaN<Sample>) == storedSamples<Pool>);
    };
    check(test::makePool<OneBufferPool<Policy, float>>());
    check(test::makePool<OneBufferPool<Policy, double>>());
}

#else

TEST_CASE_TEMPLATE("UseAfterReleaseWithoutAFillTheContentsAreKept", Policy, AUDIOPOOL_ALL_POLICIES) {
    using Pool = OneBufferPool<Policy>;
    auto pool = test::makePool<Pool>();
    float* const* kept = acquireFilledWith(*pool, 0.25f).channelPointers();  // acquired and released at once
    auto again = pool->acquire();
    REQUIRE(again.channelPointers() == kept);
    CHECK(countStoredSamples<Pool>(kept, [](float s) { return s == 0.25f; }) == storedSamples<Pool>);
}

#endif
