// libFuzzer target: decodes its input into a sequence of pool operations on
// one pool per built-in policy (audiopool::BuiltinPolicies), OwnerThread a
// second time with no lanes, so that its releases go through the return ring
// and wrap it, then one prepared pool per built-in policy (every extent
// audiopool::dynamic) and one with mixed extents (channels and capacity
// fixed, frames dynamic) — different shapes and sample types —, and checks
// every pool against a simple reference model after every step. Everything
// runs on one thread.
//
// Operations: acquire and acquireShared with any channels/frames (zero and
// oversize included), and their whole-buffer and every-frame forms; dropping
// handles in any order, copying and copy-assigning Shared handles, moving
// handles, copyFrom/copyTo with random shapes, sample types and null channel
// pointers (raw arrays and JUCE-shaped buffers, handle to handle within and
// across pools; sub-views of a handle and of a host block, either way, with
// offsets anywhere), clear, detach, release, adopt and their misuses, stats;
// prepare (sizes zero, small, the current ones, at the limits, one past them
// and huge; from one of two counting resources, a null one, or one that
// throws) and releaseMemory, on every pool. The model keeps each buffer's
// ownership state and samples, the pool's sizes and the block each resource
// has out; any difference aborts with the line that saw it.
//
// Build: meson setup build/fuzz -Dfuzz=enabled -Db_sanitize=address,undefined
// -Db_lundef=false (clang); run: build/fuzz/fuzz/fuzz_pool CORPUS_DIR fuzz/corpus
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <memory_resource>
#include <new>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <audiopool/audiopool.hpp>
#if AUDIOPOOL_HAS_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace {

[[noreturn]] void mismatch(const char* what, int line) {
    std::fprintf(stderr, "fuzz_pool: model mismatch at line %d: %s\n", line, what);
    std::abort();
}
#define EXPECT(condition)                                                                                              \
    do {                                                                                                               \
        if (!(condition)) mismatch(#condition, __LINE__);                                                              \
    } while (false)

/// Reads the fuzzer's bytes; past the end it reads zeros.
class Input {
public:
    Input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
    bool done() const { return position_ >= size_; }
    std::uint8_t byte() { return position_ < size_ ? data_[position_++] : 0; }
    std::size_t below(std::size_t bound) { return bound == 0 ? 0 : byte() % bound; }
    /// A size around `limit`: zero, small, the limit and one past it, or huge.
    std::size_t size(std::size_t limit) {
        switch (byte() % 8) {
        case 0: return 0;
        case 1: return limit;
        case 2: return limit + 1;
        case 3: return std::numeric_limits<std::size_t>::max();
        default: return below(limit + 3);
        }
    }
    /// A sample value exact in float and double.
    double sample() { return static_cast<std::int8_t>(byte()) / 8.0; }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t position_ = 0;
};

std::uint64_t misusesReported = 0;
void countMisuse(const audiopool::MisuseReport&) noexcept { ++misusesReported; }

/// A JUCE-shaped buffer that may report any size, negative included.
template <class T>
struct JuceShaped {
    int channels, samples;
    std::vector<std::vector<T>> data;
    int getNumChannels() const { return channels; }
    int getNumSamples() const { return samples; }
    const T* getReadPointer(int c) const { return data[static_cast<std::size_t>(c)].data(); }
    T* getWritePointer(int c) { return data[static_cast<std::size_t>(c)].data(); }
};

/// A memory_resource that counts what it is asked and what it has out. It
/// gives blocks at 16-byte steps off a 128-byte boundary (aligned as asked,
/// max_align_t, and mostly not to a cache line), with poisoned margins (ASan
/// builds): the pool must keep to the bytes it asked for. It throws
/// std::bad_alloc for any request over `budget` (so a prepare at a limit asks
/// and is refused without taking gigabytes), or for every request when
/// `throws`. (A resource that breaks its contract, returning null or memory
/// not aligned as asked, is left out: UBSan stops at the standard library's
/// memory_resource::allocate, declared to return neither.)
class TestResource final : public std::pmr::memory_resource {
public:
    static constexpr std::size_t budget = std::size_t{1} << 20;
    static constexpr std::size_t margin = 128;

    explicit TestResource(bool throws = false) : throws_(throws) {}
    bool throws() const { return throws_; }
    std::size_t calls = 0;      // allocate() calls
    std::size_t lastBytes = 0;  // what the last one asked for
    std::size_t bytesOut = 0;   // given and not yet given back

    ~TestResource() override { EXPECT(blocks_.empty()); }

private:
    struct Block {
        std::byte* raw;
        std::byte* given;
        std::size_t bytes;
    };
    static void poison([[maybe_unused]] const void* start, [[maybe_unused]] std::size_t bytes,
                       [[maybe_unused]] bool on) {
#if AUDIOPOOL_HAS_ASAN
        if (on) __asan_poison_memory_region(start, bytes);
        else __asan_unpoison_memory_region(start, bytes);
#endif
    }
    void* do_allocate(std::size_t bytes, std::size_t alignment) override {
        ++calls;
        lastBytes = bytes;
        EXPECT(alignment <= alignof(std::max_align_t));  // what every resource serves
        if (throws_ || bytes > budget) throw std::bad_alloc();
        const std::size_t offset = 16 * (calls % 8);
        auto* raw = static_cast<std::byte*>(::operator new(bytes + margin, std::align_val_t{margin}));
        Block block{raw, raw + offset, bytes};
        poison(raw, offset, true);
        poison(block.given + bytes, margin - offset, true);
        blocks_.push_back(block);
        bytesOut += bytes;
        return block.given;
    }
    void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
        const auto it = std::find_if(blocks_.begin(), blocks_.end(), [&](const Block& b) { return b.given == p; });
        EXPECT(it != blocks_.end());  // one of ours, given back once
        EXPECT(it->bytes == bytes && alignment <= alignof(std::max_align_t));
        poison(it->raw, it->bytes + margin, false);
        ::operator delete(it->raw, std::align_val_t{margin});
        bytesOut -= bytes;
        blocks_.erase(it);
    }
    bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }

    bool throws_;
    std::vector<Block> blocks_;
};

