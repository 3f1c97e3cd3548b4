// The daemon's operations on rules, targets and buses over the API; see
// daemon.h. Each one checks in the order the protos give the errors — the
// request in itself (INVALID_ARGUMENT), then what it names (NOT_FOUND), then
// ownership and state (FAILED_PRECONDITION), then limits
// (RESOURCE_EXHAUSTED) — and only then, under the reload mutex, writes the
// catalog (on disk when it returns) and republishes the one bus it changed.
// The request checks run before the mutex is taken, so a stream of malformed
// requests never delays a reload.
#include <algorithm>
#include <ctime>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bus/config/arn.h"
#include "bus/server/api_common.h"
#include "bus/server/catalog.h"
#include "bus/server/daemon.h"

namespace busbar::bus {
namespace {

constexpr size_t kMaxTargetsPerRequest = 10;
constexpr size_t kMaxIdsPerRequest = 100;

absl::Status CheckDescription(std::string_view description) {
  size_t chars = config::CharCount(description);
  if (chars <= config::kMaxDescriptionChars) return absl::OkStatus();
  return api::Validation(absl::StrCat("Description is ", chars, " characters; at most ",
                                      config::kMaxDescriptionChars, " are allowed"));
}

// The rule a request names and may change: it exists and the API owns it.
absl::StatusOr<const RuleEntry*> ApiOwnedRule(const Routing& routing, const std::string& bus,
                                              std::string_view name) {
  auto route = api::FindBus(routing, bus);
  if (!route.ok()) return route.status();
  auto rule = api::FindRule(*(*route)->info, name);
  if (!rule.ok()) return rule.status();
  if ((*rule)->from_file) return api::FileOwnedRule((*rule)->rule);
  return rule;
}

// Checks the name of a bus the API may create or delete.
absl::Status CheckCustomBusName(std::string_view name) {
  if (name == "default") {
    return api::Validation(
        "the event bus named default always exists; it can't be created or deleted");
  }
  if (!config::internal::IsValidApiEventBusName(name)) {
    return api::Validation(
        absl::StrCat("Name '", std::string(name),
                     "' is invalid: it must be 1-256 characters of A-Z a-z 0-9 / . - _"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> Daemon::PutRule(const PutRuleInput& in) {
  if (auto s = api::CheckRuleName(in.name); !s.ok()) return s;
  if (auto s = CheckDescription(in.description); !s.ok()) return s;
  auto bus = api::BusName(in.event_bus, options_);
  if (!bus.ok()) return bus.status();
  if (in.event_pattern.empty()) {
    return api::InvalidPattern(
        "Event pattern is not valid. Reason: EventPattern is required (scheduled rules are not "
        "supported)");
  }
  if (size_t chars = config::CharCount(in.event_pattern);
      chars > options_.max_event_pattern_chars) {
    return api::InvalidPattern(absl::StrCat("Event pattern is not valid. Reason: it is ", chars,
                                            " characters; at most ",
                                            options_.max_event_pattern_chars, " are allowed"));
  }
  if (auto s = matcher::ValidatePattern(in.event_pattern, api::MatcherOptions(options_)); !s.ok()) {
    return api::InvalidPattern(std::string(s.message()));
  }
  absl::MutexLock lock(&reload_mu_);
  std::shared_ptr<const Routing> routing = this->routing();
  auto route = api::FindBus(*routing, *bus);
  if (!route.ok()) return route.status();
  const BusInfo& info = *(*route)->info;
  if (auto it = info.rules.find(in.name); it != info.rules.end()) {
    if (it->second.from_file) return api::FileOwnedRule(it->second.rule);
  } else if (info.rules.size() >= options_.max_rules_per_bus) {
    return api::LimitExceeded(absl::StrCat("EventBus ", *bus, " has ", info.rules.size(),
                                           " rules; at most ", options_.max_rules_per_bus,
                                           " are allowed on one bus"));
  }
  config::Rule rule;
  rule.name = in.name;
  rule.event_bus_name = *bus;
  rule.event_pattern = in.event_pattern;
  rule.state = in.state;
  rule.description = in.description;
  if (auto s = catalog_->PutRule(std::move(rule)); !s.ok()) return api::FromStore(s);
  if (auto s = Republish(*bus); !s.ok()) return s;
  return config::internal::RuleArn(options_.region, options_.account, *bus, in.name);
}

absl::Status Daemon::DeleteRule(std::string_view event_bus, std::string_view name) {
  if (auto s = api::CheckRuleName(name); !s.ok()) return s;
  auto bus = api::BusName(event_bus, options_);
  if (!bus.ok()) return bus.status();
  absl::MutexLock lock(&reload_mu_);
  std::shared_ptr<const Routing> routing = this->routing();
  auto route = api::FindBus(*routing, *bus);
  if (!route.ok()) return route.status();
  const BusInfo& info = *(*route)->info;
  auto it = info.rules.find(name);
  if (it == info.rules.end()) return absl::OkStatus();  // EventBridge: deleting is idempotent
  if (it->second.from_file) return api::FileOwnedRule(it->second.rule);
  if (!it->second.rule.targets.empty()) {
    return api::Refused("Rule can't be deleted since it has targets.");
  }
  if (auto s = catalog_->DeleteRule({*bus, std::string(name)}); !s.ok()) {
    return api::FromStore(s);
  }
  return Republish(*bus);
}

absl::Status Daemon::SetRuleState(std::string_view event_bus, std::string_view name,
                                  config::RuleState state) {
  if (auto s = api::CheckRuleName(name); !s.ok()) return s;
  auto bus = api::BusName(event_bus, options_);
  if (!bus.ok()) return bus.status();
  absl::MutexLock lock(&reload_mu_);
  std::shared_ptr<const Routing> routing = this->routing();
  auto rule = ApiOwnedRule(*routing, *bus, name);
  if (!rule.ok()) return rule.status();
  if ((*rule)->rule.state == state) return absl::OkStatus();
  if (auto s = catalog_->SetRuleState({*bus, std::string(name)}, state); !s.ok()) {
    return api::FromStore(s);
  }
  return Republish(*bus);
}

absl::StatusOr<std::vector<TargetFailure>> Daemon::PutTargets(std::string_view event_bus,
                                                              std::string_view rule_name,
                                                              std::vector<config::Target> targets) {
  if (auto s = api::CheckRuleName(rule_name, "Rule"); !s.ok()) return s;
  auto bus = api::BusName(event_bus, options_);
  if (!bus.ok()) return bus.status();
  if (targets.empty() || targets.size() > kMaxTargetsPerRequest) {
    return api::Validation(absl::StrCat("Targets has ", targets.size(),
                                        " targets; it must have 1 to ", kMaxTargetsPerRequest));
  }
  std::set<std::string_view> ids;
  for (const config::Target& t : targets) {
    if (!ids.insert(t.id).second) {
      return api::Validation(absl::StrCat("Targets names the Id '", t.id, "' twice"));
    }
  }
  absl::MutexLock lock(&reload_mu_);
  std::shared_ptr<const Routing> routing = this->routing();
  auto rule = ApiOwnedRule(*routing, *bus, rule_name);
  if (!rule.ok()) return rule.status();
  auto queue_names = queues_->ListQueues();
  if (!queue_names.ok()) return api::FromStore(queue_names.status());
  config::TargetCheckOptions check;
  check.account_id = options_.account;
  check.region = options_.region;
  check.queue_exists = [&queue_names](std::string_view q) {
    return std::binary_search(queue_names->begin(), queue_names->end(), q);
  };
  check.function_exists = [&routing](std::string_view f) {
    return routing->functions.find(f) != routing->functions.end();
  };
  check.api_destination_exists = [&routing](std::string_view d) {
    return routing->api_destinations.find(d) != routing->api_destinations.end();
  };
  // Per target, in request order: its failure, or nothing if it is stored.
  std::vector<std::optional<TargetFailure>> outcome(targets.size());
  std::vector<config::Target> valid;
  std::set<std::string> after;  // the rule's target ids once the valid ones are stored
  for (const config::Target& t : (*rule)->rule.targets) after.insert(t.id);
  for (size_t i = 0; i < targets.size(); ++i) {
    absl::Status s = config::ValidateTarget(targets[i], check);
    if (s.ok() && targets[i].kind == config::TargetKind::kApiDestination) {
      // With its destination (which exists: checked above): one path value per wildcard.
      auto d = routing->api_destinations.find(targets[i].resource_name);
      if (d != routing->api_destinations.end()) {
        s = targets::ValidateHttpParameters(
            targets[i].http_parameters.value_or(targets::HttpParameters{}), &d->second.destination);
      }
    }
    if (!s.ok()) {
      outcome[i] =
          TargetFailure{targets[i].id,
                        s.code() == absl::StatusCode::kNotFound ? "ResourceNotFoundException"
                                                                : "ValidationException",
                        std::string(s.message())};
      continue;
    }
    after.insert(targets[i].id);
    valid.push_back(targets[i]);
  }
  if (after.size() > options_.max_targets_per_rule) {
    return api::LimitExceeded(absl::StrCat(
        "Rule ", std::string(rule_name), " would have ", after.size(), " targets; at most ",
        options_.max_targets_per_rule, " are allowed on one rule"));
  }
  if (!valid.empty()) {
    if (absl::Status s = catalog_->PutTargets({*bus, std::string(rule_name)}, std::move(valid));
        !s.ok()) {
      for (size_t i = 0; i < targets.size(); ++i) {
        if (outcome[i].has_value()) continue;
        outcome[i] = TargetFailure{targets[i].id, "InternalFailure",
                                   absl::StrCat("The target was not stored: ", s.message())};
      }
    } else if (s = Republish(*bus); !s.ok()) {
      return s;
    }
  }
  std::vector<TargetFailure> failures;
  for (auto& o : outcome) {
    if (o.has_value()) failures.push_back(std::move(*o));
  }
  return failures;
}

absl::StatusOr<std::vector<TargetFailure>> Daemon::RemoveTargets(
    std::string_view event_bus, std::string_view rule_name, const std::vector<std::string>& ids) {
  if (auto s = api::CheckRuleName(rule_name, "Rule"); !s.ok()) return s;
  auto bus = api::BusName(event_bus, options_);
  if (!bus.ok()) return bus.status();
  if (ids.empty() || ids.size() > kMaxIdsPerRequest) {
    return api::Validation(
        absl::StrCat("Ids has ", ids.size(), " ids; it must have 1 to ", kMaxIdsPerRequest));
  }
  for (const std::string& id : ids) {
    if (auto s = api::CheckRuleName(id, "Id"); !s.ok()) return s;
  }
  absl::MutexLock lock(&reload_mu_);
  std::shared_ptr<const Routing> routing = this->routing();
  auto rule = ApiOwnedRule(*routing, *bus, rule_name);
  if (!rule.ok()) return rule.status();
  std::set<std::string> present;
  for (const config::Target& t : (*rule)->rule.targets) present.insert(t.id);
  std::vector<TargetFailure> failures;
  std::vector<std::string> remove;
  for (const std::string& id : ids) {
    if (!present.contains(id)) {
      failures.push_back(
          {id, "ResourceNotFoundException",
           absl::StrCat("Rule ", std::string(rule_name), " has no target with Id ", id, ".")});
    } else if (std::find(remove.begin(), remove.end(), id) == remove.end()) {
      remove.push_back(id);
    }
  }
  if (remove.empty()) return failures;
  if (absl::Status s = catalog_->RemoveTargets({*bus, std::string(rule_name)}, remove); !s.ok()) {
    failures.clear();  // nothing was removed: every id fails, in request order
    for (const std::string& id : ids) {
      failures.push_back(
          {id, present.contains(id) ? "InternalFailure" : "ResourceNotFoundException",
           present.contains(id) ? absl::StrCat("The target was not removed: ", s.message())
                                : absl::StrCat("Rule ", std::string(rule_name),
                                               " has no target with Id ", id, ".")});
    }
    return failures;
  }
  if (auto s = Republish(*bus); !s.ok()) return s;
  return failures;
}

absl::StatusOr<std::string> Daemon::CreateEventBus(std::string_view name,
                                                   std::string_view description) {
  if (auto s = CheckCustomBusName(name); !s.ok()) return s;
  if (name.starts_with("aws.")) {
    return api::Validation(absl::StrCat("Name '", std::string(name),
                                        "' is invalid: names starting with aws. are kept for "
                                        "partner event sources"));
  }
  if (auto s = CheckDescription(description); !s.ok()) return s;
  absl::MutexLock lock(&reload_mu_);
  std::shared_ptr<const Routing> routing = this->routing();
  if (auto it = routing->buses.find(name); it != routing->buses.end()) {
    const BusInfo& info = *it->second.info;
    return api::AlreadyExists(info.file.has_value()
                                  ? absl::StrCat("Event bus ", info.name,
                                                 " already exists (declared in rule file ",
                                                 info.file->ToString(), ").")
                                  : absl::StrCat("Event bus ", info.name, " already exists."));
  }
  if (routing->buses.size() >= options_.max_event_buses) {
    return api::LimitExceeded(absl::StrCat("there are ", routing->buses.size(),
                                           " event buses (default included); at most ",
                                           options_.max_event_buses, " are allowed"));
  }
  const int64_t now = env_->NowMillis();
  ApiBus bus{std::string(name), std::string(description), now, now};
  if (auto s = catalog_->CreateBus(std::move(bus)); !s.ok()) return api::FromStore(s);
  if (auto s = Republish(std::string(name)); !s.ok()) return s;
  return config::internal::EventBusArn(options_.region, options_.account, name);
}

absl::Status Daemon::DeleteEventBus(std::string_view name) {
  if (auto s = CheckCustomBusName(name); !s.ok()) return s;
  absl::MutexLock lock(&reload_mu_);
  std::shared_ptr<const Routing> routing = this->routing();
  auto route = api::FindBus(*routing, name);
  if (!route.ok()) return route.status();
  const BusInfo& info = *(*route)->info;
  if (info.file.has_value()) return api::FileOwnedBus(info);
  if (!info.rules.empty()) {
    return api::Refused(absl::StrCat("Event bus ", info.name, " still has ", info.rules.size(),
                                     " rule(s), e.g. ", info.rules.begin()->first,
                                     "; delete them first (DeleteRule)."));
  }
  if (auto s = catalog_->DeleteBus(name); !s.ok()) return api::FromStore(s);
  if (auto s = registry_->ForgetDiscoverer(name); !s.ok()) return api::FromStore(s);
  return Republish(std::string(name));
}

absl::StatusOr<registry::Discoverer> Daemon::SetDiscovery(std::string_view event_bus,
                                                          bool started) {
  auto bus = api::BusName(event_bus, options_);
  if (!bus.ok()) {
    // The Schemas API's name for a malformed argument.
    std::string reason(bus.status().message());
    constexpr std::string_view kPrefix = "ValidationException: ";
    if (reason.starts_with(kPrefix)) reason.erase(0, kPrefix.size());
    return absl::InvalidArgumentError(
        absl::StrCat("BadRequestException: event_bus_name: ", reason));
  }
  // Under the reload mutex, so the bus cannot be deleted between the check and the change.
  absl::MutexLock lock(&reload_mu_);
  std::shared_ptr<const Routing> routing = this->routing();
  if (routing->buses.find(*bus) == routing->buses.end()) {
    return absl::NotFoundError(
        absl::StrCat("NotFoundException: Event bus ", *bus, " does not exist."));
  }
  if (auto s = registry_->SetDiscovery(*bus, started); !s.ok()) return api::FromStore(s);
  return registry::Discoverer{*bus, started};
}

std::vector<registry::Discoverer> Daemon::ListDiscoverers() const {
  std::vector<registry::Discoverer> out;
  for (const auto& [name, route] : routing()->buses) {
    out.push_back({name, registry_->DiscoveryStarted(name)});
  }
  return out;
}

}  // namespace busbar::bus
