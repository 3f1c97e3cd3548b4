// A disk that fails under PutEvents (a fault-injection Env whose fdatasync fails): the callers
// get a retryable per-entry error (InternalFailure), the daemon reports the failure once
// (DaemonOptions::on_fatal_error; `busbar serve` then stops and exits 1), nothing more is
// acknowledged, and after a restart every acknowledged event is delivered.
#include <atomic>
#include <set>
#include <string>

#include "bus/server/daemon.h"
#include "tests/bus/server/api_fixture.h"
#include "tests/testing/fake_env.h"

namespace busbar::bus::testing {
namespace {

class FsyncFailureTest : public ApiTest {
 protected:
  // Puts `n` events of source "file" (the rule file sends them to q1) in one request.
  v1::PutEventsResponse Put(int n) {
    v1::PutEventsRequest req;
    for (int i = 0; i < n; ++i) {
      auto* e = req.add_entries();
      e->set_source("file");
      e->set_detail_type("Test");
      e->set_detail(absl::StrCat("{\"n\":", i, "}"));
    }
    v1::PutEventsResponse resp;
    grpc::Status s = Rpc(events_.get(), &v1::EventsService::Stub::PutEvents, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  // The daemon may call the Env until it stops: stop it before env_ goes.
  void TearDown() override { daemon_.reset(); }

  busbar::testing::FaultInjectionEnv env_;
  std::atomic<int> fatal_calls_{0};
};

TEST_F(FsyncFailureTest, CallersGetInternalFailureAndAcknowledgedEventsSurvive) {
  options_.fsync = targets::FsyncPolicy::kEveryBatch;
  options_.env = &env_;
  options_.on_fatal_error = [this](const absl::Status&) { ++fatal_calls_; };
  Start();

  std::set<std::string> acknowledged;
  for (int round = 0; round < 3; ++round) {
    v1::PutEventsResponse ok = Put(4);
    ASSERT_EQ(ok.failed_entry_count(), 0) << ok.DebugString();
    for (const auto& e : ok.entries()) acknowledged.insert(e.event_id());
  }
  ASSERT_EQ(acknowledged.size(), 12u);
  EXPECT_GT(env_.syncs(), 0);

  env_.FailSyncs(absl::InternalError("fsync of busbar.db-wal failed: Input/output error"));
  v1::PutEventsResponse failed = Put(3);
  EXPECT_EQ(failed.failed_entry_count(), 3);
  for (const auto& e : failed.entries()) {
    EXPECT_EQ(e.error_code(), "InternalFailure");
    EXPECT_NE(e.error_message().find("failed fsync"), std::string::npos) << e.error_message();
    EXPECT_TRUE(e.event_id().empty());
  }
  EXPECT_EQ(fatal_calls_.load(), 1);
  // Still refused after the disk "heals": the store does not trust the WAL again until a restart.
  env_.FailSyncs(absl::OkStatus());
  v1::PutEventsResponse after = Put(1);
  EXPECT_EQ(after.failed_entry_count(), 1);
  EXPECT_EQ(fatal_calls_.load(), 1);

  // The restart: every acknowledged event reaches its queue (the failed ones may too: at least
  // once, and their producers were told to retry).
  options_.env = nullptr;
  options_.on_fatal_error = nullptr;
  Start();
  std::set<std::string> received;
  for (const std::string& body : Drain("q1")) {
    const size_t at = body.find("\"id\":\"");
    ASSERT_NE(at, std::string::npos) << body;
    received.insert(body.substr(at + 6, body.find('"', at + 6) - at - 6));
  }
  for (const std::string& id : acknowledged) EXPECT_TRUE(received.count(id)) << id;
  v1::PutEventsResponse again = Put(2);
  EXPECT_EQ(again.failed_entry_count(), 0) << again.DebugString();
}

}  // namespace
}  // namespace busbar::bus::testing
