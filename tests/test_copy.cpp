// Copies between pooled buffers, JUCE-shaped buffers and raw channel pointers.
#include "test_prelude.hpp"
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif
#include "support/pool_under_test.hpp"

template <class Policy>
using FloatPool = test::Pool<float, 2, 64, 4, Policy>;
template <class Policy>
using DoublePool = test::Pool<double, 4, 128, 2, Policy>;

using test::JuceShapedBuffer;

TEST_CASE_TEMPLATE("CopyFrom", Policy, AUDIOPOOL_ALL_POLICIES) {
    auto pool = test::makePool<FloatPool<Policy>>();
    JuceShapedBuffer<float> source(2, 64);
    source.fillRamp();
    auto buffer = pool->acquire(2, 64);
    const audiopool::CopyExtent done = buffer.copyFrom(source);
    CHECK(done == audiopool::CopyExtent{2, 64});
    for (int c = 0; c < 2; ++c)
        for (int i = 0; i < 64; ++i)
            CHECK(buffer.channel(static_cast<std::size_t>(c))[static_cast<std::size_t>(i)] ==
                  JuceShapedBuffer<float>::rampValue(c, i));
}

TEST_CASE_TEMPLATE("CopyTo", Policy, AUDIOPOOL_ALL_POLICIES) {
    auto pool = test::makePool<FloatPool<Policy>>();
    auto buffer = pool->acquire(2, 64);
    for (std::size_t c = 0; c < 2; ++c)
        for (std::size_t i = 0; i < 64; ++i) buffer.channel(c)[i] = float(c) - float(i);
    JuceShapedBuffer<float> destination(2, 64);
    CHECK(buffer.copyTo(destination) == audiopool::CopyExtent{2, 64});
    for (int c = 0; c < 2; ++c)
        for (int i = 0; i < 64; ++i) CHECK(destination.at(c, i) == float(c) - float(i));
}

TEST_CASE_TEMPLATE("PartialCopiesCoverOnlyTheOverlap", Policy, AUDIOPOOL_ALL_POLICIES) {
    auto pool = test::makePool<FloatPool<Policy>>();
    SUBCASE("source larger than the view: only the view is written") {
        JuceShapedBuffer<float> big(6, 200);
        big.fillRamp();
        auto buffer = pool->acquire(1, 10);
        // Sentinel just past the view, inside the pooled storage.
        buffer.channelPointers()[0][10] = -7.0f;
        buffer.channelPointers()[1][0] = -7.0f;
        CHECK(buffer.copyFrom(big) == audiopool::CopyExtent{1, 10});
        CHECK(buffer.channel(0)[9] == JuceShapedBuffer<float>::rampValue(0, 9));
        CHECK(buffer.channelPointers()[0][10] == -7.0f);
        CHECK(buffer.channelPointers()[1][0] == -7.0f);
    }
    SUBCASE("destination smaller than the view: only the destination is written") {
        auto buffer = pool->acquire(2, 64);
        for (std::size_t c = 0; c < 2; ++c)
            for (float& s : buffer.channel(c)) s = 1.0f;
        JuceShapedBuffer<float> small(1, 5);
        CHECK(buffer.copyTo(small) == audiopool::CopyExtent{1, 5});
        for (int i = 0; i < 5; ++i) CHECK(small.at(0, i) == 1.0f);
    }
    SUBCASE("source smaller than the view: the rest of the view is untouched") {
        auto buffer = pool->acquire(2, 64);
        for (std::size_t c = 0; c < 2; ++c)
            for (float& s : buffer.channel(c)) s = 9.0f;
        JuceShapedBuffer<float> small(1, 3);
        small.fillRamp(1.0f);
        CHECK(buffer.copyFrom(small) == audiopool::CopyExtent{1, 3});
        CHECK(buffer.channel(0)[2] == 1.0f + JuceShapedBuffer<float>::rampValue(0, 2));
        CHECK(buffer.channel(0)[3] == 9.0f);
        CHECK(buffer.channel(1)[0] == 9.0f);
    }
    SUBCASE("an empty JUCE buffer copies nothing") {
        auto buffer = pool->acquire();
        JuceShapedBuffer<float> none(0, 0);
        CHECK(buffer.copyFrom(none) == audiopool::CopyExtent{0, 0});
        CHECK(buffer.copyTo(none) == audiopool::CopyExtent{0, 0});
    }
    SUBCASE("an empty handle copies nothing") {
        typename FloatPool<Policy>::Unique empty;
        JuceShapedBuffer<float> source(2, 8);
        CHECK(empty.copyFrom(source) == audiopool::CopyExtent{0, 0});
        CHECK(empty.copyTo(source) == audiopool::CopyExtent{0, 0});
    }
}

