# Shared by the scripts: the compilers, configure-or-reconfigure a build
# directory, run its tests, and keep a running count of test results for the
# closing line. Source it from the repository root; a step of scripts/test.d
# run on its own sources it with --step (see the end of this file).

# The compilers, named here only: module mode needs clang >= 17, header mode
# is tested with the system g++. AUDIOPOOL_CLANG (clang-19) builds most steps;
# AUDIOPOOL_CLANG_NEWEST (clang-22, the newest Debian ships) builds module
# mode again, the function effect analysis and RealtimeSanitizer (clang >= 20);
# AUDIOPOOL_CLANG_OLDEST (clang-14, Debian 12's default clang++) builds the
# core suite in header mode.
# Set these to try others.
AUDIOPOOL_CLANG=${AUDIOPOOL_CLANG:-clang++-19}
AUDIOPOOL_CLANG_NEWEST=${AUDIOPOOL_CLANG_NEWEST:-clang++-22}
# The oldest compiler header mode is tested with: Debian 12's default clang++.
AUDIOPOOL_CLANG_OLDEST=${AUDIOPOOL_CLANG_OLDEST:-clang++-14}
AUDIOPOOL_GCC=${AUDIOPOOL_GCC:-g++}
# Parallel compile jobs (meson compile / ninja -j); unset: ninja's default.
AUDIOPOOL_JOBS=${AUDIOPOOL_JOBS:-}

AUDIOPOOL_RESULTS=${AUDIOPOOL_RESULTS:-$(mktemp)}
export AUDIOPOOL_RESULTS
AUDIOPOOL_LIB_SOURCED=1

# setup_build [--suite SUITE]... [--target NAME]... [--configure-only] DIR COMPILER [meson options...]
#   Configures DIR with COMPILER and the options, or reconfigures it with them
#   if it exists, then builds it: everything, or only what the tests of the
#   given suites run (the tests `meson test --suite SUITE` selects) and the
#   given targets (meson compile's names), or nothing with --configure-only.
setup_build() {
  local parts=()
  while [ "${1:-}" != "${1#--}" ]; do
    case $1 in
      --suite | --target) parts+=("$1" "$2"); shift 2 ;;
      --configure-only) parts+=("$1"); shift ;;
      *) echo "setup_build: unknown option $1" >&2; return 2 ;;
    esac
  done
  local dir=$1 compiler=$2
  shift 2
  if [ -f "$dir/build.ninja" ]; then
    local log
    log=$(CXX=$compiler meson setup --reconfigure "$dir" "$@" 2>&1) || { echo "$log"; return 1; }
  else
    CXX=$compiler meson setup "$dir" "$@" || return 1
  fi
  build_parts "$dir" "${parts[@]}"
}

