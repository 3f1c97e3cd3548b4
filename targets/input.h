// Input shaping: what a rule target receives for a matched event, as Amazon EventBridge
// computes it from a target's Input, InputPath or InputTransformer.
//
// CompiledInput is immutable once compiled; Render() may be called from any number of threads
// at once (it keeps a simdjson parser per thread). Copies share the compiled form.
//
// What a target sends (at most one of the three may be set):
//   - nothing set: the event envelope, unchanged;
//   - Input: the constant JSON text, exactly as given (it must be valid JSON, <= 8192 chars);
//   - InputPath: the part of the event the JSON path selects, as minified JSON text;
//   - InputTransformer: InputTemplate with its <placeholders> filled from the event.
//
// JSON paths (InputPath, the values of InputPathsMap; at most 256 characters). EventBridge's
// documented subset: `$` (the whole event), `.name` (letters, digits, `-`, `_`, `/` and any
// non-ASCII character), `[N]` (array index), `.*` and `[*]` (wildcards). InputPath also takes
// bracket-quoted keys `['any key']` / `["any key"]` (the API reference allows bracket notation
// for InputPath but requires dot notation in InputPathsMap). Anything else (`..`, filters,
// slices, negative indexes) is rejected at Compile. A path without a wildcard selects one value
// or nothing; a path with a wildcard selects a JSON array of every match, possibly `[]`.
//
// InputTemplate (1-8192 characters). A placeholder is `<name>` where name is 1+ characters of
// A-Z a-z 0-9 _ - . ; any other `<` (as in "a < b" or "<br/>") is literal text, and `<`/`>`
// cannot be escaped (EventBridge's rule). Every placeholder must be an InputPathsMap key or a
// reserved variable, else Compile fails, as PutTargets does ("invalid placeholder"):
//   <aws.events.rule-arn>, <aws.events.rule-name>  the rule's ARN and name (strings);
//   <aws.events.event.ingestion-time>               when the bus received the event (RFC 3339);
//   <aws.events.event.json>                         the whole event (minified);
//   <aws.events.event>                              the event without `detail`, with
//       `detail-type` renamed `detailType`, keys in the order EventBridge sends them (id,
//       account, detailType, time, source, region, resources, version, then any others).
// The two event variables are not escaped by EventBridge, so they may only stand as a JSON
// value, never inside quotes; Compile rejects them inside a string.
//
// The template's first non-blank character picks how it is read:
//   `{` or `[`  JSON template. It must be valid JSON once placeholders are filled (checked at
//               Compile with every bare placeholder as null), a placeholder may not be an object
//               key (EventBridge's restriction), and the output is minified.
//   `"`         if the whole template is one JSON string ("instance <id> is <state>"), a string
//               template; the output keeps the quotes.
//   otherwise   plain text (`Instance <id> is <state>`, or several quoted lines), sent as is.
//
// What a placeholder inserts (a path that matches nothing is "missing"):
//   value            bare in a JSON     inside a string of     in a string template  in plain
//                    template           a JSON template                              text
//   string           "quoted"(1)        its characters(2)      its characters(2)     its chars
//   number/bool/null its JSON text      its JSON text          its JSON text         JSON text
//   object/array     its JSON text      its JSON text, quotes  JSON text, every `"`  JSON text,
//                                       kept(3)                removed(4)            `"` removed
//   missing          ""                 nothing                nothing               nothing
// JSON text is minified, keys in the event's order: {"acc_id":"0a787ecb-4015","sf_id":"baz"}
// becomes {acc_id:0a787ecb-4015,sf_id:baz} with its quotes removed, ["ACTIVE","INACTIVE"]
// becomes [ACTIVE,INACTIVE], [{"id":"a1"}] becomes [{id:a1}], [1,2] stays [1,2].
//   (1) as JSON: a quote, backslash or control character in it escaped, as the event holds it.
//   (2) never escaped: a value holding a `"`, a `\` or a control character (U+0000-U+001F)
//       cannot stand in a JSON string unescaped, so Render fails (below).
//   (3) so an object, or an array holding strings, inside a string of a JSON template breaks the
//       JSON and Render fails; `{}`, `[]` and arrays of numbers go in as they are.
//   (4) after which (2) applies: a `\` left from an escape inside the object fails.
// The event variables <aws.events.event> and <aws.events.event.json> always insert their JSON
// text unchanged (bare in a JSON template, or in plain text; see above for quotes).
//
// No valid body. When a JSON or string template's output would not be valid JSON — (2), (3)
// or (4) — EventBridge delivers nothing to the target, so Render fails with FailedPrecondition
// "InputTemplate produced invalid JSON: the value of <v> holds a double quote, which ..."
// naming the placeholder; it never returns broken JSON. The daemon counts such a delivery as
// a failed invocation and sends the event to the target's dead-letter queue (ERROR_CODE
// INVALID_JSON, RETRY_ATTEMPTS 0): retrying cannot change what the event renders to.
//
// Where EventBridge does not say, Busbar chooses (documented, tested):
//   - a bare string is inserted as its JSON string, quote and backslash escaped (AWS says it
//     "adds quotes to string variable values ... to ensure the transformation output is valid
//     JSON"); so a bare placeholder always gives valid JSON;
//   - a `\` or a control character inside a string fails Render even where raw insertion would
//     happen to parse (`C:\temp` would hold a tab, `a","b":"c` would add a key): the
//     stricter rule, as what EventBridge then delivers is not the event's value;
//   - a string template (`"`) must stay one JSON string too, with the same rules;
//   - null inside a string or a text template inserts `null`; a number or boolean its JSON text;
//   - an InputPath that matches nothing makes Render fail with NotFound (nothing to deliver),
//     rather than inventing a body;
//   - a template starting with `{` or `[` that is not valid JSON is rejected at Compile.
//
// Sources:
//   - EventBridge user guide "Amazon EventBridge input transformation"
//     (eb-transform-target-input), its "Common issues with transforming input": values are not
//     escaped; "If a JSON path references a JSON object or array, but the variable is
//     referenced in a string, EventBridge removes any internal quotes to ensure a valid
//     string", shown on the string template "Detail is <detail>"; quotes are added to string
//     variables but not to objects or arrays. The EventBridge Pipes page
//     (eb-pipes-input-transformation) repeats the same list. The API reference for
//     InputTransformer and Target (placeholders may not be object keys).
//   - Behaviour recorded against AWS: LocalStack's AWS-validated snapshots
//     (tests/aws/services/events/test_events_inputs.snapshot.json: a missing path gives ""
//     bare and nothing inside a string; the shape of <aws.events.event>); and, as the Busbar
//     issue on this reports from AWS recordings and LocalStack's provider implements
//     (localstack-core/localstack/services/events/target.py, replace_template_placeholders):
//     an object or array in a string or text template arrives with its quotes removed
//     ({acc_id:0a787ecb-4015,sf_id:baz}, [HIGH], [ACTIVE,INACTIVE]), while a JSON template
//     whose result is not valid JSON ({"payload": "<payload>"} with an object) delivers
//     nothing. The user guide's wording alone would also allow quote removal inside a JSON
//     template's strings; the recorded behaviour is followed.
//   - The dead-letter ERROR_CODE INVALID_JSON is one of the codes the user guide's "Using
//     dead-letter queues to process undelivered events" (rule-dlq) lists.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"

