// Input shaping over the API (api_fixture.h): PutTargets refuses an input that cannot render
// (naming the property), and PutEvents delivers to each queue target what its Input, InputPath
// or InputTransformer makes of the event, while a target without one gets the whole envelope.
// An input that gives no valid body for an event (targets/input.h) is a failed invocation,
// and the event goes to the target's dead-letter queue with EventBridge's attributes.
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/bus/server/api_fixture.h"

namespace busbar::bus {
namespace {

using testing::ApiTest;
using testing::kFileRules;
using testing::kQueueArn;
using testing::Rpc;
namespace v1 = ::busbar::v1;

class ApiInputTest : public ApiTest {
 protected:
  // Puts one event; returns its id ("" after a failure, which is reported).
  std::string PutOrder(const std::string& detail, const std::string& source = "shop") {
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

  // The counters of each target of `rule`, by target id.
  std::map<std::string, v1::TargetMetrics> Metrics(const std::string& rule) {
    v1::GetRuleMetricsRequest req;
    req.set_rule(rule);
    v1::GetRuleMetricsResponse resp;
    grpc::Status s = Rpc(rules_.get(), &v1::RulesService::Stub::GetRuleMetrics, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::map<std::string, v1::TargetMetrics> out;
    for (const v1::TargetMetrics& t : resp.targets()) out[t.id()] = t;
    return out;
  }

  static std::string Attribute(const v1::Message& m, const std::string& name) {
    auto it = m.message_attributes().find(name);
    return it == m.message_attributes().end() ? "<missing>" : it->second.string_value();
  }
};

TEST_F(ApiInputTest, EachQueueTargetReceivesItsShapedInput) {
  ASSERT_RPC_OK(PutRule("orders", R"({"source": ["shop"]})"));
  v1::Target whole = QueueTarget("whole", "q1");
  v1::Target transformed = QueueTarget("transformed", "q2");
  (*transformed.mutable_input_transformer()->mutable_input_paths_map())["id"] = "$.detail.id";
  (*transformed.mutable_input_transformer()->mutable_input_paths_map())["note"] = "$.detail.note";
  transformed.mutable_input_transformer()->set_input_template(
      R"({"order": <id>, "text": "order <id>: <note>", "rule": <aws.events.rule-name>})");
  v1::Target path = QueueTarget("path", "dlq");
  path.set_input_path("$.detail.items");
  MustPutTargets("orders", {whole, transformed, path});

  PutOrder(R"({"id": 7, "note": "a \u00e9 b", "items": [1, 2]})");
  const auto bodies1 = Drain("q1");
  ASSERT_EQ(bodies1.size(), 1u);
  EXPECT_NE(bodies1[0].find(R"("detail-type":"Order Placed")"), std::string::npos) << bodies1[0];
  EXPECT_EQ(Drain("q2"),
            std::vector<std::string>{
                "{\"order\":7,\"text\":\"order 7: a \xC3\xA9 b\",\"rule\":\"orders\"}"});
  EXPECT_EQ(Drain("dlq"), std::vector<std::string>{"[1,2]"});

  // A note holding a quote cannot go inside the template's string unescaped: as in
  // EventBridge that target gets nothing (a failed invocation), the others are unaffected.
  PutOrder(R"({"id": 9, "note": "say \"hi\"", "items": [3]})");
  EXPECT_EQ(Drain("q1").size(), 1u);
  EXPECT_EQ(Drain("q2"), std::vector<std::string>{});
  EXPECT_EQ(Drain("dlq"), std::vector<std::string>{"[3]"});
  EXPECT_EQ(daemon_->failed_invocations(), 1u);

  // An InputPath that matches nothing delivers nothing to that target (a failed invocation);
  // the event and the other targets are unaffected.
  PutOrder(R"({"id": 8})");
  EXPECT_EQ(Drain("dlq"), std::vector<std::string>{});
  EXPECT_EQ(Drain("q1").size(), 1u);
  EXPECT_EQ(Drain("q2"),
            std::vector<std::string>{R"({"order":8,"text":"order 8: ","rule":"orders"})"});
  EXPECT_EQ(daemon_->failed_invocations(), 2u);
}

TEST_F(ApiInputTest, PutTargetsRefusesInputsThatCannotRender) {
  ASSERT_RPC_OK(PutRule("orders", R"({"source": ["shop"]})"));
  v1::Target undefined = QueueTarget("undefined", "q1");
  undefined.mutable_input_transformer()->set_input_template(R"({"id": <id>})");
  v1::Target bad_path = QueueTarget("bad-path", "q1");
  bad_path.set_input_path("$..detail");
  v1::Target broken = QueueTarget("broken", "q1");
  (*broken.mutable_input_transformer()->mutable_input_paths_map())["id"] = "$.detail.id";
  broken.mutable_input_transformer()->set_input_template(R"({"id": <id>)");
  v1::PutTargetsResponse resp;
  ASSERT_RPC_OK(PutTargets("orders", {undefined, bad_path, broken}, &resp));
  ASSERT_EQ(resp.failed_entry_count(), 3) << resp.DebugString();
  for (const auto& e : resp.failed_entries()) EXPECT_EQ(e.error_code(), "ValidationException");
  EXPECT_NE(resp.failed_entries(0).error_message().find("InputTransformer.InputTemplate"),
            std::string::npos)
      << resp.failed_entries(0).error_message();
  EXPECT_NE(resp.failed_entries(0).error_message().find("<id>"), std::string::npos);
  EXPECT_NE(resp.failed_entries(1).error_message().find("InputPath"), std::string::npos)
      << resp.failed_entries(1).error_message();
  EXPECT_NE(resp.failed_entries(2).error_message().find("InputTransformer.InputTemplate"),
            std::string::npos)
      << resp.failed_entries(2).error_message();
}

TEST_F(ApiInputTest, NoValidBodyIsAFailedInvocationSentToTheDeadLetterQueue) {
  // An API destination (never called: its input fails first) next to the fixture's queues.
  WriteRules(absl::StrCat(kFileRules, R"(  - Name: to-partner
    EventPattern: {"source": ["shop"]}
    Targets:
      - Id: partner
        Arn: arn:aws:events:us-east-1:000000000000:api-destination/partner
        InputTransformer:
          InputPathsMap: {payload: "$.detail.payload"}
          InputTemplate: '{"payload": "<payload>"}'
        DeadLetterConfig: {Arn: "arn:aws:sqs:us-east-1:000000000000:dlq"}
Connections:
  - Name: conn
    AuthorizationType: API_KEY
    AuthParameters:
      ApiKeyAuthParameters: {ApiKeyName: x-api-key, ApiKeyValue: secret}
ApiDestinations:
  - Name: partner
    ConnectionArn: arn:aws:events:us-east-1:000000000000:connection/conn
    InvocationEndpoint: http://127.0.0.1:9/orders
    HttpMethod: POST
)"));
  Start();
  std::string rule_arn;
  ASSERT_RPC_OK(PutRule("orders", R"({"source": ["shop", "shop-ok"]})", "",
                        v1::RULE_STATE_UNSPECIFIED, "", &rule_arn));
  auto shaped = [](const std::string& id, const std::string& queue, bool dead_letter) {
    v1::Target t = QueueTarget(id, queue);
    (*t.mutable_input_transformer()->mutable_input_paths_map())["id"] = "$.detail.id";
    (*t.mutable_input_transformer()->mutable_input_paths_map())["note"] = "$.detail.note";
    t.mutable_input_transformer()->set_input_template(R"({"order": <id>, "text": "note: <note>"})");
    if (dead_letter) t.mutable_dead_letter_config()->set_arn(absl::StrCat(kQueueArn, "dlq"));
    return t;
  };
  v1::Target picky = QueueTarget("picky", "q2");
  picky.set_input_path("$.detail.missing");
  picky.mutable_dead_letter_config()->set_arn(absl::StrCat(kQueueArn, "dlq"));
  MustPutTargets("orders", {shaped("shaped", "q1", true), shaped("no-dlq", "q2", false), picky});

  // The note holds a quote, the payload is an object inside a template's string: no target
  // gets a body; the picky one's InputPath matches nothing.
  const std::string id = PutOrder(
      R"({"id": 7, "note": "say \"hi\"", "payload": {"acc_id": "0a787ecb-4015", "sf_id": "baz"}})");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(Drain("q1"), std::vector<std::string>{});
  EXPECT_EQ(Drain("q2"), std::vector<std::string>{});
  EXPECT_EQ(daemon_->outbox().Count().value_or(-1), 0);

  // Three dead letters (no-dlq has none): the original event with EventBridge's attributes,
  // written with the event.
  std::map<std::string, v1::Message> by_target;
  for (int round = 0; round < 3 && by_target.size() < 3; ++round) {
    for (v1::Message& m : ReceiveAndDelete("dlq")) by_target[Attribute(m, "TARGET_ARN")] = m;
  }
  ASSERT_EQ(by_target.size(), 3u);
  const std::string partner_arn = "arn:aws:events:us-east-1:000000000000:api-destination/partner";
  const std::string partner_rule = "arn:aws:events:us-east-1:000000000000:rule/to-partner";
  struct Expected {
    std::string target_arn, rule_arn, code, message;
  };
  for (const Expected& e : std::vector<Expected>{
           {absl::StrCat(kQueueArn, "q1"), rule_arn, "INVALID_JSON",
            "InputTemplate produced invalid JSON: the value of <note> holds a double quote"},
           {absl::StrCat(kQueueArn, "q2"), rule_arn, "INVALID_PARAMETER",
            "InputPath $.detail.missing matches nothing in the event"},
           {partner_arn, partner_rule, "INVALID_JSON",
            "InputTemplate produced invalid JSON: the value of <payload> (an object) holds a "
            "double quote"}}) {
    SCOPED_TRACE(e.target_arn);
    ASSERT_TRUE(by_target.contains(e.target_arn));
    const v1::Message& m = by_target[e.target_arn];
    EXPECT_NE(m.body().find(absl::StrCat(R"("id":")", id, R"(")")), std::string::npos) << m.body();
    // The event as accepted: its detail as written.
    EXPECT_NE(m.body().find(R"("detail":{"id": 7, "note": "say \"hi\"")"), std::string::npos)
        << m.body();
    EXPECT_EQ(Attribute(m, "RULE_ARN"), e.rule_arn);
    EXPECT_EQ(Attribute(m, "ERROR_CODE"), e.code);
    EXPECT_NE(Attribute(m, "ERROR_MESSAGE").find(e.message), std::string::npos)
        << Attribute(m, "ERROR_MESSAGE");
    EXPECT_EQ(Attribute(m, "RETRY_ATTEMPTS"), "0");
    EXPECT_EQ(Attribute(m, "EXHAUSTED_RETRY_CONDITION"), "<missing>");
  }

  // Counted as failed invocations, when PutEvents answered.
  std::map<std::string, v1::TargetMetrics> orders = Metrics("orders");
  for (const char* target : {"shaped", "no-dlq", "picky"}) {
    SCOPED_TRACE(target);
    EXPECT_EQ(orders[target].invocations(), 0u);
    EXPECT_EQ(orders[target].failed_invocations(), 1u);
    EXPECT_EQ(orders[target].invocation_attempts(), 1u);
    EXPECT_EQ(orders[target].invocations_sent_to_dlq(), std::string(target) == "no-dlq" ? 0u : 1u);
    EXPECT_EQ(orders[target].invocations_failed_to_be_sent_to_dlq(), 0u);
  }
  v1::TargetMetrics partner = Metrics("to-partner")["partner"];
  EXPECT_EQ(partner.failed_invocations(), 1u);
  EXPECT_EQ(partner.invocations_sent_to_dlq(), 1u);
  EXPECT_EQ(partner.invocations(), 0u);
  EXPECT_EQ(daemon_->failed_invocations(), 4u);

  // The same targets deliver an event they can render; a dead-letter queue deleted since is
  // counted as InvocationsFailedToBeSentToDLQ, and the event is still accepted.
  PutOrder(R"({"id": 8, "note": "fine"})", "shop-ok");
  EXPECT_EQ(Drain("q1"), std::vector<std::string>{R"({"order":8,"text":"note: fine"})"});
  EXPECT_EQ(Drain("q2"), std::vector<std::string>{R"({"order":8,"text":"note: fine"})"});
  v1::DeleteQueueRequest del;
  del.set_queue_name("dlq");
  v1::DeleteQueueResponse del_resp;
  ASSERT_RPC_OK(Rpc(queues_.get(), &v1::QueuesService::Stub::DeleteQueue, del, &del_resp));
  PutOrder(R"({"id": 9, "note": "C:\\temp"})", "shop-ok");
  EXPECT_EQ(Drain("q1"), std::vector<std::string>{});
  orders = Metrics("orders");
  EXPECT_EQ(orders["shaped"].invocations(), 1u);
  EXPECT_EQ(orders["shaped"].failed_invocations(), 2u);
  EXPECT_EQ(orders["shaped"].invocations_sent_to_dlq(), 1u);
  EXPECT_EQ(orders["shaped"].invocations_failed_to_be_sent_to_dlq(), 1u);
}

}  // namespace
}  // namespace busbar::bus
