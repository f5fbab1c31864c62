#!/usr/bin/env bash
# The README's test command: installs what is missing, then builds and runs
# every test suite. Each step is a file in scripts/test.d/, run in name order;
# each also runs on its own (bash scripts/test.d/21-stress.sh; see
# docs/building.md, "Running one test step").
# Ends with "audiopool: N passed, N failed, N skipped" and fails if any failed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
source scripts/lib.sh
step_times=()
for step in scripts/test.d/*.sh; do
  echo "==== ${step#scripts/test.d/}"
  step_start=$SECONDS
  source "$step"
  step_times+=("$(printf '%5d s  %s' $((SECONDS - step_start)) "${step#scripts/test.d/}")")
done
echo
echo "Time per step:"
printf '  %s\n' "${step_times[@]}"
print_totals
