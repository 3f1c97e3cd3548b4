// Internal to bus/config: the Parser's readers for functions (the `Functions`
// section and AWS::Lambda::Function) and AWS::Lambda::EventInvokeConfig. They
// read types and shapes, resolve CodeDirectory against the rule file's
// directory, and leave the values to targets::ValidateFunction /
// ValidateEventInvokeConfig (targets/functions.h) so that rule files, the API and
// the function host refuse the same things with the same words.
#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "bus/config/arn.h"
#include "bus/config/json_text.h"
#include "bus/config/rule_file_parser_impl.h"
#include "targets/functions.h"

namespace busbar::config::internal {
namespace {

constexpr NameSpec kFunctionName{"FunctionName", "function", &IsValidFunctionName,
                                 "1-64 characters of A-Z a-z 0-9 - _"};

// Lambda's properties that make no sense for a process busbar runs itself.
constexpr std::string_view kUnsupportedLambdaProperties[] = {"Code",
                                                             "Role",
                                                             "Architectures",
                                                             "Layers",
                                                             "PackageType",
                                                             "ImageConfig",
                                                             "VpcConfig",
                                                             "TracingConfig",
                                                             "DeadLetterConfig",
                                                             "KmsKeyArn",
                                                             "FileSystemConfigs",
                                                             "EphemeralStorage",
                                                             "SnapStart",
                                                             "LoggingConfig",
                                                             "Tags",
                                                             "CodeSigningConfigArn",
                                                             "RuntimeManagementConfig",
                                                             "RecursiveLoop"};

constexpr std::string_view kCustomRuntimes[] = {"provided", "provided.al2", "provided.al2023"};

Reference::Kind ReferenceKindOf(targets::DestinationKind kind) {
  switch (kind) {
    case targets::DestinationKind::kQueue:
      return Reference::Kind::kQueue;
    case targets::DestinationKind::kEventBus:
      return Reference::Kind::kEventBus;
    case targets::DestinationKind::kFunction:
      break;
  }
  return Reference::Kind::kFunction;
}

// The checks of targets::ValidateFunction as a rule file needs them: destinations are looked
// up by config_linker.h once every file is read.
targets::FunctionCheckOptions CheckOptions(const LoadOptions& opts) {
  targets::FunctionCheckOptions check;
  check.account_id = opts.account_id;
  check.region = opts.region;
  return check;
}

}  // namespace

absl::Status Parser::ParseFunction(const YamlNode& node, std::string ctx,
                                   const YamlNode* logical_id) {
  Declared<targets::Function> declared;
  targets::Function& f = declared.value;
  absl::StatusOr<std::string> name =
      ReadName(node, kFunctionName, logical_id, "", ctx, declared.location);
  if (!name.ok()) return name.status();
  for (const YamlMember& m : node.members) {
    const std::string& key = m.key.scalar;
    if (std::find(std::begin(kUnsupportedLambdaProperties), std::end(kUnsupportedLambdaProperties),
                  key) != std::end(kUnsupportedLambdaProperties)) {
      return Error(m.key, ctx,
                   absl::StrCat("property ", Quote(key),
                                " is not supported by busbar: Command and CodeDirectory say what "
                                "to run"));
    }
  }
  // The asynchronous settings are the function's own in the simple form; a
  // template has them in an AWS::Lambda::EventInvokeConfig.
  if (logical_id != nullptr) {
    for (const char* key :
         {"MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig"}) {
      if (const YamlMember* m = Find(node, key)) {
        return Error(
            m->key, ctx,
            absl::StrCat("property '", key, "' belongs in an AWS::Lambda::EventInvokeConfig"));
      }
    }
  }
  absl::Status s =
      logical_id == nullptr
          ? CheckKeys(
                node, ctx,
                {"FunctionName", "Command", "CodeDirectory", "Runtime", "Handler", "Description",
                 "Environment", "Timeout", "MemorySize", "ReservedConcurrentExecutions",
                 "MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig"})
          : CheckKeys(
                node, ctx,
                {"FunctionName", "Command", "CodeDirectory", "Runtime", "Handler", "Description",
                 "Environment", "Timeout", "MemorySize", "ReservedConcurrentExecutions"});
  if (!s.ok()) return s;
  f.name = *name;
  for (const char* required : {"Command", "CodeDirectory"}) {
    if (Find(node, required) == nullptr) {
      return Error(node, ctx, absl::StrCat("missing required property '", required, "'"));
    }
  }
  for (const YamlMember& m : node.members) {
    const std::string& key = m.key.scalar;
    if (key == "Command") {
      absl::StatusOr<std::vector<std::string>> argv = ReadStringList(m, ctx, /*single_ok=*/true);
      if (!argv.ok()) return argv.status();
      f.command = *std::move(argv);
    } else if (key == "CodeDirectory") {
      absl::StatusOr<std::string> dir = ReadString(m, ctx);
      if (!dir.ok()) return dir.status();
      if (dir->empty()) return Error(m.value, ctx, "CodeDirectory is empty");
      std::filesystem::path path(*dir);
      if (path.is_relative()) {
        // Relative to the rule file's directory (to the working directory when
        // the file's name has none).
        std::filesystem::path base = std::filesystem::path(file_).parent_path();
        if (base.empty()) base = ".";
        std::error_code ec;
        base = std::filesystem::absolute(base, ec);
        if (ec) {
          return Error(
              m.value, ctx,
              absl::StrCat("CodeDirectory: can't resolve ", Quote(*dir), ": ", ec.message()));
        }
        path = base / path;
      }
      f.code_directory = path.string();
    } else if (key == "Runtime") {
      absl::StatusOr<std::string> runtime = ReadString(m, ctx);
      if (!runtime.ok()) return runtime.status();
      if (std::find(std::begin(kCustomRuntimes), std::end(kCustomRuntimes), *runtime) ==
          std::end(kCustomRuntimes)) {
        return Error(m.value, ctx,
                     absl::StrCat("Runtime ", Quote(*runtime),
                                  " is not supported by busbar: functions are custom runtimes "
                                  "(provided, provided.al2 or provided.al2023) run from Command"));
      }
    } else if (key == "Handler" || key == "Description") {
      absl::StatusOr<std::string> text = ReadString(m, ctx);
      if (!text.ok()) return text.status();
      (key == "Handler" ? f.handler : f.description) = *std::move(text);
    } else if (key == "Environment") {
      s = CheckMapping(m, ctx);
      if (!s.ok()) return s;
      std::string env_ctx = absl::StrCat(ctx, ": Environment");
      s = CheckKeys(m.value, env_ctx, {"Variables"});
      if (!s.ok()) return s;
      if (const YamlMember* vars = Find(m.value, "Variables")) {
        absl::StatusOr<std::map<std::string, std::string>> map = ReadStringMap(*vars, env_ctx);
        if (!map.ok()) return map.status();
        f.environment = *std::move(map);
      }
    } else if (key == "Timeout") {
      absl::StatusOr<int> v =
          ReadInt(m, ctx, targets::kMinFunctionTimeout, targets::kMaxFunctionTimeout);
      if (!v.ok()) return v.status();
      f.timeout_s = *v;
    } else if (key == "MemorySize") {
      absl::StatusOr<int> v =
          ReadInt(m, ctx, targets::kMinFunctionMemorySize, targets::kMaxFunctionMemorySize);
      if (!v.ok()) return v.status();
      f.memory_size_mb = *v;
    } else if (key == "ReservedConcurrentExecutions") {
      absl::StatusOr<int> v = ReadInt(m, ctx, 0, targets::kMaxReservedConcurrency);
      if (!v.ok()) return v.status();
      f.reserved_concurrent_executions = *v;
    }
  }
  bool any_async = false;
  s = ParseInvokeSettings(node, ctx, f.invoke_config, any_async);
  if (!s.ok()) return s;
  PropertyFault fault;
  s = targets::ValidateFunction(f, CheckOptions(opts_), &fault);
  if (!s.ok()) return FaultError(node, ctx, s, fault);
  if (any_async) out_.functions_with_async_settings.emplace(f.name, declared.location);
  out_.config.functions.push_back(std::move(declared));
  return absl::OkStatus();
}

// MaximumRetryAttempts, MaximumEventAgeInSeconds and DestinationConfig of
// `node` (a function, or an EventInvokeConfig's properties); records the
// destinations as references once their ARNs are checked.
absl::Status Parser::ParseInvokeSettings(const YamlNode& node, const std::string& ctx,
                                         targets::EventInvokeConfig& config, bool& any) {
  for (const YamlMember& m : node.members) {
    const std::string& key = m.key.scalar;
    if (key == "MaximumRetryAttempts") {
      absl::StatusOr<int> v = ReadInt(m, ctx, 0, targets::kMaxFunctionRetryAttempts);
      if (!v.ok()) return v.status();
      config.maximum_retry_attempts = *v;
    } else if (key == "MaximumEventAgeInSeconds") {
      absl::StatusOr<int> v =
          ReadInt(m, ctx, targets::kMinFunctionEventAge, targets::kMaxFunctionEventAge);
      if (!v.ok()) return v.status();
      config.maximum_event_age_in_seconds = *v;
    } else if (key == "DestinationConfig") {
      absl::Status s = CheckMapping(m, ctx);
      if (!s.ok()) return s;
      const std::string dest_ctx = absl::StrCat(ctx, ": DestinationConfig");
      s = CheckKeys(m.value, dest_ctx, {"OnSuccess", "OnFailure"});
      if (!s.ok()) return s;
      for (const YamlMember& which : m.value.members) {
        s = CheckMapping(which, dest_ctx);
        if (!s.ok()) return s;
        const std::string which_ctx = absl::StrCat(dest_ctx, ": ", which.key.scalar);
        s = CheckKeys(which.value, which_ctx, {"Destination"});
        if (!s.ok()) return s;
        const YamlMember* dest = Find(which.value, "Destination");
        if (dest == nullptr) {
          return Error(which.value, which_ctx, "missing required property 'Destination'");
        }
        absl::StatusOr<std::string> arn = ReadString(*dest, which_ctx);
        if (!arn.ok()) return arn.status();
        std::optional<targets::FunctionDestination>& slot =
            which.key.scalar == "OnSuccess" ? config.on_success : config.on_failure;
        slot.emplace().arn = *std::move(arn);  // kind and name: ValidateEventInvokeConfig's
      }
    } else {
      continue;
    }
    any = true;
  }
  PropertyFault fault;
  absl::Status s = targets::ValidateEventInvokeConfig(config, CheckOptions(opts_), &fault);
  if (!s.ok()) return FaultError(node, ctx, s, fault);
  for (const auto* d : {&config.on_success, &config.on_failure}) {
    if (!d->has_value()) continue;
    const char* which = d == &config.on_success ? "OnSuccess" : "OnFailure";
    const YamlNode& at =
        FaultNode(node, PropertyFault{{"DestinationConfig", which, "Destination"}, false, -1});
    AddReference(ReferenceKindOf((*d)->kind), (*d)->resource_name, at,
                 absl::StrCat(ctx, ": DestinationConfig: ", which));
  }
  return absl::OkStatus();
}

absl::Status Parser::ParseEventInvokeConfig(const YamlNode& node, std::string ctx) {
  absl::Status s = CheckKeys(node, ctx,
                             {"FunctionName", "Qualifier", "MaximumRetryAttempts",
                              "MaximumEventAgeInSeconds", "DestinationConfig"});
  if (!s.ok()) return s;
  const YamlMember* name = Find(node, "FunctionName");
  const YamlMember* qualifier = Find(node, "Qualifier");
  if (name == nullptr || qualifier == nullptr) {
    return Error(node, ctx,
                 absl::StrCat("missing required property '",
                              name == nullptr ? "FunctionName" : "Qualifier", "'"));
  }
  absl::StatusOr<std::string> text = ReadString(*name, ctx);
  if (!text.ok()) return text.status();
  PendingInvokeConfig pending;
  if (text->starts_with("arn:")) {
    absl::StatusOr<TargetArn> arn = ParseTargetArn(*text, opts_.account_id, opts_.region);
    if (arn.ok() && arn->kind != TargetKind::kFunction) {
      arn = absl::InvalidArgumentError(absl::StrCat(Quote(*text), " is not a Lambda function ARN"));
    }
    if (!arn.ok()) {
      return Error(name->value, ctx, absl::StrCat("FunctionName ", arn.status().message()));
    }
    pending.function_name = arn->name;
  } else if (IsValidFunctionName(*text)) {
    pending.function_name = *text;
  } else {
    return Error(name->value, ctx,
                 absl::StrCat("FunctionName ", Quote(*text),
                              " is invalid: it must be a function ARN or 1-64 characters of "
                              "A-Z a-z 0-9 - _"));
  }
  absl::StatusOr<std::string> q = ReadString(*qualifier, ctx);
  if (!q.ok()) return q.status();
  if (*q != "$LATEST") {
    return Error(qualifier->value, ctx,
                 absl::StrCat("Qualifier must be $LATEST (busbar functions have no versions or "
                              "aliases), not ",
                              Quote(*q)));
  }
  bool any = false;
  s = ParseInvokeSettings(node, ctx, pending.config, any);
  if (!s.ok()) return s;
  pending.where = Where(name->value);
  pending.context = std::move(ctx);
  out_.invoke_configs.push_back(std::move(pending));
  return absl::OkStatus();
}

}  // namespace busbar::config::internal
