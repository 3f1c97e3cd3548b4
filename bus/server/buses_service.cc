// busbar.v1.BusesService (proto/busbar/v1/buses.proto) over the daemon's bus
// operations (daemon_api.cc). Reads answer from one routing snapshot.
#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "bus/config/arn.h"
#include "bus/server/api_common.h"
#include "bus/server/interfaces.h"
#include "bus/server/options.h"
#include "bus/server/services.h"
#include "busbar/v1/buses.grpc.pb.h"

namespace busbar::bus {
namespace {

namespace v1 = ::busbar::v1;

void FillBus(const BusInfo& b, v1::EventBus* out) {
  out->set_name(b.name);
  out->set_arn(b.arn);
  out->set_description(b.description);
  out->mutable_creation_time()->set_seconds(api::Seconds(b.creation_ms));
  out->mutable_creation_time()->set_nanos(api::Nanos(b.creation_ms));
  out->mutable_last_modified_time()->set_seconds(api::Seconds(b.last_modified_ms));
  out->mutable_last_modified_time()->set_nanos(api::Nanos(b.last_modified_ms));
}

class BusesService final : public v1::BusesService::Service {
 public:
  BusesService(RuleApi* api, const RoutingSource* routing, const DaemonOptions* options)
      : d_(api), routing_(routing), options_(*options) {}

  grpc::Status CreateEventBus(grpc::ServerContext*, const v1::CreateEventBusRequest* req,
                              v1::CreateEventBusResponse* resp) override {
    auto arn = d_->CreateEventBus(req->name(), req->description());
    if (!arn.ok()) return ToGrpc(arn.status());
    resp->set_event_bus_arn(*arn);
    return grpc::Status::OK;
  }

  grpc::Status DeleteEventBus(grpc::ServerContext*, const v1::DeleteEventBusRequest* req,
                              v1::DeleteEventBusResponse*) override {
    return ToGrpc(d_->DeleteEventBus(req->name()));
  }

  grpc::Status DescribeEventBus(grpc::ServerContext*, const v1::DescribeEventBusRequest* req,
                                v1::DescribeEventBusResponse* resp) override {
    auto bus = api::BusName(req->name(), options_);
    if (!bus.ok()) return ToGrpc(bus.status());
    std::shared_ptr<const Routing> routing = routing_->routing();
    auto route = api::FindBus(*routing, *bus);
    if (!route.ok()) return ToGrpc(route.status());
    FillBus(*(*route)->info, resp->mutable_event_bus());
    return grpc::Status::OK;
  }

  grpc::Status ListEventBuses(grpc::ServerContext*, const v1::ListEventBusesRequest* req,
                              v1::ListEventBusesResponse* resp) override {
    const std::string& prefix = req->name_prefix();
    if (!prefix.empty() && !config::internal::IsValidApiEventBusName(prefix)) {
      return ToGrpc(api::Validation(
          absl::StrCat("NamePrefix '", prefix,
                       "' is invalid: it must be 1-256 characters of A-Z a-z 0-9 / . - _")));
    }
    const std::string query = absl::StrCat("ListEventBuses\n", prefix);
    auto page = api::ReadPage(req->limit(), req->next_token(), query);
    if (!page.ok()) return ToGrpc(page.status());
    std::shared_ptr<const Routing> routing = routing_->routing();
    const auto& buses = routing->buses;
    auto it = page->after.empty() ? buses.lower_bound(prefix) : buses.upper_bound(page->after);
    for (; it != buses.end() && it->first.starts_with(prefix); ++it) {
      if (static_cast<size_t>(resp->event_buses_size()) == page->limit) {
        resp->set_next_token(
            api::NextToken(query, resp->event_buses(resp->event_buses_size() - 1).name()));
        break;
      }
      FillBus(*it->second.info, resp->add_event_buses());
    }
    return grpc::Status::OK;
  }

 private:
  RuleApi* const d_;
  const RoutingSource* const routing_;
  const DaemonOptions& options_;
};

}  // namespace

std::unique_ptr<grpc::Service> MakeBusesService(RuleApi* api, const RoutingSource* routing,
                                                const DaemonOptions* options) {
  return std::make_unique<BusesService>(api, routing, options);
}

}  // namespace busbar::bus
