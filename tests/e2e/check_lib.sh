# Sourced by the e2e scripts that drive `busbar` (cli_examples, cli_resources, cli_schemas):
# a temp directory removed on exit (stopping a daemon still running), pass/fail counters, and
# helpers to run a command and check its exit code and output. The sourcing script sets
# `busbar` first and ends by reporting $passes and $failures.

tmp=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

failures=0
passes=0
pass() { passes=$((passes + 1)); echo "ok   $1"; }
fail() { failures=$((failures + 1)); echo "FAIL $1"; }

# Runs "$@", storing stdout, stderr and the exit code in out, err and rc.
run() {
  rc=0
  "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  out=$(cat "$tmp/out")
  err=$(cat "$tmp/err")
}

# json_check NAME PYTHON_EXPR: the last run exited 0 and printed one JSON value `v` for
# which PYTHON_EXPR is true.
json_check() {
  if [ "$rc" -eq 0 ] && python3 -c 'import json, sys; v = json.loads(sys.argv[1]); sys.exit(0 if ('"$2"') else 1)' "$out"; then
    pass "$1"
  else
    fail "$1: exit $rc; stdout: $out; stderr: $err"
  fi
}

# check NAME WANT_RC [PATTERN_IN_STDOUT [PATTERN_IN_STDERR]]: the last run's exit code is
# WANT_RC and the outputs contain the (fixed-string) patterns.
check() {
  local name=$1 want=$2 in_out=${3:-} in_err=${4:-}
  if [ "$rc" -eq "$want" ] && [[ "$out" == *"$in_out"* ]] && [[ "$err" == *"$in_err"* ]]; then
    pass "$name"
  else
    fail "$name: exit $rc (want $want); stdout: $out; stderr: $err"
  fi
}

# start_daemon [SERVE_ARGS...]: `busbar serve` on a free loopback port (--listen
# 127.0.0.1:0, the port read from its log) with its data in $tmp/data; sets pid, endpoint
# and BUSBAR_ENDPOINT for every later call.
start_daemon() {
  : >"$tmp/log"
  "$busbar" serve --listen 127.0.0.1:0 --data-dir "$tmp/data" "$@" 2>>"$tmp/log" &
  pid=$!
  local port=
  for _ in $(seq 100); do
    port=$(sed -n 's/.*serving on [^ ]* (port \([0-9]*\)).*/\1/p' "$tmp/log")
    [ -n "$port" ] && break
    sleep 0.1
  done
  if [ -z "$port" ]; then
    echo "daemon did not start:"; cat "$tmp/log"; exit 1
  fi
  export BUSBAR_ENDPOINT=127.0.0.1:$port
  endpoint=127.0.0.1:$port
}

# stop: SIGTERM to the daemon, waiting for it to exit.
stop() {
  kill -TERM "$pid"
  wait "$pid" || true
  pid=
}
