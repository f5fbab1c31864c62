// audiopool/arena.hpp — Arena: variable-size temporaries for one audio
// callback (FFT work areas, oversampling stages, per-voice modulation),
// taken by bumping an offset and all given back at once when the frame they
// were taken in ends.
//
//     auto frame = arena.frame();                   // RAII: everything below comes back at its end
//     std::span<float> work = frame.take<float>(n);  // empty when the arena is out of memory
//     audiopool::View<float> up = frame.buffer<float>(2, 4 * frames);
//
// Storage. Arena<Bytes> keeps Bytes inline (constexpr constructor, all zero
// bits: a constinit arena lives in .bss; prefault() touches its pages before
// playback). Arena<audiopool::dynamic> has none until prepare(bytes) gives
// it one block from a std::pmr::memory_resource, off the audio thread (the
// prepared pool's block machinery, buffer_storage.hpp: whole pages of its
// own, zeroed so every page is touched). Running out is an empty span or
// view, counted: never the heap, unlike std::pmr::monotonic_buffer_resource,
// which asks its upstream.
//
// Frames. A frame remembers the offset it began at; its end puts the offset
// back, so what it took is reused by the next frame. Frames nest and are
// last-in, first-out. The open frames are a chain through the Frame objects
// themselves (each links to the one opened before it and the one opened
// after it; a move re-links), so the arena needs no fixed-depth table and any
// frame can tell whether it is the innermost. Ending a frame while one opened
// after it is still open is reported as Misuse::FrameOrder (index: the ended
// frame's depth, 0 for an outermost frame); the frames opened after it end
// with it and become inert (they take nothing, and their own end does
// nothing), so the arena is never left with two owners of one range.
// Taking from a frame that is not the innermost is refused (an empty span,
// Misuse::FrameOrder): what it took would lie above the inner frame's
// memory, and the inner frame's end would reclaim it under the taker.
//
// Threads. One thread uses an arena at a time. Checked builds
// (AUDIOPOOL_CHECK_THREADS, thread_check.hpp) bind the thread that opens an
// outermost frame and report a frame, take or buffer from another thread as
// Misuse::WrongThread (index: noIndex) while a frame is open; the thread may
// change between callbacks. The binding is a member in every build, so the
// layout does not depend on NDEBUG.
//
// Debug and ASan builds mark a frame's memory when it ends, as a pool marks
// a released buffer (poison.hpp): ASan reports a later access through a span
// kept past the frame; without ASan every byte becomes 0xFF (a NaN as float
// and as double).
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <memory_resource>
#include <new>
#include <span>
#include <type_traits>
#endif
#include "audiopool/atomics.hpp"
#include "audiopool/buffer_storage.hpp"
#include "audiopool/maybe_atomic.hpp"
#include "audiopool/misuse.hpp"
#include "audiopool/poison.hpp"
#include "audiopool/sample.hpp"
#include "audiopool/sizes.hpp"
#include "audiopool/thread_check.hpp"
#include "audiopool/view.hpp"

