#!/usr/bin/env python3
"""Checks the figures quoted in the pages' prose against docs/results/ (the
files `bash scripts/bench.sh full` writes), the way check_snippets.py checks
code: a new benchmark run that changes a number fails here until the prose
agrees.

A figure is tied to its source by a marker right after it (after its unit):

    Treiber's pair took 13.9 ns<!-- fig: throughput-summary.csv:ns_per_op[case=pair;subject=Treiber] -->

    SPEC   = [min | max] FILE:COLUMN[KEY=VALUE;KEY=VALUE...]
           | [min | max] summary.txt:measured[TEXT]   (or :limit[TEXT])
           | not measured

FILE:COLUMN[...] selects the rows of a CSV file in docs/results/ whose KEY
columns hold VALUE and reads COLUMN; exactly one row, unless min or max says
which of them. summary.txt:measured[TEXT] reads the measured value (or the
limit) of the target lines of docs/results/summary.txt that contain TEXT.
The figure is the last number before the marker on its line; it must equal
the source rounded to as many decimals as the figure has.

`not measured` marks a constant that looks like a measurement (a timer
period, a clock step, a size): the checker leaves it.

Every figure in the prose that looks measured -- a number followed by ns,
µs or instructions, or a decimal number followed by × -- must carry a marker.
Generated blocks (<!-- generated: ... --> to <!-- end generated ... -->),
code blocks and docs/reference.md are not prose and are not scanned.

Usage: check_figures.py DOCS_DIR PAGE_OR_FOLDER... (a folder: every *.md
in it but the generated reference.md)"""
import csv
import os
import re
import sys

docs = sys.argv[1]
results = os.path.join(docs, "results")
MARKER = re.compile(r"<!--\s*fig:\s*(.*?)\s*-->")
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
# A figure that looks measured: a number with a unit of time or of
# instructions, or a decimal ratio.
LOOKS_MEASURED = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)(?:\s?(?:ns|µs)\b|\s(?:instructions)\b|(?<=\.\d)\d*\s?×)")
SPEC = re.compile(r"(?:(min|max)\s+)?([\w.-]+):([\w.]+)\[(.*)\]$")

_csv_cache = {}


def rows_of(name):
    if name not in _csv_cache:
        with open(os.path.join(results, name), encoding="utf-8", newline="") as f:
            _csv_cache[name] = list(csv.DictReader(f))
    return _csv_cache[name]


def target_values(column, text):
    """Measured values (or limits) of the summary's target lines containing text."""
    values = []
    for line in open(os.path.join(results, "summary.txt"), encoding="utf-8"):
        # "  GOAL  MEASURED [LOW..HIGH]  <= LIMIT  RESULT": the range, and the
        # result "inconclusive", only where the measured value is a median of
        # repetitions (bench::Target with a range).
        m = re.match(r"^\s+(.*?)\s+(-?[\d.]+)(?:\s+\[-?[\d.]+\.\.-?[\d.]+\])?\s+([<>]=)\s+([\d.]+)\s+"
                     r"(met|MISSED|inconclusive)\s*$", line)
        if m and text in m.group(1):
            values.append(float(m.group(2) if column == "measured" else m.group(4)))
    return values


def source_values(spec):
    m = SPEC.match(spec)
    if not m:
        raise ValueError(f"cannot read the marker '{spec}'")
    aggregate, name, column, where = m.groups()
    if name == "summary.txt":
        if column not in ("measured", "limit"):
            raise ValueError(f"summary.txt has :measured[...] and :limit[...], not :{column}")
        values = target_values(column, where)
    else:
        keys = dict(part.split("=", 1) for part in where.split(";") if part)
        rows = [r for r in rows_of(name) if all(r.get(k) == v for k, v in keys.items())]
        if rows and column not in rows[0]:
            raise ValueError(f"{name} has no column '{column}'")
        values = [float(r[column]) for r in rows]
    if not values:
        raise ValueError(f"'{spec}' selects nothing")
    if aggregate == "min":
        return min(values)
    if aggregate == "max":
        return max(values)
    if len(values) != 1:
        raise ValueError(f"'{spec}' selects {len(values)} values: say min or max")
    return values[0]


def agrees(written, value):
    decimals = len(written.split(".")[1]) if "." in written else 0
    return f"{value:.{decimals}f}" == f"{float(written.replace(',', '')):.{decimals}f}"


pages = []
for arg in sys.argv[2:]:
    if os.path.isdir(arg):
        pages += sorted(os.path.join(arg, f) for f in os.listdir(arg) if f.endswith(".md") and f != "reference.md")
    else:
        pages.append(arg)

problems = []
checked = 0
for page in pages:
    name = os.path.relpath(page, os.path.dirname(docs))
    generated = code = False
    for n, line in enumerate(open(page, encoding="utf-8"), 1):
        where = f"{name}:{n}"
        if line.startswith("<!-- generated"):
            generated = True
        elif line.startswith("<!-- end generated"):
            generated = False
            continue
        if line.strip().startswith("```"):
            code = not code
            continue
        if generated or code or line.startswith("    "):
            continue
        position = 0
        for marker in MARKER.finditer(line):
            before = MARKER.sub("", line[position:marker.start()])
            position = marker.end()
            spec = marker.group(1)
            if spec == "not measured":
                continue
            numbers = NUMBER.findall(before)
            if not numbers:
                problems.append(f"{where}: a marker with no figure before it ('{spec}')")
                continue
            try:
                value = source_values(spec)
            except (ValueError, OSError) as e:
                problems.append(f"{where}: {e}")
                continue
            checked += 1
            if not agrees(numbers[-1], value):
                problems.append(f"{where}: the page says {numbers[-1]}, {spec} says {value:g}")
        for figure in LOOKS_MEASURED.finditer(line):
            if not re.match(r"\s*<!--\s*fig:", line[figure.end():]):
                problems.append(f"{where}: '{figure.group(0)}' looks measured and has no <!-- fig: ... --> marker")
for p in problems:
    print(p)
print(f"{len(pages)} pages, figures in the prose: {checked} checked against docs/results/: " +
      ("ok" if not problems else f"{len(problems)} problems"))
sys.exit(1 if problems else 0)
