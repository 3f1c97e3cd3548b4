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
#include "targets/ids.h"

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
  // Events forwarded by event bus targets: new events (new ids) on their target buses. Event
  // index i names outcomes[i] below outcomes.size(), forwarded[i - outcomes.size()] above.
  std::vector<EntryOutcome> forwarded;
  // Every event to log, in the order of `deliveries`.
  std::vector<size_t> logged;
  // Deliveries that could not be made (an input that does not render, a body a queue
  // refuses, a forward to a missing bus or past the one hop allowed): failed invocations,
  // as in EventBridge, not failed entries.
  uint64_t failed_deliveries = 0;

  EntryOutcome& event(size_t i) {
    return i < outcomes.size() ? outcomes[i] : forwarded[i - outcomes.size()];
  }
};

// Matches events against their bus's rules and collects what PutEvents must commit: the
// events to log, their queue deliveries (inputs rendered) and the events event bus targets
// forward. As in EventBridge, a forwarded event is a new event (new id) on the target bus,
// and an event received from another bus is not forwarded again: one hop, so no loop.
struct EventRouter {
  PendingPut& put;
  const Routing& routing;
  std::string ingestion_time;  // formatted for the first input template that needs it

  absl::Status Route(size_t index, bool may_forward) {
    thread_local matcher::MatchScratch scratch;
    thread_local std::vector<uint32_t> matched;
    const EntryOutcome& event = put.event(index);
    const BusRoute& route = routing.buses.find(event.bus)->second;
    if (auto s = route.matcher->Match(event.envelope, scratch, matched); !s.ok()) return s;
    put.logged.push_back(index);
    // `matched` is reused by the Route calls for forwards, which run after this loop.
    std::vector<const std::string*> forwards;
    for (uint32_t id : matched) {
      const RuleRoute& rule = route.rules[id];
      for (const QueueTarget& target : rule.queues) Deliver(index, rule, target);
      for (const std::string& bus : rule.buses) forwards.push_back(&bus);
    }
    for (const std::string* bus : forwards) {
      auto target = routing.buses.find(*bus);
      if (!may_forward || target == routing.buses.end()) {
        ++put.failed_deliveries;
        continue;
      }
      const size_t forwarded = put.outcomes.size() + put.forwarded.size();
      put.forwarded.push_back(Forward(put.event(index), *bus));
      if (!Route(forwarded, /*may_forward=*/false).ok()) ++put.failed_deliveries;
    }
    return absl::OkStatus();
  }

  void Deliver(size_t index, const RuleRoute& rule, const QueueTarget& target) {
    if (!target.input) {
      put.deliveries.push_back({index, &target.queue, std::nullopt});
      return;
    }
    if (ingestion_time.empty()) ingestion_time = Rfc3339(NowMs());
    absl::StatusOr<std::string> body =
        target.input->Render(put.event(index).envelope, {rule.arn, rule.name, ingestion_time});
    if (!body.ok() || body->empty() || !targets::ValidateMessageBody(*body).ok()) {
      ++put.failed_deliveries;
      return;
    }
    put.deliveries.push_back({index, &target.queue, std::move(*body)});
  }

  // The event as `bus` receives it: the same envelope with a new id.
  static EntryOutcome Forward(const EntryOutcome& event, const std::string& bus) {
    EntryOutcome out;
    out.event_id = targets::NewUuidV4();
    out.bus = bus;
    const std::string old_id = absl::StrCat("\"id\":\"", event.event_id, "\"");
    out.envelope = event.envelope;
    if (size_t at = out.envelope.find(old_id); at != std::string::npos) {
      out.envelope.replace(at, old_id.size(), absl::StrCat("\"id\":\"", out.event_id, "\""));
    }
    return out;
  }
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

  auto put = std::make_shared<PendingPut>();
  put->routing = routing;
  put->outcomes = std::move(*outcomes);
  EventRouter router{*put, *routing, {}};
  for (size_t i = 0; i < put->outcomes.size(); ++i) {
    EntryOutcome& o = put->outcomes[i];
    if (!o.ok()) continue;
    if (auto s = router.Route(i, /*may_forward=*/true); !s.ok()) {
      o.error_code = "InternalFailure";
      o.error_message = std::string(s.message());
      continue;
    }
    put->accepted.push_back(i);
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
    for (size_t i : put->logged) {
      const EntryOutcome& o = put->event(i);
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
    if (s.ok() && skipped.size() + put->failed_deliveries > 0) {
      db.OnCommit(
          [this, n = skipped.size() + put->failed_deliveries] { failed_invocations_ += n; });
    }
    return s;
  };
  store_->Submit(std::move(job), [this, put, done = std::move(done)](absl::Status committed) {
    if (committed.ok()) {
      // Acknowledged events go to schema discovery (off this thread; the registry only
      // queues them). The answer needs their ids, not their bodies: the envelopes move.
      std::vector<registry::Registry::Observed> observed;
      observed.reserve(put->logged.size());
      for (size_t i : put->logged) {
        EntryOutcome& o = put->event(i);
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
