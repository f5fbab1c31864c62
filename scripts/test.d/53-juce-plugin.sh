# The JUCE plugin example (examples/juce_plugin), built with CMake against
# Debian's JUCE and run in a real host:
#   1. its LV2 build with g++ and JUCE's recommended warning flags,
#      AudiopoolPlugin.cpp (and so audiopool's headers, taken from this
#      checkout, never from an installed audiopool) with -Werror, in
#      build/juce-plugin (kept: a later run rebuilds only what changed). No
#      build type: unoptimised, which halves the time JUCE takes to compile,
#      and checked (no NDEBUG), so audiopool's debug checks are on in the host
#      run: a thread-rule or release misuse aborts the host, and released
#      buffers are NaN-filled. (docs/recipes.md builds it with Release; that
#      build passes the same host check.)
#   2. scripts/juce-plugin-host-check.sh at JACK periods of 64, 256, 1000 and
#      2048 frames (the last two are host blocks larger than the plugin's
#      512-frame pool, processed in chunks): the plugin in jalv on a private
#      JACK server with the dummy driver, every output sample checked against
#      what the plugin computes, and the plugin's pools whole at the end.
# On its own: bash scripts/test.d/53-juce-plugin.sh (needs cmake, jackd, jalv
# and libjack-jackd2-dev: scripts/install-deps.sh).
[ -n "${AUDIOPOOL_LIB_SOURCED:-}" ] || source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" --step

juce_plugin_dir=build/juce-plugin
juce_plugin_build() {
  mkdir -p "$juce_plugin_dir"
  if [ ! -f "$juce_plugin_dir/build.ninja" ]; then
    cmake -S examples/juce_plugin -B "$juce_plugin_dir" -G Ninja -DCMAKE_BUILD_TYPE= \
      -DCMAKE_CXX_COMPILER="$AUDIOPOOL_GCC" -DAUDIOPOOL_PLUGIN_WERROR=ON \
      -DCMAKE_DISABLE_FIND_PACKAGE_audiopool=ON >"$juce_plugin_dir/configure.log" 2>&1 ||
      { tail -n 30 "$juce_plugin_dir/configure.log"; return 1; }
  fi
  local log=$juce_plugin_dir/build.log
  cmake --build "$juce_plugin_dir" --target AudiopoolPlugin_LV2 -j "${AUDIOPOOL_JOBS:-2}" >"$log" 2>&1 ||
    { grep -E 'error|FAILED' "$log" | head -n 30; tail -n 5 "$log"; return 1; }
  # What was compiled this time: warnings in JUCE's own sources are JUCE's
  # (g++ 12 finds some); one in the plugin or audiopool would have failed it.
  echo "juce plugin (LV2, g++): $(grep -c '^\[[0-9]*/[0-9]*\] Building' "$log") files compiled," \
    "$(grep -c 'warning:' "$log") warnings, $(grep -E 'warning:' "$log" | grep -cE 'juce_plugin/|include/audiopool/') of them" \
    "in the plugin or audiopool"
}
juce_plugin_status=0
( juce_plugin_build ) || juce_plugin_status=$?
count_result "juce plugin: LV2 built with g++ and JUCE's recommended flags (-Werror for the plugin)" $juce_plugin_status

for juce_plugin_period in 64 256 1000 2048; do
  juce_plugin_run=1
  if [ $juce_plugin_status -eq 0 ]; then
    juce_plugin_run=0
    bash scripts/juce-plugin-host-check.sh "$juce_plugin_dir/AudiopoolPlugin_artefacts/LV2" \
      "$juce_plugin_dir/host-run/period-$juce_plugin_period" "$juce_plugin_period" || juce_plugin_run=$?
  fi
  count_result "juce plugin in jalv, period $juce_plugin_period: sample-exact output, pools whole" $juce_plugin_run
done
