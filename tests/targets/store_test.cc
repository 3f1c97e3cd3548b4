// Integration tests of the Store on real SQLite files in a temp directory: group commit, per-job
// rollback, error translation, migrations, durability across reopen, draining on shutdown, and a
// failed fsync (a fake Env) stopping the store.
#include "targets/store.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/targets/temp_dir.h"
#include "tests/testing/fake_env.h"

namespace busbar::targets {
namespace {

using testing::TempDir;

std::unique_ptr<Store> OpenStore(const std::string& dir,
                                 FsyncPolicy fsync = FsyncPolicy::kEveryBatch) {
  StoreOptions options;
  options.data_dir = dir;
  options.fsync = fsync;
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(*store) : nullptr;
}

absl::Status CreateTable(Store& store) {
  return store.Write(
      [](Db& db) { return db.Exec("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)"); });
}

WriteJob Insert(int64_t k) {
  return [k](Db& db) -> absl::Status {
    absl::StatusOr<Stmt*> st = db.Prepare("INSERT INTO t(k, v) VALUES(?, 'x')");
    if (!st.ok()) return st.status();
    return (*st)->Bind(1, k).Run();
  };
}

int64_t CountRows(Store& store, const std::string& where = "1") {
  int64_t n = -1;
  absl::Status s = store.Read([&](Db& db) -> absl::Status {
    absl::StatusOr<Stmt*> st = db.Prepare("SELECT COUNT(*) FROM t WHERE " + where);
    if (!st.ok()) return st.status();
    absl::StatusOr<bool> row = (*st)->Step();
    if (!row.ok()) return row.status();
    n = (*st)->Int(0);
    (*st)->Reset();
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  return n;
}

// Runs threads × jobs single-row inserts; returns jobs per second.
double HammerStore(Store& store, int threads, int jobs) {
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  std::atomic<int> failures{0};
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int j = 0; j < jobs; ++j) {
        if (!store.Write(Insert(int64_t{t} * jobs + j)).ok()) ++failures;
      }
    });
  }
  for (auto& w : workers) w.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(failures.load(), 0);
  return threads * jobs / seconds;
}

// Holds the writer inside a job until released, so the jobs submitted meanwhile form one batch.
class WriterGate {
 public:
  WriteJob Job() {
    return [this](Db&) {
      entered_.set_value();
      release_.get_future().wait();
      return absl::OkStatus();
    };
  }
  void WaitEntered() { entered_.get_future().wait(); }
  void Release() { release_.set_value(); }

 private:
  std::promise<void> entered_, release_;
};

TEST(StoreTest, CreatesDatabaseFileInDataDir) {
  TempDir dir;
  auto store = OpenStore(dir.path() + "/nested/data");
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->path(), dir.path() + "/nested/data/busbar.db");
  ASSERT_TRUE(CreateTable(*store).ok());
  ASSERT_TRUE(store->Write(Insert(1)).ok());
  EXPECT_EQ(CountRows(*store), 1);
}

TEST(StoreTest, OpenFailsWhenDataDirCannotBeCreated) {
  StoreOptions options;
  options.data_dir = "/proc/busbar-cannot-exist/data";
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(options);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kInternal);
}

TEST(StoreTest, GroupCommitBatchesConcurrentJobs) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(CreateTable(*store).ok());
  const int kThreads = 8, kJobs = 1000;
  double rate = HammerStore(*store, kThreads, kJobs);
  StoreStats stats = store->stats();
  std::printf(
      "group commit (fsync per batch): %d threads x %d jobs: %.0f jobs/s, %llu batches, "
      "mean batch %.1f\n",
      kThreads, kJobs, rate, static_cast<unsigned long long>(stats.batches), stats.MeanBatchSize());
  EXPECT_LT(stats.batches, uint64_t{kThreads * kJobs});
  EXPECT_GT(stats.MeanBatchSize(), 1.0);
  EXPECT_EQ(CountRows(*store), kThreads * kJobs);
}

TEST(StoreTest, GroupCommitThroughputWithManyJobsInFlight) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(CreateTable(*store).ok());
  const int kJobs = 20000;
  auto start = std::chrono::steady_clock::now();
  std::vector<std::future<absl::Status>> futures;
  futures.reserve(kJobs);
  for (int i = 0; i < kJobs; ++i) futures.push_back(store->Submit(Insert(i)));
  for (auto& f : futures) ASSERT_TRUE(f.get().ok());
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "group commit (fsync per batch): %d jobs submitted at once: %.0f jobs/s, mean "
      "batch %.1f\n",
      kJobs, kJobs / seconds, store->stats().MeanBatchSize());
  EXPECT_EQ(CountRows(*store), kJobs);
}

