// Test-only: a compact JSON notation for registry Nodes, so that table-driven tests can state
// the shape they expect, and a printer for failure messages.
//
// A spec is either a string, the node's KindName ("integer", "string(date-time)",
// "integer|null", "object" with no properties, "array" with no items), or an object:
//   {"kinds": "object|null", "properties": {"id": SPEC, "?note": SPEC}, "items": SPEC}
// where a property name starting with '?' is optional (the '?' is not part of the name) and
// "kinds" may be left out when it is just "object" (with "properties") or "array" (with
// "items").
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "registry/schema.h"

namespace busbar::registry::testing {

absl::StatusOr<Node> ParseSpec(std::string_view spec_json);

// The spec of `node`, on one line, properties in their order.
std::string Describe(const Node& node);

// Runs `fn` on a thread with the stack the registry gets in the daemon (8 MB) — or, in builds
// whose frames are larger than Release's (sanitizers, no optimisation), 16 times that — and
// waits for it. For the tests that nest kMaxDepth deep.
void RunOnDaemonSizedStack(const std::function<void()>& fn);

// Reads a whole file; fails the test if it cannot.
std::string ReadFileOrDie(const std::string& path);

}  // namespace busbar::registry::testing
