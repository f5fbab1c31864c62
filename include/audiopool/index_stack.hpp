// audiopool/index_stack.hpp — IndexStack: a free list for one thread only.
//
// Algorithm: an array used as a stack of free indices. No atomics at all; the
// pool's reference counts and statistics are plain integers too.
//
// Guarantee: wait-free (a pop or push is a handful of instructions, with no
// loop). Rule: every acquire, release, handle copy and stats() call happens on
// one thread (or with a happens-before hand-over between threads, e.g. a pool
// owned by whichever thread currently runs the audio callback). Checked
// builds (without NDEBUG; thread_check.hpp) report an acquire or release from
// a second thread as Misuse::WrongThread, accepting a new thread only while
// every buffer is back.
#pragma once
#include "audiopool/config.hpp"
#include "audiopool/free_list.hpp"
#include "audiopool/thread_check.hpp"

AUDIOPOOL_EXPORT namespace audiopool {

struct IndexStack {
    template <std::size_t Capacity>
    class FreeList {
        static_assert(Capacity >= 1, "audiopool::IndexStack: Capacity must be at least 1");
        static_assert(Capacity <= 0xFFFF'FFFEu,
                      "audiopool::IndexStack: Capacity must fit a 32-bit index");

    public:
        static constexpr Progress progress = Progress::WaitFree;
        static constexpr std::size_t maxCapacity = 0xFFFF'FFFEu;
        static constexpr bool crossThread = false;

        // Filled in reverse so that pops hand out 0, 1, 2, ... (lowest
        // addresses first, which keeps a lightly used pool's working set small).
        constexpr FreeList() noexcept {
            for (std::uint32_t i = 0; i < Capacity; ++i)
                stack_[i] = static_cast<std::uint32_t>(Capacity - 1 - i);
        }
        FreeList(const FreeList&) = delete;
        FreeList& operator=(const FreeList&) = delete;

        Popped pop() noexcept {
            if (top_ == 0) return {Popped::none, static_cast<std::uint32_t>(Capacity)};
            ++pops_;
            const std::uint32_t index = stack_[--top_];
            return {index, static_cast<std::uint32_t>(Capacity - top_)};
        }

        void push(std::uint32_t index) noexcept {
            stack_[top_++] = index;
#if AUDIOPOOL_CHECK_THREADS
            if (top_ == Capacity) user_.unbind();  // idle: another thread may take over
#endif
        }

#if AUDIOPOOL_CHECK_THREADS
        /// Checked builds only: may the calling thread pop now? (It may if it
        /// is the pool's thread, or if every buffer is back.)
        bool mayPop() noexcept {
            if (top_ == Capacity) user_.unbind();
            return user_.bindOrCheck();
        }
        /// Checked builds only: may the calling thread push now?
        bool mayPush() noexcept { return user_.bindOrCheck(); }
#endif

        FreeListCounts counts() const noexcept {
            return {top_, pops_, pops_ - (Capacity - top_)};
        }

    private:
        std::uint32_t top_ = static_cast<std::uint32_t>(Capacity);
        std::uint64_t pops_ = 0;
        std::uint32_t stack_[Capacity]{};
#if AUDIOPOOL_CHECK_THREADS
        detail::ThreadBinding user_{};
#endif
    };
};

} // namespace audiopool
