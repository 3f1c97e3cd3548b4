// Integration tests of SQS-like queues on a real Store in a temp directory, with a fake clock for
// visibility timeouts and retention and short real waits for long polling.
#include "targets/queues.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "targets/ids.h"
#include "tests/targets/temp_dir.h"
#include "tests/testing/fake_env.h"

namespace busbar::targets {
namespace {

using testing::TempDir;

bool Contains(const absl::Status& s, const std::string& text) {
  return std::string(s.message()).find(text) != std::string::npos;
}

class QueuesTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void TearDown() override { Close(); }

  void Open() {
    StoreOptions store_options;
    store_options.data_dir = dir_.path();
    auto store = Store::Open(store_options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    QueuesOptions options;
    options.region = "eu-west-1";
    options.account = "123456789012";
    options.env = &clock_;
    options.max_queues = max_queues_;
    auto queues = Queues::Open(store_.get(), options);
    ASSERT_TRUE(queues.ok()) << queues.status();
    queues_ = std::move(*queues);
  }
  void Close() {
    queues_.reset();
    store_.reset();
  }

  std::vector<Message> Receive(const std::string& queue, int max = 10,
                               std::optional<int> visibility = std::nullopt) {
    ReceiveOptions options;
    options.max_number_of_messages = max;
    options.visibility_timeout = visibility;
    auto messages = queues_->ReceiveMessages(queue, options);
    EXPECT_TRUE(messages.ok()) << messages.status();
    return messages.ok() ? *messages : std::vector<Message>();
  }
  QueueDescription Describe(const std::string& queue) {
    auto d = queues_->GetQueueAttributes(queue);
    EXPECT_TRUE(d.ok()) << d.status();
    return d.ok() ? *d : QueueDescription();
  }
  std::string Send(const std::string& queue, const std::string& body) {
    auto id = queues_->SendMessage(queue, body);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : "";
  }

  // Write jobs the store ran so far.
  uint64_t Jobs() const { return store_->stats().jobs; }

  TempDir dir_;
  busbar::testing::FakeEnv clock_;
  size_t max_queues_ = 0;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Queues> queues_;
};

TEST_F(QueuesTest, CreateListAndDeleteQueues) {
  ASSERT_TRUE(queues_->CreateQueue("orders").ok());
  ASSERT_TRUE(queues_->CreateQueue("orders-dlq").ok());
  ASSERT_TRUE(queues_->CreateQueue("billing").ok());
  EXPECT_EQ(*queues_->ListQueues(), (std::vector<std::string>{"billing", "orders", "orders-dlq"}));
  EXPECT_EQ(*queues_->ListQueues("ord"), (std::vector<std::string>{"orders", "orders-dlq"}));
  EXPECT_TRUE(queues_->ListQueues("zzz")->empty());
  ASSERT_TRUE(queues_->DeleteQueue("orders").ok());
  EXPECT_EQ(*queues_->ListQueues(), (std::vector<std::string>{"billing", "orders-dlq"}));
  absl::Status again = queues_->DeleteQueue("orders");
  EXPECT_EQ(again.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(again.message(), "QueueDoesNotExist: The specified queue orders does not exist.");
}

TEST_F(QueuesTest, CreateQueueIsIdempotentOnlyWithSameAttributes) {
  QueueAttributes a;
  a.visibility_timeout = 60;
  ASSERT_TRUE(queues_->CreateQueue("q", a).ok());
  EXPECT_TRUE(queues_->CreateQueue("q", a).ok());
  absl::Status other = queues_->CreateQueue("q");
  EXPECT_EQ(other.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(Contains(other, "QueueNameExists: queue 'q'")) << other;
}

TEST_F(QueuesTest, CreateQueueRejectsBadNamesAttributesAndRedrive) {
  EXPECT_EQ(queues_->CreateQueue("bad name").code(), absl::StatusCode::kInvalidArgument);
  QueueAttributes vis;
  vis.visibility_timeout = -1;
  absl::Status s = queues_->CreateQueue("q", vis);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(s, "InvalidAttributeValue: VisibilityTimeout must be between 0 and 43200"))
      << s;

  QueueAttributes redrive;
  redrive.redrive_policy = RedrivePolicy{"arn:aws:sqs:eu-west-1:123456789012:missing", 3};
  s = queues_->CreateQueue("q", redrive);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "InvalidAttributeValue: RedrivePolicy of queue 'q': deadLetterTargetArn "
            "'arn:aws:sqs:eu-west-1:123456789012:missing' names a queue that does not exist");
  redrive.redrive_policy->dead_letter_target_arn = "arn:aws:sqs:us-east-1:123456789012:dlq";
  ASSERT_TRUE(queues_->CreateQueue("dlq").ok());
  s = queues_->CreateQueue("q", redrive);
  EXPECT_TRUE(Contains(s, "is not a queue ARN of region 'eu-west-1'")) << s;
  redrive.redrive_policy->dead_letter_target_arn = "arn:aws:sqs:eu-west-1:123456789012:q";
  s = queues_->CreateQueue("q", redrive);
  EXPECT_TRUE(Contains(s, "is the queue itself")) << s;
  EXPECT_TRUE(queues_->ListQueues("q")->empty());
}

TEST_F(QueuesTest, AttributesDescribeTheQueue) {
  QueueAttributes a;
  a.visibility_timeout = 45;
  a.message_retention_period = 3600;
  a.receive_message_wait_time_seconds = 0;
  ASSERT_TRUE(queues_->CreateQueue("dlq").ok());
  a.redrive_policy = RedrivePolicy{queues_->QueueArn("dlq"), 4};
  ASSERT_TRUE(queues_->CreateQueue("q", a).ok());
  QueueDescription d = Describe("q");
  EXPECT_EQ(d.name, "q");
  EXPECT_EQ(d.arn, "arn:aws:sqs:eu-west-1:123456789012:q");
  EXPECT_EQ(d.attributes, a);
  EXPECT_EQ(d.created_timestamp, clock_.NowMillis() / 1000);
  EXPECT_EQ(d.approximate_number_of_messages, 0);
  EXPECT_EQ(d.approximate_number_of_messages_not_visible, 0);
  EXPECT_EQ(queues_->GetQueueAttributes("nope").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(QueuesTest, SendReceiveAndDelete) {
  ASSERT_TRUE(queues_->CreateQueue("q").ok());
  int64_t sent_at = clock_.NowMillis();
  std::string id = Send("q", R"({"detail":{"n":1}})");
  EXPECT_TRUE(std::regex_match(
      id, std::regex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")));
  clock_.AdvanceSeconds(2);
  std::vector<Message> got = Receive("q");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].message_id, id);
  EXPECT_EQ(got[0].body, R"({"detail":{"n":1}})");
  EXPECT_EQ(got[0].md5_of_body, Md5Hex(R"({"detail":{"n":1}})"));
  EXPECT_EQ(got[0].sent_timestamp, sent_at);
  EXPECT_EQ(got[0].approximate_receive_count, 1);
  EXPECT_EQ(got[0].approximate_first_receive_timestamp, sent_at + 2000);
  EXPECT_FALSE(got[0].receipt_handle.empty());
  EXPECT_EQ(Describe("q").approximate_number_of_messages_not_visible, 1);
  EXPECT_TRUE(Receive("q").empty());  // invisible now
  ASSERT_TRUE(queues_->DeleteMessage("q", got[0].receipt_handle).ok());
  EXPECT_TRUE(queues_->DeleteMessage("q", got[0].receipt_handle).ok());  // already gone: ok
  clock_.AdvanceSeconds(3600);
  EXPECT_TRUE(Receive("q").empty());
  EXPECT_EQ(Describe("q").approximate_number_of_messages_not_visible, 0);
}

TEST_F(QueuesTest, VisibilityTimeoutExpiresAndMessageReturns) {
  ASSERT_TRUE(queues_->CreateQueue("q").ok());  // VisibilityTimeout 30
  Send("q", "m");
  int64_t first_receive = clock_.NowMillis();
  std::vector<Message> first = Receive("q");
  ASSERT_EQ(first.size(), 1u);
  clock_.AdvanceSeconds(29);
  EXPECT_TRUE(Receive("q").empty());
  QueueDescription d = Describe("q");
  EXPECT_EQ(d.approximate_number_of_messages, 0);
  EXPECT_EQ(d.approximate_number_of_messages_not_visible, 1);
  clock_.AdvanceSeconds(1);
  EXPECT_EQ(Describe("q").approximate_number_of_messages, 1);
  std::vector<Message> second = Receive("q");
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].message_id, first[0].message_id);
  EXPECT_EQ(second[0].approximate_receive_count, 2);
  EXPECT_EQ(second[0].approximate_first_receive_timestamp, first_receive);
  EXPECT_NE(second[0].receipt_handle, first[0].receipt_handle);
}

TEST_F(QueuesTest, ReceiveVisibilityOverride) {
  ASSERT_TRUE(queues_->CreateQueue("q").ok());
  Send("q", "m");
  ASSERT_EQ(Receive("q", 1, 5).size(), 1u);
  clock_.AdvanceSeconds(5);
  ASSERT_EQ(Receive("q", 1, 0).size(), 1u);
  EXPECT_EQ(Receive("q", 1, 0).size(), 1u);  // visibility 0: visible again at once
}

TEST_F(QueuesTest, StaleMalformedAndForeignReceiptsAreInvalid) {
  ASSERT_TRUE(queues_->CreateQueue("q").ok());
  ASSERT_TRUE(queues_->CreateQueue("other").ok());
  Send("q", "m");
  std::string old_receipt = Receive("q")[0].receipt_handle;
  clock_.AdvanceSeconds(30);
  std::string new_receipt = Receive("q")[0].receipt_handle;
  absl::Status stale = queues_->DeleteMessage("q", old_receipt);
  EXPECT_EQ(stale.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(stale, "ReceiptHandleIsInvalid")) << stale;
  EXPECT_TRUE(
      Contains(queues_->ChangeMessageVisibility("q", old_receipt, 10), "ReceiptHandleIsInvalid"));
  for (std::string bad : {"", "garbage", "-abc", "12-", "x1-abc"}) {
    absl::Status s = queues_->DeleteMessage("q", bad);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_TRUE(Contains(s, "ReceiptHandleIsInvalid")) << s;
  }
  EXPECT_TRUE(Contains(queues_->DeleteMessage("other", new_receipt), "ReceiptHandleIsInvalid"));
  EXPECT_TRUE(queues_->DeleteMessage("q", new_receipt).ok());
  EXPECT_EQ(Describe("q").approximate_number_of_messages_not_visible, 0);
}

TEST_F(QueuesTest, ChangeMessageVisibility) {
  ASSERT_TRUE(queues_->CreateQueue("q").ok());
  Send("q", "m");
  std::string receipt = Receive("q")[0].receipt_handle;
  ASSERT_TRUE(queues_->ChangeMessageVisibility("q", receipt, 120).ok());
  clock_.AdvanceSeconds(119);
  EXPECT_TRUE(Receive("q").empty());
  ASSERT_TRUE(queues_->ChangeMessageVisibility("q", receipt, 0).ok());
  std::vector<Message> again = Receive("q");
  ASSERT_EQ(again.size(), 1u);
  absl::Status range = queues_->ChangeMessageVisibility("q", again[0].receipt_handle, 43201);
  EXPECT_EQ(range.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(range, "VisibilityTimeout must be between 0 and 43200, got 43201"));
  ASSERT_TRUE(queues_->DeleteMessage("q", again[0].receipt_handle).ok());
  absl::Status gone = queues_->ChangeMessageVisibility("q", again[0].receipt_handle, 10);
  EXPECT_TRUE(Contains(gone, "no longer exists")) << gone;
}

TEST_F(QueuesTest, ReceiveReturnsAtMostMaxInSendOrder) {
  ASSERT_TRUE(queues_->CreateQueue("q").ok());
  for (int i = 0; i < 15; ++i) Send("q", std::to_string(100 + i));
  std::vector<Message> first = Receive("q", 10);
  ASSERT_EQ(first.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(first[i].body, std::to_string(100 + i));
  EXPECT_EQ(Receive("q", 10).size(), 5u);
  for (int bad : {0, 11}) {
    ReceiveOptions options;
    options.max_number_of_messages = bad;
    absl::Status s = queues_->ReceiveMessages("q", options).status();
    EXPECT_TRUE(Contains(s, "MaxNumberOfMessages must be between 1 and 10")) << s;
  }
  ReceiveOptions wait;
  wait.wait_time_seconds = 21;
  EXPECT_TRUE(Contains(queues_->ReceiveMessages("q", wait).status(),
                       "WaitTimeSeconds must be between 0 and 20"));
  ReceiveOptions vis;
  vis.visibility_timeout = 43201;
  EXPECT_EQ(queues_->ReceiveMessages("q", vis).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(QueuesTest, RedrivesToDeadLetterQueueAfterMaxReceiveCount) {
  ASSERT_TRUE(queues_->CreateQueue("dlq").ok());
  QueueAttributes a;
  a.redrive_policy = RedrivePolicy{queues_->QueueArn("dlq"), 2};
  ASSERT_TRUE(queues_->CreateQueue("q", a).ok());
  std::string id = Send("q", "poison");
  Send("q", "fine");
  EXPECT_EQ(Receive("q", 10, 0).size(), 2u);  // count 1
  EXPECT_EQ(Receive("q", 10, 0).size(), 2u);  // count 2
  std::string fine_receipt;
  {
    // Delete "fine" so only "poison" is redriven.
    std::vector<Message> third_try = Receive("q", 10, 0);
    EXPECT_TRUE(third_try.empty());  // both exceeded maxReceiveCount 2 and moved
  }
  std::vector<Message> dead = Receive("dlq", 10);
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_EQ(dead[0].message_id, id);
  EXPECT_EQ(dead[0].body, "poison");
  EXPECT_EQ(dead[0].approximate_receive_count, 1);
  EXPECT_EQ(Describe("q").approximate_number_of_messages, 0);
  EXPECT_EQ(Describe("q").approximate_number_of_messages_not_visible, 0);
}

TEST_F(QueuesTest, RedriveReturnsTheMessagesStillUnderTheLimit) {
  ASSERT_TRUE(queues_->CreateQueue("dlq").ok());
  QueueAttributes a;
  a.redrive_policy = RedrivePolicy{queues_->QueueArn("dlq"), 1};
  ASSERT_TRUE(queues_->CreateQueue("q", a).ok());
  Send("q", "old");
  ASSERT_EQ(Receive("q", 1, 0).size(), 1u);  // "old" received once
  Send("q", "new");
  std::vector<Message> got = Receive("q", 10, 0);
  ASSERT_EQ(got.size(), 1u);  // "old" moved, "new" returned in the same receive
  EXPECT_EQ(got[0].body, "new");
  EXPECT_EQ(Describe("dlq").approximate_number_of_messages, 1);
}

TEST_F(QueuesTest, RetentionDropsOldMessages) {
  QueueAttributes a;
  a.message_retention_period = 60;
  ASSERT_TRUE(queues_->CreateQueue("q", a).ok());
  ASSERT_TRUE(queues_->CreateQueue("keep").ok());
  Send("q", "old");
  Send("keep", "old");
  clock_.AdvanceSeconds(59);
  Send("q", "young");
  EXPECT_EQ(Describe("q").approximate_number_of_messages, 2);
  clock_.AdvanceSeconds(2);
  EXPECT_EQ(Describe("q").approximate_number_of_messages, 1);  // counts skip expired
  auto dropped = queues_->DropExpired();
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(*dropped, 1);
  Send("q", "another");
  clock_.AdvanceSeconds(59);  // "young" is 61 s old now
  std::vector<Message> got = Receive("q");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "another");
  EXPECT_EQ(Receive("keep").size(), 1u);
}

TEST_F(QueuesTest, AnExpiredMessageInFlightIsDroppedOnceItsVisibilityEnds) {
  QueueAttributes a;
  a.message_retention_period = 60;
  ASSERT_TRUE(queues_->CreateQueue("q", a).ok());
  Send("q", "m");
  ASSERT_EQ(Receive("q", 1, 300).size(), 1u);  // in flight for 300 s
  clock_.AdvanceSeconds(61);                   // expired, still in flight
  EXPECT_EQ(*queues_->DropExpired(), 0);
  clock_.AdvanceSeconds(300);
  EXPECT_TRUE(Receive("q").empty());  // never handed out again
  EXPECT_EQ(*queues_->DropExpired(), 1);
  EXPECT_EQ(Describe("q").approximate_number_of_messages, 0);
}

TEST_F(QueuesTest, PurgeQueueDeletesAllMessages) {
  ASSERT_TRUE(queues_->CreateQueue("q").ok());
  for (int i = 0; i < 3; ++i) Send("q", "m");
  ASSERT_EQ(Receive("q", 1).size(), 1u);
  ASSERT_TRUE(queues_->PurgeQueue("q").ok());
  QueueDescription d = Describe("q");
  EXPECT_EQ(d.approximate_number_of_messages, 0);
  EXPECT_EQ(d.approximate_number_of_messages_not_visible, 0);
  EXPECT_EQ(queues_->PurgeQueue("nope").code(), absl::StatusCode::kNotFound);
}

TEST_F(QueuesTest, DeletingAQueueDeletesItsMessages) {
  ASSERT_TRUE(queues_->CreateQueue("q").ok());
  Send("q", "m");
  ASSERT_TRUE(queues_->DeleteQueue("q").ok());
  ASSERT_TRUE(queues_->CreateQueue("q").ok());
  EXPECT_TRUE(Receive("q").empty());
  EXPECT_EQ(Describe("q").approximate_number_of_messages, 0);
}

TEST_F(QueuesTest, EveryOperationOnAMissingQueueIsQueueDoesNotExist) {
  const std::string expected = "QueueDoesNotExist: The specified queue ghost does not exist.";
  QueueAttributeChanges vis;
  vis.visibility_timeout = 5;
  std::vector<absl::Status> results = {
      queues_->SendMessage("ghost", "m").status(),
      queues_->ReceiveMessages("ghost").status(),
      queues_->DeleteMessage("ghost", "1-abc"),
      queues_->DeleteMessages("ghost", {"1-abc", "2-def"}).status(),
      queues_->ChangeMessageVisibility("ghost", "1-abc", 5),
      queues_->SetQueueAttributes("ghost", {}),
      queues_->SetQueueAttributes("ghost", vis),
      queues_->PurgeQueue("ghost"),
      queues_->GetQueueAttributes("ghost").status(),
      queues_->DeleteQueue("ghost"),
  };
  for (const absl::Status& s : results) {
    EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
    EXPECT_EQ(s.message(), expected);
  }
}

TEST_F(QueuesTest, MessageBodySizeLimits) {
  ASSERT_TRUE(queues_->CreateQueue("q").ok());
  EXPECT_EQ(queues_->SendMessage("q", "").status().code(), absl::StatusCode::kInvalidArgument);
  absl::Status big = queues_->SendMessage("q", std::string(kMaxMessageBodyBytes + 1, 'x')).status();
  EXPECT_EQ(big.message(),
            "InvalidMessageContents: message body must be 1 to 262144 bytes, got 262145");
  EXPECT_TRUE(queues_->SendMessage("q", std::string(kMaxMessageBodyBytes, 'x')).ok());
}

TEST_F(QueuesTest, SendMessageRefusesCharactersSqsRefuses) {
  ASSERT_TRUE(queues_->CreateQueue("q").ok());
  absl::Status control = queues_->SendMessage("q", "bell\x07").status();
  EXPECT_EQ(control.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(control,
                       "InvalidMessageContents: message body has character U+0007 at "
                       "byte 4"))
      << control;
  absl::Status utf8 = queues_->SendMessage("q", "\xC3").status();
  EXPECT_TRUE(Contains(utf8, "InvalidMessageContents: message body is not valid UTF-8")) << utf8;
  EXPECT_EQ(queues_->SendMessage("q", "").status().message(),
            "InvalidMessageContents: message body must be 1 to 262144 bytes, got 0");
  EXPECT_EQ(Describe("q").approximate_number_of_messages, 0);
  std::string id = Send("q", "tab\there \xF0\x9F\x98\x80");
  std::vector<Message> got = Receive("q");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].message_id, id);
  EXPECT_EQ(got[0].md5_of_body, Md5OfBody("tab\there \xF0\x9F\x98\x80"));
}

TEST_F(QueuesTest, CreateQueueWithGivenAttributesComparesOnlyThose) {
  QueueAttributeChanges vis;
  vis.visibility_timeout = 60;
  ASSERT_TRUE(queues_->CreateQueue("q", vis).ok());
  QueueDescription d = Describe("q");
  EXPECT_EQ(d.attributes.visibility_timeout, 60);
  EXPECT_EQ(d.attributes.message_retention_period, 345600);              // the default
  EXPECT_TRUE(queues_->CreateQueue("q", QueueAttributeChanges()).ok());  // none given
  EXPECT_TRUE(queues_->CreateQueue("q", vis).ok());
  QueueAttributeChanges retention;
  retention.message_retention_period = 345600;
  EXPECT_TRUE(queues_->CreateQueue("q", retention).ok());
  QueueAttributeChanges no_redrive;
  no_redrive.redrive_policy = std::optional<RedrivePolicy>();
  EXPECT_TRUE(queues_->CreateQueue("q", no_redrive).ok());
  vis.visibility_timeout = 61;
  absl::Status other = queues_->CreateQueue("q", vis);
  EXPECT_EQ(other.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(other.message(), "QueueNameExists: queue 'q' already exists with different attributes");
  vis.visibility_timeout = 43201;
  EXPECT_TRUE(Contains(queues_->CreateQueue("new", vis),
                       "InvalidAttributeValue: VisibilityTimeout must be between 0 and 43200"));
  EXPECT_EQ(queues_->CreateQueue("bad name", QueueAttributeChanges()).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(*queues_->ListQueues(), std::vector<std::string>{"q"});
}

TEST_F(QueuesTest, CreateQueuePastTheLimitIsOverLimit) {
  Close();
  max_queues_ = 2;
  Open();
  ASSERT_TRUE(queues_->CreateQueue("a").ok());
  ASSERT_TRUE(queues_->CreateQueue("b").ok());
  absl::Status s = queues_->CreateQueue("c");
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(),
            "OverLimit: cannot create queue 'c': the daemon holds 2 queues, its limit is 2");
  EXPECT_TRUE(queues_->CreateQueue("a").ok());  // an existing queue is not a new one
  ASSERT_TRUE(queues_->DeleteQueue("a").ok());
  EXPECT_TRUE(queues_->CreateQueue("c").ok());
}

TEST_F(QueuesTest, SetQueueAttributesChangesOnlyTheNamedOnes) {
  QueueAttributes a;
  a.visibility_timeout = 45;
  a.message_retention_period = 3600;
  ASSERT_TRUE(queues_->CreateQueue("q", a).ok());
  const QueueDescription before = Describe("q");
  EXPECT_EQ(before.last_modified_timestamp, before.created_timestamp);
  clock_.AdvanceSeconds(10);
  QueueAttributeChanges changes;
  changes.visibility_timeout = 90;
  changes.receive_message_wait_time_seconds = 0;
  const uint64_t jobs = Jobs();
  ASSERT_TRUE(queues_->SetQueueAttributes("q", changes).ok());
  EXPECT_EQ(Jobs(), jobs + 1);  // one write
  QueueDescription after = Describe("q");
  EXPECT_EQ(after.attributes.visibility_timeout, 90);
  EXPECT_EQ(after.attributes.message_retention_period, 3600);
  EXPECT_EQ(after.attributes.receive_message_wait_time_seconds, 0);
  EXPECT_FALSE(after.attributes.redrive_policy.has_value());
  EXPECT_EQ(after.created_timestamp, before.created_timestamp);
  EXPECT_EQ(after.last_modified_timestamp, clock_.NowMillis() / 1000);
  EXPECT_EQ(after.last_modified_timestamp, before.created_timestamp + 10);

  // The new VisibilityTimeout applies to the next receive.
  Send("q", "m");
  ASSERT_EQ(Receive("q").size(), 1u);
  clock_.AdvanceSeconds(89);
  EXPECT_TRUE(Receive("q").empty());
  clock_.AdvanceSeconds(1);
  EXPECT_EQ(Receive("q").size(), 1u);
}

TEST_F(QueuesTest, SetQueueAttributesIsAllOrNone) {
  ASSERT_TRUE(queues_->CreateQueue("q").ok());
  clock_.AdvanceSeconds(5);
  struct Case {
    QueueAttributeChanges changes;
    std::string expected;
  };
  std::vector<Case> cases(6);
  cases[0].changes.visibility_timeout = 43201;
  cases[0].expected =
      "InvalidAttributeValue: VisibilityTimeout must be between 0 and 43200, got 43201";
  cases[1].changes.visibility_timeout = 10;
  cases[1].changes.receive_message_wait_time_seconds = 21;
  cases[1].expected =
      "InvalidAttributeValue: ReceiveMessageWaitTimeSeconds must be between 0 and 20, got 21";
  cases[2].changes.visibility_timeout = 10;
  cases[2].changes.message_retention_period = 59;
  cases[2].expected =
      "InvalidAttributeValue: MessageRetentionPeriod must be between 60 and 1209600, got 59";
  cases[3].changes.message_retention_period = 1209601;
  cases[3].expected =
      "InvalidAttributeValue: MessageRetentionPeriod must be between 60 and 1209600, got 1209601";
  cases[4].changes.visibility_timeout = 10;
  cases[4].changes.redrive_policy = RedrivePolicy{queues_->QueueArn("dlq"), 0};
  cases[4].expected =
      "InvalidAttributeValue: RedrivePolicy maxReceiveCount must be between 1 and 1000, got 0";
  cases[5].changes.visibility_timeout = 10;
  cases[5].changes.redrive_policy = RedrivePolicy{queues_->QueueArn("dlq"), 1001};
  cases[5].expected =
      "InvalidAttributeValue: RedrivePolicy maxReceiveCount must be between 1 and 1000, got 1001";
  for (const Case& c : cases) {
    absl::Status s = queues_->SetQueueAttributes("q", c.changes);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(s.message(), c.expected);
  }
  // A dead-letter queue that does not exist fails the whole change, too.
  QueueAttributeChanges missing;
  missing.visibility_timeout = 10;
  missing.redrive_policy = RedrivePolicy{queues_->QueueArn("dlq"), 3};
  absl::Status s = queues_->SetQueueAttributes("q", missing);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(s, "names a queue that does not exist")) << s;
  QueueDescription d = Describe("q");
  EXPECT_EQ(d.attributes, QueueAttributes());
  EXPECT_EQ(d.last_modified_timestamp, d.created_timestamp);
}

TEST_F(QueuesTest, SetQueueAttributesRedrivePolicy) {
  ASSERT_TRUE(queues_->CreateQueue("q").ok());
  ASSERT_TRUE(queues_->CreateQueue("dlq").ok());
  QueueAttributeChanges redrive;
  redrive.redrive_policy = RedrivePolicy{queues_->QueueArn("dlq"), 1};
  ASSERT_TRUE(queues_->SetQueueAttributes("q", redrive).ok());
  EXPECT_EQ(Describe("q").attributes.redrive_policy, redrive.redrive_policy->value());
  Send("q", "poison");
  ASSERT_EQ(Receive("q", 1, 0).size(), 1u);
  EXPECT_TRUE(Receive("q", 1, 0).empty());  // moved on its second receive
  EXPECT_EQ(Describe("dlq").approximate_number_of_messages, 1);

  for (const auto& [arn, why] : std::vector<std::pair<std::string, std::string>>{
           {queues_->QueueArn("q"), "is the queue itself"},
           {queues_->QueueArn("ghost"), "names a queue that does not exist"},
           {"arn:aws:sqs:us-east-1:123456789012:dlq", "is not a queue ARN of region 'eu-west-1'"},
           {"not an arn", "is not a queue ARN"}}) {
    QueueAttributeChanges bad;
    bad.redrive_policy = RedrivePolicy{arn, 5};
    absl::Status s = queues_->SetQueueAttributes("q", bad);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(Contains(s,
                         "InvalidAttributeValue: RedrivePolicy of queue 'q': "
                         "deadLetterTargetArn '" +
                             arn + "' " + why))
        << s;
  }
  EXPECT_EQ(Describe("q").attributes.redrive_policy->max_receive_count, 1);

  QueueAttributeChanges remove;
  remove.redrive_policy = std::optional<RedrivePolicy>();
  ASSERT_TRUE(queues_->SetQueueAttributes("q", remove).ok());
  EXPECT_FALSE(Describe("q").attributes.redrive_policy.has_value());
  Send("q", "kept");
  EXPECT_EQ(Receive("q", 1, 0).size(), 1u);
  EXPECT_EQ(Receive("q", 1, 0).size(), 1u);  // no redrive any more
}

TEST_F(QueuesTest, SetQueueAttributesWithoutChangesOnlyChecksTheQueue) {
  ASSERT_TRUE(queues_->CreateQueue("q").ok());
  clock_.AdvanceSeconds(5);
  ASSERT_TRUE(queues_->SetQueueAttributes("q", QueueAttributeChanges()).ok());
  QueueDescription d = Describe("q");
  EXPECT_EQ(d.last_modified_timestamp, d.created_timestamp);
  EXPECT_EQ(queues_->SetQueueAttributes("nope", QueueAttributeChanges()).code(),
            absl::StatusCode::kNotFound);
}

TEST_F(QueuesTest, LastModifiedTimestampSurvivesReopenAndMigratesOldFiles) {
  ASSERT_TRUE(queues_->CreateQueue("old").ok());
  clock_.AdvanceSeconds(100);
  QueueAttributeChanges vis;
  vis.visibility_timeout = 5;
  ASSERT_TRUE(queues_->SetQueueAttributes("old", vis).ok());
  const int64_t modified = Describe("old").last_modified_timestamp;
  Close();
  Open();
  EXPECT_EQ(Describe("old").last_modified_timestamp, modified);
  // A file of schema version 3 (no modified_ms, last_receive_ms, attributes) gets the
  // creation time.
  ASSERT_TRUE(store_
                  ->Write([](Db& db) {
                    return db.Exec(
                        "ALTER TABLE queues DROP COLUMN modified_ms;"
                        "ALTER TABLE queue_messages DROP COLUMN last_receive_ms;"
                        "ALTER TABLE queue_messages DROP COLUMN attributes;"
                        "UPDATE schema_version SET version=3 WHERE component='queues'");
                  })
                  .ok());
  Close();
  Open();
  QueueDescription d = Describe("old");
  EXPECT_EQ(d.last_modified_timestamp, d.created_timestamp);
  EXPECT_EQ(d.attributes.visibility_timeout, 5);
}

TEST_F(QueuesTest, DeleteMessagesAnswersEachHandleInOneWrite) {
  ASSERT_TRUE(queues_->CreateQueue("q").ok());
  ASSERT_TRUE(queues_->CreateQueue("other").ok());
  for (const char* body : {"a", "b", "c", "d"}) Send("q", body);
  Send("other", "o");
  std::vector<Message> got = Receive("q", 4);
  ASSERT_EQ(got.size(), 4u);
  const std::string foreign = Receive("other")[0].receipt_handle;
  // "d": received again, so its first handle is stale.
  ASSERT_TRUE(queues_->ChangeMessageVisibility("q", got[3].receipt_handle, 0).ok());
  std::vector<Message> again = Receive("q");
  ASSERT_EQ(again.size(), 1u);
  // "c": deleted already, so its handle names a message that is gone.
  ASSERT_TRUE(queues_->DeleteMessage("q", got[2].receipt_handle).ok());

  const uint64_t jobs = Jobs();
  auto results = queues_->DeleteMessages(
      "q", {got[0].receipt_handle, "garbage", got[1].receipt_handle, got[2].receipt_handle,
            got[3].receipt_handle, foreign, got[0].receipt_handle, ""});
  EXPECT_EQ(Jobs(), jobs + 1);
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), 8u);
  EXPECT_TRUE((*results)[0].ok());
  EXPECT_EQ((*results)[1].code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*results)[1].message(),
            "ReceiptHandleIsInvalid: receipt handle 'garbage' is malformed (queue 'q')");
  EXPECT_TRUE((*results)[2].ok());
  EXPECT_TRUE((*results)[3].ok());  // already gone
  EXPECT_TRUE(Contains((*results)[4], "ReceiptHandleIsInvalid: receipt handle is not the latest"))
      << (*results)[4];
  EXPECT_TRUE(Contains((*results)[5], "ReceiptHandleIsInvalid")) << (*results)[5];
  EXPECT_TRUE((*results)[6].ok());  // the same handle again: deleted once
  EXPECT_TRUE(Contains((*results)[7], "ReceiptHandleIsInvalid")) << (*results)[7];

  QueueDescription d = Describe("q");
  EXPECT_EQ(d.approximate_number_of_messages, 0);
  EXPECT_EQ(d.approximate_number_of_messages_not_visible, 1);  // "d", by its latest handle
  auto last = queues_->DeleteMessages("q", {again[0].receipt_handle});
  ASSERT_TRUE(last.ok());
  EXPECT_TRUE(last->front().ok());
  EXPECT_EQ(Describe("q").approximate_number_of_messages_not_visible, 0);
  EXPECT_EQ(Describe("other").approximate_number_of_messages_not_visible, 1);
  EXPECT_TRUE(queues_->DeleteMessages("q", {})->empty());
}