TEST_CASE_TEMPLATE("ConvertingCopiesBetweenFloatAndDouble", Policy, AUDIOPOOL_ALL_POLICIES) {
    auto floats = test::makePool<FloatPool<Policy>>();
    auto doubles = test::makePool<DoublePool<Policy>>();
    JuceShapedBuffer<double> source(2, 64);
    source.fillRamp(0.25);
    auto f = floats->acquire();
    CHECK(f.copyFrom(source) == audiopool::CopyExtent{2, 64});
    CHECK(f.channel(1)[63] == static_cast<float>(JuceShapedBuffer<double>::rampValue(1, 63) + 0.25));

    // float handle -> double handle (handle to handle), then -> JUCE-shaped double.
    auto d = doubles->acquire(4, 128);
    CHECK(d.copyFrom(f) == audiopool::CopyExtent{2, 64});
    CHECK(d.channel(1)[63] == static_cast<double>(f.channel(1)[63]));
    JuceShapedBuffer<float> back(4, 128);
    CHECK(d.copyTo(back) == audiopool::CopyExtent{4, 128});
    CHECK(back.at(0, 5) == f.channel(0)[5]);
    CHECK(f.copyTo(d) == audiopool::CopyExtent{2, 64});
}

TEST_CASE_TEMPLATE("RawChannelPointerCopies", Policy, AUDIOPOOL_ALL_POLICIES) {
    auto pool = test::makePool<FloatPool<Policy>>();
    std::vector<float> left(32, 0.5f), right(32, -0.5f);
    float* channels[] = {left.data(), right.data()};
    auto buffer = pool->acquire(2, 64);

    // A CLAP-style float** becomes const float* const* without a cast.
    CHECK(buffer.copyFrom(channels, 2, 32) == audiopool::CopyExtent{2, 32});
    CHECK(buffer.channel(0)[31] == 0.5f);
    CHECK(buffer.channel(1)[0] == -0.5f);

    for (float& s : buffer.channel(0)) s = 2.0f;
    CHECK(buffer.copyTo(channels, 1, 32) == audiopool::CopyExtent{1, 32});  // the destination is the shorter side
    CHECK(left[31] == 2.0f);
    CHECK(right[0] == -0.5f);  // channel 1 not asked for

    std::vector<double> wide(64);
    double* wideChannels[] = {wide.data()};
    CHECK(buffer.copyTo(wideChannels, 1, 64) == audiopool::CopyExtent{1, 64});
    CHECK(wide[63] == 2.0);
}

TEST_CASE_TEMPLATE("NullChannelPointersAreSkipped", Policy, AUDIOPOOL_ALL_POLICIES) {
    auto pool = test::makePool<FloatPool<Policy>>();
    auto buffer = pool->acquire(2, 8);
    buffer.clear();
    CHECK(buffer.copyFrom(static_cast<const float* const*>(nullptr), 2, 8) == audiopool::CopyExtent{0, 0});
    CHECK(buffer.copyTo(static_cast<float* const*>(nullptr), 2, 8) == audiopool::CopyExtent{0, 0});
    std::vector<float> right(8, 4.0f);
    const float* halfNull[] = {nullptr, right.data()};
    CHECK(buffer.copyFrom(halfNull, 2, 8) == audiopool::CopyExtent{1, 8});
    CHECK(buffer.channel(0)[0] == 0.0f);
    CHECK(buffer.channel(1)[7] == 4.0f);
}

TEST_CASE_TEMPLATE("CopyingABufferOntoItselfKeepsItsSamples", Policy, AUDIOPOOL_ALL_POLICIES) {
    auto pool = test::makePool<FloatPool<Policy>>();
    auto a = pool->acquireShared(2, 16);
    for (std::size_t c = 0; c < 2; ++c)
        for (std::size_t i = 0; i < 16; ++i) a.channel(c)[i] = float(c * 100 + i);
    auto b = a;  // the same buffer through another handle
    CHECK(b.copyFrom(a) == audiopool::CopyExtent{2, 16});
    CHECK(a.copyTo(a) == audiopool::CopyExtent{2, 16});
    for (std::size_t c = 0; c < 2; ++c)
        for (std::size_t i = 0; i < 16; ++i) CHECK(b.channel(c)[i] == float(c * 100 + i));
}

// ---- Copies with a start frame on the other side ---------------------------
// Every sample of both sides is checked after each copy: the copied region
// holds the source's samples from the start frame on, and everything else
// (the rest of the pooled storage, the rest of the other side and guard
// samples on both sides of each of its channels) still holds a guard value.

