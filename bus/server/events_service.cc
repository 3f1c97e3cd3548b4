// busbar.v1.EventsService: PutEvents (EventBridge's, on gRPC's callback API) and
// TestEventPattern, over the daemon's EventIngest (interfaces.h).
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bus/server/interfaces.h"
#include "bus/server/services.h"
#include "busbar/v1/events.grpc.pb.h"
#include "matcher/matcher.h"

namespace busbar::bus {
namespace v1 = ::busbar::v1;

namespace {

// Callback API: PutEvents returns to gRPC at once and is finished by the store's
// completion thread after the commit, so no thread is parked per call in flight.
class EventsService final : public v1::EventsService::CallbackService {
 public:
  EventsService(EventIngest* ingest, bool strict_eventbridge)
      : ingest_(ingest), strict_eventbridge_(strict_eventbridge) {}

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
    ingest_->PutEventsAsync(entries,
                            [reactor, resp](absl::StatusOr<std::vector<EntryOutcome>> out) {
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
    o.allow_regexp = !strict_eventbridge_;
    auto r = matcher::TestEventPattern(req->event_pattern(), req->event(), o);
    if (!r.ok()) {
      reactor->Finish(ToGrpc(absl::InvalidArgumentError(
          absl::StrCat("InvalidEventPatternException: ", r.status().message()))));
    } else {
      resp->set_result(*r);
      reactor->Finish(grpc::Status::OK);
    }
    return reactor;
  }

 private:
  EventIngest* const ingest_;
  const bool strict_eventbridge_;
};

}  // namespace

std::unique_ptr<grpc::Service> MakeEventsService(EventIngest* ingest, bool strict_eventbridge) {
  return std::make_unique<EventsService>(ingest, strict_eventbridge);
}

}  // namespace busbar::bus
