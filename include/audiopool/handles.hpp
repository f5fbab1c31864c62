// audiopool/handles.hpp — the owning handles a pool hands out.
//
//  - Unique: move-only; the buffer goes back to the pool when the handle is
//    destroyed, reset() or moved-from-and-reassigned.
//  - Shared: copyable; copies share one buffer through a reference count, and
//    the last copy gives it back. The count is atomic only when the pool's
//    policy lets other threads hold handles (Pool::crossThread).
//
// Both are views of the buffer: numChannels(), numFrames(), channel(c) (a
// std::span), channelPointers() (Sample* const*, for juce::AudioBuffer's
// referring constructor, CLAP data32 or VST3 channelBuffers32), clear(),
// copyFrom(), copyTo(). Like std::span, constness is shallow: a const handle
// still gives write access to the samples. Every member is noexcept and none
// allocates, locks or blocks.
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <algorithm>
#include <cstdint>
#include <span>
#endif
#include "audiopool/interop.hpp"
#include "audiopool/sample.hpp"
#include "audiopool/view.hpp"

AUDIOPOOL_EXPORT namespace audiopool {

/// A buffer taken out of its handle's ownership by Unique::detach(): the pool
/// still counts it in use until Pool::release(Detached) or Pool::adopt().
struct Detached {
    const void* pool = nullptr;
    std::uint32_t index = 0;
    std::uint32_t channels = 0;
    std::uint32_t frames = 0;
    /// Which detachment of the buffer this is. A Detached is good for one
    /// release or adopt; after that (and after the buffer is reused) it no
    /// longer matches, and using it again is refused as a double release.
    std::uint32_t generation = 0;
};

} // namespace audiopool

namespace audiopool::detail {

/// What Unique and Shared have in common: the view of one pooled buffer.
template <class PoolT>
class BufferHandle {
public:
    using Sample = typename PoolT::Sample;

    /// Whether the handle holds a buffer.
    /// Thread: the holder. Progress: wait-free. Allocates: no.
    explicit operator bool() const noexcept AUDIOPOOL_NONBLOCKING { return pool_ != nullptr; }
    /// The view's channels (at most the pool's Channels).
    /// Thread: the holder. Progress: wait-free. Allocates: no.
    std::size_t numChannels() const noexcept AUDIOPOOL_NONBLOCKING { return channels_; }
    /// The view's frames (at most the pool's Frames).
    /// Thread: the holder. Progress: wait-free. Allocates: no.
    std::size_t numFrames() const noexcept AUDIOPOOL_NONBLOCKING { return frames_; }
    /// The buffer's index in its pool (diagnostics, lower-level APIs).
    /// Thread: the holder. Progress: wait-free. Allocates: no.
    std::uint32_t index() const noexcept AUDIOPOOL_NONBLOCKING { return index_; }

    /// Channel c as a span of numFrames() samples; empty if c is out of range.
    /// Thread: the holder. Progress: wait-free. Allocates: no.
    std::span<Sample> channel(std::size_t c) const noexcept AUDIOPOOL_NONBLOCKING {
        if (c >= channels_) [[unlikely]]
            return {};
        return {pool_->channelData(index_, c), frames_};
    }

    /// numChannels() pointers, each to a channel's first sample (nullptr for
    /// an empty handle). Valid while this handle owns the buffer.
    /// Thread: the holder. Progress: wait-free. Allocates: no.
    Sample* const* channelPointers() const noexcept AUDIOPOOL_NONBLOCKING {
        return pool_ ? pool_->channelPointers(index_) : nullptr;
    }

    /// The buffer as a View (empty for an empty handle); a handle also
    /// converts to one implicitly. Valid while this handle owns the buffer.
    /// Thread: the holder. Progress: wait-free. Allocates: no.
    View<Sample> view() const& noexcept AUDIOPOOL_NONBLOCKING { return View<Sample>(*this); }
    /// Not of a temporary handle: its buffer goes back at the end of the statement.
    View<Sample> view() const&& = delete;

    /// Sets every sample of the view to zero.
    /// Thread: the holder. Progress: wait-free, O(channels x frames). Allocates: no.
    void clear() const noexcept AUDIOPOOL_NONBLOCKING {
        for (std::size_t c = 0; c < channels_; ++c) std::fill_n(pool_->channelData(index_, c), frames_, Sample{});
    }

    /// Copies from a JUCE-shaped buffer or another handle, starting at the
    /// source's frame `sourceStartFrame` (the handle is written from its frame
    /// 0); returns the region written, {0, 0} when the start is at or past the
    /// source's end.
    /// Thread: the holder. Progress: wait-free, O(channels x frames). Allocates: no.
    template <class Source>
        requires CopySource<Source>
    CopyExtent copyFrom(const Source& source, std::size_t sourceStartFrame = 0) const noexcept AUDIOPOOL_NONBLOCKING {
        return copyBuffer(*this, source, 0, sourceStartFrame);
    }

