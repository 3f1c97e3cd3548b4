// Helpers of the client commands; see rpc.h.
#include "bus/cli/rpc.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace busbar::cli {

std::shared_ptr<grpc::Channel> Connect(Args& args) {
  std::string endpoint = "127.0.0.1:4195";
  if (const char* env = std::getenv("BUSBAR_ENDPOINT"); env != nullptr && *env) endpoint = env;
  Args rest;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view v;
    auto took = TakeOptionValue(args, &i, "--endpoint", &v);
    if (took.ok() && *took) {
      endpoint = std::string(v);
    } else {
      rest.push_back(args[i]);
    }
  }
  args = rest;
  return grpc::CreateChannel(endpoint, grpc::InsecureChannelCredentials());
}

int RpcError(const grpc::Status& s) {
  std::fprintf(stderr, "busbar: %s (%d)\n", s.error_message().c_str(),
               static_cast<int>(s.error_code()));
  return s.error_code() == grpc::StatusCode::UNAVAILABLE ? kExitUsage : 1;
}

std::unique_ptr<grpc::ClientContext> Context(int timeout_s) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(timeout_s));
  return ctx;
}

std::string Options::Get(std::string_view name, std::string_view fallback) const {
  auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return std::string(fallback);
  return it->second.back();
}

absl::StatusOr<Options> ReadOptions(const Args& args, size_t start,
                                    std::initializer_list<std::string_view> names) {
  Options out;
  for (size_t i = start; i < args.size(); ++i) {
    bool taken = false;
    for (std::string_view name : names) {
      std::string_view value;
      absl::StatusOr<bool> took = TakeOptionValue(args, &i, name, &value);
      if (!took.ok()) return took.status();
      if (*took) {
        out.values[std::string(name)].emplace_back(value);
        taken = true;
        break;
      }
    }
    if (taken) continue;
    if (args[i].starts_with("--")) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown option '", std::string(args[i]), "'"));
    }
    out.positional.emplace_back(args[i]);
  }
  return out;
}

}  // namespace busbar::cli
