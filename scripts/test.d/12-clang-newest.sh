# Module mode with the newest clang Debian ships ($AUDIOPOOL_CLANG_NEWEST,
# clang-22), so "clang >= 17" is tested at both ends we can reach (10-core.sh
# builds with clang-19): every program of the suite 'module' (core,
# verification, module-only programs, docs snippets, examples; JUCE is left to
# 10-core.sh and 23-rtsan.sh), and the compile-time proof of the suite
# 'effects': clang's function effect analysis verifies every audio-thread
# call from a [[clang::nonblocking]] callback, in header and module mode, with
# and without NDEBUG, and refuses the must-fail twins
# (tests/verification/effects/).
# On its own: bash scripts/test.d/12-clang-newest.sh (builds build/clang-newest)
[ -n "${AUDIOPOOL_LIB_SOURCED:-}" ] || source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" --step

newest_suites=(--suite module --suite effects)
if setup_build "${newest_suites[@]}" build/clang-newest "$AUDIOPOOL_CLANG_NEWEST" -Dmode=module \
    -Djuce=disabled -Dbench=disabled; then
  run_tests build/clang-newest --no-rebuild "${newest_suites[@]}"
else
  count_result "module mode with $AUDIOPOOL_CLANG_NEWEST: build" 1
fi
