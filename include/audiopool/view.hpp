// audiopool/view.hpp — View<Sample>: a non-owning view of channels of
// samples, over host memory and pooled memory alike, with no copy.
//
// A view is where the channels are, which of them (a first channel and a
// count) and which frames (a start frame and a count). It is made from
//  - raw channel pointers and counts (CLAP data32/data64, VST3
//    channelBuffers32/64, JACK and PortAudio non-interleaved buffers);
//  - a pool's handle (handle.view(), or implicitly);
//  - anything shaped like juce::AudioBuffer (getNumChannels, getNumSamples,
//    getWritePointer / getReadPointer);
//  - anything shaped like juce::dsp::AudioBlock (getNumChannels,
//    getNumSamples, getChannelPointer).
// It keeps the caller's pointer array (or, for the JUCE shapes, the caller's
// object, asked for each channel's pointer), so the caller's buffer must
// outlive the view, as with std::span; a view of a temporary handle, Buffer
// or block does not compile (the handle's buffer would go back to its pool
// at the end of the statement), nor one of a JUCE-shaped buffer of another
// sample type. Sub-views (frames(), channels()) and
// chunks(view, n) are offsets into the same memory: no copy, no allocation,
// whatever the channel count.
//
// Every index is clamped: a sub-view past the end is empty, channel(c) past
// the last channel is an empty span, a null pointer array is a view of
// nothing, and a null channel pointer is an empty channel (a copy skips it).
// View<const float> is read-only; View<float> converts to it.
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <algorithm>
#include <concepts>
#include <cstddef>
#include <span>
#include <type_traits>
#endif
#include "audiopool/chunks.hpp"
#include "audiopool/interop.hpp"
#include "audiopool/sample.hpp"

