# libFuzzer: fuzz/fuzz_pool under AddressSanitizer + UBSan for a bounded time
# (AUDIOPOOL_FUZZ_SECONDS, default 60), starting from the seed corpus kept in
# fuzz/corpus (new inputs go to build/fuzz/corpus-run, never into the repo);
# then fuzz/fuzz_object_pool (AUDIOPOOL_FUZZ_OBJECT_POOL_SECONDS, default 30)
# from an empty corpus of its own, build/fuzz/corpus-object-pool-run; then
# fuzz/fuzz_cache (AUDIOPOOL_FUZZ_CACHE_SECONDS, default 20), the thread
# caches, from an empty corpus, build/fuzz/corpus-cache-run.
# A crash, sanitizer report or model mismatch fails the step; the input that
# did it is left in build/fuzz/ (crash-*).
# On its own: bash scripts/test.d/22-fuzz.sh (builds build/fuzz)
[ -n "${AUDIOPOOL_LIB_SOURCED:-}" ] || source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh" --step

fuzz_seconds="${AUDIOPOOL_FUZZ_SECONDS:-60}"
if setup_build build/fuzz "$AUDIOPOOL_CLANG" -Dmode=header -Dfuzz=enabled -Db_sanitize=address,undefined \
    -Db_lundef=false "-Dcpp_args=-fno-sanitize-recover=all" -Dtests=false -Dexamples=false -Dbench=disabled; then
  rm -rf build/fuzz/corpus-run
  mkdir -p build/fuzz/corpus-run
  fuzz_status=0
  build/fuzz/fuzz/fuzz_pool -max_total_time="$fuzz_seconds" -print_final_stats=1 -artifact_prefix=build/fuzz/ \
    build/fuzz/corpus-run fuzz/corpus >build/fuzz/fuzz.log 2>&1 || fuzz_status=1
  grep -E "^stat::(number_of_executed_units|new_units_added)" build/fuzz/fuzz.log || true
  echo "fuzz corpus: $(ls fuzz/corpus | wc -l) seeds, $(ls build/fuzz/corpus-run | wc -l) inputs after the run"
  [ "$fuzz_status" -eq 0 ] || tail -40 build/fuzz/fuzz.log
  count_result "fuzz_pool ($fuzz_seconds s, ASan+UBSan)" "$fuzz_status"

  object_pool_seconds="${AUDIOPOOL_FUZZ_OBJECT_POOL_SECONDS:-30}"
  rm -rf build/fuzz/corpus-object-pool-run
  mkdir -p build/fuzz/corpus-object-pool-run
  object_pool_status=0
  build/fuzz/fuzz/fuzz_object_pool -max_total_time="$object_pool_seconds" -print_final_stats=1 \
    -artifact_prefix=build/fuzz/object-pool- build/fuzz/corpus-object-pool-run \
    >build/fuzz/fuzz_object_pool.log 2>&1 || object_pool_status=1
  grep -E "^stat::(number_of_executed_units|new_units_added)" build/fuzz/fuzz_object_pool.log || true
  [ "$object_pool_status" -eq 0 ] || tail -40 build/fuzz/fuzz_object_pool.log
  count_result "fuzz_object_pool ($object_pool_seconds s, ASan+UBSan)" "$object_pool_status"

  cache_seconds="${AUDIOPOOL_FUZZ_CACHE_SECONDS:-20}"
  rm -rf build/fuzz/corpus-cache-run
  mkdir -p build/fuzz/corpus-cache-run
  cache_status=0
  build/fuzz/fuzz/fuzz_cache -max_total_time="$cache_seconds" -print_final_stats=1 \
    -artifact_prefix=build/fuzz/cache- build/fuzz/corpus-cache-run >build/fuzz/fuzz_cache.log 2>&1 || cache_status=1
  grep -E "^stat::(number_of_executed_units|new_units_added)" build/fuzz/fuzz_cache.log || true
  [ "$cache_status" -eq 0 ] || tail -40 build/fuzz/fuzz_cache.log
  count_result "fuzz_cache ($cache_seconds s, ASan+UBSan)" "$cache_status"
else
  count_result "fuzz_pool build" 1
fi
