// Copies between pooled buffers, JUCE-shaped buffers and raw channel pointers.
#include "test_prelude.hpp"
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

template <class Policy>
using FloatPool = audiopool::Pool<float, 2, 64, 4, Policy>;
template <class Policy>
using DoublePool = audiopool::Pool<double, 4, 128, 2, Policy>;

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
