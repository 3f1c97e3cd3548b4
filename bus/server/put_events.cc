// Daemon::PutEvents, the ingest hot path; see daemon.h.
//
// The calling thread checks the entries, builds the envelopes and matches them; the
// store's writer thread then commits the events and their queue deliveries in one
// group commit and completes the call. No thread waits on the commit.
//
// A delivery the target's input cannot make (targets/input.h: a template that gives no
// valid JSON for this event, an InputPath that matches nothing, a body the target cannot
// take) is a failed invocation, never retried: retrying cannot change what the event
// renders to. With a DeadLetterConfig the event goes to that queue with EventBridge's
// attributes (RULE_ARN, TARGET_ARN, ERROR_CODE INVALID_JSON or INVALID_PARAMETER,
// ERROR_MESSAGE, RETRY_ATTEMPTS 0), in the event's own transaction, for queue, function and
// API destination targets alike.
#include <ctime>
#include <future>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "bus/server/daemon.h"
#include "bus/server/dead_letter.h"
#include "matcher/base/base.h"
#include "targets/ids.h"

namespace busbar::bus {
namespace {

// One queue delivery of a PutEvents call.
struct PendingDelivery {
  size_t entry;                     // index into outcomes
  const std::string* queue;         // in the routing snapshot
  std::optional<std::string> body;  // the target's input; unset: the event as logged
  TargetCounters* counters;         // in the routing snapshot
};

// One function or API destination delivery: an outbox item committed with the event.
struct PendingAsync {
  size_t entry;
  const AsyncTarget* target;        // in the routing snapshot
  std::optional<std::string> body;  // the target's input; unset: the event
};

// A delivery the target's input could not make, to dead-letter with the event.
struct PendingDeadLetter {
  size_t entry;
  const std::string* queue;  // the target's dead-letter queue, in the routing snapshot
  targets::MessageAttributes attributes;
  TargetCounters* counters;  // in the routing snapshot
  bool missing = false;      // the dead-letter queue is gone (set by the write job)
};

// One PutEvents call between the calling thread and the writer thread.
struct PendingPut {
  std::shared_ptr<const Routing> routing;  // keeps the queue names below alive
  std::vector<EntryOutcome> outcomes;
  std::vector<size_t> accepted;  // indexes into outcomes
  // In outcome order.
  std::vector<PendingDelivery> deliveries;
  std::vector<PendingAsync> async;
  std::vector<PendingDeadLetter> dead_letters;
  // Events forwarded by event bus targets: new events (new ids) on their target buses. Event
  // index i names outcomes[i] below outcomes.size(), forwarded[i - outcomes.size()] above.
  std::vector<EntryOutcome> forwarded;
  // Every event to log, in the order of `deliveries`.
  std::vector<size_t> logged;
  // Counted once the events are committed: rules that matched, targets that took a delivery
  // and targets whose delivery could not be made (an input that does not render, a body a
  // queue refuses, a forward to a missing bus or past the one hop allowed: failed
  // invocations, as in EventBridge, not failed entries), in the routing snapshot.
  std::vector<RuleCounters*> triggered;
  std::vector<TargetCounters*> invoked;
  std::vector<TargetCounters*> failed;
  std::vector<TargetCounters*> skipped;  // queue deliveries to a queue that is gone (the job's)

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
  int64_t received_ms;         // when the daemon received the request (its Env's clock)
  std::string ingestion_time;  // formatted for the first input template that needs it

