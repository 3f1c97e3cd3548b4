// Internal to bus/: what the client commands (put_events.cc, queues.cc,
// rules.cc, buses.cc, schemas*.cc, functions.cc) share — the channel to the daemon,
// call deadlines, printing a refused call, and reading a subcommand's options.
// Thread-compatible.
#pragma once

#include <grpcpp/grpcpp.h>

#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "bus/cli/util.h"

namespace busbar::cli {

// Takes --endpoint out of `args` (default $BUSBAR_ENDPOINT, else
// 127.0.0.1:4195); returns the channel to it.
std::shared_ptr<grpc::Channel> Connect(Args& args);

// Prints the daemon's message and code on stderr; returns 2 when the daemon is
// unreachable (UNAVAILABLE), else 1.
int RpcError(const grpc::Status& status);

// A client context whose deadline is `timeout_s` from now.
std::unique_ptr<grpc::ClientContext> Context(int timeout_s = 30);

// A subcommand's arguments: the value options it knows, each as given (in
// order, repeatable), and the other arguments.
struct Options {
  std::map<std::string, std::vector<std::string>, std::less<>> values;
  std::vector<std::string> positional;

  bool Has(std::string_view name) const { return values.find(name) != values.end(); }
  // The last value of `name`, or `fallback`.
  std::string Get(std::string_view name, std::string_view fallback = "") const;
};

// Reads args[start...]: `--name VALUE` or `--name=VALUE` for each of `names`;
// anything else starting with "--" is an error; the rest is positional.
// InvalidArgument for an unknown option or a missing value.
absl::StatusOr<Options> ReadOptions(const Args& args, size_t start,
                                    std::initializer_list<std::string_view> names);

}  // namespace busbar::cli
