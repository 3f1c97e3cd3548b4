// busbar::functions — Lambda-style functions: the model of a function (Function, its
// EventInvokeConfig, ValidateFunction) and FunctionHost, which runs them as real processes.
// This is the module's one public header; function_internal.h and function_host_impl.h are
// internal to targets/.
//
// The model is a plain value (thread-compatible); ValidateFunction and
// ValidateEventInvokeConfig are thread-safe (they read the filesystem for CodeDirectory).
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
//   - Concurrency: at most reserved_concurrent_executions (or max_environments) environments of
//     a function are busy at once; max_environments bounds the environments of all functions
//     together (a free environment of another function is stopped to make room). When none may
//     start, a kThrottle invocation fails with ResourceExhausted; a kWait invocation queues
//     (FIFO per function) until an environment is free. reserved_concurrent_executions 0
//     throttles every invocation in either mode.
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
//   - Put replaces a function's configuration. When what its process runs with changes (any
//     field but description and invoke_config), environments of the old one finish their
//     current invocation and stop; otherwise they stay warm. Remove fails queued invocations
//     (NotFound) and stops environments after their current invocation.
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
#include "matcher/base/property_fault.h"

namespace busbar::targets {

// ---- The model: one Function, whoever declares it ----

// Lambda's limits, checked by ValidateFunction (and by rule files' readers for integers).
inline constexpr size_t kMaxFunctionNameLength = 64;  // [A-Za-z0-9-_]
inline constexpr size_t kMaxFunctionCommandArgs = 64;
inline constexpr size_t kMaxFunctionCommandArgChars = 4096;
inline constexpr size_t kMaxFunctionHandlerChars = 128;
inline constexpr size_t kMaxFunctionDescriptionChars = 256;
inline constexpr size_t kMaxEnvironmentVariablesBytes = 4096;  // Lambda's 4 KB, keys + values
inline constexpr int kMinFunctionTimeout = 1;                  // seconds
inline constexpr int kMaxFunctionTimeout = 900;                // seconds
inline constexpr int kMinFunctionMemorySize = 128;             // MB
inline constexpr int kMaxFunctionMemorySize = 10240;           // MB
inline constexpr int kMaxReservedConcurrency = 1000;
// Asynchronous invocation (EventInvokeConfig).
inline constexpr int kMaxFunctionRetryAttempts = 2;
inline constexpr int kMinFunctionEventAge = 60;            // seconds
inline constexpr int kMaxFunctionEventAge = 21600;         // seconds
inline constexpr size_t kMaxInvokePayloadBytes = 6291456;  // 6 MB, request and response

// What a DestinationConfig ARN names. targets/ does not know bus/config's TargetKind: an
// API destination is not a Lambda destination, so three kinds are all there are.
enum class DestinationKind {
  kQueue,     // arn:aws:sqs:R:A:<queue>
  kEventBus,  // arn:aws:events:R:A:event-bus/<bus>
  kFunction,  // arn:aws:lambda:R:A:function:<name>[:$LATEST]
};

// Where an asynchronous invocation's record goes (Lambda's DestinationConfig OnSuccess /
// OnFailure). `arn` is what the user gave; kind and resource_name are computed from it by
// ValidateEventInvokeConfig (a destination that has not passed it has kQueue and "").
struct FunctionDestination {
  std::string arn;
  DestinationKind kind = DestinationKind::kQueue;
  std::string resource_name;  // the queue, bus or function name
  bool operator==(const FunctionDestination&) const = default;
};

// Lambda's EventInvokeConfig: how asynchronous invocations (the bus's deliveries, Invoke with
// InvocationType Event) are retried and where their outcome is sent.
struct EventInvokeConfig {
  int maximum_retry_attempts = 2;            // 0-2
  int maximum_event_age_in_seconds = 21600;  // 60-21600
  std::optional<FunctionDestination> on_success;
  std::optional<FunctionDestination> on_failure;
  bool operator==(const EventInvokeConfig&) const = default;
};

// A Lambda-style function: a handler process run from `command` in `code_directory`, speaking
// the Lambda Runtime API (a custom runtime). The one model of a function: rule files
// (bus/config), FunctionsService (bus/server/function_proto.h converts the proto) and the host
// all hold this. Property names in comments are Lambda's.
struct Function {
  std::string name;  // FunctionName: 1-64 of [A-Za-z0-9-_]
  // Command (busbar's): the handler process's argv, 1-64 elements of at most 4096 characters.
  // argv[0] names the executable: absolute; relative with a `/`, or naming a file in
  // code_directory → against code_directory; else looked up in PATH (e.g. "python3").
  std::vector<std::string> command;
  // CodeDirectory (busbar's): the process's working directory and LAMBDA_TASK_ROOT; an
  // existing directory, absolute and lexically normal once validated.
  std::string code_directory;
  std::string handler;      // Handler → _HANDLER; at most 128 characters
  std::string description;  // Description; at most 256 characters
  // Environment.Variables: keys [a-zA-Z][a-zA-Z0-9_]+, none of Lambda's reserved ones; keys
  // and values at most 4 KB together.
  std::map<std::string, std::string> environment;
  int timeout_s = 3;         // Timeout, 1-900 s
  int memory_size_mb = 128;  // MemorySize, 128-10240 MB
  // ReservedConcurrentExecutions, 0-1000: the most environments busy at once; 0 throttles
  // every invocation; unset: up to FunctionHostOptions::max_environments.
  std::optional<int> reserved_concurrent_executions;
  EventInvokeConfig invoke_config;  // asynchronous invocations (the host ignores it)
  // Computed by ValidateFunction: arn:aws:lambda:<region>:<account>:function:<name>.
  std::string arn;
  bool operator==(const Function&) const = default;
};

// What ValidateFunction and ValidateEventInvokeConfig check a function against.
struct FunctionCheckOptions {
  std::string account_id = "000000000000";  // the function's and DestinationConfig's account
  std::string region = "us-east-1";         // and region
  // Whether a destination exists. Unset: not looked up (rule files resolve them once every
  // file is read; the host does not look). The `default` event bus always exists.
  std::function<bool(std::string_view queue)> queue_exists;
  std::function<bool(std::string_view bus)> event_bus_exists;
  std::function<bool(std::string_view function)> function_exists;
};

// The one check of a function, for rule files, the API and the host: FunctionName, Command,
// CodeDirectory (absolute, made lexically normal, an existing directory), Handler,
// Description, Environment (keys [a-zA-Z][a-zA-Z0-9_]+, at most 4 KB, none of Lambda's
// reserved variables — _HANDLER, _X_AMZN_TRACE_ID, AWS_REGION, AWS_DEFAULT_REGION,
// AWS_EXECUTION_ENV, AWS_LAMBDA_*, AWS_ACCESS_KEY(_ID), AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, LAMBDA_TASK_ROOT, LAMBDA_RUNTIME_DIR; TZ is allowed, as Lambda allows it),
// Timeout, MemorySize, ReservedConcurrentExecutions, and invoke_config as
// ValidateEventInvokeConfig. Fills the computed fields (arn, code_directory made normal, the
// destinations'). Errors: InvalidArgument whose message starts with the property ("Timeout is
// 901; it must be from 1 to 900", "Environment: Variables: 'AWS_REGION' is reserved: the
// function host sets it"); NotFound for a destination a callback says is missing. On error
// `*fault`, if given, says where (base/property_fault.h).
absl::Status ValidateFunction(Function& function, const FunctionCheckOptions& options,
                              base::PropertyFault* fault = nullptr);

// MaximumRetryAttempts (0-2), MaximumEventAgeInSeconds (60-21600) and DestinationConfig
// (OnSuccess / OnFailure: an SQS queue, event bus or Lambda function ARN in the account and
// region, read as bus/config/arn.h reads target ARNs). Fills the destinations' kind and
// resource_name. Errors: InvalidArgument ("DestinationConfig: OnFailure: Destination 'x' is not
// an SQS queue, event bus or Lambda function ARN"); NotFound "DestinationConfig: OnFailure:
// queue 'q' does not exist" when a callback says so.
absl::Status ValidateEventInvokeConfig(EventInvokeConfig& config,
                                       const FunctionCheckOptions& options,
                                       base::PropertyFault* fault = nullptr);

// ---- The host ----

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
  // The functions' account and region: ValidateFunction's options, so they make the ARN, and
  // AWS_REGION.
  std::string account_id = "000000000000";
  std::string region = "us-east-1";
};

class FunctionHost {
 public:
  // Errors: InvalidArgument (log_dir missing or not a directory, max_environments < 1).
  static absl::StatusOr<std::unique_ptr<FunctionHost>> Create(FunctionHostOptions options);
  ~FunctionHost();

  FunctionHost(const FunctionHost&) = delete;
  FunctionHost& operator=(const FunctionHost&) = delete;

  // Creates or replaces a function, checked by ValidateFunction (destinations are not looked
  // up). Errors: those of ValidateFunction; Unavailable while shutting down.
  absl::Status Put(Function function);
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
    Function config;           // as validated by Put
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
