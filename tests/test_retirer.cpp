// Retirer: objects retired on one thread are destroyed only by collect(),
// once each, oldest first, on the collecting thread; a full retirer refuses
// and leaves the object with the caller; retire never waits for a collect;
// a collect always ends; statistics; pool handles; one collect at a time,
// successive collects on different threads; a second retiring thread
// reported in checked builds; dynamic capacity; PeriodicCollector.
#include "test_prelude.hpp"
#include <chrono>
#include <memory_resource>
#include <mutex>
#include <new>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

namespace {

/// Records its destruction (its id and the destroying thread) in a log, to
/// see each retired object destroyed exactly once, in retire order, and on
/// the collecting thread. A moved-from Tracked records nothing.
struct Tracked {
    struct Destruction {
        int id;
        std::thread::id thread;
    };
    static inline std::mutex mutex;
    static inline std::vector<Destruction> log;  // guarded by mutex
    static void resetLog() {
        const std::lock_guard<std::mutex> lock(mutex);
        log.clear();
    }
    static std::vector<Destruction> takeLog() {
        const std::lock_guard<std::mutex> lock(mutex);
        return std::exchange(log, {});
    }
    static std::vector<int> destroyedIds() {
        const std::lock_guard<std::mutex> lock(mutex);
        std::vector<int> ids;
        for (const Destruction& d : log) ids.push_back(d.id);
        return ids;
    }

    explicit Tracked(int i) noexcept : id(i) {}
    Tracked(Tracked&& other) noexcept : id(std::exchange(other.id, -1)) {}
    Tracked(const Tracked&) = delete;
    Tracked& operator=(const Tracked&) = delete;
    Tracked& operator=(Tracked&&) = delete;
    ~Tracked() {
        if (id < 0) return;
        const std::lock_guard<std::mutex> lock(mutex);
        log.push_back({id, std::this_thread::get_id()});
    }
    int id;
};

using SmallRetirer = audiopool::Retirer<4>;

#ifdef NDEBUG
constexpr bool checkedBuild = false;  // AUDIOPOOL_CHECK_THREADS defaults to 0
#else
constexpr bool checkedBuild = true;
#endif

std::atomic<int> wrongThreadReports{0};
void countWrongThread(const audiopool::MisuseReport& report) noexcept {
    if (report.kind == audiopool::Misuse::WrongThread) wrongThreadReports.fetch_add(1, std::memory_order_relaxed);
}

/// Counts WrongThread reports while it lives.
struct WrongThreadCounter {
    WrongThreadCounter() : previous(audiopool::setMisuseHandler(&countWrongThread)) { wrongThreadReports.store(0); }
    WrongThreadCounter(const WrongThreadCounter&) = delete;
    WrongThreadCounter& operator=(const WrongThreadCounter&) = delete;
    ~WrongThreadCounter() { audiopool::setMisuseHandler(previous); }
    audiopool::MisuseHandler previous;
};

// No start-up code: a retirer can be constinit.
constinit audiopool::Retirer<2> staticRetirer;

// What fits an entry is a compile-time fact.
static_assert(SmallRetirer::canRetire<std::unique_ptr<int>>);
static_assert(SmallRetirer::canRetire<std::unique_ptr<int, void (*)(int*)>>);  // any deleter
static_assert(SmallRetirer::canRetire<std::shared_ptr<int>>);
static_assert(SmallRetirer::canRetire<std::vector<float>>);
static_assert(SmallRetirer::canRetire<std::array<char, SmallRetirer::objectBytes>>);
static_assert(!SmallRetirer::canRetire<std::array<char, SmallRetirer::objectBytes + 1>>);
static_assert(audiopool::Retirer<4, 64>::canRetire<std::array<char, 64>>);
struct alignas(2 * alignof(std::max_align_t)) OverAligned {
    char c;
};
static_assert(!SmallRetirer::canRetire<OverAligned>);
struct ThrowingMove {
    ThrowingMove(ThrowingMove&&) noexcept(false);
    ThrowingMove(const ThrowingMove&) = delete;
    ThrowingMove& operator=(const ThrowingMove&) = delete;
    ThrowingMove& operator=(ThrowingMove&&) = delete;
    ~ThrowingMove() = default;
};
static_assert(!SmallRetirer::canRetire<ThrowingMove>);
struct ThrowingDestructor {
    ~ThrowingDestructor() noexcept(false);
};
static_assert(!SmallRetirer::canRetire<ThrowingDestructor>);
static_assert(!SmallRetirer::canRetire<const std::vector<float>>);
// retire is wait-free (the queue's push).
static_assert(SmallRetirer::progress == audiopool::Progress::WaitFree);
static_assert(audiopool::Retirer<audiopool::dynamic>::dynamicCapacity && !SmallRetirer::dynamicCapacity);

/// A memory resource that counts what it gives and takes back, and can be
/// told to refuse (throw).
class CountingResource : public std::pmr::memory_resource {
public:
    std::size_t allocations = 0, deallocations = 0;
    bool refuse = false;

private:
    void* do_allocate(std::size_t bytes, std::size_t alignment) override {
        if (refuse) throw std::bad_alloc();
        ++allocations;
        return std::pmr::new_delete_resource()->allocate(bytes, alignment);
    }
    void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
        ++deallocations;
        std::pmr::new_delete_resource()->deallocate(p, bytes, alignment);
    }
    bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }
};

} // namespace

