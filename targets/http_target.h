// busbar::targets HTTP targets — EventBridge API destinations and the connections that
// authorize them, and HttpDeliverer, which makes one HTTP call per event and says what happened.
//
// The model keeps EventBridge's names and limits (CreateConnection, CreateApiDestination, a
// target's HttpParameters). Connection, ApiDestination and HttpParameters are plain values;
// Validate* checks what EventBridge checks when they are created or a target is put.
//
// A call is built as EventBridge builds it (BuildHttpRequest):
//   - method and URL from the destination, each `*` of the endpoint replaced by the next path
//     parameter value, percent-encoded;
//   - query string: the connection's parameters, then the target's (the target wins on a key),
//     keys and values percent-encoded, after any query the endpoint already has;
//   - headers: Content-Type: application/json; charset=utf-8, User-Agent:
//     Amazon/EventBridge/ApiDestinations, the connection's header parameters, the target's
//     (the target wins on a name, compared case-insensitively), the authorization header last
//     (Basic: `Authorization: Basic base64(user:pass)`; API key: `<ApiKeyName>: <ApiKeyValue>`);
//   - body: the payload (the rendered event); when it is a JSON object the connection's body
//     parameters are added as top-level string members (a key the payload already has is kept
//     as the payload has it). GET and HEAD send no body.
//
// HttpDeliverer delivers each call once; retries and dead letters belong to the caller, which
// decides from the HttpOutcome (result, error_code in EventBridge's dead-letter vocabulary,
// retry_after). Calls to one destination are spaced to its InvocationRateLimitPerSecond: they
// wait for their turn (without holding a worker) and never fail for it.
//
// Secrets (the Basic password, the API key value, parameters marked is_value_secret) never
// appear in a Status message, an HttpOutcome message or a DebugString().
//
// Threads: the model structs are values (thread-compatible); the free functions are
// thread-safe; HttpDeliverer is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace busbar::targets {

inline constexpr size_t kMaxHttpResourceNameLength = 64;  // Connection / ApiDestination Name
inline constexpr size_t kMaxAuthParameterLength = 512;    // username, password, key name/value
inline constexpr size_t kMaxHttpParameterLength = 512;    // a parameter's key or value
inline constexpr size_t kMaxConnectionParameters = 100;   // per list of a connection
inline constexpr size_t kMaxInvocationEndpointLength = 2048;
inline constexpr int kMaxInvocationRateLimitPerSecond = 300;  // also the default
inline constexpr size_t kMaxErrorBodyBytes = 256;  // of a response body quoted in an outcome

enum class ConnectionAuthorizationType {
  kBasic,                   // BASIC
  kApiKey,                  // API_KEY
  kOAuthClientCredentials,  // OAUTH_CLIENT_CREDENTIALS: refused (not supported by Busbar)
};
// "BASIC", "API_KEY", "OAUTH_CLIENT_CREDENTIALS".
std::string_view AuthorizationTypeName(ConnectionAuthorizationType type);
// The inverse. Errors: InvalidArgument "AuthorizationType 'x' must be BASIC, API_KEY or
// OAUTH_CLIENT_CREDENTIALS".
absl::StatusOr<ConnectionAuthorizationType> ParseAuthorizationType(std::string_view name);

// One entry of a connection's InvocationHttpParameters list.
struct ConnectionParameter {
  std::string key;
  std::string value;
  bool is_value_secret = false;
  bool operator==(const ConnectionParameter&) const = default;
};

struct ConnectionHttpParameters {
  std::vector<ConnectionParameter> header_parameters;        // HeaderParameters
  std::vector<ConnectionParameter> query_string_parameters;  // QueryStringParameters
  std::vector<ConnectionParameter> body_parameters;          // BodyParameters
  bool operator==(const ConnectionHttpParameters&) const = default;
};

struct BasicAuthParameters {
  std::string username;  // 1-512, no ':'
  std::string password;  // 1-512; secret
  bool operator==(const BasicAuthParameters&) const = default;
};

struct ApiKeyAuthParameters {
  std::string name;   // ApiKeyName: a header name (HTTP token), 1-512
  std::string value;  // ApiKeyValue: 1-512, no control characters; secret
  bool operator==(const ApiKeyAuthParameters&) const = default;
};

