// Delivery benchmark: the whole asynchronous path of a daemon — PutEvents over gRPC, the
// outbox, the dispatcher and the target — measured end to end. An in-process Daemon on
// 127.0.0.1:0 (fsync off: this measures delivery, not the disk) has one rule sending every
// event to one target; C client threads put N events in batches of 10, each event's detail
// carrying the wall-clock time of its put in µs.
//
//   default     the target is an API destination at an httplib::Server in this process that
//               answers 200 (rate limit lifted with DaemonOptions::http_rate_limit_override);
//               latency = the server's receipt time − the put time.
//   --function  the target is a function running the Python runtime's noop handler
//               (tests/testdata/functions/runtime.py) with an OnSuccess destination queue;
//               latency = the invocation record's timestamp (ms, written when the function
//               returned) − the put time.
//
// Prints deliveries/s from the first put until all N were delivered, and latency p50/p99.
// Figures only: no assertion on speed.
//
// Usage: delivery_bench [--events N] [--clients C] [--function] [--environments E]
//        (defaults: 20000 events, 4 clients, 4 function environments)
#include <grpcpp/grpcpp.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bus/server/daemon.h"
#include "busbar/v1/events.grpc.pb.h"
#include "busbar/v1/queues.grpc.pb.h"
#include "httplib.h"

#ifndef BUSBAR_TESTDATA_DIR
#error "BUSBAR_TESTDATA_DIR must name the tests/testdata directory"
#endif
#ifndef BUSBAR_PYTHON3
#error "BUSBAR_PYTHON3 must name a python3 interpreter"
#endif

namespace {

namespace v1 = ::busbar::v1;

constexpr char kHttpRules[] = R"(Connections:
  - Name: conn
    AuthorizationType: API_KEY
    AuthParameters:
      ApiKeyAuthParameters: {ApiKeyName: x-api-key, ApiKeyValue: k}
ApiDestinations:
  - Name: sink
    ConnectionArn: arn:aws:events:us-east-1:000000000000:connection/conn
    InvocationEndpoint: BASE/events
    HttpMethod: POST
Rules:
  - Name: bench
    EventPattern: {"source": ["bench"]}
    Targets:
      - Id: sink
        Arn: arn:aws:events:us-east-1:000000000000:api-destination/sink
)";

constexpr char kFunctionRules[] = R"(Queues:
  - Name: done
Functions:
  - FunctionName: noop
    Command: [PYTHON, runtime.py]
    CodeDirectory: CODE
    Handler: noop
    Timeout: 30
    MaximumRetryAttempts: 0
    DestinationConfig: {OnSuccess: {Destination: "arn:aws:sqs:us-east-1:000000000000:done"}}
Rules:
  - Name: bench
    EventPattern: {"source": ["bench"]}
    Targets:
      - Id: noop
        Arn: arn:aws:lambda:us-east-1:000000000000:function:noop
)";

int64_t NowUs() { return absl::GetCurrentTimeNanos() / 1000; }

// The integer after `"key":` in `text`, or -1.
int64_t NumberAfter(std::string_view text, std::string_view key) {
  size_t at = text.find(key);
  if (at == std::string_view::npos) return -1;
  at += key.size();
  size_t end = at;
  while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
  int64_t v = -1;
  return absl::SimpleAtoi(std::string(text.substr(at, end - at)), &v) ? v : -1;
}

double Percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  return sorted[static_cast<size_t>(p * static_cast<double>(sorted.size() - 1))];
}

