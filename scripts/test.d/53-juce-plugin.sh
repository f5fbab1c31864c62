# The JUCE plugin example (examples/juce_plugin), built with CMake against
# Debian's JUCE and run in a real host:
#   1. its LV2 build with g++ and JUCE's recommended warning flags,
#      AudiopoolPlugin.cpp (and so audiopool's headers, taken from this
#      checkout, never from an installed audiopool) with -Werror, in
#      build/juce-plugin (kept: a later run rebuilds only what changed). No
#      build type: unoptimised, which halves the time JUCE takes to compile.
#      JUCE defines NDEBUG for it all the same; AUDIOPOOL_PLUGIN_CHECKED
#      compiles AudiopoolPlugin.cpp without it, so audiopool's debug checks
#      are on in the host run: a thread-rule or release misuse aborts the
#      host, and released buffers are NaN-filled. (docs/recipes.md builds it
#      with Release; that build passes the same host check.) The option also
#      builds AudiopoolPluginProcessorCheck (tests/juce_plugin/
#      processor_check.cpp), linked with the plugin's shared code.
#   2. scripts/juce-plugin-host-check.sh at JACK periods of 64, 256, 1000 and
#      2048 frames, the plugin's pools sized by prepareToPlay for each; then
#      at a period of 1000 frames with the plugin prepared for 256 (the
#      server started at 256, jalv's plugin instantiated there, the period
#      changed under it: host blocks larger than announced, processed in
#      chunks of 256 frames, the last of 232): the plugin in jalv on a private
#      JACK server with the dummy driver, every output sample checked against
#      what the plugin computes, the sizes it was prepared for and its largest
#      block checked, and its pools whole at the end.
#   3. AudiopoolPluginProcessorCheck: the processor in-process, through
#      juce::AudioProcessor, where jalv does not go (JUCE's LV2 wrapper never
#      calls releaseResources): prepared for 256 frames with blocks of 1000;
#      released and prepared for 64 with blocks of 1000, 64, 1, 333 and 63;
#      released, made mono and prepared for 512 with blocks of 1000, 512 and
#      77; every output sample checked, and the processor's report: prepared
#      last for 1 channel x 512 frames, no prepare or release refused, its
#      pools whole.
# On its own: bash scripts/test.d/53-juce-plugin.sh (needs cmake, jackd, jalv
# and libjack-jackd2-dev: scripts/install-deps.sh).
[ -n "${AUDIOPOOL_LIB_SOURCED:-}" ] || source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" --step

juce_plugin_dir=build/juce-plugin
juce_plugin_build() {
  mkdir -p "$juce_plugin_dir"
  # Configured once; again only when a directory configured before
  # AUDIOPOOL_PLUGIN_CHECKED existed lacks it (then only the plugin's own
  # source is compiled again).
  if [ ! -f "$juce_plugin_dir/build.ninja" ] ||
    ! grep -qx 'AUDIOPOOL_PLUGIN_CHECKED:BOOL=ON' "$juce_plugin_dir/CMakeCache.txt"; then
    cmake -S examples/juce_plugin -B "$juce_plugin_dir" -G Ninja -DCMAKE_BUILD_TYPE= \
      -DCMAKE_CXX_COMPILER="$AUDIOPOOL_GCC" -DAUDIOPOOL_PLUGIN_WERROR=ON -DAUDIOPOOL_PLUGIN_CHECKED=ON \
      -DCMAKE_DISABLE_FIND_PACKAGE_audiopool=ON >"$juce_plugin_dir/configure.log" 2>&1 ||
      { tail -n 30 "$juce_plugin_dir/configure.log"; return 1; }
  fi
  local log=$juce_plugin_dir/build.log
  cmake --build "$juce_plugin_dir" --target AudiopoolPlugin_LV2 AudiopoolPluginProcessorCheck \
    -j "${AUDIOPOOL_JOBS:-2}" >"$log" 2>&1 ||
    { grep -E 'error|FAILED' "$log" | head -n 30; tail -n 5 "$log"; return 1; }
  # What was compiled this time: warnings in JUCE's own sources are JUCE's
  # (g++ 12 finds some); one in the plugin or audiopool would have failed it.
  echo "juce plugin (LV2 and the in-process check, g++): $(grep -c '^\[[0-9]*/[0-9]*\] Building' "$log") files compiled," \
    "$(grep -c 'warning:' "$log") warnings, $(grep -E 'warning:' "$log" | grep -cE 'juce_plugin/|include/audiopool/') of them" \
    "in the plugin or audiopool"
}
juce_plugin_status=0
( juce_plugin_build ) || juce_plugin_status=$?
count_result "juce plugin: LV2 and the in-process check built with g++ and JUCE's recommended flags (-Werror for the plugin)" \
  $juce_plugin_status

# Each run: PERIOD, or PERIOD/ANNOUNCED (played at PERIOD, prepared for ANNOUNCED).
juce_plugin_runs=(64 256 1000 2048 1000/256)
echo "juce plugin in jalv: JACK periods ${juce_plugin_runs[*]} (PERIOD/ANNOUNCED: played at PERIOD, prepared for ANNOUNCED)"
for juce_plugin_spec in "${juce_plugin_runs[@]}"; do
  juce_plugin_period=${juce_plugin_spec%/*}
  juce_plugin_announced=${juce_plugin_spec#*/}
  juce_plugin_name=period-$juce_plugin_period
  juce_plugin_what="period $juce_plugin_period"
  if [ "$juce_plugin_announced" != "$juce_plugin_period" ]; then
    juce_plugin_name+=-prepared-$juce_plugin_announced
    juce_plugin_what+=", prepared for $juce_plugin_announced (blocks larger than announced)"
  fi
  juce_plugin_run=1
  if [ $juce_plugin_status -eq 0 ]; then
    juce_plugin_run=0
    bash scripts/juce-plugin-host-check.sh "$juce_plugin_dir/AudiopoolPlugin_artefacts/LV2" \
      "$juce_plugin_dir/host-run/$juce_plugin_name" "$juce_plugin_period" "$juce_plugin_announced" ||
      juce_plugin_run=$?
  fi
  count_result "juce plugin in jalv, $juce_plugin_what: sample-exact output, pools whole" $juce_plugin_run
done

juce_plugin_in_process() {
  local out=$juce_plugin_dir/processor-check.log report status=0
  AUDIOPOOL_PLUGIN_REPORT=1 timeout 120 "$juce_plugin_dir/AudiopoolPluginProcessorCheck" >"$out" 2>&1 || status=1
  grep -v '^audiopool juce_plugin:' "$out"
  report=$(grep '^audiopool juce_plugin:' "$out")
  echo "$report" | sed 's/^audiopool juce_plugin:/in-process: plugin:/'
  echo "$report" | grep -Eq 'prepared for 1 channels x 512 frames, 0 prepare/release refused;.* the largest 1000;' &&
    echo "$report" | grep -Eq 'scratch pool: inUse 0/1, .*, rejected 0, misuses 0$' &&
    echo "$report" | grep -Eq 'meter pool: inUse 0/32, .*, rejected 0, misuses 0$' ||
    { echo "in-process: FAILED: the processor's report shows other sizes, a refusal, a buffer out or a misuse"; status=1; }
  return $status
}
juce_plugin_run=1
[ $juce_plugin_status -ne 0 ] || { juce_plugin_run=0; juce_plugin_in_process || juce_plugin_run=$?; }
count_result "juce plugin in-process: announced 256, 64 and 512 (mono) after releases, larger blocks, sample-exact output" \
  $juce_plugin_run
