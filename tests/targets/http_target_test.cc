// Tests of HTTP targets (targets/http_target.h): validation and request building (pure), and
// HttpDeliverer against a real httplib::Server on 127.0.0.1 (port 0).
#include "targets/http_target.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"

namespace busbar::targets {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Result = HttpOutcome::Result;

constexpr char kPassword[] = "pw-SECRET-1";
constexpr char kApiKeyValue[] = "key-SECRET-2";
constexpr char kSecretParam[] = "param-SECRET-3";

Connection BasicConnection() {
  Connection c;
  c.name = "conn";
  c.authorization_type = ConnectionAuthorizationType::kBasic;
  c.basic = {"alice", kPassword};
  c.arn = "arn:aws:events:us-east-1:123456789012:connection/conn/1";
  return c;
}

Connection ApiKeyConnection() {
  Connection c = BasicConnection();
  c.authorization_type = ConnectionAuthorizationType::kApiKey;
  c.basic = {};
  c.api_key = {"X-Api-Key", kApiKeyValue};
  return c;
}

ApiDestination Destination(std::string endpoint, std::string method = "POST") {
  ApiDestination d;
  d.name = "dest";
  d.connection_name = "conn";
  d.invocation_endpoint = std::move(endpoint);
  d.http_method = std::move(method);
  d.arn = "arn:aws:events:us-east-1:123456789012:api-destination/dest/1";
  return d;
}

std::string HeaderValue(const HttpRequest& request, std::string_view name) {
  for (const auto& [n, v] : request.headers) {
    if (n == name) return v;
  }
  return "<absent>";
}

// ---- Validation --------------------------------------------------------------------------

struct ConnectionCase {
  std::function<void(Connection&)> change;
  std::string message;
  std::vector<std::string> path;  // of the fault
};

TEST(HttpValidate, RefusesBadConnectionsWithExactMessages) {
  const std::string basic = "AuthParameters: BasicAuthParameters: ";
  const std::string key = "AuthParameters: ApiKeyAuthParameters: ";
  const std::string params = "AuthParameters: InvocationHttpParameters: ";
  const std::vector<std::string> params_path = {"AuthParameters", "InvocationHttpParameters"};
  auto with = [](std::vector<std::string> path, std::vector<std::string> more) {
    path.insert(path.end(), more.begin(), more.end());
    return path;
  };
  std::vector<ConnectionCase> cases = {
      {[](Connection& c) { c.name = "a b"; },
       "Name 'a b' is invalid: it must be 1-64 characters of A-Z a-z 0-9 . - _",
       {"Name"}},
      {[](Connection& c) { c.name = std::string(65, 'a'); },
       absl::StrCat("Name '", std::string(65, 'a'),
                    "' is invalid: it must be 1-64 characters of A-Z a-z 0-9 . - _"),
       {"Name"}},
      {[](Connection& c) { c.description = std::string(513, 'd'); },
       "Description is 513 characters; at most 512 are allowed",
       {"Description"}},
      {[](Connection& c) { c.api_key.value = kApiKeyValue; },
       "AuthParameters: ApiKeyAuthParameters is not allowed with AuthorizationType BASIC",
       {"AuthParameters", "ApiKeyAuthParameters"}},
      {[](Connection& c) { c.basic.username = ""; },
       basic + "Username is 0 characters; it must be 1 to 512",
       {"AuthParameters", "BasicAuthParameters", "Username"}},
      {[](Connection& c) { c.basic.username = "a:b"; },
       basic + "Username 'a:b' is invalid: no ':' or control characters are allowed",
       {"AuthParameters", "BasicAuthParameters", "Username"}},
      {[](Connection& c) { c.basic.password = std::string(513, 'p'); },
       basic + "Password is 513 characters; it must be 1 to 512",
       {"AuthParameters", "BasicAuthParameters", "Password"}},
      {[](Connection& c) {
         c.authorization_type = ConnectionAuthorizationType::kApiKey;
         c.api_key = {"X-Key", "v"};
       },
       "AuthParameters: BasicAuthParameters is not allowed with AuthorizationType API_KEY",
       {"AuthParameters", "BasicAuthParameters"}},
      {[](Connection& c) {
         c.authorization_type = ConnectionAuthorizationType::kApiKey;
         c.basic = {};
         c.api_key = {"X Key", "v"};
       },
       key + "ApiKeyName 'X Key' is invalid: it must be an HTTP header name",
       {"AuthParameters", "ApiKeyAuthParameters", "ApiKeyName"}},
      {[](Connection& c) {
         c.authorization_type = ConnectionAuthorizationType::kApiKey;
         c.basic = {};
         c.api_key = {"host", "v"};
       },
       key + "ApiKeyName 'host' is a header the HTTP client sets; it cannot be set here",
       {"AuthParameters", "ApiKeyAuthParameters", "ApiKeyName"}},
      {[](Connection& c) {
         c.authorization_type = ConnectionAuthorizationType::kApiKey;
         c.basic = {};
         c.api_key = {"X-Key", absl::StrCat(kApiKeyValue, "\r\nInjected: 1")};
       },
       key + "ApiKeyValue is invalid: it must be printable ASCII",
       {"AuthParameters", "ApiKeyAuthParameters", "ApiKeyValue"}},
      {[](Connection& c) {
         c.invocation_http_parameters.header_parameters.resize(101, {"X-A", "v", false});
       },
       params + "HeaderParameters has 101 entries; at most 100 are allowed",
       with(params_path, {"HeaderParameters"})},
      {[](Connection& c) {
         c.invocation_http_parameters.header_parameters = {{"X-A", "v"}, {"Host", "h"}};
       },
       params + "HeaderParameters #2: Key 'Host' is a header the HTTP client sets; it cannot be "
                "set here",
       with(params_path, {"HeaderParameters", "1", "Key"})},
      {[](Connection& c) {
         c.invocation_http_parameters.header_parameters = {
             {"X-S", absl::StrCat(kSecretParam, "\n"), true}};
       },
       params + "HeaderParameters #1: Value is invalid: it must be at most 512 characters of "
                "printable ASCII",
       with(params_path, {"HeaderParameters", "0", "Value"})},
      {[](Connection& c) {
         c.invocation_http_parameters.query_string_parameters = {{"q", std::string(513, 'v')}};
       },
       params + "QueryStringParameters #1: Value is invalid: it must be at most 512 characters, "
                "no control characters",
       with(params_path, {"QueryStringParameters", "0", "Value"})},
      {[](Connection& c) {
         c.invocation_http_parameters.body_parameters = {{"", "v"}};
       },
       params + "BodyParameters #1: Key is 0 characters; it must be 1 to 512",
       with(params_path, {"BodyParameters", "0", "Key"})},
      {[](Connection& c) {
         c.invocation_http_parameters.body_parameters = {{"k", "a\x01", true}};
       },
       params + "BodyParameters #1: Value is invalid: it must be at most 512 characters, no "
                "control characters",
       with(params_path, {"BodyParameters", "0", "Value"})},
  };
  ASSERT_TRUE(ValidateConnection(BasicConnection()).ok());
  ASSERT_TRUE(ValidateConnection(ApiKeyConnection()).ok());
  for (const ConnectionCase& c : cases) {
    Connection connection = BasicConnection();
    c.change(connection);
    base::PropertyFault fault;
    absl::Status status = ValidateConnection(connection, &fault);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.message;
    EXPECT_EQ(status.message(), c.message);
    EXPECT_EQ(fault.path, c.path) << c.message;
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr("SECRET")));
  }
}