namespace {

constexpr std::size_t kGuardFrames = 4;
constexpr double kGuard = -7.5;

/// The sample a source holds at (c, i): exact in float and distinct per position.
template <class T>
T sourceValue(std::size_t c, std::size_t i) {
    return T(static_cast<double>(c * 1000 + i) / 8.0);
}

/// The start frames every offset test uses against a side of `frames` frames:
/// the first, the middle, the last, exactly the end, one past it, the largest.
std::array<std::size_t, 6> startsFor(std::size_t frames) {
    return {0, frames / 2, frames - 1, frames, frames + 1, SIZE_MAX};
}

/// The frames a copy starting at `start` of a side of `otherFrames` frames
/// covers in a handle of `handleFrames` frames.
std::size_t framesFrom(std::size_t handleFrames, std::size_t otherFrames, std::size_t start) {
    return start >= otherFrames ? 0 : std::min(handleFrames, otherFrames - start);
}

audiopool::CopyExtent extentOf(std::size_t channels, std::size_t frames) {
    return frames == 0 ? audiopool::CopyExtent{0, 0} : audiopool::CopyExtent{channels, frames};
}

/// Raw channel arrays with guard samples before and after every channel.
template <class T>
struct GuardedChannels {
    GuardedChannels(std::size_t channels, std::size_t frames)
        : frames(frames), storage(channels, std::vector<T>(frames + 2 * kGuardFrames, T(kGuard))) {
        for (auto& s : storage) pointers.push_back(s.data() + kGuardFrames);
    }
    void fill() {
        for (std::size_t c = 0; c < storage.size(); ++c)
            for (std::size_t i = 0; i < frames; ++i) pointers[c][i] = sourceValue<T>(c, i);
    }
    /// Frames [start, start + count) of channels below `written` hold
    /// `expected(c, i - start)`; every other sample, guards included, holds
    /// what fill() (`filled`) or the constructor put there.
    template <class Expected>
    void check(std::size_t written, std::size_t start, std::size_t count, bool filled, Expected expected) const {
        for (std::size_t c = 0; c < storage.size(); ++c)
            for (std::size_t j = 0; j < storage[c].size(); ++j) {
                const bool inside = j >= kGuardFrames && j - kGuardFrames < frames;
                const std::size_t i = j - kGuardFrames;
                T want = T(kGuard);
                if (inside && c < written && i >= start && i - start < count) want = expected(c, i - start);
                else if (inside && filled) want = sourceValue<T>(c, i);
                CHECK(storage[c][j] == want);
            }
    }
    std::size_t frames;
    std::vector<std::vector<T>> storage;
    std::vector<T*> pointers;
};

/// Sets the whole pooled storage of `handle` (beyond its view too) to `value(c, i)`.
template <class Pool, class Handle, class Value>
void setStorage(Handle& handle, Value value) {
    for (std::size_t c = 0; c < Pool::channels; ++c)
        for (std::size_t i = 0; i < Pool::frames; ++i)
            handle.channelPointers()[c][i] = static_cast<typename Pool::Sample>(value(c, i));
}

/// The handle's frames [0, count) of its channels below `written` hold
/// `expected(c, i)`, and every other sample of its pooled storage `other(c, i)`.
template <class Pool, class Handle, class Expected, class Other>
void checkStorage(const Handle& handle, std::size_t written, std::size_t count, Expected expected, Other other) {
    using S = typename Pool::Sample;
    for (std::size_t c = 0; c < Pool::channels; ++c)
        for (std::size_t i = 0; i < Pool::frames; ++i) {
            const S want = c < written && i < count ? S(expected(c, i)) : S(other(c, i));
            CHECK(handle.channelPointers()[c][i] == want);
        }
}

/// A JUCE-shaped buffer whose sizes are negative, as a corrupt or
/// default-constructed buffer might report: it counts as empty.
struct NegativeSizedBuffer {
    float sample = 0.0f;
    int getNumChannels() const { return -2; }
    int getNumSamples() const { return -3; }
    const float* getReadPointer(int) const { return &sample; }
    float* getWritePointer(int) { return &sample; }
};

} // namespace

