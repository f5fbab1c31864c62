#!/usr/bin/env python3
"""The signal for the JUCE plugin's host run, and the check of what came back.

    host_signal.py generate OUT.wav FRAMES SEED
        A stereo 32-bit float WAV at 48 kHz: random multiples of 2^-12 in
        [-1, 1), none zero in the first frame (so the first output that is
        not silence marks the latency).

    host_signal.py check RECORDING.wav LABEL
        RECORDING.wav (jack_play_record's): channels 1..C as played, then
        channels 1..C as recorded from the plugin's outputs in the same
        cycles. Finds the latency L from where the played and the recorded
        signal start, then checks every recorded sample against what the
        plugin computes (examples/juce_plugin/AudiopoolPlugin.cpp):

            out[n + L] = 0.5 * in[n] + 0.25 * in[n - 1]     (in[-1] = 0)

        and that the L samples before are silence. Exact equality: with these
        inputs every value is exact in float. Exits non-zero on any mismatch.
"""
import random
import struct
import sys


def write_wav(path, channels, rate, frames):
    """frames: a list of tuples of `channels` floats."""
    data = b"".join(struct.pack("<%df" % channels, *f) for f in frames)
    fmt = struct.pack("<HHIIHH", 3, channels, rate, rate * channels * 4, channels * 4, 32)
    body = (b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"fact" + struct.pack("<II", 4, len(frames))
            + b"data" + struct.pack("<I", len(data)) + data)
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", len(body)) + body)


def read_wav(path):
    """Returns (channels, rate, list of channel lists) of a 32-bit float WAV."""
    with open(path, "rb") as f:
        d = f.read()
    if d[:4] != b"RIFF" or d[8:12] != b"WAVE":
        raise SystemExit("%s: not a WAV file" % path)
    pos, channels, rate = 12, None, None
    while pos + 8 <= len(d):
        cid, size = d[pos:pos + 4], struct.unpack("<I", d[pos + 4:pos + 8])[0]
        if cid == b"fmt ":
            tag, channels, rate = struct.unpack("<HHI", d[pos + 8:pos + 16])
            bits = struct.unpack("<H", d[pos + 22:pos + 24])[0]
            if tag not in (3, 0xFFFE) or bits != 32:
                raise SystemExit("%s: not 32-bit float" % path)
        elif cid == b"data" and channels:
            n = size // (4 * channels)
            samples = struct.unpack("<%df" % (n * channels), d[pos + 8:pos + 8 + n * channels * 4])
            return channels, rate, [list(samples[c::channels]) for c in range(channels)]
        pos += 8 + size + (size & 1)
    raise SystemExit("%s: no data" % path)


def generate(path, frames, seed):
    rng = random.Random(seed)

    def sample(nonzero=False):
        while True:
            k = rng.randrange(-4096, 4096)
            if k or not nonzero:
                return k / 4096.0

    rows = [(sample(True), sample(True))] + [(sample(), sample()) for _ in range(frames - 1)]
    write_wav(path, 2, 48000, rows)


def first_nonzero(xs):
    return next((i for i, x in enumerate(xs) if x != 0.0), None)


def check(path, label):
    channels, _, ch = read_wav(path)
    c = channels // 2
    played, recorded = ch[:c], ch[c:]
    total = len(played[0])
    starts_in = [first_nonzero(x) for x in played]
    starts_out = [first_nonzero(x) for x in recorded]
    if None in starts_in or None in starts_out:
        print("%s: FAILED: the recording holds no signal (played starts %s, recorded starts %s)"
              % (label, starts_in, starts_out))
        return 1
    latency = starts_out[0] - starts_in[0]
    if latency < 0 or any(o - i != latency for i, o in zip(starts_in, starts_out)):
        print("%s: FAILED: no common latency (played starts %s, recorded starts %s)" % (label, starts_in, starts_out))
        return 1
    compared = mismatches = 0
    first = None
    for k in range(c):
        x, y = played[k], recorded[k]
        for n in range(total):
            if n < latency:
                expected = 0.0
            else:
                m = n - latency
                expected = 0.5 * x[m] + 0.25 * (x[m - 1] if m > 0 else 0.0)
            compared += 1
            if y[n] != expected:
                mismatches += 1
                if first is None:
                    first = (k + 1, n, y[n], expected)
    # The whole played signal must have come back: its last frame's effect
    # (0.25 * in[last]) lands at last + 1 + latency.
    last_in = max(max((i for i, v in enumerate(x) if v != 0.0), default=0) for x in played)
    covered = last_in + 1 + latency < total
    print("%s: latency %d frames; compared %d samples (%d frames x %d channels), %d mismatches%s"
          % (label, latency, compared, total, c, mismatches, "" if covered else "; the tail is too short"))
    if first:
        print("%s: first mismatch: channel %d, recorded frame %d: %r, expected %r" % ((label,) + first))
    return 0 if mismatches == 0 and covered else 1


def main(argv):
    if len(argv) == 5 and argv[1] == "generate":
        generate(argv[2], int(argv[3]), int(argv[4]))
        return 0
    if len(argv) == 4 and argv[1] == "check":
        return check(argv[2], argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
