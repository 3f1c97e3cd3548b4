// Internal to bus/config: small helpers for JSON text in rule files (event
// patterns, target Input) and for quoting values in messages. Pure functions;
// thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace busbar::config::internal {

// OK if `text` is one valid JSON value (RFC 8259, surrounding whitespace
// allowed, nesting up to 1024). Otherwise InvalidArgument with simdjson's reason.
absl::Status CheckJson(std::string_view text);

// Removes the whitespace between the tokens of valid JSON text.
// REQUIRES: `json` is valid JSON.
std::string MinifyJson(std::string_view json);

// 'value' for a message: control characters escaped, values past 100 bytes cut
// ("...").
std::string Quote(std::string_view s);

}  // namespace busbar::config::internal
