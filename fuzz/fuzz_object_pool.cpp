// libFuzzer target: decodes its input into a sequence of ObjectPool
// operations on one pool per built-in policy (audiopool::BuiltinPolicies),
// OwnerThread a second time with no lanes (its releases go through the
// return ring), then one pool of dynamic capacity per built-in policy, and
// checks every pool against a reference model after every step. Everything
// runs on one thread.
//
// Operations: make and makeShared (the constructor sometimes throws, where
// the policy takes a throwing constructor: all but SpscRing), drop
// any handle, copy and copy-assign Shared handles, move and move-assign
// handles, make a Shared from a Unique, read an object through its handle,
// detach, release and adopt (genuine, repeated, stale from before a re-size),
// made-up, out-of-range and foreign Detached values; prepare (capacity 0,
// small, the current one, the policy's limit and one past it, huge; from one
// of two counting resources, a null one, or one that throws) and
// releaseMemory on the dynamic pools. The model keeps each object's handles
// and detachment, each Detached value's state, the statistics, how many
// objects were constructed and destroyed (each destroyed exactly once, intact),
// the misuses reported and the memory each resource has out; any difference
// aborts with the line that saw it.
//
// Build: meson setup build/fuzz -Dfuzz=enabled -Db_sanitize=address,undefined
// -Db_lundef=false (clang); run: build/fuzz/fuzz/fuzz_object_pool CORPUS_DIR
// On its own: clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined
// -Iinclude fuzz/fuzz_object_pool.cpp -o fuzz_object_pool
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <memory_resource>
#include <new>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <audiopool/audiopool.hpp>

namespace {

[[noreturn]] void mismatch(const char* what, int line) {
    std::fprintf(stderr, "fuzz_object_pool: model mismatch at line %d: %s\n", line, what);
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

/// What a harness's objects report to it: constructions, destructions, and
/// destructions of an object that was not intact (destroyed twice, or its
/// slot reused while it lived).
struct Tally {
    std::uint64_t constructed = 0, destroyed = 0, torn = 0;
};

/// The pooled object: its id, a check word derived from it, its harness's
/// tally. Its constructor throws when asked to, except where the policy
/// takes only noexcept constructors (SpscRing).
template <bool CanThrow>
struct TrackedObject {
    static constexpr std::uint64_t mask = 0xA5A5'5A5A'0F0F'F0F0ull;
    TrackedObject(Tally* tally, std::uint64_t objectId, bool fail) noexcept(!CanThrow)
        : id(objectId), check(objectId ^ mask), tally_(tally) {
        if constexpr (CanThrow)
            if (fail) throw std::runtime_error("refused");
        ++tally_->constructed;
    }
    TrackedObject(const TrackedObject&) = delete;
    TrackedObject& operator=(const TrackedObject&) = delete;
    ~TrackedObject() {
        if (check != (id ^ mask)) ++tally_->torn;
        check = 0;
        ++tally_->destroyed;
    }
    bool intact() const { return check == (id ^ mask); }

    std::uint64_t id;
    std::uint64_t check;

private:
    Tally* tally_;
};
/// The object a policy's pools hold: one that may throw, unless the policy's
/// making thread may not give a slot back.
template <class Policy>
using TrackedFor = TrackedObject<audiopool::threadRuleOf<typename Policy::template FreeList<2>> !=
                                 audiopool::ThreadRule::OneAcquirerOneReleaser>;

/// A memory_resource that counts what it is asked and what it has out; it
/// throws for any request over `budget` (so a prepare at a limit asks and
/// is refused without taking gigabytes), or for every request when `throws`.
class TestResource final : public std::pmr::memory_resource {
public:
    static constexpr std::size_t budget = std::size_t{1} << 20;
    explicit TestResource(bool throws = false) : throws_(throws) {}
    bool throws() const { return throws_; }
    std::size_t calls = 0, lastBytes = 0, bytesOut = 0;

private:
    void* do_allocate(std::size_t bytes, std::size_t alignment) override {
        ++calls;
        lastBytes = bytes;
        EXPECT(alignment <= alignof(std::max_align_t));
        if (throws_ || bytes > budget) throw std::bad_alloc();
        bytesOut += bytes;
        return ::operator new(bytes);
    }
    void do_deallocate(void* p, std::size_t bytes, std::size_t /*alignment*/) override {
        EXPECT(bytes <= bytesOut);
        bytesOut -= bytes;
        ::operator delete(p);
    }
    bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }
    bool throws_;
};

/// One pool and its model.
template <class PoolT>
class Harness {
    static constexpr bool dynamicCapacity = PoolT::dynamicCapacity;
    static_assert(PoolT::slotBytes % audiopool::falseSharingRange == 0);
    using Tracked = typename PoolT::Object;
    static constexpr bool canThrow = !std::is_nothrow_constructible_v<Tracked, Tally*, std::uint64_t, bool>;

public:
    Harness() : pool_(std::make_unique<PoolT>()), foreign_(std::make_unique<PoolT>()) {
        if constexpr (!dynamicCapacity) capacity_ = pool_->capacity();
    }
    ~Harness() {
        live_.clear();  // handles go before the pool
        // Detached objects still out are released, so every object is destroyed once.
        for (Kept& k : kept_)
            if (k.current()) EXPECT(pool_->release(k.value));
        pool_.reset();
        foreign_.reset();
        EXPECT(tally_.destroyed == tally_.constructed && tally_.torn == 0);
        EXPECT(first_.bytesOut == 0 && second_.bytesOut == 0);
    }

