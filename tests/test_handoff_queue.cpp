// HandoffQueue: order, refusal when full, the values' lifetimes, statistics,
// pool handles carried from one thread to another, values used in place
// (front/pop), and dynamic capacity sized by prepare().
#include "test_prelude.hpp"
#include <memory_resource>
#include <new>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif
#include "support/policy_lists.hpp"

namespace {

/// Counts the live objects of its type, to see each constructed value
/// destroyed exactly once. No default constructor: the queue must not need one.
struct Counted {
    static inline std::atomic<int> live{0};
    explicit Counted(int v) noexcept : value(v) { live.fetch_add(1, std::memory_order_relaxed); }
    Counted(const Counted& other) noexcept : value(other.value) { live.fetch_add(1, std::memory_order_relaxed); }
    Counted(Counted&& other) noexcept : value(std::exchange(other.value, -1)) {
        live.fetch_add(1, std::memory_order_relaxed);
    }
    Counted& operator=(const Counted&) = delete;
    Counted& operator=(Counted&&) = delete;
    ~Counted() { live.fetch_sub(1, std::memory_order_relaxed); }
    int value;
};

/// Misuse reports seen since the last reset (the handler may run on any thread).
std::atomic<int> wrongThreadReports{0};
void countWrongThread(const audiopool::MisuseReport& report) noexcept {
    if (report.kind == audiopool::Misuse::WrongThread) wrongThreadReports.fetch_add(1, std::memory_order_relaxed);
}

#ifdef NDEBUG
constexpr bool checkedBuild = false;  // AUDIOPOOL_CHECK_THREADS defaults to 0
#else
constexpr bool checkedBuild = true;
#endif

/// What a pop gives, as a number: the int a std::unique_ptr points to, a
/// Counted's value; -1 for nothing (an empty queue, or a null pointer).
template <class Queue>
int popped(Queue& queue) {
    auto v = queue.try_pop();
    if (!v) return -1;
    if constexpr (std::is_same_v<typename Queue::value_type, Counted>) return v->value;
    else return *v ? **v : -1;
}

// A queue needs no start-up code: it can be constinit.
constinit audiopool::HandoffQueue<int, 4> staticQueue;

} // namespace

TEST_CASE("HandoffQueueStartsEmpty") {
    audiopool::HandoffQueue<int, 5> queue;
    CHECK(queue.empty());
    CHECK(queue.size() == 0);
    CHECK_FALSE(queue.try_pop().has_value());
    const audiopool::HandoffStats s = queue.stats();
    CHECK(s.capacity == 5);
    CHECK(s.size == 0);
    CHECK(s.highWater == 0);
    CHECK(s.pushes == 0);
    CHECK(s.pops == 0);
    CHECK(s.failedPushes == 0);
    CHECK(s.misuses == 0);
    static_assert(audiopool::HandoffQueue<int, 5>::capacity == 5);
    static_assert(audiopool::HandoffQueue<int, 5>::progress == audiopool::Progress::WaitFree);
}

TEST_CASE("HandoffQueuePopsInPushOrderOverManyLaps") {
    // Capacity 3 is not a power of two: positions wrap by division.
    audiopool::HandoffQueue<int, 3> queue;
    int next = 0;
    int expected = 0;
    for (int round = 0; round < 50; ++round) {
        const int burst = 1 + round % 3;
        for (int i = 0; i < burst; ++i) REQUIRE(queue.try_push(next++));
        CHECK(queue.size() == static_cast<std::size_t>(burst));
        for (int i = 0; i < burst; ++i) {
            const std::optional<int> v = queue.try_pop();
            CHECK(v == std::optional<int>(expected++));
        }
        CHECK(queue.empty());
    }
    CHECK(queue.stats().pushes == static_cast<std::uint64_t>(next));
    CHECK(queue.stats().pops == static_cast<std::uint64_t>(next));
}

TEST_CASE("HandoffQueueFullRefusesAndLeavesTheValueWithTheCaller") {
    audiopool::HandoffQueue<std::unique_ptr<int>, 2> queue;
    REQUIRE(queue.try_push(std::make_unique<int>(1)));
    REQUIRE(queue.try_push(std::make_unique<int>(2)));
    auto third = std::make_unique<int>(3);
    CHECK_FALSE(queue.try_push(std::move(third)));
    REQUIRE(third != nullptr);  // not moved from: the caller still owns it
    CHECK(*third == 3);
    CHECK(queue.stats().failedPushes == 1);
    CHECK(queue.size() == 2);
    // A slot freed by a pop takes the refused value.
    CHECK(popped(queue) == 1);
    CHECK(queue.try_push(std::move(third)));
    CHECK(third == nullptr);
    CHECK(popped(queue) == 2);
    CHECK(popped(queue) == 3);
    CHECK(queue.stats().failedPushes == 1);
}

