// A user's audio callback marked [[clang::nonblocking]] that calls every
// member audiopool documents as safe on the audio thread, for each policy (the
// four shipped and one written here as a user would) and for float and
// double samples. Compiled by check_effects.py with -Werror=function-effects
// (clang >= 20) in header and module mode, with and without NDEBUG: it
// compiles only if the function effect analysis proves every one of those
// calls nonblocking. With AUDIOPOOL_EFFECTS_MUST_FAIL defined, the callback
// also does one thing that blocks (`new`, or std::mutex::lock), and the
// compile must fail with the analysis' message: the check bites.
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include "audiopool/audiopool.hpp"
#endif
// After the import (a module user includes nothing before it).
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <tuple>
#include <utility>

#include "tests/support/juce_shaped_buffer.hpp"
#include "tests/verification/effects/arena_calls.hpp"
#include "tests/verification/effects/cache_calls.hpp"
#include "tests/verification/effects/handoff_calls.hpp"
#include "tests/verification/effects/object_pool_calls.hpp"

namespace {

/// A free-list policy written as a user would: a wait-free bitmask of up to 64
/// buffers for one thread, its members marked nonblocking as the shipped
/// policies' are (docs/choosing-a-policy.md, "Writing a policy").
struct BitmaskPolicy {
    template <std::size_t Capacity>
    struct FreeList
        : audiopool::FreeListTraits<audiopool::Progress::WaitFree, 64, false, audiopool::ThreadRule::OneThread> {
        audiopool::Popped pop() noexcept [[clang::nonblocking]] {
            if (free_ == 0) return {audiopool::Popped::none, static_cast<std::uint32_t>(Capacity)};
            const auto index = static_cast<std::uint32_t>(__builtin_ctzll(free_));
            free_ &= free_ - 1;
            ++pops_;
            return {index, static_cast<std::uint32_t>(Capacity - __builtin_popcountll(free_))};
        }
        void push(std::uint32_t index) noexcept [[clang::nonblocking]] {
            free_ |= std::uint64_t{1} << index;
            ++pushes_;
        }
        audiopool::FreeListCounts counts() const noexcept [[clang::nonblocking]] {
            return {static_cast<std::size_t>(__builtin_popcountll(free_)), pops_, pushes_};
        }

    private:
        std::uint64_t free_ = Capacity == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << Capacity) - 1;
        std::uint64_t pops_ = 0, pushes_ = 0;
    };
};
static_assert(audiopool::FreeListPolicy<BitmaskPolicy>);

/// A misuse handler the audio thread may run: counts, nothing else.
std::uint64_t misusesSeen = 0;
void countMisuse(const audiopool::MisuseReport&) noexcept [[clang::nonblocking]] { ++misusesSeen; }

#if defined(AUDIOPOOL_EFFECTS_MUST_FAIL)
std::mutex blockingLock;
#endif

/// Every audio-thread call, from one nonblocking function.
template <class Pool>
void processBlock(Pool& pool, typename Pool::Sample* const* io, std::size_t channels, std::size_t frames,
                  test::JuceShapedBuffer<typename Pool::Sample>& juce) noexcept [[clang::nonblocking]] {
    using Sample = typename Pool::Sample;
    typename Pool::Unique tmp = pool.acquire(channels, frames);
    if (!tmp) return;
    (void)tmp.numChannels();
    (void)tmp.numFrames();
    (void)tmp.index();
    const std::span<Sample> left = tmp.channel(0);
    if (!left.empty()) left[0] = Sample(1);
    Sample* const* pointers = tmp.channelPointers();
    (void)pointers;
    tmp.clear();
    (void)tmp.copyFrom(io, channels, frames);
    const Sample* const* constIo = io;
    (void)tmp.copyFrom(constIo, channels, frames);
    (void)tmp.copyTo(io, channels, frames);

    // JUCE-shaped buffers and handle to handle.
    (void)tmp.copyFrom(juce);
    (void)tmp.copyTo(juce);
    typename Pool::Unique other = pool.acquire();
    if (other) {
        (void)other.copyFrom(tmp);
        (void)tmp.copyTo(other);
    }

    // Views: over the host's pointers, a handle and a JUCE-shaped buffer;
    // sub-views, chunks of a view, copies that take views.
    const audiopool::View<Sample> host(io, channels, frames);
    for (const audiopool::View<Sample> chunk : audiopool::chunks(host, pool.sizes().frames)) (void)tmp.copyFrom(chunk);
    const audiopool::View<Sample> ofHandle = tmp.view();
    (void)ofHandle.frames(1, 2).channels(0, 1).copyTo(host);
    const audiopool::View<Sample> ofJuce(juce);
    ofJuce.channels(0, 1).clear();
    (void)ofJuce.channel(0).size();
    (void)host.copyFrom(ofJuce);

    // Through a PoolRef: a Buffer taken, used, moved and given back.
    const audiopool::PoolRef<Sample> ref = pool;
    audiopool::Buffer<Sample> fromRef = ref.acquire(channels, frames);
    if (fromRef) {
        fromRef.clear();
        (void)fromRef.copyFrom(host);
        (void)fromRef.view().frames(0, 1).copyTo(host);
        audiopool::Buffer<Sample> movedRef(std::move(fromRef));
        fromRef = ref.acquire();
        movedRef.reset();
    }
    (void)ref.stats();

    // Moves, move-assignment, reset, detach, release, adopt.
    typename Pool::Unique moved(std::move(tmp));
    tmp = std::move(moved);
    moved = pool.acquire();
    moved.reset();
    audiopool::Detached detached = tmp.detach();
    typename Pool::Unique adopted = pool.adopt(detached);
    detached = adopted.detach();
    (void)pool.release(detached);
    (void)pool.release(detached);  // a double release: reported to countMisuse, never blocks

    // Shared handles: from a Unique, acquireShared, copies, moves, reset, useCount.
    typename Pool::Shared shared(std::move(other));
    typename Pool::Shared second = pool.acquireShared(channels, frames);
    typename Pool::Shared copy(second);
    copy = shared;
    typename Pool::Shared movedShared(std::move(copy));
    movedShared = std::move(second);
    (void)movedShared.useCount();
    (void)shared.channel(1);
    shared.reset();

    const audiopool::Stats stats = pool.stats();
    (void)stats;

#if AUDIOPOOL_EFFECTS_MUST_FAIL == 1
    int* leak = new int(1);  // must fail: allocates
    (void)leak;
#elif AUDIOPOOL_EFFECTS_MUST_FAIL == 2
    blockingLock.lock();  // must fail: may block
    blockingLock.unlock();
#endif
}

