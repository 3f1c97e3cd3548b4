// Test fixture (header-only) for the daemon's rules, targets, buses and schemas API: a
// real daemon on 127.0.0.1:0 with a temporary data directory and a rule file
// declaring the bus "orders", the queues q1, q2 and dlq, and two rules, with
// stubs for every service and helpers for the calls the tests repeat.
// Thread-compatible.
#pragma once

#include <grpcpp/grpcpp.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bus/server/daemon.h"
#include "busbar/v1/buses.grpc.pb.h"
#include "busbar/v1/events.grpc.pb.h"
#include "busbar/v1/queues.grpc.pb.h"
#include "busbar/v1/rules.grpc.pb.h"
#include "busbar/v1/schemas.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/targets/temp_dir.h"

namespace busbar::bus::testing {

namespace v1 = ::busbar::v1;

inline constexpr char kQueueArn[] = "arn:aws:sqs:us-east-1:000000000000:";

// "file-rule" is declared at line 9, column 11; the bus "orders" at 2:11.
inline constexpr char kFileRules[] = R"(EventBuses:
  - Name: orders
Queues:
  - Name: q1
  - Name: q2
  - Name: dlq
Rules:
  - EventPattern: {"source": ["file"]}
    Name: file-rule
    Targets:
      - Id: t1
        Arn: arn:aws:sqs:us-east-1:000000000000:q1
  - Name: file-orders
    EventBusName: orders
    EventPattern: {"source": ["file"]}
)";

// Runs one unary call with a fresh context.
template <typename Stub, typename Req, typename Resp>
grpc::Status Rpc(Stub* stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                 const Req& req, Resp* resp) {
  grpc::ClientContext ctx;
  return (stub->*method)(&ctx, req, resp);
}

// Expects `s` to have `code` and a message containing `text`.
#define EXPECT_RPC_ERROR(s, code, text)                                                 \
  do {                                                                                  \
    const grpc::Status status_ = (s);                                                   \
    EXPECT_EQ(status_.error_code(), grpc::StatusCode::code) << status_.error_message(); \
    EXPECT_NE(status_.error_message().find(text), std::string::npos)                    \
        << "message: " << status_.error_message();                                      \
  } while (0)

