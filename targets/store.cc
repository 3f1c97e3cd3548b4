// The Store's writer thread: group commit with a savepoint per job.
//
// Loop: wait for work; take every waiting job (bounded by max_batch_jobs); BEGIN IMMEDIATE; for
// each job SAVEPOINT j / run / RELEASE j (or ROLLBACK TO j on error, dropping the OnCommit hooks
// it registered); COMMIT (no fsync: synchronous=NORMAL or OFF); then run the hooks and hand the
// jobs to the completion thread. While a batch commits, new jobs queue up and form the next
// batch, so the batch size grows with the load. Under kEveryBatch the completion thread fsyncs
// the WAL (through the Env) once for every batch committed since its last fsync, then completes
// their jobs, so the fsync cost is shared too; a failed fsync stops the store (store.h).
#include "targets/store.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"

namespace busbar::targets {
namespace {

uint64_t Nanos(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return uint64_t(ts.tv_sec) * 1000000000 + uint64_t(ts.tv_nsec);
}

// The checkpoint thread leaves at most this many WAL pages for the writer to copy.
constexpr int kWriterCheckpointFrames = 256;

// kEveryBatch: SQLite commits without fsync (NORMAL: it still fsyncs around checkpoints) and
// the completion thread fsyncs the WAL before completing the jobs of committed batches.
DbOptions::Sync SyncMode(FsyncPolicy p) {
  return p == FsyncPolicy::kEveryBatch ? DbOptions::Sync::kNormal : DbOptions::Sync::kOff;
}

// Runs a cached statement that returns no rows.
absl::Status RunSql(Db& db, std::string_view sql) {
  absl::StatusOr<Stmt*> stmt = db.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  return (*stmt)->Run();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) {
    return absl::InternalError("cannot create data directory '" + options.data_dir +
                               "': " + ec.message());
  }
  std::string path = (std::filesystem::path(options.data_dir) / "busbar.db").string();
  DbOptions db_options;
  db_options.synchronous = SyncMode(options.fsync);
  db_options.busy_timeout_ms = options.busy_timeout_ms;
  db_options.auto_checkpoint = false;  // the checkpoint thread does it
  absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(path, db_options);
  if (!db.ok()) return db.status();
  // The migrations table exists from the first open; modules add their steps with Db::Migrate.
  if (absl::Status s = (*db)->Migrate("store", {}); !s.ok()) return s;
  StoreOptions normalized = options;
  if (normalized.max_batch_jobs == 0) normalized.max_batch_jobs = 1;
  if (normalized.env == nullptr) normalized.env = base::Env::Default();
  return std::unique_ptr<Store>(new Store(std::move(path), normalized, std::move(*db)));
}

Store::Store(std::string path, StoreOptions options, std::unique_ptr<Db> writer)
    : path_(std::move(path)), options_(std::move(options)), writer_db_(std::move(writer)) {
  checkpointer_ = std::thread([this] { CheckpointerLoop(); });
  completer_ = std::thread([this] { CompleterLoop(); });
  writer_ = std::thread([this] { WriterLoop(); });
}

Store::~Store() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  writer_.join();
  {
    absl::MutexLock lock(&done_mu_);
    done_stopping_ = true;
  }
  completer_.join();
  {
    absl::MutexLock lock(&checkpoint_mu_);
    checkpoint_stopping_ = true;
  }
  checkpointer_.join();
  if (wal_fd_ >= 0) ::close(wal_fd_);
}

// Checkpoints in two steps so the writer never copies much: this thread copies the WAL into
// the database file (PASSIVE: the writer keeps committing meanwhile); then the writer, between
// two batches, copies the few pages committed since (AfterCommit). With the whole WAL in the
// database file, SQLite starts the WAL over at the next write instead of letting it grow.
void Store::CheckpointerLoop() {
  std::unique_ptr<Db> db;
  while (true) {
    {
      absl::MutexLock lock(&checkpoint_mu_);
      checkpoint_mu_.Await(absl::Condition(
          +[](Store* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->checkpoint_mu_) {
            return s->checkpoint_stopping_ || s->checkpoint_wanted_;
          },
          this));
      if (checkpoint_stopping_) return;
      checkpoint_wanted_ = false;
      checkpoint_running_ = true;
    }
    if (db == nullptr) {
      DbOptions o;
      o.synchronous = SyncMode(options_.fsync);
      o.busy_timeout_ms = options_.busy_timeout_ms;
      o.auto_checkpoint = false;
      absl::StatusOr<std::unique_ptr<Db>> opened = Db::Open(path_, o);
      if (opened.ok()) db = std::move(*opened);
    }
    // Passes until the pages committed during the previous pass are few, so the writer's
    // final copy (AfterCommit) is short. A failure is retried next time.
    for (int pass = 0; db != nullptr && pass < 8; ++pass) {
      absl::StatusOr<int> left = db->CheckpointPassive();
      if (!left.ok() || *left <= kWriterCheckpointFrames) break;
    }
    {
      absl::MutexLock lock(&checkpoint_mu_);
      checkpoint_running_ = false;
      checkpoint_done_ = true;
    }
    absl::MutexLock lock(&mu_);
    ++stats_.checkpoints;
  }
}