TEST_F(QueuesTest, ChangeMessageVisibilityOfAVisibleMessageIsMessageNotInflight) {
  ASSERT_TRUE(queues_->CreateQueue("q").ok());
  Send("q", "m");
  std::string receipt = Receive("q", 1, 10)[0].receipt_handle;
  clock_.AdvanceSeconds(10);  // visible again, not received since
  absl::Status s = queues_->ChangeMessageVisibility("q", receipt, 30);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "MessageNotInflight: the message of this receipt handle is visible already (queue "
            "'q')");
  receipt = Receive("q", 1, 30)[0].receipt_handle;
  ASSERT_TRUE(queues_->ChangeMessageVisibility("q", receipt, 0).ok());  // visible at once
  EXPECT_EQ(queues_->ChangeMessageVisibility("q", receipt, 30).code(),
            absl::StatusCode::kFailedPrecondition);
  receipt = Receive("q", 1, 0)[0].receipt_handle;  // received with visibility 0
  EXPECT_EQ(queues_->ChangeMessageVisibility("q", receipt, 30).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(queues_->DeleteMessage("q", receipt).ok());  // deleting it still works
}

TEST_F(QueuesTest, ChangeMessageVisibilityEndsAtMost12HoursAfterTheReceive) {
  ASSERT_TRUE(queues_->CreateQueue("q").ok());
  Send("q", "m");
  std::string receipt = Receive("q", 1, 43200)[0].receipt_handle;
  clock_.AdvanceSeconds(3600);
  absl::Status s = queues_->ChangeMessageVisibility("q", receipt, 43200);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "InvalidParameterValue: VisibilityTimeout 43200 would end more than 12 hours (43200 "
            "seconds) after the message was received; at most 39600 seconds are left (queue "
            "'q')");
  EXPECT_EQ(queues_->ChangeMessageVisibility("q", receipt, 39601).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(queues_->ChangeMessageVisibility("q", receipt, 39600).ok());  // exactly 12 h
  clock_.AdvanceSeconds(39599);
  EXPECT_TRUE(Receive("q").empty());
  clock_.AdvanceSeconds(1);
  std::vector<Message> again = Receive("q", 1, 60);
  ASSERT_EQ(again.size(), 1u);
  // Received a second time: the 12 hours count from this latest receive.
  clock_.AdvanceSeconds(10);
  EXPECT_EQ(queues_->ChangeMessageVisibility("q", again[0].receipt_handle, 43200).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(queues_->ChangeMessageVisibility("q", again[0].receipt_handle, 43190).ok());
}

TEST_F(QueuesTest, EnqueueInTxnCommitsWithTheCallersWork) {
  ASSERT_TRUE(queues_->CreateQueue("a").ok());
  ASSERT_TRUE(queues_->CreateQueue("b").ok());
  ASSERT_TRUE(
      store_->Write([](Db& db) { return db.Exec("CREATE TABLE caller_work(id TEXT)"); }).ok());
  std::vector<std::string> ids;
  absl::Status s = store_->Write([&](Db& db) -> absl::Status {
    if (absl::Status e = db.Exec("INSERT INTO caller_work VALUES('e1')"); !e.ok()) return e;
    return queues_->EnqueueInTxn(db, {{"a", "e1"}, {"b", "e1"}, {"a", "e1-again"}}, &ids);
  });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_EQ(Receive("a").size(), 2u);
  EXPECT_EQ(Receive("b").size(), 1u);

  // A delivery to a missing queue fails the caller's job: neither the event nor any message stays.
  s = store_->Write([&](Db& db) -> absl::Status {
    if (absl::Status e = db.Exec("INSERT INTO caller_work VALUES('e2')"); !e.ok()) return e;
    return queues_->EnqueueInTxn(db, {{"a", "e2"}, {"ghost", "e2"}});
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  clock_.AdvanceSeconds(3600);
  EXPECT_EQ(Receive("a").size(), 2u);  // only the two earlier messages, visible again
  int64_t events = 0;
  ASSERT_TRUE(store_
                  ->Read([&](Db& db) -> absl::Status {
                    auto st = db.Prepare("SELECT COUNT(*) FROM caller_work");
                    if (!st.ok()) return st.status();
                    auto row = (*st)->Step();
                    if (!row.ok()) return row.status();
                    events = (*st)->Int(0);
                    (*st)->Reset();
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(events, 1);
}

TEST_F(QueuesTest, MessagesSurviveReopen) {
  ASSERT_TRUE(queues_->CreateQueue("q").ok());
  std::string id = Send("q", "durable");
  Close();
  Open();
  std::vector<Message> got = Receive("q");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].message_id, id);
  EXPECT_EQ(got[0].body, "durable");
}

TEST_F(QueuesTest, LongPollReturnsWhenAMessageArrives) {
  ASSERT_TRUE(queues_->CreateQueue("q").ok());
  std::thread sender([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    Send("q", "late");
  });
  auto start = std::chrono::steady_clock::now();
  ReceiveOptions options;
  options.wait_time_seconds = 10;
  auto got = queues_->ReceiveMessages("q", options);
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  sender.join();
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].body, "late");
  EXPECT_GE(waited, 0.15);
  EXPECT_LT(waited, 5.0);
}

TEST_F(QueuesTest, LongPollWakesForEnqueueInTxnAndIgnoresOtherQueues) {
  ASSERT_TRUE(queues_->CreateQueue("q").ok());
  ASSERT_TRUE(queues_->CreateQueue("other").ok());
  std::thread sender([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    Send("other", "not for q");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_TRUE(store_->Write([&](Db& db) {
                        return queues_->EnqueueInTxn(db, {{"q", "x"}});
                      })
                    .ok());
  });
  ReceiveOptions options;
  options.wait_time_seconds = 10;
  auto got = queues_->ReceiveMessages("q", options);
  sender.join();
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].body, "x");
}

