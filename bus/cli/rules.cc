// `busbar rules …`: list, describe, put, delete, enable and disable rules, and
// list, put and remove their targets, each one RulesService call (List calls
// follow next_token to the end). Results are JSON lines on stdout; a refused
// call prints the daemon's message on stderr and exits 1.
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "bus/cli/commands.h"
#include "bus/cli/rpc.h"
#include "busbar/v1/rules.grpc.pb.h"
#include "matcher/base/base.h"

namespace busbar::cli {
namespace {

namespace v1 = ::busbar::v1;

void PrintRule(const v1::Rule& r) {
  std::string out = "{\"Name\":";
  base::AppendJsonString(r.name(), &out);
  out += ",\"Arn\":";
  base::AppendJsonString(r.arn(), &out);
  out += ",\"EventBusName\":";
  base::AppendJsonString(r.event_bus_name(), &out);
  out += ",\"State\":";
  out += r.state() == v1::RULE_STATE_ENABLED ? "\"ENABLED\"" : "\"DISABLED\"";
  out += ",\"EventPattern\":";
  base::AppendJsonString(r.event_pattern(), &out);
  if (!r.description().empty()) {
    out += ",\"Description\":";
    base::AppendJsonString(r.description(), &out);
  }
  out += "}";
  std::printf("%s\n", out.c_str());
}

void PrintTarget(const v1::Target& t) {
  std::string out = "{\"Id\":";
  base::AppendJsonString(t.id(), &out);
  out += ",\"Arn\":";
  base::AppendJsonString(t.arn(), &out);
  if (!t.input().empty()) {
    out += ",\"Input\":";
    base::AppendJsonString(t.input(), &out);
  }
  if (!t.input_path().empty()) {
    out += ",\"InputPath\":";
    base::AppendJsonString(t.input_path(), &out);
  }
  if (t.has_input_transformer()) {
    out += ",\"InputTransformer\":{\"InputPathsMap\":{";
    bool first = true;
    for (const auto& [var, path] : t.input_transformer().input_paths_map()) {
      if (!first) out += ",";
      first = false;
      base::AppendJsonString(var, &out);
      out += ":";
      base::AppendJsonString(path, &out);
    }
    out += "},\"InputTemplate\":";
    base::AppendJsonString(t.input_transformer().input_template(), &out);
    out += "}";
  }
  if (t.has_retry_policy()) {
    absl::StrAppend(
        &out,
        ",\"RetryPolicy\":{\"MaximumRetryAttempts\":", t.retry_policy().maximum_retry_attempts(),
        ",\"MaximumEventAgeInSeconds\":", t.retry_policy().maximum_event_age_in_seconds(), "}");
  }
  if (t.has_dead_letter_config()) {
    out += ",\"DeadLetterConfig\":{\"Arn\":";
    base::AppendJsonString(t.dead_letter_config().arn(), &out);
    out += "}";
  }
  out += "}";
  std::printf("%s\n", out.c_str());
}

// The name a subcommand acts on: --name (or `flag`), or the one positional argument.
bool TakeName(const Options& o, std::string_view flag, std::string* name) {
  if (o.Has(flag) && o.positional.empty()) {
    *name = o.Get(flag);
    return true;
  }
  if (!o.Has(flag) && o.positional.size() == 1) {
    *name = o.positional[0];
    return true;
  }
  return false;
}

std::string BusOf(const Options& o) { return o.Get("--bus", o.Get("--event-bus-name")); }

int ListRules(v1::RulesService::Stub& stub, const Options& o) {
  if (!o.positional.empty()) return UsageError("rules", "list takes no NAME (use --prefix)");
  v1::ListRulesRequest req;
  req.set_event_bus_name(BusOf(o));
  req.set_name_prefix(o.Get("--prefix"));
  return ForEachPage(stub, &v1::RulesService::Stub::ListRules, req,
                     [](const v1::ListRulesResponse& page) {
                       for (const auto& r : page.rules()) PrintRule(r);
                     });
}

int PutRule(v1::RulesService::Stub& stub, const Options& o) {
  v1::PutRuleRequest req;
  std::string name;
  if (!TakeName(o, "--name", &name)) return UsageError("rules", "put takes --name NAME");
  if (!o.Has("--pattern")) return UsageError("rules", "put takes --pattern JSON|@FILE");
  auto pattern = ReadJsonArg(o.Get("--pattern"));
  if (!pattern.ok()) return PrintError(pattern.status());
  const std::string state = o.Get("--state", "ENABLED");
  if (state != "ENABLED" && state != "DISABLED") {
    return UsageError("rules", "--state takes ENABLED or DISABLED");
  }
  req.set_name(name);
  req.set_event_bus_name(BusOf(o));
  req.set_event_pattern(*pattern);
  req.set_state(state == "ENABLED" ? v1::RULE_STATE_ENABLED : v1::RULE_STATE_DISABLED);
  req.set_description(o.Get("--description"));
  v1::PutRuleResponse resp;
  auto ctx = Context();
  if (auto s = stub.PutRule(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
  std::printf("%s\n", resp.rule_arn().c_str());
  return 0;
}

// describe, delete, enable, disable: one rule by name.
int OneRule(v1::RulesService::Stub& stub, std::string_view sub, const Options& o) {
  std::string name;
  if (!TakeName(o, "--name", &name)) {
    return UsageError("rules", absl::StrCat(std::string(sub), " takes one rule NAME (or --name)"));
  }
  auto ctx = Context();
  grpc::Status s;
  if (sub == "describe") {
    v1::DescribeRuleRequest req;
    req.set_name(name);
    req.set_event_bus_name(BusOf(o));
    v1::DescribeRuleResponse resp;
    if (s = stub.DescribeRule(ctx.get(), req, &resp); s.ok()) PrintRule(resp.rule());
  } else if (sub == "delete") {
    v1::DeleteRuleRequest req;
    req.set_name(name);
    req.set_event_bus_name(BusOf(o));
    v1::DeleteRuleResponse resp;
    s = stub.DeleteRule(ctx.get(), req, &resp);
  } else if (sub == "enable") {
    v1::EnableRuleRequest req;
    req.set_name(name);
    req.set_event_bus_name(BusOf(o));
    v1::EnableRuleResponse resp;
    s = stub.EnableRule(ctx.get(), req, &resp);
  } else {
    v1::DisableRuleRequest req;
    req.set_name(name);
    req.set_event_bus_name(BusOf(o));
    v1::DisableRuleResponse resp;
    s = stub.DisableRule(ctx.get(), req, &resp);
  }
  return s.ok() ? 0 : RpcError(s);
}

// Prints each failed entry on stderr; returns 1 if there was one.
template <typename Response>
int ReportFailures(const Response& resp) {
  for (const auto& e : resp.failed_entries()) {
    std::fprintf(stderr, "target %s: %s: %s\n", e.target_id().c_str(), e.error_code().c_str(),
                 e.error_message().c_str());
  }
  return resp.failed_entry_count() == 0 ? 0 : 1;
}

int RunTargets(v1::RulesService::Stub& stub, const Args& args) {
  if (args.size() < 2) return UsageError("rules", "targets takes list, put or remove");
  const std::string_view sub = args[1];
  if (sub != "list" && sub != "put" && sub != "remove") {
    return UsageError("rules", absl::StrCat("unknown targets subcommand '", std::string(sub),
                                            "' (list, put or remove)"));
  }
  auto o = ReadOptions(
      args, 2, {"--rule", "--bus", "--event-bus-name", "--id", "--arn", "--input", "--input-path"});
  if (!o.ok()) return UsageError("rules", std::string(o.status().message()));
  if (!o->Has("--rule")) return UsageError("rules", "targets takes --rule RULE");
  const std::string rule = o->Get("--rule");
  if (sub == "list") {
    if (!o->positional.empty()) return UsageError("rules", "targets list takes --rule only");
    v1::ListTargetsByRuleRequest req;
    req.set_rule(rule);
    req.set_event_bus_name(BusOf(*o));
    return ForEachPage(stub, &v1::RulesService::Stub::ListTargetsByRule, req,
                       [](const v1::ListTargetsByRuleResponse& page) {
                         for (const auto& t : page.targets()) PrintTarget(t);
                       });
  }
  if (sub == "put") {
    if (!o->positional.empty() || !o->Has("--id") || !o->Has("--arn")) {
      return UsageError("rules", "targets put takes --rule R --id I --arn ARN");
    }
    v1::PutTargetsRequest req;
    req.set_rule(rule);
    req.set_event_bus_name(BusOf(*o));
    v1::Target* t = req.add_targets();
    t->set_id(o->Get("--id"));
    t->set_arn(o->Get("--arn"));
    if (o->Has("--input")) {
      auto input = ReadJsonArg(o->Get("--input"));
      if (!input.ok()) return PrintError(input.status());
      t->set_input(*input);
    }
    t->set_input_path(o->Get("--input-path"));
    v1::PutTargetsResponse resp;
    auto ctx = Context();
    if (auto s = stub.PutTargets(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
    return ReportFailures(resp);
  }
  // remove
  v1::RemoveTargetsRequest req;
  req.set_rule(rule);
  req.set_event_bus_name(BusOf(*o));
  if (auto it = o->values.find("--id"); it != o->values.end()) {
    for (const std::string& id : it->second) req.add_ids(id);
  }
  for (const std::string& id : o->positional) req.add_ids(id);  // --id a b c
  if (req.ids_size() == 0) return UsageError("rules", "targets remove takes --id ID...");
  v1::RemoveTargetsResponse resp;
  auto ctx = Context();
  if (auto s = stub.RemoveTargets(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
  return ReportFailures(resp);
}

int Metrics(v1::RulesService::Stub& stub, const Options& o) {
  std::string name;
  if (!TakeName(o, "--name", &name)) return UsageError("rules", "metrics takes one rule NAME");
  v1::GetRuleMetricsRequest req;
  req.set_rule(name);
  req.set_event_bus_name(BusOf(o));
  v1::GetRuleMetricsResponse resp;
  auto ctx = Context();
  if (auto s = stub.GetRuleMetrics(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
  std::string out = "{\"RuleArn\":";
  base::AppendJsonString(resp.rule_arn(), &out);
  absl::StrAppend(&out, ",\"MatchedEvents\":", resp.matched_events(),
                  ",\"TriggeredRules\":", resp.triggered_rules(), ",\"Targets\":[");
  for (int i = 0; i < resp.targets_size(); ++i) {
    const v1::TargetMetrics& t = resp.targets(i);
    if (i > 0) out += ",";
    out += "{\"Id\":";
    base::AppendJsonString(t.id(), &out);
    absl::StrAppend(
        &out, ",\"Invocations\":", t.invocations(),
        ",\"FailedInvocations\":", t.failed_invocations(),
        ",\"InvocationsSentToDLQ\":", t.invocations_sent_to_dlq(),
        ",\"InvocationsFailedToBeSentToDLQ\":", t.invocations_failed_to_be_sent_to_dlq(),
        ",\"InvocationAttempts\":", t.invocation_attempts(), "}");
  }
  out += "]}";
  std::printf("%s\n", out.c_str());
  return 0;
}

}  // namespace

void PrintRulesHelp(std::FILE* out) {
  std::fputs(
      "Usage: busbar rules list [--bus B] [--prefix P]\n"
      "       busbar rules describe NAME [--bus B]\n"
      "       busbar rules put --name N [--bus B] --pattern JSON|@FILE\n"
      "                        [--state ENABLED|DISABLED] [--description D]\n"
      "       busbar rules delete|enable|disable --name N [--bus B]\n"
      "       busbar rules metrics NAME [--bus B]\n"
      "       busbar rules targets list --rule R [--bus B]\n"
      "       busbar rules targets put --rule R [--bus B] --id I --arn ARN\n"
      "                                [--input JSON|@FILE] [--input-path P]\n"
      "       busbar rules targets remove --rule R [--bus B] --id I...\n"
      "       (every command takes --endpoint HOST:PORT; --event-bus-name is --bus)\n"
      "\n"
      "Rules come from the daemon's rule files and from this API; those declared in\n"
      "rule files can only be changed there. --bus takes a bus name or ARN (default:\n"
      "default). list, describe and targets list print one JSON line per rule or\n"
      "target; put prints the rule's ARN. A refused call prints the daemon's message\n"
      "and exits 1; targets put/remove print each refused target and exit 1.\n"
      "metrics prints the rule's counters since the daemon started (MatchedEvents,\n"
      "TriggeredRules) and each target's (Invocations, FailedInvocations,\n"
      "InvocationsSentToDLQ, InvocationsFailedToBeSentToDLQ, InvocationAttempts).\n",
      out);
}

int RunRules(const Args& in) {
  Args args = in;
  auto channel = Connect(args);
  if (!channel.ok()) return UsageError("rules", std::string(channel.status().message()));
  auto stub = v1::RulesService::NewStub(*channel);
  if (args.empty()) return UsageError("rules", "missing subcommand");
  const std::string_view sub = args[0];
  if (sub == "targets") return RunTargets(*stub, args);
  if (sub == "put") {
    auto o = ReadOptions(
        args, 1, {"--name", "--bus", "--event-bus-name", "--pattern", "--state", "--description"});
    if (!o.ok()) return UsageError("rules", std::string(o.status().message()));
    return PutRule(*stub, *o);
  }
  if (sub == "list") {
    auto o = ReadOptions(args, 1, {"--bus", "--event-bus-name", "--prefix"});
    if (!o.ok()) return UsageError("rules", std::string(o.status().message()));
    return ListRules(*stub, *o);
  }
  if (sub == "metrics") {
    auto o = ReadOptions(args, 1, {"--name", "--bus", "--event-bus-name"});
    if (!o.ok()) return UsageError("rules", std::string(o.status().message()));
    return Metrics(*stub, *o);
  }
  if (sub == "describe" || sub == "delete" || sub == "enable" || sub == "disable") {
    auto o = ReadOptions(args, 1, {"--name", "--bus", "--event-bus-name"});
    if (!o.ok()) return UsageError("rules", std::string(o.status().message()));
    return OneRule(*stub, sub, *o);
  }
  return UsageError("rules", absl::StrCat("unknown subcommand '", std::string(sub), "'"));
}

}  // namespace busbar::cli
