// Internal to busbar::matcher. Parses and validates one EventBridge event pattern
// into its disjunctive normal form: a list of conjunctions (one per combination of
// `$or` branches), each a list of field tests on dotted paths. Parsed patterns are
// plain immutable data; the functions are thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "matcher/matcher.h"

namespace busbar::matcher::internal {

enum class CondKind {
  kString,  // exact string; text
  kNumber,  // exact number; number, text (as written), round_trips
  kTrue,
  kFalse,
  kNull,
  kPrefix,      // text
  kSuffix,      // text
  kPrefixCI,    // text is case-folded
  kSuffixCI,    // text is case-folded
  kEqualsCI,    // text is case-folded
  kWildcard,    // text is the wildcard as written
  kRegexp,      // text is the RE2 pattern
  kNumeric,     // lo/hi bounds
  kCidr,        // text is the block as written
  kExists,      // exists: true
  kAnythingBut  // excluded: the values it excludes (simple kinds only)
};

struct Condition {
  CondKind kind = CondKind::kString;
  std::string text;
  double number = 0;
  bool round_trips = true;
  // kNumeric: the range; a missing side is infinite.
  bool has_lo = false, lo_inclusive = false, has_hi = false, hi_inclusive = false;
  double lo = 0, hi = 0;
  std::vector<Condition> excluded;

  // A canonical text, equal for conditions that match the same values.
  std::string Canonical() const;
};

// One field of a conjunction: the leaf at `path` must satisfy one of the
// alternatives, or (absent_ok, from `{"exists": false}`) the path must have no leaf.
struct FieldTest {
  std::string path;
  std::vector<Condition> alternatives;
  bool absent_ok = false;

  std::string Canonical() const;
};

using Conjunction = std::vector<FieldTest>;

struct ParsedPattern {
  std::vector<Conjunction> conjunctions;
};

// Most fields one conjunction may test (array-consistency uses 64-bit masks).
inline constexpr size_t kMaxFieldsPerConjunction = 64;

// Parses and validates `json`. InvalidArgument:
// "Event pattern is not valid. Reason: <path>: <what is wrong>".
absl::StatusOr<ParsedPattern> ParsePattern(std::string_view json, const Options& options);

}  // namespace busbar::matcher::internal
