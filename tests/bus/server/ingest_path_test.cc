// The daemon's write path beyond the API: a deleted target queue fails the delivery (counted)
// but not the event, and the maintenance thread prunes the event log while keeping the events
// queue messages still name.
#include <chrono>
#include <thread>

#include "targets/sqlite.h"
#include "tests/bus/server/api_fixture.h"

namespace busbar::bus::testing {
namespace {

class IngestPathTest : public ApiTest {
 protected:
  // Events in the log, read from the data directory's file.
  int64_t LoggedEvents() {
    targets::DbOptions o;
    o.read_only = true;
    auto db = targets::Db::Open(options_.data_dir + "/busbar.db", o);
    EXPECT_TRUE(db.ok()) << db.status();
    if (!db.ok()) return -1;
    auto st = (*db)->Prepare("SELECT COUNT(*) FROM events");
    EXPECT_TRUE(st.ok()) << st.status();
    if (!st.ok()) return -1;
    auto row = (*st)->Step();
    EXPECT_TRUE(row.ok() && *row);
    int64_t n = (*st)->Int(0);
    (*st)->Reset();
    return n;
  }

  // Waits up to 10 s for LoggedEvents() == want.
  bool WaitForLoggedEvents(int64_t want) {
    for (int i = 0; i < 200; ++i) {
      if (LoggedEvents() == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  grpc::Status DeleteQueue(const std::string& name) {
    v1::DeleteQueueRequest req;
    req.set_queue_name(name);
    v1::DeleteQueueResponse resp;
    return Rpc(queues_.get(), &v1::QueuesService::Stub::DeleteQueue, req, &resp);
  }
};

TEST_F(IngestPathTest, ADeletedTargetQueueFailsTheDeliveryNotTheEvent) {
  ASSERT_TRUE(PutRule("both", R"({"source": ["two"]})").ok());
  MustPutTargets("both", {QueueTarget("a", "q1"), QueueTarget("b", "q2")});
  ASSERT_TRUE(DeleteQueue("q1").ok());
  PutEvent("two");  // accepted: asserts FailedEntryCount 0
  EXPECT_EQ(Drain("q2").size(), 1u);
  EXPECT_EQ(daemon_->failed_invocations(), 1u);
  PutEvent("two");
  EXPECT_EQ(Drain("q2").size(), 1u);
  EXPECT_EQ(daemon_->failed_invocations(), 2u);
}

TEST_F(IngestPathTest, MaintenancePrunesTheLogButKeepsReferencedEvents) {
  options_.event_log_retention_s = 0;
  options_.maintenance_interval_ms = 50;
  Start();
  PutEvent("file");     // file-rule sends it to q1
  PutEvent("nothing");  // matches no rule
  // The unmatched event goes; the one q1 still holds stays and arrives whole.
  EXPECT_TRUE(WaitForLoggedEvents(1)) << LoggedEvents();
  std::vector<std::string> got = Drain("q1");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_NE(got[0].find(R"("source":"file")"), std::string::npos) << got[0];
  EXPECT_TRUE(WaitForLoggedEvents(0)) << LoggedEvents();
}

TEST_F(IngestPathTest, DefaultRetentionKeepsTheLog) {
  options_.maintenance_interval_ms = 50;
  Start();
  PutEvent("nothing");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // several rounds
  EXPECT_EQ(LoggedEvents(), 1);
}

}  // namespace
}  // namespace busbar::bus::testing
