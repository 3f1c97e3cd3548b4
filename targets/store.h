// busbar::targets::Store — the durable SQLite store of one data directory
// (`<data_dir>/busbar.db`, WAL mode) with ONE writer thread and group commit.
//
// Writes are jobs (`absl::Status(Db&)`). The writer takes every job waiting when it wakes (up to
// StoreOptions::max_batch_jobs), runs them inside one BEGIN IMMEDIATE … COMMIT, each under its own
// SAVEPOINT, and completes each job only after COMMIT returned: durability costs one fsync per
// batch, not per job. A job that returns an error is rolled back alone (its savepoint) and its
// Db::OnCommit hooks are dropped; the other jobs of the batch still commit. If COMMIT itself
// fails every job of the batch gets that error.
//
//   StoreOptions options;
//   options.data_dir = "/var/lib/busbar";
//   auto store = Store::Open(options);
//   absl::Status s = (*store)->Write([](Db& db) { return db.Exec("INSERT …"); });  // on disk now
//
// Fsync policy (StoreOptions::fsync; `busbar serve --fsync`): kEveryBatch (the default) — an
// acknowledged write is on disk and survives power loss. SQLite runs with synchronous=NORMAL
// (it commits without fsync, and fsyncs the WAL and the database around checkpoints); the
// completion thread fsyncs the WAL file (through StoreOptions::env) once for every batch
// committed since its last fsync and only then completes their jobs. So the writer thread never
// waits on the disk: it runs the next batch while the previous one is being made durable. kOff
// (synchronous=OFF) — for benchmarks only: nothing is fsynced; a crash of the process keeps
// committed data (it is in the OS page cache) but a power loss or kernel crash can lose recent
// commits or corrupt the file.
//
// Checkpoints (copying the WAL into the database file) run on a checkpoint thread once the WAL
// passes StoreOptions::checkpoint_frames; the writer copies the few pages committed meanwhile
// between two batches, so the WAL starts over instead of growing.
//
// A failed fsync is fatal: after it the kernel may have dropped the unsynced pages, so a later
// successful fsync would not make the earlier commits durable and the WAL could end in a gap
// that hides later commits too. So the Store stops accepting writes: the jobs waiting for that
// fsync, and every job submitted after it, complete with Unavailable ("the store stopped after a
// failed fsync: …"; callers answer a retryable error), nothing more is acknowledged, and
// StoreOptions::on_fatal_error runs once (the daemon logs it and stops; a restart recovers from
// the WAL as SQLite left it). Everything acknowledged before the failure was fsynced and stays.
//
// Reads run on separate read-only connections (WAL lets them proceed while the writer writes)
// and see every write whose completion has been reported.
//
// Threads: Store is thread-safe. Jobs run on the writer thread; a job must not call Write/Submit
// (it would wait for itself) and must not keep the Db& after it returns. Destroying the Store
// runs every job already submitted (clean shutdown drains the queue) and then closes the file.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "matcher/base/env.h"
#include "targets/sqlite.h"

namespace busbar::targets {

enum class FsyncPolicy {
  kEveryBatch,  // synchronous=NORMAL + one fsync of the WAL per batch: acknowledged means on disk
  kOff,         // synchronous=OFF: benchmarks only; power loss may lose commits
};

struct StoreOptions {
  std::string data_dir;  // created if missing
  FsyncPolicy fsync = FsyncPolicy::kEveryBatch;
  int busy_timeout_ms = 5000;
  size_t max_batch_jobs = 4096;  // upper bound on the jobs of one transaction
  // WAL pages (4 KiB) after which the checkpoint thread copies the WAL into the database file.
  int checkpoint_frames = 4000;
  // The clock and file sync; nullptr = base::Env::Default(). Must outlive the Store.
  base::Env* env = nullptr;
  // Runs once, on the completion thread, when an fsync fails (see above). Must be quick.
  std::function<void(const absl::Status&)> on_fatal_error;
};

struct StoreStats {
  uint64_t batches = 0;  // transactions committed
  uint64_t jobs = 0;     // jobs run (committed or rolled back alone)
  uint64_t failed_jobs = 0;
  uint64_t writer_cpu_ns = 0;  // CPU time of the writer thread running batches
  uint64_t commit_ns = 0;      // wall time spent in COMMIT (the fsync under kEveryBatch)
  uint64_t checkpoints = 0;    // background checkpoints run
  uint64_t syncs = 0;          // fsyncs of the WAL by the completion thread (kEveryBatch)
  uint64_t sync_ns = 0;        // wall time spent in them
  double MeanBatchSize() const { return batches == 0 ? 0.0 : double(jobs) / double(batches); }
};

using WriteJob = std::function<absl::Status(Db&)>;
using ReadJob = std::function<absl::Status(Db&)>;

class Store {
 public:
  // Opens or creates `<data_dir>/busbar.db` and starts the writer thread.
  // Errors: Internal when the directory or file cannot be created or opened.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const StoreOptions& options);

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  ~Store();

