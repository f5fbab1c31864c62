// audiopool::View: a non-owning view over host memory and pooled memory
// alike, its sub-views, chunks of a view, and the copies that take views.
#include "test_prelude.hpp"

#include <cstdint>
#include <limits>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif
#include "support/pool_under_test.hpp"

namespace {

constexpr std::size_t huge = std::numeric_limits<std::size_t>::max();

/// A host's planar block: `channels` channels of `frames` samples, each
/// sample unique to its position, and the pointer array a host passes.
template <class T>
struct HostBlock {
    HostBlock(std::size_t channels, std::size_t frames) : samples(channels, std::vector<T>(frames)) {
        for (std::size_t c = 0; c < channels; ++c) {
            for (std::size_t f = 0; f < frames; ++f) samples[c][f] = value(c, f);
            pointers.push_back(samples[c].data());
        }
    }
    static T value(std::size_t c, std::size_t f) { return static_cast<T>(c * 1000 + f) / T(4); }
    std::vector<std::vector<T>> samples;
    std::vector<T*> pointers;
};

/// Shaped like juce::dsp::AudioBlock: a pointer array it does not show, a
/// channel offset and a start sample of its own.
template <class T>
class BlockShaped {
public:
    BlockShaped(T* const* channels, std::size_t firstChannel, std::size_t numChannels, std::size_t start,
                std::size_t numSamples)
        : channels_(channels), first_(firstChannel), numChannels_(numChannels), start_(start), numSamples_(numSamples) {
    }
    std::size_t getNumChannels() const { return numChannels_; }
    std::size_t getNumSamples() const { return numSamples_; }
    T* getChannelPointer(std::size_t c) const { return channels_[first_ + c] + start_; }

private:
    T* const* channels_;
    std::size_t first_, numChannels_, start_, numSamples_;
};

} // namespace

TEST_CASE("A view over raw channel pointers sees the host's samples in place") {
    HostBlock<float> host(3, 10);
    const audiopool::View view(host.pointers.data(), 3, 10);
    static_assert(std::is_same_v<decltype(view), const audiopool::View<float>>);
    CHECK(view.numChannels() == 3);
    CHECK(view.numFrames() == 10);
    CHECK_FALSE(view.empty());
    for (std::size_t c = 0; c < 3; ++c) {
        CHECK(view.channel(c).data() == host.samples[c].data());
        CHECK(view.channel(c).size() == 10);
    }
    CHECK(view.channel(3).empty());
    CHECK(view.channelPointer(3) == nullptr);
    view.channel(1)[4] = -1.0f;  // writes the host's memory
    CHECK(host.samples[1][4] == -1.0f);
}

TEST_CASE("A view of a null pointer array is a view of nothing; a null channel is an empty channel") {
    const audiopool::View<float> none(nullptr, 8, 64);
    CHECK(none.numChannels() == 0);
    CHECK(none.numFrames() == 0);
    CHECK(none.empty());
    CHECK(none.channel(0).empty());
    CHECK(audiopool::View<double>{}.empty());

    HostBlock<float> host(2, 4);
    float* withHole[3] = {host.pointers[0], nullptr, host.pointers[1]};
    const audiopool::View view(withHole, 3, 4);
    CHECK(view.numChannels() == 3);
    CHECK(view.channel(1).empty());
    CHECK(view.channelPointer(1) == nullptr);
    CHECK(view.frames(1, 2).channelPointer(1) == nullptr);  // an offset keeps null null
    // A copy skips the null channel and counts only the channels it wrote.
    HostBlock<float> target(3, 4);
    const audiopool::CopyExtent e = audiopool::View(target.pointers.data(), 3, 4).copyFrom(view);
    CHECK(e == audiopool::CopyExtent{2, 4});
    CHECK(target.samples[0][3] == host.samples[0][3]);
    CHECK(target.samples[1][3] == HostBlock<float>::value(1, 3));  // untouched
    CHECK(target.samples[2][3] == host.samples[1][3]);
}

