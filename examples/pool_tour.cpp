// pool_tour: one pool of each built-in policy (audiopool::BuiltinPolicies),
// used the way its thread rule allows, with the layout and statistics each
// reports:
//
//   any threads (Treiber)                  — four threads share one pool (lock-free)
//   one acquirer, one releaser (SpscRing)  — an "audio" thread acquires, a worker releases
//   one acquirer, any releasers (OwnerThread) — an "audio" thread acquires; it and
//                                            three other threads release
//   one thread (IndexStack)                — per-voice scratch buffers, no atomics
#include <array>
#include <atomic>
#include <cstdio>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

namespace {

template <class Pool>
void printLayout(const Pool& pool) {
    const std::string_view name = Pool::PolicyType::name;
    std::printf("%-11.*s %zu x %zu ch x %zu frames of %s, %zu bytes per buffer, %zu bytes in all, %.*s\n",
                static_cast<int>(name.size()), name.data(), Pool::capacity, Pool::channels, Pool::frames,
                sizeof(typename Pool::Sample) == 4 ? "float" : "double", Pool::bufferBytes, sizeof(pool),
                static_cast<int>(audiopool::describe(Pool::progress).size()),
                audiopool::describe(Pool::progress).data());
}

template <class Pool>
void printStats(const Pool& pool) {
    const std::string_view name = Pool::PolicyType::name;
    const audiopool::Stats s = pool.stats();
    std::printf("%-11.*s inUse %zu  highWater %zu/%zu  acquisitions %llu  releases %llu  "
                "failed %llu  rejected %llu  misuses %llu\n",
                static_cast<int>(name.size()), name.data(), s.inUse, s.highWater, s.capacity,
                static_cast<unsigned long long>(s.acquisitions), static_cast<unsigned long long>(s.releases),
                static_cast<unsigned long long>(s.failedAcquisitions),
                static_cast<unsigned long long>(s.rejectedRequests), static_cast<unsigned long long>(s.misuses));
}

/// Which threads a policy lets acquire and release.
template <class Policy>
constexpr audiopool::ThreadRule ruleOf = audiopool::threadRuleOf<typename Policy::template FreeList<2>>;

/// Each policy's tour pool, sized for what its rule's scenario does.
template <class Policy>
using TourPool = std::conditional_t<
    ruleOf<Policy> == audiopool::ThreadRule::AnyThread, audiopool::Pool<float, 2, 512, 16, Policy>,
    std::conditional_t<
        ruleOf<Policy> == audiopool::ThreadRule::OneThread, audiopool::Pool<double, 1, 128, 32, Policy>,
        std::conditional_t<ruleOf<Policy> == audiopool::ThreadRule::OneAcquirerOneReleaser,
                           audiopool::Pool<float, 2, 256, 8, Policy>, audiopool::Pool<float, 2, 256, 16, Policy>>>>;

// Static storage, constant-initialised: no heap, no start-up code.
template <class Policy>
constinit TourPool<Policy> pool{};

/// Any threads: four share one pool.
template <class Pool>
void acrossThreads(Pool& shared) {
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([t, &shared] {
            for (int block = 0; block < 10000; ++block) {
                if (auto tmp = shared.acquire(2, 64 + static_cast<std::size_t>(t) * 64)) {
                    for (float& s : tmp.channel(0)) s = 0.5f;
                }  // back in the pool here
            }
        });
    }
    for (auto& t : threads) t.join();
}

/// One acquirer, one releaser: the audio thread hands buffers to a worker.
template <class Pool>
void audioToWorker(Pool& handoff) {
    using Buffer = typename Pool::Unique;
    // A tiny SPSC mailbox for the demo (each slot: empty or one buffer).
    std::array<Buffer, 4> mailbox{};
    std::array<std::atomic<bool>, 4> full{};
    std::atomic<bool> finished{false};
    std::thread worker([&] {
        int received = 0;
        for (std::size_t i = 0;; i = (i + 1) % mailbox.size()) {
            if (full[i].load(std::memory_order_acquire)) {
                Buffer b = std::move(mailbox[i]);
                full[i].store(false, std::memory_order_release);
                ++received;  // "write to disk" — then b goes back to the pool on this thread
            } else if (finished.load(std::memory_order_acquire) && received == 5000) {
                break;
            } else {
                std::this_thread::yield();
            }
        }
    });
    for (int block = 0, slot = 0; block < 5000;) {  // the audio thread
        if (full[static_cast<std::size_t>(slot)].load(std::memory_order_acquire)) {
            std::this_thread::yield();
            continue;
        }
        auto b = handoff.acquire(2, 256);
        if (!b) {
            std::this_thread::yield();  // a real callback would skip this block's recording
            continue;
        }
        b.clear();
        mailbox[static_cast<std::size_t>(slot)] = std::move(b);
        full[static_cast<std::size_t>(slot)].store(true, std::memory_order_release);
        slot = (slot + 1) % 4;
        ++block;
    }
    finished.store(true, std::memory_order_release);
    worker.join();
}

