#!/usr/bin/env bash
# Instructions per acquire+release pair, for each pool policy and each peer,
# counted by valgrind's callgrind (deterministic, unlike time on a shared VM).
#
#   bash scripts/bench-instructions.sh [BUILD_DIR] [CSV_OUT]
#
# BUILD_DIR holds bench/audiopool-bench-pairs (default build/release; build it
# in release mode with -Db_ndebug=true, as scripts/bench.sh does). Each subject
# runs twice, with N1 and N2 pairs; (instructions(N2) - instructions(N1)) /
# (N2 - N1) cancels start-up and exit, leaving the pair plus the driver loop's
# own counter (2 instructions: decrement, branch).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
csv=${2:-}
driver=$build/bench/audiopool-bench-pairs
n1=1000
n2=21000
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

instructions() {  # SUBJECT N -> total instructions of the run
  valgrind --tool=callgrind --callgrind-out-file="$work/out" "$driver" "$1" "$2" 2>/dev/null >/dev/null
  awk '/^totals:/ {print $2}' "$work/out"
}

rows=()
for subject in $("$driver" list 1); do
  a=$(instructions "$subject" $n1)
  b=$(instructions "$subject" $n2)
  rows+=("$subject $(awk -v a="$a" -v b="$b" -v d=$((n2 - n1)) 'BEGIN {printf "%.1f", (b - a) / d}')")
done

echo
echo "Instructions per acquire+release pair (callgrind; includes 2 for the driver loop)"
printf '  %-32s %12s\n' subject instructions
printf '  %s\n' "---------------------------------------------"
for row in "${rows[@]}"; do printf '  %-32s %12s\n' $row; done
# The target is for the pair itself: the loop's 2 instructions are taken off.
index_stack=$(printf '%s\n' "${rows[@]}" | awk '$1 == "IndexStack" {print $2 - 2}')
verdict=$(awk -v v="$index_stack" 'BEGIN {print (v <= 16 ? "met" : "MISSED")}')
echo "  target: IndexStack acquire+release <= 16 instructions (less the loop's 2): $index_stack, $verdict"

if [ -n "$csv" ]; then
  { echo "subject,instructions_per_pair"; for row in "${rows[@]}"; do echo "${row// /,}"; done; } >"$csv"
fi
