// busbar::base::Env — the operating system as the daemon sees it: the clock, sleeping and
// waiting with a deadline, and making a file durable (fdatasync). LevelDB's idea: every part
// that reads the time or syncs a file takes an Env*, so tests swap in a fake
// (tests/testing/fake_env.h) whose time moves only when told and whose syncs can fail.
//
//   base::Env* env = base::Env::Default();
//   int64_t now = env->NowMillis();
//   absl::MutexLock lock(&mu);
//   env->AwaitWithDeadline(mu, absl::Condition(&ready), now + 1000);  // wakes at cond or deadline
//
// Threads: implementations must be thread-safe. Default() is a process-wide singleton that is
// never destroyed.
#pragma once

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace busbar::base {

class Env {
 public:
  virtual ~Env() = default;

  // The real operating system: system_clock, nanosleep, fdatasync. Never null.
  static Env* Default();

  // Wall-clock milliseconds since the Unix epoch.
  virtual int64_t NowMillis() = 0;
  // Wall-clock microseconds since the Unix epoch (durations, log timestamps).
  virtual int64_t NowMicros() = 0;

  // Blocks the calling thread for `millis` of this Env's time (a fake Env may just advance it).
  virtual void SleepForMillis(int64_t millis) = 0;

  // REQUIRES: `mu` is held. Waits (releasing `mu`) until `cond` holds or this Env's clock
  // reaches `deadline_millis`; returns whether `cond` holds. `cond` is re-evaluated whenever
  // `mu` is released by another thread, as absl::Mutex::AwaitWithDeadline does.
  virtual bool AwaitWithDeadline(absl::Mutex& mu, const absl::Condition& cond,
                                 int64_t deadline_millis) = 0;

  // Makes the data written to `fd` durable (fdatasync). `path` names the file in the error.
  // Errors: Internal with the path and the OS's reason.
  virtual absl::Status SyncFile(int fd, std::string_view path) = 0;
};

}  // namespace busbar::base