  // Queues `job`; `done` runs with the job's status after its batch committed (or with the
  // commit's error). kDurable (the default): once the commit is on disk (FsyncPolicy), on the
  // store's completion thread. kCommitted: right after the commit, on the writer thread —
  // for changes a crash may undo without breaking a promise (a queue receive: the message
  // would just be visible again). `done` must be quick and must not call Write.
  enum class Durability { kDurable, kCommitted };
  void Submit(WriteJob job, std::function<void(absl::Status)> done,
              Durability durability = Durability::kDurable);
  // Queues `job`; the future becomes ready as `done` would run.
  std::future<absl::Status> Submit(WriteJob job, Durability durability = Durability::kDurable);
  // Runs `job` and waits as Submit describes. REQUIRES: not called from a job.
  absl::Status Write(WriteJob job, Durability durability = Durability::kDurable);

  // Runs `job` on a read-only connection inside one read transaction (a consistent snapshot).
  absl::Status Read(const ReadJob& job);

  StoreStats stats() const;
  // OK, or the failed fsync that stopped the store.
  absl::Status fatal_error() const;
  const std::string& path() const { return path_; }

 private:
  struct Pending {
    WriteJob job;
    std::function<void(absl::Status)> done;
    Durability durability = Durability::kDurable;
  };

  Store(std::string path, StoreOptions options, std::unique_ptr<Db> writer);
  void WriterLoop();
  void RunBatch(std::vector<Pending>& batch);
  void CompleterLoop();
  absl::Status SyncWal();
  // Records the first failed fsync (runs on_fatal_error once); returns the store's fatal error.
  absl::Status Fail(absl::Status error);
  void CheckpointerLoop();
  void AfterCommit();
  absl::StatusOr<std::unique_ptr<Db>> TakeReader();
  void ReturnReader(std::unique_ptr<Db> reader);

  const std::string path_;
  const StoreOptions options_;
  std::unique_ptr<Db> writer_db_;  // used by the writer thread only

  mutable absl::Mutex mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status fatal_ ABSL_GUARDED_BY(mu_);  // set once, by the first failed fsync
  StoreStats stats_ ABSL_GUARDED_BY(mu_);

  // Committed jobs whose `done` has not run yet, for the completion thread.
  absl::Mutex done_mu_;
  struct Completion {
    std::function<void(absl::Status)> done;
    absl::Status status;
    bool needs_sync = false;  // committed under kEveryBatch: fsync the WAL first
  };
  std::deque<Completion> done_queue_ ABSL_GUARDED_BY(done_mu_);
  int wal_fd_ = -1;  // the WAL file, opened by the completion thread to fsync it
  bool done_stopping_ ABSL_GUARDED_BY(done_mu_) = false;

  // The checkpoint thread: asked to run when the WAL passes checkpoint_frames; when it is
  // done the writer finishes the job between two batches (see store.cc).
  absl::Mutex checkpoint_mu_;
  bool checkpoint_wanted_ ABSL_GUARDED_BY(checkpoint_mu_) = false;
  bool checkpoint_running_ ABSL_GUARDED_BY(checkpoint_mu_) = false;
  bool checkpoint_done_ ABSL_GUARDED_BY(checkpoint_mu_) = false;
  bool checkpoint_stopping_ ABSL_GUARDED_BY(checkpoint_mu_) = false;

  absl::Mutex readers_mu_;
  std::vector<std::unique_ptr<Db>> idle_readers_ ABSL_GUARDED_BY(readers_mu_);

  std::thread checkpointer_;  // last three: start after everything above is constructed
  std::thread completer_;
  std::thread writer_;
};

}  // namespace busbar::targets
