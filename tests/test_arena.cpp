// Arena: temporaries taken in frames and given back when their frame ends —
// alignment, disjointness, exact reclaim, nesting, the frame-order misuses,
// exhaustion without the heap, buffers as views, the prepared (dynamic)
// arena, and the std::pmr resource over the innermost frame.
#include "test_prelude.hpp"
#include <cstring>
#include <numeric>
#include <memory_resource>
#include <new>
#include <stdexcept>
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_TEST_ASAN 1
#endif
#ifdef ARENA_TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif
#include "support/record_misuses.hpp"

namespace {

using audiopool::Arena;
using audiopool::dynamic;

using test::RecordMisuses;
using test::reports;

/// A resource that counts what it hands out and gets back, and can be told
/// to throw or to return null.
class CountingResource : public std::pmr::memory_resource {
public:
    bool throws = false;
    bool returnsNull = false;
    std::size_t allocations = 0, deallocations = 0, bytesOut = 0;

private:
    void* do_allocate(std::size_t bytes, std::size_t alignment) override {
        ++allocations;
        if (throws) throw std::bad_alloc();
        if (returnsNull) return nullptr;
        bytesOut += bytes;
        return std::pmr::new_delete_resource()->allocate(bytes, alignment);
    }
    void do_deallocate(void* memory, std::size_t bytes, std::size_t alignment) override {
        ++deallocations;
        bytesOut -= bytes;
        std::pmr::new_delete_resource()->deallocate(memory, bytes, alignment);
    }
    bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }
};

/// Installs a counting resource as the process's default resource for one
/// test (what a hidden fallback would ask), and restores the previous one.
struct CountDefaultResource {
    CountingResource counting;
    std::pmr::memory_resource* previous = std::pmr::set_default_resource(&counting);
    ~CountDefaultResource() { std::pmr::set_default_resource(previous); }
    CountDefaultResource() = default;
    CountDefaultResource(const CountDefaultResource&) = delete;
    CountDefaultResource& operator=(const CountDefaultResource&) = delete;
};

// A resource that returns null breaks memory_resource::allocate's contract
// (declared returns_nonnull), which UBSan stops at, before the arena can
// refuse it: that case runs in the builds without UBSan.
#if defined(__has_feature)
#if __has_feature(undefined_behavior_sanitizer)
#define ARENA_TEST_UBSAN 1
#endif
#endif
#ifdef ARENA_TEST_UBSAN
constexpr bool nullResultChecked = false;
#else
constexpr bool nullResultChecked = true;
#endif

std::uintptr_t address(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

/// [first, first + bytes) of every span lies inside [low, high) and no two overlap.
struct Ranges {
    std::vector<std::pair<std::uintptr_t, std::uintptr_t>> taken;
    template <class T>
    void add(std::span<T> span) {
        taken.emplace_back(address(span.data()), address(span.data()) + span.size_bytes());
    }
    bool disjoint() const {
        auto sorted = taken;
        std::sort(sorted.begin(), sorted.end());
        for (std::size_t i = 1; i < sorted.size(); ++i)
            if (sorted[i].first < sorted[i - 1].second) return false;
        return true;
    }
    bool inside(const void* low, std::size_t bytes) const {
        return std::all_of(taken.begin(), taken.end(), [&](const auto& range) {
            return range.first >= address(low) && range.second <= address(low) + bytes;
        });
    }
};

constinit Arena<16384> staticArena;  // must compile: a constinit arena

struct alignas(128) Wide {
    float lanes[32];
};

}  // namespace

TEST_CASE("arena: a constinit arena takes aligned, disjoint spans from its own storage") {
    CountDefaultResource defaults;
    Ranges ranges;
    {
        auto frame = staticArena.frame();
        std::mt19937 random(7);
        for (int i = 0; i < 20; ++i) {
            const std::size_t count = std::uniform_int_distribution<std::size_t>(1, 100)(random);
            switch (i % 4) {
            case 0: ranges.add(frame.take<float>(count)); break;
            case 1: ranges.add(frame.take<double>(count)); break;
            case 2: ranges.add(frame.take<char>(count)); break;
            default: ranges.add(frame.take<std::int16_t>(count)); break;
            }
            REQUIRE(ranges.taken.back().second > ranges.taken.back().first);
            CHECK(ranges.taken.back().first % 64 == 0);
        }
        const std::span<Wide> wide = frame.take<Wide>(3);
        REQUIRE(wide.size() == 3);
        CHECK(address(wide.data()) % 128 == 0);
        ranges.add(wide);
    }
    CHECK(ranges.disjoint());
    // From the arena itself: no heap, no resource, no default resource.
    CHECK(ranges.inside(&staticArena, sizeof(staticArena)));
    CHECK(defaults.counting.allocations == 0);
    CHECK(staticArena.stats().used == 0);
}

