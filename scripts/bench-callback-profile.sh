#!/usr/bin/env bash
# Where each audio-callback strategy's instructions and cache misses go:
# the callback benchmark's profile mode (bench/callback.cpp, --profile) under
# valgrind's callgrind with its cache simulation, one strategy at a time.
#
#   bash scripts/bench-callback-profile.sh [BUILD_DIR] [CSV_OUT]
#
# BUILD_DIR holds bench/audiopool-bench-callback-profile, the callback program
# with debug information (default build/release, built as scripts/bench.sh
# does; -g does not change the code the compiler generates). Each strategy
# runs twice, N1 and N2 callbacks of 64 frames after the same warm-up, with
# no load; (count(N2) - count(N1)) / (N2 - N1) cancels start-up, warm-up and
# exit, leaving one callback. Per callback, on the render thread: instructions
# (Ir), first-level data-cache misses (D1, reads and writes) and last-level
# misses (LL, instructions and data), and the excess of each over static and,
# for the strategies that hand buffers off, over static hand-off (which does
# the same hand-offs without any management); the worker thread's
# instructions per callback (what a hand-off strategy moves to it: the
# releases, beside the reading every hand-off strategy does). Then, for the
# audiopool strategies, the instructions and D1 misses in the library's own
# code (include/audiopool/) per callback, by source file: the pools' code is
# all inlined into the callback, and debug information charges inlined code
# to the file it came from. Instructions of std::atomic operations are
# charged to the standard library's <atomic> wherever they are called from,
# so they are not in that count.
# Valgrind runs one thread at a time and simulates one core's caches: no
# cache line moves between cores, so the hand-off's cross-core transfers,
# which the timed benchmark pays, are not in these misses; what is left is
# what each strategy's own code and data cost a single core.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
csv=${2:-}
program=$build/bench/audiopool-bench-callback-profile
n1=100
n2=600
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v valgrind >/dev/null || { echo "$0: needs valgrind (Debian valgrind)" >&2; exit 1; }
[ -x "$program" ] || { echo "$0: no $program (build the benchmarks in $build)" >&2; exit 1; }

# profile STRATEGY N OUT — one run; OUT-02 is the render thread's profile and
# OUT-03 the worker's (valgrind numbers threads as they start: main, render,
# worker). The program's line "profile: ...; limit: ...; ..." goes to OUT.txt.
profile() {
  valgrind --tool=callgrind --cache-sim=yes --separate-threads=yes --callgrind-out-file="$3" \
    "$program" --profile="$1" --callbacks="$2" >"$3.txt" 2>"$3.log" || { cat "$3.log" >&2; return 1; }
}

