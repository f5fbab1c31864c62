// tests/model/model_atomics.hpp — the atomics seam (audiopool/atomics.hpp)
// filled with Relacy's: every atomic word, ring entry and link the policies
// and the pool touch becomes an rl::atomic, and a thread's name is its Relacy
// thread index, so the model checker runs the library's own code with the
// memory orders it states.
//
// Each operation takes the call site as a defaulted std::source_location, so
// the library's calls (`head_.load(std::memory_order_acquire)`) are unchanged
// and the checker still knows which line made each access. That serves two
// purposes:
//  - Relacy's histories name the library's lines;
//  - mutation: `sites` records every site a run reaches with the order it
//    names, and `mutation` weakens the order of one site (one argument of one
//    call) while all others stay as written. model_main.cpp runs every
//    scenario once per weakening and expects a report.
//
// Include this after relacy.hpp, which must come after every standard and
// audiopool header (it #defines new, delete and malloc).
#pragma once

namespace model {

/// Which memory-order argument of a call a site names.
enum class Argument : unsigned { only, success, failure };

/// One place in the library that names a memory order.
struct Site {
    const char* file = nullptr;  // as the compiler spelled it
    unsigned line = 0;
    unsigned column = 0;
    Argument argument = Argument::only;
    const char* function = "";   // the enclosing function, as the compiler names it
    const char* operation = "";  // load, store, fetch_add, ...
    std::memory_order order = std::memory_order_relaxed;
    std::uint32_t reachedBy = 0;  // bit r: scenario r reached it

    bool sameCall(const std::source_location& at, Argument a) const noexcept {
        return line == at.line() && column == at.column() && argument == a && std::strcmp(file, at.file_name()) == 0;
    }
};

/// The sites reached since the table was last cleared (fixed storage: no
/// allocation while Relacy runs).
struct SiteTable {
    static constexpr std::size_t maxSites = 128;
    Site entries[maxSites];
    std::size_t count = 0;
    bool recording = false;
    unsigned scenario = 0;  // the one running now (< 32)

    void note(const std::source_location& at, Argument a, const char* operation, std::memory_order order) noexcept {
        if (!recording) return;
        const std::uint32_t bit = std::uint32_t{1} << scenario;
        for (std::size_t i = 0; i < count; ++i)
            if (entries[i].sameCall(at, a)) {
                entries[i].reachedBy |= bit;
                return;
            }
        if (count == maxSites) std::abort();  // raise maxSites
        entries[count++] = {at.file_name(), at.line(), at.column(), a, at.function_name(), operation, order, bit};
    }
};
inline SiteTable sites;

/// The one weakening in force (none when `active` is false).
struct Mutation {
    bool active = false;
    Site site{};
    std::memory_order to = std::memory_order_relaxed;
};
inline Mutation mutation;

/// The order a call at `at` runs with: as written, unless it is the mutated one.
inline std::memory_order orderAt(const std::source_location& at, Argument a, const char* operation,
                                 std::memory_order written) noexcept {
    sites.note(at, a, operation, written);
    if (mutation.active && mutation.site.sameCall(at, a)) return mutation.to;
    return written;
}

inline rl::memory_order toRelacy(std::memory_order o) noexcept {
    switch (o) {
    case std::memory_order_relaxed: return rl::mo_relaxed;
    case std::memory_order_consume: return rl::mo_consume;
    case std::memory_order_acquire: return rl::mo_acquire;
    case std::memory_order_release: return rl::mo_release;
    case std::memory_order_acq_rel: return rl::mo_acq_rel;
    case std::memory_order_seq_cst: return rl::mo_seq_cst;
    }
    return rl::mo_seq_cst;
}

inline rl::debug_info infoAt(const std::source_location& at) noexcept {
    return rl::debug_info(at.function_name(), at.file_name(), at.line());
}

inline bool acquires(std::memory_order o) noexcept {
    return o == std::memory_order_acquire || o == std::memory_order_consume || o == std::memory_order_acq_rel ||
           o == std::memory_order_seq_cst;
}

/// std::atomic's interface over an rl::atomic, recording each call site.
template <class T>
class Atomic {
    using Here = std::source_location;

public:
    Atomic() noexcept { value_.store(T{}, rl::mo_relaxed, infoAt(Here::current())); }
    Atomic(T initial) noexcept { value_.store(initial, rl::mo_relaxed, infoAt(Here::current())); }
    Atomic(const Atomic&) = delete;
    Atomic& operator=(const Atomic&) = delete;

