# The stamped stress at full size in the optimised build (build/clang, from
# 10-core.sh): Treiber 4 threads x 10^6 acquire/hold/release cycles each,
# SpscRing 10^6 hand-overs, IndexStack 4 x 10^6 random steps. A soak:
#   AUDIOPOOL_STRESS_CYCLES=100000000 bash scripts/test.sh
AUDIOPOOL_STRESS_CYCLES="${AUDIOPOOL_STRESS_CYCLES:-1000000}" run_tests build/clang "stress (module)"
