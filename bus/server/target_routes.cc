// The routing of functions and API destinations: from rule-file declarations (config.h)
// to what the function host and the HTTP deliverer take; see daemon.h.
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bus/server/api_common.h"
#include "bus/server/catalog.h"
#include "bus/server/daemon.h"

namespace busbar::bus {

targets::FunctionConfig FunctionConfigOf(const config::Function& f) {
  targets::FunctionConfig c;
  c.name = f.name;
  c.command = f.command;
  c.code_dir = f.code_directory;
  c.handler = f.handler;
  c.environment = f.environment;
  c.timeout_s = f.timeout_s;
  c.memory_size_mb = f.memory_size_mb;
  c.reserved_concurrency = f.reserved_concurrent_executions;
  c.arn = f.arn;
  return c;
}

FunctionRoute FunctionRouteOf(const config::Function& f, bool from_file) {
  FunctionRoute route;
  route.config = FunctionConfigOf(f);
  route.invoke = f.invoke_config;
  route.description = f.description;
  if (from_file) route.file = f.location;
  return route;
}

void RouteHttpTarget(const config::Config& files, const config::Target& t, AsyncTarget& target) {
  target.http = t.http_parameters.value_or(targets::HttpParameters{});
  target.http_fault.clear();
  for (const auto& d : files.api_destinations) {
    if (d.value.name != t.resource_name) continue;
    // Checked when the target was declared or put, but maybe against an older endpoint.
    if (absl::Status s = targets::ValidateHttpParameters(target.http, &d.value); !s.ok()) {
      target.http_fault = std::string(s.message());
    }
  }
}

}  // namespace busbar::bus

namespace busbar::bus {

void Daemon::IndexAsyncTargets(Routing& routing) {
  routing.async_targets.clear();
  for (const auto& [name, bus] : routing.buses) {
    for (const RuleRoute& rule : bus.rules) {
      for (const auto& target : rule.async) routing.async_targets.emplace(target->key, target);
    }
  }
}

absl::Status Daemon::RouteTargets(const config::Config& files, Routing& routing) const {
  routing.functions.clear();
  routing.api_destinations.clear();
  for (const config::Function& f : files.functions) {
    routing.functions.emplace(f.name, FunctionRouteOf(f, /*from_file=*/true));
  }
  config::FunctionCheckOptions check;  // fills the destinations' kinds; existence not checked
  check.account_id = options_.account;
  check.region = options_.region;
  for (const auto& [name, stored] : catalog_->state().functions) {
    config::Function f = stored;
    if (auto s = config::ValidateEventInvokeConfig(f.invoke_config, check); !s.ok()) return s;
    routing.functions.emplace(name, FunctionRouteOf(f, /*from_file=*/false));
  }
  // The files' models, as loaded (and so validated): no conversion, no second check.
  for (const auto& d : files.api_destinations) {
    const targets::Connection* connection = nullptr;
    for (const auto& c : files.connections) {
      if (c.value.name == d.value.connection_name) connection = &c.value;
    }
    if (connection == nullptr) {  // the linker checked it
      return absl::InternalError(absl::StrCat("API destination ", d.value.name, ": no connection ",
                                              d.value.connection_name));
    }
    routing.api_destinations.emplace(d.value.name, HttpRoute{d.value, *connection});
  }
  return absl::OkStatus();
}

void Daemon::SyncFunctions(const Routing& routing) {
  for (auto it = functions_put_.begin(); it != functions_put_.end();) {
    if (routing.functions.contains(it->first)) {
      ++it;
      continue;
    }
    (void)functions_->Remove(it->first);  // NotFound is fine: it is gone either way
    it = functions_put_.erase(it);
  }
  for (const auto& [name, fn] : routing.functions) {
    auto it = functions_put_.find(name);
    if (it != functions_put_.end() && it->second == fn.config) continue;
    // Checked when declared; a refusal here leaves the function out of the host, and its
    // invocations fail as a missing function would.
    if (functions_->Put(fn.config).ok()) functions_put_.insert_or_assign(name, fn.config);
  }
}

absl::StatusOr<RuleMetrics> Daemon::GetRuleMetrics(std::string_view event_bus,
                                                   std::string_view rule) {
  auto bus = api::BusName(event_bus, options_);
  if (!bus.ok()) return bus.status();
  std::shared_ptr<const Routing> r = routing();
  auto route = api::FindBus(*r, *bus);
  if (!route.ok()) return route.status();
  auto entry = api::FindRule(*(*route)->info, rule);
  if (!entry.ok()) return entry.status();
  return metrics_->Get((*entry)->rule.arn);
}

absl::Status Daemon::InvokeAsync(std::string_view function, std::string payload) {
  std::shared_ptr<const Routing> r = routing();
  auto fn = r->functions.find(function);
  if (fn == r->functions.end()) {
    return absl::NotFoundError(
        absl::StrCat("ResourceNotFoundException: Function not found: ", std::string(function)));
  }
  const int64_t now = absl::ToUnixMillis(absl::Now());
  std::vector<targets::OutboxItem> items(1);
  targets::OutboxItem& item = items.front();
  item.target = absl::StrCat("function:", fn->first);
  item.target_arn = fn->second.config.arn;
  item.payload = std::move(payload);
  // Lambda's asynchronous queue keeps trying a throttled invocation up to the event age.
  item.max_retry_attempts = config::kMaxRetryAttempts;
  item.max_event_age_s = fn->second.invoke.maximum_event_age_in_seconds;
  item.created_ms = item.next_ms = now;
  return store_->Write([&](targets::Db& db) { return outbox_->AddInTxn(db, items); });
}

}  // namespace busbar::bus
