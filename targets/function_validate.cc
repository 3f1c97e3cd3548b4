// Internal to targets/: ValidateFunction and ValidateEventInvokeConfig (functions.h) — the one
// check of a function, whether it comes from a rule file, from FunctionsService or is put on
// the host. Messages start with Lambda's property name; a base::PropertyFault says where, so
// rule files turn it into file:line:column.
//
// DestinationConfig ARNs are read here in the forms bus/config/arn.h reads target ARNs (same
// words for the same faults), limited to the three a Lambda destination may name; targets/
// cannot include bus/. tests/bus/config/function_destination_test.cc checks both readers agree.
#include <algorithm>
#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "matcher/base/base.h"
#include "targets/functions.h"

namespace busbar::targets {
namespace {

using base::PropertyFault;

// Environment variables the Lambda runtime sets itself (Lambda's "reserved environment
// variables"); a function may not set them, nor any other AWS_LAMBDA_* (the host's own).
// The one list: the host sets the ones it knows of in function_host.cc's BuildSpawnRequest.
constexpr std::array<std::string_view, 18> kReservedVariables = {
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
};

bool IsReservedVariable(std::string_view key) {
  return key.starts_with("AWS_LAMBDA_") ||
         std::find(kReservedVariables.begin(), kReservedVariables.end(), key) !=
             kReservedVariables.end();
}

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsAlpha(c) || (c >= '0' && c <= '9'); }

// 1-max of [A-Za-z0-9] and `extra`.
bool IsName(std::string_view s, size_t max, std::string_view extra) {
  return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), [extra](char c) {
    return IsAlnum(c) || extra.find(c) != std::string_view::npos;
  });
}

bool IsFunctionName(std::string_view s) { return IsName(s, kMaxFunctionNameLength, "-_"); }

// Lambda's: [a-zA-Z]([a-zA-Z0-9_])+
bool IsEnvironmentKey(std::string_view key) {
  return key.size() >= 2 && IsAlpha(key[0]) && IsName(key, key.size(), "_");
}

bool HasNul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

// Characters (UTF-8 code points), as AWS counts length limits.
size_t CharCount(std::string_view s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// 'text' for a message: at most 100 bytes, control characters escaped (as bus/config quotes).
std::string Quote(std::string_view s) { return base::QuoteForMessage(s); }

absl::Status Invalid(PropertyFault* fault, std::vector<std::string> path, std::string message,
                     bool at_key = false, int entry = -1) {
  if (fault != nullptr) *fault = PropertyFault{std::move(path), at_key, entry};
  return absl::InvalidArgumentError(std::move(message));
}

absl::Status CheckRange(PropertyFault* fault, std::vector<std::string> path, int value, int min,
                        int max) {
  if (value >= min && value <= max) return absl::OkStatus();
  std::string property = path.back();
  return Invalid(fault, std::move(path),
                 absl::StrCat(property, " is ", value, "; it must be from ", min, " to ", max));
}

// ---- DestinationConfig ARNs ----

struct DestinationArn {
  DestinationKind kind = DestinationKind::kQueue;
  std::string name;
};

// "'<arn>' <what>", ready to follow "Destination ".
absl::Status ArnError(std::string_view arn, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("'", std::string(arn), "' ", std::string(what)));
}

// arn:aws:<service>:<region>:<account>:<resource> in the account and region, then one of the
// three destination forms.
absl::StatusOr<DestinationArn> ReadDestinationArn(std::string_view arn,
                                                  const FunctionCheckOptions& o) {
  std::vector<std::string_view> parts;
  std::string_view rest = arn;
  while (parts.size() < 5) {
    const size_t at = rest.find(':');
    if (at == std::string_view::npos) break;
    parts.push_back(rest.substr(0, at));
    rest.remove_prefix(at + 1);
  }
  parts.push_back(rest);
  if (parts.size() != 6 || parts[0] != "arn" || parts[1].empty() || parts[2].empty() ||
      parts[5].empty()) {
    return ArnError(arn, "is not a valid ARN (arn:aws:<service>:<region>:<account>:<resource>)");
  }
  const std::string_view partition = parts[1], service = parts[2], region = parts[3],
                         account = parts[4];
  std::string_view resource = parts[5];
  if (partition != "aws") {
    return ArnError(arn, absl::StrCat("is in partition '", std::string(partition),
                                      "'; only 'aws' is supported"));
  }
  if (region != o.region) {
    return ArnError(arn,
                    absl::StrCat("is in region '", std::string(region), "', not '", o.region, "'"));
  }
  if (account != o.account_id) {
    return ArnError(
        arn, absl::StrCat("is in account '", std::string(account), "', not '", o.account_id, "'"));
  }
  if (service == "sqs") {
    if (!IsName(resource, 80, "-_")) {
      return ArnError(arn, "has an invalid queue name (1-80 of A-Z a-z 0-9 - _)");
    }
    return DestinationArn{DestinationKind::kQueue, std::string(resource)};
  }
  if (service == "lambda" && resource.starts_with("function:")) {
    resource.remove_prefix(9);
    if (resource.ends_with(":$LATEST")) resource.remove_suffix(8);
    if (!IsFunctionName(resource)) {
      return ArnError(arn,
                      "has an invalid function name (1-64 of A-Z a-z 0-9 - _; no version or "
                      "alias but $LATEST)");
    }
    return DestinationArn{DestinationKind::kFunction, std::string(resource)};
  }
  if (service == "events" && resource.starts_with("event-bus/")) {
    resource.remove_prefix(10);
    if (!IsName(resource, 256, "/.-_")) {
      return ArnError(arn, "has an invalid event bus name (1-256 of A-Z a-z 0-9 / . - _)");
    }
    return DestinationArn{DestinationKind::kEventBus, std::string(resource)};
  }
  return ArnError(arn, "is not an SQS queue, event bus or Lambda function ARN");
}

