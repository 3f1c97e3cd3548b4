// Internal to bus/config. ARN forms accepted (partition `aws` only):
//   arn:aws:sqs:R:A:<queue>                       queue
//   arn:aws:lambda:R:A:function:<name>[:$LATEST]  function (no other version or alias)
//   arn:aws:events:R:A:event-bus/<bus>            event bus
//   arn:aws:events:R:A:api-destination/<name>[/<uuid>]
//   arn:aws:events:R:A:connection/<name>[/<uuid>]   (not a target)
#include "bus/config/arn.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace busbar::config::internal {
namespace {

struct ArnParts {
  std::string_view partition, service, region, account, resource;
};

bool IsNameChar(char c, std::string_view extra) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         extra.find(c) != std::string_view::npos;
}

bool IsName(std::string_view s, size_t max_len, std::string_view extra) {
  if (s.empty() || s.size() > max_len) return false;
  for (char c : s) {
    if (!IsNameChar(c, extra)) return false;
  }
  return true;
}

// Splits `s` at `sep` into at most `max_parts` parts (absl::StrSplit takes
// absl::string_view, which is not std::string_view in Debian's absl).
std::vector<std::string_view> Split(std::string_view s, char sep, size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    size_t at = s.find(sep);
    if (at == std::string_view::npos) break;
    parts.push_back(s.substr(0, at));
    s.remove_prefix(at + 1);
  }
  parts.push_back(s);
  return parts;
}

bool ConsumePrefix(std::string_view& s, std::string_view prefix) {
  if (!s.starts_with(prefix)) return false;
  s.remove_prefix(prefix.size());
  return true;
}

absl::Status ArnError(std::string_view arn, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("'", std::string(arn), "' ", std::string(what)));
}

// Splits the ARN and checks partition, account and region.
absl::StatusOr<ArnParts> SplitArn(std::string_view arn, std::string_view account_id,
                                  std::string_view region) {
  std::vector<std::string_view> parts = Split(arn, ':', 6);
  if (parts.size() != 6 || parts[0] != "arn" || parts[1].empty() || parts[2].empty() ||
      parts[5].empty()) {
    return ArnError(arn, "is not a valid ARN (arn:aws:<service>:<region>:<account>:<resource>)");
  }
  ArnParts p{parts[1], parts[2], parts[3], parts[4], parts[5]};
  if (p.partition != "aws") {
    return ArnError(arn, absl::StrCat("is in partition '", std::string(p.partition),
                                      "'; only 'aws' is supported"));
  }
  if (p.region != region) {
    return ArnError(arn, absl::StrCat("is in region '", std::string(p.region), "', not '",
                                      std::string(region), "'"));
  }
  if (p.account != account_id) {
    return ArnError(arn, absl::StrCat("is in account '", std::string(p.account), "', not '",
                                      std::string(account_id), "'"));
  }
  return p;
}

// <name>[/<uuid>] as in api-destination/ and connection/ ARNs; returns the name.
bool ReadNameAndUuid(std::string_view resource, std::string_view& name) {
  std::vector<std::string_view> parts = Split(resource, '/', 3);
  if (parts.size() > 2 || !IsName(parts[0], 64, ".-_") ||
      (parts.size() == 2 && !IsName(parts[1], 64, "-"))) {
    return false;
  }
  name = parts[0];
  return true;
}

}  // namespace

bool IsValidQueueName(std::string_view name) { return IsName(name, 80, "-_"); }
bool IsValidEventBusName(std::string_view name) { return IsName(name, 256, ".-_"); }
bool IsValidRuleName(std::string_view name) { return IsName(name, 64, ".-_"); }
bool IsValidApiEventBusName(std::string_view name) { return IsName(name, 256, "/.-_"); }
bool IsValidFunctionName(std::string_view name) { return IsName(name, 64, "-_"); }

