# The model check under Relacy (tests/model/; docs/verification.md, "Model
# checking"): every scenario with the real memory orders, then every order
# weakened in turn, in the g++ header build (build/gcc, from 10-core.sh).
# About a minute. On its own: bash scripts/test.d/24-model.sh (sets up
# build/gcc as 10-core.sh does if it is not there, and builds the checker only).
[ -n "${AUDIOPOOL_LIB_SOURCED:-}" ] || source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" --step

if use_shared_build gcc --suite model; then
  # Configure builds the checker only where Relacy's header is found:
  # scripts/install-deps.sh installs relacy-dev, so a missing checker is a failure here.
  # (grep reads the whole list: `grep -q` would stop at the first match and
  # leave meson writing into a closed pipe, which pipefail counts as failure.)
  if meson test -C build/gcc --list 2>/dev/null | grep "model check" >/dev/null; then
    run_tests build/gcc --no-rebuild --suite model
  else
    count_result "model check (Relacy) configured: relacy/relacy.hpp not found" 1
  fi
else
  count_result "model check build" 1
fi
