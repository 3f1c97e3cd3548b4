// Internal to the bus module: the gRPC services of busbar.v1 served by the
// daemon, and the one place where absl::Status becomes grpc::Status. Each
// service is a thin translation layer over Daemon; thread-safe like it.
#pragma once

#include <memory>
#include <vector>

#include "absl/status/status.h"

namespace grpc {
class Service;
class Status;
}  // namespace grpc

namespace busbar::bus {

class Daemon;

// Maps an absl status to the gRPC status with the same code and message.
grpc::Status ToGrpc(const absl::Status& status);

// EventsService, QueuesService, RulesService, BusesService and SchemasService for `daemon`.
std::vector<std::unique_ptr<grpc::Service>> MakeServices(Daemon* daemon);

// The queues, rules and buses services, each in its own file
// (queues_service.cc, rules_service.cc, buses_service.cc).
std::unique_ptr<grpc::Service> MakeQueuesService(Daemon* daemon);
std::unique_ptr<grpc::Service> MakeRulesService(Daemon* daemon);
std::unique_ptr<grpc::Service> MakeBusesService(Daemon* daemon);
std::unique_ptr<grpc::Service> MakeSchemasService(Daemon* daemon);    // schemas_service.cc
std::unique_ptr<grpc::Service> MakeFunctionsService(Daemon* daemon);  // functions_service.cc

}  // namespace busbar::bus
