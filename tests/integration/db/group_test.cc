// libs/db GroupCommit and GroupRead against a real Postgres: callers'
// rows share transactions and keys share queries, each caller returns only
// with its own committed row or fresh answer, and errors and deadlines
// reach every caller they concern.
#include <atomic>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "libs/db/group_commit.h"
#include "libs/db/group_read.h"
#include "libs/db/migrate.h"
#include "libs/db/pool.h"
#include "tests/support/pg_test_db.h"
#include "tests/support/wait.h"

namespace iob::db {
namespace {

class GroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::PgTestDatabase::Create();
    if (db_ == nullptr) GTEST_SKIP() << "IOB_TEST_PG_URL unset: run via ./iob test";
    svc_ = db_->CreateServiceRole("svc", "svc");
    pqxx::connection conn(svc_.url);
    ASSERT_TRUE(
        Migrate(conn, "svc",
                {{"0001_events.sql", "CREATE TABLE events (id integer PRIMARY KEY, what text);"}})
            .ok());
    auto pool = Pool::Create({.url = svc_.url, .schema = "svc", .size = 4});
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
  }

  // Rows in svc.events, read on a connection of its own.
  int Count(const std::string &where = "true") {
    pqxx::connection conn(svc_.url);
    pqxx::nontransaction tx(conn);
    return tx.exec1("SELECT count(*) FROM svc.events WHERE " + where)[0].as<int>();
  }

  std::unique_ptr<testing::PgTestDatabase> db_;
  testing::ServiceRole svc_;
  std::unique_ptr<Pool> pool_;
};

// One statement, as GroupCommit's WriteFn must be.
void InsertEvents(pqxx::transaction_base &tx, const std::vector<const int *> &ids) {
  std::string list;
  for (const int *id : ids) absl::StrAppend(&list, list.empty() ? "" : ",", *id);
  tx.exec_params("INSERT INTO events (id) SELECT unnest(string_to_array($1, ','))::int", list);
}

TEST_F(GroupTest, AppendsWaitingBehindATransactionShareTheNext) {
  absl::Notification first_batch_started, release_first_batch;
  std::vector<size_t> batch_sizes;  // written by the writer thread only
  GroupCommit<int> log(
      pool_.get(),
      [&](pqxx::transaction_base &tx, const std::vector<const int *> &ids) {
        batch_sizes.push_back(ids.size());
        if (!first_batch_started.HasBeenNotified()) {
          first_batch_started.Notify();
          release_first_batch.WaitForNotification();
        }
        InsertEvents(tx, ids);
        return absl::OkStatus();
      },
      /*max_batch=*/32);

  std::vector<std::thread> callers;
  std::atomic<int> visible_on_return{0};
  auto append = [&](int id) {
    ASSERT_TRUE(log.Append(id).ok());
    // Committed before Append returned: another connection sees it.
    if (Count(absl::StrCat("id = ", id)) == 1) ++visible_on_return;
  };
  callers.emplace_back(append, 0);
  first_batch_started.WaitForNotification();
  for (int id = 1; id <= 15; ++id) callers.emplace_back(append, id);
  testing::WaitFor([&] { return log.queued() == 15; }, "15 appends queued");
  EXPECT_EQ(Count(), 0) << "nothing is written before its transaction commits";
  release_first_batch.Notify();
  for (auto &t : callers) t.join();

  EXPECT_EQ(Count(), 16);
  EXPECT_EQ(visible_on_return.load(), 16);
  EXPECT_EQ(batch_sizes, (std::vector<size_t>{1, 15}));
}

