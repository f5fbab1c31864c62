// A user policy that does not state its progress guarantee.
// expect: FreeListPolicy
// expect: progress
#include <audiopool/audiopool.hpp>
struct Silent {
    template <std::size_t>
    struct FreeList {
        static constexpr std::size_t maxCapacity = 8;
        static constexpr bool crossThread = false;
        audiopool::Popped pop() noexcept { return {}; }
        void push(std::uint32_t) noexcept {}
        audiopool::FreeListCounts counts() const noexcept { return {}; }
    };
};
audiopool::Pool<float, 2, 64, 4, Silent> pool;
