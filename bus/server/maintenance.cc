// Daemon::MaintenanceLoop: retention for queues and the event log; see daemon.h.
#include <ctime>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bus/server/daemon.h"

namespace busbar::bus {

void Daemon::MaintenanceLoop() {
  while (true) {
    {
      absl::MutexLock lock(&maintenance_mu_);
      auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(maintenance_mu_) { return stopping_; };
      if (maintenance_mu_.AwaitWithTimeout(absl::Condition(&stopping),
                                           absl::Milliseconds(options_.maintenance_interval_ms))) {
        return;
      }
    }
    // Errors (the store stopping, a busy disk) are retried on the next round.
    (void)queues_->DropExpired();
    const int64_t cutoff_ms =
        absl::ToUnixMillis(absl::Now()) - options_.event_log_retention_s * 1000;
    for (int round = 0; round < 100; ++round) {  // bounded: at most 1M events per interval
      absl::StatusOr<int64_t> pruned = event_log_->Prune(cutoff_ms);
      if (!pruned.ok() || *pruned < 10000) break;
    }
  }
}

}  // namespace busbar::bus