    void step(Input& in) {
        switch (in.byte() % 16) {
        case 0: make(in, false); break;
        case 1: make(in, true); break;
        case 2: drop(in); break;
        case 3: copyShared(in); break;
        case 4: assignHandle(in, true); break;
        case 5: assignHandle(in, false); break;
        case 6: toShared(in); break;
        case 7: detach(in); break;
        case 8: claim(in, false); break;
        case 9: claim(in, true); break;
        case 10: forged(in); break;
        case 11: madeUp(in); break;
        case 12: prepare(in); break;
        case 13: releaseMemory(); break;
        case 14: moveHandle(in); break;
        default: break;  // the check below only
        }
        check();
    }

    void check() const {
        const audiopool::Stats s = pool_->stats();
        EXPECT(s.capacity == capacity_);
        EXPECT(pool_->capacity() == capacity_);
        EXPECT(s.inUse == objectsOut());
        EXPECT(s.highWater == highWater_);
        EXPECT(s.acquisitions == acquisitions_);
        EXPECT(s.releases == releases_);
        EXPECT(s.failedAcquisitions == failed_);
        EXPECT(s.rejectedRequests == 0);
        EXPECT(s.misuses == misuses_);
        EXPECT(foreign_->stats().misuses == foreignMisuses_);
        EXPECT(tally_.torn == 0);
        EXPECT(tally_.constructed - tally_.destroyed == objectsOut());
        EXPECT(tally_.destroyed == destroyed_);
        for (const Live& l : live_) {
            const Object& o = objects_[l.object];
            EXPECT(o.handles > 0 && !o.detached);
            const Tracked* t = l.shared ? l.s.get() : l.u.get();
            EXPECT(t != nullptr && t->id == l.object && t->intact());
            // Objects sit at the same offset in slots of PoolT::slotBytes,
            // a whole number of falseSharingRange blocks.
            const auto at = reinterpret_cast<std::uintptr_t>(t);
            const auto first =
                reinterpret_cast<std::uintptr_t>(live_.front().shared ? live_.front().s.get() : live_.front().u.get());
            EXPECT(at % alignof(Tracked) == 0);
            EXPECT((at > first ? at - first : first - at) % PoolT::slotBytes == 0);
            EXPECT((at == first) == (live_.front().object == l.object));  // one object per slot
            if (l.shared) EXPECT(l.s.useCount() == o.handles);
        }
        EXPECT(first_.bytesOut == (resource_ == &first_ ? blockBytes_ : 0));
        EXPECT(second_.bytesOut == (resource_ == &second_ ? blockBytes_ : 0));
        EXPECT(failing_.bytesOut == 0);
    }

