// Helpers of the client commands; see rpc.h.
#include "bus/cli/rpc.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "matcher/base/base.h"

namespace busbar::cli {

absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(Args& args) {
  absl::StatusOr<std::optional<std::string>> given = TakeOption(args, "--endpoint");
  if (!given.ok()) return given.status();
  std::string endpoint = "127.0.0.1:4195";
  if (given->has_value()) {
    endpoint = **given;
  } else if (const char* env = std::getenv("BUSBAR_ENDPOINT"); env != nullptr && *env) {
    endpoint = env;
  }
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

std::string Rfc3339(const google::protobuf::Timestamp& t) {
  return base::FormatRfc3339(t.seconds() * 1000, base::Rfc3339Precision::kSeconds);
}

}  // namespace busbar::cli
