// busbar::targets::FunctionHost — Lambda-style functions whose handlers are real processes.
//
// A function is a command (the custom-runtime `bootstrap`) run in its code directory. Each
// execution environment is one process (in its own process group) plus one AWS Lambda Runtime
// API server on 127.0.0.1:<ephemeral port>, which the process finds in AWS_LAMBDA_RUNTIME_API.
// The process asks `GET /2018-06-01/runtime/invocation/next` for work and posts
// `…/invocation/<request id>/response` or `…/error`, as under AWS Lambda; any runtime written
// for Lambda's custom-runtime interface runs unchanged.
//
// Semantics follow AWS Lambda:
//   - Cold start: an invocation that finds no free environment of the function starts one (if
//     the function's concurrency limit and the host's max_environments allow); Init Duration is
//     spawn → its first /next. A free environment (warm) takes the next invocation; one kept
//     free for idle_timeout is stopped.
//   - Concurrency: at most reserved_concurrency (or max_environments) environments of a function
//     are busy at once; max_environments bounds the environments of all functions together (a
//     free environment of another function is stopped to make room). When none may start, a
//     kThrottle invocation fails with ResourceExhausted; a kWait invocation queues (FIFO per
//     function) until an environment is free. reserved_concurrency 0 throttles every invocation
//     in either mode.
//   - Function errors are results, not Status errors: "Handled" when the handler posted /error;
//     "Unhandled" for a timeout (Sandbox.Timedout), a process that exits or is killed
//     (Runtime.ExitError), memory over memory_size_mb (Runtime.OutOfMemory, the RSS of the
//     process group is sampled every ~20 ms while an invocation runs), an init error
//     (Runtime.InitError or the type the runtime posted), a command that cannot be started
//     (Runtime.InvalidEntrypoint), a response over 6 MB (Function.ResponseSizeTooLarge). After
//     an Unhandled error the environment is discarded: the next invocation is a cold start.
//   - Logs: <log_dir>/<function>.log gets, per invocation, `START RequestId: <id> Version:
//     $LATEST`, the handler's stdout and stderr lines, `END RequestId: <id>` and the
//     tab-separated `REPORT RequestId: …` line (with Init Duration on cold starts), as CloudWatch
//     shows them. Output written between invocations (init) precedes the next START. The file is
//     renamed to <function>.log.1 (replacing it) when it would pass max_log_bytes.
//   - Put replaces a function's configuration; environments of the old one finish their current
//     invocation and stop. Remove fails queued invocations (NotFound) and stops environments
//     after their current invocation.
//
// Not supported: versions and aliases (always $LATEST), layers, the Extensions and Telemetry
// APIs, X-Ray (Lambda-Runtime-Trace-Id is a fresh id per invocation), client context and
// Cognito identity headers, provisioned concurrency, retries of async invocations.
//
// Threads: FunctionHost is thread-safe. Invoke's `done` runs exactly once, without any host
// lock held: inline in Invoke when the invocation is refused (NotFound, ResourceExhausted,
// InvalidArgument, Unavailable), else on a host thread (an environment's Runtime API worker or
// process watcher, or the monitor). It must be quick; it may call Invoke, Put, Remove, List and
// ReadLog, but not InvokeSync (it would block the thread that must deliver the result) nor
// destroy the host. The destructor kills every environment (SIGKILL to its process group), fails
// queued and running invocations with Unavailable and joins every thread; REQUIRES: no call in
// flight on other threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace busbar::targets {

inline constexpr int kMinFunctionTimeout = 1;                  // seconds
inline constexpr int kMaxFunctionTimeout = 900;                // seconds
inline constexpr int kMinFunctionMemorySize = 128;             // MB
inline constexpr int kMaxFunctionMemorySize = 10240;           // MB
inline constexpr size_t kMaxFunctionNameLength = 64;           // [A-Za-z0-9-_]
inline constexpr size_t kMaxInvokePayloadBytes = 6291456;      // 6 MB, request and response
inline constexpr size_t kMaxEnvironmentVariablesBytes = 4096;  // Lambda's 4 KB, keys + values

struct FunctionConfig {
  std::string name;  // FunctionName: 1-64 of [A-Za-z0-9-_]
  // The handler process's argv. argv[0] names the executable: absolute; relative with a `/`, or
  // naming a file in code_dir → against code_dir; else looked up in PATH (e.g. "python3").
  std::vector<std::string> command;
  std::string code_dir;  // the process's working directory and LAMBDA_TASK_ROOT
  std::string handler;   // Handler → _HANDLER (may be empty)
  std::map<std::string, std::string> environment;  // Environment.Variables
  int timeout_s = 3;                               // Timeout, 1-900 s
  int memory_size_mb = 128;                        // MemorySize, 128-10240 MB
  // ReservedConcurrentExecutions: the most environments busy at once; 0 throttles every
  // invocation; unset: up to FunctionHostOptions::max_environments.
  std::optional<int> reserved_concurrency;
  std::string arn;  // arn:aws:lambda:<region>:<account>:function:<name>, given by the caller
  bool operator==(const FunctionConfig&) const = default;
};

