// audiopool/index_stack.hpp — IndexStack: a free list for one thread only.
//
// Algorithm: a linked stack of indices whose links are the pool's (the policy
// declares `using Link`, so each link sits in its buffer's own bookkeeping
// line, which the acquire writes anyway). No atomics at all; the pool's
// reference counts and statistics are plain integers too.
//
// Zero is the initial state: index 0 on top, nothing used, and a link stores
// `next ^ (index + 1)`, so all-zero links chain 0, 1, 2, ... (pops hand out
// the lowest addresses first, which keeps a lightly used pool's working set
// small) and a constinit pool lives in .bss. The chain ends at Capacity (the
// last slot's zero link leads there, and a push links to whatever the top
// was), so a top equal to Capacity is the empty stack.
//
// Statistics: two 64-bit counts, acquisitions and releases; in use is their
// difference. (A used count beside a pop count costs more: the compiler
// reloads a 32-bit count after the pool's 32-bit ownership store, which it
// cannot prove does not alias it.) docs/benchmarks.md, "Targets: what decides
// them", lists every instruction of a pair and what it pays for.
//
// Guarantee: wait-free (a pop or push is a handful of instructions, with no
// loop). Rule: every acquire, release, handle copy and stats() call happens on
// one thread (or with a happens-before hand-over between threads, e.g. a pool
// owned by whichever thread currently runs the audio callback). A second
// thread is a data race that no release build can make safe; checked builds
// (without NDEBUG) report it as Misuse::WrongThread.
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <cstdint>
#include <string_view>
#endif
#include "audiopool/free_list.hpp"

AUDIOPOOL_EXPORT namespace audiopool {

/// Wait-free free list for one thread: every acquire, release, handle copy
/// and stats() on the pool's thread (checked builds report another).
struct IndexStack {
    /// The policy's name, for descriptions (PolicyName, fmt.hpp).
    static constexpr std::string_view name = "IndexStack";
    // Capacity is checked by the pool (at least 1, at most maxCapacity).
    template <std::size_t Capacity>
    class FreeList : public FreeListTraits<Progress::WaitFree, 0xFFFF'FFFEu, false, ThreadRule::OneThread>,
                     public detail::ListCapacity<Capacity> {

    public:
        /// Each buffer's next-free link, kept by the pool in the buffer's own line.
        using Link = std::uint32_t;

        /// Takes the top index. Thread: the pool's thread. Progress: wait-free. Allocates: no.
        template <class Links>
        Popped pop(Links links) noexcept AUDIOPOOL_NONBLOCKING {
            const std::uint32_t index = top_;
            if (index == this->capacity()) [[unlikely]]
                return {Popped::none, static_cast<std::uint32_t>(this->capacity())};
            // top_ is at most the capacity (every push writes an index the
            // pool checked, every link leads to one or to the end). Saying
            // so lets the compiler drop the pool's "got none" test after
            // this pop: 2 instructions a pair.
            AUDIOPOOL_ASSUME(index < this->capacity());
            top_ = links[index] ^ (index + 1);  // the link stores next ^ (index + 1)
            const std::uint64_t pops = ++pops_;
            // In use: at most the capacity, so the low 32 bits of the
            // difference are the difference.
            return {index, static_cast<std::uint32_t>(pops) - static_cast<std::uint32_t>(pushes_)};
        }

        /// Puts an index on top. Thread: the pool's thread. Progress: wait-free. Allocates: no.
        template <class Links>
        void push(std::uint32_t index, Links links) noexcept AUDIOPOOL_NONBLOCKING {
            // Read before the link is written, which may alias it.
            const std::uint32_t top = top_;
            links[index] = top ^ (index + 1);
            top_ = index;
            ++pushes_;
        }

        /// Thread: the pool's thread. Progress: wait-free. Allocates: no.
        FreeListCounts counts() const noexcept AUDIOPOOL_NONBLOCKING {
            return {this->capacity() - static_cast<std::size_t>(pops_ - pushes_), pops_, pushes_};
        }

    private:
        std::uint32_t top_ = 0;
        std::uint64_t pops_ = 0;
        std::uint64_t pushes_ = 0;
    };
};

} // namespace audiopool
