// busbar.v1.QueuesService: SQS's queue API over targets::Queues, as
// proto/busbar/v1/queues.proto documents it; see services.h.
//
// Each RPC first checks what the request says on its own (which queue, batch
// entry ids, attribute names and values, required fields), so a malformed
// request changes nothing and hides no message; then it makes one Queues call,
// which is one store write or read (DeleteMessageBatch deletes all its entries
// in one write). Statuses keep Queues' "<SQS code>: <reason>" messages; a store
// failure stays UNAVAILABLE (retry) or becomes INTERNAL "InternalError: ...".
// A long-polling ReceiveMessage asks gRPC whether its client is still there
// while it waits, and ends (CANCELLED) without taking a message once it is not.
//
// Where the contract leaves a case open, SQS decides: an empty queue_name of
// CreateQueue or GetQueueUrl, or an empty receipt_handle of DeleteMessage or
// ChangeMessageVisibility, is "MissingParameter" (a DeleteMessageBatch entry
// with none fails alone with "ReceiptHandleIsInvalid"); SetQueueAttributes
// with no attributes changes nothing and succeeds if the queue exists.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bus/server/api_common.h"
#include "bus/server/options.h"
#include "bus/server/services.h"
#include "bus/server/sqs_text.h"
#include "busbar/v1/queues.grpc.pb.h"
#include "targets/queues.h"

namespace busbar::bus {
namespace {

namespace v1 = ::busbar::v1;

constexpr int32_t kMaxListResults = 1000;

// The gRPC status of a Queues result: its SQS errors as they are, a store
// failure as UNAVAILABLE or INTERNAL "InternalError: ...".
grpc::Status Reply(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kOk:
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kCancelled:
      return ToGrpc(s);
    default:
      return ToGrpc(absl::InternalError(absl::StrCat("InternalError: ", s.message())));
  }
}

absl::Status MissingParameter(std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("MissingParameter: ", std::string(what)));
}

absl::Status InvalidParameter(std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("InvalidParameterValue: ", std::string(what)));
}

// The queue a request names: queue_name, or the last path segment of queue_url
// (<endpoint>/<account>/<QueueName>) when the segment before it is the
// daemon's account (a URL of another account names no queue here).
template <typename Request>
absl::StatusOr<std::string> QueueOf(const Request& r, const DaemonOptions& options) {
  if (!r.queue_name().empty()) return r.queue_name();
  if (r.queue_url().empty()) return MissingParameter("set queue_url or queue_name");
  std::string_view url = r.queue_url();
  const size_t slash = url.rfind('/');
  if (slash == std::string_view::npos || slash + 1 == url.size()) {
    return InvalidParameter(absl::StrCat("QueueUrl '", std::string(url),
                                         "' is not a queue URL <endpoint>/<account>/<QueueName>"));
  }
  std::string_view name = url.substr(slash + 1);
  std::string_view account = url.substr(0, slash);
  if (size_t before = account.rfind('/'); before != std::string_view::npos) {
    account = account.substr(before + 1);
  }
  if (account != options.account) {
    return absl::NotFoundError(
        absl::StrCat("QueueDoesNotExist: The specified queue ", std::string(name),
                     " does not exist (the URL names account ", std::string(account),
                     "; this daemon's is ", options.account, ")."));
  }
  return std::string(name);
}

// <endpoint>/<account>/<name>, the endpoint being the listen address with the
// port actually bound (a daemon listening on port 0 names its real port).
std::string QueueUrl(const DaemonOptions& options, int port, std::string_view name) {
  std::string endpoint = options.listen;
  if (size_t colon = endpoint.rfind(':'); colon != std::string::npos) {
    endpoint = absl::StrCat(endpoint.substr(0, colon + 1), port);
  }
  return absl::StrCat("http://", endpoint, "/", options.account, "/", std::string(name));
}

template <typename Strings>
std::vector<std::string> ToVector(const Strings& in) {
  return std::vector<std::string>(in.begin(), in.end());
}