// Puts `events` events from `clients` threads in batches of 10; returns false on any failure.
bool PutAll(v1::EventsService::Stub& stub, int events, int clients) {
  std::atomic<int> next{0};
  std::atomic<bool> ok{true};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      while (ok.load()) {
        const int first = next.fetch_add(10);
        if (first >= events) return;
        v1::PutEventsRequest req;
        const int64_t put_us = NowUs();
        for (int i = first; i < std::min(events, first + 10); ++i) {
          auto* e = req.add_entries();
          e->set_source("bench");
          e->set_detail_type("tick");
          e->set_detail(absl::StrCat(R"({"put_us":)", put_us, R"(,"n":)", i, "}"));
        }
        v1::PutEventsResponse resp;
        grpc::ClientContext ctx;
        grpc::Status s = stub.PutEvents(&ctx, req, &resp);
        if (!s.ok() || resp.failed_entry_count() != 0) {
          std::fprintf(stderr, "PutEvents failed: %s %s\n", s.error_message().c_str(),
                       resp.DebugString().c_str());
          ok = false;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  return ok.load();
}

// Waits until `done()` or 10 minutes pass.
template <typename Pred>
bool WaitUntil(Pred done) {
  const absl::Time deadline = absl::Now() + absl::Minutes(10);
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

void Report(const char* kind, int events, absl::Duration elapsed, double put_s,
            std::vector<double>& latencies_ms) {
  std::sort(latencies_ms.begin(), latencies_ms.end());
  std::printf("%s events: %d  put done after %.2f s  all delivered after %.2f s\n", kind, events,
              put_s, absl::ToDoubleSeconds(elapsed));
  std::printf("%s deliveries/s: %.0f\n", kind, events / absl::ToDoubleSeconds(elapsed));
  std::printf("latency p50: %.1f ms p99: %.1f ms (%zu samples)\n", Percentile(latencies_ms, 0.50),
              Percentile(latencies_ms, 0.99), latencies_ms.size());
}

}  // namespace

int main(int argc, char** argv) {
  int events = 20000;
  int clients = 4;
  int environments = 4;
  bool function = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--function") == 0) {
      function = true;
    } else if (i + 1 < argc && std::strcmp(argv[i], "--events") == 0) {
      events = std::atoi(argv[++i]);
    } else if (i + 1 < argc && std::strcmp(argv[i], "--clients") == 0) {
      clients = std::atoi(argv[++i]);
    } else if (i + 1 < argc && std::strcmp(argv[i], "--environments") == 0) {
      environments = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: %s [--events N] [--clients C] [--function] [--environments E]\n",
                   argv[0]);
      return 2;
    }
  }
  if (events < 1 || clients < 1 || environments < 1) {
    std::fprintf(stderr, "--events, --clients and --environments must be positive\n");
    return 2;
  }

  char tmpl[] = "/tmp/busbar-delivery-bench-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string rules = dir + "/rules.yaml";

  // The HTTP sink (HTTP mode only): receipt time − put time per event.
  httplib::Server server;
  std::thread server_thread;
  absl::Mutex mu;
  std::vector<double> latencies_ms;
  latencies_ms.reserve(events);
  std::atomic<int> received{0};
  if (!function) {
    server.new_task_queue = [] { return new httplib::ThreadPool(16); };
    server.set_keep_alive_max_count(1000000);
    server.set_tcp_nodelay(true);
    server.Post(".*", [&](const httplib::Request& req, httplib::Response& res) {
      const int64_t now = NowUs();
      const int64_t put = NumberAfter(req.body, "\"put_us\":");
      {
        absl::MutexLock lock(&mu);
        if (put > 0) latencies_ms.push_back(static_cast<double>(now - put) / 1000.0);
      }
      ++received;
      res.status = 200;
    });
    const int port = server.bind_to_any_port("127.0.0.1");
    server_thread = std::thread([&] { server.listen_after_bind(); });
    while (!server.is_running()) absl::SleepFor(absl::Milliseconds(1));
    std::ofstream(rules) << absl::StrReplaceAll(
        kHttpRules, {{"BASE", absl::StrCat("http://127.0.0.1:", port)}});
  } else {
    std::ofstream(rules) << absl::StrReplaceAll(
        kFunctionRules,
        {{"PYTHON", BUSBAR_PYTHON3}, {"CODE", std::string(BUSBAR_TESTDATA_DIR) + "/functions"}});
  }

  busbar::bus::DaemonOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = dir + "/data";
  options.config_files = {rules};
  options.fsync = busbar::targets::FsyncPolicy::kOff;
  options.http_rate_limit_override = 1'000'000;  // lifts the 300/s cap of a destination
  options.max_function_environments = environments;
  auto daemon = busbar::bus::Daemon::Start(options);
  if (!daemon.ok()) {
    std::fprintf(stderr, "%s\n", daemon.status().ToString().c_str());
    return 1;
  }
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*daemon)->port()),
                                     grpc::InsecureChannelCredentials());
  auto stub = v1::EventsService::NewStub(channel);

  auto delivered = [&]() -> uint64_t {
    if (!function) return static_cast<uint64_t>(received.load());
    auto m = (*daemon)->GetRuleMetrics("default", "bench");
    return m.ok() ? m->targets["noop"].invocations : 0;
  };

  std::printf("mode: %s  clients: %d  fsync: off%s\n", function ? "function (noop)" : "http",
              clients, function ? absl::StrCat("  environments: ", environments).c_str() : "");
  const absl::Time start = absl::Now();
  const bool put_ok = PutAll(*stub, events, clients);
  const double put_s = absl::ToDoubleSeconds(absl::Now() - start);
  const bool all =
      put_ok && WaitUntil([&] { return delivered() >= static_cast<uint64_t>(events); });
  const absl::Duration elapsed = absl::Now() - start;
  if (!all) {
    std::fprintf(stderr, "only %llu of %d events delivered\n",
                 static_cast<unsigned long long>(delivered()), events);
  }

  if (function) {
    // Each invocation record: "timestamp" (when the function returned) and the event.
    auto queues = v1::QueuesService::NewStub(channel);
    while (all) {
      v1::ReceiveMessageRequest req;
      req.set_queue_name("done");
      req.set_max_number_of_messages(10);
      req.set_visibility_timeout(600);
      v1::ReceiveMessageResponse resp;
      grpc::ClientContext ctx;
      if (!queues->ReceiveMessage(&ctx, req, &resp).ok() || resp.messages_size() == 0) break;
      for (const auto& m : resp.messages()) {
        const std::string& body = m.body();
        size_t at = body.find("\"timestamp\":\"");
        absl::Time t;
        std::string err;
        if (at == std::string::npos ||
            !absl::ParseTime(absl::RFC3339_full, body.substr(at + 13, 24), &t, &err)) {
          continue;
        }
        const int64_t put = NumberAfter(body, "\"put_us\":");
        if (put > 0) {
          latencies_ms.push_back(static_cast<double>(absl::ToUnixMicros(t) - put) / 1000.0);
        }
      }
    }
  }
  (*daemon)->Shutdown();
  daemon->reset();
  if (!function) {
    server.stop();
    server_thread.join();
  }
  Report(function ? "function" : "http", events, elapsed, put_s, latencies_ms);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return all ? 0 : 1;
}
