// `busbar schemas registries …` and `busbar schemas discoverers …`: the registries that hold
// schemas and the per-bus discoverers that fill "discovered-schemas", each subcommand one
// SchemasService call (registries list follows next_token to the end).
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "bus/cli/commands.h"
#include "bus/cli/rpc.h"
#include "bus/cli/schemas.h"
#include "busbar/v1/schemas.grpc.pb.h"
#include "matcher/base/base.h"

namespace busbar::cli {
namespace {

namespace v1 = ::busbar::v1;

void PrintRegistry(const v1::Registry& r) {
  std::string out = "{\"RegistryName\":";
  base::AppendJsonString(r.registry_name(), &out);
  out += ",\"RegistryArn\":";
  base::AppendJsonString(r.registry_arn(), &out);
  if (!r.description().empty()) {
    out += ",\"Description\":";
    base::AppendJsonString(r.description(), &out);
  }
  out += "}";
  std::printf("%s\n", out.c_str());
}

int ListRegistries(SchemasStub& stub, const Args& args) {
  auto o = ReadSubcommand(args, 2, {"--prefix"}, 0, 0, "registries list takes only --prefix");
  if (!o.ok()) return UsageError("schemas", std::string(o.status().message()));
  v1::ListRegistriesRequest req;
  req.set_registry_name_prefix(o->Get("--prefix"));
  return ForEachPage(
      stub, &SchemasStub::ListRegistries, req, [](const v1::ListRegistriesResponse& page) {
        for (const auto& r : page.registries()) {
          std::printf("%s\t%s\n", r.registry_name().c_str(), r.registry_arn().c_str());
        }
      });
}

}  // namespace

int RunSchemaRegistries(SchemasStub& stub, const Args& args) {
  if (args.size() < 2) return UsageError("schemas", "missing registries subcommand");
  const std::string_view sub = args[1];
  if (sub == "list") return ListRegistries(stub, args);
  if (sub != "create" && sub != "describe" && sub != "update" && sub != "delete") {
    return UsageError("schemas",
                      absl::StrCat("unknown registries subcommand '", std::string(sub), "'"));
  }
  const std::string usage =
      absl::StrCat("registries ", std::string(sub), " takes one registry NAME",
                   sub == "create"   ? " [--description D]"
                   : sub == "update" ? " and --description D"
                                     : "");
  auto o = ReadSubcommand(args, 2, {"--description"}, 1, 1, usage);
  if (!o.ok()) return UsageError("schemas", std::string(o.status().message()));
  // Only create and update take a description, and update needs one.
  if (o->Has("--description") != (sub == "update") && sub != "create") {
    return UsageError("schemas", usage);
  }
  const std::string& name = o->positional[0];
  auto ctx = Context();
  if (sub == "create") {
    v1::CreateRegistryRequest req;
    req.set_registry_name(name);
    req.set_description(o->Get("--description"));
    v1::CreateRegistryResponse resp;
    if (auto s = stub.CreateRegistry(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
    std::printf("%s\n", resp.registry().registry_arn().c_str());
    return 0;
  }
  if (sub == "describe") {
    v1::DescribeRegistryRequest req;
    req.set_registry_name(name);
    v1::DescribeRegistryResponse resp;
    if (auto s = stub.DescribeRegistry(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
    PrintRegistry(resp.registry());
    return 0;
  }
  if (sub == "update") {
    v1::UpdateRegistryRequest req;
    req.set_registry_name(name);
    req.set_description(o->Get("--description"));
    v1::UpdateRegistryResponse resp;
    if (auto s = stub.UpdateRegistry(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
    PrintRegistry(resp.registry());
    return 0;
  }
  v1::DeleteRegistryRequest req;
  req.set_registry_name(name);
  v1::DeleteRegistryResponse resp;
  if (auto s = stub.DeleteRegistry(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
  return 0;
}

int RunSchemaDiscoverers(SchemasStub& stub, const Args& args) {
  if (args.size() < 2) return UsageError("schemas", "missing discoverers subcommand");
  const std::string_view sub = args[1];
  auto ctx = Context();
  if (sub == "list") {
    if (args.size() != 2) return UsageError("schemas", "discoverers list takes no arguments");
    v1::ListDiscoverersResponse resp;
    if (auto s = stub.ListDiscoverers(ctx.get(), v1::ListDiscoverersRequest(), &resp); !s.ok()) {
      return RpcError(s);
    }
    for (const auto& d : resp.discoverers()) {
      std::printf("%s\t%s\n", d.event_bus_name().c_str(), d.state().c_str());
    }
    return 0;
  }
  if (sub != "start" && sub != "stop") {
    return UsageError("schemas",
                      absl::StrCat("unknown discoverers subcommand '", std::string(sub), "'"));
  }
  auto o = ReadSubcommand(args, 2, {}, 1, 1,
                          absl::StrCat("discoverers ", std::string(sub), " takes one BUS"));
  if (!o.ok()) return UsageError("schemas", std::string(o.status().message()));
  v1::Discoverer d;
  grpc::Status s;
  if (sub == "start") {
    v1::StartDiscovererRequest req;
    req.set_event_bus_name(o->positional[0]);
    v1::StartDiscovererResponse resp;
    s = stub.StartDiscoverer(ctx.get(), req, &resp);
    d = resp.discoverer();
  } else {
    v1::StopDiscovererRequest req;
    req.set_event_bus_name(o->positional[0]);
    v1::StopDiscovererResponse resp;
    s = stub.StopDiscoverer(ctx.get(), req, &resp);
    d = resp.discoverer();
  }
  if (!s.ok()) return RpcError(s);
  std::printf("%s\t%s\n", d.event_bus_name().c_str(), d.state().c_str());
  return 0;
}

}  // namespace busbar::cli
