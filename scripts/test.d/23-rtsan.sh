# RealtimeSanitizer (clang-22, $AUDIOPOOL_CLANG_NEWEST, -fsanitize=realtime),
# module mode: the suite 'realtime' — the real-time-safety tests, whose
# allocation scopes are RTSan's real-time contexts here (audiopool/testing.hpp),
# and the examples with a nonblocking audio callback (voices, worker_handoff,
# juce_process_block with the real JUCE) — with halt_on_error: any call RTSan
# deems unsafe inside a nonblocking function (allocation, lock, sleep, I/O)
# stops the program and fails its test. Then the death test: a deliberate
# malloc inside a nonblocking callback must be stopped, with RTSan's report.
# On its own: bash scripts/test.d/23-rtsan.sh (builds build/rtsan)
[ -n "${AUDIOPOOL_LIB_SOURCED:-}" ] || source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" --step

rtsan_flags=-fsanitize=realtime
if setup_build --suite realtime build/rtsan "$AUDIOPOOL_CLANG_NEWEST" -Dmode=module -Dbench=disabled \
    "-Dcpp_args=$rtsan_flags" "-Dcpp_link_args=$rtsan_flags"; then
  RTSAN_OPTIONS="halt_on_error=true" run_tests build/rtsan --no-rebuild --suite realtime
else
  count_result "RealtimeSanitizer build" 1
fi
