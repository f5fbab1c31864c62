#!/usr/bin/env bash
# Compiles one file that must NOT compile, and checks that the compiler's
# message says why. Every "// expect: REGEX" line in the file must match the
# diagnostics (extended regex, case-sensitive).
# Usage: check.sh SOURCE INCLUDE_DIR COMPILER [COMPILER ARGS...]
set -u
source_file=$1 include_dir=$2
shift 2
output=$("$@" -std=c++20 -fsyntax-only -I"$include_dir" "$source_file" 2>&1)
status=$?
if [ "$status" -eq 0 ]; then
  echo "FAIL: $source_file compiled, but it must not"
  exit 1
fi
failed=0
while IFS= read -r pattern; do
  if ! grep -Eq -- "$pattern" <<<"$output"; then
    echo "FAIL: the diagnostics for $source_file do not match: $pattern"
    failed=1
  fi
done < <(sed -n 's|^// expect: ||p' "$source_file")
if [ "$failed" -ne 0 ]; then
  echo "---- compiler output ----"
  head -c 6000 <<<"$output"
  exit 1
fi
echo "ok: $source_file fails to compile, as it must"
