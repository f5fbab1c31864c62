# The core suite in both modes: module mode (and header mode) with clang-19
# ($AUDIOPOOL_CLANG) in build/clang, header mode with the system g++
# ($AUDIOPOOL_GCC) in build/gcc. Later steps use these two builds. The model
# check, built in build/gcc, runs in its own step (24-model.sh).
# On its own: bash scripts/test.d/10-core.sh
[ -n "${AUDIOPOOL_LIB_SOURCED:-}" ] || source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" --step

setup_shared_build clang
run_tests build/clang
setup_shared_build gcc
run_tests build/gcc --no-suite model
