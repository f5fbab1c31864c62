#!/usr/bin/env bash
# The JUCE plugin (examples/juce_plugin) in a real host: a private JACK
# server (dummy driver, no sound card, 48 kHz, the given period), the plugin's
# LV2 build in jalv, and tests/juce_plugin/jack_play_record, which plays a
# generated float WAV into the plugin and records its output in the same
# callbacks, next to what it played. tests/juce_plugin/host_signal.py then
# finds the latency and checks every recorded sample against what the plugin
# computes; the plugin's own report (on exit) must show every pooled buffer
# back, no misuse, and buffers handed to its meter thread; that it was
# prepared (prepareToPlay) for the period the host announced, and that its
# largest block was the period played at.
#
#     scripts/juce-plugin-host-check.sh LV2_DIR WORK_DIR PERIOD [ANNOUNCED]
#
# With ANNOUNCED (smaller than PERIOD), the server starts at a period of
# ANNOUNCED frames, jalv instantiates the plugin there (LV2's maxBlockLength:
# JUCE's prepareToPlay gets ANNOUNCED), and the server's period is then
# changed to PERIOD (jack_bufsize) before anything is played: jalv keeps the
# plugin as it was prepared and runs it with blocks of PERIOD frames, larger
# than it announced, which the plugin processes in chunks of ANNOUNCED frames.
# (JUCE's LV2 wrapper, a debug build of JUCE's aside, takes such a block: it
# makes room for it in its own buffer and calls processBlock with it.)
#
# LV2_DIR holds AudiopoolPlugin.lv2/ (the build's .../Release/LV2). WORK_DIR
# is created; logs, the signal and the recording are left there. Prints one
# line per check; exits non-zero if one failed. Every process it starts is
# stopped by its PID, newest first, on success and on failure, and every wait
# has a time limit. Needs jackd (jackd2), jalv, libjack-jackd2-dev, python3.
set -uo pipefail

lv2_dir=$(cd "$1" && pwd) || exit 2
work=$2
period=$3
announced=${4:-$3}
label="period $period"
[ "$announced" = "$period" ] || label="period $period (prepared for $announced)"
root=$(cd "$(dirname "$0")/.." && pwd)
uri=https://example.org/audiopool/juce_plugin
client=audiopool_plugin
signal_frames=48000
tail_frames=$((4 * period + 4096))  # room for the latency (one period here) and the last output

mkdir -p "$work"
work=$(cd "$work" && pwd)
rm -f "$work"/*.log "$work/recording.wav" "$work/jalv.in"

pids=()
# stop PID: SIGTERM, up to 10 s to exit, then SIGKILL.
stop() {
  kill -TERM "$1" 2>/dev/null || return 0
  for _ in $(seq 100); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$1" 2>/dev/null
  wait "$1" 2>/dev/null
  return 0
}
stop_all() {
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop "${pids[i]}"; done
  pids=()
  exec 3>&-
}
trap stop_all EXIT
trap 'exit 1' INT TERM
fail() {
  echo "$label: FAILED: $*"
  for log in "$work"/*.log; do
    [ -f "$log" ] && { echo "--- ${log#"$work/"}:"; tail -n 15 "$log"; }
  done
  exit 1
}

# The player/recorder, built here when missing or older than its source.
player=$work/../jack_play_record
if [ ! -x "$player" ] || [ "$root/tests/juce_plugin/jack_play_record.c" -nt "$player" ]; then
  cc -std=c11 -O2 -Wall -Wextra -o "$player" "$root/tests/juce_plugin/jack_play_record.c" \
    $(pkg-config --cflags --libs jack) || fail "cannot build jack_play_record"
fi
python3 "$root/tests/juce_plugin/host_signal.py" generate "$work/signal.wav" "$signal_frames" "$period" ||
  fail "cannot write the signal"

# A server of our own, found by name only by the clients started here.
export JACK_DEFAULT_SERVER=audiopool-$$-$period JACK_NO_START_SERVER=1 JACK_NO_AUDIO_RESERVATION=1
# -S: synchronous mode (the server waits for the whole graph every cycle,
# so a slow cycle on a busy machine is late rather than lost); -t: client timeout, ms.
jackd -S -t 10000 --no-realtime -d dummy -r 48000 -p "$announced" >"$work/jackd.log" 2>&1 &
pids+=($!)
timeout 20 jack_wait -w -t 15 >>"$work/jack_wait.log" 2>&1 || fail "the JACK server did not start"

# jalv runs until its standard input closes: a FIFO held open read-write here.
mkfifo "$work/jalv.in"
exec 3<>"$work/jalv.in"
AUDIOPOOL_PLUGIN_REPORT=1 LV2_PATH="$lv2_dir" jalv -n "$client" -x "$uri" <&3 >"$work/jalv.log" 2>&1 &
jalv_pid=$!
pids+=("$jalv_pid")
for _ in $(seq 300); do
  timeout 5 jack_lsp >"$work/ports.log" 2>&1 && grep -qx "$client:audio_out_2" "$work/ports.log" && break
  kill -0 "$jalv_pid" 2>/dev/null || fail "jalv exited"
  sleep 0.1
done
grep -qx "$client:audio_out_2" "$work/ports.log" || fail "the plugin's ports did not appear"

# The plugin is instantiated (and prepared) at the announced period: the
# server's period changes under it now, before anything is played.
if [ "$announced" != "$period" ]; then
  timeout 20 jack_bufsize "$period" >"$work/jack_bufsize.log" 2>&1 || fail "jack_bufsize $period failed"
  now=$(timeout 5 jack_bufsize 2>>"$work/jack_bufsize.log" | tail -n 1)
  [ "$now" = "$period" ] || fail "the server's period is ${now:-unknown}, not $period"
  echo "$label: the server's period changed from $announced to $period frames under the running plugin"
fi

timeout 90 "$player" "$work/signal.wav" "$work/recording.wav" "$client" "$tail_frames" 60 \
  >"$work/play_record.log" 2>&1 || fail "playing and recording did not finish"

# Stop jalv (it destroys the plugin, which prints its report), then the server.
stop "$jalv_pid"
stop "${pids[0]}"
pids=()

status=0
python3 "$root/tests/juce_plugin/host_signal.py" check "$work/recording.wav" "$label" || status=1
report=$(grep '^audiopool juce_plugin:' "$work/jalv.log")
echo "$report" | sed "s/^audiopool juce_plugin:/$label: plugin:/"
echo "$report" | grep -Eq 'scratch pool: inUse 0/1, .*, rejected 0, misuses 0$' &&
  echo "$report" | grep -Eq 'meter pool: inUse 0/32, .*, rejected 0, misuses 0$' &&
  echo "$report" | grep -Eq 'metered [1-9][0-9]* frames' ||
  { echo "$label: FAILED: the plugin's report shows a buffer out, a request refused, a misuse or nothing metered"; status=1; }
# Sized by prepareToPlay from what the host announced; blocks of the period played at.
echo "$report" | grep -Eq "prepared for 2 channels x $announced frames, 0 prepare/release refused;.* the largest $period;" ||
  { echo "$label: FAILED: the plugin was not prepared for 2 channels x $announced frames, or its largest block was not $period frames"; status=1; }
exit $status
