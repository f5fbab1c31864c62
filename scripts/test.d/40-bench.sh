# Benchmarks smoke run: the benchmark programs build (in build/clang, module
# mode, by 10-core.sh) and run with tiny iteration counts, and the plot script
# renders their output. Speed never fails this step; it only keeps the
# benchmarks from rotting. (Measurements: bash scripts/bench.sh quick|full.)
# On its own: bash scripts/test.d/40-bench.sh (sets up build/clang as
# 10-core.sh does if it is not there, and builds the benchmark programs only).
[ -n "${AUDIOPOOL_LIB_SOURCED:-}" ] || source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" --step

bench_smoke() {
  local build=build/clang out=build/clang/bench-smoke
  use_shared_build clang --target audiopool-bench-throughput --target audiopool-bench-latency \
    --target audiopool-bench-pairs || return 1
  [ -x "$build/bench/audiopool-bench-throughput" ] || { echo "benchmarks not built (no Google Benchmark?)"; return 1; }
  mkdir -p "$out"
  "$build/bench/audiopool-bench-throughput" --quick --summary-only --benchmark_min_time=0.0001 \
    --summary-csv="$out/throughput-summary.csv" >"$out/throughput.txt" &&
    grep -q "^Targets" "$out/throughput.txt" &&
    "$build/bench/audiopool-bench-latency" --samples=2000 --csv="$out/latency.csv" \
      --ccdf="$out/latency-ccdf.csv" >"$out/latency.txt" &&
    grep -q "competing" "$out/latency.txt" &&
    "$build/bench/audiopool-bench-pairs" all 1000 &&
    bash scripts/plot-bench.sh "$out" "$out/plots" >/dev/null &&
    [ -s "$out/plots/sweep.svg" ] && [ -s "$out/plots/latency-competing.svg" ]
}
if bench_smoke; then
  count_result "benchmarks build and run (smoke)" 0
else
  count_result "benchmarks build and run (smoke)" 1
fi
