// bench/callback.cpp — whole simulated audio callbacks, timed one by one on a
// render thread, with the buffers each callback needs managed by each
// strategy in turn, under each background load (bench/load.hpp).
//
// One callback, of 64 or 256 frames (at 48 kHz, 1.33 or 5.33 ms of audio;
// the same code for every strategy, written once below as
// Render<Strategy>::callback):
//   1. takes 4 busses of 2, 4, 6 and 8 channels and clears them;
//   2. takes a 2-channel temporary for each of 32 voices and renders the
//      voice into it (a saw oscillator through a state-variable low-pass per
//      channel: a serial chain of a few multiply-adds per sample);
//   3. mixes each voice into a bus and gives the temporary back, except one
//      voice in 8 (rotating), whose buffer is handed to a worker thread
//      through a single-producer single-consumer queue (bench::SpscQueue); the
//      worker (waking every millisecond) reads it (a peak meter, as an
//      analyser or disk writer would), holds the last 32 it received and
//      releases the oldest. A strategy that cannot release on another thread
//      (static, IndexStack, the unsynchronized pmr pool) keeps those buffers
//      on the render thread in the same 32-deep line and releases them
//      itself, so every strategy has the same buffers out at once;
//   4. soft-clips each bus into a stereo output and gives the busses back.
//
// Strategies (the same work each; Voice and Bus are what they hand out):
//   static               buffers assigned once before the run (no management: the limit)
//   static hand-off      the same, handing voices to the worker, which only
//                        reads them (the limit for the strategies that hand off)
//   every built-in policy (audiopool::BuiltinPolicies)   audiopool pools,
//                        prefaulted, used as its thread rule allows
//                        (StrategyFor): IndexStack keeps every buffer on the
//                        render thread; SpscRing has a pool for the voices
//                        that stay, whose releasing thread is the render
//                        thread, and one for the voices handed off, whose
//                        releasing thread is the worker; Treiber and
//                        OwnerThread have one pool, released to on both)
//   Treiber cached       the Treiber pool with a thread cache on the render
//                        thread (audiopool/cache.hpp): its own releases go into
//                        the cache, the worker's to the shared list
//   malloc/free, new[]/delete[]     one allocation per buffer, of its exact size
//   pmr unsync pool, pmr sync pool  std::pmr::unsynchronized_pool_resource and
//                        synchronized_pool_resource over new_delete_resource,
//                        pooling blocks up to an 8-channel bus
//   mutex free list, boost lockfree stack   a free list of buffer indices
//                        (bench/peers.hpp) over prefaulted storage
// Pools and free lists are sized so that they never run dry (a full hand-off
// queue included); an acquire that finds one dry is counted and reported.
//
// Method: callbacks run back to back (a real 1.33 ms callback cannot be run
// 10^6 times), each timed between two fenced TSC reads. Each load and block
// size is measured as R repetitions (--repeats, default 5) of seconds / R
// each; within a repetition the strategies take turns in slices of about
// 20 ms (shorter when a repetition would not hold one slice of each), in
// rotating order, so a noisy moment on the machine is spread over all of
// them; each slice starts with 10 untimed callbacks. The deadline is
// relative: budget = 2 x the static strategy's median callback at that block
// size and load, so the baseline's own work takes half of it; a miss is a
// callback over the budget. Page faults: getrusage(RUSAGE_THREAD) on the
// render thread around the timed callbacks of each slice. The render thread,
// the worker and the load thread share the machine's cores; nothing is
// pinned. The render thread asks for SCHED_FIFO (priority 70, as an audio
// host's callback thread would run; --fifo=off to stay at SCHED_OTHER), and
// takes it only when the kernel throttles real-time threads
// (kernel.sched_rt_runtime_us >= 0, 950000 by default), since it never
// sleeps; the threads it starts do not inherit it (SCHED_RESET_ON_FORK). The
// output says which it got and why. The price: a worker queued on the render
// thread's core waits there until the scheduler moves it, so a strategy that
// hands off finds the hand-off queue full more often (counted, and charged to
// the callback that waits).
//
// Percentiles, excess and ratio_* are read off all of a strategy's samples
// (the R repetitions pooled). The verdicts use the repetitions: each
// repetition gives each strategy's ratio to static, and to its limit (the
// static strategy doing the same hand-offs: "static" for those that keep
// every buffer on the render thread, "static hand-off" for those that hand
// buffers to the worker), at p50 and p99.9; a verdict reads the median of
// those R ratios, and their range (lowest..highest) says how far one
// repetition can be from another. A pool strategy's target, against its
// limit: p50 <= 1.02 x static (render thread only) or <= 1.03 x static
// hand-off (hand-off), and p99.9 <= 1.10 x. Met when the median and the whole
// range are within the target, MISSED when the whole range is beyond it,
// inconclusive otherwise (the run too short to tell). A peer is "as good"
// when its medians are within its kind's target or no further from its limit
// than the best audiopool policy, else "behind".
//
// Prints one table per load and block size (percentiles, excess over static,
// ratios to static and to the limit, misses, faults, verdict), a verdict per
// load (each strategy's worse block size) and the targets (each pool within
// its target under every load; no page fault in a pool strategy's callbacks).
// Options: --seconds=S (per load and block size, all strategies and
//          repetitions; default 6), --repeats=R (default 5),
//          --loads=none,cache,churn (which loads, default all; they run in
//          this order whatever the list says: see bench/load.hpp),
//          --fifo=auto|off (the render thread's scheduling; default auto),
//          --csv=PATH, --json=PATH (the results), --ccdf=PATH (the distributions, to plot).
// Profile mode (scripts/bench-callback-profile.sh runs it under valgrind, to
// count where each strategy's instructions and cache misses go):
//          --profile=STRATEGY --callbacks=N [--frames=64|256] runs only that
//          strategy (and the worker, when it hands off), with no load and no
//          clock read: 100 warm-up callbacks, then N; prints one line (the
//          strategy and its limit) and exits. --profile=list prints the
//          strategies' names, one per line.
#include "spsc_queue.hpp"
#include "each_type.hpp"
#include "load.hpp"
#include "peers.hpp"
#include "report.hpp"
#include "timing.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <memory_resource>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

namespace {

// ---- the shape of a callback ----

constexpr std::uint32_t maxFrames = 256;
constexpr std::uint32_t blockSizes[] = {64, 256};
constexpr std::uint32_t voices = 32;
constexpr std::uint32_t voiceChannels = 2;
constexpr std::uint32_t busCount = 4;
constexpr std::uint32_t busChannels[busCount] = {2, 4, 6, 8};
constexpr std::uint32_t maxBusChannels = 8;
constexpr std::uint32_t handOffEvery = 8;  // one voice buffer in 8 goes to the worker
constexpr std::uint32_t handOffsPerCallback = voices / handOffEvery;
constexpr std::uint32_t held = 32;            // buffers the worker (or render thread) holds before releasing
constexpr std::size_t handOffSlots = 4096;    // the hand-off queue: ~10 ms of callbacks at 64 frames

// Pool sizes: never dry. Voices that stay on the render thread: all voices
// and the held line. Voices shared with the worker: also a full hand-off
// queue and the worker's line.
constexpr std::size_t localVoiceCapacity = voices + held + handOffsPerCallback;
constexpr std::size_t sharedVoiceCapacity = voices + handOffSlots + held + 2 * handOffsPerCallback;
constexpr std::size_t busCapacity = busCount;

constexpr int warmUpCallbacks = 10;  // untimed, at the start of every slice
constexpr double sliceSeconds = 0.02;
constexpr int profileWarmUpCallbacks = 100;  // profile mode: past the first trips round the held lines

// The targets, each against the strategy's limit (the static strategy doing
// the same hand-offs). A strategy that keeps every buffer on the render
// thread is compared with static and has less room than one that hands
// buffers off, whose excess over static hand-off also holds the cross-thread
// release.
constexpr double targetP50OnRenderThread = 1.02;
constexpr double targetP50HandingOff = 1.03;
constexpr double targetP999 = 1.10;
constexpr double targetP50(bool crossThread) { return crossThread ? targetP50HandingOff : targetP50OnRenderThread; }

// The render thread's real-time priority under --fifo=auto: mid-range (1..99),
// as audio hosts give their callback threads.
constexpr int renderPriority = 70;

// ---- buffers that are not pool handles ----

/// A buffer from a strategy that is not an audiopool pool: its samples
/// (channel c at data + c * stride) and what giving it back needs.
struct Block {
    float* data = nullptr;
    std::uint32_t stride = 0;
    std::uint32_t channels = 0;
    std::uint32_t frames = 0;
    std::uint32_t index = 0;  // the free-list peers' buffer index
    explicit operator bool() const { return data != nullptr; }
    std::size_t bytes() const { return std::size_t{channels} * frames * sizeof(float); }
};

inline float* channel(const Block& b, std::uint32_t c) { return b.data + c * b.stride; }
template <class Handle>
    requires requires(const Handle& h) { h.channelPointers(); }
float* channel(const Handle& h, std::uint32_t c) {
    return h.channelPointers()[c];
}

// ---- the strategies ----
// Each: name, kind ("limit", "pool", "peer"), crossThread (may the worker
// release), Voice and Bus types, acquireVoice(voice, frames, handedOff),
// acquireBus(bus, channels, frames), releaseVoice / releaseBus on the render
// thread, and releaseVoiceOnWorker when crossThread. An empty Voice or Bus
// means the strategy ran dry (counted; never expected).

/// Static buffers, with or without the hand-off: the limit for the
/// strategies that keep every buffer on the render thread ("static") and for
/// those that hand some to the worker ("static hand-off", whose worker reads
/// them and lets them go without any release). Either way no management at
/// all: "acquire" picks a buffer assigned before the run.
template <bool HandsOff>
class StaticStrategy {
public:
    static constexpr const char* name = HandsOff ? "static hand-off" : "static";
    static constexpr const char* kind = "limit";
    static constexpr bool crossThread = HandsOff;
    using Voice = Block;
    using Bus = Block;