class QueuesService final : public v1::QueuesService::Service {
 public:
  QueuesService(targets::Queues* queues, const DaemonOptions* options, std::function<int()> port)
      : queues_(queues), options_(*options), port_(std::move(port)) {}

  grpc::Status CreateQueue(grpc::ServerContext*, const v1::CreateQueueRequest* req,
                           v1::CreateQueueResponse* resp) override {
    if (req->queue_name().empty()) return Reply(MissingParameter("queue_name is required"));
    auto changes = sqs::ParseQueueAttributes(
        std::map<std::string, std::string>(req->attributes().begin(), req->attributes().end()));
    if (!changes.ok()) return Reply(changes.status());
    if (auto s = queues_->CreateQueue(req->queue_name(), *changes); !s.ok()) return Reply(s);
    resp->set_queue_url(QueueUrl(options_, port_(), req->queue_name()));
    return grpc::Status::OK;
  }

  grpc::Status DeleteQueue(grpc::ServerContext*, const v1::DeleteQueueRequest* req,
                           v1::DeleteQueueResponse*) override {
    auto q = QueueOf(*req, options());
    if (!q.ok()) return Reply(q.status());
    return Reply(queues_->DeleteQueue(*q));
  }

  grpc::Status ListQueues(grpc::ServerContext*, const v1::ListQueuesRequest* req,
                          v1::ListQueuesResponse* resp) override {
    const std::string& prefix = req->queue_name_prefix();
    if (prefix.size() > targets::kMaxQueueNameLength) {
      return Reply(InvalidParameter(absl::StrCat("QueueNamePrefix is ", prefix.size(),
                                                 " characters; at most ",
                                                 targets::kMaxQueueNameLength, " are allowed")));
    }
    if (req->max_results() < 0 || req->max_results() > kMaxListResults) {
      return Reply(InvalidParameter(absl::StrCat("MaxResults is ", req->max_results(),
                                                 "; it must be from 1 to ", kMaxListResults,
                                                 " (or 0 for ", kMaxListResults, ")")));
    }
    const size_t limit = req->max_results() == 0 ? kMaxListResults : req->max_results();
    // Tokens are valid for this call and prefix only.
    const std::string query = absl::StrCat("ListQueues\n", prefix);
    std::string after;
    if (!req->next_token().empty()) {
      std::optional<std::string> last = api::DecodeNextToken(req->next_token(), query);
      if (!last) {
        return Reply(
            InvalidParameter("NextToken is not one this call handed out for this QueueNamePrefix"));
      }
      after = std::move(*last);
    }
    auto names = queues_->ListQueues(prefix);  // sorted
    if (!names.ok()) return Reply(names.status());
    auto it = std::upper_bound(names->begin(), names->end(), after);
    for (; it != names->end() && static_cast<size_t>(resp->queue_urls_size()) < limit; ++it) {
      resp->add_queue_urls(QueueUrl(options_, port_(), *it));
    }
    if (it != names->end()) resp->set_next_token(api::NextToken(query, *std::prev(it)));
    return grpc::Status::OK;
  }

  grpc::Status GetQueueUrl(grpc::ServerContext*, const v1::GetQueueUrlRequest* req,
                           v1::GetQueueUrlResponse* resp) override {
    const std::string& name = req->queue_name();
    if (name.empty()) return Reply(MissingParameter("queue_name is required"));
    const std::string& owner = req->queue_owner_aws_account_id();
    if (!owner.empty() && owner != options().account) {
      return Reply(absl::NotFoundError(
          absl::StrCat("QueueDoesNotExist: The specified queue ", name, " does not exist (account ",
                       owner, " is not this daemon's account ", options().account, ").")));
    }
    auto a = queues_->GetQueueAttributes(name);
    if (!a.ok()) return Reply(a.status());
    resp->set_queue_url(QueueUrl(options_, port_(), name));
    return grpc::Status::OK;
  }