TEST(StoreTest, AnotherWriterHoldingTheLockIsUnavailable) {
  TempDir dir;
  auto first = OpenStore(dir.path());
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(CreateTable(*first).ok());
  StoreOptions options;
  options.data_dir = dir.path();
  options.busy_timeout_ms = 50;
  auto second = Store::Open(options);
  ASSERT_TRUE(second.ok()) << second.status();
  WriterGate gate;
  auto held = first->Submit(gate.Job());  // `first` holds BEGIN IMMEDIATE
  gate.WaitEntered();
  absl::Status s = (*second)->Write(Insert(1));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
  gate.Release();
  EXPECT_TRUE(held.get().ok());
  EXPECT_TRUE((*second)->Write(Insert(1)).ok());  // lock free again
}

TEST(StoreTest, FsyncOffAlsoCommitsEverything) {
  TempDir dir;
  auto store = OpenStore(dir.path(), FsyncPolicy::kOff);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(CreateTable(*store).ok());
  double rate = HammerStore(*store, 8, 1000);
  std::printf(
      "group commit (synchronous=OFF): 8 threads x 1000 jobs: %.0f jobs/s, mean batch "
      "%.1f\n",
      rate, store->stats().MeanBatchSize());
  EXPECT_EQ(CountRows(*store), 8000);
}

TEST(StoreTest, DurableJobsWaitForTheWalFsyncCommittedOnesDoNot) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(CreateTable(*store).ok());
  const uint64_t syncs_before = store->stats().syncs;
  ASSERT_TRUE(store->Write(Insert(1)).ok());
  EXPECT_GT(store->stats().syncs, syncs_before);  // answered after an fsync of the WAL
  ASSERT_TRUE(store->Write(Insert(2), Store::Durability::kCommitted).ok());
  EXPECT_EQ(CountRows(*store), 2);  // committed and visible either way
  // A failing kCommitted job still reports its error.
  EXPECT_FALSE(store->Write(Insert(2), Store::Durability::kCommitted).ok());
  // Both kinds survive a clean reopen.
  store.reset();
  store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(CountRows(*store), 2);
}

TEST(StoreTest, FailingJobIsRolledBackAloneAndOthersCommit) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(CreateTable(*store).ok());
  WriterGate gate;
  auto first = store->Submit(gate.Job());
  gate.WaitEntered();
  uint64_t batches_before = store->stats().batches;
  std::atomic<bool> good_hook{false}, bad_hook{false};
  auto ok1 = store->Submit(Insert(1));
  auto bad = store->Submit([&](Db& db) -> absl::Status {
    db.OnCommit([&] { bad_hook = true; });
    if (absl::Status s = Insert(2)(db); !s.ok()) return s;  // written, then undone
    return absl::FailedPreconditionError("job refuses");
  });
  auto dup = store->Submit(Insert(1));  // primary key clash with ok1 in the same batch
  auto ok3 = store->Submit([&](Db& db) {
    db.OnCommit([&] { good_hook = true; });
    return Insert(3)(db);
  });
  gate.Release();
  EXPECT_TRUE(first.get().ok());
  EXPECT_TRUE(ok1.get().ok());
  absl::Status bad_status = bad.get();
  EXPECT_EQ(bad_status.code(), absl::StatusCode::kFailedPrecondition);
  absl::Status dup_status = dup.get();
  EXPECT_EQ(dup_status.code(), absl::StatusCode::kAlreadyExists) << dup_status;
  EXPECT_NE(std::string(dup_status.message()).find("UNIQUE"), std::string::npos) << dup_status;
  EXPECT_TRUE(ok3.get().ok());
  EXPECT_TRUE(good_hook);
  EXPECT_FALSE(bad_hook);
  EXPECT_EQ(CountRows(*store), 2);
  EXPECT_EQ(CountRows(*store, "k = 2"), 0);
  // The gate's batch plus at most one more: the four jobs shared a transaction.
  EXPECT_LE(store->stats().batches - batches_before, 2u);
  EXPECT_EQ(store->stats().failed_jobs, 2u);
}

TEST(StoreTest, SqlErrorsAreInternalWithSqliteMessage) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  absl::Status s = store->Write([](Db& db) { return db.Exec("SELECT * FROM missing_table"); });
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_NE(std::string(s.message()).find("no such table: missing_table"), std::string::npos) << s;
  absl::Status p = store->Write([](Db& db) { return db.Prepare("NOT SQL").status(); });
  EXPECT_EQ(p.code(), absl::StatusCode::kInternal);
}

TEST(StoreTest, CommittedWritesSurviveReopen) {
  TempDir dir;
  {
    auto store = OpenStore(dir.path());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(CreateTable(*store).ok());
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(store->Write(Insert(i)).ok());
  }
  auto store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(CountRows(*store), 10);
}