  absl::Status Route(size_t index, bool may_forward) {
    thread_local matcher::MatchScratch scratch;
    thread_local std::vector<uint32_t> matched;
    const EntryOutcome& event = put.event(index);
    const BusRoute& route = routing.buses.find(event.bus)->second;
    if (auto s = route.matcher->Match(event.envelope, scratch, matched); !s.ok()) return s;
    put.logged.push_back(index);
    // `matched` is reused by the Route calls for forwards, which run after this loop.
    std::vector<const BusTarget*> forwards;
    for (uint32_t id : matched) {
      const RuleRoute& rule = route.rules[id];
      put.triggered.push_back(rule.counters.get());
      for (const QueueTarget& target : rule.queues) Deliver(index, rule, target);
      for (const BusTarget& bus : rule.buses) forwards.push_back(&bus);
      for (const auto& target : rule.async) DeliverLater(index, rule, *target);
    }
    for (const BusTarget* bus : forwards) {
      auto target = routing.buses.find(bus->bus);
      if (!may_forward || target == routing.buses.end()) {
        Fail(bus->counters.get());
        continue;
      }
      const size_t forwarded = put.outcomes.size() + put.forwarded.size();
      put.forwarded.push_back(Forward(put.event(index), bus->bus));
      if (Route(forwarded, /*may_forward=*/false).ok()) {
        put.invoked.push_back(bus->counters.get());
      } else {
        Fail(bus->counters.get());
      }
    }
    return absl::OkStatus();
  }

  void Fail(TargetCounters* counters) { put.failed.push_back(counters); }

  // The target's input gives no body it can take: a failed invocation, and the event to
  // the target's dead-letter queue if it has one. ERROR_CODE INVALID_JSON when the template
  // gives no valid JSON (input.h), else INVALID_PARAMETER.
  void Refuse(size_t index, const RuleRoute& rule, const std::string& target_arn,
              const std::string& dead_letter_queue, TargetCounters* counters,
              const absl::Status& why) {
    Fail(counters);
    if (dead_letter_queue.empty()) return;
    PendingDeadLetter& d = put.dead_letters.emplace_back();
    d.entry = index;
    d.queue = &dead_letter_queue;
    d.counters = counters;
    const bool invalid_json = why.code() == absl::StatusCode::kFailedPrecondition;
    const std::string message(why.message().substr(0, 1024));
    d.attributes = DeadLetterAttributes({rule.arn, target_arn,
                                         invalid_json ? "INVALID_JSON" : "INVALID_PARAMETER",
                                         message, /*retry_attempts=*/0, ""});
  }

  // The target's input for the event; nullopt when it has none (the event as it is); an
  // error status when it does not render.
  std::optional<absl::StatusOr<std::string>> Render(
      size_t index, const RuleRoute& rule, const std::optional<targets::CompiledInput>& input) {
    if (!input) return std::nullopt;
    if (ingestion_time.empty()) {  // aws.events.event.ingestion-time: RFC 3339, to the second
      ingestion_time = base::FormatRfc3339(received_ms, base::Rfc3339Precision::kSeconds);
    }
    return input->Render(put.event(index).envelope, {rule.arn, rule.name, ingestion_time});
  }

  void DeliverLater(size_t index, const RuleRoute& rule, const AsyncTarget& target) {
    auto body = Render(index, rule, target.input);
    if (!body) {
      put.async.push_back({index, &target, std::nullopt});
      return;
    }
    absl::Status why = body->status();
    if (why.ok() && (*body)->empty()) why = EmptyInput();
    if (!why.ok()) {
      Refuse(index, rule, target.arn, target.dead_letter_queue, target.counters.get(), why);
      return;
    }
    put.async.push_back({index, &target, std::move(**body)});
  }

  void Deliver(size_t index, const RuleRoute& rule, const QueueTarget& target) {
    auto body = Render(index, rule, target.input);
    if (!body) {
      put.deliveries.push_back({index, &target.queue, std::nullopt, target.counters.get()});
      return;
    }
    absl::Status why = body->status();
    if (why.ok() && (*body)->empty()) why = EmptyInput();
    if (why.ok()) why = targets::ValidateMessageBody(**body);
    if (!why.ok()) {
      Refuse(index, rule, target.arn, target.dead_letter_queue, target.counters.get(), why);
      return;
    }
    put.deliveries.push_back({index, &target.queue, std::move(**body), target.counters.get()});
  }