TEST_CASE("RetiredObjectsAreDestroyedOnlyByCollectInRetireOrder") {
    SmallRetirer retirer;
    Tracked::resetLog();
    {
        Tracked a(1), b(2), c(3);
        REQUIRE(retirer.retire(std::move(a)));
        REQUIRE(retirer.retire(std::move(b)));
        REQUIRE(retirer.retire(std::move(c)));
    }
    CHECK(Tracked::destroyedIds().empty());  // the moved-from originals owned nothing
    CHECK(retirer.pending() == 3);
    CHECK(retirer.collect() == 3);
    CHECK(Tracked::destroyedIds() == std::vector<int>{1, 2, 3});
    CHECK(retirer.pending() == 0);
    CHECK(retirer.collect() == 0);  // nothing twice
    CHECK(Tracked::destroyedIds().size() == 3);

    // Around the ring: positions 3 .. 6 use slots 3, 0, 1, 2; still oldest first.
    Tracked::resetLog();
    for (int id = 10; id < 14; ++id) REQUIRE(retirer.retire(Tracked(id)));
    CHECK(retirer.collect() == 4);
    CHECK(Tracked::destroyedIds() == std::vector<int>{10, 11, 12, 13});
}

TEST_CASE("RetirerTakesObjectsOfAnyMovableType") {
    SmallRetirer retirer;
    std::atomic<int> deleted{0};
    auto deleter = [&deleted](int* p) noexcept {
        deleted.fetch_add(1);
        delete p;
    };
    std::unique_ptr<int, decltype(deleter)> custom(new int(1), deleter);
    REQUIRE(retirer.retire(std::move(custom)));
    auto shared = std::make_shared<int>(2);
    const std::weak_ptr<int> watch = shared;
    REQUIRE(retirer.retire(std::move(shared)));
    REQUIRE(retirer.retire(std::vector<float>(1000, 0.5f)));
    CHECK(deleted.load() == 0);
    CHECK_FALSE(watch.expired());  // the retirer holds the last reference
    CHECK(retirer.collect() == 3);
    CHECK(deleted.load() == 1);
    CHECK(watch.expired());
}

TEST_CASE("FullRetirerRefusesAndLeavesTheObjectWithTheCaller") {
    SmallRetirer retirer;
    for (int i = 0; i < 4; ++i) REQUIRE(retirer.retire(std::make_unique<int>(i)));
    auto extra = std::make_unique<int>(42);
    CHECK_FALSE(retirer.retire(std::move(extra)));
    REQUIRE(extra != nullptr);  // not moved from
    CHECK(*extra == 42);
    CHECK(retirer.stats().failedRetires == 1);
    CHECK(retirer.collect() == 4);
    // Room again: every entry came back.
    for (int i = 0; i < 3; ++i) REQUIRE(retirer.retire(std::make_unique<int>(i)));
    CHECK(retirer.retire(std::move(extra)));
    CHECK(extra == nullptr);  // NOLINT(bugprone-use-after-move): a successful retire moved from it
    CHECK(retirer.stats().failedRetires == 1);
}

