// The policy concept: user-written policies, and the built-ins' bookkeeping.
#include "test_prelude.hpp"
#include <mutex>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

namespace {

// What a user might write first: a free list behind a mutex. It satisfies the
// concept and works, and says honestly that it blocks.
struct MutexStack {
    template <std::size_t Capacity>
    class FreeList {
    public:
        static constexpr audiopool::Progress progress = audiopool::Progress::Blocking;
        static constexpr std::size_t maxCapacity = 1u << 20;
        static constexpr bool crossThread = true;

        FreeList() noexcept {
            for (std::uint32_t i = 0; i < Capacity; ++i) items_[i] = i;
        }
        audiopool::Popped pop() noexcept {
            std::lock_guard lock(mutex_);
            if (top_ == 0) return {audiopool::Popped::none, static_cast<std::uint32_t>(Capacity)};
            ++pops_;
            const std::uint32_t index = items_[--top_];
            return {index, static_cast<std::uint32_t>(Capacity - top_)};
        }
        void push(std::uint32_t index) noexcept {
            std::lock_guard lock(mutex_);
            items_[top_++] = index;
            ++pushes_;
        }
        audiopool::FreeListCounts counts() const noexcept {
            std::lock_guard lock(mutex_);
            return {top_, pops_, pushes_};
        }

    private:
        mutable std::mutex mutex_;
        std::size_t top_ = Capacity;
        std::uint64_t pops_ = 0, pushes_ = 0;
        std::uint32_t items_[Capacity]{};
    };
};

// Not policies: each misses one requirement.
struct NoFreeList {};
struct PopNotNoexcept {
    template <std::size_t>
    struct FreeList {
        static constexpr audiopool::Progress progress = audiopool::Progress::WaitFree;
        static constexpr std::size_t maxCapacity = 8;
        static constexpr bool crossThread = false;
        audiopool::Popped pop() { return {}; }
        void push(std::uint32_t) noexcept {}
        audiopool::FreeListCounts counts() const noexcept { return {}; }
    };
};
struct NoProgress {
    template <std::size_t>
    struct FreeList {
        static constexpr std::size_t maxCapacity = 8;
        static constexpr bool crossThread = false;
        audiopool::Popped pop() noexcept { return {}; }
        void push(std::uint32_t) noexcept {}
        audiopool::FreeListCounts counts() const noexcept { return {}; }
    };
};

} // namespace

/// Every built-in policy (the one list) satisfies the concept and has a name
/// of its own.
template <class... Policies>
constexpr bool wellFormed(std::tuple<Policies...>*) {
    constexpr std::string_view names[] = {Policies::name...};
    for (std::size_t i = 0; i < sizeof...(Policies); ++i)
        for (std::size_t j = i + 1; j < sizeof...(Policies); ++j)
            if (names[i] == names[j] || names[i].empty()) return false;
    return (audiopool::FreeListPolicy<Policies> && ...);
}
static_assert(wellFormed(static_cast<audiopool::BuiltinPolicies*>(nullptr)));
static_assert(audiopool::FreeListPolicy<audiopool::BasicOwnerThread<0>>);
static_assert(audiopool::FreeListPolicy<MutexStack>);
static_assert(!audiopool::FreeListPolicy<NoFreeList>);
static_assert(!audiopool::FreeListPolicy<PopNotNoexcept>);
static_assert(!audiopool::FreeListPolicy<NoProgress>);

TEST_CASE("CustomUserPolicyWorks") {
    using Pool = audiopool::Pool<float, 2, 32, 3, MutexStack>;
    static_assert(Pool::progress == audiopool::Progress::Blocking);
    auto pool = test::makePool<Pool>();
    {
        auto a = pool->acquire();
        auto b = pool->acquireShared();
        auto b2 = b;  // NOLINT(performance-unnecessary-copy-initialization): the copy is one more reference
        auto c = pool->acquire();
        CHECK(a);
        CHECK(c);
        CHECK_FALSE(pool->acquire());
        CHECK(pool->stats().inUse == 3);
    }
    // Used from two threads, as its crossThread promises.
    std::thread other([&] {
        for (int i = 0; i < 1000; ++i) {
            auto h = pool->acquireShared(1, 8);
            if (h) h.channel(0)[0] = float(i);
        }
    });
    for (int i = 0; i < 1000; ++i) {
        auto h = pool->acquire(2, 32);
        if (h) h.clear();
    }
    other.join();
    const audiopool::Stats s = pool->stats();
    CHECK(s.inUse == 0);
    CHECK(s.acquisitions == s.releases);
    CHECK(s.acquisitions + s.failedAcquisitions == 2004);  // 3 + 1 failed above, 2000 here
    CHECK(s.highWater == 3);
}

#ifndef AUDIOPOOL_IMPORT  // a detail, not exported by the module
TEST_CASE("TreiberPopCountSurvivesTagWraps") {
    constexpr auto treiberOperations = [](std::uint64_t halfWraps, std::uint32_t tag) {
        return audiopool::detail::treiberPops<32>(halfWraps, tag);
    };
    CHECK(treiberOperations(0, 0) == 0);
    CHECK(treiberOperations(0, 12345) == 12345);
    // The reader saw the crossing in the tag but not yet its half-wrap count.
    CHECK(treiberOperations(0, 0x8000'0000u) == 0x8000'0000ull);
    CHECK(treiberOperations(1, 0x8000'0000u) == 0x8000'0000ull);
    CHECK(treiberOperations(1, 0xFFFF'FFFFu) == 0xFFFF'FFFFull);
    CHECK(treiberOperations(1, 0) == 0x1'0000'0000ull);  // full wrap, count lagging
    CHECK(treiberOperations(2, 0) == 0x1'0000'0000ull);
    CHECK(treiberOperations(2, 5) == 0x1'0000'0005ull);
    CHECK(treiberOperations(6, 0x8000'0001u) == 7 * 0x8000'0000ull + 1);  // lagging by one
    CHECK(treiberOperations(7, 0x8000'0001u) == 7 * 0x8000'0000ull + 1);
    // A narrow tag (tests use 8 bits): half-wraps every 128 pops.
    using audiopool::detail::treiberPops;
    CHECK(treiberPops<8>(0, 127) == 127);
    CHECK(treiberPops<8>(0, 128) == 128);  // crossing seen in the tag, not yet counted
    CHECK(treiberPops<8>(1, 128) == 128);
    CHECK(treiberPops<8>(1, 0) == 256);    // full wrap, count lagging
    CHECK(treiberPops<8>(2, 3) == 259);
}
#endif
