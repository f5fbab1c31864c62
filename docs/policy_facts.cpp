// Prints what each built-in policy (audiopool::BuiltinPolicies, the one list)
// states of itself, one line each: name, thread rule, progress on this
// target, whether buffers cross threads, and the largest capacity.
// check_policy_tables.py compares the policy tables of the pages with it.
#include <cstdio>
#include <string_view>
#include <tuple>
#include <audiopool/audiopool.hpp>

namespace {

constexpr std::string_view ruleName(audiopool::ThreadRule rule) {
    switch (rule) {
    case audiopool::ThreadRule::AnyThread: return "any-thread";
    case audiopool::ThreadRule::OneAcquirerOneReleaser: return "one-acquirer-one-releaser";
    case audiopool::ThreadRule::OneAcquirerAnyReleaser: return "one-acquirer-any-releaser";
    case audiopool::ThreadRule::OneThread: return "one-thread";
    }
    return "unknown";
}

template <class Policy>
void print() {
    using F = typename Policy::template FreeList<2>;
    const std::string_view rule = ruleName(audiopool::threadRuleOf<F>), progress = audiopool::describe(F::progress);
    std::printf("%.*s %.*s %.*s %s %zu\n", static_cast<int>(Policy::name.size()), Policy::name.data(),
                static_cast<int>(rule.size()), rule.data(), static_cast<int>(progress.size()), progress.data(),
                F::crossThread ? "cross-thread" : "one-thread-only", static_cast<std::size_t>(F::maxCapacity));
}

template <class... Policies>
void printEach(std::tuple<Policies...>*) {
    (print<Policies>(), ...);
}

} // namespace

int main() { printEach(static_cast<audiopool::BuiltinPolicies*>(nullptr)); }
