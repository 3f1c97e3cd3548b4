#!/usr/bin/env bash
# Builds the libFuzzer targets in build-fuzz/ (clang, ASan + UBSan + coverage) and
# runs each for DURATION seconds (default 60) on a copy of its seed corpus.
# Fails if any target crashes, leaks, hits a sanitizer report or times out.
# Usage: tests/fuzz/run.sh [DURATION] [BUILD_DIR]
set -euo pipefail

duration=${1:-60}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${2:-$root/build-fuzz}
jobs=${BUSBAR_JOBS:-2}

mkdir -p "$build"
cmake -S "$root" -B "$build" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
  -DBUSBAR_FUZZ=ON >"$build/configure.log" 2>&1 || { cat "$build/configure.log"; exit 1; }
cmake --build "$build" -j"$jobs" --target fuzz_pattern_parser fuzz_flattener fuzz_registry_document \
  fuzz_input_template

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

status=0
for target in fuzz_pattern_parser:pattern fuzz_flattener:event fuzz_registry_document:registry \
    fuzz_input_template:input; do
  name=${target%%:*}
  seeds=$root/tests/fuzz/corpus/${target##*:}
  work=$build/fuzz-work/$name
  rm -rf "$work" && mkdir -p "$work/corpus" "$work/artifacts"
  cp "$seeds"/* "$work/corpus/"
  echo "--- $name: ${duration}s"
  if "$build/tests/fuzz/$name" "$work/corpus" \
      -max_total_time="$duration" -max_len=65536 -timeout=25 -rss_limit_mb=4096 \
      -print_final_stats=1 -artifact_prefix="$work/artifacts/" >"$work/log" 2>&1; then
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)' "$work/log" || true
    echo "--- $name: ok"
  else
    status=1
    tail -n 60 "$work/log"
    echo "--- $name: FAILED (artifacts in $work/artifacts)"
  fi
done
exit "$status"
