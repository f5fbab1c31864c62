#!/usr/bin/env python3
"""Checks that readme_snippet.cpp compiles the README's first ```cpp block as
it is: the lines between "// [readme]" and "// [/readme]", less those from
"// [stand-in]" to "// [/stand-in]", must be that block.

    check_readme.py README.md readme_snippet.cpp"""
import pathlib
import sys

readme = pathlib.Path(sys.argv[1]).read_text().splitlines()
program = pathlib.Path(sys.argv[2]).read_text().splitlines()

start = readme.index("```cpp")
block = [l.rstrip() for l in readme[start + 1:readme.index("```", start + 1)]]

region = program[program.index("// [readme]") + 1:program.index("// [/readme]")]
a, b = region.index("// [stand-in]"), region.index("// [/stand-in]")
region = [l.rstrip() for l in region[:a] + region[b + 1:]]

if region != block:
    for i, (want, have) in enumerate(zip(block + [""] * len(region), region + [""] * len(block))):
        if want != have:
            print("README block line %d:\n  README:  %s\n  program: %s" % (i + 1, want, have))
            break
    sys.exit("readme_snippet.cpp differs from the README's first cpp block")
print("readme_snippet.cpp is the README's first cpp block (%d lines)" % len(block))
