// Internal to targets/: the parts of FunctionHost (functions.h) — the handler process and its
// output (function_process.cc), the per-environment Runtime API server (runtime_api.cc), the
// function log (function_log.cc) and the scheduler that ties them (function_host.cc).
//
// Threads: HandlerProcess and FunctionLog are thread-safe. RuntimeApiServer calls its
// RuntimeApiHandler from its own worker threads. Environment's fields are guarded as marked.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "targets/functions.h"

namespace busbar::targets::function_internal {

inline constexpr size_t kMaxLogTailBytes = 4096;
inline constexpr absl::Duration kInitTimeout = absl::Seconds(10);  // Lambda's init phase limit

// ---- The handler process (function_process.cc) ----

struct SpawnRequest {
  std::string executable;  // a path, or a bare name looked up in PATH when search_path
  bool search_path = false;
  std::vector<std::string> argv;
  std::string cwd;
  std::vector<std::string> env;  // "KEY=value"
};

// One spawned process, leader of its own process group, with stdout and stderr on one pipe. A
// watcher thread (started by StartWatching) passes each output line to on_line and reports the
// leader's exit (the raw wait status) to on_exit, once. The destructor kills the group, stops
// the watcher and reaps the leader; on_exit is not called after destruction begins.
class HandlerProcess {
 public:
  using LineFn = std::function<void(std::string_view line)>;
  using ExitFn = std::function<void(int wait_status)>;

  // Errors: NotFound (the executable does not exist), FailedPrecondition (not executable),
  // Internal (other spawn failures), each naming the executable and errno.
  static absl::StatusOr<std::unique_ptr<HandlerProcess>> Spawn(const SpawnRequest& request,
                                                               LineFn on_line, ExitFn on_exit);
  ~HandlerProcess();

  void StartWatching();
  pid_t pid() const { return pid_; }
  // SIGKILL to the process group. Idempotent; never blocks.
  void Kill();
  // Passes the output available now to on_line, line by line (a final partial line too when
  // flush_partial). Callable from any thread.
  void DrainOutput(bool flush_partial);
  // The leader's peak RSS (VmHWM) in bytes; 0 once it has exited.
  int64_t PeakRssBytes() const;

 private:
  HandlerProcess(pid_t pid, int pidfd, int output_fd, int wake_fd, LineFn on_line, ExitFn on_exit);
  void Watch();

  const pid_t pid_;
  const int pidfd_;
  const int output_fd_;
  const int wake_fd_;  // eventfd: wakes the watcher to stop
  const LineFn on_line_;
  const ExitFn on_exit_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> reaped_{false};
  std::thread watcher_;
  absl::Mutex output_mu_;
  std::string partial_ ABSL_GUARDED_BY(output_mu_);
  bool output_eof_ ABSL_GUARDED_BY(output_mu_) = false;
};

// The resident set size in bytes of each process group in `pgids` (summed over its processes),
// from one scan of /proc. Groups with no process are absent.
absl::flat_hash_map<pid_t, int64_t> SampleGroupRss(const std::vector<pid_t>& pgids);

// How Lambda (a Go runtime) describes a wait status: "exit status 2", "signal: killed".
std::string DescribeWaitStatus(int wait_status);

// ---- The function log (function_log.cc) ----

// <log_dir>/<name>.log, appended line by line, renamed to .1 when it would pass max_bytes.
class FunctionLog {
 public:
  FunctionLog(std::string path, size_t max_bytes);
  ~FunctionLog();
  void Append(std::string_view line);  // adds the newline; errors are dropped
  absl::StatusOr<std::string> Tail(size_t max_bytes) const;

