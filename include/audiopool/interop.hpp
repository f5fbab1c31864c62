// audiopool/interop.hpp — copying between pooled buffers and the buffers
// audio code already has, with no dependency on any framework.
//
// Five shapes of buffer are understood:
//  - JUCE-shaped: getNumChannels(), getNumSamples(), getReadPointer(int) and,
//    to be written, getWritePointer(int) (juce::AudioBuffer and look-alikes);
//  - shaped like juce::dsp::AudioBlock: getNumChannels(), getNumSamples(),
//    getChannelPointer(size_t);
//  - channel arrays: numChannels(), numFrames(), channelPointers() (the pool's
//    own handles);
//  - views: numChannels(), numFrames(), channelPointer(c) (audiopool::View,
//    view.hpp, over any of these with channel and frame offsets);
//  - raw channel-pointer arrays with explicit counts (CLAP data32/data64, VST3
//    channelBuffers32/64, JACK/PortAudio non-interleaved buffers).
//
// Every copy covers only the region both sides have (the smaller channel count
// and the smaller frame count; with a start frame on the other side, that
// side's frames from the start on), converts between float and double, never reads
// or writes outside either buffer, and returns the region it wrote ({0, 0}
// when it wrote nothing: no channels or no frames in common). A null
// channel-pointer array copies nothing; a null channel pointer skips that
// channel (it is not counted). The two sides may overlap (sub-views of one
// buffer): samples of one type are moved as memmove does.
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstring>
#include <type_traits>
#endif
#include "audiopool/sample.hpp"

AUDIOPOOL_EXPORT namespace audiopool {

/// Readable like juce::AudioBuffer.
template <class B>
concept JuceLikeReadable = requires(const B& buffer, int channel) {
    { buffer.getNumChannels() } -> std::convertible_to<int>;
    { buffer.getNumSamples() } -> std::convertible_to<int>;
    { buffer.getReadPointer(channel) } -> detail::PointerToSample;
};

/// Writable like juce::AudioBuffer.
template <class B>
concept JuceLikeWritable = JuceLikeReadable<B> && requires(B& buffer, int channel) {
    { buffer.getWritePointer(channel) } -> detail::PointerToMutableSample;
};

/// Shaped like the pool's own handles.
template <class B>
concept ChannelArray = requires(const B& buffer) {
    { buffer.numChannels() } -> std::convertible_to<std::size_t>;
    { buffer.numFrames() } -> std::convertible_to<std::size_t>;
    { *buffer.channelPointers() } -> detail::PointerToSample;
};

/// Shaped like juce::dsp::AudioBlock: channels reached one by one through
/// getChannelPointer (it has no getReadPointer and no pointer array).
template <class B>
concept AudioBlockLike = requires(const B& block, std::size_t channel) {
    { block.getNumChannels() } -> std::convertible_to<std::size_t>;
    { block.getNumSamples() } -> std::convertible_to<std::size_t>;
    { block.getChannelPointer(channel) } -> detail::PointerToSample;
};

/// Shaped like audiopool::View: channels reached one by one through
/// channelPointer (nullptr past the last channel).
template <class B>
concept ChannelView = requires(const B& view, std::size_t channel) {
    { view.numChannels() } -> std::convertible_to<std::size_t>;
    { view.numFrames() } -> std::convertible_to<std::size_t>;
    { view.channelPointer(channel) } -> detail::PointerToSample;
};

/// Anything a copy can read from (besides raw channel-pointer arrays).
template <class B>
concept CopySource = JuceLikeReadable<B> || ChannelArray<B> || AudioBlockLike<B> || ChannelView<B>;

} // namespace audiopool

namespace audiopool::detail {

/// Shapes that write through a const reference, as std::span does (handles,
/// views, blocks), with channels of mutable samples.
template <class B>
concept WritesThroughConst = requires(const B& b, std::size_t c) {
    { *b.channelPointers() } -> PointerToMutableSample;
} || requires(const B& b, std::size_t c) {
    { b.channelPointer(c) } -> PointerToMutableSample;
    { b.numChannels() } -> std::convertible_to<std::size_t>;
} || (AudioBlockLike<B> && requires(const B& b, std::size_t c) {
                                 { b.getChannelPointer(c) } -> PointerToMutableSample;
                             });

/// A JUCE-shaped buffer whose write (read) pointers are Sample pointers.
template <class B, class Sample>
concept JuceWritesAs = JuceLikeWritable<B> && requires(B& b) {
    { b.getWritePointer(0) } -> std::convertible_to<Sample*>;
};
template <class B, class Sample>
concept JuceReadsAs = JuceLikeReadable<B> && requires(const B& b) {
    { b.getReadPointer(0) } -> std::convertible_to<Sample*>;
};

} // namespace audiopool::detail

AUDIOPOOL_EXPORT namespace audiopool {

/// Anything a copy can write to (besides raw channel-pointer arrays): a
/// writable JUCE-shaped buffer, or a handle, view or block of mutable samples.
template <class B>
concept CopyDestination = JuceLikeWritable<B> || detail::WritesThroughConst<B>;

} // namespace audiopool

