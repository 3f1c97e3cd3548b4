// Integration tests of SQS-like queues on a real Store in a temp directory, with a fake clock for
// visibility timeouts and retention and short real waits for long polling.
#include "targets/queues.h"

#include <chrono>
#include <cstdio>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "targets/ids.h"
#include "tests/targets/temp_dir.h"

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
    options.clock = &clock_;
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

  TempDir dir_;
  FakeClock clock_;
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
  EXPECT_EQ(again.message(),
            "AWS.SimpleQueueService.NonExistentQueue: queue 'orders' does not exist");
}

TEST_F(QueuesTest, CreateQueueIsIdempotentOnlyWithSameAttributes) {
  QueueAttributes a;
  a.visibility_timeout = 60;
  ASSERT_TRUE(queues_->CreateQueue("q", a).ok());
  EXPECT_TRUE(queues_->CreateQueue("q", a).ok());
  absl::Status other = queues_->CreateQueue("q");
  EXPECT_EQ(other.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(Contains(other, "QueueAlreadyExists: queue 'q'")) << other;
}

TEST_F(QueuesTest, CreateQueueRejectsBadNamesAttributesAndRedrive) {
  EXPECT_EQ(queues_->CreateQueue("bad name").code(), absl::StatusCode::kInvalidArgument);
  QueueAttributes vis;
  vis.visibility_timeout = -1;
  absl::Status s = queues_->CreateQueue("q", vis);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(s, "VisibilityTimeout must be between 0 and 43200")) << s;

  QueueAttributes redrive;
  redrive.redrive_policy = RedrivePolicy{"arn:aws:sqs:eu-west-1:123456789012:missing", 3};
  s = queues_->CreateQueue("q", redrive);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(s, "names a queue that does not exist")) << s;
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

TEST_F(QueuesTest, EveryOperationOnAMissingQueueIsNonExistentQueue) {
  const std::string expected =
      "AWS.SimpleQueueService.NonExistentQueue: queue 'ghost' does not exist";
  std::vector<absl::Status> results = {
      queues_->SendMessage("ghost", "m").status(),
      queues_->ReceiveMessages("ghost").status(),
      queues_->DeleteMessage("ghost", "1-abc"),
      queues_->ChangeMessageVisibility("ghost", "1-abc", 5),
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
  EXPECT_TRUE(Contains(big, "must be 1 to 262144 bytes, got 262145")) << big;
  EXPECT_TRUE(queues_->SendMessage("q", std::string(kMaxMessageBodyBytes, 'x')).ok());
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
// concurrent producers, synchronous=FULL.
TEST_F(QueuesTest, EnqueueThroughputOfPutEventsShapedJobs) {
  ASSERT_TRUE(queues_->CreateQueue("q").ok());
  const int kThreads = 16, kJobsPerThread = 125, kPerJob = 10;
  std::vector<Delivery> batch(kPerJob, Delivery{"q", std::string(1024, 'e')});
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
  for (int i = 0; i < 200; ++i) deliveries.push_back({"q", std::to_string(i)});
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

}  // namespace
}  // namespace busbar::targets
