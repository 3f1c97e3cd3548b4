// Internal to bus/: rule files — the buses, queues, rules and targets the daemon
// loads at start and on reload (`busbar serve --config FILE`, repeatable).
//
// LoadRuleFiles() reads every file, checks everything and returns one merged
// Config, or the first error found as InvalidArgument
// "<file>:<line>:<column>: <what is wrong>" (1-based) — all or nothing, so a
// caller that keeps its old Config on error never runs half a reload. The
// pipeline: yaml_tree.h (text → tree with positions; yaml-cpp stays inside) →
// rule_file_parser.h (tree → model, every property checked) → config_linker.h
// (files merged; duplicates and references to buses and queues checked).
// Config and its parts are plain values; these functions are thread-safe.
//
// File format. YAML or JSON (a JSON file is read as YAML, whatever its name);
// property names are those of EventBridge and CloudFormation:
//
//   EventBuses:                       # the `default` bus always exists; don't declare it
//     - Name: orders                  # 1-256 of [.\-_A-Za-z0-9]
//   Queues:
//     - Name: order-events            # 1-80 of [\-_A-Za-z0-9]
//       VisibilityTimeout: 30         # 0-43200, default 30
//       MessageRetentionPeriod: 345600       # 60-1209600, default 345600 (4 days)
//       ReceiveMessageWaitTimeSeconds: 0     # 0-20, default 0
//       RedrivePolicy: {deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:order-dlq",
//                       maxReceiveCount: 5}  # 1-1000; a mapping or a JSON string
//     - Name: order-dlq
//   Rules:
//     - Name: big-orders              # 1-64 of [.\-_A-Za-z0-9]; unique per bus
//       EventBusName: orders          # a name or an event-bus ARN; default "default"
//       State: ENABLED                # ENABLED (default) or DISABLED
//       Description: Orders over 1000 # at most 512 characters
//       EventPattern: {"source": ["shop"], "detail": {"total": [{"numeric": [">", 1000]}]}}
//                                     # a mapping, or a string of JSON text
//       Targets:                      # at most 5, ids unique within the rule
//         - Id: q1                    # 1-64 of [.\-_A-Za-z0-9]
//           Arn: arn:aws:sqs:us-east-1:000000000000:order-events
//           # at most one of: Input (JSON text, or a mapping), InputPath ($..., <= 256),
//           # InputTransformer {InputPathsMap (<= 100 entries), InputTemplate (<= 8192)}
//           RetryPolicy: {MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400}
//           DeadLetterConfig: {Arn: "arn:aws:sqs:us-east-1:000000000000:order-dlq"}
//
// The CloudFormation form is accepted too, in the same file or instead:
//
//   AWSTemplateFormatVersion: "2010-09-09"   # optional, ignored
//   Description: ...                         # optional, ignored
//   Resources:
//     OrdersBus:  {Type: AWS::Events::EventBus, Properties: {Name: orders}}
//     OrderQueue: {Type: AWS::SQS::Queue, Properties: {QueueName: order-events}}
//     BigOrders:  {Type: AWS::Events::Rule, Properties: {EventPattern: ..., Targets: ...}}
//
// where a missing Name / QueueName is the logical id, DependsOn, Metadata,
// DeletionPolicy and UpdateReplacePolicy are ignored, and any other resource
// Type, Condition, intrinsic function (!Ref, !GetAtt, Fn::…) or YAML tag is
// an error: values are taken literally, never evaluated.
//
// Stricter than AWS, on purpose: unknown keys and properties are errors (typo
// protection); numbers are integers, written plainly or as a quoted string of
// digits; target, dead-letter and redrive ARNs must be in the configured
// account and region; a queue they name must be declared in one of the files
// loaded together; a queue can't be its own dead-letter queue. An empty file
// declares nothing. JSON `\uD83D\uDE00` surrogate-pair escapes are accepted
// (YAML itself has none); columns reported after one on the same line are then
// two less than the byte count.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "matcher/matcher.h"
#include "targets/input.h"

namespace busbar::config {

// Where something was declared. line and column are 1-based; 0 when unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  // "file:line:column".
  std::string ToString() const;
};

struct EventBus {
  std::string name;
  std::string arn;          // computed: arn:aws:events:<region>:<account>:event-bus/<name>
  SourceLocation location;  // of the name
};

struct RedrivePolicy {
  std::string dead_letter_target_arn;  // an SQS queue ARN; the queue is declared
  std::string dead_letter_queue_name;  // computed from the ARN
  int max_receive_count = 0;           // 1-1000
};

struct Queue {
  std::string name;
  int visibility_timeout_s = 30;            // 0-43200
  int message_retention_period_s = 345600;  // 60-1209600
  int receive_wait_time_s = 0;              // 0-20
  std::optional<RedrivePolicy> redrive_policy;
  std::string arn;          // computed: arn:aws:sqs:<region>:<account>:<name>
  SourceLocation location;  // of the name
};

enum class RuleState { kEnabled, kDisabled };

// What a target ARN names. Only queues are delivered to by issue 3; the other
// kinds are parsed and kept for the function, bus and HTTP targets (issue 5).
enum class TargetKind {
  kQueue,           // arn:aws:sqs:R:A:<name>
  kFunction,        // arn:aws:lambda:R:A:function:<name>
  kEventBus,        // arn:aws:events:R:A:event-bus/<name>
  kApiDestination,  // arn:aws:events:R:A:api-destination/<name>[/<uuid>]
};

struct InputTransformer {
  std::map<std::string, std::string> input_paths_map;  // variable -> JSON path; <= 100
  std::string input_template;                          // 1-8192 characters
};