void Store::AfterCommit() {
  const int frames = writer_db_->wal_frames();
  bool finish = false;
  {
    absl::MutexLock lock(&checkpoint_mu_);
    if (checkpoint_done_) {
      checkpoint_done_ = false;
      finish = true;
    } else if (frames >= options_.checkpoint_frames && !checkpoint_running_) {
      checkpoint_wanted_ = true;
    }
  }
  // The background copy is done: copy the rest here, with no batch in flight, so the WAL
  // can start over. Past 4x the threshold (the background thread is behind) do it anyway.
  if (finish || frames >= 4 * options_.checkpoint_frames) (void)writer_db_->CheckpointPassive();
}

void Store::CompleterLoop() {
  std::vector<Completion> work;
  while (true) {
    {
      absl::MutexLock lock(&done_mu_);
      done_mu_.Await(absl::Condition(
          +[](Store* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->done_mu_) {
            return s->done_stopping_ || !s->done_queue_.empty();
          },
          this));
      if (done_queue_.empty()) return;  // stopping and drained
      for (auto& item : done_queue_) work.push_back(std::move(item));
      done_queue_.clear();
    }
    // One fsync of the WAL makes every batch committed so far durable.
    bool needs_sync = false;
    for (const Completion& c : work) needs_sync |= c.needs_sync;
    absl::Status synced = needs_sync ? SyncWal() : absl::OkStatus();
    if (!synced.ok()) synced = Fail(std::move(synced));
    for (Completion& c : work) {
      if (c.needs_sync && !synced.ok()) c.status = synced;
      c.done(std::move(c.status));
    }
    work.clear();
  }
}

absl::Status Store::SyncWal() {
  const uint64_t start = Nanos(CLOCK_MONOTONIC);
  if (wal_fd_ < 0) {
    wal_fd_ = ::open((path_ + "-wal").c_str(), O_RDWR | O_CLOEXEC);
    if (wal_fd_ < 0) {
      return absl::InternalError(
          absl::StrCat("cannot open ", path_, "-wal to fsync it: ", std::strerror(errno)));
    }
  }
  {
    absl::MutexLock lock(&mu_);
    if (!fatal_.ok()) return fatal_;  // never fsync again after a failure: see store.h
  }
  if (absl::Status s = options_.env->SyncFile(wal_fd_, path_ + "-wal"); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  ++stats_.syncs;
  stats_.sync_ns += Nanos(CLOCK_MONOTONIC) - start;
  return absl::OkStatus();
}

void Store::Submit(WriteJob job, std::function<void(absl::Status)> done, Durability durability) {
  absl::MutexLock lock(&mu_);
  queue_.push_back(Pending{std::move(job), std::move(done), durability});
}

std::future<absl::Status> Store::Submit(WriteJob job, Durability durability) {
  auto promise = std::make_shared<std::promise<absl::Status>>();
  std::future<absl::Status> future = promise->get_future();
  Submit(
      std::move(job), [promise](absl::Status s) { promise->set_value(std::move(s)); }, durability);
  return future;
}

absl::Status Store::Write(WriteJob job, Durability durability) {
  return Submit(std::move(job), durability).get();
}

void Store::WriterLoop() {
  std::vector<Pending> batch;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](Store* s)
               ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) { return s->stopping_ || !s->queue_.empty(); },
          this));
      if (queue_.empty()) return;  // stopping and drained
      while (!queue_.empty() && batch.size() < options_.max_batch_jobs) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    RunBatch(batch);
    batch.clear();
  }
}

