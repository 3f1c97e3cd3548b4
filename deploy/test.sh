#!/usr/bin/env bash
# The test command: installs the dependencies, builds (Release) in build/ and runs
# the whole ctest suite (unit, integration and e2e tiers).
# Usage: ./deploy/test.sh [extra ctest args, e.g. -L unit]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jobs=${BUSBAR_JOBS:-2}

./deploy/install-deps.sh
# Ninja for a new build tree; an existing one keeps the generator it was made with.
generator=()
[ -f build/CMakeCache.txt ] || generator=(-G Ninja)
cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$jobs"
# Twice the cores: most e2e and integration tests wait on sockets and processes.
ctest --test-dir build --output-on-failure -j"$((jobs * 2))" "$@"
