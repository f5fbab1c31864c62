# audiopool used from another project: tests/consumer is a Meson project of
# its own with audiopool as its subproject (a copy of it under build/, whose
# subprojects/audiopool links to this checkout), built and tested in module
# mode with clang-19 and in header mode with g++. Its last test checks that
# building it built audiopool's library and nothing else (no audiopool test,
# example, docs snippet, benchmark or fuzzer). Offline: the system fmt and
# doctest are used, the wraps never download.
# On its own: bash scripts/test.d/50-consumer.sh (builds build/consumer/*)
[ -n "${AUDIOPOOL_LIB_SOURCED:-}" ] || source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" --step

consumer_src=build/consumer/src
mkdir -p "$consumer_src/subprojects"
cp tests/consumer/meson.build tests/consumer/meson_options.txt tests/consumer/consumer.cpp \
  tests/consumer/library_only.py "$consumer_src/"
ln -sfn "$PWD" "$consumer_src/subprojects/audiopool"
for consumer_mode in "module:$AUDIOPOOL_CLANG" "header:$AUDIOPOOL_GCC"; do
  setup_build "build/consumer/${consumer_mode%%:*}" "${consumer_mode#*:}" "$consumer_src" \
    -Daudiopool_mode="${consumer_mode%%:*}" --wrap-mode=nodownload
  run_tests "build/consumer/${consumer_mode%%:*}"
done
