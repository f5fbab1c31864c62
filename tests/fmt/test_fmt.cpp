// The {fmt} formatters: Stats as one line, a pool as a one-line description.
#include "../test_prelude.hpp"

#include <fmt/format.h>
#include <string>
#ifdef AUDIOPOOL_IMPORT
import audiopool.fmt;
#else
#include <audiopool/fmt.hpp>
#endif

namespace {

/// A user policy the library knows nothing about (Treiber's free list under another name).
struct UnnamedPolicy {
    template <std::size_t Capacity>
    using FreeList = audiopool::Treiber::FreeList<Capacity>;
};
struct NamedPolicy {
    template <std::size_t Capacity>
    using FreeList = audiopool::IndexStack::FreeList<Capacity>;
};

/// Every built-in policy names itself (a new one without a name fails here).
template <class Policy>
constexpr std::string_view expectedName() {
    static_assert(!Policy::name.empty(), "a built-in policy states its name");
    return Policy::name;
}

} // namespace

template <>
struct audiopool::PolicyName<NamedPolicy> {
    static constexpr std::string_view value = "MyStack";
};

TEST_CASE("Stats format as one line naming every field") {
    audiopool::Stats s;
    s.capacity = 16;
    s.inUse = 3;
    s.highWater = 9;
    s.acquisitions = 1200;
    s.releases = 1197;
    s.failedAcquisitions = 4;
    s.rejectedRequests = 5;
    s.misuses = 6;
    CHECK(fmt::format("{}", s) ==
          "inUse 3/16, highWater 9, acquisitions 1200, releases 1197, failed 4, rejected 5, misuses 6");
    s.cached = 2;  // only when thread caches hold buffers
    CHECK(fmt::format("{}", s) ==
          "inUse 3/16, highWater 9, acquisitions 1200, releases 1197, failed 4, rejected 5, misuses 6, cached 2");
}

TEST_CASE_TEMPLATE("a live pool's statistics and description format", Policy, AUDIOPOOL_ALL_POLICIES) {
    using P = audiopool::Pool<float, 2, 512, 8, Policy>;
    auto pool = test::makePool<P>();
    {
        auto a = pool->acquire();
        auto b = pool->acquire(1, 64);
        auto tooBig = pool->acquire(3, 64);
        CHECK(fmt::format("{}", pool->stats()) ==
              "inUse 2/8, highWater 2, acquisitions 2, releases 0, failed 0, rejected 1, misuses 0");
    }
    CHECK(fmt::format("{}", pool->stats()) ==
          "inUse 0/8, highWater 2, acquisitions 2, releases 2, failed 0, rejected 1, misuses 0");

    const std::string expected =
        fmt::format("Pool<float> 2 ch x 512 frames x 8 buffers, {} ({}), 4096 bytes per buffer, {} bytes in all",
                    expectedName<Policy>(), audiopool::describe(Policy::template FreeList<8>::progress), sizeof(P));
    CHECK(fmt::format("{}", *pool) == expected);
}

TEST_CASE_TEMPLATE("a prepared pool is described with the sizes prepare gave it", Policy, AUDIOPOOL_ALL_POLICIES) {
    using P = audiopool::Pool<float, audiopool::dynamic, audiopool::dynamic, audiopool::dynamic, Policy>;
    auto pool = test::makePool<P>();
    const auto progress = audiopool::describe(P::progress);
    CHECK(fmt::format("{}", *pool) ==
          fmt::format("Pool<float> not prepared (dynamic sizes), {} ({})", expectedName<Policy>(), progress));
    REQUIRE(pool->prepare({2, 512, 8}));
    CHECK(fmt::format("{}", *pool) == fmt::format("Pool<float> prepared 2 ch x 512 frames x 8 buffers, {} ({}), "
                                                  "4096 bytes per buffer",
                                                  expectedName<Policy>(), progress));
}

TEST_CASE("a double pool and user policies are described") {
    auto doubles = test::makePool<audiopool::Pool<double, 1, 100, 3, audiopool::IndexStack>>();
    // 100 doubles padded to 13 cache lines of 8.
    CHECK(fmt::format("{}", *doubles) ==
          fmt::format("Pool<double> 1 ch x 100 frames x 3 buffers, IndexStack (wait-free), 832 bytes per buffer, "
                      "{} bytes in all",
                      sizeof(*doubles)));

    auto unnamed = test::makePool<audiopool::Pool<float, 1, 16, 2, UnnamedPolicy>>();
    CHECK(fmt::format("{}", *unnamed).find(", custom (lock-free), ") != std::string::npos);
    auto named = test::makePool<audiopool::Pool<float, 1, 16, 2, NamedPolicy>>();
    CHECK(fmt::format("{}", *named).find(", MyStack (wait-free), ") != std::string::npos);
    // A policy's test variants (other hooks, lane counts) keep its name.
    auto ringOnly = test::makePool<audiopool::Pool<float, 1, 16, 2, audiopool::BasicOwnerThread<0>>>();
    CHECK(fmt::format("{}", *ringOnly).find(", OwnerThread (") != std::string::npos);
}

TEST_CASE("a format specification other than {} is an error") {
    const audiopool::Stats s;
    CHECK_THROWS_AS((void)fmt::format(fmt::runtime("{:>40}"), s), fmt::format_error);
    auto pool = test::makePool<audiopool::Pool<float, 1, 16, 2>>();
    CHECK_THROWS_AS((void)fmt::format(fmt::runtime("{:x}"), *pool), fmt::format_error);
    CHECK(fmt::format(fmt::runtime("[{}]"), s).front() == '[');
}