TEST_CASE("arena: written spans keep their values until their frame ends") {
    Arena<8192> arena;
    auto frame = arena.frame();
    const std::span<int> a = frame.take<int>(100);
    const std::span<int> b = frame.take<int>(100);
    REQUIRE(a.size() == 100);
    REQUIRE(b.size() == 100);
    std::fill(a.begin(), a.end(), 1);
    std::fill(b.begin(), b.end(), 2);
    CHECK(std::count(a.begin(), a.end(), 1) == 100);
    CHECK(std::count(b.begin(), b.end(), 2) == 100);
}

TEST_CASE("arena: a frame's end gives back exactly what it took, and the next frame reuses it") {
    Arena<8192> arena;
    auto outer = arena.frame();
    const std::span<float> kept = outer.take<float>(10);
    REQUIRE(kept.size() == 10);
    const std::size_t before = arena.stats().used;
    CHECK(before == 40);
    const float* reused = nullptr;
    {
        auto inner = arena.frame();
        const std::span<double> scratch = inner.take<double>(100);
        REQUIRE(scratch.size() == 100);
        CHECK(address(scratch.data()) >= address(kept.data()) + kept.size_bytes());
        CHECK(arena.stats().used == 64 + 800);  // aligned to the next cache line
        reused = reinterpret_cast<const float*>(scratch.data());
    }
    CHECK(arena.stats().used == before);
    auto again = arena.frame();
    CHECK(static_cast<const void*>(again.take<float>(1).data()) == static_cast<const void*>(reused));
}

TEST_CASE("arena: nested frames end innermost first and each restores its own start") {
    Arena<16384> arena;
    auto a = arena.frame();
    (void)a.take<char>(100);
    const std::size_t afterA = arena.stats().used;
    {
        auto b = arena.frame();
        (void)b.take<char>(200);
        const std::size_t afterB = arena.stats().used;
        {
            auto c = arena.frame();
            (void)c.take<char>(300);
            CHECK(arena.stats().used > afterB);
            CHECK(c.isOpen());
        }
        CHECK(arena.stats().used == afterB);
        // b is the innermost again: it takes.
        CHECK(b.take<char>(1).size() == 1);
    }
    CHECK(arena.stats().used == afterA);
    CHECK(arena.stats().misuses == 0);
}

TEST_CASE("arena: a moved frame keeps its place in the chain") {
    Arena<8192> arena;
    auto outer = arena.frame();
    (void)outer.take<float>(16);
    const std::size_t base = arena.stats().used;
    std::optional<Arena<8192>::Frame> inner;
    inner.emplace(arena.frame());  // moved into the optional
    (void)inner->take<float>(100);
    Arena<8192>::Frame moved(std::move(*inner));
    CHECK_FALSE(inner->isOpen());
    CHECK(inner->take<float>(1).empty());  // a moved-from frame is inert
    CHECK(moved.take<float>(1).size() == 1);  // the innermost still
    inner.reset();  // ending the moved-from frame changes nothing
    CHECK(arena.stats().used > base);
    moved.end();
    CHECK(arena.stats().used == base);
    CHECK_FALSE(moved.isOpen());
    // Assigning a frame over an open one ends it first.
    Arena<8192>::Frame later;
    CHECK(later.take<int>(1).empty());
    later = arena.frame();
    (void)later.take<int>(50);
    later = arena.frame();  // the first one ends: its 200 bytes come back
    CHECK(arena.stats().used == base);
    CHECK(arena.stats().misuses == 0);
    // A frame opened inside `later` that took memory already: it takes
    // later's place, and both frames' memory comes back at its end.
    (void)later.take<int>(50);
    auto child = arena.frame();
    const std::span<int> kept = child.take<int>(10);
    REQUIRE(kept.size() == 10);
    const std::size_t both = arena.stats().used;
    later = std::move(child);
    CHECK(arena.stats().used == both);  // nothing reclaimed under the child's span
    CHECK_FALSE(child.isOpen());  // NOLINT(bugprone-use-after-move): a moved-from frame is inert, by contract
    CHECK(later.take<int>(1).size() == 1);  // the innermost
    later.end();
    CHECK(arena.stats().used == base);
    CHECK(arena.stats().misuses == 0);
}

