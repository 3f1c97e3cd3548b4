// Internal to targets/ (input.cc): the JSON paths of InputPath and InputPathsMap — EventBridge's
// subset of JSONPath, parsed once and evaluated on a simdjson DOM. See input.h for the syntax.
// JsonPath is a plain value; the functions are thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "matcher/base/base.h"
#include "simdjson.h"

namespace busbar::targets::internal {

struct PathStep {
  enum class Kind { kKey, kIndex, kWildcard };
  Kind kind = Kind::kKey;
  std::string key;   // kKey
  size_t index = 0;  // kIndex
};

struct JsonPath {
  std::string text;             // as written
  std::vector<PathStep> steps;  // empty: the root ($)
  bool has_wildcard = false;    // selects an array of every match
};

// Parses `text`. bracket_keys allows ['key'] / ["key"] steps. Errors: InvalidArgument with the
// reason only (the caller names the field).
absl::StatusOr<JsonPath> ParseJsonPath(std::string_view text, bool bracket_keys);

// What a path selects in one event.
struct PathValue {
  enum class Kind { kMissing, kString, kJson };
  Kind kind = Kind::kMissing;
  // kString: the decoded characters; kJson: minified JSON text (number, true, false, null,
  // object, array, or the array of a wildcard's matches).
  std::string text;
};

// Evaluates `path` on `root`. `minified_root` is the whole event as minified JSON text, returned
// for `$` so numbers keep their written form.
PathValue Evaluate(const JsonPath& path, simdjson::dom::element root,
                   std::string_view minified_root);

// Appends `element` as minified JSON to `out` (strings written by base::AppendJsonString).
void AppendJson(simdjson::dom::element element, std::string* out);

// base::AppendJsonEscaped under the name input.cc uses: the inside of a JSON string, without
// the quotes.
using ::busbar::base::AppendJsonEscaped;

// Number of characters (UTF-8 code points) in `s`, as AWS counts length limits.
size_t Utf8Chars(std::string_view s);

}  // namespace busbar::targets::internal
