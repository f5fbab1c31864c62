// Hand-off queues and deferred destruction (HandoffQueue, Retirer), compiled
// and run by the test suite: the regions between "// [name]" and "// [/name]"
// are the snippets a page shows, checked by docs/check_snippets.py.
//  - to-worker: the audio thread hands each block's buffer to a worker
//    thread (a disk writer), which lets it go back to the pool;
//  - swap-ir: the message thread sends a new impulse response to the audio
//    thread, which swaps it in and retires the old one, so the audio thread
//    never frees memory; the message thread collects it later;
//  - periodic: a PeriodicCollector collects instead of a timer;
//  - per-thread: a retirer for each rendering thread;
//  - sized-retirer: a retirer sized by prepare().
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>
#include <utility>
#include <vector>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

// [to-worker]
using Pool = audiopool::Pool<float, 2, 256, 16, audiopool::OwnerThread>;
constinit Pool pool;
// As many slots as buffers: every value in it is a buffer out of the pool,
// so a push never finds it full. Declared after the pool: destroyed first.
constinit audiopool::HandoffQueue<Pool::Unique, 16> toWorker;

void processBlock(int block) {  // audio thread
    auto buffer = pool.acquire();
    if (!buffer) return;  // the worker fell behind: skip this block, nothing allocated
    for (std::size_t c = 0; c < buffer.numChannels(); ++c)
        for (float& s : buffer.channel(c)) s = static_cast<float>(block);
    if (!toWorker.try_push(std::move(buffer))) { /* full: not with 16 slots; the buffer goes back here */
    }
}

double drainToDisk() {  // worker thread
    double written = 0;
    while (auto buffer = toWorker.try_pop()) written += buffer->channel(0)[0];  // "write" it
    return written;  // each buffer went back to the pool when its handle was dropped
}
// [/to-worker]

// [swap-ir]
struct ImpulseResponse {
    std::vector<float> taps;
};
using Response = std::unique_ptr<ImpulseResponse>;

// Message thread -> audio thread: new impulse responses.
audiopool::HandoffQueue<Response, 4> incoming;
// Audio thread -> message thread: old ones, destroyed by collect().
audiopool::Retirer<8> retirer;
Response current;   // the audio thread's
Response retiring;  // swapped out, not yet retired

void convolve() {  // audio thread, once per block
    // retire() moves from `retiring` only when it has room; a full retirer
    // leaves it here for the next block, so nothing is ever freed on this thread.
    if (retiring) (void)retirer.retire(std::move(retiring));
    if (!retiring)
        if (Response* next = incoming.front()) {
            current.swap(*next);   // swaps, not assignments: nothing is deleted here
            retiring.swap(*next);  // the old response; the slot keeps an empty pointer
            incoming.pop();
            (void)retirer.retire(std::move(retiring));
        }
    // ... convolve with current->taps ...
}

void onTimer() {        // message thread, every few hundred milliseconds
    retirer.collect();  // frees the old responses, oldest first, off the audio thread
}
// [/swap-ir]

// [periodic]
void runSession() {
    // A thread that collects every 50 ms, for a program with no timer of its own.
    audiopool::PeriodicCollector collector(retirer, std::chrono::milliseconds(50));
    // ... the audio runs, swapping responses ...
    collector.stop();  // wakes and joins the thread at once, then collects what is left
}
// [/periodic]

// [per-thread]
// A renderer with several audio threads: each retires into its own retirer
// (one retiring thread each); one thread collects them all.
constexpr std::size_t renderThreads = 4;
std::array<audiopool::Retirer<16>, renderThreads> retirers;

void dropOnRenderThread(std::size_t thread, std::unique_ptr<std::vector<float>>& old) noexcept {
    (void)retirers[thread].retire(std::move(old));  // full: `old` stays with the caller
}

void collectAll() {  // the collecting thread
    for (auto& r : retirers) r.collect();
}
// [/per-thread]

// [sized-retirer]
// Sized by the host: room for as many objects as a session may retire
// between two collects.
audiopool::Retirer<audiopool::dynamic> sessionRetirer;

void prepareToPlay(std::size_t maxPending) {  // message thread, audio stopped
    if (!sessionRetirer.prepare(maxPending)) { /* no memory: every retire is refused and counted */
    }
}
void releaseResources() {  // message thread, audio stopped
    sessionRetirer.releaseMemory();  // destroys what is pending, frees the block
}
// [/sized-retirer]

int main() {
    for (int block = 1; block <= 3; ++block) processBlock(block);
    std::atomic<double> written{0};
    std::thread worker([&] { written.store(drainToDisk()); });
    worker.join();
    bool ok = written.load() == 1 + 2 + 3 && pool.stats().inUse == 0 && toWorker.empty();

    current = std::make_unique<ImpulseResponse>(ImpulseResponse{std::vector<float>(512, 0.5f)});
    for (std::size_t taps : {1024, 2048})
        ok = ok &&
             incoming.try_push(std::make_unique<ImpulseResponse>(ImpulseResponse{std::vector<float>(taps, 0.25f)}));
    std::thread audio([] {
        convolve();
        convolve();
    });
    audio.join();
    ok = ok && current->taps.size() == 2048 && !retiring && retirer.pending() == 2;
    onTimer();
    ok = ok && retirer.pending() == 0 && retirer.stats().collected == 2;
    ok = ok && incoming.try_push(std::make_unique<ImpulseResponse>(ImpulseResponse{std::vector<float>(64, 1.0f)}));
    std::thread([] { convolve(); }).join();
    runSession();  // its final collect frees the one just swapped out
    ok = ok && current->taps.size() == 64 && retirer.pending() == 0 && retirer.stats().collected == 3;

    std::vector<std::thread> renderers;
    for (std::size_t t = 0; t < renderThreads; ++t)
        renderers.emplace_back([t] {
            auto old = std::make_unique<std::vector<float>>(256);
            dropOnRenderThread(t, old);
        });
    for (auto& t : renderers) t.join();
    collectAll();
    for (const auto& r : retirers) ok = ok && r.stats().collected == 1 && r.stats().misuses == 0;

    prepareToPlay(32);
    ok = ok && sessionRetirer.stats().capacity == 32 && sessionRetirer.retire(std::vector<float>(16));
    releaseResources();
    ok = ok && sessionRetirer.stats().capacity == 0 && sessionRetirer.pending() == 0;
    std::printf("handoff snippet: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
