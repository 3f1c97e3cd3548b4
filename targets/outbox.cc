// Outbox: the table of pending function and HTTP deliveries; see outbox.h.
#include "targets/outbox.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "targets/queue_internal.h"

namespace busbar::targets {
namespace {

constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE outbox(
  id INTEGER PRIMARY KEY,
  target TEXT NOT NULL,
  rule_arn TEXT NOT NULL,
  target_arn TEXT NOT NULL,
  payload TEXT NOT NULL,
  event TEXT,
  dead_letter_queue TEXT,
  max_retry_attempts INTEGER NOT NULL,
  max_event_age_s INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  function_attempts INTEGER NOT NULL DEFAULT 0,
  request_id TEXT,
  next_ms INTEGER NOT NULL,
  last_error_code TEXT,
  last_error_message TEXT);
CREATE INDEX outbox_due ON outbox(next_ms, id);
)sql";

constexpr char kColumns[] =
    "id, target, rule_arn, target_arn, payload, event, dead_letter_queue, max_retry_attempts,"
    " max_event_age_s, created_ms, attempts, function_attempts, request_id, next_ms,"
    " last_error_code, last_error_message";

OutboxItem ReadItem(const Stmt& st) {
  OutboxItem item;
  item.id = st.Int(0);
  item.target = std::string(st.Text(1));
  item.rule_arn = std::string(st.Text(2));
  item.target_arn = std::string(st.Text(3));
  item.payload = std::string(st.Text(4));
  if (!st.IsNull(5)) item.event = std::string(st.Text(5));
  if (!st.IsNull(6)) item.dead_letter_queue = std::string(st.Text(6));
  item.max_retry_attempts = static_cast<int>(st.Int(7));
  item.max_event_age_s = static_cast<int>(st.Int(8));
  item.created_ms = st.Int(9);
  item.attempts = static_cast<int>(st.Int(10));
  item.function_attempts = static_cast<int>(st.Int(11));
  if (!st.IsNull(12)) item.request_id = std::string(st.Text(12));
  item.next_ms = st.Int(13);
  if (!st.IsNull(14)) item.last_error_code = std::string(st.Text(14));
  if (!st.IsNull(15)) item.last_error_message = std::string(st.Text(15));
  return item;
}

void BindOptional(Stmt& st, int index, const std::string& text) {
  if (text.empty()) {
    st.BindNull(index);
  } else {
    st.Bind(index, text);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<Outbox>> Outbox::Open(Store* store, base::Env* env) {
  std::unique_ptr<Outbox> outbox(new Outbox(store, env != nullptr ? env : base::Env::Default()));
  BB_RETURN_IF_ERROR(store->Write([](Db& db) { return db.Migrate("outbox", {kSchemaV1}); }));
  return outbox;
}

absl::Status Outbox::AddInTxn(Db& db, std::vector<OutboxItem>& items) {
  if (items.empty()) return absl::OkStatus();
  for (OutboxItem& item : items) {
    BB_ASSIGN_OR_RETURN(
        Stmt * st, db.Prepare("INSERT INTO outbox(target, rule_arn, target_arn, payload, event,"
                              " dead_letter_queue, max_retry_attempts, max_event_age_s, created_ms,"
                              " attempts, function_attempts, request_id, next_ms, last_error_code,"
                              " last_error_message) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    st->Bind(1, item.target).Bind(2, item.rule_arn).Bind(3, item.target_arn).Bind(4, item.payload);
    BindOptional(*st, 5, item.event);
    BindOptional(*st, 6, item.dead_letter_queue);
    st->Bind(7, int64_t{item.max_retry_attempts}).Bind(8, int64_t{item.max_event_age_s});
    st->Bind(9, item.created_ms).Bind(10, int64_t{item.attempts});
    st->Bind(11, int64_t{item.function_attempts});
    BindOptional(*st, 12, item.request_id);
    st->Bind(13, item.next_ms);
    BindOptional(*st, 14, item.last_error_code);
    BindOptional(*st, 15, item.last_error_message);
    BB_RETURN_IF_ERROR(st->Run());
    item.id = db.LastInsertRowId();
  }
  db.OnCommit([this] {
    absl::MutexLock lock(&mu_);
    work_ = true;
  });
  return absl::OkStatus();
}

absl::Status Outbox::UpdateInTxn(Db& db, const OutboxItem& item) {
  BB_ASSIGN_OR_RETURN(Stmt * st, db.Prepare("UPDATE outbox SET attempts=?, function_attempts=?,"
                                            " request_id=?, next_ms=?, last_error_code=?,"
                                            " last_error_message=? WHERE id=?"));
  st->Bind(1, int64_t{item.attempts}).Bind(2, int64_t{item.function_attempts});
  BindOptional(*st, 3, item.request_id);
  st->Bind(4, item.next_ms);
  BindOptional(*st, 5, item.last_error_code);
  BindOptional(*st, 6, item.last_error_message);
  BB_RETURN_IF_ERROR(st->Bind(7, item.id).Run());
  db.OnCommit([this] {
    absl::MutexLock lock(&mu_);
    work_ = true;
  });
  return absl::OkStatus();
}

absl::Status Outbox::RemoveInTxn(Db& db, int64_t id) {
  BB_ASSIGN_OR_RETURN(Stmt * st, db.Prepare("DELETE FROM outbox WHERE id=?"));
  return st->Bind(1, id).Run();
}

absl::StatusOr<std::vector<OutboxItem>> Outbox::Due(int64_t now_ms, size_t limit,
                                                    const absl::flat_hash_set<int64_t>& skip,
                                                    std::optional<int64_t>* next_due) const {
  std::vector<OutboxItem> items;
  if (next_due != nullptr) next_due->reset();
  BB_RETURN_IF_ERROR(store_->Read([&](Db& db) -> absl::Status {
    // In due order; room for every skipped item, `limit` due ones and one later one.
    BB_ASSIGN_OR_RETURN(Stmt * st, db.Prepare(absl::StrCat("SELECT ", kColumns,
                                                           " FROM outbox"
                                                           " ORDER BY next_ms, id LIMIT ?")));
    st->Bind(1, static_cast<int64_t>(limit + skip.size() + 1));
    while (items.size() < limit) {
      BB_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      if (skip.contains(st->Int(0))) continue;
      if (st->Int(13) > now_ms) {
        if (next_due != nullptr) *next_due = st->Int(13);
        break;
      }
      items.push_back(ReadItem(*st));
    }
    st->Reset();
    return absl::OkStatus();
  }));
  return items;
}

absl::StatusOr<int64_t> Outbox::Count() const {
  int64_t n = 0;
  BB_RETURN_IF_ERROR(store_->Read([&](Db& db) -> absl::Status {
    BB_ASSIGN_OR_RETURN(Stmt * st, db.Prepare("SELECT COUNT(*) FROM outbox"));
    BB_ASSIGN_OR_RETURN(bool row, st->Step());
    if (row) n = st->Int(0);
    st->Reset();
    return absl::OkStatus();
  }));
  return n;
}

void Outbox::WaitForWork(int64_t deadline_ms) {
  absl::MutexLock lock(&mu_);
  env_->AwaitWithDeadline(mu_, absl::Condition(&work_), deadline_ms);
  work_ = false;
}

void Outbox::Wake() {
  absl::MutexLock lock(&mu_);
  work_ = true;
}

}  // namespace busbar::targets
