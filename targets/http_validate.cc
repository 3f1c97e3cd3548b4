// Validation of connections, API destinations and a target's HttpParameters (http_target.h),
// and their DebugString()s. Messages name EventBridge's properties and never quote a parameter
// value, a password or an API key value, so no secret can leak through them.
#include <array>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "targets/http_internal.h"
#include "targets/http_target.h"

namespace busbar::targets {
namespace http_internal {

std::optional<EndpointParts> SplitEndpoint(std::string_view endpoint) {
  EndpointParts parts;
  size_t scheme_end = endpoint.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  parts.scheme = endpoint.substr(0, scheme_end);
  std::string scheme = absl::AsciiStrToLower(std::string(parts.scheme));
  if (scheme != "http" && scheme != "https") return std::nullopt;
  std::string_view rest = endpoint.substr(scheme_end + 3);
  size_t fragment = rest.find('#');
  if (fragment != std::string_view::npos) rest = rest.substr(0, fragment);
  size_t authority_end = rest.find_first_of("/?");
  parts.authority = rest.substr(0, authority_end);
  rest = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  size_t query = rest.find('?');
  parts.path = rest.substr(0, query);
  if (query != std::string_view::npos) {
    parts.has_query = true;
    parts.query = rest.substr(query + 1);
  }
  return parts;
}

size_t CountWildcards(const EndpointParts& parts) {
  size_t count = 0;
  for (char c : parts.path) count += c == '*';
  return count;
}

bool IsHttpToken(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) continue;
    if (std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
  }
  return true;
}

bool HasControlCharacter(std::string_view text) {
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

}  // namespace http_internal

bool IsForbiddenHeader(std::string_view name) {
  static constexpr std::array<std::string_view, 11> kForbidden = {
      "Host",    "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "TE",
      "Trailer", "Expect",         "Proxy-Connection",  "User-Agent"};
  for (std::string_view forbidden : kForbidden) {
    if (absl::EqualsIgnoreCase(http_internal::Av(name), http_internal::Av(forbidden))) return true;
  }
  return false;
}

namespace {

using http_internal::Av;
using http_internal::HasControlCharacter;
using http_internal::IsHttpToken;

absl::Status Invalid(std::string message) { return absl::InvalidArgumentError(std::move(message)); }

absl::Status ValidateResourceName(std::string_view property, std::string_view name) {
  bool ok = !name.empty() && name.size() <= kMaxHttpResourceNameLength;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') {
      ok = false;
    }
  }
  if (ok) return absl::OkStatus();
  return Invalid(absl::StrCat(std::string(property), " '", std::string(name),
                              "' must be 1 to 64 characters of A-Z a-z 0-9 . - _"));
}

absl::Status ValidateHeaderName(std::string_view property, std::string_view name) {
  if (name.size() > kMaxHttpParameterLength || !IsHttpToken(name)) {
    return Invalid(absl::StrCat(std::string(property), " '", std::string(name.substr(0, 64)),
                                "' must be an HTTP header name (a token)"));
  }
  if (IsForbiddenHeader(name)) {
    return Invalid(absl::StrCat(std::string(property), " '", std::string(name),
                                "' cannot be set: the HTTP client sets it"));
  }
  return absl::OkStatus();
}