  grpc::Status GetQueueAttributes(grpc::ServerContext*, const v1::GetQueueAttributesRequest* req,
                                  v1::GetQueueAttributesResponse* resp) override {
    auto q = QueueOf(*req, options());
    if (!q.ok()) return Reply(q.status());
    auto wanted = sqs::QueueAttributeNames(ToVector(req->attribute_names()));
    if (!wanted.ok()) return Reply(wanted.status());
    auto a = queues_->GetQueueAttributes(*q);
    if (!a.ok()) return Reply(a.status());
    for (auto& [name, value] : sqs::FormatQueueAttributes(*a)) {
      if (wanted->contains(name)) (*resp->mutable_attributes())[name] = std::move(value);
    }
    return grpc::Status::OK;
  }

  grpc::Status SetQueueAttributes(grpc::ServerContext*, const v1::SetQueueAttributesRequest* req,
                                  v1::SetQueueAttributesResponse*) override {
    auto q = QueueOf(*req, options());
    if (!q.ok()) return Reply(q.status());
    auto changes = sqs::ParseQueueAttributes(
        std::map<std::string, std::string>(req->attributes().begin(), req->attributes().end()));
    if (!changes.ok()) return Reply(changes.status());
    return Reply(queues_->SetQueueAttributes(*q, *changes));
  }

  grpc::Status SendMessage(grpc::ServerContext*, const v1::SendMessageRequest* req,
                           v1::SendMessageResponse* resp) override {
    auto q = QueueOf(*req, options());
    if (!q.ok()) return Reply(q.status());
    auto id = queues_->SendMessage(*q, req->message_body());
    if (!id.ok()) return Reply(id.status());
    resp->set_message_id(*id);
    resp->set_md5_of_message_body(targets::Md5OfBody(req->message_body()));
    return grpc::Status::OK;
  }

  grpc::Status ReceiveMessage(grpc::ServerContext* ctx, const v1::ReceiveMessageRequest* req,
                              v1::ReceiveMessageResponse* resp) override {
    auto q = QueueOf(*req, options());
    if (!q.ok()) return Reply(q.status());
    auto wanted = sqs::MessageSystemAttributeNames(ToVector(req->message_system_attribute_names()));
    if (!wanted.ok()) return Reply(wanted.status());
    // message_attribute_names selects message attributes: "All" or ".*", a name, or a
    // prefix followed by ".*" (SQS).
    const std::vector<std::string> attribute_names = ToVector(req->message_attribute_names());
    auto selected = [&attribute_names](const std::string& name) {
      for (const std::string& want : attribute_names) {
        if (want == "All" || want == ".*" || want == name) return true;
        if (want.size() >= 2 && want.compare(want.size() - 2, 2, ".*") == 0 &&
            name.compare(0, want.size() - 2, want, 0, want.size() - 2) == 0) {
          return true;
        }
      }
      return false;
    };
    targets::ReceiveOptions o;
    o.max_number_of_messages =
        req->max_number_of_messages() == 0 ? 1 : req->max_number_of_messages();
    if (req->has_visibility_timeout()) o.visibility_timeout = req->visibility_timeout();
    if (req->has_wait_time_seconds()) o.wait_time_seconds = req->wait_time_seconds();
    // A client that cancelled, disconnected or passed its deadline ends the wait (CANCELLED,
    // which it never sees) and takes no message.
    o.cancelled = [ctx] { return ctx->IsCancelled(); };
    auto msgs = queues_->ReceiveMessages(*q, o);
    if (!msgs.ok()) return Reply(msgs.status());
    for (auto& m : *msgs) {
      auto* out = resp->add_messages();
      out->set_message_id(std::move(m.message_id));
      out->set_receipt_handle(std::move(m.receipt_handle));
      out->set_md5_of_body(std::move(m.md5_of_body));
      out->set_body(std::move(m.body));
      auto& attrs = *out->mutable_attributes();
      if (wanted->contains("SentTimestamp"))
        attrs["SentTimestamp"] = absl::StrCat(m.sent_timestamp);
      if (wanted->contains("ApproximateReceiveCount")) {
        attrs["ApproximateReceiveCount"] = absl::StrCat(m.approximate_receive_count);
      }
      if (wanted->contains("ApproximateFirstReceiveTimestamp")) {
        attrs["ApproximateFirstReceiveTimestamp"] =
            absl::StrCat(m.approximate_first_receive_timestamp);
      }
      // AWSTraceHeader: events carry no trace header yet, so it is never present.
      targets::MessageAttributes returned;
      for (auto& [name, value] : m.message_attributes) {
        if (!selected(name)) continue;
        v1::MessageAttributeValue& v = (*out->mutable_message_attributes())[name];
        v.set_data_type("String");
        v.set_string_value(value);
        returned.emplace_back(name, value);
      }
      out->set_md5_of_message_attributes(targets::Md5OfMessageAttributes(returned));
    }
    return grpc::Status::OK;
  }