TEST(HttpValidate, RefusesBadDestinationsWithExactMessages) {
  struct Case {
    std::function<void(ApiDestination&)> change;
    std::string message;
  };
  auto endpoint = [](std::string url) {
    return [url](ApiDestination& d) { d.invocation_endpoint = url; };
  };
  std::vector<Case> cases = {
      {[](ApiDestination& d) { d.name = ""; },
       "Name '' is invalid: it must be 1-64 characters of A-Z a-z 0-9 . - _"},
      {[](ApiDestination& d) { d.description = std::string(513, 'd'); },
       "Description is 513 characters; at most 512 are allowed"},
      {[](ApiDestination& d) { d.connection_name = "c/d"; },
       "ConnectionArn: connection name 'c/d' is invalid: it must be 1-64 characters of A-Z a-z "
       "0-9 . - _"},
      {endpoint("ftp://x"),
       "InvocationEndpoint 'ftp://x' is invalid: it must be an http:// or "
       "https:// URL"},
      {endpoint("example.com/x"),
       "InvocationEndpoint 'example.com/x' is invalid: it must be an http:// or https:// URL"},
      {endpoint("http:///x"), "InvocationEndpoint 'http:///x' is invalid: it has no host"},
      {endpoint("http://:80/x"), "InvocationEndpoint 'http://:80/x' is invalid: it has no host"},
      {endpoint("http://[::1/x"), "InvocationEndpoint 'http://[::1/x' is invalid: it has no host"},
      {endpoint("http://h:99999/"),
       "InvocationEndpoint 'http://h:99999/' is invalid: the port must be a number from 1 to "
       "65535"},
      {endpoint("http://h:0/"),
       "InvocationEndpoint 'http://h:0/' is invalid: the port must be a number from 1 to 65535"},
      {endpoint("http://h:x/"),
       "InvocationEndpoint 'http://h:x/' is invalid: the port must be a number from 1 to 65535"},
      {endpoint("http://h:/"),
       "InvocationEndpoint 'http://h:/' is invalid: the port must be a number from 1 to 65535"},
      {endpoint("http://h:00000065536/"),
       "InvocationEndpoint 'http://h:00000065536/' is invalid: the port must be a number from 1 "
       "to 65535"},
      {endpoint("http://[::1]x/"),
       "InvocationEndpoint 'http://[::1]x/' is invalid: the port must be a number from 1 to "
       "65535"},
      {endpoint("http://h/a b"),
       "InvocationEndpoint 'http://h/a b' is invalid: it must be printable ASCII without spaces"},
      {endpoint("http://h/\xc3\xa9"),
       "InvocationEndpoint 'http://h/\xc3\xa9' is invalid: it must be printable ASCII without "
       "spaces"},
      {endpoint("http://u@h/"),
       "InvocationEndpoint 'http://u@h/' is invalid: user information (user@) is not allowed"},
      {endpoint("https://h/" + std::string(2040, 'a')),
       "InvocationEndpoint is 2050 characters; at most 2048 are allowed"},
      {[](ApiDestination& d) { d.http_method = "TRACE"; },
       "HttpMethod must be POST, GET, HEAD, OPTIONS, PUT, PATCH or DELETE, not 'TRACE'"},
      {[](ApiDestination& d) { d.http_method = "post"; },
       "HttpMethod must be POST, GET, HEAD, OPTIONS, PUT, PATCH or DELETE, not 'post'"},
      {[](ApiDestination& d) { d.invocation_rate_limit_per_second = 0; },
       "InvocationRateLimitPerSecond is 0; it must be from 1 to 300"},
      {[](ApiDestination& d) { d.invocation_rate_limit_per_second = 301; },
       "InvocationRateLimitPerSecond is 301; it must be from 1 to 300"},
  };
  for (const char* good : {"https://[::1]:8443/a/*?x=1", "http://127.0.0.1:65535", "HTTP://h:1/",
                           "https://example.com/x#frag", "http://h:0080/"}) {
    EXPECT_TRUE(ValidateApiDestination(Destination(good)).ok()) << good;
  }
  for (const Case& c : cases) {
    ApiDestination destination = Destination("https://example.com/x");
    c.change(destination);
    base::PropertyFault fault;
    absl::Status status = ValidateApiDestination(destination, &fault);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.message;
    EXPECT_EQ(status.message(), c.message);
    ASSERT_EQ(fault.path.size(), 1u) << c.message;
    EXPECT_TRUE(absl::StartsWith(c.message, fault.path[0])) << fault.path[0];
  }
}