// Checks what Lambda's CreateFunction checks. Errors: InvalidArgument naming the property, e.g.
// "FunctionName ...", "Command must not be empty", "CodeDirectory ...",
// "Timeout is 901; it must be from 1 to 900", "MemorySize is 64; it must be from 128 to 10240",
// "ReservedConcurrentExecutions ...", "Environment variable AWS_REGION is reserved", ...
absl::Status ValidateFunctionConfig(const FunctionConfig& config);

// Whether `name` is one of Lambda's reserved environment variables (the runtime sets them;
// a function may not): _HANDLER, AWS_REGION, AWS_LAMBDA_*, AWS_ACCESS_KEY_ID, ...
bool IsReservedEnvironmentVariable(std::string_view name);

struct InvokeResult {
  std::string request_id;  // uuid v4
  // The handler's response, or the error document ({"errorMessage":…,"errorType":…}: what the
  // handler posted to /error, or ours for an Unhandled error).
  std::string payload;
  std::string function_error;  // "" on success, "Handled" or "Unhandled" (X-Amz-Function-Error)
  // "" on success; the handler's errorType; Sandbox.Timedout, Runtime.ExitError,
  // Runtime.OutOfMemory, Runtime.InitError, Runtime.InvalidEntrypoint,
  // Function.ResponseSizeTooLarge.
  std::string error_type;
  bool cold_start = false;
  double duration_ms = 0;         // the invocation phase: delivered by /next → result
  double billed_duration_ms = 0;  // duration rounded up to 1 ms
  double init_duration_ms = 0;    // cold starts: spawn → first /next; else 0
  int max_memory_used_mb = 0;     // the peak RSS seen of the environment's process group
  std::string log_tail;           // this invocation's log lines (START..REPORT), the last 4 KiB
};

struct FunctionHostOptions {
  std::string log_dir;  // must exist; <log_dir>/<function>.log
  size_t max_log_bytes = 16 << 20;
  int max_environments = 64;  // all functions together (the account's concurrency)
  absl::Duration idle_timeout = absl::Minutes(5);  // a free environment is kept this long
  size_t max_queued = 10000;  // queued (kWait) invocations of all functions together
  std::string region = "us-east-1";
};

class FunctionHost {
 public:
  // Errors: InvalidArgument (log_dir missing or not a directory, max_environments < 1).
  static absl::StatusOr<std::unique_ptr<FunctionHost>> Create(FunctionHostOptions options);
  ~FunctionHost();

  FunctionHost(const FunctionHost&) = delete;
  FunctionHost& operator=(const FunctionHost&) = delete;

  // Creates or replaces a function. Errors: those of ValidateFunctionConfig; Unavailable while
  // shutting down.
  absl::Status Put(FunctionConfig config);
  // Errors: NotFound "ResourceNotFoundException: Function not found: <name>".
  absl::Status Remove(std::string_view name);

  enum class Mode {
    kWait,      // queue until an environment is free (asynchronous invocations)
    kThrottle,  // RequestResponse: fail when no environment is free and none may start
  };
  // Runs the function on `payload` and calls `done` with the result. Errors (not function
  // errors): NotFound "ResourceNotFoundException: …", ResourceExhausted
  // "TooManyRequestsException: Rate Exceeded." (throttled, or the queue is full), InvalidArgument
  // "RequestEntityTooLargeException: …" (payload over 6 MB), Unavailable (shutting down).
  void Invoke(std::string_view name, std::string payload, Mode mode,
              std::function<void(absl::StatusOr<InvokeResult>)> done);
  // Invoke, waiting for the result. Must not be called from a `done` callback.
  absl::StatusOr<InvokeResult> InvokeSync(std::string_view name, std::string payload, Mode mode);

  struct FunctionInfo {
    FunctionConfig config;
    uint64_t invocations = 0;  // results delivered (successes and function errors)
    uint64_t errors = 0;       // results with a function error
    uint64_t throttles = 0;
    uint64_t cold_starts = 0;
    uint64_t timeouts = 0;
    int busy_environments = 0;  // starting or running an invocation
    int idle_environments = 0;
    size_t queued = 0;
  };
  std::vector<FunctionInfo> List() const;  // sorted by name

  // The last `max_bytes` of the function's current log file ("" if nothing was logged yet).
  // Errors: NotFound (no such function), Internal (the file cannot be read).
  absl::StatusOr<std::string> ReadLog(std::string_view name, size_t max_bytes) const;

  class Impl;  // internal (targets/function_internal.h)

 private:
  explicit FunctionHost(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace busbar::targets