    Voice acquireVoice(std::uint32_t voice, std::uint32_t frames, bool handedOff) {
        // A voice handed off is held for a while: it takes the next buffer of
        // a ring instead of its own.
        float* data = handedOff ? storage_->ring[nextRing_++ % ringSize] : storage_->perVoice[voice];
        return {data, frames, voiceChannels, frames};
    }
    Bus acquireBus(std::uint32_t bus, std::uint32_t channels, std::uint32_t frames) {
        return {storage_->busses[bus], frames, channels, frames};
    }
    void releaseVoice(Voice& v) { v = {}; }
    void releaseBus(Bus& b) { b = {}; }
    void releaseVoiceOnWorker(Voice& v) { v = {}; }

private:
    // Kept on the render thread: the held line and this callback's. Handed
    // off: the ring is longer than the queue plus the one buffer the worker
    // may be reading, so a ring buffer is written again only after the
    // worker has popped the buffer after it — which it does after reading
    // this one — and the render thread saw that pop (the queue's acquire)
    // before its last push.
    static constexpr std::size_t ringSize =
        HandsOff ? handOffSlots + held + handOffsPerCallback + 2 : held + handOffsPerCallback + 1;
    struct Storage {
        alignas(64) float perVoice[voices][voiceChannels * maxFrames];
        alignas(64) float ring[ringSize][voiceChannels * maxFrames];
        alignas(64) float busses[busCount][maxBusChannels * maxFrames];
    };
    std::unique_ptr<Storage> storage_ = std::make_unique<Storage>();  // value-initialised: every page touched
    std::uint32_t nextRing_ = 0;
};

/// The limit a strategy is judged against: the static strategy that hands
/// buffers to the worker as it does (static hand-off's is itself).
template <class Strategy>
constexpr const char* limitOf = Strategy::crossThread ? StaticStrategy<true>::name : StaticStrategy<false>::name;

template <class Policy, std::size_t Capacity, std::uint32_t Channels>
using CallbackPool = audiopool::Pool<float, Channels, maxFrames, Capacity, Policy>;
// Pools in static storage, as a plugin keeps them (each strategy's pools have
// a type of their own: SpscRing's two voice pools differ in capacity).
template <class Policy, std::size_t Capacity, std::uint32_t Channels>
constinit CallbackPool<Policy, Capacity, Channels> callbackPool;

template <class Policy, std::size_t VoiceCapacity>
class PoolStrategy {
    using VoicePool = CallbackPool<Policy, VoiceCapacity, voiceChannels>;
    using BusPool = CallbackPool<Policy, busCapacity, maxBusChannels>;

public:
    static constexpr const char* name = Policy::name.data();
    static constexpr const char* kind = "pool";
    static constexpr bool crossThread = VoicePool::crossThread;
    using Voice = typename VoicePool::Unique;
    using Bus = typename BusPool::Unique;

    PoolStrategy() {
        voices_.prefault();
        busses_.prefault();
    }
    Voice acquireVoice(std::uint32_t, std::uint32_t frames, bool) { return voices_.acquire(voiceChannels, frames); }
    Bus acquireBus(std::uint32_t, std::uint32_t channels, std::uint32_t frames) {
        return busses_.acquire(channels, frames);
    }
    void releaseVoice(Voice& v) { v.reset(); }
    void releaseBus(Bus& b) { b.reset(); }
    void releaseVoiceOnWorker(Voice& v) { v.reset(); }

private:
    VoicePool& voices_ = callbackPool<Policy, VoiceCapacity, voiceChannels>;
    BusPool& busses_ = callbackPool<Policy, busCapacity, maxBusChannels>;
};

/// The any-thread policy's pool with a thread cache on the render thread
/// (Pool::cache, audiopool/cache.hpp): the render thread acquires from its
/// cache and gives its own voices and busses back into it (no locked
/// instruction until a batch moves); the worker drops what it was handed,
/// which goes back to the pool's shared list, from where the cache's next
/// refill takes a batch.
template <class Policy>
class CachedPoolStrategy {
    static constexpr std::size_t voiceCacheSize = 16;
    static constexpr std::size_t busCacheSize = 8;
    using VoicePool = CallbackPool<Policy, sharedVoiceCapacity + voiceCacheSize, voiceChannels>;
    using BusPool = CallbackPool<Policy, busCapacity + busCacheSize, maxBusChannels>;

public:
    static constexpr const char* name = "Treiber cached";
    static constexpr const char* kind = "pool";
    static constexpr bool crossThread = true;
    using Voice = typename VoicePool::Unique;
    using Bus = typename BusPool::Unique;

    CachedPoolStrategy() {
        voicePool_.prefault();
        busPool_.prefault();
    }
    Voice acquireVoice(std::uint32_t, std::uint32_t frames, bool) { return voices_.acquire(voiceChannels, frames); }
    Bus acquireBus(std::uint32_t, std::uint32_t channels, std::uint32_t frames) {
        return busses_.acquire(channels, frames);
    }
    void releaseVoice(Voice& v) { voices_.release(std::move(v)); }
    void releaseBus(Bus& b) { busses_.release(std::move(b)); }
    void releaseVoiceOnWorker(Voice& v) { v.reset(); }

private:
    VoicePool& voicePool_ = callbackPool<Policy, sharedVoiceCapacity + voiceCacheSize, voiceChannels>;
    BusPool& busPool_ = callbackPool<Policy, busCapacity + busCacheSize, maxBusChannels>;
    // Made on the thread that makes the strategy (the render thread: see main()).
    audiopool::PoolCache<VoicePool, voiceCacheSize> voices_ = voicePool_.template cache<voiceCacheSize>();
    audiopool::PoolCache<BusPool, busCacheSize> busses_ = busPool_.template cache<busCacheSize>();
};

/// "prepared " and the policy's name, as a constant.
template <class Policy>
constexpr auto preparedName = [] {
    constexpr std::string_view prefix = "prepared ";
    std::array<char, prefix.size() + Policy::name.size() + 1> text{};
    std::copy(prefix.begin(), prefix.end(), text.begin());
    std::copy(Policy::name.begin(), Policy::name.end(), text.begin() + prefix.size());
    return text;
}();

/// The same as PoolStrategy, with every extent of both pools dynamic and
/// given by prepare() when the strategy is made (as a plugin's
/// prepareToPlay would): the "prepared" row, whose excess over the policy's
/// own row is what sizes from the host cost a callback.
template <class Policy, std::size_t VoiceCapacity>
class PreparedPoolStrategy {
    using DynamicPool = audiopool::Pool<float, audiopool::dynamic, audiopool::dynamic, audiopool::dynamic, Policy>;

public:
    static constexpr const char* name = preparedName<Policy>.data();
    static constexpr const char* kind = "pool";
    static constexpr bool crossThread = DynamicPool::crossThread;
    using Voice = typename DynamicPool::Unique;
    using Bus = typename DynamicPool::Unique;

