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
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "bus/config/config.h"
#include "bus/ingest.h"
#include "matcher/matcher.h"
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

  // PutEvents as the service runs it (used by the gRPC service and tests).
  absl::StatusOr<std::vector<EntryOutcome>> PutEvents(const std::vector<EntryIn>& entries);

  std::shared_ptr<const Routing> routing() const;
  targets::Queues& queues() { return *queues_; }
  const DaemonOptions& options() const { return options_; }

 private:
  explicit Daemon(DaemonOptions options);
  absl::StatusOr<std::shared_ptr<const Routing>> BuildRouting(config::Config config) const;
  absl::Status ApplyQueues(const config::Config& config);

  const DaemonOptions options_;
  std::unique_ptr<targets::Store> store_;
  std::unique_ptr<targets::Queues> queues_;
  std::vector<std::unique_ptr<grpc::Service>> services_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;

  mutable absl::Mutex routing_mu_;
  std::shared_ptr<const Routing> routing_ ABSL_GUARDED_BY(routing_mu_);
  absl::Mutex reload_mu_;  // one reload at a time
};

}  // namespace busbar::bus
