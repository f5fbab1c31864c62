// bench/pair_driver.cpp — N acquire+release pairs of one subject, for counting
// instructions under valgrind --tool=callgrind (scripts/bench-instructions.sh).
//
//   audiopool-bench-pairs SUBJECT N     (SUBJECT "all": every subject, for a smoke run)
//
// The pairs run in one non-inlined function per subject, exactly as a user
// calls the pool (acquire, handle destroyed). The script runs two values of N
// and divides the difference in instructions by the difference in N, so
// start-up and the loop's own counter (add, compare, branch) are what remains
// beside the pair: the loop costs are stated, not hidden.
#include "peers.hpp"

#include <cstdio>
#include <cstdlib>
#include <array>
#include <cstring>
#include <span>
#include <string>
#include <tuple>

#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

namespace {

template <class Policy>
using BlockPool = audiopool::Pool<float, bench::blockChannels, bench::blockFrames, 16, Policy>;
template <class Policy>
constinit BlockPool<Policy> blockPool;

/// Keeps `value` alive as if the program used it; emits no instruction.
template <class T>
inline void use(const T& value) {
    asm volatile("" : : "r"(value) : "memory");
}

template <class Policy>
[[gnu::noinline]] void poolPairs(long n) {
    auto& pool = blockPool<Policy>;
    for (long i = 0; i < n; ++i) {
        auto buffer = pool.acquire();
        use(buffer.index());
    }
}

/// The same pool with its sizes from prepare(): every extent dynamic.
template <class Policy>
using PreparedPool = audiopool::Pool<float, audiopool::dynamic, audiopool::dynamic, audiopool::dynamic, Policy>;
template <class Policy>
constinit PreparedPool<Policy> preparedPool;

template <class Policy>
[[gnu::noinline]] void preparedPairs(long n) {
    auto& pool = preparedPool<Policy>;
    if (!pool.prepare({bench::blockChannels, bench::blockFrames, 16})) std::abort();
    for (long i = 0; i < n; ++i) {
        auto buffer = pool.acquire();
        use(buffer.index());
    }
}

/// The same pairs through a PoolRef<float>, as a class that holds one calls
/// it: the compiler is not let see which pool it refers to (the reference is
/// laundered through an empty asm), so both calls go through its table.
template <class Policy>
[[gnu::noinline]] void poolRefPairs(long n) {
    audiopool::PoolRef<float> ref = blockPool<Policy>;
    audiopool::PoolRef<float>* opaque = &ref;
    asm volatile("" : "+r"(opaque) : : "memory");
    for (long i = 0; i < n; ++i) {
        auto buffer = opaque->acquire();
        use(buffer.index());
    }
}

template <class List>
[[gnu::noinline]] void listPairs(long n) {
    static List list;
    for (long i = 0; i < n; ++i) {
        std::uint32_t index = 0;
        list.pop(index);
        use(index);
        list.push(index);
    }
}

template <bench::HeapKind Kind>
[[gnu::noinline]] void heapPairs(long n) {
    for (long i = 0; i < n; ++i) {
        float* block = bench::HeapBlock<Kind>::allocate(bench::blockFloats);
        use(block);
        bench::HeapBlock<Kind>::free(block);
    }
}

struct Entry {
    std::string name;
    void (*run)(long);
};

/// One entry per built-in policy (the library's one list), named by the
/// policy, then the same through a PoolRef ("PoolRef_" and the name), then
/// the same sizes given by prepare() ("Prepared_" and the name).
template <class... Policies>
std::array<Entry, 3 * sizeof...(Policies)> poolEntries(std::tuple<Policies...>*) {
    return {Entry{std::string(Policies::name), poolPairs<Policies>}...,
            Entry{"PoolRef_" + std::string(Policies::name), poolRefPairs<Policies>}...,
            Entry{"Prepared_" + std::string(Policies::name), preparedPairs<Policies>}...};
}

constexpr std::size_t n = 16;
const auto pools = poolEntries(static_cast<audiopool::BuiltinPolicies*>(nullptr));
const Entry peers[] = {
    {"bare_tagged_cas", listPairs<bench::BareTaggedCas<n>>},
    {"bare_index_stack", listPairs<bench::BareIndexStack<n>>},
    {"boost_lockfree_stack", listPairs<bench::BoostStackFreeList<n>>},
    {"boost_spsc_queue", listPairs<bench::BoostSpscFreeList<n>>},
    {"moodycamel_concurrent_queue", listPairs<bench::ConcurrentQueueFreeList<n>>},
    {"moodycamel_reader_writer_queue", listPairs<bench::ReaderWriterFreeList<n>>},
    {"mutex_vector", listPairs<bench::MutexFreeList<n>>},
    {"malloc_free", heapPairs<bench::HeapKind::Malloc>},
    {"new_delete", heapPairs<bench::HeapKind::NewArray>},
};

} // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s SUBJECT|all|list N\n", argv[0]);
        return 2;
    }
    const long pairs = std::atol(argv[2]);
    for (const std::span<const Entry> entries : {std::span<const Entry>(pools), std::span<const Entry>(peers)}) {
        for (const Entry& e : entries) {
            if (std::strcmp(argv[1], "list") == 0) std::printf("%s\n", e.name.c_str());
            else if (std::strcmp(argv[1], "all") == 0 || e.name == argv[1]) {
                e.run(pairs);
                if (std::strcmp(argv[1], "all") != 0) return 0;
            }
        }
    }
    if (std::strcmp(argv[1], "all") == 0 || std::strcmp(argv[1], "list") == 0) return 0;
    std::fprintf(stderr, "unknown subject %s\n", argv[1]);
    return 2;
}
