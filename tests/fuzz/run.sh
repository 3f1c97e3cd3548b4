#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan + coverage) and runs each for DURATION
# seconds (default 60) on a copy of its seed corpus, BUSBAR_JOBS (default 2) at a time.
# Fails if any target crashes, leaks, hits a sanitizer report or times out.
# BUILD_DIR (default build-fuzz/) is configured for fuzzing unless it already is (CI passes its
# sanitizer build, configured with BUSBAR_SANITIZE=ON and BUSBAR_FUZZ=ON, which has them).
# Usage: tests/fuzz/run.sh [DURATION] [BUILD_DIR]
set -euo pipefail

duration=${1:-60}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${2:-$root/build-fuzz}
jobs=${BUSBAR_JOBS:-2}
targets=(fuzz_pattern_parser:pattern fuzz_flattener:event fuzz_registry_document:registry
  fuzz_input_template:input)

mkdir -p "$build"
if ! grep -q '^BUSBAR_FUZZ:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
  cmake -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
    -DBUSBAR_FUZZ=ON >"$build/configure.log" 2>&1 || { cat "$build/configure.log"; exit 1; }
fi
cmake --build "$build" -j"$jobs" --target "${targets[@]%%:*}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Runs one target; its output goes to its work dir's log.
run_one() {
  local name=${1%%:*} seeds=$root/tests/fuzz/corpus/${1##*:}
  local work=$build/fuzz-work/$name
  rm -rf "$work" && mkdir -p "$work/corpus" "$work/artifacts"
  cp "$seeds"/* "$work/corpus/"
  "$build/tests/fuzz/$name" "$work/corpus" \
    -max_total_time="$duration" -max_len=65536 -timeout=25 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" >"$work/log" 2>&1
}

status=0
for ((i = 0; i < ${#targets[@]}; i += jobs)); do
  batch=("${targets[@]:i:jobs}")
  pids=()
  for target in "${batch[@]}"; do
    echo "--- ${target%%:*}: ${duration}s"
    run_one "$target" &
    pids+=($!)
  done
  for k in "${!batch[@]}"; do
    name=${batch[k]%%:*}
    work=$build/fuzz-work/$name
    if wait "${pids[k]}"; then
      grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)' "$work/log" || true
      echo "--- $name: ok"
    else
      status=1
      tail -n 60 "$work/log"
      echo "--- $name: FAILED (artifacts in $work/artifacts)"
    fi
  done
done
exit "$status"
