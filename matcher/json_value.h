// Internal to busbar::matcher. A small JSON document model for event patterns:
// keeps object members in order (duplicates included, so the parser can reject
// them) and keeps every number's original text. Not for events: events are read
// by the flattener without building a tree. Values are plain data; thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace busbar::matcher::internal {

struct JsonMember;

struct JsonValue {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  std::string text;                 // kString: unescaped value; kNumber: the number as written
  std::vector<JsonValue> items;     // kArray
  std::vector<JsonMember> members;  // kObject, in order

  const char* TypeName() const;
};

struct JsonMember {
  std::string first;  // the key
  JsonValue second;
};

// Parses one JSON text (surrounding whitespace allowed). InvalidArgument with the
// byte offset and reason on malformed input or nesting deeper than `max_depth`.
absl::StatusOr<JsonValue> ParseJson(std::string_view text, int max_depth = 256);

}  // namespace busbar::matcher::internal
