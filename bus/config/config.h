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
//           # API destination targets only; as many path values as the endpoint has `*`:
//           HttpParameters: {PathParameterValues: [eu], HeaderParameters: {x-src: busbar},
//                            QueryStringParameters: {v: "2"}}   # each <= 100 entries
//   Functions:                        # Lambda-like functions the bus delivers to
//     - FunctionName: resize          # 1-64 of [A-Za-z0-9-_]
//       Command: ["./bootstrap"]      # busbar's own: the handler process's argv (a custom
//                                     # runtime); 1-64 strings, or one string
//       CodeDirectory: fn/resize      # busbar's own: its working directory, relative to the
//                                     # rule file's directory; must exist (stored absolute)
//       Runtime: provided.al2023      # optional: provided, provided.al2 or provided.al2023
//       Handler: index.handler        # optional, <= 128; becomes _HANDLER
//       Description: ...              # optional, <= 256
//       Environment: {Variables: {STAGE: prod}}  # keys [a-zA-Z][a-zA-Z0-9_]+, <= 4 KB;
//                                     # not the ones the runtime sets (AWS_REGION, _HANDLER, ...)
//       Timeout: 3                    # 1-900, default 3
//       MemorySize: 128               # 128-10240, default 128
//       ReservedConcurrentExecutions: 10      # optional, 0-1000
//       MaximumRetryAttempts: 2               # asynchronous invocation: 0-2, default 2
//       MaximumEventAgeInSeconds: 21600       # 60-21600, default 21600
//       DestinationConfig: {OnFailure: {Destination: "arn:aws:sqs:us-east-1:000000000000:q"}}
//                                     # OnSuccess / OnFailure: a declared queue, bus or function
//   Connections:
//     - Name: partner                 # 1-64 of [.\-_A-Za-z0-9]
//       Description: ...              # optional, <= 512
//       AuthorizationType: BASIC      # BASIC or API_KEY (OAUTH_CLIENT_CREDENTIALS: an error)
//       AuthParameters:
//         BasicAuthParameters: {Username: u, Password: p}   # BASIC; 1-512 each
//         # ApiKeyAuthParameters: {ApiKeyName: x-api-key, ApiKeyValue: v}  # API_KEY
//         InvocationHttpParameters:   # optional; each list <= 100
//           HeaderParameters: [{Key: k, Value: v, IsValueSecret: false}]
//           QueryStringParameters: [...]
//           BodyParameters: [...]
//   ApiDestinations:
//     - Name: partner-orders          # 1-64 of [.\-_A-Za-z0-9]
//       Description: ...              # optional, <= 512
//       ConnectionArn: arn:aws:events:us-east-1:000000000000:connection/partner
//                                     # optionally /<uuid>; a declared connection
//       InvocationEndpoint: https://example.com/orders/*   # http(s) URL <= 2048, a host,
//                                     # port 1-65535 if given
//       HttpMethod: POST              # required: POST GET HEAD OPTIONS PUT PATCH DELETE
//       InvocationRateLimitPerSecond: 300     # 1-300, default 300
//
// A function target (arn:aws:lambda:R:A:function:<name>, optionally :$LATEST)
// must name a declared function, an API destination target a declared API
// destination.
//
// The CloudFormation form is accepted too, in the same file or instead:
//
//   AWSTemplateFormatVersion: "2010-09-09"   # optional, ignored
//   Description: ...                         # optional, ignored
//   Resources:
//     OrdersBus:  {Type: AWS::Events::EventBus, Properties: {Name: orders}}
//     OrderQueue: {Type: AWS::SQS::Queue, Properties: {QueueName: order-events}}
//     BigOrders:  {Type: AWS::Events::Rule, Properties: {EventPattern: ..., Targets: ...}}
//     Resize:     {Type: AWS::Lambda::Function, Properties: {Command: ..., CodeDirectory: ...}}
//     ResizeAsync:                             # at most one per function
//       Type: AWS::Lambda::EventInvokeConfig
//       Properties: {FunctionName: resize, Qualifier: $LATEST, MaximumRetryAttempts: 0,
//                    MaximumEventAgeInSeconds: 60, DestinationConfig: ...}
//     Partner:    {Type: AWS::Events::Connection, Properties: {AuthorizationType: ..., ...}}
//     Orders:     {Type: AWS::Events::ApiDestination, Properties: {ConnectionArn: ..., ...}}
//
// where a missing Name / QueueName / FunctionName is the logical id, DependsOn,
// Metadata, DeletionPolicy and UpdateReplacePolicy are ignored, and any other
// resource Type, Condition, intrinsic function (!Ref, !GetAtt, Fn::…) or YAML tag is
// an error: values are taken literally, never evaluated.
//
// AWS::Lambda::Function takes FunctionName, Runtime (provided* only), Handler,
// Description, Environment, Timeout, MemorySize, ReservedConcurrentExecutions,
// Command and CodeDirectory; Lambda's other properties (Code, Role, Layers, ...)
// are errors "not supported by busbar", and the asynchronous settings belong in
// an AWS::Lambda::EventInvokeConfig (FunctionName: a declared function's name or
// ARN; Qualifier: $LATEST), which may be in another file. A function declared
// in the simple form with any asynchronous setting can't also have one.
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
#include "matcher/base/property_fault.h"
#include "matcher/matcher.h"
#include "targets/functions.h"
#include "targets/http_target.h"
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

