// Integration tests of the event log with queue messages that name its events instead of
// copying them: bodies arrive whole, redrive keeps the reference, Prune keeps what is still
// referenced, and a data directory from before the log moved (queues schema v1) upgrades.
#include "targets/event_log.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "targets/ids.h"
#include "targets/queues.h"
#include "tests/targets/temp_dir.h"
#include "tests/testing/fake_env.h"

namespace busbar::targets {
namespace {

using testing::TempDir;

class EventLogTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    StoreOptions so;
    so.data_dir = dir_.path();
    auto store = Store::Open(so);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    auto log = EventLog::Open(store_.get());
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
    QueuesOptions qo;
    qo.env = &clock_;
    auto queues = Queues::Open(store_.get(), qo);
    ASSERT_TRUE(queues.ok()) << queues.status();
    queues_ = std::move(*queues);
  }

  // Logs `body` at `received_ms` and delivers it by reference to `queues`; returns its seq.
  int64_t Put(const std::string& body, const std::vector<std::string>& queues,
              int64_t received_ms) {
    int64_t seq = 0;
    absl::Status s = store_->Write([&](Db& db) -> absl::Status {
      auto logged = log_->AppendInTxn(db, {"id-" + body, "default", received_ms, body});
      if (!logged.ok()) return logged.status();
      seq = *logged;
      std::vector<Delivery> deliveries;
      for (const std::string& q : queues) deliveries.push_back({q, body, seq});
      return queues_->EnqueueInTxn(db, deliveries);
    });
    EXPECT_TRUE(s.ok()) << s;
    return seq;
  }

  int64_t Scalar(const std::string& sql) {
    int64_t v = -1;
    EXPECT_TRUE(store_
                    ->Read([&](Db& db) -> absl::Status {
                      auto st = db.Prepare(sql);
                      if (!st.ok()) return st.status();
                      auto row = (*st)->Step();
                      if (!row.ok()) return row.status();
                      v = (*st)->Int(0);
                      (*st)->Reset();
                      return absl::OkStatus();
                    })
                    .ok());
    return v;
  }

  std::vector<Message> Receive(const std::string& queue) {
    ReceiveOptions o;
    o.max_number_of_messages = 10;
    o.visibility_timeout = 0;
    auto got = queues_->ReceiveMessages(queue, o);
    EXPECT_TRUE(got.ok()) << got.status();
    return got.ok() ? *got : std::vector<Message>();
  }

  TempDir dir_;
  busbar::testing::FakeEnv clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<Queues> queues_;
};

TEST_F(EventLogTest, MessagesNamingAnEventReceiveItsBodyStoredOnce) {
  ASSERT_TRUE(queues_->CreateQueue("a").ok());
  ASSERT_TRUE(queues_->CreateQueue("b").ok());
  const std::string body = R"({"version":"0","detail":{"n":1}})";
  Put(body, {"a", "b"}, clock_.NowMillis());
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM events"), 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM queue_messages WHERE body IS NULL"), 2);
  for (const char* q : {"a", "b"}) {
    auto got = Receive(q);
    ASSERT_EQ(got.size(), 1u) << q;
    EXPECT_EQ(got[0].body, body);
    EXPECT_EQ(got[0].md5_of_body, Md5Hex(body));
  }
  // Queues given a body of their own (SendMessage) still store it.
  ASSERT_TRUE(queues_->SendMessage("a", "plain").ok());
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM queue_messages WHERE body IS NOT NULL"), 1);
}

TEST_F(EventLogTest, RedriveKeepsTheReference) {
  ASSERT_TRUE(queues_->CreateQueue("dlq").ok());
  QueueAttributes a;
  a.redrive_policy = RedrivePolicy{queues_->QueueArn("dlq"), 1};
  ASSERT_TRUE(queues_->CreateQueue("q", a).ok());
  Put("{\"e\":1}", {"q"}, clock_.NowMillis());
  ASSERT_EQ(Receive("q").size(), 1u);  // receive count 1
  EXPECT_TRUE(Receive("q").empty());   // the second receive moves it
  auto moved = Receive("dlq");
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].body, "{\"e\":1}");
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM queue_messages WHERE body IS NULL"), 1);
}

