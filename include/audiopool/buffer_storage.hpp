// audiopool/buffer_storage.hpp — where a pool's buffers live.
//
// Each buffer is a slot: a bookkeeping block (the pool's per-buffer fields:
// ownership word, detach generation, the free list's link; then the table of
// channel pointers), falseSharingRange bytes or a multiple, then its samples,
// each channel starting on a cache line. Slots are whole falseSharingRange
// blocks, so what one buffer's owner writes never shares a cache line (or a
// prefetched pair) with what another buffer's owner writes.
//
//  - InlineBuffers: every extent fixed by the type. The slots are an array
//    inside the pool, all zero bits at construction (a constinit pool lives
//    in .bss); a buffer's pointer table is filled on its first acquire (or by
//    prefault()).
//  - AllocatedBuffers: some extent is `audiopool::dynamic`. The slots, and
//    the free list's rings after them, are one block that prepare()
//    allocates from a std::pmr::memory_resource, aligned to
//    falseSharingRange, zeroed (every page touched: prefaulted), with every
//    pointer table filled. Before prepare(), and after releaseMemory(), the
//    pool has no block and its sizes are 0.
//
// Both give the pool the same accessors, so the pool's code is one; for
// InlineBuffers each compiles to what the pool computed before there were two.
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <memory_resource>
#include <new>
#include <type_traits>
#if AUDIOPOOL_HAS_MLOCK
#include <sys/mman.h>
#endif
#endif
#include "audiopool/free_list.hpp"
#include "audiopool/detach_words.hpp"
#include "audiopool/poison.hpp"
#include "audiopool/sample.hpp"
#include "audiopool/sizes.hpp"

namespace audiopool::detail {

/// Locks (or unlocks) `bytes` bytes at `start` in RAM; false where that is
/// not possible (no permission, RLIMIT_MEMLOCK, no mlock on this platform).
inline bool lockRange([[maybe_unused]] const void* start, [[maybe_unused]] std::size_t bytes,
                      [[maybe_unused]] bool lock) noexcept {
#if AUDIOPOOL_HAS_MLOCK
    return (lock ? ::mlock(start, bytes) : ::munlock(start, bytes)) == 0;
#else
    return false;
#endif
}

/// The slots of a pool whose extents are all fixed: inline, constexpr, zero bits.
template <class S, std::size_t Channels, std::size_t Frames, std::size_t Capacity, class Fields>
class InlineBuffers {  // NOLINT(cppcoreguidelines-special-member-functions): a destructor only under ASan
public:
    static constexpr std::size_t channelStride = paddedFrames<S>(Frames);
    static constexpr std::size_t bufferBytes = Channels * channelStride * sizeof(S);

private:
    struct Header : Fields {
        /// Filled by the buffer's first acquire (all zero before: .bss).
        S* pointers[Channels]{};
    };
    struct alignas(falseSharingRange) Slot {
        Header header{};
        alignas(falseSharingRange) S samples[Channels * channelStride]{};
    };
    static_assert(sizeof(Slot) % falseSharingRange == 0);

public:
    constexpr InlineBuffers() noexcept = default;

    static constexpr Sizes sizes() noexcept { return {Channels, Frames, Capacity}; }
    static constexpr std::size_t channels() noexcept { return Channels; }
    static constexpr std::size_t frames() noexcept { return Frames; }
    static constexpr std::size_t capacity() noexcept { return Capacity; }
    static constexpr std::size_t stride() noexcept { return channelStride; }
    static constexpr std::size_t sampleBytes() noexcept { return bufferBytes; }

    Fields& fields(std::uint32_t index) noexcept { return slots_[index].header; }
    const Fields& fields(std::uint32_t index) const noexcept { return slots_[index].header; }
    S* samples(std::uint32_t index) noexcept { return slots_[index].samples; }
    S* const* pointers(std::uint32_t index) const noexcept { return slots_[index].header.pointers; }
    /// Whether the buffer's pointer table is filled (it is, from its first acquire on).
    bool pointersFilled(std::uint32_t index) const noexcept { return slots_[index].header.pointers[0] != nullptr; }
    AUDIOPOOL_COLD void fillPointers(std::uint32_t index) noexcept {
        for (std::size_t c = 0; c < Channels; ++c)
            slots_[index].header.pointers[c] = samples(index) + c * channelStride;
    }