TEST(HttpValidate, RefusesBadHttpParametersWithExactMessages) {
  ApiDestination destination = Destination("http://h/*/x/*?q=*");  // a query `*` is no wildcard
  struct Case {
    HttpParameters parameters;
    std::string message;
    std::vector<std::string> path;
  };
  std::vector<Case> cases = {
      {{{"a"}, {}, {}},
       "HttpParameters: 1 PathParameterValues for the 2 '*' wildcards in the endpoint of API "
       "destination 'dest'; give one value for each",
       {"HttpParameters", "PathParameterValues"}},
      {{{"a", "b", "c"}, {}, {}},
       "HttpParameters: 3 PathParameterValues for the 2 '*' wildcards in the endpoint of API "
       "destination 'dest'; give one value for each",
       {"HttpParameters", "PathParameterValues"}},
      {{{"a", " "}, {}, {}},
       "HttpParameters: PathParameterValues #2 is invalid: it must be 1-512 characters, not "
       "blank, no control characters",
       {"HttpParameters", "PathParameterValues", "1"}},
      {{{"a", "b\n"}, {}, {}},
       "HttpParameters: PathParameterValues #2 is invalid: it must be 1-512 characters, not "
       "blank, no control characters",
       {"HttpParameters", "PathParameterValues", "1"}},
      {{{"a", "b"}, {{"Bad Name", "v"}}, {}},
       "HttpParameters: HeaderParameters key 'Bad Name' is invalid: it must be 1-512 characters "
       "of an HTTP header name",
       {"HttpParameters", "HeaderParameters", "Bad Name"}},
      {{{"a", "b"}, {{"content-length", "5"}}, {}},
       "HttpParameters: HeaderParameters key 'content-length' is a header the HTTP client sets; "
       "it cannot be set here",
       {"HttpParameters", "HeaderParameters", "content-length"}},
      {{{"a", "b"}, {{"Host", "evil"}}, {}},
       "HttpParameters: HeaderParameters key 'Host' is a header the HTTP client sets; it cannot "
       "be set here",
       {"HttpParameters", "HeaderParameters", "Host"}},
      {{{"a", "b"}, {{"X-A", "v\r\nX-B: w"}}, {}},
       "HttpParameters: HeaderParameters 'X-A': the value must be at most 512 characters of "
       "printable ASCII",
       {"HttpParameters", "HeaderParameters", "X-A"}},
      {{{"a", "b"}, {}, {{"", "v"}}},
       "HttpParameters: QueryStringParameters key '' is invalid: it must be 1-512 characters, no "
       "control characters",
       {"HttpParameters", "QueryStringParameters", ""}},
      {{{"a", "b"}, {}, {{"k", std::string(513, 'v')}}},
       "HttpParameters: QueryStringParameters 'k': the value must be at most 512 characters, no "
       "control characters",
       {"HttpParameters", "QueryStringParameters", "k"}},
  };
  ASSERT_TRUE(
      ValidateHttpParameters({{"a", "b"}, {{"X-A", "v"}}, {{"q", "1"}}}, &destination).ok());
  // Without the destination, only the values are checked.
  ASSERT_TRUE(ValidateHttpParameters({{"a"}, {}, {}}, nullptr).ok());
  for (const Case& c : cases) {
    base::PropertyFault fault;
    absl::Status status = ValidateHttpParameters(c.parameters, &destination, &fault);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.message;
    EXPECT_EQ(status.message(), c.message);
    EXPECT_EQ(fault.path, c.path) << c.message;
  }
}

