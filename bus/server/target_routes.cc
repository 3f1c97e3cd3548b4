// The routing of functions and API destinations: from rule-file declarations (config.h)
// to what the function host and the HTTP deliverer take; see daemon.h.
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bus/server/api_common.h"
#include "bus/server/catalog.h"
#include "bus/server/daemon.h"

namespace busbar::bus {

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
  for (const config::Declared<targets::Function>& f : files.functions) {
    routing.functions.emplace(f.value.name, FunctionRoute{f.value, f.location});
  }
  targets::FunctionCheckOptions check;  // fills the destinations' kinds; existence not checked
  check.account_id = options_.account;
  check.region = options_.region;
  for (const auto& [name, stored] : catalog_->state().functions) {
    FunctionRoute route{stored, std::nullopt};
    targets::EventInvokeConfig& invoke = route.function.invoke_config;
    if (auto s = targets::ValidateEventInvokeConfig(invoke, check); !s.ok()) return s;
    routing.functions.emplace(name, std::move(route));
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
    if (it != functions_put_.end() && it->second == fn.function) continue;
    // Checked when declared; a refusal here leaves the function out of the host, and its
    // invocations fail as a missing function would.
    if (functions_->Put(fn.function).ok()) functions_put_.insert_or_assign(name, fn.function);
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
  item.target_arn = fn->second.function.arn;
  item.payload = std::move(payload);
  // Lambda's asynchronous queue keeps trying a throttled invocation up to the event age.
  item.max_retry_attempts = config::kMaxRetryAttempts;
  item.max_event_age_s = fn->second.function.invoke_config.maximum_event_age_in_seconds;
  item.created_ms = item.next_ms = now;
  return store_->Write([&](targets::Db& db) { return outbox_->AddInTxn(db, items); });
}

}  // namespace busbar::bus
