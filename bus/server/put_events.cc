// Daemon::PutEvents, the ingest hot path; see daemon.h.
#include <ctime>

#include "absl/strings/str_cat.h"
#include "bus/server/daemon.h"

namespace busbar::bus {
namespace {

int64_t NowMs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace

absl::StatusOr<std::vector<EntryOutcome>> Daemon::PutEvents(const std::vector<EntryIn>& entries) {
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
  if (!outcomes.ok()) return outcomes.status();

  thread_local matcher::MatchScratch scratch;
  thread_local std::vector<uint32_t> ids;
  std::vector<targets::Delivery> deliveries;
  std::vector<EntryOutcome*> accepted;
  for (EntryOutcome& o : *outcomes) {
    if (!o.ok()) continue;
    accepted.push_back(&o);
    const BusRoute& route = routing->buses.find(o.bus)->second;
    if (auto s = route.matcher->Match(o.envelope, scratch, ids); !s.ok()) {
      o.error_code = "InternalFailure";
      o.error_message = std::string(s.message());
      accepted.pop_back();
      continue;
    }
    for (uint32_t rule : ids) {
      for (const std::string& q : route.queues_by_rule[rule]) deliveries.push_back({q, o.envelope});
    }
  }
  if (accepted.empty()) return outcomes;
  const int64_t now = NowMs();
  absl::Status committed = store_->Write([&](targets::Db& db) -> absl::Status {
    auto insert = db.Prepare("INSERT INTO events (id, bus, received_ms, body) VALUES (?, ?, ?, ?)");
    if (!insert.ok()) return insert.status();
    for (const EntryOutcome* o : accepted) {
      (*insert)->Reset();
      (*insert)->Bind(1, o->event_id).Bind(2, o->bus).Bind(3, now).Bind(4, o->envelope);
      if (auto s = (*insert)->Run(); !s.ok()) return s;
    }
    return queues_->EnqueueInTxn(db, deliveries);
  });
  if (!committed.ok()) {
    for (EntryOutcome* m : accepted) {
      m->error_code = "InternalFailure";
      m->error_message = absl::StrCat("The event was not stored: ", committed.message());
      m->event_id.clear();
    }
  }
  return outcomes;
}

}  // namespace busbar::bus