TEST_CASE_TEMPLATE("CopyFromJuceShapedBufferWithASourceStart", Policy, AUDIOPOOL_ALL_POLICIES) {
    using P = FloatPool<Policy>;
    auto pool = test::makePool<P>();
    // A source longer and one shorter than the handle's 48-frame view, with a
    // third channel the 2-channel handle never reads.
    for (const std::size_t sourceFrames : {std::size_t{100}, std::size_t{40}}) {
        JuceShapedBuffer<float> source(3, static_cast<int>(sourceFrames));
        source.fillRamp();
        for (const std::size_t start : startsFor(sourceFrames)) {
            CAPTURE(sourceFrames);
            CAPTURE(start);
            auto buffer = pool->acquire(2, 48);
            setStorage<P>(buffer, [](std::size_t, std::size_t) { return kGuard; });
            const std::size_t count = framesFrom(48, sourceFrames, start);
            CHECK(buffer.copyFrom(source, start) == extentOf(2, count));
            checkStorage<P>(
                buffer, 2, count,
                [&](std::size_t c, std::size_t i) {
                    return JuceShapedBuffer<float>::rampValue(static_cast<int>(c), static_cast<int>(start + i));
                },
                [](std::size_t, std::size_t) { return kGuard; });
        }
    }
}

TEST_CASE_TEMPLATE("CopyToJuceShapedBufferWithADestinationStart", Policy, AUDIOPOOL_ALL_POLICIES) {
    using P = FloatPool<Policy>;
    auto pool = test::makePool<P>();
    for (const std::size_t destinationFrames : {std::size_t{100}, std::size_t{40}}) {
        for (const std::size_t start : startsFor(destinationFrames)) {
            CAPTURE(destinationFrames);
            CAPTURE(start);
            auto buffer = pool->acquire(2, 48);
            setStorage<P>(buffer, [](std::size_t c, std::size_t i) { return sourceValue<float>(c, i); });
            JuceShapedBuffer<float> destination(3, static_cast<int>(destinationFrames));
            for (int c = 0; c < 3; ++c)
                for (int i = 0; i < static_cast<int>(destinationFrames); ++i) destination.at(c, i) = float(kGuard);
            const std::size_t count = framesFrom(48, destinationFrames, start);
            CHECK(buffer.copyTo(destination, start) == extentOf(2, count));
            for (int c = 0; c < 3; ++c)
                for (std::size_t i = 0; i < destinationFrames; ++i) {
                    const bool written = c < 2 && i >= start && i - start < count;
                    CHECK(destination.at(c, static_cast<int>(i)) ==
                          (written ? sourceValue<float>(std::size_t(c), i - start) : float(kGuard)));
                }
            // The handle is only read.
            checkStorage<P>(
                buffer, 0, 0, [](std::size_t, std::size_t) { return 0.0; },
                [](std::size_t c, std::size_t i) { return sourceValue<float>(c, i); });
        }
    }
}

TEST_CASE_TEMPLATE("NegativeJuceSizesCountAsEmptyWithAnyStart", Policy, AUDIOPOOL_ALL_POLICIES) {
    auto pool = test::makePool<FloatPool<Policy>>();
    auto buffer = pool->acquire();
    NegativeSizedBuffer odd;
    for (const std::size_t start : {std::size_t{0}, std::size_t{1}, std::size_t{SIZE_MAX}}) {
        CHECK(buffer.copyFrom(odd, start) == audiopool::CopyExtent{0, 0});
        CHECK(buffer.copyTo(odd, start) == audiopool::CopyExtent{0, 0});
    }
    CHECK(odd.sample == 0.0f);
}

TEST_CASE_TEMPLATE("RawCopiesWithAStartOnTheRawSide", Policy, AUDIOPOOL_ALL_POLICIES) {
    using P = FloatPool<Policy>;
    auto pool = test::makePool<P>();
    // float to float (memcpy) and double to float (the converting loop), with
    // the raw side longer and shorter than the handle's 48 frames.
    auto run = [&]<class T>(std::size_t rawFrames) {
        for (const std::size_t start : startsFor(rawFrames)) {
            CAPTURE(rawFrames);
            CAPTURE(start);
            const std::size_t count = framesFrom(48, rawFrames, start);
            {  // copyFrom: the raw side is read from `start`.
                GuardedChannels<T> source(3, rawFrames);
                source.fill();
                auto buffer = pool->acquire(2, 48);
                setStorage<P>(buffer, [](std::size_t, std::size_t) { return kGuard; });
                const T* const* from = source.pointers.data();
                CHECK(buffer.copyFrom(from, 3, rawFrames, start) == extentOf(2, count));
                checkStorage<P>(
                    buffer, 2, count, [&](std::size_t c, std::size_t i) { return sourceValue<T>(c, start + i); },
                    [](std::size_t, std::size_t) { return kGuard; });
                source.check(0, 0, 0, true, [](std::size_t, std::size_t) { return T(0); });
            }
            {  // copyTo: the raw side is written from `start`.
                GuardedChannels<T> destination(3, rawFrames);
                auto buffer = pool->acquire(2, 48);
                setStorage<P>(buffer, [](std::size_t c, std::size_t i) { return sourceValue<float>(c, i); });
                CHECK(buffer.copyTo(destination.pointers.data(), 3, rawFrames, start) == extentOf(2, count));
                destination.check(2, start, count, false,
                                  [](std::size_t c, std::size_t i) { return T(sourceValue<float>(c, i)); });
                checkStorage<P>(
                    buffer, 0, 0, [](std::size_t, std::size_t) { return 0.0; },
                    [](std::size_t c, std::size_t i) { return sourceValue<float>(c, i); });
            }
        }
    };
    for (const std::size_t rawFrames : {std::size_t{100}, std::size_t{40}, std::size_t{1}}) {
        run.template operator()<float>(rawFrames);
        run.template operator()<double>(rawFrames);
    }
}

