# Header mode with Debian 12's default clang++ (clang 14, $AUDIOPOOL_CLANG_OLDEST):
# the core suite (every policy, every public call) and the thread-token test,
# built and run in build/clang14. The oldest compiler header mode is tested
# with (docs/building.md, "Support matrix").
# On its own: bash scripts/test.d/11-clang14.sh
[ -n "${AUDIOPOOL_LIB_SOURCED:-}" ] || source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" --step

oldest_suites=(--suite core --suite thread-token)
if setup_build "${oldest_suites[@]}" build/clang14 "$AUDIOPOOL_CLANG_OLDEST" -Dmode=header \
    -Djuce=disabled -Dbench=disabled -Dfmt=disabled -Dexamples=false; then
  run_tests build/clang14 --no-rebuild "${oldest_suites[@]}"
else
  count_result "header mode with $AUDIOPOOL_CLANG_OLDEST: build" 1
fi