  static absl::Status EmptyInput() {
    return absl::InvalidArgumentError("the target's input is empty for this event");
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
  const int64_t received_ms = env_->NowMillis();  // one reading for the checks and the inputs
  IngestContext ctx;
  ctx.account = options_.account;
  ctx.region = options_.region;
  ctx.limits.max_request_bytes = options_.max_request_bytes;
  ctx.now_unix_seconds = received_ms / 1000;
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
  EventRouter router{*put, *routing, received_ms, {}};
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
    const int64_t now = env_->NowMillis();
    thread_local std::vector<targets::Delivery> deliveries;
    deliveries.clear();
    thread_local std::vector<targets::Delivery> dead_letters;
    dead_letters.clear();
    std::vector<targets::OutboxItem> later;
    size_t next = 0, next_async = 0, next_dead = 0;
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
      for (; next_async < put->async.size() && put->async[next_async].entry == i; ++next_async) {
        const PendingAsync& a = put->async[next_async];
        targets::OutboxItem& item = later.emplace_back();
        item.target = a.target->key;
        item.rule_arn = a.target->rule_arn;
        item.target_arn = a.target->arn;
        if (a.body) {
          item.payload = *a.body;
          item.event = o.envelope;
        } else {
          item.payload = o.envelope;
        }
        item.dead_letter_queue = a.target->dead_letter_queue;
        item.max_retry_attempts = a.target->retry_policy.maximum_retry_attempts;
        item.max_event_age_s = a.target->retry_policy.maximum_event_age_in_seconds;
        item.created_ms = now;
        item.next_ms = now;
      }
      // The dead-letter message is the event as logged, like a queue target's.
      for (; next_dead < put->dead_letters.size() && put->dead_letters[next_dead].entry == i;
           ++next_dead) {
        const PendingDeadLetter& d = put->dead_letters[next_dead];
        dead_letters.push_back({*d.queue, o.envelope, *seq, &d.attributes});
      }
    }
    if (auto s = outbox_->AddInTxn(db, later); !s.ok()) return s;
    // A target queue deleted while rules still name it: as in EventBridge, the event is
    // accepted and the delivery fails (counted as a failed invocation).
    thread_local std::vector<size_t> skipped;
    skipped.clear();
    absl::Status s = queues_->EnqueueInTxn(db, deliveries, nullptr, &skipped);
    put->skipped.clear();
    for (size_t k : skipped) put->skipped.push_back(put->deliveries[k].counters);
    if (s.ok() && !dead_letters.empty()) {
      // A dead-letter queue deleted since: InvocationsFailedToBeSentToDLQ, as in EventBridge.
      std::vector<size_t> missing;
      s = queues_->EnqueueInTxn(db, dead_letters, nullptr, &missing);
      for (PendingDeadLetter& d : put->dead_letters) d.missing = false;
      for (size_t k : missing) put->dead_letters[k].missing = true;
    }
    if (s.ok() && put->skipped.size() + put->failed.size() > 0) {
      db.OnCommit(
          [this, n = put->skipped.size() + put->failed.size()] { failed_invocations_ += n; });
    }
    return s;
  };
  store_->Submit(std::move(job), [this, put, done = std::move(done)](absl::Status committed) {
    if (committed.ok()) {
      for (RuleCounters* c : put->triggered) {
        ++c->matched_events;
        ++c->triggered_rules;
      }
      // Queue and bus targets are tried once, inside this commit.
      for (const PendingDelivery& d : put->deliveries) {
        ++d.counters->invocations;
        ++d.counters->invocation_attempts;
      }
      for (TargetCounters* c : put->skipped) {
        --c->invocations;
        ++c->failed_invocations;
      }
      for (TargetCounters* c : put->invoked) {
        ++c->invocations;
        ++c->invocation_attempts;
      }
      for (TargetCounters* c : put->failed) {
        ++c->failed_invocations;
        ++c->invocation_attempts;
      }
      for (const PendingDeadLetter& d : put->dead_letters) {
        ++(d.missing ? d.counters->failed_to_dlq : d.counters->sent_to_dlq);
      }
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