/// The bytes a prepared pool's block takes at least (its samples) and at
/// most (each channel padded by a cache line, each buffer's bookkeeping, the
/// free list's rings, alignment; the block in whole pages of its own, pages
/// of up to 64 KiB, and one page more to align it), as 128-bit counts: no
/// overflow.
struct BlockBounds {
    unsigned __int128 least, most;
};
template <class Sample>
BlockBounds blockBounds(audiopool::Sizes sizes) {
    using Wide = unsigned __int128;
    const Wide channels = sizes.channels, frames = sizes.frames, capacity = sizes.capacity;
    const Wide least = capacity * channels * frames * sizeof(Sample);
    const Wide perBuffer = channels * (frames * sizeof(Sample) + audiopool::cacheLineSize + sizeof(Sample*)) +
                           4 * audiopool::falseSharingRange;
    const Wide rings = 16 * (capacity * 2 * sizeof(std::uint64_t) + audiopool::falseSharingRange);
    constexpr std::size_t largestPage = std::size_t{1} << 16;
    return {least, capacity * perBuffer + rings + 4 * audiopool::falseSharingRange + 2 * largestPage};
}

/// One pool and its model.
template <class PoolT>
class Harness {
public:
    using Sample = typename PoolT::Sample;
    static constexpr bool prepared = PoolT::dynamicSizes;

    Harness()
        : pool_(std::make_unique<PoolT>()), foreign_(std::make_unique<PoolT>()),
          channels_(prepared ? 0 : PoolT::channels), frames_(prepared ? 0 : PoolT::frames),
          capacity_(prepared ? 0 : PoolT::capacity) {
        startOver();
    }
    ~Harness() {
        live_.clear();  // handles go before the pools
        pool_.reset();  // a prepared pool gives its block back at its end
        foreign_.reset();
        EXPECT(first_.bytesOut == 0 && second_.bytesOut == 0 && failing_.bytesOut == 0);
    }

    void step(Input& in) {
        switch (in.byte() % 20) {
        case 0: acquire(in, false); break;
        case 1: acquire(in, true); break;
        case 2: drop(in); break;
        case 3: copyShared(in); break;
        case 4: copyAssignShared(in); break;
        case 5: moveHandle(in); break;
        case 6: copyFromRaw(in); break;
        case 7: copyToRaw(in); break;
        case 8: copyFromJuce(in); break;
        case 9: clear(in); break;
        case 10: copyBetweenHandles(in); break;
        case 11: detach(in); break;
        case 12: releaseDetached(in, false); break;
        case 13: releaseDetached(in, true); break;
        case 14: forgedRelease(in); break;
        case 16: viewCopy(in); break;
        case 17: prepare(in); break;
        case 18: releaseMemory(); break;
        case 19: acquireWhole(in); break;
        default: (void)pool_->stats(); break;
        }
        check();
    }

    /// Checks the pool against the model.
    void check() const {
        const audiopool::Stats s = pool_->stats();
        EXPECT(s.capacity == capacity_);
        EXPECT(s.inUse == buffersOut());
        EXPECT(s.highWater == highWater_);
        EXPECT(s.acquisitions == acquisitions_);
        EXPECT(s.releases == releases_);
        EXPECT(s.failedAcquisitions == failed_);
        EXPECT(s.rejectedRequests == rejected_);
        EXPECT(s.misuses == misuses_);
        EXPECT(foreign_->stats().misuses == foreignMisuses_);
        const audiopool::Sizes sizes = pool_->sizes();
        EXPECT(sizes == (audiopool::Sizes{channels_, frames_, capacity_}));
        if constexpr (!prepared) EXPECT(sizes == (audiopool::Sizes{PoolT::channels, PoolT::frames, PoolT::capacity}));
        // Each resource has out exactly the pool's block, if that came from it.
        EXPECT(first_.bytesOut == (resource_ == &first_ ? blockBytes_ : 0));
        EXPECT(second_.bytesOut == (resource_ == &second_ ? blockBytes_ : 0));
        EXPECT(failing_.bytesOut == 0);
        for (const Live& l : live_) {
            EXPECT(l.index < capacity_);
            EXPECT(state_[l.index].handles > 0 && !state_[l.index].detached);
            visit(l, [&](const auto& h) {
                EXPECT(static_cast<bool>(h));
                EXPECT(h.index() == l.index);
                EXPECT(h.numChannels() == l.channels);
                EXPECT(h.numFrames() == l.frames);
                EXPECT(h.channel(l.channels).empty());
                Sample* const* pointers = h.channelPointers();
                for (std::size_t c = 0; c < l.channels; ++c) {
                    // Each channel on a cache line, with room for the pool's frames before the next.
                    const auto at = reinterpret_cast<std::uintptr_t>(pointers[c]);
                    EXPECT(at % audiopool::cacheLineSize == 0);
                    EXPECT(h.channel(c).data() == pointers[c]);
                    if (c + 1 < l.channels)
                        EXPECT(reinterpret_cast<std::uintptr_t>(pointers[c + 1]) - at >= frames_ * sizeof(Sample));
                    EXPECT(h.channel(c).size() == l.frames);
                    for (std::size_t f = 0; f < l.frames; ++f)
                        EXPECT(h.channel(c)[f] == samples_[l.index][c * frames_ + f]);
                }
            });
            if (l.shared) EXPECT(l.s.useCount() == state_[l.index].handles);
        }
    }

