// Internal to targets/: the AWS Lambda Runtime API (2018-06-01) of one execution environment,
// served by cpp-httplib on 127.0.0.1:<ephemeral port>. The routes only translate HTTP to
// RuntimeApiHandler calls; every decision is the host's.
#include <atomic>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "httplib.h"
#include "targets/function_internal.h"
#include "targets/ids.h"

namespace busbar::targets::function_internal {
namespace {

constexpr char kJson[] = "application/json";
constexpr char kAccepted[] = R"({"status":"OK"})";
constexpr size_t kMaxRequestBody = 3 * kMaxInvokePayloadBytes;  // larger: 413 from httplib

std::string TraceId() {
  int64_t seconds = absl::ToUnixSeconds(absl::Now());
  return absl::StrCat("Root=1-", absl::Hex(seconds, absl::kZeroPad8), "-", RandomHex(12),
                      ";Parent=", RandomHex(8), ";Sampled=0");
}

void Reply(httplib::Response& res, PostOutcome outcome) {
  switch (outcome) {
    case PostOutcome::kAccepted:
      res.status = 202;
      res.set_content(kAccepted, kJson);
      return;
    case PostOutcome::kInvalidRequestId:
      res.status = 400;
      res.set_content(ErrorDocument("Invalid request ID", "InvalidRequestID"), kJson);
      return;
    case PostOutcome::kTooLarge:
      res.status = 413;
      res.set_content(ErrorDocument(absl::StrCat("Exceeded maximum allowed payload size (",
                                                 kMaxInvokePayloadBytes, " bytes)."),
                                    "RequestEntityTooLarge"),
                      kJson);
      return;
  }
}

}  // namespace

struct RuntimeApiServer::Impl {
  httplib::Server server;
  std::thread listener;
  std::atomic<bool> listener_done{false};
  bool stopped = false;
};

RuntimeApiServer::RuntimeApiServer(std::unique_ptr<Impl> impl, uint16_t port)
    : impl_(std::move(impl)), port_(port) {}

RuntimeApiServer::~RuntimeApiServer() { Stop(); }

absl::StatusOr<std::unique_ptr<RuntimeApiServer>> RuntimeApiServer::Start(
    RuntimeApiHandler* handler, Environment* env) {
  auto impl = std::make_unique<Impl>();
  httplib::Server& server = impl->server;
  // A runtime keeps one connection (its /next blocks a worker) and may open another to post.
  server.new_task_queue = [] { return new httplib::ThreadPool(3); };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1'000'000'000);
  server.set_payload_max_length(kMaxRequestBody);

  server.Get("/2018-06-01/runtime/invocation/next", [handler, env](const httplib::Request&,
                                                                   httplib::Response& res) {
    std::optional<NextInvocation> next = handler->Next(*env);
    if (!next.has_value()) {
      res.status = 500;
      res.set_content(
          ErrorDocument("The environment is shutting down", "Runtime.EnvironmentStopped"), kJson);
      return;
    }
    res.status = 200;
    res.set_header("Lambda-Runtime-Aws-Request-Id", next->request_id);
    res.set_header("Lambda-Runtime-Deadline-Ms", absl::StrCat(next->deadline_ms));
    res.set_header("Lambda-Runtime-Invoked-Function-Arn", next->function_arn);
    res.set_header("Lambda-Runtime-Trace-Id", TraceId());
    res.set_content(std::move(next->payload), kJson);
  });
  server.Post(R"(/2018-06-01/runtime/invocation/([^/]+)/response)",
              [handler, env](const httplib::Request& req, httplib::Response& res) {
                Reply(res, handler->Response(*env, req.matches[1].str(), req.body));
              });
  server.Post(R"(/2018-06-01/runtime/invocation/([^/]+)/error)",
              [handler, env](const httplib::Request& req, httplib::Response& res) {
                Reply(res,
                      handler->Error(*env, req.matches[1].str(), req.body,
                                     req.get_header_value("Lambda-Runtime-Function-Error-Type")));
              });
  server.Post("/2018-06-01/runtime/init/error", [handler, env](const httplib::Request& req,
                                                               httplib::Response& res) {
    handler->InitError(*env, req.body, req.get_header_value("Lambda-Runtime-Function-Error-Type"));
    Reply(res, PostOutcome::kAccepted);
  });

  int port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) return absl::UnavailableError("Runtime API: cannot bind 127.0.0.1");
  impl->listener = std::thread([impl = impl.get()] {
    impl->server.listen_after_bind();
    impl->listener_done = true;
  });
  // stop() is a no-op until the listener runs, so wait for it before anyone may call Stop().
  while (!server.is_running() && !impl->listener_done.load()) {
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  return std::unique_ptr<RuntimeApiServer>(
      new RuntimeApiServer(std::move(impl), static_cast<uint16_t>(port)));
}

void RuntimeApiServer::Stop() {
  if (impl_ == nullptr || impl_->stopped) return;
  impl_->stopped = true;
  impl_->server.stop();
  if (impl_->listener.joinable()) impl_->listener.join();
}

}  // namespace busbar::targets::function_internal
