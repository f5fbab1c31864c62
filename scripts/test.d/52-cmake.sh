# audiopool from CMake projects (tests/cmake_consumer), built and run the
# three ways docs/building.md shows:
#   - find_package(audiopool CONFIG) against `meson install` of build/gcc in a
#     staging directory (the package's audiopoolConfig.cmake and version
#     file), with g++; a request for a version the package does not meet
#     (0.2) must fail to configure;
#   - add_subdirectory of this source tree (CMakeLists.txt), with clang-19;
#   - FetchContent of this source tree, with g++ (package_check only).
# Each from a clean build directory (build/cmake-consumer/*), with the
# machine's cmake and Ninja.
# On its own: bash scripts/test.d/52-cmake.sh (configures build/gcc as
# 10-core.sh does if it is not there; installing it compiles nothing).
[ -n "${AUDIOPOOL_LIB_SOURCED:-}" ] || source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" --step

cmake_stage=$PWD/build/cmake-stage
cmake_out=build/cmake-consumer
rm -rf "$cmake_stage" "$cmake_out"
# cmake_consumer NAME COMPILER [cmake -D options...] — configure, build, run its tests.
cmake_consumer() {
  local name=$1 compiler=$2
  shift 2
  cmake -S tests/cmake_consumer -B "$cmake_out/$name" -G Ninja -DCMAKE_CXX_COMPILER="$compiler" "$@" \
    >"$cmake_out/$name.configure.log" 2>&1 || { cat "$cmake_out/$name.configure.log"; return 1; }
  grep -- '-- audiopool' "$cmake_out/$name.configure.log"
  cmake --build "$cmake_out/$name" -j "${AUDIOPOOL_JOBS:-2}" || return 1
  ctest --test-dir "$cmake_out/$name" --output-on-failure
}
cmake_from_package() {
  use_shared_build gcc --configure-only || return 1
  # A build folder configured before meson.build last changed regenerates
  # itself here (compiling nothing), so that it installs what meson.build says.
  ninja -C build/gcc build.ninja >/dev/null || return 1
  meson install -C build/gcc --destdir "$cmake_stage" --no-rebuild --quiet || return 1
  local config prefix
  config=$(find "$cmake_stage" -name audiopoolConfig.cmake | head -n1)
  [ -n "$config" ] && [ -f "$(dirname "$config")/audiopoolConfigVersion.cmake" ] ||
    { echo "no audiopoolConfig.cmake and audiopoolConfigVersion.cmake installed"; return 1; }
  echo "installed: ${config#"$cmake_stage"} and audiopoolConfigVersion.cmake"
  prefix=$(meson introspect build/gcc --buildoptions |
    python3 -c 'import json, sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
  cmake_consumer package "$AUDIOPOOL_GCC" -DAUDIOPOOL_FROM=package -DCMAKE_PREFIX_PATH="$cmake_stage$prefix" ||
    return 1
  # The version file: 0.2 is not met by 0.1.x (a 0.x minor version may change the API).
  if cmake -S tests/cmake_consumer -B "$cmake_out/package-0.2" -G Ninja -DCMAKE_CXX_COMPILER="$AUDIOPOOL_GCC" \
    -DAUDIOPOOL_FROM=package -DAUDIOPOOL_REQUEST=0.2 -DCMAKE_PREFIX_PATH="$cmake_stage$prefix" \
    >"$cmake_out/package-0.2.configure.log" 2>&1; then
    echo "find_package(audiopool 0.2) was met by this version"
    return 1
  fi
  echo "find_package(audiopool 0.2): refused, as it should be"
}
mkdir -p "$cmake_out"
cmake_status=0
( cmake_from_package ) || cmake_status=$?
count_result "CMake: find_package(audiopool) from the meson install" $cmake_status
cmake_status=0
( cmake_consumer source "$AUDIOPOOL_CLANG" -DAUDIOPOOL_FROM=source ) || cmake_status=$?
count_result "CMake: add_subdirectory of the source tree" $cmake_status
cmake_status=0
( cmake -S tests/cmake_consumer -B "$cmake_out/fetchcontent" -G Ninja -DCMAKE_CXX_COMPILER="$AUDIOPOOL_GCC" \
    -DAUDIOPOOL_FROM=fetchcontent >"$cmake_out/fetchcontent.configure.log" 2>&1 &&
  grep -- '-- audiopool' "$cmake_out/fetchcontent.configure.log" &&
  cmake --build "$cmake_out/fetchcontent" --target package_check -j "${AUDIOPOOL_JOBS:-2}" &&
  "$cmake_out/fetchcontent/package_check" ) || cmake_status=$?
count_result "CMake: FetchContent of the source tree" $cmake_status