#define ASSERT_RPC_OK(s)                                  \
  do {                                                    \
    const grpc::Status status_ = (s);                     \
    ASSERT_TRUE(status_.ok()) << status_.error_message(); \
  } while (0)

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rules_path_ = dir_.path() + "/rules.yaml";
    WriteRules(kFileRules);
    options_.listen = "127.0.0.1:0";
    options_.data_dir = dir_.path() + "/data";
    options_.config_files = {rules_path_};
    options_.fsync = targets::FsyncPolicy::kOff;  // tests don't pull the plug
    Start();
  }

  void WriteRules(const std::string& text) { std::ofstream(rules_path_) << text; }

  // Starts a daemon on options_ (stopping the running one first).
  absl::Status TryStart() {
    daemon_.reset();
    auto d = Daemon::Start(options_);
    if (!d.ok()) return d.status();
    daemon_ = std::move(*d);
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(daemon_->port()),
                                       grpc::InsecureChannelCredentials());
    events_ = v1::EventsService::NewStub(channel);
    queues_ = v1::QueuesService::NewStub(channel);
    rules_ = v1::RulesService::NewStub(channel);
    buses_ = v1::BusesService::NewStub(channel);
    schemas_ = v1::SchemasService::NewStub(channel);
    return absl::OkStatus();
  }
  void Start() {
    absl::Status s = TryStart();
    ASSERT_TRUE(s.ok()) << s;
  }

  grpc::Status PutRule(const std::string& name, const std::string& pattern,
                       const std::string& bus = "",
                       v1::RuleState state = v1::RULE_STATE_UNSPECIFIED,
                       const std::string& description = "", std::string* arn = nullptr) {
    v1::PutRuleRequest req;
    req.set_name(name);
    req.set_event_pattern(pattern);
    req.set_event_bus_name(bus);
    req.set_state(state);
    req.set_description(description);
    v1::PutRuleResponse resp;
    grpc::Status s = Rpc(rules_.get(), &v1::RulesService::Stub::PutRule, req, &resp);
    if (arn != nullptr) *arn = resp.rule_arn();
    return s;
  }

  grpc::Status DeleteRule(const std::string& name, const std::string& bus = "") {
    v1::DeleteRuleRequest req;
    req.set_name(name);
    req.set_event_bus_name(bus);
    v1::DeleteRuleResponse resp;
    return Rpc(rules_.get(), &v1::RulesService::Stub::DeleteRule, req, &resp);
  }

  grpc::Status SetEnabled(bool enabled, const std::string& name, const std::string& bus = "") {
    if (enabled) {
      v1::EnableRuleRequest req;
      req.set_name(name);
      req.set_event_bus_name(bus);
      v1::EnableRuleResponse resp;
      return Rpc(rules_.get(), &v1::RulesService::Stub::EnableRule, req, &resp);
    }
    v1::DisableRuleRequest req;
    req.set_name(name);
    req.set_event_bus_name(bus);
    v1::DisableRuleResponse resp;
    return Rpc(rules_.get(), &v1::RulesService::Stub::DisableRule, req, &resp);
  }

  grpc::Status Describe(const std::string& name, const std::string& bus, v1::Rule* rule) {
    v1::DescribeRuleRequest req;
    req.set_name(name);
    req.set_event_bus_name(bus);
    v1::DescribeRuleResponse resp;
    grpc::Status s = Rpc(rules_.get(), &v1::RulesService::Stub::DescribeRule, req, &resp);
    *rule = resp.rule();
    return s;
  }

  static v1::Target QueueTarget(const std::string& id, const std::string& queue) {
    v1::Target t;
    t.set_id(id);
    t.set_arn(kQueueArn + queue);
    return t;
  }

  grpc::Status PutTargets(const std::string& rule, const std::vector<v1::Target>& targets,
                          v1::PutTargetsResponse* resp, const std::string& bus = "") {
    v1::PutTargetsRequest req;
    req.set_rule(rule);
    req.set_event_bus_name(bus);
    for (const auto& t : targets) *req.add_targets() = t;
    return Rpc(rules_.get(), &v1::RulesService::Stub::PutTargets, req, resp);
  }
  // PutTargets that must store every target.
  void MustPutTargets(const std::string& rule, const std::vector<v1::Target>& targets,
                      const std::string& bus = "") {
    v1::PutTargetsResponse resp;
    ASSERT_RPC_OK(PutTargets(rule, targets, &resp, bus));
    ASSERT_EQ(resp.failed_entry_count(), 0) << resp.DebugString();
  }

  grpc::Status RemoveTargets(const std::string& rule, const std::vector<std::string>& ids,
                             v1::RemoveTargetsResponse* resp, const std::string& bus = "") {
    v1::RemoveTargetsRequest req;
    req.set_rule(rule);
    req.set_event_bus_name(bus);
    for (const auto& id : ids) req.add_ids(id);
    return Rpc(rules_.get(), &v1::RulesService::Stub::RemoveTargets, req, resp);
  }

  grpc::Status ListTargets(const std::string& rule, const std::string& bus,
                           v1::ListTargetsByRuleResponse* resp, int limit = 0,
                           const std::string& token = "") {
    v1::ListTargetsByRuleRequest req;
    req.set_rule(rule);
    req.set_event_bus_name(bus);
    req.set_limit(limit);
    req.set_next_token(token);
    return Rpc(rules_.get(), &v1::RulesService::Stub::ListTargetsByRule, req, resp);
  }

  grpc::Status ListRules(const std::string& bus, v1::ListRulesResponse* resp,
                         const std::string& prefix = "", int limit = 0,
                         const std::string& token = "") {
    v1::ListRulesRequest req;
    req.set_event_bus_name(bus);
    req.set_name_prefix(prefix);
    req.set_limit(limit);
    req.set_next_token(token);
    return Rpc(rules_.get(), &v1::RulesService::Stub::ListRules, req, resp);
  }

  // The names of every rule of the bus, following next_token.
  std::vector<std::string> AllRuleNames(const std::string& bus, int limit = 0) {
    std::vector<std::string> names;
    std::string token;
    do {
      v1::ListRulesResponse resp;
      grpc::Status s = ListRules(bus, &resp, "", limit, token);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      for (const auto& r : resp.rules()) names.push_back(r.name());
      token = resp.next_token();
    } while (!token.empty());
    return names;
  }

  grpc::Status CreateBus(const std::string& name, const std::string& description = "",
                         std::string* arn = nullptr) {
    v1::CreateEventBusRequest req;
    req.set_name(name);
    req.set_description(description);
    v1::CreateEventBusResponse resp;
    grpc::Status s = Rpc(buses_.get(), &v1::BusesService::Stub::CreateEventBus, req, &resp);
    if (arn != nullptr) *arn = resp.event_bus_arn();
    return s;
  }

  grpc::Status DeleteBus(const std::string& name) {
    v1::DeleteEventBusRequest req;
    req.set_name(name);
    v1::DeleteEventBusResponse resp;
    return Rpc(buses_.get(), &v1::BusesService::Stub::DeleteEventBus, req, &resp);
  }

  grpc::Status DescribeBus(const std::string& name, v1::EventBus* bus) {
    v1::DescribeEventBusRequest req;
    req.set_name(name);
    v1::DescribeEventBusResponse resp;
    grpc::Status s = Rpc(buses_.get(), &v1::BusesService::Stub::DescribeEventBus, req, &resp);
    *bus = resp.event_bus();
    return s;
  }

  grpc::Status ListBuses(v1::ListEventBusesResponse* resp, const std::string& prefix = "",
                         int limit = 0, const std::string& token = "") {
    v1::ListEventBusesRequest req;
    req.set_name_prefix(prefix);
    req.set_limit(limit);
    req.set_next_token(token);
    return Rpc(buses_.get(), &v1::BusesService::Stub::ListEventBuses, req, resp);
  }

  // Puts one event of `source` on `bus`; expects it accepted.
  void PutEvent(const std::string& source, const std::string& bus = "") {
    v1::PutEventsRequest req;
    auto* e = req.add_entries();
    e->set_source(source);
    e->set_detail_type("Test");
    e->set_detail("{}");
    e->set_event_bus_name(bus);
    v1::PutEventsResponse resp;
    grpc::Status s = Rpc(events_.get(), &v1::EventsService::Stub::PutEvents, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(resp.failed_entry_count(), 0) << resp.DebugString();
  }

  // Up to 10 messages of `queue` with their message attributes, waiting up to `wait_seconds`
  // for one; each is deleted once received.
  std::vector<v1::Message> ReceiveAndDelete(const std::string& queue, int wait_seconds = 0) {
    v1::ReceiveMessageRequest req;
    req.set_queue_name(queue);
    req.set_max_number_of_messages(10);
    req.set_wait_time_seconds(wait_seconds);
    req.add_message_attribute_names("All");
    v1::ReceiveMessageResponse resp;
    grpc::Status s = Rpc(queues_.get(), &v1::QueuesService::Stub::ReceiveMessage, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<v1::Message> got(resp.messages().begin(), resp.messages().end());
    for (const v1::Message& m : got) {
      v1::DeleteMessageRequest d;
      d.set_queue_name(queue);
      d.set_receipt_handle(m.receipt_handle());
      v1::DeleteMessageResponse dr;
      EXPECT_TRUE(Rpc(queues_.get(), &v1::QueuesService::Stub::DeleteMessage, d, &dr).ok());
    }
    return got;
  }

  // Every message now in `queue` (received and deleted).
  std::vector<std::string> Drain(const std::string& queue) {
    std::vector<std::string> bodies;
    while (true) {
      std::vector<v1::Message> got = ReceiveAndDelete(queue);
      if (got.empty()) return bodies;
      for (const v1::Message& m : got) bodies.push_back(m.body());
    }
  }

  targets::testing::TempDir dir_;
  std::string rules_path_;
  DaemonOptions options_;
  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<v1::EventsService::Stub> events_;
  std::unique_ptr<v1::QueuesService::Stub> queues_;
  std::unique_ptr<v1::RulesService::Stub> rules_;
  std::unique_ptr<v1::BusesService::Stub> buses_;
  std::unique_ptr<v1::SchemasService::Stub> schemas_;
};

}  // namespace busbar::bus::testing
