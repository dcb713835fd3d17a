// libs/db Pool against a real Postgres: commit/rollback, exception mapping,
// retries, reconnects, search_path, pool size and acquire timeout.
#include "libs/db/pool.h"

#include <algorithm>
#include <atomic>
#include <latch>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/db/migrate.h"
#include "tests/support/pg_test_db.h"

namespace iob::db {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class PoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::PgTestDatabase::Create();
    if (db_ == nullptr) GTEST_SKIP() << "IOB_TEST_PG_URL unset: run via ./iob test";
    svc_ = db_->CreateServiceRole("svc", "svc");
    pqxx::connection conn(svc_.url);
    ASSERT_TRUE(Migrate(conn, "svc",
                        {{"0001_items.sql",
                          "CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL,"
                          " qty integer NOT NULL DEFAULT 0 CHECK (qty >= 0));"}})
                    .ok());
  }

  std::unique_ptr<Pool> MakePool(int size = 4, absl::Duration timeout = absl::Seconds(5)) {
    auto pool =
        Pool::Create({.url = svc_.url, .schema = "svc", .size = size, .acquire_timeout = timeout});
    EXPECT_TRUE(pool.ok()) << pool.status();
    return pool.ok() ? *std::move(pool) : nullptr;
  }

  static absl::Status Insert(Pool& pool, int id, const std::string& name = "x") {
    return pool.Transact([&](pqxx::transaction_base& tx) {
      tx.exec_params("INSERT INTO items (id, name) VALUES ($1, $2)", id, name);
      return absl::OkStatus();
    });
  }

  static int Count(Pool& pool) {
    int n = -1;
    absl::Status s = pool.Read([&](pqxx::transaction_base& tx) {
      n = tx.exec1("SELECT count(*) FROM items")[0].as<int>();
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return n;
  }

  std::unique_ptr<testing::PgTestDatabase> db_;
  testing::ServiceRole svc_;
};

TEST_F(PoolTest, TransactCommitsOnOk) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  ASSERT_TRUE(Insert(*pool, 1, "one").ok());
  EXPECT_EQ(Count(*pool), 1);
  // Visible from an independent connection: really committed.
  pqxx::connection conn(db_->AdminUrl());
  pqxx::read_transaction tx(conn);
  EXPECT_EQ(tx.exec1("SELECT name FROM svc.items WHERE id = 1")[0].as<std::string>(), "one");
}

TEST_F(PoolTest, TransactRollsBackOnErrorStatus) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  int calls = 0;
  absl::Status status = pool->Transact([&](pqxx::transaction_base& tx) {
    ++calls;
    tx.exec("INSERT INTO items (id, name) VALUES (1, 'one')");
    return absl::InvalidArgumentError("caller says no");
  });
  EXPECT_EQ(status, absl::InvalidArgumentError("caller says no"));
  EXPECT_EQ(calls, 1);  // error statuses are not retried
  EXPECT_EQ(Count(*pool), 0);
}

TEST_F(PoolTest, MapsConstraintViolationsWithSafeMessages) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  ASSERT_TRUE(Insert(*pool, 1).ok());

  absl::Status dup = Insert(*pool, 1);
  EXPECT_EQ(dup.code(), absl::StatusCode::kAlreadyExists) << dup;

  absl::Status check = pool->Transact([](pqxx::transaction_base& tx) {
    tx.exec("INSERT INTO items (id, name, qty) VALUES (2, 'x', -1)");
    return absl::OkStatus();
  });
  EXPECT_EQ(check.code(), absl::StatusCode::kFailedPrecondition) << check;

  absl::Status not_null = pool->Transact([](pqxx::transaction_base& tx) {
    tx.exec("INSERT INTO items (id, name) VALUES (3, NULL)");
    return absl::OkStatus();
  });
  EXPECT_EQ(not_null.code(), absl::StatusCode::kFailedPrecondition) << not_null;

  absl::Status syntax = pool->Transact([](pqxx::transaction_base& tx) {
    tx.exec("SELEKT secret_column FROM items");
    return absl::OkStatus();
  });
  EXPECT_EQ(syntax.code(), absl::StatusCode::kInternal) << syntax;

  absl::Status thrown = pool->Transact([](pqxx::transaction_base&) -> absl::Status {
    throw std::runtime_error("boom with detail");
  });
  EXPECT_EQ(thrown.code(), absl::StatusCode::kInternal) << thrown;

  for (const absl::Status& s : {dup, check, not_null, syntax, thrown}) {
    const std::string message(s.message());
    for (const char* leak : {"INSERT", "items", "SELEKT", "secret_column", "boom", "svc"}) {
      EXPECT_THAT(message, Not(HasSubstr(leak))) << message;
    }
  }
  EXPECT_EQ(Count(*pool), 1);
}