    /// Misuses this harness caused (each must have reached the handler once;
    /// Stats::misuses starts over with a re-size, this count does not).
    std::uint64_t misuses() const { return reported_ + foreignMisuses_; }
    /// Runs f on some live handle (for copies between pools).
    template <class Fn>
    void withLive(Input& in, Fn&& f) {
        if (live_.empty()) return;
        Live& l = live_[in.below(live_.size())];
        visit(l, f);
    }
    /// After another pool's handle wrote into one of ours: reload the model
    /// of that buffer's view from what a copy wrote (called with the extent).
    template <class Other>
    void absorbCopy(Input& in, const Other& source) {
        if (live_.empty()) return;
        Live& l = live_[in.below(live_.size())];
        const audiopool::CopyExtent e = visit(l, [&](const auto& h) { return h.copyFrom(source); });
        const std::size_t channels = std::min(l.channels, source.numChannels());
        const std::size_t frames = std::min(l.frames, source.numFrames());
        expectExtent(e, channels, frames);
        for (std::size_t c = 0; c < e.channels; ++c)
            for (std::size_t f = 0; f < e.frames; ++f)
                samples_[l.index][c * frames_ + f] = static_cast<Sample>(source.channel(c)[f]);
    }

private:
    struct Live {
        bool shared = false;
        typename PoolT::Unique u;
        typename PoolT::Shared s;
        std::uint32_t index = 0;
        std::size_t channels = 0, frames = 0;
    };
    struct State {
        std::size_t handles = 0;  // live handles (the Shared count, or 1 for a Unique)
        bool detached = false;
        std::uint32_t generation = 0;  // of the buffer's current detachment, while detached
    };

    template <class Fn>
    static decltype(auto) visit(const Live& l, Fn&& f) {
        return l.shared ? f(l.s) : f(l.u);
    }
    static void expectExtent(audiopool::CopyExtent e, std::size_t channelsWritten, std::size_t frames) {
        if (channelsWritten == 0 || frames == 0) {
            EXPECT(e.channels == 0 && e.frames == 0);
        } else {
            EXPECT(e.channels == channelsWritten);
            EXPECT(e.frames == frames);
        }
    }
    std::size_t buffersOut() const {
        std::size_t out = 0;
        for (const State& st : state_) out += st.handles != 0 || st.detached;
        return out;
    }

    void acquire(Input& in, bool shared) {
        const std::size_t channels = in.size(channels_), frames = in.size(frames_);
        Live l;
        l.shared = shared;
        if (shared) l.s = pool_->acquireShared(channels, frames);
        else l.u = pool_->acquire(channels, frames);
        took(std::move(l), channels, frames);
    }
    /// acquire() and acquireShared(), a whole buffer, or with a channel
    /// count only (every frame): a prepared pool's are its prepared sizes.
    void acquireWhole(Input& in) {
        const std::size_t form = in.byte() % 4;
        const bool shared = form >= 2, whole = form % 2 == 0;
        const std::size_t channels = whole ? channels_ : in.size(channels_);
        Live l;
        l.shared = shared;
        if (shared) l.s = whole ? pool_->acquireShared() : pool_->acquireShared(channels);
        else l.u = whole ? pool_->acquire() : pool_->acquire(channels);
        took(std::move(l), channels, frames_);
    }
    /// The model of an acquire of `channels` x `frames` that gave `l`.
    void took(Live l, std::size_t channels, std::size_t frames) {
        const bool got = l.shared ? static_cast<bool>(l.s) : static_cast<bool>(l.u);
        // Too large, or a prepared pool with no memory (before prepare, after
        // releaseMemory): rejected, whatever was asked.
        if (channels > channels_ || frames > frames_ || capacity_ == 0) {
            EXPECT(!got);
            ++rejected_;
            return;
        }
        if (buffersOut() == capacity_) {
            EXPECT(!got);
            ++failed_;
            return;
        }
        EXPECT(got);
        l.index = l.shared ? l.s.index() : l.u.index();
        EXPECT(l.index < capacity_);
        EXPECT(state_[l.index].handles == 0 && !state_[l.index].detached);  // it was free
        state_[l.index].handles = 1;
        l.channels = channels;
        l.frames = frames;
        ++acquisitions_;
        highWater_ = std::max(highWater_, buffersOut());
        live_.push_back(std::move(l));
    }

    void dropReference(std::uint32_t index) {
        if (--state_[index].handles == 0) ++releases_;
    }

    void drop(Input& in) {
        if (live_.empty()) return;
        const std::size_t k = in.below(live_.size());
        const std::uint32_t index = live_[k].index;
        if (in.byte() % 2) {
            live_[k].shared ? live_[k].s.reset() : live_[k].u.reset();
            EXPECT(!live_[k].s && !live_[k].u);
            live_.erase(live_.begin() + static_cast<std::ptrdiff_t>(k));
        } else {
            live_.erase(live_.begin() + static_cast<std::ptrdiff_t>(k));  // the destructor gives back
        }
        dropReference(index);
    }