TEST_F(GroupTest, AFailedBatchFailsEveryAppendInItAndWritesNothing) {
  absl::Notification first_batch_started, release_first_batch;
  GroupCommit<int> log(
      pool_.get(),
      [&](pqxx::transaction_base &tx, const std::vector<const int *> &ids) {
        if (!first_batch_started.HasBeenNotified()) {
          first_batch_started.Notify();
          release_first_batch.WaitForNotification();
        }
        InsertEvents(tx, ids);
        return absl::OkStatus();
      },
      /*max_batch=*/32);
  std::vector<absl::Status> results(4);
  std::vector<std::thread> callers;
  callers.emplace_back([&] { results[0] = log.Append(100); });
  first_batch_started.WaitForNotification();
  // The second batch repeats id 100: its one INSERT fails as a whole.
  for (int i = 1; i < 4; ++i) {
    callers.emplace_back([&, i] { results[i] = log.Append(i == 2 ? 100 : 100 + i); });
  }
  testing::WaitFor([&] { return log.queued() == 3; }, "3 appends queued");
  release_first_batch.Notify();
  for (auto &t : callers) t.join();

  EXPECT_TRUE(results[0].ok()) << results[0];
  for (int i = 1; i < 4; ++i) {
    EXPECT_EQ(results[i].code(), absl::StatusCode::kAlreadyExists) << results[i];
  }
  EXPECT_EQ(Count(), 1) << "nothing of the failed batch was written";
}

TEST_F(GroupTest, AppendGivesUpAtTheCallersDeadline) {
  absl::Notification first_batch_started, release_first_batch;
  GroupCommit<int> log(
      pool_.get(),
      [&](pqxx::transaction_base &tx, const std::vector<const int *> &ids) {
        if (!first_batch_started.HasBeenNotified()) {
          first_batch_started.Notify();
          release_first_batch.WaitForNotification();
        }
        InsertEvents(tx, ids);
        return absl::OkStatus();
      },
      /*max_batch=*/32);
  std::thread first([&] { EXPECT_TRUE(log.Append(1).ok()); });
  first_batch_started.WaitForNotification();
  absl::Status late;
  {
    ScopedDeadline deadline(absl::Now() + absl::Milliseconds(200));
    late = log.Append(2);
  }
  EXPECT_EQ(late.code(), absl::StatusCode::kDeadlineExceeded) << late;
  release_first_batch.Notify();
  first.join();
}

// GroupRead over svc.events: the `what` of each id, NOT_FOUND without a row.
class Reads {
 public:
  Reads(Pool *pool, int max_in_flight)
      : reads_(
            pool,
            [this](pqxx::transaction_base &tx, const std::vector<const int *> &ids) {
              ++queries_;
              if (block_next_ && !blocked_.HasBeenNotified()) {
                blocked_.Notify();
                release_.WaitForNotification();
              }
              std::vector<absl::StatusOr<std::string>> out;
              for (const int *id : ids) {
                pqxx::result r = tx.exec_params("SELECT what FROM events WHERE id = $1", *id);
                if (r.empty()) {
                  out.push_back(absl::NotFoundError(absl::StrCat("event ", *id, " not found")));
                } else {
                  out.push_back(r[0][0].as<std::string>());
                }
              }
              keys_read_ += static_cast<int>(ids.size());
              return out;
            },
            /*max_batch=*/32, max_in_flight) {}

  GroupRead<int, std::string> &group() { return reads_; }
  // Makes the next query wait (after it was counted) until Release().
  void BlockNextQuery() { block_next_ = true; }
  void WaitUntilBlocked() { blocked_.WaitForNotification(); }
  void Release() { release_.Notify(); }
  int queries() const { return queries_; }
  int keys_read() const { return keys_read_; }

 private:
  std::atomic<int> queries_{0};
  std::atomic<int> keys_read_{0};
  std::atomic<bool> block_next_{false};
  absl::Notification blocked_, release_;
  GroupRead<int, std::string> reads_;
};

