#!/usr/bin/env python3
"""Runs an example and checks that it exits with 0 and that its output
matches every expected pattern: check_output.py EXE [ARGS...] --expect RE..."""
import re
import subprocess
import sys

split = sys.argv.index("--expect")
command, patterns = sys.argv[1:split], sys.argv[split + 1:]
result = subprocess.run(command, capture_output=True, text=True, timeout=120)
print(result.stdout, end="")
print(result.stderr, end="", file=sys.stderr)
if result.returncode != 0:
    sys.exit("%s exited with %d" % (command[0], result.returncode))
missing = [p for p in patterns if not re.search(p, result.stdout, re.M)]
if missing:
    sys.exit("output does not match: " + "; ".join(missing))
