// libFuzzer target: decodes its input into a sequence of thread-cache
// operations (cache.hpp) on pools whose policy lets any thread in: Treiber
// static and prepared, Treiber with a 3-bit tag (a batch takes at most 4),
// and a Treiber without batch operations (the cache moves one buffer at a
// time). Each pool has three caches (of 2, 4 and 16 buffers: batches of 1,
// 2 and 8) and is checked against a reference model after every step.
// Everything runs on one thread: the model checks the bookkeeping, not races
// (the stress test and the model check do those).
//
// Operations: acquire through a cache (whole, smaller, oversized), acquire
// directly from the pool, release a handle into any cache or drop it (to the
// free list), drain a cache, end a cache (a cache of no pool after), make it
// again (the new one claims a slot before the old one gives its up), move a
// cache out and back, release a buffer of another pool into a cache, fill
// every counter slot (the cache past them passes straight through), and
// prepare() a prepared pool (refused while a buffer is out or cached; the
// same sizes keep the statistics; new ones start them over).
//
// The model is the free list itself (a stack: Treiber's order is its
// algorithm), each cache's stack and each handle's buffer: every index a
// cache or the pool hands out must be the one the model predicts, and
// Stats (inUse, cached, acquisitions, releases, failed, rejected, misuses,
// highWater) must match exactly; any difference aborts with the line.
//
// Build: meson setup build/fuzz -Dfuzz=enabled -Db_sanitize=address,undefined
// -Db_lundef=false (clang); run: build/fuzz/fuzz/fuzz_cache CORPUS_DIR
// On its own: clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined
// -Iinclude fuzz/fuzz_cache.cpp -o fuzz_cache
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <audiopool/audiopool.hpp>