// Keys 1-512 characters, values at most 512, neither with control characters (a header or a
// query string must not be split by a CR/LF); header keys HTTP tokens and not forbidden.
absl::Status ValidateParameterList(std::string_view list_name,
                                   const std::vector<ConnectionParameter>& parameters,
                                   bool headers) {
  std::string prefix =
      absl::StrCat("AuthParameters.InvocationHttpParameters.", std::string(list_name));
  if (parameters.size() > kMaxConnectionParameters) {
    return Invalid(absl::StrCat(prefix, " has ", parameters.size(), " entries; at most ",
                                kMaxConnectionParameters, " are allowed"));
  }
  for (size_t i = 0; i < parameters.size(); ++i) {
    const ConnectionParameter& p = parameters[i];
    std::string entry = absl::StrCat(prefix, "[", i, "]");
    if (headers) {
      if (absl::Status s = ValidateHeaderName(absl::StrCat(entry, ".Key"), p.key); !s.ok()) {
        return s;
      }
    } else if (p.key.empty() || p.key.size() > kMaxHttpParameterLength ||
               HasControlCharacter(p.key)) {
      return Invalid(
          absl::StrCat(entry, ".Key must be 1 to 512 characters without control characters"));
    }
    if (p.value.size() > kMaxHttpParameterLength) {
      return Invalid(
          absl::StrCat(entry, ".Value is ", p.value.size(), " characters; it must be at most 512"));
    }
    if (HasControlCharacter(p.value)) {
      return Invalid(absl::StrCat(entry, ".Value must not contain control characters"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateEndpoint(std::string_view endpoint) {
  std::string quoted = absl::StrCat("InvocationEndpoint '", std::string(endpoint), "'");
  if (endpoint.size() > kMaxInvocationEndpointLength) {
    return Invalid(absl::StrCat("InvocationEndpoint is ", endpoint.size(),
                                " characters; it must be at most 2048"));
  }
  std::optional<http_internal::EndpointParts> parts = http_internal::SplitEndpoint(endpoint);
  if (!parts.has_value())
    return Invalid(absl::StrCat(quoted, " must be an http:// or https:// URL"));
  for (char c : endpoint) {
    if (c == ' ' || HasControlCharacter(std::string_view(&c, 1))) {
      return Invalid(absl::StrCat(quoted, " must not contain spaces or control characters"));
    }
  }
  std::string_view authority = parts->authority;
  if (absl::StrContains(Av(authority), '@')) {
    return Invalid(absl::StrCat(quoted, " must not contain user information (user@)"));
  }
  std::string_view host = authority;
  std::string_view port;
  if (absl::StartsWith(Av(authority), "[")) {  // [IPv6]:port
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Invalid(absl::StrCat(quoted, " has no host"));
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return Invalid(absl::StrCat(quoted, " has an invalid port"));
      port = after.substr(1);
      if (port.empty()) return Invalid(absl::StrCat(quoted, " has an invalid port"));
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) return Invalid(absl::StrCat(quoted, " has an invalid port"));
  }
  if (host.empty()) return Invalid(absl::StrCat(quoted, " has no host"));
  if (!port.empty()) {
    int number = 0;
    bool digits = port.find_first_not_of("0123456789") == std::string_view::npos;
    if (!digits || !absl::SimpleAtoi(Av(port), &number) || number < 1 || number > 65535) {
      return Invalid(absl::StrCat(quoted, " has an invalid port"));
    }
  }
  return absl::OkStatus();
}

constexpr std::array<std::string_view, 7> kMethods = {"POST", "GET",   "HEAD",  "OPTIONS",
                                                      "PUT",  "PATCH", "DELETE"};

}  // namespace

std::string_view AuthorizationTypeName(ConnectionAuthorizationType type) {
  switch (type) {
    case ConnectionAuthorizationType::kBasic:
      return "BASIC";
    case ConnectionAuthorizationType::kApiKey:
      return "API_KEY";
    case ConnectionAuthorizationType::kOAuthClientCredentials:
      return "OAUTH_CLIENT_CREDENTIALS";
  }
  return "UNKNOWN";
}

absl::StatusOr<ConnectionAuthorizationType> ParseAuthorizationType(std::string_view name) {
  for (auto type : {ConnectionAuthorizationType::kBasic, ConnectionAuthorizationType::kApiKey,
                    ConnectionAuthorizationType::kOAuthClientCredentials}) {
    if (name == AuthorizationTypeName(type)) return type;
  }
  return Invalid(absl::StrCat("AuthorizationType '", std::string(name.substr(0, 64)),
                              "' must be BASIC, API_KEY or OAUTH_CLIENT_CREDENTIALS"));
}

absl::Status ValidateConnection(const Connection& connection) {
  if (absl::Status s = ValidateResourceName("Name", connection.name); !s.ok()) return s;
  switch (connection.authorization_type) {
    case ConnectionAuthorizationType::kBasic: {
      const std::string prefix = "AuthParameters.BasicAuthParameters.";
      const BasicAuthParameters& basic = connection.basic;
      if (basic.username.empty() || basic.username.size() > kMaxAuthParameterLength) {
        return Invalid(absl::StrCat(prefix, "Username must be 1 to 512 characters"));
      }
      if (absl::StrContains(basic.username, ':')) {
        return Invalid(absl::StrCat(prefix, "Username must not contain ':'"));
      }
      if (basic.password.empty() || basic.password.size() > kMaxAuthParameterLength) {
        return Invalid(absl::StrCat(prefix, "Password must be 1 to 512 characters"));
      }
      break;
    }
    case ConnectionAuthorizationType::kApiKey: {
      const std::string prefix = "AuthParameters.ApiKeyAuthParameters.";
      const ApiKeyAuthParameters& key = connection.api_key;
      if (key.name.size() > kMaxAuthParameterLength || !IsHttpToken(key.name)) {
        return Invalid(absl::StrCat(prefix, "ApiKeyName '", key.name.substr(0, 64),
                                    "' must be an HTTP header name (a token)"));
      }
      if (IsForbiddenHeader(key.name)) {
        return Invalid(absl::StrCat(prefix, "ApiKeyName '", key.name,
                                    "' cannot be set: the HTTP client sets it"));
      }
      if (key.value.empty() || key.value.size() > kMaxAuthParameterLength ||
          HasControlCharacter(key.value)) {
        return Invalid(absl::StrCat(
            prefix, "ApiKeyValue must be 1 to 512 characters without control characters"));
      }
      break;
    }
    case ConnectionAuthorizationType::kOAuthClientCredentials:
      return Invalid(
          "AuthorizationType OAUTH_CLIENT_CREDENTIALS is not supported; use BASIC or API_KEY");
    default:
      return Invalid("AuthorizationType must be BASIC or API_KEY");
  }
  const ConnectionHttpParameters& http = connection.invocation_http_parameters;
  if (absl::Status s = ValidateParameterList("HeaderParameters", http.header_parameters, true);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          ValidateParameterList("QueryStringParameters", http.query_string_parameters, false);
      !s.ok()) {
    return s;
  }
  return ValidateParameterList("BodyParameters", http.body_parameters, false);
}

absl::Status ValidateApiDestination(const ApiDestination& destination) {
  if (absl::Status s = ValidateResourceName("Name", destination.name); !s.ok()) return s;
  if (absl::Status s = ValidateResourceName("ConnectionName", destination.connection_name);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = ValidateEndpoint(destination.invocation_endpoint); !s.ok()) return s;
  bool method_ok = false;
  for (std::string_view method : kMethods) method_ok |= destination.http_method == method;
  if (!method_ok) {
    return Invalid(
        absl::StrCat("HttpMethod '", destination.http_method.substr(0, 64), "' must be one of ",
                     absl::StrJoin(kMethods, ", ",
                                   [](std::string* out, std::string_view m) { out->append(m); })));
  }
  int rate = destination.invocation_rate_limit_per_second;
  if (rate < 1 || rate > kMaxInvocationRateLimitPerSecond) {
    return Invalid(absl::StrCat("InvocationRateLimitPerSecond is ", rate, "; it must be from 1 to ",
                                kMaxInvocationRateLimitPerSecond));
  }
  return absl::OkStatus();
}

absl::Status ValidateHttpParameters(const HttpParameters& parameters,
                                    const ApiDestination& destination) {
  std::optional<http_internal::EndpointParts> parts =
      http_internal::SplitEndpoint(destination.invocation_endpoint);
  size_t wildcards = parts.has_value() ? http_internal::CountWildcards(*parts) : 0;
  size_t values = parameters.path_parameter_values.size();
  if (values != wildcards) {
    return Invalid(absl::StrCat("PathParameterValues has ", values,
                                values == 1 ? " value" : " values", "; InvocationEndpoint '",
                                destination.invocation_endpoint, "' has ", wildcards,
                                wildcards == 1 ? " wildcard" : " wildcards"));
  }
  for (size_t i = 0; i < values; ++i) {
    const std::string& value = parameters.path_parameter_values[i];
    if (absl::StripAsciiWhitespace(value).empty()) {
      return Invalid(absl::StrCat("PathParameterValues[", i, "] must not be empty or blank"));
    }
    if (value.size() > kMaxHttpParameterLength) {
      return Invalid(absl::StrCat("PathParameterValues[", i, "] is ", value.size(),
                                  " characters; it must be at most 512"));
    }
  }
  for (const auto& [name, value] : parameters.header_parameters) {
    if (absl::Status s = ValidateHeaderName("HeaderParameters key", name); !s.ok()) return s;
    if (value.size() > kMaxHttpParameterLength || HasControlCharacter(value)) {
      return Invalid(absl::StrCat("HeaderParameters '", name,
                                  "' value must be at most 512 characters without control "
                                  "characters"));
    }
  }
  for (const auto& [key, value] : parameters.query_string_parameters) {
    if (key.empty() || key.size() > kMaxHttpParameterLength || HasControlCharacter(key)) {
      return Invalid(
          "QueryStringParameters key must be 1 to 512 characters without control characters");
    }
    if (value.size() > kMaxHttpParameterLength || HasControlCharacter(value)) {
      return Invalid(absl::StrCat("QueryStringParameters '", key,
                                  "' value must be at most 512 characters without control "
                                  "characters"));
    }
  }
  return absl::OkStatus();
}

std::string Connection::DebugString() const {
  std::string out =
      absl::StrCat("Connection{name=", name,
                   " authorization_type=", std::string(AuthorizationTypeName(authorization_type)));
  if (authorization_type == ConnectionAuthorizationType::kBasic) {
    absl::StrAppend(&out, " username=", basic.username, " password=***");
  } else if (authorization_type == ConnectionAuthorizationType::kApiKey) {
    absl::StrAppend(&out, " api_key_name=", api_key.name, " api_key_value=***");
  }
  auto list = [&out](std::string_view label, const std::vector<ConnectionParameter>& ps) {
    absl::StrAppend(&out, " ", std::string(label), "=[");
    for (size_t i = 0; i < ps.size(); ++i) {
      absl::StrAppend(&out, i == 0 ? "" : ", ", ps[i].key, "=",
                      ps[i].is_value_secret ? "***" : ps[i].value);
    }
    absl::StrAppend(&out, "]");
  };
  list("headers", invocation_http_parameters.header_parameters);
  list("query", invocation_http_parameters.query_string_parameters);
  list("body", invocation_http_parameters.body_parameters);
  absl::StrAppend(&out, " arn=", arn, "}");
  return out;
}

std::string ApiDestination::DebugString() const {
  return absl::StrCat("ApiDestination{name=", name, " connection=", connection_name,
                      " endpoint=", invocation_endpoint, " method=", http_method,
                      " rate=", invocation_rate_limit_per_second, "/s arn=", arn, "}");
}

}  // namespace busbar::targets
