// Test helper (header-only): an httplib::Server on 127.0.0.1:<free port>, in the test's own
// process, that records every request (method, path, raw target, query parameters, headers,
// body, arrival time, the status it answered) and answers each path prefix as the test says:
// a fixed status, a status that changes with the request's number or a flag, Retry-After, or a
// hang (the handler waits until the server is destroyed, so the client times out).
//
// Threads: thread-safe. Routes may be added or changed while the server runs; handlers run on
// the server's pool threads. The destructor releases hung handlers, then stops and joins.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "httplib.h"

namespace busbar::testing {

struct RecordedRequest {
  std::string method;
  std::string path;    // as the server decoded it
  std::string target;  // the raw request target: path and query, as sent
  httplib::Params params;
  httplib::Headers headers;  // names compared case-insensitively
  std::string body;
  absl::Time at;   // when the handler started
  int status = 0;  // what the server answered; 0 for a hang

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  std::string Param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? "" : it->second;
  }
};

// What a route answers.
struct Reply {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool hang = false;  // answer nothing until the server is destroyed

  static Reply Status(int status, std::string body = "") {
    Reply r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
  static Reply Hang() {
    Reply r;
    r.status = 0;
    r.hang = true;
    return r;
  }
};

class RecordingHttpServer {
 public:
  // Given the request and how many requests to the same route came before it.
  using Responder = std::function<Reply(const RecordedRequest& request, int earlier)>;

  RecordingHttpServer() {
    server_.new_task_queue = [] { return new httplib::ThreadPool(32); };
    server_.set_tcp_nodelay(true);
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      Handle(req, res);
    };
    server_.Get(".*", handler);
    server_.Post(".*", handler);
    server_.Put(".*", handler);
    server_.Patch(".*", handler);
    server_.Delete(".*", handler);
    server_.Options(".*", handler);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) absl::SleepFor(absl::Milliseconds(1));
  }

  ~RecordingHttpServer() {
    {
      absl::MutexLock lock(&mu_);
      released_ = true;
    }
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  RecordingHttpServer(const RecordingHttpServer&) = delete;
  RecordingHttpServer& operator=(const RecordingHttpServer&) = delete;

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Requests whose path starts with `prefix` get `responder`'s answer (the longest matching
  // prefix wins); other paths get 404.
  void Route(std::string prefix, Responder responder) {
    absl::MutexLock lock(&mu_);
    for (auto& [p, r] : routes_) {
      if (p == prefix) {
        r = std::move(responder);
        return;
      }
    }
    routes_.emplace_back(std::move(prefix), std::move(responder));
  }
  void Route(std::string prefix, Reply reply) {
    Route(std::move(prefix), [reply](const RecordedRequest&, int) { return reply; });
  }

  // The requests so far whose path starts with `prefix`, in arrival order.
  std::vector<RecordedRequest> Requests(std::string_view prefix = "") const {
    absl::MutexLock lock(&mu_);
    std::vector<RecordedRequest> out;
    for (const RecordedRequest& r : requests_) {
      if (std::string_view(r.path).substr(0, prefix.size()) == prefix) out.push_back(r);
    }
    return out;
  }
  size_t Count(std::string_view prefix = "") const { return Requests(prefix).size(); }

  // Waits until at least `n` requests to `prefix` arrived or `timeout` passed.
  bool WaitForCount(std::string_view prefix, size_t n, absl::Duration timeout) const {
    const absl::Time deadline = absl::Now() + timeout;
    while (Count(prefix) < n) {
      if (absl::Now() > deadline) return false;
      absl::SleepFor(absl::Milliseconds(10));
    }
    return true;
  }

 private:
  void Handle(const httplib::Request& req, httplib::Response& res) {
    RecordedRequest r;
    r.at = absl::Now();
    r.method = req.method;
    r.path = req.path;
    r.target = req.target;
    r.params = req.params;
    r.headers = req.headers;
    r.body = req.body;
    Responder responder;
    int earlier = 0;
    size_t index = 0;
    {
      absl::MutexLock lock(&mu_);
      size_t best = 0;
      for (const auto& [prefix, fn] : routes_) {
        if (r.path.compare(0, prefix.size(), prefix) == 0 && prefix.size() >= best) {
          best = prefix.size();
          responder = fn;
        }
      }
      std::string route = r.path.substr(0, best);
      earlier = route_counts_[route]++;
      index = requests_.size();
      requests_.push_back(r);
    }
    Reply reply = responder ? responder(r, earlier) : Reply::Status(404, "no route");
    if (reply.hang) {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&released_), absl::Seconds(60));
      res.status = 503;
      return;
    }
    {
      absl::MutexLock lock(&mu_);
      requests_[index].status = reply.status;
    }
    res.status = reply.status;
    for (const auto& [name, value] : reply.headers) res.set_header(name, value);
    res.set_content(reply.body, "text/plain");
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable absl::Mutex mu_;
  bool released_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::pair<std::string, Responder>> routes_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> route_counts_ ABSL_GUARDED_BY(mu_);
  std::vector<RecordedRequest> requests_ ABSL_GUARDED_BY(mu_);
};

}  // namespace busbar::testing
