// audiopool/testing.hpp, the allocation checks users run in their own tests:
// a scope sees every allocation function, deallocation and lock of its own
// thread while it is alive (function by function where they are replaced,
// as totals through a sanitizer's allocator hooks), nothing before or after
// it and nothing of other threads; scopes nest; a null free is not counted;
// an aborting scope that sees no call lets the program go on. That an
// aborting scope stops the program at a call is testing_abort.cpp's death test.
#include "test_prelude.hpp"
#include <cstdlib>
#include <mutex>
#include <string>
// This program's one copy of the replacements, before the import.
#define AUDIOPOOL_TESTING_IMPLEMENTATION
#include <audiopool/testing.hpp>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

namespace {

using audiopool::testing::AllocationScope;
using audiopool::testing::countAllocations;
using audiopool::testing::Counts;
using audiopool::testing::Detection;
using audiopool::testing::OnAllocation;

constexpr bool byFunction = audiopool::testing::detection == Detection::replacedFunctions;
#if defined(__SANITIZE_THREAD__)
constexpr bool threadSanitizer = true;
#elif defined(__has_feature)
constexpr bool threadSanitizer = __has_feature(thread_sanitizer);
#else
constexpr bool threadSanitizer = false;
#endif

/// Keeps the optimiser from removing an allocation whose result is unused.
void escape(const void* p) { asm volatile("" : : "r"(p) : "memory"); }

/// `p`, as a value the optimiser cannot see through (so a free of it is not
/// removed as a free of null).
template <class T>
T* opaque(T* p) {
    asm volatile("" : "+r"(p));
    return p;
}

/// One allocation and its deallocation with operator new and delete.
void newAndDelete() {
    auto* p = new int(7);
    escape(p);
    delete p;
}

} // namespace

TEST_CASE("a scope sees each allocation function, deallocation and lock of its thread") {
    struct alignas(256) Wide {
        char bytes[256];
    };
    const Counts news = countAllocations([] {
        newAndDelete();
        auto* w = new Wide;  // aligned
        escape(w);
        delete w;
        auto* n = new (std::nothrow) int[4];
        escape(n);
        delete[] n;
        std::vector<float> v(100);
        escape(v.data());
    });
    CHECK(news.allocations == 4);
    CHECK(news.deallocations == 4);
    if constexpr (byFunction) {
        CHECK(news.calls.operatorNew == 4);
        CHECK(news.calls.operatorDelete == 4);
        CHECK(news.calls.malloc == 0);
        CHECK(news.calls.free == 0);
    }

    // The C functions one call a scope. Through a sanitizer's hooks a realloc
    // that moves the block is seen as its allocator does it (an allocation
    // or two, and a deallocation), and ThreadSanitizer runs no hook for the
    // aligned forms (docs/testing.md).
    void* block = nullptr;
    int memalignStatus = -1;
    const Counts malloced = countAllocations([&] { escape(block = std::malloc(64)); });
    // NOLINTNEXTLINE(bugprone-suspicious-realloc-usage): a probe; 64 bytes leak if it fails
    const Counts realloced = countAllocations([&] { escape(block = std::realloc(block, 4096)); });
    const Counts freed = countAllocations([&] { std::free(block); });
    const Counts calloced = countAllocations([&] { escape(block = std::calloc(8, 8)); });
    std::free(block);
    const Counts aligned = countAllocations([&] { escape(block = std::aligned_alloc(64, 128)); });
    std::free(block);
    const Counts memaligned = countAllocations([&] {
        memalignStatus = posix_memalign(&block, 64, 128);
        escape(block);
    });
    std::free(block);
    REQUIRE(memalignStatus == 0);
    CHECK(malloced.allocations == 1);
    CHECK(malloced.deallocations == 0);
    CHECK(realloced.allocations >= 1);
    CHECK(freed.allocations == 0);
    CHECK(freed.deallocations == 1);
    CHECK(calloced.allocations == 1);
    if constexpr (!threadSanitizer) {
        CHECK(aligned.allocations == 1);
        CHECK(memaligned.allocations == 1);
    }
    if constexpr (byFunction) {
        CHECK(malloced.calls.malloc == 1);
        CHECK(realloced.calls.realloc == 1);
        CHECK(realloced.total() == 1);
        CHECK(freed.calls.free == 1);
        CHECK(calloced.calls.calloc == 1);
        CHECK(aligned.calls.alignedAlloc == 1);
        CHECK(memaligned.calls.alignedAlloc == 1);
        CHECK(malloced.total() + calloced.total() + aligned.total() + memaligned.total() == 4);
    }

    std::mutex mutex;
    const Counts locks = countAllocations([&] {
        mutex.lock();
        mutex.unlock();
        const std::lock_guard guard(mutex);
    });
    CHECK(locks.locks == (byFunction ? 2U : 0U));  // hooks see the allocator only
    CHECK(locks.allocations == 0);
    CHECK(locks.total() == locks.locks);
}