    std::uint64_t misuses() const { return reported_; }

private:
    struct Live {
        bool shared = false;
        typename PoolT::Unique u;
        typename PoolT::Shared s;
        std::uint64_t object = 0;
    };
    struct Object {
        std::size_t handles = 0;
        bool detached = false;
    };
    /// A Detached value, its object, and whether it is still the object's
    /// current detachment (not yet released or adopted, same block).
    struct Kept {
        audiopool::Detached value;
        std::uint64_t object;
        std::size_t block;
        bool used = false;
        const Harness* harness;
        bool current() const { return !used && block == harness->block_; }
    };

    std::size_t objectsOut() const {
        std::size_t out = 0;
        for (const Object& o : objects_) out += o.handles != 0 || o.detached;
        return out;
    }
    void misused(audiopool::Misuse kind) {
        ++misuses_;
        ++reported_;
        EXPECT(lastKind == kind);
    }
    void destroyedOne() {
        ++destroyed_;
        ++releases_;
    }
    /// One handle of `object` gone: the last one destroys it.
    void handleGone(std::uint64_t object) {
        Object& o = objects_[object];
        EXPECT(o.handles > 0);
        if (--o.handles == 0) destroyedOne();
    }

    void make(Input& in, bool shared) {
        const bool fail = in.byte() % 8 == 0 && canThrow;
        const std::uint64_t id = objects_.size();
        const std::size_t out = objectsOut();
        const bool room = out < capacity_;
        Live l;
        l.shared = shared;
        l.object = id;
        bool threw = false;
        try {
            if (shared) l.s = pool_->makeShared(&tally_, id, fail);
            else l.u = pool_->make(&tally_, id, fail);
        } catch (const std::runtime_error&) {
            threw = true;
        }
        if (!room) {
            // No slot: nothing constructed, nothing thrown; counted as failed.
            EXPECT(!threw && !l.u && !l.s);
            ++failed_;
            return;
        }
        ++acquisitions_;
        highWater_ = std::max(highWater_, out + 1);
        if (fail) {
            // The slot went back: counted as a release, the object never existed.
            EXPECT(threw && !l.u && !l.s);
            ++releases_;
            return;
        }
        EXPECT(!threw && (shared ? static_cast<bool>(l.s) : static_cast<bool>(l.u)));
        objects_.push_back({1, false});
        live_.push_back(std::move(l));
    }

    void eraseLive(std::size_t i) {
        live_[i] = std::move(live_.back());
        live_.pop_back();
    }

    void drop(Input& in) {
        if (live_.empty()) return;
        const std::size_t i = in.below(live_.size());
        Live& l = live_[i];
        if (l.shared) l.s.reset();
        else l.u.reset();
        EXPECT(!l.s && !l.u);
        handleGone(l.object);
        eraseLive(i);
    }

    Live* pick(Input& in, bool shared) {
        if (live_.empty()) return nullptr;
        Live& l = live_[in.below(live_.size())];
        return l.shared == shared ? &l : nullptr;
    }

    void copyShared(Input& in) {
        Live* from = pick(in, true);
        if (from == nullptr) return;
        Live copy;
        copy.shared = true;
        copy.s = from->s;
        copy.object = from->object;
        ++objects_[from->object].handles;
        live_.push_back(std::move(copy));
    }

    /// target = source: a Shared copy-assigned, or any handle move-assigned
    /// (the target's old reference goes; a moved-from source is left empty).
    void assignHandle(Input& in, bool copy) {
        if (live_.empty()) return;
        const std::size_t from = in.below(live_.size()), to = in.below(live_.size());
        Live& source = live_[from];
        Live& target = live_[to];
        if (source.shared != target.shared || (!source.shared && copy)) return;
        const std::uint64_t oldObject = target.object;
        if (copy) {
            target.s = source.s;
            if (from == to) return;  // self-assignment: nothing changes
            ++objects_[source.object].handles;
            handleGone(oldObject);
            target.object = source.object;
            return;
        }
        if (from == to) return;  // a self move is not made
        if (source.shared) target.s = std::move(source.s);
        else target.u = std::move(source.u);
        handleGone(oldObject);
        target.object = source.object;
        EXPECT(!source.s && !source.u);
        eraseLive(from);
    }

    void moveHandle(Input& in) {
        if (live_.empty()) return;
        Live& l = live_[in.below(live_.size())];
        Live moved;
        moved.shared = l.shared;
        moved.object = l.object;
        if (l.shared) moved.s = std::move(l.s);
        else moved.u = std::move(l.u);
        EXPECT(!l.s && !l.u);
        l = std::move(moved);
    }

