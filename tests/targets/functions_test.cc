// Integration tests of FunctionHost (targets/functions.h): real handler processes (the Python
// runtime tests/testdata/functions/runtime.py and the bash + curl `bootstrap`) talking the
// Runtime API on 127.0.0.1, logs in a temp directory. Waits poll a condition with a generous
// deadline; nothing asserts on speed.
#include "targets/functions.h"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "simdjson.h"
#include "tests/targets/temp_dir.h"

#ifndef BUSBAR_TESTDATA_DIR
#error "BUSBAR_TESTDATA_DIR must name the tests/testdata directory"
#endif
#ifndef BUSBAR_PYTHON3
#error "BUSBAR_PYTHON3 must name a python3 interpreter"
#endif

namespace busbar::targets {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using Mode = FunctionHost::Mode;

const std::string kCodeDir = std::string(BUSBAR_TESTDATA_DIR) + "/functions";

Function PythonFunction(std::string name, std::string handler) {
  Function config;
  config.name = std::move(name);
  config.command = {BUSBAR_PYTHON3, "runtime.py"};
  config.code_directory = kCodeDir;
  config.handler = std::move(handler);
  config.timeout_s = 30;
  return config;
}

// A waited-for condition, polled every 10 ms for up to a minute.
template <typename F>
bool Eventually(F condition) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

// A field of a JSON object answer, as minified JSON text ("" if absent).
std::string Field(const std::string& json, std::string_view key) {
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  if (parser.parse(json).at_key(key).get(element) != simdjson::SUCCESS) return "";
  return simdjson::minify(element);
}

class FunctionsTest : public ::testing::Test {
 protected:
  void SetUp() override { MakeHost({}); }

  void MakeHost(FunctionHostOptions options) {
    host_.reset();
    options.log_dir = logs_.path();
    auto host = FunctionHost::Create(std::move(options));
    ASSERT_TRUE(host.ok()) << host.status();
    host_ = *std::move(host);
  }

  InvokeResult Invoke(std::string_view name, std::string payload = "{}", Mode mode = Mode::kWait) {
    absl::StatusOr<InvokeResult> result = host_->InvokeSync(name, std::move(payload), mode);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : InvokeResult{};
  }

  FunctionHost::FunctionInfo Info(std::string_view name) {
    for (auto& info : host_->List()) {
      if (info.config.name == name) return info;
    }
    ADD_FAILURE() << "no function " << name;
    return {};
  }

