#!/usr/bin/env python3
"""Puts a full benchmark run's output into docs/benchmarks.md.

    bench-docs.py RESULTS_DIR PAGE        (scripts/bench.sh full runs it)

RESULTS_DIR holds machine.txt and summary.txt (everything the run printed).
The page marks each generated block with a pair of HTML comments,
<!-- generated: NAME --> ... <!-- end generated: NAME -->; the text between
them is replaced by a fenced block:
    machine           machine.txt
    callbacks         the callback benchmark's part of summary.txt
    graph             the graph renderer's part (thread caches)
    single-operations the rest: throughput, latency, instructions
A page without one of the markers, or a summary without its parts, is an
error: nothing is written then.
"""
import re
import sys
from pathlib import Path

CALLBACKS = "==== Audio callbacks"
GRAPH = "==== A graph renderer"
SINGLE = "==== audiopool benchmark summary"


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    results, page = Path(sys.argv[1]), Path(sys.argv[2])
    machine = (results / "machine.txt").read_text().strip()
    summary = (results / "summary.txt").read_text()
    if CALLBACKS not in summary or GRAPH not in summary or SINGLE not in summary:
        print(f"{results / 'summary.txt'}: no callback, graph or single-operation part", file=sys.stderr)
        return 1
    callbacks = summary[summary.index(CALLBACKS):summary.index(GRAPH)].strip()
    graph = summary[summary.index(GRAPH):summary.index(SINGLE)].strip()
    single = summary[summary.index(SINGLE):].strip()
    text = page.read_text()
    for name, body in [("machine", machine), ("callbacks", callbacks), ("graph", graph),
                       ("single-operations", single)]:
        pattern = re.compile(rf"(<!-- generated: {name} -->\n).*?(<!-- end generated: {name} -->)", re.S)
        if not pattern.search(text):
            print(f"{page}: no generated block {name}", file=sys.stderr)
            return 1
        text = pattern.sub(lambda m: m.group(1) + "```\n" + body + "\n```\n" + m.group(2), text)
    page.write_text(text)
    print(f"{page}: machine, callback, graph and single-operation results from {results}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