  grpc::Status DeleteMessage(grpc::ServerContext*, const v1::DeleteMessageRequest* req,
                             v1::DeleteMessageResponse*) override {
    auto q = QueueOf(*req, options());
    if (!q.ok()) return Reply(q.status());
    if (req->receipt_handle().empty()) {
      return Reply(MissingParameter("receipt_handle is required"));
    }
    return Reply(queues_->DeleteMessage(*q, req->receipt_handle()));
  }

  grpc::Status DeleteMessageBatch(grpc::ServerContext*, const v1::DeleteMessageBatchRequest* req,
                                  v1::DeleteMessageBatchResponse* resp) override {
    auto q = QueueOf(*req, options());
    if (!q.ok()) return Reply(q.status());
    std::vector<std::string_view> ids;
    std::vector<std::string> handles;
    for (const auto& e : req->entries()) {
      ids.push_back(e.id());
      handles.push_back(e.receipt_handle());
    }
    if (auto s = sqs::CheckBatchEntryIds(ids); !s.ok()) return Reply(s);
    auto results = queues_->DeleteMessages(*q, handles);
    if (!results.ok()) {
      const absl::Status& s = results.status();
      if (absl::IsNotFound(s) || absl::IsUnavailable(s)) return Reply(s);
      // Nothing was deleted: every entry may be retried.
      results = std::vector<absl::Status>(handles.size(), s);
    }
    for (size_t i = 0; i < results->size(); ++i) {
      const absl::Status& s = (*results)[i];
      if (s.ok()) {
        resp->add_successful()->set_id(std::string(ids[i]));
        continue;
      }
      auto* f = resp->add_failed();
      f->set_id(std::string(ids[i]));
      const bool sender = absl::IsInvalidArgument(s);
      f->set_sender_fault(sender);
      f->set_code(sender ? "ReceiptHandleIsInvalid" : "InternalError");
      f->set_message(sender ? sqs::Reason(s) : std::string(s.message()));
    }
    return grpc::Status::OK;
  }

  grpc::Status ChangeMessageVisibility(grpc::ServerContext*,
                                       const v1::ChangeMessageVisibilityRequest* req,
                                       v1::ChangeMessageVisibilityResponse*) override {
    auto q = QueueOf(*req, options());
    if (!q.ok()) return Reply(q.status());
    if (req->receipt_handle().empty()) {
      return Reply(MissingParameter("receipt_handle is required"));
    }
    if (!req->has_visibility_timeout()) {
      return Reply(MissingParameter("visibility_timeout is required (0 is a value)"));
    }
    return Reply(
        queues_->ChangeMessageVisibility(*q, req->receipt_handle(), req->visibility_timeout()));
  }

  grpc::Status PurgeQueue(grpc::ServerContext*, const v1::PurgeQueueRequest* req,
                          v1::PurgeQueueResponse*) override {
    auto q = QueueOf(*req, options());
    if (!q.ok()) return Reply(q.status());
    return Reply(queues_->PurgeQueue(*q));
  }

 private:
  const DaemonOptions& options() const { return options_; }

  targets::Queues* const queues_;
  const DaemonOptions& options_;
  const std::function<int()> port_;  // the port the server bound (queue URLs name it)
};

}  // namespace

std::unique_ptr<grpc::Service> MakeQueuesService(targets::Queues* queues,
                                                 const DaemonOptions* options,
                                                 std::function<int()> port) {
  return std::make_unique<QueuesService>(queues, options, std::move(port));
}

}  // namespace busbar::bus
