// audiopool/pool_ref.hpp — PoolRef<Sample>: one type that refers to any pool
// of Sample, whatever its policy and sizes, so a DSP class that takes "a
// pool of float" need not be a template.
//
//     struct Reverb {
//         audiopool::PoolRef<float> scratch;     // set once, from any pool of float
//         void process(audiopool::View<float> io) {
//             auto tmp = scratch.acquire(io.numChannels(), io.numFrames());
//             if (!tmp) return;                  // refused: nothing was allocated
//             tmp.copyFrom(io);
//             ...
//         }                                      // tmp goes back to its own pool here
//     };
//
// A PoolRef is two pointers: the pool and a table of functions made once per
// pool type (a constant, no allocation, no virtual destructor). acquire()
// returns a move-only Buffer<Sample> that gives its buffer back to its own
// pool when it goes, as the pool's Unique does; the pool's thread rule and
// progress are the pool's own (a PoolRef adds one indirect call to each
// acquire and each release). The pool must outlive the PoolRef and every
// Buffer taken through it.
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#endif
#include "audiopool/handles.hpp"
#include "audiopool/interop.hpp"
#include "audiopool/pool.hpp"
#include "audiopool/sample.hpp"
#include "audiopool/view.hpp"

namespace audiopool::detail {

/// What a Buffer keeps of the buffer it owns besides its size (which is what
/// it asked for): 16 bytes, so a table's acquire returns it in registers.
/// Null pointers: the pool refused.
template <class Sample>
struct TakenBuffer {
    Sample* const* pointers = nullptr;
    std::uint32_t index = 0;
};

/// The functions a PoolRef calls, one table per pool type.
template <class Sample>
struct PoolTable {
    /// Takes a buffer of channels x frames (pointers null when refused).
    TakenBuffer<Sample> (*acquire)(void* pool, std::size_t channels,
                                   std::size_t frames) noexcept AUDIOPOOL_NONBLOCKING = nullptr;
    /// Gives back the buffer `index` that acquire took.
    void (*release)(void* pool, std::uint32_t index) noexcept AUDIOPOOL_NONBLOCKING = nullptr;
    Stats (*stats)(const void* pool) noexcept AUDIOPOOL_NONBLOCKING = nullptr;
    /// A dynamic pool's sizes now (null for a static pool: see `fixed`).
    Sizes (*sizes)(const void* pool) noexcept AUDIOPOOL_NONBLOCKING = nullptr;
    /// A static pool's sizes, which need no call.
    Sizes fixed{};
    Progress progress{};
    ThreadRule threadRule{};
};

/// Moves a buffer out of a pool's Unique and back into one, for the table.
/// The pool type a handle type belongs to (none for other types).
template <class Handle>
struct PoolOfHandle {};
template <class PoolT>
struct PoolOfHandle<UniqueBuffer<PoolT>> {
    using type = PoolT;
};

struct HandleAccess {
    template <class PoolT>
    static TakenBuffer<typename PoolT::Sample> take(UniqueBuffer<PoolT>& handle) noexcept AUDIOPOOL_NONBLOCKING {
        const TakenBuffer<typename PoolT::Sample> taken{handle.channelPointers(), handle.index_};
        handle.forget();
        return taken;
    }
    /// A Unique for buffer `index` (its view's size does not matter: it is
    /// only given back).
    template <class PoolT>
    static UniqueBuffer<PoolT> give(PoolT& pool, std::uint32_t index) noexcept AUDIOPOOL_NONBLOCKING {
        return UniqueBuffer<PoolT>(&pool, index, 0, 0);
    }
};

template <class PoolT>
TakenBuffer<typename PoolT::Sample> acquireFrom(void* pool, std::size_t channels,
                                                std::size_t frames) noexcept AUDIOPOOL_NONBLOCKING {
    UniqueBuffer<PoolT> handle = static_cast<PoolT*>(pool)->acquire(channels, frames);
    if (!handle) return {};
    return HandleAccess::take(handle);
}
template <class PoolT>
void releaseTo(void* pool, std::uint32_t index) noexcept AUDIOPOOL_NONBLOCKING {
    UniqueBuffer<PoolT> handle = HandleAccess::give(*static_cast<PoolT*>(pool), index);  // released here
}
template <class PoolT>
Stats statsOf(const void* pool) noexcept AUDIOPOOL_NONBLOCKING {
    return static_cast<const PoolT*>(pool)->stats();
}

template <class PoolT>
Sizes sizesOf(const void* pool) noexcept AUDIOPOOL_NONBLOCKING {
    return static_cast<const PoolT*>(pool)->sizes();
}

template <class PoolT>
inline constexpr PoolTable<typename PoolT::Sample> poolTable{&acquireFrom<PoolT>,
                                                             &releaseTo<PoolT>,
                                                             &statsOf<PoolT>,
                                                             PoolT::dynamicSizes ? &sizesOf<PoolT> : nullptr,
                                                             Sizes{PoolT::dynamicSizes ? 0 : PoolT::channels,
                                                                   PoolT::dynamicSizes ? 0 : PoolT::frames,
                                                                   PoolT::dynamicSizes ? 0 : PoolT::capacity},
                                                             PoolT::progress,
                                                             PoolT::threadRule};

} // namespace audiopool::detail

