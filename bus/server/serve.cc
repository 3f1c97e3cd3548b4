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
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bus/cli/commands.h"
#include "bus/server/daemon.h"
#include "matcher/base/base.h"

namespace busbar::cli {
namespace {

void Log(const char* level, const std::string& msg) {
  const std::string ts =
      base::FormatRfc3339(int64_t{std::time(nullptr)} * 1000, base::Rfc3339Precision::kSeconds);
  std::fprintf(stderr, "ts=%s level=%s msg=", ts.c_str(), level);
  std::string quoted;
  base::AppendJsonString(msg, &quoted);
  std::fprintf(stderr, "%s\n", quoted.c_str());
  std::fflush(stderr);
}

// Reads `busbar serve`'s arguments into *o (which holds the defaults). InvalidArgument with
// the message for the user.
absl::Status ReadServeOptions(const Args& args, bus::DaemonOptions* o) {
  absl::StatusOr<Options> given = ReadOptions(
      args, 0,
      {"--listen", "--data-dir", "--config", "--account", "--region", "--fsync",
       "--max-request-bytes", "--event-log-retention", "--retry-base-ms", "--retry-max-delay-ms",
       "--function-retry-base-ms", "--http-timeout-ms", "--max-function-environments"},
      {"--strict-eventbridge"});
  if (!given.ok()) return given.status();
  if (!given->positional.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown argument '", given->positional[0], "'"));
  }
  o->listen = given->Get("--listen", o->listen);
  o->data_dir = given->Get("--data-dir", o->data_dir);
  for (const std::string& file : given->All("--config")) o->config_files.push_back(file);
  o->account = given->Get("--account", o->account);
  o->region = given->Get("--region", o->region);
  if (given->Has("--fsync")) {
    const std::string fsync = given->Get("--fsync");
    if (fsync == "batch") {
      o->fsync = targets::FsyncPolicy::kEveryBatch;
    } else if (fsync == "off") {
      o->fsync = targets::FsyncPolicy::kOff;
    } else {
      return absl::InvalidArgumentError("--fsync takes 'batch' or 'off'");
    }
  }
  if (!given->GetInt("--max-request-bytes", &o->max_request_bytes) || o->max_request_bytes == 0) {
    return absl::InvalidArgumentError("--max-request-bytes takes a positive number");
  }
  if (!given->GetInt("--event-log-retention", &o->event_log_retention_s) ||
      o->event_log_retention_s < 0) {
    return absl::InvalidArgumentError(
        "--event-log-retention takes a number of seconds (0 or more)");
  }
  const std::pair<std::string_view, int64_t*> positive[] = {
      {"--retry-base-ms", &o->retry_base_ms},
      {"--retry-max-delay-ms", &o->retry_max_delay_ms},
      {"--function-retry-base-ms", &o->function_retry_base_ms},
      {"--http-timeout-ms", &o->http_timeout_ms},
  };
  for (const auto& [name, value] : positive) {
    if (!given->GetInt(name, value) || *value <= 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          std::string(name), " takes a positive number, not '", given->Get(name), "'"));
    }
  }
  if (!given->GetInt("--max-function-environments", &o->max_function_environments) ||
      o->max_function_environments <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max-function-environments takes a positive number, not '",
                     given->Get("--max-function-environments"), "'"));
  }
  if (given->Has("--strict-eventbridge")) o->strict_eventbridge = true;
  return absl::OkStatus();
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
  if (absl::Status s = ReadServeOptions(args, &o); !s.ok()) {
    return UsageError("serve", std::string(s.message()));
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