TEST_CASE_TEMPLATE("RawCopiesWithAStartKeepNullChannelsSkipped", Policy, AUDIOPOOL_ALL_POLICIES) {
    auto pool = test::makePool<FloatPool<Policy>>();
    auto buffer = pool->acquire(2, 8);
    buffer.clear();
    std::vector<float> right(16, 4.0f);
    const float* halfNull[] = {nullptr, right.data()};
    CHECK(buffer.copyFrom(halfNull, 2, 16, 10) == audiopool::CopyExtent{1, 6});
    CHECK(buffer.channel(0)[0] == 0.0f);
    CHECK(buffer.channel(1)[5] == 4.0f);
    CHECK(buffer.channel(1)[6] == 0.0f);
    CHECK(buffer.copyFrom(static_cast<const float* const*>(nullptr), 2, 16, 3) == audiopool::CopyExtent{0, 0});
}

TEST_CASE_TEMPLATE("HandleToHandleCopiesWithAStartOnTheOtherHandle", Policy, AUDIOPOOL_ALL_POLICIES) {
    using F = FloatPool<Policy>;
    using D = DoublePool<Policy>;
    auto floats = test::makePool<F>();
    auto doubles = test::makePool<D>();
    auto guard = [](std::size_t, std::size_t) { return kGuard; };
    auto fValue = [](std::size_t c, std::size_t i) { return sourceValue<float>(c, i); };
    auto dValue = [](std::size_t c, std::size_t i) { return sourceValue<double>(c, i) + 0.25; };

    SUBCASE("float to float") {
        auto source = floats->acquire(2, 40);
        setStorage<F>(source, fValue);
        for (const std::size_t start : startsFor(40)) {
            CAPTURE(start);
            auto destination = floats->acquire(2, 64);
            setStorage<F>(destination, guard);
            const std::size_t count = framesFrom(64, 40, start);
            CHECK(destination.copyFrom(source, start) == extentOf(2, count));
            checkStorage<F>(
                destination, 2, count, [&](std::size_t c, std::size_t i) { return fValue(c, start + i); }, guard);
            setStorage<F>(destination, guard);
            CHECK(source.copyTo(destination, start) == extentOf(2, framesFrom(40, 64, start)));
            checkStorage<F>(destination, 0, 0, fValue, [&](std::size_t c, std::size_t i) {
                return i >= start && i - start < framesFrom(40, 64, start) ? double(fValue(c, i - start)) : kGuard;
            });
            checkStorage<F>(source, 0, 0, fValue, fValue);  // the source is only read
        }
    }
    SUBCASE("double (4 x 128) to float (2 x 64) and back") {
        auto d = doubles->acquire(4, 128);
        setStorage<D>(d, dValue);
        for (const std::size_t start : startsFor(128)) {
            CAPTURE(start);
            auto f = floats->acquire(2, 64);
            setStorage<F>(f, guard);
            const std::size_t count = framesFrom(64, 128, start);
            CHECK(f.copyFrom(d, start) == extentOf(2, count));
            checkStorage<F>(
                f, 2, count, [&](std::size_t c, std::size_t i) { return float(dValue(c, start + i)); }, guard);
            checkStorage<D>(d, 0, 0, dValue, dValue);

            // The float handle into the double one from `start`: only its 2
            // channels, only the frames from `start`, the rest of d untouched.
            auto g = floats->acquire(2, 64);
            setStorage<F>(g, fValue);
            const std::size_t back = framesFrom(64, 128, start);
            CHECK(g.copyTo(d, start) == extentOf(2, back));
            checkStorage<D>(d, 0, 0, dValue, [&](std::size_t c, std::size_t i) {
                return c < 2 && i >= start && i - start < back ? double(fValue(c, i - start)) : dValue(c, i);
            });
            setStorage<D>(d, dValue);
        }
    }
}