// One of DestinationConfig's OnSuccess / OnFailure.
absl::Status CheckDestination(FunctionDestination& d, const char* which,
                              const FunctionCheckOptions& o, PropertyFault* fault) {
  std::vector<std::string> path{"DestinationConfig", which, "Destination"};
  const std::string prefix = absl::StrCat("DestinationConfig: ", which, ": ");
  absl::StatusOr<DestinationArn> arn = ReadDestinationArn(d.arn, o);
  if (!arn.ok()) {
    return Invalid(fault, std::move(path),
                   absl::StrCat(prefix, "Destination ", arn.status().message()));
  }
  d.kind = arn->kind;
  d.resource_name = std::move(arn->name);
  const std::function<bool(std::string_view)>* exists = nullptr;
  const char* noun = "";
  switch (d.kind) {
    case DestinationKind::kQueue:
      exists = &o.queue_exists;
      noun = "queue ";
      break;
    case DestinationKind::kEventBus:
      exists = d.resource_name == "default" ? nullptr : &o.event_bus_exists;
      noun = "event bus ";
      break;
    case DestinationKind::kFunction:
      exists = &o.function_exists;
      noun = "function ";
      break;
  }
  if (exists != nullptr && *exists && !(*exists)(d.resource_name)) {
    if (fault != nullptr) *fault = PropertyFault{std::move(path), false, -1};
    return absl::NotFoundError(
        absl::StrCat(prefix, noun, Quote(d.resource_name), " does not exist"));
  }
  return absl::OkStatus();
}

// ---- The function's own properties ----