namespace busbar::targets {

// What a target sends: the whole event (none set), a constant (input), a part of the event
// (input_path), or a template filled from the event (input_template with input_paths_map).
struct InputSpec {
  std::optional<std::string> input;       // JSON text
  std::optional<std::string> input_path;  // "$.detail.id"
  // Variable name -> JSON path; only with input_template (which may also stand alone).
  std::optional<std::map<std::string, std::string>> input_paths_map;
  std::optional<std::string> input_template;
};

// The reserved variables' values for one delivery. Views must outlive the Render call only.
struct InputContext {
  std::string_view rule_arn;
  std::string_view rule_name;
  std::string_view ingestion_time;  // RFC 3339, e.g. "2024-05-01T12:00:00Z"
};

// Limits EventBridge applies when a target is put.
inline constexpr size_t kMaxInputChars = 8192;
inline constexpr size_t kMaxInputPathChars = 256;
inline constexpr size_t kMaxInputPathsMapEntries = 100;
inline constexpr size_t kMaxInputVariableChars = 256;
inline constexpr size_t kMaxInputTemplateChars = 8192;

class CompiledInput {
 public:
  // Checks everything EventBridge checks when the target is put, and prepares rendering.
  // Errors: InvalidArgument naming the field, e.g. "Input: not valid JSON: ...",
  // "InputPath: ...", "InputTransformer.InputPathsMap.<var>: ...",
  // "InputTransformer.InputTemplate: placeholder <x> is not defined in InputPathsMap".
  static absl::StatusOr<CompiledInput> Compile(const InputSpec& spec);

  // The text the target receives for `event` (the event envelope, a JSON object).
  // Errors: InvalidArgument if the event is needed and is not a valid JSON object;
  // NotFound if an InputPath matches nothing in the event; FailedPrecondition
  // "InputTemplate produced invalid JSON: ..." if a JSON or string template would not give
  // valid JSON for this event (see "No valid body" above). Never returns broken JSON from a
  // JSON or string template.
  absl::StatusOr<std::string> Render(std::string_view event, const InputContext& context) const;

  struct Impl;  // internal; defined in input.cc

 private:
  explicit CompiledInput(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

  std::shared_ptr<const Impl> impl_;  // never null
};

}  // namespace busbar::targets