    void copyShared(Input& in) {
        if (live_.empty()) return;
        Live& from = live_[in.below(live_.size())];
        if (!from.shared) {  // a Unique becomes Shared first (no copy of samples)
            from.s = typename PoolT::Shared(std::move(from.u));
            from.shared = true;
            EXPECT(!from.u);
        }
        Live copy;
        copy.shared = true;
        copy.s = from.s;
        copy.index = from.index;
        copy.channels = from.channels;
        copy.frames = from.frames;
        ++state_[from.index].handles;
        live_.push_back(std::move(copy));
    }

    void copyAssignShared(Input& in) {
        if (live_.size() < 2) return;
        const std::size_t to = in.below(live_.size()), from = in.below(live_.size());
        if (!live_[to].shared || !live_[from].shared) return;
        if (to == from) {
            live_[to].s = live_[from].s;  // self-assignment keeps everything
            return;
        }
        const std::uint32_t oldIndex = live_[to].index;
        ++state_[live_[from].index].handles;
        live_[to].s = live_[from].s;
        dropReference(oldIndex);
        live_[to].index = live_[from].index;
        live_[to].channels = live_[from].channels;
        live_[to].frames = live_[from].frames;
    }

    void moveHandle(Input& in) {
        if (live_.empty()) return;
        const std::size_t k = in.below(live_.size());
        if (in.byte() % 2 || live_.size() < 2) {  // move-construct a new entry, drop the moved-from one
            Live moved;
            moved.shared = live_[k].shared;
            if (moved.shared) moved.s = std::move(live_[k].s);
            else moved.u = std::move(live_[k].u);
            EXPECT(!live_[k].s && !live_[k].u);
            moved.index = live_[k].index;
            moved.channels = live_[k].channels;
            moved.frames = live_[k].frames;
            live_.erase(live_.begin() + static_cast<std::ptrdiff_t>(k));
            live_.push_back(std::move(moved));
            return;
        }
        const std::size_t j = in.below(live_.size());  // move-assign k over j (same kind)
        if (j == k || live_[j].shared != live_[k].shared) return;
        const std::uint32_t oldIndex = live_[j].index;
        if (live_[k].shared) live_[j].s = std::move(live_[k].s);
        else live_[j].u = std::move(live_[k].u);
        dropReference(oldIndex);
        live_[j].index = live_[k].index;
        live_[j].channels = live_[k].channels;
        live_[j].frames = live_[k].frames;
        live_.erase(live_.begin() + static_cast<std::ptrdiff_t>(k));
    }

    template <class T>
    void copyFromRawOf(Input& in, Live& l) {
        const std::size_t channels = in.below(channels_ + 3), frames = in.below(frames_ + 5);
        const bool nullArray = in.byte() % 8 == 0;
        std::vector<std::vector<T>> data(channels, std::vector<T>(frames));
        std::vector<const T*> pointers(channels);
        std::vector<bool> skipped(channels);
        for (std::size_t c = 0; c < channels; ++c) {
            for (auto& v : data[c]) v = static_cast<T>(in.sample());
            skipped[c] = in.byte() % 6 == 0;
            pointers[c] = skipped[c] ? nullptr : data[c].data();
        }
        const audiopool::CopyExtent e = visit(
            l, [&](const auto& h) { return h.copyFrom(nullArray ? nullptr : pointers.data(), channels, frames); });
        const std::size_t overlapChannels = nullArray ? 0 : std::min(channels, l.channels);
        const std::size_t overlapFrames = std::min(frames, l.frames);
        std::size_t written = 0;
        for (std::size_t c = 0; c < overlapChannels; ++c) {
            if (skipped[c]) continue;
            ++written;
            for (std::size_t f = 0; f < overlapFrames; ++f)
                samples_[l.index][c * frames_ + f] = static_cast<Sample>(data[c][f]);
        }
        expectExtent(e, written, overlapFrames);
    }
    void copyFromRaw(Input& in) {
        if (live_.empty()) return;
        Live& l = live_[in.below(live_.size())];
        if (in.byte() % 2) copyFromRawOf<float>(in, l);
        else copyFromRawOf<double>(in, l);
    }

    template <class T>
    void copyToRawOf(Input& in, const Live& l) {
        const std::size_t channels = in.below(channels_ + 3), frames = in.below(frames_ + 5);
        const T sentinel = static_cast<T>(-1000.5);
        std::vector<std::vector<T>> data(channels, std::vector<T>(frames, sentinel));
        std::vector<T*> pointers(channels);
        std::vector<bool> skipped(channels);
        for (std::size_t c = 0; c < channels; ++c) {
            skipped[c] = in.byte() % 6 == 0;
            pointers[c] = skipped[c] ? nullptr : data[c].data();
        }
        const audiopool::CopyExtent e =
            visit(l, [&](const auto& h) { return h.copyTo(pointers.data(), channels, frames); });
        const std::size_t overlapChannels = std::min(channels, l.channels);
        const std::size_t overlapFrames = std::min(frames, l.frames);
        std::size_t written = 0;
        for (std::size_t c = 0; c < channels; ++c)
            for (std::size_t f = 0; f < frames; ++f) {
                const bool inside = c < overlapChannels && f < overlapFrames && !skipped[c];
                EXPECT(data[c][f] == (inside ? static_cast<T>(samples_[l.index][c * frames_ + f]) : sentinel));
            }
        for (std::size_t c = 0; c < overlapChannels; ++c) written += !skipped[c];
        expectExtent(e, written, overlapFrames);
    }
    /// [start, start + count) of [0, size), as View clamps it: first and length.
    static std::pair<std::size_t, std::size_t> clamped(std::size_t size, std::size_t start, std::size_t count) {
        const std::size_t first = std::min(start, size);
        return {first, std::min(count, size - first)};
    }

