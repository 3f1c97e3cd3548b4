// Internal to bus/server. The dispatcher: delivers the outbox's items
// (targets/outbox.h) to function and API destination targets, with
// EventBridge's retry policy and dead-letter queues, and runs a function's own
// asynchronous retries and destinations (Lambda's EventInvokeConfig).
//
// Per item, one try at a time. A try's outcome is written in one Store write:
//   delivered          the item is removed (the target's Invocations + 1);
//   retryable failure  attempts + 1 and the next try is scheduled after an
//                      exponential backoff with jitter (at least Retry-After)
//                      — or, past RetryPolicy's MaximumRetryAttempts or
//                      MaximumEventAgeInSeconds, the failure is final;
//   final failure      the original event goes to the target's dead-letter
//                      queue with the message attributes RULE_ARN, TARGET_ARN,
//                      ERROR_CODE, ERROR_MESSAGE, RETRY_ATTEMPTS and
//                      EXHAUSTED_RETRY_CONDITION, and the item is removed, in
//                      the same transaction (FailedInvocations + 1,
//                      InvocationsSentToDLQ + 1); without one it is dropped.
// So a restart resumes every pending retry, and an item that reached its
// dead-letter queue is never tried again.
//
// A function target counts as invoked once the function ran (Lambda accepted
// the asynchronous invocation); a function error is then retried by the
// function's own MaximumRetryAttempts (0-2, after function_retry_base_ms, then
// twice that), and the invocation record goes to its OnSuccess / OnFailure
// destination (a queue or a bus) in Lambda's record shape. Missing functions,
// API destinations or targets fail at once (no retry); throttling and HTTP 429,
// 5xx, timeouts and connection failures are retried; other HTTP 4xx are final.
//
// Threads: Start() runs one thread that picks due items; outcomes arrive on
// the function host's and HTTP deliverer's threads and are written through the
// Store. Stop() stops picking; then shut the function host and HTTP deliverer
// down (their pending calls complete at once) and WaitIdle() returns when no
// try is left. A try cut short by the shutdown is left as it was, to be tried
// again after a restart.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/random/random.h"
#include "absl/synchronization/mutex.h"
#include "bus/server/interfaces.h"
#include "bus/server/retry_policy.h"
#include "matcher/base/env.h"
#include "targets/queues.h"

namespace busbar::bus {

struct DispatcherOptions {
  RetryOptions retry;          // backoff and Lambda's retry delays (retry_policy.h)
  size_t max_in_flight = 256;  // tries running at once
};

class Dispatcher {
 public:
  struct Deps {
    const RoutingSource* routing;  // targets, functions and API destinations
    EventIngest* events;           // bus destinations of function records
    targets::Queues* queues;       // dead-letter queues and queue destinations
    targets::Store* store;
    targets::Outbox* outbox;
    targets::FunctionHost* functions;
    targets::HttpDeliverer* http;
    base::Env* env;  // the clock: due times, backoff, event ages
  };
  Dispatcher(Deps deps, DispatcherOptions options);
  ~Dispatcher();  // Stop()

  void Start();
  void Stop();
  void WaitIdle();

 private:
  struct Try;
  void Loop();
  void Begin(targets::OutboxItem item);
  void TryFunction(std::shared_ptr<Try> t);
  void TryHttp(std::shared_ptr<Try> t);
  void FunctionRan(std::shared_ptr<Try> t, const targets::InvokeResult& result);
  // A failed try of the target: retried or final (dead letter).
  void Failed(std::shared_ptr<Try> t, std::string code, std::string message, bool retryable,
              int64_t min_delay_ms = 0);
  void DeadLetter(std::shared_ptr<Try> t, std::string condition);
  // Removes the item (the try ended for good), then runs `after_commit` and releases it.
  void Remove(std::shared_ptr<Try> t, std::function<void()> after_commit);
  // Writes `job` (which ends the try or reschedules it), then releases the item.
  void Write(std::shared_ptr<Try> t, std::function<absl::Status(targets::Db&)> job,
             std::function<void()> after_commit);
  void Release(int64_t id);
  bool stopping() const;

  const Deps deps_;
  const DispatcherOptions options_;

  mutable absl::Mutex mu_;
  absl::flat_hash_set<int64_t> in_flight_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::BitGen rng_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace busbar::bus
