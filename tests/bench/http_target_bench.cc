// HTTP target benchmark: starts an httplib::Server on 127.0.0.1 (port 0, in this process)
// answering 200 to every POST, then delivers N events (1 KiB JSON bodies, Basic auth) through
// one HttpDeliverer with C worker threads and rate limiting off, all submitted at once. Prints
// deliveries/s over the whole run and the per-call latency p50/p99 (HttpOutcome::duration: from
// the start of the request to its outcome, without the time a call waited for a worker).
// Figures only: no assertion on speed.
//
// Usage: http_target_bench [--events N] [--threads C]      (defaults: 20000 events, 8 threads)
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "httplib.h"
#include "targets/http_target.h"

namespace {

using busbar::targets::HttpCall;
using busbar::targets::HttpDeliverer;
using busbar::targets::HttpOutcome;

int64_t Percentile(std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t index = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1));
  return sorted[index];
}

}  // namespace

int main(int argc, char** argv) {
  int events = 20000;
  int threads = 8;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--events") == 0) {
      events = std::atoi(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--threads") == 0) {
      threads = std::atoi(argv[i + 1]);
    } else {
      std::fprintf(stderr, "usage: %s [--events N] [--threads C]\n", argv[0]);
      return 2;
    }
  }
  if (events < 1 || threads < 1) {
    std::fprintf(stderr, "--events and --threads must be positive\n");
    return 2;
  }

  httplib::Server server;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads + 4); };
  server.set_keep_alive_max_count(1000000);
  server.set_tcp_nodelay(true);
  std::atomic<int64_t> received = 0;
  server.Post(".*", [&](const httplib::Request&, httplib::Response& res) {
    ++received;
    res.status = 200;
  });
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread server_thread([&] { server.listen_after_bind(); });
  while (!server.is_running()) absl::SleepFor(absl::Milliseconds(1));

  auto deliverer = HttpDeliverer::Create({.threads = threads, .rate_limit_override = 0});
  if (!deliverer.ok()) {
    std::fprintf(stderr, "%s\n", deliverer.status().ToString().c_str());
    return 1;
  }
  HttpCall call;
  call.connection.name = "bench";
  call.connection.basic = {"user", "password"};
  call.destination.name = "bench";
  call.destination.connection_name = "bench";
  call.destination.invocation_endpoint = absl::StrCat("http://127.0.0.1:", port, "/events");
  call.body = absl::StrCat(R"({"detail-type":"bench","detail":{"pad":")", std::string(981, 'x'),
                           R"("}})");  // 1024 bytes

  absl::Mutex mu;
  std::vector<int64_t> latencies_us;
  latencies_us.reserve(events);
  int failures = 0;
  std::atomic<int> finished = 0;
  absl::Notification all_done;
  absl::Time start = absl::Now();
  for (int i = 0; i < events; ++i) {
    (*deliverer)->Deliver(call, [&](HttpOutcome outcome) {
      {
        absl::MutexLock lock(&mu);
        latencies_us.push_back(absl::ToInt64Microseconds(outcome.duration));
        if (outcome.result != HttpOutcome::Result::kDelivered) ++failures;
      }
      if (++finished == events) all_done.Notify();
    });
  }
  all_done.WaitForNotification();
  absl::Duration elapsed = absl::Now() - start;
  (*deliverer)->Shutdown();
  server.stop();
  server_thread.join();

  std::sort(latencies_us.begin(), latencies_us.end());
  std::printf("events: %d  threads: %d  body: %zu bytes  failures: %d  received: %lld\n", events,
              threads, call.body.size(), failures, static_cast<long long>(received.load()));
  std::printf("http deliveries/s: %.0f\n", events / absl::ToDoubleSeconds(elapsed));
  std::printf("latency p50: %lld us  p99: %lld us\n",
              static_cast<long long>(Percentile(latencies_us, 0.50)),
              static_cast<long long>(Percentile(latencies_us, 0.99)));
  return failures == 0 ? 0 : 1;
}
