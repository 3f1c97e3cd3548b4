// SQS-like queues on the Store.
//
// Tables (migration "queues" v1-v3): `queues` (one row per queue with its attributes and the
// times it was created and last changed) and `queue_messages` (one row per message; `seq` is
// the rowid). A message is visible when
// visible_at_ms <= now; receiving sets visible_at_ms = now + visibility, bumps receive_count and
// stores a fresh receipt "<seq>-<random hex>", so an older receipt of the same message no longer
// matches. Every operation that changes messages is one write job on the Store's writer thread,
// so receives never hand the same visible message to two consumers. Counts and listings read on
// a read-only connection.
//
// Long polling: a receive that finds nothing records the queue's generation, then waits on
// waiters_cv_ until the generation changes (a commit added messages to the queue), the earliest
// invisible message becomes visible again, or the wait time ends, and tries again.
#include "targets/queues.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "targets/event_log.h"
#include "targets/ids.h"

#define BB_RETURN_IF_ERROR(expr)                                               \
  do {                                                                         \
    if (absl::Status bb_status_ = (expr); !bb_status_.ok()) return bb_status_; \
  } while (0)
#define BB_CONCAT_INNER(a, b) a##b
#define BB_CONCAT(a, b) BB_CONCAT_INNER(a, b)
#define BB_ASSIGN_OR_RETURN(lhs, expr)                                                \
  auto BB_CONCAT(bb_or_, __LINE__) = (expr);                                          \
  if (!BB_CONCAT(bb_or_, __LINE__).ok()) return BB_CONCAT(bb_or_, __LINE__).status(); \
  lhs = std::move(*BB_CONCAT(bb_or_, __LINE__))

namespace busbar::targets {
namespace {

constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE queues(
  queue_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  visibility_timeout INTEGER NOT NULL,
  retention_period INTEGER NOT NULL,
  receive_wait INTEGER NOT NULL,
  dlq_arn TEXT,
  max_receive_count INTEGER,
  created_ms INTEGER NOT NULL);
CREATE TABLE queue_messages(
  seq INTEGER PRIMARY KEY,
  queue_id INTEGER NOT NULL REFERENCES queues(queue_id) ON DELETE CASCADE,
  message_id TEXT NOT NULL,
  body TEXT NOT NULL,
  md5 TEXT NOT NULL,
  sent_ms INTEGER NOT NULL,
  visible_at_ms INTEGER NOT NULL,
  receive_count INTEGER NOT NULL DEFAULT 0,
  first_receive_ms INTEGER,
  receipt TEXT);
CREATE INDEX queue_messages_visible ON queue_messages(queue_id, visible_at_ms);
CREATE INDEX queue_messages_sent ON queue_messages(queue_id, sent_ms);
)sql";

// Version 2: a message delivering an event names it in the event log (event_log.h) instead
// of copying its body; MD5OfBody is computed when a message is received, off the writer.
constexpr std::string_view kSchemaV2 = R"sql(
CREATE TABLE queue_messages_v2(
  seq INTEGER PRIMARY KEY,
  queue_id INTEGER NOT NULL REFERENCES queues(queue_id) ON DELETE CASCADE,
  message_id TEXT NOT NULL,
  body TEXT,
  event_seq INTEGER,
  sent_ms INTEGER NOT NULL,
  visible_at_ms INTEGER NOT NULL,
  receive_count INTEGER NOT NULL DEFAULT 0,
  first_receive_ms INTEGER,
  receipt TEXT,
  CHECK (body IS NOT NULL OR event_seq IS NOT NULL));
INSERT INTO queue_messages_v2(seq, queue_id, message_id, body, sent_ms, visible_at_ms,
                              receive_count, first_receive_ms, receipt)
  SELECT seq, queue_id, message_id, body, sent_ms, visible_at_ms, receive_count,
         first_receive_ms, receipt FROM queue_messages;
DROP TABLE queue_messages;
ALTER TABLE queue_messages_v2 RENAME TO queue_messages;
CREATE INDEX queue_messages_visible ON queue_messages(queue_id, visible_at_ms);
CREATE INDEX queue_messages_sent ON queue_messages(queue_id, sent_ms);
CREATE INDEX queue_messages_event ON queue_messages(event_seq) WHERE event_seq IS NOT NULL;
)sql";

