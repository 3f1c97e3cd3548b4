// End-to-end tests of function targets through an in-process daemon (api_fixture.h): rules in
// a rule file (and over the API) deliver to Lambda-style functions whose handlers are real
// processes (tests/testdata/functions: runtime.py's behaviours and the bash + curl bootstrap);
// the functions' invocation records arrive in their OnSuccess / OnFailure queues in Lambda's
// record shape, failed deliveries in the target's dead-letter queue, and FunctionsService's
// Invoke, Create, Update and Delete answer as Lambda's do. Short retry delays
// (function_retry_base_ms 200, retry_base_ms 100); every wait polls a condition with a
// generous deadline; nothing asserts on speed.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "busbar/v1/functions.grpc.pb.h"
#include "simdjson.h"
#include "tests/bus/server/api_fixture.h"

#ifndef BUSBAR_TESTDATA_DIR
#error "BUSBAR_TESTDATA_DIR must name the tests/testdata directory"
#endif
#ifndef BUSBAR_PYTHON3
#error "BUSBAR_PYTHON3 must name a python3 interpreter"
#endif

namespace busbar::bus {
namespace {

using testing::ApiTest;
using testing::kQueueArn;
using testing::Rpc;
namespace v1 = ::busbar::v1;

const std::string kCodeDir = std::string(BUSBAR_TESTDATA_DIR) + "/functions";
constexpr char kFunctionArn[] = "arn:aws:lambda:us-east-1:000000000000:function:";

// The queues ok, failed and dlq; one function per runtime.py behaviour under test (and the
// bash bootstrap), each with its OnSuccess / OnFailure queue; one rule per function, matching
// the source named after it. The sleep, allocate and exit handlers read their parameters
// from the event's detail (InputPath), to-echo-shaped gives echo an InputTransformer's output.
std::string RuleFile() {
  const std::string python = absl::StrCat("[", BUSBAR_PYTHON3, ", runtime.py]");
  const std::string ok = absl::StrCat("{Destination: \"", kQueueArn, "ok\"}");
  const std::string failed = absl::StrCat("{Destination: \"", kQueueArn, "failed\"}");
  auto function = [&](const std::string& name, const std::string& handler,
                      const std::string& settings) {
    return absl::StrCat("  - FunctionName: ", name, "\n    Command: ", python,
                        "\n    CodeDirectory: ", kCodeDir, "\n    Handler: ", handler, "\n",
                        settings, "    DestinationConfig: {OnSuccess: ", ok,
                        ", OnFailure: ", failed, "}\n");
  };
  auto rule = [](const std::string& name, const std::string& function, const std::string& input) {
    return absl::StrCat("  - Name: to-", name, "\n    EventPattern: {\"source\": [\"", name,
                        "\"]}\n    Targets:\n      - Id: fn\n        Arn: ", kFunctionArn, function,
                        "\n", input);
  };
  const std::string detail = "        InputPath: $.detail\n";
  return absl::StrCat(
      "Queues:\n  - Name: ok\n  - Name: failed\n  - Name: dlq\n", "Functions:\n",
      function("echo", "echo", "    Timeout: 30\n"),
      function("fails", "error", "    Timeout: 30\n    MaximumRetryAttempts: 2\n"),
      function("slow", "sleep", "    Timeout: 1\n    MaximumRetryAttempts: 1\n"),
      function("hungry", "allocate",
               "    Timeout: 30\n    MemorySize: 128\n    MaximumRetryAttempts: 0\n"),
      function("crash", "exit", "    Timeout: 30\n    MaximumRetryAttempts: 0\n"),
      function("pair", "sleep", "    Timeout: 30\n    ReservedConcurrentExecutions: 2\n"),
      function("closed", "echo", "    ReservedConcurrentExecutions: 0\n"),
      "  - FunctionName: bash\n    Command: [./bootstrap]\n    CodeDirectory: ", kCodeDir,
      "\n    Timeout: 30\n    DestinationConfig: {OnSuccess: ", ok, "}\n", "Rules:\n",
      rule("echo", "echo", ""),
      rule("echo-shaped", "echo",
           "        InputTransformer:\n          InputPathsMap: {n: $.detail.n}\n"
           "          InputTemplate: '{\"n\": <n>, \"rule\": \"<aws.events.rule-name>\"}'\n"),
      rule("fails", "fails", ""), rule("slow", "slow", detail), rule("hungry", "hungry", detail),
      rule("crash", "crash", detail), rule("pair", "pair", detail), rule("bash", "bash", ""));
}

// A waited-for condition, polled every 20 ms for up to 90 s.
template <typename F>
bool Eventually(F condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

// The value at a JSON pointer ("/a/b") of `json`, minified; "<missing>" if there is none.
std::string Json(const std::string& json, const char* pointer) {
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  if (parser.parse(json).at_pointer(pointer).get(element) != simdjson::SUCCESS) {
    return "<missing>";
  }
  return simdjson::minify(element);
}

// The string at a JSON pointer of `json`; "<missing>" if there is no string there.
std::string Text(const std::string& json, const char* pointer) {
  simdjson::dom::parser parser;
  std::string_view text;
  if (parser.parse(json).at_pointer(pointer).get_string().get(text) != simdjson::SUCCESS) {
    return "<missing>";
  }
  return std::string(text);
}

// How many times `part` occurs in `text`.
int Count(const std::string& text, const std::string& part) {
  int n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

v1::FunctionConfiguration PythonFunction(const std::string& name, const std::string& handler) {
  v1::FunctionConfiguration f;
  f.set_function_name(name);
  f.add_command(BUSBAR_PYTHON3);
  f.add_command("runtime.py");
  f.set_code_directory(kCodeDir);
  f.set_handler(handler);
  f.set_timeout(30);
  return f;
}

class FunctionTargetTest : public ApiTest {
 protected:
  void SetUp() override {
    rules_path_ = dir_.path() + "/rules.yaml";
    WriteRules(RuleFile());
    options_.listen = "127.0.0.1:0";
    options_.data_dir = dir_.path() + "/data";
    options_.config_files = {rules_path_};
    options_.fsync = targets::FsyncPolicy::kOff;
    options_.retry_base_ms = 100;
    options_.retry_max_delay_ms = 1000;
    options_.function_retry_base_ms = 200;
    Restart();
  }

  // (Re)starts the daemon on options_ (same data directory) with a FunctionsService stub.
  void Restart() {
    Start();
    if (daemon_ == nullptr) return;
    functions_ = v1::FunctionsService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", daemon_->port()), grpc::InsecureChannelCredentials()));
  }

  // Puts one event (detail-type "Test") and returns its id ("" if refused).
  std::string Send(const std::string& source, const std::string& detail) {
    v1::PutEventsRequest req;
    auto* e = req.add_entries();
    e->set_source(source);
    e->set_detail_type("Test");
    e->set_detail(detail);
    v1::PutEventsResponse resp;
    grpc::Status s = Rpc(events_.get(), &v1::EventsService::Stub::PutEvents, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(resp.failed_entry_count(), 0) << resp.DebugString();
    return resp.entries_size() == 1 ? resp.entries(0).event_id() : "";
  }

  // Receives (and deletes) messages of `queue` until `n` arrived or 90 s passed.
  std::vector<v1::Message> Receive(const std::string& queue, size_t n) {
    std::vector<v1::Message> got;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (got.size() < n && std::chrono::steady_clock::now() < deadline) {
      for (v1::Message& m : ReceiveAndDelete(queue, 1)) got.push_back(std::move(m));
    }
    return got;
  }

  // The one record `queue` receives (an empty string, and a failure, if none comes).
  std::string OneRecord(const std::string& queue) {
    std::vector<v1::Message> got = Receive(queue, 1);
    EXPECT_EQ(got.size(), 1u) << "queue " << queue;
    return got.empty() ? "" : got[0].body();
  }

  v1::GetRuleMetricsResponse Metrics(const std::string& rule) {
    v1::GetRuleMetricsRequest req;
    req.set_rule(rule);
    v1::GetRuleMetricsResponse resp;
    grpc::Status s = Rpc(rules_.get(), &v1::RulesService::Stub::GetRuleMetrics, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  // The counters of the rule's target "fn" (all zero if it counted nothing).
  v1::TargetMetrics TargetCounters(const std::string& rule) {
    const v1::GetRuleMetricsResponse metrics = Metrics(rule);
    for (const v1::TargetMetrics& t : metrics.targets()) {
      if (t.id() == "fn") return t;
    }
    return {};
  }

  v1::FunctionState GetFunction(const std::string& name) {
    v1::GetFunctionRequest req;
    req.set_function_name(name);
    v1::GetFunctionResponse resp;
    grpc::Status s = Rpc(functions_.get(), &v1::FunctionsService::Stub::GetFunction, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.function();
  }

  std::string Logs(const std::string& name) {
    v1::GetFunctionLogsRequest req;
    req.set_function_name(name);
    v1::GetFunctionLogsResponse resp;
    grpc::Status s =
        Rpc(functions_.get(), &v1::FunctionsService::Stub::GetFunctionLogs, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.log();
  }

  grpc::Status Invoke(const std::string& name, const std::string& type, const std::string& payload,
                      v1::InvokeResponse* resp, const std::string& log_type = "") {
    v1::InvokeRequest req;
    req.set_function_name(name);
    req.set_invocation_type(type);
    req.set_payload(payload);
    req.set_log_type(log_type);
    return Rpc(functions_.get(), &v1::FunctionsService::Stub::Invoke, req, resp);
  }

  grpc::Status Create(const v1::FunctionConfiguration& f, v1::FunctionConfiguration* out) {
    v1::CreateFunctionRequest req;
    *req.mutable_configuration() = f;
    v1::CreateFunctionResponse resp;
    grpc::Status s = Rpc(functions_.get(), &v1::FunctionsService::Stub::CreateFunction, req, &resp);
    *out = resp.configuration();
    return s;
  }
  grpc::Status Update(const v1::FunctionConfiguration& f, v1::FunctionConfiguration* out) {
    v1::UpdateFunctionRequest req;
    *req.mutable_configuration() = f;
    v1::UpdateFunctionResponse resp;
    grpc::Status s = Rpc(functions_.get(), &v1::FunctionsService::Stub::UpdateFunction, req, &resp);
    *out = resp.configuration();
    return s;
  }
  grpc::Status Delete(const std::string& name) {
    v1::DeleteFunctionRequest req;
    req.set_function_name(name);
    v1::DeleteFunctionResponse resp;
    return Rpc(functions_.get(), &v1::FunctionsService::Stub::DeleteFunction, req, &resp);
  }

  std::unique_ptr<v1::FunctionsService::Stub> functions_;
};

// A record's common fields: Lambda's version, the function's ARN, the condition, the count.
void ExpectRecord(const std::string& record, const std::string& function,
                  const std::string& condition, int invoke_count) {
  EXPECT_EQ(Text(record, "/version"), "1.0") << record;
  EXPECT_EQ(Text(record, "/requestContext/functionArn"),
            absl::StrCat(kFunctionArn, function, ":$LATEST"));
  EXPECT_EQ(Text(record, "/requestContext/condition"), condition) << record;
  EXPECT_EQ(Json(record, "/requestContext/approximateInvokeCount"), absl::StrCat(invoke_count))
      << record;
  EXPECT_NE(Text(record, "/requestContext/requestId"), "<missing>");
  EXPECT_EQ(Json(record, "/responseContext/statusCode"), "200");
  EXPECT_EQ(Text(record, "/responseContext/executedVersion"), "$LATEST");
}

TEST_F(FunctionTargetTest, RuleDeliversTheEventAndOnSuccessGetsLambdasRecord) {
  const std::string id = Send("echo", R"({"order": 7})");
  const std::string record = OneRecord("ok");
  ExpectRecord(record, "echo", "Success", 1);
  EXPECT_EQ(Text(record, "/requestPayload/id"), id);
  EXPECT_EQ(Json(record, "/requestPayload/detail"), R"({"order":7})");
  EXPECT_EQ(Json(record, "/responseContext/functionError"), "<missing>");
  // The handler's answer: the event it got, in its environment.
  EXPECT_EQ(Json(record, "/responsePayload/event"), Json(record, "/requestPayload"));
  EXPECT_EQ(Text(record, "/responsePayload/env/AWS_LAMBDA_FUNCTION_NAME"), "echo");
  EXPECT_EQ(Text(record, "/responsePayload/arn"), absl::StrCat(kFunctionArn, "echo"));
  EXPECT_TRUE(Eventually([&] { return TargetCounters("to-echo").invocations() == 1; }));
  v1::GetRuleMetricsResponse metrics = Metrics("to-echo");
  EXPECT_EQ(metrics.matched_events(), 1u);
  EXPECT_EQ(TargetCounters("to-echo").failed_invocations(), 0u);

  // With an InputTransformer the handler gets (and the record carries) the target's input.
  Send("echo-shaped", R"({"n": 5})");
  const std::string shaped = OneRecord("ok");
  ExpectRecord(shaped, "echo", "Success", 1);
  EXPECT_EQ(Json(shaped, "/requestPayload"), R"({"n":5,"rule":"to-echo-shaped"})");
  EXPECT_EQ(Json(shaped, "/responsePayload/event"), R"({"n":5,"rule":"to-echo-shaped"})");
  EXPECT_TRUE(ReceiveAndDelete("failed", 1).empty());
}

TEST_F(FunctionTargetTest, HandledErrorIsRetriedByTheFunctionThenOnFailureGetsTheRecord) {
  Send("fails", R"({"x": 1})");
  const std::string record = OneRecord("failed");
  ExpectRecord(record, "fails", "RetriesExhausted", 3);
  EXPECT_EQ(Text(record, "/responseContext/functionError"), "Handled");
  EXPECT_EQ(Text(record, "/responsePayload/errorType"), "MyError");
  EXPECT_EQ(Text(record, "/responsePayload/errorMessage"), "it failed");
  EXPECT_EQ(Json(record, "/requestPayload/detail"), R"({"x":1})");
  // Three runs, each logged as Lambda logs it.
  const std::string log = Logs("fails");
  EXPECT_EQ(Count(log, "START RequestId: "), 3) << log;
  EXPECT_EQ(Count(log, "END RequestId: "), 3) << log;
  EXPECT_EQ(Count(log, "REPORT RequestId: "), 3) << log;
  EXPECT_EQ(GetFunction("fails").errors(), 3u);
  // The rule's target was invoked once (Lambda took the event); the retries are Lambda's.
  EXPECT_TRUE(Eventually([&] { return TargetCounters("to-fails").invocations() == 1; }));
  EXPECT_EQ(TargetCounters("to-fails").failed_invocations(), 0u);
}

TEST_F(FunctionTargetTest, TimeoutKillsTheHandlerIsRetriedAndTheNextInvokeIsCold) {
  Send("slow", R"({"seconds": 5})");
  const std::string record = OneRecord("failed");
  ExpectRecord(record, "slow", "RetriesExhausted", 2);
  EXPECT_EQ(Text(record, "/responseContext/functionError"), "Unhandled");
  EXPECT_EQ(Text(record, "/responsePayload/errorType"), "Sandbox.Timedout");
  EXPECT_EQ(GetFunction("slow").timeouts(), 2u);

  v1::InvokeResponse resp;
  ASSERT_RPC_OK(Invoke("slow", "RequestResponse", R"({"seconds": 0})", &resp));
  EXPECT_EQ(resp.function_error(), "") << resp.payload();
  EXPECT_TRUE(resp.cold_start());
  EXPECT_EQ(GetFunction("slow").cold_starts(), 3u);
}

TEST_F(FunctionTargetTest, MemoryOverTheLimitIsOutOfMemoryInTheFailureRecord) {
  Send("hungry", R"({"mb": 300, "hold": 5})");
  const std::string record = OneRecord("failed");
  ExpectRecord(record, "hungry", "RetriesExhausted", 1);
  EXPECT_EQ(Text(record, "/responseContext/functionError"), "Unhandled");
  EXPECT_EQ(Text(record, "/responsePayload/errorType"), "Runtime.OutOfMemory") << record;
}

TEST_F(FunctionTargetTest, CrashMidInvocationIsExitErrorInTheFailureRecord) {
  Send("crash", R"({"code": 7})");
  const std::string record = OneRecord("failed");
  ExpectRecord(record, "crash", "RetriesExhausted", 1);
  EXPECT_EQ(Text(record, "/responseContext/functionError"), "Unhandled");
  EXPECT_EQ(Text(record, "/responsePayload/errorType"), "Runtime.ExitError") << record;
  EXPECT_NE(Text(record, "/responsePayload/errorMessage").find("exit status 7"), std::string::npos)
      << record;
  EXPECT_NE(Logs("crash").find("about to exit"), std::string::npos);
}

TEST_F(FunctionTargetTest, ReservedConcurrencyBoundsOverlappingHandlersAndAllSucceed) {
  targets::testing::TempDir records;
  const std::string detail =
      absl::StrCat(R"({"seconds": 1, "record_dir": ")", records.path(), R"("})");
  for (int i = 0; i < 6; ++i) Send("pair", detail);
  int most_busy = 0;
  std::vector<v1::Message> got;
  ASSERT_TRUE(Eventually([&] {
    most_busy = std::max(most_busy, GetFunction("pair").busy_environments());
    for (v1::Message& m : ReceiveAndDelete("ok", 1)) got.push_back(std::move(m));
    return got.size() >= 6;
  }));
  EXPECT_EQ(got.size(), 6u);
  for (const v1::Message& m : got) ExpectRecord(m.body(), "pair", "Success", 1);
  EXPECT_LE(most_busy, 2);
  // The handlers' own records ("<start> <end> <pid>", CLOCK_MONOTONIC): at most two at once.
  std::vector<std::pair<double, int>> edges;
  std::set<std::string> pids;
  for (const auto& entry : std::filesystem::directory_iterator(records.path())) {
    std::ifstream in(entry.path());
    double start = 0, end = 0;
    std::string pid;
    ASSERT_TRUE(in >> start >> end >> pid) << entry.path();
    edges.push_back({start, +1});
    edges.push_back({end, -1});
    pids.insert(pid);
  }
  EXPECT_EQ(edges.size(), 12u);
  std::sort(edges.begin(), edges.end());  // at equal times an end (-1) sorts first
  int running = 0, most = 0;
  for (const auto& [time, delta] : edges) most = std::max(most, running += delta);
  EXPECT_LE(most, 2);
  EXPECT_LE(pids.size(), 2u);
  EXPECT_LE(GetFunction("pair").cold_starts(), 2u);
  EXPECT_TRUE(Eventually([&] { return TargetCounters("to-pair").invocations() == 6; }));
}

TEST_F(FunctionTargetTest, SequentialEventsReuseTheWarmEnvironment) {
  Send("echo", R"({"n": 1})");
  const std::string first = OneRecord("ok");
  Send("echo", R"({"n": 2})");
  const std::string second = OneRecord("ok");
  EXPECT_EQ(Json(first, "/responsePayload/event/detail"), R"({"n":1})");
  EXPECT_EQ(Json(second, "/responsePayload/event/detail"), R"({"n":2})");
  EXPECT_NE(Json(first, "/responsePayload/pid"), "<missing>");
  EXPECT_EQ(Json(first, "/responsePayload/pid"), Json(second, "/responsePayload/pid"));
  v1::FunctionState state = GetFunction("echo");
  EXPECT_EQ(state.cold_starts(), 1u);
  EXPECT_EQ(state.invocations(), 2u);
}

TEST_F(FunctionTargetTest, BashBootstrapAnswersAsARuleTarget) {
  const std::string id = Send("bash", R"({"b": true})");
  const std::string record = OneRecord("ok");
  ExpectRecord(record, "bash", "Success", 1);
  EXPECT_EQ(Text(record, "/requestPayload/id"), id);
  EXPECT_EQ(Json(record, "/responsePayload/event"), Json(record, "/requestPayload"));
  EXPECT_NE(Json(record, "/responsePayload/pid"), "<missing>");
  EXPECT_NE(Logs("bash").find("bash handler: request "), std::string::npos);
}

TEST_F(FunctionTargetTest, InvokeAnswersEachInvocationTypeAndRefusesAsLambdaDoes) {
  v1::InvokeResponse resp;
  ASSERT_RPC_OK(Invoke("echo", "RequestResponse", R"({"k": "v"})", &resp, "Tail"));
  EXPECT_EQ(resp.status_code(), 200);
  EXPECT_EQ(resp.function_error(), "");
  EXPECT_EQ(resp.executed_version(), "$LATEST");
  EXPECT_TRUE(resp.cold_start());
  EXPECT_EQ(Json(resp.payload(), "/event"), R"({"k":"v"})");
  for (const char* line : {"START RequestId: ", "END RequestId: ", "REPORT RequestId: "}) {
    EXPECT_NE(resp.log_result().find(line + resp.request_id()), std::string::npos)
        << line << " in " << resp.log_result();
  }
  // By ARN, without Tail: no log.
  resp.Clear();
  ASSERT_RPC_OK(Invoke(absl::StrCat(kFunctionArn, "echo"), "", "", &resp));
  EXPECT_EQ(Json(resp.payload(), "/event"), "{}");
  EXPECT_EQ(resp.log_result(), "");
  EXPECT_FALSE(resp.cold_start());

  resp.Clear();
  ASSERT_RPC_OK(Invoke("echo", "Event", R"({"async": 1})", &resp));
  EXPECT_EQ(resp.status_code(), 202);
  const std::string record = OneRecord("ok");
  ExpectRecord(record, "echo", "Success", 1);
  EXPECT_EQ(Json(record, "/requestPayload"), R"({"async":1})");
  EXPECT_EQ(Json(record, "/responsePayload/event"), R"({"async":1})");

  resp.Clear();
  ASSERT_RPC_OK(Invoke("echo", "DryRun", "", &resp));
  EXPECT_EQ(resp.status_code(), 204);

  EXPECT_RPC_ERROR(Invoke("nope", "RequestResponse", "", &resp), NOT_FOUND,
                   "ResourceNotFoundException");
  // An ARN is read as a rule target's: another kind, account or region is refused.
  EXPECT_RPC_ERROR(Invoke("arn:aws:sqs:us-east-1:000000000000:echo", "", "", &resp),
                   INVALID_ARGUMENT,
                   "InvalidParameterValueException: FunctionName "
                   "'arn:aws:sqs:us-east-1:000000000000:echo' is not a Lambda function ARN");
  EXPECT_RPC_ERROR(Invoke("arn:aws:lambda:eu-west-1:000000000000:function:echo", "", "", &resp),
                   INVALID_ARGUMENT, "InvalidParameterValueException: FunctionName 'arn:aws:");
  EXPECT_RPC_ERROR(Invoke("echo", "RequestResponse", "not json", &resp), INVALID_ARGUMENT,
                   "InvalidRequestContentException");
  EXPECT_RPC_ERROR(Invoke("closed", "RequestResponse", "{}", &resp), RESOURCE_EXHAUSTED,
                   "TooManyRequestsException");
  EXPECT_EQ(GetFunction("closed").throttles(), 1u);
}

TEST_F(FunctionTargetTest, DeletedFunctionSendsTheEventToTheDeadLetterQueueWithoutRetry) {
  v1::FunctionConfiguration created;
  ASSERT_RPC_OK(Create(PythonFunction("doomed", "echo"), &created));
  EXPECT_EQ(created.function_arn(), absl::StrCat(kFunctionArn, "doomed"));
  std::string rule_arn;
  ASSERT_RPC_OK(PutRule("to-doomed", R"({"source": ["doomed"]})", "", v1::RULE_STATE_UNSPECIFIED,
                        "", &rule_arn));
  v1::Target target;
  target.set_id("fn");
  target.set_arn(absl::StrCat(kFunctionArn, "doomed"));
  target.mutable_retry_policy()->set_maximum_retry_attempts(5);
  target.mutable_dead_letter_config()->set_arn(absl::StrCat(kQueueArn, "dlq"));
  MustPutTargets("to-doomed", {target});
  ASSERT_RPC_OK(Delete("doomed"));

  const std::string id = Send("doomed", R"({"late": true})");
  std::vector<v1::Message> got = Receive("dlq", 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(Text(got[0].body(), "/id"), id);
  EXPECT_EQ(Json(got[0].body(), "/detail"), R"({"late":true})");
  const auto& attributes = got[0].message_attributes();
  auto value = [&](const std::string& name) {
    auto it = attributes.find(name);
    return it == attributes.end() ? std::string("<missing>") : it->second.string_value();
  };
  EXPECT_EQ(value("ERROR_CODE"), "NO_RESOURCE");
  EXPECT_EQ(value("RETRY_ATTEMPTS"), "0");
  EXPECT_EQ(value("EXHAUSTED_RETRY_CONDITION"), "<missing>");
  EXPECT_EQ(value("RULE_ARN"), rule_arn);
  EXPECT_EQ(value("TARGET_ARN"), absl::StrCat(kFunctionArn, "doomed"));
  EXPECT_NE(value("ERROR_MESSAGE").find("doomed"), std::string::npos) << value("ERROR_MESSAGE");
  EXPECT_TRUE(Eventually([&] { return TargetCounters("to-doomed").failed_invocations() == 1; }));
  v1::TargetMetrics counters = TargetCounters("to-doomed");
  EXPECT_EQ(counters.invocations_sent_to_dlq(), 1u);
  EXPECT_EQ(counters.invocations(), 0u);
  EXPECT_EQ(counters.invocation_attempts(), 1u);
}

TEST_F(FunctionTargetTest, CreateUpdateDeleteCheckFieldsOwnershipAndPersist) {
  v1::FunctionConfiguration out;
  v1::FunctionConfiguration bad = PythonFunction("bad", "echo");
  bad.set_timeout(901);
  EXPECT_RPC_ERROR(Create(bad, &out), INVALID_ARGUMENT, "Timeout");
  bad.set_timeout(3);
  bad.set_memory_size(64);
  EXPECT_RPC_ERROR(Create(bad, &out), INVALID_ARGUMENT, "MemorySize");

  // Functions declared in the rule file belong to it.
  EXPECT_RPC_ERROR(Update(PythonFunction("echo", "noop"), &out), FAILED_PRECONDITION, "rules.yaml");
  EXPECT_RPC_ERROR(Delete("echo"), FAILED_PRECONDITION, "rules.yaml");
  EXPECT_RPC_ERROR(Update(PythonFunction("nope", "echo"), &out), NOT_FOUND,
                   "ResourceNotFoundException");
  EXPECT_RPC_ERROR(Delete("nope"), NOT_FOUND, "ResourceNotFoundException");

  ASSERT_RPC_OK(Create(PythonFunction("kept", "echo"), &out));
  EXPECT_RPC_ERROR(Create(PythonFunction("kept", "echo"), &out), ALREADY_EXISTS,
                   "ResourceConflictException");
  v1::FunctionConfiguration changed = PythonFunction("kept", "echo");
  changed.set_timeout(7);
  changed.set_on_success_destination(absl::StrCat(kQueueArn, "ok"));
  ASSERT_RPC_OK(Update(changed, &out));
  EXPECT_EQ(out.timeout(), 7);
  EXPECT_EQ(out.declared_in(), "");

  // API functions persist in the data directory.
  Restart();
  ASSERT_NE(daemon_, nullptr);
  v1::FunctionState kept = GetFunction("kept");
  EXPECT_EQ(kept.configuration().timeout(), 7);
  EXPECT_EQ(kept.configuration().on_success_destination(), absl::StrCat(kQueueArn, "ok"));
  EXPECT_EQ(kept.configuration().declared_in(), "");
  EXPECT_NE(GetFunction("echo").configuration().declared_in().find("rules.yaml"),
            std::string::npos);
  v1::InvokeResponse resp;
  ASSERT_RPC_OK(Invoke("kept", "RequestResponse", R"({"after": "restart"})", &resp));
  EXPECT_EQ(Json(resp.payload(), "/event"), R"({"after":"restart"})");
  ASSERT_RPC_OK(Delete("kept"));
  Restart();
  v1::GetFunctionRequest req;
  req.set_function_name("kept");
  v1::GetFunctionResponse state;
  EXPECT_RPC_ERROR(Rpc(functions_.get(), &v1::FunctionsService::Stub::GetFunction, req, &state),
                   NOT_FOUND, "ResourceNotFoundException");
}

TEST_F(FunctionTargetTest, EveryFieldRoundTripsThroughTheApiAndTheDataDirectory) {
  v1::FunctionConfiguration full = PythonFunction("full", "echo");
  full.set_description("every field");
  (*full.mutable_environment())["STAGE"] = "test";
  (*full.mutable_environment())["TZ"] = "Europe/Paris";
  full.set_timeout(11);
  full.set_memory_size(256);
  full.set_reserved_concurrent_executions(3);
  full.set_maximum_retry_attempts(1);
  full.set_maximum_event_age_in_seconds(120);
  full.set_on_success_destination(absl::StrCat(kQueueArn, "ok"));
  full.set_on_failure_destination("arn:aws:events:us-east-1:000000000000:event-bus/default");
  v1::FunctionConfiguration want = full;
  want.set_function_arn(absl::StrCat(kFunctionArn, "full"));
  v1::FunctionConfiguration out;
  ASSERT_RPC_OK(Create(full, &out));
  EXPECT_EQ(out.DebugString(), want.DebugString());
  EXPECT_EQ(GetFunction("full").configuration().DebugString(), want.DebugString());
  Restart();
  ASSERT_NE(daemon_, nullptr);
  EXPECT_EQ(GetFunction("full").configuration().DebugString(), want.DebugString());
  // Unset optional fields take Lambda's defaults; a rule file's function says where it is.
  v1::FunctionConfiguration echo = GetFunction("echo").configuration();
  EXPECT_EQ(echo.memory_size(), 128);
  EXPECT_EQ(echo.maximum_retry_attempts(), 2);
  EXPECT_EQ(echo.maximum_event_age_in_seconds(), 21600);
  EXPECT_FALSE(echo.has_reserved_concurrent_executions());
  EXPECT_NE(echo.declared_in().find("rules.yaml:"), std::string::npos);
}

TEST_F(FunctionTargetTest, UpdateOfOnlyTheDescriptionOrDestinationsKeepsTheFunctionWarm) {
  v1::FunctionConfiguration f = PythonFunction("warm", "echo");
  v1::FunctionConfiguration out;
  ASSERT_RPC_OK(Create(f, &out));
  v1::InvokeResponse first;
  ASSERT_RPC_OK(Invoke("warm", "RequestResponse", "{}", &first));
  EXPECT_TRUE(first.cold_start());
  f.set_description("described");
  f.set_on_failure_destination(absl::StrCat(kQueueArn, "failed"));
  ASSERT_RPC_OK(Update(f, &out));
  v1::InvokeResponse second;
  ASSERT_RPC_OK(Invoke("warm", "RequestResponse", "{}", &second));
  EXPECT_FALSE(second.cold_start());
  f.set_memory_size(256);  // what the process runs with: a new environment
  ASSERT_RPC_OK(Update(f, &out));
  v1::InvokeResponse third;
  ASSERT_RPC_OK(Invoke("warm", "RequestResponse", "{}", &third));
  EXPECT_TRUE(third.cold_start());
}

}  // namespace
}  // namespace busbar::bus
