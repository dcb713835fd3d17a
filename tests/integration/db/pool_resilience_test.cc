// libs/db Pool against a real Postgres, issue 8 findings 9 and 11: the
// readiness ping on its own connection, recovery after every backend was
// terminated (what a Postgres restart does to the pool), per-connection
// statement and lock timeouts, and the caller's deadline cancelling a query.
#include <functional>
#include <latch>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/db/migrate.h"
#include "libs/db/pool.h"
#include "tests/support/pg_test_db.h"
#include "tests/support/wait.h"

namespace iob::db {
namespace {

using ::iob::testing::WaitFor;

using ::testing::HasSubstr;
using ::testing::Not;

class PoolResilienceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::PgTestDatabase::Create();
    if (db_ == nullptr) GTEST_SKIP() << "IOB_TEST_PG_URL unset: run via ./iob test";
    svc_ = db_->CreateServiceRole("svc", "svc");
    pqxx::connection conn(svc_.url);
    ASSERT_TRUE(Migrate(conn, "svc",
                        {{"0001_items.sql",
                          "CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL,"
                          " qty integer NOT NULL DEFAULT 0);"}})
                    .ok());
  }

  // A pool on the service role with these options (url and schema set here).
  std::unique_ptr<Pool> MakePool(int size, absl::Duration acquire_timeout = absl::Seconds(5),
                                 absl::Duration statement_timeout = absl::Seconds(10),
                                 absl::Duration lock_timeout = absl::Seconds(5)) {
    auto pool = Pool::Create({.url = svc_.url,
                              .schema = "svc",
                              .size = size,
                              .acquire_timeout = acquire_timeout,
                              .statement_timeout = statement_timeout,
                              .lock_timeout = lock_timeout});
    EXPECT_TRUE(pool.ok()) << pool.status();
    return pool.ok() ? *std::move(pool) : nullptr;
  }

  static absl::Status Insert(Pool& pool, int id) {
    return pool.Transact([&](pqxx::transaction_base& tx) {
      tx.exec_params("INSERT INTO items (id, name) VALUES ($1, 'x')", id);
      return absl::OkStatus();
    });
  }

  // Runs `sql` as the superuser; the first column of the first row as text
  // ("" when there is no row).
  std::string Admin(const std::string& sql) {
    pqxx::connection admin(db_->AdminUrl());
    pqxx::nontransaction tx(admin);
    pqxx::result r = tx.exec(sql);
    return r.empty() || r[0][0].is_null() ? "" : r[0][0].c_str();
  }

  std::string Backends(const std::string& extra = "") {
    return Admin("SELECT count(*) FROM pg_stat_activity WHERE usename = '" + svc_.role + "'" +
                 extra);
  }

  // Terminates every backend of the service role and waits until the server
  // has reaped them.
  void TerminateServiceBackends() {
    Admin("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = '" +
          svc_.role + "'");
    WaitFor([&] { return Backends() == "0"; });
  }

  std::unique_ptr<testing::PgTestDatabase> db_;
  testing::ServiceRole svc_;
};

// Readiness must not borrow from the request pool: with the only pooled
// connection held by a long call, Ping still answers (the old Ping waited
// acquire_timeout for that connection and reported UNAVAILABLE).
TEST_F(PoolResilienceTest, Finding9_ReadinessPingDoesNotBorrowFromBusyPool) {
  auto pool = MakePool(1, absl::Seconds(3));
  ASSERT_NE(pool, nullptr);
  std::latch holding(1);
  std::latch release(1);
  std::thread holder([&] {
    EXPECT_TRUE(pool->Transact([&](pqxx::transaction_base&) {
                      holding.count_down();
                      release.wait();
                      return absl::OkStatus();
                    })
                    .ok());
  });
  holding.wait();
  const absl::Status ping = pool->Ping();
  const absl::Status again = pool->Ping();
  const std::string backends = Backends();
  release.count_down();
  holder.join();
  EXPECT_TRUE(ping.ok()) << ping;
  EXPECT_TRUE(again.ok()) << again;
  EXPECT_EQ(backends, "2");  // the pool's one connection and Ping's own

  // A restart is not an outage: the stale ping connection is replaced.
  TerminateServiceBackends();
  EXPECT_TRUE(pool->Ping().ok());
  // An outage is reported, and the database's return too.
  Admin("ALTER ROLE " + svc_.role + " NOLOGIN");
  TerminateServiceBackends();
  EXPECT_EQ(pool->Ping().code(), absl::StatusCode::kUnavailable);
  Admin("ALTER ROLE " + svc_.role + " LOGIN");
  EXPECT_TRUE(pool->Ping().ok());
}