TEST_CASE("RetirerStatsCountRetiresCollectsAndPeak") {
    SmallRetirer retirer;
    audiopool::RetirerStats s = retirer.stats();
    CHECK(s.capacity == 4);
    CHECK(s.pending == 0);
    CHECK(s.highWater == 0);
    CHECK(s.retired == 0);
    CHECK(s.collected == 0);
    CHECK(s.failedRetires == 0);
    CHECK(s.misuses == 0);
    for (int i = 0; i < 3; ++i) REQUIRE(retirer.retire(std::vector<float>(16)));
    CHECK(retirer.collect() == 3);
    REQUIRE(retirer.retire(std::vector<float>(16)));
    s = retirer.stats();
    CHECK(s.pending == 1);
    CHECK(s.highWater == 3);
    CHECK(s.retired == 4);
    CHECK(s.collected == 3);
    CHECK(s.failedRetires == 0);
}

TEST_CASE("RetirerDestructorDestroysWhatIsPendingInOrder") {
    Tracked::resetLog();
    {
        SmallRetirer retirer;
        REQUIRE(retirer.retire(Tracked(1)));
        REQUIRE(retirer.retire(Tracked(2)));
        CHECK(Tracked::destroyedIds().empty());
    }
    CHECK(Tracked::destroyedIds() == std::vector<int>{1, 2});
}

TEST_CASE_TEMPLATE("RetiredPoolHandleGoesBackAtCollect", Policy, audiopool::Treiber, audiopool::SpscRing,
                   audiopool::OwnerThread) {
    using Pool = audiopool::Pool<float, 1, 32, 2, Policy>;
    auto pool = test::makePool<Pool>();
    SmallRetirer retirer;
    auto shared = pool->acquireShared();
    REQUIRE(shared);
    REQUIRE(retirer.retire(pool->acquire()));
    REQUIRE(retirer.retire(std::move(shared)));
    CHECK(pool->stats().inUse == 2);  // retired, not yet released
    std::size_t collected = 0;
    std::thread([&] { collected = retirer.collect(); }).join();  // released on another thread
    CHECK(collected == 2);
    CHECK(pool->stats().inUse == 0);
    CHECK(pool->stats().misuses == 0);
}

TEST_CASE("RetireOnOneThreadCollectOnAnotherDestroysThereInOrder") {
    auto retirer = std::make_unique<audiopool::Retirer<8>>();
    Tracked::resetLog();
    constexpr int objects = 5000;
    std::atomic<bool> retiring{true};
    std::atomic<std::size_t> collected{0};
    std::thread::id retiringThread;
    std::thread collectorThread([&] {
        for (;;) {
            // acquire: pairs with the release below, so after it reads false
            // every retire is visible to the last collect.
            const bool done = !retiring.load(std::memory_order_acquire);
            collected.fetch_add(retirer->collect(), std::memory_order_relaxed);
            if (done) break;
            std::this_thread::yield();
        }
    });
    std::uint64_t refusals = 0;
    std::thread retiringSide([&] {
        retiringThread = std::this_thread::get_id();
        for (int i = 0; i < objects; ++i) {
            Tracked object(i);
            // NOLINTNEXTLINE(bugprone-use-after-move): a refused retire leaves `object` as it was
            while (!retirer->retire(std::move(object))) {  // full: the collector catches up
                ++refusals;
                std::this_thread::yield();
            }
        }
        retiring.store(false, std::memory_order_release);
    });
    retiringSide.join();
    const std::thread::id collectingThread = collectorThread.get_id();
    collectorThread.join();
    CHECK(collected.load() == static_cast<std::size_t>(objects));
    const std::vector<Tracked::Destruction> log = Tracked::takeLog();
    REQUIRE(log.size() == static_cast<std::size_t>(objects));
    std::size_t outOfOrder = 0, onRetiringThread = 0, elsewhere = 0;
    for (std::size_t i = 0; i < log.size(); ++i) {
        outOfOrder += log[i].id != static_cast<int>(i);
        onRetiringThread += log[i].thread == retiringThread;
        elsewhere += log[i].thread != collectingThread;
    }
    CHECK(outOfOrder == 0);
    CHECK(onRetiringThread == 0);
    CHECK(elsewhere == 0);
    const audiopool::RetirerStats s = retirer->stats();
    CHECK(s.retired == static_cast<std::uint64_t>(objects));
    CHECK(s.collected == static_cast<std::uint64_t>(objects));
    CHECK(s.pending == 0);
    CHECK(s.failedRetires == refusals);
    CHECK(s.highWater <= 8);
    CHECK(s.misuses == 0);
}