TEST_CASE("arena: ending a frame before one opened after it is a FrameOrder misuse with a safe outcome") {
    RecordMisuses recording;
    Arena<8192> arena;
    std::optional<Arena<8192>::Frame> outer, middle;
    outer.emplace(arena.frame());
    (void)outer->take<float>(10);
    middle.emplace(arena.frame());
    const std::size_t beforeMiddle = arena.stats().used;
    (void)middle->take<float>(100);
    auto inner = arena.frame();
    (void)inner.take<float>(100);

    middle.reset();  // while `inner` is still open
    REQUIRE(reports().size() == 1);
    CHECK(reports()[0].kind == audiopool::Misuse::FrameOrder);
    CHECK(reports()[0].pool == static_cast<const void*>(&arena));
    CHECK(reports()[0].index == 1);  // the ended frame's depth
    CHECK(arena.stats().misuses == 1);
    // The inner frame ended with it and is inert; the memory of both is back.
    CHECK_FALSE(inner.isOpen());
    CHECK(inner.take<float>(1).empty());
    CHECK(arena.stats().used == beforeMiddle);
    inner.end();  // does nothing
    CHECK(arena.stats().used == beforeMiddle);
    // The outer frame is the innermost again and works as before.
    CHECK(outer->take<float>(4).size() == 4);
    CHECK(arena.stats().used == 64 + 16);  // from the next line after the outer frame's 40 bytes
    outer.reset();
    CHECK(arena.stats().used == 0);
    CHECK(reports().size() == 1);
    CHECK(arena.stats().failedTakes == 0);
}

TEST_CASE("arena: taking from a frame that is not the innermost is refused and reported") {
    RecordMisuses recording;
    Arena<8192> arena;
    auto outer = arena.frame();
    auto inner = arena.frame();
    const std::size_t used = arena.stats().used;
    CHECK(outer.take<float>(10).empty());
    CHECK(outer.buffer<float>(2, 16).empty());
    REQUIRE(reports().size() == 2);
    CHECK(reports()[0].kind == audiopool::Misuse::FrameOrder);
    CHECK(reports()[0].index == 0);
    CHECK(arena.stats().misuses == 2);
    CHECK(arena.stats().used == used);
    CHECK(arena.stats().failedTakes == 0);
    CHECK(inner.take<float>(10).size() == 10);
}

TEST_CASE("arena: exhaustion and overflow give empty spans, counted, with no allocation") {
    CountDefaultResource defaults;
    Arena<1000> arena;
    auto frame = arena.frame();
    CHECK(frame.take<float>(250).size() == 250);  // exactly the capacity
    CHECK(arena.stats().used == 1000);
    CHECK(frame.take<char>(1).empty());
    CHECK(frame.buffer<float>(1, 1).empty());
    CHECK(arena.stats().failedTakes == 2);
    {
        auto inner = arena.frame();
        CHECK(inner.take<float>(1).empty());
    }
    CHECK(arena.stats().failedTakes == 3);

    Arena<4096> other;
    auto f = other.frame();
    const std::size_t huge = std::numeric_limits<std::size_t>::max() / sizeof(double) + 2;  // n * 8 overflows
    CHECK(f.take<double>(huge).empty());
    CHECK(f.take<std::uint64_t>(std::numeric_limits<std::size_t>::max()).empty());
    CHECK(f.buffer<float>(std::numeric_limits<std::size_t>::max() / 2, 4).empty());
    CHECK(f.buffer<double>(2, std::numeric_limits<std::size_t>::max() / 4).empty());
    CHECK(other.stats().failedTakes == 4);
    CHECK(other.stats().used == 0);
    // Zero is no request: empty, not a failure.
    CHECK(f.take<float>(0).empty());
    CHECK(f.buffer<float>(0, 16).empty());
    CHECK(f.buffer<float>(2, 0).empty());
    CHECK(other.stats().failedTakes == 4);
    CHECK(f.take<float>(1024).size() == 1024);  // still usable after the refusals
    CHECK(defaults.counting.allocations == 0);
}

