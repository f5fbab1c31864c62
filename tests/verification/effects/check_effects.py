#!/usr/bin/env python3
"""The compile-time proof that audiopool's audio-thread calls are nonblocking.

Compiles nonblocking_calls.cpp with -Werror=function-effects (clang >= 20) in
header mode and in module mode (a BMI of modules/audiopool.cppm built with the
same flags), each with and without NDEBUG, links it and runs it; every one must
compile cleanly. Then the must-fail twins: the same file with one `new`
(AUDIOPOOL_EFFECTS_MUST_FAIL=1) or one std::mutex::lock (=2) in the
nonblocking callback, in both modes: each must fail, with the analysis'
message for that line and no other error.

usage: check_effects.py SOURCE_ROOT WORK_DIR COMPILER [COMPILER ARGS...]
"""
import os
import re
import subprocess
import sys

root, work, compiler = sys.argv[1], sys.argv[2], sys.argv[3:]
source = os.path.join(root, "tests", "verification", "effects", "nonblocking_calls.cpp")
interface = os.path.join(root, "modules", "audiopool.cppm")
flags = ["-std=c++20", "-pthread", "-Wall", "-Wextra", "-Werror=function-effects",
         "-I", os.path.join(root, "include"), "-I", root]
os.makedirs(work, exist_ok=True)
failures = []


def compile_(args):
    result = subprocess.run(compiler + flags + args, capture_output=True, text=True)
    return result.returncode, result.stderr


def module_args(ndebug):
    """Builds the BMI and its object for this configuration; returns the flags a user of it needs."""
    tag = "ndebug" if ndebug else "debug"
    pcm = os.path.join(work, f"audiopool-{tag}.pcm")
    obj = os.path.join(work, f"audiopool-{tag}.o")
    extra = ["-DNDEBUG"] if ndebug else []
    for step in (["-x", "c++-module", "--precompile", interface, "-o", pcm], ["-c", pcm, "-o", obj]):
        status, err = compile_(extra + step)
        if status != 0:
            sys.exit(f"building the module ({tag}) failed:\n{err}")
    return extra + [f"-fmodule-file=audiopool={pcm}", "-DAUDIOPOOL_IMPORT"], [obj]


configurations = []
for mode in ("header", "module"):
    for ndebug in (False, True):
        if mode == "module":
            args, objects = module_args(ndebug)
        else:
            args, objects = (["-DNDEBUG"] if ndebug else []), []
        configurations.append((f"{mode}, {'NDEBUG' if ndebug else 'debug'}", args, objects))

# 1. Every documented audio-thread call, verified: compiles, links, runs.
for name, args, objects in configurations:
    program = os.path.join(work, "nonblocking_calls-" + re.sub(r"\W+", "-", name))
    status, err = compile_(args + [source] + objects + ["-o", program])
    if status != 0:
        failures.append(f"{name}: the nonblocking calls did not compile:\n{err}")
        continue
    run = subprocess.run([program], capture_output=True, text=True)
    if run.returncode != 0:
        failures.append(f"{name}: the program failed (status {run.returncode}):\n{run.stdout}{run.stderr}")
        continue
    print(f"ok: {name}: every audio-thread call proven nonblocking (-Werror=function-effects)")

# 2. The must-fail twins: the check bites, with the analysis' own message.
twins = {
    1: "function with 'nonblocking' attribute must not allocate or deallocate memory",
    2: "function with 'nonblocking' attribute must not call non-'nonblocking' function 'std::mutex::lock'",
}
twin_line = {1: "int* leak = new int(1);", 2: "blockingLock.lock();"}
source_lines = open(source).read().splitlines()
for name, args, _ in configurations:
    if "NDEBUG" in name:
        continue  # the twins need one configuration per mode
    for twin, message in twins.items():
        status, err = compile_(args + [f"-DAUDIOPOOL_EFFECTS_MUST_FAIL={twin}", "-fsyntax-only", source])
        errors = [line for line in err.splitlines() if ": error: " in line]
        expected_line = next(i + 1 for i, line in enumerate(source_lines) if twin_line[twin] in line)
        wrong = [e for e in errors
                 if not (f"nonblocking_calls.cpp:{expected_line}:" in e and message in e)
                 and "std::mutex::unlock" not in e]  # the twin's unlock, on the next line
        if status == 0 or not errors or wrong:
            failures.append(f"{name}: must-fail twin {twin} did not fail as expected "
                            f"(status {status}; expected '{message}' at line {expected_line}):\n{err}")
        else:
            print(f"ok: {name}: must-fail twin {twin} refused: {message} (line {expected_line}, {len(errors)} errors)")

for f in failures:
    print("FAILED:", f)
sys.exit(1 if failures else 0)
