#!/usr/bin/env python3
"""Checks the policy tables of the pages against what the policies state of
themselves (policy_facts, built from audiopool::BuiltinPolicies): each table
with a `policy` column has exactly one row per built-in policy (a cell that is
just `Name`), and that row's guarantee cell (a column named "...guarantee...")
names the policy's progress on the target the facts were built for
(`wait-free`, `lock-free`), and its thread cells (columns named "...thread..."
or "who ...") say what the policy's thread rule says. A policy added to the list
without its row, or a row left behind by a policy that went, fails here.

Usage: check_policy_tables.py POLICY_FACTS_PROGRAM PAGE..."""
import re
import subprocess
import sys

facts = {}
for line in subprocess.run([sys.argv[1]], check=True, capture_output=True, text=True).stdout.splitlines():
    name, rule, progress, cross, max_capacity = line.split()
    facts[name] = {"rule": rule, "progress": progress}

# Words a row's threads columns use for each thread rule.
RULE_WORDS = {
    "any-thread": re.compile(r"any threads", re.I),
    "one-acquirer-one-releaser": re.compile(r"one thread acquires, one thread releases|one \*other\* thread", re.I),
    "one-acquirer-any-releaser": re.compile(r"one thread acquires, any threads release|any number of", re.I),
    "one-thread": re.compile(r"^one thread$|the same thread", re.I),
}


def cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


problems = []
for page in sys.argv[2:]:
    lines = open(page, encoding="utf-8").read().splitlines()
    i = 0
    while i < len(lines):
        header = lines[i].strip()
        if not (header.startswith("|") and i + 1 < len(lines) and re.match(r"^\|[-| :]+\|$", lines[i + 1].strip())):
            i += 1
            continue
        columns = [c.lower() for c in cells(header)]
        i += 2
        rows = []
        while i < len(lines) and lines[i].strip().startswith("|"):
            rows.append(cells(lines[i]))
            i += 1
        if "policy" not in columns:
            continue
        where = f"{page} (table '{header[:60]}')"
        policy_col = columns.index("policy")
        guarantee_col = next((k for k, c in enumerate(columns) if "guarantee" in c), None)
        # The columns that say which threads may call (headers with "thread"
        # or "who"); a table without them (lines per policy, signal handlers)
        # is checked for its rows only.
        thread_cols = [k for k, c in enumerate(columns) if k != policy_col and ("thread" in c or c.startswith("who"))]
        seen = []
        for row in rows:
            m = re.fullmatch(r"`(\w+)`", row[policy_col]) if policy_col < len(row) else None
            if not m:
                continue
            name = m.group(1)
            seen.append(name)
            if name not in facts:
                problems.append(f"{where}: a row for `{name}`, which is not a built-in policy")
                continue
            if guarantee_col is not None and facts[name]["progress"] not in row[guarantee_col]:
                problems.append(f"{where}: `{name}` is {facts[name]['progress']} here, its row says "
                                f"'{row[guarantee_col][:80]}'")
            threads = [row[k] for k in thread_cols if k < len(row)]
            if thread_cols and not any(RULE_WORDS[facts[name]["rule"]].search(t) for t in threads):
                problems.append(f"{where}: `{name}`'s thread rule is {facts[name]['rule']}, its row says "
                                f"'{' / '.join(threads)[:100]}'")
        for name in facts:
            if seen.count(name) != 1:
                problems.append(f"{where}: {seen.count(name)} rows for `{name}` (one per built-in policy)")
for p in problems:
    print(p)
print(f"{len(facts)} built-in policies, policy tables checked: " + ("ok" if not problems else f"{len(problems)} problems"))
sys.exit(1 if problems else 0)
