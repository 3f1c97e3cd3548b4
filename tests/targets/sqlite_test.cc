// Unit tests of the SQLite wrapper on in-memory databases: error translation, statements,
// the statement cache and migrations.
#include "targets/sqlite.h"

#include <sqlite3.h>

#include <string>

#include "gtest/gtest.h"

namespace busbar::targets {
namespace {

std::unique_ptr<Db> Memory() {
  auto db = Db::Open(":memory:", DbOptions{});
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? std::move(*db) : nullptr;
}

TEST(StoreSqlite, TranslatesResultCodes) {
  EXPECT_TRUE(SqliteStatus(SQLITE_OK, nullptr, "x").ok());
  EXPECT_TRUE(SqliteStatus(SQLITE_DONE, nullptr, "x").ok());
  EXPECT_EQ(SqliteStatus(SQLITE_BUSY, nullptr, "x").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(SqliteStatus(SQLITE_BUSY_SNAPSHOT, nullptr, "x").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(SqliteStatus(SQLITE_LOCKED, nullptr, "x").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(SqliteStatus(SQLITE_CONSTRAINT_UNIQUE, nullptr, "x").code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(SqliteStatus(SQLITE_CONSTRAINT_PRIMARYKEY, nullptr, "x").code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(SqliteStatus(SQLITE_CONSTRAINT_NOTNULL, nullptr, "x").code(),
            absl::StatusCode::kFailedPrecondition);
  absl::Status io = SqliteStatus(SQLITE_IOERR, nullptr, "writing");
  EXPECT_EQ(io.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(io.message(), "writing: disk I/O error");
}

TEST(StoreSqlite, BindStepAndColumns) {
  auto db = Memory();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Exec("CREATE TABLE t(a INTEGER, b TEXT, c TEXT)").ok());
  auto insert = db->Prepare("INSERT INTO t VALUES(?, ?, ?)");
  ASSERT_TRUE(insert.ok());
  ASSERT_TRUE((*insert)
                  ->Bind(1, int64_t{1} << 40)
                  .Bind(2, std::string_view("h\0i", 3))
                  .BindNull(3)
                  .Run()
                  .ok());
  EXPECT_EQ(db->Changes(), 1);
  EXPECT_EQ(db->LastInsertRowId(), 1);
  auto select = db->Prepare("SELECT a, b, c FROM t");
  ASSERT_TRUE(select.ok());
  auto row = (*select)->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ((*select)->Int(0), int64_t{1} << 40);
  EXPECT_EQ((*select)->Text(1), std::string_view("h\0i", 3));
  EXPECT_TRUE((*select)->IsNull(2));
  EXPECT_FALSE((*select)->IsNull(0));
  row = (*select)->Step();
  ASSERT_TRUE(row.ok());
  EXPECT_FALSE(*row);
}

TEST(StoreSqlite, PrepareCachesAndResets) {
  auto db = Memory();
  ASSERT_NE(db, nullptr);
  auto a = db->Prepare("SELECT ?");
  ASSERT_TRUE(a.ok());
  (*a)->Bind(1, int64_t{5});
  ASSERT_TRUE(*(*a)->Step());
  auto b = db->Prepare("SELECT ?");  // same statement, rewound, bindings cleared
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*a, *b);
  ASSERT_TRUE(*(*b)->Step());
  EXPECT_TRUE((*b)->IsNull(0));
}

TEST(StoreSqlite, BindErrorIsReportedByStep) {
  auto db = Memory();
  ASSERT_NE(db, nullptr);
  auto st = db->Prepare("SELECT ?");
  ASSERT_TRUE(st.ok());
  absl::Status s = (*st)->Bind(7, int64_t{1}).Run();  // no parameter 7
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_NE(std::string(s.message()).find("bind"), std::string::npos) << s;
}

TEST(StoreSqlite, ForeignKeysAreEnforced) {
  auto db = Memory();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Exec("CREATE TABLE p(id INTEGER PRIMARY KEY);"
                       "CREATE TABLE c(p INTEGER REFERENCES p(id))")
                  .ok());
  absl::Status s = db->Exec("INSERT INTO c VALUES(42)");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(s.message()).find("FOREIGN KEY"), std::string::npos) << s;
}

TEST(StoreSqlite, ReadOnlyOpenOfMissingFileFails) {
  DbOptions options;
  options.read_only = true;
  auto db = Db::Open("/tmp/busbar-no-such-dir/none.db", options);
  EXPECT_EQ(db.status().code(), absl::StatusCode::kInternal);
  EXPECT_NE(std::string(db.status().message()).find("/tmp/busbar-no-such-dir/none.db"),
            std::string::npos);
}

}  // namespace
}  // namespace busbar::targets
