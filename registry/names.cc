// Internal: names, limits and page tokens of the registry's calls (names.h), and the free
// functions of registry.h that need no file.
#include "registry/names.h"

#include <algorithm>
#include <charconv>
#include <ctime>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "matcher/base/env.h"
#include "registry/registry.h"
#include "registry/schema_internal.h"

namespace busbar::registry {
namespace {

bool IsRegistryNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

}  // namespace

absl::Status CheckRegistryName(std::string_view name) {
  if (name.empty()) return BadRequest("registry_name is required");
  if (name.size() > kMaxRegistryNameChars) {
    return BadRequest("registry_name: ", name.size(), " characters, at most ",
                      kMaxRegistryNameChars);
  }
  for (char c : name) {
    if (!IsRegistryNameChar(c)) {
      return BadRequest("registry_name \"", absl::CHexEscape(Sv(name)),
                        "\": only letters, digits, '.', '-' and '_' are allowed");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckSchemaName(std::string_view name) {
  if (name.empty()) return BadRequest("schema_name is required");
  if (name.size() > kMaxSchemaNameChars) {
    return BadRequest("schema_name: ", name.size(), " characters, at most ", kMaxSchemaNameChars);
  }
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '/') {
      return BadRequest("schema_name \"", absl::CHexEscape(Sv(name)),
                        "\": no whitespace, control characters or '/' allowed");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckDescription(std::string_view description) {
  if (description.size() > kMaxDescriptionChars) {
    return BadRequest("description: ", description.size(), " characters, at most ",
                      kMaxDescriptionChars);
  }
  return absl::OkStatus();
}

absl::StatusOr<int> CheckLimit(int limit) {
  if (limit == 0) return kMaxLimit;
  if (limit < 0 || limit > kMaxLimit) {
    return BadRequest("limit: ", limit, " is outside 1 to ", kMaxLimit);
  }
  return limit;
}

absl::StatusOr<int64_t> ParseVersion(std::string_view version, std::string_view field) {
  if (version.empty()) return 0;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(version.data(), version.data() + version.size(), v);
  if (ec != std::errc() || end != version.data() + version.size() || v < 1 ||
      version.front() == '0') {
    return BadRequest(field, " \"", absl::CHexEscape(Sv(version)),
                      "\" is not a version (a decimal number from 1)");
  }
  return v;
}

std::string MakeToken(std::string_view kind, std::string_view query, std::string_view last_key) {
  return Cat(kind, ".", absl::Hex(internal::HashText(query)), ".",
             absl::BytesToHexString(Sv(last_key)));
}

absl::StatusOr<std::string> ParseToken(std::string_view kind, std::string_view query,
                                       std::string_view token) {
  if (token.empty()) return std::string();
  std::string prefix = Cat(kind, ".", absl::Hex(internal::HashText(query)), ".");
  if (!absl::StartsWith(Sv(token), prefix)) {
    return BadRequest("next_token was not handed out by this call with these arguments");
  }
  std::string_view hex = token.substr(prefix.size());
  const bool is_hex =
      !hex.empty() && hex.size() % 2 == 0 && std::all_of(hex.begin(), hex.end(), [](char c) {
        return absl::ascii_isxdigit(static_cast<unsigned char>(c));
      });
  if (!is_hex) return BadRequest("next_token was not handed out by this call with these arguments");
  std::string key = absl::HexStringToBytes(Sv(hex));
  return key;
}

std::string RegistryArn(std::string_view region, std::string_view account, std::string_view name) {
  return Cat("arn:aws:schemas:", region, ":", account, ":registry/", name);
}

std::string SchemaArn(std::string_view region, std::string_view account, std::string_view registry,
                      std::string_view name) {
  return Cat("arn:aws:schemas:", region, ":", account, ":schema/", registry, "/", name);
}

std::string DetailTypeTitle(std::string_view detail_type) {
  std::string title = internal::CapitalizedWords(detail_type);
  return title.empty() ? "Event" : title;
}

int64_t NowMs() { return base::Env::Default()->NowMillis(); }

std::string DiscoveredSchemaName(std::string_view source, std::string_view detail_type) {
  std::string name;
  auto append = [&name](std::string_view part) {
    for (char c : part) {
      auto u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u == 0x7f) continue;  // "without whitespace" (and control characters)
      name += c == '/' ? '_' : c;            // '/' would split the schema's ARN
    }
  };
  append(source);
  name += '@';
  append(detail_type);
  if (name.size() > kMaxSchemaNameChars) name.resize(kMaxSchemaNameChars);
  return name;
}

std::string_view DocumentTypeName(DocumentType type) {
  return type == DocumentType::kOpenApi3 ? "OpenApi3" : "JSONSchemaDraft4";
}

absl::StatusOr<DocumentType> ParseDocumentType(std::string_view name) {
  if (name == "OpenApi3") return DocumentType::kOpenApi3;
  if (name == "JSONSchemaDraft4") return DocumentType::kJsonSchemaDraft4;
  if (name.empty()) return BadRequest("type is required: \"OpenApi3\" or \"JSONSchemaDraft4\"");
  return BadRequest("type \"", absl::CHexEscape(Sv(name)),
                    "\" is not \"OpenApi3\" or \"JSONSchemaDraft4\"");
}

absl::StatusOr<std::string> InferSchema(const std::vector<std::string>& events, DocumentType type) {
  if (events.empty() || events.size() > kMaxInferEvents) {
    return BadRequest("events: ", events.size(), " events, expected 1 to ", kMaxInferEvents);
  }
  Node merged;
  EventIdentity identity;
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].size() > kMaxInferEventBytes) {
      return BadRequest("events[", i, "]: ", events[i].size(), " bytes, at most ",
                        kMaxInferEventBytes);
    }
    absl::StatusOr<Node> node = Infer(events[i]);
    if (!node.ok()) return BadRequest("events[", i, "]: ", node.status().message());
    if (i == 0) {
      merged = std::move(*node);
    } else {
      Merge(merged, *node);
    }
  }
  // The identity comes from the first event's envelope when it has one.
  absl::StatusOr<EventIdentity> first = ReadIdentity(events[0]);
  if (first.ok()) identity = *first;
  std::string title = DetailTypeTitle(identity.detail_type);
  return type == DocumentType::kOpenApi3 ? ToOpenApi(merged, title, identity)
                                         : ToJsonSchema(merged, title, identity);
}

}  // namespace busbar::registry