    /// The slots' addresses, as a value an operation keeps in registers: a
    /// linked free list reaches the links through it, and the acquire that
    /// popped an index reaches that buffer's fields.
    struct Links {
        Slot* slots;
        Fields& fields(std::uint32_t index) const noexcept { return slots[index].header; }
        auto& operator[](std::uint32_t index) const noexcept { return slots[index].header.link; }
    };
    Links links() noexcept { return {slots_}; }

#if AUDIOPOOL_HAS_ASAN
    /// ASan builds only: unpoisons the free buffers, so that the memory is
    /// not left poisoned for whatever uses it next (a new pool constructed in
    /// the same storage would otherwise be reported as it zeroes it). Without
    /// ASan the destructor stays implicit.
    constexpr ~InlineBuffers() {
        if (!std::is_constant_evaluated()) unpoisonSamples(slots_, sizeof(slots_));
    }
#endif

private:
    Slot slots_[Capacity]{};
};

/// The slots of a pool with a dynamic extent: one block, allocated by prepare().
template <class S, class Fields>
class AllocatedBuffers {
public:
    constexpr AllocatedBuffers() noexcept = default;
    AllocatedBuffers(const AllocatedBuffers&) = delete;
    AllocatedBuffers& operator=(const AllocatedBuffers&) = delete;
    AllocatedBuffers(AllocatedBuffers&&) = delete;
    AllocatedBuffers& operator=(AllocatedBuffers&&) = delete;
    /// Gives the block back (every buffer must be back, as for any pool's end).
    ~AllocatedBuffers() { swapIn(Block{}); }

    /// The block's shape for some sizes, or none (`total` 0) when its byte
    /// count would not fit in std::size_t.
    struct Layout {
        std::size_t stride = 0;       // samples from one channel's start to the next
        std::size_t headerBytes = 0;  // the bookkeeping block: fields, then the pointer table
        std::size_t slotBytes = 0;    // one buffer: bookkeeping and samples
        std::size_t listOffset = 0;   // where the free list's storage starts
        std::size_t total = 0;        // bytes in all
    };
    static constexpr Layout layoutFor(Sizes sizes, std::size_t listBytes) noexcept {
        constexpr std::size_t most = std::numeric_limits<std::size_t>::max() / 2;
        Layout layout;
        if (sizes.frames > most / sizeof(S) || sizes.channels > most / sizeof(S*)) return layout;
        layout.stride = paddedFrames<S>(sizes.frames);
        if (sizes.channels > most / (layout.stride * sizeof(S))) return layout;
        layout.headerBytes = wholeBlocks(pointersOffset + sizes.channels * sizeof(S*));
        const std::size_t slotBytes = wholeBlocks(sizes.channels * layout.stride * sizeof(S)) + layout.headerBytes;
        if (slotBytes > most || sizes.capacity > most / slotBytes || listBytes > most) return layout;
        layout.slotBytes = slotBytes;
        layout.listOffset = sizes.capacity * slotBytes;
        if (layout.listOffset > most - listBytes) return layout;
        layout.total = layout.listOffset + wholeBlocks(listBytes);
        return layout;
    }

    Sizes sizes() const noexcept { return {channels_, frames_, capacity_}; }
    std::size_t channels() const noexcept { return channels_; }
    std::size_t frames() const noexcept { return frames_; }
    std::size_t capacity() const noexcept { return capacity_; }
    std::size_t stride() const noexcept { return stride_; }
    std::size_t sampleBytes() const noexcept { return slotBytes_ - headerBytes_; }