absl::StatusOr<TargetArn> ParseTargetArn(std::string_view arn, std::string_view account_id,
                                         std::string_view region) {
  absl::StatusOr<ArnParts> p = SplitArn(arn, account_id, region);
  if (!p.ok()) return p.status();
  std::string_view resource = p->resource;
  if (p->service == "sqs") {
    if (!IsValidQueueName(resource)) {
      return ArnError(arn, "has an invalid queue name (1-80 of A-Z a-z 0-9 - _)");
    }
    return TargetArn{TargetKind::kQueue, std::string(resource)};
  }
  if (p->service == "lambda" && ConsumePrefix(resource, "function:")) {
    if (resource.ends_with(":$LATEST")) resource.remove_suffix(8);
    if (!IsValidFunctionName(resource)) {
      return ArnError(arn,
                      "has an invalid function name (1-64 of A-Z a-z 0-9 - _; no version or "
                      "alias but $LATEST)");
    }
    return TargetArn{TargetKind::kFunction, std::string(resource)};
  }
  if (p->service == "events" && ConsumePrefix(resource, "event-bus/")) {
    if (!IsValidApiEventBusName(resource)) {
      return ArnError(arn, "has an invalid event bus name (1-256 of A-Z a-z 0-9 / . - _)");
    }
    return TargetArn{TargetKind::kEventBus, std::string(resource)};
  }
  if (p->service == "events" && ConsumePrefix(resource, "api-destination/")) {
    std::string_view name;
    if (!ReadNameAndUuid(resource, name)) {
      return ArnError(arn,
                      "has an invalid API destination (api-destination/<name>[/<uuid>], name "
                      "1-64 of A-Z a-z 0-9 . - _)");
    }
    return TargetArn{TargetKind::kApiDestination, std::string(name)};
  }
  return ArnError(arn, "is not an SQS queue, Lambda function, event bus or API destination ARN");
}

absl::StatusOr<std::string> ParseQueueArn(std::string_view arn, std::string_view account_id,
                                          std::string_view region) {
  absl::StatusOr<TargetArn> t = ParseTargetArn(arn, account_id, region);
  if (!t.ok()) return t.status();
  if (t->kind != TargetKind::kQueue) return ArnError(arn, "is not an SQS queue ARN");
  return std::move(t->name);
}

absl::StatusOr<std::string> ParseEventBusArn(std::string_view arn, std::string_view account_id,
                                             std::string_view region) {
  absl::StatusOr<TargetArn> t = ParseTargetArn(arn, account_id, region);
  if (!t.ok()) return t.status();
  if (t->kind != TargetKind::kEventBus) return ArnError(arn, "is not an event bus ARN");
  return std::move(t->name);
}

absl::StatusOr<std::string> ParseConnectionArn(std::string_view arn, std::string_view account_id,
                                               std::string_view region) {
  absl::StatusOr<ArnParts> p = SplitArn(arn, account_id, region);
  if (!p.ok()) return p.status();
  std::string_view resource = p->resource;
  if (p->service != "events" || !ConsumePrefix(resource, "connection/")) {
    return ArnError(arn,
                    "is not a connection ARN (arn:aws:events:<region>:<account>:connection/"
                    "<name>)");
  }
  std::string_view name;
  if (!ReadNameAndUuid(resource, name)) {
    return ArnError(arn,
                    "has an invalid connection (connection/<name>[/<uuid>], name 1-64 of A-Z "
                    "a-z 0-9 . - _)");
  }
  return std::string(name);
}

std::string FunctionArn(std::string_view region, std::string_view account_id,
                        std::string_view function) {
  return absl::StrCat("arn:aws:lambda:", std::string(region), ":", std::string(account_id),
                      ":function:", std::string(function));
}

std::string ConnectionArn(std::string_view region, std::string_view account_id,
                          std::string_view connection) {
  return absl::StrCat("arn:aws:events:", std::string(region), ":", std::string(account_id),
                      ":connection/", std::string(connection));
}

std::string ApiDestinationArn(std::string_view region, std::string_view account_id,
                              std::string_view destination) {
  return absl::StrCat("arn:aws:events:", std::string(region), ":", std::string(account_id),
                      ":api-destination/", std::string(destination));
}

std::string QueueArn(std::string_view region, std::string_view account_id, std::string_view queue) {
  return absl::StrCat("arn:aws:sqs:", std::string(region), ":", std::string(account_id), ":",
                      std::string(queue));
}

std::string EventBusArn(std::string_view region, std::string_view account_id,
                        std::string_view bus) {
  return absl::StrCat("arn:aws:events:", std::string(region), ":", std::string(account_id),
                      ":event-bus/", std::string(bus));
}

std::string RuleArn(std::string_view region, std::string_view account_id, std::string_view bus,
                    std::string_view rule) {
  std::string prefix =
      absl::StrCat("arn:aws:events:", std::string(region), ":", std::string(account_id), ":rule/");
  if (bus == "default") return absl::StrCat(prefix, std::string(rule));
  return absl::StrCat(prefix, std::string(bus), "/", std::string(rule));
}

}  // namespace busbar::config::internal