AUDIOPOOL_EXPORT namespace audiopool {

/// A move-only owner of one buffer taken through a PoolRef: a view of the
/// buffer (numChannels, numFrames, channel, channelPointers, view, clear,
/// copyFrom, copyTo) that gives it back to its own pool when it goes.
/// Every member: Thread: the holder (release: a thread the pool lets
/// release). Progress: wait-free, release as the pool's. Allocates: no.
template <SampleType Sample>
class Buffer {
public:
    /// An empty buffer.
    Buffer() noexcept AUDIOPOOL_NONBLOCKING = default;
    Buffer(Buffer&& that) noexcept AUDIOPOOL_NONBLOCKING : pool_(that.pool_),
                                                           table_(that.table_),
                                                           taken_(that.taken_),
                                                           channels_(that.channels_),
                                                           frames_(that.frames_) {
        that.pool_ = nullptr;
    }
    /// Gives back the buffer held, then takes `that`'s over.
    Buffer& operator=(Buffer&& that) noexcept AUDIOPOOL_NONBLOCKING {
        if (this != &that) {
            reset();
            pool_ = that.pool_;
            table_ = that.table_;
            taken_ = that.taken_;
            channels_ = that.channels_;
            frames_ = that.frames_;
            that.pool_ = nullptr;
        }
        return *this;
    }
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    /// Gives the buffer back to its pool.
    ~Buffer() AUDIOPOOL_NONBLOCKING { reset(); }

    /// Gives the buffer back now; the Buffer becomes empty.
    void reset() noexcept AUDIOPOOL_NONBLOCKING {
        if (pool_) {
            table_->release(pool_, taken_.index);
            pool_ = nullptr;
        }
    }

    explicit operator bool() const noexcept AUDIOPOOL_NONBLOCKING { return pool_ != nullptr; }
    std::size_t numChannels() const noexcept AUDIOPOOL_NONBLOCKING { return pool_ ? channels_ : 0; }
    std::size_t numFrames() const noexcept AUDIOPOOL_NONBLOCKING { return pool_ ? frames_ : 0; }
    /// The buffer's index in its pool.
    std::uint32_t index() const noexcept AUDIOPOOL_NONBLOCKING { return pool_ ? taken_.index : 0; }
    /// numChannels() pointers to the channels' first samples (nullptr when empty).
    Sample* const* channelPointers() const noexcept AUDIOPOOL_NONBLOCKING { return pool_ ? taken_.pointers : nullptr; }
    /// Channel c as a span of numFrames() samples; empty if c is out of range.
    std::span<Sample> channel(std::size_t c) const noexcept AUDIOPOOL_NONBLOCKING { return view().channel(c); }
    /// The buffer as a View (a Buffer also converts to one implicitly).
    View<Sample> view() const& noexcept AUDIOPOOL_NONBLOCKING {
        return View<Sample>(channelPointers(), numChannels(), numFrames());
    }
    /// Not of a temporary Buffer: its buffer goes back at the end of the statement.
    View<Sample> view() const&& = delete;
    /// Sets every sample to zero. Progress: wait-free, O(channels x frames).
    void clear() const noexcept AUDIOPOOL_NONBLOCKING { view().clear(); }
    /// Copies from a view, handle, JUCE-shaped buffer or block; returns the region written.
    template <CopySource Source>
    CopyExtent copyFrom(const Source& source) const noexcept AUDIOPOOL_NONBLOCKING {
        return view().copyFrom(source);
    }
    /// Copies into a view, handle, JUCE-shaped buffer or block; returns the region written.
    template <CopyDestination Destination>
    CopyExtent copyTo(Destination& destination) const noexcept AUDIOPOOL_NONBLOCKING {
        return view().copyTo(destination);
    }
    template <class Destination>
        requires detail::WritesThroughConst<Destination>
    CopyExtent copyTo(const Destination& destination) const noexcept AUDIOPOOL_NONBLOCKING {
        return view().copyTo(destination);
    }

private:
    template <SampleType>
    friend class PoolRef;
    Buffer(void* pool, const detail::PoolTable<Sample>* table, detail::TakenBuffer<Sample> taken,
           std::size_t numChannels, std::size_t numFrames) noexcept AUDIOPOOL_NONBLOCKING : pool_(pool),
                                                                                            table_(table),
                                                                                            taken_(taken),
                                                                                            channels_(numChannels),
                                                                                            frames_(numFrames) {}

    void* pool_ = nullptr;  // null: empty
    const detail::PoolTable<Sample>* table_ = nullptr;
    detail::TakenBuffer<Sample> taken_{};
    std::size_t channels_ = 0;  // as asked for: the pool's view has exactly this size
    std::size_t frames_ = 0;
};

/// Refers to any Pool of Sample (any policy, any sizes): acquire() through
/// it returns a Buffer<Sample>. Two pointers, copyable; a default PoolRef
/// refers to no pool and refuses every acquire. The pool must outlive it.
/// Every member: Thread and progress: the pool's (acquire as Pool::acquire).
/// Allocates: no.
template <SampleType Sample>
class PoolRef {
public:
    /// Refers to no pool: acquire() returns an empty Buffer.
    constexpr PoolRef() noexcept AUDIOPOOL_NONBLOCKING = default;
    /// Refers to `pool` (a Pool, or a class derived from one: the table is
    /// the Pool's).
    template <class PoolT>
        requires std::same_as<typename PoolT::Sample, Sample> &&
                     std::derived_from<PoolT, typename detail::PoolOfHandle<typename PoolT::Unique>::type>
    constexpr PoolRef(PoolT& pool) noexcept AUDIOPOOL_NONBLOCKING  // NOLINT(google-explicit-constructor)
        : pool_(static_cast<typename detail::PoolOfHandle<typename PoolT::Unique>::type*>(&pool)),
          table_(&detail::poolTable<typename detail::PoolOfHandle<typename PoolT::Unique>::type>) {}

    /// Whether it refers to a pool.
    explicit operator bool() const noexcept AUDIOPOOL_NONBLOCKING { return pool_ != nullptr; }

    /// Takes a buffer of `numChannels` x `numFrames` from the pool, as
    /// Pool::acquire does (an empty Buffer when refused or exhausted, counted
    /// by the pool; always empty for a PoolRef that refers to no pool).
    [[nodiscard]] Buffer<Sample> acquire(std::size_t numChannels,
                                         std::size_t numFrames) const noexcept AUDIOPOOL_NONBLOCKING {
        if (pool_ == nullptr) return {};
        const detail::TakenBuffer<Sample> taken = table_->acquire(pool_, numChannels, numFrames);
        if (taken.pointers == nullptr) return {};
        return Buffer<Sample>(pool_, table_, taken, numChannels, numFrames);
    }
    /// A buffer of the pool's full size.
    [[nodiscard]] Buffer<Sample> acquire() const noexcept AUDIOPOOL_NONBLOCKING {
        if (pool_ == nullptr) return {};
        if (table_->sizes == nullptr) [[likely]]  // a static pool: the sizes are in the table
            return acquire(table_->fixed.channels, table_->fixed.frames);
        const Sizes whole = table_->sizes(pool_);
        return acquire(whole.channels, whole.frames);
    }

    /// The pool's statistics (Pool::stats; all zero for no pool).
    Stats stats() const noexcept AUDIOPOOL_NONBLOCKING { return pool_ ? table_->stats(pool_) : Stats{}; }
    /// The pool's sizes now (Pool::sizes(); all 0 for no pool, or a dynamic
    /// pool not prepared).
    Sizes sizes() const noexcept AUDIOPOOL_NONBLOCKING {
        if (pool_ == nullptr) return {};
        return table_->sizes != nullptr ? table_->sizes(pool_) : table_->fixed;
    }
    /// The pool's buffer size and capacity now (0 for no pool).
    std::size_t channels() const noexcept AUDIOPOOL_NONBLOCKING { return sizes().channels; }
    std::size_t frames() const noexcept AUDIOPOOL_NONBLOCKING { return sizes().frames; }
    std::size_t capacity() const noexcept AUDIOPOOL_NONBLOCKING { return sizes().capacity; }
    /// The pool's progress guarantee and thread rule.
    Progress progress() const noexcept AUDIOPOOL_NONBLOCKING { return pool_ ? table_->progress : Progress::WaitFree; }
    ThreadRule threadRule() const noexcept AUDIOPOOL_NONBLOCKING {
        return pool_ ? table_->threadRule : ThreadRule::AnyThread;
    }

private:
    void* pool_ = nullptr;
    const detail::PoolTable<Sample>* table_ = nullptr;
};

} // namespace audiopool