// A value of another module's model (targets::ApiDestination, ...) with where a rule file
// declared it (the position of its name).
template <class T>
struct Declared {
  T value;
  SourceLocation location;
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

// A target's HttpParameters (API destination targets only): the HTTP targets
// module's model (targets/http_target.h), checked by targets::ValidateHttpParameters.
using HttpParameters = targets::HttpParameters;

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
  std::optional<HttpParameters> http_parameters;  // only on kApiDestination targets
  SourceLocation location;                        // of the target's entry
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
  std::vector<Declared<targets::Function>> functions;  // targets/functions.h
  // The HTTP targets module's models (targets/http_target.h), checked by its
  // ValidateConnection / ValidateApiDestination; the reader fills their arns and
  // the destinations' connection_name (from ConnectionArn).
  std::vector<Declared<targets::Connection>> connections;
  std::vector<Declared<targets::ApiDestination>> api_destinations;
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
  // Whether a queue, function or API destination exists. Unset: not looked up
  // (rule files resolve them against what the files declare, config_linker.h).
  std::function<bool(std::string_view queue)> queue_exists;
  std::function<bool(std::string_view function)> function_exists;
  std::function<bool(std::string_view api_destination)> api_destination_exists;
};

// Where a Validate* function found the problem (matcher/base/property_fault.h).
using PropertyFault = base::PropertyFault;
using TargetFault = PropertyFault;

// The checks every target gets, from a rule file or from PutTargets: Id
// (1-64 of [.\-_A-Za-z0-9]), Arn (<= 1600 characters, a form of TargetKind in
// the account and region), at most one of Input (valid JSON, <= 8192
// characters), InputPath ($..., <= 256) and InputTransformer (<= 100 paths,
// variables 1-256 of [A-Za-z0-9_-], paths $... <= 256, template 1-8192, and
// everything targets::CompiledInput::Compile checks: path syntax, defined
// placeholders, a JSON template that stays JSON),
// RetryPolicy ranges, DeadLetterConfig (an SQS queue ARN) and HttpParameters
// (API destination targets only; targets::ValidateHttpParameters without the
// destination: whoever knows the destination checks the wildcard count with
// it). Fills the computed fields (kind, resource_name,
// dead_letter_config->queue_name). Errors: InvalidArgument whose message starts
// with the property ("Arn 'x' is not a valid ARN ...", "RetryPolicy:
// MaximumRetryAttempts is 186; it must be from 0 to 185"); NotFound "queue 'q'
// does not exist" (or "DeadLetterConfig: queue ...", "function 'f' does not
// exist", "API destination 'd' does not exist") when a callback says so. On
// error `*fault`, if given, says where.
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