TEST(HttpValidate, DebugStringsHideSecrets) {
  Connection connection = ApiKeyConnection();
  connection.invocation_http_parameters.header_parameters = {{"X-S", kSecretParam, true},
                                                             {"X-Plain", "visible", false}};
  std::string text = connection.DebugString();
  EXPECT_THAT(text, Not(HasSubstr("SECRET")));
  EXPECT_THAT(text, HasSubstr("X-Plain=visible"));
  EXPECT_THAT(BasicConnection().DebugString(), Not(HasSubstr("SECRET")));
  EXPECT_THAT(BasicConnection().DebugString(), HasSubstr("username=alice"));
}

// ---- Request building ------------------------------------------------------------------

TEST(HttpRequestBuild, HeadersInEventBridgeOrderTargetWinsAuthLast) {
  HttpCall call;
  call.connection = BasicConnection();
  call.connection.invocation_http_parameters.header_parameters = {
      {"X-Shared", "from-connection"}, {"X-Conn", "c"}, {"Authorization", "ignored"}};
  call.destination = Destination("https://example.com:8443/base");
  call.parameters.header_parameters = {{"x-shared", "from-target"}, {"X-Target", "t"}};
  call.body = "{}";
  HttpRequest request = BuildHttpRequest(call);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.scheme_host_port, "https://example.com:8443");
  EXPECT_EQ(request.path_and_query, "/base");
  std::string basic = absl::StrCat("Basic ", absl::Base64Escape(absl::StrCat("alice:", kPassword)));
  std::vector<std::pair<std::string, std::string>> expected = {
      {"Content-Type", "application/json; charset=utf-8"},
      {"User-Agent", "Amazon/EventBridge/ApiDestinations"},
      {"X-Conn", "c"},
      {"X-Target", "t"},  // the target's map is ordered: upper case first
      {"x-shared", "from-target"},
      {"Authorization", basic}};
  EXPECT_EQ(request.headers, expected);
}