// After a Postgres restart every pooled connection is broken; the first
// requests must still succeed. The old pool retried 3 times, each time on
// another stale idle connection, and failed the first request.
TEST_F(PoolResilienceTest, Finding9_FirstRequestsAfterPostgresRestartSucceed) {
  constexpr int kSize = 8;
  auto pool = MakePool(kSize);
  ASSERT_NE(pool, nullptr);
  {
    // Open all kSize connections: kSize calls inside at once.
    std::latch all_in(kSize);
    std::vector<std::thread> threads;
    for (int i = 0; i < kSize; ++i) {
      threads.emplace_back([&, i] {
        EXPECT_TRUE(pool->Transact([&](pqxx::transaction_base& tx) {
                          tx.exec_params("INSERT INTO items (id, name) VALUES ($1, 'warm')", i);
                          all_in.arrive_and_wait();
                          return absl::OkStatus();
                        })
                        .ok());
      });
    }
    for (auto& t : threads) t.join();
  }
  ASSERT_EQ(Backends(), std::to_string(kSize));
  TerminateServiceBackends();
  for (int i = 0; i < kSize; ++i) {
    EXPECT_TRUE(Insert(*pool, 100 + i).ok()) << "request " << i << " after the restart";
  }
  EXPECT_EQ(Admin("SELECT count(*) FROM svc.items"), std::to_string(2 * kSize));
}

