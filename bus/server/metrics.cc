// Metrics: see metrics.h.
#include "bus/server/metrics.h"

#include "absl/strings/str_cat.h"

namespace busbar::bus {

std::shared_ptr<RuleCounters> Metrics::Rule(std::string_view rule_arn) {
  absl::MutexLock lock(&mu_);
  auto it = rules_.find(rule_arn);
  if (it == rules_.end()) {
    it = rules_.emplace(std::string(rule_arn), std::make_shared<RuleCounters>()).first;
  }
  return it->second;
}

std::shared_ptr<TargetCounters> Metrics::Target(std::string_view rule_arn,
                                                std::string_view target_id) {
  const std::string key = absl::StrCat(std::string(rule_arn), "|", std::string(target_id));
  absl::MutexLock lock(&mu_);
  auto it = targets_.find(key);
  if (it == targets_.end()) it = targets_.emplace(key, std::make_shared<TargetCounters>()).first;
  return it->second;
}

RuleMetrics Metrics::Get(std::string_view rule_arn) const {
  RuleMetrics out;
  out.rule_arn = std::string(rule_arn);
  absl::MutexLock lock(&mu_);
  if (auto it = rules_.find(rule_arn); it != rules_.end()) {
    out.matched_events = it->second->matched_events.load();
    out.triggered_rules = it->second->triggered_rules.load();
  }
  const std::string prefix = absl::StrCat(std::string(rule_arn), "|");
  for (auto it = targets_.lower_bound(prefix);
       it != targets_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    RuleMetrics::Target& t = out.targets[it->first.substr(prefix.size())];
    t.id = it->first.substr(prefix.size());
    t.invocations = it->second->invocations.load();
    t.failed_invocations = it->second->failed_invocations.load();
    t.sent_to_dlq = it->second->sent_to_dlq.load();
    t.failed_to_dlq = it->second->failed_to_dlq.load();
    t.invocation_attempts = it->second->invocation_attempts.load();
  }
  return out;
}

}  // namespace busbar::bus