TEST_CASE("arena: buffers are views of aligned, writable, disjoint channels in the arena") {
    Arena<65536> arena;
    auto frame = arena.frame();
    const audiopool::View<float> a = frame.buffer<float>(3, 100);
    const audiopool::View<double> b = frame.buffer<double>(2, 33);
    REQUIRE(a.numChannels() == 3);
    REQUIRE(a.numFrames() == 100);
    REQUIRE(b.numChannels() == 2);
    REQUIRE(b.numFrames() == 33);
    Ranges ranges;
    for (std::size_t c = 0; c < 3; ++c) {
        CHECK(address(a.channelPointer(c)) % 64 == 0);
        ranges.add(a.channel(c));
        for (std::size_t i = 0; i < 100; ++i) a.channel(c)[i] = float(c * 1000 + i);
    }
    for (std::size_t c = 0; c < 2; ++c) {
        CHECK(address(b.channelPointer(c)) % 64 == 0);
        ranges.add(b.channel(c));
        b.channel(c)[0] = -1.0;
    }
    CHECK(ranges.disjoint());
    CHECK(ranges.inside(&arena, sizeof(arena)));
    for (std::size_t c = 0; c < 3; ++c)
        for (std::size_t i = 0; i < 100; ++i) CHECK(a.channel(c)[i] == float(c * 1000 + i));
    b.clear();
    CHECK(b.channel(1)[0] == 0.0);
    // The pointer tables are in the arena too: per buffer one line before
    // its channels (3 x 448 bytes of float, 2 x 320 of double).
    CHECK(address(a.channelPointer(0)) - address(&arena) >= 64);
    CHECK(address(b.channelPointer(0)) - (address(a.channelPointer(2)) + 448) == 64);
    CHECK(arena.stats().used == 64 + 3 * 448 + 64 + 2 * 320);  // every channel padded to whole lines
}

TEST_CASE("arena: the high-water mark keeps the peak across frames") {
    Arena<32768> arena;
    {
        auto frame = arena.frame();
        (void)frame.take<float>(1000);  // 4000 bytes
        {
            auto inner = arena.frame();
            (void)inner.take<float>(2000);  // from 4032: to 12032
        }
    }
    CHECK(arena.stats().highWater == 4032 + 8000);
    CHECK(arena.stats().used == 0);
    {
        auto frame = arena.frame();
        (void)frame.take<float>(10);
    }
    CHECK(arena.stats().highWater == 4032 + 8000);
    // An arena of the high-water size runs the same callback.
    Arena<4032 + 8000> sized;
    auto frame = sized.frame();
    CHECK(frame.take<float>(1000).size() == 1000);
    auto inner = sized.frame();
    CHECK(inner.take<float>(2000).size() == 2000);
    CHECK(sized.stats().failedTakes == 0);
    CHECK(arena.stats().capacity == 32768);
}

TEST_CASE("arena: a dynamic arena is prepared from a resource, refuses bad input and releases its memory") {
    CountingResource resource;
    Arena<dynamic> arena;
    CHECK(arena.stats().capacity == 0);
    {
        auto frame = arena.frame();  // unprepared: nothing to take
        CHECK(frame.take<float>(1).empty());
        CHECK(arena.stats().failedTakes == 1);
    }
    CHECK_FALSE(arena.prepare(1000, nullptr));
    CHECK_FALSE(arena.prepare(0, &resource));
    CHECK_FALSE(arena.prepare(std::numeric_limits<std::size_t>::max(), &resource));
    CHECK(resource.allocations == 0);
    resource.throws = true;
    CHECK_FALSE(arena.prepare(1000, &resource));
    resource.throws = false;
    if (nullResultChecked) {
        resource.returnsNull = true;
        CHECK_FALSE(arena.prepare(1000, &resource));
        resource.returnsNull = false;
    }
    CHECK(arena.stats().capacity == 0);
    CHECK(resource.bytesOut == 0);

    REQUIRE(arena.prepare(10000, &resource));
    CHECK(arena.stats().capacity == 10000);
    CHECK(arena.stats().failedTakes == 0);  // a new block: statistics start over
    const std::size_t allocations = resource.allocations;
    CHECK(resource.bytesOut >= 10000);
    {
        auto frame = arena.frame();
        const std::span<float> all = frame.take<float>(2500);
        REQUIRE(all.size() == 2500);
        CHECK(address(all.data()) % 64 == 0);
        CHECK(std::all_of(all.begin(), all.end(), [](float x) { return x == 0.0f; }));  // zeroed by prepare
        CHECK(frame.take<char>(1).empty());
        // Refused while a frame is open; nothing changes.
        CHECK_FALSE(arena.prepare(20000, &resource));
        CHECK_FALSE(arena.releaseMemory());
        CHECK(arena.stats().capacity == 10000);
        CHECK(resource.allocations == allocations);
    }
    CHECK(arena.stats().failedTakes == 1);
    // The same size and resource keep the block and the statistics.
    CHECK(arena.prepare(10000, &resource));
    CHECK(resource.allocations == allocations);
    CHECK(arena.stats().failedTakes == 1);
    CHECK(arena.stats().highWater == 10000);
    // Another size: a new block, the old one given back.
    REQUIRE(arena.prepare(50000, &resource));
    CHECK(resource.allocations == allocations + 1);
    CHECK(resource.deallocations == 1);
    CHECK(arena.stats().capacity == 50000);
    CHECK(arena.stats().highWater == 0);
    {
        auto frame = arena.frame();
        CHECK(frame.take<float>(12500).size() == 12500);
    }
    // A failing resource leaves the current block in place.
    resource.throws = true;
    CHECK_FALSE(arena.prepare(70000, &resource));
    resource.throws = false;
    CHECK(arena.stats().capacity == 50000);
    {
        auto frame = arena.frame();
        CHECK(frame.take<float>(12500).size() == 12500);
    }
    CHECK(arena.releaseMemory());
    CHECK(resource.bytesOut == 0);
    // The two that threw and the null one gave nothing back.
    CHECK(resource.deallocations == resource.allocations - (nullResultChecked ? 3 : 2));
    CHECK(arena.stats().capacity == 0);
    auto frame = arena.frame();
    CHECK(frame.take<float>(1).empty());
}