    void toShared(Input& in) {
        Live* l = pick(in, false);
        if (l == nullptr) return;
        l->s = typename PoolT::Shared(std::move(l->u));
        l->shared = true;
        EXPECT(!l->u && l->s.useCount() == 1);
    }

    void detach(Input& in) {
        if (live_.empty()) return;
        const std::size_t i = in.below(live_.size());
        Live& l = live_[i];
        if (l.shared) return;
        const audiopool::Detached d = l.u.detach();
        EXPECT(!l.u && d.pool == pool_.get() && d.index < capacity_);
        Object& o = objects_[l.object];
        o.handles = 0;
        o.detached = true;
        kept_.push_back({d, l.object, block_, false, this});
        eraseLive(i);
    }

    /// release() or adopt() of a kept Detached: genuine, used up or stale.
    void claim(Input& in, bool adopt) {
        if (kept_.empty()) return;
        Kept& k = kept_[in.below(kept_.size())];
        const bool good = k.current();
        const audiopool::Detached d = k.value;
        if (adopt) {
            auto u = pool_->adopt(d);
            EXPECT(static_cast<bool>(u) == good);
            if (good) {
                EXPECT(u->id == k.object);
                Object& o = objects_[k.object];
                o.detached = false;
                o.handles = 1;
                k.used = true;
                Live l;
                l.u = std::move(u);
                l.object = k.object;
                live_.push_back(std::move(l));
            }
        } else {
            EXPECT(pool_->release(d) == good);
            if (good) {
                objects_[k.object].detached = false;
                k.used = true;
                destroyedOne();
            }
        }
        if (!good)
            misused(d.index >= capacity_ ? audiopool::Misuse::IndexOutOfRange : audiopool::Misuse::DoubleRelease);
    }

    /// Detached values nobody detached: out of range, no pool, another pool's.
    void forged(Input& in) {
        audiopool::Detached d{pool_.get(), static_cast<std::uint32_t>(capacity_ + in.byte()), 0, 0, in.byte()};
        switch (in.byte() % 3) {
        case 0:
            EXPECT(!pool_->release(d));
            misused(audiopool::Misuse::IndexOutOfRange);
            break;
        case 1:
            d.pool = nullptr;
            EXPECT(!pool_->adopt(d));
            misused(audiopool::Misuse::ForeignRelease);
            break;
        default:
            d.index = static_cast<std::uint32_t>(in.below(capacity_));
            EXPECT(!foreign_->release(d));
            ++foreignMisuses_;
            ++reported_;
            EXPECT(lastKind == audiopool::Misuse::ForeignRelease);
            break;
        }
    }

    /// A Unique detached and adopted back, then a made-up Detached naming its
    /// slot with the slot's current generation: NotDetached.
    void madeUp(Input& in) {
        Live* l = pick(in, false);
        if (l == nullptr) return;
        const audiopool::Detached d = l->u.detach();
        l->u = pool_->adopt(d);
        EXPECT(l->u && l->u->id == l->object);
        audiopool::Detached madeUp = d;
        madeUp.generation = (d.generation + 1) & 0x7FFF'FFFFu;
        EXPECT(!(in.byte() % 2 ? pool_->release(madeUp) : static_cast<bool>(pool_->adopt(madeUp))));
        misused(audiopool::Misuse::NotDetached);
    }

    // ---- prepare() and releaseMemory(), dynamic pools ----

    std::pmr::memory_resource* chooseResource(Input& in) {
        switch (in.byte() % 8) {
        case 4:
        case 5: return &second_;
        case 6: return nullptr;
        case 7: return &failing_;
        default: return &first_;
        }
    }
    std::size_t resourceCalls() const { return first_.calls + second_.calls + failing_.calls; }