void Store::RunBatch(std::vector<Pending>& batch) {
  if (absl::Status fatal = fatal_error(); !fatal.ok()) {
    // Stopped by a failed fsync: nothing more is written or acknowledged.
    for (Pending& p : batch) {
      if (p.done) p.done(fatal);
    }
    absl::MutexLock lock(&mu_);
    stats_.jobs += batch.size();
    stats_.failed_jobs += batch.size();
    return;
  }
  Db& db = *writer_db_;
  const uint64_t cpu_start = Nanos(CLOCK_THREAD_CPUTIME_ID);
  std::vector<absl::Status> results(batch.size());
  uint64_t failed = 0;
  absl::Status txn = RunSql(db, "BEGIN IMMEDIATE");
  if (txn.ok()) {
    for (size_t i = 0; i < batch.size(); ++i) {
      size_t hooks_before = db.on_commit_hooks().size();
      absl::Status s = RunSql(db, "SAVEPOINT job");
      if (s.ok()) s = batch[i].job(db);
      if (s.ok()) s = RunSql(db, "RELEASE job");
      if (!s.ok()) {
        ++failed;
        absl::Status undo = RunSql(db, "ROLLBACK TO job");
        if (undo.ok()) undo = RunSql(db, "RELEASE job");
        db.on_commit_hooks().resize(hooks_before);
        if (!undo.ok()) {  // the transaction is unusable; fail the batch
          txn = undo;
          break;
        }
      }
      results[i] = std::move(s);
    }
  }
  db.ResetBusyStatements();
  const uint64_t commit_start = Nanos(CLOCK_MONOTONIC);
  if (txn.ok()) txn = RunSql(db, "COMMIT");
  const uint64_t commit_ns = Nanos(CLOCK_MONOTONIC) - commit_start;
  if (!txn.ok()) {
    (void)db.Exec("ROLLBACK");  // may fail if BEGIN failed; nothing else to do
    db.on_commit_hooks().clear();
    for (absl::Status& r : results) r = txn;
  }
  std::vector<std::function<void()>> hooks;
  hooks.swap(db.on_commit_hooks());
  for (auto& hook : hooks) hook();
  {
    absl::MutexLock lock(&mu_);
    if (txn.ok()) ++stats_.batches;
    stats_.jobs += batch.size();
    stats_.failed_jobs += txn.ok() ? failed : batch.size();
  }
  {
    absl::MutexLock lock(&done_mu_);
    for (size_t i = 0; i < batch.size(); ++i) {
      if (batch[i].done && batch[i].durability == Durability::kDurable) {
        const bool needs_sync = txn.ok() && options_.fsync == FsyncPolicy::kEveryBatch;
        done_queue_.push_back(
            Completion{std::move(batch[i].done), std::move(results[i]), needs_sync});
      }
    }
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].done && batch[i].durability == Durability::kCommitted) {
      batch[i].done(std::move(results[i]));
    }
  }
  AfterCommit();
  const uint64_t cpu_ns = Nanos(CLOCK_THREAD_CPUTIME_ID) - cpu_start;
  absl::MutexLock lock(&mu_);
  stats_.writer_cpu_ns += cpu_ns;
  stats_.commit_ns += commit_ns;
}

absl::Status Store::Fail(absl::Status error) {
  bool first = false;
  absl::Status fatal;
  {
    absl::MutexLock lock(&mu_);
    if (fatal_.ok()) {
      fatal_ = absl::UnavailableError(
          absl::StrCat("the store stopped after a failed fsync: ", error.message()));
      first = true;
    }
    fatal = fatal_;
  }
  if (first && options_.on_fatal_error) options_.on_fatal_error(fatal);
  return fatal;
}

absl::Status Store::fatal_error() const {
  absl::MutexLock lock(&mu_);
  return fatal_;
}

absl::StatusOr<std::unique_ptr<Db>> Store::TakeReader() {
  {
    absl::MutexLock lock(&readers_mu_);
    if (!idle_readers_.empty()) {
      std::unique_ptr<Db> db = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return db;
    }
  }
  DbOptions db_options;
  db_options.read_only = true;
  db_options.busy_timeout_ms = options_.busy_timeout_ms;
  return Db::Open(path_, db_options);
}

void Store::ReturnReader(std::unique_ptr<Db> reader) {
  absl::MutexLock lock(&readers_mu_);
  idle_readers_.push_back(std::move(reader));
}

absl::Status Store::Read(const ReadJob& job) {
  absl::StatusOr<std::unique_ptr<Db>> db = TakeReader();
  if (!db.ok()) return db.status();
  absl::Status s = RunSql(**db, "BEGIN");
  if (s.ok()) s = job(**db);
  (*db)->ResetBusyStatements();
  absl::Status end = RunSql(**db, "COMMIT");
  if (s.ok()) s = end;
  ReturnReader(std::move(*db));
  return s;
}

StoreStats Store::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

}  // namespace busbar::targets