  testing::TempDir logs_;
  testing::TempDir scratch_;
  std::unique_ptr<FunctionHost> host_;
};

TEST_F(FunctionsTest, PythonEchoSucceedsColdThenWarmWithLambdaLogLines) {
  ASSERT_TRUE(host_->Put(PythonFunction("echo", "echo")).ok());
  InvokeResult first = Invoke("echo", R"({"hello":"world"})");
  EXPECT_EQ(first.function_error, "");
  EXPECT_EQ(Field(first.payload, "event"), R"({"hello":"world"})");
  EXPECT_TRUE(first.cold_start);
  EXPECT_GT(first.init_duration_ms, 0);
  EXPECT_GE(first.billed_duration_ms, first.duration_ms);
  EXPECT_GT(first.max_memory_used_mb, 0);
  EXPECT_EQ(first.request_id.size(), 36u);
  EXPECT_THAT(first.log_tail,
              AllOf(HasSubstr("START RequestId: " + first.request_id + " Version: $LATEST\n"),
                    HasSubstr("handling " + first.request_id + "\n"),
                    HasSubstr("END RequestId: " + first.request_id + "\n"),
                    HasSubstr("REPORT RequestId: " + first.request_id + "\tDuration: "),
                    HasSubstr(" ms\tMemory Size: 128 MB\tMax Memory Used: "),
                    HasSubstr("\tInit Duration: ")));

  InvokeResult second = Invoke("echo", R"({"n":2})");
  EXPECT_FALSE(second.cold_start);
  EXPECT_EQ(second.init_duration_ms, 0);
  EXPECT_EQ(Field(second.payload, "pid"), Field(first.payload, "pid"));  // the warm process
  EXPECT_THAT(second.log_tail, Not(HasSubstr("Init Duration")));
  EXPECT_NE(second.request_id, first.request_id);

  // Init output precedes the first START; each invocation's lines sit between START and END.
  absl::StatusOr<std::string> log = host_->ReadLog("echo", 1 << 20);
  ASSERT_TRUE(log.ok()) << log.status();
  size_t init = log->find("init: handler echo");
  size_t start1 = log->find("START RequestId: " + first.request_id);
  size_t end1 = log->find("END RequestId: " + first.request_id);
  size_t start2 = log->find("START RequestId: " + second.request_id);
  ASSERT_NE(init, std::string::npos);
  EXPECT_LT(init, start1);
  EXPECT_LT(start1, log->find("handling " + first.request_id));
  EXPECT_LT(log->find("handling " + first.request_id), end1);
  EXPECT_LT(end1, start2);
  FunctionHost::FunctionInfo info = Info("echo");
  EXPECT_EQ(info.invocations, 2u);
  EXPECT_EQ(info.cold_starts, 1u);
  EXPECT_EQ(info.errors, 0u);
}

TEST_F(FunctionsTest, HandlerSeesLambdaEnvironmentAndHeaders) {
  Function config = PythonFunction("env-check", "echo");
  config.environment = {{"GREETING", "hi"}};
  config.memory_size_mb = 256;
  config.timeout_s = 7;
  ASSERT_TRUE(host_->Put(config).ok());
  int64_t before = absl::ToUnixMillis(absl::Now());
  InvokeResult result = Invoke("env-check");
  simdjson::dom::parser parser;
  simdjson::dom::element answer = parser.parse(result.payload);
  simdjson::dom::object env = answer["env"];
  EXPECT_EQ(std::string_view(env["AWS_LAMBDA_FUNCTION_NAME"]), "env-check");
  EXPECT_EQ(std::string_view(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]), "256");
  EXPECT_EQ(std::string_view(env["AWS_LAMBDA_FUNCTION_VERSION"]), "$LATEST");
  EXPECT_EQ(std::string_view(env["AWS_LAMBDA_LOG_GROUP_NAME"]), "/aws/lambda/env-check");
  EXPECT_THAT(std::string(std::string_view(env["AWS_LAMBDA_LOG_STREAM_NAME"])),
              HasSubstr("/[$LATEST]"));
  EXPECT_EQ(std::string_view(env["AWS_REGION"]), "us-east-1");
  EXPECT_EQ(std::string_view(env["AWS_DEFAULT_REGION"]), "us-east-1");
  EXPECT_EQ(std::string_view(env["LAMBDA_TASK_ROOT"]), kCodeDir);
  EXPECT_EQ(std::string_view(env["_HANDLER"]), "echo");
  EXPECT_EQ(std::string_view(env["TZ"]), ":UTC");
  EXPECT_EQ(std::string_view(env["GREETING"]), "hi");
  EXPECT_EQ(std::string_view(answer["arn"]),
            "arn:aws:lambda:us-east-1:000000000000:function:env-check");
  int64_t deadline = answer["deadline_ms"];
  EXPECT_GE(deadline, before + 7000);
  EXPECT_THAT(std::string(std::string_view(answer["trace"])), HasSubstr("Root=1-"));
}

TEST_F(FunctionsTest, BashBootstrapWithCurlAnswersAndStaysWarm) {
  Function config;
  config.name = "bash";
  config.command = {"bootstrap"};
  config.code_directory = kCodeDir;
  config.timeout_s = 30;
  ASSERT_TRUE(host_->Put(config).ok());
  InvokeResult first = Invoke("bash", R"({"a":[1,2]})");
  EXPECT_EQ(first.function_error, "") << first.payload;
  EXPECT_EQ(Field(first.payload, "event"), R"({"a":[1,2]})");
  EXPECT_THAT(first.log_tail, HasSubstr("bash handler: request " + first.request_id));
  InvokeResult second = Invoke("bash", R"("x")");
  EXPECT_EQ(Field(second.payload, "event"), R"("x")");
  EXPECT_EQ(Field(second.payload, "pid"), Field(first.payload, "pid"));
  EXPECT_FALSE(second.cold_start);
}