// Version 3: one index less to keep up per message. Receive skips expired messages (sent_ms in
// the row) and DropExpired finds them through queue_messages_visible: an expired message is
// visible since before the cutoff, or becomes so within its visibility timeout.
constexpr std::string_view kSchemaV3 = "DROP INDEX IF EXISTS queue_messages_sent";

// Version 4: LastModifiedTimestamp, set by CreateQueue and SetQueueAttributes.
constexpr std::string_view kSchemaV4 = R"sql(
ALTER TABLE queues ADD COLUMN modified_ms INTEGER;
UPDATE queues SET modified_ms = created_ms;
)sql";

// Version 5: the latest receive's time, for ChangeMessageVisibility's 12-hour bound.
constexpr std::string_view kSchemaV5 = R"sql(
ALTER TABLE queue_messages ADD COLUMN last_receive_ms INTEGER;
UPDATE queue_messages SET last_receive_ms = first_receive_ms;
)sql";

absl::Status NoSuchQueue(std::string_view name) {
  return absl::NotFoundError(absl::StrCat("QueueDoesNotExist: The specified queue ",
                                          std::string(name), " does not exist."));
}

absl::Status InvalidReceipt(std::string_view queue, std::string_view why) {
  return absl::InvalidArgumentError("ReceiptHandleIsInvalid: " + std::string(why) + " (queue '" +
                                    std::string(queue) + "')");
}

struct QueueRow {
  int64_t id = 0;
  QueueAttributes attributes;
  int64_t created_ms = 0;
};

absl::StatusOr<QueueRow> LookupQueue(Db& db, std::string_view name) {
  BB_ASSIGN_OR_RETURN(Stmt * st, db.Prepare("SELECT queue_id, visibility_timeout, "
                                            "retention_period, receive_wait, dlq_arn, "
                                            "max_receive_count, created_ms FROM queues "
                                            "WHERE name=?"));
  st->Bind(1, name);
  BB_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return NoSuchQueue(name);
  QueueRow q;
  q.id = st->Int(0);
  q.attributes.visibility_timeout = static_cast<int>(st->Int(1));
  q.attributes.message_retention_period = static_cast<int>(st->Int(2));
  q.attributes.receive_message_wait_time_seconds = static_cast<int>(st->Int(3));
  if (!st->IsNull(4)) {
    q.attributes.redrive_policy =
        RedrivePolicy{std::string(st->Text(4)), static_cast<int>(st->Int(5))};
  }
  q.created_ms = st->Int(6);
  st->Reset();
  return q;
}

// The queue name of "arn:aws:sqs:<region>:<account>:<name>" if region and account are ours.
std::optional<std::string> QueueNameOfArn(std::string_view arn, const QueuesOptions& options) {
  std::string prefix = "arn:aws:sqs:" + options.region + ":" + options.account + ":";
  if (arn.substr(0, prefix.size()) != prefix) return std::nullopt;
  return std::string(arn.substr(prefix.size()));
}

// Parses "<seq>-<token>".
std::optional<int64_t> ReceiptSeq(std::string_view receipt) {
  size_t dash = receipt.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == receipt.size()) {
    return std::nullopt;
  }
  int64_t seq = 0;
  auto [end, ec] = std::from_chars(receipt.data(), receipt.data() + dash, seq);
  if (ec != std::errc() || end != receipt.data() + dash) return std::nullopt;
  return seq;
}

absl::Status CheckBody(std::string_view queue, std::string_view body) {
  if (body.empty() || body.size() > kMaxMessageBodyBytes) {
    return absl::InvalidArgumentError(
        "InvalidParameterValue: message body for queue '" + std::string(queue) + "' must be 1 to " +
        std::to_string(kMaxMessageBodyBytes) + " bytes, got " + std::to_string(body.size()));
  }
  return absl::OkStatus();
}

// Finds the message of `receipt` in queue `q`; returns its seq. Gone: std::nullopt.
absl::StatusOr<std::optional<int64_t>> FindReceipt(Db& db, std::string_view queue, int64_t queue_id,
                                                   std::string_view receipt) {
  std::optional<int64_t> seq = ReceiptSeq(receipt);
  if (!seq)
    return InvalidReceipt(queue, "receipt handle '" + std::string(receipt) + "' is malformed");
  BB_ASSIGN_OR_RETURN(Stmt * st,
                      db.Prepare("SELECT queue_id, receipt FROM queue_messages WHERE seq=?"));
  st->Bind(1, *seq);
  BB_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return std::optional<int64_t>();
  bool same = st->Int(0) == queue_id && !st->IsNull(1) && st->Text(1) == receipt;
  st->Reset();
  if (!same) {
    return InvalidReceipt(queue, "receipt handle is not the latest one of a message in the queue");
  }
  return std::optional<int64_t>(*seq);
}

}  // namespace

