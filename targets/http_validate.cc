// Validation of connections, API destinations and a target's HttpParameters (http_target.h) —
// the one check of each, for rule files, the API and routing alike — and their DebugString()s.
// Messages name EventBridge's properties (and, through base::PropertyFault, where they are)
// and never quote a parameter value, a password or an API key value, so no secret can leak
// through them.
#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "matcher/base/base.h"
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

bool IsHeaderValue(std::string_view text) {
  for (char c : text) {
    if (c != '\t' && (c < 0x20 || c >= 0x7f)) return false;
  }
  return true;
}

}  // namespace http_internal

bool IsForbiddenHeader(std::string_view name) {
  static constexpr std::array<std::string_view, 11> kForbidden = {
      "Host",    "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "TE",
      "Trailer", "Expect",         "Proxy-Connection",  "User-Agent"};
  return std::any_of(kForbidden.begin(), kForbidden.end(), [name](std::string_view forbidden) {
    return absl::EqualsIgnoreCase(http_internal::AbslView(name),
                                  http_internal::AbslView(forbidden));
  });
}

namespace {

using base::PropertyFault;
using http_internal::AbslView;
using http_internal::HasControlCharacter;
using http_internal::IsHeaderValue;
using http_internal::IsHttpToken;

constexpr char kNameRule[] = "1-64 characters of A-Z a-z 0-9 . - _";
constexpr std::array<std::string_view, 7> kMethods = {"POST", "GET",   "HEAD",  "OPTIONS",
                                                      "PUT",  "PATCH", "DELETE"};

// Records where the problem is (when asked) and returns InvalidArgument `message`.
absl::Status Invalid(PropertyFault* fault, std::vector<std::string> path, std::string message,
                     bool at_key = false, int entry = -1) {
  if (fault != nullptr) *fault = PropertyFault{std::move(path), at_key, entry};
  return absl::InvalidArgumentError(std::move(message));
}

// Characters (UTF-8 code points), as AWS counts length limits.
size_t CharCount(std::string_view text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// 'text' for a message: control characters escaped, past 100 bytes cut ("..."). Never a secret.
std::string Quote(std::string_view text) { return base::QuoteForMessage(text); }

bool IsResourceName(std::string_view name) {
  return !name.empty() && name.size() <= kMaxHttpResourceNameLength &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
                  c == '_';
         });
}

bool IsBlank(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\t'; });
}

absl::Status CheckDescription(PropertyFault* fault, std::string_view description) {
  if (size_t chars = CharCount(description); chars > kMaxHttpDescriptionLength) {
    return Invalid(fault, {"Description"},
                   absl::StrCat("Description is ", chars, " characters; at most ",
                                kMaxHttpDescriptionLength, " are allowed"));
  }
  return absl::OkStatus();
}

// "<prefix><property> is <n> characters; it must be 1 to 512", for the last step of `path`.
absl::Status CheckLength(PropertyFault* fault, std::vector<std::string> path,
                         std::string_view prefix, std::string_view value) {
  size_t chars = CharCount(value);
  if (chars >= 1 && chars <= kMaxAuthParameterLength) return absl::OkStatus();
  std::string property = path.back();
  return Invalid(fault, std::move(path),
                 absl::StrCat(AbslView(prefix), property, " is ", chars,
                              " characters; it must be 1 to ", kMaxAuthParameterLength));
}

// The kinds of parameter lists: what their keys and values may hold.
enum class ParameterKind { kHeader, kQuery, kBody };

// Header keys are HTTP tokens the client doesn't set; other keys have no control characters.
// Header values are printable ASCII; other values have no control characters.
bool KeyCharactersOk(ParameterKind kind, std::string_view key) {
  return kind == ParameterKind::kHeader ? IsHttpToken(key) : !HasControlCharacter(key);
}
bool ValueCharactersOk(ParameterKind kind, std::string_view value) {
  return kind == ParameterKind::kHeader ? IsHeaderValue(value) : !HasControlCharacter(value);
}

