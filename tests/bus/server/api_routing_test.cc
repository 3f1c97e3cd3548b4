// Rules, targets and buses created over the API route events (api_fixture.h):
// a change is seen by the next PutEvents, everything survives a restart on the
// same data directory, and rule files that collide with API resources are
// refused at reload and at start with an error naming both.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tests/bus/server/api_fixture.h"

namespace busbar::bus::testing {
namespace {

constexpr char kShop[] = R"({"source": ["shop"]})";

TEST_F(ApiTest, ChangesAreSeenByTheNextPutEvents) {
  PutEvent("shop");
  EXPECT_TRUE(Drain("q2").empty());
  ASSERT_RPC_OK(PutRule("to-q2", kShop));
  MustPutTargets("to-q2", {QueueTarget("q", "q2")});
  PutEvent("shop");
  PutEvent("elsewhere");
  std::vector<std::string> got = Drain("q2");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_NE(got[0].find(R"("source":"shop")"), std::string::npos);

  ASSERT_RPC_OK(SetEnabled(false, "to-q2"));
  PutEvent("shop");
  EXPECT_TRUE(Drain("q2").empty());
  ASSERT_RPC_OK(SetEnabled(true, "to-q2"));
  PutEvent("shop");
  EXPECT_EQ(Drain("q2").size(), 1u);

  // A second target gets its own copy; a new pattern applies at once.
  MustPutTargets("to-q2", {QueueTarget("dlq-copy", "dlq")});
  ASSERT_RPC_OK(PutRule("to-q2", R"({"source": ["other"]})"));
  PutEvent("shop");
  PutEvent("other");
  EXPECT_EQ(Drain("q2").size(), 1u);
  EXPECT_EQ(Drain("dlq").size(), 1u);

  v1::RemoveTargetsResponse removed;
  ASSERT_RPC_OK(RemoveTargets("to-q2", {"q", "dlq-copy"}, &removed));
  PutEvent("other");
  EXPECT_TRUE(Drain("q2").empty());
  ASSERT_RPC_OK(DeleteRule("to-q2"));
  // The file's rule kept routing all along.
  PutEvent("file");
  EXPECT_EQ(Drain("q1").size(), 1u);
}

TEST_F(ApiTest, ApiBusesAndFileBusesRoute) {
  ASSERT_RPC_OK(CreateBus("payments"));
  ASSERT_RPC_OK(PutRule("pay", kShop, "payments"));
  MustPutTargets("pay", {QueueTarget("q", "q2")}, "payments");
  ASSERT_RPC_OK(PutRule("ord", kShop, "orders"));
  MustPutTargets("ord", {QueueTarget("q", "dlq")}, "orders");
  PutEvent("shop", "payments");
  PutEvent("shop", "orders");
  PutEvent("shop");  // default: no rule for it
  EXPECT_EQ(Drain("q2").size(), 1u);
  EXPECT_EQ(Drain("dlq").size(), 1u);
}

TEST_F(ApiTest, DeletedBusTakesNoEvents) {
  ASSERT_RPC_OK(CreateBus("payments"));
  ASSERT_RPC_OK(DeleteBus("payments"));
  v1::PutEventsRequest req;
  auto* e = req.add_entries();
  e->set_source("shop");
  e->set_detail_type("Test");
  e->set_detail("{}");
  e->set_event_bus_name("payments");
  v1::PutEventsResponse resp;
  ASSERT_RPC_OK(Rpc(events_.get(), &v1::EventsService::Stub::PutEvents, req, &resp));
  ASSERT_EQ(resp.entries_size(), 1);
  EXPECT_EQ(resp.entries(0).error_code(), "ResourceNotFoundException");
}

TEST_F(ApiTest, EverythingSurvivesARestart) {
  ASSERT_RPC_OK(CreateBus("payments", "money"));
  ASSERT_RPC_OK(PutRule("pay", kShop, "payments", v1::RULE_STATE_ENABLED, "pays"));
  v1::Target shaped = QueueTarget("q", "q2");
  shaped.mutable_input_transformer()->set_input_template(R"({"s": <src>})");
  (*shaped.mutable_input_transformer()->mutable_input_paths_map())["src"] = "$.source";
  shaped.mutable_retry_policy()->set_maximum_retry_attempts(3);
  shaped.mutable_dead_letter_config()->set_arn(std::string(kQueueArn) + "dlq");
  MustPutTargets("pay", {shaped, QueueTarget("plain", "q1")}, "payments");
  ASSERT_RPC_OK(PutRule("off", kShop, "orders", v1::RULE_STATE_DISABLED));
  MustPutTargets("off", {QueueTarget("q", "q1")}, "orders");
  ASSERT_RPC_OK(PutRule("on-default", R"({"source": ["home"]})"));
  MustPutTargets("on-default", {QueueTarget("q", "dlq")});
  v1::EventBus before;
  ASSERT_RPC_OK(DescribeBus("payments", &before));

  Start();  // a new Daemon on the same data directory

  v1::EventBus bus;
  ASSERT_RPC_OK(DescribeBus("payments", &bus));
  EXPECT_EQ(bus.DebugString(), before.DebugString());
  v1::Rule r;
  ASSERT_RPC_OK(Describe("pay", "payments", &r));
  EXPECT_EQ(r.description(), "pays");
  EXPECT_EQ(r.arn(), "arn:aws:events:us-east-1:000000000000:rule/payments/pay");
  ASSERT_RPC_OK(Describe("off", "orders", &r));
  EXPECT_EQ(r.state(), v1::RULE_STATE_DISABLED);
  EXPECT_EQ(AllRuleNames("default"), (std::vector<std::string>{"file-rule", "on-default"}));
  v1::ListTargetsByRuleResponse targets;
  ASSERT_RPC_OK(ListTargets("pay", "payments", &targets));
  ASSERT_EQ(targets.targets_size(), 2);
  EXPECT_EQ(targets.targets(0).id(), "plain");
  // A retry policy comes back whole, the default filled in.
  shaped.mutable_retry_policy()->set_maximum_event_age_in_seconds(86400);
  EXPECT_EQ(targets.targets(1).DebugString(), shaped.DebugString());
  // And they still route.
  PutEvent("shop", "payments");
  PutEvent("shop", "orders");
  PutEvent("home");
  EXPECT_EQ(Drain("q2").size(), 1u);
  EXPECT_EQ(Drain("q1").size(), 1u);  // "plain"; "off" is disabled
  EXPECT_EQ(Drain("dlq").size(), 1u);
}

TEST_F(ApiTest, IngestKeepsGoingWhileRulesChange) {
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::thread producer([&] {
    while (!stop) {
      v1::PutEventsRequest req;
      auto* e = req.add_entries();
      e->set_source("file");
      e->set_detail_type("Test");
      e->set_detail("{}");
      v1::PutEventsResponse resp;
      grpc::Status s = Rpc(events_.get(), &v1::EventsService::Stub::PutEvents, req, &resp);
      if (!s.ok() || resp.failed_entry_count() != 0) ++failures;
    }
  });
  for (int i = 0; i < 30; ++i) {
    ASSERT_RPC_OK(PutRule(absl::StrCat("churn", i % 5), kShop));
    ASSERT_RPC_OK(SetEnabled(i % 2 == 0, absl::StrCat("churn", i % 5)));
  }
  stop = true;
  producer.join();
  EXPECT_EQ(failures, 0);
  EXPECT_FALSE(Drain("q1").empty());
}

// The rule file of kFileRules, plus `extra` lines appended to its Rules.
std::string FileRulesWith(const std::string& extra) { return std::string(kFileRules) + extra; }

TEST_F(ApiTest, ReloadMergesFilesWithApiResources) {
  ASSERT_RPC_OK(PutRule("api", kShop));
  MustPutTargets("api", {QueueTarget("q", "q2")});
  WriteRules(
      FileRulesWith("  - Name: added\n    EventPattern: {\"source\": [\"shop\"]}\n"
                    "    Targets: [{Id: q, Arn: \"arn:aws:sqs:us-east-1:000000000000:dlq\"}]\n"));
  ASSERT_TRUE(daemon_->Reload().ok());
  EXPECT_EQ(AllRuleNames("default"), (std::vector<std::string>{"added", "api", "file-rule"}));
  PutEvent("shop");
  EXPECT_EQ(Drain("q2").size(), 1u);
  EXPECT_EQ(Drain("dlq").size(), 1u);
}

TEST_F(ApiTest, ReloadRefusesAFileRuleThatExistsOverTheApi) {
  ASSERT_RPC_OK(PutRule("api", kShop));
  MustPutTargets("api", {QueueTarget("q", "q2")});
  WriteRules(FileRulesWith("  - Name: api\n    EventPattern: {\"source\": [\"x\"]}\n"));
  absl::Status s = daemon_->Reload();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), rules_path_ +
                             ":16:11: rule 'api' on event bus 'default' is declared in this rule "
                             "file but was created over the API (PutRule); delete it over the API "
                             "or remove it from the file");
  // The running routing stays.
  PutEvent("shop");
  EXPECT_EQ(Drain("q2").size(), 1u);
  v1::Rule r;
  ASSERT_RPC_OK(Describe("api", "", &r));
  EXPECT_EQ(r.event_pattern(), kShop);
}

