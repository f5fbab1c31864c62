#!/usr/bin/env python3
"""include/audiopool/version.hpp is the copy Meson generates from
version.hpp.in with the project() version; fails if the committed one differs.

    check_version_header.py GENERATED COMMITTED
"""
import difflib
import sys

generated, committed = sys.argv[1], sys.argv[2]
want = open(generated).read()
have = open(committed).read()
if want == have:
    print('{} matches the project version ({})'.format(committed, generated))
    sys.exit(0)
sys.stdout.writelines(difflib.unified_diff(have.splitlines(True), want.splitlines(True), committed, generated))
print('\n{} is out of date with meson.build (project version or version.hpp.in changed).'.format(committed))
print('Update it with:\n    cp {} {}'.format(generated, committed))
sys.exit(1)
