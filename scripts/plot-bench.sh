#!/usr/bin/env bash
# Renders the benchmark plots from the CSV files scripts/bench.sh writes, with
# gnuplot (Debian gnuplot-nox), as SVG.
#
#   bash scripts/plot-bench.sh [RESULTS_DIR] [PLOTS_DIR]     (defaults: docs/results docs/plots)
#
#   latency-<scenario>.svg  fraction of single acquires (or mallocs) at or
#                           above a latency, per subject (log-log)
#   sweep.svg               capacity sweep: ns per buffer vs capacity, per
#                           subject and channel count
set -euo pipefail
cd "$(dirname "$0")/.."
results=${1:-docs/results}
plots=${2:-docs/plots}
mkdir -p "$plots"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# gnuplot_svg OUTPUT TITLE XLABEL YLABEL — the settings every plot shares; the
# rest of the script (scales, plot command) comes on stdin.
gnuplot_svg() {
  { printf '%s\n' "set terminal svg size 900,560 dynamic font 'sans,12'" "set output '$1'" \
      "set title \"$2\"" "set xlabel '$3'" "set ylabel '$4'" "set grid"
    cat; } | gnuplot
}

# Latency distributions: one data file per scenario and subject.
for scenario in quiet competing; do
  awk -F, -v s="$scenario" -v dir="$work" 'NR > 1 && $1 == s {
      file = dir "/" s "-" $2 ".dat"; gsub(/ /, "_", file); print $3, $4 > file }' \
    "$results/latency-ccdf.csv"
  plot=""
  for f in "$work/$scenario"-*.dat; do
    title=$(basename "$f" .dat); title=${title#"$scenario"-}; title=${title//_/ }
    plot+="${plot:+, }'$f' using 1:2 with steps lw 2 title '$title'"
  done
  gnuplot_svg "$plots/latency-$scenario.svg" \
    "Latency of one operation ($scenario): fraction of samples at or above x" \
    'ns (includes the clock: see "clock only")' 'fraction of samples' <<GP
set logscale xy
set format y '10^{%L}'
set key top right
plot $plot
GP
done

# Capacity sweep: one data file per subject and channel count.
awk -F, -v dir="$work" 'NR > 1 && $1 == "sweep" {
    split($2, part, "/"); sub("cap:", "", part[2]); sub("ch:", "", part[3]);
    file = dir "/sweep-" part[1] "-" part[3] "ch.dat"; print part[2], $3 > file }' \
  "$results/throughput-summary.csv"
plot=""
for f in "$work"/sweep-*.dat; do
  sort -n -o "$f" "$f"
  title=$(basename "$f" .dat); title=${title#sweep-}; title=${title//-/ }
  plot+="${plot:+, }'$f' using 1:2 with linespoints lw 2 title '$title'"
done
gnuplot_svg "$plots/sweep.svg" \
  'Acquire every buffer, write one sample per channel, release all: ns per buffer' \
  'capacity (buffers of 512 frames)' 'ns per buffer' <<GP
set logscale x 2
set logscale y
set key top left
plot $plot
GP
echo "plots written to $plots/"
