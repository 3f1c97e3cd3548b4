// busbar::base::PropertyFault — where a resource's validation found a problem, as a path of
// property names, so every reader of a resource can point at it: rule files turn it into
// file:line:column, the API into the property's name in the error message.
//
// A plain value; thread-compatible.
#pragma once

#include <string>
#include <vector>

namespace busbar::base {

// The property path in EventBridge's / Lambda's names ({"Arn"}, {"InputTransformer",
// "InputPathsMap", "<variable>"}, {"RetryPolicy", "MaximumRetryAttempts"}, {"Command", "2"}, ...;
// a step into a list is the item's 0-based index in decimal); `at_key` when the property's
// presence is the problem (not its value); `entry` >= 0 when the problem is the property's entry
// (or item) of that index.
struct PropertyFault {
  std::vector<std::string> path;
  bool at_key = false;
  int entry = -1;
};

}  // namespace busbar::base
