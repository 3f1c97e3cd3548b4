// `busbar serve`: runs the daemon in the foreground until SIGTERM or SIGINT
// (finishing in-flight calls); SIGHUP reloads the rule files. Logs one
// structured line per event on stderr.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bus/cli.h"
#include "bus/server/daemon.h"

namespace busbar::cli {
namespace {

void Log(const char* level, const std::string& msg) {
  char ts[32];
  std::time_t now = std::time(nullptr);
  std::tm tm;
  gmtime_r(&now, &tm);
  std::strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::fprintf(stderr, "ts=%s level=%s msg=", ts, level);
  std::string quoted;
  AppendJsonString(msg, quoted);
  std::fprintf(stderr, "%s\n", quoted.c_str());
  std::fflush(stderr);
}

// TakeOptionValue for a positive integer option: true when taken into *out;
// InvalidArgument when the value is not a positive number.
absl::StatusOr<bool> TakeInt64(const Args& args, size_t* i, std::string_view name, int64_t* out) {
  std::string_view v;
  auto took = TakeOptionValue(args, i, name, &v);
  if (!took.ok() || !*took) return took;
  if (!absl::SimpleAtoi(absl::string_view(v.data(), v.size()), out) || *out <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(name), " takes a positive number, not '", std::string(v), "'"));
  }
  return true;
}

}  // namespace

void PrintServeHelp(std::FILE* out) {
  std::fputs(
      "Usage: busbar serve [--listen ADDR] [--data-dir DIR] [--config FILE]...\n"
      "                    [--account ID] [--region REGION] [--fsync batch|off]\n"
      "                    [--max-request-bytes N] [--event-log-retention SECONDS]\n"
      "                    [--strict-eventbridge] [--retry-base-ms MS]\n"
      "                    [--retry-max-delay-ms MS] [--function-retry-base-ms MS]\n"
      "                    [--max-function-environments N] [--http-timeout-ms MS]\n"
      "\n"
      "Runs the event bus daemon in the foreground: gRPC busbar.v1 services (events,\n"
      "queues, rules, buses) with health checking and reflection on ADDR (default\n"
      "127.0.0.1:4195), data in DIR (default ./busbar-data, SQLite in WAL mode).\n"
      "--config loads a rule file (YAML or JSON); repeatable. SIGHUP reloads the rule\n"
      "files (an invalid file is rejected whole and the running rules stay);\n"
      "SIGTERM/SIGINT stop after the calls in flight. Buses, rules and targets\n"
      "created over the API (busbar rules/buses) are kept in DIR and merged with the\n"
      "rule files, which own what they declare: a file that declares something the\n"
      "API created is refused, at start and on reload.\n"
      "--fsync batch (default): PutEvents answers after its events are on disk (one\n"
      "fsync per group of concurrent requests). --fsync off: no fsync at all; a crash\n"
      "of the machine (not of the process) can lose acknowledged events.\n"
      "--event-log-retention: accepted events stay in the event log at least this\n"
      "long (default 3600), and always while a queue message still refers to them.\n"
      "Function and API destination targets are retried with exponential backoff and\n"
      "jitter: --retry-base-ms (default 1000) is the first retry's delay, doubling up\n"
      "to --retry-max-delay-ms (default 300000); a function error is retried by the\n"
      "function after --function-retry-base-ms (default 60000, Lambda's minute), then\n"
      "twice that. --max-function-environments (default 64) bounds the handler\n"
      "processes of all functions together; --http-timeout-ms (default 5000) bounds\n"
      "each HTTP target call. Function logs are in DIR/functions/<name>.log.\n",
      out);
}

