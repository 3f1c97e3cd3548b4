// RulesService over a real daemon (api_fixture.h): PutRule, DeleteRule,
// DescribeRule, ListRules, EnableRule and DisableRule — success paths, every
// documented error, pagination, limits and rules owned by rule files.
#include <string>
#include <vector>

#include "tests/bus/server/api_fixture.h"

namespace busbar::bus::testing {
namespace {

constexpr char kPattern[] = R"({"source": ["shop"]})";

TEST_F(ApiTest, PutRuleThenDescribeAndList) {
  std::string arn;
  ASSERT_RPC_OK(
      PutRule("api-rule", kPattern, "", v1::RULE_STATE_UNSPECIFIED, "from the API", &arn));
  EXPECT_EQ(arn, "arn:aws:events:us-east-1:000000000000:rule/api-rule");
  v1::Rule r;
  ASSERT_RPC_OK(Describe("api-rule", "", &r));
  EXPECT_EQ(r.name(), "api-rule");
  EXPECT_EQ(r.arn(), arn);
  EXPECT_EQ(r.event_pattern(), kPattern);  // as given
  EXPECT_EQ(r.state(), v1::RULE_STATE_ENABLED);
  EXPECT_EQ(r.description(), "from the API");
  EXPECT_EQ(r.event_bus_name(), "default");
  // Rule files' and the API's rules, in name order.
  EXPECT_EQ(AllRuleNames("default"), (std::vector<std::string>{"api-rule", "file-rule"}));
  EXPECT_EQ(AllRuleNames("orders"), (std::vector<std::string>{"file-orders"}));
}

TEST_F(ApiTest, PutRuleOnOtherBusesByNameOrArn) {
  std::string arn;
  ASSERT_RPC_OK(PutRule("r1", kPattern, "orders", v1::RULE_STATE_DISABLED, "", &arn));
  EXPECT_EQ(arn, "arn:aws:events:us-east-1:000000000000:rule/orders/r1");
  ASSERT_RPC_OK(PutRule("r2", kPattern, "arn:aws:events:us-east-1:000000000000:event-bus/orders"));
  v1::Rule r;
  ASSERT_RPC_OK(Describe("r1", "arn:aws:events:us-east-1:000000000000:event-bus/orders", &r));
  EXPECT_EQ(r.state(), v1::RULE_STATE_DISABLED);
  EXPECT_EQ(r.event_bus_name(), "orders");
  EXPECT_EQ(AllRuleNames("orders"), (std::vector<std::string>{"file-orders", "r1", "r2"}));
  // Another bus has its own names.
  EXPECT_RPC_ERROR(Describe("r1", "", &r), NOT_FOUND,
                   "ResourceNotFoundException: Rule r1 does not exist on EventBus default.");
}

TEST_F(ApiTest, PutRuleReplacesFieldsAndKeepsTargets) {
  ASSERT_RPC_OK(PutRule("r", kPattern, "", v1::RULE_STATE_ENABLED, "first"));
  MustPutTargets("r", {QueueTarget("t", "q1")});
  ASSERT_RPC_OK(PutRule("r", R"({"source": ["other"]})", "", v1::RULE_STATE_DISABLED));
  v1::Rule r;
  ASSERT_RPC_OK(Describe("r", "", &r));
  EXPECT_EQ(r.event_pattern(), R"({"source": ["other"]})");
  EXPECT_EQ(r.state(), v1::RULE_STATE_DISABLED);
  EXPECT_EQ(r.description(), "");  // omitted fields are reset
  v1::ListTargetsByRuleResponse targets;
  ASSERT_RPC_OK(ListTargets("r", "", &targets));
  ASSERT_EQ(targets.targets_size(), 1);
  EXPECT_EQ(targets.targets(0).id(), "t");
}

TEST_F(ApiTest, PutRuleErrors) {
  EXPECT_RPC_ERROR(PutRule("bad name", kPattern), INVALID_ARGUMENT,
                   "ValidationException: Name 'bad name' is invalid");
  EXPECT_RPC_ERROR(PutRule(std::string(65, 'r'), kPattern), INVALID_ARGUMENT,
                   "ValidationException: Name");
  EXPECT_RPC_ERROR(PutRule("", kPattern), INVALID_ARGUMENT, "ValidationException: Name");
  EXPECT_RPC_ERROR(PutRule("r", kPattern, "", v1::RULE_STATE_UNSPECIFIED, std::string(513, 'd')),
                   INVALID_ARGUMENT,
                   "ValidationException: Description is 513 characters; at most 512");
  EXPECT_RPC_ERROR(PutRule("r", R"({"source": "shop"})"), INVALID_ARGUMENT,
                   "InvalidEventPatternException: Event pattern is not valid. Reason: ");
  EXPECT_RPC_ERROR(PutRule("r", "{not json"), INVALID_ARGUMENT,
                   "InvalidEventPatternException: Event pattern is not valid.");
  EXPECT_RPC_ERROR(PutRule("r", ""), INVALID_ARGUMENT,
                   "InvalidEventPatternException: Event pattern is not valid. Reason: "
                   "EventPattern is required");
  std::string long_pattern = R"({"source": [")" + std::string(4100, 's') + R"("]})";
  EXPECT_RPC_ERROR(PutRule("r", long_pattern), INVALID_ARGUMENT,
                   "InvalidEventPatternException: Event pattern is not valid. Reason: it is 4116 "
                   "characters; at most 4096 are allowed");
  EXPECT_RPC_ERROR(PutRule("r", kPattern, "no-such-bus"), NOT_FOUND,
                   "ResourceNotFoundException: Event bus no-such-bus does not exist.");
  EXPECT_RPC_ERROR(PutRule("r", kPattern, "bad bus"), INVALID_ARGUMENT,
                   "ValidationException: EventBusName 'bad bus' is invalid");
  EXPECT_RPC_ERROR(PutRule("r", kPattern, "arn:aws:events:eu-west-1:000000000000:event-bus/orders"),
                   INVALID_ARGUMENT, "ValidationException: EventBusName 'arn:aws:events:eu-west-1");
  EXPECT_RPC_ERROR(PutRule("r", kPattern, std::string(1601, 'b')), INVALID_ARGUMENT,
                   "ValidationException: EventBusName is 1601 characters");
  EXPECT_RPC_ERROR(PutRule("r", kPattern, "", static_cast<v1::RuleState>(7)), INVALID_ARGUMENT,
                   "ValidationException: State 7 is invalid");
  // Nothing was stored.
  EXPECT_EQ(AllRuleNames("default"), (std::vector<std::string>{"file-rule"}));
}

TEST_F(ApiTest, StrictEventBridgeRefusesRegexpPatterns) {
  const std::string regexp = R"({"source": [{"regexp": "^sh"}]})";
  ASSERT_RPC_OK(PutRule("re", regexp));
  ASSERT_RPC_OK(DeleteRule("re"));
  options_.strict_eventbridge = true;
  Start();
  EXPECT_RPC_ERROR(PutRule("re", regexp), INVALID_ARGUMENT, "InvalidEventPatternException: ");
}

TEST_F(ApiTest, RulesPerBusLimit) {
  EXPECT_EQ(DaemonOptions().max_rules_per_bus, 300u);
  EXPECT_EQ(DaemonOptions().max_event_pattern_chars, 4096u);
  options_.max_rules_per_bus = 3;  // "default" has file-rule already
  Start();
  ASSERT_RPC_OK(PutRule("a", kPattern));
  ASSERT_RPC_OK(PutRule("b", kPattern));
  EXPECT_RPC_ERROR(PutRule("c", kPattern), RESOURCE_EXHAUSTED,
                   "LimitExceededException: EventBus default has 3 rules; at most 3");
  ASSERT_RPC_OK(PutRule("b", R"({"source": ["changed"]})"));  // replacing is not adding
  ASSERT_RPC_OK(PutRule("c", kPattern, "orders"));            // the limit is per bus
  ASSERT_RPC_OK(DeleteRule("a"));
  ASSERT_RPC_OK(PutRule("c", kPattern));
}

TEST_F(ApiTest, DeleteRule) {
  ASSERT_RPC_OK(PutRule("r", kPattern));
  ASSERT_RPC_OK(DeleteRule("r"));
  v1::Rule r;
  EXPECT_RPC_ERROR(Describe("r", "", &r), NOT_FOUND, "ResourceNotFoundException: Rule r");
  ASSERT_RPC_OK(DeleteRule("r"));  // again: EventBridge says yes
  ASSERT_RPC_OK(DeleteRule("never-was", "orders"));
}

TEST_F(ApiTest, DeleteRuleErrors) {
  ASSERT_RPC_OK(PutRule("r", kPattern));
  MustPutTargets("r", {QueueTarget("t", "q1")});
  EXPECT_RPC_ERROR(DeleteRule("r"), FAILED_PRECONDITION,
                   "ValidationException: Rule can't be deleted since it has targets.");
  EXPECT_RPC_ERROR(DeleteRule("bad/name"), INVALID_ARGUMENT, "ValidationException: Name");
  EXPECT_RPC_ERROR(DeleteRule("r", "no-such-bus"), NOT_FOUND,
                   "ResourceNotFoundException: Event bus no-such-bus does not exist.");
  v1::RemoveTargetsResponse removed;
  ASSERT_RPC_OK(RemoveTargets("r", {"t"}, &removed));
  EXPECT_EQ(removed.failed_entry_count(), 0);
  ASSERT_RPC_OK(DeleteRule("r"));
}

TEST_F(ApiTest, EnableAndDisable) {
  ASSERT_RPC_OK(PutRule("r", kPattern, "orders"));
  ASSERT_RPC_OK(SetEnabled(false, "r", "orders"));
  v1::Rule r;
  ASSERT_RPC_OK(Describe("r", "orders", &r));
  EXPECT_EQ(r.state(), v1::RULE_STATE_DISABLED);
  ASSERT_RPC_OK(SetEnabled(false, "r", "orders"));  // disabling a disabled rule succeeds
  ASSERT_RPC_OK(SetEnabled(true, "r", "orders"));
  ASSERT_RPC_OK(SetEnabled(true, "r", "orders"));
  ASSERT_RPC_OK(Describe("r", "orders", &r));
  EXPECT_EQ(r.state(), v1::RULE_STATE_ENABLED);
  for (bool enable : {true, false}) {
    EXPECT_RPC_ERROR(SetEnabled(enable, "r"), NOT_FOUND,
                     "ResourceNotFoundException: Rule r does not exist on EventBus default.");
    EXPECT_RPC_ERROR(SetEnabled(enable, "r", "nope"), NOT_FOUND,
                     "ResourceNotFoundException: Event bus nope does not exist.");
    EXPECT_RPC_ERROR(SetEnabled(enable, "r r", "orders"), INVALID_ARGUMENT,
                     "ValidationException: Name 'r r' is invalid");
  }
}

TEST_F(ApiTest, DescribeRuleErrors) {
  v1::Rule r;
  EXPECT_RPC_ERROR(Describe("", "", &r), INVALID_ARGUMENT, "ValidationException: Name");
  EXPECT_RPC_ERROR(Describe("r", "nope", &r), NOT_FOUND, "Event bus nope does not exist.");
  EXPECT_RPC_ERROR(Describe("r", "", &r), NOT_FOUND, "Rule r does not exist on EventBus default.");
  // Rule files' rules are described like the API's.
  ASSERT_RPC_OK(Describe("file-rule", "", &r));
  EXPECT_EQ(r.event_pattern(), R"({"source":["file"]})");
}

TEST_F(ApiTest, RulesDeclaredInFilesBelongToTheFiles) {
  const std::string where = "Rule file-rule on EventBus default is declared in rule file " +
                            rules_path_ + ":9:11; change it there.";
  EXPECT_RPC_ERROR(PutRule("file-rule", kPattern), FAILED_PRECONDITION,
                   "ValidationException: " + where);
  EXPECT_RPC_ERROR(DeleteRule("file-rule"), FAILED_PRECONDITION, where);
  EXPECT_RPC_ERROR(SetEnabled(false, "file-rule"), FAILED_PRECONDITION, where);
  EXPECT_RPC_ERROR(SetEnabled(true, "file-rule"), FAILED_PRECONDITION, where);
  v1::PutTargetsResponse put;
  EXPECT_RPC_ERROR(PutTargets("file-rule", {QueueTarget("t2", "q2")}, &put), FAILED_PRECONDITION,
                   where);
  v1::RemoveTargetsResponse removed;
  EXPECT_RPC_ERROR(RemoveTargets("file-rule", {"t1"}, &removed), FAILED_PRECONDITION, where);
  EXPECT_RPC_ERROR(
      PutRule("file-orders", kPattern, "orders"), FAILED_PRECONDITION,
      "Rule file-orders on EventBus orders is declared in rule file " + rules_path_ + ":13:11");
  // Unchanged, targets included.
  v1::Rule r;
  ASSERT_RPC_OK(Describe("file-rule", "", &r));
  EXPECT_EQ(r.state(), v1::RULE_STATE_ENABLED);
  v1::ListTargetsByRuleResponse targets;
  ASSERT_RPC_OK(ListTargets("file-rule", "", &targets));
  ASSERT_EQ(targets.targets_size(), 1);
  EXPECT_EQ(targets.targets(0).arn(), std::string(kQueueArn) + "q1");
}

TEST_F(ApiTest, ListRulesPagesInNameOrder) {
  std::vector<std::string> expected;
  for (int i = 0; i < 150; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "r%03d", i);
    expected.push_back(name);
    ASSERT_RPC_OK(PutRule(name, kPattern, "orders"));
  }
  expected.insert(expected.begin(), "file-orders");
  // Default limit 100: two pages.
  v1::ListRulesResponse page;
  ASSERT_RPC_OK(ListRules("orders", &page));
  EXPECT_EQ(page.rules_size(), 100);
  ASSERT_FALSE(page.next_token().empty());
  v1::ListRulesResponse second;
  ASSERT_RPC_OK(ListRules("orders", &second, "", 0, page.next_token()));
  EXPECT_EQ(second.rules_size(), 51);
  EXPECT_TRUE(second.next_token().empty());
  EXPECT_EQ(second.rules(0).name(), "r099");
  EXPECT_EQ(AllRuleNames("orders"), expected);
  EXPECT_EQ(AllRuleNames("orders", 7), expected);
  // A prefix, paged.
  v1::ListRulesResponse r1;
  ASSERT_RPC_OK(ListRules("orders", &r1, "r1", 30));
  ASSERT_EQ(r1.rules_size(), 30);
  EXPECT_EQ(r1.rules(0).name(), "r100");
  v1::ListRulesResponse r1b;
  ASSERT_RPC_OK(ListRules("orders", &r1b, "r1", 30, r1.next_token()));
  ASSERT_EQ(r1b.rules_size(), 20);
  EXPECT_EQ(r1b.rules(19).name(), "r149");
  EXPECT_TRUE(r1b.next_token().empty());
  // An exact fit leaves no dangling page.
  v1::ListRulesResponse exact;
  ASSERT_RPC_OK(ListRules("orders", &exact, "r14", 10));
  EXPECT_EQ(exact.rules_size(), 10);
  EXPECT_TRUE(exact.next_token().empty());
}

TEST_F(ApiTest, ListRulesErrors) {
  ASSERT_RPC_OK(PutRule("a", kPattern));
  ASSERT_RPC_OK(PutRule("b", kPattern));
  v1::ListRulesResponse page;
  ASSERT_RPC_OK(ListRules("", &page, "", 1));
  const std::string token = page.next_token();
  ASSERT_FALSE(token.empty());
  v1::ListRulesResponse r;
  EXPECT_RPC_ERROR(ListRules("", &r, "", 101), INVALID_ARGUMENT,
                   "ValidationException: Limit is 101; it must be from 1 to 100");
  EXPECT_RPC_ERROR(ListRules("", &r, "", -1), INVALID_ARGUMENT, "ValidationException: Limit");
  EXPECT_RPC_ERROR(ListRules("", &r, "bad prefix"), INVALID_ARGUMENT,
                   "ValidationException: NamePrefix 'bad prefix' is invalid");
  EXPECT_RPC_ERROR(ListRules("", &r, std::string(65, 'p')), INVALID_ARGUMENT, "NamePrefix");
  EXPECT_RPC_ERROR(ListRules("nope", &r), NOT_FOUND,
                   "ResourceNotFoundException: Event bus nope does not exist.");
  const std::string bad_token = "ValidationException: NextToken is not one this call handed out";
  EXPECT_RPC_ERROR(ListRules("", &r, "", 1, "garbage"), INVALID_ARGUMENT, bad_token);
  std::string tampered = token;
  tampered[3] = tampered[3] == 'A' ? 'B' : 'A';
  EXPECT_RPC_ERROR(ListRules("", &r, "", 1, tampered), INVALID_ARGUMENT, bad_token);
  EXPECT_RPC_ERROR(ListRules("", &r, "", 1, token + "0"), INVALID_ARGUMENT, bad_token);
  EXPECT_RPC_ERROR(ListRules("", &r, "", 1, std::string(2049, 'x')), INVALID_ARGUMENT, bad_token);
  // Valid only with the same other fields.
  EXPECT_RPC_ERROR(ListRules("", &r, "a", 1, token), INVALID_ARGUMENT, bad_token);
  EXPECT_RPC_ERROR(ListRules("orders", &r, "", 1, token), INVALID_ARGUMENT, bad_token);
  // The same token by bus ARN names the same query; a different limit is fine.
  ASSERT_RPC_OK(
      ListRules("arn:aws:events:us-east-1:000000000000:event-bus/default", &r, "", 5, token));
  ASSERT_EQ(r.rules_size(), 2);
  EXPECT_EQ(r.rules(0).name(), "b");
}

// GetRuleMetrics: a queue target of a file rule counts its deliveries; the bus may be named
// by ARN; an unknown rule or bus is NOT_FOUND with EventBridge's wording.
TEST_F(ApiTest, GetRuleMetricsCountsAndNamesWhatIsMissing) {
  PutEvent("file");
  PutEvent("file");
  PutEvent("other");
  auto metrics = [this](const std::string& rule, const std::string& bus,
                        v1::GetRuleMetricsResponse* resp) {
    v1::GetRuleMetricsRequest req;
    req.set_rule(rule);
    req.set_event_bus_name(bus);
    return Rpc(rules_.get(), &v1::RulesService::Stub::GetRuleMetrics, req, resp);
  };
  v1::GetRuleMetricsResponse resp;
  ASSERT_RPC_OK(metrics("file-rule", "", &resp));
  EXPECT_EQ(resp.rule_arn(), "arn:aws:events:us-east-1:000000000000:rule/file-rule");
  EXPECT_EQ(resp.matched_events(), 2u);
  EXPECT_EQ(resp.triggered_rules(), 2u);
  ASSERT_EQ(resp.targets_size(), 1);
  EXPECT_EQ(resp.targets(0).id(), "t1");
  EXPECT_EQ(resp.targets(0).invocations(), 2u);
  EXPECT_EQ(resp.targets(0).invocation_attempts(), 2u);
  EXPECT_EQ(resp.targets(0).failed_invocations(), 0u);
  ASSERT_RPC_OK(
      metrics("file-orders", "arn:aws:events:us-east-1:000000000000:event-bus/orders", &resp));
  EXPECT_EQ(resp.matched_events(), 0u);
  EXPECT_RPC_ERROR(metrics("nope", "", &resp), NOT_FOUND,
                   "ResourceNotFoundException: Rule nope does not exist on EventBus default.");
  EXPECT_RPC_ERROR(metrics("file-rule", "missing", &resp), NOT_FOUND,
                   "ResourceNotFoundException: Event bus missing does not exist.");
  EXPECT_RPC_ERROR(metrics("bad name", "", &resp), INVALID_ARGUMENT, "ValidationException");
}

}  // namespace
}  // namespace busbar::bus::testing
