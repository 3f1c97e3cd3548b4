#!/usr/bin/env bash
# End-to-end: SIGHUP reloads the rule files of a running `busbar serve`; an invalid file is
# rejected whole (logged with file, line and reason) and the running rules keep serving; a
# valid one takes effect for the next events.
# Usage: reload_test.sh BUSBAR
set -euo pipefail

busbar=$1
tmp=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

failures=0
pass() { echo "ok   $1"; }
fail() {
  failures=$((failures + 1))
  echo "FAIL $1"
}

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export BUSBAR_ENDPOINT=127.0.0.1:$port
rules=$tmp/rules.yaml

# Rules routing source "shop" to queue $1 (both queues always declared).
write_rules() {
  cat >"$rules" <<EOF
Queues:
  - Name: first
  - Name: second
Rules:
  - Name: shop
    EventPattern: {"source": ["shop"]}
    Targets:
      - Id: q
        Arn: arn:aws:sqs:us-east-1:000000000000:$1
EOF
}

# Puts one event with detail {"n": $1}; prints nothing, fails the test on error.
put() {
  "$busbar" put-events --source shop --detail-type t --detail "{\"n\": $1}" >/dev/null
}

# Prints the details of the messages received (and deleted) from queue $1, one per line.
received() {
  "$busbar" queues receive "$1" --max 10 --wait 1 --delete |
    python3 -c 'import json, sys
for line in sys.stdin:
    print(json.dumps(json.loads(json.loads(line)["Body"])["detail"], sort_keys=True))'
}

write_rules first
"$busbar" serve --listen "127.0.0.1:$port" --data-dir "$tmp/data" --config "$rules" \
  2>"$tmp/log" &
pid=$!
for _ in $(seq 100); do
  if "$busbar" queues list >/dev/null 2>&1; then break; fi
  sleep 0.1
done

put 1
got=$(received first)
if [ "$got" = '{"n": 1}' ]; then pass "serving: event 1 in queue first"; else fail "serving: got '$got'"; fi

# An invalid rule file: rejected with file:line:col, the old rules stay.
cat >"$rules" <<'EOF'
Queues:
  - Name: first
Rules:
  - Name: shop
    EventPattern: {"source": [{"prefix": 5}]}
EOF
kill -HUP "$pid"
for _ in $(seq 50); do
  if grep -q "reload rejected" "$tmp/log"; then break; fi
  sleep 0.1
done
if grep -q "reload rejected, previous rules kept: .*rules.yaml:5:" "$tmp/log"; then
  pass "invalid reload rejected with file and line"
else
  fail "invalid reload: log was: $(cat "$tmp/log")"
fi
put 2
got=$(received first)
if [ "$got" = '{"n": 2}' ]; then
  pass "old rules still serve after the rejected reload"
else
  fail "after rejected reload: got '$got'"
fi
if kill -0 "$pid" 2>/dev/null; then pass "daemon still up"; else fail "daemon died"; fi

# A valid new file: the next event goes to the other queue.
write_rules second
kill -HUP "$pid"
for _ in $(seq 50); do
  if grep -q "rule files reloaded" "$tmp/log"; then break; fi
  sleep 0.1
done
put 3
got_second=$(received second)
got_first=$(received first)
if [ "$got_second" = '{"n": 3}' ] && [ -z "$got_first" ]; then
  pass "valid reload routes the next event to queue second"
else
  fail "after valid reload: second='$got_second' first='$got_first'"
fi

kill -TERM "$pid"
wait "$pid" || true
pid=
if grep -q 'msg="stopped' "$tmp/log"; then pass "SIGTERM stops cleanly"; else fail "no stop line"; fi

echo "reload_test: $failures failure(s)"
[ "$failures" -eq 0 ]