TEST_CASE("freeing a null pointer is not counted") {
    const Counts counts = countAllocations([] {
        std::free(opaque<void>(nullptr));
        ::operator delete(opaque<void>(nullptr));
        ::operator delete[](opaque<void>(nullptr));
        delete opaque<int>(nullptr);
    });
    CHECK(counts.total() == 0);
}

TEST_CASE("a scope counts from its start, and counts() may be read while it is alive") {
    std::vector<std::string> before(20, std::string(100, 'x'));  // not counted: no scope yet
    escape(before.data());
    const AllocationScope scope;
    const Counts nothingYet = scope.counts();
    newAndDelete();
    const Counts one = scope.counts();
    newAndDelete();
    const Counts two = scope.counts();
    CHECK(nothingYet.total() == 0);
    CHECK(one.allocations == 1);
    CHECK(one.deallocations == 1);
    CHECK(two.allocations == 2);
    CHECK(two.deallocations == 2);
}

TEST_CASE("nested scopes: the outer one sees the inner one's calls too") {
    Counts outerCounts, innerCounts;
    {
        const AllocationScope outer;
        newAndDelete();
        {
            const AllocationScope inner;
            newAndDelete();
            newAndDelete();
            innerCounts = inner.counts();
        }
        newAndDelete();
        outerCounts = outer.counts();
    }
    CHECK(innerCounts.allocations == 2);
    CHECK(innerCounts.deallocations == 2);
    CHECK(outerCounts.allocations == 4);
    CHECK(outerCounts.deallocations == 4);
}

TEST_CASE("other threads' calls are not counted") {
    std::atomic<int> stage{0};  // 0: wait, 1: allocate, 2: done
    Counts otherThreadCounts;
    std::thread other([&] {  // created outside the scope: creating a thread allocates
        while (stage.load() != 1) std::this_thread::yield();
        otherThreadCounts = countAllocations([] {
            for (int i = 0; i < 100; ++i) newAndDelete();
        });
        stage.store(2);
    });
    Counts mine;
    {
        const AllocationScope scope;
        stage.store(1);
        while (stage.load() != 2) std::this_thread::yield();
        mine = scope.counts();
    }
    other.join();
    CHECK(mine.total() == 0);
    CHECK(otherThreadCounts.allocations == 100);  // the other thread's own scope sees them
    CHECK(otherThreadCounts.deallocations == 100);
}

TEST_CASE("an aborting scope that sees no call lets the program go on, and stops with its scope") {
    auto pool = test::makePool<audiopool::Pool<float, 2, 64, 2>>();
    std::uint64_t unexpected = 0;
    {
        const AllocationScope guard{OnAllocation::abort};
        auto buffer = pool->acquire(2, 64);
        unexpected += !buffer;
        buffer.clear();
    }
    // Had the aborting scope outlived its block, this would stop the program.
    const Counts after = countAllocations([] { newAndDelete(); });
    CHECK(unexpected == 0);
    CHECK(after.allocations == 1);
}