    Fields& fields(std::uint32_t index) noexcept { return *std::launder(reinterpret_cast<Fields*>(slot(index))); }
    const Fields& fields(std::uint32_t index) const noexcept {
        return *std::launder(reinterpret_cast<const Fields*>(slot(index)));
    }
    S* samples(std::uint32_t index) noexcept { return reinterpret_cast<S*>(slot(index) + headerBytes_); }
    S* const* pointers(std::uint32_t index) const noexcept {
        return reinterpret_cast<S* const*>(slot(index) + pointersOffset);
    }
    /// Filled by prepare(), for every buffer.
    static constexpr bool pointersFilled(std::uint32_t /*index*/) noexcept { return true; }
    static constexpr void fillPointers(std::uint32_t /*index*/) noexcept {}

    /// As InlineBuffers::Links: the block's address and slot size, loaded
    /// once per operation (a dynamic pool's extra cost is these two loads).
    struct Links {
        std::byte* base;
        std::size_t slotBytes;
        Fields& fields(std::uint32_t index) const noexcept {
            return *std::launder(reinterpret_cast<Fields*>(base + index * slotBytes));
        }
        auto& operator[](std::uint32_t index) const noexcept { return fields(index).link; }
    };
    Links links() noexcept { return {base_, slotBytes_}; }

    /// A block and where it came from.
    struct Block {
        std::byte* bytes = nullptr;  // the slots: `raw` rounded up to falseSharingRange
        void* raw = nullptr;         // what the resource returned
        std::size_t size = 0;        // what was asked of the resource
        std::size_t pagesBytes = 0;  // whole pages from `bytes` on: the block's own, locked and unlocked alone
        std::pmr::memory_resource* resource = nullptr;
        Sizes sizes{};
        Layout layout{};
    };

    /// A zeroed block for `sizes`, its slots' fields constructed and pointer
    /// tables filled; empty when the resource fails (an exception it throws
    /// is caught here) or breaks its contract (null, or memory not aligned
    /// as asked: given back at once). The resource is asked for the block
    /// in whole pages plus one page, at the alignment every resource serves
    /// (max_align_t), and the block starts at the first page boundary in it:
    /// a resource need not serve large alignments, and the block's pages are
    /// its own, so locking or unlocking them (lockMemory) touches no other
    /// memory. Off the audio thread: it allocates.
    static Block allocate(Sizes sizes, const Layout& layout, std::pmr::memory_resource* resource) noexcept {
        const std::size_t pagesBytes = (layout.total + pageBytes - 1) / pageBytes * pageBytes;
        Block block{nullptr, nullptr, pagesBytes + pageBytes, pagesBytes, resource, sizes, layout};
        void* memory = nullptr;
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
        try {
            memory = resource->allocate(block.size, requestAlignment);
        } catch (...) {
            return {};
        }
#else
        memory = resource->allocate(block.size, requestAlignment);
#endif
        // Read through a volatile: memory_resource::allocate is declared to
        // return non-null memory of the alignment asked for, so a compiler
        // may drop a plain test of either, and a resource that breaks that
        // contract must still be caught here.
        const volatile std::uintptr_t address = reinterpret_cast<std::uintptr_t>(memory);
        if (address == 0) return {};
        if (address % requestAlignment != 0) {
            deallocate(memory, block);
            return {};
        }
        block.raw = memory;
        block.bytes = static_cast<std::byte*>(memory) + (pageBytes - address % pageBytes) % pageBytes;
        std::memset(memory, 0, block.size);  // also touches every page: prefaulted
        for (std::size_t i = 0; i < sizes.capacity; ++i) {
            std::byte* slot = block.bytes + i * layout.slotBytes;
            std::construct_at(reinterpret_cast<Fields*>(slot));
            S** table = reinterpret_cast<S**>(slot + pointersOffset);
            S* first = reinterpret_cast<S*>(slot + layout.headerBytes);
            for (std::size_t c = 0; c < sizes.channels; ++c) table[c] = first + c * layout.stride;
        }
        return block;
    }

    /// The free list's storage in the current block.
    std::byte* listStorage() noexcept { return base_ == nullptr ? nullptr : base_ + block_.layout.listOffset; }