TEST_F(PoolTest, ReadIsReadOnly) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  absl::Status status = pool->Read([](pqxx::transaction_base& tx) {
    tx.exec("INSERT INTO items (id, name) VALUES (1, 'x')");
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_EQ(Count(*pool), 0);
}

// ReadOne runs outside a transaction block: one round trip per statement.
TEST_F(PoolTest, ReadOneRunsWithoutATransactionBlock) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  ASSERT_TRUE(pool->Transact([](pqxx::transaction_base& tx) {
                    tx.exec("INSERT INTO items (id, name) VALUES (7, 'seven')");
                    return absl::OkStatus();
                  })
                  .ok());
  std::string name, in_block;
  absl::Status status = pool->ReadOne([&](pqxx::transaction_base& tx) {
    name = tx.exec1("SELECT name FROM items WHERE id = 7")[0].as<std::string>();
    // now() is the transaction's start; statement_timestamp() the statement's.
    // Outside a block each statement is its own transaction, so they agree.
    in_block = tx.exec1("SELECT (now() <> statement_timestamp())::text")[0].as<std::string>();
    return absl::OkStatus();
  });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(name, "seven");
  EXPECT_EQ(in_block, "false");
  status = pool->Read([&](pqxx::transaction_base& tx) {
    tx.exec("SELECT pg_sleep(0.01)");
    in_block = tx.exec1("SELECT (now() <> statement_timestamp())::text")[0].as<std::string>();
    return absl::OkStatus();
  });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(in_block, "true") << "Read runs inside BEGIN ... COMMIT";
}