TEST_CASE("Sub-views are offsets into the same memory, clamped, never out of range") {
    HostBlock<double> host(4, 16);
    const audiopool::View view(host.pointers.data(), 4, 16);

    const auto middle = view.frames(3, 5);
    CHECK(middle.numFrames() == 5);
    CHECK(middle.numChannels() == 4);
    CHECK(middle.channel(2).data() == host.samples[2].data() + 3);

    const auto some = view.channels(1, 2).frames(10, 100);  // count past the end: clamped to 6
    CHECK(some.numChannels() == 2);
    CHECK(some.numFrames() == 6);
    CHECK(some.channel(0)[0] == HostBlock<double>::value(1, 10));
    CHECK(some.channel(1)[5] == HostBlock<double>::value(2, 15));
    CHECK(some.channel(2).empty());

    // Offsets compose: a sub-view of a sub-view.
    const auto inner = view.frames(2, 12).frames(3, 4).channels(2, 2);
    CHECK(inner.numFrames() == 4);
    CHECK(inner.numChannels() == 2);
    CHECK(inner.channel(0).data() == host.samples[2].data() + 5);
    CHECK(inner.channel(1).data() == host.samples[3].data() + 5);

    // Starts at or past the end, and huge values, give empty views (no wrap).
    CHECK(view.frames(16, 1).numFrames() == 0);
    CHECK(view.frames(huge, huge).numFrames() == 0);
    CHECK(view.frames(15, huge).numFrames() == 1);
    CHECK(view.channels(4, 1).numChannels() == 0);
    CHECK(view.channels(huge, huge).numChannels() == 0);
    CHECK(view.channels(3, huge).numChannels() == 1);
    CHECK(view.frames(16, 1).empty());
    CHECK(view.frames(16, 1).channel(0).empty());
}

TEST_CASE("chunks(view, n) yields sub-views of the host block itself") {
    HostBlock<float> host(2, 1000);
    const audiopool::View view(host.pointers.data(), 2, 1000);
    std::size_t expectedStart = 0, count = 0;
    for (const audiopool::View<float> chunk : audiopool::chunks(view, 256)) {
        CHECK(chunk.numChannels() == 2);
        CHECK(chunk.numFrames() == std::min<std::size_t>(256, 1000 - expectedStart));
        CHECK(chunk.channel(1).data() == host.samples[1].data() + expectedStart);  // in place: no copy
        expectedStart += chunk.numFrames();
        ++count;
    }
    CHECK(expectedStart == 1000);
    CHECK(count == 4);
    CHECK(audiopool::chunks(view, 256).size() == 4);
    CHECK(audiopool::chunks(view, 0).empty());  // no endless loop
    CHECK(audiopool::chunks(view.frames(1000, 1), 64).empty());
    // A chunk of a sub-view starts where the sub-view does.
    CHECK((*audiopool::chunks(view.frames(100, 50), 32).begin()).channel(0).data() == host.samples[0].data() + 100);
}

TEST_CASE_TEMPLATE("A handle is a view of its buffer (view(), or implicitly)", Policy, AUDIOPOOL_ALL_POLICIES) {
    using Pool = test::Pool<float, 3, 32, 2, Policy>;
    auto pool = test::makePool<Pool>();
    auto h = pool->acquire(2, 20);
    REQUIRE(h);
    const audiopool::View<float> implicitView = h;
    const auto view = h.view();
    for (const auto& v : {implicitView, view}) {
        CHECK(v.numChannels() == 2);
        CHECK(v.numFrames() == 20);
        CHECK(v.channel(0).data() == h.channel(0).data());
        CHECK(v.channel(1).data() == h.channel(1).data());
        CHECK(v.channel(2).empty());
    }
    const typename Pool::Unique emptyHandle;
    const audiopool::View<float> ofEmpty = emptyHandle;
    CHECK(ofEmpty.empty());
    CHECK(ofEmpty.numChannels() == 0);

    // Process a pooled buffer through a view of part of it.
    view.clear();
    view.frames(5, 10).channels(1, 1).channel(0)[0] = 7.0f;
    CHECK(h.channel(1)[5] == 7.0f);
    CHECK(h.channel(0)[5] == 0.0f);
}

