// Internal to bus/server. EventBridge's retry policy for function and API destination targets,
// and Lambda's own asynchronous retries of a function error, as pure decisions: given an outbox
// item after a failed try and the time, what happens next. The dispatcher (dispatcher.h) applies
// them; tests drive them with any clock.
//
// Target retries (RetryPolicy): the n-th retry waits an exponential backoff with equal jitter —
// half of min(base * 2^(n-1), max_delay) fixed, half random — and never less than the target's
// Retry-After. A failure is final when it is not retryable (HTTP 4xx other than 429, a missing
// function or destination), when the retries are used up (MaximumRetryAttempts), or when the
// next try would come after the event's age limit (MaximumEventAgeInSeconds, counted from when
// the event was accepted).
//
// Function retries (EventInvokeConfig): a function that ran and returned an error is invoked
// again after function_retry_base_ms, then twice that (Lambda's 1 and 2 minutes), up to its
// MaximumRetryAttempts (0-2) while the event is younger than its MaximumEventAgeInSeconds.
//
// Thread-compatible values and pure functions; BackoffMillis takes the caller's random source.
#pragma once

#include <cstdint>
#include <string>

#include "absl/random/bit_gen_ref.h"
#include "targets/outbox.h"

namespace busbar::bus {

struct RetryOptions {
  int64_t base_ms = 1000;                  // the first retry's delay (before jitter)
  int64_t max_delay_ms = 300000;           // the backoff's ceiling
  int64_t function_retry_base_ms = 60000;  // Lambda: 1 minute, then 2
};

// The ceiling of the backoff before retry `attempt` (1-based): min(base * 2^(attempt-1), max).
int64_t BackoffCeilingMillis(const RetryOptions& options, int attempt);
// A delay in [ceiling / 2, ceiling] for retry `attempt` ("equal jitter").
int64_t BackoffMillis(const RetryOptions& options, int attempt, absl::BitGenRef random);

// What follows a failed try of a target.
struct RetryDecision {
  bool retry = false;
  int64_t next_ms = 0;  // when `retry`: when to try again (ms since the epoch)
  // When final: why retrying stopped — "MaximumRetryAttempts", "MaximumEventAgeInSeconds", or
  // "" when the failure was not retryable (EventBridge's EXHAUSTED_RETRY_CONDITION).
  std::string exhausted_condition;
};

// REQUIRES: item.attempts counts the failed try (1 after the first). `delay_ms` is the backoff
// drawn for this retry; `min_delay_ms` the target's Retry-After (0 for none).
RetryDecision DecideAfterFailure(const targets::OutboxItem& item, bool retryable, int64_t now_ms,
                                 int64_t delay_ms, int64_t min_delay_ms = 0);

// What follows a function invocation that ran and returned an error (Lambda's asynchronous
// retries). `function_attempts` counts the invocation that just failed (1 after the first).
struct FunctionRetryDecision {
  bool retry = false;
  int64_t next_ms = 0;    // when `retry`
  std::string condition;  // when not: "RetriesExhausted" or "EventAgeExceeded" (the record's)
};
FunctionRetryDecision DecideAfterFunctionError(const RetryOptions& options, int function_attempts,
                                               int maximum_retry_attempts, int maximum_event_age_s,
                                               int64_t created_ms, int64_t now_ms);

}  // namespace busbar::bus