TEST_CASE("arena: exhaustion of a dynamic arena never reaches its resource") {
    CountingResource resource;
    Arena<dynamic> arena;
    REQUIRE(arena.prepare(4096, &resource));
    const std::size_t allocations = resource.allocations;
    auto frame = arena.frame();
    for (int i = 0; i < 100; ++i) (void)frame.take<float>(100);
    (void)frame.buffer<float>(8, 512);
    CHECK(arena.stats().failedTakes > 0);
    CHECK(arena.stats().used <= 4096);
    CHECK(resource.allocations == allocations);
}

TEST_CASE("arena: a pmr vector grows in the innermost frame and gets bad_alloc at exhaustion") {
    CountDefaultResource defaults;
    Arena<8192> arena;
    {
        auto frame = arena.frame();
        std::pmr::vector<float> values(&arena.resource());
        for (int i = 0; i < 500; ++i) values.push_back(float(i));
        CHECK(values.size() == 500);
        CHECK(address(values.data()) % 64 == 0);
        CHECK(address(values.data()) >= address(&arena));
        CHECK(address(values.data()) + 500 * sizeof(float) <= address(&arena) + sizeof(arena));
        for (int i = 0; i < 500; ++i) CHECK(values[static_cast<std::size_t>(i)] == float(i));
        const std::size_t used = arena.stats().used;
        CHECK(used >= 500 * sizeof(float));
        CHECK(arena.resource() == arena.resource());  // the same resource each time
        CHECK_THROWS_AS(values.resize(4000), std::bad_alloc);
        CHECK(values.size() == 500);  // the strong guarantee: the vector is as it was
        CHECK(arena.stats().failedTakes == 1);
        {
            auto inner = arena.frame();
            std::pmr::vector<int> scratch(100, 7, &arena.resource());
            CHECK(arena.stats().used > used);
        }
        CHECK(arena.stats().used == used);  // the inner frame took back the resource's memory too
    }
    CHECK(arena.stats().used == 0);
    // Outside any frame the resource refuses.
    CHECK_THROWS_AS((void)arena.resource().allocate(16, 16), std::bad_alloc);
    CHECK(arena.stats().failedTakes == 2);
    CHECK(defaults.counting.allocations == 0);
}

TEST_CASE("arena: prefault keeps the contents and the statistics") {
    Arena<20000> arena;
    {
        auto frame = arena.frame();
        const std::span<int> values = frame.take<int>(100);
        std::iota(values.begin(), values.end(), 0);
        const audiopool::ArenaStats before = arena.stats();
        arena.prefault();
        CHECK(arena.stats() == before);
        for (int i = 0; i < 100; ++i) CHECK(values[static_cast<std::size_t>(i)] == i);
    }
    Arena<dynamic> prepared;
    prepared.prefault();  // nothing to touch yet
    REQUIRE(prepared.prepare(20000));
    prepared.prefault();
    CHECK(prepared.stats().capacity == 20000);
}

