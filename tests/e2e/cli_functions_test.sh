#!/usr/bin/env bash
# End-to-end check of `busbar functions …` against a real `busbar serve` on a free loopback
# port, with a rule file declaring two Python functions (tests/testdata/functions/runtime.py:
# echo and error) and a bash + curl bootstrap function that a rule targets: list, invoke
# (payload, function error, --log), logs (START / END / REPORT, Init Duration once), create,
# update and delete over the CLI (and their refusals), an event put with `busbar put-events`
# whose invocation record reaches the function's OnSuccess queue (`queues receive`), and
# `rules metrics`. Deliveries are asynchronous, so the script polls (at most ~60 s) for what
# it expects to appear.
# Usage: cli_functions_test.sh BUSBAR [PYTHON3]
set -euo pipefail

busbar=$1
python=${2:-python3}
source "$(dirname "$0")/check_lib.sh"
code=$(cd "$(dirname "$0")/../testdata/functions" && pwd)
fn_arn=arn:aws:lambda:us-east-1:000000000000:function
queue_arn=arn:aws:sqs:us-east-1:000000000000

# lines_check NAME PYTHON_EXPR: the last run exited 0 and every stdout line is JSON; `v` is
# the list of them.
lines_check() {
  if [ "$rc" -eq 0 ] && python3 -c 'import json, sys; v = [json.loads(l) for l in sys.argv[1].splitlines()]; sys.exit(0 if ('"$2"') else 1)' "$out"; then
    pass "$1"
  else
    fail "$1: exit $rc; stdout: $out; stderr: $err"
  fi
}

cat >"$tmp/rules.yaml" <<EOF
Queues:
  - Name: results
Functions:
  - FunctionName: py-echo
    Command: [$python, runtime.py]
    CodeDirectory: $code
    Handler: echo
    Timeout: 30
  - FunctionName: py-error
    Command: [$python, runtime.py]
    CodeDirectory: $code
    Handler: error
    Timeout: 30
  - FunctionName: sh-echo
    Command: [./bootstrap]
    CodeDirectory: $code
    Timeout: 30
    MaximumRetryAttempts: 0
    DestinationConfig: {OnSuccess: {Destination: "$queue_arn:results"}}
Rules:
  - Name: to-sh
    EventPattern: {"source": ["cli"]}
    Targets:
      - Id: fn
        Arn: $fn_arn:sh-echo
EOF

start_daemon --config "$tmp/rules.yaml"

# --- list and describe
run "$busbar" functions list
lines_check "functions list: one JSON line per declared function, by name" \
  '[f["FunctionName"] for f in v] == ["py-echo", "py-error", "sh-echo"] and all("rules.yaml:" in f["DeclaredIn"] for f in v) and v[2]["OnSuccess"] == "'"$queue_arn"':results"'
run "$busbar" functions describe py-echo
json_check "functions describe: configuration and counters" \
  'v["Handler"] == "echo" and v["Timeout"] == 30 and v["MemorySize"] == 128 and v["Invocations"] == 0 and v["FunctionArn"] == "'"$fn_arn"':py-echo"'

# --- invoke
run "$busbar" functions invoke py-echo --payload '{"a": [1, 2]}'
json_check "functions invoke: status 200, the handler's answer, a cold start" \
  'v["StatusCode"] == 200 and json.loads(v["Payload"])["event"] == {"a": [1, 2]} and v["ColdStart"] is True and "FunctionError" not in v'
run "$busbar" functions invoke py-error
check "functions invoke of a failing handler exits 1 with FunctionError" 1 '"FunctionError":"Handled"'
if [[ "$out" == *'MyError'* ]]; then pass "the error document is the payload"; else fail "error payload: $out"; fi
run "$busbar" functions invoke py-echo --log --payload '{}'
check "functions invoke --log: the invocation's log lines on stderr" 0 '"ColdStart":false' \
  "START RequestId: "
if [[ "$err" == *"END RequestId: "* && "$err" == *"REPORT RequestId: "* ]]; then
  pass "invoke --log has END and REPORT"
else
  fail "invoke --log: stderr: $err"
