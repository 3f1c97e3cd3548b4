// `busbar functions …`: list, describe, create, update, delete and invoke Lambda-style
// functions, and read their logs, each one FunctionsService call. Results are JSON lines
// on stdout (logs and invoke --raw print text); a refused call prints the daemon's
// message on stderr and exits 1.
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "bus/cli/commands.h"
#include "bus/cli/rpc.h"
#include "busbar/v1/functions.grpc.pb.h"
#include "matcher/base/base.h"

namespace busbar::cli {
namespace {

namespace v1 = ::busbar::v1;

void PrintFunction(const v1::FunctionState& f) {
  const v1::FunctionConfiguration& c = f.configuration();
  std::string out = "{\"FunctionName\":";
  base::AppendJsonString(c.function_name(), &out);
  out += ",\"FunctionArn\":";
  base::AppendJsonString(c.function_arn(), &out);
  out += ",\"Command\":[";
  for (int i = 0; i < c.command_size(); ++i) {
    if (i > 0) out += ",";
    base::AppendJsonString(c.command(i), &out);
  }
  out += "],\"CodeDirectory\":";
  base::AppendJsonString(c.code_directory(), &out);
  if (!c.handler().empty()) {
    out += ",\"Handler\":";
    base::AppendJsonString(c.handler(), &out);
  }
  absl::StrAppend(&out, ",\"Timeout\":", c.timeout(), ",\"MemorySize\":", c.memory_size());
  if (c.has_reserved_concurrent_executions()) {
    absl::StrAppend(&out, ",\"ReservedConcurrentExecutions\":", c.reserved_concurrent_executions());
  }
  absl::StrAppend(&out, ",\"MaximumRetryAttempts\":", c.maximum_retry_attempts(),
                  ",\"MaximumEventAgeInSeconds\":", c.maximum_event_age_in_seconds());
  if (!c.on_success_destination().empty()) {
    out += ",\"OnSuccess\":";
    base::AppendJsonString(c.on_success_destination(), &out);
  }
  if (!c.on_failure_destination().empty()) {
    out += ",\"OnFailure\":";
    base::AppendJsonString(c.on_failure_destination(), &out);
  }
  if (!c.declared_in().empty()) {
    out += ",\"DeclaredIn\":";
    base::AppendJsonString(c.declared_in(), &out);
  }
  absl::StrAppend(&out, ",\"Invocations\":", f.invocations(), ",\"Errors\":", f.errors(),
                  ",\"Throttles\":", f.throttles(), ",\"ColdStarts\":", f.cold_starts(),
                  ",\"Timeouts\":", f.timeouts(), ",\"BusyEnvironments\":", f.busy_environments(),
                  ",\"IdleEnvironments\":", f.idle_environments(),
                  ",\"QueuedInvocations\":", f.queued_invocations(), "}");
  std::printf("%s\n", out.c_str());
}

std::string NameOf(const Options& o) {
  if (o.Has("--name")) return o.Get("--name");
  return o.positional.size() == 1 ? o.positional[0] : "";
}

int Put(v1::FunctionsService::Stub& stub, bool create, const Options& o) {
  v1::CreateFunctionRequest create_req;
  v1::FunctionConfiguration& req = *create_req.mutable_configuration();
  req.set_function_name(NameOf(o));
  if (req.function_name().empty()) {
    return UsageError("functions", "create/update take NAME (or --name)");
  }
  for (const std::string& a : o.All("--command")) req.add_command(a);
  req.set_code_directory(o.Get("--code-directory"));
  req.set_handler(o.Get("--handler"));
  req.set_description(o.Get("--description"));
  for (const std::string& kv : o.All("--env")) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos) return UsageError("functions", "--env takes KEY=VALUE");
    (*req.mutable_environment())[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  int32_t value = 0;
  struct Field {
    std::string_view flag;
    void (v1::FunctionConfiguration::*set)(int32_t);
  };
  const Field fields[] = {
      {"--timeout", &v1::FunctionConfiguration::set_timeout},
      {"--memory-size", &v1::FunctionConfiguration::set_memory_size},
      {"--reserved-concurrency", &v1::FunctionConfiguration::set_reserved_concurrent_executions},
      {"--maximum-retry-attempts", &v1::FunctionConfiguration::set_maximum_retry_attempts},
      {"--maximum-event-age", &v1::FunctionConfiguration::set_maximum_event_age_in_seconds},
  };
  for (const Field& f : fields) {
    if (!o.Has(f.flag)) continue;
    if (!o.GetInt(f.flag, &value)) {
      return UsageError("functions", absl::StrCat(std::string(f.flag), " takes a number"));
    }
    (req.*f.set)(value);
  }
  req.set_on_success_destination(o.Get("--on-success"));
  req.set_on_failure_destination(o.Get("--on-failure"));
  auto ctx = Context();
  grpc::Status s;
  std::string arn;
  if (create) {
    v1::CreateFunctionResponse resp;
    s = stub.CreateFunction(ctx.get(), create_req, &resp);
    arn = resp.configuration().function_arn();
  } else {
    v1::UpdateFunctionRequest update_req;
    *update_req.mutable_configuration() = req;
    v1::UpdateFunctionResponse resp;
    s = stub.UpdateFunction(ctx.get(), update_req, &resp);
    arn = resp.configuration().function_arn();
  }
  if (!s.ok()) return RpcError(s);
  std::printf("%s\n", arn.c_str());
  return 0;
}

int Invoke(v1::FunctionsService::Stub& stub, const Options& o) {
  v1::InvokeRequest req;
  req.set_function_name(NameOf(o));
  if (req.function_name().empty()) return UsageError("functions", "invoke takes NAME");
  if (o.Has("--payload")) {
    auto payload = ReadJsonArg(o.Get("--payload"));
    if (!payload.ok()) return PrintError(payload.status());
    req.set_payload(*payload);
  }
  req.set_invocation_type(o.Get("--invocation-type", "RequestResponse"));
  req.set_log_type(o.Has("--log") ? "Tail" : "None");
  v1::InvokeResponse resp;
  auto ctx = Context(960);  // Timeout is at most 900 s
  if (auto s = stub.Invoke(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
  if (req.log_type() == "Tail") std::fputs(resp.log_result().c_str(), stderr);
  std::string out = absl::StrCat("{\"StatusCode\":", resp.status_code());
  if (!resp.function_error().empty()) {
    out += ",\"FunctionError\":";
    base::AppendJsonString(resp.function_error(), &out);
  }
  if (!resp.request_id().empty()) {
    out += ",\"RequestId\":";
    base::AppendJsonString(resp.request_id(), &out);
    absl::StrAppend(&out, ",\"ColdStart\":", resp.cold_start() ? "true" : "false");
  }
  out += ",\"ExecutedVersion\":\"$LATEST\"";
  if (resp.status_code() == 200) {
    out += ",\"Payload\":";
    base::AppendJsonString(resp.payload(), &out);
  }
  out += "}";
  std::printf("%s\n", out.c_str());
  return resp.function_error().empty() ? 0 : 1;
}

}  // namespace

void PrintFunctionsHelp(std::FILE* out) {
  std::fputs(
      "Usage: busbar functions list\n"
      "       busbar functions describe NAME\n"
      "       busbar functions invoke NAME [--payload JSON|@FILE] [--log]\n"
      "                               [--invocation-type RequestResponse|Event|DryRun]\n"
      "       busbar functions logs NAME [--bytes N]\n"
      "       busbar functions create|update NAME --command ARG... --code-directory DIR\n"
      "           [--handler H] [--env K=V]... [--timeout S] [--memory-size MB]\n"
      "           [--reserved-concurrency N] [--maximum-retry-attempts 0-2]\n"
      "           [--maximum-event-age S] [--on-success ARN] [--on-failure ARN]\n"
      "       busbar functions delete NAME\n"
      "       (every command takes --endpoint HOST:PORT)\n"
      "\n"
      "Functions are handler processes the daemon runs; they talk the AWS Lambda\n"
      "Runtime API (a custom runtime's bootstrap, or any Lambda runtime client).\n"
      "list and describe print one JSON line per function with its counters; invoke\n"
      "prints {StatusCode, FunctionError, Payload, ...} and exits 1 on a function\n"
      "error (--log prints the invocation's log lines on stderr); logs prints the\n"
      "end of the function's log (START / output / END / REPORT lines). --command is\n"
      "repeated, one argv element each. Functions declared in rule files can only be\n"
      "changed there.\n",
      out);
}

int RunFunctions(const Args& in) {
  Args args = in;
  auto channel = Connect(args);
  if (!channel.ok()) return UsageError("functions", std::string(channel.status().message()));
  auto stub = v1::FunctionsService::NewStub(*channel);
  if (args.empty()) return UsageError("functions", "missing subcommand");
  const std::string_view sub = args[0];
  if (sub == "list") {
    v1::ListFunctionsResponse resp;
    auto ctx = Context();
    if (auto s = stub->ListFunctions(ctx.get(), {}, &resp); !s.ok()) return RpcError(s);
    for (const auto& f : resp.functions()) PrintFunction(f);
    return 0;
  }
  if (sub == "create" || sub == "update") {
    auto o = ReadOptions(
        args, 1,
        {"--name", "--command", "--code-directory", "--handler", "--description", "--env",
         "--timeout", "--memory-size", "--reserved-concurrency", "--maximum-retry-attempts",
         "--maximum-event-age", "--on-success", "--on-failure"});
    if (!o.ok()) return UsageError("functions", std::string(o.status().message()));
    return Put(*stub, sub == "create", *o);
  }
  if (sub == "invoke") {
    auto o = ReadOptions(args, 1, {"--name", "--payload", "--invocation-type"}, {"--log"});
    if (!o.ok()) return UsageError("functions", std::string(o.status().message()));
    return Invoke(*stub, *o);
  }
  if (sub == "describe" || sub == "delete" || sub == "logs") {
    auto o = ReadOptions(args, 1, {"--name", "--bytes"});
    if (!o.ok()) return UsageError("functions", std::string(o.status().message()));
    const std::string name = NameOf(*o);
    if (name.empty()) return UsageError("functions", absl::StrCat(std::string(sub), " takes NAME"));
    uint32_t max_bytes = 0;
    if (!o->GetInt("--bytes", &max_bytes)) return UsageError("functions", "--bytes takes a number");
    auto ctx = Context();
    if (sub == "describe") {
      v1::GetFunctionRequest req;
      req.set_function_name(name);
      v1::GetFunctionResponse resp;
      if (auto s = stub->GetFunction(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
      PrintFunction(resp.function());
    } else if (sub == "delete") {
      v1::DeleteFunctionRequest req;
      req.set_function_name(name);
      v1::DeleteFunctionResponse resp;
      if (auto s = stub->DeleteFunction(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
    } else {
      v1::GetFunctionLogsRequest req;
      req.set_function_name(name);
      if (o->Has("--bytes")) req.set_max_bytes(max_bytes);
      v1::GetFunctionLogsResponse resp;
      if (auto s = stub->GetFunctionLogs(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
      std::fputs(resp.log().c_str(), stdout);
    }
    return 0;
  }
  return UsageError("functions", absl::StrCat("unknown subcommand '", std::string(sub), "'"));
}

}  // namespace busbar::cli