TEST(HttpRequestBuild, QueryMergedAndEncodedPathWildcardsReplaced) {
  HttpCall call;
  call.connection = ApiKeyConnection();
  call.connection.invocation_http_parameters.query_string_parameters = {{"shared", "conn"},
                                                                        {"c", "a b&c"}};
  call.destination = Destination("http://h:8080/v1/*/items/*?fixed=1", "GET");
  call.parameters.path_parameter_values = {"user 1/é", "42"};
  call.parameters.query_string_parameters = {{"shared", "target"}, {"t", "x=y"}};
  call.body = R"({"a":1})";
  HttpRequest request = BuildHttpRequest(call);
  EXPECT_EQ(request.path_and_query,
            "/v1/user%201%2F%C3%A9/items/42?fixed=1&c=a%20b%26c&shared=target&t=x%3Dy");
  EXPECT_EQ(request.body, "");  // GET sends no body
  EXPECT_EQ(HeaderValue(request, "X-Api-Key"), kApiKeyValue);
}

TEST(HttpRequestBuild, BodyParametersMergedIntoJsonObjects) {
  HttpCall call;
  call.connection = BasicConnection();
  call.connection.invocation_http_parameters.body_parameters = {
      {"extra", "v\"1"}, {"a", "not-used"}, {"secret", kSecretParam, true}};
  call.destination = Destination("http://h/");
  call.body = R"( {"a": 1, "b": [1,2]} )";
  EXPECT_EQ(
      BuildHttpRequest(call).body,
      absl::StrCat(R"( {"a": 1, "b": [1,2],"extra":"v\"1","secret":")", kSecretParam, R"("})"));
  call.body = "{}";
  EXPECT_EQ(BuildHttpRequest(call).body,
            absl::StrCat(R"({"extra":"v\"1","a":"not-used","secret":")", kSecretParam, R"("})"));
  call.body = R"("just a string")";
  EXPECT_EQ(BuildHttpRequest(call).body, R"("just a string")");
  call.body = "not json {";
  EXPECT_EQ(BuildHttpRequest(call).body, "not json {");
}

