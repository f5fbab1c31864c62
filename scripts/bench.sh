#!/usr/bin/env bash
# Builds the benchmarks in release mode (clang-19, module mode, NDEBUG) and
# runs them: whole audio callbacks per buffer strategy under background load
# first, then throughput beside the peers, single-operation latency tails and
# instruction counts, each ending in a summary table.
#
#   bash scripts/bench.sh quick   about 75 s after the build (the callback table
#                                 within the first 40 s); the README's main job
#   bash scripts/bench.sh full    60 s of callbacks per load and block size, 10
#                                 repetitions, 10^6 latency samples per subject;
#                                 writes docs/results/, docs/plots/ and the tables of
#                                 docs/benchmarks.md (about 14 minutes)
#
# Comparisons are medians of repetitions run in random interleaved order
# (Google Benchmark), or strategies taking turns in short slices (callbacks),
# or subjects taking turns sample by sample (latency), so that a noisy moment
# on a shared machine hits every subject alike; quote ratios from one run,
# not absolute times.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-quick}
build=${AUDIOPOOL_BENCH_BUILD:-build/release}

source scripts/lib.sh  # $AUDIOPOOL_CLANG, setup_build
if [ -z "${AUDIOPOOL_BENCH_PREBUILT:-}" ]; then
  bash scripts/install-deps.sh
  setup_build "$build" "$AUDIOPOOL_CLANG" -Dmode=module -Dbuildtype=release -Db_ndebug=true -Dtests=false \
    -Dexamples=false -Dbench=enabled >/dev/null
fi

case "$kind" in
  quick)
    out=$build/bench-results
    callback_seconds=5 graph_seconds=3 repetitions=3 min_time=0.05 samples=200000 sweep=--quick ;;
  full)
    out=docs/results
    callback_seconds=60 graph_seconds=20 repetitions=10 min_time=0.2 samples=1000000 sweep= ;;
  *) echo "usage: $0 quick|full" >&2; exit 2 ;;
esac
mkdir -p "$out"

describe_machine() {
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "command: bash scripts/bench.sh $kind"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores online"
  echo "kernel: $(uname -srm)"
  echo "compiler: $("$AUDIOPOOL_CLANG" --version | head -1)"
  echo "libraries: $(dpkg-query -W -f='${Package} ${Version}; ' libbenchmark-dev libboost-dev \
    libconcurrentqueue-dev libreaderwriterqueue-dev libc6 2>/dev/null)"
  echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
}
# Every program's output goes to the terminal and to $out/summary.txt; the
# full run then renders the plots and puts summary.txt and machine.txt into
# docs/benchmarks.md (scripts/bench-docs.py), so the page quotes this run.
run_all() {
  describe_machine | tee "$out/machine.txt"

  "$build/bench/audiopool-bench-callback" --seconds=$callback_seconds \
    --csv="$out/callback.csv" --json="$out/callback.json" --ccdf="$out/callback-ccdf.csv"
  # Where each callback strategy's instructions and cache misses go
  # (valgrind, about 20 s; the full run only).
  if [ "$kind" = full ]; then
    bash scripts/bench-callback-profile.sh "$build" "$out/callback-profile.csv"
  fi

  # A graph renderer on 2 workers, with and without thread caches.
  "$build/bench/audiopool-bench-graph" --seconds=$graph_seconds --csv="$out/graph.csv"

  "$build/bench/audiopool-bench-throughput" $sweep --summary-only \
    --summary-csv="$out/throughput-summary.csv" \
    --benchmark_repetitions=$repetitions --benchmark_min_time=$min_time \
    --benchmark_enable_random_interleaving=true \
    --benchmark_out="$out/throughput.json" --benchmark_out_format=json

  "$build/bench/audiopool-bench-latency" --samples=$samples \
    --csv="$out/latency.csv" --ccdf="$out/latency-ccdf.csv"

  bash scripts/bench-instructions.sh "$build" "$out/instructions.csv"
}
run_all | tee "$out/summary.txt"

if [ "$kind" = full ]; then
  bash scripts/plot-bench.sh "$out" docs/plots
  python3 scripts/bench-docs.py "$out" docs/benchmarks.md
fi