namespace {

[[noreturn]] void mismatch(const char* what, int line) {
    std::fprintf(stderr, "fuzz_cache: model mismatch at line %d: %s\n", line, what);
    std::abort();
}
#define EXPECT(condition)                                                                                              \
    do {                                                                                                               \
        if (!(condition)) mismatch(#condition, __LINE__);                                                              \
    } while (false)

/// Reads the fuzzer's bytes; past the end it reads zeros.
class Input {
public:
    Input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
    bool done() const { return position_ >= size_; }
    std::uint8_t byte() { return position_ < size_ ? data_[position_++] : 0; }
    std::size_t below(std::size_t bound) { return bound == 0 ? 0 : byte() % bound; }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t position_ = 0;
};

std::uint64_t misusesReported = 0;
audiopool::Misuse lastKind{};
void countMisuse(const audiopool::MisuseReport& report) noexcept {
    ++misusesReported;
    lastKind = report.kind;
}

/// Treiber's free list without its batch operations: a cache then takes and
/// gives its batches one pop or push at a time.
struct TreiberOneByOne {
    template <std::size_t Capacity>
    class FreeList : public audiopool::Treiber::FreeList<Capacity> {
    public:
        template <class Links>
        audiopool::PoppedBatch popBatch(Links, std::uint32_t*, std::uint32_t) noexcept = delete;
        template <class Links>
        void pushBatch(const std::uint32_t*, std::uint32_t, Links) noexcept = delete;
    };
};
struct NoHooks {
    static void beforePopCas(std::uint32_t, std::uint32_t) noexcept {}
    static void beforeHalfWrapCount() noexcept {}
};
using NarrowTreiber = audiopool::BasicTreiber<NoHooks, 3>;

/// The most one batch operation moves (unlimited for a list without them).
template <class Policy>
constexpr std::size_t batchCap = std::numeric_limits<std::size_t>::max();
template <>
constexpr std::size_t batchCap<NarrowTreiber> = 4;  // 2^(TagBits-1)

/// One pool, its three caches and the model. Prepared: every extent dynamic.
template <class Policy, bool Prepared>
class Harness {
    static constexpr std::size_t channels = 2, frames = 16, capacity = 6;
    using PoolT =
        std::conditional_t<Prepared,
                           audiopool::Pool<float, audiopool::dynamic, audiopool::dynamic, audiopool::dynamic, Policy>,
                           audiopool::Pool<float, channels, frames, capacity, Policy>>;
    using Unique = typename PoolT::Unique;
    static constexpr std::size_t sizes[3] = {2, 4, 16};

    /// A handle the model knows: its buffer and the stamp it wrote there.
    struct Handle {
        Unique handle;
        std::uint32_t index;
        float stamp;
    };

public:
    Harness() : pool_(std::make_unique<PoolT>()), foreign_(std::make_unique<PoolT>()) {
        if constexpr (Prepared) {
            EXPECT(pool_->prepare({channels, frames, capacity}));
            EXPECT(foreign_->prepare({channels, frames, capacity}));
        }
        startOver(capacity, frames);
        std::get<0>(caches_) = pool_->template cache<sizes[0]>();
        std::get<1>(caches_) = pool_->template cache<sizes[1]>();
        std::get<2>(caches_) = pool_->template cache<sizes[2]>();
        for (bool& live : live_) live = true;
        check();
    }
    ~Harness() = default;  // the handles go first, then the caches, then the pools
    Harness(const Harness&) = delete;
    Harness& operator=(const Harness&) = delete;

    /// Every misuse this harness saw reported, across re-sizes.
    std::uint64_t misuses() const { return reported_; }

    void step(Input& in) {
        switch (in.byte() % 12) {
        case 0:
        case 1: acquireThroughCache(in); break;
        case 2: acquireDirectly(in); break;
        case 3:
        case 4: releaseIntoCache(in); break;
        case 5: drop(in); break;
        case 6: onCache(in.below(3), [&](auto& c, std::size_t j) { drain(c, j); }); break;
        case 7: onCache(in.below(3), [&](auto& c, std::size_t j) { end(c, j); }); break;
        case 8: onCache(in.below(3), [&](auto& c, std::size_t j) { remake(c, j); }); break;
        case 9: onCache(in.below(3), [&](auto& c, std::size_t j) { moveOutAndBack(c, j); }); break;
        case 10: (in.byte() % 2 == 0) ? foreignRelease(in) : everySlot(in); break;
        default: prepare(in); break;
        }
        check();
    }

private:
    template <class F>
    void onCache(std::size_t j, F f) {
        switch (j) {
        case 0: f(std::get<0>(caches_), 0); break;
        case 1: f(std::get<1>(caches_), 1); break;
        default: f(std::get<2>(caches_), 2); break;
        }
    }

    // ---- the model's free list: a stack, free_.back() on top ----
    std::uint32_t popModel() {
        const std::uint32_t top = free_.back();
        free_.pop_back();
        return top;
    }
    void notePeak() { highWater_ = std::max(highWater_, out()); }
    std::size_t out() const { return capacity_ - free_.size(); }
    std::size_t cachedNow() const { return cached_[0].size() + cached_[1].size() + cached_[2].size(); }

    void startOver(std::size_t newCapacity, std::size_t newFrames) {
        capacity_ = newCapacity;
        frames_ = newFrames;
        free_.clear();
        for (std::size_t i = newCapacity; i-- > 0;) free_.push_back(static_cast<std::uint32_t>(i));  // 0 on top
        highWater_ = acquisitions_ = releases_ = failed_ = rejected_ = misuses_ = 0;
    }

    /// A handle the pool or a cache gave: the model predicted `expected`.
    void took(Unique h, std::uint32_t expected, std::size_t c, std::size_t f) {
        EXPECT(h);
        EXPECT(h.index() == expected);
        EXPECT(h.numChannels() == c && h.numFrames() == f);
        for (const Handle& other : handles_) EXPECT(other.index != expected);
        const float stamp = static_cast<float>(++sequence_ % 4096);
        h.channelPointers()[0][0] = stamp;  // the storage: a pool's buffer has a frame even for a 0 x 0 request
        handles_.push_back({std::move(h), expected, stamp});
        ++acquisitions_;
    }
    Handle takeHandle(std::size_t i) {
        Handle h = std::move(handles_[i]);
        handles_[i] = std::move(handles_.back());
        handles_.pop_back();
        EXPECT(h.handle.channelPointers()[0][0] == h.stamp);
        return h;
    }

    /// The sizes of a request: whole, smaller, zero, or one extent too large.
    std::pair<std::size_t, std::size_t> request(Input& in) {
        switch (in.byte() % 6) {
        case 0: return {channels + 1, 1};
        case 1: return {1, frames_ + 1};
        case 2: return {0, 0};
        case 3: return {1, frames_ / 2};
        default: return {channels, frames_};
        }
    }
    bool fits(std::size_t c, std::size_t f) const { return c <= channels && f <= frames_; }

    /// A cache's acquire as the model sees it; `caching` false: straight to the pool.
    template <class Cache>
    void cacheAcquire(Cache& cache, std::vector<std::uint32_t>& model, bool live, bool caching, std::size_t c,
                      std::size_t f) {
        Unique h = cache.acquire(c, f);
        if (!live) {  // a cache of no pool: an empty handle, nothing counted
            EXPECT(!h);
            return;
        }
        if (!fits(c, f)) {
            EXPECT(!h);
            ++rejected_;
            return;
        }
        if (!caching) {
            if (free_.empty()) {
                EXPECT(!h);
                ++failed_;
                return;
            }
            took(std::move(h), popModel(), c, f);
            notePeak();
            return;
        }
        if (model.empty()) {
            const std::size_t taken = std::min({std::size_t{Cache::batch}, free_.size(), batchCap<Policy>});
            if (taken == 0) {
                EXPECT(!h);
                ++failed_;
                return;
            }
            // popBatch takes from the top down; the cache keeps them so the top comes out first.
            std::vector<std::uint32_t> batch;
            for (std::size_t i = 0; i < taken; ++i) batch.push_back(popModel());
            model.assign(batch.rbegin(), batch.rend());
            notePeak();
        }
        const std::uint32_t expected = model.back();
        model.pop_back();
        took(std::move(h), expected, c, f);
    }
    /// A cache's release as the model sees it (of one of this pool's handles).
    template <class Cache>
    void cacheRelease(Cache& cache, std::vector<std::uint32_t>& model, bool caching, Handle h) {
        ++releases_;
        if (!caching) {  // no slot (or no pool): the buffer goes back to the free list
            cache.release(std::move(h.handle));
            free_.push_back(h.index);
            return;
        }
        if (model.size() == Cache::capacity) flushModel(model, Cache::batch);
        cache.release(std::move(h.handle));
        model.push_back(h.index);
    }
    /// The `n` at the bottom of a cache's stack to the free list, the first on top.
    void flushModel(std::vector<std::uint32_t>& model, std::size_t n) {
        for (std::size_t i = n; i-- > 0;) free_.push_back(model[i]);
        model.erase(model.begin(), model.begin() + static_cast<std::ptrdiff_t>(n));
    }

    void acquireThroughCache(Input& in) {
        const auto [c, f] = request(in);
        onCache(in.below(3), [&](auto& cache, std::size_t j) {
            EXPECT(cache.caching() == live_[j]);
            cacheAcquire(cache, cached_[j], live_[j], live_[j], c, f);
        });
    }
    void acquireDirectly(Input& in) {
        const auto [c, f] = request(in);
        Unique h = pool_->acquire(c, f);
        if (!fits(c, f)) {
            EXPECT(!h);
            ++rejected_;
        } else if (free_.empty()) {
            EXPECT(!h);
            ++failed_;
        } else {
            took(std::move(h), popModel(), c, f);
            notePeak();
        }
    }
    void releaseIntoCache(Input& in) {
        if (handles_.empty()) return;
        Handle h = takeHandle(in.below(handles_.size()));
        onCache(in.below(3),
                [&](auto& cache, std::size_t j) { cacheRelease(cache, cached_[j], live_[j], std::move(h)); });
    }
    void drop(Input& in) {
        if (handles_.empty()) return;
        Handle h = takeHandle(in.below(handles_.size()));
        h.handle.reset();
        free_.push_back(h.index);
        ++releases_;
    }
    template <class Cache>
    void drain(Cache& cache, std::size_t j) {
        cache.drain();
        if (!cached_[j].empty()) flushModel(cached_[j], cached_[j].size());
    }
    template <class Cache>
    void end(Cache& cache, std::size_t j) {
        cache = {};
        if (!cached_[j].empty()) flushModel(cached_[j], cached_[j].size());
        live_[j] = false;
        EXPECT(!cache.caching());
        EXPECT(cache.pool() == nullptr);
    }
    template <class Cache>
    void remake(Cache& cache, std::size_t j) {
        cache = pool_->template cache<Cache::capacity>();  // ends the old one after the new one's claim
        if (!cached_[j].empty()) flushModel(cached_[j], cached_[j].size());
        live_[j] = true;
        EXPECT(cache.caching());
        EXPECT(cache.held() == 0);
    }
    template <class Cache>
    void moveOutAndBack(Cache& cache, std::size_t j) {
        Cache moved(std::move(cache));
        EXPECT(!cache.caching());  // NOLINT(bugprone-use-after-move): a moved-from cache is a cache of no pool
        EXPECT(moved.caching() == live_[j]);
        EXPECT(moved.held() == cached_[j].size());
        cache = std::move(moved);
    }
    void foreignRelease(Input& in) {
        onCache(in.below(3), [&](auto& cache, std::size_t j) {
            Unique theirs = foreign_->acquire();
            EXPECT(theirs);
            cache.release(std::move(theirs));
            EXPECT(!theirs);  // NOLINT(bugprone-use-after-move): release empties it
            EXPECT(cache.held() == cached_[j].size());
            ++foreignAcquisitions_;
            if (live_[j]) {
                ++misuses_;  // reported against this pool
                ++reported_;
                EXPECT(lastKind == audiopool::Misuse::ForeignRelease);
            }
            const audiopool::Stats s = foreign_->stats();
            EXPECT(s.inUse == 0);
            EXPECT(s.acquisitions == foreignAcquisitions_ && s.releases == foreignAcquisitions_);
        });
    }
    /// Caches until the slots run out: the one past them passes every call
    /// straight to the pool. Then they all end.
    void everySlot(Input& in) {
        using Small = audiopool::PoolCache<PoolT, 2>;
        const std::size_t liveNow = static_cast<std::size_t>(live_[0]) + live_[1] + live_[2];
        std::vector<Small> extra;
        extra.reserve(audiopool::maxCachesPerPool);
        for (;;) {
            extra.push_back(pool_->template cache<2>());
            if (!extra.back().caching()) break;
        }
        EXPECT(extra.size() == audiopool::maxCachesPerPool - liveNow + 1);
        std::vector<std::uint32_t> none;
        const auto [c, f] = request(in);
        cacheAcquire(extra.back(), none, true, false, c, f);
        if (!handles_.empty() && in.byte() % 2 == 0)
            cacheRelease(extra.back(), none, false, takeHandle(in.below(handles_.size())));
        // One of the others, caching: a refill, then everything back as it ends.
        std::vector<std::uint32_t> first;
        cacheAcquire(extra.front(), first, true, true, 1, 1);
        if (!first.empty()) flushModel(first, first.size());
        extra.clear();
    }
    void prepare(Input& in) {
        if constexpr (!Prepared) {
            (void)in;
        } else {
            const bool same = in.byte() % 2 == 0;
            const std::size_t newCapacity = same ? capacity_ : 3 + in.below(6);
            const std::size_t newFrames = same ? frames_ : 8 + 8 * in.below(3);
            const bool allBack = free_.size() == capacity_;
            const bool done = pool_->prepare({channels, newFrames, newCapacity});
            EXPECT(done == allBack);
            if (done && (newCapacity != capacity_ || newFrames != frames_)) startOver(newCapacity, newFrames);
        }
    }

    void check() const {
        const audiopool::Stats s = pool_->stats();
        EXPECT(s.capacity == capacity_);
        EXPECT(s.inUse == handles_.size());
        EXPECT(s.cached == cachedNow());
        EXPECT(handles_.size() + cachedNow() + free_.size() == capacity_);
        EXPECT(s.acquisitions == acquisitions_);
        EXPECT(s.releases == releases_);
        EXPECT(s.failedAcquisitions == failed_);
        EXPECT(s.rejectedRequests == rejected_);
        EXPECT(s.misuses == misuses_);
        EXPECT(s.highWater == highWater_);
        EXPECT(std::get<0>(caches_).held() == cached_[0].size());
        EXPECT(std::get<1>(caches_).held() == cached_[1].size());
        EXPECT(std::get<2>(caches_).held() == cached_[2].size());
        EXPECT(foreign_->stats().misuses == 0);
    }

    std::unique_ptr<PoolT> pool_, foreign_;
    std::tuple<audiopool::PoolCache<PoolT, sizes[0]>, audiopool::PoolCache<PoolT, sizes[1]>,
               audiopool::PoolCache<PoolT, sizes[2]>>
        caches_;
    // The model: the free list (back() on top), each cache's stack (back()
    // handed out first), whether each cache has a pool, the handles.
    std::vector<std::uint32_t> free_;
    std::vector<std::uint32_t> cached_[3];
    bool live_[3] = {};
    std::vector<Handle> handles_;
    std::size_t capacity_ = 0, frames_ = 0, highWater_ = 0;
    std::uint64_t acquisitions_ = 0, releases_ = 0, failed_ = 0, rejected_ = 0, misuses_ = 0;
    std::uint64_t foreignAcquisitions_ = 0, reported_ = 0, sequence_ = 0;
};

using Harnesses = std::tuple<Harness<audiopool::Treiber, false>, Harness<audiopool::Treiber, true>,
                             Harness<NarrowTreiber, false>, Harness<TreiberOneByOne, false>>;
constexpr std::size_t harnessCount = std::tuple_size_v<Harnesses>;

template <class F, std::size_t... I>
void withHarnessAt(Harnesses& all, std::size_t which, F&& f, std::index_sequence<I...>) {
    ((which == I ? f(std::get<I>(all)) : void()), ...);
}
template <class F>
void withHarness(Harnesses& all, std::size_t which, F&& f) {
    withHarnessAt(all, which, std::forward<F>(f), std::make_index_sequence<harnessCount>{});
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    audiopool::setMisuseHandler(&countMisuse);
    misusesReported = 0;
    Input in(data, size);
    Harnesses all;
    // A step: a byte picks a harness, the next its operation.
    while (!in.done()) {
        withHarness(all, in.below(harnessCount), [&](auto& h) { h.step(in); });
        std::uint64_t misuses = 0;
        std::apply([&](const auto&... h) { misuses = (h.misuses() + ...); }, all);
        EXPECT(misusesReported == misuses);
    }
    return 0;
}
