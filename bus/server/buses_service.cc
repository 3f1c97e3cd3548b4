// busbar.v1.BusesService (proto/busbar/v1/buses.proto) over the daemon's bus
// operations (daemon_api.cc). Reads answer from one routing snapshot.
#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "bus/config/arn.h"
#include "bus/server/api_common.h"
#include "bus/server/daemon.h"
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
  explicit BusesService(Daemon* d) : d_(d) {}

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
    auto bus = api::BusName(req->name(), d_->options());
    if (!bus.ok()) return ToGrpc(bus.status());
    std::shared_ptr<const Routing> routing = d_->routing();
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
    std::shared_ptr<const Routing> routing = d_->routing();
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
  Daemon* d_;
};

}  // namespace

std::unique_ptr<grpc::Service> MakeBusesService(Daemon* daemon) {
  return std::make_unique<BusesService>(daemon);
}

}  // namespace busbar::bus
