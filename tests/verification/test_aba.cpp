// ABA, reproduced deterministically. Thread A starts an acquire, reads the
// free list's head (buffer 0) and its link (buffer 1), and is paused just
// before its compare-and-swap (BasicTreiber's beforePopCas hook). Meanwhile
// the main thread (B) acquires 0 and 1 and gives 0 back: the head is 0 again,
// but 1 is now B's. When A resumes:
//  - an untagged Treiber stack (built here, only for this test) sees the head
//    it expects, installs the stale link 1 as the new head, and the next
//    acquire hands out buffer 1 a second time while B still owns it;
//  - audiopool::Treiber's version tag has moved, so A's CAS fails, A re-reads
//    the head and link, and every buffer keeps exactly one owner.
#include "test_prelude.hpp"
#include <string>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif
#include "verification.hpp"

namespace {

/// Pauses the first pop of the thread marked `paused` at the hook, after it
/// has read head and link, until the test lets it go. One script per test
/// (the Tag), so the two tests share no state.
template <class Tag>
struct PauseScript {
    enum Phase : int { Idle, Paused, Resume, Done };
    static inline std::atomic<std::thread::id> paused{};
    static inline std::atomic<int> phase{Idle};
    static inline std::atomic<std::uint32_t> seenIndex{0}, seenNext{0}, casAttempts{0};

    static void beforePopCas(std::uint32_t index, std::uint32_t next) noexcept {
        if (std::this_thread::get_id() != paused.load()) return;
        casAttempts.fetch_add(1);
        if (phase.load() != Idle) return;  // only the first attempt pauses
        seenIndex.store(index);
        seenNext.store(next);
        phase.store(Paused);
        while (phase.load() != Resume) std::this_thread::yield();
    }
    static void waitUntilPaused() {
        while (phase.load() != Paused) std::this_thread::yield();
    }
};

/// What the tag prevents: a Treiber stack whose head is the bare index. Same
/// links, same hook point, same memory orders as audiopool::Treiber; only the
/// version tag is missing.
template <class Hooks>
struct UntaggedTreiber {
    template <std::size_t Capacity>
    class FreeList {
        static constexpr std::uint32_t nil = 0xFFFF;

    public:
        static constexpr audiopool::Progress progress = audiopool::Progress::LockFree;
        static constexpr std::size_t maxCapacity = 0xFFFE;
        static constexpr bool crossThread = true;

        FreeList() noexcept {
            for (std::uint32_t i = 0; i < Capacity; ++i) next_[i] = (i + 1 < Capacity) ? i + 1 : nil;
        }
        audiopool::Popped pop() noexcept {
            std::uint32_t head = head_.load(std::memory_order_acquire);
            for (;;) {
                if (head == nil) return {audiopool::Popped::none, static_cast<std::uint32_t>(Capacity)};
                const std::uint32_t next = std::atomic_ref(next_[head]).load(std::memory_order_relaxed);
                Hooks::beforePopCas(head, next);
                if (head_.compare_exchange_weak(head, next, std::memory_order_acquire, std::memory_order_acquire)) {
                    const std::size_t out = Capacity - (free_.fetch_sub(1, std::memory_order_relaxed) - 1);
                    pops_.fetch_add(1, std::memory_order_relaxed);
                    return {head, static_cast<std::uint32_t>(out)};
                }
            }
        }
        void push(std::uint32_t index) noexcept {
            std::uint32_t head = head_.load(std::memory_order_relaxed);
            do {
                std::atomic_ref(next_[index]).store(head, std::memory_order_relaxed);
            } while (!head_.compare_exchange_weak(head, index, std::memory_order_release, std::memory_order_relaxed));
            free_.fetch_add(1, std::memory_order_relaxed);
            pushes_.fetch_add(1, std::memory_order_relaxed);
        }
        audiopool::FreeListCounts counts() const noexcept {
            return {free_.load(std::memory_order_relaxed), pops_.load(std::memory_order_relaxed),
                    pushes_.load(std::memory_order_relaxed)};
        }

