# Shared by the scripts: configure-or-reconfigure a build directory, run its
# tests, and keep a running count of test results for the closing line.
# Source it; it expects to run from the repository root.

AUDIOPOOL_RESULTS=${AUDIOPOOL_RESULTS:-$(mktemp)}
export AUDIOPOOL_RESULTS

# setup_build DIR COMPILER [meson options...]
setup_build() {
  local dir=$1 compiler=$2
  shift 2
  if [ -f "$dir/build.ninja" ]; then
    local log
    log=$(CXX=$compiler meson setup --reconfigure "$dir" "$@" 2>&1) || { echo "$log"; return 1; }
  else
    CXX=$compiler meson setup "$dir" "$@"
  fi
  meson compile -C "$dir"
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
