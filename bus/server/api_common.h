// Internal to the bus module: what the daemon's API operations (daemon_api.cc)
// and the rules and buses services share — EventBridge's error messages, bus
// and rule lookups in a Routing, name checks, and list pages with their opaque
// tokens. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bus/server/options.h"
#include "bus/server/routing.h"

namespace busbar::bus::api {

// How the daemon validates and compiles event patterns.
matcher::Options MatcherOptions(const DaemonOptions& options);

// "<code>: <reason>" statuses, as proto/README.md's table maps them.
absl::Status Validation(std::string_view reason);      // INVALID_ARGUMENT
absl::Status InvalidPattern(std::string_view reason);  // INVALID_ARGUMENT
absl::Status NotFound(std::string_view reason);        // NOT_FOUND
absl::Status AlreadyExists(std::string_view reason);   // ALREADY_EXISTS
absl::Status Refused(std::string_view reason);         // FAILED_PRECONDITION
absl::Status LimitExceeded(std::string_view reason);   // RESOURCE_EXHAUSTED
// A store error: Unavailable stays, anything else is "InternalException: ...".
absl::Status FromStore(const absl::Status& status);

// The bus a request names: empty is "default", an ARN
// (arn:aws:events:<region>:<account>:event-bus/<name>) gives its name, else the
// name itself (1-256 of [/.\-_A-Za-z0-9]). Errors: InvalidArgument
// "ValidationException: ..." for a malformed name or ARN, or one over 1600
// characters.
absl::StatusOr<std::string> BusName(std::string_view name_or_arn, const DaemonOptions& options);

// The route of an existing bus. NotFound "ResourceNotFoundException: Event bus
// X does not exist."
absl::StatusOr<const BusRoute*> FindBus(const Routing& routing, std::string_view bus);

// A rule of the bus. NotFound "ResourceNotFoundException: Rule X does not
// exist on EventBus Y."
absl::StatusOr<const RuleEntry*> FindRule(const BusInfo& bus, std::string_view rule);

// Checks a rule name (1-64 of [.\-_A-Za-z0-9]) given as `field`.
// InvalidArgument "ValidationException: ..." otherwise.
absl::Status CheckRuleName(std::string_view name, std::string_view field = "Name");

// FAILED_PRECONDITION "ValidationException: Rule X on EventBus Y is declared in
// rule file <file:line:col>; change it there."
absl::Status FileOwnedRule(const config::Rule& rule);
// FAILED_PRECONDITION "ValidationException: Event bus X is declared in rule file
// <file:line:col>; change it there."
absl::Status FileOwnedBus(const BusInfo& bus);

// One page of a List call: start after the key `after` (empty: from the
// first), at most `limit` items.
struct Page {
  std::string after;
  size_t limit = 100;
};

// Reads `limit` (0 is 100; else 1 to 100) and `next_token`, which must be one
// NextToken handed out for the same `query` (the request's other fields).
// Errors: InvalidArgument "ValidationException: ...".
absl::StatusOr<Page> ReadPage(int32_t limit, std::string_view next_token, std::string_view query);

// The token of the page after the one whose last key is `last`.
std::string NextToken(std::string_view query, std::string_view last);

// The last key of a token NextToken(query, last) made; nullopt for any other
// text (made up, cut, or made for another query).
std::optional<std::string> DecodeNextToken(std::string_view next_token, std::string_view query);

// A time in ms since the epoch as seconds and nanoseconds.
inline int64_t Seconds(int64_t ms) { return ms / 1000; }
inline int32_t Nanos(int64_t ms) { return static_cast<int32_t>(ms % 1000) * 1000000; }

}  // namespace busbar::bus::api
