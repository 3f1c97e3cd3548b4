// Internal to bus/: what the client commands (put_events.cc, queues.cc, rules.cc, buses.cc,
// schemas*.cc, functions.cc) share — the channel to the daemon, call deadlines, printing a
// refused call, following a list's pages, and printing timestamps. Thread-compatible.
#pragma once

#include <google/protobuf/timestamp.pb.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "bus/cli/util.h"

namespace busbar::cli {

// Takes --endpoint out of `args`, wherever it is (default $BUSBAR_ENDPOINT, else
// 127.0.0.1:4195); returns the channel to it. InvalidArgument when --endpoint has no value.
absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(Args& args);

// Prints the daemon's message and code on stderr; returns 2 when the daemon is
// unreachable (UNAVAILABLE), else 1.
int RpcError(const grpc::Status& status);

// A client context whose deadline is `timeout_s` from now.
std::unique_ptr<grpc::ClientContext> Context(int timeout_s = 30);

// Calls the List method `call` of `stub` with `request`, then again with each response's
// next_token until one comes back empty, and gives every response to `on_page` in order.
// Returns 0, or RpcError's status for the first refused call (the pages before it were
// given). E.g.
//   return ForEachPage(*stub, &v1::BusesService::Stub::ListEventBuses, req,
//                      [](const v1::ListEventBusesResponse& page) { ... });
template <typename Stub, typename Request, typename Response, typename OnPage>
int ForEachPage(Stub& stub,
                grpc::Status (Stub::*call)(grpc::ClientContext*, const Request&, Response*),
                Request request, OnPage on_page) {
  do {
    Response page;
    std::unique_ptr<grpc::ClientContext> context = Context();
    if (grpc::Status s = (stub.*call)(context.get(), request, &page); !s.ok()) {
      return RpcError(s);
    }
    on_page(static_cast<const Response&>(page));
    request.set_next_token(page.next_token());
  } while (!request.next_token().empty());
  return 0;
}

// `t` as RFC 3339 in UTC, to the second ("2024-05-01T12:00:00Z"), as the AWS CLI prints
// timestamps.
std::string Rfc3339(const google::protobuf::Timestamp& t);

}  // namespace busbar::cli
