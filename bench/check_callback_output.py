#!/usr/bin/env python3
"""Checks that the callback benchmark's output files are well formed.

    check_callback_output.py CSV JSON CCDF

What is checked (the measured values themselves are not judged):
  - every load x block size x strategy is present exactly once, in the CSV
    and in the JSON, and nothing else (the strategies: the limits, one per
    built-in policy from include/audiopool/policy_list.hpp, and the peers; a
    policy the JSON's not_run list names, with its reason, is left out);
  - every number is a finite number (no NaN, no inf), counts are
    non-negative integers, at least one callback was timed;
  - the percentiles are positive and in order (p50 <= p99 <= p99.9 <=
    p99.99 <= max); static's excess is 0 and its ratios 1; the budget is
    2 x static's p50; the excess and ratios (ratio_*, of the pooled
    samples) agree with the percentiles;
  - the ratios over repetitions (median, low and high, to static and to the
    strategy's limit) are in order, low <= median <= high, and one value
    when there was one repetition; static's ratios to static are 1, and a
    limit's ratios to itself; each strategy has one limit, static or static
    hand-off (static and static hand-off are their own), and a strategy
    whose limit is static has the same ratios to it under both names;
    repeats is at least 1 and the same in every row and in the JSON;
  - each verdict follows from the ratios and the targets the JSON states: a
    pool met when the median and the high end are within both targets,
    MISSED when a low end is beyond one, else inconclusive; a peer as good
    when its medians are within its kind's targets or no further from its
    limit than the best pool's (a value within rounding of a threshold may
    go either way);
  - no acquire found a strategy dry (exhausted = 0);
  - the JSON's rows carry the same values as the CSV's; it says which
    scheduling the render thread got (--fifo) and the targets;
  - the CCDF has points for every row, finite, fractions in (0, 1], and
    times that do not decrease as the fraction does.
Prints what is wrong and exits 1, or prints one line and exits 0.
"""
import csv
import json
import math
import os
import re
import sys

LOADS = ["none", "churn", "cache"]
FRAMES = [64, 256]
# The pools: one per built-in policy, from the one list of them.
POLICY_LIST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "include", "audiopool", "policy_list.hpp")
POLICIES = re.search(r"^#define AUDIOPOOL_BUILTIN_POLICIES (.*)$", open(POLICY_LIST, encoding="utf-8").read(),
                     re.M).group(1).replace("::audiopool::", "").replace(" ", "").split(",")
STRATEGIES = {
    "static": "limit",
    "static hand-off": "limit",
    **{policy: "pool" for policy in POLICIES},
    "prepared OwnerThread": "pool",  # the same policy, every extent dynamic, sized by prepare()
    "Treiber cached": "pool",  # Treiber with a thread cache on the render thread (Pool::cache)
    "malloc/free": "peer",
    "new[]/delete[]": "peer",
    "pmr unsync pool": "peer",
    "pmr sync pool": "peer",
    "mutex free list": "peer",
    "boost lockfree stack": "peer",
}
LIMITS = ["static", "static hand-off"]
VERDICTS = {"limit": {"limit"}, "pool": {"met", "MISSED", "inconclusive"}, "peer": {"as good", "behind"}}
TEXT = ["load", "strategy", "kind", "limit", "verdict"]
COUNTS = ["frames", "callbacks", "page_faults", "exhausted", "handoff_waits", "repeats"]
QUANTILES = ["p50", "p99", "p99.9", "p99.99"]
# The ratios over repetitions: to static (PREFIX "") and to the limit ("limit_"), at p50 and p99.9.
SPREADS = [(prefix, q) for prefix in ["", "limit_"] for q in ["p50", "p99.9"]]
SPREAD_COLUMNS = [f"{prefix}{end}_ratio_{q}" for prefix, q in SPREADS for end in ["median", "low", "high"]]
NUMBERS = (["budget_us"] + [q + "_us" for q in QUANTILES] + ["max_us"]
           + ["excess_" + q + "_us" for q in QUANTILES] + ["ratio_p50", "ratio_p99.9", "misses_per_million"]
           + SPREAD_COLUMNS)
COLUMNS = TEXT + COUNTS + NUMBERS
ROUNDING = 1e-4  # the files give ratios to 4 decimals


