// libs/db Migrate() against a real Postgres: ordering, idempotence, the
// advisory lock under concurrency, and refusal of changed or unknown history.
#include "libs/db/migrate.h"

#include <latch>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/crypto/key_ring.h"
#include "tests/support/pg_test_db.h"

namespace iob::db {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class MigrateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::PgTestDatabase::Create();
    if (db_ == nullptr) GTEST_SKIP() << "IOB_TEST_PG_URL unset: run via ./iob test";
    svc_ = db_->CreateServiceRole("svc", "svc");
  }

  // Runs one query as superuser on the test database and returns the first
  // column of the first row.
  std::string Query(const std::string& sql) {
    pqxx::connection conn(db_->AdminUrl());
    pqxx::read_transaction tx(conn);
    return tx.exec1(sql)[0].as<std::string>("");
  }

  absl::Status MigrateAsService(const std::vector<Migration>& migrations) {
    pqxx::connection conn(svc_.url);
    return Migrate(conn, "svc", migrations);
  }

  std::unique_ptr<testing::PgTestDatabase> db_;
  testing::ServiceRole svc_;
};

const Migration kCreate{"0001_create.sql", "CREATE TABLE t (v integer NOT NULL);"};
const Migration kInsert{"0002_insert.sql", "INSERT INTO t (v) VALUES (42);"};

TEST_F(MigrateTest, AppliesInVersionOrderAndIsIdempotent) {
  // Given out of order: 0002 needs 0001's table.
  ASSERT_TRUE(MigrateAsService({kInsert, kCreate}).ok());
  EXPECT_EQ(Query("SELECT count(*) FROM svc.t"), "1");  // unqualified name landed in svc
  EXPECT_EQ(Query("SELECT string_agg(version || ':' || name || ':' || checksum, ',' ORDER BY "
                  "version) FROM svc.schema_migrations"),
            "1:0001_create.sql:" + crypto::Sha256Hex(kCreate.sql) +
                ",2:0002_insert.sql:" + crypto::Sha256Hex(kInsert.sql));
  const std::string applied_at = Query("SELECT max(applied_at)::text FROM svc.schema_migrations");

  ASSERT_TRUE(MigrateAsService({kCreate, kInsert}).ok());
  EXPECT_EQ(Query("SELECT count(*) FROM svc.t"), "1");
  EXPECT_EQ(Query("SELECT count(*) FROM svc.schema_migrations"), "2");
  EXPECT_EQ(Query("SELECT max(applied_at)::text FROM svc.schema_migrations"), applied_at);

  // A later binary with one more migration applies only that one.
  const Migration more{"0003_more.sql", "INSERT INTO t (v) VALUES (43);"};
  ASSERT_TRUE(MigrateAsService({kCreate, kInsert, more}).ok());
  EXPECT_EQ(Query("SELECT string_agg(v::text, ',' ORDER BY v) FROM svc.t"), "42,43");
}

TEST_F(MigrateTest, ReleasesTheAdvisoryLock) {
  pqxx::connection conn(svc_.url);
  ASSERT_TRUE(Migrate(conn, "svc", {kCreate}).ok());
  pqxx::read_transaction tx(conn);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = "
                     "pg_backend_pid()")[0]
                .as<int>(),
            0);
}

TEST_F(MigrateTest, CreatesMissingSchema) {
  pqxx::connection conn(db_->AdminUrl());
  ASSERT_TRUE(Migrate(conn, "Fresh Schema", {kCreate, kInsert}).ok());
  EXPECT_EQ(Query("SELECT count(*) FROM \"Fresh Schema\".t"), "1");
  EXPECT_EQ(Query("SELECT count(*) FROM \"Fresh Schema\".schema_migrations"), "2");
}

TEST_F(MigrateTest, ConcurrentCallersApplyEachMigrationOnce) {
  // The sleep widens the window in which an unlocked second caller would
  // also see 0001 as pending.
  const std::vector<Migration> migrations = {
      {"0001_create.sql", "SELECT pg_sleep(0.2); CREATE TABLE t (v integer NOT NULL);"},
      {"0002_insert.sql", "INSERT INTO t (v) VALUES (1);"},
  };
  constexpr int kThreads = 8;
  std::vector<std::unique_ptr<pqxx::connection>> conns;
  for (int i = 0; i < kThreads; ++i) conns.push_back(std::make_unique<pqxx::connection>(svc_.url));
  std::latch start(kThreads);
  std::vector<absl::Status> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      results[i] = Migrate(*conns[i], "svc", migrations);
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) EXPECT_TRUE(results[i].ok()) << i << ": " << results[i];
  EXPECT_EQ(Query("SELECT count(*) FROM svc.t"), "1");
  EXPECT_EQ(Query("SELECT string_agg(version::text, ',' ORDER BY version) FROM "
                  "svc.schema_migrations"),
            "1,2");
}

TEST_F(MigrateTest, RefusesChangedMigration) {
  ASSERT_TRUE(MigrateAsService({kCreate}).ok());
  const Migration edited{"0001_create.sql", "CREATE TABLE t (v bigint NOT NULL);"};
  absl::Status status = MigrateAsService({edited, kInsert});
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("0001_create.sql"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("checksum"));
  EXPECT_EQ(Query("SELECT count(*) FROM svc.t"), "0");  // 0002 not applied
}

TEST_F(MigrateTest, RefusesUnknownRecordedVersion) {
  ASSERT_TRUE(MigrateAsService({kCreate, kInsert}).ok());
  absl::Status status = MigrateAsService({kCreate});  // an older binary
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("0002_insert.sql"));
}

TEST_F(MigrateTest, FailedMigrationRollsBackAndNamesIt) {
  const Migration bad{"0002_bad.sql", "CREATE TABLE u (v integer); SELECT no_such_function_iob();"};
  absl::Status status = MigrateAsService({kCreate, bad});
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("0002_bad.sql"));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("no_such_function_iob")));
  EXPECT_EQ(Query("SELECT string_agg(version::text, ',') FROM svc.schema_migrations"), "1");
  EXPECT_EQ(Query("SELECT count(*) FROM pg_tables WHERE schemaname = 'svc' AND tablename = 'u'"),
            "0");
  // Fixed and retried: applies.
  const Migration fixed{"0002_bad.sql", "CREATE TABLE u (v integer);"};
  EXPECT_TRUE(MigrateAsService({kCreate, fixed}).ok());
}

TEST_F(MigrateTest, RefusesMalformedNamesAndDuplicateVersions) {
  for (const std::string name : {"1_a.sql", "001_a.sql", "0001a.sql", "0001_.sql", "abcd_a.sql",
                                 "0001_a.txt", "_a.sql", "0001_a.sql.bak", ""}) {
    absl::Status status = MigrateAsService({{name, "SELECT 1"}});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << "'" << name << "': " << status;
  }
  absl::Status dup = MigrateAsService({kCreate, {"0001_other.sql", "SELECT 1"}});
  EXPECT_EQ(dup.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(dup.message()), HasSubstr("same version"));
  // Nothing was touched.
  EXPECT_EQ(Query("SELECT count(*) FROM pg_tables WHERE schemaname = 'svc'"), "0");
}

TEST_F(MigrateTest, ServiceRoleCannotCreateOtherSchemas) {
  absl::Status status;
  {
    pqxx::connection conn(svc_.url);
    status = Migrate(conn, "other", {kCreate});
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("creating schema other"));
}

}  // namespace
}  // namespace iob::db
