#!/usr/bin/env bash
# End-to-end check of `busbar rules …`, `busbar buses …` and `busbar queues …`
# against a real `busbar serve` on a free loopback port (--listen 127.0.0.1:0;
# the port is read from the daemon's log): create, change and delete buses,
# rules and targets, events routed by them, queues created and configured,
# messages sent, received and batch-deleted, error messages and exit codes, a
# reload refused for a conflict with the API's resources, and persistence
# across a restart.
# Usage: cli_resources_test.sh BUSBAR
set -euo pipefail

busbar=$1
source "$(dirname "$0")/check_lib.sh"

cat >"$tmp/rules.yaml" <<'EOF'
EventBuses:
  - Name: orders
Queues:
  - Name: q
  - Name: other
Rules:
  - Name: file-rule
    EventBusName: orders
    EventPattern: {"source": ["file"]}
EOF

start() { start_daemon --config "$tmp/rules.yaml"; }

start
q_arn=arn:aws:sqs:us-east-1:000000000000:q

# --- buses
run "$busbar" buses create payments --description "money moves"
check "buses create prints the ARN" 0 "arn:aws:events:us-east-1:000000000000:event-bus/payments"
run "$busbar" buses describe payments
check "buses describe" 0 '"Name":"payments","Arn":"arn:aws:events:us-east-1:000000000000:event-bus/payments","Description":"money moves","CreationTime":"'
run "$busbar" buses list
if [ "$rc" -eq 0 ] && [ "$(cut -f1 "$tmp/out" | tr '\n' ' ')" = "default orders payments " ]; then
  pass "buses list: default, file and API buses in name order"
else
  fail "buses list: exit $rc; stdout: $out; stderr: $err"
fi
run "$busbar" buses create payments
check "buses create existing: exit 1 with the daemon's message" 1 "" \
  "ResourceAlreadyExistsException: Event bus payments already exists."
run "$busbar" buses delete orders
check "buses delete of a file bus is refused" 1 "" \
  "ValidationException: Event bus orders is declared in rule file $tmp/rules.yaml:2:11; change it there."
run "$busbar" buses create
check "buses create without NAME: usage error" 2 "" "busbar buses: create takes one bus NAME"

# --- rules
run "$busbar" rules put --name pay --bus payments --pattern '{"source":["shop"]}' \
  --description "shop events"
check "rules put prints the ARN" 0 "arn:aws:events:us-east-1:000000000000:rule/payments/pay"
echo '{"source": ["file"], "detail-type": ["x"]}' >"$tmp/pattern.json"
run "$busbar" rules put --name from-file --pattern "@$tmp/pattern.json" --state DISABLED
check "rules put --pattern @FILE" 0 "rule/from-file"
run "$busbar" rules describe from-file
check "rules describe" 0 '"Name":"from-file","Arn":"arn:aws:events:us-east-1:000000000000:rule/from-file","EventBusName":"default","State":"DISABLED"'
run "$busbar" rules put --name bad --pattern '{"source":"shop"}'
check "rules put invalid pattern" 1 "" "InvalidEventPatternException: Event pattern is not valid."
run "$busbar" rules put --name r --bus nope --pattern '{"source":["a"]}'
check "rules put unknown bus" 1 "" "ResourceNotFoundException: Event bus nope does not exist."
run "$busbar" rules put --name r
check "rules put without --pattern: usage error" 2 "" "put takes --pattern"
run "$busbar" rules put --name r --pattern '{}' --state MAYBE
check "rules put bad --state: usage error" 2 "" "--state takes ENABLED or DISABLED"
run "$busbar" rules disable --name file-rule --bus orders
check "rules disable of a file rule is refused" 1 "" "is declared in rule file $tmp/rules.yaml:7:11"
run "$busbar" rules list --bus payments
check "rules list" 0 '"Name":"pay"'

# --- targets
run "$busbar" rules targets put --rule pay --bus payments --id to-q --arn "$q_arn"
check "rules targets put" 0
run "$busbar" rules targets put --rule pay --bus payments --id gone \
  --arn arn:aws:sqs:us-east-1:000000000000:gone
check "rules targets put: refused target printed, exit 1" 1 "" \
  "target gone: ResourceNotFoundException: queue 'gone' does not exist"
run "$busbar" rules targets put --rule pay --bus payments --id both --arn "$q_arn" \
  --input '{}' --input-path '$.detail'
check "rules targets put: Input and InputPath" 1 "" \
  "target both: ValidationException: Input and InputPath are mutually exclusive"
run "$busbar" rules targets put --rule pay --bus payments --id shaped \
  --arn arn:aws:sqs:us-east-1:000000000000:other --input-path '$.detail'
check "rules targets put --input-path" 0
run "$busbar" rules targets list --rule pay --bus payments
if [ "$rc" -eq 0 ] && [ "$(grep -c '' "$tmp/out")" -eq 2 ] &&
  [ "$(sed -n 1p "$tmp/out")" = '{"Id":"shaped","Arn":"arn:aws:sqs:us-east-1:000000000000:other","InputPath":"$.detail"}' ] &&
  [ "$(sed -n 2p "$tmp/out")" = "{\"Id\":\"to-q\",\"Arn\":\"$q_arn\"}" ]; then
  pass "rules targets list: one JSON line per target, in id order"