struct RetryPolicy {
  int maximum_retry_attempts = 185;          // 0-185
  int maximum_event_age_in_seconds = 86400;  // 60-86400
};

struct DeadLetterConfig {
  std::string arn;         // an SQS queue ARN; the queue is declared
  std::string queue_name;  // computed from the ARN
};

struct Target {
  std::string id;
  std::string arn;
  TargetKind kind = TargetKind::kQueue;
  // From the ARN: the queue, function, bus or API destination name.
  std::string resource_name;
  // At most one of the three is set.
  std::optional<std::string> input;       // JSON text, as written (minified if a mapping)
  std::optional<std::string> input_path;  // a JSON path, "$..."
  std::optional<InputTransformer> input_transformer;
  RetryPolicy retry_policy;
  std::optional<DeadLetterConfig> dead_letter_config;
  SourceLocation location;  // of the target's entry
};

struct Rule {
  std::string name;
  std::string event_bus_name = "default";
  std::string event_pattern;  // minified JSON text; valid under LoadOptions::matcher
  RuleState state = RuleState::kEnabled;
  std::string description;
  std::vector<Target> targets;
  // Computed: arn:aws:events:<region>:<account>:rule/<bus>/<name>, or
  // arn:aws:events:<region>:<account>:rule/<name> on the default bus.
  std::string arn;
  SourceLocation location;  // of the name
};

// Everything the files declare, in file order then document order. `default`
// is not among `buses`: it always exists.
struct Config {
  std::vector<EventBus> buses;
  std::vector<Queue> queues;
  std::vector<Rule> rules;
};

struct LoadOptions {
  std::string account_id = "000000000000";  // 12 digits
  std::string region = "us-east-1";         // e.g. us-east-1
  matcher::Options matcher;                 // how event patterns are validated
};

// Reads and checks the files, and merges them into one Config. Names must be
// unique across all the files; references (a rule's bus, a queue target, a
// dead-letter or redrive queue) may point into any of them. Errors:
// InvalidArgument "<file>:<line>:<column>: <reason>" for the first problem
// found (the file as given in `paths`); NotFound / PermissionDenied /
// InvalidArgument "<file>: <reason>" for a file that can't be read;
// InvalidArgument for bad `opts`.
absl::StatusOr<Config> LoadRuleFiles(const std::vector<std::string>& paths,
                                     const LoadOptions& opts);

// Limits shared by rule files and the daemon's API (EventBridge's values).
inline constexpr size_t kMaxTargetsPerRule = 5;  // EventBridge's default quota
inline constexpr size_t kMaxDescriptionChars = 512;
inline constexpr int kMinRetryAttempts = 0;
inline constexpr int kMaxRetryAttempts = 185;
inline constexpr int kMinEventAgeSeconds = 60;
inline constexpr int kMaxEventAgeSeconds = 86400;

// Characters (UTF-8 code points), as AWS counts length limits.
size_t CharCount(std::string_view s);

// What ValidateTarget checks a target against.
struct TargetCheckOptions {
  std::string account_id = "000000000000";  // ARNs must be in this account
  std::string region = "us-east-1";         // and region
  // Whether a queue exists. Unset: queues are not looked up (rule files resolve
  // them against the queues the files declare, config_linker.h).
  std::function<bool(std::string_view queue)> queue_exists;
};

// Where ValidateTarget found the problem: the property path in EventBridge's
// names ({"Arn"}, {"InputTransformer", "InputPathsMap", "<variable>"},
// {"RetryPolicy", "MaximumRetryAttempts"}, {"DeadLetterConfig", "Arn"}, ...);
// `at_key` when the property's presence is the problem (not its value);
// `entry` >= 0 when the problem is the property's entry of that index.
struct TargetFault {
  std::vector<std::string> path;
  bool at_key = false;
  int entry = -1;
};

// The checks every target gets, from a rule file or from PutTargets: Id
// (1-64 of [.\-_A-Za-z0-9]), Arn (<= 1600 characters, a form of TargetKind in
// the account and region), at most one of Input (valid JSON, <= 8192
// characters), InputPath ($..., <= 256) and InputTransformer (<= 100 paths,
// variables 1-256 of [A-Za-z0-9_-], paths $... <= 256, template 1-8192, and
// everything targets::CompiledInput::Compile checks: path syntax, defined
// placeholders, a JSON template that stays JSON),
// RetryPolicy ranges and DeadLetterConfig (an SQS queue ARN). Fills the
// computed fields (kind, resource_name, dead_letter_config->queue_name).
// Errors: InvalidArgument whose message starts with the property ("Arn 'x' is
// not a valid ARN ...", "RetryPolicy: MaximumRetryAttempts is 186; it must be
// from 0 to 185"); NotFound "queue 'q' does not exist" (or "DeadLetterConfig:
// queue ...") when options.queue_exists says so. On error `*fault`, if given,
// says where.
absl::Status ValidateTarget(Target& target, const TargetCheckOptions& options,
                            TargetFault* fault = nullptr);

// The target's Input, InputPath or InputTransformer as targets/input.h takes it.
targets::InputSpec InputSpecOf(const Target& target);

// Checks one file's text on its own (references must be declared in it), as
// LoadRuleFiles does for a single file; `file_name` is used in error messages
// and SourceLocations. `text` need not outlive the call.
absl::StatusOr<Config> ParseRuleFile(std::string_view text, std::string_view file_name,
                                     const LoadOptions& opts);

}  // namespace busbar::config
