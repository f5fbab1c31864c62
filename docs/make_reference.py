#!/usr/bin/env python3
"""Writes docs/reference.md, the API reference, from the headers' own `///`
comments: every documented declaration in `namespace audiopool` (not
`audiopool::detail`, not a class's private part), header by header, with its
declaration as the header writes it (attributes and the nonblocking macro
left out) and its comment (which states the thread rule, progress,
allocation and misuse outcome where the header does).

    python3 docs/make_reference.py            # rewrites docs/reference.md
    python3 docs/make_reference.py --check    # fails if docs/reference.md differs, or if a name
                                              # the module exports has no `///` comment (a test)
"""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
include = root / "include" / "audiopool"
output = root / "docs" / "reference.md"

# The headers in the order a reader meets them; any header not named here
# follows in name order (so a new header is never left out).
ORDER = ["pool.hpp", "handles.hpp", "view.hpp", "pool_ref.hpp", "free_list.hpp", "treiber.hpp", "spsc_ring.hpp", "owner_thread.hpp",
         "index_stack.hpp", "builtin_policies.hpp", "policy_list.hpp", "chunks.hpp", "interop.hpp", "sample.hpp",
         "misuse.hpp", "atomics.hpp", "fmt.hpp", "version.hpp", "config.hpp"]
# testing.hpp is not part of the module (a module cannot replace malloc): its
# page is docs/testing.md.
SKIP = {"audiopool.hpp", "detach_words.hpp", "module_fragment.hpp", "maybe_atomic.hpp", "poison.hpp", "thread_check.hpp", "testing.hpp"}
# Classes in audiopool::detail that are public all the same: the base whose
# members every handle offers.
PUBLIC_IN_DETAIL = {"BufferHandle"}
DROP = re.compile(r"\bAUDIOPOOL_NONBLOCKING_IF\([^)]*\)\s*|\bAUDIOPOOL_(NONBLOCKING|HOT_INLINE|COLD|NO_SANITIZE_ADDRESS)\b|\[\[(nodiscard|likely|unlikely)\]\]\s*")


def headers():
    names = sorted(p.name for p in include.glob("*.hpp") if p.name not in SKIP)
    return [n for n in ORDER if n in names] + [n for n in names if n not in ORDER]


def header_summary(lines):
    """The header's opening comment, up to its first blank comment line."""
    out = []
    for line in lines:
        if not line.startswith("//"):
            break
        text = line[2:].strip()
        if not text:
            break
        out.append(text)
    first = " ".join(out)
    return re.sub(r"^audiopool/[\w.]+ — ", "", first)


def entries(lines):
    """(depth, declaration, comment) for each documented public declaration."""
    result = []
    scopes = []  # one per open brace: ('detail'|'class'|'struct'|'block', public?)
    comment = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("///"):
            comment.append(stripped[3:].strip())
            i += 1
            continue
        # Inside detail, unless inside a class of PUBLIC_IN_DETAIL (or about to declare one).
        exposed = max((k for k, sc in enumerate(scopes) if sc[0] == "exposed"), default=-1)
        in_detail = any(sc[0] in ("detail", "hidden") for sc in scopes[exposed + 1:])
        if in_detail and comment and any(re.search(rf"\b(class|struct)\s+{n}\b", lines[k])
                                         for n in PUBLIC_IN_DETAIL for k in range(i, min(i + 2, len(lines)))):
            in_detail = False
        in_private = bool(scopes) and scopes[-1][0] in ("class", "struct", "exposed") and not scopes[-1][1]
        access = re.match(r"^(public|private|protected):", stripped)
        if access and scopes and scopes[-1][0] in ("class", "struct", "exposed"):
            scopes[-1] = (scopes[-1][0], access.group(1) == "public")
            comment = []
            i += 1
            continue
        if comment and stripped and not stripped.startswith("//") and not stripped.startswith("#"):
            # The declaration: up to the first '{' or ';' at this level (or '= default').
            declaration = []
            j = i
            while j < len(lines):
                part = lines[j].strip()
                declaration.append(part)
                if re.search(r"[{;]", part) or part.endswith("= default;"):
                    break
                j += 1
            text = " ".join(declaration)
            text = re.split(r"\s*\{", text, maxsplit=1)[0] if "{" in text else text.split(";")[0]
            text = DROP.sub("", text)
            text = re.sub(r"\s+", " ", text).strip()
            text = re.sub(r"\s*:\s*public .*$", "", text) if re.match(r"(template <.*> )?(class|struct) ", text) else text
            text = re.sub(r"(\)(\s*noexcept)?)\s*:\s*\w+[({].*$", r"\1", text)  # a constructor's initialisers
            text = re.sub(r"\s*=\s*[^=]*$", "", text) if text.startswith("static constexpr") or text.startswith("inline constexpr") else text
            if not in_detail and not in_private:
                depth = sum(1 for sc in scopes if sc[0] in ("class", "struct", "exposed"))
                result.append((depth, text, " ".join(comment)))
        if stripped and not stripped.startswith("//"):
            comment = []
        # Scopes: count braces on code lines (not comments, not string contents).
        code = re.sub(r'"([^"\\]|\\.)*"', '""', line.split("//")[0])
        opens = code.count("{")
        closes = code.count("}")
        if opens:
            kind = "block"
            if re.search(r"namespace\s+audiopool::detail\b|namespace\s+detail\b", code):
                kind = "detail"
            else:
                m = re.search(r"\b(class|struct)\s+\w+[^;]*$", code)
                if m and "enum" not in code:
                    kind = m.group(1)
            hidden = bool(scopes) and (scopes[-1][0] in ("detail", "hidden") or
                                       (scopes[-1][0] in ("class", "struct", "exposed") and not scopes[-1][1]))
            name = re.search(r"\b(?:class|struct)\s+(\w+)", code)
            if name and name.group(1) in PUBLIC_IN_DETAIL:
                scopes.append(("exposed", False))
            else:
                scopes.append(("hidden", False) if hidden else (kind, kind == "struct"))
            for _ in range(opens - 1):
                scopes.append(("block", True))
        for _ in range(closes):
            if scopes:
                scopes.pop()
        i += 1
    return result


