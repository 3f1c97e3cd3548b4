// `busbar queues …`: create queues, read and change their attributes, list
// them, send, receive, delete and purge messages, each subcommand one
// QueuesService call (list follows next_token to the end; receive --delete adds
// one DeleteMessageBatch per receive).
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <map>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bus/cli/commands.h"
#include "bus/cli/rpc.h"
#include "busbar/v1/queues.grpc.pb.h"
#include "matcher/base/base.h"

namespace busbar::cli {
namespace {

namespace v1 = ::busbar::v1;

using Stub = v1::QueuesService::Stub;

// Appends a JSON object of `m`'s strings, keys in order.
void AppendJsonObject(const std::map<std::string, std::string>& m, std::string& out) {
  out += "{";
  bool first = true;
  for (const auto& [k, v] : m) {
    if (!first) out += ",";
    first = false;
    base::AppendJsonString(k, &out);
    out += ":";
    base::AppendJsonString(v, &out);
  }
  out += "}";
}

// Reads the repeated --attribute NAME=VALUE of `o` into `out`.
absl::Status ReadAttributes(const Options& o,
                            google::protobuf::Map<std::string, std::string>* out) {
  auto it = o.values.find("--attribute");
  if (it == o.values.end()) return absl::OkStatus();
  for (const std::string& a : it->second) {
    size_t eq = a.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--attribute takes NAME=VALUE, not '", a, "'"));
    }
    (*out)[a.substr(0, eq)] = a.substr(eq + 1);
  }
  return absl::OkStatus();
}

int List(Stub& stub, const Args& args) {
  if (args.size() > 2) return UsageError("queues", "list takes at most one PREFIX");
  v1::ListQueuesRequest req;
  if (args.size() == 2) req.set_queue_name_prefix(std::string(args[1]));
  return ForEachPage(stub, &Stub::ListQueues, req, [](const v1::ListQueuesResponse& page) {
    for (const auto& url : page.queue_urls()) std::printf("%s\n", url.c_str());
  });
}

// create NAME [--attribute N=V]... and set-attributes NAME --attribute N=V...
int CreateOrSet(Stub& stub, const Args& args) {
  const std::string_view sub = args[0];
  auto o = ReadOptions(args, 1, {"--attribute"});
  if (!o.ok()) return UsageError("queues", std::string(o.status().message()));
  const bool set = sub == "set-attributes";
  if (o->positional.size() != 1 || (set && !o->Has("--attribute"))) {
    return UsageError("queues", absl::StrCat(std::string(sub), " takes one queue NAME",
                                             set ? " and --attribute NAME=VALUE..."
                                                 : " [--attribute NAME=VALUE]..."));
  }
  auto ctx = Context();
  if (set) {
    v1::SetQueueAttributesRequest req;
    req.set_queue_name(o->positional[0]);
    if (auto s = ReadAttributes(*o, req.mutable_attributes()); !s.ok()) {
      return UsageError("queues", std::string(s.message()));
    }
    v1::SetQueueAttributesResponse resp;
    if (auto s = stub.SetQueueAttributes(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
    return 0;
  }
  v1::CreateQueueRequest req;
  req.set_queue_name(o->positional[0]);
  if (auto s = ReadAttributes(*o, req.mutable_attributes()); !s.ok()) {
    return UsageError("queues", std::string(s.message()));
  }
  v1::CreateQueueResponse resp;
  if (auto s = stub.CreateQueue(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
  std::printf("%s\n", resp.queue_url().c_str());
  return 0;
}

int Attributes(Stub& stub, const std::string& name) {
  v1::GetQueueAttributesRequest req;
  req.set_queue_name(name);
  req.add_attribute_names("All");
  v1::GetQueueAttributesResponse resp;
  auto ctx = Context();
  if (auto s = stub.GetQueueAttributes(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
  std::string out;
  AppendJsonObject({resp.attributes().begin(), resp.attributes().end()}, out);
  std::printf("%s\n", out.c_str());
  return 0;
}

int Send(Stub& stub, const Args& args) {
  if (args.size() != 3) return UsageError("queues", "send takes NAME BODY");
  auto body = ReadJsonArg(args[2]);  // "@FILE" is the file's content
  if (!body.ok()) return PrintError(body.status());
  v1::SendMessageRequest req;
  req.set_queue_name(std::string(args[1]));
  req.set_message_body(*body);
  v1::SendMessageResponse resp;
  auto ctx = Context();
  if (auto s = stub.SendMessage(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
  std::printf("%s\n", resp.message_id().c_str());
  return 0;
}

// Deletes the received messages in one DeleteMessageBatch; prints the ones it
// could not delete. Returns the exit status.
int DeleteReceived(Stub& stub, const std::string& name, const v1::ReceiveMessageResponse& got) {
  if (got.messages_size() == 0) return 0;
  v1::DeleteMessageBatchRequest req;
  req.set_queue_name(name);
  for (int i = 0; i < got.messages_size(); ++i) {
    auto* e = req.add_entries();
    e->set_id(absl::StrCat(i));  // index into got.messages
    e->set_receipt_handle(got.messages(i).receipt_handle());
  }
  v1::DeleteMessageBatchResponse resp;
  auto ctx = Context();
  if (auto s = stub.DeleteMessageBatch(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
  for (const auto& f : resp.failed()) {
    int i = 0;
    const std::string& id = absl::SimpleAtoi(f.id(), &i) && i >= 0 && i < got.messages_size()
                                ? got.messages(i).message_id()
                                : f.id();
    std::fprintf(stderr, "busbar: message %s not deleted: %s: %s\n", id.c_str(), f.code().c_str(),
                 f.message().c_str());
  }
  return resp.failed_size() == 0 ? 0 : 1;
}

int Receive(Stub& stub, const Args& args, const std::string& name) {
  v1::ReceiveMessageRequest req;
  req.set_queue_name(name);
  req.set_max_number_of_messages(10);
  req.add_message_system_attribute_names("All");
  req.add_message_attribute_names("All");
  auto o = ReadOptions(args, 2, {"--max", "--wait", "--visibility"}, {"--delete"});
  if (!o.ok()) return UsageError("queues", std::string(o.status().message()));
  if (!o->positional.empty()) {
    return UsageError("queues", absl::StrCat("unknown argument '", o->positional[0], "'"));
  }
  int32_t max = req.max_number_of_messages();
  int32_t wait = 0;
  int32_t visibility = 0;
  if (!o->GetInt("--max", &max) || !o->GetInt("--wait", &wait) ||
      !o->GetInt("--visibility", &visibility)) {
    return UsageError("queues", "--max, --wait and --visibility take a number");
  }
  req.set_max_number_of_messages(max);
  if (o->Has("--wait")) req.set_wait_time_seconds(wait);
  if (o->Has("--visibility")) req.set_visibility_timeout(visibility);
  const bool del = o->Has("--delete");
  v1::ReceiveMessageResponse resp;
  auto ctx = Context(60);
  if (auto s = stub.ReceiveMessage(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
  for (const auto& m : resp.messages()) {
    std::string out = "{\"MessageId\":";
    base::AppendJsonString(m.message_id(), &out);
    out += ",\"ReceiptHandle\":";
    base::AppendJsonString(m.receipt_handle(), &out);
    out += ",\"Body\":";
    base::AppendJsonString(m.body(), &out);
    out += ",\"Attributes\":";
    AppendJsonObject({m.attributes().begin(), m.attributes().end()}, out);
    if (!m.message_attributes().empty()) {
      // Dead-lettered deliveries: RULE_ARN, TARGET_ARN, ERROR_CODE, ... (String values).
      std::map<std::string, std::string> values;
      for (const auto& [k, v] : m.message_attributes()) values.emplace(k, v.string_value());
      out += ",\"MessageAttributes\":";
      AppendJsonObject(values, out);
    }
    out += "}";
    std::printf("%s\n", out.c_str());
  }
  std::fflush(stdout);
  return del ? DeleteReceived(stub, name, resp) : 0;
}

}  // namespace

void PrintQueuesHelp(std::FILE* out) {
  std::fputs(
      "Usage: busbar queues list [--endpoint HOST:PORT] [PREFIX]\n"
      "       busbar queues create NAME [--attribute NAME=VALUE]...\n"
      "       busbar queues attributes NAME\n"
      "       busbar queues set-attributes NAME --attribute NAME=VALUE...\n"
      "       busbar queues send NAME BODY|@FILE\n"
      "       busbar queues receive NAME [--max N] [--wait S] [--visibility S] [--delete]\n"
      "       busbar queues delete NAME RECEIPT_HANDLE\n"
      "       busbar queues purge NAME\n"
      "\n"
      "list prints one queue URL per line. create prints the queue's URL; creating\n"
      "an existing queue succeeds if the attributes given equal its own. Attributes\n"
      "have SQS's names and values: VisibilityTimeout (0-43200 s, default 30),\n"
      "MessageRetentionPeriod (60-1209600 s, default 345600),\n"
      "ReceiveMessageWaitTimeSeconds (0-20, default 0) and RedrivePolicy\n"
      "({\"deadLetterTargetArn\":\"arn:aws:sqs:…\",\"maxReceiveCount\":N}; empty for\n"
      "none), e.g. --attribute VisibilityTimeout=60. attributes prints every\n"
      "attribute of the queue, counts and timestamps included, as one JSON object;\n"
      "set-attributes changes the given ones, all or none.\n"
      "\n"
      "send prints the new message's id (@FILE sends the file's content). receive\n"
      "prints each message as one JSON line {\"MessageId\", \"ReceiptHandle\", \"Body\",\n"
      "\"Attributes\"} (and \"MessageAttributes\", name -> value, when the message has\n"
      "any: dead-lettered events carry RULE_ARN, ERROR_CODE, ...); --wait long-polls up to S "
      "seconds (0-20); --delete then deletes\n"
      "the printed messages in one DeleteMessageBatch call and reports on stderr any\n"
      "it could not delete (exit 1). A refused call prints the daemon's message and\n"
      "exits 1.\n",
      out);
}

int RunQueues(const Args& in) {
  Args args = in;
  auto channel = Connect(args);
  if (!channel.ok()) return UsageError("queues", std::string(channel.status().message()));
  auto stub = v1::QueuesService::NewStub(*channel);
  if (args.empty()) return UsageError("queues", "missing subcommand");
  const std::string_view sub = args[0];
  if (sub == "list") return List(*stub, args);
  if (sub == "create" || sub == "set-attributes") return CreateOrSet(*stub, args);
  if (sub == "send") return Send(*stub, args);
  if (sub != "attributes" && sub != "receive" && sub != "delete" && sub != "purge") {
    return UsageError("queues", absl::StrCat("unknown subcommand '", std::string(sub), "'"));
  }
  if (args.size() < 2) return UsageError("queues", "missing queue NAME");
  const std::string name(args[1]);
  if (sub == "receive") return Receive(*stub, args, name);
  if (sub == "attributes") {
    if (args.size() != 2) return UsageError("queues", "attributes takes one queue NAME");
    return Attributes(*stub, name);
  }
  auto ctx = Context();
  if (sub == "delete") {
    if (args.size() != 3) return UsageError("queues", "delete takes NAME RECEIPT_HANDLE");
    v1::DeleteMessageRequest req;
    req.set_queue_name(name);
    req.set_receipt_handle(std::string(args[2]));
    v1::DeleteMessageResponse resp;
    if (auto s = stub->DeleteMessage(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
    return 0;
  }
  if (args.size() != 2) return UsageError("queues", "purge takes one queue NAME");
  v1::PurgeQueueRequest req;
  req.set_queue_name(name);
  v1::PurgeQueueResponse resp;
  if (auto s = stub->PurgeQueue(ctx.get(), req, &resp); !s.ok()) return RpcError(s);
  return 0;
}

}  // namespace busbar::cli
