// Integration tests of the outbox (targets/outbox.h) on a real Store in a temp directory:
// items added in a write job, due order, skipping the ones in flight, updates and removal,
// and persistence across reopening (a restart finds every pending retry as it was).
#include "targets/outbox.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/targets/temp_dir.h"

namespace busbar::targets {
namespace {

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    outbox_.reset();
    store_.reset();
    StoreOptions options;
    options.data_dir = dir_.path();
    auto store = Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    auto outbox = Outbox::Open(store_.get());
    ASSERT_TRUE(outbox.ok()) << outbox.status();
    outbox_ = std::move(*outbox);
  }

  std::vector<OutboxItem> Add(std::vector<OutboxItem> items) {
    EXPECT_TRUE(store_->Write([&](Db& db) { return outbox_->AddInTxn(db, items); }).ok());
    return items;
  }

  static OutboxItem Item(std::string target, int64_t next_ms) {
    OutboxItem item;
    item.target = std::move(target);
    item.rule_arn = "arn:aws:events:us-east-1:000000000000:rule/r";
    item.target_arn = "arn:aws:lambda:us-east-1:000000000000:function:f";
    item.payload = R"({"a":1})";
    item.created_ms = 1000;
    item.next_ms = next_ms;
    return item;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Outbox> outbox_;
};

TEST_F(OutboxTest, DueInOrderSkippingInFlight) {
  std::vector<OutboxItem> items = Add({Item("t1", 300), Item("t2", 100), Item("t3", 200)});
  ASSERT_GT(items[0].id, 0);
  auto due = outbox_->Due(250, 10, {});
  ASSERT_TRUE(due.ok()) << due.status();
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].target, "t2");
  EXPECT_EQ((*due)[1].target, "t3");
  EXPECT_EQ((*due)[0].payload, R"({"a":1})");
  EXPECT_EQ((*due)[0].original_event(), R"({"a":1})");
  // The one in flight is skipped; the limit holds.
  due = outbox_->Due(1000, 1, {items[1].id});
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].target, "t3");
  // The same read tells when the next item not in flight is due.
  std::optional<int64_t> next_due;
  due = outbox_->Due(250, 10, {items[1].id, items[2].id}, &next_due);
  ASSERT_TRUE(due.ok());
  EXPECT_TRUE(due->empty());
  EXPECT_EQ(next_due, 300);
  due = outbox_->Due(150, 10, {}, &next_due);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(next_due, 200);
  due = outbox_->Due(1000, 10, {}, &next_due);
  EXPECT_EQ(due->size(), 3u);
  EXPECT_FALSE(next_due.has_value());
  EXPECT_EQ(*outbox_->Count(), 3);
}

TEST_F(OutboxTest, UpdatesAndRemovalsPersistAcrossReopen) {
  OutboxItem item = Item("t", 0);
  item.event = R"({"id":"e"})";
  item.dead_letter_queue = "dlq";
  item = Add({item})[0];
  item.attempts = 3;
  item.function_attempts = 1;
  item.request_id = "r-1";
  item.next_ms = 5000;
  item.last_error_code = "THROTTLING";
  item.last_error_message = "Received 429 Too Many Requests";
  ASSERT_TRUE(store_->Write([&](Db& db) { return outbox_->UpdateInTxn(db, item); }).ok());
  OutboxItem gone = Add({Item("gone", 0)})[0];
  ASSERT_TRUE(store_->Write([&](Db& db) { return outbox_->RemoveInTxn(db, gone.id); }).ok());

  Open();  // as after a restart
  auto due = outbox_->Due(10000, 10, {});
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  const OutboxItem& got = (*due)[0];
  EXPECT_EQ(got.id, item.id);
  EXPECT_EQ(got.attempts, 3);
  EXPECT_EQ(got.function_attempts, 1);
  EXPECT_EQ(got.request_id, "r-1");
  EXPECT_EQ(got.next_ms, 5000);
  EXPECT_EQ(got.last_error_code, "THROTTLING");
  EXPECT_EQ(got.last_error_message, "Received 429 Too Many Requests");
  EXPECT_EQ(got.dead_letter_queue, "dlq");
  EXPECT_EQ(got.original_event(), R"({"id":"e"})");
  EXPECT_EQ(got.max_retry_attempts, 185);
  EXPECT_EQ(got.max_event_age_s, 86400);
  EXPECT_TRUE(outbox_->Due(4999, 10, {})->empty());
}

TEST_F(OutboxTest, WaitForWorkWakesAfterACommit) {
  std::thread waker([this] { Add({Item("t", 0)}); });
  outbox_->WaitForWork(base::Env::Default()->NowMillis() + 30'000);
  waker.join();
  EXPECT_EQ(*outbox_->Count(), 1);
  // A failed job adds nothing.
  absl::Status s = store_->Write([this](Db& db) -> absl::Status {
    std::vector<OutboxItem> items = {Item("rolled-back", 0)};
    if (auto s = outbox_->AddInTxn(db, items); !s.ok()) return s;
    return absl::InternalError("the caller's job fails");
  });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(*outbox_->Count(), 1);
}

}  // namespace
}  // namespace busbar::targets
