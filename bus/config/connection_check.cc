// Internal to bus/config: ValidateConnection, ValidateApiDestination and
// Connection::ToString (config.h). Connections hold secrets: no message here
// quotes a password, an API key value or a parameter value.
#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "bus/config/arn.h"
#include "bus/config/config.h"
#include "bus/config/http_text.h"
#include "bus/config/json_text.h"
#include "targets/http_target.h"

namespace busbar::config {
namespace {

constexpr size_t kMaxConnectionDescription = 512;
constexpr size_t kMaxEndpoint = 2048;
constexpr char kNameRule[] = "1-64 characters of A-Z a-z 0-9 . - _";

absl::Status Invalid(PropertyFault* fault, std::vector<std::string> path, std::string message,
                     bool at_key = false, int entry = -1) {
  if (fault != nullptr) *fault = PropertyFault{std::move(path), at_key, entry};
  return absl::InvalidArgumentError(message);
}

// "<prefix><property> is <n> characters; it must be 1 to 512".
absl::Status CheckLength(PropertyFault* fault, std::vector<std::string> path,
                         std::string_view prefix, std::string_view value) {
  size_t chars = CharCount(value);
  if (chars >= 1 && chars <= kMaxHttpParameterChars) return absl::OkStatus();
  std::string property = path.back();
  return Invalid(fault, std::move(path),
                 absl::StrCat(std::string(prefix), property, " is ", chars,
                              " characters; it must be 1 to ", kMaxHttpParameterChars));
}

absl::Status CheckDescription(PropertyFault* fault, const std::string& description) {
  if (size_t chars = CharCount(description); chars > kMaxConnectionDescription) {
    return Invalid(fault, {"Description"},
                   absl::StrCat("Description is ", chars, " characters; at most ",
                                kMaxConnectionDescription, " are allowed"));
  }
  return absl::OkStatus();
}

// One of InvocationHttpParameters' lists. `kind` is "header", "query" or "body".
absl::Status CheckParameters(const std::vector<ConnectionParameter>& list, const char* property,
                             std::string_view kind, PropertyFault* fault) {
  const std::string prefix = absl::StrCat("AuthParameters: InvocationHttpParameters: ", property);
  std::vector<std::string> path{"AuthParameters", "InvocationHttpParameters", property};
  if (list.size() > kMaxHttpParameters) {
    return Invalid(fault, path,
                   absl::StrCat(prefix, " has ", list.size(), " entries; at most ",
                                kMaxHttpParameters, " are allowed"),
                   /*at_key=*/false, static_cast<int>(kMaxHttpParameters));
  }
  for (size_t i = 0; i < list.size(); ++i) {
    const ConnectionParameter& p = list[i];
    std::vector<std::string> at = path;
    at.push_back(std::to_string(i));
    const std::string entry = absl::StrCat(prefix, " #", i + 1, ": ");
    at.push_back("Key");
    if (absl::Status s = CheckLength(fault, at, entry, p.key); !s.ok()) return s;
    if ((kind == "header" && !internal::IsHttpToken(p.key)) ||
        (kind == "query" && internal::HasControlCharacter(p.key))) {
      return Invalid(fault, at,
                     absl::StrCat(entry, "Key ", internal::Quote(p.key), " is invalid: ",
                                  kind == "header" ? "it must be an HTTP header name"
                                                   : "no control characters are allowed"));
    }
    if (kind == "header" && targets::IsForbiddenHeader(p.key)) {
      return Invalid(fault, at,
                     absl::StrCat(entry, "Key ", internal::Quote(p.key),
                                  " is a header the HTTP client sets; it cannot be set here"));
    }
    at.back() = "Value";
    bool value_ok = kind == "header"  ? internal::IsHeaderValue(p.value)
                    : kind == "query" ? !internal::HasControlCharacter(p.value)
                                      : true;
    if (CharCount(p.value) > kMaxHttpParameterChars || !value_ok) {
      return Invalid(
          fault, at,
          absl::StrCat(entry, "Value is invalid: it must be at most ", kMaxHttpParameterChars,
                       kind == "header"  ? " characters of printable ASCII"
                       : kind == "query" ? " characters, no control characters"
                                         : " characters"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckEndpoint(PropertyFault* fault, const std::string& url) {
  std::string_view rest = url;
  bool ok = CharCount(url) <= kMaxEndpoint &&
            std::all_of(url.begin(), url.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    ok = false;
  }
  size_t host_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, host_end);
  if (authority.empty() || authority.front() == ':' || authority.find('@') != authority.npos) {
    ok = false;
  }
  if (ok) return absl::OkStatus();
  return Invalid(fault, {"InvocationEndpoint"},
                 absl::StrCat("InvocationEndpoint ", internal::Quote(url),
                              " is invalid: it must be an http:// or https:// URL with a host "
                              "(no user info), at most ",
                              kMaxEndpoint, " characters of printable ASCII without spaces"));
}

}  // namespace

std::string Connection::ToString() const {
  std::string auth = authorization_type == ConnectionAuthorization::kBasic
                         ? absl::StrCat("BASIC, user ", internal::Quote(username))
                         : absl::StrCat("API_KEY, header ", internal::Quote(api_key_name));
  return absl::StrCat("connection ", internal::Quote(name), " (", auth, ", ",
                      header_parameters.size(), " header, ", query_string_parameters.size(),
                      " query, ", body_parameters.size(), " body parameters)");
}

absl::Status ValidateConnection(Connection& c, std::string_view account_id, std::string_view region,
                                PropertyFault* fault) {
  if (!internal::IsValidRuleName(c.name)) {
    return Invalid(
        fault, {"Name"},
        absl::StrCat("Name ", internal::Quote(c.name), " is invalid: it must be ", kNameRule));
  }
  if (absl::Status s = CheckDescription(fault, c.description); !s.ok()) return s;
  const bool basic = c.authorization_type == ConnectionAuthorization::kBasic;
  const char* other = basic ? "ApiKeyAuthParameters" : "BasicAuthParameters";
  if (basic ? !c.api_key_name.empty() || !c.api_key_value.empty()
            : !c.username.empty() || !c.password.empty()) {
    return Invalid(
        fault, {"AuthParameters", other},
        absl::StrCat("AuthParameters: ", other, " is not allowed with AuthorizationType ",
                     basic ? "BASIC" : "API_KEY"),
        /*at_key=*/true);
  }
  if (basic) {
    const std::string prefix = "AuthParameters: BasicAuthParameters: ";
    if (absl::Status s = CheckLength(fault, {"AuthParameters", "BasicAuthParameters", "Username"},
                                     prefix, c.username);
        !s.ok()) {
      return s;
    }
    if (c.username.find(':') != std::string::npos || internal::HasControlCharacter(c.username)) {
      return Invalid(fault, {"AuthParameters", "BasicAuthParameters", "Username"},
                     absl::StrCat(prefix, "Username ", internal::Quote(c.username),
                                  " is invalid: no ':' or control characters are allowed"));
    }
    if (absl::Status s = CheckLength(fault, {"AuthParameters", "BasicAuthParameters", "Password"},
                                     prefix, c.password);
        !s.ok()) {
      return s;
    }
  } else {
    const std::string prefix = "AuthParameters: ApiKeyAuthParameters: ";
    const std::vector<std::string> name_path{"AuthParameters", "ApiKeyAuthParameters",
                                             "ApiKeyName"};
    if (absl::Status s = CheckLength(fault, name_path, prefix, c.api_key_name); !s.ok()) return s;
    if (!internal::IsHttpToken(c.api_key_name)) {
      return Invalid(fault, name_path,
                     absl::StrCat(prefix, "ApiKeyName ", internal::Quote(c.api_key_name),
                                  " is invalid: it must be an HTTP header name"));
    }
    const std::vector<std::string> value_path{"AuthParameters", "ApiKeyAuthParameters",
                                              "ApiKeyValue"};
    if (absl::Status s = CheckLength(fault, value_path, prefix, c.api_key_value); !s.ok()) {
      return s;
    }
    if (!internal::IsHeaderValue(c.api_key_value)) {
      return Invalid(fault, value_path,
                     absl::StrCat(prefix, "ApiKeyValue is invalid: it must be printable ASCII"));
    }
  }
  if (absl::Status s = CheckParameters(c.header_parameters, "HeaderParameters", "header", fault);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CheckParameters(c.query_string_parameters, "QueryStringParameters", "query", fault);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckParameters(c.body_parameters, "BodyParameters", "body", fault);
      !s.ok()) {
    return s;
  }
  c.arn = internal::ConnectionArn(region, account_id, c.name);
  return absl::OkStatus();
}

absl::Status ValidateApiDestination(ApiDestination& d, const ApiDestinationCheckOptions& o,
                                    PropertyFault* fault) {
  if (!internal::IsValidRuleName(d.name)) {
    return Invalid(
        fault, {"Name"},
        absl::StrCat("Name ", internal::Quote(d.name), " is invalid: it must be ", kNameRule));
  }
  if (absl::Status s = CheckDescription(fault, d.description); !s.ok()) return s;
  absl::StatusOr<std::string> connection =
      internal::ParseConnectionArn(d.connection_arn, o.account_id, o.region);
  if (!connection.ok()) {
    return Invalid(fault, {"ConnectionArn"},
                   absl::StrCat("ConnectionArn ", connection.status().message()));
  }
  d.connection_name = *std::move(connection);
  if (absl::Status s = CheckEndpoint(fault, d.invocation_endpoint); !s.ok()) return s;
  static constexpr std::string_view kMethods[] = {"POST", "GET",   "HEAD",  "OPTIONS",
                                                  "PUT",  "PATCH", "DELETE"};
  if (std::find(std::begin(kMethods), std::end(kMethods), d.http_method) == std::end(kMethods)) {
    return Invalid(fault, {"HttpMethod"},
                   absl::StrCat("HttpMethod must be POST, GET, HEAD, OPTIONS, PUT, PATCH or "
                                "DELETE, not ",
                                internal::Quote(d.http_method)));
  }
  if (d.invocation_rate_limit_per_second < 1 ||
      d.invocation_rate_limit_per_second > kMaxInvocationRateLimit) {
    return Invalid(
        fault, {"InvocationRateLimitPerSecond"},
        absl::StrCat("InvocationRateLimitPerSecond is ", d.invocation_rate_limit_per_second,
                     "; it must be from 1 to ", kMaxInvocationRateLimit));
  }
  if (o.connection_exists && !o.connection_exists(d.connection_name)) {
    if (fault != nullptr) *fault = PropertyFault{{"ConnectionArn"}, false, -1};
    return absl::NotFoundError(
        absl::StrCat("connection ", internal::Quote(d.connection_name), " does not exist"));
  }
  d.arn = internal::ApiDestinationArn(o.region, o.account_id, d.name);
  return absl::OkStatus();
}

}  // namespace busbar::config