# One line per run and thread: the totals, then the library's files' counts.
summarise() {  # STRATEGY N OUT
  local thread
  for thread in 02 03; do
    [ -f "$3-$thread" ] || continue
    echo "totals|$1|$2|$thread|$(grep '^events:' "$3-$thread" | cut -d' ' -f2-)|$(grep '^totals:' "$3-$thread" | cut -d' ' -f2-)"
    callgrind_annotate --show=Ir,D1mr,D1mw --threshold=100 --auto=no "$3-$thread" 2>/dev/null |
      awk -v s="$1" -v n="$2" -v t="$thread" '
        # "155,208 ( 1.10%) 104 (16.05%) 49 ( 1.24%)  FILE:FUNCTION"; "." is a zero; the
        # file is relative to the current directory when it is under it.
        {
          gsub(/\( *[0-9.]+%\)/, "")
          file = $4; sub(/:.*/, "", file)
          if (file !~ /(^|\/)include\/audiopool\//) next
          sub(/.*include\//, "", file)
          ir = $1; d1r = $2; d1w = $3; gsub(/[,.]/, "", ir); gsub(/[,.]/, "", d1r); gsub(/[,.]/, "", d1w)
          print "file|" s "|" n "|" t "|" file "|" ir + 0 "|" d1r + d1w
        }'
  done
}

limits=()
while IFS= read -r strategy; do
  for n in $n1 $n2; do
    profile "$strategy" $n "$work/run"
    summarise "$strategy" $n "$work/run" >>"$work/counts"
  done
  limits+=("$strategy|$(sed -n 's/^profile: [^;]*; limit: \([^;]*\);.*/\1/p' "$work/run.txt")")
  rm -f "$work"/run*
done < <("$program" --profile=list)
printf '%s\n' "${limits[@]}" >"$work/limits"

python3 - "$work/counts" "$work/limits" "$n1" "$n2" "$csv" <<'PY'
import csv, sys
from collections import defaultdict

counts_path, limits_path, n1, n2, csv_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
limits = dict(line.rstrip("\n").split("|", 1) for line in open(limits_path) if line.strip())
order = list(limits)
totals = {}  # (strategy, n, thread) -> {event: count}
files = defaultdict(lambda: [0, 0])  # (strategy, n, thread, file) -> [Ir, D1 misses]
for line in open(counts_path):
    part = line.rstrip("\n").split("|")
    if part[0] == "totals":
        events, values = part[4].split(), [int(v) for v in part[5].split()]
        totals[(part[1], int(part[2]), part[3])] = dict(zip(events, values))
    else:
        entry = files[(part[1], int(part[2]), part[3], part[4])]
        entry[0] += int(part[5])
        entry[1] += int(part[6])

def per_callback(strategy, thread, measure):
    """measure(counts) of the N2 run minus that of the N1 run, per callback."""
    a, b = totals.get((strategy, n1, thread)), totals.get((strategy, n2, thread))
    return (measure(b) - measure(a)) / (n2 - n1) if a and b else float("nan")

measures = {
    "ir": lambda c: c["Ir"],
    "d1": lambda c: c["D1mr"] + c["D1mw"],
    "ll": lambda c: c["ILmr"] + c["DLmr"] + c["DLmw"],
}
rows = {}
for s in order:
    row = {k: per_callback(s, "02", m) for k, m in measures.items()}
    row["worker_ir"] = per_callback(s, "03", measures["ir"])
    for thread, name in (("02", "render"), ("03", "worker")):
        by_file = {f: [(files[(s, n2, thread, f)][i] - files[(s, n1, thread, f)][i]) / (n2 - n1) for i in (0, 1)]
                   for (s2, _, t, f) in list(files) if s2 == s and t == thread}
        row[f"audiopool_{name}"] = by_file
    rows[s] = row

def excess(s, base, key):
    return rows[s][key] - rows[base][key] if base in rows else float("nan")

def fmt(v, signed=False):
    """Whole numbers from 10 on, one decimal below; a sign on an excess; "-" for none."""
    if v != v:
        return "-"
    digits = 0 if abs(v) >= 10 else 1
    v = round(v, digits) + 0.0  # no "-0.0"
    return f"{v:{'+' if signed else ''}.{digits}f}"

header = ["strategy", "limit", "Ir", "D1 miss", "LL miss", "+Ir static", "+D1 static", "+LL static",
          "+Ir limit", "+D1 limit", "+LL limit", "worker Ir", "+worker Ir limit", "audiopool Ir", "audiopool D1"]
table, out = [], []
for s in order:
    r, limit = rows[s], limits[s]
    hands_off = limit == "static hand-off" and s != limit
    render_lib = r["audiopool_render"]
    worker_lib = r["audiopool_worker"]
    lib_ir = sum(v[0] for v in render_lib.values()) + sum(v[0] for v in worker_lib.values())
    lib_d1 = sum(v[1] for v in render_lib.values()) + sum(v[1] for v in worker_lib.values())
    values = {
        "ir": r["ir"], "d1": r["d1"], "ll": r["ll"],
        "excess_ir_static": excess(s, "static", "ir"), "excess_d1_static": excess(s, "static", "d1"),
        "excess_ll_static": excess(s, "static", "ll"),
        "excess_ir_limit": excess(s, limit, "ir") if hands_off else float("nan"),
        "excess_d1_limit": excess(s, limit, "d1") if hands_off else float("nan"),
        "excess_ll_limit": excess(s, limit, "ll") if hands_off else float("nan"),
        "worker_ir": r["worker_ir"] if limit == "static hand-off" else float("nan"),
        "excess_worker_ir_limit": excess(s, limit, "worker_ir") if hands_off else float("nan"),
        "audiopool_ir": lib_ir if render_lib or worker_lib else float("nan"),
        "audiopool_d1": lib_d1 if render_lib or worker_lib else float("nan"),
    }
    table.append([s, limit] + [fmt(v, k.startswith("excess")) for k, v in values.items()])
    out.append({"strategy": s, "limit": limit, **{k: ("" if v != v else f"{v:.1f}") for k, v in values.items()}})

print(f"\nWhere each strategy's work goes: per callback of 64 frames, callgrind with cache simulation, "
      f"({n2} - {n1} callbacks) / {n2 - n1}")
print("Render thread: Ir instructions, D1 first-level data-cache misses (reads + writes), LL last-level misses;\n"
      "+ static / + limit: the excess over static and, for the strategies that hand off, over static hand-off;\n"
      "worker Ir: the worker thread's instructions per callback (hand-off strategies); audiopool Ir / D1: of those,\n"
      "in the library's code (include/audiopool/, both threads; std::atomic operations not included).\n"
      "One core's caches simulated, threads run one at a time: no cross-core transfers in these misses.")
width = [max(len(str(row[c])) for row in [header] + table) for c in range(len(header))]
def line(cells):
    print("  " + "  ".join(str(c).ljust(width[i]) if i < 2 else str(c).rjust(width[i]) for i, c in enumerate(cells)))
line(header)
print("  " + "-" * (sum(width) + 2 * (len(width) - 1)))
for row in table:
    line(row)

print("\nIn the library's code, per callback, by source file (render thread; worker after |): Ir / D1 misses")
for s in order:
    parts = []
    for name in ("render", "worker"):
        by_file = rows[s][f"audiopool_{name}"]
        text = ", ".join(f"{f} {v[0]:.0f} / {v[1]:.1f}" for f, v in sorted(by_file.items(), key=lambda kv: -kv[1][0])
                         if abs(v[0]) >= 0.5 or abs(v[1]) >= 0.05)
        parts.append(text or "-")
    if parts != ["-", "-"]:
        print(f"  {s}: {parts[0]} | {parts[1]}")

if csv_path:
    with open(csv_path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(out[0]))
        writer.writeheader()
        writer.writerows(out)
PY
