#!/usr/bin/env bash
# Installs the dependencies, builds `busbar` (Release) in build/, shows
# `busbar match` on the example events, then runs the daemon in the foreground
# on 127.0.0.1:4195 with the example rules (deploy/examples/rules.yaml) and its
# data in ./busbar-data. Stop it with Ctrl-C.
# Usage: ./deploy/run.sh [extra `busbar serve` options]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jobs=${BUSBAR_JOBS:-2}

./deploy/install-deps.sh >&2
# Ninja for a new build tree; an existing one keeps the generator it was made with.
generator=()
[ -f build/CMakeCache.txt ] || generator=(-G Ninja)
cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=Release >&2
cmake --build build -j"$jobs" --target busbar >&2

busbar=build/bus/busbar
echo "\$ busbar match --patterns deploy/examples/patterns.json deploy/examples/events.jsonl" >&2
"$busbar" match --patterns deploy/examples/patterns.json deploy/examples/events.jsonl
echo "\$ busbar serve --config deploy/examples/rules.yaml" >&2
exec "$busbar" serve --config deploy/examples/rules.yaml "$@"
