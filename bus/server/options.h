// Internal to bus/server. DaemonOptions: everything `busbar serve` can set (serve.cc maps its
// flags onto it) and tests override. A plain value; thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "bus/config/config.h"
#include "matcher/base/env.h"
#include "registry/registry.h"
#include "targets/store.h"

namespace busbar::bus {

struct DaemonOptions {
  std::string listen = "127.0.0.1:4195";
  std::string data_dir = "./busbar-data";
  std::vector<std::string> config_files;
  std::string account = "000000000000";
  std::string region = "us-east-1";
  targets::FsyncPolicy fsync = targets::FsyncPolicy::kEveryBatch;
  bool strict_eventbridge = false;
  size_t max_request_bytes = 256 * 1024;
  // Accepted events stay in the event log at least this long (and while a queue message
  // refers to them); see targets/event_log.h.
  int64_t event_log_retention_s = 3600;
  // How often expired queue messages and old log events are deleted.
  int64_t maintenance_interval_ms = 10'000;
  // Limits of the API (EventBridge's default quotas). Rules and buses from rule
  // files count towards them but are never refused for them.
  size_t max_rules_per_bus = 300;
  size_t max_event_buses = 100;  // "default" included
  size_t max_targets_per_rule = config::kMaxTargetsPerRule;
  size_t max_event_pattern_chars = 4096;
  // Queues the daemon holds at most (CreateQueue past it: OverLimit). SQS's default quota
  // is effectively unbounded; this bounds the data directory's queue table.
  size_t max_queues = 1000;
  // The schema registry (<data_dir>/registry.db): discovery queue and cache bounds.
  registry::RegistryOptions registry;  // path, account and region are set by Start
  // Function and API destination deliveries: retries, backoff, Lambda's own retries
  // (dispatcher.h). Function logs go to <data_dir>/functions/<name>.log.
  int64_t retry_base_ms = 1000;
  int64_t retry_max_delay_ms = 300000;
  int64_t function_retry_base_ms = 60000;
  int max_function_environments = 64;  // all functions together
  int64_t function_idle_timeout_ms = 300000;
  int64_t http_timeout_ms = 5000;
  // Overrides every API destination's InvocationRateLimitPerSecond (benchmarks); 0: off.
  int http_rate_limit_override = 0;
  // The clock and file sync of the store, queues, outbox and dispatcher; nullptr =
  // base::Env::Default(). Tests inject a fake (tests/testing/fake_env.h). Must outlive the daemon.
  base::Env* env = nullptr;
  // Runs once when the store stops after a failed fsync (targets/store.h): from then on every
  // write fails with a retryable error (PutEvents entries: InternalFailure). `busbar serve` logs
  // it and exits with status 1; a restart recovers what was acknowledged. Must be quick.
  std::function<void(const absl::Status&)> on_fatal_error;
};

}  // namespace busbar::bus