struct Queues::ReceiveResult {
  std::vector<Message> messages;
  int default_wait_seconds = 0;
  std::optional<int64_t> next_visible_ms;  // earliest invisible message, when none was received
};

Queues::Queues(Store* store, QueuesOptions options) : store_(store), options_(std::move(options)) {}

Queues::~Queues() = default;

absl::StatusOr<std::unique_ptr<Queues>> Queues::Open(Store* store, QueuesOptions options) {
  if (options.clock == nullptr) options.clock = SystemClock();
  // Messages may name events of the log, so its table comes first.
  BB_RETURN_IF_ERROR(store->Write([](Db& db) {
    BB_RETURN_IF_ERROR(EventLog::MigrateInTxn(db));
    return db.Migrate("queues", {kSchemaV1, kSchemaV2, kSchemaV3, kSchemaV4, kSchemaV5});
  }));
  return std::unique_ptr<Queues>(new Queues(store, std::move(options)));
}

std::string Queues::QueueArn(std::string_view name) const {
  return "arn:aws:sqs:" + options_.region + ":" + options_.account + ":" + std::string(name);
}

absl::Status Queues::CreateQueue(std::string_view name, const QueueAttributes& attributes) {
  return Create(name, attributes, nullptr);
}

absl::Status Queues::CreateQueue(std::string_view name, const QueueAttributeChanges& given) {
  return Create(name, given.ApplyTo(QueueAttributes()), &given);
}

absl::Status Queues::Create(std::string_view name, const QueueAttributes& attributes,
                            const QueueAttributeChanges* given) {
  BB_RETURN_IF_ERROR(ValidateQueueName(name));
  BB_RETURN_IF_ERROR(ValidateQueueAttributes(attributes));
  return store_->Write([&](Db& db) -> absl::Status {
    absl::StatusOr<QueueRow> existing = LookupQueue(db, name);
    if (existing.ok()) {
      const bool same = given != nullptr ? given->MatchedBy(existing->attributes)
                                         : existing->attributes == attributes;
      if (same) return absl::OkStatus();
      return absl::AlreadyExistsError(absl::StrCat("QueueNameExists: queue '", std::string(name),
                                                   "' already exists with different attributes"));
    }
    if (!absl::IsNotFound(existing.status())) return existing.status();
    if (options_.max_queues > 0) {
      BB_ASSIGN_OR_RETURN(Stmt * count, db.Prepare("SELECT COUNT(*) FROM queues"));
      BB_ASSIGN_OR_RETURN(bool row, count->Step());
      const int64_t queues = row ? count->Int(0) : 0;
      count->Reset();
      if (queues >= static_cast<int64_t>(options_.max_queues)) {
        return absl::ResourceExhaustedError(absl::StrCat(
            "OverLimit: cannot create queue '", std::string(name), "': the daemon holds ", queues,
            " queues, its limit is ", options_.max_queues));
      }
    }
    if (const auto& redrive = attributes.redrive_policy) {
      BB_RETURN_IF_ERROR(CheckRedriveTarget(db, name, *redrive));
    }
    const int64_t now = options_.clock->NowMillis();
    BB_ASSIGN_OR_RETURN(Stmt * st,
                        db.Prepare("INSERT INTO queues(name, visibility_timeout, retention_period,"
                                   " receive_wait, dlq_arn, max_receive_count, created_ms,"
                                   " modified_ms) VALUES(?, ?, ?, ?, ?, ?, ?, ?)"));
    st->Bind(1, name)
        .Bind(2, attributes.visibility_timeout)
        .Bind(3, attributes.message_retention_period)
        .Bind(4, attributes.receive_message_wait_time_seconds)
        .Bind(7, now)
        .Bind(8, now);
    if (attributes.redrive_policy) {
      st->Bind(5, attributes.redrive_policy->dead_letter_target_arn)
          .Bind(6, attributes.redrive_policy->max_receive_count);
    }
    return st->Run();
  });
}