 private:
  void OpenLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string path_;
  const size_t max_bytes_;
  mutable absl::Mutex mu_;
  int fd_ ABSL_GUARDED_BY(mu_) = -1;
  size_t size_ ABSL_GUARDED_BY(mu_) = 0;
};

// {"errorMessage":"<message>","errorType":"<type>"}
std::string ErrorDocument(std::string_view message, std::string_view type);
// The "errorType" string of a JSON object, if there is one.
std::optional<std::string> ErrorTypeOf(std::string_view json);
std::string Rfc3339Millis(absl::Time time);  // 2024-05-01T12:00:00.123Z
// The REPORT line, tab separated, as CloudWatch shows it.
std::string ReportLine(const InvokeResult& result, int memory_size_mb);

// ---- The Runtime API (runtime_api.cc) ----

struct Environment;

struct NextInvocation {
  std::string request_id;
  std::string payload;
  std::string function_arn;
  int64_t deadline_ms = 0;  // epoch ms
};

enum class PostOutcome { kAccepted, kInvalidRequestId, kTooLarge };

// What the Runtime API server asks of the host. Called on the server's worker threads.
class RuntimeApiHandler {
 public:
  virtual ~RuntimeApiHandler() = default;
  // Blocks until the environment has an invocation, or returns nullopt once it is discarded.
  virtual std::optional<NextInvocation> Next(Environment& env) = 0;
  virtual PostOutcome Response(Environment& env, std::string_view request_id, std::string body) = 0;
  virtual PostOutcome Error(Environment& env, std::string_view request_id, std::string body,
                            std::string error_type_header) = 0;
  virtual void InitError(Environment& env, std::string body, std::string error_type_header) = 0;
};

// The Runtime API of one environment on 127.0.0.1:<ephemeral port>.
class RuntimeApiServer {
 public:
  // Errors: Unavailable (cannot bind or start).
  static absl::StatusOr<std::unique_ptr<RuntimeApiServer>> Start(RuntimeApiHandler* handler,
                                                                 Environment* env);
  ~RuntimeApiServer();  // Stop()
  uint16_t port() const { return port_; }
  // Stops listening and joins the workers. REQUIRES: Next() calls return (the environment is
  // discarded first).
  void Stop();

  struct Impl;

 private:
  RuntimeApiServer(std::unique_ptr<Impl> impl, uint16_t port);
  std::unique_ptr<Impl> impl_;
  uint16_t port_;
};

// ---- The scheduler's state (function_host.cc) ----

struct Invocation {
  std::string request_id;
  std::string payload;
  std::function<void(absl::StatusOr<InvokeResult>)> done;
  absl::Time delivered;  // by /next
  bool was_delivered = false;
  bool cold_start = false;
  double init_duration_ms = 0;
  std::string log_tail;  // guarded by the environment's log_mu once START is written
};

struct FunctionState;

// One execution environment. Fields without a note are guarded by FunctionHost::Impl::mu_.
struct Environment : std::enable_shared_from_this<Environment> {
  uint64_t id = 0;
  std::shared_ptr<FunctionState> function;
  std::shared_ptr<const Function> config;  // the configuration it was started with
  uint64_t generation = 0;
  std::string log_stream;
  std::shared_ptr<FunctionLog> log;  // immutable

  // Set while starting; destroyed only by the reaper after `api` is stopped, so API handlers
  // may use them outside the lock.
  std::unique_ptr<RuntimeApiServer> api;
  std::unique_ptr<HandlerProcess> process;

  absl::Time spawned;
  bool initialized = false;  // called /next once
  absl::Time initialized_at;
  bool had_invocation = false;
  std::unique_ptr<Invocation> pending;  // assigned, not yet delivered by /next
  absl::Time assigned;                  // when `pending` was set
  std::unique_ptr<Invocation> current;  // delivered, running
  absl::Time deadline;                  // of `current`
  absl::Time free_since;
  int64_t peak_rss_bytes = 0;
  bool dead = false;
  absl::CondVar cv;  // signalled when pending is set or the environment dies

  absl::Mutex log_mu;
  Invocation* capturing ABSL_GUARDED_BY(log_mu) = nullptr;  // gets the lines in log_tail

  bool busy() const { return pending != nullptr || current != nullptr || !initialized; }
};

struct FunctionState {
  std::shared_ptr<const Function> config;
  uint64_t generation = 0;
  std::shared_ptr<FunctionLog> log;
  bool removed = false;
  std::vector<std::shared_ptr<Environment>> envs;  // live (not dead) environments
  std::deque<std::unique_ptr<Invocation>> queue;
  uint64_t invocations = 0, errors = 0, throttles = 0, cold_starts = 0, timeouts = 0;
};

}  // namespace busbar::targets::function_internal