TEST_F(QueuesTest, LongPollTimesOutEmpty) {
  QueueAttributes a;
  a.receive_message_wait_time_seconds = 1;  // the queue's default wait
  ASSERT_TRUE(queues_->CreateQueue("q", a).ok());
  auto start = std::chrono::steady_clock::now();
  auto got = queues_->ReceiveMessages("q");
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
  EXPECT_GE(waited, 0.9);
  EXPECT_LT(waited, 3.0);

  ReceiveOptions no_wait;
  no_wait.wait_time_seconds = 0;  // overrides the queue's default
  start = std::chrono::steady_clock::now();
  EXPECT_TRUE(queues_->ReceiveMessages("q", no_wait)->empty());
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 0.5);
}

TEST_F(QueuesTest, ShutdownEndsLongPolls) {
  ASSERT_TRUE(queues_->CreateQueue("q").ok());
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    queues_->Shutdown();
  });
  auto start = std::chrono::steady_clock::now();
  ReceiveOptions options;
  options.wait_time_seconds = 20;
  auto got = queues_->ReceiveMessages("q", options);
  stopper.join();
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5.0);
}

// A figure, not an assertion: PutEvents-shaped jobs (10 deliveries of ~1 KB each) from 16
// concurrent producers, one fsync per batch (FsyncPolicy::kEveryBatch).
TEST_F(QueuesTest, EnqueueThroughputOfPutEventsShapedJobs) {
  ASSERT_TRUE(queues_->CreateQueue("q").ok());
  const int kThreads = 16, kJobsPerThread = 125, kPerJob = 10;
  const std::string body(1024, 'e');  // Delivery::body views it
  std::vector<Delivery> batch(kPerJob, Delivery{"q", body});
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> producers;
  for (int t = 0; t < kThreads; ++t) {
    producers.emplace_back([&] {
      for (int j = 0; j < kJobsPerThread; ++j) {
        EXPECT_TRUE(store_->Write([&](Db& db) { return queues_->EnqueueInTxn(db, batch); }).ok());
      }
    });
  }
  for (auto& p : producers) p.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const int total = kThreads * kJobsPerThread * kPerJob;
  std::printf(
      "queue enqueue: %d producers x %d jobs x %d x 1 KB messages: %.0f messages/s, mean "
      "batch %.1f jobs\n",
      kThreads, kJobsPerThread, kPerJob, total / seconds, store_->stats().MeanBatchSize());
  EXPECT_EQ(Describe("q").approximate_number_of_messages, total);
}

