// Daemon load benchmark: starts `busbar serve` on a free loopback port with one
// rule sending every event to one queue, then sends PutEvents batches of 10 ~1 KB
// events — C calls in flight at once as fast as they are answered, or at an offered
// rate (open loop) — while N consumers (default 1) long-poll the queue. Prints acknowledged
// events/s, PutEvents latency p50/p99/p99.9 and put-to-receive latency p50/p99. Figures only: no
// assertion on speed. Schema discovery is on (the daemon's default) unless --discovery off,
// which stops the default bus's discoverer before the load; the events come in --shapes N
// shapes (default 10: the detail has one of N optional field names), so discovery sees both
// new shapes and known ones.
//
// Usage: put_events_bench BUSBAR [--clients C] [--seconds S] [--rate EVENTS_PER_S]
//                                [--fsync batch|off] [--consumers N] [--discovery on|off]
//                                [--shapes N]
#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "busbar/v1/events.grpc.pb.h"
#include "busbar/v1/queues.grpc.pb.h"
#include "busbar/v1/schemas.grpc.pb.h"
#include "tests/testing/daemon_process.h"

namespace v1 = ::busbar::v1;
using Clock = std::chrono::steady_clock;

namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(p / 100.0 * (v.size() - 1));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: put_events_bench BUSBAR [--clients C] [--seconds S] [--rate R] "
                 "[--fsync batch|off] [--consumers N] [--discovery on|off] [--shapes N]\n");
    return 2;
  }
  const std::string binary = argv[1];
  int clients = 16;
  int consumer_threads = 1;
  int shapes = 10;
  std::string discovery = "on";
  double seconds = 10, rate = 0;
  std::string fsync = "batch";
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--clients")) clients = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--seconds")) seconds = std::atof(argv[i + 1]);
    if (!std::strcmp(argv[i], "--rate")) rate = std::atof(argv[i + 1]);
    if (!std::strcmp(argv[i], "--fsync")) fsync = argv[i + 1];
    if (!std::strcmp(argv[i], "--consumers")) consumer_threads = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--discovery")) discovery = argv[i + 1];
    if (!std::strcmp(argv[i], "--shapes")) shapes = std::max(1, std::atoi(argv[i + 1]));
  }
  char tmpl[] = "/tmp/busbar-bench-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string rules = dir + "/rules.yaml";
  std::ofstream(rules) << busbar::testing::OneQueueRuleFile("bench");
  const std::string listen = "127.0.0.1:" + std::to_string(busbar::testing::FreeLoopbackPort());
  pid_t pid = busbar::testing::StartServe(binary, listen, dir + "/data", rules, {"--fsync", fsync});
  auto channel = grpc::CreateChannel(listen, grpc::InsecureChannelCredentials());
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
    std::fprintf(stderr, "daemon did not start\n");
    return 1;
  }
  if (discovery == "off") {
    auto schemas = v1::SchemasService::NewStub(channel);
    v1::StopDiscovererRequest req;
    v1::StopDiscovererResponse resp;
    grpc::ClientContext ctx;
    grpc::Status s = schemas->StopDiscoverer(&ctx, req, &resp);
    if (!s.ok()) {
      std::fprintf(stderr, "StopDiscoverer: %s\n", s.error_message().c_str());
      return 1;
    }
  }

  std::atomic<bool> stop{false}, stop_consumer{false};
  std::atomic<long> acked{0}, failed{0};
  std::mutex mu;
  std::vector<double> put_ms, e2e_ms;
  const std::string pad(900, 'x');

  auto consume = [&] {
    auto queues = v1::QueuesService::NewStub(channel);
    std::vector<double> local;
    while (!stop_consumer.load()) {
      v1::ReceiveMessageRequest req;
      req.set_queue_name("q");
      req.set_max_number_of_messages(10);
      req.set_wait_time_seconds(1);
      req.set_visibility_timeout(3600);
      v1::ReceiveMessageResponse resp;
      grpc::ClientContext ctx;
      if (!queues->ReceiveMessage(&ctx, req, &resp).ok()) continue;
      const int64_t now = NowNs();
      for (const auto& m : resp.messages()) {
        size_t at = m.body().find("\"sent_ns\":");
        if (at != std::string::npos) {
          local.push_back((now - std::atoll(m.body().c_str() + at + 10)) / 1e6);
        }
      }
    }
    std::lock_guard<std::mutex> lock(mu);
    e2e_ms.insert(e2e_ms.end(), local.begin(), local.end());
  };
  std::vector<std::thread> consumers;
  for (int i = 0; i < consumer_threads; ++i) consumers.emplace_back(consume);

  // Producers use gRPC's callback API: `clients` calls in flight at once, each re-sent from
  // its completion (as fast as possible), or — with --rate — one pacing thread starting a call
  // every 10/rate seconds without waiting for answers (open loop, so a slow answer does not
  // hide the latency of the ones queued behind it). Few threads: the load generator leaves
  // the cores to the daemon it measures.
  auto events = v1::EventsService::NewStub(channel);
  std::atomic<long> in_flight{0};
  struct Call {
    grpc::ClientContext ctx;
    v1::PutEventsRequest req;
    v1::PutEventsResponse resp;
    int64_t sent = 0;
  };
  std::function<void()> send_one;
  auto finish = [&](Call* call, const grpc::Status& s) {
    const int64_t now = NowNs();
    if (!s.ok() || call->resp.failed_entry_count() != 0) {
      ++failed;
    } else {
      acked += 10;
      std::lock_guard<std::mutex> lock(mu);
      put_ms.push_back((now - call->sent) / 1e6);
    }
    delete call;
    --in_flight;
  };
  std::atomic<long> sequence{0};
  send_one = [&] {
    auto* call = new Call;
    call->sent = NowNs();
    for (int i = 0; i < 10; ++i) {
      auto* e = call->req.add_entries();
      e->set_source("bench");
      e->set_detail_type("load");
      const long shape = sequence++ % shapes;
      e->set_detail("{\"sent_ns\":" + std::to_string(call->sent) + ",\"f" + std::to_string(shape) +
                    "\":1,\"pad\":\"" + pad + "\"}");
    }
    ++in_flight;
    events->async()->PutEvents(&call->ctx, &call->req, &call->resp, [&, call](grpc::Status s) {
      finish(call, s);
      if (rate <= 0 && !stop.load()) send_one();
    });
  };
  const auto start = Clock::now();
  std::thread pacer;
  if (rate > 0) {
    pacer = std::thread([&] {
      const auto interval = std::chrono::duration<double>(10.0 / rate);
      auto next = Clock::now();
      while (!stop.load()) {
        std::this_thread::sleep_until(next);
        next += std::chrono::duration_cast<Clock::duration>(interval);
        send_one();
      }
    });
  } else {
    for (int c = 0; c < clients; ++c) send_one();
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  if (pacer.joinable()) pacer.join();
  while (in_flight.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  stop_consumer = true;
  for (auto& c : consumers) c.join();
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  std::filesystem::remove_all(dir);

  std::printf(
      "calls in flight=%s consumers=%d offered=%s fsync=%s discovery=%s shapes=%d seconds=%.1f\n",
      rate > 0 ? "open loop" : std::to_string(clients).c_str(), consumer_threads,
      rate > 0 ? std::to_string(static_cast<long>(rate)).c_str() : "max", fsync.c_str(),
      discovery.c_str(), shapes, elapsed);
  std::printf("acknowledged events/s: %.0f (%ld events, %ld failed calls)\n", acked / elapsed,
              acked.load(), failed.load());
  std::printf("PutEvents latency ms: p50 %.2f  p99 %.2f  p99.9 %.2f\n", Percentile(put_ms, 50),
              Percentile(put_ms, 99), Percentile(put_ms, 99.9));
  std::printf("put-to-receive latency ms: p50 %.2f  p99 %.2f  (%zu received)\n",
              Percentile(e2e_ms, 50), Percentile(e2e_ms, 99), e2e_ms.size());
  return 0;
}