TEST(HttpRequestBuild, ParsesRetryAfter) {
  absl::Time now = absl::FromUnixSeconds(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(ParseRetryAfter("2", now), absl::Seconds(2));
  EXPECT_EQ(ParseRetryAfter(" 120 ", now), absl::Seconds(120));
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:47 GMT", now), absl::Seconds(10));
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:57 GMT", now), absl::Seconds(20));
  EXPECT_EQ(ParseRetryAfter("Sun Nov  6 08:50:37 1994", now), absl::Seconds(60));
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", now), absl::ZeroDuration());
  EXPECT_EQ(ParseRetryAfter("", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-1", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("1.5", now), std::nullopt);
}

// ---- Delivery against a real local server ----------------------------------------------

// What the server saw of one request.
struct Seen {
  std::string method;
  std::string target;  // raw request target: path and query as sent
  httplib::Headers headers;
  std::string body;
};

// An httplib::Server on 127.0.0.1 (port 0). Paths: /ok → 200; /status/<code> → that status
// with a body; /status/429 adds Retry-After: 2, /throttled-date an HTTP-date Retry-After;
// /hang holds the request until the server is torn down. Records every request.
class TestServer {
 public:
  TestServer() {
    server_.new_task_queue = [] { return new httplib::ThreadPool(24); };
    server_.set_keep_alive_max_count(100000);
    server_.set_tcp_nodelay(true);
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      Handle(req, res);
    };
    server_.Get(".*", handler);
    server_.Post(".*", handler);
    server_.Put(".*", handler);
    server_.Patch(".*", handler);
    server_.Delete(".*", handler);
    server_.Options(".*", handler);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (!server_.is_running() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(5));
  }
  ~TestServer() {
    release_.Notify();
    server_.stop();
    thread_.join();
  }

  std::string Url(std::string_view path) const {
    return absl::StrCat("http://127.0.0.1:", port_, std::string(path));
  }
  std::vector<Seen> seen() const {
    absl::MutexLock lock(&mu_);
    return seen_;
  }

 private:
  void Handle(const httplib::Request& req, httplib::Response& res) {
    {
      absl::MutexLock lock(&mu_);
      seen_.push_back({req.method, req.target, req.headers, req.body});
    }
    if (req.path == "/hang") {
      release_.WaitForNotificationWithTimeout(absl::Seconds(60));
      res.status = 200;
      return;
    }
    if (absl::StartsWith(req.path, "/status/")) {
      res.status = std::stoi(req.path.substr(8));
      if (res.status == 429) res.set_header("Retry-After", "2");
      if (res.status != 204) {  // a 204 has no body
        res.set_content(absl::StrCat("failure body ", std::string(400, 'x')), "text/plain");
      }
      return;
    }
    if (req.path == "/throttled-date") {
      res.status = 429;
      res.set_header("Retry-After", "Fri, 01 Jan 2100 00:00:00 GMT");
      return;
    }
    res.status = 200;
    res.set_content(R"({"ok":true})", "application/json");
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  absl::Notification release_;
  mutable absl::Mutex mu_;
  std::vector<Seen> seen_ ABSL_GUARDED_BY(mu_);
};

std::unique_ptr<HttpDeliverer> MakeDeliverer(HttpDelivererOptions options = {}) {
  absl::StatusOr<std::unique_ptr<HttpDeliverer>> deliverer = HttpDeliverer::Create(options);
  EXPECT_TRUE(deliverer.ok()) << deliverer.status();
  return std::move(*deliverer);
}

HttpOutcome DeliverAndWait(HttpDeliverer& deliverer, HttpCall call) {
  absl::Notification done;
  HttpOutcome outcome;
  deliverer.Deliver(std::move(call), [&](HttpOutcome o) {
    outcome = std::move(o);
    done.Notify();
  });
  EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(60)));
  return outcome;
}

HttpCall CallTo(std::string endpoint, std::string method = "POST") {
  HttpCall call;
  call.connection = BasicConnection();
  call.destination = Destination(std::move(endpoint), std::move(method));
  call.body = R"({"detail":{"n":1}})";
  return call;
}

TEST(HttpDeliverer, ClassifiesResponses) {
  TestServer server;
  auto deliverer = MakeDeliverer();
  struct Case {
    std::string path;
    Result result;
    int status;
    std::string code;
  };
  std::vector<Case> cases = {
      {"/ok", Result::kDelivered, 200, ""},
      {"/status/204", Result::kDelivered, 204, ""},
      {"/status/500", Result::kRetry, 500, "ERROR_FROM_TARGET"},
      {"/status/503", Result::kRetry, 503, "ERROR_FROM_TARGET"},
      {"/status/429", Result::kRetry, 429, "THROTTLING"},
      {"/status/400", Result::kFail, 400, "ERROR_FROM_TARGET"},
      {"/status/404", Result::kFail, 404, "ERROR_FROM_TARGET"},
      {"/status/302", Result::kFail, 302, "ERROR_FROM_TARGET"},
  };
  for (const Case& c : cases) {
    HttpOutcome outcome = DeliverAndWait(*deliverer, CallTo(server.Url(c.path)));
    EXPECT_EQ(outcome.result, c.result) << c.path << " " << outcome.error_message;
    EXPECT_EQ(outcome.http_status, c.status) << c.path;
    EXPECT_EQ(outcome.error_code, c.code) << c.path;
    EXPECT_GT(outcome.duration, absl::ZeroDuration());
  }
  HttpOutcome unavailable = DeliverAndWait(*deliverer, CallTo(server.Url("/status/503")));
  std::string expected = absl::StrCat("Received 503 Service Unavailable from ",
                                      server.Url("/status/503"), ": failure body ");
  EXPECT_THAT(unavailable.error_message, HasSubstr(expected));
  EXPECT_EQ(unavailable.error_message.size(), expected.size() - 13 + kMaxErrorBodyBytes);
  EXPECT_EQ(unavailable.retry_after, std::nullopt);

  EXPECT_EQ(DeliverAndWait(*deliverer, CallTo(server.Url("/status/429"))).retry_after,
            absl::Seconds(2));
  HttpOutcome dated = DeliverAndWait(*deliverer, CallTo(server.Url("/throttled-date")));
  EXPECT_EQ(dated.error_code, "THROTTLING");
  ASSERT_TRUE(dated.retry_after.has_value());
  EXPECT_GT(*dated.retry_after, absl::Hours(24 * 365));
}

TEST(HttpDeliverer, SendsEventBridgeRequest) {
  TestServer server;
  auto deliverer = MakeDeliverer();
  HttpCall call = CallTo(server.Url("/v1/*/items/*"));
  call.connection.invocation_http_parameters.header_parameters = {{"X-Shared", "conn"},
                                                                  {"X-Conn", "c"}};
  call.connection.invocation_http_parameters.query_string_parameters = {{"shared", "conn"},
                                                                        {"c", "1"}};
  call.connection.invocation_http_parameters.body_parameters = {{"extra", "e", true}};
  call.parameters = {{"a b", "7"}, {{"X-Shared", "target"}}, {{"shared", "t&t"}}};
  ASSERT_EQ(DeliverAndWait(*deliverer, call).result, Result::kDelivered);

  std::vector<Seen> seen = server.seen();
  ASSERT_EQ(seen.size(), 1u);
  const Seen& request = seen[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/v1/a%20b/items/7?c=1&shared=t%26t");
  auto header = [&](const std::string& name) {
    auto it = request.headers.find(name);
    return it == request.headers.end() ? std::string("<absent>") : it->second;
  };
  EXPECT_EQ(header("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(header("User-Agent"), "Amazon/EventBridge/ApiDestinations");
  EXPECT_EQ(header("X-Shared"), "target");
  EXPECT_EQ(header("X-Conn"), "c");
  std::string authorization = header("Authorization");
  ASSERT_TRUE(absl::StartsWith(authorization, "Basic "));
  std::string decoded;
  ASSERT_TRUE(absl::Base64Unescape(authorization.substr(6), &decoded));
  EXPECT_EQ(decoded, absl::StrCat("alice:", kPassword));
  EXPECT_EQ(request.body, R"({"detail":{"n":1},"extra":"e"})");
}

TEST(HttpDeliverer, ApiKeyHeaderAndNoBodyForGetAndHead) {
  TestServer server;
  auto deliverer = MakeDeliverer();
  for (const char* method : {"GET", "HEAD", "DELETE"}) {
    HttpCall call = CallTo(server.Url("/ok"), method);
    call.connection = ApiKeyConnection();
    EXPECT_EQ(DeliverAndWait(*deliverer, call).result, Result::kDelivered) << method;
  }
  std::vector<Seen> seen = server.seen();
  ASSERT_EQ(seen.size(), 3u);
  for (const Seen& request : seen) {
    auto key = request.headers.find("X-Api-Key");
    ASSERT_NE(key, request.headers.end());
    EXPECT_EQ(key->second, kApiKeyValue);
    EXPECT_EQ(request.headers.count("Authorization"), 0u);
  }
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].body, "");
  EXPECT_EQ(seen[1].method, "HEAD");
  EXPECT_EQ(seen[1].body, "");
  EXPECT_EQ(seen[2].method, "DELETE");
  EXPECT_EQ(seen[2].body, R"({"detail":{"n":1}})");
}

TEST(HttpDeliverer, ClosedPortIsConnectionFailure) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t length = sizeof(addr);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length), 0);
  close(fd);  // bound, never listened: the port refuses connections
  auto deliverer = MakeDeliverer();
  HttpCall call = CallTo(absl::StrCat("http://127.0.0.1:", ntohs(addr.sin_port), "/x"));
  HttpOutcome outcome = DeliverAndWait(*deliverer, call);
  EXPECT_EQ(outcome.result, Result::kRetry);
  EXPECT_EQ(outcome.error_code, "CONNECTION_FAILURE");
  EXPECT_EQ(outcome.http_status, 0);
  EXPECT_THAT(outcome.error_message, Not(HasSubstr("SECRET")));
}

