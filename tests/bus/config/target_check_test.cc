// config::ValidateTarget (bus/config/config.h), the checks rule files and the
// API's PutTargets share: computed fields, where a fault is reported, queue
// lookups through the callback, and the limits rule files can't reach (values
// that only the API can send).
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "bus/config/config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace busbar::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kQueueArn[] = "arn:aws:sqs:us-east-1:000000000000:";

Target QueueTarget(const std::string& queue) {
  Target t;
  t.id = "t";
  t.arn = kQueueArn + queue;
  return t;
}

TEST(ValidateTarget, FillsTheComputedFields) {
  Target t;
  t.id = "fn";
  t.arn = "arn:aws:lambda:us-east-1:000000000000:function:handler";
  t.dead_letter_config = DeadLetterConfig{std::string(kQueueArn) + "dlq", ""};
  ASSERT_TRUE(ValidateTarget(t, {}).ok());
  EXPECT_EQ(t.kind, TargetKind::kFunction);
  EXPECT_EQ(t.resource_name, "handler");
  EXPECT_EQ(t.dead_letter_config->queue_name, "dlq");
}

TEST(ValidateTarget, LooksQueuesUpOnlyWhenAsked) {
  TargetCheckOptions o;
  Target t = QueueTarget("missing");
  EXPECT_TRUE(ValidateTarget(t, o).ok());  // rule files: the linker resolves queues
  std::set<std::string> queues{"q"};
  o.queue_exists = [&queues](std::string_view q) { return queues.contains(std::string(q)); };
  TargetFault fault;
  absl::Status s = ValidateTarget(t, o, &fault);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "queue 'missing' does not exist");
  EXPECT_THAT(fault.path, ElementsAre("Arn"));
  t = QueueTarget("q");
  t.dead_letter_config = DeadLetterConfig{std::string(kQueueArn) + "gone", ""};
  s = ValidateTarget(t, o, &fault);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "DeadLetterConfig: queue 'gone' does not exist");
  EXPECT_THAT(fault.path, ElementsAre("DeadLetterConfig", "Arn"));
}

TEST(ValidateTarget, ReportsWhereTheFaultIs) {
  TargetFault fault;
  Target t = QueueTarget("q");
  t.input = "{}";
  t.input_transformer = InputTransformer{{}, "x"};
  EXPECT_THAT(ValidateTarget(t, {}, &fault).message(),
              HasSubstr("Input and InputTransformer are mutually exclusive"));
  EXPECT_THAT(fault.path, ElementsAre("InputTransformer"));
  EXPECT_TRUE(fault.at_key);

  t = QueueTarget("q");
  t.input_transformer = InputTransformer{{{"ok", "$.a"}, {"bad", "a"}}, "x"};
  EXPECT_EQ(ValidateTarget(t, {}, &fault).message(),
            "InputTransformer: InputPathsMap 'bad': 'a' is invalid: it must be a JSON path "
            "starting with $, at most 256 characters");
  EXPECT_THAT(fault.path, ElementsAre("InputTransformer", "InputPathsMap", "bad"));
  EXPECT_FALSE(fault.at_key);

  t = QueueTarget("q");
  t.retry_policy.maximum_event_age_in_seconds = 86401;
  EXPECT_EQ(ValidateTarget(t, {}, &fault).message(),
            "RetryPolicy: MaximumEventAgeInSeconds is 86401; it must be from 60 to 86400");
  EXPECT_THAT(fault.path, ElementsAre("RetryPolicy", "MaximumEventAgeInSeconds"));
}

TEST(ValidateTarget, LimitsOnlyTheApiCanReach) {
  Target t = QueueTarget("q");
  t.id = "";
  EXPECT_THAT(ValidateTarget(t, {}).message(), HasSubstr("Id '' is invalid"));
  t = QueueTarget("q");
  t.arn = std::string(kQueueArn) + std::string(1600, 'q');
  EXPECT_EQ(ValidateTarget(t, {}).message(), "Arn is 1635 characters; at most 1600 are allowed");
  t = QueueTarget("q");
  t.input_transformer = InputTransformer{{{std::string(257, 'v'), "$.a"}}, "x"};
  EXPECT_THAT(ValidateTarget(t, {}).message(),
              HasSubstr("it must be 1-256 characters of A-Z a-z 0-9 _ -"));
  t = QueueTarget("q");
  t.retry_policy.maximum_retry_attempts = -1;
  EXPECT_THAT(ValidateTarget(t, {}).message(), HasSubstr("MaximumRetryAttempts is -1"));
}

}  // namespace
}  // namespace busbar::config