else
  fail "rules targets list: exit $rc; stdout: $out; stderr: $err"
fi

# --- events go where the API's rules say
run "$busbar" put-events --source shop --detail-type T --detail '{"n":1}' --event-bus-name payments
check "put-events to the API bus" 0
run "$busbar" queues receive q --delete
check "the API rule's queue target got the event" 0 '\"detail\":{\"n\":1}'
run "$busbar" rules disable --name pay --bus payments
check "rules disable" 0
run "$busbar" put-events --source shop --detail-type T --detail '{"n":2}' --event-bus-name payments
run "$busbar" queues receive q
if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
  pass "a disabled rule routes nothing"
else
  fail "a disabled rule routes nothing: exit $rc; stdout: $out; stderr: $err"
fi
run "$busbar" rules enable pay --bus payments
check "rules enable NAME" 0

# --- deleting needs an empty rule and an empty bus
run "$busbar" rules delete --name pay --bus payments
check "rules delete with targets is refused" 1 "" "Rule can't be deleted since it has targets."
run "$busbar" buses delete payments
check "buses delete with rules is refused" 1 "" "Event bus payments still has 1 rule(s)"
run "$busbar" rules targets remove --rule pay --bus payments --id to-q shaped missing
check "rules targets remove: the unknown id is reported" 1 "" \
  "target missing: ResourceNotFoundException: Rule pay has no target with Id missing."
run "$busbar" rules delete --name pay --bus payments
check "rules delete" 0
run "$busbar" buses delete payments
check "buses delete" 0
run "$busbar" buses describe payments
check "buses describe deleted bus" 1 "" "ResourceNotFoundException: Event bus payments does not exist."

# --- queues: create, attributes, set-attributes, send, receive --delete
run "$busbar" queues create jobs --attribute VisibilityTimeout=60
check "queues create prints the URL" 0 "http://$endpoint/000000000000/jobs"
run "$busbar" queues create jobs --attribute VisibilityTimeout=60
check "queues create again with the same attributes" 0 "http://$endpoint/000000000000/jobs"
run "$busbar" queues create jobs --attribute VisibilityTimeout=61
check "queues create with other attributes: QueueNameExists" 1 "" \
  "QueueNameExists: queue 'jobs' already exists with different attributes"
run "$busbar" queues create other-jobs --attribute DelaySeconds=5
check "queues create unknown attribute: InvalidAttributeName" 1 "" \
  "InvalidAttributeName: unknown attribute 'DelaySeconds'"
run "$busbar" queues create other-jobs --attribute VisibilityTimeout
check "queues create --attribute without '=': usage error" 2 "" "--attribute takes NAME=VALUE"
run "$busbar" queues create
check "queues create without NAME: usage error" 2 "" "create takes one queue NAME"
run "$busbar" queues create jobs-dlq
check "queues create the dead-letter queue" 0 "/jobs-dlq"
run "$busbar" queues attributes jobs
json_check "queues attributes prints every attribute as a JSON object" \
  'sorted(v) == ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "CreatedTimestamp", "LastModifiedTimestamp", "MessageRetentionPeriod", "QueueArn", "ReceiveMessageWaitTimeSeconds", "VisibilityTimeout"] and v["VisibilityTimeout"] == "60" and v["QueueArn"] == "arn:aws:sqs:us-east-1:000000000000:jobs" and v["ApproximateNumberOfMessages"] == "0"'
run "$busbar" queues set-attributes jobs --attribute VisibilityTimeout=5 \
  --attribute 'RedrivePolicy={"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:jobs-dlq","maxReceiveCount":3}'
check "queues set-attributes" 0
run "$busbar" queues attributes jobs
json_check "queues attributes shows the changes, the rest kept" \
  'v["VisibilityTimeout"] == "5" and v["MessageRetentionPeriod"] == "345600" and json.loads(v["RedrivePolicy"]) == {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:jobs-dlq", "maxReceiveCount": 3}'
run "$busbar" queues set-attributes jobs --attribute VisibilityTimeout=7 \
  --attribute ReceiveMessageWaitTimeSeconds=21
check "queues set-attributes out of range: InvalidAttributeValue" 1 "" \
  "InvalidAttributeValue: ReceiveMessageWaitTimeSeconds must be between 0 and 20, got 21"
run "$busbar" queues set-attributes jobs --attribute QueueArn=x
check "queues set-attributes read-only: InvalidAttributeName" 1 "" \
  "InvalidAttributeName: attribute QueueArn is read-only"
run "$busbar" queues attributes jobs
json_check "a refused set-attributes changed nothing" 'v["VisibilityTimeout"] == "5"'
run "$busbar" queues set-attributes jobs
check "queues set-attributes without --attribute: usage error" 2 "" \
  "set-attributes takes one queue NAME and --attribute NAME=VALUE..."
