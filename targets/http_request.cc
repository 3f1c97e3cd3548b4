// Building an API destination call (BuildHttpRequest) and reading a response into an
// HttpOutcome (Retry-After, EventBridge's error codes). No I/O here: http_target.cc sends.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "matcher/base/base.h"
#include "simdjson.h"
#include "targets/http_internal.h"
#include "targets/http_target.h"

namespace busbar::targets {
namespace {

// RFC 3986 unreserved characters stay; every other byte becomes %XX.
void AppendPercentEncoded(std::string* out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      out->push_back(c);
    } else {
      out->push_back('%');
      out->push_back(kHex[u >> 4]);
      out->push_back(kHex[u & 15]);
    }
  }
}

// Replaces every header named `name` (case-insensitively) by one with `value`, at the end.
void SetHeader(std::vector<std::pair<std::string, std::string>>* headers, std::string_view name,
               std::string_view value) {
  std::erase_if(*headers, [name](const auto& h) {
    return absl::EqualsIgnoreCase(h.first, http_internal::AbslView(name));
  });
  headers->emplace_back(std::string(name), std::string(value));
}

// `payload` with the connection's body parameters added, when it is a JSON object; otherwise
// unchanged. Members the payload already has are left as they are.
std::string MergeBodyParameters(const std::string& payload,
                                const std::vector<ConnectionParameter>& parameters) {
  if (parameters.empty()) return payload;
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(simdjson::padded_string(payload)).get(object) != simdjson::SUCCESS) {
    return payload;  // not JSON, or not an object
  }
  absl::flat_hash_set<std::string> keys;
  for (simdjson::dom::key_value_pair member : object) keys.insert(std::string(member.key));
  const bool empty_object = keys.empty();
  std::string added;
  for (const ConnectionParameter& p : parameters) {
    if (!keys.insert(p.key).second) continue;
    if (!added.empty()) added.push_back(',');
    base::AppendJsonString(p.key, &added);
    added.push_back(':');
    base::AppendJsonString(p.value, &added);
  }
  if (added.empty()) return payload;
  size_t close = payload.rfind('}');  // a valid object ends with '}' (then only whitespace)
  std::string merged = payload.substr(0, close);
  absl::StrAppend(&merged, empty_object ? "" : ",", added, "}");
  return merged;
}

std::string_view StandardReason(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

}  // namespace

