// Internal to targets/: ValidateFunctionConfig — the checks Lambda's CreateFunction makes, with
// messages naming the property as Lambda's do.
#include <algorithm>
#include <array>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "targets/functions.h"

namespace busbar::targets {
namespace {

// Environment variables the Lambda runtime sets itself (Lambda's "reserved environment
// variables"); a function may not set them.
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

bool IsNameChar(char c) { return absl::ascii_isalnum(c) || c == '-' || c == '_'; }

absl::Status Invalid(std::string message) { return absl::InvalidArgumentError(std::move(message)); }

absl::Status ValidateEnvironment(const std::map<std::string, std::string>& environment) {
  size_t total = 0;
  for (const auto& [key, value] : environment) {
    // Lambda: [a-zA-Z]([a-zA-Z0-9_])+
    bool valid = key.size() >= 2 && absl::ascii_isalpha(key[0]);
    for (char c : key) valid = valid && (absl::ascii_isalnum(c) || c == '_');
    if (!valid) {
      return Invalid(absl::StrCat("Environment variable name \"", key,
                                  "\" is not valid; it must match [a-zA-Z]([a-zA-Z0-9_])+"));
    }
    if (IsReservedEnvironmentVariable(key)) {
      return Invalid(
          absl::StrCat("Environment variable ", key, " is reserved by the Lambda runtime"));
    }
    if (value.find('\0') != std::string::npos) {
      return Invalid(absl::StrCat("Environment variable ", key, " contains a NUL character"));
    }
    total += key.size() + value.size();
  }
  if (total > kMaxEnvironmentVariablesBytes) {
    return Invalid(absl::StrCat("Environment variables take ", total,
                                " bytes; they must not exceed ", kMaxEnvironmentVariablesBytes));
  }
  return absl::OkStatus();
}

}  // namespace

bool IsReservedEnvironmentVariable(std::string_view name) {
  return std::find(kReservedVariables.begin(), kReservedVariables.end(), name) !=
         kReservedVariables.end();
}

absl::Status ValidateFunctionConfig(const FunctionConfig& config) {
  const std::string& name = config.name;
  if (name.empty() || name.size() > kMaxFunctionNameLength) {
    return Invalid(absl::StrCat("FunctionName \"", name, "\" has ", name.size(),
                                " characters; it must have from 1 to ", kMaxFunctionNameLength));
  }
  for (char c : name) {
    if (!IsNameChar(c)) {
      return Invalid(absl::StrCat("FunctionName \"", name,
                                  "\" is not valid; it may only hold A-Z, a-z, 0-9, - and _"));
    }
  }
  if (config.command.empty() || config.command[0].empty()) {
    return Invalid("Command must not be empty");
  }
  for (const std::string& arg : config.command) {
    if (arg.find('\0') != std::string::npos) {
      return Invalid("Command must not contain NUL characters");
    }
  }
  if (config.code_dir.empty() || config.code_dir[0] != '/') {
    return Invalid(absl::StrCat("CodeDirectory \"", config.code_dir,
                                "\" is not valid; it must be an absolute path"));
  }
  if (config.handler.size() > 128 || config.handler.find('\0') != std::string::npos) {
    return Invalid("Handler must have at most 128 characters and no NUL");
  }
  if (config.timeout_s < kMinFunctionTimeout || config.timeout_s > kMaxFunctionTimeout) {
    return Invalid(absl::StrCat("Timeout is ", config.timeout_s, "; it must be from ",
                                kMinFunctionTimeout, " to ", kMaxFunctionTimeout));
  }
  if (config.memory_size_mb < kMinFunctionMemorySize ||
      config.memory_size_mb > kMaxFunctionMemorySize) {
    return Invalid(absl::StrCat("MemorySize is ", config.memory_size_mb, "; it must be from ",
                                kMinFunctionMemorySize, " to ", kMaxFunctionMemorySize));
  }
  if (config.reserved_concurrency.has_value() && *config.reserved_concurrency < 0) {
    return Invalid(absl::StrCat("ReservedConcurrentExecutions is ", *config.reserved_concurrency,
                                "; it must be 0 or more"));
  }
  if (!config.arn.empty() && (!absl::StartsWith(config.arn, "arn:aws:lambda:") ||
                              !absl::EndsWith(config.arn, absl::StrCat(":function:", name)))) {
    return Invalid(absl::StrCat("FunctionArn \"", config.arn,
                                "\" is not valid; it must be arn:aws:lambda:<region>:<account>:"
                                "function:",
                                name));
  }
  return ValidateEnvironment(config.environment);
}

}  // namespace busbar::targets