#ifndef NDEBUG  // AUDIOPOOL_CHECK_THREADS follows it by default
TEST_CASE("arena: checked builds report a second thread while a frame is open") {
    RecordMisuses recording;
    Arena<4096> arena;
    {
        auto frame = arena.frame();
        std::thread other([&] { (void)frame.take<float>(4); });
        other.join();
        REQUIRE(reports().size() == 1);
        CHECK(reports()[0].kind == audiopool::Misuse::WrongThread);
        CHECK(arena.stats().misuses == 1);
    }
    // No frame open: another thread may take the arena over.
    std::thread next([&] {
        auto frame = arena.frame();
        (void)frame.take<float>(4);
    });
    next.join();
    CHECK(reports().size() == 1);
}
#endif

#if !defined(NDEBUG) && !defined(ARENA_TEST_ASAN)  // AUDIOPOOL_FILL_RELEASED's default
TEST_CASE("arena: debug builds fill what a frame took with NaNs when it ends") {
    Arena<4096> arena;
    float* stale = nullptr;
    {
        auto frame = arena.frame();
        const std::span<float> values = frame.take<float>(64);
        std::fill(values.begin(), values.end(), 1.0f);
        stale = values.data();
    }
    // Reading through a span kept past its frame (ASan builds report this
    // read instead): every value is NaN, not plausible stale audio.
    CHECK(std::all_of(stale, stale + 64, [](float x) { return x != x; }));
    auto next = arena.frame();
    const std::span<float> reused = next.take<float>(64);
    REQUIRE(reused.data() == stale);
}

TEST_CASE("arena: the fill is NaN as double too, and a frame opened at an odd offset is filled from its first take") {
    Arena<4096> arena;
    auto outer = arena.frame();
    const std::span<char> three = outer.take<char>(3);  // the next frame opens at offset 3
    std::fill(three.begin(), three.end(), 'x');
    double* stale = nullptr;
    {
        auto frame = arena.frame();
        const std::span<double> values = frame.take<double>(9);
        std::fill(values.begin(), values.end(), 1.0);
        stale = values.data();
    }
    CHECK(std::all_of(stale, stale + 9, [](double x) { return x != x; }));
    CHECK(std::all_of(three.begin(), three.end(), [](char c) { return c == 'x'; }));  // the outer frame's: kept
}
#endif

#ifdef ARENA_TEST_ASAN
TEST_CASE("arena: ASan poisons every byte a frame took when it ends, small takes included") {
    Arena<4096> arena;
    for (const std::size_t count : {1U, 3U, 7U, 13U, 64U}) {
        const char* stale = nullptr;
        {
            auto frame = arena.frame();
            const std::span<char> taken = frame.take<char>(count);
            REQUIRE(taken.size() == count);
            CHECK_FALSE(__asan_region_is_poisoned(taken.data(), count));
            stale = taken.data();
        }
        for (std::size_t b = 0; b < count; ++b) CHECK(__asan_address_is_poisoned(stale + b));
    }
}
#endif

TEST_CASE("arena: arenaBytes and arenaBufferBytes size an arena that a callback never exhausts") {
    const std::array<std::size_t, 6> counts{1, 15, 16, 17, 1000, 4097};
    std::size_t total = audiopool::arenaBufferBytes<float>(2, 100) + audiopool::arenaBufferBytes<double>(3, 7) +
                        audiopool::arenaBytes<Wide>(2);
    for (const std::size_t count : counts)
        total += audiopool::arenaBytes<float>(count) + audiopool::arenaBytes<char>(count);
    CHECK(audiopool::arenaBytes<float>(16) == 64);
    CHECK(audiopool::arenaBytes<float>(17) == 128);
    CHECK(audiopool::arenaBufferBytes<float>(2, 100) == 64 + 2 * 448);
    CHECK(audiopool::arenaBytes<double>(std::numeric_limits<std::size_t>::max() / 4) ==
          std::numeric_limits<std::size_t>::max());
    CHECK(audiopool::arenaBufferBytes<float>(std::numeric_limits<std::size_t>::max() / 8, 1000) ==
          std::numeric_limits<std::size_t>::max());

    Arena<dynamic> arena;
    REQUIRE(arena.prepare(total));
    auto frame = arena.frame();
    CHECK(frame.buffer<float>(2, 100).numChannels() == 2);
    for (const std::size_t count : counts) {
        CHECK(frame.take<float>(count).size() == count);
        CHECK(frame.take<char>(count).size() == count);
    }
    CHECK(frame.buffer<double>(3, 7).numChannels() == 3);
    CHECK(frame.take<Wide>(2).size() == 2);
    CHECK(arena.stats().failedTakes == 0);
    CHECK(arena.stats().used <= total);
}
