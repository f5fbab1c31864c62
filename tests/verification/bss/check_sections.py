#!/usr/bin/env python3
"""Checks where the constinit pools of bss_pools.cpp landed, reading the ELF
section table of the archive holding its object (with `size -A`): at least 4 x 4 MiB in
.bss, and less than 4 KiB of initialised data (.data and .data.rel*)."""
import subprocess
import sys

MIB = 1 << 20
obj = sys.argv[1]
sections = {}
for line in subprocess.run(["size", "-A", obj], check=True, capture_output=True, text=True).stdout.splitlines():
    parts = line.split()
    if len(parts) >= 2 and parts[0].startswith(".") and parts[1].isdigit():
        sections[parts[0]] = sections.get(parts[0], 0) + int(parts[1])
bss = sum(size for name, size in sections.items() if name == ".bss" or name.startswith(".bss."))
data = sum(size for name, size in sections.items() if name == ".data" or name.startswith(".data."))
print(f"{obj}: .bss {bss} bytes, initialised data {data} bytes")
ok = bss >= 4 * 4 * MIB and data < 4096
print("ok" if ok else "FAIL: the constinit pools are not (all) in .bss")
sys.exit(0 if ok else 1)