struct Connection {
  std::string name;  // 1-64 of [.\-_A-Za-z0-9]
  ConnectionAuthorizationType authorization_type = ConnectionAuthorizationType::kBasic;
  BasicAuthParameters basic;     // used when BASIC
  ApiKeyAuthParameters api_key;  // used when API_KEY
  ConnectionHttpParameters invocation_http_parameters;
  std::string arn;  // arn:aws:events:<region>:<account>:connection/<name>/<uuid>, from the caller

  // Name, authorization type, user name or key name, parameter keys; secrets as "***".
  std::string DebugString() const;
  bool operator==(const Connection&) const = default;
};

struct ApiDestination {
  std::string name;             // 1-64 of [.\-_A-Za-z0-9]
  std::string connection_name;  // the Connection it uses
  // An http:// or https:// URL of at most 2048 characters; each `*` in its path is replaced
  // by a target's path parameter value.
  std::string invocation_endpoint;
  std::string http_method = "POST";  // POST GET HEAD OPTIONS PUT PATCH DELETE
  int invocation_rate_limit_per_second = kMaxInvocationRateLimitPerSecond;  // 1-300
  std::string arn;  // arn:aws:events:<region>:<account>:api-destination/<name>/<uuid>

  std::string DebugString() const;
  bool operator==(const ApiDestination&) const = default;
};

// A rule target's HttpParameters.
struct HttpParameters {
  std::vector<std::string> path_parameter_values;  // one per `*` of the endpoint, in order
  std::map<std::string, std::string> header_parameters;
  std::map<std::string, std::string> query_string_parameters;
  bool operator==(const HttpParameters&) const = default;
};

// Errors (all InvalidArgument, naming the property in EventBridge's words; never a secret):
//   "Name 'a b' must be 1 to 64 characters of A-Z a-z 0-9 . - _"
//   "AuthorizationType OAUTH_CLIENT_CREDENTIALS is not supported; use BASIC or API_KEY"
//   "AuthParameters.BasicAuthParameters.Username must be 1 to 512 characters", "... must not
//   contain ':'", "...Password must be 1 to 512 characters", "AuthParameters.ApiKeyAuthParameters
//   .ApiKeyName 'a b' must be an HTTP header name (a token)", "...ApiKeyValue must be 1 to 512
//   characters without control characters", "AuthParameters.InvocationHttpParameters
//   .HeaderParameters has 101 entries; at most 100 are allowed", "...HeaderParameters[2].Key
//   'Host' cannot be set: the HTTP client sets it", "...QueryStringParameters[0].Value is 513
//   characters; it must be at most 512".
absl::Status ValidateConnection(const Connection& connection);
// Errors (InvalidArgument): Name as above; "ConnectionName ..." as Name;
//   "InvocationEndpoint 'ftp://x' must be an http:// or https:// URL", "InvocationEndpoint is
//   2049 characters; it must be at most 2048", "InvocationEndpoint 'http:///x' has no host",
//   "InvocationEndpoint 'http://h:99999/' has an invalid port", "InvocationEndpoint 'http://h/a b'
//   must not contain spaces or control characters"; "HttpMethod 'TRACE' must be one of POST, GET,
//   HEAD, OPTIONS, PUT, PATCH, DELETE"; "InvocationRateLimitPerSecond is 0; it must be from 1 to
//   300".
absl::Status ValidateApiDestination(const ApiDestination& destination);
// A target's HttpParameters for `destination` (which must be valid). Errors (InvalidArgument):
//   "PathParameterValues has 1 value; InvocationEndpoint 'http://h/*/x/*' has 2 wildcards",
//   "PathParameterValues[0] must not be empty or blank", "HeaderParameters key 'a b' must be an
//   HTTP header name (a token)", "HeaderParameters key 'Content-Length' cannot be set: the HTTP
//   client sets it", "HeaderParameters 'X-A' value must be at most 512 characters without control
//   characters", "QueryStringParameters key must be 1 to 512 characters" (and value at most 512).
absl::Status ValidateHttpParameters(const HttpParameters& parameters,
                                    const ApiDestination& destination);

// One delivery: copies of everything needed, so the caller may change its configuration while
// the call waits.
// Headers a connection or target may not set (the HTTP client or EventBridge sets them): Host,
// Content-Length, Transfer-Encoding, Connection, Keep-Alive, Upgrade, TE, Trailer, Expect,
// Proxy-Connection, User-Agent; compared case-insensitively.
bool IsForbiddenHeader(std::string_view name);