TEST_CASE("HandoffQueueRefusedEmplaceConstructsNothing") {
    audiopool::HandoffQueue<Counted, 1> queue;
    REQUIRE(queue.try_emplace(1));
    const int before = Counted::live.load();
    CHECK_FALSE(queue.try_emplace(2));
    CHECK(Counted::live.load() == before);
    CHECK(popped(queue) == 1);
}

TEST_CASE("HandoffQueueDestroysEachValueOnce") {
    Counted::live.store(0);
    {
        audiopool::HandoffQueue<Counted, 4> queue;
        CHECK(Counted::live.load() == 0);  // empty slots hold no object
        REQUIRE(queue.try_emplace(1));
        const Counted two(2);
        REQUIRE(queue.try_push(two));  // a copy
        REQUIRE(queue.try_push(Counted(3)));
        CHECK(Counted::live.load() == 4);  // three queued and `two`
        {
            std::optional<Counted> first = queue.try_pop();
            CHECK((first.has_value() && first->value == 1));
            CHECK(Counted::live.load() == 4);  // the popped value lives on in `first`, its slot holds nothing
        }
        CHECK(Counted::live.load() == 3);
        CHECK(popped(queue) == 2);
        CHECK(Counted::live.load() == 2);
        // Value 3 stays queued: the queue's destructor destroys it.
    }
    CHECK(Counted::live.load() == 0);
}

TEST_CASE("HandoffQueueHighWaterIsTheMostEverWaiting") {
    audiopool::HandoffQueue<int, 8> queue;
    for (int i = 0; i < 5; ++i) REQUIRE(queue.try_push(i));
    for (int i = 0; i < 4; ++i) REQUIRE(queue.try_pop());
    for (int i = 0; i < 3; ++i) REQUIRE(queue.try_push(i));  // 4 waiting: below the peak
    const audiopool::HandoffStats s = queue.stats();
    CHECK(s.highWater == 5);
    CHECK(s.size == 4);
    CHECK(s.pushes == 8);
    CHECK(s.pops == 4);
    for (int i = 0; i < 4; ++i) REQUIRE(queue.try_push(i));  // 8: full
    CHECK(queue.stats().highWater == 8);
}

TEST_CASE("HandoffQueueInStaticStorage") {
    REQUIRE(staticQueue.try_push(7));
    CHECK(staticQueue.try_pop() == std::optional<int>(7));
    CHECK(staticQueue.empty());
}

TEST_CASE_TEMPLATE_DEFINE("HandoffQueueCarriesPoolHandlesBetweenThreads", Policy, handoffCrossThread) {
    constexpr std::size_t capacity = 8;
    using Pool = audiopool::Pool<float, 2, 64, capacity, Policy>;
    auto pool = test::makePool<Pool>();
    {
        // As many slots as buffers: a push never finds the queue full.
        audiopool::HandoffQueue<typename Pool::Unique, capacity> toWorker;
        constexpr int blocks = 3000;
        std::atomic<bool> corrupt{false};
        std::atomic<int> received{0};
        std::thread worker([&] {
            int expected = 0;
            while (expected < blocks) {
                if (auto buffer = toWorker.try_pop()) {
                    // FIFO, and each buffer holds the block number it was stamped with.
                    for (std::size_t c = 0; c < 2; ++c)
                        for (float s : buffer->channel(c))
                            if (s != static_cast<float>(expected) + static_cast<float>(c))
                                corrupt.store(true, std::memory_order_relaxed);
                    ++expected;
                    received.fetch_add(1, std::memory_order_relaxed);
                } else {
                    std::this_thread::yield();
                }
            }  // each buffer goes back to the pool here, from the worker
        });
        int sent = 0;
        while (sent < blocks) {
            auto buffer = pool->acquire(2, 64);
            if (!buffer) {  // the worker holds them all: wait for one to come back
                std::this_thread::yield();
                continue;
            }
            for (std::size_t c = 0; c < 2; ++c)
                for (float& s : buffer.channel(c)) s = static_cast<float>(sent) + static_cast<float>(c);
            // Never full (as many slots as buffers); if it were, the
            // refusal is counted and checked below, and the push retried.
            // NOLINTNEXTLINE(bugprone-use-after-move): a refused push leaves `buffer` as it was
            while (!toWorker.try_push(std::move(buffer))) std::this_thread::yield();
            ++sent;
        }
        worker.join();
        CHECK_FALSE(corrupt.load());
        CHECK(received.load() == blocks);
        CHECK(toWorker.stats().failedPushes == 0);
        CHECK(toWorker.stats().highWater <= capacity);
    }
    const audiopool::Stats s = pool->stats();
    CHECK(s.inUse == 0);
    CHECK(s.releases == s.acquisitions);
}
TEST_CASE_TEMPLATE_APPLY(handoffCrossThread, test::PoliciesWhere<test::CrossThread>);