TEST_F(FunctionsTest, HandlerErrorIsHandledWithItsErrorType) {
  ASSERT_TRUE(host_->Put(PythonFunction("fails", "error")).ok());
  InvokeResult result = Invoke("fails");
  EXPECT_EQ(result.function_error, "Handled");
  EXPECT_EQ(result.error_type, "MyError");
  EXPECT_EQ(Field(result.payload, "errorMessage"), R"("it failed")");
  EXPECT_THAT(result.log_tail, HasSubstr("REPORT RequestId: " + result.request_id));
  // A handled error keeps the environment.
  InvokeResult again = Invoke("fails");
  EXPECT_FALSE(again.cold_start);
  EXPECT_EQ(Info("fails").errors, 2u);
}

TEST_F(FunctionsTest, TimeoutKillsTheEnvironmentAndTheNextInvokeIsCold) {
  Function config = PythonFunction("slow", "sleep");
  config.timeout_s = 1;
  ASSERT_TRUE(host_->Put(config).ok());
  InvokeResult result =
      Invoke("slow", R"({"seconds": 60, "record_dir": ")" + scratch_.path() + R"("})");
  EXPECT_EQ(result.function_error, "Unhandled");
  EXPECT_EQ(result.error_type, "Sandbox.Timedout");
  EXPECT_GE(result.duration_ms, 1000);
  EXPECT_THAT(result.payload, HasSubstr("Task timed out after 1.00 seconds"));
  EXPECT_THAT(result.log_tail,
              AllOf(HasSubstr(" " + result.request_id + " Task timed out after 1.00 seconds\n"),
                    HasSubstr("END RequestId: " + result.request_id)));
  EXPECT_TRUE(Eventually([&] { return Info("slow").busy_environments == 0; }));

  InvokeResult next = Invoke("slow", R"({"seconds": 0})");
  EXPECT_EQ(next.function_error, "") << next.payload;
  EXPECT_TRUE(next.cold_start);
  FunctionHost::FunctionInfo info = Info("slow");
  EXPECT_EQ(info.timeouts, 1u);
  EXPECT_EQ(info.cold_starts, 2u);
}

TEST_F(FunctionsTest, MemoryOverTheLimitIsOutOfMemory) {
  ASSERT_TRUE(host_->Put(PythonFunction("hungry", "allocate")).ok());
  InvokeResult small = Invoke("hungry", R"({"mb": 8, "hold": 0})");
  EXPECT_EQ(small.function_error, "") << small.payload;
  InvokeResult result = Invoke("hungry", R"({"mb": 300, "hold": 5})");
  EXPECT_EQ(result.function_error, "Unhandled");
  EXPECT_EQ(result.error_type, "Runtime.OutOfMemory");
  EXPECT_GT(result.max_memory_used_mb, 128);
  EXPECT_THAT(result.log_tail, HasSubstr("\tMemory Size: 128 MB\tMax Memory Used: " +
                                         std::to_string(result.max_memory_used_mb) + " MB"));
  InvokeResult next = Invoke("hungry", R"({"mb": 1, "hold": 0})");
  EXPECT_TRUE(next.cold_start);
}

TEST_F(FunctionsTest, ExitMidInvocationIsExitError) {
  ASSERT_TRUE(host_->Put(PythonFunction("crash", "exit")).ok());
  InvokeResult result = Invoke("crash", R"({"code": 7})");
  EXPECT_EQ(result.function_error, "Unhandled");
  EXPECT_EQ(result.error_type, "Runtime.ExitError");
  EXPECT_THAT(result.payload, HasSubstr("RequestId: " + result.request_id +
                                        " Error: Runtime exited with error: exit status 7"));
  EXPECT_THAT(result.log_tail, AllOf(HasSubstr("about to exit\n"), HasSubstr("Runtime.ExitError"),
                                     HasSubstr("END RequestId: ")));
  EXPECT_TRUE(Invoke("crash", R"({"code": 1})").cold_start);
}

TEST_F(FunctionsTest, InitErrorFailsTheInvocationUnhandled) {
  ASSERT_TRUE(host_->Put(PythonFunction("broken", "initerror")).ok());
  InvokeResult result = Invoke("broken");
  EXPECT_EQ(result.function_error, "Unhandled");
  EXPECT_EQ(result.error_type, "MyInitError");
  EXPECT_TRUE(result.cold_start);
  EXPECT_EQ(Field(result.payload, "errorMessage"), R"("cannot load the handler")");
  EXPECT_THAT(result.log_tail, HasSubstr("Status: error\tError Type: MyInitError"));
  EXPECT_EQ(Invoke("broken").error_type, "MyInitError");
  EXPECT_EQ(Info("broken").cold_starts, 2u);
}