AUDIOPOOL_EXPORT namespace audiopool {

/// A non-owning view of channels of samples (see view.hpp). Sample is float
/// or double, or const float / const double for a read-only view.
/// Every member: Thread: the holder. Progress: wait-free. Allocates: no.
template <class Sample>
    requires SampleType<std::remove_const_t<Sample>>
class View {
public:
    /// A view of nothing: no channels, no frames.
    constexpr View() noexcept AUDIOPOOL_NONBLOCKING = default;

    /// `numChannels` channels of `numFrames` samples at `channels[0..]`
    /// (CLAP, VST3, JACK). A null array is a view of nothing; a null
    /// channel pointer is an empty channel.
    constexpr View(Sample* const* channels, std::size_t numChannels,
                   std::size_t numFrames) noexcept AUDIOPOOL_NONBLOCKING : array_(channels),
                                                                           channels_(channels ? numChannels : 0),
                                                                           frames_(channels ? numFrames : 0) {}

    /// A pool's handle, or any buffer with numChannels(), numFrames() and
    /// channelPointers(): the view keeps its pointer array.
    template <ChannelArray B>
        requires std::convertible_to<decltype(*std::declval<const B&>().channelPointers()), Sample*>
    constexpr View(const B& buffer) noexcept AUDIOPOOL_NONBLOCKING  // NOLINT(google-explicit-constructor)
        : View(buffer.channelPointers(), buffer.channelPointers() ? buffer.numChannels() : 0, buffer.numFrames()) {}
    /// Not from a temporary handle: its buffer goes back to the pool at the
    /// end of the statement, and the view would see the next owner's samples.
    template <ChannelArray B>
    View(const B&&) = delete;

    /// A buffer shaped like juce::AudioBuffer of the same sample type: its
    /// write pointers for a View<float> (as getWritePointer, which tells JUCE
    /// the buffer is no longer clear), its read pointers for a View<const
    /// float> made from it. The channel and frame counts are read here, the
    /// channel pointers each time a channel is asked for: the buffer must
    /// outlive the view and keep its size. Negative sizes are no channels,
    /// no frames.
    template <class B>
        requires(!ChannelArray<B> && !AudioBlockLike<B> &&
                 (std::is_const_v<Sample> ? detail::JuceReadsAs<B, Sample> : detail::JuceWritesAs<B, Sample>))
    constexpr View(B& buffer) noexcept AUDIOPOOL_NONBLOCKING  // NOLINT(google-explicit-constructor)
        : object_(&buffer),
          get_(&juceChannel<B>),
          channels_(detail::nonNegative(buffer.getNumChannels())),
          frames_(detail::nonNegative(buffer.getNumSamples())) {}

    /// A block shaped like juce::dsp::AudioBlock (its channel offset and
    /// start sample are the block's own). The block must outlive the view.
    template <AudioBlockLike B>
        requires std::convertible_to<decltype(std::declval<const B&>().getChannelPointer(std::size_t{})), Sample*>
    constexpr View(const B& block) noexcept AUDIOPOOL_NONBLOCKING  // NOLINT(google-explicit-constructor)
        : object_(&block),
          get_(&blockChannel<B>),
          channels_(block.getNumChannels()),
          frames_(block.getNumSamples()) {}
    /// Not from a temporary block: the view keeps the block's address.
    template <AudioBlockLike B>
    View(const B&&) = delete;

    /// A View<float> is also a View<const float> (over a JUCE-shaped buffer
    /// it keeps asking for the write pointers it was made with).
    template <class Other>
        requires(!std::is_same_v<Other, Sample> && std::is_same_v<const Other, Sample>)
    constexpr View(const View<Other>& that) noexcept AUDIOPOOL_NONBLOCKING  // NOLINT(google-explicit-constructor)
        : array_(that.array_),
          object_(that.object_),
          get_(that.get_),
          firstChannel_(that.firstChannel_),
          channels_(that.channels_),
          startFrame_(that.startFrame_),
          frames_(that.frames_) {}

    constexpr std::size_t numChannels() const noexcept AUDIOPOOL_NONBLOCKING { return channels_; }
    constexpr std::size_t numFrames() const noexcept AUDIOPOOL_NONBLOCKING { return frames_; }
    /// No channels or no frames.
    constexpr bool empty() const noexcept AUDIOPOOL_NONBLOCKING { return channels_ == 0 || frames_ == 0; }

    /// Channel c's first sample in the view, or nullptr when c is past the
    /// last channel or its pointer is null.
    constexpr Sample* channelPointer(std::size_t c) const noexcept AUDIOPOOL_NONBLOCKING {
        if (c >= channels_) [[unlikely]]
            return nullptr;
        Sample* const p = array_ ? array_[firstChannel_ + c] : asSample(get_(object_, firstChannel_ + c));
        return p == nullptr ? nullptr : p + startFrame_;
    }
    /// Channel c as a span of numFrames() samples; empty when c is past the
    /// last channel or its pointer is null.
    constexpr std::span<Sample> channel(std::size_t c) const noexcept AUDIOPOOL_NONBLOCKING {
        Sample* const p = channelPointer(c);
        return p == nullptr ? std::span<Sample>{} : std::span<Sample>{p, frames_};
    }

    /// Frames [start, start + count) of this view, clamped to it (a start
    /// at or past the end gives a view with no frames).
    constexpr View frames(std::size_t start, std::size_t count) const noexcept AUDIOPOOL_NONBLOCKING {
        View sub = *this;
        narrow(sub.startFrame_, sub.frames_, start, count);
        return sub;
    }
    /// Channels [first, first + count) of this view, clamped to it.
    constexpr View channels(std::size_t first, std::size_t count) const noexcept AUDIOPOOL_NONBLOCKING {
        View sub = *this;
        narrow(sub.firstChannel_, sub.channels_, first, count);
        return sub;
    }

    /// Sets every sample of the view to zero.
    /// Progress: wait-free, O(channels x frames).
    void clear() const noexcept AUDIOPOOL_NONBLOCKING
        requires(!std::is_const_v<Sample>)
    {
        for (std::size_t c = 0; c < channels_; ++c)
            if (Sample* p = channelPointer(c)) std::fill_n(p, frames_, Sample{});
    }

    /// Copies from another view, a handle, a JUCE-shaped buffer or block
    /// into this view (the region both have, converting float and double);
    /// returns the region written. The same copy as the handles' copyFrom.
    /// Progress: wait-free, O(channels x frames).
    template <CopySource Source>
    CopyExtent copyFrom(const Source& source) const noexcept AUDIOPOOL_NONBLOCKING
        requires(!std::is_const_v<Sample>)
    {
        return detail::copyBuffer(*this, source, 0, 0);
    }
    /// Copies this view into `destination` (a view, handle, JUCE-shaped
    /// buffer or block); returns the region written.
    /// Progress: wait-free, O(channels x frames).
    template <CopyDestination Destination>
    CopyExtent copyTo(Destination& destination) const noexcept AUDIOPOOL_NONBLOCKING {
        return detail::copyBuffer(destination, *this, 0, 0);
    }
    /// The same into a view, handle or block given as a temporary (they are
    /// shallow-const: a const view still writes its samples).
    template <class Destination>
        requires detail::WritesThroughConst<Destination>
    CopyExtent copyTo(const Destination& destination) const noexcept AUDIOPOOL_NONBLOCKING {
        return detail::copyBuffer(destination, *this, 0, 0);
    }

private:
    template <class Other>
        requires SampleType<std::remove_const_t<Other>>
    friend class View;

    /// Asks a JUCE-shaped object for channel c's pointer. One signature for
    /// every view (const void* in, const void* out), so that a View<float>
    /// converts to a View<const float> keeping its getter.
    /// Nonblocking, so that a view's channelPointer is too (the JUCE
    /// object's own getter must then be: JUCE's are a load and a store).
    using Getter = const void* (*)(const void*, std::size_t) noexcept AUDIOPOOL_NONBLOCKING;

    /// Narrows the range [offset, offset + size) to its part [start, start +
    /// count), clamped: a start at or past the end leaves nothing, and the
    /// start is tested before any subtraction, so huge values cannot wrap.
    static constexpr void narrow(std::size_t& offset, std::size_t& size, std::size_t start,
                                 std::size_t count) noexcept AUDIOPOOL_NONBLOCKING {
        const std::size_t from = start < size ? start : size;
        offset += from;
        size = count < size - from ? count : size - from;
    }

    // A writable view is made only from a writable object (the constructors'
    // constraints), so giving the constness back is sound.
    static Sample* asSample(const void* p) noexcept AUDIOPOOL_NONBLOCKING {
        return const_cast<Sample*>(static_cast<const Sample*>(p));  // NOLINT(cppcoreguidelines-pro-type-const-cast)
    }
    template <class B>
    static const void* juceChannel(const void* buffer, std::size_t c) noexcept AUDIOPOOL_NONBLOCKING {
        auto& b = *const_cast<B*>(static_cast<const B*>(buffer));  // NOLINT(cppcoreguidelines-pro-type-const-cast)
        if constexpr (std::is_const_v<Sample>) return b.getReadPointer(static_cast<int>(c));
        else return b.getWritePointer(static_cast<int>(c));
    }
    template <class B>
    static const void* blockChannel(const void* block, std::size_t c) noexcept AUDIOPOOL_NONBLOCKING {
        return static_cast<const B*>(block)->getChannelPointer(c);
    }

    Sample* const* array_ = nullptr;  // the caller's pointer array, or
    const void* object_ = nullptr;    // the caller's JUCE-shaped object,
    Getter get_ = nullptr;            // asked for channel c's pointer
    std::size_t firstChannel_ = 0;
    std::size_t channels_ = 0;
    std::size_t startFrame_ = 0;
    std::size_t frames_ = 0;
};

template <class B>
    requires ChannelArray<B>
View(const B&) -> View<std::remove_reference_t<decltype(**std::declval<const B&>().channelPointers())>>;
template <AudioBlockLike B>
View(const B&) -> View<std::remove_reference_t<decltype(*std::declval<const B&>().getChannelPointer(std::size_t{}))>>;
template <class B>
    requires(!ChannelArray<B> && !AudioBlockLike<B> && JuceLikeWritable<B>)
View(B&) -> View<std::remove_reference_t<decltype(*std::declval<B&>().getWritePointer(0))>>;
// A const JUCE-shaped buffer: B deduces as const T, which is not writable.
template <class B>
    requires(!ChannelArray<B> && !AudioBlockLike<B> && JuceLikeReadable<B> && !JuceLikeWritable<B>)
View(B&) -> View<std::remove_reference_t<decltype(*std::declval<B&>().getReadPointer(0))>>;
template <class S>
View(S* const*, std::size_t, std::size_t) -> View<S>;

/// The chunks of a view, `chunkFrames` frames at a time, as sub-views of the
/// same memory (the last holds the remainder; none when chunkFrames is 0).
template <class Sample>
class ViewChunkRange {
public:
    /// A forward iterator yielding View<Sample> by value.
    class iterator {
    public:
        using value_type = View<Sample>;
        using difference_type = std::ptrdiff_t;
        constexpr iterator() noexcept AUDIOPOOL_NONBLOCKING = default;
        constexpr View<Sample> operator*() const noexcept AUDIOPOOL_NONBLOCKING {
            const Chunk chunk = *at_;
            return view_.frames(chunk.start, chunk.count);
        }
        constexpr iterator& operator++() noexcept AUDIOPOOL_NONBLOCKING {
            ++at_;
            return *this;
        }
        constexpr iterator operator++(int) noexcept AUDIOPOOL_NONBLOCKING {
            iterator before = *this;
            ++at_;
            return before;
        }
        friend constexpr bool operator==(const iterator& a, const iterator& b) noexcept { return a.at_ == b.at_; }

    private:
        friend class ViewChunkRange;
        constexpr iterator(View<Sample> view, ChunkRange::iterator at) noexcept : view_(view), at_(at) {}
        View<Sample> view_;
        ChunkRange::iterator at_;
    };

    constexpr ViewChunkRange(View<Sample> view, std::size_t chunkFrames) noexcept AUDIOPOOL_NONBLOCKING
        : view_(view),
          range_(view.numFrames(), chunkFrames) {}
    constexpr iterator begin() const noexcept AUDIOPOOL_NONBLOCKING { return {view_, range_.begin()}; }
    constexpr iterator end() const noexcept AUDIOPOOL_NONBLOCKING { return {view_, range_.end()}; }
    /// How many chunks there are.
    constexpr std::size_t size() const noexcept AUDIOPOOL_NONBLOCKING { return range_.size(); }
    constexpr bool empty() const noexcept AUDIOPOOL_NONBLOCKING { return range_.empty(); }

private:
    View<Sample> view_;
    ChunkRange range_;
};

/// The chunks of `view`, `chunkFrames` frames at a time, each a sub-view of
/// the host's own memory (so a chunk can be processed in place, and copied
/// into a pooled buffer only where a scratch buffer is needed).
/// Thread: any. Progress: wait-free. Allocates: no.
template <class Sample>
constexpr ViewChunkRange<Sample> chunks(View<Sample> view, std::size_t chunkFrames) noexcept AUDIOPOOL_NONBLOCKING {
    return {view, chunkFrames};
}

} // namespace audiopool