    /// A copy between a sub-view of a live handle and a sub-view of a host
    /// block (raw pointers, some null, or a null array), either way, with
    /// offsets anywhere (past the end and huge included).
    template <class T>
    void viewCopyOf(Input& in, const Live& l) {
        const std::size_t channels = in.below(channels_ + 3), frames = in.below(frames_ + 5);
        const bool askedNull = in.byte() % 8 == 0, into = in.byte() % 2;
        const T sentinel = static_cast<T>(-1000.5);
        std::vector<std::vector<T>> data(channels, std::vector<T>(frames, sentinel));
        std::vector<T*> pointers(channels);
        std::vector<bool> skipped(channels);
        for (std::size_t c = 0; c < channels; ++c) {
            if (into)
                for (auto& v : data[c]) v = static_cast<T>(in.sample());
            skipped[c] = in.byte() % 6 == 0;
            pointers[c] = skipped[c] ? nullptr : data[c].data();
        }
        const std::size_t hc0 = in.size(channels), hcn = in.size(channels), hf0 = in.size(frames),
                          hfn = in.size(frames);
        const std::size_t bc0 = in.size(l.channels), bcn = in.size(l.channels), bf0 = in.size(l.frames),
                          bfn = in.size(l.frames);
        // A view of a null array is a view of nothing (an empty vector's
        // data() may be null too).
        const bool nullArray = askedNull || pointers.data() == nullptr;
        const audiopool::View<T> host = audiopool::View<T>(nullArray ? nullptr : pointers.data(), channels, frames)
                                            .channels(hc0, hcn)
                                            .frames(hf0, hfn);
        const audiopool::CopyExtent e = visit(l, [&](const auto& h) {
            const auto buffer = h.view().channels(bc0, bcn).frames(bf0, bfn);
            return into ? buffer.copyFrom(host) : buffer.copyTo(host);
        });
        // The model: both sub-views clamped as View documents.
        const auto [hostFirstChannel, hostChannels] = clamped(nullArray ? 0 : channels, hc0, hcn);
        const auto [hostFirstFrame, hostFrames] = clamped(nullArray ? 0 : frames, hf0, hfn);
        const auto [bufferFirstChannel, bufferChannels] = clamped(l.channels, bc0, bcn);
        const auto [bufferFirstFrame, bufferFrames] = clamped(l.frames, bf0, bfn);
        EXPECT(host.numChannels() == hostChannels && host.numFrames() == hostFrames);
        const std::size_t overlapChannels = std::min(hostChannels, bufferChannels);
        const std::size_t overlapFrames = std::min(hostFrames, bufferFrames);
        std::size_t written = 0;
        for (std::size_t c = 0; c < overlapChannels; ++c) {
            const std::size_t hostChannel = hostFirstChannel + c, bufferChannel = bufferFirstChannel + c;
            if (skipped[hostChannel]) continue;
            ++written;
            if (into)
                for (std::size_t f = 0; f < overlapFrames; ++f)
                    samples_[l.index][bufferChannel * frames_ + bufferFirstFrame + f] =
                        static_cast<Sample>(data[hostChannel][hostFirstFrame + f]);
        }
        expectExtent(e, written, overlapFrames);
        if (!into) {  // the host holds exactly what the model wrote, sentinels elsewhere
            for (std::size_t c = 0; c < channels; ++c)
                for (std::size_t f = 0; f < frames; ++f) {
                    const bool inside = c >= hostFirstChannel && c < hostFirstChannel + overlapChannels &&
                                        f >= hostFirstFrame && f < hostFirstFrame + overlapFrames && !skipped[c];
                    if (!inside) EXPECT(data[c][f] == sentinel);
                    else
                        EXPECT(data[c][f] ==
                               static_cast<T>(samples_[l.index][(bufferFirstChannel + c - hostFirstChannel) * frames_ +
                                                                bufferFirstFrame + f - hostFirstFrame]));
                }
        }
    }
    void viewCopy(Input& in) {
        if (live_.empty()) return;
        const Live& l = live_[in.below(live_.size())];
        if (in.byte() % 2) viewCopyOf<float>(in, l);
        else viewCopyOf<double>(in, l);
    }

    void copyToRaw(Input& in) {
        if (live_.empty()) return;
        const Live& l = live_[in.below(live_.size())];
        if (in.byte() % 2) copyToRawOf<float>(in, l);
        else copyToRawOf<double>(in, l);
    }