TEST_F(QueuesTest, ConcurrentConsumersNeverShareAVisibleMessage) {
  ASSERT_TRUE(queues_->CreateQueue("q").ok());
  std::vector<Delivery> deliveries;
  std::vector<std::string> bodies;  // Delivery::body views them
  for (int i = 0; i < 200; ++i) bodies.push_back(std::to_string(i));
  for (const std::string& b : bodies) deliveries.push_back({"q", b});
  ASSERT_TRUE(store_->Write([&](Db& db) { return queues_->EnqueueInTxn(db, deliveries); }).ok());
  std::vector<std::vector<std::string>> seen(4);
  std::vector<std::thread> consumers;
  for (int c = 0; c < 4; ++c) {
    consumers.emplace_back([&, c] {
      while (true) {
        ReceiveOptions options;
        options.max_number_of_messages = 7;
        auto got = queues_->ReceiveMessages("q", options);
        if (!got.ok() || got->empty()) return;
        for (const Message& m : *got) seen[c].push_back(m.message_id);
      }
    });
  }
  for (auto& t : consumers) t.join();
  std::set<std::string> all;
  size_t total = 0;
  for (const auto& s : seen) {
    total += s.size();
    all.insert(s.begin(), s.end());
  }
  EXPECT_EQ(total, 200u);
  EXPECT_EQ(all.size(), 200u);
}

