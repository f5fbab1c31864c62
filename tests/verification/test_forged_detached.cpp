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
/// thread releases a forgery of the next generation; then the pool must be
/// whole: every acquisition released once, nothing out.
template <class PoolT, class Take>
void raceForgeries(PoolT& pool, Take take) {
    std::atomic<std::uint32_t> generation{0};
    std::atomic<bool> stop{false};
    std::thread forger([&] {
        while (!stop.load(std::memory_order_relaxed))
            (void)pool.release(audiopool::Detached{&pool, 0, 1, 16, generation.load(std::memory_order_relaxed) + 1});
    });
    const std::uint64_t rounds = verify::envOr("AUDIOPOOL_STRESS_CYCLES", 20000);
    std::uint64_t ownReleasesRefused = 0;
    for (std::uint64_t i = 0; i < rounds; ++i) {
        auto handle = take(pool);
        REQUIRE(handle);
        const audiopool::Detached detached = handle.detach();
        generation.store(detached.generation, std::memory_order_relaxed);
        ownReleasesRefused += !pool.release(detached);
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

TEST_CASE_TEMPLATE_DEFINE("ForgedNextGenerationNeverReleasesABufferTwice", Policy, forgedBuffer) {
    const CountRefusals counting;
    using Pool = audiopool::Pool<float, 1, 16, 1, Policy>;
    auto pool = std::make_unique<Pool>();
    // A Detached carrying the reserved generation is refused outright.
    CHECK_FALSE(pool->release(audiopool::Detached{pool.get(), 0, 1, 16, claimingGeneration}));
    CHECK(refusedForgeries.load() == 1);
    raceForgeries(*pool, [](Pool& p) { return p.acquire(); });
}
TEST_CASE_TEMPLATE_APPLY(forgedBuffer, test::PoliciesWhere<test::ManyReleasers>);

TEST_CASE_TEMPLATE_DEFINE("ForgedNextGenerationNeverReleasesAnObjectTwice", Policy, forgedObject) {
    const CountRefusals counting;
    using Pool = audiopool::ObjectPool<int, 1, Policy>;
    auto pool = std::make_unique<Pool>();
    CHECK_FALSE(pool->release(audiopool::Detached{pool.get(), 0, 0, 0, claimingGeneration}));
    CHECK(refusedForgeries.load() == 1);
    raceForgeries(*pool, [](Pool& p) { return p.make(7); });
}
TEST_CASE_TEMPLATE_APPLY(forgedObject, test::PoliciesWhere<test::ManyReleasers>);
