#!/usr/bin/env python3
"""Fails if building this project builds anything of audiopool's but its library.

    library_only.py BUILD_ROOT

A project that takes audiopool with dependency('audiopool', fallback: ...) and
no options gets the library only: the targets audiopool defines in its own
meson.build and modules/meson.build. Its tests, examples, documentation
snippets, benchmarks and fuzzer (and the real JUCE they use) are off in a
subproject. Checked on Meson's introspection data (what `meson introspect
--targets --tests` prints, meson-info/*.json) and on the build folder itself.
"""
import json
import os
import sys

root = sys.argv[1]
subdir = os.path.join('subprojects', 'audiopool')
library_dirs = {'', 'modules'}  # where audiopool's library targets are defined
elsewhere = ('tests', 'examples', 'docs', 'bench', 'fuzz')


def load(name):
    with open(os.path.join(root, 'meson-info', name)) as f:
        return json.load(f)


problems = []
library = []
for target in load('intro-targets.json'):
    if target.get('subproject') != 'audiopool':
        continue
    for filename in target['filename']:
        where = os.path.relpath(os.path.dirname(filename), os.path.join(root, subdir))
        where = '' if where == '.' else where
        if where in library_dirs:
            library.append(target['name'])
        else:
            problems.append('target {} ({})'.format(target['name'], os.path.relpath(filename, root)))

for test in load('intro-tests.json'):
    if any(suite.split(':')[0] == 'audiopool' for suite in test['suite']):
        problems.append('test {} ({})'.format(test['name'], ', '.join(test['suite'])))

# And after the build: nothing was compiled into those folders.
for part in elsewhere:
    for dirpath, _, files in os.walk(os.path.join(root, subdir, part)):
        problems += ['built ' + os.path.relpath(os.path.join(dirpath, f), root) for f in files]

print('audiopool targets in this build: ' + (', '.join(sorted(set(library))) or 'none (header mode)'))
if problems:
    print('audiopool builds more than its library here:')
    for problem in problems:
        print('  ' + problem)
    sys.exit(1)
print('nothing from audiopool\'s ' + ', '.join(elsewhere) + ' is configured or built')