// Every pooled connection carries statement_timeout and lock_timeout; a
// statement past either is cancelled by Postgres.
TEST_F(PoolResilienceTest, Finding11_StatementAndLockTimeoutsAreSetPerConnection) {
  auto pool = MakePool(2, absl::Seconds(5), absl::Milliseconds(1500), absl::Milliseconds(700));
  ASSERT_NE(pool, nullptr);
  std::string statement_timeout, lock_timeout;
  ASSERT_TRUE(pool->Read([&](pqxx::transaction_base& tx) {
                    statement_timeout = tx.exec1("SHOW statement_timeout")[0].c_str();
                    lock_timeout = tx.exec1("SHOW lock_timeout")[0].c_str();
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(statement_timeout, "1500ms");
  EXPECT_EQ(lock_timeout, "700ms");

  const absl::Status slow = pool->ReadOne([](pqxx::transaction_base& tx) {
    tx.exec("SELECT pg_sleep(600)");
    return absl::OkStatus();
  });
  EXPECT_EQ(slow.code(), absl::StatusCode::kDeadlineExceeded) << slow;

  ASSERT_TRUE(Insert(*pool, 1).ok());
  pqxx::connection other(svc_.url);
  pqxx::work locker(other);
  locker.exec("SELECT * FROM svc.items WHERE id = 1 FOR UPDATE");
  const absl::Status blocked = pool->Transact([](pqxx::transaction_base& tx) {
    tx.exec("UPDATE items SET qty = 5 WHERE id = 1");
    return absl::OkStatus();
  });
  locker.abort();
  EXPECT_EQ(blocked.code(), absl::StatusCode::kAborted) << blocked;
  EXPECT_THAT(std::string(blocked.message()), Not(HasSubstr("UPDATE")));
}

// The caller's deadline (ScopedDeadline, which runtime::HandleRpc sets from
// the gRPC deadline) cancels the query in Postgres even with no statement
// timeout configured, and no call starts once it has passed.
TEST_F(PoolResilienceTest, Finding11_QueryCancelledWhenCallDeadlinePasses) {
  auto pool = MakePool(2, absl::Seconds(5), absl::ZeroDuration(), absl::ZeroDuration());
  ASSERT_NE(pool, nullptr);
  auto sleep = [](pqxx::transaction_base& tx) {
    tx.exec("SELECT pg_sleep(600)");
    return absl::OkStatus();
  };
  for (const bool read_one : {false, true}) {
    SCOPED_TRACE(read_one ? "ReadOne" : "Transact");
    absl::Status status;
    {
      ScopedDeadline deadline(absl::Now() + absl::Milliseconds(300));
      status = read_one ? pool->ReadOne(sleep) : pool->Transact(sleep);
    }
    EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
    // Cancelled in the server, not merely abandoned by the client.
    EXPECT_EQ(Backends(" AND state = 'active' AND query LIKE '%pg_sleep(600)%'"), "0");
  }
  {
    ScopedDeadline passed(absl::Now() - absl::Seconds(1));
    EXPECT_EQ(Insert(*pool, 1).code(), absl::StatusCode::kDeadlineExceeded);
  }
  EXPECT_EQ(ScopedDeadline::Current(), absl::InfiniteFuture());
  // Outside the scope the pool works as before.
  EXPECT_TRUE(Insert(*pool, 1).ok());
}

// A deadline shorter than the statement timeout bounds the session's
// statement_timeout (90-100% of the time left); the next statements under
// the same deadline reuse it (no SET per call), and a call without a
// deadline gets the configured timeout back.
TEST_F(PoolResilienceTest, Finding11_DeadlineBoundsTheSessionTimeoutWhichComesBackAfter) {
  auto pool = MakePool(1, absl::Seconds(5), absl::Milliseconds(10000), absl::Milliseconds(700));
  ASSERT_NE(pool, nullptr);
  auto show = [&] {
    std::string value;
    EXPECT_TRUE(pool->ReadOne([&](pqxx::transaction_base& tx) {
                      value = tx.exec1(
                                    "SELECT setting FROM pg_settings "
                                    "WHERE name = 'statement_timeout'")[0]
                                  .c_str();
                      return absl::OkStatus();
                    })
                    .ok());
    return value;
  };
  std::string first, second;
  {
    ScopedDeadline deadline(absl::Now() + absl::Seconds(2));
    first = show();
    second = show();
  }
  int first_ms = 0;
  ASSERT_TRUE(absl::SimpleAtoi(first, &first_ms)) << first;
  EXPECT_LE(first_ms, 2000);
  EXPECT_GE(first_ms, 1700);
  EXPECT_EQ(second, first) << "a like deadline keeps the session's timeout";
  EXPECT_EQ(show(), "10000") << "no deadline: the configured timeout again";
}

// WriteOne commits a statement on its own (no transaction block). On a
// connection the server closed while it was idle (a restart) the statement
// is not sent, so it is retried on a fresh connection and succeeds; it is
// never run twice.
TEST_F(PoolResilienceTest, Finding9_WriteOneAfterPostgresRestartSucceedsOnce) {
  auto pool = MakePool(2);
  ASSERT_NE(pool, nullptr);
  auto write = [&](int id) {
    return pool->WriteOne([&](pqxx::transaction_base& tx) {
      tx.exec("INSERT INTO items (id, name) SELECT " + std::to_string(id) +
              ", (now() = statement_timestamp())::text");
      return absl::OkStatus();
    });
  };
  ASSERT_TRUE(write(1).ok());
  EXPECT_EQ(Admin("SELECT name FROM svc.items WHERE id = 1"), "true")
      << "its own transaction: the statement started it";
  TerminateServiceBackends();
  const absl::Status after = write(2);
  EXPECT_TRUE(after.ok()) << after;
  EXPECT_EQ(Admin("SELECT count(*) FROM svc.items"), "2");
}

}  // namespace
}  // namespace iob::db
