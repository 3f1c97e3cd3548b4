// Internal to busbar::registry: the checks, names and tokens the registry's calls share.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "registry/schema.h"

namespace busbar::registry {

inline constexpr size_t kMaxRegistryNameChars = 64;
inline constexpr size_t kMaxSchemaNameChars = 385;
inline constexpr size_t kMaxDescriptionChars = 256;
inline constexpr size_t kMaxContentChars = 100'000;
inline constexpr size_t kMaxInferEvents = 10;
inline constexpr size_t kMaxInferEventBytes = 256 * 1024;
inline constexpr int kMaxLimit = 100;
inline constexpr size_t kMaxKeywords = 10;

// Debian's absl has its own string_view: std::string_view arguments pass through Sv.
inline absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }
template <typename T>
const T& Sv(const T& value) {
  return value;
}
// absl::StrCat that also takes std::string_view.
template <typename... Args>
std::string Cat(const Args&... args) {
  return absl::StrCat(Sv(args)...);
}

template <typename... Args>
absl::Status BadRequest(const Args&... args) {
  return absl::InvalidArgumentError(Cat("BadRequestException: ", args...));
}
template <typename... Args>
absl::Status NotFound(const Args&... args) {
  return absl::NotFoundError(Cat("NotFoundException: ", args...));
}
template <typename... Args>
absl::Status Conflict(const Args&... args) {
  return absl::AlreadyExistsError(Cat("ConflictException: ", args...));
}
template <typename... Args>
absl::Status Forbidden(const Args&... args) {
  return absl::FailedPreconditionError(Cat("ForbiddenException: ", args...));
}

absl::Status CheckRegistryName(std::string_view name);
absl::Status CheckSchemaName(std::string_view name);
absl::Status CheckDescription(std::string_view description);
// 0 -> 100; 1..100 as is; otherwise BadRequest.
absl::StatusOr<int> CheckLimit(int limit);
// "" -> 0 (the latest); "1".."9223372036854775807" -> the number; otherwise BadRequest.
absl::StatusOr<int64_t> ParseVersion(std::string_view version, std::string_view field);

// Page tokens: opaque, bound to one kind of call and its query, carrying the last key
// returned. ParseToken gives "" for an empty token, BadRequest for one this query did not
// hand out.
std::string MakeToken(std::string_view kind, std::string_view query, std::string_view last_key);
absl::StatusOr<std::string> ParseToken(std::string_view kind, std::string_view query,
                                       std::string_view token);

std::string RegistryArn(std::string_view region, std::string_view account, std::string_view name);
std::string SchemaArn(std::string_view region, std::string_view account, std::string_view registry,
                      std::string_view name);

// The OpenAPI title EventBridge gives a discovered schema: the detail-type's letters and
// digits, each word capitalised ("EC2 Instance State-change Notification" ->
// "EC2InstanceStateChangeNotification").
std::string DetailTypeTitle(std::string_view detail_type);

int64_t NowMs();

// The "source" and "detail-type" of an event envelope (discovery.cc). Errors: InvalidArgument
// when the text is not a JSON object or either field is missing or not a string.
absl::StatusOr<EventIdentity> ReadIdentity(std::string_view event);

}  // namespace busbar::registry
