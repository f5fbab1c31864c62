#!/usr/bin/env python3
"""Runs the voices example and checks what it produced: a readable 16-bit
stereo WAV of the requested length that is not silent, and statistics that
show every buffer back in the pool with a high-water mark within capacity."""
import re
import struct
import subprocess
import sys
import wave

exe, wav_path = sys.argv[1], sys.argv[2]
seconds = 3
out = subprocess.run([exe, wav_path, str(seconds)], capture_output=True, text=True, check=True).stdout
print(out)

with wave.open(wav_path, "rb") as w:
    assert w.getnchannels() == 2, w.getnchannels()
    assert w.getsampwidth() == 2, w.getsampwidth()
    assert w.getframerate() == 48000, w.getframerate()
    assert w.getnframes() == 48000 * seconds, w.getnframes()
    frames = w.readframes(w.getnframes())
samples = struct.unpack("<%dh" % (len(frames) // 2), frames)
peak = max(abs(s) for s in samples)
assert peak > 3000, "output is (nearly) silent: peak %d" % peak
rms_left = (sum(s * s for s in samples[0::2]) / (len(samples) // 2)) ** 0.5
rms_right = (sum(s * s for s in samples[1::2]) / (len(samples) // 2)) ** 0.5
assert rms_left > 300 and rms_right > 300, (rms_left, rms_right)

m = re.search(r"pool: inUse (\d+)/(\d+), highWater (\d+), acquisitions (\d+), releases (\d+), failed (\d+)", out)
assert m, "no statistics line"
in_use, capacity, high_water, acquisitions, releases, failed = map(int, m.groups())
assert in_use == 0 and acquisitions == releases, m.group(0)
assert 2 <= high_water <= capacity, m.group(0)
blocks = (48000 * seconds + 255) // 256
assert acquisitions >= blocks, "fewer acquisitions than blocks (one send buffer per block)"
assert re.search(r"^advice: ", out, re.M), "no advice line"
assert ("ran out" in out) == (failed > 0)
print("voices: ok (peak %d, rms %.0f/%.0f, highWater %d of %d)" % (peak, rms_left, rms_right, high_water, capacity))
