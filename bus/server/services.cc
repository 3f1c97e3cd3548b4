// The busbar.v1 events service, and the one place absl::Status becomes
// grpc::Status; see services.h. Queues, rules and buses are in
// queues_service.cc, rules_service.cc and buses_service.cc.
#include "bus/server/services.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "bus/server/daemon.h"
#include "busbar/v1/events.grpc.pb.h"

namespace busbar::bus {
namespace v1 = ::busbar::v1;

grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

namespace {

// Callback API: PutEvents returns to gRPC at once and is finished by the store's
// completion thread after the commit, so no thread is parked per call in flight.
class EventsService final : public v1::EventsService::CallbackService {
 public:
  explicit EventsService(Daemon* d) : d_(d) {}

  grpc::ServerUnaryReactor* PutEvents(grpc::CallbackServerContext* ctx,
                                      const v1::PutEventsRequest* req,
                                      v1::PutEventsResponse* resp) override {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    std::vector<EntryIn> entries;
    entries.reserve(req->entries_size());
    for (const auto& e : req->entries()) {
      EntryIn in;
      if (!e.time().empty()) in.time = e.time();
      in.source = e.source();
      in.detail_type = e.detail_type();
      if (!e.detail().empty()) in.detail = e.detail();
      in.resources.assign(e.resources().begin(), e.resources().end());
      in.event_bus_name = e.event_bus_name();
      entries.push_back(std::move(in));
    }
    d_->PutEventsAsync(entries, [reactor, resp](absl::StatusOr<std::vector<EntryOutcome>> out) {
      if (!out.ok()) {
        reactor->Finish(ToGrpc(out.status()));
        return;
      }
      int failed = 0;
      for (EntryOutcome& o : *out) {
        auto* r = resp->add_entries();
        if (o.ok()) {
          r->set_event_id(std::move(o.event_id));
        } else {
          ++failed;
          r->set_error_code(std::move(o.error_code));
          r->set_error_message(std::move(o.error_message));
        }
      }
      resp->set_failed_entry_count(failed);
      reactor->Finish(grpc::Status::OK);
    });
    return reactor;
  }

  grpc::ServerUnaryReactor* TestEventPattern(grpc::CallbackServerContext* ctx,
                                             const v1::TestEventPatternRequest* req,
                                             v1::TestEventPatternResponse* resp) override {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    matcher::Options o;
    o.allow_regexp = !d_->options().strict_eventbridge;
    auto r = matcher::TestEventPattern(req->event_pattern(), req->event(), o);
    if (!r.ok()) {
      reactor->Finish(
          grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                       absl::StrCat("InvalidEventPatternException: ", r.status().message())));
    } else {
      resp->set_result(*r);
      reactor->Finish(grpc::Status::OK);
    }
    return reactor;
  }

 private:
  Daemon* d_;
};

}  // namespace

std::vector<std::unique_ptr<grpc::Service>> MakeServices(Daemon* daemon) {
  std::vector<std::unique_ptr<grpc::Service>> out;
  out.push_back(std::make_unique<EventsService>(daemon));
  out.push_back(MakeQueuesService(daemon));
  out.push_back(MakeRulesService(daemon));
  out.push_back(MakeBusesService(daemon));
  out.push_back(MakeSchemasService(daemon));
  out.push_back(MakeFunctionsService(daemon));
  return out;
}

}  // namespace busbar::bus
