#!/usr/bin/env bash
# Benchmarks: builds Release in build-bench/, generates the CityLots data into
# build-bench/citylots once, then prints the CityLots table and the EXACT scaling
# figures. Figures only: nothing here fails on speed.
# Usage: tests/bench/run.sh [extra args for citylots_bench.py, e.g. --threads 1,2 --repeat 3]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$root/build-bench
bench=$root/tests/bench
jobs=${BUSBAR_JOBS:-2}

echo "=== build (Release) in $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUSBAR_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target busbar

echo "=== data"
python3 - "$bench" "$build/citylots" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import citylots_common
path = citylots_common.ensure_data(sys.argv[1] + "/citylots/gen_citylots.py", sys.argv[2])
print(citylots_common.decompressed(path))
PY

data=$build/citylots/citylots2.synthetic.json
busbar=$build/bus/busbar
[ -x "$busbar" ] || busbar=$build/busbar
echo "=== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "=== CityLots rule sets"
python3 "$bench/citylots_bench.py" "$busbar" "$bench/citylots/rulesets.json" "$data" "$@"
echo "=== EXACT rule count scaling"
python3 "$bench/exact_scaling.py" "$busbar" "$data"