namespace audiopool::detail {

template <class To, class From>
void copySamples(To* to, const From* from, std::size_t n) noexcept {
    if constexpr (std::same_as<To, From>) {
        // to == from: a buffer copied onto itself (two handles sharing it,
        // or a view onto itself): there is nothing to do. Otherwise the two
        // may overlap (sub-views of one buffer, a handle copied from itself
        // at a start frame): memmove, never memcpy.
        if (n != 0 && to != from) std::memmove(to, from, n * sizeof(To));
    } else {
        for (std::size_t i = 0; i < n; ++i) to[i] = static_cast<To>(from[i]);
    }
}

/// The one copy loop every overload ends in. `toChannel(c)` and
/// `fromChannel(c)` give channel c's first sample (or nullptr to skip it).
template <class ToChannel, class FromChannel>
CopyExtent copyRegion(std::size_t channels, std::size_t frames, ToChannel toChannel, FromChannel fromChannel) noexcept {
    CopyExtent done{0, frames};
    if (frames == 0) return {};  // nothing to write: report {0, 0}, as for zero channels
    for (std::size_t c = 0; c < channels; ++c) {
        auto* to = toChannel(c);
        const auto* from = fromChannel(c);
        if (to == nullptr || from == nullptr) continue;
        copySamples(to, from, frames);
        ++done.channels;
    }
    if (done.channels == 0) done.frames = 0;
    return done;
}

constexpr std::size_t nonNegative(int n) noexcept { return n < 0 ? 0 : static_cast<std::size_t>(n); }

/// A raw channel-pointer array seen as a buffer (null array: no channels).
template <class T>
struct RawChannels {
    T* const* channels;
    std::size_t numChannels;
    std::size_t numFrames;
    std::size_t channelCount() const noexcept { return channels ? numChannels : 0; }
    T* channel(std::size_t c) const noexcept { return channels[c]; }
};

template <class B>
std::size_t channelCount(const B& b) noexcept {
    if constexpr (JuceLikeReadable<B>) return nonNegative(b.getNumChannels());
    else if constexpr (ChannelArray<B> || ChannelView<B>) return b.numChannels();
    else if constexpr (AudioBlockLike<B>) return b.getNumChannels();
    else return b.channelCount();
}
template <class B>
std::size_t frameCount(const B& b) noexcept {
    if constexpr (JuceLikeReadable<B>) return nonNegative(b.getNumSamples());
    else if constexpr (ChannelArray<B> || ChannelView<B>) return b.numFrames();
    else if constexpr (AudioBlockLike<B>) return b.getNumSamples();
    else return b.numFrames;
}
template <class B>
auto readChannel(const B& b, std::size_t c) noexcept {
    if constexpr (JuceLikeReadable<B>) return b.getReadPointer(static_cast<int>(c));
    else if constexpr (ChannelArray<B>) return b.channelPointers()[c];
    else if constexpr (ChannelView<B>) return b.channelPointer(c);
    else if constexpr (AudioBlockLike<B>) return b.getChannelPointer(c);
    else return b.channel(c);
}
template <class B>
auto writeChannel(B& b, std::size_t c) noexcept {
    if constexpr (JuceLikeWritable<B>) return b.getWritePointer(static_cast<int>(c));
    else if constexpr (ChannelArray<B>) return b.channelPointers()[c];
    else if constexpr (ChannelView<B>) return b.channelPointer(c);
    else if constexpr (AudioBlockLike<B>) return b.getChannelPointer(c);
    else return b.channel(c);
}

/// `p + start`, keeping a null channel null (arithmetic on a null pointer is
/// undefined, and null must still mean "skip this channel").
template <class T>
T* advanced(T* p, std::size_t start) noexcept {
    return p == nullptr ? p : p + start;
}

/// Copies the overlapping region of `from`, from its frame `fromStart` on,
/// into `to` from its frame `toStart` on. A start at or past its side's end
/// leaves nothing in common: it is tested before any subtraction, so a huge
/// start (SIZE_MAX) cannot wrap around into a large frame count.
template <class To, class From>
CopyExtent copyBuffer(To& to, const From& from, std::size_t toStart = 0, std::size_t fromStart = 0) noexcept {
    const std::size_t toFrames = frameCount(to);
    const std::size_t fromFrames = frameCount(from);
    if (toStart >= toFrames || fromStart >= fromFrames) return {};
    const std::size_t channels = std::min(channelCount(to), channelCount(from));
    const std::size_t frames = std::min(toFrames - toStart, fromFrames - fromStart);
    return copyRegion(
        channels, frames, [&](std::size_t channelIndex) { return advanced(writeChannel(to, channelIndex), toStart); },
        [&](std::size_t channelIndex) { return advanced(readChannel(from, channelIndex), fromStart); });
}

} // namespace audiopool::detail
