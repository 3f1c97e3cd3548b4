// The daemon against a real gRPC server on 127.0.0.1:0 with a temporary data
// directory and a real rule file: PutEvents end to end, per-entry and request
// errors, queues, restart persistence and reload.
#include "bus/server/daemon.h"

#include <grpcpp/grpcpp.h>

#include <fstream>
#include <set>

#include "busbar/v1/events.grpc.pb.h"
#include "busbar/v1/queues.grpc.pb.h"
#include "busbar/v1/rules.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/targets/temp_dir.h"

namespace busbar::bus {
namespace {

namespace v1 = ::busbar::v1;
using targets::testing::TempDir;

constexpr char kRules[] = R"(EventBuses:
  - Name: orders
Queues:
  - Name: all
  - Name: big
Rules:
  - Name: all-orders
    EventBusName: orders
    EventPattern: {"source": ["shop"]}
    Targets:
      - Id: q
        Arn: arn:aws:sqs:us-east-1:000000000000:all
  - Name: big-orders
    EventBusName: orders
    EventPattern: {"source": ["shop"], "detail": {"total": [{"numeric": [">", 1000]}]}}
    Targets:
      - Id: q
        Arn: arn:aws:sqs:us-east-1:000000000000:big
)";

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rules_path_ = dir_.path() + "/rules.yaml";
    std::ofstream(rules_path_) << kRules;
    StartDaemon();
  }

  void StartDaemon() {
    DaemonOptions o;
    o.listen = "127.0.0.1:0";
    o.data_dir = dir_.path() + "/data";
    o.config_files = {rules_path_};
    auto d = Daemon::Start(o);
    ASSERT_TRUE(d.ok()) << d.status();
    daemon_ = std::move(*d);
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(daemon_->port()),
                                       grpc::InsecureChannelCredentials());
    events_ = v1::EventsService::NewStub(channel);
    queues_ = v1::QueuesService::NewStub(channel);
    rules_ = v1::RulesService::NewStub(channel);
  }

  static v1::PutEventsRequestEntry Entry(const std::string& detail,
                                         const std::string& bus = "orders") {
    v1::PutEventsRequestEntry e;
    e.set_source("shop");
    e.set_detail_type("OrderPlaced");
    e.set_detail(detail);
    e.set_event_bus_name(bus);
    return e;
  }

  grpc::Status Put(const std::vector<v1::PutEventsRequestEntry>& entries,
                   v1::PutEventsResponse* r) {
    v1::PutEventsRequest req;
    for (const auto& e : entries) *req.add_entries() = e;
    grpc::ClientContext ctx;
    return events_->PutEvents(&ctx, req, r);
  }

  std::vector<v1::Message> Receive(const std::string& queue, int wait = 0) {
    std::vector<v1::Message> out;
    while (true) {
      v1::ReceiveMessageRequest req;
      req.set_queue_name(queue);
      req.set_max_number_of_messages(10);
      req.set_wait_time_seconds(wait);
      v1::ReceiveMessageResponse resp;
      grpc::ClientContext ctx;
      grpc::Status s = queues_->ReceiveMessage(&ctx, req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok() || resp.messages_size() == 0) return out;
      for (const auto& m : resp.messages()) out.push_back(m);
      wait = 0;
    }
  }

  TempDir dir_;
  std::string rules_path_;
  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<v1::EventsService::Stub> events_;
  std::unique_ptr<v1::QueuesService::Stub> queues_;
  std::unique_ptr<v1::RulesService::Stub> rules_;
};

TEST_F(DaemonTest, PutEventsDeliversMatchesToQueues) {
  v1::PutEventsResponse r;
  ASSERT_TRUE(Put({Entry(R"({"total":1500})"), Entry(R"({"total":5})")}, &r).ok());
  EXPECT_EQ(r.failed_entry_count(), 0);
  ASSERT_EQ(r.entries_size(), 2);
  auto all = Receive("all");
  auto big = Receive("big");
  ASSERT_EQ(all.size(), 2u);
  ASSERT_EQ(big.size(), 1u);
  EXPECT_NE(big[0].body().find(r.entries(0).event_id()), std::string::npos);
  EXPECT_NE(big[0].body().find(R"("detail":{"total":1500})"), std::string::npos);
  EXPECT_NE(big[0].body().find(R"("version":"0")"), std::string::npos);
}

TEST_F(DaemonTest, BadEntriesFailAloneInRequestOrder) {
  v1::PutEventsRequestEntry no_source = Entry("{}");
  no_source.clear_source();
  v1::PutEventsResponse r;
  ASSERT_TRUE(Put({Entry("{}"), Entry("{not json"), no_source, Entry("{}", "missing-bus"),
                   Entry("[1]"), Entry(R"({"total":2000})")},
                  &r)
                  .ok());
  ASSERT_EQ(r.entries_size(), 6);
  EXPECT_EQ(r.failed_entry_count(), 4);
  EXPECT_FALSE(r.entries(0).event_id().empty());
  EXPECT_EQ(r.entries(1).error_code(), "MalformedDetail");
  EXPECT_EQ(r.entries(2).error_code(), "InvalidArgument");
  EXPECT_EQ(r.entries(3).error_code(), "ResourceNotFoundException");
  EXPECT_EQ(r.entries(4).error_code(), "MalformedDetail");
  EXPECT_FALSE(r.entries(5).event_id().empty());
  EXPECT_EQ(Receive("all").size(), 2u);
}

