// Envs for tests (base::Env, matcher/base/env.h).
//
// FakeEnv: its clock starts where told and moves only through AdvanceMillis / SetMillis (or
// SleepForMillis, which advances it instead of blocking), and its file syncs run the real
// fdatasync unless a failure was injected with FailSyncs.
//
// FaultInjectionEnv: the real clock and waits, and the real fdatasync until FailSyncs — for
// whole daemons, whose timers must run in real time, with a disk that can fail.
//
//   testing::FakeEnv env;                       // 2023-11-14T22:13:20Z
//   env.AdvanceSeconds(30);                      // timers due by then fire at their next wait
//   env.FailSyncs(absl::InternalError("EIO"));   // every SyncFile fails from now on
//
// AwaitWithDeadline waits for its condition in real time in short slices and returns false
// once the fake clock reaches the deadline, so a thread waiting on a fake deadline wakes soon
// after a test advances the clock past it.
//
// Threads: thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "matcher/base/env.h"

namespace busbar::testing {

// The real clock and waits; fdatasync as the OS does it until FailSyncs.
class FaultInjectionEnv : public base::Env {
 public:
  int64_t NowMillis() override { return base::Env::Default()->NowMillis(); }
  int64_t NowMicros() override { return base::Env::Default()->NowMicros(); }
  void SleepForMillis(int64_t millis) override { base::Env::Default()->SleepForMillis(millis); }
  bool AwaitWithDeadline(absl::Mutex& mu, const absl::Condition& cond,
                         int64_t deadline_millis) override {
    return base::Env::Default()->AwaitWithDeadline(mu, cond, deadline_millis);
  }
  absl::Status SyncFile(int fd, std::string_view path) override {
    syncs_.fetch_add(1);
    {
      absl::MutexLock lock(&mu_);
      if (!sync_error_.ok()) return sync_error_;
    }
    return base::Env::Default()->SyncFile(fd, path);
  }

  // From now on every SyncFile fails with `error` (OkStatus() heals it).
  void FailSyncs(absl::Status error) {
    absl::MutexLock lock(&mu_);
    sync_error_ = std::move(error);
  }
  int64_t syncs() const { return syncs_.load(); }

 private:
  std::atomic<int64_t> syncs_{0};
  absl::Mutex mu_;
  absl::Status sync_error_ ABSL_GUARDED_BY(mu_);
};

// FaultInjectionEnv's syncs, with a clock that moves only when told.
class FakeEnv : public FaultInjectionEnv {
 public:
  explicit FakeEnv(int64_t start_millis = 1'700'000'000'000) : now_micros_(start_millis * 1000) {}

  int64_t NowMillis() override { return now_micros_.load() / 1000; }
  int64_t NowMicros() override { return now_micros_.load(); }
  void SleepForMillis(int64_t millis) override {
    if (millis > 0) AdvanceMillis(millis);
    slept_millis_.fetch_add(millis > 0 ? millis : 0);
  }
  bool AwaitWithDeadline(absl::Mutex& mu, const absl::Condition& cond,
                         int64_t deadline_millis) override {
    while (true) {
      if (mu.AwaitWithTimeout(cond, absl::Milliseconds(2))) return true;
      if (NowMillis() >= deadline_millis) return cond.Eval();
    }
  }

  void AdvanceMillis(int64_t delta) { now_micros_.fetch_add(delta * 1000); }
  void AdvanceSeconds(int64_t delta) { AdvanceMillis(delta * 1000); }
  void SetMillis(int64_t now) { now_micros_.store(now * 1000); }
  int64_t slept_millis() const { return slept_millis_.load(); }

 private:
  std::atomic<int64_t> now_micros_;
  std::atomic<int64_t> slept_millis_{0};
};

}  // namespace busbar::testing
