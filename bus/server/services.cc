// The busbar.v1 events and queues services, and the one place absl::Status
// becomes grpc::Status; see services.h. Rules and buses are in
// rules_service.cc and buses_service.cc.
#include "bus/server/services.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bus/server/daemon.h"
#include "busbar/v1/events.grpc.pb.h"
#include "busbar/v1/queues.grpc.pb.h"
#include "simdjson.h"

namespace busbar::bus {
namespace v1 = ::busbar::v1;

grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

namespace {

// The queue a request names by URL (last path segment) or by name.
template <typename Request>
absl::StatusOr<std::string> QueueOf(const Request& r) {
  if (!r.queue_name().empty()) return r.queue_name();
  if (!r.queue_url().empty()) {
    const std::string& url = r.queue_url();
    return url.substr(url.rfind('/') + 1);
  }
  return absl::InvalidArgumentError("MissingParameter: set queue_url or queue_name");
}

std::string QueueUrl(const Daemon& d, const std::string& name) {
  return absl::StrCat("http://", d.options().listen, "/", d.options().account, "/", name);
}

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

// SQS queue attributes (names and string values as SQS has them) into `out`.
absl::Status ParseQueueAttributes(const google::protobuf::Map<std::string, std::string>& in,
                                  targets::QueueAttributes* out) {
  for (const auto& [name, value] : in) {
    int* field = nullptr;
    if (name == "VisibilityTimeout") field = &out->visibility_timeout;
    if (name == "MessageRetentionPeriod") field = &out->message_retention_period;
    if (name == "ReceiveMessageWaitTimeSeconds") field = &out->receive_message_wait_time_seconds;
    if (field != nullptr) {
      if (!absl::SimpleAtoi(value, field)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "InvalidAttributeValue: ", name, " must be a whole number, not '", value, "'"));
      }
      continue;
    }
    if (name == "RedrivePolicy") {
      simdjson::dom::parser parser;
      simdjson::dom::object obj;
      std::string_view arn;
      int64_t max = 0;
      if (parser.parse(value).get(obj) || obj["deadLetterTargetArn"].get(arn) ||
          obj["maxReceiveCount"].get(max)) {
        return absl::InvalidArgumentError(
            "InvalidAttributeValue: RedrivePolicy must be "
            "{\"deadLetterTargetArn\": \"arn:aws:sqs:…\", \"maxReceiveCount\": N}");
      }
      out->redrive_policy = targets::RedrivePolicy{std::string(arn), static_cast<int>(max)};
      continue;
    }
    return absl::InvalidArgumentError(
        absl::StrCat("InvalidAttributeName: unknown attribute ", name));
  }
  return targets::ValidateQueueAttributes(*out);
}

class QueuesService final : public v1::QueuesService::Service {
 public:
  explicit QueuesService(Daemon* d) : d_(d) {}

  grpc::Status CreateQueue(grpc::ServerContext*, const v1::CreateQueueRequest* req,
                           v1::CreateQueueResponse* resp) override {
    targets::QueueAttributes a;
    if (auto s = ParseQueueAttributes(req->attributes(), &a); !s.ok()) return ToGrpc(s);
    if (auto s = d_->queues().CreateQueue(req->queue_name(), a); !s.ok()) return ToGrpc(s);
    resp->set_queue_url(QueueUrl(*d_, req->queue_name()));
    return grpc::Status::OK;
  }

  grpc::Status DeleteQueue(grpc::ServerContext*, const v1::DeleteQueueRequest* req,
                           v1::DeleteQueueResponse*) override {
    auto q = QueueOf(*req);
    if (!q.ok()) return ToGrpc(q.status());
    return ToGrpc(d_->queues().DeleteQueue(*q));
  }

  grpc::Status ListQueues(grpc::ServerContext*, const v1::ListQueuesRequest* req,
                          v1::ListQueuesResponse* resp) override {
    auto names = d_->queues().ListQueues(req->queue_name_prefix());
    if (!names.ok()) return ToGrpc(names.status());
    for (const auto& n : *names) resp->add_queue_urls(QueueUrl(*d_, n));
    return grpc::Status::OK;
  }

  grpc::Status GetQueueUrl(grpc::ServerContext*, const v1::GetQueueUrlRequest* req,
                           v1::GetQueueUrlResponse* resp) override {
    auto a = d_->queues().GetQueueAttributes(req->queue_name());
    if (!a.ok()) return ToGrpc(a.status());
    resp->set_queue_url(QueueUrl(*d_, req->queue_name()));
    return grpc::Status::OK;
  }

