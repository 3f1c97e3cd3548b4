// e2e: acknowledged events survive kill -9. A real `busbar serve` process is
// started on a free loopback port; producers send PutEvents batches while the
// daemon is killed with SIGKILL and restarted several times. At the end every
// acknowledged event id must be received from the queue at least once.
//
// Usage (ctest passes these): kill9_test BUSBAR_BINARY [ROUNDS]
#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "busbar/v1/events.grpc.pb.h"
#include "busbar/v1/queues.grpc.pb.h"
#include "tests/testing/daemon_process.h"

namespace v1 = ::busbar::v1;

namespace {

bool WaitReady(v1::EventsService::Stub& stub) {
  for (int i = 0; i < 200; ++i) {
    v1::TestEventPatternRequest req;
    req.set_event_pattern(R"({"a":["b"]})");
    req.set_event(R"({"a":"b"})");
    v1::TestEventPatternResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
    if (stub.TestEventPattern(&ctx, req, &resp).ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string IdOf(const std::string& body) {
  size_t at = body.find("\"id\":\"");
  return at == std::string::npos ? "" : body.substr(at + 6, 36);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: kill9_test BUSBAR_BINARY [ROUNDS]\n");
    return 2;
  }
  const std::string binary = argv[1];
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  char tmpl[] = "/tmp/busbar-kill9-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string rules = dir + "/rules.yaml", data = dir + "/data", log = dir + "/serve.log";
  std::ofstream(rules) << busbar::testing::OneQueueRuleFile("load");
  const std::string listen = "127.0.0.1:" + std::to_string(busbar::testing::FreeLoopbackPort());
  auto channel = grpc::CreateChannel(listen, grpc::InsecureChannelCredentials());
  auto events = v1::EventsService::NewStub(channel);

  std::mutex mu;
  std::set<std::string> acked;
  long failed_calls = 0;
  std::mt19937 rng(42);
  for (int round = 0; round < rounds; ++round) {
    pid_t pid = busbar::testing::StartServe(binary, listen, data, rules, {}, log);
    if (!WaitReady(*events)) {
      std::fprintf(stderr, "round %d: daemon did not come up; log in %s\n", round, log.c_str());
      return 1;
    }
    std::atomic<bool> stop{false};
    std::vector<std::thread> producers;
    for (int t = 0; t < 4; ++t) {
      producers.emplace_back([&, t] {
        int n = 0;
        while (!stop.load()) {
          v1::PutEventsRequest req;
          for (int i = 0; i < 10; ++i) {
            auto* e = req.add_entries();
            e->set_source("load");
            e->set_detail_type("tick");
            e->set_detail("{\"producer\":" + std::to_string(t) + ",\"n\":" + std::to_string(n++) +
                          "}");
          }
          v1::PutEventsResponse resp;
          grpc::ClientContext ctx;
          ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
          grpc::Status s = events->PutEvents(&ctx, req, &resp);
          std::lock_guard<std::mutex> lock(mu);
          if (!s.ok()) {
            ++failed_calls;
            continue;
          }
          for (const auto& r : resp.entries()) {
            if (!r.event_id().empty()) acked.insert(r.event_id());
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200 + rng() % 400));
    kill(pid, SIGKILL);  // mid-flight: some calls die unanswered
    int status = 0;
    waitpid(pid, &status, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    stop = true;
    for (auto& p : producers) p.join();
    std::printf("round %d: %zu events acknowledged so far, %ld calls failed\n", round, acked.size(),
                failed_calls);
  }

  // Restart once more and drain the queue.
  pid_t pid = busbar::testing::StartServe(binary, listen, data, rules, {}, log);
  if (!WaitReady(*events)) return 1;
  auto queues = v1::QueuesService::NewStub(channel);
  std::set<std::string> received;
  while (true) {
    v1::ReceiveMessageRequest req;
    req.set_queue_name("q");
    req.set_max_number_of_messages(10);
    req.set_wait_time_seconds(1);
    req.set_visibility_timeout(600);
    v1::ReceiveMessageResponse resp;
    grpc::ClientContext ctx;
    grpc::Status s = queues->ReceiveMessage(&ctx, req, &resp);
    if (!s.ok()) {
      std::fprintf(stderr, "receive failed: %s\n", s.error_message().c_str());
      break;
    }
    if (resp.messages_size() == 0) break;
    for (const auto& m : resp.messages()) received.insert(IdOf(m.body()));
  }
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);

  size_t lost = 0;
  for (const auto& id : acked) {
    if (!received.count(id)) {
      if (lost < 5) std::fprintf(stderr, "LOST acknowledged event %s\n", id.c_str());
      ++lost;
    }
  }
  std::printf("kill -9 x%d: %zu acknowledged, %zu received, %zu lost\n", rounds, acked.size(),
              received.size(), lost);
  const bool ok = lost == 0 && !acked.empty() && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (ok) std::filesystem::remove_all(dir);
  return ok ? 0 : 1;
}