TEST_F(FunctionsTest, ExitOrSignalDuringInitIsExitError) {
  Function config = PythonFunction("quits", "");
  config.command = {"/bin/sh", "-c", "echo dying; exit 4"};
  ASSERT_TRUE(host_->Put(config).ok());
  InvokeResult result = Invoke("quits");
  EXPECT_EQ(result.error_type, "Runtime.ExitError");
  EXPECT_THAT(result.payload, HasSubstr("Runtime exited with error: exit status 4"));
  EXPECT_TRUE(result.cold_start);
  // Init output goes to the log before START (it is not the invocation's).
  std::string log = *host_->ReadLog("quits", 1 << 20);
  EXPECT_LT(log.find("dying\n"), log.find("START RequestId: " + result.request_id));

  config.command = {"/bin/sh", "-c", "kill -SEGV $$"};
  ASSERT_TRUE(host_->Put(config).ok());
  EXPECT_THAT(Invoke("quits").payload,
              HasSubstr("Runtime exited with error: signal: segmentation fault"));
}

TEST_F(FunctionsTest, MissingExecutableIsInvalidEntrypoint) {
  Function config = PythonFunction("nothing", "echo");
  config.command = {"./no-such-bootstrap"};
  ASSERT_TRUE(host_->Put(config).ok());
  InvokeResult result = Invoke("nothing");
  EXPECT_EQ(result.function_error, "Unhandled");
  EXPECT_EQ(result.error_type, "Runtime.InvalidEntrypoint");
}

TEST_F(FunctionsTest, ReservedConcurrencyBoundsParallelEnvironments) {
  Function config = PythonFunction("pair", "sleep");
  config.reserved_concurrent_executions = 2;
  ASSERT_TRUE(host_->Put(config).ok());
  absl::Mutex mu;
  std::vector<InvokeResult> results;
  int errors = 0;
  std::string payload = R"({"seconds": 0.4, "record_dir": ")" + scratch_.path() + R"("})";
  for (int i = 0; i < 6; ++i) {
    host_->Invoke("pair", payload, Mode::kWait, [&](absl::StatusOr<InvokeResult> result) {
      absl::MutexLock lock(&mu);
      if (result.ok() && result->function_error.empty()) {
        results.push_back(*result);
      } else {
        ++errors;
      }
    });
  }
  int most_busy = 0;
  ASSERT_TRUE(Eventually([&] {
    most_busy = std::max(most_busy, Info("pair").busy_environments);
    absl::MutexLock lock(&mu);
    return results.size() + errors == 6;
  }));
  EXPECT_EQ(errors, 0);
  EXPECT_LE(most_busy, 2);
  // The handlers' own records: never more than two sleeping at once, in at most two processes.
  std::vector<std::pair<double, int>> edges;
  std::set<std::string> pids;
  for (const auto& entry : std::filesystem::directory_iterator(scratch_.path())) {
    std::ifstream in(entry.path());
    double start, end;
    std::string pid;
    ASSERT_TRUE(in >> start >> end >> pid);
    edges.push_back({start, +1});
    edges.push_back({end, -1});
    pids.insert(pid);
  }
  EXPECT_EQ(edges.size(), 12u);
  std::sort(edges.begin(), edges.end());
  int running = 0, most_running = 0;
  for (const auto& [time, delta] : edges) most_running = std::max(most_running, running += delta);
  EXPECT_LE(most_running, 2);
  EXPECT_LE(pids.size(), 2u);
}

TEST_F(FunctionsTest, ReservedConcurrencyZeroThrottlesEveryInvoke) {
  Function config = PythonFunction("off", "echo");
  config.reserved_concurrent_executions = 0;
  ASSERT_TRUE(host_->Put(config).ok());
  for (Mode mode : {Mode::kWait, Mode::kThrottle}) {
    absl::StatusOr<InvokeResult> result = host_->InvokeSync("off", "{}", mode);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kResourceExhausted);
    EXPECT_EQ(result.status().message(), "TooManyRequestsException: Rate Exceeded.");
  }
  EXPECT_EQ(Info("off").throttles, 2u);
}