    void prepare(Input& in) {
        if constexpr (dynamicCapacity) {
            std::size_t wanted = 0;
            switch (in.byte() % 6) {
            case 0: wanted = 0; break;
            case 1: wanted = capacity_; break;
            case 2: wanted = PoolT::maxCapacity; break;
            case 3: wanted = in.byte() % 2 ? PoolT::maxCapacity + 1 : std::numeric_limits<std::size_t>::max(); break;
            default: wanted = 1 + in.below(6); break;
            }
            std::pmr::memory_resource* const resource = chooseResource(in);
            const std::size_t callsBefore = resourceCalls();
            const bool done = pool_->prepare(wanted, resource);
            const std::size_t asked = resourceCalls() - callsBefore;
            const bool good = wanted != 0 && wanted <= PoolT::maxCapacity && resource != nullptr;
            if (!good || objectsOut() != 0) {
                EXPECT(!done && asked == 0);
                return;
            }
            if (wanted == capacity_ && resource == resource_) {
                EXPECT(done && asked == 0);
                return;
            }
            EXPECT(asked == 1);
            const auto& from = *static_cast<TestResource*>(resource);
            EXPECT(from.lastBytes >= wanted * PoolT::slotBytes);
            const bool served = !from.throws() && from.lastBytes <= TestResource::budget;
            EXPECT(done == served);
            if (!done) return;
            capacity_ = wanted;
            resource_ = resource;
            blockBytes_ = from.lastBytes;
            startOver();
        }
    }

    void releaseMemory() {
        if constexpr (dynamicCapacity) {
            const bool allBack = objectsOut() == 0;
            EXPECT(pool_->releaseMemory() == allBack);
            if (!allBack) return;
            capacity_ = 0;
            resource_ = nullptr;
            blockBytes_ = 0;
            startOver();
        }
    }

    /// A new block (or none): statistics 0; every Detached kept is stale.
    void startOver() {
        ++block_;
        highWater_ = 0;
        acquisitions_ = releases_ = failed_ = misuses_ = 0;
    }

    // The resources outlive the pools, which give their blocks back to them.
    TestResource first_, second_, failing_{true};
    Tally tally_;
    std::unique_ptr<PoolT> pool_, foreign_;
    std::size_t capacity_ = 0;
    std::pmr::memory_resource* resource_ = nullptr;
    std::size_t blockBytes_ = 0;
    std::vector<Object> objects_;  // by id
    std::vector<Live> live_;
    std::vector<Kept> kept_;
    std::size_t block_ = 0;
    std::size_t highWater_ = 0;
    std::uint64_t acquisitions_ = 0, releases_ = 0, failed_ = 0, misuses_ = 0, destroyed_ = 0;
    std::uint64_t reported_ = 0, foreignMisuses_ = 0;
};

template <class Policy, std::size_t I>
using StaticPoolFor = audiopool::ObjectPool<TrackedFor<Policy>, 2 + I % 3, Policy>;
template <class Policy>
using DynamicPoolFor = audiopool::ObjectPool<TrackedFor<Policy>, audiopool::dynamic, Policy>;

template <class Policies, class Indices>
struct HarnessTuple;
template <class... Policies, std::size_t... I>
struct HarnessTuple<std::tuple<Policies...>, std::index_sequence<I...>> {
    using type = std::tuple<Harness<StaticPoolFor<Policies, I>>...,
                            Harness<audiopool::ObjectPool<TrackedObject<true>, 3, audiopool::BasicOwnerThread<0>>>,
                            Harness<DynamicPoolFor<Policies>>...>;
};
using Harnesses = HarnessTuple<audiopool::BuiltinPolicies,
                               std::make_index_sequence<std::tuple_size_v<audiopool::BuiltinPolicies>>>::type;
constexpr std::size_t harnessCount = std::tuple_size_v<Harnesses>;

template <class Fn>
void withHarness(Harnesses& all, std::size_t index, Fn&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((I == index ? (f(std::get<I>(all)), 0) : 0), ...);
    }(std::make_index_sequence<harnessCount>{});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    audiopool::setMisuseHandler(&countMisuse);
    misusesReported = 0;
    Input in(data, size);
    Harnesses all;
    // A step: a byte picks a harness (with the four built-in policies: 0-3
    // static, 4 OwnerThread with no lanes, 5-8 dynamic), the next its operation.
    while (!in.done()) {
        withHarness(all, in.below(harnessCount), [&](auto& h) { h.step(in); });
        std::uint64_t misuses = 0;
        std::apply([&](const auto&... h) { misuses = (h.misuses() + ...); }, all);
        EXPECT(misusesReported == misuses);
    }
    return 0;
}