def render():
    out = ["# API reference", "",
           "Every documented public declaration, header by header, from the headers' own comments",
           "(`python3 docs/make_reference.py` writes this page; the test `docs reference is up to date`",
           "fails when it differs from the headers). Each entry states, where it applies, which thread may",
           "call it (**Thread**), its progress guarantee (**Progress**), whether it allocates (**Allocates**)",
           "and what a misuse leads to. In module mode every name here comes from `import audiopool;`",
           "(`import audiopool.fmt;` for fmt.hpp); the macros of config.hpp and policy_list.hpp come from",
           "including those headers, before or after the import.", ""]
    for name in headers():
        lines = (include / name).read_text(encoding="utf-8").splitlines()
        found = entries(lines)
        if not found:
            continue
        out += [f"## {name}", "", header_summary(lines), ""]
        for depth, declaration, comment in found:
            comment = re.sub(r"\b(Thread|Progress|Allocates):", r"**\1**:", comment)
            indent = "  " * depth
            out.append(f"{indent}- `{declaration}`" + (f" — {comment}" if comment else ""))
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def undocumented():
    """Names declared at the top level of `namespace audiopool` (what the
    module exports) with no `///` comment above them (a `template` line, a
    constraint or a preprocessor branch may come between). Forward
    declarations and partial specialisations are the primary's business."""
    missing = []
    for name in headers():
        lines = (include / name).read_text(encoding="utf-8").splitlines()
        depth, inside = 0, False
        for n, line in enumerate(lines):
            text = line.strip()
            opened = re.match(r"^(AUDIOPOOL_EXPORT )?namespace ([\w:]+) \{", text)
            if opened:
                inside, depth = opened.group(2) == "audiopool", 1
                continue
            if inside and depth == 1 and line and not line[0].isspace() and not text.startswith(("//", "#")):
                declaration = re.match(r"^(struct|class|enum|using|inline|constexpr|\w[\w:<>, ]*\s+\w+\()", text)
                forward = re.match(r"^(struct|class) \w+;$", text)
                specialisation = re.match(r"^(struct|class) \w+<", text)
                if declaration and not forward and not specialisation:
                    k = n - 1
                    while k >= 0 and re.match(r"^(template\b|\s+requires\b|#)", lines[k]):
                        if lines[k].startswith(("#else", "#elif")):  # the comment is above the #if
                            while k > 0 and not lines[k].startswith("#if"):
                                k -= 1
                        k -= 1
                    if k < 0 or not lines[k].lstrip().startswith("///"):
                        missing.append(f"include/audiopool/{name}:{n + 1}: {text[:80]}")
            if inside:
                depth += line.count("{") - line.count("}")
                if depth <= 0:
                    inside, depth = False, 0
    return missing


missing = undocumented()
for m in missing:
    print(f"{m}: no /// comment (every exported name is documented)")
text = render()
if "--check" in sys.argv:
    if missing:
        sys.exit(1)
    current = output.read_text(encoding="utf-8") if output.exists() else ""
    if current != text:
        print("docs/reference.md differs from the headers: run `python3 docs/make_reference.py` and commit it")
        sys.exit(1)
    print(f"docs/reference.md matches the headers ({text.count(chr(10) + '- ') + text.count('  - ')} entries)")
else:
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output.relative_to(root)}")