TEST_F(DaemonTest, TooDeepDetailFailsItsEntryOnly) {
  const std::string deep =
      "{\"a\":" + std::string(2100, '[') + std::string(2100, ']') + "}";  // over 2000 levels
  v1::PutEventsResponse r;
  ASSERT_TRUE(Put({Entry(deep), Entry("{}")}, &r).ok());
  ASSERT_EQ(r.entries_size(), 2);
  EXPECT_EQ(r.failed_entry_count(), 1);
  EXPECT_EQ(r.entries(0).error_code(), "MalformedDetail");
  EXPECT_NE(r.entries(0).error_message().find("deep"), std::string::npos)
      << r.entries(0).error_message();
  EXPECT_FALSE(r.entries(1).event_id().empty());
  EXPECT_EQ(Receive("all").size(), 1u);
}

TEST_F(DaemonTest, RequestErrors) {
  v1::PutEventsResponse r;
  std::vector<v1::PutEventsRequestEntry> eleven(11, Entry("{}"));
  grpc::Status s = Put(eleven, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("11 entries"), std::string::npos);
  s = Put({Entry("{\"x\":\"" + std::string(300 * 1024, 'x') + "\"}")}, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("over the limit"), std::string::npos);
  s = Put({}, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // The daemon is still up and nothing was stored.
  ASSERT_TRUE(Put({Entry("{}")}, &r).ok());
  EXPECT_EQ(Receive("all").size(), 1u);
}

TEST_F(DaemonTest, AcknowledgedEventsSurviveARestart) {
  v1::PutEventsResponse r;
  ASSERT_TRUE(Put({Entry(R"({"total":1})"), Entry(R"({"total":2})")}, &r).ok());
  daemon_.reset();
  StartDaemon();
  std::set<std::string> bodies;
  for (const auto& m : Receive("all")) bodies.insert(m.body());
  EXPECT_EQ(bodies.size(), 2u);
}

TEST_F(DaemonTest, InvalidReloadKeepsTheRunningRules) {
  std::ofstream(rules_path_) << "Rules:\n  - Name: broken\n    EventPattern: {\"a\": 1}\n";
  absl::Status s = daemon_->Reload();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("rules.yaml:3"), absl::string_view::npos) << s;
  v1::PutEventsResponse r;
  ASSERT_TRUE(Put({Entry(R"({"total":1500})")}, &r).ok());
  EXPECT_EQ(Receive("big").size(), 1u);
}

TEST_F(DaemonTest, ReceiveWaitsForAMessage) {
  std::thread producer([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    v1::PutEventsResponse r;
    EXPECT_TRUE(Put({Entry("{}")}, &r).ok());
  });
  auto got = Receive("all", /*wait=*/5);
  producer.join();
  EXPECT_EQ(got.size(), 1u);
}

TEST_F(DaemonTest, CreateAndDeleteQueuesOverTheApi) {
  v1::CreateQueueRequest create;
  create.set_queue_name("made-by-api");
  (*create.mutable_attributes())["VisibilityTimeout"] = "45";
  v1::CreateQueueResponse created;
  {
    grpc::ClientContext ctx;
    grpc::Status s = queues_->CreateQueue(&ctx, create, &created);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_NE(created.queue_url().find("/made-by-api"), std::string::npos);
  v1::GetQueueAttributesRequest get;
  get.set_queue_url(created.queue_url());
  get.add_attribute_names("VisibilityTimeout");
  v1::GetQueueAttributesResponse attrs;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(queues_->GetQueueAttributes(&ctx, get, &attrs).ok());
  }
  EXPECT_EQ(attrs.attributes().at("VisibilityTimeout"), "45");

  (*create.mutable_attributes())["VisibilityTimeout"] = "soon";
  create.set_queue_name("bad");
  {
    grpc::ClientContext ctx;
    grpc::Status s = queues_->CreateQueue(&ctx, create, &created);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(s.error_message().find("VisibilityTimeout"), std::string::npos);
  }
  (*create.mutable_attributes())["VisibilityTimeout"] = "50000";
  {
    grpc::ClientContext ctx;
    grpc::Status s = queues_->CreateQueue(&ctx, create, &created);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(s.error_message().find("VisibilityTimeout"), std::string::npos);
  }
  v1::DeleteQueueRequest del;
  del.set_queue_name("made-by-api");
  v1::DeleteQueueResponse deleted;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(queues_->DeleteQueue(&ctx, del, &deleted).ok());
  }
  {
    grpc::ClientContext ctx;
    grpc::Status s = queues_->GetQueueAttributes(&ctx, get, &attrs);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  }
}

TEST_F(DaemonTest, TestEventPatternAnswers) {
  v1::TestEventPatternRequest req;
  req.set_event_pattern(R"({"source":["shop"]})");
  req.set_event(R"({"source":"shop"})");
  v1::TestEventPatternResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(events_->TestEventPattern(&ctx, req, &resp).ok());
  EXPECT_TRUE(resp.result());
  req.set_event_pattern(R"({"source":"shop"})");
  grpc::ClientContext ctx2;
  grpc::Status s = events_->TestEventPattern(&ctx2, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("Event pattern is not valid"), std::string::npos);
}

}  // namespace
}  // namespace busbar::bus
