# Benchmarks smoke run: the benchmark programs build (in build/clang, module
# mode, by 10-core.sh) and run with tiny iteration counts, and the plot script
# renders their output. Speed never fails this step; it only keeps the
# benchmarks from rotting. The callback benchmark runs a short version
# (--seconds=0.3 per load and block size, about 10 s) and
# bench/check_callback_output.py checks its CSV, JSON and CCDF files: every
# strategy, load and block size present, finite numbers, no NaN; the checker
# itself is shown bad files first and must reject them.
# (Measurements: bash scripts/bench.sh quick|full.)
# On its own: bash scripts/test.d/40-bench.sh (sets up build/clang as
# 10-core.sh does if it is not there, and builds the benchmark programs only).
[ -n "${AUDIOPOOL_LIB_SOURCED:-}" ] || source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" --step

bench_smoke() {
  local build=build/clang out=build/clang/bench-smoke
  use_shared_build clang --target audiopool-bench-throughput --target audiopool-bench-latency \
    --target audiopool-bench-pairs --target audiopool-bench-callback --target audiopool-bench-handoff \
    --target audiopool-bench-arena --target audiopool-bench-object-pool || return 1
  [ -x "$build/bench/audiopool-bench-throughput" ] || { echo "benchmarks not built (no Google Benchmark?)"; return 1; }
  mkdir -p "$out"
  "$build/bench/audiopool-bench-throughput" --quick --summary-only --benchmark_min_time=0.0001 \
    --summary-csv="$out/throughput-summary.csv" >"$out/throughput.txt" &&
    grep -q "^Targets" "$out/throughput.txt" &&
    "$build/bench/audiopool-bench-latency" --samples=2000 --csv="$out/latency.csv" \
      --ccdf="$out/latency-ccdf.csv" >"$out/latency.txt" &&
    grep -q "load cache" "$out/latency.txt" &&
    "$build/bench/audiopool-bench-pairs" all 1000 &&
    callback_smoke "$build" "$out" &&
    "$build/bench/audiopool-bench-handoff" --items=20000 --trips=2000 --drops=2000 --runs=1 >"$out/handoff.txt" &&
    grep -q "moodycamel" "$out/handoff.txt" &&
    "$build/bench/audiopool-bench-arena" --seconds=0.5 >"$out/arena.txt" &&
    grep -q "monotonic" "$out/arena.txt" &&
    "$build/bench/audiopool-bench-object-pool" --seconds=0.5 >"$out/object_pool.txt" &&
    grep -q "boost::object_pool" "$out/object_pool.txt" &&
    bash scripts/plot-bench.sh "$out" "$out/plots" >/dev/null &&
    [ -s "$out/plots/sweep.svg" ] && [ -s "$out/plots/latency-cache.svg" ] && [ -s "$out/plots/callback-churn.svg" ]
}

# callback_smoke BUILD OUT — the short callback run and the check of its files.
callback_smoke() {
  local build=$1 out=$2 check=bench/check_callback_output.py start=$SECONDS
  "$build/bench/audiopool-bench-callback" --seconds=0.3 --csv="$out/callback.csv" --json="$out/callback.json" \
    --ccdf="$out/callback-ccdf.csv" >"$out/callback.txt" || { cat "$out/callback.txt"; return 1; }
  echo "callback benchmark (smoke): $((SECONDS - start)) s"
  # The checker must reject what is not well formed: a strategy missing, a
  # NaN in the CSV, a NaN in the JSON.
  grep -v ',Treiber,' "$out/callback.csv" >"$out/bad-missing.csv"
  sed '2s/,[0-9.]*,/,nan,/6' "$out/callback.csv" >"$out/bad-nan.csv"
  sed '0,/"p99_us": [0-9.]*/s//"p99_us": NaN/' "$out/callback.json" >"$out/bad-nan.json"
  local bad
  for bad in "bad-missing.csv callback.json" "bad-nan.csv callback.json" "callback.csv bad-nan.json"; do
    set -- $bad
    if python3 "$check" "$out/$1" "$out/$2" "$out/callback-ccdf.csv" >/dev/null; then
      echo "$check accepted a bad file ($1, $2)"
      return 1
    fi
  done
  python3 "$check" "$out/callback.csv" "$out/callback.json" "$out/callback-ccdf.csv"
}

if bench_smoke; then
  count_result "benchmarks build and run (smoke)" 0
else
  count_result "benchmarks build and run (smoke)" 1
fi