TEST_F(QueuesTest, MessageAttributesAreStoredReturnedSortedAndKeptByRedrive) {
  QueueAttributes source;
  source.redrive_policy = RedrivePolicy{"arn:aws:sqs:eu-west-1:123456789012:dlq", 1};
  ASSERT_TRUE(queues_->CreateQueue("dlq").ok());
  ASSERT_TRUE(queues_->CreateQueue("src", source).ok());
  // Values with the encoding's separators and multi-byte text round-trip.
  const MessageAttributes attributes = {{"RULE_ARN", "arn:aws:events:r:a:rule/x"},
                                        {"ERROR_MESSAGE", "12:ab:: \u00e9 \xe2\x82\xac"},
                                        {"EMPTY", ""}};
  std::vector<Delivery> d = {{"src", "body", 0, &attributes}, {"src", "plain", 0, nullptr}};
  ASSERT_TRUE(store_->Write([&](Db& db) { return queues_->EnqueueInTxn(db, d); }).ok());
  std::vector<Message> got = Receive("src", 10, 0);
  ASSERT_EQ(got.size(), 2u);
  const Message& with = got[0].body == "body" ? got[0] : got[1];
  const Message& without = got[0].body == "body" ? got[1] : got[0];
  MessageAttributes sorted = attributes;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(with.message_attributes, sorted);
  EXPECT_EQ(with.md5_of_message_attributes.size(), 32u);
  EXPECT_TRUE(without.message_attributes.empty());
  EXPECT_EQ(without.md5_of_message_attributes, "");
  // Received again past maxReceiveCount: moved to the dead-letter queue, attributes kept.
  std::vector<Message> moved = Receive("src", 10, 0);
  EXPECT_TRUE(moved.empty());
  std::vector<Message> in_dlq = Receive("dlq");
  ASSERT_EQ(in_dlq.size(), 2u);
  for (const Message& m : in_dlq) {
    if (m.body == "body") {
      EXPECT_EQ(m.message_attributes, sorted);
    }
  }
}

TEST(MessageAttributesMd5, MatchesSqsAlgorithm) {
  // SQS: for each attribute by name: 4-byte length + name, 4-byte length + "String", the
  // byte 1, 4-byte length + value; MD5 of it all. Computed independently below.
  const MessageAttributes one = {{"a", "b"}};
  std::string buf;
  buf += std::string("\0\0\0\1a", 5);
  buf += std::string("\0\0\0\6String", 10);
  buf += std::string("\1", 1);
  buf += std::string("\0\0\0\1b", 5);
  EXPECT_EQ(Md5OfMessageAttributes(one), Md5Hex(buf));
  // Order does not matter.
  EXPECT_EQ(Md5OfMessageAttributes({{"x", "1"}, {"a", "2"}}),
            Md5OfMessageAttributes({{"a", "2"}, {"x", "1"}}));
  EXPECT_EQ(Md5OfMessageAttributes({}), "");
}

}  // namespace
}  // namespace busbar::targets
