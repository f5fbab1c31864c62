# Sanitizer builds of the suite in module mode with clang-19; the BMI gets the
# same -fsanitize flags (modules/meson.build forwards b_sanitize and cpp_args).
#  - ThreadSanitizer: the suite, with the stamped stress sized for TSan's
#    slowdown (AUDIOPOOL_TSAN_STRESS_CYCLES, default 100000 cycles per thread;
#    the two-releaser hardening stress AUDIOPOOL_TSAN_BROKEN_RULE_HANDOUTS,
#    default 50000 hand-outs).
#  - AddressSanitizer + UndefinedBehaviorSanitizer: the suite.
# To fit the CI budget: only the module-mode programs are built and run (header
# mode compiles the same test sources a second time; build/clang and build/gcc
# run it), the compile-fail checks run no code, and the real-JUCE interop tests
# are left out (compiling JUCE itself under a sanitizer is two thirds of a
# build; the pool's copy paths they use run here with JUCE-shaped buffers, and
# in the fuzzer). -O0 with line tables compiles 2.4 times faster than -O1 -g.
# Any report fails the test that printed it (halt_on_error; UBSan built with
# -fno-sanitize-recover=all). No suppressions. The real-time-safety binary is
# not built here: the sanitizers replace malloc themselves.

sanitizer_options=(-Dmode=module -Db_lundef=false -Doptimization=0 -Ddebug=false -Djuce=disabled -Dbench=disabled
  "-Dcpp_args=-fno-sanitize-recover=all -gline-tables-only")

# sanitized_suite DIR SANITIZERS [meson -D options...] — configure, build the
# module-mode targets, run their tests (with the caller's environment).
sanitized_suite() {
  local dir=$1 sanitizers=$2
  shift 2
  local reconfigure=() log
  [ -f "$dir/build.ninja" ] && reconfigure=(--reconfigure)
  log=$(CXX=clang++-19 meson setup "${reconfigure[@]}" "$dir" "${sanitizer_options[@]}" \
    -Db_sanitize="$sanitizers" "$@" 2>&1) || { echo "$log"; return 1; }
  local targets=() tests=()
  mapfile -t targets < <(meson introspect "$dir" --targets | python3 -c '
import json, os, sys
for t in json.load(sys.stdin):
    if t["type"] == "executable" and t["name"].endswith("-header"):
        continue
    for f in t["filename"]:
        print(os.path.relpath(f, sys.argv[1]))' "$dir")
  mapfile -t tests < <(meson introspect "$dir" --tests | python3 -c '
import json, sys
for t in json.load(sys.stdin):
    if "(header)" not in t["name"] and not t["name"].startswith("compile-fail"):
        print(t["name"])')
  ninja -C "$dir" "${targets[@]}" || return 1
  run_tests "$dir" --no-rebuild "${tests[@]}"
}

if ! TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1" \
    AUDIOPOOL_STRESS_CYCLES="${AUDIOPOOL_TSAN_STRESS_CYCLES:-100000}" \
    AUDIOPOOL_BROKEN_RULE_HANDOUTS="${AUDIOPOOL_TSAN_BROKEN_RULE_HANDOUTS:-50000}" sanitized_suite build/tsan thread; then
  count_result "ThreadSanitizer build" 1
fi

if ! ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1" \
    UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" sanitized_suite build/asan address,undefined; then
  count_result "AddressSanitizer+UBSan build" 1
fi
