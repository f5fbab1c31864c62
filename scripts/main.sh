#!/usr/bin/env bash
# The README's main command: installs what is missing, builds the benchmarks
# in release mode with clang-19 (module mode, NDEBUG) and prints the
# benchmark summary (about 75 s after the build): first whole audio callbacks
# — audiopool beside static buffers, malloc, new[], std::pmr pools, a mutex
# free list and boost.lockfree, with and without background load —, then
# single operations beside new/delete, malloc, a mutex free list,
# boost.lockfree, moodycamel and the bare limits, latency tails and
# instruction counts. (The full run that fills docs/: scripts/bench.sh full.)
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash scripts/bench.sh quick
