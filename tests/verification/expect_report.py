#!/usr/bin/env python3
"""A death test: runs a program that a sanitizer must stop, and passes only
when the program fails (a non-zero exit status or a signal) AND its output
(stdout and stderr together) matches every expected pattern, such as the
sanitizer's report line and a frame in the function that made the bad access.
A program that exits with 0, or fails some other way, fails the test.

usage: expect_report.py --expect REGEX [REGEX...] -- PROGRAM [ARGS...]
"""
import argparse
import re
import subprocess
import sys

USAGE = "expect_report.py --expect REGEX [REGEX...] -- PROGRAM [ARGS...]"
if "--" not in sys.argv:
    sys.exit(__doc__)
split = sys.argv.index("--")
parser = argparse.ArgumentParser(usage=USAGE, description=__doc__.split("\n\n")[0])
parser.add_argument("--expect", nargs="+", action="extend", required=True, metavar="REGEX",
                    help="a pattern the output must match (re.MULTILINE)")
parser.add_argument("--timeout", type=float, default=120, help="seconds before the program counts as hung")
options = parser.parse_args(sys.argv[1:split])
command = sys.argv[split + 1:]
if not command:
    sys.exit(__doc__)

try:
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            errors="replace", timeout=options.timeout)
except subprocess.TimeoutExpired:
    sys.exit(f"FAIL: {command[0]} still ran after {options.timeout:g} s")
print(result.stdout, end="")  # the report, for the test log
if result.returncode == 0:
    sys.exit(f"FAIL: {command[0]} exited with 0: nothing stopped it")
status = f"signal {-result.returncode}" if result.returncode < 0 else f"exit status {result.returncode}"
missing = [p for p in options.expect if not re.search(p, result.stdout, re.MULTILINE)]
if missing:
    sys.exit(f"FAIL: {command[0]} failed ({status}), but its output does not match: " + "; ".join(missing))
print(f"ok: {command[0]} was stopped ({status}) with the expected report")