AUDIOPOOL_EXPORT namespace audiopool {

/// What an arena reports for sizing it (Arena::stats()). Thread: the
/// arena's thread, or any thread while no other uses the arena.
struct ArenaStats {
    std::size_t capacity = 0;      ///< bytes the arena holds (Bytes, or what prepare() was given)
    std::size_t used = 0;          ///< bytes taken in the open frames now, alignment padding included
    std::size_t highWater = 0;     ///< the most bytes ever taken at once: an arena of this size would have sufficed
    std::uint64_t failedTakes = 0; ///< takes, buffers and resource allocations refused for lack of memory
    std::uint64_t misuses = 0;     ///< frames ended out of order, takes from an outer frame, wrong-thread use

    friend constexpr bool operator==(const ArenaStats&, const ArenaStats&) = default;
};

/// The bytes of an arena that Frame::take<T>(count) may use, its alignment
/// padding included: an arena (or a prepare()) of the sum over a callback's
/// takes and buffers (arenaBufferBytes) never runs out in that callback.
/// The largest std::size_t when the count is past what any arena can hold.
/// Thread: any. Progress: wait-free. Allocates: no.
template <class T>
constexpr std::size_t arenaBytes(std::size_t count) noexcept {
    constexpr std::size_t most = std::numeric_limits<std::size_t>::max() / 4;
    constexpr std::size_t padding = alignof(T) > cacheLineSize ? alignof(T) - cacheLineSize : 0;
    if (count > most / sizeof(T)) return std::numeric_limits<std::size_t>::max();
    return (count * sizeof(T) + cacheLineSize - 1) / cacheLineSize * cacheLineSize + padding;
}

/// The bytes of an arena that Frame::buffer<Sample>(channels, frames) may
/// use: one cache line per 8 channel pointers, then each channel padded to
/// whole cache lines. The largest std::size_t when past what any arena can hold.
/// Thread: any. Progress: wait-free. Allocates: no.
template <SampleType Sample>
constexpr std::size_t arenaBufferBytes(std::size_t channels, std::size_t frames) noexcept {
    constexpr std::size_t most = std::numeric_limits<std::size_t>::max() / 4;
    if (channels > most / sizeof(Sample*) || frames > most / sizeof(Sample))
        return std::numeric_limits<std::size_t>::max();
    const std::size_t table = (channels * sizeof(Sample*) + cacheLineSize - 1) / cacheLineSize * cacheLineSize;
    const std::size_t channelBytes = paddedFrames<Sample>(frames) * sizeof(Sample);
    if (channelBytes != 0 && channels > (most - table) / channelBytes) return std::numeric_limits<std::size_t>::max();
    return table + channels * channelBytes;
}

}  // namespace audiopool

namespace audiopool::detail {

/// The per-buffer fields of a prepared pool's block (buffer_storage.hpp)
/// for a block that holds no buffer: the arena's block is such a block, so
/// it is allocated, zeroed, locked and given back by the same code.
struct NoBufferFields {
    PlainWord<std::uint32_t> generation{};
};

/// Bytes inline: the storage of Arena<Bytes>.
template <std::size_t Bytes>
class InlineArenaBytes {  // NOLINT(cppcoreguidelines-special-member-functions): a destructor only under ASan
public:
    constexpr InlineArenaBytes() noexcept = default;
    InlineArenaBytes(const InlineArenaBytes&) = delete;
    InlineArenaBytes& operator=(const InlineArenaBytes&) = delete;

    static constexpr std::size_t capacity() noexcept { return Bytes; }
    std::byte* base() noexcept { return bytes_; }
    const std::byte* base() const noexcept { return bytes_; }
    /// Touches every page (a static arena's first touch would fault them in on the audio thread).
    AUDIOPOOL_NO_SANITIZE_ADDRESS void touchPages() noexcept {
        auto* bytes = static_cast<volatile std::byte*>(bytes_);
        for (std::size_t offset = 0; offset < sizeof(bytes_); offset += pageStep) bytes[offset] = bytes[offset];
        bytes[sizeof(bytes_) - 1] = bytes[sizeof(bytes_) - 1];
    }

#if AUDIOPOOL_HAS_ASAN
    /// ASan builds only: ended frames' memory is poisoned; the storage must
    /// not stay poisoned for whatever uses it next.
    constexpr ~InlineArenaBytes() {
        if (!std::is_constant_evaluated()) unpoisonSamples(bytes_, sizeof(bytes_));
    }
#endif

private:
    static constexpr std::size_t pageStep = 4096;  // touching more often than the page size is harmless
    alignas(cacheLineSize) std::byte bytes_[(Bytes + cacheLineSize - 1) / cacheLineSize * cacheLineSize]{};
};

/// One block from a memory resource: the storage of Arena<dynamic>.
class AllocatedArenaBytes {
    using Block = AllocatedBuffers<std::byte, NoBufferFields>;

public:
    constexpr AllocatedArenaBytes() noexcept = default;
    AllocatedArenaBytes(const AllocatedArenaBytes&) = delete;
    AllocatedArenaBytes& operator=(const AllocatedArenaBytes&) = delete;
    AllocatedArenaBytes(AllocatedArenaBytes&&) = delete;
    AllocatedArenaBytes& operator=(AllocatedArenaBytes&&) = delete;
    /// Gives the block back (block_'s own destructor).
    ~AllocatedArenaBytes() = default;

