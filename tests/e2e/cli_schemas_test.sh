#!/usr/bin/env bash
# End-to-end check of `busbar schemas …` against a real `busbar serve` on a free loopback
# port (--listen 127.0.0.1:0; the port is read from the daemon's log): schemas discovered
# from events put with `busbar put-events` (two kinds of events whose shapes evolve: a field
# added, a field whose type changes), listed, described, versioned, diffed, searched,
# exported and inferred; a custom registry and schema created, updated, described and
# deleted; error messages and exit codes; a stopped discoverer discovers nothing; and
# persistence across a restart. Discovery is asynchronous, so the script polls (at most
# ~10 s) for what it expects to appear.
# Usage: cli_schemas_test.sh BUSBAR
set -euo pipefail

busbar=$1
source "$(dirname "$0")/check_lib.sh"

# check_lines NAME WANT: the last run exited 0 and its stdout is exactly WANT.
check_lines() {
  if [ "$rc" -eq 0 ] && [ "$out" = "$2" ]; then
    pass "$1"
  else
    fail "$1: exit $rc; stdout: $out; want: $2; stderr: $err"
  fi
}

start() { start_daemon; }

# versions_of NAME [REGISTRY]: prints the version count `schemas list` shows for NAME
# (nothing if it is not listed).
versions_of() {
  "$busbar" schemas list --registry "${2:-discovered-schemas}" --prefix "$1" 2>/dev/null |
    awk -F'\t' -v n="$1" '$1 == n { print $4 }'
}

# wait_versions NAME N: polls, at most ~10 s, until schema NAME has at least N versions.
wait_versions() {
  local count
  for _ in $(seq 100); do
    count=$(versions_of "$1")
    if [ -n "$count" ] && [ "$count" -ge "$2" ]; then return 0; fi
    sleep 0.1
  done
  return 1
}

# put SOURCE DETAIL_TYPE DETAIL [BUS]: one event; the test stops if it is refused.
put() {
  "$busbar" put-events --source "$1" --detail-type "$2" --detail "$3" \
    --event-bus-name "${4:-default}" >/dev/null
}

# expect_discovered NAME N: NAME reaches N versions (polled) — one pass or fail.
expect_discovered() {
  if wait_versions "$1" "$2"; then
    pass "discovered $1 with $2 version(s)"
  else
    fail "discovered $1 with $2 version(s): list shows '$(versions_of "$1")'; log: $(tail -5 "$tmp/log")"
  fi
}

orders=com.example.orders@OrderPlaced
parcels=com.example.shipping@ParcelShipped

start

# --- discovery: each event waits for the version the one before made, so that the two
# shapes are two versions however the daemon batches its discovery work.
put com.example.orders OrderPlaced '{"orderId": "o-1", "amount": 10, "items": [{"sku": "a", "qty": 1}]}'
expect_discovered "$orders" 1
put com.example.orders OrderPlaced '{"orderId": "o-2", "amount": 12, "items": [], "coupon": "SAVE5"}'
expect_discovered "$orders" 2
put com.example.shipping "Parcel Shipped" '{"parcelId": 17, "weight": 2.5}'
expect_discovered "$parcels" 1
put com.example.shipping "Parcel Shipped" '{"parcelId": "p-18", "weight": 3}'
expect_discovered "$parcels" 2
# A shape already seen makes no version (checked after the restart, when discovery is long done).
put com.example.orders OrderPlaced '{"orderId": "o-3", "amount": 1, "items": [], "coupon": "X"}'

run "$busbar" schemas list
check_lines "schemas list: name, latest version, type and count per line, in name order" \
  "$(printf '%s\t2\tOpenApi3\t2\n%s\t2\tOpenApi3\t2' "$orders" "$parcels")"
run "$busbar" schemas list --prefix com.example.ship
check_lines "schemas list --prefix" "$(printf '%s\t2\tOpenApi3\t2' "$parcels")"

# --- describe, versions, diff
run "$busbar" schemas describe "$orders"
json_check "describe prints the OpenAPI document with x-amazon-events-source" \
  'v["openapi"].startswith("3.0") and v["components"]["schemas"]["AWSEvent"]["x-amazon-events-source"] in ("com.example.orders", ["com.example.orders"]) and "coupon" in json.dumps(v)'
if [ "$(grep -c '' "$tmp/out")" -gt 1 ]; then
  pass "describe prints the document pretty, as stored"
else
  fail "describe prints the document pretty: $out"
fi
run "$busbar" schemas describe "$orders" --version 1
json_check "describe --version 1 is the first shape" \
  '"AWSEvent" in v["components"]["schemas"] and "coupon" not in json.dumps(v) and "orderId" in json.dumps(v)'
