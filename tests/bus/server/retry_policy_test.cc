// The dispatcher's decisions without a daemon: EventBridge's backoff with equal jitter, the
// MaximumRetryAttempts and MaximumEventAgeInSeconds limits, Retry-After, Lambda's own retries of
// a function error (retry_policy.h), and dead-letter messages written in one transaction with the
// item's removal (dead_letter.h) on a real store. No clock is read: time is an argument.
#include "bus/server/retry_policy.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/random/random.h"
#include "bus/server/dead_letter.h"
#include "gtest/gtest.h"
#include "tests/targets/temp_dir.h"
#include "tests/testing/fake_env.h"

namespace busbar::bus {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;

targets::OutboxItem Item(int attempts, int max_attempts = 185, int max_age_s = 86400) {
  targets::OutboxItem item;
  item.id = 1;
  item.target = "arn:aws:events:us-east-1:000000000000:rule/r|t";
  item.rule_arn = "arn:aws:events:us-east-1:000000000000:rule/r";
  item.target_arn = "arn:aws:events:us-east-1:000000000000:api-destination/d";
  item.payload = R"({"rendered":true})";
  item.event = R"({"id":"e1"})";
  item.created_ms = kT0;
  item.attempts = attempts;
  item.max_retry_attempts = max_attempts;
  item.max_event_age_s = max_age_s;
  return item;
}

TEST(RetryPolicy, BackoffDoublesFromTheBaseUpToTheCeiling) {
  RetryOptions o;
  o.base_ms = 1000;
  o.max_delay_ms = 300000;
  EXPECT_EQ(BackoffCeilingMillis(o, 1), 1000);
  EXPECT_EQ(BackoffCeilingMillis(o, 2), 2000);
  EXPECT_EQ(BackoffCeilingMillis(o, 5), 16000);
  EXPECT_EQ(BackoffCeilingMillis(o, 9), 256000);
  EXPECT_EQ(BackoffCeilingMillis(o, 10), 300000);
  EXPECT_EQ(BackoffCeilingMillis(o, 185), 300000);  // no overflow past 2^30
  EXPECT_EQ(BackoffCeilingMillis(o, 0), 1000);
}

TEST(RetryPolicy, EqualJitterKeepsHalfTheDelayFixed) {
  RetryOptions o;
  absl::BitGen random;
  for (int attempt : {1, 3, 12}) {
    const int64_t ceiling = BackoffCeilingMillis(o, attempt);
    int64_t low = ceiling, high = 0;
    for (int i = 0; i < 2000; ++i) {
      const int64_t d = BackoffMillis(o, attempt, random);
      ASSERT_GE(d, ceiling / 2);
      ASSERT_LE(d, ceiling);
      low = std::min(low, d);
      high = std::max(high, d);
    }
    EXPECT_LT(low, ceiling / 2 + ceiling / 8) << "jitter should spread retries";
    EXPECT_GT(high, ceiling - ceiling / 8);
  }
}

TEST(RetryPolicy, RetryableFailureIsRetriedAfterTheDelay) {
  RetryDecision d = DecideAfterFailure(Item(1), /*retryable=*/true, kT0 + 50, 700);
  EXPECT_TRUE(d.retry);
  EXPECT_EQ(d.next_ms, kT0 + 750);
  EXPECT_EQ(d.exhausted_condition, "");
}

TEST(RetryPolicy, RetryAfterIsALowerBound) {
  EXPECT_EQ(DecideAfterFailure(Item(1), true, kT0, 700, 5000).next_ms, kT0 + 5000);
  EXPECT_EQ(DecideAfterFailure(Item(1), true, kT0, 7000, 5000).next_ms, kT0 + 7000);
}

TEST(RetryPolicy, NotRetryableIsFinalWithoutACondition) {
  RetryDecision d = DecideAfterFailure(Item(1), /*retryable=*/false, kT0, 700);
  EXPECT_FALSE(d.retry);
  EXPECT_EQ(d.exhausted_condition, "");
}

TEST(RetryPolicy, MaximumRetryAttemptsCountsRetriesNotTries) {
  // MaximumRetryAttempts 2: tries 1, 2 and 3 may fail and be retried after 1 and 2; the third
  // failure is final.
  EXPECT_TRUE(DecideAfterFailure(Item(1, 2), true, kT0, 10).retry);
  EXPECT_TRUE(DecideAfterFailure(Item(2, 2), true, kT0, 10).retry);
  RetryDecision d = DecideAfterFailure(Item(3, 2), true, kT0, 10);
  EXPECT_FALSE(d.retry);
  EXPECT_EQ(d.exhausted_condition, "MaximumRetryAttempts");
  // 0: the first failure is final.
  EXPECT_EQ(DecideAfterFailure(Item(1, 0), true, kT0, 10).exhausted_condition,
            "MaximumRetryAttempts");
}

TEST(RetryPolicy, EventAgeStopsARetryThatWouldComeTooLate) {
  // MaximumEventAgeInSeconds 60, accepted at kT0.
  EXPECT_TRUE(DecideAfterFailure(Item(1, 185, 60), true, kT0 + 50'000, 10'000).retry);  // at 60 s
  RetryDecision d = DecideAfterFailure(Item(1, 185, 60), true, kT0 + 50'000, 10'001);
  EXPECT_FALSE(d.retry);
  EXPECT_EQ(d.exhausted_condition, "MaximumEventAgeInSeconds");
  // Retry-After past the age limit stops it too.
  EXPECT_EQ(DecideAfterFailure(Item(1, 185, 60), true, kT0, 10, 61'000).exhausted_condition,
            "MaximumEventAgeInSeconds");
}

// A whole retry history with a fake clock: the times of the tries and where it ends.
TEST(RetryPolicy, AHistoryOfFailuresEndsInTheDeadLetterQueueAfterTheLastRetry) {
  busbar::testing::FakeEnv env(kT0);
  RetryOptions o;
  o.base_ms = 100;
  o.max_delay_ms = 1000;
  absl::BitGen random;
  targets::OutboxItem item = Item(0, /*max_attempts=*/5);
  std::vector<int64_t> tries;
  RetryDecision d;
  while (true) {
    tries.push_back(env.NowMillis());
    ++item.attempts;
    d = DecideAfterFailure(item, true, env.NowMillis(), BackoffMillis(o, item.attempts, random));
    if (!d.retry) break;
    ASSERT_GE(d.next_ms, env.NowMillis() + BackoffCeilingMillis(o, item.attempts) / 2);
    env.SetMillis(d.next_ms);
  }
  EXPECT_EQ(tries.size(), 6u);  // the first try and 5 retries
  EXPECT_EQ(d.exhausted_condition, "MaximumRetryAttempts");
  // Gaps at least 50, 100, 200, 400, 500 ms (half of 100, 200, 400, 800, 1000).
  const int64_t floors[] = {50, 100, 200, 400, 500};
  for (size_t i = 1; i < tries.size(); ++i) EXPECT_GE(tries[i] - tries[i - 1], floors[i - 1]);
}

TEST(RetryPolicy, FunctionErrorsAreRetriedByLambdasSchedule) {
  RetryOptions o;
  o.function_retry_base_ms = 60000;
  FunctionRetryDecision first = DecideAfterFunctionError(o, 1, 2, 21600, kT0, kT0 + 10);
  EXPECT_TRUE(first.retry);
  EXPECT_EQ(first.next_ms, kT0 + 10 + 60000);
  FunctionRetryDecision second = DecideAfterFunctionError(o, 2, 2, 21600, kT0, kT0 + 70'000);
  EXPECT_TRUE(second.retry);
  EXPECT_EQ(second.next_ms, kT0 + 70'000 + 120000);
  FunctionRetryDecision third = DecideAfterFunctionError(o, 3, 2, 21600, kT0, kT0 + 200'000);
  EXPECT_FALSE(third.retry);
  EXPECT_EQ(third.condition, "RetriesExhausted");
  FunctionRetryDecision old = DecideAfterFunctionError(o, 1, 2, 60, kT0, kT0 + 60'000);
  EXPECT_FALSE(old.retry);
  EXPECT_EQ(old.condition, "EventAgeExceeded");
  EXPECT_EQ(DecideAfterFunctionError(o, 1, 0, 60, kT0, kT0).condition, "RetriesExhausted");
}

TEST(DeadLetter, AttributesAreEventBridges) {
  targets::OutboxItem item = Item(4);
  item.last_error_code = "ERROR_FROM_TARGET";
  item.last_error_message = "Received 500 Internal Server Error";
  std::map<std::string, std::string> got;
  for (auto& [k, v] : DeadLetterAttributes(item, "MaximumRetryAttempts")) got[k] = v;
  EXPECT_EQ(got, (std::map<std::string, std::string>{
                     {"RULE_ARN", item.rule_arn},
                     {"TARGET_ARN", item.target_arn},
                     {"ERROR_CODE", "ERROR_FROM_TARGET"},
                     {"ERROR_MESSAGE", "Received 500 Internal Server Error"},
                     {"RETRY_ATTEMPTS", "3"},
                     {"EXHAUSTED_RETRY_CONDITION", "MaximumRetryAttempts"}}));
  // Not retryable: no condition; without a message the code stands in for it.
  item.attempts = 1;
  item.last_error_message.clear();
  got.clear();
  for (auto& [k, v] : DeadLetterAttributes(item, "")) got[k] = v;
  EXPECT_EQ(got.count("EXHAUSTED_RETRY_CONDITION"), 0u);
  EXPECT_EQ(got["RETRY_ATTEMPTS"], "0");
  EXPECT_EQ(got["ERROR_MESSAGE"], "ERROR_FROM_TARGET");
}

class DeadLetterStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    targets::StoreOptions so;
    so.data_dir = dir_.path();
    so.fsync = targets::FsyncPolicy::kOff;
    so.env = &env_;
    store_ = std::move(*targets::Store::Open(so));
    targets::QueuesOptions qo;
    qo.env = &env_;
    queues_ = std::move(*targets::Queues::Open(store_.get(), qo));
    outbox_ = std::move(*targets::Outbox::Open(store_.get(), &env_));
    ASSERT_TRUE(queues_->CreateQueue("dlq").ok());
  }

  // Adds `item` to the outbox; returns its id.
  int64_t Add(targets::OutboxItem item) {
    std::vector<targets::OutboxItem> items = {std::move(item)};
    EXPECT_TRUE(store_->Write([&](targets::Db& db) { return outbox_->AddInTxn(db, items); }).ok());
    return items[0].id;
  }

  busbar::testing::FakeEnv env_{kT0};
  targets::testing::TempDir dir_;
  std::unique_ptr<targets::Store> store_;
  std::unique_ptr<targets::Queues> queues_;
  std::unique_ptr<targets::Outbox> outbox_;
};

TEST_F(DeadLetterStoreTest, TheOriginalEventGoesToTheQueueAndTheItemIsGone) {
  targets::OutboxItem item = Item(2);
  item.id = Add(item);
  item.last_error_code = "TIMEOUT";
  const targets::MessageAttributes attributes = DeadLetterAttributes(item, "");
  bool missing = true;
  ASSERT_TRUE(store_
                  ->Write([&](targets::Db& db) {
                    return DeadLetterInTxn(db, *queues_, *outbox_, item, "dlq", attributes,
                                           &missing);
                  })
                  .ok());
  EXPECT_FALSE(missing);
  EXPECT_EQ(*outbox_->Count(), 0);
  targets::ReceiveOptions ro;
  ro.max_number_of_messages = 10;
  auto got = queues_->ReceiveMessages("dlq", ro);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].body, R"({"id":"e1"})");  // the event, not the rendered payload
  EXPECT_EQ((*got)[0].message_attributes.size(), attributes.size());
}

TEST_F(DeadLetterStoreTest, AMissingQueueLosesTheMessageButEndsTheItem) {
  targets::OutboxItem item = Item(1);
  item.id = Add(item);
  bool missing = false;
  ASSERT_TRUE(store_
                  ->Write([&](targets::Db& db) {
                    return DeadLetterInTxn(db, *queues_, *outbox_, item, "gone",
                                           DeadLetterAttributes(item, ""), &missing);
                  })
                  .ok());
  EXPECT_TRUE(missing);
  EXPECT_EQ(*outbox_->Count(), 0);
}

}  // namespace
}  // namespace busbar::bus