TEST_CASE("HandoffQueueDestroyedWithHandlesGivesThemBack") {
    using Pool = audiopool::Pool<float, 1, 32, 4, audiopool::Treiber>;
    auto pool = test::makePool<Pool>();
    {
        audiopool::HandoffQueue<Pool::Unique, 4> queue;
        REQUIRE(queue.try_push(pool->acquire()));
        REQUIRE(queue.try_push(pool->acquire()));
        CHECK(pool->stats().inUse == 2);
    }
    CHECK(pool->stats().inUse == 0);
}

TEST_CASE("HandoffQueueSecondProducerIsReportedInCheckedBuilds") {
    wrongThreadReports.store(0);
    const audiopool::MisuseHandler previous = audiopool::setMisuseHandler(&countWrongThread);
    audiopool::HandoffQueue<int, 4> queue;
    REQUIRE(queue.try_push(1));  // binds this thread as the producer
    // Another thread pushes while a value waits: the rule is broken.
    std::thread([&] { CHECK(queue.try_push(2)); }).join();
    const int expectedReports = checkedBuild ? 1 : 0;
    CHECK(wrongThreadReports.load() == expectedReports);
    CHECK(queue.stats().misuses == static_cast<std::uint64_t>(expectedReports));
    // The push still went ahead: nothing is lost.
    CHECK(queue.try_pop() == std::optional<int>(1));
    CHECK(queue.try_pop() == std::optional<int>(2));
    // Empty now: another thread may take the producer's side without a report.
    std::thread([&] { CHECK(queue.try_push(3)); }).join();
    CHECK(wrongThreadReports.load() == expectedReports);
    // rebindThreads hands both sides over although a value waits.
    queue.rebindThreads();
    std::thread([&] {
        CHECK(queue.try_push(4));
        CHECK(queue.try_pop() == std::optional<int>(3));
    }).join();
    CHECK(wrongThreadReports.load() == expectedReports);
    audiopool::setMisuseHandler(previous);
}

/// A value that can neither move nor be copied: used in place (front/pop).
struct Pinned {
    explicit Pinned(int v) noexcept : value(v) { Counted::live.fetch_add(1, std::memory_order_relaxed); }
    Pinned(const Pinned&) = delete;
    Pinned& operator=(const Pinned&) = delete;
    Pinned(Pinned&&) = delete;
    Pinned& operator=(Pinned&&) = delete;
    ~Pinned() { Counted::live.fetch_sub(1, std::memory_order_relaxed); }
    int value;
};

TEST_CASE("HandoffQueueFrontAndPopUseValuesInPlace") {
    Counted::live.store(0);
    {
        audiopool::HandoffQueue<Pinned, 3> queue;
        CHECK(queue.front() == nullptr);
        queue.pop();  // nothing found: does nothing
        CHECK(queue.stats().pops == 0);
        for (int lap = 0; lap < 5; ++lap) {
            REQUIRE(queue.try_emplace(3 * lap));
            REQUIRE(queue.try_emplace(3 * lap + 1));
            REQUIRE(queue.try_emplace(3 * lap + 2));
            CHECK_FALSE(queue.try_emplace(-1));
            CHECK(Counted::live.load() == 3);
            for (int i = 0; i < 3; ++i) {
                Pinned* front = queue.front();
                REQUIRE(front != nullptr);
                CHECK(front->value == 3 * lap + i);
                CHECK(queue.front() == front);  // the same value until pop()
                queue.pop();
                CHECK(Counted::live.load() == 2 - i);
            }
            CHECK(queue.front() == nullptr);
        }
        REQUIRE(queue.try_emplace(99));  // left queued: the destructor destroys it
        const audiopool::HandoffStats s = queue.stats();
        CHECK(s.pushes == 16);
        CHECK(s.pops == 15);
        CHECK(s.failedPushes == 5);
    }
    CHECK(Counted::live.load() == 0);
}