def finite(text):
    value = float(text)  # raises on text that is not a number
    if not math.isfinite(value):
        raise ValueError(f"not finite: {text}")
    return value


def close(a, b, tolerance):
    return abs(a - b) <= tolerance * max(1.0, abs(a), abs(b))


def check_row(row, problems, where):
    values = {}
    for key in COLUMNS:
        if row.get(key) in (None, ""):
            problems.append(f"{where}: no {key}")
            return None
    for key in COUNTS:
        try:
            number = finite(str(row[key]))
            if number < 0 or number != int(number):
                raise ValueError("not a non-negative integer")
            values[key] = int(number)
        except ValueError as e:
            problems.append(f"{where}: {key} = {row[key]!r}: {e}")
    for key in NUMBERS:
        try:
            values[key] = finite(str(row[key]))
        except ValueError as e:
            problems.append(f"{where}: {key} = {row[key]!r}: {e}")
    if len(values) < len(COUNTS) + len(NUMBERS):
        return None
    times = [values[q + "_us"] for q in QUANTILES] + [values["max_us"]]
    if times[0] <= 0 or any(a > b for a, b in zip(times, times[1:])):
        problems.append(f"{where}: percentiles not positive and in order: {times}")
    if values["callbacks"] == 0:
        problems.append(f"{where}: no callback timed")
    if values["exhausted"] != 0:
        problems.append(f"{where}: {values['exhausted']} acquires found the strategy dry")
    if not 0 <= values["misses_per_million"] <= 1e6:
        problems.append(f"{where}: misses_per_million out of range")
    if values["repeats"] < 1:
        problems.append(f"{where}: repeats {values['repeats']} < 1")
    for prefix, q in SPREADS:
        low, median, high = (values[f"{prefix}{end}_ratio_{q}"] for end in ["low", "median", "high"])
        if not 0 < low <= median <= high:
            problems.append(f"{where}: the ratio to {'the limit' if prefix else 'static'} at {q} over repetitions "
                            f"is not 0 < low <= median <= high: {low}, {median}, {high}")
        elif values["repeats"] == 1 and not low == median == high:
            problems.append(f"{where}: one repetition, yet the ratio to {'the limit' if prefix else 'static'} "
                            f"at {q} has a range")
    if row["limit"] not in LIMITS:
        problems.append(f"{where}: limit {row['limit']!r} is not one of {LIMITS}")
    elif row["strategy"] in LIMITS and row["limit"] != row["strategy"]:
        problems.append(f"{where}: {row['strategy']} is its own limit, not {row['limit']!r}")
    ones = [f"{end}_ratio_{q}" for end in ["median", "low", "high"] for q in ["p50", "p99.9"]]
    if row["strategy"] == "static":
        ones += ["ratio_p50", "ratio_p99.9"]
    if row["strategy"] == row["limit"]:
        if any(not close(values["limit_" + key], 1.0, ROUNDING) for key in ones if "_ratio_" in key):
            problems.append(f"{where}: a limit's ratios to itself are not 1")
    if row["strategy"] == "static" and any(not close(values[key], 1.0, ROUNDING) for key in ones):
        problems.append(f"{where}: static's ratios to itself are not 1")
    if row["limit"] == "static" and any(not close(values[key], values["limit_" + key], ROUNDING)
                                        for key in SPREAD_COLUMNS if not key.startswith("limit_")):
        problems.append(f"{where}: its limit is static, yet its ratios to static and to the limit differ")
    kind = STRATEGIES.get(row["strategy"])
    if row["kind"] != kind:
        problems.append(f"{where}: kind {row['kind']!r}, expected {kind!r}")
    elif row["verdict"] not in VERDICTS[kind]:
        problems.append(f"{where}: verdict {row['verdict']!r} is not one of {sorted(VERDICTS[kind])}")
    return {**{key: row[key] for key in TEXT}, **values}


