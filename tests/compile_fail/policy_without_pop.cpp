// A user policy whose free list has no pop(): the concept error names it.
// expect: FreeListPolicy
// expect: pop\(\)
#include <audiopool/audiopool.hpp>
struct NoPop {
    template <std::size_t>
    struct FreeList {
        static constexpr audiopool::Progress progress = audiopool::Progress::WaitFree;
        static constexpr std::size_t maxCapacity = 8;
        static constexpr bool crossThread = false;
        void push(std::uint32_t) noexcept {}
        audiopool::FreeListCounts counts() const noexcept { return {}; }
    };
};
audiopool::Pool<float, 2, 64, 4, NoPop> pool;
