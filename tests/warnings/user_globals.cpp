// audiopool's headers in a program built with JUCE's recommended warning
// flags and -Werror (tests/warnings/meson.build), whose global variables have
// the names of the headers' own parameters and locals (and other common
// names): g++'s -Wshadow reports a parameter or local of a class template's
// member that shadows a global of the program that instantiates it. Every
// part of the API is instantiated for every policy. The names the headers use
// now are deliberately unlikely in a program (owner, slot, viewChannels,
// that, ...); a header that names a parameter or local after one of the
// globals below fails to compile here (with g++).
#include <cstdio>
#include <thread>
#include <tuple>
#include <utility>

#include <audiopool/audiopool.hpp>
#if AUDIOPOOL_WARNINGS_WITH_FMT
#include <audiopool/fmt.hpp>
#endif

// The globals (never used).
int b = 0, before = 0, bound = 0, buffer = 0, bufferBytes = 0, bytes = 0, c = 0, cacheLineSize = 0;
int candidate = 0, capacity = 0, channel = 0, channelStride = 0, channels = 0, chunk = 0, chunkFrames = 0;
int claims = 0, constList = 0, context = 0, count = 0, counted = 0, counter = 0, counts = 0, crossThread = 0,
    current = 0;
int d = 0, data = 0, desired = 0, destination = 0, destinationStartFrame = 0, detached = 0, detachedBit = 0;
int done = 0, exact = 0, expected = 0, failure = 0, falseSharingRange = 0, fillsReleased = 0, frames = 0;
int from = 0, fromChannel = 0, fromFrames = 0, fromStart = 0, generation = 0, generationMask = 0, h = 0;
int halfBits = 0, halfWrapMask = 0, halfWraps = 0, halfWrapsSeen = 0, handler = 0, hasLink = 0, head = 0;
int header = 0, i = 0, inUse = 0, it = 0, k = 0, kind = 0, knowsThreads = 0, lane = 0, laneTaken = 0;
int left = 0, linked = 0, links = 0, list = 0, lock = 0, m = 0, madeUp = 0, marksReleased = 0;
int maxCapacity = 0, me = 0, mine = 0, misuseHandler = 0, movedBack = 0, n = 0, next = 0, noLane = 0;
int none = 0, numChannels = 0, numFrames = 0, o = 0, offset = 0, other = 0, p = 0, pageStep = 0;
int parityBit = 0, perLine = 0, poisonsReleased = 0, pool = 0, popped = 0, pops = 0, position = 0;
int progress = 0, pushes = 0, readModifyWriteIsWaitFree = 0, report = 0, result = 0, returnTaken = 0;
int ruleBroken = 0, s = 0, samples = 0, size = 0, source = 0, sourceStartFrame = 0, start = 0, stock = 0;
int stockTaken = 0, success = 0, tag = 0, tagHalf = 0, tagMask = 0, tail = 0, taken = 0, threadRule = 0;
int threadRuleOf = 0, to = 0, toChannel = 0, toFrames = 0, toStart = 0, top = 0, total = 0, totalFrames = 0;
int unbound = 0, unique = 0, used = 0, v = 0, value = 0, version = 0, waiting = 0, wanted = 0, word = 0;

namespace {

/// A JUCE-shaped buffer (getNumChannels, getNumSamples, getReadPointer, getWritePointer).
struct JuceShaped {
    float* channelData[2];
    int getNumChannels() const { return 2; }
    int getNumSamples() const { return 8; }
    const float* getReadPointer(int ch) const { return channelData[ch]; }
    float* getWritePointer(int ch) { return channelData[ch]; }
};

void quietHandler(const audiopool::MisuseReport&) noexcept {}

template <class P>
bool exercise() {
    static P thePool;
    thePool.prefault();
    float floats[2][8]{};
    double doubles[2][8]{};
    float* floatPointers[2] = {floats[0], floats[1]};
    const float* constFloatPointers[2] = {floats[0], floats[1]};
    double* doublePointers[2] = {doubles[0], doubles[1]};
    JuceShaped juce{{floats[0], floats[1]}};
    bool ok = true;
    {
        auto unique = thePool.acquire(2, 8);
        auto shared = thePool.acquireShared();
        ok = ok && unique && shared;
        auto sharedCopy = shared;
        sharedCopy = shared;
        auto sharedMoved = std::move(sharedCopy);
        ok = ok && sharedMoved.useCount() == 2;
        (void)unique.copyFrom(constFloatPointers, 2, 8, 1);
        (void)unique.copyTo(floatPointers, 2, 8, 1);
        (void)unique.copyFrom(doublePointers, 2, 8);
        (void)unique.copyTo(doublePointers, 2, 8);
        (void)unique.copyFrom(juce, 1);
        (void)unique.copyTo(juce, 1);
        (void)shared.copyFrom(unique);
        (void)unique.copyTo(shared);
        unique.clear();
        for (auto& sample : unique.channel(0)) sample = 1;
        ok = ok && unique.channelPointers() != nullptr && unique.numChannels() == 2 && unique.numFrames() == 8;
        (void)unique.index();
        const audiopool::Detached detached = unique.detach();
        auto adopted = thePool.adopt(detached);
        const audiopool::Detached again = adopted.detach();
        ok = ok && thePool.release(again);
        ok = ok && !thePool.release(again);  // a double release: reported to quietHandler, refused
        typename P::Shared fromUnique(thePool.acquire());
        ok = ok && fromUnique;
    }
    if constexpr (P::crossThread) {
        auto handedOver = thePool.acquire();
        std::thread releaser([buffer = std::move(handedOver)]() mutable { buffer.reset(); });
        releaser.join();
    }
    std::size_t framesSeen = 0;
    for (const auto [first, length] : audiopool::chunks(1000, P::frames)) framesSeen += length + first * 0;
    ok = ok && framesSeen == 1000;
    (void)thePool.lockMemory();
    (void)thePool.unlockMemory();
    const audiopool::Stats stats = thePool.stats();
    ok = ok && stats.inUse == 0 && stats.misuses == 1;
#if AUDIOPOOL_WARNINGS_WITH_FMT
    std::printf("%s\n", fmt::format("{}: {}", thePool, stats).c_str());
#endif
    return ok;
}

/// Every built-in policy (the library's one list), float and double.
template <class... Policies>
bool exerciseEach(std::tuple<Policies...>*) {
    return (exercise<audiopool::Pool<float, 2, 512, 4, Policies>>() && ...) &&
           (exercise<audiopool::Pool<double, 2, 512, 4, Policies>>() && ...);
}

} // namespace

int main() {
    audiopool::setMisuseHandler(&quietHandler);
    const bool ok = exerciseEach(static_cast<audiopool::BuiltinPolicies*>(nullptr));
    std::printf("%s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