// One of a connection's InvocationHttpParameters lists.
absl::Status CheckConnectionParameters(const std::vector<ConnectionParameter>& list,
                                       const char* property, ParameterKind kind,
                                       PropertyFault* fault) {
  const std::string prefix = absl::StrCat("AuthParameters: InvocationHttpParameters: ", property);
  const std::vector<std::string> path{"AuthParameters", "InvocationHttpParameters", property};
  if (list.size() > kMaxHttpParameters) {
    return Invalid(fault, path,
                   absl::StrCat(prefix, " has ", list.size(), " entries; at most ",
                                kMaxHttpParameters, " are allowed"),
                   /*at_key=*/false, static_cast<int>(kMaxHttpParameters));
  }
  const bool header = kind == ParameterKind::kHeader;
  for (size_t i = 0; i < list.size(); ++i) {
    const ConnectionParameter& p = list[i];
    std::vector<std::string> at = path;
    at.push_back(std::to_string(i));
    at.push_back("Key");
    const std::string entry = absl::StrCat(prefix, " #", i + 1, ": ");
    if (CharCount(p.key) < 1 || CharCount(p.key) > kMaxHttpParameterLength) {
      return Invalid(fault, at,
                     absl::StrCat(entry, "Key is ", CharCount(p.key),
                                  " characters; it must be 1 to ", kMaxHttpParameterLength));
    }
    if (!KeyCharactersOk(kind, p.key)) {
      return Invalid(fault, at,
                     absl::StrCat(entry, "Key ", Quote(p.key), " is invalid: ",
                                  header ? "it must be an HTTP header name"
                                         : "no control characters are allowed"));
    }
    if (header && IsForbiddenHeader(p.key)) {
      return Invalid(fault, at,
                     absl::StrCat(entry, "Key ", Quote(p.key),
                                  " is a header the HTTP client sets; it cannot be set here"));
    }
    at.back() = "Value";
    if (CharCount(p.value) > kMaxHttpParameterLength || !ValueCharactersOk(kind, p.value)) {
      return Invalid(
          fault, at,
          absl::StrCat(
              entry, "Value is invalid: it must be at most ", kMaxHttpParameterLength,
              header ? " characters of printable ASCII" : " characters, no control characters"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckBasic(const BasicAuthParameters& basic, PropertyFault* fault) {
  const std::string prefix = "AuthParameters: BasicAuthParameters: ";
  const std::vector<std::string> user{"AuthParameters", "BasicAuthParameters", "Username"};
  if (absl::Status s = CheckLength(fault, user, prefix, basic.username); !s.ok()) return s;
  if (absl::StrContains(basic.username, ':') || HasControlCharacter(basic.username)) {
    return Invalid(fault, user,
                   absl::StrCat(prefix, "Username ", Quote(basic.username),
                                " is invalid: no ':' or control characters are allowed"));
  }
  return CheckLength(fault, {"AuthParameters", "BasicAuthParameters", "Password"}, prefix,
                     basic.password);
}

absl::Status CheckApiKey(const ApiKeyAuthParameters& key, PropertyFault* fault) {
  const std::string prefix = "AuthParameters: ApiKeyAuthParameters: ";
  const std::vector<std::string> name{"AuthParameters", "ApiKeyAuthParameters", "ApiKeyName"};
  if (absl::Status s = CheckLength(fault, name, prefix, key.name); !s.ok()) return s;
  if (!IsHttpToken(key.name)) {
    return Invalid(fault, name,
                   absl::StrCat(prefix, "ApiKeyName ", Quote(key.name),
                                " is invalid: it must be an HTTP header name"));
  }
  if (IsForbiddenHeader(key.name)) {
    return Invalid(fault, name,
                   absl::StrCat(prefix, "ApiKeyName ", Quote(key.name),
                                " is a header the HTTP client sets; it cannot be set here"));
  }
  const std::vector<std::string> value{"AuthParameters", "ApiKeyAuthParameters", "ApiKeyValue"};
  if (absl::Status s = CheckLength(fault, value, prefix, key.value); !s.ok()) return s;
  if (!IsHeaderValue(key.value)) {
    return Invalid(fault, value,
                   absl::StrCat(prefix, "ApiKeyValue is invalid: it must be printable ASCII"));
  }
  return absl::OkStatus();
}

// The host and port of an endpoint's authority: "host", "host:port", "[v6]" or "[v6]:port".
absl::Status CheckAuthority(PropertyFault* fault, const std::string& quoted,
                            std::string_view authority) {
  auto invalid = [&](std::string_view why) {
    return Invalid(fault, {"InvocationEndpoint"},
                   absl::StrCat("InvocationEndpoint ", quoted, " is invalid: ", AbslView(why)));
  };
  if (absl::StrContains(AbslView(authority), '@')) {
    return invalid("user information (user@) is not allowed");
  }
  std::string_view host = authority;
  std::optional<std::string_view> port;
  if (absl::StartsWith(AbslView(authority), "[")) {  // [IPv6]:port
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return invalid("it has no host");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return invalid("the port must be a number from 1 to 65535");
      port = after.substr(1);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return invalid("it has no host");
  if (port.has_value()) {
    int number = 0;
    bool digits = !port->empty() && port->find_first_not_of("0123456789") == std::string_view::npos;
    if (!digits || !absl::SimpleAtoi(AbslView(*port), &number) || number < 1 || number > 65535) {
      return invalid("the port must be a number from 1 to 65535");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckEndpoint(PropertyFault* fault, const std::string& endpoint) {
  if (size_t chars = CharCount(endpoint); chars > kMaxInvocationEndpointLength) {
    return Invalid(fault, {"InvocationEndpoint"},
                   absl::StrCat("InvocationEndpoint is ", chars, " characters; at most ",
                                kMaxInvocationEndpointLength, " are allowed"));
  }
  const std::string quoted = Quote(endpoint);
  auto invalid = [&](std::string_view why) {
    return Invalid(fault, {"InvocationEndpoint"},
                   absl::StrCat("InvocationEndpoint ", quoted, " is invalid: ", AbslView(why)));
  };
  std::optional<http_internal::EndpointParts> parts = http_internal::SplitEndpoint(endpoint);
  if (!parts.has_value()) return invalid("it must be an http:// or https:// URL");
  if (!std::all_of(endpoint.begin(), endpoint.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
    return invalid("it must be printable ASCII without spaces");
  }
  return CheckAuthority(fault, quoted, parts->authority);
}

absl::Status CheckMethod(PropertyFault* fault, const std::string& method) {
  if (std::find(kMethods.begin(), kMethods.end(), method) != kMethods.end()) {
    return absl::OkStatus();
  }
  std::string names(kMethods[0]);
  for (size_t i = 1; i < kMethods.size(); ++i) {
    absl::StrAppend(&names, i + 1 < kMethods.size() ? ", " : " or ", AbslView(kMethods[i]));
  }
  return Invalid(fault, {"HttpMethod"},
                 absl::StrCat("HttpMethod must be ", names, ", not ", Quote(method)));
}

// One of a target's HttpParameters maps.
absl::Status CheckHttpMap(const std::map<std::string, std::string>& map, const char* property,
                          ParameterKind kind, PropertyFault* fault) {
  const std::string name = absl::StrCat("HttpParameters: ", property);
  if (map.size() > kMaxHttpParameters) {
    return Invalid(fault, {"HttpParameters", property},
                   absl::StrCat(name, " has ", map.size(), " entries; at most ", kMaxHttpParameters,
                                " are allowed"),
                   /*at_key=*/true, static_cast<int>(kMaxHttpParameters));
  }
  const bool header = kind == ParameterKind::kHeader;
  for (const auto& [key, value] : map) {
    if (key.empty() || CharCount(key) > kMaxHttpParameterLength || !KeyCharactersOk(kind, key)) {
      return Invalid(
          fault, {"HttpParameters", property, key},
          absl::StrCat(
              name, " key ", Quote(key), " is invalid: it must be 1-", kMaxHttpParameterLength,
              header ? " characters of an HTTP header name" : " characters, no control characters"),
          /*at_key=*/true);
    }
    if (header && IsForbiddenHeader(key)) {
      return Invalid(fault, {"HttpParameters", property, key},
                     absl::StrCat(name, " key ", Quote(key),
                                  " is a header the HTTP client sets; it cannot be set here"),
                     /*at_key=*/true);
    }
    if (CharCount(value) > kMaxHttpParameterLength || !ValueCharactersOk(kind, value)) {
      return Invalid(
          fault, {"HttpParameters", property, key},
          absl::StrCat(
              name, " ", Quote(key), ": the value must be at most ", kMaxHttpParameterLength,
              header ? " characters of printable ASCII" : " characters, no control characters"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view AuthorizationTypeName(ConnectionAuthorizationType type) {
  switch (type) {
    case ConnectionAuthorizationType::kBasic:
      return "BASIC";
    case ConnectionAuthorizationType::kApiKey:
      return "API_KEY";
  }
  return "UNKNOWN";
}

absl::Status ValidateConnection(const Connection& c, PropertyFault* fault) {
  if (!IsResourceName(c.name)) {
    return Invalid(fault, {"Name"},
                   absl::StrCat("Name ", Quote(c.name), " is invalid: it must be ", kNameRule));
  }
  if (absl::Status s = CheckDescription(fault, c.description); !s.ok()) return s;
  absl::Status credentials;
  switch (c.authorization_type) {
    case ConnectionAuthorizationType::kBasic:
      if (c.api_key != ApiKeyAuthParameters{}) {
        return Invalid(fault, {"AuthParameters", "ApiKeyAuthParameters"},
                       "AuthParameters: ApiKeyAuthParameters is not allowed with "
                       "AuthorizationType BASIC",
                       /*at_key=*/true);
      }
      credentials = CheckBasic(c.basic, fault);
      break;
    case ConnectionAuthorizationType::kApiKey:
      if (c.basic != BasicAuthParameters{}) {
        return Invalid(fault, {"AuthParameters", "BasicAuthParameters"},
                       "AuthParameters: BasicAuthParameters is not allowed with "
                       "AuthorizationType API_KEY",
                       /*at_key=*/true);
      }
      credentials = CheckApiKey(c.api_key, fault);
      break;
    default:
      return Invalid(fault, {"AuthorizationType"}, "AuthorizationType must be BASIC or API_KEY");
  }
  if (!credentials.ok()) return credentials;
  const ConnectionHttpParameters& http = c.invocation_http_parameters;
  if (absl::Status s = CheckConnectionParameters(http.header_parameters, "HeaderParameters",
                                                 ParameterKind::kHeader, fault);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckConnectionParameters(
          http.query_string_parameters, "QueryStringParameters", ParameterKind::kQuery, fault);
      !s.ok()) {
    return s;
  }
  return CheckConnectionParameters(http.body_parameters, "BodyParameters", ParameterKind::kBody,
                                   fault);
}

absl::Status ValidateApiDestination(const ApiDestination& d, PropertyFault* fault) {
  if (!IsResourceName(d.name)) {
    return Invalid(fault, {"Name"},
                   absl::StrCat("Name ", Quote(d.name), " is invalid: it must be ", kNameRule));
  }
  if (absl::Status s = CheckDescription(fault, d.description); !s.ok()) return s;
  if (!IsResourceName(d.connection_name)) {
    return Invalid(fault, {"ConnectionArn"},
                   absl::StrCat("ConnectionArn: connection name ", Quote(d.connection_name),
                                " is invalid: it must be ", kNameRule));
  }
  if (absl::Status s = CheckEndpoint(fault, d.invocation_endpoint); !s.ok()) return s;
  if (absl::Status s = CheckMethod(fault, d.http_method); !s.ok()) return s;
  const int rate = d.invocation_rate_limit_per_second;
  if (rate < 1 || rate > kMaxInvocationRateLimitPerSecond) {
    return Invalid(fault, {"InvocationRateLimitPerSecond"},
                   absl::StrCat("InvocationRateLimitPerSecond is ", rate, "; it must be from 1 to ",
                                kMaxInvocationRateLimitPerSecond));
  }
  return absl::OkStatus();
}

absl::Status ValidateHttpParameters(const HttpParameters& h, const ApiDestination* destination,
                                    PropertyFault* fault) {
  const std::vector<std::string>& values = h.path_parameter_values;
  if (values.size() > kMaxHttpParameters) {
    return Invalid(fault, {"HttpParameters", "PathParameterValues"},
                   absl::StrCat("HttpParameters: PathParameterValues has ", values.size(),
                                " values; at most ", kMaxHttpParameters, " are allowed"),
                   /*at_key=*/false, static_cast<int>(kMaxHttpParameters));
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (IsBlank(values[i]) || HasControlCharacter(values[i]) ||
        CharCount(values[i]) > kMaxHttpParameterLength) {
      return Invalid(
          fault, {"HttpParameters", "PathParameterValues", std::to_string(i)},
          absl::StrCat("HttpParameters: PathParameterValues #", i + 1, " is invalid: it must be 1-",
                       kMaxHttpParameterLength, " characters, not blank, no control characters"));
    }
  }
  if (absl::Status s =
          CheckHttpMap(h.header_parameters, "HeaderParameters", ParameterKind::kHeader, fault);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckHttpMap(h.query_string_parameters, "QueryStringParameters",
                                    ParameterKind::kQuery, fault);
      !s.ok()) {
    return s;
  }
  if (destination == nullptr) return absl::OkStatus();
  std::optional<http_internal::EndpointParts> parts =
      http_internal::SplitEndpoint(destination->invocation_endpoint);
  const size_t wildcards = parts.has_value() ? http_internal::CountWildcards(*parts) : 0;
  if (values.size() == wildcards) return absl::OkStatus();
  return Invalid(fault, {"HttpParameters", "PathParameterValues"},
                 absl::StrCat("HttpParameters: ", values.size(), " PathParameterValues for the ",
                              wildcards, " '*' wildcards in the endpoint of API destination ",
                              Quote(destination->name), "; give one value for each"));
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
