// Retry decisions; see retry_policy.h.
#include "bus/server/retry_policy.h"

#include <algorithm>

#include "absl/random/distributions.h"

namespace busbar::bus {

int64_t BackoffCeilingMillis(const RetryOptions& options, int attempt) {
  const int shift = std::clamp(attempt - 1, 0, 30);
  return std::min(options.max_delay_ms, options.base_ms << shift);
}

int64_t BackoffMillis(const RetryOptions& options, int attempt, absl::BitGenRef random) {
  const int64_t ceiling = BackoffCeilingMillis(options, attempt);
  // Half the delay fixed, half random, so retries of many events spread out.
  return ceiling / 2 + absl::Uniform<int64_t>(random, 0, ceiling / 2 + 1);
}

RetryDecision DecideAfterFailure(const targets::OutboxItem& item, bool retryable, int64_t now_ms,
                                 int64_t delay_ms, int64_t min_delay_ms) {
  RetryDecision d;
  if (!retryable) return d;
  if (item.attempts > item.max_retry_attempts) {
    d.exhausted_condition = "MaximumRetryAttempts";
    return d;
  }
  const int64_t next = now_ms + std::max(delay_ms, min_delay_ms);
  if (next - item.created_ms > int64_t{item.max_event_age_s} * 1000) {
    d.exhausted_condition = "MaximumEventAgeInSeconds";
    return d;
  }
  d.retry = true;
  d.next_ms = next;
  return d;
}

FunctionRetryDecision DecideAfterFunctionError(const RetryOptions& options, int function_attempts,
                                               int maximum_retry_attempts, int maximum_event_age_s,
                                               int64_t created_ms, int64_t now_ms) {
  FunctionRetryDecision d;
  const bool young = now_ms - created_ms < int64_t{maximum_event_age_s} * 1000;
  if (young && function_attempts <= maximum_retry_attempts) {
    d.retry = true;
    d.next_ms = now_ms + options.function_retry_base_ms * (int64_t{1} << (function_attempts - 1));
    return d;
  }
  d.condition = young ? "RetriesExhausted" : "EventAgeExceeded";
  return d;
}

}  // namespace busbar::bus
