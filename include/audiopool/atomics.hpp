// audiopool/atomics.hpp — the one seam between the lock-free code and the
// machine: the atomic words, the words read and written atomically in place,
// and the thread identity that every policy and the pool are built on.
//
// Each policy that shares state between threads takes an Atomics type as its
// last template parameter (default StdAtomics) and states it in its FreeList
// as `using Atomics = ...`; the pool takes the free list's for its ownership
// words, reference counts, statistics and thread bindings (free_list.hpp).
// Nothing else in the library names std::atomic, std::atomic_ref or the
// thread pointer (the process-wide misuse handler aside, misuse.hpp).
//
// StdAtomics is std::atomic, std::atomic_ref and the thread pointer, and it
// inlines to exactly the code written with them directly: the instruction
// counts per acquire+release are the same with and without the seam
// (docs/verification.md). A model checker substitutes its own type
// (tests/model/: Relacy's atomics and its simulated threads), so the code it
// checks is the code users run, with the same memory orders.
//
// An Atomics type provides:
//   template <class T> using Atomic = ...;
//       a word its owner declares: constructible from T and value-initialised
//       by default (constexpr for StdAtomics, so a pool can be constinit),
//       with std::atomic's load, store, fetch_add, fetch_sub,
//       compare_exchange_weak and compare_exchange_strong taking
//       std::memory_order arguments;
//   template <class T> using Cell = ...;
//       a word inside an array or another object (a ring entry, a free-list
//       link) that is read and written atomically in place: for StdAtomics
//       the plain T, so the layout is that of the plain array;
//   template <class T> static ref(Cell<T>&) noexcept;
//       what a cell is loaded and stored through (std::atomic_ref<T>);
//   static std::uintptr_t threadToken() noexcept;
//       a nonzero value naming the calling thread, distinct between live threads;
//   static constexpr bool cheapThreadToken;
//       threadToken() is a register read, cheap enough for every release
//       (OwnerThread gives threads lanes only then).
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <atomic>
#include <cerrno>
#include <cstdint>
#endif

namespace audiopool::detail {

/// A non-zero token naming the calling thread: the thread pointer (the
/// thread's TLS block address), read from a register with no call, no
/// allocation and no system call.
///
/// Read afresh on every call: the compiler treats __builtin_thread_pointer()
/// as a value that never changes within a function, and g++ and clang merge
/// two such reads across a call such as swapcontext or a coroutine's
/// suspension, after which a fiber or coroutine resumed on another thread
/// would go on naming the thread it left. On the ELF targets below the read is
/// an `asm volatile` instruction, which the compiler must execute every time
/// it is reached (the same single instruction the builtin emits). Elsewhere
/// the builtin (or errno's address) is used, and the docs state the
/// assumption that no pool call runs across such a switch (guarantees.md,
/// "Fibers and coroutines").
inline std::uintptr_t currentThreadToken() noexcept {
    std::uintptr_t pointer;  // NOLINT(cppcoreguidelines-init-variables): written by the read below, on every path
#if defined(__ELF__) && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    // x86-64 ELF TLS ABI: %fs points at the thread control block, whose first
    // word is its own address (the value __builtin_thread_pointer() reads).
    asm volatile("mov %%fs:0, %0" : "=r"(pointer));
#elif defined(__ELF__) && defined(__aarch64__) && (defined(__GNUC__) || defined(__clang__))
    asm volatile("mrs %0, tpidr_el0" : "=r"(pointer));
#elif defined(__ELF__) && defined(__riscv) && (defined(__GNUC__) || defined(__clang__))
    asm volatile("mv %0, tp" : "=r"(pointer));
#elif AUDIOPOOL_HAS_THREAD_POINTER
    pointer = reinterpret_cast<std::uintptr_t>(__builtin_thread_pointer());
#else
    // Each thread's errno lives at its own address: a thread identity
    // without a call into the thread library.
    pointer = reinterpret_cast<std::uintptr_t>(&errno);
#endif
    return pointer | 1u;
}

} // namespace audiopool::detail

AUDIOPOOL_EXPORT namespace audiopool {

/// The atomics of the C++ standard library and the hardware's thread pointer:
/// what every pool uses unless a model checker substitutes its own.
struct StdAtomics {
    template <class T>
    using Atomic = std::atomic<T>;
    template <class T>
    using Cell = T;
    // inline: see config.hpp (module mode).
    template <class T>
    static inline std::atomic_ref<T> ref(T& cell) noexcept {
        return std::atomic_ref<T>(cell);
    }
    static inline std::uintptr_t threadToken() noexcept { return detail::currentThreadToken(); }
    static constexpr bool cheapThreadToken = AUDIOPOOL_HAS_THREAD_POINTER;
};

} // namespace audiopool
