// The one place absl::Status becomes grpc::Status, and the list of services the daemon
// serves; see services.h. Each service is in the file named after it (events_service.cc,
// queues_service.cc, rules_service.cc, buses_service.cc, schemas_service.cc,
// functions_service.cc).
#include "bus/server/services.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/service_type.h>

#include "bus/server/daemon.h"

namespace busbar::bus {
grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

std::vector<std::unique_ptr<grpc::Service>> MakeServices(Daemon* daemon) {
  std::vector<std::unique_ptr<grpc::Service>> out;
  out.push_back(MakeEventsService(daemon, daemon->options().strict_eventbridge));
  const DaemonOptions* options = &daemon->options();
  out.push_back(MakeQueuesService(&daemon->queues(), options, [daemon] { return daemon->port(); }));
  out.push_back(MakeRulesService(daemon, daemon, options));
  out.push_back(MakeBusesService(daemon, daemon, options));
  out.push_back(MakeSchemasService(daemon, options));
  out.push_back(MakeFunctionsService(daemon, daemon, options));
  return out;
}

}  // namespace busbar::bus