def verdicts_allowed(row, targets, best):
    """The verdicts a row's ratios allow under the targets: one, or two when
    a value is within rounding of a threshold. best: the lowest median ratios
    to the limit of the pools at the row's load and block size (p50, p99.9)."""
    hands_off = row["limit"] == "static hand-off"
    p50_target = targets["p50_handing_off" if hands_off else "p50_render_thread_only"]
    allowed = set()
    for slack in (-ROUNDING, ROUNDING):
        def within(key, target):
            return row[key] <= target + slack
        if row["kind"] == "pool":
            judged = []
            for q, target in (("p50", p50_target), ("p99.9", targets["p99.9"])):
                if within(f"limit_median_ratio_{q}", target) and within(f"limit_high_ratio_{q}", target):
                    judged.append("met")
                elif not within(f"limit_low_ratio_{q}", target):
                    judged.append("MISSED")
                else:
                    judged.append("inconclusive")
            allowed.add("MISSED" if "MISSED" in judged else "inconclusive" if "inconclusive" in judged else "met")
        elif row["kind"] == "peer":
            good = (within("limit_median_ratio_p50", max(p50_target, best[0]))
                    and within("limit_median_ratio_p99.9", max(targets["p99.9"], best[1])))
            allowed.add("as good" if good else "behind")
        else:
            allowed.add("limit")
    return allowed


def not_run(json_path, problems):
    """The built-in policies the program says it could not run (a policy whose
    largest capacity is below the benchmark's pools), each with its reason."""
    try:
        with open(json_path) as f:
            entries = json.load(f).get("not_run", [])
    except (OSError, ValueError, AttributeError):
        return set()  # reported by the JSON check below
    names = set()
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("strategy") not in POLICIES or not entry.get("why"):
            problems.append(f"{json_path}: not_run entry {entry!r} is not a built-in policy with a reason")
        else:
            names.add(entry["strategy"])
    return names


