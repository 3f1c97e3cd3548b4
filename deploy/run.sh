#!/usr/bin/env bash
# Installs the dependencies, builds `busbar` (Release) in build/ and runs it.
# Until the daemon (`busbar serve`) exists, this matches the example events in
# deploy/examples against the example patterns and prints one line per event.
# Usage: ./deploy/run.sh
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jobs=${BUSBAR_JOBS:-2}

./deploy/install-deps.sh >&2
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >&2
cmake --build build -j"$jobs" --target busbar >&2

busbar=build/bus/busbar
[ -x "$busbar" ] || busbar=build/busbar
echo "\$ busbar match --patterns deploy/examples/patterns.json deploy/examples/events.jsonl" >&2
exec "$busbar" match --patterns deploy/examples/patterns.json deploy/examples/events.jsonl
