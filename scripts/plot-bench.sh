#!/usr/bin/env bash
# Renders the benchmark plots from the CSV files scripts/bench.sh writes, with
# gnuplot (Debian gnuplot-nox), as SVG.
#
#   bash scripts/plot-bench.sh [RESULTS_DIR] [PLOTS_DIR]     (defaults: docs/results docs/plots)
#
#   callback-<load>.svg     fraction of audio callbacks at or above a time, per
#                           strategy, 64 and 256 frames side by side (log-log)
#   latency-<load>.svg      fraction of acquire+release pairs (or malloc+free)
#                           at or above a time per operation, per subject (log-log)
#   sweep.svg               capacity sweep: ns per buffer vs capacity, per
#                           subject and channel count
set -euo pipefail
cd "$(dirname "$0")/.."
results=${1:-docs/results}
plots=${2:-docs/plots}
mkdir -p "$plots"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# gnuplot_svg OUTPUT TITLE XLABEL YLABEL [WIDTH] [SOLID] — the settings every
# plot shares; the rest of the script (scales, plot commands) comes on stdin.
# Twelve line styles, none repeated: the first SOLID series (default 4) solid
# — the callback plots' two static baselines in black and grey, then
# audiopool's policies — and the rest dashed (the peers).
gnuplot_svg() {
  local styles=() colour n=0
  for colour in '#000000' '#888888' '#1b9e77' '#d95f02' '#7570b3' '#e7298a' '#66a61e' '#e6ab02' '#a6761d' \
    '#1f78b4' '#b2182b' '#01665e'; do
    n=$((n + 1))
    styles+=("set linetype $n lc rgb '$colour' dt $([ $n -le "${6:-4}" ] && echo 1 || echo 2)")
  done
  { printf '%s\n' "set terminal svg size ${5:-900},560 dynamic font 'sans,12'" "set output '$1'" \
      "set title \"$2\"" "set xlabel '$3'" "set ylabel '$4'" "set grid" "set key noenhanced" \
      "${styles[@]}" "set linetype cycle 12"
    cat; } | gnuplot
}

# plot_clauses PREFIX STYLE — a gnuplot plot list of the data files
# $work/PREFIX-<n>.dat, each titled by the first line of $work/PREFIX-<n>.title.
plot_clauses() {
  local plot="" f
  for f in "$work/$1"-*.dat; do
    plot+="${plot:+, }'$f' using 1:2 with $2 lw 2 title '$(cat "${f%.dat}.title")'"
  done
  printf '%s' "$plot"
}

# split_series CSV NAME KEY_FIELDS X_FIELD Y_FIELD — the rows of CSV as one
# data file per key (its first KEY_FIELDS columns): $work/NAME-<the key's
# other columns>-<n>.dat, numbered in order of appearance and titled (.title)
# by the key's last column.
split_series() {
  awk -F, -v name="$2" -v keys="$3" -v x="$4" -v y="$5" -v dir="$work" 'NR > 1 {
      key = $1; for (i = 2; i <= keys; ++i) key = key "-" $i
      if (!(key in file)) {
        group = name; for (i = 1; i < keys; ++i) group = group "-" $i
        file[key] = dir "/" group "-" sprintf("%02d", ++count[group])
        print $keys > (file[key] ".title")
      }
      print $x, $y > (file[key] ".dat") }' "$1"
}

# Callback times: one plot per load, 64 and 256 frames side by side.
split_series "$results/callback-ccdf.csv" callback 3 4 5
for load in none churn cache; do
  gnuplot_svg "$plots/callback-$load.svg" \
    "Audio callback time, load $load: fraction of callbacks at or above x" \
    'us per callback (back to back; see docs/benchmarks.md)' 'fraction of callbacks' 1200 5 <<GP
set logscale xy
set format y '10^{%L}'
set key top right
set multiplot layout 1,2 title "Audio callback time, load $load: fraction of callbacks at or above x"
set title '64 frames'
plot $(plot_clauses "callback-$load-64" steps)
set title '256 frames'
plot $(plot_clauses "callback-$load-256" steps)
unset multiplot
GP
done

# Latency per operation: one plot per load.
split_series "$results/latency-ccdf.csv" latency 2 3 4
for load in none churn cache; do
  gnuplot_svg "$plots/latency-$load.svg" \
    "acquire+release (malloc+free), load $load: fraction of samples at or above x" \
    'ns per operation (a sample times 32 pairs; includes 1/32 of the clock: see "clock only")' \
    'fraction of samples' <<GP
set logscale xy
set format y '10^{%L}'
set key top right
plot $(plot_clauses "latency-$load" steps)
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
