// ir_swap: swapping an impulse response under a running convolver, the
// hand-over every convolution reverb, cabinet simulator or sampler needs.
//
// The message thread loads impulse responses (here: computes them), each a
// std::unique_ptr to a heap object holding its samples: loading allocates,
// so it happens there. It hands each one to the audio thread through an
// audiopool::HandoffQueue. The audio thread convolves every block with its
// current response; when a new one has arrived it swaps it in and hands the
// old one to an audiopool::Retirer, so the old response's samples are freed
// later, by a PeriodicCollector's thread, never on the audio thread. Its
// callback is marked AUDIOPOOL_NONBLOCKING: RealtimeSanitizer
// (-fsanitize=realtime) stops the program if anything inside allocates,
// frees, locks or blocks (docs/real-time.md).
//
//     ir_swap [swaps]
//
// The input is a constant 1.0, so every output sample is the sum of the
// current response's taps: a response read after it was freed, or half
// swapped, shows as a wrong sample. Each response's destructor notes whether
// it runs on the audio thread; the last line says how many did (0), and
// that everything retired was collected.
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#ifdef AUDIOPOOL_IMPORT
import audiopool;
#include <audiopool/config.hpp>  // the library's macros (AUDIOPOOL_NONBLOCKING): a module exports none
#else
#include <audiopool/audiopool.hpp>
#endif

namespace {

constexpr std::size_t blockFrames = 64;
constexpr std::size_t maxTaps = 512;

// Set on the audio thread only: lets a destructor say where it runs.
thread_local bool onAudioThread = false;
// relaxed counters: read after the threads are joined.
std::atomic<std::size_t> destroyedOnAudioThread{0};
std::atomic<std::size_t> destroyed{0};

/// An impulse response: its taps on the heap (freeing them is what the audio
/// thread must never do), and the sum an all-ones input gives.
struct ImpulseResponse {
    int id = 0;
    std::vector<float> taps;
    float sum = 0.0f;

    ImpulseResponse(int number, std::size_t length) : id(number), taps(length) {
        for (std::size_t k = 0; k < length; ++k)  // a decaying tail, different for each response
            taps[k] = std::exp(-float(k) / float(16 + id)) / float(1 + id % 5);
        for (const float t : taps) sum += t;  // the convolution's order, so the same float result
    }
    ImpulseResponse(const ImpulseResponse&) = delete;
    ImpulseResponse& operator=(const ImpulseResponse&) = delete;
    ~ImpulseResponse() {
        if (onAudioThread) destroyedOnAudioThread.fetch_add(1, std::memory_order_relaxed);
        destroyed.fetch_add(1, std::memory_order_relaxed);
    }
};
using Response = std::unique_ptr<ImpulseResponse>;

// Message thread -> audio thread: new responses. Audio thread -> collector:
// old ones. Both in static storage, nothing on the heap but the responses.
constinit audiopool::HandoffQueue<Response, 4> incoming;
constinit audiopool::Retirer<8> retirer;

/// What the audio thread owns and counts (touched by it alone while it runs).
struct AudioState {
    Response current;    // the response in use
    Response retiring;   // swapped out; waits here while the retirer is full
    std::vector<float> history = std::vector<float>(maxTaps, 1.0f);  // the last inputs, newest at `newest`
    std::size_t newest = 0;
    std::size_t blocks = 0, swaps = 0, retired = 0, wrongSamples = 0;
};

/// One audio callback: takes a new response if one has arrived, retires the
/// old one, and convolves a block of input with the current response. Only
/// moves and swaps of pointers happen here; nothing is allocated or freed.
void callback(AudioState& audio, const float* in, float* out) AUDIOPOOL_NONBLOCKING {
    // An old response the retirer had no room for goes first: retire()
    // leaves it with us when full, and we try again next block.
    if (audio.retiring && retirer.retire(std::move(audio.retiring))) ++audio.retired;
    if (!audio.retiring) {
        if (Response* fresh = incoming.front()) {
            // Swaps, not assignments: a unique_ptr assigned over would delete
            // what it held. The old response ends in `retiring`, the slot
            // keeps an empty pointer, and pop() destroys only that.
            audio.current.swap(*fresh);
            audio.retiring.swap(*fresh);
            // pop() destroys the slot's unique_ptr, empty now (swapped out
            // above), so it deletes nothing; clang's function effect analysis
            // cannot see that it is empty and would flag the delete in
            // unique_ptr's destructor. RealtimeSanitizer checks it at run time.
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wfunction-effects"
#endif
            incoming.pop();
#if defined(__clang__)
#pragma clang diagnostic pop
#endif
            ++audio.swaps;
            if (audio.retiring && retirer.retire(std::move(audio.retiring))) ++audio.retired;
        }
    }
    const ImpulseResponse& ir = *audio.current;
    for (std::size_t n = 0; n < blockFrames; ++n) {
        audio.newest = (audio.newest + 1) % maxTaps;
        audio.history[audio.newest] = in[n];
        float acc = 0.0f;
        std::size_t at = audio.newest;
        for (const float tap : ir.taps) {  // out[n] = sum over k of taps[k] * in[n - k]
            acc += tap * audio.history[at];
            at = at == 0 ? maxTaps - 1 : at - 1;
        }
        out[n] = acc;
        if (acc != ir.sum) ++audio.wrongSamples;
    }
    ++audio.blocks;
}

} // namespace

