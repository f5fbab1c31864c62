# The core suite in both modes: module mode (and header mode) with clang-19,
# header mode with the system g++.
setup_build build/clang clang++-19 -Dmode=module
run_tests build/clang
setup_build build/gcc g++ -Dmode=header
run_tests build/gcc
