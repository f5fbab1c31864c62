# `meson install` of build/gcc into a staging directory, then two programs
# built only from what was installed, as a project without Meson would:
# header mode with g++ and the pkg-config flags, and module mode with
# clang-19 compiling its own BMI from the installed module interface source.
# On its own: bash scripts/test.d/51-install.sh (configures build/gcc as
# 10-core.sh does if it is not there: what is installed is headers, module
# interface sources and pkg-config files, nothing compiled, so a configured
# build is enough).
[ -n "${AUDIOPOOL_LIB_SOURCED:-}" ] || source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" --step

install_stage=$PWD/build/install-stage
rm -rf "$install_stage"
install_check() {
  use_shared_build gcc --configure-only || return 1
  meson install -C build/gcc --destdir "$install_stage" --no-rebuild --quiet || return 1
  local pcdir include_flags modulesdir program=tests/consumer/consumer.cpp out=build/install-check
  pcdir=$(dirname "$(find "$install_stage" -name audiopool.pc | head -n1)")
  [ -f "$pcdir/audiopool.pc" ] && [ -f "$pcdir/audiopool-fmt.pc" ] || { echo "no pkg-config files"; return 1; }
  export PKG_CONFIG_PATH=$pcdir PKG_CONFIG_SYSROOT_DIR=$install_stage
  include_flags=$(pkg-config --cflags audiopool) || return 1
  modulesdir=$(pkg-config --variable=modulesdir audiopool)  # sysroot-prefixed
  for f in audiopool.cppm audiopool.fmt.cppm; do [ -f "$modulesdir/$f" ] || { echo "missing $f"; return 1; }; done
  mkdir -p "$out"
  # Header mode, g++.
  "$AUDIOPOOL_GCC" $include_flags -pthread -DCONSUMER_POLICY=Treiber "$program" -o "$out/header" && "$out/header" || return 1
  # Module mode, clang-19: BMI from the installed interface, then the program.
  "$AUDIOPOOL_CLANG" -std=c++20 -pthread $include_flags -x c++-module --precompile "$modulesdir/audiopool.cppm" \
    -o "$out/audiopool.pcm" &&
    "$AUDIOPOOL_CLANG" -std=c++20 -pthread -c "$out/audiopool.pcm" -o "$out/audiopool.o" &&
    "$AUDIOPOOL_CLANG" -std=c++20 -pthread -fmodule-file=audiopool="$out/audiopool.pcm" -DAUDIOPOOL_IMPORT \
      -DCONSUMER_POLICY=SpscRing "$program" "$out/audiopool.o" -o "$out/module" && "$out/module" || return 1
}
install_status=0
( install_check ) || install_status=$?
count_result "install: headers, module interfaces and pkg-config, used without Meson" $install_status
