// Internal to busbar::matcher. EventBridge wildcard patterns: `*` matches any run
// of characters (including none) and the pattern must cover the whole value; `\*`
// is a literal star and `\\` a literal backslash. A compiled Wildcard is immutable
// and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace busbar::matcher::internal {

class Wildcard {
 public:
  // Parses `pattern`. InvalidArgument (reason text only, no prefix) for `**`, an
  // escape other than `\*` or `\\`, or a complexity above `max_complexity`.
  static absl::StatusOr<Wildcard> Parse(std::string_view pattern, int max_complexity);

  // The complexity of a wildcard: the largest number of partial matches (NFA
  // states) that can be alive at once while reading any input. Computed by
  // exploring the subset automaton; returns `cap + 1` as soon as it exceeds `cap`.
  static int Complexity(const std::vector<std::string>& segments, bool leading_star,
                        bool trailing_star, int cap);

  bool Matches(std::string_view value) const;

 private:
  // The literal pieces between stars. With k stars there are k + 1 pieces (some
  // possibly empty at the ends).
  std::vector<std::string> pieces_;
  bool has_star_ = false;
};

}  // namespace busbar::matcher::internal