TEST_F(FunctionsTest, ThrottleModeFailsWhenEveryEnvironmentIsBusy) {
  Function config = PythonFunction("single", "sleep");
  config.reserved_concurrent_executions = 1;
  ASSERT_TRUE(host_->Put(config).ok());
  absl::Notification finished;
  host_->Invoke("single", R"({"seconds": 2})", Mode::kWait,
                [&](absl::StatusOr<InvokeResult>) { finished.Notify(); });
  ASSERT_TRUE(Eventually([&] { return Info("single").busy_environments == 1; }));
  absl::StatusOr<InvokeResult> throttled =
      host_->InvokeSync("single", R"({"seconds": 0})", Mode::kThrottle);
  EXPECT_EQ(throttled.status().code(), absl::StatusCode::kResourceExhausted);
  // kWait queues behind it instead.
  InvokeResult queued = Invoke("single", R"({"seconds": 0})", Mode::kWait);
  EXPECT_EQ(queued.function_error, "");
  EXPECT_TRUE(finished.HasBeenNotified());
}

TEST_F(FunctionsTest, PutReplacesTheConfigurationAndItsEnvironments) {
  Function config = PythonFunction("changing", "echo");
  config.environment = {{"GREETING", "one"}};
  ASSERT_TRUE(host_->Put(config).ok());
  InvokeResult first = Invoke("changing");
  EXPECT_EQ(Field(Field(first.payload, "env"), "GREETING"), R"("one")");
  config.environment = {{"GREETING", "two"}};
  ASSERT_TRUE(host_->Put(config).ok());
  InvokeResult second = Invoke("changing");
  EXPECT_EQ(Field(Field(second.payload, "env"), "GREETING"), R"("two")");
  EXPECT_TRUE(second.cold_start);
  EXPECT_NE(Field(second.payload, "pid"), Field(first.payload, "pid"));
  EXPECT_EQ(Info("changing").config.environment.at("GREETING"), "two");
}

TEST_F(FunctionsTest, PutOfOnlyTheAsynchronousSettingsOrDescriptionKeepsEnvironmentsWarm) {
  Function config = PythonFunction("settled", "echo");
  ASSERT_TRUE(host_->Put(config).ok());
  InvokeResult first = Invoke("settled");
  EXPECT_TRUE(first.cold_start);
  config.description = "now described";
  config.invoke_config.maximum_retry_attempts = 0;
  config.invoke_config.on_failure.emplace().arn = "arn:aws:sqs:us-east-1:000000000000:dlq";
  ASSERT_TRUE(host_->Put(config).ok());
  InvokeResult second = Invoke("settled");
  EXPECT_FALSE(second.cold_start);
  EXPECT_EQ(Field(second.payload, "pid"), Field(first.payload, "pid"));
  const Function stored = Info("settled").config;
  EXPECT_EQ(stored.description, "now described");
  ASSERT_TRUE(stored.invoke_config.on_failure.has_value());
  EXPECT_EQ(stored.invoke_config.on_failure->kind, DestinationKind::kQueue);
  EXPECT_EQ(stored.invoke_config.on_failure->resource_name, "dlq");
}