namespace {

/// A memory resource that counts what it gives and takes back, and can be
/// told to refuse (throw).
class CountingResource : public std::pmr::memory_resource {
public:
    std::size_t allocations = 0, deallocations = 0, bytesOut = 0;
    bool refuse = false;

private:
    void* do_allocate(std::size_t bytes, std::size_t alignment) override {
        if (refuse) throw std::bad_alloc();
        ++allocations;
        bytesOut += bytes;
        return std::pmr::new_delete_resource()->allocate(bytes, alignment);
    }
    void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
        ++deallocations;
        bytesOut -= bytes;
        std::pmr::new_delete_resource()->deallocate(p, bytes, alignment);
    }
    bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }
};

} // namespace

TEST_CASE("HandoffQueueWithDynamicCapacityIsSizedByPrepare") {
    using Queue = audiopool::HandoffQueue<Counted, audiopool::dynamic>;
    static_assert(Queue::dynamicCapacity && !audiopool::HandoffQueue<int, 4>::dynamicCapacity);
    Counted::live.store(0);
    CountingResource resource;
    {
        Queue queue;
        // Unprepared: holds nothing; a push is refused, counted, and leaves the value.
        CHECK(queue.stats().capacity == 0);
        Counted keep(1);
        CHECK_FALSE(queue.try_push(std::move(keep)));
        CHECK(keep.value == 1);  // NOLINT(bugprone-use-after-move): a refused push leaves the value with the caller
        CHECK(queue.stats().failedPushes == 1);
        CHECK_FALSE(queue.try_pop().has_value());

        // Refusals change nothing.
        CHECK_FALSE(queue.prepare(0, &resource));
        CHECK_FALSE(queue.prepare(5, nullptr));
        CHECK_FALSE(queue.prepare(Queue::maxCapacity + 1, &resource));
        resource.refuse = true;
        CHECK_FALSE(queue.prepare(5, &resource));
        resource.refuse = false;
        CHECK(resource.allocations == 0);
        CHECK(queue.stats().capacity == 0);

        // Capacity 5 (8 slots): exactly five values fit, in order, over many laps.
        REQUIRE(queue.prepare(5, &resource));
        CHECK(resource.allocations == 1);
        CHECK(queue.stats().capacity == 5);
        CHECK(queue.stats().failedPushes == 0);  // statistics start over with the new block
        int next = 0, expected = 0;
        for (int lap = 0; lap < 7; ++lap) {
            while (queue.try_emplace(next)) ++next;
            CHECK(queue.size() == 5);
            for (int i = 0; i < 3; ++i) CHECK(popped(queue) == expected++);
        }
        CHECK(queue.stats().highWater == 5);
        // Values waiting: no re-size, no release.
        CHECK_FALSE(queue.prepare(9, &resource));
        CHECK_FALSE(queue.releaseMemory());
        CHECK(queue.stats().capacity == 5);
        while (popped(queue) >= 0) {}
        CHECK(Counted::live.load() == 1);  // `keep` only

        // The same capacity and resource: nothing allocated, statistics kept.
        const std::uint64_t pushes = queue.stats().pushes;
        REQUIRE(queue.prepare(5, &resource));
        CHECK(resource.allocations == 1);
        CHECK(queue.stats().pushes == pushes);
        // Another capacity: a new block, the old one given back.
        REQUIRE(queue.prepare(2, &resource));
        CHECK(resource.allocations == 2);
        CHECK(resource.deallocations == 1);
        REQUIRE(queue.try_emplace(10));
        REQUIRE(queue.try_emplace(11));
        CHECK_FALSE(queue.try_emplace(12));
        CHECK(popped(queue) == 10);
        // Left queued: the destructor destroys it and gives the block back.
        REQUIRE(queue.try_emplace(13));
        CHECK(Counted::live.load() == 3);
    }
    CHECK(Counted::live.load() == 0);
    CHECK(resource.deallocations == 2);
    CHECK(resource.bytesOut == 0);

    Queue released;
    REQUIRE(released.prepare(3, &resource));
    REQUIRE(released.releaseMemory());
    CHECK(resource.bytesOut == 0);
    CHECK(released.stats().capacity == 0);
    CHECK_FALSE(released.try_emplace(1));
}