TEST_CASE("Copies take views on either side, with their offsets, converting float and double") {
    using Pool = test::Pool<float, 2, 64, 2, audiopool::IndexStack>;
    auto pool = test::makePool<Pool>();
    auto h = pool->acquire();
    REQUIRE(h);
    h.clear();

    HostBlock<double> host(4, 100);
    const audiopool::View view(host.pointers.data(), 4, 100);

    // Host channels 2..3, frames 30..: into the handle's frame 0 on.
    CHECK(h.copyFrom(view.channels(2, 2).frames(30, 1000)) == audiopool::CopyExtent{2, 64});
    CHECK(h.channel(0)[0] == static_cast<float>(HostBlock<double>::value(2, 30)));
    CHECK(h.channel(1)[63] == static_cast<float>(HostBlock<double>::value(3, 93)));

    // And back, into host frames 90..99 of channels 0..1: 10 frames fit.
    CHECK(h.copyTo(view.frames(90, 10)) == audiopool::CopyExtent{2, 10});
    CHECK(host.samples[0][90] == static_cast<double>(h.channel(0)[0]));
    CHECK(host.samples[1][99] == static_cast<double>(h.channel(1)[9]));
    CHECK(host.samples[0][89] == HostBlock<double>::value(0, 89));  // before the view: untouched

    // View to view, and a view of the handle to the host.
    HostBlock<float> other(2, 8);
    const audiopool::View<float> target(other.pointers.data(), 2, 8);
    CHECK(target.frames(2, 8).copyFrom(view.frames(0, 3)) == audiopool::CopyExtent{2, 3});
    CHECK(other.samples[1][2] == static_cast<float>(HostBlock<double>::value(1, 0)));
    CHECK(other.samples[1][5] == HostBlock<float>::value(1, 5));  // past the source: untouched
    CHECK(h.view().frames(0, 4).copyTo(target) == audiopool::CopyExtent{2, 4});
    CHECK(other.samples[0][3] == h.channel(0)[3]);

    // Nothing in common: {0, 0}, nothing written.
    CHECK(h.copyFrom(view.frames(100, 5)) == audiopool::CopyExtent{});
    CHECK(target.copyFrom(audiopool::View<double>{}) == audiopool::CopyExtent{});
}

TEST_CASE("A view of a JUCE-shaped buffer or of an AudioBlock-shaped block writes through") {
    test::JuceShapedBuffer<float> buffer(3, 40);
    buffer.fillRamp();
    const audiopool::View view(buffer);  // View<float>: write pointers
    static_assert(std::is_same_v<decltype(view), const audiopool::View<float>>);
    CHECK(view.numChannels() == 3);
    CHECK(view.numFrames() == 40);
    CHECK(view.channel(2).data() == buffer.getWritePointer(2));
    view.frames(10, 5).channel(1)[0] = -3.0f;
    CHECK(buffer.at(1, 10) == -3.0f);

    const test::JuceShapedBuffer<float>& readOnly = buffer;
    const audiopool::View<const float> constView(readOnly);  // read pointers
    CHECK(constView.channel(1)[10] == -3.0f);
    const audiopool::View<const float> widened = view;  // a View<float> is a View<const float>
    CHECK(widened.frames(10, 1).channel(1)[0] == -3.0f);

    HostBlock<float> host(4, 20);
    const BlockShaped<float> block(host.pointers.data(), 1, 2, 5, 10);  // channels 1..2, samples 5..14
    const audiopool::View blockView(block);
    CHECK(blockView.numChannels() == 2);
    CHECK(blockView.numFrames() == 10);
    CHECK(blockView.channel(0).data() == host.samples[1].data() + 5);
    CHECK(blockView.channels(1, 1).frames(2, 3).channel(0).data() == host.samples[2].data() + 7);

    // The handles' copies take an AudioBlock-shaped block directly too.
    using Pool = test::Pool<double, 2, 16, 1, audiopool::IndexStack>;
    auto pool = test::makePool<Pool>();
    auto h = pool->acquire();
    REQUIRE(h);
    CHECK(h.copyFrom(block) == audiopool::CopyExtent{2, 10});
    CHECK(h.channel(1)[9] == static_cast<double>(HostBlock<float>::value(2, 14)));
    h.clear();
    CHECK(h.copyTo(block) == audiopool::CopyExtent{2, 10});
    CHECK(host.samples[1][5] == 0.0f);
    CHECK(host.samples[1][4] == HostBlock<float>::value(1, 4));  // before the block: untouched
}

