// Internal to bus/config: merges the files' parts into one Config. Checks what
// needs every file at once: names unique across files (buses, queues, rules per
// bus, functions, connections, API destinations), every Reference declared
// (`default` bus always is), EventInvokeConfigs applied to their functions, and
// API destination targets' PathParameterValues against their endpoints. Pure function
// of its arguments; thread-safe.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "bus/config/config.h"
#include "bus/config/rule_file_parser.h"

namespace busbar::config::internal {

// Errors: InvalidArgument "<file>:<line>:<column>: <reason>" for the first
// duplicate (in file order) or else the first undeclared reference, e.g.
// "b.yaml:3:11: duplicate queue 'q' (first declared at a.yaml:5:11)".
absl::StatusOr<Config> LinkConfig(std::vector<ParsedFile> files);

}  // namespace busbar::config::internal