TEST_F(ApiTest, ReloadRefusesAFileBusThatExistsOverTheApi) {
  ASSERT_RPC_OK(CreateBus("payments"));
  WriteRules("EventBuses:\n  - Name: orders\n  - Name: payments\n");
  absl::Status s = daemon_->Reload();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), rules_path_ +
                             ":3:11: event bus 'payments' is declared in this rule file but was "
                             "created over the API (CreateEventBus); delete it over the API or "
                             "remove it from the file");
  v1::EventBus bus;
  ASSERT_RPC_OK(DescribeBus("payments", &bus));
  v1::Rule r;
  ASSERT_RPC_OK(Describe("file-rule", "", &r));  // old files still loaded
}

TEST_F(ApiTest, ReloadRefusesDroppingABusApiRulesUse) {
  ASSERT_RPC_OK(PutRule("api-on-orders", kShop, "orders"));
  MustPutTargets("api-on-orders", {QueueTarget("q", "q2")}, "orders");
  WriteRules("Queues:\n  - Name: q1\n");
  absl::Status s = daemon_->Reload();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "event bus 'orders' is not declared in the rule files any more, but rule "
            "'api-on-orders' created over the API (PutRule) is on it; declare the bus again, or "
            "delete the API rules on it first");
  PutEvent("shop", "orders");
  EXPECT_EQ(Drain("q2").size(), 1u);
  // Once the API rule is gone, the bus may go.
  v1::RemoveTargetsResponse removed;
  ASSERT_RPC_OK(RemoveTargets("api-on-orders", {"q"}, &removed, "orders"));
  ASSERT_RPC_OK(DeleteRule("api-on-orders", "orders"));
  ASSERT_TRUE(daemon_->Reload().ok());
  v1::EventBus bus;
  EXPECT_RPC_ERROR(DescribeBus("orders", &bus), NOT_FOUND, "Event bus orders does not exist.");
}

TEST_F(ApiTest, StartRefusesConflictingRuleFiles) {
  ASSERT_RPC_OK(PutRule("api", kShop));
  daemon_.reset();
  WriteRules(FileRulesWith("  - Name: api\n    EventPattern: {\"source\": [\"x\"]}\n"));
  absl::Status s = TryStart();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("rule 'api' on event bus 'default' is declared in this rule file "
                             "but was created over the API"),
            absl::string_view::npos)
      << s;
  WriteRules(kFileRules);
  Start();
  v1::Rule r;
  ASSERT_RPC_OK(Describe("api", "", &r));
}

}  // namespace
}  // namespace busbar::bus::testing
