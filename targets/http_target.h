// busbar::targets HTTP targets — EventBridge API destinations and the connections that
// authorize them, and HttpDeliverer, which makes one HTTP call per event and says what happened.
//
// The model keeps EventBridge's names and limits (CreateConnection, CreateApiDestination, a
// target's HttpParameters). Connection, ApiDestination and HttpParameters are plain values and
// the only model of them in Busbar: the rule-file reader (bus/config) fills them, the daemon
// routes them, HttpDeliverer calls them. Validate* is the one check of each: the reader, the
// API (PutTargets) and the daemon call it, so nothing is accepted that a call would refuse,
// and HttpDeliverer trusts what it is given (it does not check again per call).
//
// A call is built as EventBridge builds it (BuildHttpRequest):
//   - method and URL from the destination, each `*` of the endpoint's path replaced by the next
//     path parameter value, percent-encoded;
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
#include "matcher/base/property_fault.h"

namespace busbar::targets {

// Limits (EventBridge's). Lengths are in characters (UTF-8 code points), as AWS counts them.
inline constexpr size_t kMaxHttpResourceNameLength = 64;  // Connection / ApiDestination Name
inline constexpr size_t kMaxHttpDescriptionLength = 512;  // Connection / ApiDestination
inline constexpr size_t kMaxAuthParameterLength = 512;    // username, password, key name/value
inline constexpr size_t kMaxHttpParameterLength = 512;    // a parameter's key or value
inline constexpr size_t kMaxHttpParameters = 100;         // per list of a connection or a target
inline constexpr size_t kMaxInvocationEndpointLength = 2048;
inline constexpr int kMaxInvocationRateLimitPerSecond = 300;  // also the default
inline constexpr size_t kMaxErrorBodyBytes = 256;  // of a response body quoted in an outcome

// OAUTH_CLIENT_CREDENTIALS is not supported: the rule-file reader refuses it by name.
enum class ConnectionAuthorizationType {
  kBasic,   // BASIC
  kApiKey,  // API_KEY
};
// "BASIC", "API_KEY".
std::string_view AuthorizationTypeName(ConnectionAuthorizationType type);

// One entry of a connection's InvocationHttpParameters list.
struct ConnectionParameter {
  std::string key;    // 1-512; a header name (HTTP token) in HeaderParameters
  std::string value;  // <= 512; printable ASCII for a header, no control characters otherwise
  bool is_value_secret = false;  // kept out of DebugString either way
  bool operator==(const ConnectionParameter&) const = default;
};

struct ConnectionHttpParameters {
  std::vector<ConnectionParameter> header_parameters;        // HeaderParameters, <= 100
  std::vector<ConnectionParameter> query_string_parameters;  // QueryStringParameters, <= 100
  std::vector<ConnectionParameter> body_parameters;          // BodyParameters, <= 100
  bool operator==(const ConnectionHttpParameters&) const = default;
};

struct BasicAuthParameters {
  std::string username;  // 1-512, no ':' or control characters
  std::string password;  // 1-512; secret
  bool operator==(const BasicAuthParameters&) const = default;
};

struct ApiKeyAuthParameters {
  std::string name;   // ApiKeyName: a header name (HTTP token) the client doesn't set, 1-512
  std::string value;  // ApiKeyValue: 1-512 of printable ASCII; secret
  bool operator==(const ApiKeyAuthParameters&) const = default;
};

// An EventBridge connection: how requests to API destinations authorize.
struct Connection {
  std::string name;         // 1-64 of [.\-_A-Za-z0-9]
  std::string description;  // <= 512
  ConnectionAuthorizationType authorization_type = ConnectionAuthorizationType::kBasic;
  BasicAuthParameters basic;     // BASIC only (empty otherwise)
  ApiKeyAuthParameters api_key;  // API_KEY only (empty otherwise)
  ConnectionHttpParameters invocation_http_parameters;
  // arn:aws:events:<region>:<account>:connection/<name>, made by whoever knows the account and
  // region (the rule-file reader); not checked here.
  std::string arn;

  // Name, authorization type, user name or key name, parameter keys and the values not marked
  // secret; the password, key value and secret values as "***".
  std::string DebugString() const;
  bool operator==(const Connection&) const = default;
};

// An EventBridge API destination: an HTTP endpoint reached through a connection.
struct ApiDestination {
  std::string name;         // 1-64 of [.\-_A-Za-z0-9]
  std::string description;  // <= 512
  // The connection it uses, as named by its ConnectionArn
  // (arn:aws:events:<region>:<account>:connection/<name>[/<uuid>]). The reader resolves the
  // ARN: its account and region, and whether the connection exists, are the reader's to check.
  std::string connection_name;
  // An http:// or https:// URL (scheme in any case) of at most 2048 characters of printable
  // ASCII without spaces, with a host, an optional port 1-65535 and no user information; each
  // `*` in its path is replaced by a target's path parameter value.
  std::string invocation_endpoint;
  std::string http_method = "POST";  // POST GET HEAD OPTIONS PUT PATCH DELETE
  int invocation_rate_limit_per_second = kMaxInvocationRateLimitPerSecond;  // 1-300
  // arn:aws:events:<region>:<account>:api-destination/<name>, made by the reader as for
  // Connection::arn; the rate limit is kept per ARN (per name when it is empty).
  std::string arn;

