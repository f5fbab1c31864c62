#!/usr/bin/env python3
"""Checks that every ```cpp block on the documentation pages is exactly a
region of a program in docs/snippets/ (which the test suite compiles and
runs, or an example it includes). A block is preceded by a line <!-- snippet: FILE#REGION --> and the
region is the text between the lines "// [REGION]" and "// [/REGION]" of
snippets/FILE. A ```cmake block with such a line above it is checked the
same way against the lines "# [REGION]" and "# [/REGION]" of FILE (a
CMakeLists.txt that a test step builds); other cmake blocks are not. Pages
written elsewhere in the project (benchmarks, verification) are not checked
here.

    check_snippets.py DOCS_DIR            # checks
    check_snippets.py DOCS_DIR --update   # rewrites the pages' blocks from the programs (after reformatting them)"""
import pathlib
import re
import sys
import textwrap

docs = pathlib.Path(sys.argv[1])
update = "--update" in sys.argv[2:]
not_ours = {"benchmarks.md", "verification.md"}
marker = re.compile(r"<!-- snippet: ([\w./-]+)#([\w-]+) -->")
problems, checked = [], 0


def region(file, name, comment="//"):
    lines = (docs / "snippets" / file).read_text().splitlines()
    try:
        start = next(i for i, l in enumerate(lines) if l.strip() == "%s [%s]" % (comment, name))
        end = next(i for i, l in enumerate(lines) if l.strip() == "%s [/%s]" % (comment, name))
    except StopIteration:
        return None
    return textwrap.dedent("\n".join(l.rstrip() for l in lines[start + 1:end]))


for page in sorted(docs.glob("*.md")):
    if page.name in not_ours:
        continue
    lines = page.read_text().splitlines()
    i = 0
    while i < len(lines):
        fence = lines[i].strip()
        m = marker.search(lines[i - 1]) if i > 0 else None
        if fence == "```cpp" or (fence == "```cmake" and m):
            end = lines.index("```", i + 1)
            block = "\n".join(l.rstrip() for l in lines[i + 1:end])
            where = "%s:%d" % (page.name, i + 1)
            if not m:
                problems.append(where + ": a cpp block without a <!-- snippet: FILE#REGION --> line above it")
            else:
                expected = region(m.group(1), m.group(2), "//" if fence == "```cpp" else "#")
                if expected is None:
                    problems.append(where + ": no region %s in snippets/%s" % (m.group(2), m.group(1)))
                elif expected != block and update:
                    lines[i + 1:end] = expected.splitlines()
                    end = i + 1 + len(expected.splitlines())
                    page.write_text("\n".join(lines) + "\n")
                    print(where + ": rewritten from snippets/%s#%s" % (m.group(1), m.group(2)))
                elif expected != block:
                    problems.append(where + ": differs from snippets/%s#%s" % (m.group(1), m.group(2)))
            checked += 1
            i = end
        i += 1

for p in problems:
    print(p)
print("%d snippets checked, %d problems" % (checked, len(problems)))
sys.exit(1 if problems or checked == 0 else 0)
