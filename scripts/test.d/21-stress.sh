# The stamped stress at full size in the optimised build (build/clang, from
# 10-core.sh): Treiber 4 threads x 10^6 acquire/hold/release cycles each,
# SpscRing 10^6 hand-overs, OwnerThread 10^6 hand-overs to three releasing
# threads (twice: four lanes, and one lane so that releasers share the return
# ring), IndexStack 4 x 10^6 random steps. A soak:
#   AUDIOPOOL_STRESS_CYCLES=100000000 bash scripts/test.sh
# On its own: bash scripts/test.d/21-stress.sh (sets up build/clang as
# 10-core.sh does if it is not there, and builds the stress programs only).
[ -n "${AUDIOPOOL_LIB_SOURCED:-}" ] || source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" --step

if use_shared_build clang --suite stress; then
  AUDIOPOOL_STRESS_CYCLES="${AUDIOPOOL_STRESS_CYCLES:-1000000}" run_tests build/clang --no-rebuild "stress (module)"
else
  count_result "stress (module) build" 1
fi