  std::string DebugString() const;
  bool operator==(const ApiDestination&) const = default;
};

// A rule target's HttpParameters (API destination targets only).
struct HttpParameters {
  // One per `*` of the endpoint's path, in order; 1-512, not blank, no control characters.
  std::vector<std::string> path_parameter_values;
  // <= 100 each; keys 1-512 (header names HTTP tokens the client doesn't set), values <= 512
  // (printable ASCII for headers, no control characters for the query).
  std::map<std::string, std::string> header_parameters;
  std::map<std::string, std::string> query_string_parameters;
  bool operator==(const HttpParameters&) const = default;
};

// The checks below are the only ones: a rule file, the API and the daemon's routing all call
// them. Errors are InvalidArgument whose message starts with the property in EventBridge's
// words and never quotes a secret; on error `*fault`, if given, names the property
// (base::PropertyFault: a rule file turns it into file:line:column).

// Name, Description, the credentials of the authorization type (the other type's left empty),
// and the three parameter lists (the limits in the structs' comments). E.g.
//   "Name 'a b' is invalid: it must be 1-64 characters of A-Z a-z 0-9 . - _"
//   "AuthParameters: BasicAuthParameters: Password is 0 characters; it must be 1 to 512"
//   "AuthParameters: ApiKeyAuthParameters: ApiKeyName 'Host' is a header the HTTP client sets;
//    it cannot be set here"
//   "AuthParameters: InvocationHttpParameters: HeaderParameters has 101 entries; at most 100
//    are allowed"
//   "AuthParameters: InvocationHttpParameters: QueryStringParameters #1: Value is invalid: it
//    must be at most 512 characters, no control characters"
absl::Status ValidateConnection(const Connection& connection, base::PropertyFault* fault = nullptr);

// Name, Description, the connection's name (fault at ConnectionArn), InvocationEndpoint,
// HttpMethod and InvocationRateLimitPerSecond. E.g.
//   "InvocationEndpoint 'ftp://h/x' is invalid: it must be an http:// or https:// URL"
//   "InvocationEndpoint 'http://h:99999/x' is invalid: the port must be a number from 1 to 65535"
//   "InvocationEndpoint 'https:///x' is invalid: it has no host"
//   "HttpMethod must be POST, GET, HEAD, OPTIONS, PUT, PATCH or DELETE, not 'post'"
//   "InvocationRateLimitPerSecond is 0; it must be from 1 to 300"
absl::Status ValidateApiDestination(const ApiDestination& destination,
                                    base::PropertyFault* fault = nullptr);

// A target's HttpParameters (the limits in the struct's comments; fault paths start with
// "HttpParameters"), and, when `destination` is given, one path value per `*` of its
// endpoint's path (a target put before its destination is known is checked again with it).
// E.g. "HttpParameters: PathParameterValues #2 is invalid: it must be 1-512 characters, not
// blank, no control characters", "HttpParameters: HeaderParameters key 'Host' is a header the
// HTTP client sets; it cannot be set here", "HttpParameters: 1 PathParameterValues for the 2
// '*' wildcards in the endpoint of API destination 'd'; give one value for each".
// REQUIRES: `destination`, if given, passed ValidateApiDestination.
absl::Status ValidateHttpParameters(const HttpParameters& parameters,
                                    const ApiDestination* destination,
                                    base::PropertyFault* fault = nullptr);

// Headers a connection or target may not set (the HTTP client or EventBridge sets them): Host,
// Content-Length, Transfer-Encoding, Connection, Keep-Alive, Upgrade, TE, Trailer, Expect,
// Proxy-Connection, User-Agent; compared case-insensitively.
bool IsForbiddenHeader(std::string_view name);

// One delivery: copies of everything needed, so the caller may change its configuration while
// the call waits. Its parts must be valid: ValidateConnection, ValidateApiDestination and
// ValidateHttpParameters with the destination passed (HttpDeliverer does not check again).
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
// (see HttpCall); otherwise the result is unspecified but safe (never a header with CR or LF).
HttpRequest BuildHttpRequest(const HttpCall& call);

// A Retry-After value: delta-seconds ("120") or an HTTP-date (IMF-fixdate "Sun, 06 Nov 1994
// 08:49:37 GMT", also the obsolete RFC 850 and asctime forms), measured from `now` (a date in
// the past gives zero). Anything else (empty, negative, garbage) gives nullopt.
std::optional<absl::Duration> ParseRetryAfter(std::string_view value, absl::Time now);

struct HttpOutcome {
  enum class Result {
    kDelivered,  // a 2xx response
    kRetry,      // worth trying again later (429, 5xx, timeout, connection failure, shutdown)
    kFail,       // retrying will not help (any other response)
  };
  Result result = Result::kFail;
  int http_status = 0;                        // 0 when there was no response
  std::optional<absl::Duration> retry_after;  // from a Retry-After header
  // EventBridge's dead-letter ERROR_CODE: "" when delivered; "THROTTLING" (429),
  // "ERROR_FROM_TARGET" (other non-2xx), "TIMEOUT", "CONNECTION_FAILURE" (refused, DNS, TLS,
  // connection lost before a response), and Busbar's own "SHUTTING_DOWN" (kRetry; no request
  // was made).
  std::string error_code;
  // e.g. "Received 503 Service Unavailable from https://h/p: <at most 256 bytes of the body>".
  std::string error_message;
  absl::Duration duration;  // from the start of the request to the outcome (not the rate wait)
};

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
  // exactly once with the outcome. REQUIRES: the call's parts are valid (see HttpCall); they
  // are not checked again here. `done` runs on a worker thread (or on the calling thread when
  // the call is refused at once, after Shutdown); it may call Deliver, but must not call
  // Shutdown or destroy the deliverer, and should return quickly. Rate limits are kept per
  // destination (its ARN, or its name when the ARN is empty).
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