    PreparedPoolStrategy() {
        if (!voices_.prepare({voiceChannels, maxFrames, VoiceCapacity}) ||
            !busses_.prepare({maxBusChannels, maxFrames, busCapacity})) {
            std::fprintf(stderr, "prepared pools: prepare() refused\n");
            std::abort();
        }
    }
    Voice acquireVoice(std::uint32_t, std::uint32_t frames, bool) { return voices_.acquire(voiceChannels, frames); }
    Bus acquireBus(std::uint32_t, std::uint32_t channels, std::uint32_t frames) {
        return busses_.acquire(channels, frames);
    }
    void releaseVoice(Voice& v) { v.reset(); }
    void releaseBus(Bus& b) { b.reset(); }
    void releaseVoiceOnWorker(Voice& v) { v.reset(); }

private:
    DynamicPool voices_;
    DynamicPool busses_;
};

/// A policy with one releasing thread per pool (SpscRing): voices that stay
/// are taken from a pool the render thread also releases to, voices handed
/// off from a pool only the worker releases to. Which one is known when the
/// voice takes its buffer.
template <class Policy>
class SplitPoolStrategy {
    using LocalPool = CallbackPool<Policy, localVoiceCapacity, voiceChannels>;
    using HandOffPool = CallbackPool<Policy, sharedVoiceCapacity, voiceChannels>;
    using BusPool = CallbackPool<Policy, busCapacity, maxBusChannels>;

public:
    static constexpr const char* name = Policy::name.data();
    static constexpr const char* kind = "pool";
    static constexpr bool crossThread = true;
    /// A voice's buffer: from one pool or the other.
    struct Voice {
        typename LocalPool::Unique local;
        typename HandOffPool::Unique handedOff;
        explicit operator bool() const { return bool(local) || bool(handedOff); }
        float* const* channelPointers() const { return local ? local.channelPointers() : handedOff.channelPointers(); }
    };
    using Bus = typename BusPool::Unique;

    SplitPoolStrategy() {
        local_.prefault();
        handOff_.prefault();
        busses_.prefault();
    }
    Voice acquireVoice(std::uint32_t, std::uint32_t frames, bool handedOff) {
        Voice v;
        if (handedOff) v.handedOff = handOff_.acquire(voiceChannels, frames);
        else v.local = local_.acquire(voiceChannels, frames);
        return v;
    }
    Bus acquireBus(std::uint32_t, std::uint32_t channels, std::uint32_t frames) {
        return busses_.acquire(channels, frames);
    }
    void releaseVoice(Voice& v) { v.local.reset(); }  // never a handed-off one: those go to the worker
    void releaseBus(Bus& b) { b.reset(); }
    void releaseVoiceOnWorker(Voice& v) { v.handedOff.reset(); }

private:
    LocalPool& local_ = callbackPool<Policy, localVoiceCapacity, voiceChannels>;
    HandOffPool& handOff_ = callbackPool<Policy, sharedVoiceCapacity, voiceChannels>;
    BusPool& busses_ = callbackPool<Policy, busCapacity, maxBusChannels>;
};

/// Each built-in policy's strategy, by its thread rule: a one-thread policy
/// keeps every buffer on the render thread (as static does); a policy with
/// one releasing thread splits its voices over two pools; the others hand
/// voices off and take them back on one pool (OwnerThread: the worker's
/// releases go to its lane).
template <class Policy, audiopool::ThreadRule Rule = CallbackPool<Policy, busCapacity, maxBusChannels>::threadRule>
using StrategyFor =
    std::conditional_t<Rule == audiopool::ThreadRule::OneThread, PoolStrategy<Policy, localVoiceCapacity>,
                       std::conditional_t<Rule == audiopool::ThreadRule::OneAcquirerOneReleaser,
                                          SplitPoolStrategy<Policy>, PoolStrategy<Policy, sharedVoiceCapacity>>>;

/// The largest pool a policy's strategy needs (every strategy is sized never
/// to run dry), and whether the policy can hold that many buffers: a policy
/// with a smaller maxCapacity is not run here, and the output says so.
template <class Policy, audiopool::ThreadRule Rule = CallbackPool<Policy, busCapacity, maxBusChannels>::threadRule>
constexpr std::size_t capacityNeeded =
    Rule == audiopool::ThreadRule::OneThread ? localVoiceCapacity : sharedVoiceCapacity;
template <class Policy>
constexpr std::size_t maxCapacityOf = Policy::template FreeList<1>::maxCapacity;
template <class Policy>
constexpr bool fitsTheCallback = maxCapacityOf<Policy> >= capacityNeeded<Policy>;

/// A built-in policy the benchmark could not run, and why.
struct NotRun {
    std::string strategy, why;
};

/// A strategy whose buffers are Blocks from Sources: voices() and busses()
/// each allocate(channels, frames) -> Block and free(Block&) (the same
/// allocator for both, or a free list of each size).
template <class Sources>
class BlockStrategy {
public:
    static constexpr const char* name = Sources::name;
    static constexpr const char* kind = "peer";
    static constexpr bool crossThread = Sources::crossThread;
    using Voice = Block;
    using Bus = Block;

