// RulesService's targets over a real daemon (api_fixture.h): PutTargets,
// RemoveTargets and ListTargetsByRule — every field round-trips, each refused
// target is reported alone, request errors store nothing, limits, pagination.
#include <string>
#include <vector>

#include "tests/bus/server/api_fixture.h"

namespace busbar::bus::testing {
namespace {

constexpr char kPattern[] = R"({"source": ["shop"]})";

class TargetsTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ASSERT_RPC_OK(PutRule("r", kPattern));
  }

  std::vector<std::string> Ids(const std::string& rule = "r") {
    v1::ListTargetsByRuleResponse resp;
    grpc::Status s = ListTargets(rule, "", &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> ids;
    for (const auto& t : resp.targets()) ids.push_back(t.id());
    return ids;
  }
};

// A function "f" over the API (a function target needs one), running `true`.
void CreateFunctionF(Daemon& daemon) {
  targets::Function f;
  f.name = "f";
  f.command = {"true"};
  f.code_directory = "/tmp";
  auto stored = daemon.PutFunction(f, /*create=*/true);
  ASSERT_TRUE(stored.ok()) << stored.status();
}

TEST_F(TargetsTest, EveryFieldRoundTrips) {
  CreateFunctionF(*daemon_);
  v1::Target input = QueueTarget("b-input", "q1");
  input.set_input(R"({"fixed": true})");
  v1::Target path = QueueTarget("a-path", "q2");
  path.set_input_path("$.detail");
  path.mutable_retry_policy()->set_maximum_retry_attempts(0);
  path.mutable_retry_policy()->set_maximum_event_age_in_seconds(60);
  path.mutable_dead_letter_config()->set_arn(std::string(kQueueArn) + "dlq");
  v1::Target fn;
  fn.set_id("c-function");
  fn.set_arn("arn:aws:lambda:us-east-1:000000000000:function:f");
  auto* x = fn.mutable_input_transformer();
  x->set_input_template(R"({"s": <status>})");
  (*x->mutable_input_paths_map())["status"] = "$.detail.status";
  MustPutTargets("r", {input, path, fn});
  v1::ListTargetsByRuleResponse resp;
  ASSERT_RPC_OK(ListTargets("r", "", &resp));
  ASSERT_EQ(resp.targets_size(), 3);  // in id order
  EXPECT_EQ(resp.targets(0).DebugString(), path.DebugString());
  EXPECT_EQ(resp.targets(1).DebugString(), input.DebugString());
  EXPECT_EQ(resp.targets(2).DebugString(), fn.DebugString());
  EXPECT_TRUE(resp.next_token().empty());
  // Same id: replaced.
  v1::Target replaced = QueueTarget("b-input", "q2");
  MustPutTargets("r", {replaced});
  ASSERT_RPC_OK(ListTargets("r", "", &resp));
  ASSERT_EQ(resp.targets_size(), 3);
  EXPECT_EQ(resp.targets(1).DebugString(), replaced.DebugString());
}

TEST_F(TargetsTest, EachRefusedTargetIsReportedAlone) {
  struct Case {
    v1::Target target;
    std::string code;
    std::string message;
  };
  std::vector<Case> cases;
  auto add = [&](v1::Target t, const std::string& code, const std::string& message) {
    cases.push_back({std::move(t), code, message});
  };
  v1::Target t = QueueTarget("bad-arn", "q1");
  t.set_arn("not-an-arn");
  add(t, "ValidationException", "Arn 'not-an-arn' is not a valid ARN");
  t = QueueTarget("region", "q1");
  t.set_arn("arn:aws:sqs:eu-west-1:000000000000:q1");
  add(t, "ValidationException", "is in region 'eu-west-1', not 'us-east-1'");
  t = QueueTarget("unsupported", "q1");
  t.set_arn("arn:aws:sns:us-east-1:000000000000:topic");
  add(t, "ValidationException", "is not an SQS queue, Lambda function, event bus or API");
  add(QueueTarget("no-queue", "missing"), "ResourceNotFoundException",
      "queue 'missing' does not exist");
  add(QueueTarget("bad id", "q1"), "ValidationException", "Id 'bad id' is invalid");
  t = QueueTarget("two-inputs", "q1");
  t.set_input("{}");
  t.set_input_path("$.detail");
  add(t, "ValidationException", "Input and InputPath are mutually exclusive");
  t = QueueTarget("path-and-transformer", "q1");
  t.set_input_path("$.detail");
  t.mutable_input_transformer()->set_input_template("x");
  add(t, "ValidationException", "InputPath and InputTransformer are mutually exclusive");
  t = QueueTarget("not-json", "q1");
  t.set_input("{not json");
  add(t, "ValidationException", "Input is not valid JSON");
  t = QueueTarget("long-input", "q1");
  t.set_input("\"" + std::string(8191, 'i') + "\"");
  add(t, "ValidationException", "Input is 8193 characters; at most 8192 are allowed");
  t = QueueTarget("bad-path", "q1");
  t.set_input_path("detail");
  add(t, "ValidationException", "InputPath 'detail' is invalid: it must be a JSON path");
  t = QueueTarget("long-path", "q1");
  t.set_input_path("$" + std::string(256, 'p'));
  add(t, "ValidationException", "at most 256 characters");
  t = QueueTarget("no-template", "q1");
  t.mutable_input_transformer();
  add(t, "ValidationException", "InputTransformer: InputTemplate is 0 characters; it must be 1");
  t = QueueTarget("bad-variable", "q1");
  t.mutable_input_transformer()->set_input_template("x");
  (*t.mutable_input_transformer()->mutable_input_paths_map())["a.b"] = "$.detail";
  add(t, "ValidationException", "InputPathsMap key 'a.b' is invalid");
  t = QueueTarget("many-paths", "q1");
  t.mutable_input_transformer()->set_input_template("x");
  for (int i = 0; i < 101; ++i) {
    (*t.mutable_input_transformer()->mutable_input_paths_map())[absl::StrCat("v", i)] = "$.a";
  }
  add(t, "ValidationException", "InputPathsMap has 101 entries; at most 100 are allowed");
  t = QueueTarget("retries", "q1");
  t.mutable_retry_policy()->set_maximum_retry_attempts(186);
  add(t, "ValidationException",
      "RetryPolicy: MaximumRetryAttempts is 186; it must be from 0 to 185");
  t = QueueTarget("age", "q1");
  t.mutable_retry_policy()->set_maximum_event_age_in_seconds(59);
  add(t, "ValidationException", "MaximumEventAgeInSeconds is 59; it must be from 60 to 86400");
  t = QueueTarget("dlq-missing", "q1");
  t.mutable_dead_letter_config()->set_arn(std::string(kQueueArn) + "gone");
  add(t, "ResourceNotFoundException", "DeadLetterConfig: queue 'gone' does not exist");
  t = QueueTarget("dlq-not-queue", "q1");
  t.mutable_dead_letter_config()->set_arn("arn:aws:lambda:us-east-1:000000000000:function:f");
  add(t, "ValidationException", "DeadLetterConfig: Arn");
  t = QueueTarget("dlq-empty", "q1");
  t.mutable_dead_letter_config();
  add(t, "ValidationException", "DeadLetterConfig: Arn '' is not a valid ARN");
  t = QueueTarget("long-arn", "q1");
  t.set_arn(std::string(kQueueArn) + std::string(1600, 'q'));
  add(t, "ValidationException", "Arn is 1635 characters; at most 1600 are allowed");

  // Batches of 4 refused targets around one valid target each.
  for (size_t start = 0; start < cases.size(); start += 4) {
    std::vector<v1::Target> batch;
    std::vector<const Case*> refused;
    for (size_t i = start; i < cases.size() && i < start + 4; ++i) {
      batch.push_back(cases[i].target);
      refused.push_back(&cases[i]);
    }
    const std::string good = absl::StrCat("good", start);
    batch.insert(batch.begin() + 1, QueueTarget(good, "q1"));
    v1::PutTargetsResponse resp;
    ASSERT_RPC_OK(PutTargets("r", batch, &resp));
    ASSERT_EQ(resp.failed_entry_count(), static_cast<int>(refused.size()));
    ASSERT_EQ(resp.failed_entries_size(), static_cast<int>(refused.size()));
    for (size_t i = 0; i < refused.size(); ++i) {
      const auto& e = resp.failed_entries(static_cast<int>(i));
      EXPECT_EQ(e.target_id(), refused[i]->target.id());
      EXPECT_EQ(e.error_code(), refused[i]->code) << e.error_message();
      EXPECT_NE(e.error_message().find(refused[i]->message), std::string::npos)
          << refused[i]->target.id() << ": " << e.error_message();
    }
    v1::RemoveTargetsResponse removed;  // make room: at most 5 per rule
    ASSERT_RPC_OK(RemoveTargets("r", {good}, &removed));
    EXPECT_EQ(removed.failed_entry_count(), 0);
  }
  EXPECT_TRUE(Ids().empty());
}

TEST_F(TargetsTest, OtherKindsAreStoredWhenTheyExist) {
  CreateFunctionF(*daemon_);
  v1::Target bus;
  bus.set_id("bus");
  bus.set_arn("arn:aws:events:us-east-1:000000000000:event-bus/orders");
  v1::Target fn;
  fn.set_id("fn");
  fn.set_arn("arn:aws:lambda:us-east-1:000000000000:function:f");
  MustPutTargets("r", {bus, fn});
  EXPECT_EQ(Ids(), (std::vector<std::string>{"bus", "fn"}));
  // An API destination must be declared in a rule file; a missing one is refused alone.
  v1::Target dest;
  dest.set_id("http");
  dest.set_arn("arn:aws:events:us-east-1:000000000000:api-destination/hook/1234-abcd");
  v1::Target missing_fn;
  missing_fn.set_id("fn2");
  missing_fn.set_arn("arn:aws:lambda:us-east-1:000000000000:function:nope");
  v1::PutTargetsResponse resp;
  ASSERT_RPC_OK(PutTargets("r", {dest, missing_fn}, &resp));
  ASSERT_EQ(resp.failed_entry_count(), 2);
  EXPECT_EQ(resp.failed_entries(0).error_code(), "ResourceNotFoundException");
  EXPECT_EQ(resp.failed_entries(0).error_message(), "API destination 'hook' does not exist");
  EXPECT_EQ(resp.failed_entries(1).error_message(), "function 'nope' does not exist");
  EXPECT_EQ(Ids(), (std::vector<std::string>{"bus", "fn"}));
}

TEST_F(TargetsTest, RequestErrorsStoreNothing) {
  v1::PutTargetsResponse resp;
  EXPECT_RPC_ERROR(PutTargets("r", {}, &resp), INVALID_ARGUMENT,
                   "ValidationException: Targets has 0 targets; it must have 1 to 10");
  std::vector<v1::Target> eleven;
  for (int i = 0; i < 11; ++i) eleven.push_back(QueueTarget(absl::StrCat("t", i), "q1"));
  EXPECT_RPC_ERROR(PutTargets("r", eleven, &resp), INVALID_ARGUMENT,
                   "ValidationException: Targets has 11 targets");
  EXPECT_RPC_ERROR(PutTargets("r", {QueueTarget("t", "q1"), QueueTarget("t", "q2")}, &resp),
                   INVALID_ARGUMENT, "ValidationException: Targets names the Id 't' twice");
  EXPECT_RPC_ERROR(PutTargets("nope", {QueueTarget("t", "q1")}, &resp), NOT_FOUND,
                   "ResourceNotFoundException: Rule nope does not exist on EventBus default.");
  EXPECT_RPC_ERROR(PutTargets("r", {QueueTarget("t", "q1")}, &resp, "nope"), NOT_FOUND,
                   "ResourceNotFoundException: Event bus nope does not exist.");
  EXPECT_RPC_ERROR(PutTargets("bad rule", {QueueTarget("t", "q1")}, &resp), INVALID_ARGUMENT,
                   "ValidationException: Rule 'bad rule' is invalid");
  EXPECT_TRUE(Ids().empty());
}

TEST_F(TargetsTest, TargetsPerRuleLimit) {
  EXPECT_EQ(DaemonOptions().max_targets_per_rule, 5u);
  MustPutTargets("r", {QueueTarget("a", "q1"), QueueTarget("b", "q1"), QueueTarget("c", "q1")});
  v1::PutTargetsResponse resp;
  EXPECT_RPC_ERROR(
      PutTargets("r", {QueueTarget("d", "q1"), QueueTarget("e", "q1"), QueueTarget("f", "q1")},
                 &resp),
      RESOURCE_EXHAUSTED, "LimitExceededException: Rule r would have 6 targets; at most 5");
  EXPECT_EQ(Ids(), (std::vector<std::string>{"a", "b", "c"}));
  // Replacing counts once; refused targets don't count.
  v1::Target refused = QueueTarget("z", "missing");
  ASSERT_RPC_OK(PutTargets(
      "r", {QueueTarget("a", "q2"), QueueTarget("d", "q1"), QueueTarget("e", "q1"), refused},
      &resp));
  EXPECT_EQ(resp.failed_entry_count(), 1);
  EXPECT_EQ(Ids(), (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  // A smaller limit, configured.
  options_.max_targets_per_rule = 1;
  Start();
  ASSERT_RPC_OK(PutRule("s", kPattern));
  MustPutTargets("s", {QueueTarget("a", "q1")});
  EXPECT_RPC_ERROR(PutTargets("s", {QueueTarget("b", "q1")}, &resp), RESOURCE_EXHAUSTED,
                   "at most 1 are allowed on one rule");
}

TEST_F(TargetsTest, RemoveTargets) {
  MustPutTargets("r", {QueueTarget("a", "q1"), QueueTarget("b", "q1"), QueueTarget("c", "q1")});
  v1::RemoveTargetsResponse resp;
  ASSERT_RPC_OK(RemoveTargets("r", {"a", "missing", "c"}, &resp));
  ASSERT_EQ(resp.failed_entry_count(), 1);
  EXPECT_EQ(resp.failed_entries(0).target_id(), "missing");
  EXPECT_EQ(resp.failed_entries(0).error_code(), "ResourceNotFoundException");
  EXPECT_EQ(resp.failed_entries(0).error_message(), "Rule r has no target with Id missing.");
  EXPECT_EQ(Ids(), (std::vector<std::string>{"b"}));
}

TEST_F(TargetsTest, RemoveTargetsRequestErrors) {
  MustPutTargets("r", {QueueTarget("a", "q1")});
  v1::RemoveTargetsResponse resp;
  EXPECT_RPC_ERROR(RemoveTargets("r", {}, &resp), INVALID_ARGUMENT,
                   "ValidationException: Ids has 0 ids; it must have 1 to 100");
  std::vector<std::string> many(101, "a");
  EXPECT_RPC_ERROR(RemoveTargets("r", many, &resp), INVALID_ARGUMENT,
                   "ValidationException: Ids has 101 ids");
  EXPECT_RPC_ERROR(RemoveTargets("r", {"a", "b c"}, &resp), INVALID_ARGUMENT,
                   "ValidationException: Id 'b c' is invalid");
  EXPECT_RPC_ERROR(RemoveTargets("nope", {"a"}, &resp), NOT_FOUND,
                   "ResourceNotFoundException: Rule nope does not exist on EventBus default.");
  EXPECT_RPC_ERROR(RemoveTargets("r", {"a"}, &resp, "nope"), NOT_FOUND,
                   "ResourceNotFoundException: Event bus nope does not exist.");
  EXPECT_RPC_ERROR(RemoveTargets("", {"a"}, &resp), INVALID_ARGUMENT, "ValidationException: Rule");
  EXPECT_EQ(Ids(), (std::vector<std::string>{"a"}));
}

TEST_F(TargetsTest, ListTargetsByRulePages) {
  MustPutTargets("r", {QueueTarget("e", "q1"), QueueTarget("c", "q1"), QueueTarget("a", "q1"),
                       QueueTarget("d", "q1"), QueueTarget("b", "q1")});
  std::vector<std::string> ids;
  std::string token;
  int pages = 0;
  do {
    v1::ListTargetsByRuleResponse resp;
    ASSERT_RPC_OK(ListTargets("r", "", &resp, 2, token));
    for (const auto& t : resp.targets()) ids.push_back(t.id());
    token = resp.next_token();
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
}

TEST_F(TargetsTest, ListTargetsByRuleErrors) {
  MustPutTargets("r", {QueueTarget("a", "q1"), QueueTarget("b", "q1")});
  ASSERT_RPC_OK(PutRule("s", kPattern));
  v1::ListTargetsByRuleResponse resp;
  ASSERT_RPC_OK(ListTargets("r", "", &resp, 1));
  const std::string token = resp.next_token();
  EXPECT_RPC_ERROR(ListTargets("r", "", &resp, 101), INVALID_ARGUMENT,
                   "ValidationException: Limit is 101");
  EXPECT_RPC_ERROR(ListTargets("r", "", &resp, -5), INVALID_ARGUMENT, "ValidationException: Limit");
  EXPECT_RPC_ERROR(ListTargets("r", "", &resp, 1, "nope"), INVALID_ARGUMENT,
                   "ValidationException: NextToken");
  EXPECT_RPC_ERROR(ListTargets("s", "", &resp, 1, token), INVALID_ARGUMENT,
                   "ValidationException: NextToken");  // another rule's token
  EXPECT_RPC_ERROR(ListTargets("nope", "", &resp), NOT_FOUND,
                   "ResourceNotFoundException: Rule nope does not exist on EventBus default.");
  EXPECT_RPC_ERROR(ListTargets("r", "nope", &resp), NOT_FOUND,
                   "ResourceNotFoundException: Event bus nope does not exist.");
  EXPECT_RPC_ERROR(ListTargets("a b", "", &resp), INVALID_ARGUMENT, "ValidationException: Rule");
  ASSERT_RPC_OK(ListTargets("s", "", &resp));
  EXPECT_EQ(resp.targets_size(), 0);
}

}  // namespace
}  // namespace busbar::bus::testing
