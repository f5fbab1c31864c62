#!/usr/bin/env python3
"""Checks where the constinit pools of bss_pools.cpp landed, reading the ELF
section table of the archive holding its object (with `size -A`): 4 MiB in
.bss per pool, and less than 4 KiB of initialised data (.data and .data.rel*).
The number of pools is read from the program itself: its `bss::pool<...>`
variables (one per built-in policy), from `nm -C`. (Not from the size of an
array: AddressSanitizer pads globals with red zones.)"""
import subprocess
import sys

MIB = 1 << 20
obj = sys.argv[1]
sections = {}
for line in subprocess.run(["size", "-A", obj], check=True, capture_output=True, text=True).stdout.splitlines():
    parts = line.split()
    if len(parts) >= 2 and parts[0].startswith(".") and parts[1].isdigit():
        sections[parts[0]] = sections.get(parts[0], 0) + int(parts[1])
pools = len({line.split(" ", 2)[2] for line in
             subprocess.run(["nm", "-C", obj], check=True, capture_output=True, text=True).stdout.splitlines()
             if line.count(" ") >= 2 and line.split(" ", 2)[2].startswith("bss::pool<")})
bss = sum(size for name, size in sections.items() if name == ".bss" or name.startswith(".bss."))
data = sum(size for name, size in sections.items() if name == ".data" or name.startswith(".data."))
print(f"{obj}: {pools} pools, .bss {bss} bytes, initialised data {data} bytes")
ok = pools >= 1 and bss >= pools * 4 * MIB and data < 4096
print("ok" if ok else "FAIL: the constinit pools are not (all) in .bss, or none was found")
sys.exit(0 if ok else 1)
