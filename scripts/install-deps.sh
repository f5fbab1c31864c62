#!/usr/bin/env bash
# Installs the Debian (bookworm) packages audiopool's build, tests, examples
# and benchmarks use, and only those. Idempotent: installs only what is
# missing, and runs `apt-get update` only when something is.
set -euo pipefail

packages=(
  meson ninja-build pkg-config python3   # build
  g++ clang-19                           # header mode (g++) and module mode (clang >= 17)
  clang-14                               # header mode with Debian 12's default clang++ (11-clang14.sh)
  clang-22                               # module mode with a second clang (tested with clang-19 and clang-22),
                                         # function effect analysis (-Wfunction-effects)
  libclang-rt-22-dev                     # RealtimeSanitizer (-fsanitize=realtime) for clang-22
  libclang-rt-19-dev                     # sanitizers and libFuzzer for clang-19
  llvm-19                                # llvm-symbolizer-19: source lines in sanitizer and libFuzzer reports
  clang-format-19 clang-tidy-19          # the format check and clang-tidy (30-lint.sh)
  doctest-dev                            # tests
  libfmt-dev                             # audiopool.fmt module, benchmark tables
  libbenchmark-dev                       # Google Benchmark
  libboost-dev                           # boost.lockfree (benchmark peer)
  libconcurrentqueue-dev libreaderwriterqueue-dev  # moodycamel (benchmark peers)
  relacy-dev                             # the model check of the memory orders (tests/model/, Relacy)
  juce-modules-source zlib1g-dev         # real-JUCE interop tests, docs recipe and example
  cmake                                  # CMake consumers (52-cmake.sh); the JUCE plugin example's build
  libflac-dev libvorbis-dev libogg-dev   # the JUCE plugin's Standalone links them (Debian's JUCE CMake files do not)
  jackd2                                 # the JUCE plugin in a host: a JACK server with the dummy driver
  jalv                                   # the JUCE plugin in a host: the LV2 host that runs it
  libjack-jackd2-dev                     # the JUCE plugin in a host: tests/juce_plugin/jack_play_record.c
  valgrind                               # instruction counts
  gnuplot-nox                            # benchmark plots
)
if [ -f "$(dirname "$0")/extra-packages.txt" ]; then
  while read -r p _; do [ -n "$p" ] && [ "${p#\#}" = "$p" ] && packages+=("$p"); done \
    < "$(dirname "$0")/extra-packages.txt"
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# jackd2 asks whether JACK may run with real-time priority: no (the tests run
# it with --no-realtime), answered here so that nothing waits for a reply.
echo "jackd2 jackd/tweak_rt_limits boolean false" | $sudo debconf-set-selections
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
