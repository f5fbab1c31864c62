# Sanitizer builds of the suite in module mode with clang-19 ($AUDIOPOOL_CLANG);
# the BMI gets the same -fsanitize flags (modules/meson.build forwards
# b_sanitize and cpp_args).
#  - ThreadSanitizer: the suite, with the stamped stress sized for TSan's
#    slowdown (AUDIOPOOL_TSAN_STRESS_CYCLES, default 100000 cycles per thread;
#    the two-releaser hardening stress AUDIOPOOL_TSAN_BROKEN_RULE_HANDOUTS,
#    default 50000 hand-outs).
#  - AddressSanitizer + UndefinedBehaviorSanitizer: the suite.
# To fit the CI budget: only the tests of the suites 'module' (every program
# compiled in module mode) and 'source' (checks of source files) are built and
# run. Header mode compiles the same test sources a second time (build/clang
# and build/gcc run it) and the compile-fail checks (suite 'header') run no
# code. The real-JUCE interop tests are left out (compiling JUCE itself under
# a sanitizer is two thirds of a build; the pool's copy paths they use run
# here with JUCE-shaped buffers, and in the fuzzer). -O0 with line tables
# compiles 2.4 times faster than -O1 -g.
# Any report fails the test that printed it (halt_on_error; UBSan built with
# -fno-sanitize-recover=all). No suppressions. The real-time-safety binary is
# not built here: the sanitizers replace malloc themselves.
# On its own: bash scripts/test.d/20-sanitizers.sh (builds build/tsan, build/asan)
[ -n "${AUDIOPOOL_LIB_SOURCED:-}" ] || source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" --step

sanitizer_options=(-Dmode=module -Db_lundef=false -Doptimization=0 -Ddebug=false -Djuce=disabled -Dbench=disabled
  "-Dcpp_args=-fno-sanitize-recover=all -gline-tables-only")

# sanitized_suite DIR SANITIZERS [meson -D options...] — configure, build what
# the tests of the suites 'module' and 'source' run, and run those tests (with
# the caller's environment).
sanitized_suites=(--suite module --suite source)
sanitized_suite() {
  local dir=$1 sanitizers=$2
  shift 2
  setup_build "${sanitized_suites[@]}" "$dir" "$AUDIOPOOL_CLANG" "${sanitizer_options[@]}" \
    -Db_sanitize="$sanitizers" "$@" || return 1
  run_tests "$dir" --no-rebuild "${sanitized_suites[@]}"
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
