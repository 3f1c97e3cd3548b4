// SQS-like queues on the Store.
//
// Tables (migration "queues" v1-v6): `queues` (one row per queue with its attributes and the
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
#include "targets/queue_internal.h"

namespace busbar::targets {
namespace {

using internal::CheckBody;
using internal::LookupQueue;
using internal::NoSuchQueue;
using internal::QueueNameOfArn;
using internal::QueueRow;

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

// Version 6: message attributes (queues.h), encoded by internal::EncodeAttributes.
constexpr std::string_view kSchemaV6 = "ALTER TABLE queue_messages ADD COLUMN attributes TEXT";

}  // namespace

namespace internal {

std::string EncodeAttributes(const MessageAttributes& attributes) {
  std::string out;
  for (const auto& [name, value] : attributes) {
    absl::StrAppend(&out, name.size(), ":", name, value.size(), ":", value);
  }
  return out;
}

MessageAttributes DecodeAttributes(std::string_view blob) {
  MessageAttributes out;
  auto take = [&blob](std::string& field) {
    size_t colon = blob.find(':');
    size_t n = 0;
    if (colon == std::string_view::npos) return false;
    auto [end, ec] = std::from_chars(blob.data(), blob.data() + colon, n);
    if (ec != std::errc() || end != blob.data() + colon || n > blob.size() - colon - 1) {
      return false;
    }
    field.assign(blob.substr(colon + 1, n));
    blob.remove_prefix(colon + 1 + n);
    return true;
  };
  while (!blob.empty()) {
    std::string name, value;
    if (!take(name) || !take(value)) break;  // written by EncodeAttributes: never malformed
    out.emplace_back(std::move(name), std::move(value));
  }
  std::sort(out.begin(), out.end());
  return out;
}
namespace {

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

}  // namespace

absl::Status NoSuchQueue(std::string_view name) {
  return absl::NotFoundError(absl::StrCat("QueueDoesNotExist: The specified queue ",
                                          std::string(name), " does not exist."));
}

absl::Status InvalidReceipt(std::string_view queue, std::string_view why) {
  return absl::InvalidArgumentError("ReceiptHandleIsInvalid: " + std::string(why) + " (queue '" +
                                    std::string(queue) + "')");
}

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

std::optional<std::string> QueueNameOfArn(std::string_view arn, const QueuesOptions& options) {
  std::string prefix = "arn:aws:sqs:" + options.region + ":" + options.account + ":";
  if (arn.substr(0, prefix.size()) != prefix) return std::nullopt;
  return std::string(arn.substr(prefix.size()));
}

absl::Status CheckBody(std::string_view queue, std::string_view body) {
  if (body.empty() || body.size() > kMaxMessageBodyBytes) {
    return absl::InvalidArgumentError(
        "InvalidParameterValue: message body for queue '" + std::string(queue) + "' must be 1 to " +
        std::to_string(kMaxMessageBodyBytes) + " bytes, got " + std::to_string(body.size()));
  }
  return absl::OkStatus();
}

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

}  // namespace internal

Queues::Queues(Store* store, QueuesOptions options) : store_(store), options_(std::move(options)) {}

Queues::~Queues() = default;

absl::StatusOr<std::unique_ptr<Queues>> Queues::Open(Store* store, QueuesOptions options) {
  if (options.env == nullptr) options.env = base::Env::Default();
  // Messages may name events of the log, so its table comes first.
  BB_RETURN_IF_ERROR(store->Write([](Db& db) {
    BB_RETURN_IF_ERROR(EventLog::MigrateInTxn(db));
    return db.Migrate("queues", {kSchemaV1, kSchemaV2, kSchemaV3, kSchemaV4, kSchemaV5, kSchemaV6});
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
    const int64_t now = options_.env->NowMillis();
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
        .Bind(6, options_.env->NowMillis())
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
  int64_t now = options_.env->NowMillis();
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
  int64_t now = options_.env->NowMillis();
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
    BB_ASSIGN_OR_RETURN(Stmt * st,
                        db.Prepare("INSERT INTO queue_messages(queue_id, message_id,"
                                   " body, event_seq, sent_ms, visible_at_ms, attributes)"
                                   " VALUES(?, ?, ?, ?, ?, ?, ?)"));
    st->Bind(1, it->second).Bind(2, message_id);
    if (d.event_seq > 0) {
      st->BindNull(3).Bind(4, d.event_seq);
    } else {
      st->Bind(3, d.body).BindNull(4);
    }
    if (d.attributes != nullptr && !d.attributes->empty()) {
      st->Bind(7, internal::EncodeAttributes(*d.attributes));
    } else {
      st->BindNull(7);
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

}  // namespace busbar::targets