run "$busbar" schemas describe "$orders" --json
json_check "describe --json: metadata and Content" \
  'v["SchemaName"] == "com.example.orders@OrderPlaced" and v["SchemaArn"] == "arn:aws:schemas:us-east-1:000000000000:schema/discovered-schemas/com.example.orders@OrderPlaced" and v["SchemaVersion"] == "2" and v["Type"] == "OpenApi3" and v["VersionCount"] == 2 and v["LastModified"].endswith("Z") and v["VersionCreatedDate"][4] == "-" and "openapi" in json.loads(v["Content"])'
run "$busbar" schemas versions "$orders"
if [ "$rc" -eq 0 ] && [ "$(grep -c '' "$tmp/out")" -eq 2 ] &&
  [[ "$(sed -n 1p "$tmp/out")" =~ ^2$'\t'OpenApi3$'\t'[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]] &&
  [[ "$(sed -n 2p "$tmp/out")" == 1$'\t'OpenApi3$'\t'* ]]; then
  pass "versions: one line per version, newest first, RFC 3339 creation time"
else
  fail "versions: exit $rc; stdout: $out; stderr: $err"
fi
run "$busbar" schemas diff "$orders" --from 1
check "diff --from 1 shows the added field" 0 "$(printf 'added\tdetail.coupon\tstring')"
run "$busbar" schemas diff "$parcels" --from 1 --to 2
check "diff shows a field whose type changed int -> string" 0 \
  "$(printf 'type-changed\tdetail.parcelId\tinteger -> ')"
if [[ "$out" != *"detail.weight"* ]] && [[ "$out" == *"string"* ]]; then
  pass "diff: integer then number is no change for a number field; the new type has string"
else
  fail "diff of the parcels: $out"
fi
run "$busbar" schemas diff "$orders" --from 2
check_lines "diff of a version with itself is empty" ""

# --- search, export, infer
run "$busbar" schemas search coupon
check_lines "search finds a schema by a field name" "$(printf '%s\t2\tdetail.coupon' "$orders")"
run "$busbar" schemas search SHIPPING nothing-like-this
check "search by name, case-insensitively, any keyword" 0 "$(printf '%s\t2\t(name)' "$parcels")"
run "$busbar" schemas export "$orders" --type JSONSchemaDraft4
json_check "export --type JSONSchemaDraft4 has \$schema" \
  '"draft-04" in v["$schema"] and "coupon" in json.dumps(v)'
run "$busbar" schemas export "$parcels" --version 1 --type OpenApi3
json_check "export --version 1 --type OpenApi3" \
  'v["openapi"].startswith("3.0") and "integer" in json.dumps(v)'
run "$busbar" schemas infer '{"source": "s", "detail-type": "t", "detail": {"a": 1}}' \
  '{"source": "s", "detail-type": "t", "detail": {"a": 2, "b": "x"}}'
json_check "infer on two events prints an OpenAPI document with both fields" \
  'v["openapi"].startswith("3.0") and "\"b\"" in json.dumps(v) and "\"a\"" in json.dumps(v)'
printf '{"detail": {"n": 1}}\n\n{"detail": {"n": 2.5}}\n' >"$tmp/events.jsonl"
echo '{"detail": {"when": "2024-01-02T03:04:05Z"}}' >"$tmp/event.json"
rc=0
"$busbar" schemas infer --type JSONSchemaDraft4 - "@$tmp/event.json" <"$tmp/events.jsonl" \
  >"$tmp/out" 2>"$tmp/err" || rc=$?
out=$(cat "$tmp/out")
err=$(cat "$tmp/err")
json_check "infer --type JSONSchemaDraft4 with - (stdin lines) and @FILE" \
  '"draft-04" in v["$schema"] and "date-time" in json.dumps(v) and "\"number\"" in json.dumps(v)'
run "$busbar" schemas infer '{"a": 1}' 'not json'
check "infer of invalid JSON: BadRequestException naming the event" 1 "" "events[1]"

# --- a custom registry and schema
cat >"$tmp/v1.json" <<'EOF'
{"$schema": "http://json-schema.org/draft-04/schema#", "title": "Invoice", "type": "object",
 "properties": {"id": {"type": "string"}, "total": {"type": "number"}}, "required": ["id"]}
EOF
cat >"$tmp/v2.json" <<'EOF'
{"$schema": "http://json-schema.org/draft-04/schema#", "title": "Invoice", "type": "object",
 "properties": {"id": {"type": "string"}, "total": {"type": "number"}, "paid": {"type": "boolean"}},
 "required": ["id"]}
EOF
run "$busbar" schemas registries create billing --description "billing events"
check "registries create prints the ARN" 0 "arn:aws:schemas:us-east-1:000000000000:registry/billing"
run "$busbar" schemas registries describe billing
json_check "registries describe" \
  'v == {"RegistryName": "billing", "RegistryArn": "arn:aws:schemas:us-east-1:000000000000:registry/billing", "Description": "billing events"}'
run "$busbar" schemas registries update billing --description "money"
json_check "registries update prints the registry" 'v["Description"] == "money"'
run "$busbar" schemas registries list
check_lines "registries list: name and ARN, in name order" \
  "$(printf 'billing\tarn:aws:schemas:us-east-1:000000000000:registry/billing\ndiscovered-schemas\tarn:aws:schemas:us-east-1:000000000000:registry/discovered-schemas')"
run "$busbar" schemas registries list --prefix disc
check_lines "registries list --prefix" \
  "$(printf 'discovered-schemas\tarn:aws:schemas:us-east-1:000000000000:registry/discovered-schemas')"
run "$busbar" schemas create Invoice --registry billing --type JSONSchemaDraft4 \
  --content "@$tmp/v1.json" --description "an invoice"
json_check "create prints version 1's metadata" \
  'v["SchemaName"] == "Invoice" and v["SchemaVersion"] == "1" and v["Type"] == "JSONSchemaDraft4" and v["Description"] == "an invoice" and v["VersionCount"] == 1 and v["SchemaArn"].endswith(":schema/billing/Invoice") and "Content" not in v'
run "$busbar" schemas update Invoice --registry billing --content "@$tmp/v2.json"
json_check "update with new content makes version 2" \
  'v["SchemaVersion"] == "2" and v["VersionCount"] == 2 and v["Description"] == "an invoice"'
run "$busbar" schemas update Invoice --registry billing --description "an invoice, v2"
json_check "update of the description alone makes no version" \
  'v["SchemaVersion"] == "2" and v["VersionCount"] == 2 and v["Description"] == "an invoice, v2"'
run "$busbar" schemas describe Invoice --registry billing --version 1
json_check "describe a custom version: the content as stored" \
  'v["title"] == "Invoice" and "paid" not in v["properties"]'
run "$busbar" schemas list --registry billing
check_lines "list --registry" "$(printf 'Invoice\t2\tJSONSchemaDraft4\t2')"
run "$busbar" schemas diff Invoice --registry billing --from 1
check "diff of a custom schema" 0 "$(printf 'added\tpaid\tboolean')"
run "$busbar" schemas export Invoice --registry billing --type OpenApi3
json_check "export a JSON Schema as OpenApi3" 'v["openapi"].startswith("3.0") and "paid" in json.dumps(v)'
run "$busbar" schemas delete Invoice --registry billing --version 1
check "delete --version deletes one version" 0
run "$busbar" schemas versions Invoice --registry billing
check "versions after deleting version 1" 0 "$(printf '2\tJSONSchemaDraft4\t')"
if [ "$(grep -c '' "$tmp/out")" -eq 1 ]; then pass "one version left"; else fail "versions: $out"; fi
run "$busbar" schemas delete Invoice --registry billing --version 2
check "deleting the only version left is refused" 1 "" "ConflictException"
run "$busbar" schemas registries delete billing
check "deleting a registry with schemas is refused" 1 "" "ConflictException"
run "$busbar" schemas delete Invoice --registry billing
check "delete a schema" 0
run "$busbar" schemas describe Invoice --registry billing
check "describe a deleted schema: NotFoundException" 1 "" "NotFoundException"
run "$busbar" schemas registries delete billing
check "delete an empty registry" 0
run "$busbar" schemas registries describe billing
check "describe a deleted registry: NotFoundException" 1 "" "NotFoundException"

# --- errors: the daemon's message and exit 1; usage errors and an unreachable daemon exit 2
run "$busbar" schemas list --registry nope
check "unknown registry: NotFoundException" 1 "" "NotFoundException"
[[ "$err" == *nope* ]] && pass "the message names the registry" || fail "message: $err"
run "$busbar" schemas registries create custom
run "$busbar" schemas create Bad --registry custom --type OpenApi3 --content \
  '{"openapi": "3.0.0", "info": {"title": "x", "version": "1"}, "paths": {}, "components": {"schemas": {"Order": {"type": "object", "properties": {"id": {"type": "text"}}}}}}'
check "invalid content: BadRequestException naming the place" 1 "" \
  'OpenAPI document: /components/schemas/Order/properties/id/type: "text" is not a type'
[[ "$err" == "busbar: BadRequestException: "* ]] && pass "…with the error code first" ||
  fail "invalid content's message: $err"
run "$busbar" schemas create Bad --registry custom --type JSONSchemaDraft4 --content '{"type": '
check "content that is not JSON: BadRequestException" 1 "" "BadRequestException"
run "$busbar" schemas create Bad --registry custom --type Avro --content '{}'
check "unknown type: BadRequestException" 1 "" "BadRequestException"
run "$busbar" schemas describe "$orders" --version abc
check "bad version 'abc': BadRequestException" 1 "" "BadRequestException"
run "$busbar" schemas describe "$orders" --version 9
check "missing version: NotFoundException" 1 "" "NotFoundException"
run "$busbar" schemas create Mine --registry discovered-schemas --type OpenApi3 \
  --content "$("$busbar" schemas describe "$orders")"
check "creating in discovered-schemas: ForbiddenException" 1 "" "ForbiddenException"
run "$busbar" schemas registries delete discovered-schemas
check "deleting discovered-schemas: ForbiddenException" 1 "" "ForbiddenException"
run "$busbar" schemas registries create custom
check "creating an existing registry: ConflictException" 1 "" "ConflictException"
run "$busbar" schemas discoverers stop nope
check "discoverer of an unknown bus: NotFoundException" 1 "" "NotFoundException"
run "$busbar" schemas create X --registry custom --content '{}'
check "create without --type: usage error" 2 "" "busbar schemas: create takes one schema NAME"
run "$busbar" schemas create X --registry custom --type OpenApi3 --content "@$tmp/missing.json"
check "create --content @missing file: exit 2 with the path" 2 "" "$tmp/missing.json"
run "$busbar" schemas export "$orders"
check "export without --type: usage error" 2 "" "export takes one schema NAME and --type"
run "$busbar" schemas diff "$orders"
check "diff without --from: usage error" 2 "" "diff takes one schema NAME and --from V"
run "$busbar" schemas describe "$orders" --bogus
check "unknown option: usage error" 2 "" "unknown option '--bogus'"
run "$busbar" schemas frobnicate
check "unknown subcommand: usage error" 2 "" "unknown subcommand 'frobnicate'"
run "$busbar" schemas list --endpoint 127.0.0.1:1
check "unreachable daemon: exit 2" 2

# --- discoverers: a stopped one discovers nothing; started again, it does
run "$busbar" buses create side
run "$busbar" schemas discoverers list
check_lines "discoverers list: every bus started" "$(printf 'default\tSTARTED\nside\tSTARTED')"
run "$busbar" schemas discoverers stop default
check_lines "discoverers stop" "$(printf 'default\tSTOPPED')"
put com.example.refunds "Refund Issued" '{"refundId": "r-1"}'
# The marker on another bus shows discovery has caught up with what came before.
put com.example.marker Tick '{"n": 1}' side
expect_discovered com.example.marker@Tick 1
sleep 1
run "$busbar" schemas list --prefix com.example.refunds
check_lines "a stopped discoverer discovers nothing" ""
run "$busbar" schemas discoverers start default
check_lines "discoverers start" "$(printf 'default\tSTARTED')"
put com.example.refunds "Refund Issued" '{"refundId": "r-2"}'
expect_discovered com.example.refunds@RefundIssued 1
run "$busbar" schemas discoverers stop side
check_lines "discoverers stop side" "$(printf 'side\tSTOPPED')"

# --- everything survives a restart
stop
start
run "$busbar" schemas list
check "discovered schemas survive a restart" 0 "$(printf '%s\t2\tOpenApi3\t2' "$orders")"
[[ "$out" == *"$(printf '%s\t2\tOpenApi3\t2' "$parcels")"* ]] &&
  pass "…every one of them" || fail "schemas list after restart: $out"
run "$busbar" schemas describe "$orders" --version 1
json_check "old versions survive a restart" '"coupon" not in json.dumps(v)'
run "$busbar" schemas registries list
check "a custom registry survives a restart" 0 "$(printf 'custom\t')"
run "$busbar" schemas discoverers list
check_lines "discoverer states survive a restart" "$(printf 'default\tSTARTED\nside\tSTOPPED')"
put com.example.orders OrderPlaced '{"orderId": "o-4", "amount": 2.5, "items": [], "coupon": "Y"}'
expect_discovered "$orders" 3
run "$busbar" schemas diff "$orders" --from 2
check "discovery goes on after a restart: amount widens to number" 0 \
  "$(printf 'type-changed\tdetail.amount\tinteger -> number')"

# --- help
run "$busbar" help schemas
check "help schemas" 0 "busbar schemas diff NAME --from V [--to V] [--registry R]"
run "$busbar" help
check "help lists schemas" 0 "schemas"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