run "$busbar" queues attributes ghost
check "queues attributes of a missing queue" 1 "" \
  "QueueDoesNotExist: The specified queue ghost does not exist."

run "$busbar" queues send jobs 'first job'
if [ "$rc" -eq 0 ] && [[ "$out" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]]; then
  pass "queues send prints the message id"
else
  fail "queues send: exit $rc; stdout: $out; stderr: $err"
fi
first_id=$out
printf '{"from": "file"}' >"$tmp/body.json"
run "$busbar" queues send jobs "@$tmp/body.json"
check "queues send @FILE" 0
for i in $(seq 3 12); do "$busbar" queues send jobs "job $i" >/dev/null; done
run "$busbar" queues send jobs ''
check "queues send empty body: InvalidMessageContents" 1 "" \
  "InvalidMessageContents: message body must be 1 to 262144 bytes, got 0"
run "$busbar" queues send jobs "$(printf 'bell\a')"
check "queues send a refused character: InvalidMessageContents" 1 "" \
  "InvalidMessageContents: message body has character U+0007 at byte 4"
run "$busbar" queues send ghost x
check "queues send to a missing queue" 1 "" "QueueDoesNotExist: The specified queue ghost does not exist."
run "$busbar" queues send jobs
check "queues send without BODY: usage error" 2 "" "send takes NAME BODY"
run "$busbar" queues attributes jobs
json_check "twelve messages sent" 'v["ApproximateNumberOfMessages"] == "12"'

run "$busbar" queues receive jobs --max 10 --delete
if [ "$rc" -eq 0 ] && [ "$(grep -c '' "$tmp/out")" -eq 10 ] &&
  python3 -c 'import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines[0]["MessageId"] == sys.argv[2] and lines[0]["Body"] == "first job", lines[0]
assert lines[1]["Body"] == "{\"from\": \"file\"}", lines[1]
assert all(l["Attributes"]["ApproximateReceiveCount"] == "1" and "SentTimestamp" in l["Attributes"] for l in lines)' "$tmp/out" "$first_id"; then
  pass "queues receive --max 10 --delete prints ten messages in send order"
else
  fail "queues receive --delete: exit $rc; stdout: $out; stderr: $err"
fi
run "$busbar" queues attributes jobs
json_check "receive --delete deleted the ten it printed" \
  'v["ApproximateNumberOfMessages"] == "2" and v["ApproximateNumberOfMessagesNotVisible"] == "0"'
run "$busbar" queues receive jobs --delete
check "queues receive --delete the rest" 0 '"Body":"job 11"'
run "$busbar" queues attributes jobs
json_check "the queue is empty" \
  'v["ApproximateNumberOfMessages"] == "0" and v["ApproximateNumberOfMessagesNotVisible"] == "0"'
run "$busbar" queues receive jobs --delete
if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
  pass "queues receive --delete on an empty queue prints nothing"
else
  fail "queues receive --delete on an empty queue: exit $rc; stdout: $out; stderr: $err"
fi
run "$busbar" queues list jobs
if [ "$rc" -eq 0 ] && [ "$(tr '\n' ' ' <"$tmp/out")" = "http://$endpoint/000000000000/jobs http://$endpoint/000000000000/jobs-dlq " ]; then
  pass "queues list PREFIX"
else
  fail "queues list PREFIX: exit $rc; stdout: $out; stderr: $err"
fi

# --- a reload that collides with the API is refused; the API's rules stay
cp "$tmp/rules.yaml" "$tmp/rules.good"
printf '  - Name: from-file\n    EventPattern: {"source": ["x"]}\n' >>"$tmp/rules.yaml"
kill -HUP "$pid"
for _ in $(seq 50); do grep -q "reload rejected" "$tmp/log" && break; sleep 0.1; done
if grep -q "reload rejected, previous rules kept: .*rules.yaml:10:11: rule 'from-file' on event bus 'default' is declared in this rule file but was created over the API" "$tmp/log"; then
  pass "SIGHUP with a conflicting rule file is rejected"
else
  fail "SIGHUP conflict: log: $(cat "$tmp/log")"
fi
cp "$tmp/rules.good" "$tmp/rules.yaml"

# --- API resources survive a restart
stop
start
run "$busbar" rules describe from-file
check "an API rule survives a restart" 0 '"State":"DISABLED"'
run "$busbar" rules list
check "rules list after restart: file and API rules" 0 '"Name":"from-file"'
run "$busbar" queues attributes jobs
json_check "an API queue keeps its attributes across a restart" \
  'v["VisibilityTimeout"] == "5" and "jobs-dlq" in v["RedrivePolicy"]'

# --- help
run "$busbar" help rules
check "help rules shows the targets commands" 0 "busbar rules targets put --rule R"
run "$busbar" help queues
check "help queues shows the new commands" 0 "busbar queues set-attributes NAME --attribute NAME=VALUE..."
run "$busbar" help
check "help lists the commands" 0 "create, delete, describe or list event buses"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
