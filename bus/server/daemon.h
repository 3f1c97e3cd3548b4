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
// Routing (matchers and targets) is an immutable snapshot swapped on Reload and
// after every change made over the API, so ingest never waits for either and a
// bad rule file changes nothing. It is built from the rule files and the API's
// resources (catalog.h, persisted in the data directory) merged.
//
// Ownership. Every bus and rule has one owner:
//   - what a rule file declares belongs to the files: PutRule, DeleteRule,
//     EnableRule, DisableRule, PutTargets and RemoveTargets on a file-declared
//     rule, and DeleteEventBus of a file-declared bus, fail with
//     FAILED_PRECONDITION "ValidationException: Rule X on EventBus Y is declared
//     in rule file <file:line:col>; change it there." (for a bus: "Event bus X
//     is declared in rule file <file:line:col>; change it there."), and
//     CreateEventBus of a file-declared name is ALREADY_EXISTS;
//   - what the API created belongs to the data directory. API rules may live on
//     "default", on file-declared buses and on API buses.
// A load of the rule files (start or reload) that declares a bus or a rule
// that exists over the API, or no longer declares a bus that API rules use,
// fails naming both; on reload the running routing stays, at start the daemon
// does not start.
//
// Threads: all public methods are thread-safe. Reload and the API's mutations
// are serialised by one mutex; readers take the published Routing without it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "bus/config/config.h"
#include "bus/server/interfaces.h"
#include "bus/server/metrics.h"
#include "bus/server/options.h"
#include "bus/server/routing.h"
#include "matcher/matcher.h"
#include "registry/registry.h"
#include "targets/event_log.h"
#include "targets/functions.h"
#include "targets/http_target.h"
#include "targets/input.h"
#include "targets/outbox.h"
#include "targets/queues.h"
#include "targets/store.h"

namespace grpc {
class Server;
class Service;
}  // namespace grpc

