// `busbar buses …`: list, describe, create and delete event buses, each one
// BusesService call (list follows next_token to the end).
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "bus/cli/commands.h"
#include "bus/cli/rpc.h"
#include "busbar/v1/buses.grpc.pb.h"
#include "matcher/base/base.h"

namespace busbar::cli {
namespace {

namespace v1 = ::busbar::v1;

void PrintBus(const v1::EventBus& b) {
  std::string out = "{\"Name\":";
  base::AppendJsonString(b.name(), &out);
  out += ",\"Arn\":";
  base::AppendJsonString(b.arn(), &out);
  if (!b.description().empty()) {
    out += ",\"Description\":";
    base::AppendJsonString(b.description(), &out);
  }
  absl::StrAppend(&out, ",\"CreationTime\":\"", Rfc3339(b.creation_time()),
                  "\",\"LastModifiedTime\":\"", Rfc3339(b.last_modified_time()), "\"}");
  std::printf("%s\n", out.c_str());
}

}  // namespace

void PrintBusesHelp(std::FILE* out) {
  std::fputs(
      "Usage: busbar buses list [--endpoint HOST:PORT] [--prefix P]\n"
      "       busbar buses describe NAME|ARN\n"
      "       busbar buses create NAME [--description D]\n"
      "       busbar buses delete NAME\n"
      "\n"
      "list prints one line per bus, its name and ARN separated by a tab; describe\n"
      "prints one JSON line; create prints the new bus's ARN. Buses declared in rule\n"
      "files can only be changed there; a bus is deleted only once it has no rules.\n"
      "A refused call prints the daemon's message and exits 1.\n",
      out);
}

int RunBuses(const Args& in) {
  Args args = in;
  auto channel = Connect(args);
  if (!channel.ok()) return UsageError("buses", std::string(channel.status().message()));
  auto stub = v1::BusesService::NewStub(*channel);
  if (args.empty()) return UsageError("buses", "missing subcommand");
  const std::string_view sub = args[0];
  auto o = ReadOptions(args, 1, {"--prefix", "--description"});
  if (!o.ok()) return UsageError("buses", std::string(o.status().message()));
  if (sub == "list") {
    if (!o->positional.empty() || o->Has("--description")) {
      return UsageError("buses", "list takes only --prefix");
    }
    v1::ListEventBusesRequest req;
    req.set_name_prefix(o->Get("--prefix"));
    return ForEachPage(*stub, &v1::BusesService::Stub::ListEventBuses, req,
                       [](const v1::ListEventBusesResponse& page) {
                         for (const auto& b : page.event_buses()) {
                           std::printf("%s\t%s\n", b.name().c_str(), b.arn().c_str());
                         }
                       });
  }
  if (sub != "describe" && sub != "create" && sub != "delete") {
    return UsageError("buses", absl::StrCat("unknown subcommand '", std::string(sub), "'"));
  }
  if (o->positional.size() != 1 || o->Has("--prefix") ||
      (sub != "create" && o->Has("--description"))) {
    return UsageError("buses", absl::StrCat(std::string(sub), " takes one bus NAME",
                                            sub == "create" ? " [--description D]" : ""));
  }
  const std::string& name = o->positional[0];
  auto ctx = Context();
  if (sub == "describe") {
    v1::DescribeEventBusRequest req;
    req.set_name(name);
    v1::DescribeEventBusResponse resp;
    if (auto s = stub->DescribeEventBus(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
    PrintBus(resp.event_bus());
    return 0;
  }
  if (sub == "create") {
    v1::CreateEventBusRequest req;
    req.set_name(name);
    req.set_description(o->Get("--description"));
    v1::CreateEventBusResponse resp;
    if (auto s = stub->CreateEventBus(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
    std::printf("%s\n", resp.event_bus_arn().c_str());
    return 0;
  }
  v1::DeleteEventBusRequest req;
  req.set_name(name);
  v1::DeleteEventBusResponse resp;
  if (auto s = stub->DeleteEventBus(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
  return 0;
}

}  // namespace busbar::cli
