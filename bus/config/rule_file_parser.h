// Internal to bus/config: one rule file's tree (yaml_tree.h) → its part of the
// model. Checks everything that one file shows on its own — keys, types,
// ranges, names, ARN forms, event patterns, target limits (a target's values
// through config::ValidateTarget, as the API's PutTargets; functions, connections
// and API destinations through their Validate* functions) — and records each
// reference to a bus, queue, function, connection or API destination, each
// EventInvokeConfig and each API destination target for config_linker.h to
// resolve once every file is read. Pure function of its arguments; thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "bus/config/config.h"
#include "bus/config/yaml_tree.h"

namespace busbar::config::internal {

// A name that must be declared somewhere in the files loaded together.
struct Reference {
  enum class Kind { kEventBus, kQueue, kFunction, kConnection, kApiDestination };
  Kind kind = Kind::kQueue;
  std::string name;
  SourceLocation where;  // of the value that names it
  // The error when it isn't: "<where>: <context>: <noun> '<name>' is not declared",
  // e.g. context "target 'q1' of rule 'r'", noun "queue".
  std::string context;
  std::string noun;
};

// A CloudFormation AWS::Lambda::EventInvokeConfig: settings for a function
// that may be declared in another file.
struct PendingInvokeConfig {
  std::string function_name;
  targets::EventInvokeConfig config;  // checked, but for its destinations' existence
  SourceLocation where;               // of the FunctionName value
  std::string context;                // "resource 'ResizeAsync'"
};

// An API destination target whose PathParameterValues must match its
// destination's endpoint (targets::ValidateHttpParameters with the destination),
// once every file is read.
struct PendingHttpCheck {
  size_t rule = 0;       // index into config.rules
  size_t target = 0;     // index into that rule's targets
  SourceLocation where;  // of PathParameterValues, or else of the Arn
  std::string context;   // "target 'hook' of rule 'r'"
};

struct ParsedFile {
  Config config;  // names not yet checked for duplicates against other files
  std::vector<Reference> references;
  std::vector<PendingInvokeConfig> invoke_configs;
  // Functions of the simple form that set an asynchronous setting themselves,
  // and where (an EventInvokeConfig for them is then an error).
  std::map<std::string, SourceLocation> functions_with_async_settings;
  std::vector<PendingHttpCheck> http_checks;
};

// Reads the root of one rule file. Errors: InvalidArgument
// "<file_name>:<line>:<column>: <reason>" for the first problem found.
absl::StatusOr<ParsedFile> ParseRuleFileTree(const YamlNode& root, std::string_view file_name,
                                             const LoadOptions& opts);

}  // namespace busbar::config::internal