TEST(StoreTest, ShutdownDrainsSubmittedJobs) {
  TempDir dir;
  std::vector<std::future<absl::Status>> futures;
  {
    auto store = OpenStore(dir.path());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(CreateTable(*store).ok());
    for (int i = 0; i < 500; ++i) futures.push_back(store->Submit(Insert(i)));
  }  // destroyed with jobs still queued
  for (auto& f : futures) EXPECT_TRUE(f.get().ok());
  auto store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(CountRows(*store), 500);
}

TEST(StoreTest, MigrationsRunOnceAndRefuseNewerSchema) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  std::vector<std::string_view> v1 = {"CREATE TABLE m1(x)"};
  std::vector<std::string_view> v2 = {"CREATE TABLE m1(x)", "CREATE TABLE m2(y)"};
  ASSERT_TRUE(store->Write([&](Db& db) { return db.Migrate("demo", v1); }).ok());
  ASSERT_TRUE(store->Write([&](Db& db) { return db.Migrate("demo", v1); }).ok());  // no-op
  ASSERT_TRUE(store->Write([&](Db& db) { return db.Migrate("demo", v2); }).ok());  // adds m2
  absl::Status newer = store->Write([&](Db& db) { return db.Migrate("demo", v1); });
  EXPECT_EQ(newer.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(newer.message()).find("version 2"), std::string::npos) << newer;
  int64_t version = 0;
  ASSERT_TRUE(store
                  ->Read([&](Db& db) -> absl::Status {
                    absl::StatusOr<Stmt*> st =
                        db.Prepare("SELECT version FROM schema_version WHERE component='demo'");
                    if (!st.ok()) return st.status();
                    absl::StatusOr<bool> row = (*st)->Step();
                    if (!row.ok()) return row.status();
                    version = (*st)->Int(0);
                    (*st)->Reset();
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(version, 2);
}

TEST(StoreTest, ReadsDoNotSeeUncommittedWork) {
  TempDir dir;
  auto store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(CreateTable(*store).ok());
  std::promise<void> inserted, checked;
  auto job = store->Submit([&](Db& db) {
    absl::Status s = Insert(7)(db);
    inserted.set_value();
    checked.get_future().wait();
    return s;
  });
  inserted.get_future().wait();
  EXPECT_EQ(CountRows(*store), 0);  // the writer's transaction is still open
  checked.set_value();
  EXPECT_TRUE(job.get().ok());
  EXPECT_EQ(CountRows(*store), 1);
}

// A failed fsync stops the store (store.h): the jobs waiting for it and every later job fail
// with Unavailable, on_fatal_error runs once, and what was acknowledged before is still there
// when the file is opened again.
TEST(StoreFsyncFailure, StopsTheStoreAndKeepsWhatWasAcknowledged) {
  TempDir dir;
  busbar::testing::FakeEnv env;
  std::atomic<int> fatal_calls{0};
  std::string fatal_message;
  {
    StoreOptions options;
    options.data_dir = dir.path();
    options.env = &env;
    options.on_fatal_error = [&](const absl::Status& s) {
      ++fatal_calls;
      fatal_message = std::string(s.message());
    };
    auto store = Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE(CreateTable(**store).ok());
    for (int k = 1; k <= 5; ++k) ASSERT_TRUE((*store)->Write(Insert(k)).ok());
    EXPECT_GE(env.syncs(), 5);

    env.FailSyncs(absl::InternalError("fsync of busbar.db-wal failed: Input/output error"));
    absl::Status failed = (*store)->Write(Insert(6));
    EXPECT_TRUE(absl::IsUnavailable(failed)) << failed;
    EXPECT_NE(failed.message().find("the store stopped after a failed fsync"), std::string::npos)
        << failed;
    EXPECT_NE(failed.message().find("Input/output error"), std::string::npos) << failed;

    // Nothing more is written or acknowledged, even once the disk "heals".
    env.FailSyncs(absl::OkStatus());
    const int64_t syncs = env.syncs();
    absl::Status later = (*store)->Write(Insert(7));
    EXPECT_TRUE(absl::IsUnavailable(later)) << later;
    absl::Status receive = (*store)->Write(Insert(8), Store::Durability::kCommitted);
    EXPECT_TRUE(absl::IsUnavailable(receive)) << receive;
    EXPECT_EQ(env.syncs(), syncs);  // no fsync is tried after the failure
    EXPECT_FALSE((*store)->fatal_error().ok());
    EXPECT_EQ(fatal_calls.load(), 1);
    EXPECT_NE(fatal_message.find("Input/output error"), std::string::npos);
  }
  // Reopened (the daemon's restart): every acknowledged row is there; 7 and 8 never ran. Row 6
  // committed before its fsync failed, so it may be there: its writer was told to retry.
  auto store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(CountRows(*store, "k <= 5"), 5);
  EXPECT_EQ(CountRows(*store, "k >= 7"), 0);
  ASSERT_TRUE(store->Write(Insert(9)).ok());
}

}  // namespace
}  // namespace busbar::targets
