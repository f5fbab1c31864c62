#!/usr/bin/env bash
# The README's main command: installs what is missing, builds the benchmarks
# in release mode with clang-19 (module mode, NDEBUG) and prints the ~30 s
# benchmark summary: audiopool beside new/delete, malloc, a mutex free list,
# boost.lockfree, moodycamel and the bare limits, with latency tails and
# instruction counts. (The full run that fills docs/: scripts/bench.sh full.)
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash scripts/bench.sh quick