TEST_F(PoolTest, PingAndWithConnection) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  EXPECT_TRUE(pool->Ping().ok());
  EXPECT_EQ(pool->schema(), "svc");
  std::string user;
  ASSERT_TRUE(pool->WithConnection([&](pqxx::connection& conn) {
                    pqxx::nontransaction tx(conn);
                    user = tx.exec1("SELECT current_user")[0].as<std::string>();
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(user, svc_.role);
}

TEST_F(PoolTest, SearchPathIsTheSchema) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  std::string search_path;
  std::string table;
  ASSERT_TRUE(pool->Read([&](pqxx::transaction_base& tx) {
                    search_path = tx.exec1("SHOW search_path")[0].as<std::string>();
                    table = tx.exec1("SELECT 'items'::regclass::text")[0].as<std::string>();
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(search_path, "svc");
  EXPECT_EQ(table, "items");  // resolved without qualification
}

TEST_F(PoolTest, UnreachableDatabaseIsUnavailableWithoutPassword) {
  const std::string password = "Hunter2-very-secret";
  auto pool =
      Pool::Create({.url = "postgresql://svc:" + password + "@127.0.0.1:1/iob", .schema = "svc"});
  ASSERT_FALSE(pool.ok());
  EXPECT_EQ(pool.status().code(), absl::StatusCode::kUnavailable) << pool.status();
  EXPECT_THAT(std::string(pool.status().message()), Not(HasSubstr(password)));
  EXPECT_THAT(std::string(pool.status().message()), Not(HasSubstr("127.0.0.1")));

  // Also in key=value form.
  auto kv =
      Pool::Create({.url = "host=127.0.0.1 port=1 user=svc password=" + password, .schema = "svc"});
  EXPECT_EQ(kv.status().code(), absl::StatusCode::kUnavailable) << kv.status();
  EXPECT_THAT(std::string(kv.status().message()), Not(HasSubstr(password)));
}

TEST_F(PoolTest, RejectsBadOptions) {
  const std::string password = "Hunter2-very-secret";
  auto unparsable =
      Pool::Create({.url = "host=x password=" + password + " 'unterminated", .schema = "svc"});
  EXPECT_EQ(unparsable.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(unparsable.status().message()), Not(HasSubstr(password)));
  EXPECT_EQ(Pool::Create({.url = svc_.url, .schema = ""}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Pool::Create({.url = svc_.url, .schema = "svc", .size = 0}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Pool::Create({.url = "", .schema = "svc"}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(PoolTest, RetriesSerializationFailureAndDeadlock) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  int calls = 0;
  absl::Status status = pool->Transact([&](pqxx::transaction_base& tx) {
    ++calls;
    tx.exec_params("INSERT INTO items (id, name) VALUES ($1, 'x')", calls);
    if (calls == 1) throw pqxx::serialization_failure("could not serialize");
    if (calls == 2) throw pqxx::deadlock_detected("deadlock detected");
    return absl::OkStatus();
  });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(Count(*pool), 1);  // the failed attempts rolled back

  calls = 0;
  status = pool->Transact([&](pqxx::transaction_base&) -> absl::Status {
    ++calls;
    throw pqxx::serialization_failure("could not serialize");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted) << status;
  EXPECT_EQ(calls, 4);  // first attempt + 3 retries
}

TEST_F(PoolTest, RealSerializationConflictIsRetried) {
  auto pool = MakePool();
  ASSERT_NE(pool, nullptr);
  ASSERT_TRUE(Insert(*pool, 1).ok());
  // Two SERIALIZABLE read-modify-write transactions on the same row, forced to
  // overlap: one of them fails with 40001 and is re-run by the pool.
  std::latch both_read(2);
  std::atomic<int> calls{0};
  auto increment = [&] {
    bool first = true;
    return pool->Transact([&, first](pqxx::transaction_base& tx) mutable {
      ++calls;
      tx.exec("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
      const int qty = tx.exec1("SELECT qty FROM items WHERE id = 1")[0].as<int>();
      if (first) {
        first = false;
        both_read.arrive_and_wait();
      }
      tx.exec_params("UPDATE items SET qty = $1 WHERE id = 1", qty + 1);
      return absl::OkStatus();
    });
  };
  absl::Status a;
  absl::Status b;
  std::thread ta([&] { a = increment(); });
  std::thread tb([&] { b = increment(); });
  ta.join();
  tb.join();
  EXPECT_TRUE(a.ok()) << a;
  EXPECT_TRUE(b.ok()) << b;
  EXPECT_GE(calls.load(), 3);  // at least one retry happened
  int qty = -1;
  ASSERT_TRUE(pool->Read([&](pqxx::transaction_base& tx) {
                    qty = tx.exec1("SELECT qty FROM items WHERE id = 1")[0].as<int>();
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(qty, 2);  // no lost update
}

TEST_F(PoolTest, Finding20_ReconnectsAfterBackendIsKilledWaitingForItsEnd) {
  auto pool = MakePool(/*size=*/1);
  ASSERT_NE(pool, nullptr);
  auto backend_pid = [&] {
    int pid = 0;
    EXPECT_TRUE(pool->Read([&](pqxx::transaction_base& tx) {
                      pid = tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
                      return absl::OkStatus();
                    })
                    .ok());
    return pid;
  };
  const int before = backend_pid();
  ASSERT_NE(before, 0);
  {
    pqxx::connection admin(db_->AdminUrl());
    pqxx::nontransaction tx(admin);
    ASSERT_TRUE(tx.exec_params1("SELECT pg_terminate_backend($1)", before)[0].as<bool>());
  }
  {
    // Wait (bounded, generously) until the backend is gone, not a guessed time.
    pqxx::connection admin(db_->AdminUrl());
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    int alive = 1;
    while (alive > 0 && absl::Now() < deadline) {
      pqxx::nontransaction tx(admin);
      alive = tx.exec_params1("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", before)[0]
                  .as<int>();
      tx.commit();
      if (alive > 0) absl::SleepFor(absl::Milliseconds(10));  // poll interval
    }
    ASSERT_EQ(alive, 0) << "backend " << before << " still alive";
  }
  // The stale connection breaks on first use; the pool retries on a new one.
  EXPECT_TRUE(Insert(*pool, 7).ok());
  const int after = backend_pid();
  EXPECT_NE(after, 0);
  EXPECT_NE(after, before);
  EXPECT_TRUE(pool->Ping().ok());
}

TEST_F(PoolTest, ManyThreadsShareASmallPool) {
  constexpr int kSize = 4;
  constexpr int kThreads = 32;
  constexpr int kPerThread = 5;
  auto pool = MakePool(kSize, absl::Seconds(30));
  ASSERT_NE(pool, nullptr);
  std::mutex mu;
  std::set<int> pids;
  std::atomic<int> in_flight{0};
  std::atomic<int> max_in_flight{0};
  std::atomic<int> failures{0};
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < kPerThread; ++i) {
        absl::Status s = pool->Transact([&](pqxx::transaction_base& tx) {
          const int now = ++in_flight;
          int seen = max_in_flight.load();
          while (now > seen && !max_in_flight.compare_exchange_weak(seen, now)) {
          }
          const int pid = tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
          tx.exec_params("INSERT INTO items (id, name) VALUES ($1, 'x')", t * 100 + i);
          tx.exec("SELECT pg_sleep(0.005)");
          {
            std::lock_guard<std::mutex> lock(mu);
            pids.insert(pid);
          }
          --in_flight;
          return absl::OkStatus();
        });
        if (!s.ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Count(*pool), kThreads * kPerThread);
  EXPECT_LE(max_in_flight.load(), kSize);
  EXPECT_GE(max_in_flight.load(), 2);  // it really was concurrent
  EXPECT_LE(static_cast<int>(pids.size()), kSize);
}

TEST_F(PoolTest, AcquireTimesOutWhenAllConnectionsAreBusy) {
  auto pool = MakePool(/*size=*/1, absl::Milliseconds(200));
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
  const absl::Time start = absl::Now();
  absl::Status status = Insert(*pool, 1);
  const absl::Duration waited = absl::Now() - start;
  release.count_down();
  holder.join();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_GE(waited, absl::Milliseconds(190));
  EXPECT_LT(waited, absl::Seconds(3));
  // Once released, the connection is usable again.
  EXPECT_TRUE(Insert(*pool, 2).ok());
}

}  // namespace
}  // namespace iob::db
