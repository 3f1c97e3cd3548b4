// Internal to bus/config: ValidateTarget (config.h), the checks a target gets
// whether it comes from a rule file or from the API's PutTargets. The rule file
// parser reads the properties' types and shapes from YAML and leaves the values
// to this file; it turns a TargetFault back into a file position.
#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bus/config/arn.h"
#include "bus/config/config.h"
#include "bus/config/json_text.h"
#include "targets/http_target.h"

namespace busbar::config {
namespace {

constexpr size_t kMaxArn = 1600;
constexpr size_t kMaxInput = 8192;
constexpr size_t kMaxInputPath = 256;
constexpr size_t kMaxInputPathsMap = 100;
constexpr size_t kMaxPathVariable = 256;
constexpr size_t kMaxInputTemplate = 8192;

bool IsPathVariable(std::string_view s) {
  return !s.empty() && s.size() <= kMaxPathVariable && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

bool IsJsonPath(std::string_view s) { return s.starts_with("$") && CharCount(s) <= kMaxInputPath; }

// Records where the problem is and returns `status`.
absl::Status Fault(TargetFault* fault, std::vector<std::string> path, absl::Status status,
                   bool at_key = false, int entry = -1) {
  if (fault != nullptr) *fault = TargetFault{std::move(path), at_key, entry};
  return status;
}

absl::Status Invalid(TargetFault* fault, std::vector<std::string> path, std::string message,
                     bool at_key = false, int entry = -1) {
  return Fault(fault, std::move(path), absl::InvalidArgumentError(message), at_key, entry);
}

absl::Status CheckInput(const Target& t, TargetFault* fault) {
  // In the order EventBridge lists them, so the message names them that way.
  const char* present[3];
  int n = 0;
  if (t.input.has_value()) present[n++] = "Input";
  if (t.input_path.has_value()) present[n++] = "InputPath";
  if (t.input_transformer.has_value()) present[n++] = "InputTransformer";
  if (n > 1) {
    return Invalid(fault, {present[1]},
                   absl::StrCat(present[0], " and ", present[1],
                                " are mutually exclusive: give at most one of Input, InputPath "
                                "and InputTransformer"),
                   /*at_key=*/true);
  }
  if (t.input.has_value()) {
    if (absl::Status valid = internal::CheckJson(*t.input); !valid.ok()) {
      return Invalid(fault, {"Input"}, absl::StrCat("Input is not valid JSON: ", valid.message()));
    }
    if (size_t chars = CharCount(*t.input); chars > kMaxInput) {
      return Invalid(
          fault, {"Input"},
          absl::StrCat("Input is ", chars, " characters; at most ", kMaxInput, " are allowed"));
    }
  }
  if (t.input_path.has_value() && !IsJsonPath(*t.input_path)) {
    return Invalid(fault, {"InputPath"},
                   absl::StrCat("InputPath ", internal::Quote(*t.input_path),
                                " is invalid: it must be a JSON path starting with $, at most ",
                                kMaxInputPath, " characters"));
  }
  if (!t.input_transformer.has_value()) return absl::OkStatus();
  const InputTransformer& x = *t.input_transformer;
  const std::vector<std::string> map_path{"InputTransformer", "InputPathsMap"};
  if (x.input_paths_map.size() > kMaxInputPathsMap) {
    return Invalid(fault, map_path,
                   absl::StrCat("InputTransformer: InputPathsMap has ", x.input_paths_map.size(),
                                " entries; at most ", kMaxInputPathsMap, " are allowed"),
                   /*at_key=*/true, static_cast<int>(kMaxInputPathsMap));
  }
  for (const auto& [var, path] : x.input_paths_map) {
    if (!IsPathVariable(var)) {
      return Invalid(fault, {"InputTransformer", "InputPathsMap", var},
                     absl::StrCat("InputTransformer: InputPathsMap key ", internal::Quote(var),
                                  " is invalid: it must be 1-", kMaxPathVariable,
                                  " characters of A-Z a-z 0-9 _ -"),
                     /*at_key=*/true);
    }
    if (!IsJsonPath(path)) {
      return Invalid(fault, {"InputTransformer", "InputPathsMap", var},
                     absl::StrCat("InputTransformer: InputPathsMap ", internal::Quote(var), ": ",
                                  internal::Quote(path),
                                  " is invalid: it must be a JSON path starting with $, at most ",
                                  kMaxInputPath, " characters"));
    }
  }
  if (size_t chars = CharCount(x.input_template); chars == 0 || chars > kMaxInputTemplate) {
    return Invalid(fault, {"InputTransformer", "InputTemplate"},
                   absl::StrCat("InputTransformer: InputTemplate is ", chars,
                                " characters; it must be 1 to ", kMaxInputTemplate));
  }
  return absl::OkStatus();
}

// What only rendering knows: path syntax, placeholders defined, a JSON template that stays
// JSON. The compiler's message starts with the property ("InputTransformer.InputTemplate:
// ..."), which becomes the fault's path.
absl::Status CheckInputCompiles(const Target& t, TargetFault* fault) {
  if (!t.input && !t.input_path && !t.input_transformer) return absl::OkStatus();
  absl::StatusOr<targets::CompiledInput> compiled = targets::CompiledInput::Compile(InputSpecOf(t));
  if (compiled.ok()) return absl::OkStatus();
  const std::string message(compiled.status().message());
  const std::string property = message.substr(0, message.find(':'));
  std::vector<std::string> path = absl::StrSplit(property, '.');
  return Invalid(fault, std::move(path), message);
}

absl::Status CheckRange(TargetFault* fault, std::string_view property, int value, int min,
                        int max) {
  if (value >= min && value <= max) return absl::OkStatus();
  return Invalid(fault, {"RetryPolicy", std::string(property)},
                 absl::StrCat("RetryPolicy: ", std::string(property), " is ", value,
                              "; it must be from ", min, " to ", max));
}

// The target's HttpParameters: only on API destination targets, and valid as the HTTP targets
// module checks them (the wildcard count waits for the destination).
absl::Status CheckHttpShape(const Target& t, TargetFault* fault) {
  if (!t.http_parameters.has_value()) return absl::OkStatus();
  if (t.kind != TargetKind::kApiDestination) {
    return Invalid(fault, {"HttpParameters"},
                   "HttpParameters is only supported for API destination targets",
                   /*at_key=*/true);
  }
  return targets::ValidateHttpParameters(*t.http_parameters, /*destination=*/nullptr, fault);
}

}  // namespace

size_t CharCount(std::string_view s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

targets::InputSpec InputSpecOf(const Target& t) {
  targets::InputSpec spec;
  spec.input = t.input;
  spec.input_path = t.input_path;
  if (t.input_transformer) {
    spec.input_paths_map = t.input_transformer->input_paths_map;
    spec.input_template = t.input_transformer->input_template;
  }
  return spec;
}

absl::Status ValidateTarget(Target& t, const TargetCheckOptions& o, TargetFault* fault) {
  if (!internal::IsValidRuleName(t.id)) {
    return Invalid(fault, {"Id"},
                   absl::StrCat("Id ", internal::Quote(t.id),
                                " is invalid: it must be 1-64 characters of A-Z a-z 0-9 . - _"));
  }
  if (size_t chars = CharCount(t.arn); chars > kMaxArn) {
    return Invalid(
        fault, {"Arn"},
        absl::StrCat("Arn is ", chars, " characters; at most ", kMaxArn, " are allowed"));
  }
  absl::StatusOr<internal::TargetArn> arn = internal::ParseTargetArn(t.arn, o.account_id, o.region);
  if (!arn.ok()) return Invalid(fault, {"Arn"}, absl::StrCat("Arn ", arn.status().message()));
  t.kind = arn->kind;
  t.resource_name = arn->name;
  if (absl::Status s = CheckInput(t, fault); !s.ok()) return s;
  if (absl::Status s = CheckInputCompiles(t, fault); !s.ok()) return s;
  if (t.kind == TargetKind::kEventBus && (t.input || t.input_path || t.input_transformer)) {
    // The target bus receives the event itself (a new event with the same content), so there
    // is nothing to shape; stricter than accepting and ignoring it.
    const char* property = t.input ? "Input" : t.input_path ? "InputPath" : "InputTransformer";
    return Invalid(fault, {property},
                   absl::StrCat(property,
                                " is not supported for an event bus target: the bus receives "
                                "the event itself"),
                   /*at_key=*/true);
  }
  if (absl::Status s = CheckHttpShape(t, fault); !s.ok()) return s;
  const RetryPolicy& retry = t.retry_policy;
  if (absl::Status s = CheckRange(fault, "MaximumRetryAttempts", retry.maximum_retry_attempts,
                                  kMinRetryAttempts, kMaxRetryAttempts);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CheckRange(fault, "MaximumEventAgeInSeconds", retry.maximum_event_age_in_seconds,
                     kMinEventAgeSeconds, kMaxEventAgeSeconds);
      !s.ok()) {
    return s;
  }
  if (t.dead_letter_config.has_value()) {
    absl::StatusOr<std::string> dlq =
        internal::ParseQueueArn(t.dead_letter_config->arn, o.account_id, o.region);
    if (!dlq.ok()) {
      return Invalid(fault, {"DeadLetterConfig", "Arn"},
                     absl::StrCat("DeadLetterConfig: Arn ", dlq.status().message()));
    }
    t.dead_letter_config->queue_name = *dlq;
  }
  if (o.queue_exists) {
    if (t.kind == TargetKind::kQueue && !o.queue_exists(t.resource_name)) {
      return Fault(fault, {"Arn"},
                   absl::NotFoundError(absl::StrCat("queue ", internal::Quote(t.resource_name),
                                                    " does not exist")));
    }
    if (t.dead_letter_config.has_value() && !o.queue_exists(t.dead_letter_config->queue_name)) {
      return Fault(fault, {"DeadLetterConfig", "Arn"},
                   absl::NotFoundError(absl::StrCat(
                       "DeadLetterConfig: queue ",
                       internal::Quote(t.dead_letter_config->queue_name), " does not exist")));
    }
  }
  if (o.function_exists && t.kind == TargetKind::kFunction && !o.function_exists(t.resource_name)) {
    return Fault(fault, {"Arn"},
                 absl::NotFoundError(absl::StrCat("function ", internal::Quote(t.resource_name),
                                                  " does not exist")));
  }
  if (o.api_destination_exists && t.kind == TargetKind::kApiDestination &&
      !o.api_destination_exists(t.resource_name)) {
    return Fault(fault, {"Arn"},
                 absl::NotFoundError(absl::StrCat(
                     "API destination ", internal::Quote(t.resource_name), " does not exist")));
  }
  return absl::OkStatus();
}

}  // namespace busbar::config