absl::Status Queues::CheckRedriveTarget(Db& db, std::string_view name,
                                        const RedrivePolicy& redrive) const {
  std::optional<std::string> dlq = QueueNameOfArn(redrive.dead_letter_target_arn, options_);
  std::string why;
  if (!dlq) {
    why = absl::StrCat("is not a queue ARN of region '", options_.region, "' and account '",
                       options_.account, "'");
  } else if (*dlq == name) {
    why = "is the queue itself";
  } else if (absl::StatusOr<QueueRow> q = LookupQueue(db, *dlq); !q.ok()) {
    if (!absl::IsNotFound(q.status())) return q.status();
    why = "names a queue that does not exist";
  }
  if (why.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("InvalidAttributeValue: RedrivePolicy of queue '",
                                                 std::string(name), "': deadLetterTargetArn '",
                                                 redrive.dead_letter_target_arn, "' ", why));
}

absl::Status Queues::SetQueueAttributes(std::string_view name,
                                        const QueueAttributeChanges& changes) {
  // Every named value in range (the defaults are): nothing is written otherwise.
  BB_RETURN_IF_ERROR(ValidateQueueAttributes(changes.ApplyTo(QueueAttributes())));
  return store_->Write([&](Db& db) -> absl::Status {
    BB_ASSIGN_OR_RETURN(QueueRow q, LookupQueue(db, name));
    if (changes.empty()) return absl::OkStatus();
    if (changes.redrive_policy && changes.redrive_policy->has_value()) {
      BB_RETURN_IF_ERROR(CheckRedriveTarget(db, name, **changes.redrive_policy));
    }
    const QueueAttributes a = changes.ApplyTo(q.attributes);
    BB_ASSIGN_OR_RETURN(Stmt * st,
                        db.Prepare("UPDATE queues SET visibility_timeout=?, retention_period=?,"
                                   " receive_wait=?, dlq_arn=?, max_receive_count=?,"
                                   " modified_ms=? WHERE queue_id=?"));
    st->Bind(1, a.visibility_timeout)
        .Bind(2, a.message_retention_period)
        .Bind(3, a.receive_message_wait_time_seconds)
        .Bind(6, options_.clock->NowMillis())
        .Bind(7, q.id);
    if (a.redrive_policy) {
      st->Bind(4, a.redrive_policy->dead_letter_target_arn)
          .Bind(5, a.redrive_policy->max_receive_count);
    } else {
      st->BindNull(4).BindNull(5);
    }
    return st->Run();
  });
}

absl::Status Queues::DeleteQueue(std::string_view name) {
  BB_RETURN_IF_ERROR(store_->Write([&](Db& db) -> absl::Status {
    BB_ASSIGN_OR_RETURN(Stmt * st, db.Prepare("DELETE FROM queues WHERE name=?"));
    BB_RETURN_IF_ERROR(st->Bind(1, name).Run());
    if (db.Changes() == 0) return NoSuchQueue(name);
    return absl::OkStatus();
  }));
  Notify({std::string(name)});  // long polls on it end (and then see NotFound)
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> Queues::ListQueues(std::string_view prefix) {
  std::vector<std::string> names;
  BB_RETURN_IF_ERROR(store_->Read([&](Db& db) -> absl::Status {
    BB_ASSIGN_OR_RETURN(Stmt * st, db.Prepare("SELECT name FROM queues ORDER BY name"));
    while (true) {
      BB_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) return absl::OkStatus();
      std::string_view name = st->Text(0);
      if (name.substr(0, prefix.size()) == prefix) names.emplace_back(name);
    }
  }));
  return names;
}

absl::StatusOr<QueueDescription> Queues::GetQueueAttributes(std::string_view name) {
  QueueDescription d;
  int64_t now = options_.clock->NowMillis();
  BB_RETURN_IF_ERROR(store_->Read([&](Db& db) -> absl::Status {
    BB_ASSIGN_OR_RETURN(QueueRow q, LookupQueue(db, name));
    d.attributes = q.attributes;
    d.created_timestamp = q.created_ms / 1000;
    int64_t cutoff = now - int64_t{q.attributes.message_retention_period} * 1000;
    BB_ASSIGN_OR_RETURN(Stmt * st,
                        db.Prepare("SELECT COALESCE(SUM(visible_at_ms <= ?2), 0),"
                                   " COALESCE(SUM(visible_at_ms > ?2), 0),"
                                   " (SELECT modified_ms FROM queues WHERE queue_id=?1)"
                                   " FROM queue_messages WHERE queue_id=?1 AND sent_ms >= ?3"));
    st->Bind(1, q.id).Bind(2, now).Bind(3, cutoff);
    BB_ASSIGN_OR_RETURN(bool row, st->Step());
    if (row) {
      d.approximate_number_of_messages = st->Int(0);
      d.approximate_number_of_messages_not_visible = st->Int(1);
      d.last_modified_timestamp = st->Int(2) / 1000;
    }
    st->Reset();
    return absl::OkStatus();
  }));
  d.name = std::string(name);
  d.arn = QueueArn(name);
  return d;
}

