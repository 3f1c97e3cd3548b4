// HttpDeliverer: a pool of worker threads making API destination calls with cpp-httplib.
//
// Rate limits. Each destination has a next free slot; Deliver reserves the call's slot (now, or
// the destination's next slot if later) and moves the next slot on by 1/rate seconds, so calls
// to one destination start at least 1/rate apart (no burst). Calls wait in one queue ordered by
// slot, then arrival; a worker takes the first call whose slot has come, so a throttled
// destination never holds a worker while other destinations' calls are ready.
//
// Connections. httplib::Client is not safe for concurrent calls, so each worker takes a client
// for the call's scheme://host:port from a per-host pool of idle clients (creating one when the
// pool is empty) and gives it back afterwards, keeping the connection alive for the next call.
// A client whose call failed is dropped (its connection may be in any state).
//
// Timeouts. httplib bounds connecting, each write and each read by a timeout; all three are set
// to HttpDelivererOptions::timeout, and receiving the body is also cancelled once the call's
// deadline (start + timeout) has passed. A failure after the deadline, or a connect or read
// timeout, is reported as TIMEOUT.
#include "targets/http_target.h"

#include <algorithm>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "httplib.h"
#include "targets/http_internal.h"

namespace busbar::targets {
namespace {

HttpOutcome ShuttingDown() {
  HttpOutcome outcome;
  outcome.result = HttpOutcome::Result::kRetry;
  outcome.error_code = "SHUTTING_DOWN";
  outcome.error_message = "Busbar is shutting down; the call was not made";
  outcome.duration = absl::ZeroDuration();
  return outcome;
}

HttpOutcome TransportFailure(std::string code, std::string message) {
  HttpOutcome outcome;
  outcome.result = HttpOutcome::Result::kRetry;
  outcome.error_code = std::move(code);
  outcome.error_message = std::move(message);
  return outcome;
}

}  // namespace

class HttpDeliverer::Impl {
 public:
  explicit Impl(HttpDelivererOptions options) : options_(std::move(options)) {}
  ~Impl() { Shutdown(); }

  void Start() {
    absl::MutexLock lock(&join_mu_);
    for (int i = 0; i < options_.threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
  }

  // The call's parts were validated when they were declared or put (HttpCall); not again here.
  void Deliver(HttpCall call, std::function<void(HttpOutcome)> done) {
    {
      absl::MutexLock lock(&mu_);
      if (!shutdown_) {
        absl::Time slot = ReserveSlot(call.destination);
        queue_.emplace(std::make_pair(slot, next_sequence_++),
                       Pending{std::move(call), std::move(done)});
        cv_.Signal();
        return;
      }
    }
    done(ShuttingDown());
  }

  void Shutdown() {
    std::map<std::pair<absl::Time, uint64_t>, Pending> drained;
    {
      absl::MutexLock lock(&mu_);
      shutdown_ = true;
      drained.swap(queue_);
      cv_.SignalAll();
    }
    for (auto& [key, pending] : drained) pending.done(ShuttingDown());
    absl::MutexLock lock(&join_mu_);
    for (std::thread& worker : workers_) worker.join();
    workers_.clear();
  }

 private:
  struct Pending {
    HttpCall call;
    std::function<void(HttpOutcome)> done;
  };

  // The time the call may start; moves the destination's next slot on.
  absl::Time ReserveSlot(const ApiDestination& destination) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    absl::Time now = absl::Now();
    int rate = options_.rate_limit_override.value_or(destination.invocation_rate_limit_per_second);
    if (rate <= 0) return now;
    if (next_slot_.size() > 4096) {  // forget destinations that have been idle
      absl::erase_if(next_slot_, [now](const auto& entry) { return entry.second < now; });
    }
    absl::Time& next = next_slot_[destination.arn.empty() ? destination.name : destination.arn];
    absl::Time slot = std::max(now, next);
    next = slot + absl::Seconds(1) / rate;
    return slot;
  }

  void WorkerLoop() {
    for (;;) {
      Pending pending;
      {
        absl::MutexLock lock(&mu_);
        for (;;) {
          if (shutdown_) return;
          if (queue_.empty()) {
            cv_.Wait(&mu_);
            continue;
          }
          absl::Time ready = queue_.begin()->first.first;
          if (ready <= absl::Now()) break;
          cv_.WaitWithDeadline(&mu_, ready);
        }
        pending = std::move(queue_.begin()->second);
        queue_.erase(queue_.begin());
        if (!queue_.empty()) cv_.Signal();  // the next call may be ready too
      }
      HttpOutcome outcome = Perform(pending.call);
      pending.done(std::move(outcome));
    }
  }

  // A client for the host: an idle one (kept-alive connection; *reused = true) unless
  // `fresh`, else a new one.
  std::unique_ptr<httplib::Client> TakeClient(const std::string& scheme_host_port,
                                              bool fresh = false, bool* reused = nullptr) {
    if (reused != nullptr) *reused = false;
    if (!fresh) {
      absl::MutexLock lock(&clients_mu_);
      auto it = idle_clients_.find(scheme_host_port);
      if (it != idle_clients_.end() && !it->second.empty()) {
        std::unique_ptr<httplib::Client> client = std::move(it->second.back());
        it->second.pop_back();
        if (reused != nullptr) *reused = true;
        return client;
      }
    }
    auto client = std::make_unique<httplib::Client>(scheme_host_port);
    client->set_keep_alive(true);
    client->set_tcp_nodelay(true);  // headers and body go in separate writes
    client->set_follow_location(false);
    client->enable_server_certificate_verification(options_.verify_tls_certificates);
    auto timeout = absl::ToChronoMicroseconds(options_.timeout);
    client->set_connection_timeout(timeout);
    client->set_read_timeout(timeout);
    client->set_write_timeout(timeout);
    return client;
  }

