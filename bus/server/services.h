// Internal to bus/server: the gRPC services of busbar.v1 served by the daemon, and the one
// place where absl::Status becomes grpc::Status. Each service is a thin translation layer over
// the narrow interface it needs (interfaces.h); thread-safe like it.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "absl/status/status.h"

namespace grpc {
class Service;
class Status;
}  // namespace grpc

namespace busbar::targets {
class Queues;
}  // namespace busbar::targets

namespace busbar::bus {

class Daemon;
class EventIngest;
class RuleApi;
class FunctionApi;
class DiscoveryApi;
class RoutingSource;
struct DaemonOptions;

// Maps an absl status to the gRPC status with the same code and message.
grpc::Status ToGrpc(const absl::Status& status);

// Every service of busbar.v1, wired to `daemon` (the one place that knows the whole Daemon).
std::vector<std::unique_ptr<grpc::Service>> MakeServices(Daemon* daemon);

// EventsService over `ingest` (events_service.cc); TestEventPattern refuses `regexp` when
// `strict_eventbridge`.
std::unique_ptr<grpc::Service> MakeEventsService(EventIngest* ingest, bool strict_eventbridge);
// The other services, each in the file named after it, over the narrow interface it needs
// (interfaces.h); `options` (account, region, limits) must outlive them.
// `port` tells the port the server bound, once it has (queue URLs name it).
std::unique_ptr<grpc::Service> MakeQueuesService(targets::Queues* queues,
                                                 const DaemonOptions* options,
                                                 std::function<int()> port);
std::unique_ptr<grpc::Service> MakeRulesService(RuleApi* api, const RoutingSource* routing,
                                                const DaemonOptions* options);
std::unique_ptr<grpc::Service> MakeBusesService(RuleApi* api, const RoutingSource* routing,
                                                const DaemonOptions* options);
std::unique_ptr<grpc::Service> MakeSchemasService(DiscoveryApi* api, const DaemonOptions* options);
std::unique_ptr<grpc::Service> MakeFunctionsService(FunctionApi* api, const RoutingSource* routing,
                                                    const DaemonOptions* options);

}  // namespace busbar::bus
