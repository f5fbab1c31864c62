// audiopool/chunks.hpp — walking a block of any length in pool-sized chunks.
//
// A pool's buffers have a fixed number of frames, and a host may call the
// audio callback with more (or fewer) frames than that. Processing the block
// chunk by chunk keeps every frame processed with one pooled buffer:
//
//     for (auto [start, count] : audiopool::chunks(numSamples, Pool::frames)) {
//         tmp.copyFrom(block, start);   // frames [start, start + count)
//         ...                           // process count frames of tmp
//         tmp.copyTo(block, start);
//     }
//
// yields {0, 512}, {512, 512}, ..., {last, remainder}. The range is two
// numbers: it allocates nothing, is usable in constant expressions, and its
// iteration never overflows (each step adds at most the frames left).
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <cstddef>
#endif

AUDIOPOOL_EXPORT namespace audiopool {

/// Frames [start, start + count) of a block.
struct Chunk {
    std::size_t start = 0;
    std::size_t count = 0;
    friend constexpr bool operator==(const Chunk&, const Chunk&) = default;
};

/// The chunks of a block of `totalFrames` frames, each `chunkFrames` long but
/// the last, which holds the remainder. Empty when `totalFrames` is 0, and
/// when `chunkFrames` is 0 (there is no chunk of zero frames to make progress
/// with, and an endless loop in an audio callback is the worst outcome).
class ChunkRange {
public:
    /// A forward iterator yielding Chunk by value.
    class iterator {
    public:
        using value_type = Chunk;
        using difference_type = std::ptrdiff_t;

        constexpr iterator() noexcept AUDIOPOOL_NONBLOCKING = default;

        constexpr Chunk operator*() const noexcept AUDIOPOOL_NONBLOCKING { return {start_, count()}; }
        constexpr iterator& operator++() noexcept AUDIOPOOL_NONBLOCKING {
            start_ += count();
            return *this;
        }
        constexpr iterator operator++(int) noexcept AUDIOPOOL_NONBLOCKING {
            iterator before = *this;
            ++*this;
            return before;
        }
        friend constexpr bool operator==(const iterator&, const iterator&) = default;

    private:
        friend class ChunkRange;
        constexpr iterator(std::size_t start, std::size_t total, std::size_t chunk) noexcept AUDIOPOOL_NONBLOCKING
            : start_(start),
              total_(total),
              chunk_(chunk) {}
        // The frames left, not start_ + chunk_, decide the count: that sum
        // could wrap around for a block near SIZE_MAX frames.
        constexpr std::size_t count() const noexcept AUDIOPOOL_NONBLOCKING {
            const std::size_t left = total_ - start_;
            return left < chunk_ ? left : chunk_;
        }
        std::size_t start_ = 0;
        std::size_t total_ = 0;
        std::size_t chunk_ = 0;
    };

    constexpr ChunkRange(std::size_t totalFrames, std::size_t chunkFrames) noexcept AUDIOPOOL_NONBLOCKING
        : total_(chunkFrames == 0 ? 0 : totalFrames),
          chunk_(chunkFrames) {}

    constexpr iterator begin() const noexcept AUDIOPOOL_NONBLOCKING { return {0, total_, chunk_}; }
    constexpr iterator end() const noexcept AUDIOPOOL_NONBLOCKING { return {total_, total_, chunk_}; }
    /// How many chunks there are (written so that it cannot overflow).
    constexpr std::size_t size() const noexcept AUDIOPOOL_NONBLOCKING {
        return total_ == 0 ? 0 : total_ / chunk_ + (total_ % chunk_ != 0 ? 1 : 0);
    }
    constexpr bool empty() const noexcept AUDIOPOOL_NONBLOCKING { return total_ == 0; }

private:
    std::size_t total_;  // 0 when chunk_ is 0, so that begin() == end()
    std::size_t chunk_;
};

/// The chunks of a block of `totalFrames` frames, `chunkFrames` at a time
/// (see ChunkRange). Thread: any. Progress: wait-free. Allocates: no.
constexpr ChunkRange chunks(std::size_t totalFrames, std::size_t chunkFrames) noexcept AUDIOPOOL_NONBLOCKING {
    return {totalFrames, chunkFrames};
}

} // namespace audiopool
