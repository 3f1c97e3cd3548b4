// Internal to bus/config: ValidateFunction and ValidateEventInvokeConfig
// (config.h), the checks a function gets whether it comes from a rule file or
// from the API. As with targets, the rule file parser reads types and shapes
// and leaves the values to this file, turning a PropertyFault into a position.
#include <algorithm>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "bus/config/arn.h"
#include "bus/config/config.h"
#include "bus/config/json_text.h"
#include "targets/functions.h"

namespace busbar::config {
namespace {

constexpr size_t kMaxCommandArgs = 64;
constexpr size_t kMaxCommandArgChars = 4096;
constexpr size_t kMaxHandler = 128;
constexpr size_t kMaxFunctionDescription = 256;

absl::Status Invalid(PropertyFault* fault, std::vector<std::string> path, std::string message,
                     bool at_key = false, int entry = -1) {
  if (fault != nullptr) *fault = PropertyFault{std::move(path), at_key, entry};
  return absl::InvalidArgumentError(message);
}

absl::Status CheckRange(PropertyFault* fault, std::vector<std::string> path, int value, int min,
                        int max) {
  if (value >= min && value <= max) return absl::OkStatus();
  std::string property = path.back();
  return Invalid(fault, std::move(path),
                 absl::StrCat(property, " is ", value, "; it must be from ", min, " to ", max));
}

bool HasNul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

// Lambda's: [a-zA-Z]([a-zA-Z0-9_])+
bool IsEnvironmentKey(std::string_view key) {
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  return key.size() >= 2 && alpha(key[0]) && std::all_of(key.begin() + 1, key.end(), [&](char c) {
           return alpha(c) || (c >= '0' && c <= '9') || c == '_';
         });
}

// Keys the function host sets itself: Lambda's reserved variables (targets/functions.h).
bool IsReservedEnvironmentKey(std::string_view key) {
  return key.starts_with("AWS_LAMBDA_") || targets::IsReservedEnvironmentVariable(key);
}

absl::Status CheckCommand(const Function& f, PropertyFault* fault) {
  if (f.command.empty() || f.command.size() > kMaxCommandArgs) {
    return Invalid(fault, {"Command"},
                   absl::StrCat("Command has ", f.command.size(), " elements; it must have 1 to ",
                                kMaxCommandArgs),
                   /*at_key=*/false, f.command.empty() ? -1 : static_cast<int>(kMaxCommandArgs));
  }
  if (f.command[0].empty()) {
    return Invalid(fault, {"Command", "0"}, "Command: the program (the first element) is empty");
  }
  for (size_t i = 0; i < f.command.size(); ++i) {
    if (HasNul(f.command[i]) || CharCount(f.command[i]) > kMaxCommandArgChars) {
      return Invalid(fault, {"Command", std::to_string(i)},
                     absl::StrCat("Command element #", i + 1, " is invalid: at most ",
                                  kMaxCommandArgChars, " characters, no NUL"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckCodeDirectory(Function& f, PropertyFault* fault) {
  std::filesystem::path dir(f.code_directory);
  if (f.code_directory.empty() || !dir.is_absolute() || HasNul(f.code_directory)) {
    return Invalid(fault, {"CodeDirectory"},
                   absl::StrCat("CodeDirectory ", internal::Quote(f.code_directory),
                                " must be an absolute path"));
  }
  std::string normal = dir.lexically_normal().string();
  if (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(normal, ec);
  const char* problem = nullptr;
  if (status.type() == std::filesystem::file_type::not_found) {
    problem = " does not exist";
  } else if (ec) {
    return Invalid(
        fault, {"CodeDirectory"},
        absl::StrCat("CodeDirectory ", internal::Quote(normal), " can't be used: ", ec.message()));
  } else if (!std::filesystem::is_directory(status)) {
    problem = " is not a directory";
  }
  if (problem != nullptr) {
    return Invalid(fault, {"CodeDirectory"},
                   absl::StrCat("CodeDirectory ", internal::Quote(normal), problem));
  }
  f.code_directory = std::move(normal);
  return absl::OkStatus();
}

absl::Status CheckEnvironment(const Function& f, PropertyFault* fault) {
  size_t bytes = 0;
  for (const auto& [key, value] : f.environment) {
    const std::vector<std::string> path{"Environment", "Variables", key};
    if (IsReservedEnvironmentKey(key)) {
      return Invalid(fault, path,
                     absl::StrCat("Environment: Variables: ", internal::Quote(key),
                                  " is reserved: the function host sets it"),
                     /*at_key=*/true);
    }
    if (!IsEnvironmentKey(key)) {
      return Invalid(fault, path,
                     absl::StrCat("Environment: Variables: key ", internal::Quote(key),
                                  " is invalid: it must match [a-zA-Z][a-zA-Z0-9_]+"),
                     /*at_key=*/true);
    }
    if (HasNul(value)) {
      return Invalid(fault, path,
                     absl::StrCat("Environment: Variables: ", internal::Quote(key),
                                  ": the value contains a NUL character"));
    }
    bytes += key.size() + value.size();
  }
  if (bytes > kMaxFunctionEnvironmentBytes) {
    return Invalid(fault, {"Environment", "Variables"},
                   absl::StrCat("Environment: Variables are ", bytes, " bytes; at most ",
                                kMaxFunctionEnvironmentBytes, " are allowed"));
  }
  return absl::OkStatus();
}

// One of DestinationConfig's OnSuccess / OnFailure.
absl::Status CheckDestination(FunctionDestination& d, const char* which,
                              const FunctionCheckOptions& o, PropertyFault* fault) {
  const std::vector<std::string> path{"DestinationConfig", which, "Destination"};
  const std::string prefix = absl::StrCat("DestinationConfig: ", which, ": ");
  absl::StatusOr<internal::TargetArn> arn = internal::ParseTargetArn(d.arn, o.account_id, o.region);
  if (arn.ok() && arn->kind == TargetKind::kApiDestination) {
    arn = absl::InvalidArgumentError(absl::StrCat(
        internal::Quote(d.arn), " is not an SQS queue, event bus or Lambda function ARN"));
  }
  if (!arn.ok()) {
    return Invalid(fault, path, absl::StrCat(prefix, "Destination ", arn.status().message()));
  }
  d.kind = arn->kind;
  d.resource_name = arn->name;
  const std::function<bool(std::string_view)>* exists = nullptr;
  const char* noun = "";
  switch (d.kind) {
    case TargetKind::kQueue:
      exists = &o.queue_exists;
      noun = "queue ";
      break;
    case TargetKind::kEventBus:
      exists = d.resource_name == "default" ? nullptr : &o.event_bus_exists;
      noun = "event bus ";
      break;
    case TargetKind::kFunction:
      exists = &o.function_exists;
      noun = "function ";
      break;
    case TargetKind::kApiDestination:
      break;
  }
  if (exists != nullptr && *exists && !(*exists)(d.resource_name)) {
    if (fault != nullptr) *fault = PropertyFault{path, false, -1};
    return absl::NotFoundError(
        absl::StrCat(prefix, noun, internal::Quote(d.resource_name), " does not exist"));
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
  if (!internal::IsValidFunctionName(f.name)) {
    return Invalid(fault, {"FunctionName"},
                   absl::StrCat("FunctionName ", internal::Quote(f.name),
                                " is invalid: it must be 1-64 characters of A-Z a-z 0-9 - _"));
  }
  if (absl::Status s = CheckCommand(f, fault); !s.ok()) return s;
  if (absl::Status s = CheckCodeDirectory(f, fault); !s.ok()) return s;
  if (CharCount(f.handler) > kMaxHandler) {
    return Invalid(fault, {"Handler"},
                   absl::StrCat("Handler is ", CharCount(f.handler), " characters; at most ",
                                kMaxHandler, " are allowed"));
  }
  if (HasNul(f.handler)) return Invalid(fault, {"Handler"}, "Handler contains a NUL character");
  if (CharCount(f.description) > kMaxFunctionDescription) {
    return Invalid(fault, {"Description"},
                   absl::StrCat("Description is ", CharCount(f.description),
                                " characters; at most ", kMaxFunctionDescription, " are allowed"));
  }
  if (absl::Status s = CheckEnvironment(f, fault); !s.ok()) return s;
  if (absl::Status s =
          CheckRange(fault, {"Timeout"}, f.timeout_s, kMinFunctionTimeout, kMaxFunctionTimeout);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckRange(fault, {"MemorySize"}, f.memory_size_mb, kMinFunctionMemory,
                                  kMaxFunctionMemory);
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
  f.arn = internal::FunctionArn(o.region, o.account_id, f.name);
  return absl::OkStatus();
}

}  // namespace busbar::config