template <class Pool>
constinit Pool pool{};

/// A prepared pool of the same sizes (every extent dynamic), one per policy.
template <class Sample, class Policy>
using PreparedPool = audiopool::Pool<Sample, audiopool::dynamic, audiopool::dynamic, audiopool::dynamic, Policy>;

template <class Sample, class Policy>
void run(Sample* const* io, test::JuceShapedBuffer<Sample>& juce) noexcept [[clang::nonblocking]] {
    processBlock(pool<audiopool::Pool<Sample, 2, 64, 8, Policy>>, io, 2, 64, juce);
}
template <class Sample, class Policy>
void runPrepared(Sample* const* io, test::JuceShapedBuffer<Sample>& juce) noexcept [[clang::nonblocking]] {
    processBlock(pool<PreparedPool<Sample, Policy>>, io, 2, 64, juce);
}
/// prepare() allocates: called before the callback, as a host's prepareToPlay would.
template <class... Policies>
bool prepareEach(std::tuple<Policies...>*) {
    return (... && (pool<PreparedPool<float, Policies>>.prepare({2, 64, 8}) &&
                    pool<PreparedPool<double, Policies>>.prepare({2, 64, 8})));
}

/// Every built-in policy (the library's one list) and the one written here.
using EveryPolicy = decltype(std::tuple_cat(std::declval<audiopool::BuiltinPolicies>(), std::tuple<BitmaskPolicy>{}));

template <class Sample, class... Policies>
void runEach(std::tuple<Policies...>*, Sample* const* io, test::JuceShapedBuffer<Sample>& juce) noexcept
    [[clang::nonblocking]] {
    (run<Sample, Policies>(io, juce), ...);
}
template <class Sample, class... Policies>
void runEachPrepared(std::tuple<Policies...>*, Sample* const* io, test::JuceShapedBuffer<Sample>& juce) noexcept
    [[clang::nonblocking]] {
    (runPrepared<Sample, Policies>(io, juce), ...);
}

/// The callback a host calls: every policy, float and double.
void audioCallback(float* const* f, double* const* d, test::JuceShapedBuffer<float>& juceFloat,
                   test::JuceShapedBuffer<double>& juceDouble) noexcept [[clang::nonblocking]] {
    runEach<float>(static_cast<EveryPolicy*>(nullptr), f, juceFloat);
    runEach<double>(static_cast<EveryPolicy*>(nullptr), d, juceDouble);
    runEachPrepared<float>(static_cast<audiopool::BuiltinPolicies*>(nullptr), f, juceFloat);
    runEachPrepared<double>(static_cast<audiopool::BuiltinPolicies*>(nullptr), d, juceDouble);
    effects_object_pool::audioCalls();
    effects_arena::audioCalls();
    effects_handoff::audioCalls();
    effects_cache::audioCalls();
}

/// processBlock runs once per policy and sample type, and once more per
/// built-in policy and sample type on a prepared pool, with one double release each.
constexpr std::size_t processBlockCalls =
    2 * std::tuple_size_v<EveryPolicy> + 2 * std::tuple_size_v<audiopool::BuiltinPolicies>;

} // namespace

int main() {
    audiopool::setMisuseHandler(countMisuse);
    float left[64] = {}, right[64] = {};
    double dleft[64] = {}, dright[64] = {};
    float* f[] = {left, right};
    double* d[] = {dleft, dright};
    test::JuceShapedBuffer<float> juceFloat(2, 64);  // allocates: before the callback, as a host would
    test::JuceShapedBuffer<double> juceDouble(2, 64);
    if (!prepareEach(static_cast<audiopool::BuiltinPolicies*>(nullptr))) return 1;
    effects_object_pool::setUp();
    effects_arena::setUp();
    effects_handoff::setUp();
    effects_cache::setUp();
    audioCallback(f, d, juceFloat, juceDouble);
    return misusesSeen == processBlockCalls ? 0 : 1;  // one double release in each processBlock call
}