namespace busbar::bus {

class Catalog;
class Dispatcher;
class CallsInFlight;

class Daemon final : public RoutingSource,
                     public EventIngest,
                     public RuleApi,
                     public FunctionApi,
                     public DiscoveryApi {
 public:
  // Opens the data directory (with the API's resources), loads the rule files,
  // creates their queues and starts serving. Errors: the rule file's
  // "file:line:col: …" (checked before the data directory is opened);
  // FailedPrecondition when the files collide with the API's resources (see
  // Ownership above); the store's.
  static absl::StatusOr<std::unique_ptr<Daemon>> Start(const DaemonOptions& options);
  ~Daemon();

  // The port actually bound (useful with ":0").
  int port() const { return port_; }

  // Re-reads the rule files and merges them with the API's resources; on error
  // (the files', or an ownership conflict) the running routing stays and the
  // error is returned.
  absl::Status Reload();

  // Rules, targets and buses over the API (RulesService, BusesService;
  // daemon_api.cc). Each checks the request against the running routing,
  // writes the change to the store, then compiles and publishes a new routing
  // under the reload mutex, so the next PutEvents sees it. Errors as the
  // protos document them, message "<EventBridge code>: <reason>":
  // InvalidArgument (ValidationException, InvalidEventPatternException),
  // NotFound (ResourceNotFoundException), AlreadyExists
  // (ResourceAlreadyExistsException), FailedPrecondition (ValidationException:
  // ownership, a rule with targets, a bus with rules), ResourceExhausted
  // (LimitExceededException), Unavailable / Internal (InternalException) from
  // the store. `event_bus` arguments take a name or an ARN, empty = "default".

  // Returns the rule's ARN.
  absl::StatusOr<std::string> PutRule(const PutRuleInput& input) override;
  absl::Status DeleteRule(std::string_view event_bus, std::string_view name) override;
  absl::Status SetRuleState(std::string_view event_bus, std::string_view name,
                            config::RuleState state) override;
  // Per-target failures in the result; request errors as the status.
  absl::StatusOr<std::vector<TargetFailure>> PutTargets(
      std::string_view event_bus, std::string_view rule,
      std::vector<config::Target> targets) override;
  absl::StatusOr<std::vector<TargetFailure>> RemoveTargets(
      std::string_view event_bus, std::string_view rule,
      const std::vector<std::string>& ids) override;
  // Returns the bus's ARN.
  absl::StatusOr<std::string> CreateEventBus(std::string_view name,
                                             std::string_view description) override;
  absl::Status DeleteEventBus(std::string_view name) override;

  // Functions over the API (FunctionsService; daemon_functions.cc). PutFunction
  // checks `function` (targets::ValidateFunction, destinations must exist) and
  // creates it (`create`: AlreadyExists "ResourceConflictException" if it
  // exists) or replaces it (NotFound if it does not); functions declared in
  // rule files are refused (FailedPrecondition). Returns the stored function.
  absl::StatusOr<targets::Function> PutFunction(targets::Function function, bool create) override;
  absl::Status DeleteFunction(std::string_view name) override;

  // Schema discovery per bus (SchemasService's discoverers). NotFound
  // "NotFoundException: ..." for a bus that does not exist; `event_bus` takes a
  // name or an ARN, empty = "default".
  absl::StatusOr<registry::Discoverer> SetDiscovery(std::string_view event_bus,
                                                    bool started) override;
  std::vector<registry::Discoverer> ListDiscoverers() const override;

  // Stops: long-polling ReceiveMessages answer at once (OK, with the messages they have)
  // and later ones do not wait; the health service says NOT_SERVING; the server stops
  // accepting calls and finishes the ones in flight (for up to kShutdownGrace, then
  // cancels them); as soon as none is left the connections still open (idle clients)
  // are closed, so they do not hold up the stop. Then deliveries stop and the schema
  // registry is flushed. The store closes when the Daemon is destroyed. Idempotent.
  void Shutdown();
  // How long Shutdown lets calls in flight finish.
  static constexpr std::chrono::seconds kShutdownGrace{5};

  // PutEvents as the service runs it: checks, builds and matches the entries on the
  // calling thread, then commits the accepted events and their deliveries in the next
  // group commit. `done` gets the outcomes in request order (or the request error)
  // once they are final: on the calling thread when nothing needs storing, else on the
  // store's writer thread after the commit — so it must be quick and must not block.
  void PutEventsAsync(const std::vector<EntryIn>& entries, PutEventsDone done) override;
  // The same, waiting for the answer (tests and tools).
  absl::StatusOr<std::vector<EntryOutcome>> PutEvents(const std::vector<EntryIn>& entries);

  std::shared_ptr<const Routing> routing() const override;
  targets::StoreStats store_stats() const { return store_->stats(); }
  // Deliveries that could not be made (a target queue that no longer exists), as
  // EventBridge's FailedInvocations metric counts them.
  uint64_t failed_invocations() const { return failed_invocations_.load(); }
  targets::Queues& queues() { return *queues_; }
  // REQUIRES: before Shutdown.
  targets::FunctionHost& functions() override { return *functions_; }
  targets::Outbox& outbox() { return *outbox_; }
  // A rule's counters and its targets'. `event_bus`: a name or an ARN, empty = "default".
  // Errors: InvalidArgument "ValidationException: ..." (the bus name), NotFound
  // "ResourceNotFoundException: ..." (bus or rule).
  absl::StatusOr<RuleMetrics> GetRuleMetrics(std::string_view event_bus,
                                             std::string_view rule) override;
  // Invoke with InvocationType Event: queued in the outbox (durable), run with the
  // function's asynchronous retries and destinations. Errors: NotFound, the store's.
  absl::Status InvokeAsync(std::string_view function, std::string payload) override;
  // REQUIRES: before Shutdown.
  registry::Registry& schema_registry() override { return *registry_; }
  // Discovery's counters (as of Shutdown, after it).
  registry::RegistryStats registry_stats() const {
    return registry_ != nullptr ? registry_->stats() : registry_stats_at_stop_;
  }
  const DaemonOptions& options() const { return options_; }

 private:
  explicit Daemon(DaemonOptions options);
  absl::StatusOr<std::shared_ptr<const Routing>> BuildRouting(config::Config config) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(reload_mu_);
  // Routes one bus (a file bus, an API bus or "default") from `files` and the catalog.
  absl::StatusOr<BusRoute> BuildBusRoute(const config::Config& files, const std::string& bus) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(reload_mu_);
  // Rebuilds the route of `bus` (dropping it if the bus no longer exists) and
  // publishes the new routing.
  absl::Status Republish(const std::string& bus) ABSL_EXCLUSIVE_LOCKS_REQUIRED(reload_mu_);
  void Publish(std::shared_ptr<const Routing> routing) ABSL_EXCLUSIVE_LOCKS_REQUIRED(reload_mu_);
  // Fills routing.async_targets from the buses' rules.
  static void IndexAsyncTargets(Routing& routing);
  // Functions and API destinations of `files` (and the API's functions) into `routing`.
  absl::Status RouteTargets(const config::Config& files, Routing& routing) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(reload_mu_);
  // Gives the function host the routing's functions (Put on change, Remove when gone).
  void SyncFunctions(const Routing& routing) ABSL_EXCLUSIVE_LOCKS_REQUIRED(reload_mu_);
  absl::Status ApplyQueues(const config::Config& config);
  // Deletes expired queue messages and old unreferenced log events every
  // maintenance_interval_ms until Shutdown (maintenance.cc).
  void MaintenanceLoop();
  // The first step of Shutdown: ends long polls, stops the gRPC server (see Shutdown).
  void StopServer();

  const DaemonOptions options_;
  base::Env* const env_;  // options_.env, or base::Env::Default()
  std::unique_ptr<targets::Store> store_;
  std::unique_ptr<targets::EventLog> event_log_;
  std::unique_ptr<targets::Queues> queues_;
  std::unique_ptr<registry::Registry> registry_;
  registry::RegistryStats registry_stats_at_stop_;
  std::unique_ptr<Metrics> metrics_ = std::make_unique<Metrics>();
  std::unique_ptr<targets::Outbox> outbox_;
  std::unique_ptr<targets::FunctionHost> functions_;
  std::unique_ptr<targets::HttpDeliverer> http_;
  std::unique_ptr<Dispatcher> dispatcher_;
  // What the function host was last given, by name.
  std::map<std::string, targets::Function, std::less<>> functions_put_ ABSL_GUARDED_BY(reload_mu_);
  std::vector<std::unique_ptr<grpc::Service>> services_;
  std::shared_ptr<CallsInFlight> calls_;  // counted by the server's interceptor
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;

  std::atomic<uint64_t> failed_invocations_{0};
  absl::Mutex maintenance_mu_;
  bool stopping_ ABSL_GUARDED_BY(maintenance_mu_) = false;
  std::thread maintenance_;

  mutable absl::Mutex routing_mu_;
  std::shared_ptr<const Routing> routing_ ABSL_GUARDED_BY(routing_mu_);
  // One reload or API mutation at a time; the catalog changes under it only.
  absl::Mutex reload_mu_;
  std::unique_ptr<Catalog> catalog_ ABSL_PT_GUARDED_BY(reload_mu_);
};

}  // namespace busbar::bus