absl::Status Queues::EnqueueInTxn(Db& db, const std::vector<Delivery>& deliveries,
                                  std::vector<std::string>* message_ids,
                                  std::vector<size_t>* skipped) {
  int64_t now = options_.clock->NowMillis();
  std::vector<std::string> touched;
  absl::flat_hash_map<std::string, int64_t> ids;  // queue -> id, or -1: missing
  for (size_t i = 0; i < deliveries.size(); ++i) {
    const Delivery& d = deliveries[i];
    BB_RETURN_IF_ERROR(CheckBody(d.queue, d.body));
    auto it = ids.find(d.queue);
    if (it == ids.end()) {
      absl::StatusOr<QueueRow> q = LookupQueue(db, d.queue);
      if (!q.ok() && !(skipped != nullptr && absl::IsNotFound(q.status()))) return q.status();
      it = ids.emplace(d.queue, q.ok() ? q->id : -1).first;
      if (q.ok()) touched.push_back(d.queue);
    }
    if (it->second < 0) {
      skipped->push_back(i);
      continue;
    }
    std::string message_id = NewUuidV4();
    BB_ASSIGN_OR_RETURN(Stmt * st, db.Prepare("INSERT INTO queue_messages(queue_id, message_id,"
                                              " body, event_seq, sent_ms, visible_at_ms)"
                                              " VALUES(?, ?, ?, ?, ?, ?)"));
    st->Bind(1, it->second).Bind(2, message_id);
    if (d.event_seq > 0) {
      st->BindNull(3).Bind(4, d.event_seq);
    } else {
      st->Bind(3, d.body).BindNull(4);
    }
    BB_RETURN_IF_ERROR(st->Bind(5, now).Bind(6, now).Run());
    if (message_ids != nullptr) message_ids->push_back(std::move(message_id));
  }
  if (!touched.empty()) {
    db.OnCommit([this, touched = std::move(touched)] { Notify(touched); });
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Queues::SendMessage(std::string_view queue, std::string_view body) {
  BB_RETURN_IF_ERROR(ValidateMessageBody(body));
  std::vector<std::string> ids;
  std::vector<Delivery> deliveries = {Delivery{std::string(queue), body}};
  BB_RETURN_IF_ERROR(store_->Write([&](Db& db) { return EnqueueInTxn(db, deliveries, &ids); }));
  return ids.front();
}

absl::Status Queues::ReceiveOnce(Db& db, std::string_view queue, const ReceiveOptions& options,
                                 ReceiveResult& result) {
  const int64_t now = options_.clock->NowMillis();
  BB_ASSIGN_OR_RETURN(QueueRow q, LookupQueue(db, queue));
  result.default_wait_seconds = q.attributes.receive_message_wait_time_seconds;
  const int64_t visibility_ms =
      int64_t{options.visibility_timeout.value_or(q.attributes.visibility_timeout)} * 1000;

  // Retention: expired messages are never handed out (DropExpired deletes them).
  const int64_t expired_before = now - int64_t{q.attributes.message_retention_period} * 1000;

  // Redrive target, if the policy names a queue that (still) exists.
  std::optional<int64_t> dlq_id;
  std::string dlq_name;
  int max_receive_count = 0;
  if (const auto& redrive = q.attributes.redrive_policy) {
    if (std::optional<std::string> name =
            QueueNameOfArn(redrive->dead_letter_target_arn, options_)) {
      if (absl::StatusOr<QueueRow> dlq = LookupQueue(db, *name); dlq.ok()) {
        dlq_id = dlq->id;
        dlq_name = *name;
        max_receive_count = redrive->max_receive_count;
      }
    }
  }

  struct Candidate {
    int64_t seq, sent_ms, receive_count, first_receive_ms;
    std::string message_id, body;
    std::optional<int64_t> event_seq;  // set when the row names an event, not a body
  };
  bool moved_any = false;
  const size_t want = static_cast<size_t>(options.max_number_of_messages);
  // Messages returned by this call; with visibility 0 they are visible again at once and must
  // not be picked (and counted) twice in a later round.
  absl::flat_hash_set<int64_t> returned;
  while (result.messages.size() < want) {
    BB_ASSIGN_OR_RETURN(Stmt * select,
                        db.Prepare("SELECT m.seq, m.message_id, COALESCE(m.body, e.body),"
                                   " m.sent_ms, m.receive_count, m.first_receive_ms, m.event_seq"
                                   " FROM queue_messages m LEFT JOIN events e"
                                   " ON e.seq = m.event_seq"
                                   " WHERE m.queue_id=? AND m.visible_at_ms<=? AND m.sent_ms>=?"
                                   " ORDER BY m.visible_at_ms, m.seq LIMIT ?"));
    select->Bind(1, q.id).Bind(2, now).Bind(3, expired_before);
    select->Bind(4, static_cast<int64_t>(want + returned.size()));
    std::vector<Candidate> candidates;
    while (true) {
      BB_ASSIGN_OR_RETURN(bool row, select->Step());
      if (!row) break;
      candidates.push_back(
          {select->Int(0), select->Int(3), select->Int(4), select->IsNull(5) ? now : select->Int(5),
           std::string(select->Text(1)), std::string(select->Text(2)),
           select->IsNull(6) ? std::nullopt : std::optional<int64_t>(select->Int(6))});
    }
    if (candidates.empty()) break;
    bool moved = false;
    for (Candidate& c : candidates) {
      if (returned.contains(c.seq) || result.messages.size() == want) continue;
      int64_t count = c.receive_count + 1;
      if (dlq_id && count > max_receive_count) {
        BB_ASSIGN_OR_RETURN(Stmt * move,
                            db.Prepare("INSERT INTO queue_messages(queue_id, message_id, body,"
                                       " event_seq, sent_ms, visible_at_ms)"
                                       " VALUES(?, ?, ?, ?, ?, ?)"));
        move->Bind(1, *dlq_id).Bind(2, c.message_id);
        if (c.event_seq) {
          move->BindNull(3).Bind(4, *c.event_seq);
        } else {
          move->Bind(3, c.body).BindNull(4);
        }
        BB_RETURN_IF_ERROR(move->Bind(5, c.sent_ms).Bind(6, now).Run());
        BB_ASSIGN_OR_RETURN(Stmt * del, db.Prepare("DELETE FROM queue_messages WHERE seq=?"));
        BB_RETURN_IF_ERROR(del->Bind(1, c.seq).Run());
        moved = moved_any = true;
        continue;
      }
      std::string receipt = std::to_string(c.seq) + "-" + RandomHex(16);
      BB_ASSIGN_OR_RETURN(Stmt * update,
                          db.Prepare("UPDATE queue_messages SET receive_count=?, "
                                     "first_receive_ms=?, visible_at_ms=?, receipt=?,"
                                     " last_receive_ms=?6 WHERE seq=?5"));
      update->Bind(1, count).Bind(2, c.first_receive_ms).Bind(3, now + visibility_ms);
      update->Bind(6, now);
      BB_RETURN_IF_ERROR(update->Bind(4, receipt).Bind(5, c.seq).Run());
      returned.insert(c.seq);
      result.messages.push_back(Message{std::move(c.message_id), std::move(receipt),
                                        std::move(c.body), std::string(), c.sent_ms, count,
                                        c.first_receive_ms});
    }
    if (!moved) break;  // every candidate was returned: nothing more is visible within `want`
  }
  if (moved_any) db.OnCommit([this, dlq_name] { Notify({dlq_name}); });

  if (result.messages.empty()) {
    BB_ASSIGN_OR_RETURN(
        Stmt * next, db.Prepare("SELECT MIN(visible_at_ms) FROM queue_messages WHERE queue_id=?"));
    next->Bind(1, q.id);
    BB_ASSIGN_OR_RETURN(bool row, next->Step());
    if (row && !next->IsNull(0)) result.next_visible_ms = next->Int(0);
    next->Reset();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Message>> Queues::ReceiveMessages(std::string_view queue,
                                                             const ReceiveOptions& options) {
  if (options.max_number_of_messages < 1 || options.max_number_of_messages > kMaxReceiveMessages) {
    return absl::InvalidArgumentError(
        "InvalidParameterValue: MaxNumberOfMessages must be between 1 and 10, got " +
        std::to_string(options.max_number_of_messages));
  }
  if (options.visibility_timeout &&
      (*options.visibility_timeout < 0 || *options.visibility_timeout > kMaxVisibilityTimeout)) {
    return absl::InvalidArgumentError(
        "InvalidParameterValue: VisibilityTimeout must be between 0 and 43200, got " +
        std::to_string(*options.visibility_timeout));
  }
  if (options.wait_time_seconds &&
      (*options.wait_time_seconds < 0 || *options.wait_time_seconds > kMaxReceiveWaitTime)) {
    return absl::InvalidArgumentError(
        "InvalidParameterValue: WaitTimeSeconds must be between 0 and 20, got " +
        std::to_string(*options.wait_time_seconds));
  }
  const std::string name(queue);
  std::optional<absl::Time> deadline;
  while (true) {
    const uint64_t generation = Generation(name);
    ReceiveResult result;
    BB_RETURN_IF_ERROR(
        store_->Write([&](Db& db) { return ReceiveOnce(db, queue, options, result); },
                      Store::Durability::kCommitted));
    if (!result.messages.empty()) {
      for (Message& m : result.messages) m.md5_of_body = Md5Hex(m.body);
      return std::move(result.messages);
    }
    const absl::Time now = absl::Now();
    if (!deadline) {
      deadline =
          now + absl::Seconds(options.wait_time_seconds.value_or(result.default_wait_seconds));
    }
    if (now >= *deadline) return std::vector<Message>();
    absl::Time wake = std::min(*deadline, now + absl::Seconds(1));  // bounds clock skew
    if (result.next_visible_ms) {
      int64_t in_ms = std::max<int64_t>(1, *result.next_visible_ms - options_.clock->NowMillis());
      wake = std::min(wake, now + absl::Milliseconds(in_ms));
    }
    absl::MutexLock lock(&waiters_mu_);
    while (!shut_down_ && generations_[name] == generation) {
      if (waiters_cv_.WaitWithDeadline(&waiters_mu_, wake)) break;  // timed out
    }
    if (shut_down_) return std::vector<Message>();
  }
}

absl::Status Queues::DeleteMessage(std::string_view queue, std::string_view receipt_handle) {
  absl::StatusOr<std::vector<absl::Status>> result =
      DeleteMessages(queue, {std::string(receipt_handle)});
  if (!result.ok()) return result.status();
  return result->front();
}

absl::StatusOr<std::vector<absl::Status>> Queues::DeleteMessages(
    std::string_view queue, const std::vector<std::string>& receipt_handles) {
  std::vector<absl::Status> results;
  BB_RETURN_IF_ERROR(store_->Write([&](Db& db) -> absl::Status {
    results.clear();
    BB_ASSIGN_OR_RETURN(QueueRow q, LookupQueue(db, queue));
    for (const std::string& handle : receipt_handles) {
      absl::StatusOr<std::optional<int64_t>> seq = FindReceipt(db, queue, q.id, handle);
      if (!seq.ok()) {
        if (!absl::IsInvalidArgument(seq.status())) return seq.status();  // the store's
        results.push_back(seq.status());
        continue;
      }
      // Already gone: deleting again succeeds, as in SQS.
      if (seq->has_value()) {
        BB_ASSIGN_OR_RETURN(Stmt * del, db.Prepare("DELETE FROM queue_messages WHERE seq=?"));
        BB_RETURN_IF_ERROR(del->Bind(1, **seq).Run());
      }
      results.push_back(absl::OkStatus());
    }
    return absl::OkStatus();
  }));
  return results;
}

absl::Status Queues::ChangeMessageVisibility(std::string_view queue,
                                             std::string_view receipt_handle,
                                             int visibility_timeout) {
  if (visibility_timeout < 0 || visibility_timeout > kMaxVisibilityTimeout) {
    return absl::InvalidArgumentError(
        absl::StrCat("InvalidParameterValue: VisibilityTimeout must be between 0 and 43200, got ",
                     visibility_timeout));
  }
  return store_->Write([&](Db& db) -> absl::Status {
    BB_ASSIGN_OR_RETURN(QueueRow q, LookupQueue(db, queue));
    BB_ASSIGN_OR_RETURN(std::optional<int64_t> seq, FindReceipt(db, queue, q.id, receipt_handle));
    if (!seq) return InvalidReceipt(queue, "the message of this receipt handle no longer exists");
    BB_ASSIGN_OR_RETURN(Stmt * get, db.Prepare("SELECT visible_at_ms,"
                                               " COALESCE(last_receive_ms, first_receive_ms)"
                                               " FROM queue_messages WHERE seq=?"));
    get->Bind(1, *seq);
    BB_ASSIGN_OR_RETURN(bool row, get->Step());
    if (!row) return InvalidReceipt(queue, "the message of this receipt handle no longer exists");
    const int64_t visible_at_ms = get->Int(0);
    const int64_t last_receive_ms = get->IsNull(1) ? 0 : get->Int(1);
    get->Reset();
    const int64_t now = options_.clock->NowMillis();
    if (visible_at_ms <= now) {
      return absl::FailedPreconditionError(
          absl::StrCat("MessageNotInflight: the message of this receipt handle is visible "
                       "already (queue '",
                       std::string(queue), "')"));
    }
    const int64_t visible_at = now + int64_t{visibility_timeout} * 1000;
    // SQS: a message stays hidden at most 12 hours after its latest receive.
    if (visible_at > last_receive_ms + int64_t{kMaxVisibilityTimeout} * 1000) {
      return absl::InvalidArgumentError(absl::StrCat(
          "InvalidParameterValue: VisibilityTimeout ", visibility_timeout,
          " would end more than 12 hours (43200 seconds) after the message was received; at most ",
          std::max<int64_t>(0,
                            (last_receive_ms + int64_t{kMaxVisibilityTimeout} * 1000 - now) / 1000),
          " seconds are left (queue '", std::string(queue), "')"));
    }
    BB_ASSIGN_OR_RETURN(Stmt * st,
                        db.Prepare("UPDATE queue_messages SET visible_at_ms=? WHERE seq=?"));
    BB_RETURN_IF_ERROR(st->Bind(1, visible_at).Bind(2, *seq).Run());
    if (visibility_timeout == 0) {
      db.OnCommit([this, name = std::string(queue)] { Notify({name}); });
    }
    return absl::OkStatus();
  });
}

absl::Status Queues::PurgeQueue(std::string_view queue) {
  return store_->Write([&](Db& db) -> absl::Status {
    BB_ASSIGN_OR_RETURN(QueueRow q, LookupQueue(db, queue));
    BB_ASSIGN_OR_RETURN(Stmt * st, db.Prepare("DELETE FROM queue_messages WHERE queue_id=?"));
    return st->Bind(1, q.id).Run();
  });
}

absl::StatusOr<int64_t> Queues::DropExpired() {
  int64_t dropped = 0;
  BB_RETURN_IF_ERROR(store_->Write([&](Db& db) -> absl::Status {
    dropped = 0;
    BB_ASSIGN_OR_RETURN(Stmt * st, db.Prepare("SELECT queue_id, retention_period FROM queues"));
    std::vector<std::pair<int64_t, int64_t>> queues;
    while (true) {
      BB_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      queues.emplace_back(st->Int(0), st->Int(1));
    }
    int64_t now = options_.clock->NowMillis();
    for (auto [id, retention] : queues) {
      BB_ASSIGN_OR_RETURN(Stmt * del, db.Prepare("DELETE FROM queue_messages WHERE queue_id=?1"
                                                 " AND visible_at_ms<?2 AND sent_ms<?2"));
      BB_RETURN_IF_ERROR(del->Bind(1, id).Bind(2, now - retention * 1000).Run());
      dropped += db.Changes();
    }
    return absl::OkStatus();
  }));
  return dropped;
}

uint64_t Queues::Generation(const std::string& queue) {
  absl::MutexLock lock(&waiters_mu_);
  auto it = generations_.find(queue);  // no insert: names of missing queues must not pile up
  return it == generations_.end() ? 0 : it->second;
}

void Queues::Notify(const std::vector<std::string>& queues) {
  absl::MutexLock lock(&waiters_mu_);
  for (const std::string& q : queues) ++generations_[q];
  waiters_cv_.SignalAll();
}

void Queues::Shutdown() {
  absl::MutexLock lock(&waiters_mu_);
  shut_down_ = true;
  waiters_cv_.SignalAll();
}

}  // namespace busbar::targets