    /// Copies from `channels` raw channel pointers of `frames` samples each,
    /// starting at their frame `sourceStartFrame`.
    /// Thread: the holder. Progress: wait-free, O(channels x frames). Allocates: no.
    template <SampleType T>
    CopyExtent copyFrom(const T* const* source, std::size_t channels, std::size_t frames,
                        std::size_t sourceStartFrame = 0) const noexcept AUDIOPOOL_NONBLOCKING {
        return copyBuffer(*this, RawChannels<const T>{source, channels, frames}, 0, sourceStartFrame);
    }

    /// Copies into a JUCE-shaped buffer or another handle, starting at the
    /// destination's frame `destinationStartFrame` (from the handle's frame 0);
    /// returns the region written, {0, 0} when the start is at or past the
    /// destination's end.
    /// Thread: the holder. Progress: wait-free, O(channels x frames). Allocates: no.
    template <class Destination>
        requires CopyDestination<Destination>
    CopyExtent copyTo(Destination& destination,
                      std::size_t destinationStartFrame = 0) const noexcept AUDIOPOOL_NONBLOCKING {
        return copyBuffer(destination, *this, destinationStartFrame, 0);
    }
    template <class Destination>
        requires detail::WritesThroughConst<Destination>
    CopyExtent copyTo(const Destination& destination,
                      std::size_t destinationStartFrame = 0) const noexcept AUDIOPOOL_NONBLOCKING {
        return copyBuffer(destination, *this, destinationStartFrame, 0);
    }

    /// Copies into `channels` raw channel pointers of `frames` samples each,
    /// starting at their frame `destinationStartFrame`.
    /// Thread: the holder. Progress: wait-free, O(channels x frames). Allocates: no.
    template <SampleType T>
    CopyExtent copyTo(T* const* destination, std::size_t channels, std::size_t frames,
                      std::size_t destinationStartFrame = 0) const noexcept AUDIOPOOL_NONBLOCKING {
        RawChannels<T> to{destination, channels, frames};
        return copyBuffer(to, *this, destinationStartFrame, 0);
    }

protected:
    BufferHandle() noexcept AUDIOPOOL_NONBLOCKING = default;
    // (Parameter names that a user's globals are unlikely to have: g++'s
    // -Wshadow reports a parameter of a class template's member that shadows
    // a global variable of the program that instantiates it.)
    BufferHandle(PoolT* owner, std::uint32_t slot, std::size_t viewChannels,
                 std::size_t viewFrames) noexcept AUDIOPOOL_NONBLOCKING
        : pool_(owner),
          index_(slot),
          channels_(static_cast<std::uint32_t>(viewChannels)),
          frames_(static_cast<std::uint32_t>(viewFrames)) {}

    /// Takes `that`'s buffer over (this handle holds none); `that` becomes empty.
    void takeFrom(BufferHandle& that) noexcept AUDIOPOOL_NONBLOCKING {
        *this = that;
        that.forget();
    }

    void forget() noexcept AUDIOPOOL_NONBLOCKING {
        pool_ = nullptr;
        index_ = 0;
        channels_ = 0;
        frames_ = 0;
    }

    PoolT* pool_ = nullptr;
    std::uint32_t index_ = 0;
    std::uint32_t channels_ = 0;
    std::uint32_t frames_ = 0;
};

} // namespace audiopool::detail

namespace audiopool::detail {
struct HandleAccess;  // pool_ref.hpp: moves a buffer between a Unique and a PoolRef's Buffer
} // namespace audiopool::detail

