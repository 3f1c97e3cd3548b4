// Internal to bus/config: one rule file's tree (yaml_tree.h) → its part of the
// model. Checks everything that one file shows on its own — keys, types,
// ranges, names, ARN forms, event patterns, target limits (a target's values
// through config::ValidateTarget, as the API's PutTargets) — and records each
// reference to a bus or queue for config_linker.h to resolve once every file is
// read. Pure function of its arguments; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "bus/config/config.h"
#include "bus/config/yaml_tree.h"

namespace busbar::config::internal {

// A name that must be declared somewhere in the files loaded together.
struct Reference {
  enum class Kind { kEventBus, kQueue };
  Kind kind = Kind::kQueue;
  std::string name;
  SourceLocation where;  // of the value that names it
  // The error when it isn't: "<where>: <context>: <noun> '<name>' is not declared",
  // e.g. context "target 'q1' of rule 'r'", noun "queue".
  std::string context;
  std::string noun;
};

struct ParsedFile {
  Config config;  // names not yet checked for duplicates against other files
  std::vector<Reference> references;
};

// Reads the root of one rule file. Errors: InvalidArgument
// "<file_name>:<line>:<column>: <reason>" for the first problem found.
absl::StatusOr<ParsedFile> ParseRuleFileTree(const YamlNode& root, std::string_view file_name,
                                             const LoadOptions& opts);

}  // namespace busbar::config::internal