    private:
        std::atomic<std::uint32_t> head_{0};
        std::atomic<std::size_t> free_{Capacity};
        std::atomic<std::uint64_t> pops_{0}, pushes_{0};
        std::uint32_t next_[Capacity]{};
    };
};

/// What the interleaving leaves behind, for the two tests to judge.
struct AbaOutcome {
    std::uint32_t aPaused = 0, aPausedNext = 0;  // what A read before pausing
    std::uint32_t a = 0, b = 0, c = 0;           // indices held by A, by B, and the next acquire
    bool bStampIntact = false;                   // B's stamp survived the next owner's writes
    std::uint32_t aCasAttempts = 0;
};

template <class Policy>
using AbaPool = test::Pool<double, 1, 16, 4, Policy>;

/// Runs the ABA interleaving on a fresh pool whose policy's hooks are Script;
/// every handle is dropped on return.
template <class Pool, class Script>
AbaOutcome runAbaInterleaving(Pool& pool) {
    AbaOutcome out;
    typename Pool::Unique aHandle;
    std::thread a([&] {
        Script::paused.store(std::this_thread::get_id());
        aHandle = pool.acquire();  // pauses inside, after reading head 0 and link 1
    });
    Script::waitUntilPaused();
    out.aPaused = Script::seenIndex.load();
    out.aPausedNext = Script::seenNext.load();

    auto first = pool.acquire();   // B takes 0 ...
    auto second = pool.acquire();  // ... and 1 ...
    first.reset();                  // ... and gives 0 back: head is 0 again, its link is now 2
    const double stampB = verify::makeStamp(2, 1);
    verify::stampBuffer(second, stampB, 1, 16);

    Script::phase.store(Script::Resume);
    a.join();
    Script::phase.store(Script::Done);
    out.aCasAttempts = Script::casAttempts.load();

    auto third = pool.acquire();  // whatever the free list now says is free
    REQUIRE(aHandle);
    REQUIRE(third);
    verify::stampBuffer(third, verify::makeStamp(3, 1), 1, 16);
    out.a = aHandle.index();
    out.b = second.index();
    out.c = third.index();
    out.bStampIntact = verify::stampIntact(second, stampB, 1, 16);
    if (out.c == out.b) {
        // Two owners of one buffer: detach one so the corrupted free list is
        // not given the same index twice on the way out.
        (void)third.detach();
    }
    return out;
}

struct UntaggedTag {};
struct TaggedTag {};

} // namespace

TEST_CASE("AbaInterleavingCorruptsAnUntaggedTreiberStack") {
    using Script = PauseScript<UntaggedTag>;
    auto pool = test::makePool<AbaPool<UntaggedTreiber<Script>>>();
    const AbaOutcome out = runAbaInterleaving<AbaPool<UntaggedTreiber<Script>>, Script>(*pool);
    CHECK(out.aPaused == 0);
    CHECK(out.aPausedNext == 1);
    CHECK(out.aCasAttempts == 1);  // A's stale CAS succeeded at once ...
    CHECK(out.a == 0);
    CHECK(out.b == 1);
    CHECK(out.c == out.b);         // ... so buffer 1 now has two owners
    CHECK_FALSE(out.bStampIntact); // and the second overwrote the first's samples
}

TEST_CASE("AbaInterleavingLeavesTheTaggedTreiberStackIntact") {
    using Script = PauseScript<TaggedTag>;
    using Pool = AbaPool<audiopool::BasicTreiber<Script>>;
    auto pool = test::makePool<Pool>();
    const AbaOutcome out = runAbaInterleaving<Pool, Script>(*pool);
    CHECK(out.aPaused == 0);
    CHECK(out.aPausedNext == 1);
    CHECK(out.aCasAttempts == 2);  // the tag failed A's stale CAS; the retry saw the new link
    CHECK(out.a == 0);
    CHECK(out.b == 1);
    CHECK(out.c == 2);             // every buffer has one owner
    CHECK(out.bStampIntact);
    CHECK(verify::wholeness(*pool) == "");
    CHECK(pool->stats().acquisitions == 4 + 4);  // A, B twice, the next acquire; then wholeness
}