/// One acquirer, any releasers: the audio thread fans buffers out to three threads.
template <class Pool>
void fanOut(Pool& owned) {
    using Buffer = typename Pool::Unique;
    // Three threads (a disk writer, an analyser, a meter), each with a
    // one-buffer mailbox; each lets go of what it takes, on its own thread.
    std::array<Buffer, 3> mailbox{};
    std::array<std::atomic<bool>, 3> full{};
    std::atomic<bool> finished{false};
    std::vector<std::thread> releasers;
    for (std::size_t r = 0; r < 3; ++r) {
        releasers.emplace_back([&, r] {
            for (;;) {
                if (full[r].load(std::memory_order_acquire)) {
                    Buffer b = std::move(mailbox[r]);
                    full[r].store(false, std::memory_order_release);
                    b.reset();  // back in the pool, from this thread
                } else if (finished.load(std::memory_order_acquire)) {
                    if (!full[r].load(std::memory_order_acquire)) break;
                } else {
                    std::this_thread::yield();
                }
            }
        });
    }
    for (std::size_t block = 0; block < 6000; ++block) {  // the audio thread: the only one acquiring
        auto scratch = owned.acquire(2, 64);  // given back on this thread at the end of the block
        auto b = owned.acquire(2, 256);
        if (!b) continue;  // a real callback would skip this block's hand-off
        b.clear();
        const std::size_t r = block % 3;
        if (!full[r].load(std::memory_order_acquire)) {
            mailbox[r] = std::move(b);
            full[r].store(true, std::memory_order_release);
        }  // else that thread is busy: `b` goes back to the pool here, on this thread
    }
    finished.store(true, std::memory_order_release);
    for (auto& t : releasers) t.join();
}

/// One thread: per-voice scratch buffers that come and go.
template <class Pool>
void voicesOnOneThread(Pool& voices) {
    for (int block = 0; block < 1000; ++block) {
        const std::size_t active = 8 + static_cast<std::size_t>(block % 20);  // voices come and go
        std::vector<typename Pool::Unique> scratch;  // (a real callback would use a fixed array)
        for (std::size_t v = 0; v < active; ++v) scratch.push_back(voices.acquire(1, 128));
        auto tooMany = voices.acquire(1, 4096);  // larger than the pool's buffers: refused, counted
        (void)tooMany;
    }
}

/// Each policy's pool, used as its rule allows.
template <class Policy>
void tour() {
    auto& p = pool<Policy>;
    constexpr audiopool::ThreadRule rule = ruleOf<Policy>;
    if constexpr (rule == audiopool::ThreadRule::AnyThread) acrossThreads(p);
    else if constexpr (rule == audiopool::ThreadRule::OneAcquirerOneReleaser) audioToWorker(p);
    else if constexpr (rule == audiopool::ThreadRule::OneAcquirerAnyReleaser) fanOut(p);
    else voicesOnOneThread(p);
}

template <class... Policies>
bool tourEach(std::tuple<Policies...>*) {
    (printLayout(pool<Policies>), ...);
    (pool<Policies>.prefault(), ...);
    (tour<Policies>(), ...);
    std::printf("\n");
    (printStats(pool<Policies>), ...);
    return ((pool<Policies>.stats().inUse == 0) && ...);
}

} // namespace

int main() {
    std::printf("audiopool %.*s pool tour\n\n", static_cast<int>(audiopool::version.size()), audiopool::version.data());
    const bool allBack = tourEach(static_cast<audiopool::BuiltinPolicies*>(nullptr));
    std::printf("\nevery buffer back in its pool: %s\n", allBack ? "yes" : "NO");
    return allBack ? 0 : 1;
}