TEST(HttpDeliverer, HangingTargetTimesOut) {
  TestServer server;
  auto deliverer = MakeDeliverer({.threads = 2, .timeout = absl::Milliseconds(300)});
  HttpOutcome outcome = DeliverAndWait(*deliverer, CallTo(server.Url("/hang")));
  EXPECT_EQ(outcome.result, Result::kRetry);
  EXPECT_EQ(outcome.error_code, "TIMEOUT");
  EXPECT_EQ(outcome.http_status, 0);
  EXPECT_GE(outcome.duration, absl::Milliseconds(250));
}

TEST(HttpDeliverer, RateLimitSpacesCalls) {
  TestServer server;
  auto deliverer = MakeDeliverer();
  HttpCall call = CallTo(server.Url("/ok"));
  call.destination.invocation_rate_limit_per_second = 10;
  std::atomic<int> delivered = 0;
  absl::Notification all_done;
  absl::Time start = absl::Now();
  for (int i = 0; i < 30; ++i) {
    deliverer->Deliver(call, [&](HttpOutcome outcome) {
      EXPECT_EQ(outcome.result, Result::kDelivered);
      if (++delivered == 30) all_done.Notify();
    });
  }
  ASSERT_TRUE(all_done.WaitForNotificationWithTimeout(absl::Seconds(120)));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(2500));  // 30 calls 100 ms apart: >= 2.9 s
}

