// Internal to targets/: what execution environments report — the Runtime API calls, output
// lines and process exits — and the monitor thread (timeouts, memory, idle expiry, reaping).
//
// An invocation ends exactly once, in CompleteLocked, under the host mutex: whoever takes it out
// of env.current / env.pending first (a response, an error, the process's exit, the monitor's
// timeout or memory check) decides its result; later reports find no invocation and are
// ignored. Its END and REPORT lines are written, and `done` called, after the lock (Run); for a
// response that happens before the runtime gets its 202, so the next START comes after them.
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "targets/function_host_impl.h"

namespace busbar::targets {

using function_internal::Environment;
using function_internal::ErrorDocument;
using function_internal::ErrorTypeOf;
using function_internal::Invocation;
using function_internal::kMaxLogTailBytes;
using function_internal::NextInvocation;
using function_internal::PostOutcome;

namespace {

constexpr int64_t kMiB = 1 << 20;

void AppendToTail(std::string& tail, std::string_view line) {
  tail.append(line);
  tail.push_back('\n');
  if (tail.size() > 2 * kMaxLogTailBytes) tail.erase(0, tail.size() - kMaxLogTailBytes);
}

std::string Seconds(int seconds) { return absl::StrFormat("%.2f", static_cast<double>(seconds)); }

}  // namespace

// ---- Runtime API ----

int64_t FunctionHost::Impl::PeakOf(Environment& env) {
  function_internal::HandlerProcess* process;
  {
    absl::MutexLock lock(&mu_);
    process = env.process.get();
  }
  return process != nullptr ? process->PeakRssBytes() : 0;
}

std::optional<NextInvocation> FunctionHost::Impl::Next(Environment& env) {
  // A runtime prints its init output before asking for work: it belongs before START.
  function_internal::HandlerProcess* process;
  {
    absl::MutexLock lock(&mu_);
    process = env.process.get();
  }
  if (process != nullptr) process->DrainOutput(false);

  absl::MutexLock lock(&mu_);
  absl::Time now = absl::Now();
  if (!env.initialized) {
    env.initialized = true;
    env.initialized_at = now;
  }
  while (!env.dead && env.pending == nullptr) env.cv.Wait(&mu_);
  if (env.dead) return std::nullopt;
  now = absl::Now();
  env.current = std::move(env.pending);
  Invocation& invocation = *env.current;
  invocation.delivered = now;
  invocation.was_delivered = true;
  if (!env.had_invocation) {
    env.had_invocation = true;
    invocation.cold_start = true;
    invocation.init_duration_ms = absl::ToDoubleMilliseconds(env.initialized_at - env.spawned);
  }
  env.deadline = now + absl::Seconds(env.config->timeout_s);
  NextInvocation next{invocation.request_id, std::move(invocation.payload), env.config->arn,
                      absl::ToUnixMillis(env.deadline)};
  std::string start = absl::StrCat("START RequestId: ", invocation.request_id, " Version: $LATEST");
  absl::MutexLock log_lock(&env.log_mu);
  env.log->Append(start);
  AppendToTail(invocation.log_tail, start);
  env.capturing = &invocation;
  monitor_cv_.Signal();
  return next;
}

PostOutcome FunctionHost::Impl::Response(Environment& env, std::string_view request_id,
                                         std::string body) {
  int64_t peak = PeakOf(env);
  Actions actions;
  PostOutcome outcome = PostOutcome::kAccepted;
  {
    absl::MutexLock lock(&mu_);
    if (env.current == nullptr || env.current->request_id != request_id) {
      return PostOutcome::kInvalidRequestId;
    }
    env.peak_rss_bytes = std::max(env.peak_rss_bytes, peak);
    const std::string& id = env.current->request_id;
    if (env.peak_rss_bytes > env.config->memory_size_mb * kMiB) {
      std::string message =
          absl::StrCat("RequestId: ", id, " Error: Runtime exited with error: signal: killed");
      FailEnvironmentLocked(env, "Runtime.OutOfMemory", message, {message, "Runtime.OutOfMemory"},
                            actions);
    } else if (body.size() > kMaxInvokePayloadBytes) {
      outcome = PostOutcome::kTooLarge;
      InvokeResult result;
      result.function_error = "Unhandled";
      result.error_type = "Function.ResponseSizeTooLarge";
      result.payload = ErrorDocument(absl::StrCat("Response payload size (", body.size(),
                                                  " bytes) exceeded maximum allowed payload size (",
                                                  kMaxInvokePayloadBytes, " bytes)."),
                                     result.error_type);
      CompleteLocked(env, std::move(env.current), std::move(result), false, {}, actions);
    } else {
      InvokeResult result;
      result.payload = std::move(body);
      CompleteLocked(env, std::move(env.current), std::move(result), false, {}, actions);
    }
  }
  Run(actions);
  return outcome;
}

PostOutcome FunctionHost::Impl::Error(Environment& env, std::string_view request_id,
                                      std::string body, std::string error_type_header) {
  int64_t peak = PeakOf(env);
  Actions actions;
  {
    absl::MutexLock lock(&mu_);
    if (env.current == nullptr || env.current->request_id != request_id) {
      return PostOutcome::kInvalidRequestId;
    }
    env.peak_rss_bytes = std::max(env.peak_rss_bytes, peak);
    InvokeResult result;
    result.function_error = "Handled";
    result.error_type = ErrorTypeOf(body).value_or(error_type_header.empty() ? "Runtime.Unknown"
                                                                             : error_type_header);
    result.payload = body.empty() ? ErrorDocument("", result.error_type) : std::move(body);
    CompleteLocked(env, std::move(env.current), std::move(result), false, {}, actions);
  }
  Run(actions);
  return PostOutcome::kAccepted;
}

void FunctionHost::Impl::InitError(Environment& env, std::string body,
                                   std::string error_type_header) {
  Actions actions;
  {
    absl::MutexLock lock(&mu_);
    if (env.dead) return;
    std::string type = ErrorTypeOf(body).value_or(error_type_header.empty() ? "Runtime.InitError"
                                                                            : error_type_header);
    std::string init_report = absl::StrFormat(
        "INIT_REPORT Init Duration: %.2f ms\tPhase: init\tStatus: error\tError Type: %s",
        absl::ToDoubleMilliseconds(absl::Now() - env.spawned), type);
    Invocation* invocation = env.current != nullptr ? env.current.get() : env.pending.get();
    std::string message = invocation == nullptr
                              ? std::string()
                              : absl::StrCat("RequestId: ", invocation->request_id,
                                             " Error: Runtime failed to initialize");
    FailEnvironmentLocked(env, type, message, {init_report, type}, actions);
    for (auto& completion : actions.completions) {
      if (!body.empty()) completion.result.payload = body;
    }
  }
  Run(actions);
}

// ---- Process events ----

void FunctionHost::Impl::OnOutputLine(Environment& env, std::string_view line) {
  absl::MutexLock lock(&env.log_mu);
  env.log->Append(line);
  if (env.capturing != nullptr) AppendToTail(env.capturing->log_tail, line);
}

void FunctionHost::Impl::OnProcessExit(Environment& env, int wait_status) {
  Actions actions;
  {
    absl::MutexLock lock(&mu_);
    if (env.dead) return;  // killed by us: whoever killed it ended the invocation
    Invocation* invocation = env.current != nullptr ? env.current.get() : env.pending.get();
    std::string message = invocation == nullptr
                              ? std::string()
                              : absl::StrCat("RequestId: ", invocation->request_id,
                                             " Error: Runtime exited with error: ",
                                             function_internal::DescribeWaitStatus(wait_status));
    FailEnvironmentLocked(env, "Runtime.ExitError", message, {message, "Runtime.ExitError"},
                          actions);
  }
  Run(actions);
}

// ---- Ending invocations ----

void FunctionHost::Impl::FailEnvironmentLocked(Environment& env, std::string error_type,
                                               std::string message,
                                               std::vector<std::string> error_lines,
                                               Actions& actions) {
  std::unique_ptr<Invocation> invocation =
      env.current != nullptr ? std::move(env.current) : std::move(env.pending);
  KillLocked(env);
  if (invocation == nullptr) return;
  InvokeResult result;
  result.function_error = "Unhandled";
  result.error_type = error_type;
  result.payload = ErrorDocument(message, error_type);
  CompleteLocked(env, std::move(invocation), std::move(result), true, std::move(error_lines),
                 actions);
}

void FunctionHost::Impl::CompleteLocked(Environment& env, std::unique_ptr<Invocation> invocation,
                                        InvokeResult result, bool discard,
                                        std::vector<std::string> error_lines, Actions& actions) {
  absl::Time now = absl::Now();
  FunctionState& function = *env.function;
  result.request_id = invocation->request_id;
  if (invocation->was_delivered) {
    result.cold_start = invocation->cold_start;
    result.init_duration_ms = invocation->init_duration_ms;
    result.duration_ms = absl::ToDoubleMilliseconds(now - invocation->delivered);
    result.billed_duration_ms = std::max(1.0, std::ceil(result.duration_ms));
  } else {  // failed while starting: the whole time was init
    result.cold_start = true;
    result.init_duration_ms = absl::ToDoubleMilliseconds(now - env.spawned);
  }
  ++function.invocations;
  if (!result.function_error.empty()) ++function.errors;
  if (result.cold_start) ++function.cold_starts;
  if (result.error_type == "Sandbox.Timedout") ++function.timeouts;

  if (discard || function.removed || env.generation != function.generation) {
    KillLocked(env);
  } else {
    env.free_since = now;
  }
  Completion& completion = actions.completions.emplace_back();
  completion.env = env.shared_from_this();
  completion.invocation = std::move(invocation);
  completion.result = std::move(result);
  completion.error_lines = std::move(error_lines);
  completion.peak_rss_bytes = env.peak_rss_bytes;
  completion.process = env.process.get();
  DispatchLocked(actions);
}

void FunctionHost::Impl::Run(Actions& actions) {
  for (Completion& completion : actions.completions) {
    Environment& env = *completion.env;
    function_internal::HandlerProcess* process = completion.process;
    int64_t peak = completion.peak_rss_bytes;
    if (process != nullptr) {
      process->DrainOutput(true);
      // Responses and errors read it just before; the other endings did not.
      if (completion.result.function_error == "Unhandled") {
        peak = std::max(peak, process->PeakRssBytes());
      }
    }
    InvokeResult& result = completion.result;
    result.max_memory_used_mb = static_cast<int>((peak + kMiB - 1) / kMiB);
    Invocation& invocation = *completion.invocation;
    {
      absl::MutexLock lock(&env.log_mu);
      auto log = [&](std::string_view line) {
        env.log->Append(line);
        AppendToTail(invocation.log_tail, line);
      };
      if (!invocation.was_delivered) {
        log(absl::StrCat("START RequestId: ", result.request_id, " Version: $LATEST"));
      }
      for (const std::string& line : completion.error_lines) log(line);
      log(absl::StrCat("END RequestId: ", result.request_id));
      log(function_internal::ReportLine(result, env.config->memory_size_mb));
      if (env.capturing == &invocation) env.capturing = nullptr;
    }
    std::string& tail = invocation.log_tail;
    if (tail.size() > kMaxLogTailBytes) tail.erase(0, tail.size() - kMaxLogTailBytes);
    result.log_tail = std::move(tail);
    invocation.done(std::move(result));
  }
  for (auto& [done, status] : actions.failures) done(std::move(status));
}

// ---- The monitor ----

void FunctionHost::Impl::MonitorLoop() {
  while (true) {
    CheckEnvironments();
    Reap();
    absl::MutexLock lock(&mu_);
    if (shutting_down_) return;
    bool busy = false;
    for (const auto& [id, env] : live_) busy = busy || env->busy();
    if (graveyard_.empty()) {
      monitor_cv_.WaitWithTimeout(&mu_, busy ? absl::Milliseconds(20) : absl::Milliseconds(100));
    }
  }
}

void FunctionHost::Impl::CheckEnvironments() {
  Actions actions;
  std::vector<std::shared_ptr<Environment>> sampled;
  std::vector<pid_t> pgids;
  {
    absl::MutexLock lock(&mu_);
    absl::Time now = absl::Now();
    std::vector<std::shared_ptr<Environment>> envs;
    for (const auto& [id, env] : live_) envs.push_back(env);
    for (const auto& env : envs) {
      if (env->dead) continue;
      bool running_late = env->current != nullptr && now >= env->deadline;
      // A warm runtime that never came back to /next for its assigned invocation.
      bool never_taken = env->pending != nullptr && env->initialized &&
                         now >= env->assigned + absl::Seconds(env->config->timeout_s);
      if (running_late || never_taken) {
        std::string id = (running_late ? env->current : env->pending)->request_id;
        std::string seconds = Seconds(env->config->timeout_s);
        std::string line = absl::StrCat(function_internal::Rfc3339Millis(now), " ", id,
                                        " Task timed out after ", seconds, " seconds");
        FailEnvironmentLocked(
            *env, "Sandbox.Timedout",
            absl::StrCat("RequestId: ", id, " Error: Task timed out after ", seconds, " seconds"),
            {line}, actions);
      } else if (!env->initialized && now >= env->spawned + function_internal::kInitTimeout) {
        std::string line = absl::StrCat(
            function_internal::Rfc3339Millis(now), " Init timed out after ",
            Seconds(absl::ToInt64Seconds(function_internal::kInitTimeout)), " seconds");
        FailEnvironmentLocked(*env, "Sandbox.Timedout", line, {line}, actions);
      } else if (!env->busy() && now - env->free_since >= options_.idle_timeout) {
        KillLocked(*env);
      } else if (env->busy() && env->process != nullptr) {
        sampled.push_back(env);
        pgids.push_back(env->process->pid());
      }
    }
  }
  if (!pgids.empty()) {
    absl::flat_hash_map<pid_t, int64_t> rss = function_internal::SampleGroupRss(pgids);
    absl::MutexLock lock(&mu_);
    for (size_t i = 0; i < sampled.size(); ++i) {
      Environment& env = *sampled[i];
      if (env.dead) continue;
      env.peak_rss_bytes = std::max(env.peak_rss_bytes, rss[pgids[i]]);
      if (env.peak_rss_bytes > env.config->memory_size_mb * kMiB && env.busy()) {
        Invocation* invocation = env.current != nullptr ? env.current.get() : env.pending.get();
        std::string message =
            absl::StrCat("RequestId: ", invocation != nullptr ? invocation->request_id : "",
                         " Error: Runtime exited with error: signal: killed");
        FailEnvironmentLocked(env, "Runtime.OutOfMemory", message, {message, "Runtime.OutOfMemory"},
                              actions);
      }
    }
  }
  Run(actions);
}

void FunctionHost::Impl::Reap() {
  std::vector<std::shared_ptr<Environment>> dead;
  {
    absl::MutexLock lock(&mu_);
    dead.swap(graveyard_);
  }
  for (const std::shared_ptr<Environment>& env : dead) {
    if (env->api != nullptr) env->api->Stop();
    env->process.reset();
    env->api.reset();
  }
}

void FunctionHost::Impl::Shutdown() {
  Actions actions;
  {
    absl::MutexLock lock(&mu_);
    if (shutting_down_) return;
    shutting_down_ = true;
    absl::Status stopping = absl::UnavailableError("the function host is shutting down");
    for (const auto& [name, function] : functions_) {
      for (std::unique_ptr<Invocation>& queued : function->queue) {
        actions.failures.emplace_back(std::move(queued->done), stopping);
      }
      function->queue.clear();
    }
    for (const auto& [id, env] : std::map(live_)) {
      {
        absl::MutexLock log_lock(&env->log_mu);
        env->capturing = nullptr;
      }
      for (std::unique_ptr<Invocation>* invocation : {&env->current, &env->pending}) {
        if (*invocation == nullptr) continue;
        actions.failures.emplace_back(std::move((*invocation)->done), stopping);
        invocation->reset();
      }
      KillLocked(*env);
    }
    queued_ = 0;
    monitor_cv_.Signal();
  }
  Run(actions);
  if (monitor_.joinable()) monitor_.join();
  // Stopping an environment's server waits for its workers, which may still end invocations
  // of other environments; repeat until nothing is left.
  while (true) {
    Reap();
    absl::MutexLock lock(&mu_);
    if (graveyard_.empty()) break;
  }
}

}  // namespace busbar::targets