TEST_F(FunctionsTest, RemoveMakesTheFunctionUnknown) {
  ASSERT_TRUE(host_->Put(PythonFunction("gone", "echo")).ok());
  Invoke("gone");
  ASSERT_TRUE(host_->Remove("gone").ok());
  absl::StatusOr<InvokeResult> result = host_->InvokeSync("gone", "{}", Mode::kThrottle);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(result.status().message(), "ResourceNotFoundException: Function not found: gone");
  EXPECT_EQ(host_->Remove("gone").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(host_->ReadLog("gone", 10).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(host_->List().empty());
}

TEST_F(FunctionsTest, RuntimeApiRefusesUnknownRequestIdsAndPaths) {
  ASSERT_TRUE(host_->Put(PythonFunction("probe", "badid")).ok());
  InvokeResult result = Invoke("probe");
  EXPECT_EQ(Field(result.payload, "status"), "400");
  EXPECT_EQ(Field(result.payload, "body"),
            R"({"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"})");
  EXPECT_EQ(Field(result.payload, "missing"), "404");
}

TEST_F(FunctionsTest, ReadLogReturnsTheTail) {
  ASSERT_TRUE(host_->Put(PythonFunction("tail", "echo")).ok());
  EXPECT_EQ(*host_->ReadLog("tail", 100), "");
  InvokeResult result = Invoke("tail");
  absl::StatusOr<std::string> tail = host_->ReadLog("tail", 60);
  ASSERT_TRUE(tail.ok()) << tail.status();
  EXPECT_EQ(tail->size(), 60u);
  EXPECT_EQ(tail->back(), '\n');
  absl::StatusOr<std::string> all = host_->ReadLog("tail", 1 << 20);
  EXPECT_TRUE(all->ends_with(*tail));
  EXPECT_THAT(*all, HasSubstr("REPORT RequestId: " + result.request_id));
}

TEST_F(FunctionsTest, LogRotatesPastMaxLogBytes) {
  FunctionHostOptions options;
  options.max_log_bytes = 1500;
  MakeHost(options);
  ASSERT_TRUE(host_->Put(PythonFunction("chatty", "echo")).ok());
  for (int i = 0; i < 8; ++i) Invoke("chatty");
  EXPECT_TRUE(std::filesystem::exists(logs_.path() + "/chatty.log.1"));
  EXPECT_LE(std::filesystem::file_size(logs_.path() + "/chatty.log"), 1500u);
}

TEST_F(FunctionsTest, IdleEnvironmentsStopAfterIdleTimeout) {
  FunctionHostOptions options;
  options.idle_timeout = absl::Milliseconds(200);
  MakeHost(options);
  ASSERT_TRUE(host_->Put(PythonFunction("idle", "echo")).ok());
  InvokeResult first = Invoke("idle");
  EXPECT_TRUE(Eventually([&] {
    FunctionHost::FunctionInfo info = Info("idle");
    return info.idle_environments == 0 && info.busy_environments == 0;
  }));
  int pid = std::stoi(Field(first.payload, "pid"));
  EXPECT_TRUE(Eventually([&] { return kill(pid, 0) != 0; }));
  EXPECT_TRUE(Invoke("idle").cold_start);
}

TEST_F(FunctionsTest, MaxEnvironmentsStopsAFreeEnvironmentOfAnotherFunction) {
  FunctionHostOptions options;
  options.max_environments = 1;
  MakeHost(options);
  ASSERT_TRUE(host_->Put(PythonFunction("first", "echo")).ok());
  ASSERT_TRUE(host_->Put(PythonFunction("second", "echo")).ok());
  EXPECT_TRUE(Invoke("first").cold_start);
  EXPECT_TRUE(Invoke("second").cold_start);
  EXPECT_EQ(Info("first").idle_environments, 0);
  EXPECT_TRUE(Invoke("first").cold_start);
}

TEST_F(FunctionsTest, UnknownFunctionIsNotFound) {
  absl::StatusOr<InvokeResult> result = host_->InvokeSync("nope", "{}", Mode::kWait);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(FunctionsTest, DestructorFailsRunningInvocationsAndKillsProcesses) {
  ASSERT_TRUE(host_->Put(PythonFunction("long", "sleep")).ok());
  absl::Notification finished;
  absl::Status status;
  host_->Invoke("long", R"({"seconds": 60})", Mode::kWait,
                [&](absl::StatusOr<InvokeResult> result) {
                  status = result.status();
                  finished.Notify();
                });
  ASSERT_TRUE(Eventually([&] { return Info("long").busy_environments == 1; }));
  host_.reset();
  ASSERT_TRUE(finished.HasBeenNotified());
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
}

TEST_F(FunctionsTest, PutRejectsInvalidConfigsAndMissingDirectories) {
  Function config = PythonFunction("f", "echo");
  config.timeout_s = 901;
  EXPECT_EQ(host_->Put(config).message(), "Timeout is 901; it must be from 1 to 900");
  config = PythonFunction("f", "echo");
  config.code_directory = scratch_.path() + "/missing";
  EXPECT_EQ(host_->Put(config).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(host_->List().empty());
}

}  // namespace
}  // namespace busbar::targets