TEST(HttpDeliverer, ParallelCallsCompleteExactlyOnce) {
  TestServer server;
  auto deliverer = MakeDeliverer({.threads = 8, .rate_limit_override = 0});
  constexpr int kCalls = 400;
  std::vector<std::atomic<int>> completions(kCalls);
  std::atomic<int> finished = 0;
  absl::Notification all_done;
  std::vector<std::thread> senders;
  for (int t = 0; t < 4; ++t) {
    senders.emplace_back([&, t] {
      for (int i = t; i < kCalls; i += 4) {
        HttpCall call = CallTo(server.Url(absl::StrCat("/ok/", i)));
        call.destination.name = absl::StrCat("dest", t);
        deliverer->Deliver(std::move(call), [&, i](HttpOutcome outcome) {
          EXPECT_EQ(outcome.result, Result::kDelivered) << outcome.error_message;
          ++completions[i];
          if (++finished == kCalls) all_done.Notify();
        });
      }
    });
  }
  for (std::thread& sender : senders) sender.join();
  ASSERT_TRUE(all_done.WaitForNotificationWithTimeout(absl::Seconds(120)));
  deliverer->Shutdown();
  for (int i = 0; i < kCalls; ++i) EXPECT_EQ(completions[i].load(), 1) << i;
  EXPECT_EQ(server.seen().size(), static_cast<size_t>(kCalls));
}

TEST(HttpDeliverer, ShutdownCompletesWaitingCallsAsRetryable) {
  TestServer server;
  auto deliverer = MakeDeliverer();
  HttpCall call = CallTo(server.Url("/ok"));
  call.destination.invocation_rate_limit_per_second = 1;  // all but the first wait
  absl::Mutex mu;
  std::vector<HttpOutcome> outcomes;
  for (int i = 0; i < 5; ++i) {
    deliverer->Deliver(call, [&](HttpOutcome outcome) {
      absl::MutexLock lock(&mu);
      outcomes.push_back(std::move(outcome));
    });
  }
  deliverer->Shutdown();
  HttpOutcome after = DeliverAndWait(*deliverer, call);
  EXPECT_EQ(after.result, Result::kRetry);
  EXPECT_EQ(after.error_code, "SHUTTING_DOWN");
  absl::MutexLock lock(&mu);
  ASSERT_EQ(outcomes.size(), 5u);
  int shutting_down = 0;
  for (const HttpOutcome& outcome : outcomes) {
    if (outcome.error_code == "SHUTTING_DOWN") {
      ++shutting_down;
      EXPECT_EQ(outcome.result, Result::kRetry);
    }
  }
  EXPECT_GE(shutting_down, 4);
}

// A call is not validated again per delivery (HttpCall's parts are checked when declared or
// put); the deliverer itself refuses only bad options.
TEST(HttpDeliverer, RefusesBadOptions) {
  EXPECT_FALSE(HttpDeliverer::Create({.threads = 0}).ok());
  EXPECT_FALSE(HttpDeliverer::Create({.timeout = absl::ZeroDuration()}).ok());
  EXPECT_FALSE(HttpDeliverer::Create({.rate_limit_override = -1}).ok());
  EXPECT_TRUE(HttpDeliverer::Create({.threads = 1, .rate_limit_override = 0}).ok());
}

TEST(HttpDeliverer, SecretsNeverInOutcomeMessages) {
  TestServer server;
  auto deliverer = MakeDeliverer();
  HttpCall call = CallTo(server.Url("/status/401"));
  call.connection.invocation_http_parameters.query_string_parameters = {
      {"token", kSecretParam, true}};
  HttpOutcome outcome = DeliverAndWait(*deliverer, call);
  EXPECT_EQ(outcome.result, Result::kFail);
  EXPECT_THAT(outcome.error_message, HasSubstr("Received 401 Unauthorized from"));
  EXPECT_THAT(outcome.error_message, Not(HasSubstr("SECRET")));
}

}  // namespace
}  // namespace busbar::targets
