// API destination (HTTP) targets end to end: a real daemon (api_fixture.h) delivers to an
// httplib::Server in this process (tests/testing/recording_http_server.h) that answers 200,
// 500, 429 with Retry-After, 400, or hangs. Checks the request EventBridge's way (method,
// path with PathParameterValues, query, authorization, headers, body), retries with backoff
// up to RetryPolicy, dead-letter messages and their attributes, the rule's counters, the
// destination's rate limit, and PutTargets' checks of HttpParameters.
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tests/bus/server/api_fixture.h"
#include "tests/testing/recording_http_server.h"

namespace busbar::bus {
namespace {

using ::busbar::testing::RecordedRequest;
using ::busbar::testing::RecordingHttpServer;
using ::busbar::testing::Reply;
using testing::ApiTest;
using testing::Rpc;
namespace v1 = ::busbar::v1;

constexpr char kDestinationArn[] = "arn:aws:events:us-east-1:000000000000:api-destination/";
constexpr char kDlqArn[] = "arn:aws:sqs:us-east-1:000000000000:dlq";
// Generous: the machine is shared and ASan is slow.
constexpr absl::Duration kWait = absl::Seconds(30);

// Connections (API key, Basic), API destinations on the server's routes, and the queue dlq.
// "ok" has one path wildcard and a query of its own; "rate" allows 5 calls a second.
std::string CommonDeclarations(const std::string& base) {
  return absl::StrReplaceAll(R"(Queues:
  - Name: dlq
  - Name: plain
Connections:
  - Name: key-conn
    AuthorizationType: API_KEY
    AuthParameters:
      ApiKeyAuthParameters: {ApiKeyName: x-api-key, ApiKeyValue: key-secret}
  - Name: basic-conn
    AuthorizationType: BASIC
    AuthParameters:
      BasicAuthParameters: {Username: alice, Password: s3cret}
ApiDestinations:
  - Name: ok
    ConnectionArn: arn:aws:events:us-east-1:000000000000:connection/key-conn
    InvocationEndpoint: BASE/ok/*/items?fixed=1
    HttpMethod: PUT
  - Name: basic
    ConnectionArn: arn:aws:events:us-east-1:000000000000:connection/basic-conn
    InvocationEndpoint: BASE/basic
    HttpMethod: POST
  - Name: fail
    ConnectionArn: arn:aws:events:us-east-1:000000000000:connection/key-conn
    InvocationEndpoint: BASE/fail
    HttpMethod: POST
  - Name: throttle
    ConnectionArn: arn:aws:events:us-east-1:000000000000:connection/key-conn
    InvocationEndpoint: BASE/throttle
    HttpMethod: POST
  - Name: bad
    ConnectionArn: arn:aws:events:us-east-1:000000000000:connection/key-conn
    InvocationEndpoint: BASE/bad
    HttpMethod: POST
  - Name: hang
    ConnectionArn: arn:aws:events:us-east-1:000000000000:connection/key-conn
    InvocationEndpoint: BASE/hang
    HttpMethod: POST
  - Name: age
    ConnectionArn: arn:aws:events:us-east-1:000000000000:connection/key-conn
    InvocationEndpoint: BASE/age
    HttpMethod: POST
  - Name: rate
    ConnectionArn: arn:aws:events:us-east-1:000000000000:connection/key-conn
    InvocationEndpoint: BASE/rate
    HttpMethod: POST
    InvocationRateLimitPerSecond: 5
)",
                             {{"BASE", base}});
}

// A rule "r" sending every event of source "t" to the API destination `destination`, with
// the target's extra YAML properties (indented for a target entry) after its Arn.
std::string OneTargetRule(const std::string& destination, const std::string& extra) {
  return absl::StrCat(R"(Rules:
  - Name: r
    EventPattern: {"source": ["t"]}
    Targets:
      - Id: )",
                      destination, "\n        Arn: ", kDestinationArn, destination, "\n", extra);
}

std::string RetryYaml(int attempts, int age_s = 60) {
  return absl::StrCat("        RetryPolicy: {MaximumRetryAttempts: ", attempts,
                      ", MaximumEventAgeInSeconds: ", age_s, "}\n");
}

std::string DlqYaml() {
  return absl::StrCat("        DeadLetterConfig: {Arn: \"", kDlqArn, "\"}\n");
}

// True when `pred` holds before `timeout` passes (polled every 10 ms).
template <typename Pred>
bool WaitUntil(Pred pred, absl::Duration timeout = kWait) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!pred()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return true;
}

class HttpTargetTest : public ApiTest {
 protected:
  // The daemon is started by each test (StartWith), after its rules and options are known.
  void SetUp() override {
    rules_path_ = dir_.path() + "/rules.yaml";
    options_.listen = "127.0.0.1:0";
    options_.data_dir = dir_.path() + "/data";
    options_.config_files = {rules_path_};
    options_.fsync = targets::FsyncPolicy::kOff;  // tests don't pull the plug
    options_.retry_base_ms = 100;
    options_.retry_max_delay_ms = 400;
    options_.http_timeout_ms = 500;
    server_ = std::make_unique<RecordingHttpServer>();
  }
  // The daemon first: its in-flight calls end before the server stops.
  void TearDown() override {
    daemon_.reset();
    server_.reset();
  }

  void StartWith(const std::string& rules) {
    WriteRules(CommonDeclarations(server_->base_url()) + rules);
    Start();
  }

  // Puts one event of source `source` with `detail`; returns its id.
  std::string PutEvent(const std::string& detail, const std::string& source = "t") {
    v1::PutEventsRequest req;
    auto* e = req.add_entries();
    e->set_source(source);
    e->set_detail_type("Order Placed");
    e->set_detail(detail);
    v1::PutEventsResponse resp;
    grpc::Status s = Rpc(events_.get(), &v1::EventsService::Stub::PutEvents, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(resp.failed_entry_count(), 0) << resp.DebugString();
    return resp.entries_size() == 1 ? resp.entries(0).event_id() : "";
  }

  // The counters of `target` of rule `rule` on the default bus.
  v1::TargetMetrics Metrics(const std::string& target, const std::string& rule = "r") {
    v1::GetRuleMetricsRequest req;
    req.set_rule(rule);
    v1::GetRuleMetricsResponse resp;
    grpc::Status s = Rpc(rules_.get(), &v1::RulesService::Stub::GetRuleMetrics, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    for (const auto& t : resp.targets()) {
      if (t.id() == target) return t;
    }
    ADD_FAILURE() << "no metrics for target " << target << ": " << resp.DebugString();
    return {};
  }

  int64_t OutboxItems() {
    auto n = daemon_->outbox().Count();
    EXPECT_TRUE(n.ok()) << n.status();
    return n.value_or(-1);
  }

  // Waits until the outbox is empty: no delivery is owed, so no further request will come.
  void WaitSettled() {
    ASSERT_TRUE(WaitUntil([&] { return OutboxItems() == 0; }));
  }

  // Receives (and deletes) `n` messages of `queue` with their message attributes, waiting up
  // to kWait for them; then expects no more.
  std::vector<v1::Message> ReceiveMessages(const std::string& queue, size_t n) {
    std::vector<v1::Message> out;
    const absl::Time deadline = absl::Now() + kWait;
    while (out.size() < n && absl::Now() < deadline) {
      std::vector<v1::Message> got = ReceiveAndDelete(queue);
      if (got.empty()) absl::SleepFor(absl::Milliseconds(20));
      out.insert(out.end(), got.begin(), got.end());
    }
    EXPECT_EQ(out.size(), n) << "messages in " << queue;
    EXPECT_TRUE(ReceiveAndDelete(queue).empty()) << "more than " << n << " messages in " << queue;
    return out;
  }

  static std::string Attribute(const v1::Message& m, const std::string& name) {
    auto it = m.message_attributes().find(name);
    return it == m.message_attributes().end() ? "<absent>" : it->second.string_value();
  }

  static std::string RuleArn() { return "arn:aws:events:us-east-1:000000000000:rule/r"; }

  std::unique_ptr<RecordingHttpServer> server_;
};

// --- Delivery: what the server sees ---------------------------------------------------------

TEST_F(HttpTargetTest, ApiKeyTargetSendsTheEventWithParametersAndHeaders) {
  server_->Route("/ok/", Reply::Status(200));
  StartWith(OneTargetRule("ok", R"(        HttpParameters:
          PathParameterValues: ["eu west"]
          HeaderParameters: {x-src: busbar}
          QueryStringParameters: {v: "2"}
)" + RetryYaml(3) + DlqYaml()));
  const std::string id = PutEvent(R"({"n": 7})");
  WaitSettled();

  const std::vector<RecordedRequest> seen = server_->Requests("/ok/");
  ASSERT_EQ(seen.size(), 1u) << "delivered once";
  const RecordedRequest& r = seen[0];
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.path, "/ok/eu west/items");
  EXPECT_EQ(r.target.rfind("/ok/eu%20west/items?", 0), 0u) << r.target;
  EXPECT_EQ(r.Param("fixed"), "1");
  EXPECT_EQ(r.Param("v"), "2");
  EXPECT_EQ(r.Header("x-api-key"), "key-secret");
  EXPECT_EQ(r.Header("Authorization"), "");
  EXPECT_EQ(r.Header("x-src"), "busbar");
  EXPECT_EQ(r.Header("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(r.Header("User-Agent"), "Amazon/EventBridge/ApiDestinations");
  // The body is the event as accepted.
  EXPECT_NE(r.body.find(absl::StrCat(R"("id":")", id, "\"")), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("source":"t")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("detail":{"n": 7})"), std::string::npos) << r.body;

  ASSERT_TRUE(WaitUntil([&] { return Metrics("ok").invocations() == 1; }));
  const v1::TargetMetrics m = Metrics("ok");
  EXPECT_EQ(m.invocation_attempts(), 1u);
  EXPECT_EQ(m.failed_invocations(), 0u);
  EXPECT_EQ(m.invocations_sent_to_dlq(), 0u);
  EXPECT_TRUE(ReceiveAndDelete("dlq").empty());
}

TEST_F(HttpTargetTest, BasicTargetSendsTheInputTransformerOutput) {
  server_->Route("/basic", Reply::Status(204));
  StartWith(OneTargetRule("basic", R"(        InputTransformer:
          InputPathsMap: {n: $.detail.n}
          InputTemplate: '{"n": <n>, "rule": "<aws.events.rule-name>"}'
)"));
  PutEvent(R"({"n": 7})");
  WaitSettled();

  const std::vector<RecordedRequest> seen = server_->Requests("/basic");
  ASSERT_EQ(seen.size(), 1u);
  const RecordedRequest& r = seen[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/basic");
  EXPECT_EQ(r.Header("Authorization"), "Basic YWxpY2U6czNjcmV0");  // alice:s3cret
  EXPECT_EQ(r.Header("x-api-key"), "");
  EXPECT_EQ(r.Header("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(r.Header("User-Agent"), "Amazon/EventBridge/ApiDestinations");
  EXPECT_EQ(r.body, R"({"n":7,"rule":"r"})");  // a JSON template's output is minified
  ASSERT_TRUE(WaitUntil([&] { return Metrics("basic").invocations() == 1; }));
  EXPECT_EQ(Metrics("basic").invocation_attempts(), 1u);
}

// --- Retries and dead letters ---------------------------------------------------------------

TEST_F(HttpTargetTest, ServerErrorsAreRetriedThenTheEventGoesToTheDeadLetterQueue) {
  server_->Route("/fail", Reply::Status(500, "boom"));
  StartWith(OneTargetRule("fail", RetryYaml(2) + DlqYaml()));
  const std::string id = PutEvent(R"({"n": 1})");

  const std::vector<v1::Message> dead = ReceiveMessages("dlq", 1);
  ASSERT_EQ(dead.size(), 1u);
  WaitSettled();
  const std::vector<RecordedRequest> seen = server_->Requests("/fail");
  ASSERT_EQ(seen.size(), 3u) << "MaximumRetryAttempts 2: one try and two retries";
  for (const RecordedRequest& r : seen) EXPECT_EQ(r.body, seen[0].body);

  const v1::Message& m = dead[0];
  EXPECT_EQ(m.body(), seen[0].body) << "the original event";
  EXPECT_NE(m.body().find(id), std::string::npos);
  EXPECT_EQ(Attribute(m, "RULE_ARN"), RuleArn());
  EXPECT_EQ(Attribute(m, "TARGET_ARN"), absl::StrCat(kDestinationArn, "fail"));
  EXPECT_EQ(Attribute(m, "ERROR_CODE"), "ERROR_FROM_TARGET");
  EXPECT_NE(Attribute(m, "ERROR_MESSAGE").find("500"), std::string::npos)
      << Attribute(m, "ERROR_MESSAGE");
  EXPECT_EQ(Attribute(m, "RETRY_ATTEMPTS"), "2");
  EXPECT_EQ(Attribute(m, "EXHAUSTED_RETRY_CONDITION"), "MaximumRetryAttempts");

  ASSERT_TRUE(WaitUntil([&] { return Metrics("fail").invocations_sent_to_dlq() == 1; }));
  const v1::TargetMetrics c = Metrics("fail");
  EXPECT_EQ(c.invocations(), 0u);
  EXPECT_EQ(c.failed_invocations(), 1u);
  EXPECT_EQ(c.invocations_failed_to_be_sent_to_dlq(), 0u);
  EXPECT_EQ(c.invocation_attempts(), 3u);
}

TEST_F(HttpTargetTest, ThrottlingWaitsForRetryAfterThenDelivers) {
  server_->Route("/throttle", [](const RecordedRequest&, int earlier) {
    if (earlier > 0) return Reply::Status(200);
    Reply r = Reply::Status(429, "slow down");
    r.headers = {{"Retry-After", "1"}};
    return r;
  });
  StartWith(OneTargetRule("throttle", RetryYaml(5) + DlqYaml()));
  PutEvent(R"({"n": 1})");
  ASSERT_TRUE(WaitUntil([&] { return Metrics("throttle").invocations() == 1; }));
  WaitSettled();

  const std::vector<RecordedRequest> seen = server_->Requests("/throttle");
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].status, 429);
  EXPECT_EQ(seen[1].status, 200);
  // Lower bound only: the retry is due 1 s after the 429 arrived (ms clock, so 1 ms of slack).
  EXPECT_GE(seen[1].at - seen[0].at, absl::Milliseconds(999));
  EXPECT_TRUE(ReceiveAndDelete("dlq").empty());
  const v1::TargetMetrics c = Metrics("throttle");
  EXPECT_EQ(c.invocation_attempts(), 2u);
  EXPECT_EQ(c.failed_invocations(), 0u);
  EXPECT_EQ(c.invocations_sent_to_dlq(), 0u);
}

TEST_F(HttpTargetTest, ClientErrorsGoToTheDeadLetterQueueWithoutRetry) {
  server_->Route("/bad", Reply::Status(400, "no such order"));
  StartWith(OneTargetRule("bad", RetryYaml(5) + DlqYaml()));
  PutEvent(R"({"n": 1})");

  const std::vector<v1::Message> dead = ReceiveMessages("dlq", 1);
  ASSERT_EQ(dead.size(), 1u);
  WaitSettled();
  EXPECT_EQ(server_->Count("/bad"), 1u);
  const v1::Message& m = dead[0];
  EXPECT_EQ(Attribute(m, "ERROR_CODE"), "ERROR_FROM_TARGET");
  EXPECT_NE(Attribute(m, "ERROR_MESSAGE").find("400"), std::string::npos);
  EXPECT_EQ(Attribute(m, "RETRY_ATTEMPTS"), "0");
  EXPECT_EQ(Attribute(m, "EXHAUSTED_RETRY_CONDITION"), "<absent>");
  ASSERT_TRUE(WaitUntil([&] { return Metrics("bad").invocations_sent_to_dlq() == 1; }));
  EXPECT_EQ(Metrics("bad").failed_invocations(), 1u);
  EXPECT_EQ(Metrics("bad").invocation_attempts(), 1u);
}

TEST_F(HttpTargetTest, AHangingServerTimesOutAndIsRetried) {
  server_->Route("/hang", Reply::Hang());
  StartWith(OneTargetRule("hang", RetryYaml(1) + DlqYaml()));
  PutEvent(R"({"n": 1})");

  const std::vector<v1::Message> dead = ReceiveMessages("dlq", 1);
  ASSERT_EQ(dead.size(), 1u);
  WaitSettled();
  EXPECT_EQ(server_->Count("/hang"), 2u);
  const v1::Message& m = dead[0];
  EXPECT_EQ(Attribute(m, "ERROR_CODE"), "TIMEOUT");
  EXPECT_EQ(Attribute(m, "RETRY_ATTEMPTS"), "1");
  EXPECT_EQ(Attribute(m, "EXHAUSTED_RETRY_CONDITION"), "MaximumRetryAttempts");
  ASSERT_TRUE(WaitUntil([&] { return Metrics("hang").failed_invocations() == 1; }));
  EXPECT_EQ(Metrics("hang").invocation_attempts(), 2u);
}

// The event is 0 s old at the first failure; a Retry-After of 120 s on the second puts the
// next try past MaximumEventAgeInSeconds 60, so the retry policy gives up at once.
TEST_F(HttpTargetTest, ARetryPastTheMaximumEventAgeGoesToTheDeadLetterQueue) {
  server_->Route("/age", [](const RecordedRequest&, int earlier) {
    if (earlier == 0) return Reply::Status(500, "first");
    Reply r = Reply::Status(503, "later");
    r.headers = {{"Retry-After", "120"}};
    return r;
  });
  StartWith(OneTargetRule("age", RetryYaml(185, 60) + DlqYaml()));
  PutEvent(R"({"n": 1})");

  const std::vector<v1::Message> dead = ReceiveMessages("dlq", 1);
  ASSERT_EQ(dead.size(), 1u);
  WaitSettled();
  EXPECT_EQ(server_->Count("/age"), 2u);
  const v1::Message& m = dead[0];
  EXPECT_EQ(Attribute(m, "ERROR_CODE"), "ERROR_FROM_TARGET");
  EXPECT_NE(Attribute(m, "ERROR_MESSAGE").find("503"), std::string::npos);
  EXPECT_EQ(Attribute(m, "RETRY_ATTEMPTS"), "1");
  EXPECT_EQ(Attribute(m, "EXHAUSTED_RETRY_CONDITION"), "MaximumEventAgeInSeconds");
}

// The same limit reached by the backoff alone: with retry_base_ms 130 s the first retry's
// delay (at least half of it, 65 s) already passes MaximumEventAgeInSeconds 60.
TEST_F(HttpTargetTest, ABackoffPastTheMaximumEventAgeGoesToTheDeadLetterQueue) {
  options_.retry_base_ms = 130'000;
  options_.retry_max_delay_ms = 300'000;
  server_->Route("/fail", Reply::Status(500));
  StartWith(OneTargetRule("fail", RetryYaml(185, 60) + DlqYaml()));
  PutEvent(R"({"n": 1})");

  const std::vector<v1::Message> dead = ReceiveMessages("dlq", 1);
  ASSERT_EQ(dead.size(), 1u);
  WaitSettled();
  EXPECT_EQ(server_->Count("/fail"), 1u);
  EXPECT_EQ(Attribute(dead[0], "RETRY_ATTEMPTS"), "0");
  EXPECT_EQ(Attribute(dead[0], "EXHAUSTED_RETRY_CONDITION"), "MaximumEventAgeInSeconds");
}

TEST_F(HttpTargetTest, WithoutADeadLetterQueueTheEventIsDroppedAfterRetries) {
  server_->Route("/fail", Reply::Status(500));
  StartWith(OneTargetRule("fail", RetryYaml(1)));
  PutEvent(R"({"n": 1})");

  ASSERT_TRUE(WaitUntil([&] { return Metrics("fail").failed_invocations() == 1; }));
  WaitSettled();
  EXPECT_EQ(server_->Count("/fail"), 2u);
  const v1::TargetMetrics c = Metrics("fail");
  EXPECT_EQ(c.invocations(), 0u);
  EXPECT_EQ(c.invocations_sent_to_dlq(), 0u);
  EXPECT_EQ(c.invocations_failed_to_be_sent_to_dlq(), 0u);
  EXPECT_EQ(c.invocation_attempts(), 2u);
  EXPECT_TRUE(ReceiveAndDelete("dlq").empty());
}

// --- Rate limit -----------------------------------------------------------------------------

TEST_F(HttpTargetTest, CallsAreSpacedToTheDestinationsRateLimit) {
  server_->Route("/rate", Reply::Status(200));
  StartWith(OneTargetRule("rate", ""));
  std::set<std::string> ids;
  for (int i = 0; i < 15; ++i) ids.insert(PutEvent(absl::StrCat(R"({"n": )", i, "}")));
  ASSERT_TRUE(server_->WaitForCount("/rate", 15, kWait));
  WaitSettled();

  const std::vector<RecordedRequest> seen = server_->Requests("/rate");
  ASSERT_EQ(seen.size(), 15u);
  // 5 a second without burst: 14 gaps of 200 ms; lower bound only.
  EXPECT_GE(seen.back().at - seen.front().at, absl::Milliseconds(2500));
  size_t matched = 0;
  for (const std::string& id : ids) {
    for (const RecordedRequest& r : seen) {
      if (r.body.find(id) != std::string::npos) {
        ++matched;
        break;
      }
    }
  }
  EXPECT_EQ(matched, 15u);
  EXPECT_TRUE(WaitUntil([&] { return Metrics("rate").invocations() == 15; }));
}

// --- PutTargets over the API ----------------------------------------------------------------

v1::Target DestinationTarget(const std::string& id, const std::string& destination) {
  v1::Target t;
  t.set_id(id);
  t.set_arn(kDestinationArn + destination);
  return t;
}

TEST_F(HttpTargetTest, PutTargetsChecksHttpParametersAndListsThem) {
  server_->Route("/ok/", Reply::Status(200));
  StartWith("");
  ASSERT_RPC_OK(PutRule("api", R"({"source": ["api"]})"));

  // "ok" has one wildcard: two values are refused.
  v1::Target two = DestinationTarget("ok", "ok");
  two.mutable_http_parameters()->add_path_parameter_values("a");
  two.mutable_http_parameters()->add_path_parameter_values("b");
  // HttpParameters on a queue target are refused.
  v1::Target queue = QueueTarget("q", "plain");
  queue.mutable_http_parameters()->add_path_parameter_values("a");
  v1::PutTargetsResponse resp;
  ASSERT_RPC_OK(PutTargets("api", {two, queue}, &resp));
  ASSERT_EQ(resp.failed_entry_count(), 2) << resp.DebugString();
  for (const auto& f : resp.failed_entries()) {
    EXPECT_EQ(f.error_code(), "ValidationException") << f.DebugString();
    if (f.target_id() == "ok") {
      EXPECT_NE(f.error_message().find("2 PathParameterValues for the 1 '*' wildcards"),
                std::string::npos)
          << f.error_message();
    } else {
      EXPECT_EQ(f.target_id(), "q");
      EXPECT_NE(f.error_message().find("HttpParameters is only supported for API destination"),
                std::string::npos)
          << f.error_message();
    }
  }
  // No value for the wildcard is refused too.
  ASSERT_RPC_OK(PutTargets("api", {DestinationTarget("ok", "ok")}, &resp));
  ASSERT_EQ(resp.failed_entry_count(), 1) << resp.DebugString();
  EXPECT_NE(resp.failed_entries(0).error_message().find("0 PathParameterValues for the 1"),
            std::string::npos)
      << resp.failed_entries(0).error_message();

  v1::Target good = DestinationTarget("ok", "ok");
  good.mutable_http_parameters()->add_path_parameter_values("x");
  (*good.mutable_http_parameters()->mutable_header_parameters())["x-a"] = "b";
  (*good.mutable_http_parameters()->mutable_query_string_parameters())["k"] = "v";
  good.mutable_retry_policy()->set_maximum_retry_attempts(1);
  good.mutable_dead_letter_config()->set_arn(kDlqArn);
  MustPutTargets("api", {good});

  v1::ListTargetsByRuleResponse list;
  ASSERT_RPC_OK(ListTargets("api", "", &list));
  ASSERT_EQ(list.targets_size(), 1);
  const v1::HttpParameters& h = list.targets(0).http_parameters();
  ASSERT_EQ(h.path_parameter_values_size(), 1);
  EXPECT_EQ(h.path_parameter_values(0), "x");
  EXPECT_EQ(h.header_parameters().at("x-a"), "b");
  EXPECT_EQ(h.query_string_parameters().at("k"), "v");
  EXPECT_EQ(list.targets(0).retry_policy().maximum_retry_attempts(), 1);
  EXPECT_EQ(list.targets(0).dead_letter_config().arn(), kDlqArn);

  // And the target delivers with them.
  PutEvent("{}", "api");
  ASSERT_TRUE(server_->WaitForCount("/ok/", 1, kWait));
  WaitSettled();
  const std::vector<RecordedRequest> seen = server_->Requests("/ok/");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].path, "/ok/x/items");
  EXPECT_EQ(seen[0].Param("k"), "v");
  EXPECT_EQ(seen[0].Header("x-a"), "b");
  EXPECT_TRUE(WaitUntil([&] { return Metrics("ok", "api").invocations() == 1; }));
}

// The defect this guards against: an endpoint the rule file accepted but every call refused
// (so every event went to the dead-letter queue). One check now serves both: the file is
// refused at start with the property's position, and the daemon does not start.
TEST_F(HttpTargetTest, AnEndpointNoCallCouldReachIsRefusedWhenTheFileLoads) {
  WriteRules(CommonDeclarations(server_->base_url()) + R"(  - Name: far
    ConnectionArn: arn:aws:events:us-east-1:000000000000:connection/key-conn
    InvocationEndpoint: http://127.0.0.1:99999/x
    HttpMethod: POST
)");
  absl::Status s = TryStart();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), absl::StrCat(rules_path_,
                                      ":49:25: API destination 'far': InvocationEndpoint "
                                      "'http://127.0.0.1:99999/x' is invalid: the port must be a "
                                      "number from 1 to 65535"));
  EXPECT_EQ(daemon_, nullptr);
}

// A target put over the API was checked against its destination then; a reload that changes
// the destination's endpoint is checked again when the route is built, and the call that no
// longer fits is not made: the event goes to the dead-letter queue as INVALID_PARAMETER.
TEST_F(HttpTargetTest, ATargetAReloadLeftWithoutItsPathValuesFailsWithoutACall) {
  server_->Route("/ok/", Reply::Status(200));
  StartWith("");
  ASSERT_RPC_OK(PutRule("api", R"({"source": ["api"]})"));
  v1::Target target = DestinationTarget("ok", "ok");
  target.mutable_http_parameters()->add_path_parameter_values("x");
  target.mutable_retry_policy()->set_maximum_retry_attempts(3);
  target.mutable_dead_letter_config()->set_arn(kDlqArn);
  MustPutTargets("api", {target});

  WriteRules(absl::StrReplaceAll(CommonDeclarations(server_->base_url()),
                                 {{"/ok/*/items?fixed=1", "/ok/*/items/*"}}));
  ASSERT_TRUE(daemon_->Reload().ok());
  PutEvent("{}", "api");
  const std::vector<v1::Message> dead = ReceiveMessages("dlq", 1);
  ASSERT_EQ(dead.size(), 1u);
  WaitSettled();
  EXPECT_EQ(Attribute(dead[0], "ERROR_CODE"), "INVALID_PARAMETER");
  EXPECT_EQ(Attribute(dead[0], "ERROR_MESSAGE"),
            "HttpParameters: 1 PathParameterValues for the 2 '*' wildcards in the endpoint of API "
            "destination 'ok'; give one value for each");
  EXPECT_EQ(Attribute(dead[0], "RETRY_ATTEMPTS"), "0");
  EXPECT_EQ(server_->Count("/ok/"), 0u);
}

}  // namespace
}  // namespace busbar::bus