    void copyFromJuce(Input& in) {
        if (live_.empty()) return;
        Live& l = live_[in.below(live_.size())];
        const std::size_t channels = in.below(channels_ + 3), frames = in.below(frames_ + 5);
        JuceShaped<double> source{static_cast<int>(channels), static_cast<int>(frames), {}};
        source.data.assign(channels, std::vector<double>(frames));
        for (auto& ch : source.data)
            for (auto& v : ch) v = in.sample();
        if (in.byte() % 8 == 0) {  // a buffer reporting negative sizes
            source.channels = -source.channels - 1;
            source.samples = -source.samples - 1;
        }
        const bool backwards = in.byte() % 2;  // copyTo a JUCE-shaped destination instead
        if (backwards) {
            const double sentinel = -1000.5;
            for (auto& ch : source.data) std::fill(ch.begin(), ch.end(), sentinel);
            const audiopool::CopyExtent e = visit(l, [&](const auto& h) { return h.copyTo(source); });
            const std::size_t oc = source.channels < 0 ? 0 : std::min(channels, l.channels);
            const std::size_t of = source.samples < 0 ? 0 : std::min(frames, l.frames);
            for (std::size_t c = 0; c < channels; ++c)
                for (std::size_t f = 0; f < frames; ++f)
                    EXPECT(source.data[c][f] ==
                           ((c < oc && f < of) ? static_cast<double>(samples_[l.index][c * frames_ + f]) : sentinel));
            expectExtent(e, oc, of);
            return;
        }
        const audiopool::CopyExtent e = visit(l, [&](const auto& h) { return h.copyFrom(source); });
        const std::size_t oc = source.channels < 0 ? 0 : std::min(channels, l.channels);
        const std::size_t of = source.samples < 0 ? 0 : std::min(frames, l.frames);
        for (std::size_t c = 0; c < oc; ++c)
            for (std::size_t f = 0; f < of; ++f)
                samples_[l.index][c * frames_ + f] = static_cast<Sample>(source.data[c][f]);
        expectExtent(e, oc, of);
    }

    void clear(Input& in) {
        if (live_.empty()) return;
        const Live& l = live_[in.below(live_.size())];
        visit(l, [](const auto& h) { h.clear(); });
        for (std::size_t c = 0; c < l.channels; ++c)
            for (std::size_t f = 0; f < l.frames; ++f) samples_[l.index][c * frames_ + f] = Sample{};
    }

    void copyBetweenHandles(Input& in) {  // within this pool, the same buffer included
        if (live_.empty()) return;
        const Live& from = live_[in.below(live_.size())];
        const Live& to = live_[in.below(live_.size())];
        const audiopool::CopyExtent e =
            visit(to, [&](const auto& t) { return visit(from, [&](const auto& f) { return t.copyFrom(f); }); });
        const std::size_t channels = std::min(to.channels, from.channels), frames = std::min(to.frames, from.frames);
        std::vector<Sample> before = samples_[from.index];
        for (std::size_t c = 0; c < channels; ++c)
            for (std::size_t f = 0; f < frames; ++f) samples_[to.index][c * frames_ + f] = before[c * frames_ + f];
        expectExtent(e, channels, frames);
    }

    void detach(Input& in) {
        if (live_.empty()) return;
        const std::size_t k = in.below(live_.size());
        if (live_[k].shared) return;  // only a Unique detaches
        const audiopool::Detached d = live_[k].u.detach();
        EXPECT(!live_[k].u);
        EXPECT(d.pool == pool_.get());
        EXPECT(d.index == live_[k].index);
        EXPECT(d.channels == live_[k].channels && d.frames == live_[k].frames);
        state_[d.index].handles = 0;
        state_[d.index].detached = true;
        state_[d.index].generation = d.generation;
        detached_.push_back({d, block_});
        live_.erase(live_.begin() + static_cast<std::ptrdiff_t>(k));
    }

    /// Releases or adopts a remembered Detached value, stale ones included.
    void releaseDetached(Input& in, bool adopt) {
        if (detached_.empty()) return;
        const KeptDetached kept = detached_[in.below(detached_.size())];
        const audiopool::Detached d = kept.value;
        // Only the buffer's current detachment is good: a stale Detached (an
        // earlier detachment of a buffer reused and detached again, or one
        // from a block given back since: a re-size or releaseMemory) is not.
        const bool valid =
            kept.block == block_ && state_[d.index].detached && state_[d.index].generation == d.generation;
        if (!valid) {
            EXPECT(adopt ? !pool_->adopt(d) : !pool_->release(d));
            misused();
            return;
        }
        State& st = state_[d.index];
        if (adopt) {
            auto h = pool_->adopt(d);
            EXPECT(static_cast<bool>(h));
            st.detached = false;
            st.handles = 1;
            Live l;
            l.u = std::move(h);
            l.index = d.index;
            l.channels = std::min<std::size_t>(d.channels, channels_);
            l.frames = std::min<std::size_t>(d.frames, frames_);
            live_.push_back(std::move(l));
            return;
        }
        EXPECT(pool_->release(d));
        st.detached = false;
        ++releases_;
    }

    void forgedRelease(Input& in) {
        audiopool::Detached d;
        switch (in.byte() % 4) {
        case 0: d = {pool_.get(), static_cast<std::uint32_t>(capacity_ + in.byte()), 1, 1}; break;  // out of range
        case 1:
            d = {pool_.get(), static_cast<std::uint32_t>(in.below(capacity_)), 1, 1};  // maybe free, live or detached
            d.generation = in.byte() % 3;  // sometimes the buffer's current one
            if (capacity_ != 0 && state_[d.index].detached) return;  // a genuine release, done elsewhere
            break;
        case 2: d = {}; break;  // no pool
        default:  // into another pool
            d = {pool_.get(), static_cast<std::uint32_t>(in.below(capacity_)), 1, 1};
            EXPECT(!foreign_->release(d));
            ++foreignMisuses_;
            return;
        }
        EXPECT(!pool_->release(d));
        misused();
    }

    void misused() {
        ++misuses_;
        ++reported_;
    }

    // ---- prepare() and releaseMemory() ----

