// FunctionHost: the public API and the dispatch of invocations to execution environments.
//
// Dispatch (TryStartLocked): a free environment of the function's current configuration takes
// the invocation (the most recently freed, so surplus environments go idle and expire); else,
// if fewer than the function's limit are busy, a new environment starts with the invocation
// assigned (stopping a free environment of any function when the host is at max_environments);
// else the invocation waits in the function's FIFO queue (kWait) or is throttled (kThrottle).
// Every time an environment frees or dies, queued invocations are dispatched again.
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "targets/function_host_impl.h"
#include "targets/ids.h"

namespace busbar::targets {

using function_internal::Environment;
using function_internal::FunctionLog;
using function_internal::FunctionState;
using function_internal::HandlerProcess;
using function_internal::Invocation;
using function_internal::RuntimeApiServer;
using function_internal::SpawnRequest;

namespace {

absl::Status NotFound(std::string_view name) {
  return absl::NotFoundError(
      absl::StrCat("ResourceNotFoundException: Function not found: ", std::string(name)));
}

// Whether a process started for `a` runs as one started for `b` would: everything but the
// asynchronous invocation settings and the description, which only the daemon reads.
bool RunsAlike(Function a, Function b) {
  a.description = b.description = "";
  a.invoke_config = b.invoke_config = {};
  return a == b;
}

absl::Status Throttled() {
  return absl::ResourceExhaustedError("TooManyRequestsException: Rate Exceeded.");
}

SpawnRequest BuildSpawnRequest(const Function& config, const FunctionHostOptions& options,
                               uint16_t port, const std::string& log_stream) {
  SpawnRequest request;
  const std::string& argv0 = config.command[0];
  namespace fs = std::filesystem;
  std::error_code ec;
  if (argv0[0] == '/') {
    request.executable = argv0;
  } else if (argv0.find('/') != std::string::npos ||
             fs::exists(fs::path(config.code_directory) / argv0, ec)) {
    request.executable = (fs::path(config.code_directory) / argv0).string();
  } else {
    request.executable = argv0;
    request.search_path = true;
  }
  request.argv = config.command;
  request.cwd = config.code_directory;

  std::map<std::string, std::string> vars;
  const char* path = getenv("PATH");
  vars["PATH"] = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  vars["LANG"] = "en_US.UTF-8";
  vars["TZ"] = ":UTC";
  for (const auto& [key, value] : config.environment) vars[key] = value;
  vars["AWS_LAMBDA_RUNTIME_API"] = absl::StrCat("127.0.0.1:", port);
  vars["_HANDLER"] = config.handler;
  vars["AWS_LAMBDA_FUNCTION_NAME"] = config.name;
  vars["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = absl::StrCat(config.memory_size_mb);
  vars["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST";
  vars["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand";
  vars["AWS_LAMBDA_LOG_GROUP_NAME"] = absl::StrCat("/aws/lambda/", config.name);
  vars["AWS_LAMBDA_LOG_STREAM_NAME"] = log_stream;
  vars["AWS_REGION"] = options.region;
  vars["AWS_DEFAULT_REGION"] = options.region;
  vars["LAMBDA_TASK_ROOT"] = config.code_directory;
  for (const auto& [key, value] : vars) request.env.push_back(absl::StrCat(key, "=", value));
  return request;
}

}  // namespace

// ---- FunctionHost ----

absl::StatusOr<std::unique_ptr<FunctionHost>> FunctionHost::Create(FunctionHostOptions options) {
  std::error_code ec;
  if (options.log_dir.empty() || !std::filesystem::is_directory(options.log_dir, ec)) {
    return absl::InvalidArgumentError(
        absl::StrCat("log_dir \"", options.log_dir, "\" is not a directory"));
  }
  if (options.max_environments < 1) {
    return absl::InvalidArgumentError("max_environments must be at least 1");
  }
  return std::unique_ptr<FunctionHost>(
      new FunctionHost(std::make_unique<Impl>(std::move(options))));
}

FunctionHost::FunctionHost(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FunctionHost::~FunctionHost() = default;

absl::Status FunctionHost::Put(Function function) { return impl_->Put(std::move(function)); }
absl::Status FunctionHost::Remove(std::string_view name) { return impl_->Remove(name); }

void FunctionHost::Invoke(std::string_view name, std::string payload, Mode mode,
                          std::function<void(absl::StatusOr<InvokeResult>)> done) {
  impl_->Invoke(name, std::move(payload), mode, std::move(done));
}

absl::StatusOr<InvokeResult> FunctionHost::InvokeSync(std::string_view name, std::string payload,
                                                      Mode mode) {
  absl::Notification finished;
  absl::StatusOr<InvokeResult> result;
  impl_->Invoke(name, std::move(payload), mode, [&](absl::StatusOr<InvokeResult> r) {
    result = std::move(r);
    finished.Notify();
  });
  finished.WaitForNotification();
  return result;
}

std::vector<FunctionHost::FunctionInfo> FunctionHost::List() const { return impl_->List(); }

absl::StatusOr<std::string> FunctionHost::ReadLog(std::string_view name, size_t max_bytes) const {
  return impl_->ReadLog(name, max_bytes);
}

// ---- Impl: the public API ----

FunctionHost::Impl::Impl(FunctionHostOptions options) : options_(std::move(options)) {
  monitor_ = std::thread([this] { MonitorLoop(); });
}

FunctionHost::Impl::~Impl() { Shutdown(); }

absl::Status FunctionHost::Impl::Put(Function config) {
  FunctionCheckOptions check;  // destinations are the daemon's business: not looked up
  check.account_id = options_.account_id;
  check.region = options_.region;
  if (absl::Status valid = ValidateFunction(config, check); !valid.ok()) return valid;
  Actions actions;
  {
    absl::MutexLock lock(&mu_);
    if (shutting_down_) return absl::UnavailableError("the function host is shutting down");
    std::shared_ptr<FunctionState>& function = functions_[config.name];
    if (function == nullptr) {
      function = std::make_shared<FunctionState>();
      function->log = LogForLocked(config.name);
    }
    const bool same_process = function->config != nullptr && RunsAlike(*function->config, config);
    function->config = std::make_shared<const Function>(std::move(config));
    if (!same_process) {
      ++function->generation;
      // Free environments of the old configuration stop now; busy ones after their invocation.
      for (const std::shared_ptr<Environment>& env : std::vector(function->envs)) {
        if (!env->busy()) KillLocked(*env);
      }
    }
    DispatchLocked(actions);
  }
  Run(actions);
  return absl::OkStatus();
}

absl::Status FunctionHost::Impl::Remove(std::string_view name) {
  Actions actions;
  {
    absl::MutexLock lock(&mu_);
    auto it = functions_.find(std::string(name));
    if (it == functions_.end()) return NotFound(name);
    std::shared_ptr<FunctionState> function = it->second;
    functions_.erase(it);
    function->removed = true;
    for (std::unique_ptr<Invocation>& queued : function->queue) {
      actions.failures.emplace_back(std::move(queued->done), NotFound(name));
    }
    queued_ -= function->queue.size();
    function->queue.clear();
    for (const std::shared_ptr<Environment>& env : std::vector(function->envs)) {
      if (!env->busy()) KillLocked(*env);
    }
  }
  Run(actions);
  return absl::OkStatus();
}

void FunctionHost::Impl::Invoke(std::string_view name, std::string payload, Mode mode,
                                DoneFn done) {
  Actions actions;
  {
    absl::MutexLock lock(&mu_);
    auto it = functions_.find(std::string(name));
    absl::Status refused;
    if (shutting_down_) {
      refused = absl::UnavailableError("the function host is shutting down");
    } else if (it == functions_.end()) {
      refused = NotFound(name);
    } else if (payload.size() > kMaxInvokePayloadBytes) {
      refused = absl::InvalidArgumentError(
          absl::StrCat("RequestEntityTooLargeException: Request must be smaller than ",
                       kMaxInvokePayloadBytes, " bytes for the InvokeFunction operation"));
    } else if (it->second->config->reserved_concurrent_executions.value_or(1) == 0) {
      ++it->second->throttles;
      refused = Throttled();
    }
    if (!refused.ok()) {
      actions.failures.emplace_back(std::move(done), std::move(refused));
    } else {
      std::shared_ptr<FunctionState> function = it->second;
      auto invocation = std::make_unique<Invocation>();
      invocation->request_id = NewUuidV4();
      invocation->payload = std::move(payload);
      invocation->done = std::move(done);
      bool behind_others = mode == Mode::kWait && !function->queue.empty();
      if (!behind_others && TryStartLocked(function, invocation, actions)) {
        // dispatched
      } else if (mode == Mode::kThrottle || queued_ >= options_.max_queued) {
        ++function->throttles;
        actions.failures.emplace_back(std::move(invocation->done), Throttled());
      } else {
        function->queue.push_back(std::move(invocation));
        ++queued_;
      }
    }
  }
  Run(actions);
}

std::vector<FunctionHost::FunctionInfo> FunctionHost::Impl::List() const {
  absl::MutexLock lock(&mu_);
  std::vector<FunctionInfo> infos;
  for (const auto& [name, function] : functions_) {
    FunctionInfo info;
    info.config = *function->config;
    info.invocations = function->invocations;
    info.errors = function->errors;
    info.throttles = function->throttles;
    info.cold_starts = function->cold_starts;
    info.timeouts = function->timeouts;
    for (const std::shared_ptr<Environment>& env : function->envs) {
      ++(env->busy() ? info.busy_environments : info.idle_environments);
    }
    info.queued = function->queue.size();
    infos.push_back(std::move(info));
  }
  return infos;
}

absl::StatusOr<std::string> FunctionHost::Impl::ReadLog(std::string_view name,
                                                        size_t max_bytes) const {
  std::shared_ptr<FunctionLog> log;
  {
    absl::MutexLock lock(&mu_);
    auto it = functions_.find(std::string(name));
    if (it == functions_.end()) return NotFound(name);
    log = it->second->log;
  }
  return log->Tail(max_bytes);
}

// ---- Impl: dispatch ----

bool FunctionHost::Impl::TryStartLocked(const std::shared_ptr<FunctionState>& function,
                                        std::unique_ptr<Invocation>& invocation, Actions& actions) {
  Environment* chosen = nullptr;
  int busy = 0;
  for (const std::shared_ptr<Environment>& env : function->envs) {
    if (env->busy()) {
      ++busy;
    } else if (env->generation == function->generation &&
               (chosen == nullptr || env->free_since > chosen->free_since)) {
      chosen = env.get();
    }
  }
  if (chosen != nullptr) {
    chosen->pending = std::move(invocation);
    chosen->assigned = absl::Now();
    chosen->cv.SignalAll();
    return true;
  }
  int limit = function->config->reserved_concurrent_executions.value_or(options_.max_environments);
  if (busy >= limit) return false;
  if (static_cast<int>(live_.size()) >= options_.max_environments && !EvictFreeLocked()) {
    return false;
  }
  StartEnvironmentLocked(function, std::move(invocation), actions);
  return true;
}

bool FunctionHost::Impl::EvictFreeLocked() {
  Environment* oldest = nullptr;
  for (const auto& [id, env] : live_) {
    if (!env->busy() && (oldest == nullptr || env->free_since < oldest->free_since)) {
      oldest = env.get();
    }
  }
  if (oldest == nullptr) return false;
  KillLocked(*oldest);
  return true;
}

void FunctionHost::Impl::StartEnvironmentLocked(const std::shared_ptr<FunctionState>& function,
                                                std::unique_ptr<Invocation> invocation,
                                                Actions& actions) {
  auto env = std::make_shared<Environment>();
  env->id = next_environment_id_++;
  env->function = function;
  env->config = function->config;
  env->generation = function->generation;
  env->log = function->log;
  absl::Time now = absl::Now();
  env->log_stream = absl::StrCat(absl::FormatTime("%Y/%m/%d", now, absl::UTCTimeZone()),
                                 "/[$LATEST]", RandomHex(16));
  env->spawned = now;
  env->pending = std::move(invocation);
  function->envs.push_back(env);
  live_[env->id] = env;

  absl::StatusOr<std::unique_ptr<RuntimeApiServer>> api = RuntimeApiServer::Start(this, env.get());
  if (!api.ok()) {
    actions.failures.emplace_back(std::move(env->pending->done), api.status());
    env->pending.reset();
    KillLocked(*env);
    return;
  }
  env->api = *std::move(api);
  SpawnRequest request =
      BuildSpawnRequest(*env->config, options_, env->api->port(), env->log_stream);
  Environment* raw = env.get();
  absl::StatusOr<std::unique_ptr<HandlerProcess>> process = HandlerProcess::Spawn(
      request, [this, raw](std::string_view line) { OnOutputLine(*raw, line); },
      [this, raw](int wait_status) { OnProcessExit(*raw, wait_status); });
  if (!process.ok()) {
    std::string message = absl::StrCat("RequestId: ", env->pending->request_id,
                                       " Error: ", process.status().message());
    FailEnvironmentLocked(*env, "Runtime.InvalidEntrypoint", message,
                          {message, "Runtime.InvalidEntrypoint"}, actions);
    return;
  }
  env->process = *std::move(process);
  env->process->StartWatching();
  monitor_cv_.Signal();
}

void FunctionHost::Impl::DispatchLocked(Actions& actions) {
  for (const auto& [name, function] : functions_) {
    while (!function->queue.empty()) {
      if (!TryStartLocked(function, function->queue.front(), actions)) break;
      function->queue.pop_front();
      --queued_;
    }
  }
}

void FunctionHost::Impl::KillLocked(Environment& env) {
  if (env.dead) return;
  env.dead = true;
  if (env.process != nullptr) env.process->Kill();
  env.cv.SignalAll();
  std::vector<std::shared_ptr<Environment>>& envs = env.function->envs;
  for (auto it = envs.begin(); it != envs.end(); ++it) {
    if (it->get() == &env) {
      envs.erase(it);
      break;
    }
  }
  auto live = live_.find(env.id);
  if (live != live_.end()) {
    graveyard_.push_back(std::move(live->second));
    live_.erase(live);
  }
  monitor_cv_.Signal();
}

std::shared_ptr<FunctionLog> FunctionHost::Impl::LogForLocked(const std::string& name) {
  std::shared_ptr<FunctionLog>& log = logs_[name];
  if (log == nullptr) {
    log = std::make_shared<FunctionLog>(
        (std::filesystem::path(options_.log_dir) / absl::StrCat(name, ".log")).string(),
        options_.max_log_bytes);
  }
  return log;
}

}  // namespace busbar::targets
