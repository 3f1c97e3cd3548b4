// Internal to bus/server. The daemon's routing: an immutable snapshot of every bus's compiled
// matcher and, per rule, the targets ingest and the dispatcher deliver to, built from the rule
// files and the API's resources and swapped whole on every change (daemon.h). A published
// Routing is never modified, so any thread may read it without a lock; the counters it points to
// are atomics (metrics.h).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bus/config/config.h"
#include "bus/server/metrics.h"
#include "matcher/matcher.h"
#include "targets/functions.h"
#include "targets/http_target.h"
#include "targets/input.h"

namespace busbar::bus {

// A rule as DescribeRule and ListRules show it, and who owns it.
struct RuleEntry {
  config::Rule rule;       // API rules: location empty, targets in id order
  bool from_file = false;  // declared in a rule file (rule.location), else over the API
};

// A bus as DescribeEventBus shows it, with every rule on it.
struct BusInfo {
  std::string name;
  std::string arn;
  std::string description;
  int64_t creation_ms = 0;  // ms since the epoch
  int64_t last_modified_ms = 0;
  std::optional<config::SourceLocation> file;           // set when a rule file declares the bus
  std::map<std::string, RuleEntry, std::less<>> rules;  // by name, enabled or not
};

// One queue target of a rule: the queue and what it receives (input.h).
struct QueueTarget {
  std::string queue;
  std::optional<targets::CompiledInput> input;  // unset: the event envelope as it is
  std::shared_ptr<TargetCounters> counters;
  // For a delivery its input cannot make (dead-lettered by PutEvents): TARGET_ARN and the
  // DeadLetterConfig's queue ("" for none).
  std::string arn;
  std::string dead_letter_queue;
};

// One event bus target: the bus it forwards to.
struct BusTarget {
  std::string bus;
  std::shared_ptr<TargetCounters> counters;
};

// A function or API destination target: PutEvents adds an outbox item for it
// (targets/outbox.h) and the dispatcher (dispatcher.h) delivers it with retries.
struct AsyncTarget {
  std::string key;  // "<rule arn>|<target id>", the outbox item's `target`
  std::string rule_arn;
  std::string rule_name;
  std::string arn;
  config::TargetKind kind = config::TargetKind::kFunction;
  std::string resource;  // the function or API destination's name
  std::optional<targets::CompiledInput> input;
  config::RetryPolicy retry_policy;
  std::string dead_letter_queue;  // "" for none
  targets::HttpParameters http;   // API destinations only
  // API destinations only: why `http` doesn't fit the destination the rule files declare
  // (targets::ValidateHttpParameters, when the route is built; a reload may change the
  // endpoint under a target put over the API), or "" when it fits. Such a call is never made:
  // it fails with INVALID_PARAMETER.
  std::string http_fault;
  std::shared_ptr<TargetCounters> counters;
};

// An enabled rule as ingest needs it: the reserved variables of input
// templates, its queue targets, the buses its event bus targets forward to and
// its function and API destination targets.
struct RuleRoute {
  std::string name;
  std::string arn;
  std::vector<QueueTarget> queues;
  std::vector<BusTarget> buses;
  std::vector<std::shared_ptr<const AsyncTarget>> async;
  std::shared_ptr<RuleCounters> counters;
};

// A function as the dispatcher and FunctionsService need it: the model
// (targets/functions.h; its destinations' kinds filled) and who owns it.
struct FunctionRoute {
  targets::Function function;
  std::optional<config::SourceLocation> file;  // set when a rule file declares it
};

// An API destination with its connection: the rule files' models (validated when loaded), as
// HTTP deliveries take them.
struct HttpRoute {
  targets::ApiDestination destination;
  targets::Connection connection;
};

// One bus's compiled rules (enabled ones) and, per rule id, what ingest needs
// of it. `info` is shared by snapshots until the bus changes.
struct BusRoute {
  std::shared_ptr<const matcher::Matcher> matcher;
  std::vector<RuleRoute> rules;  // by the matcher's rule id
  std::shared_ptr<const BusInfo> info;
};

struct Routing {
  std::shared_ptr<const config::Config> files;         // what the rule files declare
  std::map<std::string, BusRoute, std::less<>> buses;  // "default", file and API buses
  // Function and API destination targets of enabled rules, by AsyncTarget::key.
  std::map<std::string, std::shared_ptr<const AsyncTarget>, std::less<>> async_targets;
  std::map<std::string, FunctionRoute, std::less<>> functions;     // by name
  std::map<std::string, HttpRoute, std::less<>> api_destinations;  // by name
};

// Conversions from rule-file declarations (target_routes.cc).
// An API destination target's HttpParameters, and whether they fit its destination in `files`
// (AsyncTarget::http_fault; a destination the files lack is the dispatcher's NO_RESOURCE).
void RouteHttpTarget(const config::Config& files, const config::Target& t, AsyncTarget& target);

}  // namespace busbar::bus
