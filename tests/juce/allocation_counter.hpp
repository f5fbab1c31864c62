// Counts heap allocations (malloc and everything built on it, operator new
// included) in the test binary that links allocation_counter.cpp, so a test
// can show that a block of code allocated nothing.
#pragma once
#include <cstddef>

namespace test {

/// How many heap allocations this process has made so far.
std::size_t allocationCount() noexcept;

/// allocationCount() at construction; allocations() is the number since.
class AllocationWatch {
public:
    AllocationWatch() noexcept : start_(allocationCount()) {}
    std::size_t allocations() const noexcept { return allocationCount() - start_; }

private:
    std::size_t start_;
};

} // namespace test
