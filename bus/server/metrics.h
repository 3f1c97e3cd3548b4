// Internal to the bus module. Per-rule and per-target counters, named after EventBridge's
// CloudWatch metrics: MatchedEvents and TriggeredRules per rule; Invocations,
// FailedInvocations and InvocationsSentToDLQ per target (plus InvocationAttempts, every try
// including retries, and the dead-letter writes that failed). They count since the daemon
// started (not persisted) and survive rule and target changes: a counter is keyed by the
// rule's ARN and the target's id, so a new routing snapshot gets the same counters.
//
// Threads: thread-safe. The counters are atomics; ingest and the dispatcher hold
// shared_ptrs taken when the routing was built, so counting never takes a lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace busbar::bus {

struct TargetCounters {
  std::atomic<uint64_t> invocations{0};          // deliveries the target accepted
  std::atomic<uint64_t> failed_invocations{0};   // deliveries that failed for good
  std::atomic<uint64_t> sent_to_dlq{0};          // InvocationsSentToDLQ
  std::atomic<uint64_t> failed_to_dlq{0};        // dead-letter writes that failed
  std::atomic<uint64_t> invocation_attempts{0};  // every try, retries included
};

struct RuleCounters {
  std::atomic<uint64_t> matched_events{0};   // events the rule matched
  std::atomic<uint64_t> triggered_rules{0};  // times the rule ran its targets (matched, enabled)
};

// A plain copy of one rule's counters and its targets'.
struct RuleMetrics {
  std::string rule_arn;
  uint64_t matched_events = 0;
  uint64_t triggered_rules = 0;
  struct Target {
    std::string id;
    uint64_t invocations = 0, failed_invocations = 0, sent_to_dlq = 0, failed_to_dlq = 0,
             invocation_attempts = 0;
  };
  std::map<std::string, Target> targets;  // by id
};

class Metrics {
 public:
  std::shared_ptr<RuleCounters> Rule(std::string_view rule_arn);
  std::shared_ptr<TargetCounters> Target(std::string_view rule_arn, std::string_view target_id);
  // The counters of one rule (zeros when it never counted).
  RuleMetrics Get(std::string_view rule_arn) const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<RuleCounters>, std::less<>> rules_ ABSL_GUARDED_BY(mu_);
  // "<rule arn>|<target id>".
  std::map<std::string, std::shared_ptr<TargetCounters>, std::less<>> targets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace busbar::bus
