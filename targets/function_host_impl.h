// Internal to targets/: FunctionHost::Impl, the scheduler. One mutex (mu_) guards every
// function, queue and environment state; work that may block or call out (log writes, `done`
// callbacks, joining an environment's threads) is collected as Actions under the lock and done
// after it. Lock order: mu_ → Environment::log_mu → FunctionLog's mutex; HandlerProcess's output
// mutex → Environment::log_mu (its line callback) and is never held while taking mu_.
//
// Threads: callers' threads (the public API), each environment's Runtime API workers (Next,
// Response, Error, InitError), each process's watcher (OnOutputLine, OnProcessExit) and one
// monitor thread (timeouts, memory sampling every 20 ms, idle expiry, reaping discarded
// environments: stopping their server and process happens only there or in Shutdown).
//
// Split: function_host.cc has the public API and the dispatch of invocations to environments;
// function_events.cc what environments report (Runtime API calls, exits) and the monitor.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "targets/function_internal.h"
#include "targets/functions.h"

namespace busbar::targets {

class FunctionHost::Impl : public function_internal::RuntimeApiHandler {
 public:
  using Environment = function_internal::Environment;
  using FunctionState = function_internal::FunctionState;
  using Invocation = function_internal::Invocation;
  using DoneFn = std::function<void(absl::StatusOr<InvokeResult>)>;

  explicit Impl(FunctionHostOptions options);
  ~Impl() override;

  absl::Status Put(Function config);
  absl::Status Remove(std::string_view name);
  void Invoke(std::string_view name, std::string payload, Mode mode, DoneFn done);
  std::vector<FunctionInfo> List() const;
  absl::StatusOr<std::string> ReadLog(std::string_view name, size_t max_bytes) const;

  // RuntimeApiHandler (function_events.cc).
  std::optional<function_internal::NextInvocation> Next(Environment& env) override;
  function_internal::PostOutcome Response(Environment& env, std::string_view request_id,
                                          std::string body) override;
  function_internal::PostOutcome Error(Environment& env, std::string_view request_id,
                                       std::string body, std::string error_type_header) override;
  void InitError(Environment& env, std::string body, std::string error_type_header) override;

 private:
  // An invocation that ended: its result is logged (END, REPORT) and delivered after the lock.
  struct Completion {
    std::shared_ptr<Environment> env;
    std::unique_ptr<Invocation> invocation;
    InvokeResult result;
    std::vector<std::string> error_lines;  // logged before END
    int64_t peak_rss_bytes = 0;
    // Read under the lock. Run may use it: only the reaper destroys it, after joining the
    // threads that run completions with a process (the API workers, the watcher, the monitor).
    function_internal::HandlerProcess* process = nullptr;
  };
  struct Actions {
    std::vector<Completion> completions;
    std::vector<std::pair<DoneFn, absl::Status>> failures;
  };

  // function_host.cc
  bool TryStartLocked(const std::shared_ptr<FunctionState>& function,
                      std::unique_ptr<Invocation>& invocation, Actions& actions)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void StartEnvironmentLocked(const std::shared_ptr<FunctionState>& function,
                              std::unique_ptr<Invocation> invocation, Actions& actions)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DispatchLocked(Actions& actions) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool EvictFreeLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Marks the environment dead, kills its process group and hands it to the reaper.
  // REQUIRES: its invocations were taken out.
  void KillLocked(Environment& env) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::shared_ptr<function_internal::FunctionLog> LogForLocked(const std::string& name)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // function_events.cc
  // Ends `invocation` with `result` (payload and error fields set); the environment is killed
  // when `discard`, else freed (or retired if its configuration was replaced).
  void CompleteLocked(Environment& env, std::unique_ptr<Invocation> invocation, InvokeResult result,
                      bool discard, std::vector<std::string> error_lines, Actions& actions)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Ends the environment's invocation (running or assigned) as Unhandled and kills it;
  // `error_lines` are logged before END.
  void FailEnvironmentLocked(Environment& env, std::string error_type, std::string message,
                             std::vector<std::string> error_lines, Actions& actions)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Run(Actions& actions) ABSL_LOCKS_EXCLUDED(mu_);
  // The process's VmHWM (bytes), read without the lock.
  int64_t PeakOf(Environment& env) ABSL_LOCKS_EXCLUDED(mu_);
  void OnOutputLine(Environment& env, std::string_view line);
  void OnProcessExit(Environment& env, int wait_status) ABSL_LOCKS_EXCLUDED(mu_);
  void MonitorLoop();
  void CheckEnvironments() ABSL_LOCKS_EXCLUDED(mu_);
  void Reap() ABSL_LOCKS_EXCLUDED(mu_);
  void Shutdown();

  const FunctionHostOptions options_;
  mutable absl::Mutex mu_;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, std::shared_ptr<FunctionState>> functions_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::shared_ptr<function_internal::FunctionLog>> logs_ ABSL_GUARDED_BY(mu_);
  // Every environment not yet discarded, of any function (removed ones included).
  std::map<uint64_t, std::shared_ptr<Environment>> live_ ABSL_GUARDED_BY(mu_);
  size_t queued_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t next_environment_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::vector<std::shared_ptr<Environment>> graveyard_ ABSL_GUARDED_BY(mu_);
  absl::CondVar monitor_cv_;
  std::thread monitor_;
};

}  // namespace busbar::targets