    /// The largest capacity prepare() takes for a dynamic capacity: the policy's.
    static constexpr std::size_t maxCapacity() {
        return PoolT::PolicyType::template FreeList<audiopool::dynamic>::maxCapacity;
    }
    static constexpr std::size_t maxExtent = 0xFFFF'FFFFu;  // channels and frames
    /// What prepare() makes of an asked extent: a fixed extent's 0 or own
    /// value is its value; a dynamic one must be in [1, limit]; 0 is refused.
    static std::size_t resolved(std::size_t asked, std::size_t fixed, std::size_t limit) {
        if (fixed != audiopool::dynamic) return asked == 0 || asked == fixed ? fixed : 0;
        return asked <= limit ? asked : 0;
    }
    /// An extent to ask for: 0, the current one, the limit (a fixed extent:
    /// its value), one past it, huge (2^32 or SIZE_MAX), or small (1 to `small`).
    static std::size_t anyExtent(Input& in, std::size_t fixed, std::size_t limit, std::size_t now, std::size_t small) {
        if (fixed != audiopool::dynamic) limit = fixed;
        switch (in.byte() % 8) {
        case 0: return 0;
        case 1: return now;
        case 2: return limit;
        case 3: return limit + 1;
        case 4: return in.byte() % 2 ? std::size_t{1} << 32 : std::numeric_limits<std::size_t>::max();
        default: return 1 + in.below(small);
        }
    }
    /// A good extent to ask for: small, or a fixed extent's 0 or own value.
    static std::size_t smallExtent(Input& in, std::size_t fixed, std::size_t small) {
        if (fixed != audiopool::dynamic) return in.byte() % 2 ? fixed : 0;
        return 1 + in.below(small);
    }
    /// A byte: 0-3 the first counting resource, 4-5 the second, 6 none (a
    /// static pool gets the first), 7 one that throws.
    std::pmr::memory_resource* chooseResource(Input& in) {
        switch (in.byte() % 8) {
        case 4:
        case 5: return &second_;
        case 6: return prepared ? nullptr : &first_;
        case 7: return &failing_;
        default: return &first_;
        }
    }
    std::size_t resourceCalls() const { return first_.calls + second_.calls + failing_.calls; }

    /// prepare(). A byte chooses the request: 0 the current sizes; 1 small
    /// good sizes (a byte per extent); otherwise any sizes (one or two bytes
    /// per extent). Then the resource (chooseResource).
    void prepare(Input& in) {
        audiopool::Sizes wanted;
        switch (in.byte() % 4) {
        case 0: wanted = {channels_, frames_, capacity_}; break;
        case 1:
            wanted = {smallExtent(in, PoolT::channels, 4), smallExtent(in, PoolT::frames, 40),
                      smallExtent(in, PoolT::capacity, 5)};
            break;
        default:
            wanted = {anyExtent(in, PoolT::channels, maxExtent, channels_, 4),
                      anyExtent(in, PoolT::frames, maxExtent, frames_, 40),
                      anyExtent(in, PoolT::capacity, maxCapacity(), capacity_, 5)};
            break;
        }
        std::pmr::memory_resource* const resource = chooseResource(in);
        const audiopool::Sizes sizes{resolved(wanted.channels, PoolT::channels, maxExtent),
                                     resolved(wanted.frames, PoolT::frames, maxExtent),
                                     resolved(wanted.capacity, PoolT::capacity, maxCapacity())};
        const bool good = sizes.channels != 0 && sizes.frames != 0 && sizes.capacity != 0;
        const bool allBack = buffersOut() == 0;  // none in a handle, none detached
        const std::size_t callsBefore = resourceCalls();
        const bool done = pool_->prepare(wanted, resource);
        const std::size_t asked = resourceCalls() - callsBefore;
        if constexpr (!prepared) {
            // A static pool allocates nothing and keeps everything (it prefaults).
            EXPECT(asked == 0);
            EXPECT(done == (good && allBack));
        } else {
            // Refused, and nothing asked of any resource: bad sizes, no
            // resource, or a buffer out.
            if (!good || resource == nullptr || !allBack) {
                EXPECT(!done && asked == 0);
                return;
            }
            // The same sizes from the same resource: the block and the statistics kept.
            if (sizes == audiopool::Sizes{channels_, frames_, capacity_} && resource == resource_) {
                EXPECT(done && asked == 0);
                return;
            }
            // A block of more than half the address space: refused before asking.
            constexpr std::size_t most = std::numeric_limits<std::size_t>::max();
            const BlockBounds bounds = blockBounds<Sample>(sizes);
            if (bounds.least > most / 2) {
                EXPECT(!done && asked == 0);
                return;
            }
            // Otherwise the resource is asked once (it must be, well within
            // the address space) for a block between the bounds; the pool
            // re-sizes when it serves, and is unchanged when it fails.
            const auto& from = *static_cast<TestResource*>(resource);
            EXPECT(asked <= 1);
            if (bounds.most <= most / 4) EXPECT(asked == 1);
            if (asked == 1) EXPECT(from.lastBytes >= bounds.least && from.lastBytes <= bounds.most);
            const bool served = asked == 1 && !from.throws() && from.lastBytes <= TestResource::budget;
            EXPECT(done == served);
            if (!done) return;
            channels_ = sizes.channels;
            frames_ = sizes.frames;
            capacity_ = sizes.capacity;
            resource_ = resource;
            blockBytes_ = from.lastBytes;
            startOver();
        }
    }