    Voice acquireVoice(std::uint32_t, std::uint32_t frames, bool) {
        return sources_.voices().allocate(voiceChannels, frames);
    }
    Bus acquireBus(std::uint32_t, std::uint32_t channels, std::uint32_t frames) {
        return sources_.busses().allocate(channels, frames);
    }
    void releaseVoice(Block& b) { sources_.voices().free(b); }
    void releaseBus(Block& b) { sources_.busses().free(b); }
    void releaseVoiceOnWorker(Block& b) { sources_.voices().free(b); }

private:
    Sources sources_;
};

/// An allocator serves voices and busses alike, each of its exact size.
template <class Self>
struct OneAllocator {
    Self& voices() { return static_cast<Self&>(*this); }
    Self& busses() { return static_cast<Self&>(*this); }
};

/// malloc/free or new[]/delete[] (bench/peers.hpp).
template <bench::HeapKind Kind>
struct HeapAllocator : OneAllocator<HeapAllocator<Kind>> {
    static constexpr const char* name = Kind == bench::HeapKind::Malloc ? "malloc/free" : "new[]/delete[]";
    static constexpr bool crossThread = true;
    static Block allocate(std::uint32_t channels, std::uint32_t frames) {
        return {bench::HeapBlock<Kind>::allocate(std::size_t{channels} * frames), frames, channels, frames};
    }
    static void free(Block& b) {
        bench::HeapBlock<Kind>::free(b.data);
        b = {};
    }
};

/// Options for both pmr pools: pool every block the callback asks for (up to
/// an 8-channel bus; libstdc++'s default largest pooled block is smaller and
/// would send the busses to operator new).
inline std::pmr::pool_options pmrOptions() {
    std::pmr::pool_options options;
    options.largest_required_pool_block = std::size_t{maxBusChannels} * maxFrames * sizeof(float);
    return options;
}

/// A std::pmr pool resource over new_delete_resource; only the synchronized
/// one may be used from two threads.
template <class Resource>
struct PmrAllocator : OneAllocator<PmrAllocator<Resource>> {
    static constexpr bool crossThread = std::is_same_v<Resource, std::pmr::synchronized_pool_resource>;
    static constexpr const char* name = crossThread ? "pmr sync pool" : "pmr unsync pool";
    Block allocate(std::uint32_t channels, std::uint32_t frames) {
        Block b{nullptr, frames, channels, frames};
        b.data = static_cast<float*>(resource.allocate(b.bytes(), alignof(float)));
        return b;
    }
    void free(Block& b) {
        resource.deallocate(b.data, b.bytes(), alignof(float));
        b = {};
    }
    Resource resource{pmrOptions(), std::pmr::new_delete_resource()};
};

/// A free list of buffer indices from bench/peers.hpp over prefaulted storage.
template <template <std::size_t> class List, std::uint32_t Channels, std::size_t Capacity>
class ListBuffers {
public:
    Block allocate(std::uint32_t channels, std::uint32_t frames) {
        std::uint32_t index = 0;
        if (!storage_->list.pop(index)) return {};
        return {storage_->samples[index], maxFrames, channels, frames, index};
    }
    void free(Block& b) {
        storage_->list.push(b.index);
        b = {};
    }

private:
    struct Storage {
        List<Capacity> list;
        alignas(64) float samples[Capacity][Channels * maxFrames]{};
    };
    std::unique_ptr<Storage> storage_ = std::make_unique<Storage>();  // value-initialised: every page touched
};

/// A free list of voice buffers and one of bus buffers.
template <template <std::size_t> class List>
struct ListSources {
    static constexpr const char* name =
        std::is_same_v<List<1>, bench::MutexFreeList<1>> ? "mutex free list" : "boost lockfree stack";
    static constexpr bool crossThread = true;
    auto& voices() { return voiceLists; }
    auto& busses() { return busLists; }
    ListBuffers<List, voiceChannels, sharedVoiceCapacity> voiceLists;
    ListBuffers<List, maxBusChannels, busCapacity> busLists;
};

// ---- the work: the same for every strategy ----

/// One voice's synthesis state: a saw oscillator and a state-variable
/// low-pass per channel (Chamberlin), kept from callback to callback.
struct VoiceState {
    float phase = 0, increment = 0, cutoff = 0, damping = 0;
    float gain[voiceChannels]{}, low[voiceChannels]{}, band[voiceChannels]{};
};

VoiceState voiceState(std::uint32_t v) {
    constexpr float sampleRate = 48000.0f, pi = 3.14159265f;
    VoiceState s;
    s.increment = 55.0f * std::exp2(float(v) / 12.0f) / sampleRate;
    s.cutoff = 2.0f * std::sin(pi * (500.0f + 100.0f * float(v)) / sampleRate);
    s.damping = 0.5f;
    s.gain[0] = 0.1f * (1.0f - float(v) / voices);
    s.gain[1] = 0.1f * float(v + 1) / voices;
    return s;
}

/// Renders a voice into its two channels: a serial chain of a few
/// multiply-adds per sample and channel (the filter state feeds back). The
/// state is kept in locals during the loop, as DSP code does: the output
/// stores could alias it otherwise.
void renderVoice(VoiceState& s, float* const out[voiceChannels], std::uint32_t frames) {
    float phase = s.phase;
    float low[voiceChannels], band[voiceChannels], f[voiceChannels];
    for (std::uint32_t c = 0; c < voiceChannels; ++c) {
        low[c] = s.low[c];
        band[c] = s.band[c];
        f[c] = s.cutoff * (c == 0 ? 1.0f : 0.9f);
    }
    const float increment = s.increment, damping = s.damping;
    for (std::uint32_t i = 0; i < frames; ++i) {
        const float saw = 2.0f * phase - 1.0f;
        phase += increment;
        phase -= phase >= 1.0f ? 1.0f : 0.0f;
        for (std::uint32_t c = 0; c < voiceChannels; ++c) {
            low[c] += f[c] * band[c];
            band[c] += f[c] * (saw - low[c] - damping * band[c]);
            out[c][i] = low[c];
        }
    }
    s.phase = phase;
    for (std::uint32_t c = 0; c < voiceChannels; ++c) {
        s.low[c] = low[c];
        s.band[c] = band[c];
    }
}

/// The stereo output the busses are mixed into, and where it ends up (so
/// that no work can be optimised away).
alignas(64) float output[2][maxFrames];
volatile float outputSink = 0;
volatile float analysisSink = 0;  // the worker's reading of what it was handed

/// Hand-off or held line: keeps the last `held` buffers given to it and
/// releases the oldest when a new one comes.
template <class Buffer>
class HeldLine {
public:
    template <class Release>
    void add(Buffer&& b, Release&& release) {
        if (count_ == held) {
            release(slots_[first_]);
            first_ = (first_ + 1) % held;
            --count_;
        }
        slots_[(first_ + count_) % held] = std::move(b);
        ++count_;
    }
    template <class Release>
    void releaseAll(Release&& release) {
        for (; count_ > 0; --count_, first_ = (first_ + 1) % held) release(slots_[first_]);
    }

private:
    std::array<Buffer, held> slots_{};
    std::uint32_t first_ = 0, count_ = 0;
};

// ---- the worker thread ----

/// What the worker does for one strategy's slice: take what the render
/// thread hands off, and release it when done.
class WorkerJob {
public:
    virtual ~WorkerJob() = default;
    virtual void service() = 0;  // take what is waiting; release past the held line
    virtual void finish() = 0;   // release everything held
    std::atomic<bool> stopping{false};
};

/// One thread for the whole run, serving one job at a time. It wakes every
/// millisecond, like a disk writer or analyser that polls its queue (and so
/// takes a core from the render thread or the load now and then, as such a
/// thread does; more often would disturb every strategy's callbacks more).
class Worker {
public:
    Worker() : thread_([this] { run(); }) {}
    ~Worker() {
        quit_.store(true, std::memory_order_relaxed);  // relaxed: only a stop flag
        thread_.join();
    }
    /// Render thread: the worker serves `job` from now on.
    void start(WorkerJob& job) {
        job.stopping.store(false, std::memory_order_relaxed);  // published by the release below
        // release: the job (and its queue) is set up before the worker sees it.
        job_.store(&job, std::memory_order_release);
    }
    /// Render thread: after its last hand-off; returns once the worker has
    /// released every buffer of the job.
    void stop(WorkerJob& job) {
        // release: every hand-off before this is visible once the worker sees the flag.
        job.stopping.store(true, std::memory_order_release);
        // acquire: pairs with the worker's release below, so its releases are done.
        while (job_.load(std::memory_order_acquire) != nullptr)
            std::this_thread::sleep_for(std::chrono::microseconds(50));
    }

private:
    void run() {
        while (!quit_.load(std::memory_order_relaxed)) {
            // acquire: pairs with start()'s release.
            if (WorkerJob* job = job_.load(std::memory_order_acquire)) {
                // acquire: pairs with stop()'s release; read before the last
                // service, so that service sees every hand-off.
                const bool last = job->stopping.load(std::memory_order_acquire);
                job->service();
                if (last) {
                    job->finish();
                    // release: pairs with stop()'s acquire.
                    job_.store(nullptr, std::memory_order_release);
                    continue;
                }
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }

    std::atomic<WorkerJob*> job_{nullptr};
    std::atomic<bool> quit_{false};
    std::thread thread_;
};

template <class Strategy>
class HandOff final : public WorkerJob {
public:
    using Voice = typename Strategy::Voice;
    explicit HandOff(Strategy& strategy) : strategy_(strategy) {}

    /// Render thread: false when the queue is full.
    bool push(Voice&& v) { return queue_.push(std::move(v)); }
    void setFrames(std::uint32_t frames) { frames_ = frames; }

    void service() override {
        while (auto v = queue_.pop()) {
            float peak = 0;  // what an analyser reads
            for (std::uint32_t c = 0; c < voiceChannels; ++c) {
                const float* samples = channel(*v, c);
                for (std::uint32_t i = 0; i < frames_; ++i) peak = std::max(peak, std::fabs(samples[i]));
            }
            peak_ = std::max(peak_, peak);
            line_.add(std::move(*v), [&](Voice& old) { strategy_.releaseVoiceOnWorker(old); });
        }
    }
    void finish() override {
        line_.releaseAll([&](Voice& old) { strategy_.releaseVoiceOnWorker(old); });
        analysisSink = peak_;  // so that the reading is not optimised away
    }

private:
    Strategy& strategy_;
    std::uint32_t frames_ = 0;
    bench::SpscQueue<Voice, handOffSlots> queue_;
    HeldLine<Voice> line_;
    float peak_ = 0;
};

/// A job for strategies that never hand off (never started).
template <class Strategy>
class NoHandOff {
public:
    explicit NoHandOff(Strategy&) {}
};

// ---- one strategy on the render thread ----

struct Counts {
    std::uint64_t exhausted = 0;     // acquires that got nothing (must stay 0)
    std::uint64_t handOffWaits = 0;  // hand-offs that found the queue full (and waited)
    std::uint64_t pageFaults = 0;    // during timed callbacks
};

Counts operator-(Counts a, const Counts& b) {
    return {a.exhausted - b.exhausted, a.handOffWaits - b.handOffWaits, a.pageFaults - b.pageFaults};
}

template <class Strategy>
class Render {
public:
    using Voice = typename Strategy::Voice;
    using Bus = typename Strategy::Bus;

    Render() {
        for (std::uint32_t v = 0; v < voices; ++v) states_[v] = voiceState(v);
    }

    /// Runs `warmUp` untimed callbacks, then `count` timed ones into `ticks`
    /// (untimed too when ticks is null: the profile mode, which reads no
    /// clock).
    void run(Worker& worker, std::uint32_t frames, int warmUp, std::size_t count, std::uint32_t* ticks) {
        if constexpr (Strategy::crossThread) {
            handOff_.setFrames(frames);
            worker.start(handOff_);
        }
        for (int i = 0; i < warmUp; ++i) callback(frames);
        const std::uint64_t faults0 = faults();
        if (!ticks)
            for (std::size_t i = 0; i < count; ++i) callback(frames);
        else
            for (std::size_t i = 0; i < count; ++i) {
                const std::uint64_t t0 = bench::stamp();
                callback(frames);
                const std::uint64_t t1 = bench::stamp();
                ticks[i] = static_cast<std::uint32_t>(std::min<std::uint64_t>(t1 - t0, 0xFFFF'FFFFu));
            }
        counts.pageFaults += faults() - faults0;
        if constexpr (Strategy::crossThread) worker.stop(handOff_);
        else line_.releaseAll([&](Voice& v) { strategy_.releaseVoice(v); });
    }

    Counts counts;

private:
    static std::uint64_t faults() {
        rusage usage{};
        getrusage(RUSAGE_THREAD, &usage);
        return std::uint64_t(usage.ru_minflt) + std::uint64_t(usage.ru_majflt);
    }

    bool handedOff(std::uint32_t v) const { return (v + callbacks_) % handOffEvery == 0; }

    void callback(std::uint32_t frames) {
        // 1. Busses, cleared.
        for (std::uint32_t b = 0; b < busCount; ++b) {
            busses_[b] = strategy_.acquireBus(b, busChannels[b], frames);
            if (!busses_[b]) [[unlikely]] {
                ++counts.exhausted;
                continue;
            }
            for (std::uint32_t c = 0; c < busChannels[b]; ++c) std::fill_n(channel(busses_[b], c), frames, 0.0f);
        }
        // 2. Every voice renders into a temporary of its own.
        for (std::uint32_t v = 0; v < voices; ++v) {
            voices_[v] = strategy_.acquireVoice(v, frames, handedOff(v));
            if (!voices_[v]) [[unlikely]] {
                ++counts.exhausted;
                continue;
            }
            float* const out[voiceChannels] = {channel(voices_[v], 0), channel(voices_[v], 1)};
            renderVoice(states_[v], out, frames);
        }
        // 3. Mixed into its bus, then given back or handed off.
        for (std::uint32_t v = 0; v < voices; ++v) {
            if (!voices_[v]) [[unlikely]]
                continue;
            const std::uint32_t b = v % busCount;
            if (busses_[b]) [[likely]] {
                for (std::uint32_t c = 0; c < voiceChannels; ++c) {
                    float* to = channel(busses_[b], (2 * (v / busCount) + c) % busChannels[b]);
                    const float* from = channel(voices_[v], c);
                    const float gain = states_[v].gain[c];
                    for (std::uint32_t i = 0; i < frames; ++i) to[i] += gain * from[i];
                }
            }
            if (handedOff(v)) handOff(std::move(voices_[v]));
            else strategy_.releaseVoice(voices_[v]);
        }
        // 4. Busses soft-clipped into the output, then given back.
        for (auto& out : output) std::fill_n(out, frames, 0.0f);
        for (std::uint32_t b = 0; b < busCount; ++b) {
            if (!busses_[b]) [[unlikely]]
                continue;
            for (std::uint32_t c = 0; c < busChannels[b]; ++c) {
                const float* from = channel(busses_[b], c);
                float* to = output[c % 2];
                for (std::uint32_t i = 0; i < frames; ++i) to[i] += 0.25f * from[i] / (1.0f + std::fabs(from[i]));
            }
            strategy_.releaseBus(busses_[b]);
        }
        outputSink = output[0][frames - 1] + output[1][0];
        ++callbacks_;
    }

    void handOff(Voice&& v) {
        if constexpr (Strategy::crossThread) {
            // The worker fell a whole queue behind: wait (counted; the
            // callback is charged for it).
            if (handOff_.push(std::move(v))) [[likely]]
                return;
            ++counts.handOffWaits;
            while (!handOff_.push(std::move(v))) std::this_thread::yield();
        } else {
            line_.add(std::move(v), [&](Voice& old) { strategy_.releaseVoice(old); });
        }
    }

    Strategy strategy_;
    std::conditional_t<Strategy::crossThread, HandOff<Strategy>, NoHandOff<Strategy>> handOff_{strategy_};
    HeldLine<Voice> line_;  // strategies that never hand off hold their buffers here
    std::array<VoiceState, voices> states_{};
    std::array<Voice, voices> voices_{};
    std::array<Bus, busCount> busses_{};
    std::uint64_t callbacks_ = 0;
};

// ---- every strategy, each with its samples ----

class Contender {
public:
    virtual ~Contender() = default;
    virtual const char* name() const = 0;
    virtual std::string kind() const = 0;
    virtual const char* limit() const = 0;  // limitOf the strategy
    /// Render thread: one slice of `count` timed callbacks, appended to ticks.
    virtual void slice(Worker& worker, std::uint32_t frames, std::size_t count) = 0;
    /// Render thread: `warmUp` then `count` callbacks, none timed (the profile mode).
    virtual void untimed(Worker& worker, std::uint32_t frames, int warmUp, std::size_t count) = 0;
    virtual Counts counts() const = 0;
    virtual void reset() = 0;  // new load or block size: no samples, no counts
    /// Marks the end of a repetition: its samples are ticks[previous end, ticks.size()).
    void endRepetition() { repetitionEnds.push_back(ticks.size()); }
    std::vector<std::uint32_t> ticks;
    std::vector<std::size_t> repetitionEnds;
};

template <class Strategy>
class ContenderOf final : public Contender {
public:
    const char* name() const override { return Strategy::name; }
    std::string kind() const override { return Strategy::kind; }
    const char* limit() const override { return limitOf<Strategy>; }
    void slice(Worker& worker, std::uint32_t frames, std::size_t count) override {
        const std::size_t at = ticks.size();
        ticks.resize(at + count);  // zero-filled here, so no page fault inside the timed loop
        render_->run(worker, frames, warmUpCallbacks, count, ticks.data() + at);
    }
    void untimed(Worker& worker, std::uint32_t frames, int warmUp, std::size_t count) override {
        render_->run(worker, frames, warmUp, count, nullptr);
    }
    Counts counts() const override { return render_->counts - base_; }
    void reset() override {
        ticks.clear();
        repetitionEnds.clear();
        base_ = render_->counts;
    }

private:
    // On the heap: some strategies hold their buffers inline.
    std::unique_ptr<Render<Strategy>> render_ = std::make_unique<Render<Strategy>>();
    Counts base_;
};

// ---- results ----

/// One strategy at one load and block size, read off its samples.
struct Result {
    std::string load, strategy, kind, limit;
    bool handsOff = false;  // judged against static hand-off
    std::uint32_t frames = 0;
    std::size_t callbacks = 0, repeats = 0;
    bench::Percentiles us{};      // callback time, the repetitions pooled
    bench::Percentiles excess{};  // over static, same quantile (max: max - static max)
    double ratioP50 = 0, ratioP999 = 0;  // to static, the repetitions pooled
    // Each repetition's ratio, median and range over the repetitions: to
    // static, and to the limit.
    bench::Spread staticP50{}, staticP999{}, limitP50{}, limitP999{};
    double budgetUs = 0, missesPerMillion = 0;
    Counts counts;
    std::string verdict;  // limit; pool: met / MISSED / inconclusive; peer: as good / behind
    std::vector<std::pair<double, double>> tail;
    std::vector<bench::Percentiles> byRepetition;  // each repetition's own
};

/// Where a ratio to the limit stands against a target, as bench::Target
/// judges a median with its range: met, MISSED or inconclusive.
std::string judged(const bench::Spread& ratio, double target) {
    return bench::Target{"", ratio.median, target, false, ratio.low, ratio.high}.result();
}

/// The worse of two verdicts: MISSED over inconclusive over met.
std::string worse(const std::string& a, const std::string& b) {
    const auto rank = [](const std::string& v) { return v == "MISSED" ? 2 : v == "inconclusive" ? 1 : 0; };
    return rank(a) >= rank(b) ? a : b;
}

/// A pool's verdict from its ratios to its limit at p50 and p99.9.
std::string poolVerdict(const bench::Spread& p50, const bench::Spread& p999, bool handsOff) {
    return worse(judged(p50, targetP50(handsOff)), judged(p999, targetP999));
}

/// A peer is as good as the pools when its median ratios to its limit are
/// within the targets of a pool that hands off as it does, or no further
/// from the limit than the best audiopool policy's (at p50 and p99.9 each).
bool asGood(const Result& r, double bestP50, double bestP999) {
    return r.limitP50.median <= std::max(targetP50(r.handsOff), bestP50) &&
           r.limitP999.median <= std::max(targetP999, bestP999);
}

std::vector<Result> measure(std::vector<std::unique_ptr<Contender>>& contenders, Worker& worker,
                            const std::string& load, std::uint32_t frames, double seconds, int repeats, double perUs) {
    // Slices of about sliceSeconds, from the static strategy's callback time;
    // shorter when a repetition would not hold one slice of each strategy.
    Contender& baseline = *contenders.front();
    baseline.reset();
    baseline.slice(worker, frames, 200);
    const double estimateUs = bench::percentiles(baseline.ticks, perUs).p50;
    const double repetitionSeconds = seconds / repeats;
    const double sliceLength = std::min(sliceSeconds, repetitionSeconds / double(contenders.size()));
    const auto count = std::size_t(std::clamp(sliceLength * 1e6 / estimateUs, 20.0, 1e6));
    for (auto& c : contenders) c->reset();

    // The rotation runs on from one repetition to the next, so each starts
    // with another strategy.
    std::size_t round = 0;
    for (int repetition = 0; repetition < repeats; ++repetition) {
        const auto start = std::chrono::steady_clock::now();
        for (const std::size_t first = round; round == first || std::chrono::steady_clock::now() - start <
                                                                    std::chrono::duration<double>(repetitionSeconds);
             ++round)
            for (std::size_t k = 0; k < contenders.size(); ++k)
                contenders[(round + k) % contenders.size()]->slice(worker, frames, count);
        for (auto& c : contenders) c->endRepetition();
    }

    std::vector<Result> results;
    std::vector<std::uint32_t> part;  // one repetition's samples
    for (auto& c : contenders) {
        Result r;
        r.load = load;
        r.strategy = c->name();
        r.kind = c->kind();
        r.limit = c->limit();
        r.handsOff = r.limit == StaticStrategy<true>::name;
        r.frames = frames;
        r.callbacks = c->ticks.size();
        r.repeats = std::size_t(repeats);
        std::size_t from = 0;
        for (const std::size_t end : c->repetitionEnds) {
            part.assign(c->ticks.begin() + std::ptrdiff_t(from), c->ticks.begin() + std::ptrdiff_t(end));
            r.byRepetition.push_back(bench::percentiles(part, perUs));
            from = end;
        }
        r.us = bench::percentiles(c->ticks, perUs);  // sorts the ticks
        r.counts = c->counts();
        r.tail = bench::tail(c->ticks, perUs);
        results.push_back(std::move(r));
    }
    const Result& base = results.front();
    const auto named = [&](const std::string& name) -> const Result& {
        return *std::find_if(results.begin(), results.end(), [&](const Result& r) { return r.strategy == name; });
    };
    // The ratio of r's quantile to `to`'s, repetition by repetition.
    const auto ratios = [](const Result& r, const Result& to, double bench::Percentiles::* quantile) {
        std::vector<double> each;
        for (std::size_t i = 0; i < r.byRepetition.size(); ++i)
            each.push_back(r.byRepetition[i].*quantile / to.byRepetition[i].*quantile);
        return bench::spread(std::move(each));
    };
    const double budgetTicks = 2 * base.us.p50 * perUs;
    double bestP50 = std::numeric_limits<double>::infinity(), bestP999 = bestP50;
    for (std::size_t i = 0; i < results.size(); ++i) {
        Result& r = results[i];
        const auto& ticks = contenders[i]->ticks;
        r.excess = {r.us.p50 - base.us.p50, r.us.p99 - base.us.p99, r.us.p999 - base.us.p999,
                    r.us.p9999 - base.us.p9999, r.us.max - base.us.max};
        r.ratioP50 = r.us.p50 / base.us.p50;
        r.ratioP999 = r.us.p999 / base.us.p999;
        r.staticP50 = ratios(r, base, &bench::Percentiles::p50);
        r.staticP999 = ratios(r, base, &bench::Percentiles::p999);
        const Result& limit = named(r.limit);
        r.limitP50 = ratios(r, limit, &bench::Percentiles::p50);
        r.limitP999 = ratios(r, limit, &bench::Percentiles::p999);
        r.budgetUs = 2 * base.us.p50;
        const auto over = ticks.end() - std::upper_bound(ticks.begin(), ticks.end(), std::uint32_t(budgetTicks));
        r.missesPerMillion = 1e6 * double(over) / double(ticks.size());
        if (r.kind == "pool") {
            bestP50 = std::min(bestP50, r.limitP50.median);
            bestP999 = std::min(bestP999, r.limitP999.median);
        }
    }
    for (Result& r : results) {
        if (r.kind == "limit") r.verdict = "limit";
        else if (r.kind == "pool") r.verdict = poolVerdict(r.limitP50, r.limitP999, r.handsOff);
        else r.verdict = asGood(r, bestP50, bestP999) ? "as good" : "behind";
    }
    return results;
}

/// What the tables print for a verdict.
std::string said(const std::string& verdict) {
    return verdict == "inconclusive" ? "inconclusive at this length" : verdict;
}

void printTable(const std::vector<Result>& results) {
    const Result& base = results.front();
    bench::Table t{fmt::format("Callback time, load {}, {} frames ({} callbacks each over {} repetitions, us; budget "
                               "{} us = 2 x static p50)",
                               base.load, base.frames, base.callbacks, base.repeats, bench::number(base.budgetUs)),
                   {"strategy", "p50", "p99", "p99.9", "p99.99", "max", "+p50", "+p99", "+p99.9", "+p99.99", "x p50",
                    "x p99.9", "misses/1e6", "faults", "limit", "x lim p50", "x lim p99.9", "verdict"},
                   {}};
    for (const Result& r : results)
        t.rows.push_back({r.strategy, bench::number(r.us.p50), bench::number(r.us.p99), bench::number(r.us.p999),
                          bench::number(r.us.p9999), bench::number(r.us.max), bench::number(r.excess.p50),
                          bench::number(r.excess.p99), bench::number(r.excess.p999), bench::number(r.excess.p9999),
                          bench::number(r.ratioP50), bench::number(r.ratioP999), bench::number(r.missesPerMillion),
                          std::to_string(r.counts.pageFaults), r.limit, bench::number(r.limitP50),
                          bench::number(r.limitP999), said(r.verdict)});
    t.print();
}

/// One strategy under one load, the worse of the two block sizes: for
/// each of median, low and high, the higher of the two (so a pool's verdict
/// from these is the worse of its verdicts at the two block sizes).
struct LoadVerdict {
    std::string strategy, kind, limit;
    bool handsOff = false;
    bench::Spread p50{}, p999{};  // ratios to the limit
    std::uint64_t faults = 0;
    std::string verdict;
};

std::vector<LoadVerdict> loadVerdicts(const std::vector<Result>& results, const std::string& load) {
    const auto worstOf = [](const bench::Spread& a, const bench::Spread& b) {
        return bench::Spread{std::max(a.median, b.median), std::max(a.low, b.low), std::max(a.high, b.high)};
    };
    std::vector<LoadVerdict> all;
    for (const Result& r : results) {
        if (r.load != load || r.kind == "limit") continue;
        auto v = std::find_if(all.begin(), all.end(), [&](const LoadVerdict& v) { return v.strategy == r.strategy; });
        if (v == all.end()) {
            all.push_back({r.strategy, r.kind, r.limit, r.handsOff, r.limitP50, r.limitP999, 0, r.verdict});
            v = all.end() - 1;
        }
        v->p50 = worstOf(v->p50, r.limitP50);
        v->p999 = worstOf(v->p999, r.limitP999);
        v->faults += r.counts.pageFaults;
        if (r.verdict == "behind") v->verdict = r.verdict;
    }
    for (LoadVerdict& v : all)
        if (v.kind == "pool") v.verdict = poolVerdict(v.p50, v.p999, v.handsOff);
    return all;
}

/// The verdict per load: each strategy against its limit, and one line
/// naming the pools by verdict and the peers as good or behind.
void printVerdict(const std::vector<Result>& results, const std::string& load) {
    const std::size_t repeats = results.back().repeats;
    bench::Table t{fmt::format("Verdict, load {}: ratios to the limit, median [low..high] of {} repetitions, the worse "
                               "of 64 and 256 frames.\nA pool meets p50 <= {} x static (render thread only) or <= {} x "
                               "static hand-off (hands off), and p99.9 <= {} x.",
                               load, repeats, bench::number(targetP50OnRenderThread),
                               bench::number(targetP50HandingOff), bench::number(targetP999)),
                   {"strategy", "limit", "x lim p50", "x lim p99.9", "faults", "verdict"},
                   {}};
    std::string met, inconclusive, missed, good, behind;
    for (const LoadVerdict& v : loadVerdicts(results, load)) {
        t.rows.push_back({v.strategy, v.limit, bench::number(v.p50), bench::number(v.p999), std::to_string(v.faults),
                          said(v.verdict)});
        std::string& list = v.verdict == "met"            ? met
                            : v.verdict == "inconclusive" ? inconclusive
                            : v.verdict == "MISSED"       ? missed
                            : v.verdict == "as good"      ? good
                                                          : behind;
        list += (list.empty() ? "" : ", ") + v.strategy;
    }
    t.print();
    const auto listed = [](const std::string& list) { return list.empty() ? std::string("none") : list; };
    fmt::print("Verdict, load {}: audiopool met: {}; inconclusive at this length: {}; MISSED: {}; peers as good: {}; "
               "behind: {}\n",
               load, listed(met), listed(inconclusive), listed(missed), listed(good), listed(behind));
}

/// The render thread's scheduling, as chosen by renderScheduling().
struct Scheduling {
    bool realTime = false;
    std::string said;       // the one line the output prints
    long rtRuntimeUs = -1;  // kernel.sched_rt_runtime_us; -1: off or unreadable
};

/// Asks for SCHED_FIFO on the calling thread (the render thread) when
/// `wanted` and safe, and says what it got and why. Safe: the kernel
/// throttles real-time threads (kernel.sched_rt_runtime_us >= 0: they may
/// take that much of each period, 950000 us of 1 s by default), since the
/// render thread runs callbacks back to back and never sleeps.
/// SCHED_RESET_ON_FORK: the threads it starts (the worker, the loads) stay
/// at SCHED_OTHER instead of inheriting it.
Scheduling renderScheduling(bool wanted) {
    Scheduling s;
    if (std::FILE* f = std::fopen("/proc/sys/kernel/sched_rt_runtime_us", "r")) {
        if (std::fscanf(f, "%ld", &s.rtRuntimeUs) != 1) s.rtRuntimeUs = -1;
        std::fclose(f);
    }
    if (!wanted) {
        s.said = "SCHED_OTHER (--fifo=off)";
    } else if (s.rtRuntimeUs < 0) {
        s.said = "SCHED_OTHER (SCHED_FIFO not asked for: real-time throttling is off or unknown, "
                 "kernel.sched_rt_runtime_us, and the render thread never sleeps)";
    } else {
        sched_param param{};
        param.sched_priority = renderPriority;
        if (const int error = pthread_setschedparam(pthread_self(), SCHED_FIFO | SCHED_RESET_ON_FORK, &param)) {
            rlimit limit{};
            getrlimit(RLIMIT_RTPRIO, &limit);
            s.said = fmt::format("SCHED_OTHER (SCHED_FIFO not permitted: {}; RLIMIT_RTPRIO {})", std::strerror(error),
                                 limit.rlim_cur == RLIM_INFINITY ? "unlimited" : std::to_string(limit.rlim_cur));
        } else {
            s.realTime = true;
            s.said = fmt::format("SCHED_FIFO priority {} (real-time throttling: kernel.sched_rt_runtime_us = {})",
                                 renderPriority, s.rtRuntimeUs);
        }
    }
    return s;
}

void writeFiles(const std::vector<Result>& results, const std::vector<NotRun>& notRun, const std::string& csvPath,
                const std::string& jsonPath, const std::string& ccdfPath, double seconds, int repeats,
                const std::string& fifo, const Scheduling& scheduling, double perUs) {
    const auto fields = [](const Result& r) {
        const auto ratio = [](double v) { return fmt::format("{:.4f}", v); };
        return std::vector<std::pair<std::string, std::string>>{
            {"load", r.load},
            {"frames", std::to_string(r.frames)},
            {"strategy", r.strategy},
            {"kind", r.kind},
            {"callbacks", std::to_string(r.callbacks)},
            {"budget_us", fmt::format("{:.3f}", r.budgetUs)},
            {"p50_us", fmt::format("{:.3f}", r.us.p50)},
            {"p99_us", fmt::format("{:.3f}", r.us.p99)},
            {"p99.9_us", fmt::format("{:.3f}", r.us.p999)},
            {"p99.99_us", fmt::format("{:.3f}", r.us.p9999)},
            {"max_us", fmt::format("{:.3f}", r.us.max)},
            {"excess_p50_us", fmt::format("{:.3f}", r.excess.p50)},
            {"excess_p99_us", fmt::format("{:.3f}", r.excess.p99)},
            {"excess_p99.9_us", fmt::format("{:.3f}", r.excess.p999)},
            {"excess_p99.99_us", fmt::format("{:.3f}", r.excess.p9999)},
            {"ratio_p50", ratio(r.ratioP50)},
            {"ratio_p99.9", ratio(r.ratioP999)},
            {"misses_per_million", fmt::format("{:.1f}", r.missesPerMillion)},
            {"page_faults", std::to_string(r.counts.pageFaults)},
            {"exhausted", std::to_string(r.counts.exhausted)},
            {"handoff_waits", std::to_string(r.counts.handOffWaits)},
            {"repeats", std::to_string(r.repeats)},
            {"median_ratio_p50", ratio(r.staticP50.median)},
            {"low_ratio_p50", ratio(r.staticP50.low)},
            {"high_ratio_p50", ratio(r.staticP50.high)},
            {"median_ratio_p99.9", ratio(r.staticP999.median)},
            {"low_ratio_p99.9", ratio(r.staticP999.low)},
            {"high_ratio_p99.9", ratio(r.staticP999.high)},
            {"limit", r.limit},
            {"limit_median_ratio_p50", ratio(r.limitP50.median)},
            {"limit_low_ratio_p50", ratio(r.limitP50.low)},
            {"limit_high_ratio_p50", ratio(r.limitP50.high)},
            {"limit_median_ratio_p99.9", ratio(r.limitP999.median)},
            {"limit_low_ratio_p99.9", ratio(r.limitP999.low)},
            {"limit_high_ratio_p99.9", ratio(r.limitP999.high)},
            {"verdict", r.verdict}};
    };
    const auto quoted = [](const std::string& key) {
        return key == "load" || key == "strategy" || key == "kind" || key == "limit" || key == "verdict";
    };
    if (!csvPath.empty()) {
        bench::Table csv{"", {}, {}};
        for (const auto& [key, value] : fields(results.front())) csv.header.push_back(key);
        for (const Result& r : results) {
            csv.rows.emplace_back();
            for (const auto& [key, value] : fields(r)) csv.rows.back().push_back(value);
        }
        csv.writeCsv(csvPath);
    }
    if (!ccdfPath.empty()) {
        bench::Table ccdf{"", {"load", "frames", "strategy", "us", "fraction_at_or_above"}, {}};
        for (const Result& r : results)
            for (const auto& [us, fraction] : r.tail)
                ccdf.rows.push_back({r.load, std::to_string(r.frames), r.strategy, fmt::format("{:.3f}", us),
                                     fmt::format("{:.3g}", fraction)});
        ccdf.writeCsv(ccdfPath);
    }
    if (!jsonPath.empty()) {
        std::FILE* f = std::fopen(jsonPath.c_str(), "w");
        if (!f) {
            fmt::print(stderr, "cannot write {}\n", jsonPath);
            return;
        }
        fmt::print(f,
                   "{{\n  \"benchmark\": \"callback\",\n  \"seconds_per_configuration\": {},\n  \"repeats\": {},\n"
                   "  \"tsc_ghz\": {:.4f},\n  \"voices\": {},\n  \"hand_off_every\": {},\n"
                   "  \"budget\": \"2 x static p50 at the same load and block size\",\n"
                   "  \"fifo\": \"{}\",\n  \"render_thread\": \"{}\",\n  \"render_thread_real_time\": {},\n"
                   "  \"sched_rt_runtime_us\": {},\n"
                   "  \"targets\": {{\"p50_render_thread_only\": {}, \"p50_handing_off\": {}, \"p99.9\": {}}},\n"
                   "  \"results\": [\n",
                   seconds, repeats, perUs / 1000, voices, handOffEvery, fifo, scheduling.said, scheduling.realTime,
                   scheduling.rtRuntimeUs, targetP50OnRenderThread, targetP50HandingOff, targetP999);
        for (std::size_t i = 0; i < results.size(); ++i) {
            std::string object;
            for (const auto& [key, value] : fields(results[i]))
                object += fmt::format("{}\"{}\": {}", object.empty() ? "" : ", ", key,
                                      quoted(key) ? "\"" + value + "\"" : value);
            fmt::print(f, "    {{{}}}{}\n", object, i + 1 < results.size() ? "," : "");
        }
        // The built-in policies that could not run here (too few buffers).
        fmt::print(f, "  ],\n  \"not_run\": [\n");
        for (std::size_t i = 0; i < notRun.size(); ++i)
            fmt::print(f, "    {{\"strategy\": \"{}\", \"why\": \"{}\"}}{}\n", notRun[i].strategy, notRun[i].why,
                       i + 1 < notRun.size() ? "," : "");
        fmt::print(f, "  ]\n}}\n");
        std::fclose(f);
    }
}

/// Calls visit(std::type_identity<Strategy>{}) for every strategy, in the
/// tables' order: the two limits (static first: the baseline), one per
/// built-in policy (audiopool::BuiltinPolicies) that can hold the buffers
/// its strategy needs (the others are added to notRun), the prepared pool,
/// the peers.
template <class Visit>
void forEachStrategy(Visit&& visit, std::vector<NotRun>& notRun) {
    visit(std::type_identity<StaticStrategy<false>>{});
    visit(std::type_identity<StaticStrategy<true>>{});
    bench::forEachType<audiopool::BuiltinPolicies>([&]<class Policy>(std::type_identity<Policy>) {
        if constexpr (fitsTheCallback<Policy>) {
            visit(std::type_identity<StrategyFor<Policy>>{});
        } else {
            notRun.push_back(
                {std::string(Policy::name), fmt::format("its pools need {} buffers; the policy holds at most {}",
                                                        capacityNeeded<Policy>, maxCapacityOf<Policy>)});
        }
    });
    // Sizes from the host: the one-acquirer, any-releaser policy, as a plugin sizes it in prepareToPlay.
    visit(std::type_identity<PreparedPoolStrategy<audiopool::OwnerThread, sharedVoiceCapacity>>{});
    // The any-thread policy with a thread cache on the render thread.
    visit(std::type_identity<CachedPoolStrategy<audiopool::Treiber>>{});
    bench::forEachType<std::tuple<
        BlockStrategy<HeapAllocator<bench::HeapKind::Malloc>>, BlockStrategy<HeapAllocator<bench::HeapKind::NewArray>>,
        BlockStrategy<PmrAllocator<std::pmr::unsynchronized_pool_resource>>,
        BlockStrategy<PmrAllocator<std::pmr::synchronized_pool_resource>>,
        BlockStrategy<ListSources<bench::MutexFreeList>>, BlockStrategy<ListSources<bench::BoostStackFreeList>>>>(
        visit);
}

/// The profile mode: one strategy (and the worker, when it hands off) on a
/// render thread, no load, no clock; for valgrind, which counts the
/// instructions and simulates the caches (scripts/bench-callback-profile.sh).
int profile(const std::string& strategy, std::size_t callbacks, std::uint32_t frames) {
    std::vector<NotRun> notRun;
    if (strategy == "list") {
        forEachStrategy([]<class Strategy>(std::type_identity<Strategy>) { fmt::print("{}\n", Strategy::name); },
                        notRun);
        return 0;
    }
    if (frames == 0 || frames > maxFrames) {
        fmt::print(stderr, "--frames: 1 to {}\n", maxFrames);
        return 2;
    }
    int status = 2;
    // Made and run on the render thread, as in the timed run (malloc serves
    // that thread from an arena of its own).
    std::thread render([&] {
        Worker worker;
        std::unique_ptr<Contender> chosen;
        forEachStrategy(
            [&]<class Strategy>(std::type_identity<Strategy>) {
                if (strategy == Strategy::name) chosen = std::make_unique<ContenderOf<Strategy>>();
            },
            notRun);
        if (!chosen) {
            fmt::print(stderr, "no strategy '{}' here (--profile=list names them)\n", strategy);
            return;
        }
        fmt::print("profile: {}; limit: {}; {} callbacks of {} frames after {} warm-up\n", chosen->name(),
                   chosen->limit(), callbacks, frames, profileWarmUpCallbacks);
        std::fflush(stdout);
        chosen->untimed(worker, frames, profileWarmUpCallbacks, callbacks);
        status = chosen->counts().exhausted == 0 ? 0 : 1;
    });
    render.join();
    return status;
}

} // namespace

int main(int argc, char** argv) {
    const std::string profiled = bench::takeOption(argc, argv, "profile");
    if (!profiled.empty())
        return profile(profiled, std::stoul(bench::takeOption(argc, argv, "callbacks", "1000")),
                       std::uint32_t(std::stoul(bench::takeOption(argc, argv, "frames", "64"))));
    const double seconds = std::stod(bench::takeOption(argc, argv, "seconds", "6"));
    const int repeats = std::stoi(bench::takeOption(argc, argv, "repeats", "5"));
    const std::string fifo = bench::takeOption(argc, argv, "fifo", "auto");
    const std::string csvPath = bench::takeOption(argc, argv, "csv");
    const std::string jsonPath = bench::takeOption(argc, argv, "json");
    const std::string ccdfPath = bench::takeOption(argc, argv, "ccdf");
    const std::string loadList = bench::takeOption(argc, argv, "loads", "none,cache,churn");
    if (repeats < 1 || (fifo != "auto" && fifo != "off")) {
        fmt::print(stderr, "--repeats=R (at least 1), --fifo=auto|off\n");
        return 2;
    }
    std::vector<bench::LoadKind> loads;
    for (const bench::LoadKind kind : bench::allLoads)
        if (("," + loadList + ",").find("," + std::string(bench::loadName(kind)) + ",") != std::string::npos)
            loads.push_back(kind);
    const double perUs = bench::stampsPerNs() * 1000;

    fmt::print("\n==== Audio callbacks: simulated callbacks run back to back on a render thread ====\n"
               "Each callback: {} voices render into 2-channel temporaries (saw + state-variable filter), mix into "
               "{} busses\n(2, 4, 6, 8 channels), busses soft-clipped to stereo; 1 voice buffer in {} goes to a "
               "worker thread that\nreleases it after holding {} (static, IndexStack and pmr unsync pool hold and "
               "release them on the render\nthread; static hand-off: static buffers the worker only reads, the limit "
               "for the strategies that hand off).\nTimes in us per callback, two TSC reads included; +: excess "
               "over static at that quantile;\nx: ratio to static (all samples); misses: callbacks over the budget "
               "(2 x static p50, so static's work takes half\nof it); faults: page faults on the render thread "
               "during timed callbacks; x lim: ratio to the strategy's limit,\nmedian [lowest..highest] of the "
               "repetitions' own ratios. The render, worker and load threads share\nthe machine's {} cores (nothing "
               "pinned); strategies take turns in ~{} ms slices. {} s per load and block size,\nin {} repetitions.\n",
               voices, busCount, handOffEvery, held, std::thread::hardware_concurrency(), sliceSeconds * 1000, seconds,
               repeats);
    std::fflush(stdout);

    std::vector<Result> results;
    std::vector<NotRun> notRun;  // built-in policies too small for these pools
    Scheduling scheduling;
    // The render thread: not the main thread, as in a plugin host (and so
    // malloc serves it from an arena of its own, as it would there).
    std::thread render([&] {
        scheduling = renderScheduling(fifo == "auto");
        fmt::print("Render thread: {}.\n", scheduling.said);
        Worker worker;
        std::vector<std::unique_ptr<Contender>> all;
        forEachStrategy([&]<class Strategy>(
                            std::type_identity<Strategy>) { all.push_back(std::make_unique<ContenderOf<Strategy>>()); },
                        notRun);
        for (const NotRun& n : notRun) fmt::print("\nNot run: {} ({}).\n", n.strategy, n.why);
        for (const bench::LoadKind kind : loads) {
            const std::string load(bench::loadName(kind));
            const bench::Load background(kind);
            for (const std::uint32_t frames : blockSizes) {
                auto table = measure(all, worker, load, frames, seconds, repeats, perUs);
                printTable(table);
                std::fflush(stdout);
                results.insert(results.end(), table.begin(), table.end());
            }
            printVerdict(results, load);
            std::fflush(stdout);
        }
    });
    render.join();

    std::uint64_t exhausted = 0, waits = 0;
    std::vector<bench::Target> targets;
    std::vector<std::string> pools;
    for (const Result& r : results) {
        exhausted += r.counts.exhausted;
        waits += r.counts.handOffWaits;
        if (r.kind == "pool" && std::find(pools.begin(), pools.end(), r.strategy) == pools.end())
            pools.push_back(r.strategy);
    }
    for (const std::string& pool : pools) {
        std::uint64_t faults = 0;
        for (const bench::LoadKind kind : loads) {
            const std::string load(bench::loadName(kind));
            for (const LoadVerdict& v : loadVerdicts(results, load)) {
                if (v.strategy != pool) continue;
                targets.push_back({fmt::format("{} / {} at p50, load {}", pool, v.limit, load), v.p50.median,
                                   targetP50(v.handsOff), false, v.p50.low, v.p50.high});
                targets.push_back({fmt::format("{} / {} at p99.9, load {}", pool, v.limit, load), v.p999.median,
                                   targetP999, false, v.p999.low, v.p999.high});
                faults += v.faults;
            }
        }
        targets.push_back({fmt::format("{} page faults in timed callbacks, every load", pool), double(faults), 0});
    }
    bench::printTargets(fmt::format("Targets (callbacks; each pool against its limit: median [low..high] of {} "
                                    "repetitions, the worse of 64 and 256 frames)",
                                    repeats),
                        targets);
    fmt::print("Acquires that found the strategy dry: {} (must be 0). Hand-offs that found the queue full: {}.\n",
               exhausted, waits);
    writeFiles(results, notRun, csvPath, jsonPath, ccdfPath, seconds, repeats, fifo, scheduling, perUs);
    return exhausted == 0 ? 0 : 1;
}