namespace {

/// An object whose destructor waits at a gate: a collect stays inside it
/// until the test opens the gate.
struct Gate {
    std::atomic<bool>* entered;
    std::atomic<bool>* open;
    Gate(std::atomic<bool>* e, std::atomic<bool>* o) noexcept : entered(e), open(o) {}
    Gate(Gate&& other) noexcept : entered(std::exchange(other.entered, nullptr)), open(other.open) {}
    Gate(const Gate&) = delete;
    Gate& operator=(const Gate&) = delete;
    Gate& operator=(Gate&&) = delete;
    ~Gate() {
        if (!entered) return;
        entered->store(true, std::memory_order_release);
        while (!open->load(std::memory_order_acquire)) std::this_thread::yield();
    }
};

} // namespace

TEST_CASE("OnlyOneCollectRunsAtATime") {
    // While one collect is inside a destructor, a second collect returns 0
    // at once instead of waiting or destroying twice.
    std::atomic<bool> entered{false}, open{false};
    SmallRetirer retirer;
    REQUIRE(retirer.retire(Gate(&entered, &open)));
    REQUIRE(retirer.retire(std::make_unique<int>(1)));
    std::size_t first = 0;
    std::thread collector([&] { first = retirer.collect(); });
    while (!entered.load(std::memory_order_acquire)) std::this_thread::yield();
    CHECK(retirer.collect() == 0);
    CHECK(retirer.pending() == 2);  // the gate's entry is popped after its destructor
    open.store(true, std::memory_order_release);
    collector.join();
    CHECK(first == 2);
    CHECK(retirer.pending() == 0);
}

TEST_CASE("RetireNeverWaitsForACollectInProgress") {
    // The collecting thread is stuck in a destructor: the retiring thread
    // still retires into the free entries at once, and a full retirer
    // refuses at once. Wait-free: no step of retire depends on the other side.
    std::atomic<bool> entered{false}, open{false};
    SmallRetirer retirer;
    REQUIRE(retirer.retire(Gate(&entered, &open)));
    std::size_t collected = 0;
    std::thread collector([&] { collected = retirer.collect(); });
    while (!entered.load(std::memory_order_acquire)) std::this_thread::yield();
    Tracked::resetLog();
    for (int id = 0; id < 3; ++id) CHECK(retirer.retire(Tracked(id)));
    Tracked refused(99);
    CHECK_FALSE(retirer.retire(std::move(refused)));
    CHECK(refused.id == 99);  // NOLINT(bugprone-use-after-move): a refused retire leaves it as it was
    CHECK(retirer.stats().failedRetires == 1);
    open.store(true, std::memory_order_release);
    collector.join();
    // That collect took the gate and perhaps some of the three; the next takes the rest.
    CHECK(collected + retirer.collect() == 4);
    CHECK(Tracked::destroyedIds() == std::vector<int>{0, 1, 2});
}

TEST_CASE("ACollectAlwaysEndsAfterAtMostTheCapacity") {
    // Each object retires a successor from its destructor (on the collecting
    // thread, which here is the retiring thread too), the first five of
    // them: a supply that outlasts one collect, which returns after the
    // capacity's worth all the same.
    struct Regenerating {
        SmallRetirer* retirer;
        int* destroyed;
        Regenerating(SmallRetirer* r, int* d) noexcept : retirer(r), destroyed(d) {}
        Regenerating(Regenerating&& other) noexcept
            : retirer(std::exchange(other.retirer, nullptr)), destroyed(other.destroyed) {}
        Regenerating(const Regenerating&) = delete;
        Regenerating& operator=(const Regenerating&) = delete;
        Regenerating& operator=(Regenerating&&) = delete;
        ~Regenerating() {
            if (!retirer) return;
            if (++*destroyed < 6) (void)retirer->retire(Regenerating(retirer, destroyed));
        }
    };
    int destroyed = 0;
    SmallRetirer retirer;
    REQUIRE(retirer.retire(Regenerating(&retirer, &destroyed)));
    CHECK(retirer.collect() == 4);
    CHECK(destroyed == 4);
    CHECK(retirer.pending() == 1);
    CHECK(retirer.collect() == 2);  // the fifth retires the sixth, which retires none
    CHECK(destroyed == 6);
    CHECK(retirer.pending() == 0);
}