int main(int argc, char** argv) {
    const long swapsWanted = argc > 1 ? std::atol(argv[1]) : 20;
    if (swapsWanted <= 0) {
        std::fprintf(stderr, "ir_swap: swaps must be positive\n");
        return 2;
    }

    // prepareToPlay: the first response, loaded before the audio starts.
    AudioState audio;
    audio.current = std::make_unique<ImpulseResponse>(0, 128);

    // Frees the old responses every 5 ms, and once more when stopped.
    audiopool::PeriodicCollector collector(retirer, std::chrono::milliseconds(5));

    std::atomic<bool> loading{true};
    std::thread audioThread([&] {
        onAudioThread = true;
        const std::vector<float> input(blockFrames, 1.0f);
        std::vector<float> output(blockFrames);
        using Clock = std::chrono::steady_clock;
        const auto period = std::chrono::microseconds(500);  // a faster-than-real-time "device"
        auto next = Clock::now();
        // Until every response sent has been swapped in and the last old one retired.
        // acquire: pairs with the message thread's release store; the queue's
        // own ordering publishes the responses.
        while (loading.load(std::memory_order_acquire) || !incoming.empty() || audio.retiring) {
            next += period;
            std::this_thread::sleep_until(next);
            callback(audio, input.data(), output.data());
        }
    });

    // The message thread: a new response every few milliseconds (a user
    // turning the "room" knob), each of another length.
    std::size_t queueFull = 0;
    for (long i = 1; i <= swapsWanted; ++i) {
        Response fresh =
            std::make_unique<ImpulseResponse>(static_cast<int>(i), 64 + (std::size_t(i) * 37) % (maxTaps - 64));
        // NOLINTNEXTLINE(bugprone-use-after-move): try_push moves from it only when it succeeds
        while (!incoming.try_push(std::move(fresh))) {  // the audio thread has not taken the last ones yet
            ++queueFull;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(3));
    }
    // release: every push above happens before the audio thread sees false.
    loading.store(false, std::memory_order_release);
    audioThread.join();
    collector.stop();  // joins the collector thread and collects what is left

    const audiopool::RetirerStats r = retirer.stats();
    std::printf("blocks %zu, wrong samples %zu, responses loaded %ld\n", audio.blocks, audio.wrongSamples,
                swapsWanted + 1);
    std::printf("retirer: retired %llu, collected %llu, pending %zu, highWater %zu/%zu, refused %llu (retried "
                "next block), misuses %llu; queue full %zu times\n",
                static_cast<unsigned long long>(r.retired), static_cast<unsigned long long>(r.collected), r.pending,
                r.highWater, r.capacity, static_cast<unsigned long long>(r.failedRetires),
                static_cast<unsigned long long>(r.misuses), queueFull);
    audio.current.reset();  // the last response, freed here on the main thread
    const bool consistent = audio.swaps == std::size_t(swapsWanted) && audio.retired == audio.swaps &&
                            r.retired == audio.swaps && r.collected == r.retired && r.pending == 0 &&
                            collector.collected() == r.collected && audio.wrongSamples == 0 &&
                            destroyed.load() == std::size_t(swapsWanted) + 1 && r.misuses == 0;
    std::printf("swaps %zu, retired %llu, collected %llu, destroyed on the audio thread %zu\n", audio.swaps,
                static_cast<unsigned long long>(r.retired), static_cast<unsigned long long>(r.collected),
                destroyedOnAudioThread.load());
    return consistent && destroyedOnAudioThread.load() == 0 ? 0 : 1;
}
