// Internal to bus/server. What the gRPC services and the dispatcher need from the daemon, as
// narrow interfaces the Daemon implements, so a part depends on what it uses rather than on the
// whole daemon: EventsService takes an EventIngest; RulesService and BusesService a RuleApi;
// FunctionsService a FunctionApi; SchemasService a DiscoveryApi; each reader of the routing a
// RoutingSource; the dispatcher a RoutingSource and an EventIngest. QueuesService takes the
// queues themselves (targets/queues.h). services.cc wires them to the one Daemon.
//
// Threads: implementations are thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "bus/config/config.h"
#include "bus/server/ingest.h"
#include "bus/server/metrics.h"
#include "bus/server/routing.h"
#include "registry/registry.h"
#include "targets/functions.h"

namespace busbar::bus {

// The routing snapshot in force (routing.h): a reader keeps the one it took.
class RoutingSource {
 public:
  virtual ~RoutingSource() = default;
  virtual std::shared_ptr<const Routing> routing() const = 0;
};

// PutEvents: checks, builds and matches the entries on the calling thread, then commits the
// accepted events and their deliveries in the next group commit. `done` gets the outcomes in
// request order (or the request error) once they are final: on the calling thread when nothing
// needs storing, else on the store's threads after the commit — so it must be quick and must
// not block.
using PutEventsDone = std::function<void(absl::StatusOr<std::vector<EntryOutcome>>)>;
class EventIngest {
 public:
  virtual ~EventIngest() = default;
  virtual void PutEventsAsync(const std::vector<EntryIn>& entries, PutEventsDone done) = 0;
};

// One target PutTargets or RemoveTargets did not take (EventBridge's
// FailedEntries): error_code is "ValidationException",
// "ResourceNotFoundException" or "InternalFailure".
struct TargetFailure {
  std::string target_id;
  std::string error_code;
  std::string error_message;
};

// PutRule's request, as the API gives it.
struct PutRuleInput {
  std::string name;
  std::string event_bus;  // name or ARN; empty means "default"
  std::string event_pattern;
  config::RuleState state = config::RuleState::kEnabled;
  std::string description;
};

// Rules, targets and buses over the API (RulesService, BusesService; daemon_api.cc). Each
// checks the request against the running routing, writes the change to the store, then
// compiles and publishes a new routing, so the next PutEvents sees it. Errors as the protos
// document them, message "<EventBridge code>: <reason>": InvalidArgument
// (ValidationException, InvalidEventPatternException), NotFound (ResourceNotFoundException),
// AlreadyExists (ResourceAlreadyExistsException), FailedPrecondition (ValidationException:
// ownership, a rule with targets, a bus with rules), ResourceExhausted
// (LimitExceededException), Unavailable / Internal (InternalException) from the store.
// `event_bus` arguments take a name or an ARN, empty = "default". daemon.h says more.
class RuleApi {
 public:
  virtual ~RuleApi() = default;
  // Returns the rule's ARN.
  virtual absl::StatusOr<std::string> PutRule(const PutRuleInput& input) = 0;
  virtual absl::Status DeleteRule(std::string_view event_bus, std::string_view name) = 0;
  virtual absl::Status SetRuleState(std::string_view event_bus, std::string_view name,
                                    config::RuleState state) = 0;
  // Per-target failures in the result; request errors as the status.
  virtual absl::StatusOr<std::vector<TargetFailure>> PutTargets(
      std::string_view event_bus, std::string_view rule, std::vector<config::Target> targets) = 0;
  virtual absl::StatusOr<std::vector<TargetFailure>> RemoveTargets(
      std::string_view event_bus, std::string_view rule, const std::vector<std::string>& ids) = 0;
  // Returns the bus's ARN.
  virtual absl::StatusOr<std::string> CreateEventBus(std::string_view name,
                                                     std::string_view description) = 0;
  virtual absl::Status DeleteEventBus(std::string_view name) = 0;
  // A rule's counters and its targets' (metrics.h).
  virtual absl::StatusOr<RuleMetrics> GetRuleMetrics(std::string_view event_bus,
                                                     std::string_view rule) = 0;
};

// Functions over the API (FunctionsService; daemon_functions.cc).
class FunctionApi {
 public:
  virtual ~FunctionApi() = default;
  // Creates (`create`) or replaces the function after targets::ValidateFunction; returns it.
  virtual absl::StatusOr<targets::Function> PutFunction(targets::Function function,
                                                        bool create) = 0;
  virtual absl::Status DeleteFunction(std::string_view name) = 0;
  // Invoke with InvocationType Event: durable in the outbox, with the function's retries.
  virtual absl::Status InvokeAsync(std::string_view function, std::string payload) = 0;
  // The host, for synchronous invocations, logs and counters. REQUIRES: before Shutdown.
  virtual targets::FunctionHost& functions() = 0;
};

// The schema registry and per-bus discovery (SchemasService).
class DiscoveryApi {
 public:
  virtual ~DiscoveryApi() = default;
  virtual absl::StatusOr<registry::Discoverer> SetDiscovery(std::string_view event_bus,
                                                            bool started) = 0;
  virtual std::vector<registry::Discoverer> ListDiscoverers() const = 0;
  // REQUIRES: before Shutdown.
  virtual registry::Registry& schema_registry() = 0;
};

}  // namespace busbar::bus