TEST_CASE("RetirerInStaticStorage") {
    REQUIRE(staticRetirer.retire(std::make_unique<int>(5)));
    CHECK(staticRetirer.pending() == 1);
    CHECK(staticRetirer.collect() == 1);
}

TEST_CASE("SecondRetiringThreadIsReportedInCheckedBuilds") {
    const WrongThreadCounter counter;
    SmallRetirer retirer;
    REQUIRE(retirer.retire(std::make_unique<int>(1)));  // binds this thread
    std::thread([&] { CHECK(retirer.retire(std::make_unique<int>(2))); }).join();
    const int expectedReports = checkedBuild ? 1 : 0;
    CHECK(wrongThreadReports.load() == expectedReports);
    CHECK(retirer.stats().misuses == static_cast<std::uint64_t>(expectedReports));
    CHECK(retirer.collect() == 2);  // the retire went ahead
    // Nothing pending: another thread may retire now without a report.
    std::thread([&] { CHECK(retirer.retire(std::make_unique<int>(3))); }).join();
    CHECK(wrongThreadReports.load() == expectedReports);
    CHECK(retirer.collect() == 1);
}

TEST_CASE("SuccessiveCollectsOnDifferentThreadsAreNoMisuse") {
    // Each collect leaves nothing, then a retire makes the queue non-empty
    // again before the next collect, on another thread: the queue's consumer
    // side moves between threads while objects are pending.
    const WrongThreadCounter counter;
    SmallRetirer retirer;
    Tracked::resetLog();
    int next = 0;
    for (int round = 0; round < 6; ++round) {
        REQUIRE(retirer.retire(Tracked(next++)));
        REQUIRE(retirer.retire(Tracked(next++)));
        std::size_t collected = 0;
        if (round % 3 == 2) collected = retirer.collect();  // the retiring thread collects too, now and then
        else std::thread([&] { collected = retirer.collect(); }).join();
        CHECK(collected == 2);
    }
    CHECK(wrongThreadReports.load() == 0);
    CHECK(retirer.stats().misuses == 0);
    CHECK(Tracked::destroyedIds() == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
}

TEST_CASE("RetirerWithDynamicCapacityIsSizedByPrepare") {
    using Dynamic = audiopool::Retirer<audiopool::dynamic>;
    CountingResource resource;
    Tracked::resetLog();
    {
        Dynamic retirer;
        // Unprepared: holds nothing; a retire is refused, counted, and leaves the object.
        CHECK(retirer.stats().capacity == 0);
        Tracked keep(1);
        CHECK_FALSE(retirer.retire(std::move(keep)));
        CHECK(keep.id == 1);  // NOLINT(bugprone-use-after-move): a refused retire leaves it as it was
        CHECK(retirer.stats().failedRetires == 1);
        CHECK(retirer.collect() == 0);

        // Refusals.
        CHECK_FALSE(retirer.prepare(0, &resource));
        CHECK_FALSE(retirer.prepare(5, nullptr));
        resource.refuse = true;
        CHECK_FALSE(retirer.prepare(5, &resource));
        resource.refuse = false;
        CHECK(resource.allocations == 0);

        REQUIRE(retirer.prepare(3, &resource));
        CHECK(resource.allocations == 1);
        CHECK(retirer.stats().capacity == 3);
        for (int id = 10; id < 13; ++id) REQUIRE(retirer.retire(Tracked(id)));
        // NOLINTNEXTLINE(bugprone-use-after-move): the refused retire above left it as it was
        CHECK_FALSE(retirer.retire(std::move(keep)));  // full at 3
        // The same size and resource: the block and the objects stay.
        REQUIRE(retirer.prepare(3, &resource));
        CHECK(resource.allocations == 1);
        // A re-size destroys what is pending first (oldest first), then takes a new block.
        REQUIRE(retirer.prepare(5, &resource));
        CHECK(Tracked::destroyedIds() == std::vector<int>{10, 11, 12});
        CHECK(resource.allocations == 2);
        CHECK(resource.deallocations == 1);
        const audiopool::RetirerStats s = retirer.stats();
        CHECK(s.capacity == 5);
        CHECK(s.pending == 0);
        CHECK(s.retired == 0);  // started over
        for (int id = 20; id < 25; ++id) REQUIRE(retirer.retire(Tracked(id)));
        CHECK(retirer.collect() == 5);

        // releaseMemory destroys what is pending and gives the block back.
        REQUIRE(retirer.retire(Tracked(30)));
        retirer.releaseMemory();
        CHECK(resource.deallocations == 2);
        CHECK(Tracked::destroyedIds().back() == 30);
        CHECK(retirer.stats().capacity == 0);
        // NOLINTNEXTLINE(bugprone-use-after-move): every retire of `keep` so far was refused
        CHECK_FALSE(retirer.retire(std::move(keep)));

        REQUIRE(retirer.prepare(2, &resource));
        REQUIRE(retirer.retire(std::move(keep)));  // NOLINT(bugprone-use-after-move): as above
        CHECK(keep.id == -1);  // NOLINT(bugprone-use-after-move): taken at last
    }
    // The destructor destroyed the last one and gave the block back.
    CHECK(Tracked::destroyedIds().back() == 1);
    CHECK(resource.allocations == 3);
    CHECK(resource.deallocations == 3);
}

TEST_CASE("PrepareWaitsForACollectInProgress") {
    // A PeriodicCollector may keep running while the retirer is re-sized:
    // prepare waits for a collect in progress instead of racing with it.
    using Dynamic = audiopool::Retirer<audiopool::dynamic>;
    Dynamic retirer;
    REQUIRE(retirer.prepare(4));
    std::atomic<bool> entered{false}, open{false};
    REQUIRE(retirer.retire(Gate(&entered, &open)));
    std::thread collector([&] { (void)retirer.collect(); });
    while (!entered.load(std::memory_order_acquire)) std::this_thread::yield();
    std::atomic<bool> prepared{false};
    std::thread preparer([&] { prepared.store(retirer.prepare(8), std::memory_order_release); });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK_FALSE(prepared.load(std::memory_order_acquire));  // still waiting for the collect
    open.store(true, std::memory_order_release);
    collector.join();
    preparer.join();
    CHECK(prepared.load());
    CHECK(retirer.stats().capacity == 8);
    CHECK(retirer.pending() == 0);
}

TEST_CASE("PeriodicCollectorCollectsOnItsOwnThreadAndWhenStopped") {
    using R = audiopool::Retirer<8>;
    R retirer;
    Tracked::resetLog();
    {
        audiopool::PeriodicCollector collector(retirer, std::chrono::milliseconds(1));
        REQUIRE(retirer.retire(Tracked(1)));
        // Its thread collects within a few periods (bounded wait: 10 s).
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (collector.collected() == 0 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        CHECK(collector.collected() == 1);
        const std::vector<Tracked::Destruction> log = Tracked::takeLog();
        REQUIRE(log.size() == 1);
        CHECK(log[0].thread != std::this_thread::get_id());
    }
    // A long period: only stopping collects, at once (no wait for the
    // period), and on the stopping thread.
    const auto start = std::chrono::steady_clock::now();
    {
        audiopool::PeriodicCollector<R> collector(retirer, std::chrono::hours(1));
        REQUIRE(retirer.retire(Tracked(2)));
        REQUIRE(retirer.retire(Tracked(3)));
        collector.stop();
        CHECK(collector.collected() == 2);
        collector.stop();  // a second stop does nothing
        REQUIRE(retirer.retire(Tracked(4)));
    }  // the destructor after stop(): nothing more
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
    const std::vector<Tracked::Destruction> log = Tracked::takeLog();
    REQUIRE(log.size() == 2);
    CHECK(log[0].id == 2);
    CHECK(log[1].id == 3);
    CHECK(log[0].thread == std::this_thread::get_id());
    CHECK(retirer.pending() == 1);
    CHECK(retirer.collect() == 1);
}
