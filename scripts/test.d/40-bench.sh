# Benchmarks smoke run: the benchmark programs build (in build/clang, module
# mode, by 10-core.sh) and run with tiny iteration counts, and the plot script
# renders their output. Speed never fails this step; it only keeps the
# benchmarks from rotting. The callback benchmark runs a short version
# (--seconds=0.3 per load and block size, about 5 s) and
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
    --target audiopool-bench-arena --target audiopool-bench-object-pool --target audiopool-bench-graph || return 1
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
    "$build/bench/audiopool-bench-graph" --seconds=0.5 --repeats=2 --csv="$out/graph.csv" >"$out/graph.txt" &&
    grep -q "Treiber cached" "$out/graph.txt" && [ "$(wc -l <"$out/graph.csv")" -eq 10 ] &&
    bash scripts/plot-bench.sh "$out" "$out/plots" >/dev/null &&
    [ -s "$out/plots/sweep.svg" ] && [ -s "$out/plots/latency-cache.svg" ] && [ -s "$out/plots/callback-churn.svg" ]
}

# callback_smoke BUILD OUT — the short callback run and the check of its
# files, and the profile mode (scripts/bench-callback-profile.sh runs it under
# valgrind in the full benchmark run): its list of strategies and one short
# run without valgrind, so that it does not rot.
callback_smoke() {
  local build=$1 out=$2 check=bench/check_callback_output.py start=$SECONDS
  local program=$build/bench/audiopool-bench-callback
  "$program" --seconds=0.3 --csv="$out/callback.csv" --json="$out/callback.json" \
    --ccdf="$out/callback-ccdf.csv" >"$out/callback.txt" || { cat "$out/callback.txt"; return 1; }
  echo "callback benchmark (smoke): $((SECONDS - start)) s"
  "$program" --profile=list >"$out/callback-strategies.txt" &&
    grep -qx "static hand-off" "$out/callback-strategies.txt" &&
    "$program" --profile=OwnerThread --callbacks=200 | grep -q "^profile: OwnerThread; limit: static hand-off;" ||
    { echo "callback profile mode: no list of strategies, or a profile run failed"; return 1; }
  # The checker must reject what is not well formed: a strategy missing, a
  # NaN in the CSV, a NaN in the JSON; and, in both files alike, a range over
  # repetitions out of order (static's own, whose ratios must also be 1) and
  # a pool's verdict its ratios do not give.
  grep -v ',Treiber,' "$out/callback.csv" >"$out/bad-missing.csv"
  sed '2s/,[0-9.]*,/,nan,/6' "$out/callback.csv" >"$out/bad-nan.csv"
  sed '0,/"p99_us": [0-9.]*/s//"p99_us": NaN/' "$out/callback.json" >"$out/bad-nan.json"
  awk -F, -v OFS=, 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == "limit_low_ratio_p50") c = i}
    NR == 2 {$c = "9.9000"} 1' "$out/callback.csv" >"$out/bad-range.csv"
  sed '0,/"limit_low_ratio_p50": [0-9.]*/s//"limit_low_ratio_p50": 9.9000/' "$out/callback.json" >"$out/bad-range.json"
  local verdict flipped
  verdict=$(awk -F, '$3 == "IndexStack" {print $NF; exit}' "$out/callback.csv")
  if [ "$verdict" = met ]; then flipped=MISSED; else flipped=met; fi
  awk -F, -v OFS=, -v v="$flipped" '$3 == "IndexStack" && !done {$NF = v; done = 1} 1' \
    "$out/callback.csv" >"$out/bad-verdict.csv"
  sed "0,/\(\"strategy\": \"IndexStack\".*\"verdict\": \)\"[^\"]*\"/s//\1\"$flipped\"/" \
    "$out/callback.json" >"$out/bad-verdict.json"
  local bad
  for bad in "bad-missing.csv callback.json" "bad-nan.csv callback.json" "callback.csv bad-nan.json" \
    "bad-range.csv bad-range.json" "bad-verdict.csv bad-verdict.json"; do
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