  grpc::Status GetQueueAttributes(grpc::ServerContext*, const v1::GetQueueAttributesRequest* req,
                                  v1::GetQueueAttributesResponse* resp) override {
    auto q = QueueOf(*req);
    if (!q.ok()) return ToGrpc(q.status());
    auto a = d_->queues().GetQueueAttributes(*q);
    if (!a.ok()) return ToGrpc(a.status());
    auto& m = *resp->mutable_attributes();
    m["QueueArn"] = a->arn;
    m["VisibilityTimeout"] = std::to_string(a->attributes.visibility_timeout);
    m["MessageRetentionPeriod"] = std::to_string(a->attributes.message_retention_period);
    m["ReceiveMessageWaitTimeSeconds"] =
        std::to_string(a->attributes.receive_message_wait_time_seconds);
    m["CreatedTimestamp"] = std::to_string(a->created_timestamp);
    m["ApproximateNumberOfMessages"] = std::to_string(a->approximate_number_of_messages);
    m["ApproximateNumberOfMessagesNotVisible"] =
        std::to_string(a->approximate_number_of_messages_not_visible);
    if (a->attributes.redrive_policy.has_value()) {
      m["RedrivePolicy"] = absl::StrCat(
          "{\"deadLetterTargetArn\":\"", a->attributes.redrive_policy->dead_letter_target_arn,
          "\",\"maxReceiveCount\":", a->attributes.redrive_policy->max_receive_count, "}");
    }
    return grpc::Status::OK;
  }

  grpc::Status SendMessage(grpc::ServerContext*, const v1::SendMessageRequest* req,
                           v1::SendMessageResponse* resp) override {
    auto q = QueueOf(*req);
    if (!q.ok()) return ToGrpc(q.status());
    auto id = d_->queues().SendMessage(*q, req->message_body());
    if (!id.ok()) return ToGrpc(id.status());
    resp->set_message_id(*id);
    return grpc::Status::OK;
  }

  grpc::Status ReceiveMessage(grpc::ServerContext*, const v1::ReceiveMessageRequest* req,
                              v1::ReceiveMessageResponse* resp) override {
    auto q = QueueOf(*req);
    if (!q.ok()) return ToGrpc(q.status());
    targets::ReceiveOptions o;
    o.max_number_of_messages =
        req->max_number_of_messages() == 0 ? 1 : req->max_number_of_messages();
    if (req->has_visibility_timeout()) o.visibility_timeout = req->visibility_timeout();
    if (req->has_wait_time_seconds()) o.wait_time_seconds = req->wait_time_seconds();
    auto msgs = d_->queues().ReceiveMessages(*q, o);
    if (!msgs.ok()) return ToGrpc(msgs.status());
    for (const auto& m : *msgs) {
      auto* out = resp->add_messages();
      out->set_message_id(m.message_id);
      out->set_receipt_handle(m.receipt_handle);
      out->set_md5_of_body(m.md5_of_body);
      out->set_body(m.body);
      auto& attrs = *out->mutable_attributes();
      attrs["SentTimestamp"] = std::to_string(m.sent_timestamp);
      attrs["ApproximateReceiveCount"] = std::to_string(m.approximate_receive_count);
      attrs["ApproximateFirstReceiveTimestamp"] =
          std::to_string(m.approximate_first_receive_timestamp);
    }
    return grpc::Status::OK;
  }

  grpc::Status DeleteMessage(grpc::ServerContext*, const v1::DeleteMessageRequest* req,
                             v1::DeleteMessageResponse*) override {
    auto q = QueueOf(*req);
    if (!q.ok()) return ToGrpc(q.status());
    return ToGrpc(d_->queues().DeleteMessage(*q, req->receipt_handle()));
  }

  grpc::Status ChangeMessageVisibility(grpc::ServerContext*,
                                       const v1::ChangeMessageVisibilityRequest* req,
                                       v1::ChangeMessageVisibilityResponse*) override {
    auto q = QueueOf(*req);
    if (!q.ok()) return ToGrpc(q.status());
    return ToGrpc(
        d_->queues().ChangeMessageVisibility(*q, req->receipt_handle(), req->visibility_timeout()));
  }

  grpc::Status PurgeQueue(grpc::ServerContext*, const v1::PurgeQueueRequest* req,
                          v1::PurgeQueueResponse*) override {
    auto q = QueueOf(*req);
    if (!q.ok()) return ToGrpc(q.status());
    return ToGrpc(d_->queues().PurgeQueue(*q));
  }

 private:
  Daemon* d_;
};

}  // namespace

std::vector<std::unique_ptr<grpc::Service>> MakeServices(Daemon* daemon) {
  std::vector<std::unique_ptr<grpc::Service>> out;
  out.push_back(std::make_unique<EventsService>(daemon));
  out.push_back(std::make_unique<QueuesService>(daemon));
  out.push_back(MakeRulesService(daemon));
  out.push_back(MakeBusesService(daemon));
  return out;
}

}  // namespace busbar::bus
