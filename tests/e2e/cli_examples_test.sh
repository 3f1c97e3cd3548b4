#!/usr/bin/env bash
# End-to-end check of the `busbar` CLI on deploy/examples.
# Usage: cli_examples_test.sh BUSBAR EXAMPLES_DIR
set -euo pipefail

busbar=$1
examples=$2
source "$(dirname "$0")/check_lib.sh"

# --- busbar match on the examples: exit 0, one output line per non-empty event line.
run "$busbar" match --patterns "$examples/patterns.json" "$examples/events.jsonl"
want_lines=$(grep -c -v '^[[:space:]]*$' "$examples/events.jsonl" || true)
got_lines=$(grep -c '' "$tmp/out" || true)
cp "$tmp/out" "$tmp/lines"
if [ "$rc" -eq 0 ] && [ "$got_lines" -eq "$want_lines" ] && [ "$want_lines" -gt 0 ]; then
  pass "match examples: $got_lines output lines for $want_lines events"
else
  fail "match examples: exit $rc, $got_lines output lines for $want_lines events; stderr: $err"
fi

# --- every output line is a JSON array of rule names from patterns.json, some non-empty,
#     and --count agrees with the per-event output rule by rule.
run "$busbar" match --patterns "$examples/patterns.json" --count "$examples/events.jsonl"
counts=$out
if [ "$rc" -eq 0 ] && python3 - "$examples/patterns.json" "$tmp/lines" "$counts" <<'PY'
import collections, json, sys
names = list(json.load(open(sys.argv[1])))
seen = collections.Counter()
for line in open(sys.argv[2]):
    arr = json.loads(line)
    assert isinstance(arr, list) and all(n in names for n in arr), line
    assert arr == sorted(arr, key=lambda n: n.encode()), line
    seen.update(arr)
assert sum(seen.values()) > 0, "no event matched any rule"
counted = [tuple(l.rsplit("\t", 1)) for l in sys.argv[3].splitlines()]
assert [n for n, _ in counted] == names, counted
for n, c in counted:
    assert int(c) == seen[n], (n, c, seen[n])
PY
then
  pass "match examples: names valid and sorted, --count agrees"
else
  fail "match examples: output or --count inconsistent (exit $rc)"
fi

# --- the same events from standard input give the same output.
expected=$(cat "$tmp/lines")
rc=0
out=$("$busbar" match --patterns "$examples/patterns.json" <"$examples/events.jsonl" 2>"$tmp/err") || rc=$?
if [ "$rc" -eq 0 ] && [ "$out" = "$expected" ]; then
  pass "match examples from stdin"
else
  fail "match examples from stdin: exit $rc; stderr: $(cat "$tmp/err")"
fi

# --- a malformed line: exit 1, its output line is an error object, the others still match.
printf '%s\n' '{"source":"a"}' '{"source": "a", ' '{"source":"b"}' >"$tmp/events.jsonl"
printf '%s\n' '{"r1": {"source": ["a"]}}' >"$tmp/patterns.json"
run "$busbar" match --patterns "$tmp/patterns.json" "$tmp/events.jsonl"
line1=$(sed -n 1p "$tmp/out")
line2=$(sed -n 2p "$tmp/out")
line3=$(sed -n 3p "$tmp/out")
if [ "$rc" -eq 1 ] && [ "$(grep -c '' "$tmp/out")" -eq 3 ] && [ "$line1" = '["r1"]' ] &&
  [[ "$line2" == '{"error":'* ]] && [ "$line3" = '[]' ]; then
  pass "match malformed line: exit 1, error line in place"
else
  fail "match malformed line: exit $rc; stdout: $out; stderr: $err"
fi

# --- test-pattern: true -> exit 0 "true"; false -> exit 1; invalid pattern -> exit 2.
run "$busbar" test-pattern '{"source":["aws.ec2"],"detail":{"n":[{"numeric":[">",1]}]}}' \
  '{"source":"aws.ec2","detail":{"n":2}}'
if [ "$rc" -eq 0 ] && [ "$out" = "true" ]; then
  pass "test-pattern true"
else
  fail "test-pattern true: exit $rc, stdout '$out', stderr '$err'"
fi

run "$busbar" test-pattern '{"source":["aws.ec2"]}' '{"source":"aws.s3"}'
if [ "$rc" -eq 1 ] && [ "$out" = "false" ]; then
  pass "test-pattern false"
else
  fail "test-pattern false: exit $rc, stdout '$out', stderr '$err'"
fi

run "$busbar" test-pattern '{"source":"aws.ec2"}' '{"source":"aws.ec2"}'
if [ "$rc" -eq 2 ] && [[ "$err" == "Event pattern is not valid. Reason:"* ]]; then
  pass "test-pattern invalid pattern"
else
  fail "test-pattern invalid pattern: exit $rc, stderr '$err'"
fi

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