    /// Makes `block` the pool's and gives back the one it had (locked pages
    /// follow: the new block is locked when the old one was, or lockMemory()
    /// was asked for before any). Off the audio thread.
    void swapIn(Block block) noexcept {
        Block old = block_;
        block_ = block;
        base_ = block.bytes;
        slotBytes_ = block.layout.slotBytes;
        headerBytes_ = block.layout.headerBytes;
        stride_ = block.layout.stride;
        channels_ = block.sizes.channels;
        frames_ = block.sizes.frames;
        capacity_ = block.sizes.capacity;
        if (block.bytes != nullptr && wantLocked_) lockRange(block.bytes, block.pagesBytes, true);
        if (old.bytes != nullptr) {
            if (wantLocked_) lockRange(old.bytes, old.pagesBytes, false);
            // The next block's detach generations start past every one the
            // old block gave out, so a Detached kept from before the re-size
            // matches no buffer of the new block (it is refused as stale).
            for (std::size_t i = 0; i < old.sizes.capacity; ++i) {
                Fields& fields = *std::launder(reinterpret_cast<Fields*>(old.bytes + i * old.layout.slotBytes));
                // relaxed: no other thread uses the pool now (prepare()'s rule).
                generationBase_ =
                    generationBaseAfter(generationBase_, fields.generation.load(std::memory_order_relaxed));
                std::destroy_at(&fields);
            }
            // ASan builds: released buffers are poisoned; the resource may reuse the memory.
            unpoisonSamples(old.raw, old.size);
            deallocate(old.raw, old);
        }
        for (std::size_t i = 0; i < block.sizes.capacity; ++i)
            // relaxed: as above; the block is handed to the audio thread by whatever lets it use the pool.
            fields(static_cast<std::uint32_t>(i)).generation.store(generationBase_, std::memory_order_relaxed);
    }

    /// The current block's resource (null before the first prepare()).
    std::pmr::memory_resource* resource() const noexcept { return block_.resource; }
    /// Locks the block (and every later one) in RAM. Off the audio thread.
    bool lock(bool lockIt) noexcept {
        wantLocked_ = lockIt;
        return block_.bytes == nullptr || lockRange(block_.bytes, block_.pagesBytes, lockIt);
    }
    /// Touches every page of the block (already done by allocate; kept for
    /// prefault()). ASan builds: reads and writes the free buffers' poisoned
    /// samples unreported, as Pool::prefault does.
    AUDIOPOOL_NO_SANITIZE_ADDRESS void touchPages() noexcept {
        auto* bytes = static_cast<volatile unsigned char*>(block_.raw);
        for (std::size_t offset = 0; offset < block_.size; offset += 4096) bytes[offset] = bytes[offset];
    }

private:
    /// Where the pointer table starts in a bookkeeping block: after the fields.
    static constexpr std::size_t pointersOffset = (sizeof(Fields) + alignof(S*) - 1) / alignof(S*) * alignof(S*);
    static_assert(alignof(Fields) <= falseSharingRange);
    /// The alignment asked of the resource: what every resource serves.
    static constexpr std::size_t requestAlignment = alignof(std::max_align_t);
    /// The page size the block is laid out in (whole pages of its own).
    static constexpr std::size_t pageBytes = 4096;

    static void deallocate(void* memory, const Block& block) noexcept {
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
        try {
            block.resource->deallocate(memory, block.size, requestAlignment);
        } catch (...) {  // NOLINT(bugprone-empty-catch): a deallocate that throws loses that memory, nothing else
        }
#else
        block.resource->deallocate(memory, block.size, requestAlignment);
#endif
    }

    std::byte* slot(std::uint32_t index) const noexcept { return base_ + index * slotBytes_; }

    // Read by every acquire: the block and its shape.
    std::byte* base_ = nullptr;
    std::size_t slotBytes_ = 0;
    std::size_t headerBytes_ = 0;
    std::size_t stride_ = 0;
    std::size_t channels_ = 0;
    std::size_t frames_ = 0;
    std::size_t capacity_ = 0;
    // Read and written only by prepare() and releaseMemory().
    Block block_{};
    bool wantLocked_ = false;
    std::uint32_t generationBase_ = 0;  // where the next block's detach generations start
};

} // namespace audiopool::detail