    /// releaseMemory(): true when every buffer is back; a prepared pool is
    /// then as before its first prepare (no memory, sizes 0, statistics 0).
    void releaseMemory() {
        const bool allBack = buffersOut() == 0;
        const std::size_t callsBefore = resourceCalls();
        EXPECT(pool_->releaseMemory() == allBack);
        EXPECT(resourceCalls() == callsBefore);
        if constexpr (prepared) {
            if (!allBack) return;
            channels_ = frames_ = capacity_ = 0;
            resource_ = nullptr;
            blockBytes_ = 0;
            startOver();
        }
    }

    /// A new block (or none): every buffer free and zeroed, every statistic
    /// 0. The Detached values kept are of an earlier block: stale.
    void startOver() {
        ++block_;
        state_.assign(capacity_, State{});
        samples_.assign(capacity_, std::vector<Sample>(channels_ * frames_, Sample{}));
        highWater_ = 0;
        acquisitions_ = releases_ = failed_ = rejected_ = misuses_ = 0;
    }

    // The resources outlive the pools, which give their blocks back to them.
    TestResource first_, second_, failing_{true};
    std::unique_ptr<PoolT> pool_, foreign_;
    // The model: the pool's sizes now, and the block it has (which resource, how many bytes).
    std::size_t channels_, frames_, capacity_;
    std::pmr::memory_resource* resource_ = nullptr;
    std::size_t blockBytes_ = 0;
    std::vector<std::vector<Sample>> samples_;  // each buffer's channels_ x frames_ samples
    std::vector<State> state_;
    std::vector<Live> live_;
    /// A Detached value, and the block it came from (block_ then).
    struct KeptDetached {
        audiopool::Detached value;
        std::size_t block;
    };
    std::vector<KeptDetached> detached_;
    std::size_t block_ = 0;  // blocks the pool has had (a static pool: always its one)
    std::size_t highWater_ = 0;
    std::uint64_t acquisitions_ = 0, releases_ = 0, failed_ = 0, rejected_ = 0, misuses_ = 0;
    std::uint64_t reported_ = 0, foreignMisuses_ = 0;  // misuses reported since the start
};

/// The pool shapes the harnesses cycle through (capacity within every
/// policy's limit): policy i of the list gets shape i % 4, and its samples are
/// float for even i, double for odd, so copies between harnesses cross types.
struct Shape {
    std::size_t channels, frames, capacity;
};
constexpr std::array<Shape, 4> shapes{{{2, 8, 3}, {3, 5, 2}, {1, 16, 4}, {2, 4, 3}}};

template <class Policy, std::size_t I>
using PoolFor = audiopool::Pool<std::conditional_t<I % 2 == 0, float, double>, shapes[I % 4].channels,
                                shapes[I % 4].frames, shapes[I % 4].capacity, Policy>;

/// A prepared pool per policy, every extent audiopool::dynamic (samples:
/// double for even i, float for odd, the other way from the static ones).
template <class Policy, std::size_t I>
using DynamicPoolFor = audiopool::Pool<std::conditional_t<I % 2 == 0, double, float>, audiopool::dynamic,
                                       audiopool::dynamic, audiopool::dynamic, Policy>;

/// One harness per built-in policy (audiopool::BuiltinPolicies), then
/// OwnerThread a second time with no lanes, so that its releases go through
/// the return ring and wrap it; then a prepared pool per built-in policy, and
/// one with mixed extents (2 channels and 8 buffers fixed, frames prepared).
template <class Policies, class Indices>
struct HarnessTuple;
template <class... Policies, std::size_t... I>
struct HarnessTuple<std::tuple<Policies...>, std::index_sequence<I...>> {
    using type = std::tuple<Harness<PoolFor<Policies, I>>...,
                            Harness<audiopool::Pool<double, 1, 6, 3, audiopool::BasicOwnerThread<0>>>,
                            Harness<DynamicPoolFor<Policies, I>>...,
                            Harness<audiopool::Pool<float, 2, audiopool::dynamic, 8, audiopool::OwnerThread>>>;
};
using Harnesses = HarnessTuple<audiopool::BuiltinPolicies,
                               std::make_index_sequence<std::tuple_size_v<audiopool::BuiltinPolicies>>>::type;
constexpr std::size_t harnessCount = std::tuple_size_v<Harnesses>;

/// Calls f with the harness at a run-time index (below harnessCount).
template <class Fn>
void withHarness(Harnesses& all, std::size_t index, Fn&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((I == index ? (f(std::get<I>(all)), 0) : 0), ...);
    }(std::make_index_sequence<harnessCount>{});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    audiopool::setMisuseHandler(&countMisuse);
    misusesReported = 0;
    Input in(data, size);
    Harnesses all;
    // A step: a byte below harnessCount picks a harness (in the tuple's order:
    // with the four built-in policies, 0-3 static, 4 OwnerThread with no lanes,
    // 5-8 prepared, 9 mixed) and a byte its operation (Harness::step); the
    // next value, harnessCount, copies from a live handle of one harness into
    // one of another's (or the same's), across sample types.
    while (!in.done()) {
        const std::size_t which = in.below(harnessCount + 1);
        if (which < harnessCount) {
            withHarness(all, which, [&](auto& h) { h.step(in); });
        } else {
            const std::size_t from = in.below(harnessCount), to = in.below(harnessCount);
            withHarness(all, from, [&](auto& source) {
                withHarness(all, to, [&](auto& target) {
                    source.withLive(in, [&](const auto& h) { target.absorbCopy(in, h); });
                    source.check();
                    target.check();
                });
            });
        }
        std::uint64_t misuses = 0;
        std::apply([&](const auto&... h) { misuses = (h.misuses() + ...); }, all);
        EXPECT(misusesReported == misuses);
    }
    return 0;
}
