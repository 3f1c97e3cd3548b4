// Internal to bus/config: a YAML (or JSON) document as a plain tree whose every
// node knows its line and column — the only place yaml-cpp is used, and the one
// place its exceptions are caught and turned into absl::Status. Nodes are plain
// values; thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace busbar::config::internal {

struct YamlMember;

struct YamlNode {
  enum class Kind { kNull, kScalar, kSequence, kMapping };
  Kind kind = Kind::kNull;
  int line = 0;    // 1-based
  int column = 0;  // 1-based
  // kScalar: the value. `plain` is false for quoted and block scalars, which are
  // always strings; a plain scalar may stand for a number or a boolean.
  std::string scalar;
  bool plain = true;
  std::vector<YamlNode> items;      // kSequence
  std::vector<YamlMember> members;  // kMapping, in order, duplicate keys kept

  bool IsNull() const { return kind == Kind::kNull; }
  bool IsScalar() const { return kind == Kind::kScalar; }
  bool IsSequence() const { return kind == Kind::kSequence; }
  bool IsMapping() const { return kind == Kind::kMapping; }
  // "a mapping", "a sequence", "a string", "null".
  const char* KindName() const;
};

struct YamlMember {
  YamlNode key;
  YamlNode value;
};

// Parses one YAML document; an empty text (or only comments) gives a kNull root
// at 1:1. Errors, all InvalidArgument "<file_name>:<line>:<column>: <reason>":
// malformed YAML, more than one document, a YAML tag (`!GetAtt`, `!!str`, ...),
// a mapping key that is not a string, nesting deeper than 256, or more than
// 1,000,000 nodes (after aliases are expanded).
absl::StatusOr<YamlNode> ParseYaml(std::string_view text, std::string_view file_name);

// Writes `node` as compact JSON: plain scalars `null`, `~` and empty are null;
// `true`/`false` (also True, TRUE, ...) are booleans; a plain scalar written as
// a JSON number is that number; every other scalar is a string. Errors:
// InvalidArgument "<file_name>:<line>:<column>: <reason>" for a plain scalar
// YAML reads as a number but JSON does not (`+1`, `.5`, `0x1F`, `.inf`, `01`).
absl::StatusOr<std::string> YamlToJson(const YamlNode& node, std::string_view file_name);

}  // namespace busbar::config::internal