# build_parts DIR [--suite SUITE]... [--target NAME]... [--configure-only]
#   Builds what is out of date in a configured DIR: everything, or the given
#   suites' tests and targets (as for setup_build).
build_parts() {
  local dir=$1 suites=() targets=() jobs=()
  shift
  [ -z "$AUDIOPOOL_JOBS" ] || jobs=(-j "$AUDIOPOOL_JOBS")
  while [ $# -gt 0 ]; do
    case $1 in
      --suite) suites+=("$2"); shift 2 ;;
      --target) targets+=("$2"); shift 2 ;;
      --configure-only) return 0 ;;
      *) echo "build_parts: unknown option $1" >&2; return 2 ;;
    esac
  done
  if [ ${#suites[@]} -eq 0 ] && [ ${#targets[@]} -eq 0 ]; then
    meson compile -C "$dir" "${jobs[@]}"
    return
  fi
  if [ ${#suites[@]} -gt 0 ]; then
    # Regenerate first when a meson.build changed, so that the introspection
    # below knows tests added since the build was configured.
    ninja -C "$dir" build.ninja >/dev/null || return 1
    # The files of the targets those tests depend on (their programs and the
    # targets in their arguments), relative to DIR, for ninja to bring up to date.
    local list files=()
    list=$(meson introspect "$dir" --tests --targets | python3 -c '
import json, os, sys
root, wanted = sys.argv[1], set(sys.argv[2:])
info = json.load(sys.stdin)
ids = {d for t in info["tests"] if wanted & {s.split(":")[-1] for s in t["suite"]} for d in t["depends"]}
for target in info["targets"]:
    if target["id"] in ids:
        for f in target["filename"]:
            print(os.path.relpath(f, root))' "$(cd "$dir" && pwd)" "${suites[@]}") || return 1
    [ -z "$list" ] || mapfile -t files <<<"$list"
    [ ${#files[@]} -eq 0 ] || ninja -C "$dir" "${jobs[@]}" "${files[@]}" || return 1
  fi
  [ ${#targets[@]} -eq 0 ] || meson compile -C "$dir" "${jobs[@]}" "${targets[@]}"
}

# The two builds several steps share. 10-core.sh sets them up and runs their
# tests; 21-stress (build/clang), 40-bench (build/clang) and 51-install
# (build/gcc) use them, and set them up the same way when run on their own.
#   clang: build/clang, module mode with $AUDIOPOOL_CLANG (the suite in both modes)
#   gcc:   build/gcc, header mode with $AUDIOPOOL_GCC
# setup_shared_build clang|gcc [setup_build options...] — configure (or reconfigure) and build.
setup_shared_build() {
  local name=$1
  shift
  case $name in
    clang) setup_build "$@" build/clang "$AUDIOPOOL_CLANG" -Dmode=module ;;
    gcc) setup_build "$@" build/gcc "$AUDIOPOOL_GCC" -Dmode=header ;;
    *) echo "setup_shared_build: no shared build $name" >&2; return 2 ;;
  esac
}
# use_shared_build clang|gcc [--suite S]... [--target T]... [--configure-only]
#   For a step that uses a shared build: sets it up if it is not there (as
#   setup_shared_build does), else keeps its configuration; then brings the
#   given suites' programs and targets up to date.
use_shared_build() {
  local name=$1
  shift
  if [ -f "build/$name/build.ninja" ]; then
    build_parts "build/$name" "$@"
  else
    setup_shared_build "$name" "$@"
  fi
}

# run_tests DIR [meson test options...] — runs the tests and adds their
# results to the running count; never stops the script on failure.
run_tests() {
  local dir=$1
  shift
  meson test -C "$dir" --print-errorlogs "$@" || true
  python3 - "$dir/meson-logs/testlog.json" >>"$AUDIOPOOL_RESULTS" <<'PY'
import json, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    result = json.loads(line)["result"]
    if result in ("OK", "EXPECTEDFAIL"): passed += 1
    elif result == "SKIP": skipped += 1
    else: failed += 1
print(passed, failed, skipped)
PY
}

# count_result NAME STATUS — records a check that is not a meson test.
count_result() {
  if [ "$2" -eq 0 ]; then echo "1 0 0"; else echo "0 1 0"; echo "FAILED: $1" >&2; fi >>"$AUDIOPOOL_RESULTS"
}

# print_totals — the closing line; returns non-zero if anything failed.
print_totals() {
  local p=0 f=0 s=0 a b c
  while read -r a b c; do p=$((p + a)); f=$((f + b)); s=$((s + c)); done <"$AUDIOPOOL_RESULTS"
  echo
  echo "audiopool: $p passed, $f failed, $s skipped"
  [ "$f" -eq 0 ] && [ "$p" -gt 0 ]
}

# A step run on its own (bash scripts/test.d/NN-name.sh, from anywhere): the
# step sources this file with --step. Work from the repository root, stop on
# an unexpected error as scripts/test.sh does, and end with the step's totals.
if [ "${1:-}" = --step ]; then
  set -euo pipefail
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  trap 'audiopool_status=$?; print_totals || audiopool_status=1; exit $audiopool_status' EXIT
fi
