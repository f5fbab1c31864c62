# The habits C++ contributors expect, checked: every C++ file of the project
# is formatted as .clang-format says (clang-format-19 --dry-run --Werror),
# and clang-tidy-19 finds nothing in the headers (through the programs that
# include them), the tests, the examples and the docs' snippet programs, with
# the checks of .clang-tidy (each disabled check with its reason there). The
# compile database is a header-mode clang-19 build's (build/tidy, configured
# only: clang-tidy compiles what it reads itself). About a minute.
# To fix formatting: clang-format-19 -i FILE... (then, if a docs snippet
# program changed, python3 docs/check_snippets.py docs --update).
# On its own: bash scripts/test.d/30-lint.sh
[ -n "${AUDIOPOOL_LIB_SOURCED:-}" ] || source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" --step

# The project's C++ files: tracked ones in a git checkout, else every one
# outside the build and subproject folders.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t cpp_files < <(git ls-files '*.cpp' '*.hpp' '*.cppm' ':!:subprojects/*')
else
  mapfile -t cpp_files < <(find . \( -path ./build -o -path ./subprojects \) -prune -o \
    -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.cppm' \) -print | sed 's|^\./||' | sort)
fi
format_status=0
clang-format-19 --dry-run --Werror "${cpp_files[@]}" || format_status=1
echo "format check: ${#cpp_files[@]} files"
count_result "clang-format-19: every C++ file as .clang-format says" "$format_status"

if setup_build --configure-only build/tidy "$AUDIOPOOL_CLANG" -Dmode=header -Djuce=disabled -Dbench=disabled \
    -Dfuzz=disabled >/dev/null; then
  tidy_status=0
  # -quiet: only findings; the pattern picks the project's own sources from
  # the database (all of it, but JUCE is off here anyway).
  run-clang-tidy-19 -p build/tidy -quiet ${AUDIOPOOL_JOBS:+-j "$AUDIOPOOL_JOBS"} "$PWD/(tests|examples|docs)/" \
    >build/tidy/clang-tidy.log 2>&1 || tidy_status=1
  findings=$(grep -cE "(warning|error): " build/tidy/clang-tidy.log || true)
  echo "clang-tidy: $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' build/tidy/compile_commands.json) translation units, $findings findings"
  [ "$tidy_status" -eq 0 ] || grep -E -A3 "(warning|error): " build/tidy/clang-tidy.log | head -80
  count_result "clang-tidy-19 with .clang-tidy: no findings" "$tidy_status"
else
  count_result "clang-tidy build configuration" 1
fi