fi
run "$busbar" functions invoke py-echo --invocation-type DryRun
json_check "functions invoke --invocation-type DryRun: 204" 'v["StatusCode"] == 204'
run "$busbar" functions invoke nope
check "functions invoke of an unknown function exits 1" 1 "" "ResourceNotFoundException"
run "$busbar" functions invoke py-echo --payload 'not json'
check "functions invoke with a payload that is not JSON exits 1" 1 "" "InvalidRequestContentException"

# --- logs: two invocations of py-echo, the first one cold
run "$busbar" functions logs py-echo
starts=$(grep -c "^START RequestId: " <<<"$out" || true)
ends=$(grep -c "^END RequestId: " <<<"$out" || true)
reports=$(grep -c "^REPORT RequestId: " <<<"$out" || true)
inits=$(grep -c "Init Duration: " <<<"$out" || true)
if [ "$rc" -eq 0 ] && [ "$starts" = 2 ] && [ "$ends" = 2 ] && [ "$reports" = 2 ] && [ "$inits" = 1 ]; then
  pass "functions logs: START / END / REPORT per invocation, Init Duration once"
else
  fail "functions logs: exit $rc, $starts START, $ends END, $reports REPORT, $inits Init Duration: $out"
fi
run "$busbar" functions logs nope
check "functions logs of an unknown function exits 1" 1 "" "ResourceNotFoundException"

# --- create, update, delete over the CLI
run "$busbar" functions create made --command "$python" --command runtime.py \
  --code-directory "$code" --handler echo --timeout 5 --env GREETING=hello
check "functions create prints the ARN" 0 "$fn_arn:made"
run "$busbar" functions create made --command "$python" --command runtime.py \
  --code-directory "$code"
check "functions create of an existing name exits 1" 1 "" "ResourceConflictException"
run "$busbar" functions create bad --command "$python" --code-directory "$code" --timeout 901
check "functions create with a bad Timeout names the field" 1 "" "Timeout"
run "$busbar" functions invoke made --payload '{"m": 1}'
json_check "the created function runs with its environment" \
  'json.loads(v["Payload"])["env"]["GREETING"] == "hello"'
run "$busbar" functions update made --command "$python" --command runtime.py \
  --code-directory "$code" --handler echo --timeout 9
check "functions update" 0 "$fn_arn:made"
run "$busbar" functions describe made
json_check "the update replaced every field" \
  'v["Timeout"] == 9 and "DeclaredIn" not in v and v["Invocations"] >= 1'
run "$busbar" functions update py-echo --command "$python" --code-directory "$code"
check "functions update of a rule-file function exits 1" 1 "" "declared in rule file"
run "$busbar" functions delete py-echo
check "functions delete of a rule-file function exits 1" 1 "" "declared in rule file"
run "$busbar" functions delete made
check "functions delete" 0
run "$busbar" functions describe made
check "a deleted function is gone" 1 "" "ResourceNotFoundException"

# --- a rule target: put-events -> sh-echo -> its OnSuccess queue
run "$busbar" put-events --source cli --detail-type T --detail '{"n": 3}'
check "put-events to the function's rule" 0
record=
for _ in $(seq 60); do
  run "$busbar" queues receive results --wait 1 --delete
  if [ "$rc" -eq 0 ] && [ -n "$out" ]; then record=$out; break; fi
done
out=$record
rc=0
json_check "the OnSuccess queue gets Lambda's record of the bash function's answer" \
  '(r := json.loads(v["Body"]))["requestContext"]["condition"] == "Success" and r["requestContext"]["approximateInvokeCount"] == 1 and r["requestPayload"]["detail"] == {"n": 3} and r["responsePayload"]["event"] == r["requestPayload"]'
for _ in $(seq 100); do
  run "$busbar" rules metrics to-sh
  if [[ "$out" == *'"Invocations":1'* ]]; then break; fi
  sleep 0.1
done
json_check "rules metrics: the rule matched once and its function target was invoked once" \
  'v["MatchedEvents"] == 1 and v["Targets"][0]["Id"] == "fn" and v["Targets"][0]["Invocations"] == 1 and v["Targets"][0]["FailedInvocations"] == 0'

stop
echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