AUDIOPOOL_EXPORT namespace audiopool {

template <class PoolT>
class SharedBuffer;

/// Move-only owner of one pooled buffer.
template <class PoolT>
class UniqueBuffer : public detail::BufferHandle<PoolT> {
    using Base = detail::BufferHandle<PoolT>;
    friend PoolT;
    friend class SharedBuffer<PoolT>;
    friend struct detail::HandleAccess;

public:
    /// An empty handle. Thread: any. Progress: wait-free. Allocates: no.
    UniqueBuffer() noexcept AUDIOPOOL_NONBLOCKING = default;
    /// Takes the buffer over; `that` becomes empty.
    /// Thread: the holder. Progress: wait-free. Allocates: no.
    UniqueBuffer(UniqueBuffer&& that) noexcept AUDIOPOOL_NONBLOCKING : Base(that) { that.forget(); }
    /// Gives back the buffer held (as reset()), then takes `that`'s over.
    /// Thread: a thread that may release. Progress: Pool::progress. Allocates: no.
    UniqueBuffer& operator=(UniqueBuffer&& that) noexcept AUDIOPOOL_NONBLOCKING {
        if (this != &that) {
            reset();
            this->takeFrom(that);
        }
        return *this;
    }
    UniqueBuffer(const UniqueBuffer&) = delete;
    UniqueBuffer& operator=(const UniqueBuffer&) = delete;
    /// Gives the buffer back (as reset()).
    /// Thread: a thread that may release. Progress: Pool::progress. Allocates: no.
    ~UniqueBuffer() AUDIOPOOL_NONBLOCKING { reset(); }

    /// Gives the buffer back to the pool now; the handle becomes empty.
    /// Thread: a thread that may release (Pool::threadRule). Progress:
    /// Pool::progress (a push onto the free list). Allocates: no.
    void reset() noexcept AUDIOPOOL_NONBLOCKING {
        if (this->pool_) {
            this->pool_->releaseUnique(this->index_);
            this->forget();
        }
    }

    /// Ends this handle's ownership without giving the buffer back: the pool
    /// counts it in use until Pool::release(detached) or Pool::adopt(detached).
    /// Thread: the holder. Progress: wait-free (two stores). Allocates: no.
    Detached detach() noexcept AUDIOPOOL_NONBLOCKING {
        if (!this->pool_) return {};
        const Detached d{this->pool_, this->index_, this->channels_, this->frames_,
                         this->pool_->markDetached(this->index_)};
        this->forget();
        return d;
    }

private:
    using Base::Base;
};

/// Copyable, reference-counted owner of one pooled buffer.
template <class PoolT>
class SharedBuffer : public detail::BufferHandle<PoolT> {
    using Base = detail::BufferHandle<PoolT>;
    friend PoolT;

public:
    /// An empty handle. Thread: any. Progress: wait-free. Allocates: no.
    SharedBuffer() noexcept AUDIOPOOL_NONBLOCKING = default;
    /// Takes over a Unique buffer (no copy of samples).
    /// Thread: the holder. Progress: wait-free. Allocates: no.
    // `owned` is emptied by forget(), which is what a move of it would do.
    // NOLINTNEXTLINE(cppcoreguidelines-rvalue-reference-param-not-moved)
    SharedBuffer(UniqueBuffer<PoolT>&& owned) noexcept AUDIOPOOL_NONBLOCKING : Base(owned) { owned.forget(); }
    /// One more reference to the same buffer.
    /// Thread: any thread holding `that` (IndexStack: the pool's thread).
    /// Progress: wait-free (one relaxed increment). Allocates: no.
    SharedBuffer(const SharedBuffer& that) noexcept AUDIOPOOL_NONBLOCKING : Base(that) {
        if (this->pool_) this->pool_->addReference(this->index_);
    }
    /// Takes the reference over; `that` becomes empty.
    /// Thread: the holder. Progress: wait-free. Allocates: no.
    SharedBuffer(SharedBuffer&& that) noexcept AUDIOPOOL_NONBLOCKING : Base(that) { that.forget(); }
    /// Drops the reference held (as reset()), then shares `that`'s buffer.
    /// Thread: a thread that may release. Progress: as reset(). Allocates: no.
    SharedBuffer& operator=(const SharedBuffer& that) noexcept AUDIOPOOL_NONBLOCKING {
        if (this != &that) {
            if (that.pool_) that.pool_->addReference(that.index_);
            reset();
            Base::operator=(that);
        }
        return *this;
    }
    /// Drops the reference held (as reset()), then takes `that`'s over.
    /// Thread: a thread that may release. Progress: as reset(). Allocates: no.
    SharedBuffer& operator=(SharedBuffer&& that) noexcept AUDIOPOOL_NONBLOCKING {
        if (this != &that) {
            reset();
            this->takeFrom(that);
        }
        return *this;
    }
    /// Drops the reference (as reset()).
    /// Thread: a thread that may release. Progress: as reset(). Allocates: no.
    ~SharedBuffer() AUDIOPOOL_NONBLOCKING { reset(); }

    /// Drops this handle's reference now; the last one gives the buffer back.
    /// Thread: any holder; where the last one may drop, a thread that may
    /// release (Pool::threadRule). Progress: wait-free decrement, then for the
    /// last one Pool::progress (a push). Allocates: no.
    void reset() noexcept AUDIOPOOL_NONBLOCKING {
        if (this->pool_) {
            this->pool_->dropReference(this->index_);
            this->forget();
        }
    }

    /// The number of Shared handles to this buffer (0 for an empty handle).
    /// Another thread may change it at any moment.
    /// Thread: the holder. Progress: wait-free. Allocates: no.
    std::size_t useCount() const noexcept AUDIOPOOL_NONBLOCKING {
        return this->pool_ ? this->pool_->referenceCount(this->index_) : 0;
    }

private:
    using Base::Base;
};

} // namespace audiopool
