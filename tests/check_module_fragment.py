#!/usr/bin/env python3
"""Checks include/audiopool/module_fragment.hpp, the one list of standard and
system headers that module mode puts in the global module fragment, against
the headers themselves: every `#include <...>` a header makes in header mode
(inside its `#ifndef AUDIOPOOL_MODULE` block) must be in the list, and every
header in the list must be used by some header. A header that includes a
standard header outside that block would pull it into the module purview:
reported too. fmt.hpp is left out (module audiopool.fmt has its own fragment),
and so is testing.hpp (not in any module: it replaces malloc, so it is
included, with its standard headers, before `import audiopool;`).

Usage: check_module_fragment.py INCLUDE_DIR"""
import pathlib
import re
import sys

include_dir = pathlib.Path(sys.argv[1]) / "audiopool"
angle = re.compile(r"^\s*#\s*include\s*<([^>]+)>")


def header_mode_includes(text):
    """The <...> includes inside `#ifndef AUDIOPOOL_MODULE` blocks, and those outside."""
    inside, outside = set(), set()
    depth = 0  # nesting of #if inside the AUDIOPOOL_MODULE block; 0 = not in it
    for line in text.splitlines():
        stripped = line.strip()
        if depth == 0 and re.match(r"#\s*ifndef\s+AUDIOPOOL_MODULE\b", stripped):
            depth = 1
            continue
        if depth > 0:
            if re.match(r"#\s*if", stripped):
                depth += 1
            elif re.match(r"#\s*endif", stripped):
                depth -= 1
        m = angle.match(line)
        if m:
            (inside if depth > 0 else outside).add(m.group(1))
    return inside, outside


fragment_text = (include_dir / "module_fragment.hpp").read_text()
fragment = {m.group(1) for m in map(angle.match, fragment_text.splitlines()) if m}
problems = []
used = set()
for header in sorted(include_dir.glob("*.hpp")):
    if header.name in ("module_fragment.hpp", "fmt.hpp", "testing.hpp"):
        continue
    inside, outside = header_mode_includes(header.read_text())
    used |= inside
    for name in sorted(inside - fragment):
        problems.append(f"{header.name} includes <{name}>, which module_fragment.hpp does not")
    for name in sorted(outside):
        problems.append(f"{header.name} includes <{name}> outside its #ifndef AUDIOPOOL_MODULE block")
for name in sorted(fragment - used):
    problems.append(f"module_fragment.hpp includes <{name}>, which no header includes")
for p in problems:
    print(p)
print(f"{len(fragment)} headers in the fragment, {len(used)} used by the library: "
      + ("ok" if not problems else f"{len(problems)} problems"))
sys.exit(1 if problems else 0)
