// PutEvents entry validation and envelope building; see ingest.h.
#include "bus/server/ingest.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "matcher/base/base.h"
#include "simdjson.h"

namespace busbar::bus {
namespace {

EntryOutcome Reject(std::string code, std::string message) {
  EntryOutcome o;
  o.error_code = std::move(code);
  o.error_message = std::move(message);
  return o;
}

// The bus named by `name_or_arn`, or "" when the ARN is malformed or foreign.
std::string BusName(const std::string& name_or_arn, const IngestContext& ctx) {
  if (name_or_arn.empty()) return "default";
  if (name_or_arn.rfind("arn:", 0) != 0) return name_or_arn;
  std::string prefix = absl::StrCat("arn:aws:events:", ctx.region, ":", ctx.account, ":event-bus/");
  if (name_or_arn.rfind(prefix, 0) != 0) return "";
  return name_or_arn.substr(prefix.size());
}

// Checks that `detail` is a JSON object no deeper than `max_depth`.
std::string DetailError(const std::string& detail, int max_depth) {
  thread_local simdjson::dom::parser parser;
  if (parser.max_depth() < static_cast<size_t>(max_depth) + 1 ||
      parser.capacity() < detail.size()) {
    if (parser.allocate(std::max<size_t>(detail.size(), 4096), max_depth + 1) !=
        simdjson::SUCCESS) {
      return "Detail is too large to parse.";
    }
  }
  simdjson::dom::element root;
  auto error = parser.parse(detail).get(root);
  if (error == simdjson::DEPTH_ERROR) {
    return absl::StrCat("Detail is nested deeper than ", max_depth, " levels.");
  }
  if (error) return absl::StrCat("Detail is malformed: ", simdjson::error_message(error));
  if (!root.is_object()) return "Detail is malformed: it must be a JSON object.";
  // The parser's depth counts the root; the limit is for Detail's own nesting.
  return "";
}

}  // namespace

size_t EntrySize(const EntryIn& e) {
  size_t size = e.time.has_value() ? 14 : 0;
  size += e.source.size() + e.detail_type.size();
  if (e.detail.has_value()) size += e.detail->size();
  for (const std::string& r : e.resources) size += r.size();
  return size;
}

absl::StatusOr<std::vector<EntryOutcome>> PrepareEntries(const std::vector<EntryIn>& entries,
                                                         const IngestContext& ctx) {
  if (entries.empty()) {
    return absl::InvalidArgumentError(
        "ValidationException: Entries must contain at least 1 entry.");
  }
  if (entries.size() > ctx.limits.max_entries) {
    return absl::InvalidArgumentError(absl::StrCat("ValidationException: Entries has ",
                                                   entries.size(), " entries; at most ",
                                                   ctx.limits.max_entries, " are allowed."));
  }
  size_t total = 0;
  for (const EntryIn& e : entries) total += EntrySize(e);
  if (total > ctx.limits.max_request_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("ValidationException: Total size of the entries in the request is ", total,
                     " bytes, over the limit of ", ctx.limits.max_request_bytes, " bytes."));
  }
  std::vector<EntryOutcome> out;
  out.reserve(entries.size());
  for (const EntryIn& e : entries) {
    if (e.source.empty()) {
      out.push_back(
          Reject("InvalidArgument",
                 "Parameter Source is not valid. Reason: Source is a required argument."));
      continue;
    }
    if (e.source.size() > 256) {
      out.push_back(Reject("InvalidArgument",
                           absl::StrCat("Parameter Source is not valid. Reason: ", e.source.size(),
                                        " bytes, at most 256 are allowed.")));
      continue;
    }
    if (e.detail_type.empty()) {
      out.push_back(
          Reject("InvalidArgument",
                 "Parameter DetailType is not valid. Reason: DetailType is a required argument."));
      continue;
    }
    if (e.detail_type.size() > 128) {
      out.push_back(Reject("InvalidArgument",
                           absl::StrCat("Parameter DetailType is not valid. Reason: ",
                                        e.detail_type.size(), " bytes, at most 128 are allowed.")));
      continue;
    }
    if (e.resources.size() > 100) {
      out.push_back(Reject("InvalidArgument",
                           absl::StrCat("Parameter Resources is not valid. Reason: ",
                                        e.resources.size(), " items, at most 100 are allowed.")));
      continue;
    }
    bool long_resource = false;
    for (size_t i = 0; i < e.resources.size() && !long_resource; ++i) {
      if (e.resources[i].size() > 2048) {
        out.push_back(
            Reject("InvalidArgument",
                   absl::StrCat("Parameter Resources is not valid. Reason: item ", i, " is ",
                                e.resources[i].size(), " bytes, at most 2048 are allowed.")));
        long_resource = true;
      }
    }
    if (long_resource) continue;
    absl::Time time = absl::FromUnixSeconds(ctx.now_unix_seconds);
    if (e.time.has_value()) {
      std::string err;
      if (!absl::ParseTime(absl::RFC3339_full, *e.time, &time, &err)) {
        out.push_back(
            Reject("InvalidArgument", absl::StrCat("Parameter Time is not valid. Reason: '",
                                                   *e.time, "' is not an RFC 3339 timestamp.")));
        continue;
      }
    }
    if (!e.detail.has_value()) {
      out.push_back(Reject("MalformedDetail", "Detail is malformed: Detail is required."));
      continue;
    }
    if (std::string why = DetailError(*e.detail, ctx.limits.max_detail_depth); !why.empty()) {
      out.push_back(Reject("MalformedDetail", why));
      continue;
    }
    std::string bus = BusName(e.event_bus_name, ctx);
    if (bus.empty() || !ctx.bus_exists || !ctx.bus_exists(bus)) {
      out.push_back(Reject("ResourceNotFoundException",
                           absl::StrCat("Event bus ", e.event_bus_name, " does not exist.")));
      continue;
    }
    EntryOutcome o;
    o.event_id = base::NewUuidV4();
    o.bus = bus;
    std::string& env = o.envelope;
    env.reserve(e.detail->size() + 256);
    absl::StrAppend(&env, "{\"version\":\"0\",\"id\":\"", o.event_id, "\",\"detail-type\":");
    base::AppendJsonString(e.detail_type, &env);
    env.append(",\"source\":");
    base::AppendJsonString(e.source, &env);
    absl::StrAppend(&env, ",\"account\":\"", ctx.account, "\",\"time\":\"",
                    base::FormatRfc3339(absl::ToUnixMillis(time), base::Rfc3339Precision::kSeconds),
                    "\",\"region\":\"", ctx.region, "\",\"resources\":[");
    for (size_t i = 0; i < e.resources.size(); ++i) {
      if (i) env.push_back(',');
      base::AppendJsonString(e.resources[i], &env);
    }
    env.append("],\"detail\":");
    env.append(*e.detail);
    env.push_back('}');
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace busbar::bus
