// Queues: receiving, deleting and changing messages, purge and retention, long-poll wake-ups;
// see queues.h, and queues.cc for the tables.
#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "targets/ids.h"
#include "targets/queue_internal.h"
#include "targets/queues.h"

namespace busbar::targets {

using internal::CheckBody;
using internal::FindReceipt;
using internal::InvalidReceipt;
using internal::LookupQueue;
using internal::QueueNameOfArn;
using internal::QueueRow;

struct Queues::ReceiveResult {
  std::vector<Message> messages;
  int default_wait_seconds = 0;
  std::optional<int64_t> next_visible_ms;  // earliest invisible message, when none was received
};

absl::Status Queues::ReceiveOnce(Db& db, std::string_view queue, const ReceiveOptions& options,
                                 ReceiveResult& result) {
  const int64_t now = options_.env->NowMillis();
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
    std::optional<int64_t> event_seq;       // set when the row names an event, not a body
    std::optional<std::string> attributes;  // encoded (queue_internal.h)
  };
  bool moved_any = false;
  const size_t want = static_cast<size_t>(options.max_number_of_messages);
  // Messages returned by this call; with visibility 0 they are visible again at once and must
  // not be picked (and counted) twice in a later round.
  absl::flat_hash_set<int64_t> returned;
  while (result.messages.size() < want) {
    BB_ASSIGN_OR_RETURN(Stmt * select,
                        db.Prepare("SELECT m.seq, m.message_id, COALESCE(m.body, e.body),"
                                   " m.sent_ms, m.receive_count, m.first_receive_ms, m.event_seq,"
                                   " m.attributes"
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
           select->IsNull(6) ? std::nullopt : std::optional<int64_t>(select->Int(6)),
           select->IsNull(7) ? std::nullopt : std::optional<std::string>(select->Text(7))});
    }
    if (candidates.empty()) break;
    bool moved = false;
    for (Candidate& c : candidates) {
      if (returned.contains(c.seq) || result.messages.size() == want) continue;
      int64_t count = c.receive_count + 1;
      if (dlq_id && count > max_receive_count) {
        BB_ASSIGN_OR_RETURN(Stmt * move,
                            db.Prepare("INSERT INTO queue_messages(queue_id, message_id, body,"
                                       " event_seq, sent_ms, visible_at_ms, attributes)"
                                       " VALUES(?, ?, ?, ?, ?, ?, ?)"));
        move->Bind(1, *dlq_id).Bind(2, c.message_id);
        if (c.event_seq) {
          move->BindNull(3).Bind(4, *c.event_seq);
        } else {
          move->Bind(3, c.body).BindNull(4);
        }
        if (c.attributes) {
          move->Bind(7, *c.attributes);
        } else {
          move->BindNull(7);
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
      result.messages.push_back(
          Message{std::move(c.message_id), std::move(receipt), std::move(c.body), std::string(),
                  c.sent_ms, count, c.first_receive_ms,
                  c.attributes ? internal::DecodeAttributes(*c.attributes) : MessageAttributes(),
                  std::string()});
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
      for (Message& m : result.messages) {
        m.md5_of_body = Md5Hex(m.body);
        m.md5_of_message_attributes = Md5OfMessageAttributes(m.message_attributes);
      }
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
      int64_t in_ms = std::max<int64_t>(1, *result.next_visible_ms - options_.env->NowMillis());
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
    const int64_t now = options_.env->NowMillis();
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
    int64_t now = options_.env->NowMillis();
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