def check(csv_path, json_path, ccdf_path):
    problems = []
    rows = {}
    skipped = not_run(json_path, problems)
    strategies = {s: kind for s, kind in STRATEGIES.items() if s not in skipped}
    with open(csv_path, newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            return [f"{csv_path}: no column {', '.join(missing)}"]
        for n, row in enumerate(reader, start=2):
            where = f"{csv_path}:{n}"
            checked = check_row(row, problems, where)
            if checked is None:
                continue
            key = (checked["load"], checked["frames"], checked["strategy"])
            if key in rows:
                problems.append(f"{where}: {key} appears twice")
            rows[key] = checked

    expected = {(load, frames, s) for load in LOADS for frames in FRAMES for s in strategies}
    for key in sorted(expected - rows.keys()):
        problems.append(f"{csv_path}: no row for load {key[0]}, {key[1]} frames, {key[2]}")
    for key in sorted(rows.keys() - expected):
        problems.append(f"{csv_path}: unexpected row {key}")

    def no_constants(name):
        raise ValueError(f"{name} in JSON")

    try:
        with open(json_path) as f:
            document = json.load(f, parse_constant=no_constants)
        results = document["results"]
        if not isinstance(results, list):
            raise ValueError("results is not a list")
    except (OSError, ValueError, KeyError, TypeError) as e:
        problems.append(f"{json_path}: {e}")
        document, results = {}, None

    # What the JSON says of the whole run: repetitions, scheduling, targets.
    repeats = {r["repeats"] for r in rows.values()}
    if len(repeats) > 1:
        problems.append(f"{csv_path}: repeats differ between rows: {sorted(repeats)}")
    if results is not None and (document.get("repeats") not in repeats or len(repeats) != 1):
        problems.append(f"{json_path}: repeats {document.get('repeats')!r}, the CSV's rows say {sorted(repeats)}")
    if results is not None and (document.get("fifo") not in ("auto", "off") or
                                not isinstance(document.get("render_thread"), str) or
                                not document.get("render_thread", "").startswith(("SCHED_FIFO", "SCHED_OTHER"))):
        problems.append(f"{json_path}: fifo {document.get('fifo')!r} / render_thread "
                        f"{document.get('render_thread')!r} do not say the render thread's scheduling")
    targets = document.get("targets") if isinstance(document.get("targets"), dict) else {}
    target_keys = ["p50_render_thread_only", "p50_handing_off", "p99.9"]
    if results is not None and not all(isinstance(targets.get(k), (int, float)) and targets[k] > 0
                                       for k in target_keys):
        problems.append(f"{json_path}: targets {targets!r} are not {', '.join(target_keys)}, positive numbers")
        targets = {}

    # One limit per strategy, the same at every load and block size.
    limits = {}
    for (load, frames, strategy), r in rows.items():
        limits.setdefault(strategy, set()).add(r["limit"])
    for strategy, names in sorted(limits.items()):
        if len(names) > 1:
            problems.append(f"{csv_path}: {strategy} has more than one limit: {sorted(names)}")

    # Each verdict follows from the ratios and the targets.
    if targets:
        for (load, frames, strategy), r in sorted(rows.items()):
            pools = [p for (l, f, _), p in rows.items() if (l, f) == (load, frames) and p["kind"] == "pool"]
            best = (min((p["limit_median_ratio_p50"] for p in pools), default=math.inf),
                    min((p["limit_median_ratio_p99.9"] for p in pools), default=math.inf))
            allowed = verdicts_allowed(r, targets, best)
            if r["kind"] == STRATEGIES.get(strategy) and r["verdict"] not in allowed:
                problems.append(f"{csv_path}: {load}, {frames} frames, {strategy}: verdict {r['verdict']!r}, "
                                f"its ratios and the targets say {' or '.join(sorted(allowed))}")

    # Static is the baseline: the others' excess, ratios and the budget come from it.
    for (load, frames, strategy), r in rows.items():
        base = rows.get((load, frames, "static"))
        if base is None:
            continue
        where = f"{csv_path}: {load}, {frames} frames, {strategy}"
        if not close(r["budget_us"], 2 * base["p50_us"], 0.01):
            problems.append(f"{where}: budget {r['budget_us']} is not 2 x static p50 {base['p50_us']}")
        for q in QUANTILES:
            if not close(r[f"excess_{q}_us"], r[f"{q}_us"] - base[f"{q}_us"], 0.01):
                problems.append(f"{where}: excess at {q} does not match the percentiles")
        for q in ["p50", "p99.9"]:
            if not close(r[f"ratio_{q}"], r[f"{q}_us"] / base[f"{q}_us"], 0.01):
                problems.append(f"{where}: ratio at {q} does not match the percentiles")

    seen = set()
    for n, item in enumerate(results or []):
        where = f"{json_path}: results[{n}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: not an object")
            continue
        checked = check_row({k: item.get(k) for k in COLUMNS}, problems, where)
        if checked is None:
            continue
        key = (checked["load"], checked["frames"], checked["strategy"])
        seen.add(key)
        if key not in rows:
            problems.append(f"{where}: {key} is not in the CSV")
        elif any(not close(checked[k], rows[key][k], 1e-6) for k in COUNTS + NUMBERS) or \
                any(checked[k] != rows[key][k] for k in TEXT):
            problems.append(f"{where}: {key} differs from the CSV")
    for key in sorted(rows.keys() - seen if results is not None else []):
        problems.append(f"{json_path}: no result for {key}")

    points = {}
    with open(ccdf_path, newline="") as f:
        for n, row in enumerate(csv.DictReader(f), start=2):
            try:
                key = (row["load"], int(row["frames"]), row["strategy"])
                us, fraction = finite(row["us"]), finite(row["fraction_at_or_above"])
            except (KeyError, TypeError, ValueError) as e:
                problems.append(f"{ccdf_path}:{n}: {e}")
                continue
            if not 0 < fraction <= 1 or us <= 0:
                problems.append(f"{ccdf_path}:{n}: point ({us}, {fraction}) out of range")
            points.setdefault(key, []).append((fraction, us))
    for key in sorted(expected):
        series = points.get(key, [])
        if len(series) < 2:
            problems.append(f"{ccdf_path}: fewer than 2 points for {key}")
        elif any(f1 < f2 or u1 > u2 for (f1, u1), (f2, u2) in zip(series, series[1:])):
            problems.append(f"{ccdf_path}: {key} is not a tail (fractions down, times up)")
    return problems


def main():
    if len(sys.argv) != 4:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    problems = check(*sys.argv[1:])
    if problems:
        print(f"callback output is not well formed ({len(problems)} problems):")
        for p in problems[:40]:
            print("  " + p)
        return 1
    skipped = not_run(sys.argv[2], [])
    print(f"callback output well formed: {len(LOADS) * len(FRAMES) * (len(STRATEGIES) - len(skipped))} rows, "
          "every load, block size and strategy, finite numbers, ranges in order, verdicts from the targets"
          + (f"; not run (said why): {', '.join(sorted(skipped))}" if skipped else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