int RunServe(const Args& args) {
  bus::DaemonOptions o;
  int64_t max_environments = o.max_function_environments;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view v;
    absl::StatusOr<bool> took;
    if ((took = TakeOptionValue(args, &i, "--listen", &v)).value_or(false)) {
      o.listen = std::string(v);
    } else if (took.ok() && (took = TakeOptionValue(args, &i, "--data-dir", &v)).value_or(false)) {
      o.data_dir = std::string(v);
    } else if (took.ok() && (took = TakeOptionValue(args, &i, "--config", &v)).value_or(false)) {
      o.config_files.emplace_back(v);
    } else if (took.ok() && (took = TakeOptionValue(args, &i, "--account", &v)).value_or(false)) {
      o.account = std::string(v);
    } else if (took.ok() && (took = TakeOptionValue(args, &i, "--region", &v)).value_or(false)) {
      o.region = std::string(v);
    } else if (took.ok() && (took = TakeOptionValue(args, &i, "--fsync", &v)).value_or(false)) {
      if (v == "batch") {
        o.fsync = targets::FsyncPolicy::kEveryBatch;
      } else if (v == "off") {
        o.fsync = targets::FsyncPolicy::kOff;
      } else {
        return UsageError("serve", "--fsync takes 'batch' or 'off'");
      }
    } else if (took.ok() &&
               (took = TakeOptionValue(args, &i, "--max-request-bytes", &v)).value_or(false)) {
      if (!absl::SimpleAtoi(absl::string_view(v.data(), v.size()), &o.max_request_bytes) ||
          o.max_request_bytes == 0) {
        return UsageError("serve", "--max-request-bytes takes a positive number");
      }
    } else if (took.ok() &&
               (took = TakeOptionValue(args, &i, "--event-log-retention", &v)).value_or(false)) {
      if (!absl::SimpleAtoi(absl::string_view(v.data(), v.size()), &o.event_log_retention_s) ||
          o.event_log_retention_s < 0) {
        return UsageError("serve", "--event-log-retention takes a number of seconds (0 or more)");
      }
    } else if (took.ok() &&
               (took = TakeInt64(args, &i, "--retry-base-ms", &o.retry_base_ms)).value_or(false)) {
    } else if (took.ok() &&
               (took = TakeInt64(args, &i, "--retry-max-delay-ms", &o.retry_max_delay_ms))
                   .value_or(false)) {
    } else if (took.ok() &&
               (took = TakeInt64(args, &i, "--function-retry-base-ms", &o.function_retry_base_ms))
                   .value_or(false)) {
    } else if (took.ok() && (took = TakeInt64(args, &i, "--http-timeout-ms", &o.http_timeout_ms))
                                .value_or(false)) {
    } else if (took.ok() &&
               (took = TakeInt64(args, &i, "--max-function-environments", &max_environments))
                   .value_or(false)) {
      o.max_function_environments = static_cast<int>(max_environments);
    } else if (!took.ok()) {
      return UsageError("serve", std::string(took.status().message()));
    } else if (args[i] == "--strict-eventbridge") {
      o.strict_eventbridge = true;
    } else {
      return UsageError("serve", absl::StrCat("unknown argument '", std::string(args[i]), "'"));
    }
  }
  // Block the signals in every thread; this one waits for them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  // A failed fsync stops the store (targets/store.h): say so, then stop as on SIGTERM, and
  // exit 1 so a supervisor restarts the daemon, which recovers what was acknowledged.
  static std::atomic<bool> fatal{false};
  o.on_fatal_error = [](const absl::Status& s) {
    Log("error", absl::StrCat("stopping: ", s.message()));
    fatal = true;
    kill(getpid(), SIGTERM);
  };
  auto daemon = bus::Daemon::Start(o);
  if (!daemon.ok()) {
    Log("error", absl::StrCat("cannot start: ", daemon.status().message()));
    return 1;
  }
  Log("info", absl::StrCat("serving on ", o.listen, " (port ", (*daemon)->port(), "), data in ",
                           o.data_dir, ", ", o.config_files.size(), " rule file(s)"));
  while (true) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      absl::Status s = (*daemon)->Reload();
      if (s.ok()) {
        Log("info", "rule files reloaded");
      } else {
        Log("error", absl::StrCat("reload rejected, previous rules kept: ", s.message()));
      }
      continue;
    }
    if (!fatal) Log("info", sig == SIGTERM ? "SIGTERM: stopping" : "SIGINT: stopping");
    (*daemon)->Shutdown();
    const targets::StoreStats st = (*daemon)->store_stats();
    Log("info", absl::StrFormat("stopped; store: %d commits, %d writes (%.1f per commit), "
                                "writer CPU %.1f us per write, COMMIT %.2f ms mean, %d WAL fsyncs "
                                "(%.2f ms mean), %d checkpoints; "
                                "%d failed invocations",
                                st.batches, st.jobs, st.MeanBatchSize(),
                                st.jobs ? st.writer_cpu_ns / 1e3 / st.jobs : 0.0,
                                st.batches ? st.commit_ns / 1e6 / st.batches : 0.0, st.syncs,
                                st.syncs ? st.sync_ns / 1e6 / st.syncs : 0.0, st.checkpoints,
                                (*daemon)->failed_invocations()));
    const registry::RegistryStats rs = (*daemon)->registry_stats();
    Log("info",
        absl::StrFormat("schema discovery: %d events, %d known shapes, %d inferred, "
                        "%d versions written, %d dropped (queue full), %d not envelopes; "
                        "worker CPU %.2f us per event",
                        rs.events_received, rs.shape_hits, rs.shapes_inferred, rs.versions_written,
                        rs.events_dropped, rs.events_failed,
                        rs.events_received ? rs.worker_cpu_ns / 1e3 / rs.events_received : 0.0));
    return fatal ? 1 : 0;
  }
}

}  // namespace busbar::cli