  void ReturnClient(const std::string& scheme_host_port, std::unique_ptr<httplib::Client> client) {
    absl::MutexLock lock(&clients_mu_);
    std::vector<std::unique_ptr<httplib::Client>>& idle = idle_clients_[scheme_host_port];
    if (idle.size() < static_cast<size_t>(options_.threads)) idle.push_back(std::move(client));
  }

  HttpOutcome Perform(const HttpCall& call) {
    const std::string& endpoint = call.destination.invocation_endpoint;
    HttpRequest request = BuildHttpRequest(call);
    absl::Time start = absl::Now();
    absl::Time deadline = start + options_.timeout;
    bool reused = false;
    std::unique_ptr<httplib::Client> client = TakeClient(request.scheme_host_port, false, &reused);
    HttpOutcome outcome;
    if (!client->is_valid()) {
      outcome = TransportFailure("CONNECTION_FAILURE",
                                 absl::StrCat("Cannot open a connection to ", endpoint));
      outcome.duration = absl::Now() - start;
      return outcome;
    }

    httplib::Request req;
    req.method = request.method;
    req.path = request.path_and_query;
    for (auto& [name, value] : request.headers) req.headers.emplace(name, value);
    req.body = std::move(request.body);
    std::string body_prefix;  // only what an error message can quote
    req.content_receiver = [&body_prefix, deadline](const char* data, size_t length, uint64_t,
                                                    uint64_t) {
      size_t room = kMaxErrorBodyBytes - std::min(kMaxErrorBodyBytes, body_prefix.size());
      body_prefix.append(data, std::min(room, length));
      return absl::Now() < deadline;
    };
    req.progress = [deadline](uint64_t, uint64_t) { return absl::Now() < deadline; };

    httplib::Response res;
    httplib::Error error = httplib::Error::Success;
    bool sent = client->send(req, res, error);
    if (!sent && reused && error != httplib::Error::Canceled &&
        error != httplib::Error::ConnectionTimeout && absl::Now() < deadline) {
      // The server closed the kept-alive connection (an HTTP/1.0 server does after every
      // response): nothing was delivered, so try once more on a new connection.
      client = TakeClient(request.scheme_host_port, /*fresh=*/true);
      res = httplib::Response();
      body_prefix.clear();
      error = httplib::Error::Success;
      sent = client->send(req, res, error);
    }
    absl::Time end = absl::Now();
    if (sent) {
      outcome = http_internal::OutcomeForResponse(
          res.status, res.reason, body_prefix, res.get_header_value("Retry-After"), endpoint, end);
      ReturnClient(request.scheme_host_port, std::move(client));
    } else if (error == httplib::Error::Canceled || error == httplib::Error::ConnectionTimeout ||
               end >= deadline) {
      outcome = TransportFailure("TIMEOUT", absl::StrCat("No response from ", endpoint, " within ",
                                                         absl::FormatDuration(options_.timeout)));
    } else {
      outcome = TransportFailure("CONNECTION_FAILURE",
                                 absl::StrCat("Connection to ", request.scheme_host_port,
                                              " failed (", httplib::to_string(error), " error)"));
    }
    outcome.duration = end - start;
    return outcome;
  }

  const HttpDelivererOptions options_;

  absl::Mutex mu_;
  absl::CondVar cv_;  // a call was queued, or shutdown
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t next_sequence_ ABSL_GUARDED_BY(mu_) = 0;
  // Calls by (slot, arrival).
  std::map<std::pair<absl::Time, uint64_t>, Pending> queue_ ABSL_GUARDED_BY(mu_);
  // Destination ARN (or name) -> the earliest time its next call may start.
  absl::flat_hash_map<std::string, absl::Time> next_slot_ ABSL_GUARDED_BY(mu_);

  absl::Mutex clients_mu_;
  absl::flat_hash_map<std::string, std::vector<std::unique_ptr<httplib::Client>>> idle_clients_
      ABSL_GUARDED_BY(clients_mu_);

  absl::Mutex join_mu_;  // serializes Shutdown's joins
  std::vector<std::thread> workers_ ABSL_GUARDED_BY(join_mu_);
};

absl::StatusOr<std::unique_ptr<HttpDeliverer>> HttpDeliverer::Create(HttpDelivererOptions options) {
  if (options.threads < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("HttpDelivererOptions.threads is ", options.threads, "; it must be >= 1"));
  }
  if (options.timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("HttpDelivererOptions.timeout must be positive");
  }
  if (options.rate_limit_override.has_value() && *options.rate_limit_override < 0) {
    return absl::InvalidArgumentError("HttpDelivererOptions.rate_limit_override must be >= 0");
  }
  auto impl = std::make_unique<Impl>(std::move(options));
  impl->Start();
  return std::unique_ptr<HttpDeliverer>(new HttpDeliverer(std::move(impl)));
}

HttpDeliverer::HttpDeliverer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpDeliverer::~HttpDeliverer() { impl_->Shutdown(); }

void HttpDeliverer::Deliver(HttpCall call, std::function<void(HttpOutcome)> done) {
  impl_->Deliver(std::move(call), std::move(done));
}

void HttpDeliverer::Shutdown() { impl_->Shutdown(); }

}  // namespace busbar::targets