HttpRequest BuildHttpRequest(const HttpCall& call) {
  HttpRequest request;
  request.method = call.destination.http_method;
  const std::string& endpoint = call.destination.invocation_endpoint;
  http_internal::EndpointParts parts =
      http_internal::SplitEndpoint(endpoint).value_or(http_internal::EndpointParts{});
  request.scheme_host_port = absl::StrCat(absl::AsciiStrToLower(std::string(parts.scheme)), "://",
                                          std::string(parts.authority));

  // Path, wildcards replaced in order (a missing value leaves the `*`).
  std::string& target = request.path_and_query;
  size_t next_value = 0;
  for (char c : parts.path) {
    if (c == '*' && next_value < call.parameters.path_parameter_values.size()) {
      AppendPercentEncoded(&target, call.parameters.path_parameter_values[next_value++]);
    } else if (static_cast<unsigned char>(c) > 0x20 && c != 0x7f) {
      target.push_back(c);
    }
  }
  if (target.empty()) target.push_back('/');

  // Query: the endpoint's own, the connection's (unless the target names the key), the target's.
  std::string query(parts.query);
  auto add = [&query](std::string_view key, std::string_view value) {
    if (!query.empty()) query.push_back('&');
    AppendPercentEncoded(&query, key);
    query.push_back('=');
    AppendPercentEncoded(&query, value);
  };
  const ConnectionHttpParameters& http = call.connection.invocation_http_parameters;
  for (const ConnectionParameter& p : http.query_string_parameters) {
    if (!call.parameters.query_string_parameters.contains(p.key)) add(p.key, p.value);
  }
  for (const auto& [key, value] : call.parameters.query_string_parameters) add(key, value);
  if (!query.empty()) absl::StrAppend(&target, "?", query);

  // Headers: defaults, the connection's, the target's, authorization; a later one replaces an
  // earlier one of the same name. Values with CR/LF never get here (validation), but are
  // dropped anyway so a header cannot be split.
  auto& headers = request.headers;
  SetHeader(&headers, "Content-Type", "application/json; charset=utf-8");
  SetHeader(&headers, "User-Agent", "Amazon/EventBridge/ApiDestinations");
  auto safe = [](std::string_view name, std::string_view value) {
    return http_internal::IsHttpToken(name) && !IsForbiddenHeader(name) &&
           value.find_first_of("\r\n") == std::string_view::npos;
  };
  for (const ConnectionParameter& p : http.header_parameters) {
    if (safe(p.key, p.value)) SetHeader(&headers, p.key, p.value);
  }
  for (const auto& [name, value] : call.parameters.header_parameters) {
    if (safe(name, value)) SetHeader(&headers, name, value);
  }
  switch (call.connection.authorization_type) {
    case ConnectionAuthorizationType::kBasic:
      SetHeader(&headers, "Authorization",
                absl::StrCat("Basic ",
                             absl::Base64Escape(absl::StrCat(call.connection.basic.username, ":",
                                                             call.connection.basic.password))));
      break;
    case ConnectionAuthorizationType::kApiKey:
      if (safe(call.connection.api_key.name, call.connection.api_key.value)) {
        SetHeader(&headers, call.connection.api_key.name, call.connection.api_key.value);
      }
      break;
  }

  if (request.method != "GET" && request.method != "HEAD") {
    request.body = MergeBodyParameters(call.body, http.body_parameters);
  }
  return request;
}

std::optional<absl::Duration> ParseRetryAfter(std::string_view value, absl::Time now) {
  std::string text(absl::StripAsciiWhitespace(http_internal::AbslView(value)));
  if (text.empty()) return std::nullopt;
  if (text.find_first_not_of("0123456789") == std::string::npos) {
    int64_t seconds = 0;
    if (text.size() > 12 || !absl::SimpleAtoi(text, &seconds)) return std::nullopt;
    return absl::Seconds(seconds);
  }
  // IMF-fixdate, then the obsolete RFC 850 and asctime forms (RFC 9110 section 5.6.7).
  for (const char* format :
       {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"}) {
    absl::Time when;
    std::string error;
    if (absl::ParseTime(format, text, absl::UTCTimeZone(), &when, &error)) {
      return when > now ? when - now : absl::ZeroDuration();
    }
  }
  return std::nullopt;
}

namespace http_internal {

HttpOutcome OutcomeForResponse(int status, std::string_view reason, std::string_view body_prefix,
                               std::string_view retry_after, std::string_view endpoint,
                               absl::Time now) {
  HttpOutcome outcome;
  outcome.http_status = status;
  if (!retry_after.empty()) outcome.retry_after = ParseRetryAfter(retry_after, now);
  if (status >= 200 && status < 300) {
    outcome.result = HttpOutcome::Result::kDelivered;
    return outcome;
  }
  if (status == 429) {
    outcome.result = HttpOutcome::Result::kRetry;
    outcome.error_code = "THROTTLING";
  } else {
    outcome.result = status >= 500 ? HttpOutcome::Result::kRetry : HttpOutcome::Result::kFail;
    outcome.error_code = "ERROR_FROM_TARGET";
  }
  std::string phrase(reason.empty() ? StandardReason(status) : reason);
  outcome.error_message = absl::StrCat("Received ", status, phrase.empty() ? "" : " ", phrase,
                                       " from ", std::string(endpoint));
  if (!body_prefix.empty()) {
    absl::StrAppend(&outcome.error_message, ": ",
                    std::string(body_prefix.substr(0, kMaxErrorBodyBytes)));
  }
  return outcome;
}

}  // namespace http_internal
}  // namespace busbar::targets