TEST_F(EventLogTest, PruneKeepsYoungAndReferencedEvents) {
  ASSERT_TRUE(queues_->CreateQueue("q").ok());
  const int64_t t0 = clock_.NowMillis();
  Put("{\"old\":\"unreferenced\"}", {}, t0);
  Put("{\"old\":\"referenced\"}", {"q"}, t0 + 1);
  Put("{\"young\":1}", {}, t0 + 10'000);
  EXPECT_EQ(*log_->Count(), 3);

  // Cutoff between the old ones and the young one: only the unreferenced old one goes.
  auto pruned = log_->Prune(t0 + 5'000);
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  EXPECT_EQ(*pruned, 1);
  EXPECT_EQ(*log_->Count(), 2);

  // Once its message is deleted, the referenced one goes too.
  ReceiveOptions o;
  auto got = queues_->ReceiveMessages("q", o);
  ASSERT_TRUE(got.ok() && got->size() == 1u);
  EXPECT_EQ((*got)[0].body, "{\"old\":\"referenced\"}");
  ASSERT_TRUE(queues_->DeleteMessage("q", (*got)[0].receipt_handle).ok());
  EXPECT_EQ(*log_->Prune(t0 + 5'000), 1);
  EXPECT_EQ(*log_->Count(), 1);
  // The limit bounds one call.
  for (int i = 0; i < 5; ++i) Put("{\"batch\":" + std::to_string(i) + "}", {}, t0 + 20'000 + i);
  EXPECT_EQ(*log_->Prune(t0 + 30'000, 2), 2);
  EXPECT_EQ(*log_->Prune(t0 + 30'000, 100), 4);
  EXPECT_EQ(*log_->Count(), 0);
  EXPECT_EQ(*log_->Prune(t0 + 30'000), 0);  // empty log
}

TEST(EventLogUpgradeTest, QueuesSchemaV1UpgradesWithItsMessages) {
  TempDir dir;
  {
    // The layout written before the log moved to targets/: queues v1 kept every body and its
    // MD5; the bus's events table had the same columns as the log's v1.
    StoreOptions so;
    so.data_dir = dir.path();
    auto store = Store::Open(so);
    ASSERT_TRUE(store.ok()) << store.status();
    absl::Status s = (*store)->Write([](Db& db) {
      return db.Exec(R"sql(
CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, bus TEXT NOT NULL,
  received_ms INTEGER NOT NULL, body TEXT NOT NULL);
CREATE TABLE queues(queue_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
  visibility_timeout INTEGER NOT NULL, retention_period INTEGER NOT NULL,
  receive_wait INTEGER NOT NULL, dlq_arn TEXT, max_receive_count INTEGER,
  created_ms INTEGER NOT NULL);
CREATE TABLE queue_messages(seq INTEGER PRIMARY KEY,
  queue_id INTEGER NOT NULL REFERENCES queues(queue_id) ON DELETE CASCADE,
  message_id TEXT NOT NULL, body TEXT NOT NULL, md5 TEXT NOT NULL, sent_ms INTEGER NOT NULL,
  visible_at_ms INTEGER NOT NULL, receive_count INTEGER NOT NULL DEFAULT 0,
  first_receive_ms INTEGER, receipt TEXT);
CREATE INDEX queue_messages_visible ON queue_messages(queue_id, visible_at_ms);
CREATE INDEX queue_messages_sent ON queue_messages(queue_id, sent_ms);
INSERT INTO schema_version VALUES('events', 1), ('queues', 1);
INSERT INTO queues VALUES(1, 'q', 30, 345600, 0, NULL, NULL, 1700000000000);
INSERT INTO queue_messages(queue_id, message_id, body, md5, sent_ms, visible_at_ms)
  VALUES(1, 'm-1', '{"kept":true}', 'x', 1700000000000, 1700000000000);
)sql");
    });
    ASSERT_TRUE(s.ok()) << s;
  }
  StoreOptions so;
  so.data_dir = dir.path();
  auto store = Store::Open(so);
  ASSERT_TRUE(store.ok()) << store.status();
  busbar::testing::FakeEnv clock;
  QueuesOptions qo;
  qo.env = &clock;
  auto queues = Queues::Open(store->get(), qo);
  ASSERT_TRUE(queues.ok()) << queues.status();
  auto got = (*queues)->ReceiveMessages("q", {});
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].message_id, "m-1");
  EXPECT_EQ((*got)[0].body, "{\"kept\":true}");
  EXPECT_EQ((*got)[0].md5_of_body, Md5Hex("{\"kept\":true}"));
}

}  // namespace
}  // namespace busbar::targets
