// e2e: pending HTTP retries survive a restart, and what reached a dead-letter queue is never
// delivered again. A real `busbar serve` process delivers every event to two API destination
// targets on an HTTP server in this process, which answers 500 at first: "patient" (185 retries)
// keeps retrying, "hasty" (no retries) sends each event to its dead-letter queue at once. Once
// hasty's queue holds every event, the daemon is stopped (kill -9, or SIGTERM) while patient's
// events wait for their next try; the server then answers 200 and the daemon restarts on the
// same data directory. Every event must reach patient (at least once), hasty must get no
// request after the restart, and its dead-letter queue must still hold exactly one message per
// event.
//
// Usage (ctest passes it): retry_restart_test BUSBAR_BINARY [gtest flags]
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "busbar/v1/events.grpc.pb.h"
#include "busbar/v1/queues.grpc.pb.h"
#include "busbar/v1/rules.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/targets/temp_dir.h"
#include "tests/testing/daemon_process.h"
#include "tests/testing/recording_http_server.h"

namespace {

namespace v1 = ::busbar::v1;
using ::busbar::testing::RecordedRequest;
using ::busbar::testing::RecordingHttpServer;
using ::busbar::testing::Reply;

std::string g_busbar;  // the binary under test (argv[1])

constexpr int kEvents = 20;
constexpr absl::Duration kWait = absl::Seconds(60);  // generous: shared 2-core machine

constexpr char kRules[] = R"(Queues:
  - Name: patient-dlq
  - Name: hasty-dlq
Connections:
  - Name: conn
    AuthorizationType: API_KEY
    AuthParameters:
      ApiKeyAuthParameters: {ApiKeyName: x-api-key, ApiKeyValue: k}
ApiDestinations:
  - Name: patient
    ConnectionArn: arn:aws:events:us-east-1:000000000000:connection/conn
    InvocationEndpoint: BASE/patient
    HttpMethod: POST
  - Name: hasty
    ConnectionArn: arn:aws:events:us-east-1:000000000000:connection/conn
    InvocationEndpoint: BASE/hasty
    HttpMethod: POST
Rules:
  - Name: both
    EventPattern: {"source": ["restart"]}
    Targets:
      - Id: patient
        Arn: arn:aws:events:us-east-1:000000000000:api-destination/patient
        RetryPolicy: {MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 3600}
        DeadLetterConfig: {Arn: "arn:aws:sqs:us-east-1:000000000000:patient-dlq"}
      - Id: hasty
        Arn: arn:aws:events:us-east-1:000000000000:api-destination/hasty
        RetryPolicy: {MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 3600}
        DeadLetterConfig: {Arn: "arn:aws:sqs:us-east-1:000000000000:hasty-dlq"}
)";

template <typename Pred>
bool WaitUntil(Pred pred, absl::Duration timeout = kWait) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!pred()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

// The event id of an event envelope.
std::string IdOf(const std::string& body) {
  size_t at = body.find("\"id\":\"");
  return at == std::string::npos ? "" : body.substr(at + 6, 36);
}

std::set<std::string> IdsOf(const std::vector<RecordedRequest>& requests, int status) {
  std::set<std::string> ids;
  for (const RecordedRequest& r : requests) {
    if (status == 0 || r.status == status) ids.insert(IdOf(r.body));
  }
  return ids;
}

class RetryRestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(g_busbar.empty()) << "usage: retry_restart_test BUSBAR_BINARY";
    rules_ = dir_.path() + "/rules.yaml";
    std::ofstream(rules_) << absl::StrReplaceAll(kRules, {{"BASE", server_.base_url()}});
    listen_ = absl::StrCat("127.0.0.1:", busbar::testing::FreeLoopbackPort());
    auto answer = [this](const RecordedRequest&, int) {
      return healthy_.load() ? Reply::Status(200) : Reply::Status(500, "not yet");
    };
    server_.Route("/patient", answer);
    server_.Route("/hasty", answer);
  }

  void TearDown() override {
    if (pid_ > 0) Stop(SIGKILL);
  }

  // Starts `busbar serve` (fsync on: the default) and waits until it answers.
  void StartDaemon() {
    pid_ = busbar::testing::StartServe(g_busbar, listen_, dir_.path() + "/data", rules_,
                                       {"--retry-base-ms", "200", "--retry-max-delay-ms", "1000"},
                                       dir_.path() + "/serve.log");
    ASSERT_GT(pid_, 0);
    // A channel that connects while the daemon is still starting gets its first answer only
    // seconds later (gRPC's reconnect backoff and handshake timeout), so connect once the
    // daemon says it serves: its log's (serves_ + 1)th "serving on" line.
    const std::string log = dir_.path() + "/serve.log";
    ++serves_;
    ASSERT_TRUE(WaitUntil([&] {
      std::ifstream in(log);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      int lines = 0;
      for (size_t at = text.find("serving on"); at != std::string::npos;
           at = text.find("serving on", at + 1)) {
        ++lines;
      }
      return lines >= serves_;
    })) << "the daemon did not start; log in "
        << log;
    auto channel = grpc::CreateChannel(listen_, grpc::InsecureChannelCredentials());
    events_ = v1::EventsService::NewStub(channel);
    queues_ = v1::QueuesService::NewStub(channel);
    rules_stub_ = v1::RulesService::NewStub(channel);
    ASSERT_TRUE(WaitUntil([&] {
      v1::TestEventPatternRequest req;
      req.set_event_pattern(R"({"a":["b"]})");
      req.set_event(R"({"a":"b"})");
      v1::TestEventPatternResponse resp;
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
      return events_->TestEventPattern(&ctx, req, &resp).ok();
    })) << "the daemon did not come up; log in "
        << dir_.path() << "/serve.log";
  }

  // Sends `signal` and reaps the daemon; returns its wait status.
  int Stop(int signal) {
    // Closes the connection first: the daemon's gRPC shutdown would otherwise wait for it.
    events_.reset();
    queues_.reset();
    rules_stub_.reset();
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

  std::vector<std::string> PutEvents(int n) {
    std::vector<std::string> ids;
    for (int first = 0; first < n; first += 10) {
      v1::PutEventsRequest req;
      for (int i = first; i < std::min(n, first + 10); ++i) {
        auto* e = req.add_entries();
        e->set_source("restart");
        e->set_detail_type("tick");
        e->set_detail(absl::StrCat(R"({"n": )", i, "}"));
      }
      v1::PutEventsResponse resp;
      grpc::ClientContext ctx;
      grpc::Status s = events_->PutEvents(&ctx, req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      EXPECT_EQ(resp.failed_entry_count(), 0) << resp.DebugString();
      for (const auto& r : resp.entries()) ids.push_back(r.event_id());
    }
    return ids;
  }

  // ApproximateNumberOfMessages of `queue`, or -1 when the call fails.
  int Visible(const std::string& queue) {
    v1::GetQueueAttributesRequest req;
    req.set_queue_name(queue);
    req.add_attribute_names("ApproximateNumberOfMessages");
    v1::GetQueueAttributesResponse resp;
    grpc::ClientContext ctx;
    if (!queues_->GetQueueAttributes(&ctx, req, &resp).ok()) return -1;
    auto it = resp.attributes().find("ApproximateNumberOfMessages");
    return it == resp.attributes().end() ? -1 : std::stoi(it->second);
  }

  // Every message of `queue` (received with their attributes, not deleted).
  std::vector<v1::Message> ReceiveAll(const std::string& queue) {
    std::vector<v1::Message> out;
    while (true) {
      v1::ReceiveMessageRequest req;
      req.set_queue_name(queue);
      req.set_max_number_of_messages(10);
      req.set_wait_time_seconds(0);
      req.set_visibility_timeout(600);
      req.add_message_attribute_names("All");
      v1::ReceiveMessageResponse resp;
      grpc::ClientContext ctx;
      grpc::Status s = queues_->ReceiveMessage(&ctx, req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok() || resp.messages_size() == 0) return out;
      out.insert(out.end(), resp.messages().begin(), resp.messages().end());
    }
  }

  v1::TargetMetrics Metrics(const std::string& target) {
    v1::GetRuleMetricsRequest req;
    req.set_rule("both");
    v1::GetRuleMetricsResponse resp;
    grpc::ClientContext ctx;
    grpc::Status s = rules_stub_->GetRuleMetrics(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    for (const auto& t : resp.targets()) {
      if (t.id() == target) return t;
    }
    return {};
  }

  // The scenario, with `signal` stopping the daemon while patient's retries are pending.
  void RestartDuringPendingRetries(int signal) {
    ASSERT_NO_FATAL_FAILURE(StartDaemon());
    const std::vector<std::string> put = PutEvents(kEvents);
    ASSERT_EQ(put.size(), static_cast<size_t>(kEvents));
    const std::set<std::string> ids(put.begin(), put.end());

    // hasty: one try each, straight to its dead-letter queue.
    ASSERT_TRUE(WaitUntil([&] { return Visible("hasty-dlq") == kEvents; }))
        << Visible("hasty-dlq") << " messages in hasty-dlq";
    // patient: every event tried and failed at least once, and retries under way.
    ASSERT_TRUE(WaitUntil([&] {
      return IdsOf(server_.Requests("/patient"), 500) == ids &&
             server_.Count("/patient") > static_cast<size_t>(kEvents);
    }));
    EXPECT_EQ(IdsOf(server_.Requests("/patient"), 200).size(), 0u);

    const int status = Stop(signal);
    if (signal == SIGTERM) {
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "wait status " << status;
    }
    const size_t hasty_before = server_.Count("/hasty");
    EXPECT_EQ(hasty_before, static_cast<size_t>(kEvents)) << "MaximumRetryAttempts 0: one try";
    EXPECT_EQ(IdsOf(server_.Requests("/hasty"), 0), ids);

    healthy_ = true;
    ASSERT_NO_FATAL_FAILURE(StartDaemon());
    ASSERT_TRUE(WaitUntil([&] { return IdsOf(server_.Requests("/patient"), 200) == ids; }))
        << IdsOf(server_.Requests("/patient"), 200).size() << " of " << kEvents
        << " events delivered to patient after the restart";
    // Counters start again at the restart: patient delivered each pending event; hasty, whose
    // items left the outbox with their dead-letter message, was never tried.
    ASSERT_TRUE(WaitUntil([&] { return Metrics("patient").invocations() >= kEvents; }));
    EXPECT_EQ(Metrics("hasty").invocation_attempts(), 0u);
    EXPECT_EQ(server_.Count("/hasty"), hasty_before) << "hasty got a request after the restart";

    EXPECT_EQ(Visible("hasty-dlq"), kEvents);
    const std::vector<v1::Message> dead = ReceiveAll("hasty-dlq");
    ASSERT_EQ(dead.size(), static_cast<size_t>(kEvents));
    std::set<std::string> dead_ids;
    for (const v1::Message& m : dead) {
      dead_ids.insert(IdOf(m.body()));
      const auto& a = m.message_attributes();
      ASSERT_TRUE(a.count("ERROR_CODE") && a.count("RETRY_ATTEMPTS") && a.count("TARGET_ARN"))
          << m.DebugString();
      EXPECT_EQ(a.at("ERROR_CODE").string_value(), "ERROR_FROM_TARGET");
      EXPECT_EQ(a.at("RETRY_ATTEMPTS").string_value(), "0");
      EXPECT_EQ(a.at("TARGET_ARN").string_value(),
                "arn:aws:events:us-east-1:000000000000:api-destination/hasty");
    }
    EXPECT_EQ(dead_ids, ids);
    EXPECT_EQ(Visible("patient-dlq"), 0);
    EXPECT_EQ(Stop(SIGTERM), 0);
  }

  busbar::targets::testing::TempDir dir_;
  RecordingHttpServer server_;
  std::atomic<bool> healthy_{false};
  std::string rules_;
  std::string listen_;
  pid_t pid_ = -1;
  int serves_ = 0;  // daemons started
  std::unique_ptr<v1::EventsService::Stub> events_;
  std::unique_ptr<v1::QueuesService::Stub> queues_;
  std::unique_ptr<v1::RulesService::Stub> rules_stub_;
};

TEST_F(RetryRestartTest, Kill9DuringPendingRetriesLosesNothingAndRedeliversNoDeadLetter) {
  RestartDuringPendingRetries(SIGKILL);
}

TEST_F(RetryRestartTest, SigtermDuringPendingRetriesLosesNothingAndRedeliversNoDeadLetter) {
  RestartDuringPendingRetries(SIGTERM);
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc > 1) g_busbar = argv[1];
  return RUN_ALL_TESTS();
}