absl::Status CheckCommand(const Function& f, PropertyFault* fault) {
  if (f.command.empty() || f.command.size() > kMaxFunctionCommandArgs) {
    return Invalid(fault, {"Command"},
                   absl::StrCat("Command has ", f.command.size(), " elements; it must have 1 to ",
                                kMaxFunctionCommandArgs),
                   /*at_key=*/false,
                   f.command.empty() ? -1 : static_cast<int>(kMaxFunctionCommandArgs));
  }
  if (f.command[0].empty()) {
    return Invalid(fault, {"Command", "0"}, "Command: the program (the first element) is empty");
  }
  for (size_t i = 0; i < f.command.size(); ++i) {
    if (HasNul(f.command[i]) || CharCount(f.command[i]) > kMaxFunctionCommandArgChars) {
      return Invalid(fault, {"Command", std::to_string(i)},
                     absl::StrCat("Command element #", i + 1, " is invalid: at most ",
                                  kMaxFunctionCommandArgChars, " characters, no NUL"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckCodeDirectory(Function& f, PropertyFault* fault) {
  std::filesystem::path dir(f.code_directory);
  if (f.code_directory.empty() || !dir.is_absolute() || HasNul(f.code_directory)) {
    return Invalid(
        fault, {"CodeDirectory"},
        absl::StrCat("CodeDirectory ", Quote(f.code_directory), " must be an absolute path"));
  }
  std::string normal = dir.lexically_normal().string();
  if (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(normal, ec);
  const char* problem = nullptr;
  if (status.type() == std::filesystem::file_type::not_found) {
    problem = " does not exist";
  } else if (ec) {
    return Invalid(fault, {"CodeDirectory"},
                   absl::StrCat("CodeDirectory ", Quote(normal), " can't be used: ", ec.message()));
  } else if (!std::filesystem::is_directory(status)) {
    problem = " is not a directory";
  }
  if (problem != nullptr) {
    return Invalid(fault, {"CodeDirectory"},
                   absl::StrCat("CodeDirectory ", Quote(normal), problem));
  }
  f.code_directory = std::move(normal);
  return absl::OkStatus();
}

absl::Status CheckEnvironment(const Function& f, PropertyFault* fault) {
  size_t bytes = 0;
  for (const auto& [key, value] : f.environment) {
    std::vector<std::string> path{"Environment", "Variables", key};
    if (IsReservedVariable(key)) {
      return Invalid(fault, std::move(path),
                     absl::StrCat("Environment: Variables: ", Quote(key),
                                  " is reserved: the function host sets it"),
                     /*at_key=*/true);
    }
    if (!IsEnvironmentKey(key)) {
      return Invalid(fault, std::move(path),
                     absl::StrCat("Environment: Variables: key ", Quote(key),
                                  " is invalid: it must match [a-zA-Z][a-zA-Z0-9_]+"),
                     /*at_key=*/true);
    }
    if (HasNul(value)) {
      return Invalid(fault, std::move(path),
                     absl::StrCat("Environment: Variables: ", Quote(key),
                                  ": the value contains a NUL character"));
    }
    bytes += key.size() + value.size();
  }
  if (bytes > kMaxEnvironmentVariablesBytes) {
    return Invalid(fault, {"Environment", "Variables"},
                   absl::StrCat("Environment: Variables are ", bytes, " bytes; at most ",
                                kMaxEnvironmentVariablesBytes, " are allowed"));
  }
  return absl::OkStatus();
}

// Handler and Description: at most `max` characters.
absl::Status CheckLength(PropertyFault* fault, const char* property, const std::string& text,
                         size_t max) {
  if (const size_t chars = CharCount(text); chars > max) {
    return Invalid(
        fault, {property},
        absl::StrCat(property, " is ", chars, " characters; at most ", max, " are allowed"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateEventInvokeConfig(EventInvokeConfig& c, const FunctionCheckOptions& o,
                                       PropertyFault* fault) {
  if (absl::Status s = CheckRange(fault, {"MaximumRetryAttempts"}, c.maximum_retry_attempts, 0,
                                  kMaxFunctionRetryAttempts);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CheckRange(fault, {"MaximumEventAgeInSeconds"}, c.maximum_event_age_in_seconds,
                     kMinFunctionEventAge, kMaxFunctionEventAge);
      !s.ok()) {
    return s;
  }
  if (c.on_success.has_value()) {
    if (absl::Status s = CheckDestination(*c.on_success, "OnSuccess", o, fault); !s.ok()) return s;
  }
  if (c.on_failure.has_value()) {
    if (absl::Status s = CheckDestination(*c.on_failure, "OnFailure", o, fault); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ValidateFunction(Function& f, const FunctionCheckOptions& o, PropertyFault* fault) {
  if (!IsFunctionName(f.name)) {
    return Invalid(fault, {"FunctionName"},
                   absl::StrCat("FunctionName ", Quote(f.name),
                                " is invalid: it must be 1-64 characters of A-Z a-z 0-9 - _"));
  }
  if (absl::Status s = CheckCommand(f, fault); !s.ok()) return s;
  if (absl::Status s = CheckCodeDirectory(f, fault); !s.ok()) return s;
  if (absl::Status s = CheckLength(fault, "Handler", f.handler, kMaxFunctionHandlerChars);
      !s.ok()) {
    return s;
  }
  if (HasNul(f.handler)) return Invalid(fault, {"Handler"}, "Handler contains a NUL character");
  if (absl::Status s =
          CheckLength(fault, "Description", f.description, kMaxFunctionDescriptionChars);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckEnvironment(f, fault); !s.ok()) return s;
  if (absl::Status s =
          CheckRange(fault, {"Timeout"}, f.timeout_s, kMinFunctionTimeout, kMaxFunctionTimeout);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckRange(fault, {"MemorySize"}, f.memory_size_mb, kMinFunctionMemorySize,
                                  kMaxFunctionMemorySize);
      !s.ok()) {
    return s;
  }
  if (f.reserved_concurrent_executions.has_value()) {
    if (absl::Status s = CheckRange(fault, {"ReservedConcurrentExecutions"},
                                    *f.reserved_concurrent_executions, 0, kMaxReservedConcurrency);
        !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = ValidateEventInvokeConfig(f.invoke_config, o, fault); !s.ok()) return s;
  f.arn = absl::StrCat("arn:aws:lambda:", o.region, ":", o.account_id, ":function:", f.name);
  return absl::OkStatus();
}

}  // namespace busbar::targets