struct HttpCall {
  Connection connection;
  ApiDestination destination;
  HttpParameters parameters;
  std::string body;  // the rendered event
};

// The request BuildHttpRequest makes (what goes on the wire, apart from the Host,
// Content-Length, Accept and Accept-Encoding headers the HTTP client adds).
struct HttpRequest {
  std::string method;                                        // "POST"
  std::string scheme_host_port;                              // "https://example.com:8443"
  std::string path_and_query;                                // "/a/b%20c?x=1&y=2", never empty
  std::vector<std::pair<std::string, std::string>> headers;  // in the order sent
  std::string body;                                          // empty for GET and HEAD
};

// Builds the request for `call` as described at the top. REQUIRES: the call's parts are valid
// (ValidateConnection / ValidateApiDestination / ValidateHttpParameters); otherwise the
// result is unspecified but safe (never a header with CR or LF).
HttpRequest BuildHttpRequest(const HttpCall& call);

// A Retry-After value: delta-seconds ("120") or an HTTP-date (IMF-fixdate "Sun, 06 Nov 1994
// 08:49:37 GMT", also the obsolete RFC 850 and asctime forms), measured from `now` (a date in
// the past gives zero). Anything else (empty, negative, garbage) gives nullopt.
std::optional<absl::Duration> ParseRetryAfter(std::string_view value, absl::Time now);

struct HttpOutcome {
  enum class Result {
    kDelivered,  // a 2xx response
    kRetry,      // worth trying again later (429, 5xx, timeout, connection failure, shutdown)
    kFail,       // retrying will not help (other responses, an invalid call)
  };
  Result result = Result::kFail;
  int http_status = 0;                        // 0 when there was no response
  std::optional<absl::Duration> retry_after;  // from a Retry-After header
  // EventBridge's dead-letter ERROR_CODE: "" when delivered; "THROTTLING" (429),
  // "ERROR_FROM_TARGET" (other non-2xx), "TIMEOUT", "CONNECTION_FAILURE" (refused, DNS, TLS,
  // connection lost before a response), "INVALID_PARAMETER" (the call failed validation; no
  // request was made), and Busbar's own "SHUTTING_DOWN" (kRetry; no request was made).
  std::string error_code;
  // e.g. "Received 503 Service Unavailable from https://h/p: <at most 256 bytes of the body>".
  std::string error_message;
  absl::Duration duration;  // from the start of the request to the outcome (not the rate wait)
};

// "DELIVERED", "RETRY", "FAIL".
std::string_view HttpOutcomeResultName(HttpOutcome::Result result);

struct HttpDelivererOptions {
  int threads = 8;  // worker threads, each making one call at a time
  // Bounds connecting, sending and receiving the response together.
  absl::Duration timeout = absl::Seconds(5);
  // When set, replaces every destination's InvocationRateLimitPerSecond; 0 turns rate limiting
  // off (benchmarks).
  std::optional<int> rate_limit_override = std::nullopt;
  // https:// endpoints: verify the server's certificate against the system's CA store.
  bool verify_tls_certificates = true;
};

class HttpDeliverer {
 public:
  // Errors: InvalidArgument when threads < 1 or timeout <= 0 or rate_limit_override < 0.
  static absl::StatusOr<std::unique_ptr<HttpDeliverer>> Create(HttpDelivererOptions options);

  // Calls Shutdown().
  ~HttpDeliverer();
  HttpDeliverer(const HttpDeliverer&) = delete;
  HttpDeliverer& operator=(const HttpDeliverer&) = delete;

  // Makes the call once, after its turn under the destination's rate limit, and calls `done`
  // exactly once with the outcome. `done` runs on a worker thread (or on the calling thread
  // when the call is refused at once: after Shutdown, or when the call is invalid); it may call
  // Deliver, but must not call Shutdown or destroy the deliverer, and should return quickly.
  // Rate limits are kept per destination (its ARN, or its name when the ARN is empty).
  void Deliver(HttpCall call, std::function<void(HttpOutcome)> done);

  // Completes every call still waiting with kRetry "SHUTTING_DOWN", lets the calls in flight
  // finish (each bounded by the timeout), and joins the workers. Later Deliver calls complete
  // at once with the same outcome. Idempotent.
  void Shutdown();

  class Impl;  // internal; defined in http_target.cc

 private:
  explicit HttpDeliverer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace busbar::targets