    T load(std::memory_order o, Here at = Here::current()) const noexcept {
        return value_.load(toRelacy(orderAt(at, Argument::only, "load", o)), infoAt(at));
    }
    void store(T v, std::memory_order o, Here at = Here::current()) noexcept {
        value_.store(v, toRelacy(orderAt(at, Argument::only, "store", o)), infoAt(at));
    }
    T fetch_add(T v, std::memory_order o, Here at = Here::current()) noexcept {
        return value_.fetch_add(v, toRelacy(orderAt(at, Argument::only, "fetch_add", o)), infoAt(at));
    }
    T fetch_sub(T v, std::memory_order o, Here at = Here::current()) noexcept {
        return value_.fetch_sub(v, toRelacy(orderAt(at, Argument::only, "fetch_sub", o)), infoAt(at));
    }
    T fetch_and(T v, std::memory_order o, Here at = Here::current()) noexcept {
        return value_.fetch_and(v, toRelacy(orderAt(at, Argument::only, "fetch_and", o)), infoAt(at));
    }
    T fetch_or(T v, std::memory_order o, Here at = Here::current()) noexcept {
        return value_.fetch_or(v, toRelacy(orderAt(at, Argument::only, "fetch_or", o)), infoAt(at));
    }
    bool compare_exchange_weak(T& expected, T desired, std::memory_order success, std::memory_order failure,
                               Here at = Here::current()) noexcept {
        return compareExchange(true, expected, desired, success, failure, at);
    }
    bool compare_exchange_strong(T& expected, T desired, std::memory_order success, std::memory_order failure,
                                 Here at = Here::current()) noexcept {
        return compareExchange(false, expected, desired, success, failure, at);
    }

private:
    bool compareExchange(bool weak, T& expected, T desired, std::memory_order success, std::memory_order failure,
                         const Here& at) noexcept {
        const std::memory_order s = orderAt(at, Argument::success, "compare_exchange (success)", success);
        const std::memory_order f = orderAt(at, Argument::failure, "compare_exchange (failure)", failure);
        // Relacy takes a failure order only as strong as the success order's
        // load half allows (C++17 lifted that rule). A stronger failure
        // order than that is modelled as a relaxed failure followed by an
        // acquire fence, which synchronises with the same release.
        const bool successAcquires = acquires(s);
        const rl::memory_order rf = successAcquires ? toRelacy(f) : rl::mo_relaxed;
        const rl::debug_info info = infoAt(at);
        const bool done = weak ? value_.compare_exchange_weak(expected, desired, toRelacy(s), info, rf, info)
                               : value_.compare_exchange_strong(expected, desired, toRelacy(s), info, rf, info);
        if (!done && !successAcquires && acquires(f)) rl::atomic_thread_fence(rl::mo_acquire, info);
        return done;
    }

    mutable rl::atomic<T> value_;
};

/// The seam's type for the model: Relacy's atomics and thread indices.
struct Atomics {
    template <class T>
    using Atomic = model::Atomic<T>;
    template <class T>
    using Cell = model::Atomic<T>;
    template <class T>
    static model::Atomic<T>& ref(model::Atomic<T>& cell) noexcept {
        return cell;
    }
    static std::uintptr_t threadToken() noexcept { return rl::thread_index() + 1; }
    static constexpr bool cheapThreadToken = true;
};

} // namespace model
