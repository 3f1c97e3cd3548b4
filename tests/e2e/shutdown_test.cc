// e2e: SIGTERM stops `busbar serve` at once. A real daemon (the built binary) has a
// ReceiveMessage long-polling an empty queue (wait 20 s) from one client, and another
// client's connection open and idle after one call. On SIGTERM the poll must be answered
// OK with no message (proto/busbar/v1/queues.proto: "When the daemon stops, waiting calls
// return at once with the messages they have") and the process must exit within 1 s of
// the signal: the idle connection must not hold it up. A call in flight (a function
// invocation) is finished, and the daemon exits within 1 s of its answer. A poll its client
// cancelled stops waiting (it takes no message sent later).
//
// Usage (ctest passes them): shutdown_test BUSBAR_BINARY PYTHON3 FUNCTIONS_CODE_DIR
// [gtest flags]; the code directory is tests/testdata/functions (runtime.py).
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "busbar/v1/functions.grpc.pb.h"
#include "busbar/v1/queues.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/targets/temp_dir.h"
#include "tests/testing/daemon_process.h"

namespace {

namespace v1 = ::busbar::v1;

std::string g_busbar;              // the binary under test (argv[1])
std::string g_python = "python3";  // argv[2]
std::string g_functions_code;      // argv[3]: tests/testdata/functions

// The acceptance bound: SIGTERM to exit, with a long poll and an idle connection open.
constexpr absl::Duration kExitBound = absl::Seconds(1);
// How long the test waits for anything that should happen at once before calling it hung
// (generous: a shared 2-core machine). Not an assertion bound.
constexpr absl::Duration kPatience = absl::Seconds(30);

template <typename Pred>
bool WaitUntil(Pred pred, absl::Duration timeout = kPatience) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!pred()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return true;
}

// A channel with its own TCP connection (gRPC otherwise shares one between channels
// with the same target and arguments).
std::shared_ptr<grpc::Channel> OwnChannel(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

std::chrono::system_clock::time_point In(absl::Duration d) {
  return std::chrono::system_clock::now() + absl::ToChronoMilliseconds(d);
}

class ShutdownTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(g_busbar.empty() || g_functions_code.empty())
        << "usage: shutdown_test BUSBAR_BINARY PYTHON3 FUNCTIONS_CODE_DIR";
    rules_ = dir_.path() + "/rules.yaml";
    // "nap" sleeps event["seconds"] (runtime.py's sleep handler), logging "handling …" first.
    std::ofstream(rules_) << busbar::testing::OneQueueRuleFile("shutdown")
                          << "Functions:\n  - FunctionName: nap\n    Command: [" << g_python
                          << ", runtime.py]\n    CodeDirectory: " << g_functions_code
                          << "\n    Handler: sleep\n    Timeout: 30\n";
    listen_ = absl::StrCat("127.0.0.1:", busbar::testing::FreeLoopbackPort());
    log_ = dir_.path() + "/serve.log";
    pid_ = busbar::testing::StartServe(g_busbar, listen_, dir_.path() + "/data", rules_, {}, log_);
    ASSERT_GT(pid_, 0);
    // Connect once the daemon says it serves (a channel that connects earlier waits out
    // gRPC's reconnect backoff).
    ASSERT_TRUE(WaitUntil([&] { return Log().find("serving on") != std::string::npos; }))
        << "the daemon did not start; log in " << log_;
  }

  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  std::string Log() const { return Read(log_); }

  // Reaps the daemon, waiting at most kPatience (then kills it); returns whether it
  // exited by itself, with its wait status in *status.
  bool Reap(int* status) {
    const bool exited = WaitUntil([&] { return waitpid(pid_, status, WNOHANG) == pid_; });
    if (!exited) {
      kill(pid_, SIGKILL);
      waitpid(pid_, status, 0);
    }
    pid_ = -1;
    return exited;
  }

  // A call on its own connection that then stays open and idle.
  std::shared_ptr<grpc::Channel> IdleConnection() {
    auto channel = OwnChannel(listen_);
    auto stub = v1::QueuesService::NewStub(channel);
    v1::ListQueuesRequest req;
    v1::ListQueuesResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(In(kPatience));
    EXPECT_TRUE(stub->ListQueues(&ctx, req, &resp).ok());
    return channel;
  }

  // Starts ReceiveMessage on `queue` with a 20 s wait on `stub`, and returns once the
  // daemon holds the call: a later call on the same connection has been answered, so the
  // poll's request was read before it, and the daemon has had a moment to start waiting
  // (the precondition of the test; nothing is asserted on this delay).
  void StartPoll(v1::QueuesService::Stub& stub, const std::string& queue, grpc::ClientContext& ctx,
                 grpc::CompletionQueue& cq, v1::ReceiveMessageResponse& resp,
                 grpc::Status& status) {
    v1::ReceiveMessageRequest req;
    req.set_queue_name(queue);
    req.set_wait_time_seconds(20);
    ctx.set_deadline(In(absl::Seconds(40)));  // longer than the wait, as the proto asks
    auto call = stub.AsyncReceiveMessage(&ctx, req, &cq);
    call->Finish(&resp, &status, this);
    v1::GetQueueUrlRequest url_req;
    url_req.set_queue_name(queue);
    v1::GetQueueUrlResponse url_resp;
    grpc::ClientContext url_ctx;
    url_ctx.set_deadline(In(kPatience));
    ASSERT_TRUE(stub.GetQueueUrl(&url_ctx, url_req, &url_resp).ok());
    absl::SleepFor(absl::Milliseconds(300));
  }

  busbar::targets::testing::TempDir dir_;
  std::string rules_, listen_, log_;
  pid_t pid_ = -1;
};

