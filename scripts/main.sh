#!/usr/bin/env bash
# The README's main command: installs what is missing, builds in release mode
# with clang-19 (module mode) and runs the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
source scripts/lib.sh
setup_build build/release clang++-19 -Dmode=module -Dbuildtype=release -Dtests=false
./build/release/examples/pool_tour
