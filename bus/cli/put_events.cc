// Client command `busbar put-events`: one PutEvents call per batch of 10 events
// to a running daemon. `busbar queues`, `busbar rules` and `busbar buses` are in
// queues.cc, rules.cc and buses.cc.
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "bus/cli/commands.h"
#include "bus/cli/rpc.h"
#include "busbar/v1/events.grpc.pb.h"
#include "simdjson.h"

namespace busbar::cli {
namespace {

namespace v1 = ::busbar::v1;

// Reads one AWS CLI style entry {"Source", "DetailType", "Detail", "EventBusName",
// "Resources", "Time"} from a JSON line.
absl::Status EntryFromJson(std::string_view line, v1::PutEventsRequestEntry* e) {
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(line);
  simdjson::dom::object obj;
  if (auto err = parser.parse(padded).get(obj)) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a JSON object: ", simdjson::error_message(err)));
  }
  for (auto [key, value] : obj) {
    std::string k(key);
    if (k == "Source" || k == "DetailType" || k == "EventBusName" || k == "Time") {
      std::string_view s;
      if (value.get(s)) return absl::InvalidArgumentError(absl::StrCat(k, " must be a string"));
      if (k == "Source") e->set_source(std::string(s));
      if (k == "DetailType") e->set_detail_type(std::string(s));
      if (k == "EventBusName") e->set_event_bus_name(std::string(s));
      if (k == "Time") e->set_time(std::string(s));
    } else if (k == "Detail") {
      std::string_view s;
      if (value.is_string() && !value.get(s)) {
        e->set_detail(std::string(s));
      } else {
        e->set_detail(simdjson::minify(value));
      }
    } else if (k == "Resources") {
      simdjson::dom::array arr;
      if (value.get(arr))
        return absl::InvalidArgumentError("Resources must be an array of strings");
      for (auto r : arr) {
        std::string_view s;
        if (r.get(s)) return absl::InvalidArgumentError("Resources must be an array of strings");
        e->add_resources(std::string(s));
      }
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown field '", k, "'"));
    }
  }
  return absl::OkStatus();
}

// Sends one batch; prints the failed entries (with their input line numbers).
int SendBatch(v1::EventsService::Stub& stub, const v1::PutEventsRequest& req,
              const std::vector<size_t>& lines, size_t* failed) {
  v1::PutEventsResponse resp;
  auto ctx = Context();
  grpc::Status s = stub.PutEvents(ctx.get(), req, &resp);
  if (!s.ok()) return RpcError(s);
  for (int i = 0; i < resp.entries_size(); ++i) {
    const auto& r = resp.entries(i);
    if (r.error_code().empty()) {
      std::printf("%s\n", r.event_id().c_str());
    } else {
      ++*failed;
      std::fprintf(stderr, "entry %zu: %s: %s\n", lines[i], r.error_code().c_str(),
                   r.error_message().c_str());
    }
  }
  return 0;
}

}  // namespace

void PrintPutEventsHelp(std::FILE* out) {
  std::fputs(
      "Usage: busbar put-events [--endpoint HOST:PORT] --source S --detail-type T\n"
      "                         --detail JSON [--event-bus-name B] [--resource ARN]...\n"
      "                         [--time RFC3339]\n"
      "       busbar put-events [--endpoint HOST:PORT] --file EVENTS.jsonl\n"
      "\n"
      "Sends one event from flags, or every line of a JSON-lines file (entries as the\n"
      "AWS CLI writes them: Source, DetailType, Detail, EventBusName, Resources, Time)\n"
      "in batches of 10. Prints the id of each accepted event; failed entries go to\n"
      "stderr with their line and error, and the exit status is then 1.\n",
      out);
}

int RunPutEvents(const Args& in) {
  Args args = in;
  auto channel = Connect(args);
  if (!channel.ok()) return UsageError("put-events", std::string(channel.status().message()));
  auto stub = v1::EventsService::NewStub(*channel);
  auto o = ReadOptions(args, 0,
                       {"--source", "--detail-type", "--detail", "--event-bus-name", "--resource",
                        "--time", "--file"});
  if (!o.ok()) return UsageError("put-events", std::string(o.status().message()));
  if (!o->positional.empty()) {
    return UsageError("put-events", absl::StrCat("unknown argument '", o->positional[0], "'"));
  }
  v1::PutEventsRequestEntry flag_entry;
  const bool from_flags = o->Has("--source") || o->Has("--detail-type") || o->Has("--detail");
  const std::string file = o->Get("--file");
  flag_entry.set_source(o->Get("--source"));
  flag_entry.set_detail_type(o->Get("--detail-type"));
  if (o->Has("--detail")) {
    auto d = ReadJsonArg(o->Get("--detail"));
    if (!d.ok()) return PrintError(d.status());
    flag_entry.set_detail(*d);
  }
  flag_entry.set_event_bus_name(o->Get("--event-bus-name"));
  for (const std::string& r : o->All("--resource")) flag_entry.add_resources(r);
  if (o->Has("--time")) flag_entry.set_time(o->Get("--time"));
  if (from_flags == !file.empty()) {
    return UsageError("put-events", "give either --source/--detail-type/--detail or --file");
  }
  size_t failed = 0;
  if (from_flags) {
    v1::PutEventsRequest req;
    *req.add_entries() = flag_entry;
    if (int rc = SendBatch(*stub, req, {1}, &failed); rc != 0) return rc;
    return failed == 0 ? 0 : 1;
  }
  std::ifstream f(file);
  if (!f) return PrintError(absl::NotFoundError(absl::StrCat("cannot read ", file)));
  v1::PutEventsRequest req;
  std::vector<size_t> lines;
  std::string line;
  size_t n = 0;
  while (std::getline(f, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    v1::PutEventsRequestEntry e;
    if (auto s = EntryFromJson(line, &e); !s.ok()) {
      std::fprintf(stderr, "line %zu: %.*s\n", n, static_cast<int>(s.message().size()),
                   s.message().data());
      ++failed;
      continue;
    }
    *req.add_entries() = std::move(e);
    lines.push_back(n);
    if (req.entries_size() == 10) {
      if (int rc = SendBatch(*stub, req, lines, &failed); rc != 0) return rc;
      req.Clear();
      lines.clear();
    }
  }
  if (req.entries_size() > 0) {
    if (int rc = SendBatch(*stub, req, lines, &failed); rc != 0) return rc;
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace busbar::cli