TEST_F(ShutdownTest, SigtermAnswersALongPollAtOnceAndExitsWithinASecond) {
  auto poller_channel = OwnChannel(listen_);
  auto poller = v1::QueuesService::NewStub(poller_channel);
  {
    v1::CreateQueueRequest req;
    req.set_queue_name("empty");
    v1::CreateQueueResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(In(kPatience));
    grpc::Status s = poller->CreateQueue(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  std::shared_ptr<grpc::Channel> idle = IdleConnection();  // client 2, open until the end

  grpc::ClientContext poll_ctx;
  grpc::CompletionQueue cq;
  v1::ReceiveMessageResponse poll_resp;
  grpc::Status poll_status;
  ASSERT_NO_FATAL_FAILURE(StartPoll(*poller, "empty", poll_ctx, cq, poll_resp, poll_status));
  {
    void* tag = nullptr;
    bool ok = false;
    ASSERT_EQ(cq.AsyncNext(&tag, &ok, std::chrono::system_clock::now()),
              grpc::CompletionQueue::TIMEOUT)
        << "the poll ended before SIGTERM: " << poll_status.error_message();
  }

  const absl::Time sigterm = absl::Now();
  ASSERT_EQ(kill(pid_, SIGTERM), 0);

  void* tag = nullptr;
  bool ok = false;
  ASSERT_EQ(cq.AsyncNext(&tag, &ok, In(kPatience)), grpc::CompletionQueue::GOT_EVENT);
  const absl::Duration answered = absl::Now() - sigterm;
  int status = 0;
  const bool exited = Reap(&status);
  const absl::Duration exit_after = absl::Now() - sigterm;
  std::printf("SIGTERM to poll answer: %s, to exit: %s\n", absl::FormatDuration(answered).c_str(),
              absl::FormatDuration(exit_after).c_str());

  EXPECT_TRUE(poll_status.ok()) << "poll: " << poll_status.error_code() << " "
                                << poll_status.error_message();
  EXPECT_EQ(poll_resp.messages_size(), 0);
  ASSERT_TRUE(exited) << "the daemon did not exit within " << kPatience << "; log in " << log_;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "wait status " << status;
  EXPECT_LT(exit_after, kExitBound) << "SIGTERM to exit; log:\n" << Log();
  EXPECT_NE(Log().find("stopped; store:"), std::string::npos) << Log();
}

// A call in flight at SIGTERM (a 2 s function invocation) is finished and answered, and
// the daemon exits within 1 s of that answer although an idle connection stays open.
TEST_F(ShutdownTest, SigtermFinishesACallInFlightThenExitsWithinASecond) {
  std::shared_ptr<grpc::Channel> idle = IdleConnection();
  auto functions = v1::FunctionsService::NewStub(OwnChannel(listen_));
  v1::InvokeRequest req;
  req.set_function_name("nap");
  req.set_payload(R"({"seconds": 2})");
  v1::InvokeResponse resp;
  grpc::Status status;
  grpc::ClientContext ctx;
  ctx.set_deadline(In(kPatience));
  grpc::CompletionQueue cq;
  auto call = functions->AsyncInvoke(&ctx, req, &cq);
  call->Finish(&resp, &status, this);
  const std::string function_log = dir_.path() + "/data/functions/nap.log";
  ASSERT_TRUE(WaitUntil([&] { return Read(function_log).find("handling") != std::string::npos; }))
      << "the invocation did not start; log in " << log_;

  const absl::Time sigterm = absl::Now();
  ASSERT_EQ(kill(pid_, SIGTERM), 0);
  void* tag = nullptr;
  bool ok = false;
  ASSERT_EQ(cq.AsyncNext(&tag, &ok, In(kPatience)), grpc::CompletionQueue::GOT_EVENT);
  const absl::Time answered = absl::Now();
  int wait_status = 0;
  const bool exited = Reap(&wait_status);
  const absl::Duration exit_after = absl::Now() - answered;
  std::printf("SIGTERM to the invocation's answer: %s, answer to exit: %s\n",
              absl::FormatDuration(answered - sigterm).c_str(),
              absl::FormatDuration(exit_after).c_str());

  ASSERT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  EXPECT_EQ(resp.status_code(), 200);
  EXPECT_EQ(resp.function_error(), "") << resp.payload();
  ASSERT_TRUE(exited) << "the daemon did not exit within " << kPatience << "; log in " << log_;
  EXPECT_TRUE(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) << wait_status;
  EXPECT_LT(exit_after, kExitBound) << "the invocation's answer to exit; log:\n" << Log();
}

// A poll whose client gave up (cancelled) stops waiting in the daemon: it does not take
// (and hide) the next message sent to its queue, which goes to the next receiver.
TEST_F(ShutdownTest, ACancelledPollTakesNoLaterMessage) {
  auto gone_channel = OwnChannel(listen_);
  auto gone = v1::QueuesService::NewStub(gone_channel);
  grpc::ClientContext poll_ctx;
  grpc::CompletionQueue cq;
  v1::ReceiveMessageResponse poll_resp;
  grpc::Status poll_status;
  ASSERT_NO_FATAL_FAILURE(StartPoll(*gone, "q", poll_ctx, cq, poll_resp, poll_status));
  poll_ctx.TryCancel();
  void* tag = nullptr;
  bool ok = false;
  ASSERT_EQ(cq.AsyncNext(&tag, &ok, In(kPatience)), grpc::CompletionQueue::GOT_EVENT);
  EXPECT_EQ(poll_status.error_code(), grpc::StatusCode::CANCELLED);
  {
    // A call after the cancel on the same connection: once it is answered, the daemon has
    // read the cancel (it came first on the connection).
    v1::GetQueueUrlRequest req;
    req.set_queue_name("q");
    v1::GetQueueUrlResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(In(kPatience));
    ASSERT_TRUE(gone->GetQueueUrl(&ctx, req, &resp).ok());
  }

  auto stub = v1::QueuesService::NewStub(OwnChannel(listen_));
  v1::SendMessageRequest send;
  send.set_queue_name("q");
  send.set_message_body("after the cancel");
  v1::SendMessageResponse sent;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(In(kPatience));
    grpc::Status s = stub->SendMessage(&ctx, send, &sent);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  v1::ReceiveMessageRequest receive;
  receive.set_queue_name("q");
  receive.set_wait_time_seconds(20);
  v1::ReceiveMessageResponse received;
  grpc::ClientContext ctx;
  ctx.set_deadline(In(absl::Seconds(40)));
  grpc::Status s = stub->ReceiveMessage(&ctx, receive, &received);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(received.messages_size(), 1) << "the cancelled poll took the message";
  EXPECT_EQ(received.messages(0).message_id(), sent.message_id());
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc > 1) g_busbar = argv[1];
  if (argc > 2) g_python = argv[2];
  if (argc > 3) g_functions_code = argv[3];
  return RUN_ALL_TESTS();
}
