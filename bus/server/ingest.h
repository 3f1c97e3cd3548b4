// Internal to the bus module. PutEvents ingest: checks each request entry as
// EventBridge does (Source, DetailType, Detail, Time, Resources, event bus) and
// builds the event envelope of every accepted entry. Entry failures are answers
// (an error code and message for that entry only); request failures (no entries,
// more than the limit, total size over the limit) are statuses.
//
// Pure functions over their arguments; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace busbar::bus {

struct PutEventsLimits {
  size_t max_entries = 10;
  // Sum of the entry sizes (EntrySize) of one request; EventBridge's 256 KB.
  size_t max_request_bytes = 256 * 1024;
  // Deepest nesting of Detail accepted (the envelope adds one level).
  int max_detail_depth = 2000;
};

struct EntryIn {
  std::optional<std::string> time;  // RFC 3339; absent: the time of receipt
  std::string source;
  std::string detail_type;
  std::optional<std::string> detail;  // a JSON object
  std::vector<std::string> resources;
  std::string event_bus_name;  // name or ARN; empty: "default"
};

struct EntryOutcome {
  // Accepted: event_id, bus and envelope are set. Rejected: error_code and
  // error_message (EventBridge's per-entry codes: InvalidArgument,
  // MalformedDetail, ResourceNotFoundException).
  std::string event_id;
  std::string bus;
  std::string envelope;  // the event as rules and targets see it
  std::string error_code;
  std::string error_message;

  bool ok() const { return error_code.empty(); }
};

struct IngestContext {
  std::string account = "000000000000";
  std::string region = "us-east-1";
  PutEventsLimits limits;
  std::function<bool(std::string_view bus)> bus_exists;
  int64_t now_unix_seconds = 0;
};

// The entry's size as EventBridge computes it: 14 bytes for Time when given, plus
// the UTF-8 bytes of Source, DetailType, Detail and each resource.
size_t EntrySize(const EntryIn& e);

// Checks every entry and builds the accepted ones, in request order.
// InvalidArgument "ValidationException: …" for an empty request, too many entries,
// or a total size over the limit.
absl::StatusOr<std::vector<EntryOutcome>> PrepareEntries(const std::vector<EntryIn>& entries,
                                                         const IngestContext& ctx);

}  // namespace busbar::bus
