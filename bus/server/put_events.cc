// Daemon::PutEvents, the ingest hot path; see daemon.h.
//
// The calling thread checks the entries, builds the envelopes and matches them; the
// store's writer thread then commits the events and their queue deliveries in one
// group commit and completes the call. No thread waits on the commit.
#include <ctime>
#include <future>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "bus/server/daemon.h"

namespace busbar::bus {
namespace {

int64_t NowMs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

// RFC 3339 UTC, to the second: aws.events.event.ingestion-time.
std::string Rfc3339(int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm;
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// One queue delivery of a PutEvents call.
struct PendingDelivery {
  size_t entry;                     // index into outcomes
  const std::string* queue;         // in the routing snapshot
  std::optional<std::string> body;  // the target's input; unset: the event as logged
};

// One PutEvents call between the calling thread and the writer thread.
struct PendingPut {
  std::shared_ptr<const Routing> routing;  // keeps the queue names below alive
  std::vector<EntryOutcome> outcomes;
  std::vector<size_t> accepted;  // indexes into outcomes
  // In outcome order.
  std::vector<PendingDelivery> deliveries;
  // Deliveries whose input could not be rendered (an InputPath that matches nothing, a body
  // a queue refuses): failed invocations, as in EventBridge, not failed entries.
  uint64_t render_failures = 0;
};

}  // namespace

void Daemon::PutEventsAsync(const std::vector<EntryIn>& entries, PutEventsDone done) {
  std::shared_ptr<const Routing> routing = this->routing();
  IngestContext ctx;
  ctx.account = options_.account;
  ctx.region = options_.region;
  ctx.limits.max_request_bytes = options_.max_request_bytes;
  ctx.now_unix_seconds = NowMs() / 1000;
  ctx.bus_exists = [&](std::string_view bus) {
    return routing->buses.find(bus) != routing->buses.end();
  };
  auto outcomes = PrepareEntries(entries, ctx);
  if (!outcomes.ok()) {
    done(outcomes.status());
    return;
  }

  thread_local matcher::MatchScratch scratch;
  thread_local std::vector<uint32_t> ids;
  std::string ingestion_time;  // formatted for the first input template that needs it
  auto put = std::make_shared<PendingPut>();
  put->routing = routing;
  put->outcomes = std::move(*outcomes);
  for (size_t i = 0; i < put->outcomes.size(); ++i) {
    EntryOutcome& o = put->outcomes[i];
    if (!o.ok()) continue;
    const BusRoute& route = routing->buses.find(o.bus)->second;
    if (auto s = route.matcher->Match(o.envelope, scratch, ids); !s.ok()) {
      o.error_code = "InternalFailure";
      o.error_message = std::string(s.message());
      continue;
    }
    put->accepted.push_back(i);
    for (uint32_t id : ids) {
      const RuleRoute& rule = route.rules[id];
      for (const QueueTarget& target : rule.queues) {
        if (!target.input) {
          put->deliveries.push_back({i, &target.queue, std::nullopt});
          continue;
        }
        if (ingestion_time.empty()) ingestion_time = Rfc3339(NowMs());
        absl::StatusOr<std::string> body =
            target.input->Render(o.envelope, {rule.arn, rule.name, ingestion_time});
        if (!body.ok() || !targets::ValidateMessageBody(*body).ok() || body->empty()) {
          ++put->render_failures;
          continue;
        }
        put->deliveries.push_back({i, &target.queue, std::move(*body)});
      }
    }
  }
  if (put->accepted.empty()) {
    done(std::move(put->outcomes));
    return;
  }
  // Each event is logged once; its queue messages refer to it (event_log.h).
  auto job = [this, put](targets::Db& db) -> absl::Status {
    const int64_t now = NowMs();
    thread_local std::vector<targets::Delivery> deliveries;
    deliveries.clear();
    size_t next = 0;
    for (size_t i : put->accepted) {
      const EntryOutcome& o = put->outcomes[i];
      auto seq = event_log_->AppendInTxn(db, {o.event_id, o.bus, now, o.envelope});
      if (!seq.ok()) return seq.status();
      for (; next < put->deliveries.size() && put->deliveries[next].entry == i; ++next) {
        const PendingDelivery& d = put->deliveries[next];
        if (d.body) {
          deliveries.push_back({*d.queue, *d.body, 0});
        } else {
          deliveries.push_back({*d.queue, o.envelope, *seq});
        }
      }
    }
    // A target queue deleted while rules still name it: as in EventBridge, the event is
    // accepted and the delivery fails (counted as a failed invocation).
    thread_local std::vector<size_t> skipped;
    skipped.clear();
    absl::Status s = queues_->EnqueueInTxn(db, deliveries, nullptr, &skipped);
    if (s.ok() && skipped.size() + put->render_failures > 0) {
      db.OnCommit([this, n = skipped.size() + put->render_failures] { failed_invocations_ += n; });
    }
    return s;
  };
  store_->Submit(std::move(job), [this, put, done = std::move(done)](absl::Status committed) {
    if (committed.ok()) {
      // Acknowledged events go to schema discovery (off this thread; the registry only
      // queues them). The answer needs their ids, not their bodies: the envelopes move.
      std::vector<registry::Registry::Observed> observed;
      observed.reserve(put->accepted.size());
      for (size_t i : put->accepted) {
        EntryOutcome& o = put->outcomes[i];
        observed.push_back({o.bus, std::move(o.envelope)});
      }
      registry_->Discover(std::move(observed));
    } else {
      for (size_t i : put->accepted) {
        EntryOutcome& o = put->outcomes[i];
        o.error_code = "InternalFailure";
        o.error_message = absl::StrCat("The event was not stored: ", committed.message());
        o.event_id.clear();
      }
    }
    done(std::move(put->outcomes));
  });
}

absl::StatusOr<std::vector<EntryOutcome>> Daemon::PutEvents(const std::vector<EntryIn>& entries) {
  std::promise<absl::StatusOr<std::vector<EntryOutcome>>> promise;
  auto future = promise.get_future();
  PutEventsAsync(entries, [&promise](absl::StatusOr<std::vector<EntryOutcome>> outcomes) {
    promise.set_value(std::move(outcomes));
  });
  return future.get();
}

}  // namespace busbar::bus
