// Internal to the bus module. The Busbar daemon: one data directory (the durable
// Store with its event log and queues), the rule files, the per-bus compiled
// matchers, and the gRPC server with the busbar.v1 services, health checking and
// reflection.
//
// PutEvents path: entries are checked (ingest.h), each accepted envelope is
// matched against its bus's matcher, every queue target of every matched rule
// gets a delivery, and the events and deliveries are committed in one group
// commit before the answer is sent: an acknowledged event is on disk.
//
// Routing (matchers and targets) is an immutable snapshot swapped on Reload, so
// ingest never waits for a reload and a bad rule file changes nothing.
//
// Threads: all public methods are thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "bus/config/config.h"
#include "bus/ingest.h"
#include "matcher/matcher.h"
#include "targets/event_log.h"
#include "targets/queues.h"
#include "targets/store.h"

namespace grpc {
class Server;
class Service;
}  // namespace grpc

namespace busbar::bus {

struct DaemonOptions {
  std::string listen = "127.0.0.1:4195";
  std::string data_dir = "./busbar-data";
  std::vector<std::string> config_files;
  std::string account = "000000000000";
  std::string region = "us-east-1";
  targets::FsyncPolicy fsync = targets::FsyncPolicy::kEveryBatch;
  bool strict_eventbridge = false;
  size_t max_request_bytes = 256 * 1024;
  // Accepted events stay in the event log at least this long (and while a queue message
  // refers to them); see targets/event_log.h.
  int64_t event_log_retention_s = 3600;
  // How often expired queue messages and old log events are deleted.
  int64_t maintenance_interval_ms = 10'000;
};

// One bus's compiled rules and, per rule id, the queues its targets name.
struct BusRoute {
  std::shared_ptr<const matcher::Matcher> matcher;
  std::vector<std::vector<std::string>> queues_by_rule;
};

struct Routing {
  config::Config config;
  std::map<std::string, BusRoute, std::less<>> buses;  // "default" included
};

class Daemon {
 public:
  // Opens the data directory, loads the rule files, creates their queues and
  // starts serving. Errors: the rule file's "file:line:col: …", the store's.
  static absl::StatusOr<std::unique_ptr<Daemon>> Start(const DaemonOptions& options);
  ~Daemon();

  // The port actually bound (useful with ":0").
  int port() const { return port_; }

  // Re-reads the rule files; on error the running routing stays and the error
  // is returned.
  absl::Status Reload();

  // Stops accepting calls, finishes the ones in flight, closes the store.
  void Shutdown();

  // PutEvents as the service runs it: checks, builds and matches the entries on the
  // calling thread, then commits the accepted events and their deliveries in the next
  // group commit. `done` gets the outcomes in request order (or the request error)
  // once they are final: on the calling thread when nothing needs storing, else on the
  // store's writer thread after the commit — so it must be quick and must not block.
  using PutEventsDone = std::function<void(absl::StatusOr<std::vector<EntryOutcome>>)>;
  void PutEventsAsync(const std::vector<EntryIn>& entries, PutEventsDone done);
  // The same, waiting for the answer (tests and tools).
  absl::StatusOr<std::vector<EntryOutcome>> PutEvents(const std::vector<EntryIn>& entries);

  std::shared_ptr<const Routing> routing() const;
  targets::StoreStats store_stats() const { return store_->stats(); }
  targets::Queues& queues() { return *queues_; }
  const DaemonOptions& options() const { return options_; }

 private:
  explicit Daemon(DaemonOptions options);
  absl::StatusOr<std::shared_ptr<const Routing>> BuildRouting(config::Config config) const;
  absl::Status ApplyQueues(const config::Config& config);
  // Deletes expired queue messages and old unreferenced log events every
  // maintenance_interval_ms until Shutdown (maintenance.cc).
  void MaintenanceLoop();

  const DaemonOptions options_;
  std::unique_ptr<targets::Store> store_;
  std::unique_ptr<targets::EventLog> event_log_;
  std::unique_ptr<targets::Queues> queues_;
  std::vector<std::unique_ptr<grpc::Service>> services_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;

  absl::Mutex maintenance_mu_;
  bool stopping_ ABSL_GUARDED_BY(maintenance_mu_) = false;
  std::thread maintenance_;

  mutable absl::Mutex routing_mu_;
  std::shared_ptr<const Routing> routing_ ABSL_GUARDED_BY(routing_mu_);
  absl::Mutex reload_mu_;  // one reload at a time
};

}  // namespace busbar::bus
