// `busbar schemas …`: the schema registry of a running daemon — schemas and their versions,
// search, export, inference from sample events and diffs between versions, each subcommand
// one SchemasService call (the list-like ones follow next_token to the end). Registries and
// discoverers are in schemas_registries.cc. Documents are printed as the daemon stores
// them; metadata as one JSON line with EventBridge Schemas' field names; lists as
// tab-separated lines.
#include "bus/cli/schemas.h"

#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bus/cli/commands.h"
#include "bus/cli/rpc.h"
#include "busbar/v1/schemas.grpc.pb.h"
#include "matcher/base/base.h"

namespace busbar::cli {
namespace {

namespace v1 = ::busbar::v1;

// The registry of the schemas discovery finds, and the default of --registry.
constexpr char kDiscoveredRegistry[] = "discovered-schemas";

// Prints a schema document as it is, ending with a newline.
void PrintDocument(const std::string& content) {
  std::fwrite(content.data(), 1, content.size(), stdout);
  if (content.empty() || content.back() != '\n') std::fputc('\n', stdout);
}

// Prints one version's metadata as a JSON line, with its content if `with_content`.
void PrintSchema(const v1::Schema& s, bool with_content) {
  std::string out = "{\"SchemaName\":";
  base::AppendJsonString(s.schema_name(), &out);
  out += ",\"SchemaArn\":";
  base::AppendJsonString(s.schema_arn(), &out);
  out += ",\"SchemaVersion\":";
  base::AppendJsonString(s.schema_version(), &out);
  out += ",\"Type\":";
  base::AppendJsonString(s.type(), &out);
  if (!s.description().empty()) {
    out += ",\"Description\":";
    base::AppendJsonString(s.description(), &out);
  }
  absl::StrAppend(&out, ",\"LastModified\":\"", Rfc3339(s.last_modified()),
                  "\",\"VersionCreatedDate\":\"", Rfc3339(s.version_created_date()),
                  "\",\"VersionCount\":", s.version_count());
  if (with_content) {
    out += ",\"Content\":";
    base::AppendJsonString(s.content(), &out);
  }
  out += "}";
  std::printf("%s\n", out.c_str());
}

int List(SchemasStub& stub, const Args& args) {
  auto o = ReadSubcommand(args, 1, {"--registry", "--prefix"}, 0, 0,
                          "list takes only --registry and --prefix");
  if (!o.ok()) return UsageError("schemas", std::string(o.status().message()));
  v1::ListSchemasRequest req;
  req.set_registry_name(o->Get("--registry", kDiscoveredRegistry));
  req.set_schema_name_prefix(o->Get("--prefix"));
  return ForEachPage(stub, &SchemasStub::ListSchemas, req, [](const v1::ListSchemasResponse& page) {
    for (const auto& s : page.schemas()) {
      std::printf("%s\t%s\t%s\t%lld\n", s.schema_name().c_str(), s.schema_version().c_str(),
                  s.type().c_str(), static_cast<long long>(s.version_count()));
    }
  });
}

int Describe(SchemasStub& stub, const Args& args) {
  auto o = ReadSubcommand(args, 1, {"--registry", "--version"}, 1, 1,
                          "describe takes one schema NAME", {"--json"});
  if (!o.ok()) return UsageError("schemas", std::string(o.status().message()));
  const bool json = o->Has("--json");
  v1::DescribeSchemaRequest req;
  req.set_registry_name(o->Get("--registry", kDiscoveredRegistry));
  req.set_schema_name(o->positional[0]);
  req.set_schema_version(o->Get("--version"));
  v1::DescribeSchemaResponse resp;
  auto ctx = Context();
  if (auto s = stub.DescribeSchema(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
  if (json) {
    PrintSchema(resp.schema(), /*with_content=*/true);
  } else {
    PrintDocument(resp.schema().content());
  }
  return 0;
}

int Versions(SchemasStub& stub, const Args& args) {
  auto o = ReadSubcommand(args, 1, {"--registry"}, 1, 1, "versions takes one schema NAME");
  if (!o.ok()) return UsageError("schemas", std::string(o.status().message()));
  v1::ListSchemaVersionsRequest req;
  req.set_registry_name(o->Get("--registry", kDiscoveredRegistry));
  req.set_schema_name(o->positional[0]);
  return ForEachPage(stub, &SchemasStub::ListSchemaVersions, req,
                     [](const v1::ListSchemaVersionsResponse& page) {
                       for (const auto& v : page.schema_versions()) {
                         std::printf("%s\t%s\t%s\n", v.schema_version().c_str(), v.type().c_str(),
                                     Rfc3339(v.version_created_date()).c_str());
                       }
                     });
}

// create NAME --registry R --type T --content C [--description D], and update NAME
// --registry R [--type T] [--content C] [--description D].
int CreateOrUpdate(SchemasStub& stub, const Args& args) {
  const bool create = args[0] == "create";
  const std::string usage =
      create ? "create takes one schema NAME, --registry R, --type T and --content JSON|@FILE"
             : "update takes one schema NAME and --registry R";
  auto o =
      ReadSubcommand(args, 1, {"--registry", "--type", "--content", "--description"}, 1, 1, usage);
  if (!o.ok()) return UsageError("schemas", std::string(o.status().message()));
  if (!o->Has("--registry") || (create && (!o->Has("--type") || !o->Has("--content")))) {
    return UsageError("schemas", usage);
  }
  std::string content;
  if (o->Has("--content")) {
    auto c = ReadJsonArg(o->Get("--content"));
    if (!c.ok()) return PrintError(c.status());
    content = *std::move(c);
  }
  auto ctx = Context();
  v1::Schema result;
  if (create) {
    v1::CreateSchemaRequest req;
    req.set_registry_name(o->Get("--registry"));
    req.set_schema_name(o->positional[0]);
    req.set_type(o->Get("--type"));
    req.set_content(std::move(content));
    req.set_description(o->Get("--description"));
    v1::CreateSchemaResponse resp;
    if (auto s = stub.CreateSchema(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
    result = resp.schema();
  } else {
    v1::UpdateSchemaRequest req;
    req.set_registry_name(o->Get("--registry"));
    req.set_schema_name(o->positional[0]);
    req.set_type(o->Get("--type"));
    req.set_content(std::move(content));
    if (o->Has("--description")) req.set_description(o->Get("--description"));
    v1::UpdateSchemaResponse resp;
    if (auto s = stub.UpdateSchema(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
    result = resp.schema();
  }
  PrintSchema(result, /*with_content=*/false);
  return 0;
}

// delete NAME --registry R [--version V]: the whole schema, or one version.
int Delete(SchemasStub& stub, const Args& args) {
  const std::string usage = "delete takes one schema NAME and --registry R [--version V]";
  auto o = ReadSubcommand(args, 1, {"--registry", "--version"}, 1, 1, usage);
  if (!o.ok()) return UsageError("schemas", std::string(o.status().message()));
  if (!o->Has("--registry")) return UsageError("schemas", usage);
  auto ctx = Context();
  grpc::Status s;
  if (o->Has("--version")) {
    v1::DeleteSchemaVersionRequest req;
    req.set_registry_name(o->Get("--registry"));
    req.set_schema_name(o->positional[0]);
    req.set_schema_version(o->Get("--version"));
    v1::DeleteSchemaVersionResponse resp;
    s = stub.DeleteSchemaVersion(ctx.get(), req, &resp);
  } else {
    v1::DeleteSchemaRequest req;
    req.set_registry_name(o->Get("--registry"));
    req.set_schema_name(o->positional[0]);
    v1::DeleteSchemaResponse resp;
    s = stub.DeleteSchema(ctx.get(), req, &resp);
  }
  return s.ok() ? 0 : RpcError(s);
}

int Search(SchemasStub& stub, const Args& args) {
  auto o = ReadSubcommand(args, 1, {"--registry"}, 1, SIZE_MAX, "search takes KEYWORDS...");
  if (!o.ok()) return UsageError("schemas", std::string(o.status().message()));
  v1::SearchSchemasRequest req;
  req.set_registry_name(o->Get("--registry", kDiscoveredRegistry));
  req.set_keywords(absl::StrJoin(o->positional, " "));
  return ForEachPage(stub, &SchemasStub::SearchSchemas, req,
                     [](const v1::SearchSchemasResponse& page) {
                       for (const auto& hit : page.schemas()) {
                         std::string matched = hit.name_matched() ? "(name)" : "";
                         for (const std::string& field : hit.matched_fields()) {
                           absl::StrAppend(&matched, matched.empty() ? "" : ",", field);
                         }
                         std::printf("%s\t%s\t%s\n", hit.schema().schema_name().c_str(),
                                     hit.schema().schema_version().c_str(), matched.c_str());
                       }
                     });
}

int Export(SchemasStub& stub, const Args& args) {
  const std::string usage = "export takes one schema NAME and --type OpenApi3|JSONSchemaDraft4";
  auto o = ReadSubcommand(args, 1, {"--registry", "--version", "--type"}, 1, 1, usage);
  if (!o.ok()) return UsageError("schemas", std::string(o.status().message()));
  if (!o->Has("--type")) return UsageError("schemas", usage);
  v1::ExportSchemaRequest req;
  req.set_registry_name(o->Get("--registry", kDiscoveredRegistry));
  req.set_schema_name(o->positional[0]);
  req.set_schema_version(o->Get("--version"));
  req.set_type(o->Get("--type"));
  v1::ExportSchemaResponse resp;
  auto ctx = Context();
  if (auto s = stub.ExportSchema(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
  PrintDocument(resp.schema().content());
  return 0;
}

// infer [--type T] EVENT...: each EVENT is JSON, @FILE (one event) or "-" (one event per
// non-blank line of stdin). The daemon checks the count (1 to 10) and each event.
int Infer(SchemasStub& stub, const Args& args) {
  auto o = ReadSubcommand(args, 1, {"--type"}, 1, SIZE_MAX,
                          "infer takes EVENT_JSON|@FILE|- arguments (1 to 10 events)");
  if (!o.ok()) return UsageError("schemas", std::string(o.status().message()));
  v1::GetDiscoveredSchemaRequest req;
  req.set_type(o->Get("--type"));
  for (const std::string& arg : o->positional) {
    if (arg == "-") {
      for (std::string line; std::getline(std::cin, line);) {
        if (line.find_first_not_of(" \t\r") != std::string::npos) req.add_events(line);
      }
      continue;
    }
    auto event = ReadJsonArg(arg);
    if (!event.ok()) return PrintError(event.status());
    req.add_events(*std::move(event));
  }
  v1::GetDiscoveredSchemaResponse resp;
  auto ctx = Context();
  if (auto s = stub.GetDiscoveredSchema(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
  PrintDocument(resp.content());
  return 0;
}

// diff NAME --from V [--to V] [--registry R]: one line per change, "KIND\tPATH\tTYPES" where
// TYPES is the new type of an added field, the old type of a removed one, "OLD -> NEW" for a
// type change and "required -> optional" (or back) for a required-changed field.
int Diff(SchemasStub& stub, const Args& args) {
  const std::string usage = "diff takes one schema NAME and --from V";
  auto o = ReadSubcommand(args, 1, {"--registry", "--from", "--to"}, 1, 1, usage);
  if (!o.ok()) return UsageError("schemas", std::string(o.status().message()));
  if (!o->Has("--from")) return UsageError("schemas", usage);
  v1::DiffSchemaVersionsRequest req;
  req.set_registry_name(o->Get("--registry", kDiscoveredRegistry));
  req.set_schema_name(o->positional[0]);
  req.set_from_version(o->Get("--from"));
  req.set_to_version(o->Get("--to"));
  v1::DiffSchemaVersionsResponse resp;
  auto ctx = Context();
  if (auto s = stub.DiffSchemaVersions(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
  for (const auto& c : resp.changes()) {
    std::string types;
    if (c.kind() == "required-changed") {
      types = absl::StrCat(c.old_required() ? "required" : "optional", " -> ",
                           c.new_required() ? "required" : "optional");
    } else if (c.old_type().empty() || c.new_type().empty()) {
      types = c.old_type().empty() ? c.new_type() : c.old_type();
    } else {
      types = absl::StrCat(c.old_type(), " -> ", c.new_type());
    }
    std::printf("%s\t%s\t%s\n", c.kind().c_str(), c.path().c_str(), types.c_str());
  }
  return 0;
}

}  // namespace

absl::StatusOr<Options> ReadSubcommand(const Args& args, size_t start,
                                       std::initializer_list<std::string_view> names,
                                       size_t min_positional, size_t max_positional,
                                       std::string_view usage,
                                       std::initializer_list<std::string_view> flags) {
  absl::StatusOr<Options> o = ReadOptions(args, start, names, flags);
  if (o.ok() && (o->positional.size() < min_positional || o->positional.size() > max_positional)) {
    return absl::InvalidArgumentError(std::string(usage));
  }
  return o;
}

void PrintSchemasHelp(std::FILE* out) {
  std::fputs(
      "Usage: busbar schemas list [--endpoint HOST:PORT] [--registry R] [--prefix P]\n"
      "       busbar schemas describe NAME [--registry R] [--version V] [--json]\n"
      "       busbar schemas versions NAME [--registry R]\n"
      "       busbar schemas create NAME --registry R --type T --content JSON|@FILE\n"
      "                             [--description D]\n"
      "       busbar schemas update NAME --registry R [--type T] [--content JSON|@FILE]\n"
      "                             [--description D]\n"
      "       busbar schemas delete NAME --registry R [--version V]\n"
      "       busbar schemas search KEYWORD... [--registry R]\n"
      "       busbar schemas export NAME --type T [--registry R] [--version V]\n"
      "       busbar schemas infer [--type T] EVENT_JSON|@FILE|-...\n"
      "       busbar schemas diff NAME --from V [--to V] [--registry R]\n"
      "       busbar schemas registries list [--prefix P]\n"
      "       busbar schemas registries create NAME [--description D]\n"
      "       busbar schemas registries describe|delete NAME\n"
      "       busbar schemas registries update NAME --description D\n"
      "       busbar schemas discoverers list\n"
      "       busbar schemas discoverers start|stop BUS\n"
      "\n"
      "The daemon discovers the schema of every kind of event put on a bus whose\n"
      "discoverer is started: events of one source and detail-type share the schema\n"
      "\"SOURCE@DETAIL-TYPE\" in the registry \"discovered-schemas\", the default of\n"
      "--registry, and each new shape adds a version. Types T are OpenApi3 and\n"
      "JSONSchemaDraft4; versions are \"1\", \"2\", ..., the latest when not given.\n"
      "\n"
      "list prints one line per schema: name, latest version, type and version count,\n"
      "tab-separated. describe prints the document as stored, or with --json one JSON\n"
      "line of the version's metadata and its Content. versions prints one line per\n"
      "version, newest first: version, type and creation time. create and update\n"
      "print the resulting version's metadata as one JSON line; update makes a new\n"
      "version only when the content or type changes. delete --version deletes one\n"
      "version. search prints one line per schema whose name or a field path contains\n"
      "a keyword: name, version and the matching field paths (\"(name)\" for the\n"
      "name). export prints a version rendered as type T. infer prints the schema\n"
      "discovery would infer from 1 to 10 events (\"-\" reads one event per line of\n"
      "stdin). diff prints one line per changed field: kind (added, removed,\n"
      "type-changed, required-changed), path, and the type added or removed, \"OLD ->\n"
      "NEW\" or \"required -> optional\".\n"
      "\n"
      "registries list prints name and ARN per line; create prints the new ARN;\n"
      "describe and update print one JSON line. discoverers list and start|stop print\n"
      "the bus and STARTED or STOPPED; a discoverer's state survives restarts.\n"
      "A refused call prints the daemon's message and exits 1.\n",
      out);
}

int RunSchemas(const Args& in) {
  Args args = in;
  auto channel = Connect(args);
  if (!channel.ok()) return UsageError("schemas", std::string(channel.status().message()));
  auto stub = v1::SchemasService::NewStub(*channel);
  if (args.empty()) return UsageError("schemas", "missing subcommand");
  const std::string_view sub = args[0];
  if (sub == "registries") return RunSchemaRegistries(*stub, args);
  if (sub == "discoverers") return RunSchemaDiscoverers(*stub, args);
  if (sub == "list") return List(*stub, args);
  if (sub == "describe") return Describe(*stub, args);
  if (sub == "versions") return Versions(*stub, args);
  if (sub == "create" || sub == "update") return CreateOrUpdate(*stub, args);
  if (sub == "delete") return Delete(*stub, args);
  if (sub == "search") return Search(*stub, args);
  if (sub == "export") return Export(*stub, args);
  if (sub == "infer") return Infer(*stub, args);
  if (sub == "diff") return Diff(*stub, args);
  return UsageError("schemas", absl::StrCat("unknown subcommand '", std::string(sub), "'"));
}

}  // namespace busbar::cli