    inline std::size_t capacity() const noexcept { return capacity_; }
    inline std::byte* base() noexcept { return base_; }
    inline const std::byte* base() const noexcept { return base_; }
    inline std::pmr::memory_resource* resource() const noexcept { return block_.resource(); }
    inline void touchPages() noexcept { block_.touchPages(); }

    /// Replaces the block by one of `bytes` from `resource` (zeroed, whole
    /// pages of its own: at least page-aligned); false, keeping the old
    /// one, when the resource throws, returns null or misaligned memory.
    inline bool replace(std::size_t bytes, std::pmr::memory_resource* resource) noexcept {
        typename Block::Layout layout{};
        layout.total = bytes;
        const typename Block::Block block = Block::allocate(Sizes{}, layout, resource);
        if (block.bytes == nullptr) return false;
        block_.swapIn(block);
        base_ = block.bytes;
        capacity_ = bytes;
        return true;
    }
    /// Gives the block back to its resource.
    inline void release() noexcept {
        block_.swapIn({});
        base_ = nullptr;
        capacity_ = 0;
    }

private:
    // Read by every take: the block's address and size.
    std::byte* base_ = nullptr;
    std::size_t capacity_ = 0;
    Block block_{};
};

}  // namespace audiopool::detail

AUDIOPOOL_EXPORT namespace audiopool {

/// An arena of Bytes bytes inline (constinit-able, .bss), or of what
/// prepare() gives it when Bytes is audiopool::dynamic. Temporaries are
/// taken in frames (frame()) and all come back when their frame ends.
/// One thread uses an arena at a time (see arena.hpp). An arena outlives its
/// frames, and is neither copied nor moved (its frames point to it).
template <std::size_t Bytes>
class Arena {
    static_assert(Bytes >= 1, "audiopool::Arena: Bytes must be at least 1 (or audiopool::dynamic)");
    static_assert(Bytes == dynamic || Bytes <= std::numeric_limits<std::size_t>::max() / 4,
                  "audiopool::Arena: Bytes is beyond what the address space can hold");
    using Storage = std::conditional_t<Bytes == dynamic, detail::AllocatedArenaBytes, detail::InlineArenaBytes<Bytes>>;
    class Resource;

public:
    class Frame;

    /// Whether the arena's memory comes from prepare() (Bytes is audiopool::dynamic).
    static constexpr bool dynamicSize = Bytes == dynamic;
    /// Every address the arena hands out is aligned to this (a cache line:
    /// no two temporaries share one, and AVX-512 loads need no peeling).
    static constexpr std::size_t alignment = cacheLineSize;
    /// The misuse report's index where no frame depth applies (a wrong-thread use).
    static constexpr std::uint64_t noIndex = ~std::uint64_t{0};

    /// No frame open, nothing taken. constexpr, so an arena can be
    /// `constinit`; its state is all zero bits (.bss). A dynamic arena has no
    /// memory until prepare(). Thread: any, before any other use. Allocates: no.
    constexpr Arena() noexcept = default;
    Arena(const Arena&) = delete;
    Arena& operator=(const Arena&) = delete;
    Arena(Arena&&) = delete;
    Arena& operator=(Arena&&) = delete;
    /// A dynamic arena gives its block back to its resource. Every frame
    /// must have ended. Thread: any, while no other thread uses the arena.
    /// Allocates: no.
    ~Arena() = default;

    /// Opens a frame: everything taken in it comes back when it ends (it is
    /// destroyed, or end() is called). Frames nest; the innermost open frame
    /// is the one that takes. `auto frame = arena.frame();`
    /// Thread: the arena's. Progress: wait-free (a few loads and stores).
    /// Allocates: no.
    [[nodiscard]] AUDIOPOOL_HOT_INLINE Frame frame() noexcept AUDIOPOOL_NONBLOCKING {
        checkThread(top_ == nullptr);
        return Frame(*this);
    }

    /// A snapshot of the statistics.
    /// Thread: the arena's, or any while no other thread uses the arena.
    /// Progress: wait-free. Allocates: no.
    [[nodiscard]] ArenaStats stats() const noexcept AUDIOPOOL_NONBLOCKING {
        return {storage_.capacity(), offset_, highWater_, failed_, misuses_};
    }

    /// A std::pmr::memory_resource over the innermost open frame, with no
    /// upstream, for std::pmr::vector and friends. allocate() bumps the
    /// innermost frame (every address aligned to `alignment`, or more when
    /// asked); deallocate() does nothing: the memory comes back when the
    /// frame that was innermost at the allocation ends, so a container over
    /// it must be destroyed before that frame ends, and grown only while that
    /// frame is innermost. A vector that grows leaves its old storage taken
    /// until the frame ends. When the memory runs out, or no frame is open,
    /// allocate() throws std::bad_alloc, as the standard requires (counted in
    /// ArenaStats::failedTakes; without exceptions it aborts): prefer
    /// Frame::take on the audio thread, where running out is an empty span.
    /// Thread: the arena's. Progress: this call and an allocate() that
    /// succeeds are wait-free and allocate nothing; an allocate() that fails
    /// throws, and throwing allocates: not for the audio thread's error-free path.
    [[nodiscard]] std::pmr::memory_resource& resource() noexcept AUDIOPOOL_NONBLOCKING {
        // Made in place on each call (a vtable pointer and the arena's
        // address: two stores) rather than kept as a member, so that the
        // arena's state stays all zero bits until used (.bss). The same
        // object each time: a container keeps working across calls.
        return *std::construct_at(reinterpret_cast<Resource*>(resourceSlot_), *this);
    }

    /// Touches every page of the arena's memory, so that no page fault
    /// happens later on the audio thread (a constinit arena's pages in .bss
    /// are mapped on first touch; a dynamic arena's block is touched by
    /// prepare() already). Keeps the contents.
    /// Thread: any, while no other thread uses the arena. Progress: O(bytes),
    /// page faults included: not for the audio thread. Allocates: no.
    void prefault() noexcept { storage_.touchPages(); }

    /// Gives a dynamic arena `bytes` bytes: one block from `resource`, at
    /// least page-aligned (so every take is cache-line aligned), zeroed
    /// (every page touched: no page fault later on the audio thread).
    /// Returns false and changes nothing while a frame is open; when `bytes`
    /// is 0 or more than half the address space; when `resource` is null,
    /// throws (the exception is caught) or breaks its contract (returns null,
    /// or memory not aligned to max_align_t). The resource is asked for the
    /// bytes in whole pages plus one page, at max_align_t alignment, as a
    /// prepared pool's block is. The same bytes and resource again keep the
    /// memory and the statistics; otherwise the old block goes back to its
    /// resource and the statistics start over. `resource` must outlive the
    /// block: until the next prepare(), releaseMemory() or the arena's end.
    /// Thread: any, while no other thread uses the arena. Progress: allocates
    /// and touches every page: not for the audio thread. Allocates: yes, from `resource`.
    bool prepare(std::size_t bytes, std::pmr::memory_resource* resource = std::pmr::new_delete_resource()) noexcept
        requires(Bytes == dynamic)
    {
        if (top_ != nullptr || resource == nullptr) return false;
        if (bytes == 0 || bytes > std::numeric_limits<std::size_t>::max() / 2) return false;
        if (bytes == storage_.capacity() && resource == storage_.resource()) return true;
        if (!storage_.replace(bytes, resource)) return false;
        startOver();
        return true;
    }

    /// Gives a dynamic arena's block back to its resource; the arena is as
    /// before its first prepare() (capacity 0: every take fails, counted)
    /// until the next prepare(). Returns false and changes nothing while a
    /// frame is open.
    /// Thread: any, while no other thread uses the arena. Progress: frees
    /// memory: not for the audio thread. Allocates: no (it frees).
    bool releaseMemory() noexcept
        requires(Bytes == dynamic)
    {
        if (top_ != nullptr) return false;
        storage_.release();
        startOver();
        return true;
    }

    /// A scope in which temporaries are taken; everything it took comes
    /// back at its end (destruction, end(), or being assigned over).
    /// Move-only. A default-constructed or moved-from frame, one that ended,
    /// and one cut short by an outer frame's out-of-order end are inert: they
    /// take nothing (an empty span or view, not counted) and end nothing.
    /// Every member: Thread: the arena's. Progress: wait-free. Allocates: no.
    class Frame {
    public:
        /// An inert frame (takes nothing), to be assigned a real one.
        constexpr Frame() noexcept AUDIOPOOL_NONBLOCKING = default;
        Frame(const Frame&) = delete;
        Frame& operator=(const Frame&) = delete;

        /// Takes `other`'s place in the chain of open frames; `other` becomes inert.
        inline Frame(Frame&& other) noexcept AUDIOPOOL_NONBLOCKING : arena_(other.arena_),
                                                                     parent_(other.parent_),
                                                                     child_(other.child_),
                                                                     start_(other.start_) {
            relinkFrom(other);
        }
        /// Ends this frame (as end()), then takes `other`'s place. So
        /// `frame = arena.frame();` starts a frame over, although the new
        /// frame opens inside the old one before the old one ends: a frame
        /// opened directly inside this one takes this one's place instead of
        /// being ended with it (not a misuse), and this one's memory comes
        /// back at once when the new frame has taken nothing yet (otherwise
        /// with the new frame's end).
        inline Frame& operator=(Frame&& other) noexcept AUDIOPOOL_NONBLOCKING {
            if (this == &other) return *this;
            if (arena_ != nullptr && other.parent_ == this) {
                arena_->absorb(*this, other);
                return *this;
            }
            end();
            arena_ = other.arena_;
            parent_ = other.parent_;
            child_ = other.child_;
            start_ = other.start_;
            relinkFrom(other);
            return *this;
        }
        /// Ends the frame (as end()).
        inline ~Frame() AUDIOPOOL_NONBLOCKING { end(); }

        /// `count` objects of T, default-initialised (a trivial T is not
        /// written: its contents are whatever was there, so write before
        /// reading), starting on a multiple of Arena::alignment (and of
        /// alignof(T)). An empty span, counted in ArenaStats::failedTakes,
        /// when they do not fit (count * sizeof(T) overflowing among them);
        /// empty and not counted when `count` is 0 or the frame is inert;
        /// empty and reported as Misuse::FrameOrder when a frame opened
        /// after this one is still open (only the innermost frame takes).
        /// T must be trivially destructible: a frame's end runs no destructor.
        template <class T>
        [[nodiscard]] AUDIOPOOL_HOT_INLINE std::span<T> take(std::size_t count) noexcept AUDIOPOOL_NONBLOCKING {
            static_assert(std::is_trivially_destructible_v<T>,
                          "audiopool::Arena::Frame::take<T>: T must be trivially destructible (a frame's end "
                          "gives the memory back without running any destructor)");
            static_assert(std::is_nothrow_default_constructible_v<T> && !std::is_const_v<T>,
                          "audiopool::Arena::Frame::take<T>: T must be a non-const type that is nothrow "
                          "default-constructible (its objects are default-initialised)");
            if (arena_ == nullptr || count == 0) return {};
            if (arena_->top_ != this) [[unlikely]] {
                arena_->takeFromOuterFrame(*this);
                return {};
            }
            std::byte* const at = arena_->claim(count, sizeof(T), alignof(T));
            if (at == nullptr) [[unlikely]]
                return {};
            // Default-initialises the objects: no code for a trivial T.
            return {::new (static_cast<void*>(at)) T[count], count};
        }

        /// A buffer of `channels` x `frames` samples: a View whose channel
        /// pointer array and channels both live in the arena, each channel
        /// starting on a multiple of Arena::alignment and padded to it (no
        /// two channels share a cache line). Samples are not initialised
        /// (View::clear() for silence). An empty view, counted in
        /// ArenaStats::failedTakes, when it does not fit; empty and not counted
        /// when `channels` or `frames` is 0 or the frame is inert; empty and
        /// reported as Misuse::FrameOrder when a frame opened after this one
        /// is still open.
        template <SampleType Sample>
        [[nodiscard]] View<Sample> buffer(std::size_t channels, std::size_t frames) noexcept AUDIOPOOL_NONBLOCKING {
            if (arena_ == nullptr || channels == 0 || frames == 0) return {};
            if (arena_->top_ != this) [[unlikely]] {
                arena_->takeFromOuterFrame(*this);
                return {};
            }
            // Sizes past what any arena holds are refused before a multiplication could overflow.
            const std::size_t bytes = arenaBufferBytes<Sample>(channels, frames);
            if (bytes == std::numeric_limits<std::size_t>::max()) [[unlikely]] {
                arena_->refuse();
                return {};
            }
            const std::size_t tableBytes = roundUp(channels * sizeof(Sample*));
            const std::size_t channelBytes = paddedFrames<Sample>(frames) * sizeof(Sample);
            std::byte* const at = arena_->claim(1, bytes, alignof(Sample*));
            if (at == nullptr) [[unlikely]]
                return {};
            Sample** const table = ::new (static_cast<void*>(at)) Sample*[channels];
            std::byte* const samples = at + tableBytes;
            for (std::size_t c = 0; c < channels; ++c)
                table[c] = ::new (static_cast<void*>(samples + c * channelBytes)) Sample[frames];
            return View<Sample>(table, channels, frames);
        }

        /// Ends the frame now: the arena's offset goes back to where the
        /// frame began, and the frame becomes inert. Ending it while a frame
        /// opened after it is still open is reported as Misuse::FrameOrder,
        /// and ends those frames too (they become inert). Nothing for an
        /// inert frame.
        inline void end() noexcept AUDIOPOOL_NONBLOCKING {
            if (arena_ != nullptr) arena_->close(*this);
        }

        /// Whether the frame is open (not inert).
        [[nodiscard]] inline bool isOpen() const noexcept AUDIOPOOL_NONBLOCKING { return arena_ != nullptr; }

    private:
        friend class Arena;

        /// Opens a frame on `arena`, innermost from now on. Only through
        /// Arena::frame(), whose return initialises the caller's object
        /// itself (guaranteed copy elision), so `this` is the frame's home.
        inline explicit Frame(Arena& arena) noexcept AUDIOPOOL_NONBLOCKING : arena_(&arena),
                                                                             parent_(arena.top_),
                                                                             start_(arena.offset_) {
            if (parent_ != nullptr) parent_->child_ = this;
            arena.top_ = this;
        }

        /// After a move from `other`: the neighbours point here now, and `other` is inert.
        inline void relinkFrom(Frame& other) noexcept AUDIOPOOL_NONBLOCKING {
            if (arena_ != nullptr) {
                if (parent_ != nullptr) parent_->child_ = this;
                if (child_ != nullptr) child_->parent_ = this;
                else arena_->top_ = this;  // no frame after it: it was the innermost
            }
            other.makeInert();
        }
        inline void makeInert() noexcept AUDIOPOOL_NONBLOCKING {
            arena_ = nullptr;
            parent_ = nullptr;
            child_ = nullptr;
        }
        /// How many open frames enclose this one (0 for an outermost frame).
        std::uint64_t depth() const noexcept AUDIOPOOL_NONBLOCKING {
            std::uint64_t depth = 0;
            for (const Frame* outer = parent_; outer != nullptr; outer = outer->parent_) ++depth;
            return depth;
        }

        Arena* arena_ = nullptr;    // null: inert
        Frame* parent_ = nullptr;   // the frame that was innermost when this one opened
        Frame* child_ = nullptr;    // the frame opened in this one, while open (null: this is the innermost)
        std::size_t start_ = 0;     // the arena's offset when this frame opened
    };

private:
    /// Rounds up to a multiple of `alignment`.
    static constexpr std::size_t roundUp(std::size_t bytes) noexcept {
        return (bytes + alignment - 1) / alignment * alignment;
    }

    /// `count` x `size` bytes in the innermost frame, starting on a multiple
    /// of max(alignment, align); null (counted) when they do not fit.
    AUDIOPOOL_HOT_INLINE std::byte* claim(std::size_t count, std::size_t size,
                                          std::size_t align) noexcept AUDIOPOOL_NONBLOCKING {
        checkThread(false);
        std::byte* const base = storage_.base();
        const std::size_t capacity = storage_.capacity();
        std::size_t start = roundUp(offset_);
        if (align > alignment) [[unlikely]] {  // over-aligned T: align the address itself
            const auto address = reinterpret_cast<std::uintptr_t>(base) + offset_;
            start = ((address + align - 1) & ~std::uintptr_t{align - 1}) - reinterpret_cast<std::uintptr_t>(base);
        }
        // No multiplication before the test: count * size may overflow.
        if (start > capacity || count > (capacity - start) / size) [[unlikely]] {
            refuse();
            return nullptr;
        }
        offset_ = start + count * size;
        if (offset_ > highWater_) [[unlikely]]
            highWater_ = offset_;
        std::byte* const at = base + start;
        // ASan builds: the frame's memory is poisoned from its last end on (poison.hpp).
        if constexpr (detail::poisonsReleased) detail::unpoisonSamples(at, count * size);
        return at;
    }

    /// A take that did not fit.
    AUDIOPOOL_COLD void refuse() noexcept AUDIOPOOL_NONBLOCKING { ++failed_; }

    /// Ends `frame`, and (a misuse) every frame opened after it.
    AUDIOPOOL_HOT_INLINE void close(Frame& frame) noexcept AUDIOPOOL_NONBLOCKING {
        if (top_ != &frame) [[unlikely]]
            endFramesAfter(frame);
        release(frame.start_);
        top_ = frame.parent_;
        if (top_ != nullptr) top_->child_ = nullptr;
        frame.makeInert();
    }

    /// `frame = std::move(child)`, `child` opened directly inside `frame`:
    /// `frame` stays where it is in the chain and takes over `child`'s frames.
    void absorb(Frame& frame, Frame& child) noexcept AUDIOPOOL_NONBLOCKING {
        if (child.child_ == nullptr && offset_ == child.start_) release(frame.start_);  // the child took nothing
        frame.child_ = child.child_;
        if (frame.child_ != nullptr) frame.child_->parent_ = &frame;
        else top_ = &frame;
        child.makeInert();
    }

    /// Gives back everything from `start` on.
    AUDIOPOOL_HOT_INLINE void release(std::size_t start) noexcept AUDIOPOOL_NONBLOCKING {
        // Debug and ASan builds: what the frame took is marked (poison.hpp),
        // so a span kept past the frame's end shows.
        // From the first alignment boundary at or after `start` (where the
        // frame's first take began; what lies before is an outer frame's) to
        // the boundary after the last byte taken: whole 64-byte lines, so
        // ASan poisons whole granules, as bytes (any type was taken).
        if constexpr (detail::marksReleased) {
            const std::size_t from = roundUp(start);
            const std::size_t to = roundUp(offset_);
            if (to > from) detail::markReleasedBytes(storage_.base() + from, to - from);
        }
        offset_ = start;
    }

    /// `frame` ends while frames opened after it are open: reported; those
    /// frames become inert, and their memory comes back with `frame`'s.
    AUDIOPOOL_COLD void endFramesAfter(Frame& frame) noexcept AUDIOPOOL_NONBLOCKING {
        misuse(Misuse::FrameOrder, frame.depth());
        for (Frame* inner = top_; inner != &frame;) {
            Frame* const outer = inner->parent_;
            inner->makeInert();
            inner = outer;
        }
        top_ = &frame;
    }

    /// A take from a frame that is not the innermost: refused and reported.
    AUDIOPOOL_COLD void takeFromOuterFrame(const Frame& frame) noexcept AUDIOPOOL_NONBLOCKING {
        misuse(Misuse::FrameOrder, frame.depth());
    }

    /// Checked builds (thread_check.hpp): the thread that opens an outermost
    /// frame is bound; another thread's frame, take or buffer is reported,
    /// and goes ahead (as a pool's wrong-thread acquire does).
    AUDIOPOOL_HOT_INLINE void checkThread([[maybe_unused]] bool idle) noexcept AUDIOPOOL_NONBLOCKING {
#if AUDIOPOOL_CHECK_THREADS
        if (idle) thread_.unbind();  // no frame open: the thread may change now
        if (!thread_.bindOrCheck()) misuse(Misuse::WrongThread, noIndex);
#endif
    }

    AUDIOPOOL_COLD void misuse(Misuse kind, std::uint64_t index) noexcept AUDIOPOOL_NONBLOCKING {
        ++misuses_;
        detail::reportMisuse({kind, this, index});
    }

    /// A new block: nothing taken, statistics from zero, no thread bound.
    void startOver() noexcept {
        offset_ = 0;
        highWater_ = 0;
        failed_ = 0;
        misuses_ = 0;
        thread_.unbind();
    }

    /// For the resource: `bytes` in the innermost frame, or null (counted).
    void* allocateInFrame(std::size_t bytes, std::size_t align) noexcept AUDIOPOOL_NONBLOCKING {
        if (top_ == nullptr || (align & (align - 1)) != 0) {
            refuse();
            return nullptr;
        }
        return claim(1, bytes == 0 ? 1 : bytes, align);
    }

    /// The memory resource over the innermost frame (resource()).
    class Resource final : public std::pmr::memory_resource {
    public:
        explicit Resource(Arena& arena) noexcept AUDIOPOOL_NONBLOCKING : arena_(&arena) {}

    private:
        void* do_allocate(std::size_t bytes, std::size_t align) override {
            if (void* const at = arena_->allocateInFrame(bytes, align)) return at;
            outOfMemory();
        }
        void do_deallocate(void* /*at*/, std::size_t /*bytes*/, std::size_t /*align*/) noexcept override {}
        bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }

        [[noreturn]] AUDIOPOOL_COLD static void outOfMemory() {
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
            throw std::bad_alloc();
#else
            std::abort();  // what the standard library's allocations do without exceptions
#endif
        }

        Arena* arena_;
    };

    // Read and written by every frame and take: the offset and the innermost frame.
    std::size_t offset_ = 0;  // bytes from the storage's start to the first free one
    Frame* top_ = nullptr;    // the innermost open frame (null: none)
    std::size_t highWater_ = 0;
    // Written only on failure and misuse paths, and by the checked builds' thread binding.
    std::uint64_t failed_ = 0;
    std::uint64_t misuses_ = 0;
    detail::ThreadBinding<StdAtomics> thread_{};
    // resource()'s object, made there: zero bits until then.
    alignas(Resource) std::byte resourceSlot_[sizeof(Resource)]{};
    // The memory: inline (Bytes), or a prepared block's address and size.
    Storage storage_{};
};

}  // namespace audiopool
