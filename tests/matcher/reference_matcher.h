// Test-only: a slow, obviously-correct reference for the event-pattern semantics
// of shared/PATTERNS.md, against which busbar::matcher is checked (as RE2 checks
// its engines against a backtracking tester).
//
// It shares no code with matcher/. A pattern is parsed with simdjson's DOM into a
// plain tree and every `$or` is expanded, giving a disjunction of conjunctions of
// (dotted path, alternatives) fields. An event is flattened into leaves, each with
// its dotted path and the (array instance, element index) pairs of the arrays it
// sits in. A conjunction matches when some choice of one satisfying leaf per field
// is pairwise array-consistent; the choice is found by plain backtracking.
//
// The reference does not validate patterns: REQUIRES a valid pattern. Parsed
// patterns and events are immutable and may be shared between threads.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace busbar::testing {

// A JSON value, kept with the original text of its numbers.
struct RefValue {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  std::string text;             // a string's (unescaped) bytes, or a number's JSON text
  double number = 0;            // a number's value, parsed from `text`
  std::vector<RefValue> items;  // kArray
  std::vector<std::pair<std::string, RefValue>> members;  // kObject, in order

  // Out of line (reference_matcher.cc): `members` holds RefValue, which is incomplete here, and
  // clang with libstdc++ refuses to instantiate the vector's destructor inline.
  RefValue();
  RefValue(const RefValue&);
  RefValue(RefValue&&) noexcept;
  RefValue& operator=(const RefValue&);
  RefValue& operator=(RefValue&&) noexcept;
  ~RefValue();
};

// Parses JSON text. Numbers of any size are accepted (their text is kept).
// InvalidArgument for malformed JSON.
absl::StatusOr<RefValue> ParseReferenceJson(std::string_view json);

// One ANDed field of an expanded pattern: the dotted path and the ORed
// alternatives (the pattern's leaf array, owned by the ReferencePattern).
struct RefField {
  std::string path;
  const RefValue* alternatives;
};

class ReferencePattern {
 public:
  // InvalidArgument if `pattern_json` is not JSON or not an object.
  // REQUIRES: the pattern is valid per PATTERNS.md (no further checks are made).
  static absl::StatusOr<ReferencePattern> Parse(std::string_view pattern_json);

  // The disjunction of conjunctions that `$or` expands to.
  const std::vector<std::vector<RefField>>& conjunctions() const { return conjunctions_; }

 private:
  std::shared_ptr<const RefValue> root_;
  std::vector<std::vector<RefField>> conjunctions_;
};

class ReferenceEvent {
 public:
  struct Leaf {
    const RefValue* value;
    // (array instance id, element index) for each array between root and leaf.
    std::vector<std::pair<int, int>> arrays;
  };

  // InvalidArgument if `event_json` is not JSON or not an object.
  static absl::StatusOr<ReferenceEvent> Parse(std::string_view event_json);

  // The leaves at `path` (empty if none).
  const std::vector<Leaf>& LeavesAt(const std::string& path) const;

 private:
  std::shared_ptr<const RefValue> root_;
  std::map<std::string, std::vector<Leaf>> leaves_by_path_;
};

// Does the pattern match the event?
bool ReferenceMatches(const ReferencePattern& pattern, const ReferenceEvent& event);

// Convenience: parses both and matches. InvalidArgument if either does not parse.
absl::StatusOr<bool> ReferenceMatch(std::string_view pattern_json, std::string_view event_json);

// Building blocks, exposed so the reference itself can be tested.

// Simple Unicode case folding of UTF-8 text (ASCII, Latin-1 Supplement, Latin
// Extended-A, Greek, Cyrillic). Invalid UTF-8 bytes are kept as they are.
std::string FoldCase(std::string_view utf8);

// Appends code point `c` to `out` as UTF-8.
void AppendUtf8(char32_t c, std::string& out);
// `*` matches any run of bytes, `\*` a star, `\\` a backslash; whole value.
bool WildcardMatches(std::string_view pattern, std::string_view value);
// Exact number equality of two JSON number texts: as doubles when both texts
// survive the double round trip, else by identical text.
bool NumberTextsEqual(std::string_view a, std::string_view b);
// Does the number's text survive the round trip through a double?
bool NumberRoundTrips(std::string_view text);
// Is `address` an IPv4/IPv6 address inside `block` ("10.0.0.0/24", "2001:db8::/32")?
bool CidrContains(std::string_view block, std::string_view address);

}  // namespace busbar::testing
