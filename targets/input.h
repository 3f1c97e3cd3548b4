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
// The template's first non-blank character picks how it is read and what is inserted:
//   `{` or `[`  JSON template. It must be valid JSON once placeholders are filled, and a
//               placeholder may not be an object key (EventBridge's restriction); the output is
//               minified. A bare placeholder (`"id": <id>`) inserts the value as JSON: a string
//               quoted, numbers/true/false/null/objects/arrays as minified JSON, a path that
//               matches nothing as "" (what EventBridge sends). A placeholder inside a string
//               (`"id <id> is <state>"`) inserts the value's text: a string's characters,
//               anything else its minified JSON text, nothing for a missing path.
//   `"`         if the whole template is one JSON string ("instance <id> is <state>"), it is
//               filled like a string inside a JSON template; the output keeps the quotes.
//   otherwise   plain text (`Instance <id> is <state>`, or several quoted lines): placeholders
//               insert the value's text unquoted, as in a string, and nothing is escaped.
//
// One deliberate difference from EventBridge: text inserted inside a JSON string is escaped
// (`"` as \", `\` as \\, control characters as \n, \t or \u00XX) so the output stays valid
// JSON. EventBridge documents that it does not escape such values, which produces broken JSON
// when a value holds a quote or backslash; for every other value the output is identical.
//
// Where EventBridge does not say, Busbar chooses (documented, tested):
//   - null inside a string or a text template inserts `null`; a number or boolean its JSON text;
//   - an object or array inside a string or text template inserts its minified JSON text;
//   - an InputPath that matches nothing makes Render fail with NotFound (nothing to deliver),
//     rather than inventing a body;
//   - a template starting with `{` or `[` that is not valid JSON is rejected at Compile.
//
// Sources: EventBridge user guide "Amazon EventBridge input transformation"
// (eb-transform-target-input), the API reference for InputTransformer and Target, and
// LocalStack's AWS-recorded snapshots (tests/aws/services/events/test_events_inputs.snapshot.json:
// a missing path gives "" both bare and inside a string; the shape of <aws.events.event>).
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
  // NotFound if an InputPath matches nothing in the event.
  absl::StatusOr<std::string> Render(std::string_view event, const InputContext& context) const;

  struct Impl;  // internal; defined in input.cc

 private:
  explicit CompiledInput(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

  std::shared_ptr<const Impl> impl_;  // never null
};

}  // namespace busbar::targets
