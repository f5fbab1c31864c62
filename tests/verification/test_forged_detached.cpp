// A made-up Detached that carries the generation a real one is about to
// get, released on another thread while the real one is claimed: refused
// (DoubleRelease), never a second release. The word's state during a claim
// is one no Detached carries (detach_words.hpp); before it was the next
// generation, and such a forgery won its own claim about once in a thousand
// rounds: the buffer (or object) went back to the free list twice.
// Also the deterministic half: a Detached carrying that reserved value is
// refused outright. For the buffer pool and the object pool, every policy
// that lets any number of threads release (the forger is a second releaser).
#include "test_prelude.hpp"
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif
#include "verification.hpp"

namespace {

std::atomic<std::uint64_t> refusedForgeries{0};
void countRefusal(const audiopool::MisuseReport& report) noexcept {
    if (report.kind == audiopool::Misuse::DoubleRelease) refusedForgeries.fetch_add(1, std::memory_order_relaxed);
}

/// Installs countRefusal for one test and restores the previous handler after.
struct CountRefusals {
    CountRefusals() : previous(audiopool::setMisuseHandler(countRefusal)) { refusedForgeries.store(0); }
    CountRefusals(const CountRefusals&) = delete;
    CountRefusals& operator=(const CountRefusals&) = delete;
    ~CountRefusals() { audiopool::setMisuseHandler(previous); }
    audiopool::MisuseHandler previous;
};

constexpr std::uint32_t claimingGeneration = 0x7FFF'FFFFu;

/// Rounds of acquire (or make), detach, release on this thread while a second
/// thread releases a forgery of the next generation, but only while this
/// thread's release may be in progress: once it has returned, the forger is
/// told to stop and this thread waits until no forgery is in flight before it
/// detaches again (the next detachment carries that very generation: a
/// "forgery" of it then is a correct guess, as good as the real Detached).
/// Then the pool must be whole: every acquisition released once, by this
/// thread, nothing out.
template <class PoolT, class Take>
void raceForgeries(PoolT& pool, Take take) {
    constexpr std::uint64_t none = ~std::uint64_t{0};
    // seq_cst on both flags: the forger stores `inFlight` and then loads
    // `forge`; this thread stores `forge` and then loads `inFlight`. Either the
    // forger sees `none` or this thread sees it in flight and waits.
    std::atomic<std::uint64_t> forge{none};
    std::atomic<bool> inFlight{false};
    std::atomic<bool> stop{false};
    std::thread forger([&] {
        while (!stop.load()) {
            inFlight.store(true);
            const std::uint64_t generation = forge.load();
            if (generation != none)
                (void)pool.release(audiopool::Detached{&pool, 0, 1, 16, static_cast<std::uint32_t>(generation)});
            inFlight.store(false);
        }
    });
    const std::uint64_t rounds = verify::envOr("AUDIOPOOL_STRESS_CYCLES", 20000);
    std::uint64_t ownReleasesRefused = 0;
    for (std::uint64_t i = 0; i < rounds; ++i) {
        auto handle = take(pool);
        REQUIRE(handle);
        const audiopool::Detached detached = handle.detach();
        forge.store(detached.generation + std::uint64_t{1});
        ownReleasesRefused += !pool.release(detached);
        forge.store(none);
        while (inFlight.load()) std::this_thread::yield();
    }
    stop.store(true);
    forger.join();
    const audiopool::Stats s = pool.stats();
    CHECK(ownReleasesRefused == 0);
    CHECK(s.inUse == 0);
    CHECK(s.acquisitions == rounds);
    CHECK(s.releases == rounds);
}

} // namespace

TEST_CASE_TEMPLATE_DEFINE("DetachedWithTheClaimingGenerationIsRefused", Policy, claimingValue) {
    const CountRefusals counting;
    auto buffers = std::make_unique<audiopool::Pool<float, 1, 16, 1, Policy>>();
    auto held = buffers->acquire();
    CHECK_FALSE(buffers->release(audiopool::Detached{buffers.get(), 0, 1, 16, claimingGeneration}));
    auto objects = std::make_unique<audiopool::ObjectPool<int, 1, Policy>>();
    auto object = objects->make(1);
    CHECK_FALSE(objects->release(audiopool::Detached{objects.get(), 0, 0, 0, claimingGeneration}));
    CHECK(refusedForgeries.load() == 2);
}
TEST_CASE_TEMPLATE_APPLY(claimingValue, audiopool::BuiltinPolicies);

// The race: in suite "stress" (AUDIOPOOL_STRESS_CYCLES rounds: 10^6 in the
// full run), since the window it aims at is a few instructions wide.
TEST_CASE_TEMPLATE_DEFINE("ForgedNextGenerationNeverReleasesABufferTwice" * doctest::test_suite("stress"), Policy,
                          forgedBuffer) {
    const CountRefusals counting;
    using Pool = audiopool::Pool<float, 1, 16, 1, Policy>;
    auto pool = std::make_unique<Pool>();
    raceForgeries(*pool, [](Pool& p) { return p.acquire(); });
}
TEST_CASE_TEMPLATE_APPLY(forgedBuffer, test::PoliciesWhere<test::ManyReleasers>);

TEST_CASE_TEMPLATE_DEFINE("ForgedNextGenerationNeverReleasesAnObjectTwice" * doctest::test_suite("stress"), Policy,
                          forgedObject) {
    const CountRefusals counting;
    using Pool = audiopool::ObjectPool<int, 1, Policy>;
    auto pool = std::make_unique<Pool>();
    raceForgeries(*pool, [](Pool& p) { return p.make(7); });
}
TEST_CASE_TEMPLATE_APPLY(forgedObject, test::PoliciesWhere<test::ManyReleasers>);
