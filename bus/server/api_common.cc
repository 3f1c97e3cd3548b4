// Shared by the daemon's API operations and services; see api_common.h.
//
// Page tokens are "p1.<base64url of the last key>.<16 hex digits>", the digits
// a checksum (64-bit FNV-1a) of the query and the key, so a token made up, cut,
// or handed out for another query is refused rather than silently misread.
// They hold no secret: the key they carry is a name the caller may list anyway.
#include "bus/server/api_common.h"

#include <cstdio>
#include <optional>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "bus/config/arn.h"

namespace busbar::bus::api {
namespace {

constexpr size_t kMaxBusNameOrArn = 1600;
constexpr size_t kMaxToken = 2048;
constexpr size_t kMaxLimit = 100;
constexpr std::string_view kTokenPrefix = "p1.";

uint64_t Checksum(std::string_view query, std::string_view last) {
  uint64_t h = 14695981039346656037ull;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
  };
  mix("busbar-page-token");
  mix(query);
  mix(std::string_view("\0", 1));
  mix(last);
  return h;
}

std::string Hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

absl::Status Status(absl::StatusCode code, std::string_view prefix, std::string_view reason) {
  return absl::Status(code, absl::StrCat(std::string(prefix), ": ", std::string(reason)));
}

}  // namespace

matcher::Options MatcherOptions(const DaemonOptions& o) {
  matcher::Options m;
  m.allow_regexp = !o.strict_eventbridge;
  return m;
}

absl::Status Validation(std::string_view reason) {
  return Status(absl::StatusCode::kInvalidArgument, "ValidationException", reason);
}
absl::Status InvalidPattern(std::string_view reason) {
  return Status(absl::StatusCode::kInvalidArgument, "InvalidEventPatternException", reason);
}
absl::Status NotFound(std::string_view reason) {
  return Status(absl::StatusCode::kNotFound, "ResourceNotFoundException", reason);
}
absl::Status AlreadyExists(std::string_view reason) {
  return Status(absl::StatusCode::kAlreadyExists, "ResourceAlreadyExistsException", reason);
}
absl::Status Refused(std::string_view reason) {
  return Status(absl::StatusCode::kFailedPrecondition, "ValidationException", reason);
}
absl::Status LimitExceeded(std::string_view reason) {
  return Status(absl::StatusCode::kResourceExhausted, "LimitExceededException", reason);
}
absl::Status FromStore(const absl::Status& status) {
  if (status.ok() || status.code() == absl::StatusCode::kUnavailable) return status;
  return Status(absl::StatusCode::kInternal, "InternalException", std::string(status.message()));
}

absl::StatusOr<std::string> BusName(std::string_view name_or_arn, const DaemonOptions& o) {
  if (name_or_arn.empty()) return std::string("default");
  if (name_or_arn.size() > kMaxBusNameOrArn) {
    return Validation(absl::StrCat("EventBusName is ", name_or_arn.size(), " characters; at most ",
                                   kMaxBusNameOrArn, " are allowed"));
  }
  if (name_or_arn.starts_with("arn:")) {
    absl::StatusOr<std::string> name =
        config::internal::ParseEventBusArn(name_or_arn, o.account, o.region);
    if (!name.ok()) return Validation(absl::StrCat("EventBusName ", name.status().message()));
    return name;
  }
  if (!config::internal::IsValidApiEventBusName(name_or_arn)) {
    return Validation(absl::StrCat("EventBusName '", std::string(name_or_arn),
                                   "' is invalid: it must be an event bus ARN or 1-256 "
                                   "characters of A-Z a-z 0-9 / . - _"));
  }
  return std::string(name_or_arn);
}

absl::StatusOr<const BusRoute*> FindBus(const Routing& routing, std::string_view bus) {
  auto it = routing.buses.find(bus);
  if (it == routing.buses.end()) {
    return NotFound(absl::StrCat("Event bus ", std::string(bus), " does not exist."));
  }
  return &it->second;
}

absl::StatusOr<const RuleEntry*> FindRule(const BusInfo& bus, std::string_view rule) {
  auto it = bus.rules.find(rule);
  if (it == bus.rules.end()) {
    return NotFound(
        absl::StrCat("Rule ", std::string(rule), " does not exist on EventBus ", bus.name, "."));
  }
  return &it->second;
}

absl::Status CheckRuleName(std::string_view name, std::string_view field) {
  if (config::internal::IsValidRuleName(name)) return absl::OkStatus();
  return Validation(absl::StrCat(std::string(field), " '", std::string(name),
                                 "' is invalid: it must be 1-64 characters of A-Z a-z 0-9 . - _"));
}

absl::Status FileOwnedRule(const config::Rule& rule) {
  return Refused(absl::StrCat("Rule ", rule.name, " on EventBus ", rule.event_bus_name,
                              " is declared in rule file ", rule.location.ToString(),
                              "; change it there."));
}

absl::Status FileOwnedBus(const BusInfo& bus) {
  return Refused(absl::StrCat("Event bus ", bus.name, " is declared in rule file ",
                              bus.file.has_value() ? bus.file->ToString() : "?",
                              "; change it there."));
}

absl::StatusOr<Page> ReadPage(int32_t limit, std::string_view next_token, std::string_view query) {
  Page page;
  if (limit < 0 || static_cast<size_t>(limit) > kMaxLimit) {
    return Validation(absl::StrCat("Limit is ", limit, "; it must be from 1 to ", kMaxLimit,
                                   " (or 0 for ", kMaxLimit, ")"));
  }
  page.limit = limit == 0 ? kMaxLimit : static_cast<size_t>(limit);
  if (next_token.empty()) return page;
  std::optional<std::string> last = DecodeNextToken(next_token, query);
  if (!last) return Validation("NextToken is not one this call handed out for these parameters");
  page.after = std::move(*last);
  return page;
}

std::optional<std::string> DecodeNextToken(std::string_view next_token, std::string_view query) {
  if (next_token.size() > kMaxToken || !next_token.starts_with(kTokenPrefix)) return std::nullopt;
  std::string_view body = next_token.substr(kTokenPrefix.size());
  size_t dot = body.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::string last;
  if (!absl::WebSafeBase64Unescape(std::string(body.substr(0, dot)), &last) || last.empty() ||
      body.substr(dot + 1) != Hex(Checksum(query, last))) {
    return std::nullopt;
  }
  return last;
}

std::string NextToken(std::string_view query, std::string_view last) {
  std::string encoded;
  absl::WebSafeBase64Escape(std::string(last), &encoded);
  return absl::StrCat(std::string(kTokenPrefix), encoded, ".", Hex(Checksum(query, last)));
}

}  // namespace busbar::bus::api