TEST_CASE("Views of many channels need no heap: 64 channels, sub-views and chunks") {
    HostBlock<float> host(64, 300);
    const audiopool::View view(host.pointers.data(), 64, 300);
    static_assert(sizeof(audiopool::View<float>) <= 8 * sizeof(std::size_t));  // whatever the channel count
    std::size_t seen = 0;
    for (const auto chunk : audiopool::chunks(view.channels(20, 36), 128)) {
        for (std::size_t c = 0; c < chunk.numChannels(); ++c) seen += chunk.channel(c).size();
    }
    CHECK(seen == 36 * 300);
}

TEST_CASE("View's members are noexcept") {
    using V = audiopool::View<float>;
    const V v;
    static_assert(noexcept(v.channel(0)) && noexcept(v.frames(0, 1)) && noexcept(v.channels(0, 1)));
    static_assert(noexcept(v.numChannels()) && noexcept(v.numFrames()) && noexcept(v.clear()));
    static_assert(std::is_trivially_copyable_v<V>);
    CHECK(v.empty());
}

TEST_CASE("Copies between overlapping sub-views of one buffer move the samples as memmove does") {
    HostBlock<float> host(1, 10);
    const audiopool::View view(host.pointers.data(), 1, 10);
    // Forwards by one: frames 1..9 into 0..8.
    CHECK(view.frames(0, 9).copyFrom(view.frames(1, 9)) == audiopool::CopyExtent{1, 9});
    for (std::size_t f = 0; f < 9; ++f) CHECK(host.samples[0][f] == HostBlock<float>::value(0, f + 1));
    // Backwards by two: frames 0..7 into 2..9.
    const std::vector<float> before = host.samples[0];
    CHECK(view.frames(0, 8).copyTo(view.frames(2, 8)) == audiopool::CopyExtent{1, 8});
    for (std::size_t f = 0; f < 8; ++f) CHECK(host.samples[0][f + 2] == before[f]);
}

namespace {
template <class V, class B>
concept ViewableFromTemporary = requires { V(std::declval<B>()); };
template <class H>
concept ViewOfTemporary = requires { std::declval<H>().view(); };
} // namespace

TEST_CASE("A view is refused where it would read the wrong type or outlive its memory") {
    using Pool = test::Pool<float, 2, 16, 2, audiopool::IndexStack>;
    // A JUCE-shaped buffer of another sample type: no view (it would read
    // floats as doubles, out of range).
    static_assert(!std::is_constructible_v<audiopool::View<double>, test::JuceShapedBuffer<float>&>);
    static_assert(!std::is_constructible_v<audiopool::View<const float>, const test::JuceShapedBuffer<double>&>);
    static_assert(std::is_constructible_v<audiopool::View<const float>, const test::JuceShapedBuffer<float>&>);
    // No writable view of read-only memory.
    static_assert(!std::is_constructible_v<audiopool::View<float>, const test::JuceShapedBuffer<float>&>);
    static_assert(!std::is_constructible_v<audiopool::View<float>, const float* const*, std::size_t, std::size_t>);
    // Not from a temporary handle, Buffer or block, and no view() of a temporary.
    static_assert(std::is_constructible_v<audiopool::View<float>, const typename Pool::Unique&>);
    static_assert(!ViewableFromTemporary<audiopool::View<float>, typename Pool::Unique>);
    static_assert(!ViewableFromTemporary<audiopool::View<float>, audiopool::Buffer<float>>);
    static_assert(!ViewableFromTemporary<audiopool::View<float>, BlockShaped<float>>);
    static_assert(!ViewOfTemporary<typename Pool::Unique>);
    static_assert(!ViewOfTemporary<audiopool::Buffer<float>>);
    static_assert(ViewOfTemporary<typename Pool::Unique&>);
    // A read-only view is no copy destination.
    static_assert(!audiopool::CopyDestination<audiopool::View<const float>>);
    static_assert(audiopool::CopyDestination<audiopool::View<float>>);
    // A const JUCE-shaped buffer deduces a read-only view.
    const test::JuceShapedBuffer<float> constBuffer(1, 4);
    const audiopool::View deduced(constBuffer);
    static_assert(std::is_same_v<decltype(deduced), const audiopool::View<const float>>);
    CHECK(deduced.numFrames() == 4);
}