TEST_F(GroupTest, ReadsWaitingBehindAQueryShareTheNextAndSeeCommitsBeforeTheirCall) {
  ASSERT_TRUE(pool_
                  ->Transact([](pqxx::transaction_base &tx) {
                    tx.exec(
                        "INSERT INTO events SELECT g, 'e' || g FROM "
                        "generate_series(1, 9) g");
                    return absl::OkStatus();
                  })
                  .ok());
  Reads reads(pool_.get(), /*max_in_flight=*/1);
  reads.BlockNextQuery();
  absl::StatusOr<std::string> first;
  std::thread leader([&] { first = reads.group().Read(1); });
  reads.WaitUntilBlocked();
  // Committed while the first query is under way: the reads that start now
  // must see it, so they cannot be answered by that query.
  ASSERT_TRUE(pool_
                  ->Transact([](pqxx::transaction_base &tx) {
                    tx.exec("INSERT INTO events VALUES (10, 'late')");
                    return absl::OkStatus();
                  })
                  .ok());
  std::vector<absl::StatusOr<std::string>> got(12);
  std::vector<std::thread> followers;
  for (int id = 0; id < 12; ++id) {
    followers.emplace_back([&, id] { got[id] = reads.group().Read(id == 11 ? 10 : id); });
  }
  testing::WaitFor([&] { return reads.group().queued() == 12; }, "12 reads queued");
  reads.Release();
  leader.join();
  for (auto &t : followers) t.join();

  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, "e1");
  EXPECT_EQ(reads.queries(), 2) << "the 12 waiting reads shared one query";
  EXPECT_EQ(reads.keys_read(), 13);
  EXPECT_EQ(got[0].status().code(), absl::StatusCode::kNotFound);
  for (int id = 1; id <= 9; ++id) {
    ASSERT_TRUE(got[id].ok()) << got[id].status();
    EXPECT_EQ(*got[id], absl::StrCat("e", id));
  }
  ASSERT_TRUE(got[10].ok() && got[11].ok());
  EXPECT_EQ(*got[10], "late");
  EXPECT_EQ(*got[11], "late");
}

TEST_F(GroupTest, AFailedQueryFailsEveryReadInIt) {
  GroupRead<int, std::string> reads(
      pool_.get(),
      [](pqxx::transaction_base &tx,
         const std::vector<const int *> &) -> std::vector<absl::StatusOr<std::string>> {
        tx.exec("SELECT * FROM no_such_table");
        return {};
      },
      /*max_batch=*/32, /*max_in_flight=*/2);
  const absl::StatusOr<std::string> got = reads.Read(1);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInternal) << got.status();
  EXPECT_EQ(got.status().message().find("no_such_table"), std::string::npos)
      << "no SQL in the message";
}

TEST_F(GroupTest, AWaitingReadGivesUpAtItsDeadlineAndTheNextReadsGoOn) {
  ASSERT_TRUE(pool_
                  ->Transact([](pqxx::transaction_base &tx) {
                    tx.exec("INSERT INTO events VALUES (1, 'one')");
                    return absl::OkStatus();
                  })
                  .ok());
  Reads reads(pool_.get(), /*max_in_flight=*/1);
  reads.BlockNextQuery();
  std::thread leader([&] { EXPECT_TRUE(reads.group().Read(1).ok()); });
  reads.WaitUntilBlocked();
  absl::StatusOr<std::string> late;
  {
    ScopedDeadline deadline(absl::Now() + absl::Milliseconds(200));
    late = reads.group().Read(1);
  }
  EXPECT_EQ(late.status().code(), absl::StatusCode::kDeadlineExceeded) << late.status();
  EXPECT_EQ(reads.group().queued(), 0u) << "the read that gave up left the queue";
  reads.Release();
  leader.join();
  const absl::StatusOr<std::string> again = reads.group().Read(1);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, "one");
}

TEST_F(GroupTest, ManyConcurrentReadersAllGetTheirOwnRow) {
  ASSERT_TRUE(pool_
                  ->Transact([](pqxx::transaction_base &tx) {
                    tx.exec(
                        "INSERT INTO events SELECT g, 'e' || g FROM "
                        "generate_series(1, 64) g");
                    return absl::OkStatus();
                  })
                  .ok());
  Reads reads(pool_.get(), /*max_in_flight=*/2);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        const int id = 1 + (t * 100 + i) % 64;
        auto got = reads.group().Read(id);
        if (!got.ok() || *got != absl::StrCat("e", id)) ++wrong;
      }
    });
  }
  for (auto &th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(reads.keys_read(), 1600);
  EXPECT_LE(reads.queries(), 1600);
}

}  // namespace
}  // namespace iob::db
