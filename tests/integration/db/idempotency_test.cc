// libs/db idempotency against a real Postgres: a claim commits or vanishes
// with its effect, a reused key with another request is refused, and two
// concurrent calls with one key both end with the first call's result.
#include "libs/db/idempotency.h"

#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"
#include "libs/db/migrate.h"
#include "libs/db/pool.h"
#include "tests/support/pg_test_db.h"
#include "tests/support/wait.h"

namespace iob::db {
namespace {

using ::iob::testing::WaitFor;
using ::testing::HasSubstr;

constexpr char kSchema[] = R"sql(
CREATE TABLE request_ids (
  tenant       text NOT NULL,
  method       text NOT NULL,
  request_id   text NOT NULL,
  resource     text NOT NULL,
  request_hash text NOT NULL,
  create_time  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, method, request_id));
CREATE TABLE things (name text PRIMARY KEY);
)sql";

// The resource a call answered with, or its error as text.
std::string Resource(const absl::StatusOr<std::string>& answer) {
  return answer.ok() ? *answer : answer.status().ToString();
}

class IdempotencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::PgTestDatabase::Create();
    if (db_ == nullptr) GTEST_SKIP() << "IOB_TEST_PG_URL unset: run via ./iob test";
    svc_ = db_->CreateServiceRole("svc", "svc");
    pqxx::connection conn(svc_.url);
    ASSERT_TRUE(Migrate(conn, "svc", {{"0001_things.sql", kSchema}}).ok());
    auto pool = Pool::Create({.url = svc_.url, .schema = "svc", .size = 4});
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
  }

  // The pattern every store follows: claim, then the effect, in one
  // transaction. Returns the resource the call answers with.
  absl::StatusOr<std::string> CreateThing(const RequestKey& key, const std::string& name,
                                          bool fail_after_effect = false) {
    return pool_->Transact([&](pqxx::transaction_base& tx) -> absl::StatusOr<std::string> {
      IOB_ASSIGN_OR_RETURN(std::optional<std::string> first, ClaimRequest(tx, key, name));
      if (first) return *first;
      tx.exec_params("INSERT INTO things (name) VALUES ($1)", name);
      if (fail_after_effect) return absl::UnavailableError("supplier down");
      return name;
    });
  }

  int Count(const std::string& table) {
    auto n = pool_->ReadOne([&](pqxx::transaction_base& tx) -> absl::StatusOr<int> {
      return tx.exec1("SELECT count(*) FROM " + tx.quote_name(table))[0].as<int>();
    });
    EXPECT_TRUE(n.ok()) << n.status();
    return n.value_or(-1);
  }

  std::unique_ptr<testing::PgTestDatabase> db_;
  testing::ServiceRole svc_;
  std::unique_ptr<Pool> pool_;
};

TEST_F(IdempotencyTest, RepeatReturnsTheFirstResultAndDoesNothingNew) {
  const RequestKey key{"acme", "CreateThing", "r1", "hash-a"};
  EXPECT_EQ(Resource(CreateThing(key, "things/one")), "things/one");
  // A retry with a server-made name that differs still answers with the first.
  EXPECT_EQ(Resource(CreateThing(key, "things/two")), "things/one");
  EXPECT_EQ(Count("things"), 1);
  EXPECT_EQ(Count("request_ids"), 1);
}

TEST_F(IdempotencyTest, SameKeyForADifferentRequestIsInvalidArgument) {
  ASSERT_TRUE(CreateThing({"acme", "CreateThing", "r1", "hash-a"}, "things/one").ok());
  auto again = CreateThing({"acme", "CreateThing", "r1", "hash-b"}, "things/other");
  ASSERT_EQ(again.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(again.status().message()), HasSubstr("request_id: "));
  EXPECT_EQ(Count("things"), 1);
}

TEST_F(IdempotencyTest, KeysAreScopedByTenantAndMethod) {
  ASSERT_TRUE(CreateThing({"acme", "CreateThing", "r1", "h"}, "things/a").ok());
  EXPECT_EQ(Resource(CreateThing({"globex", "CreateThing", "r1", "h"}, "things/b")), "things/b");
  EXPECT_EQ(Resource(CreateThing({"acme", "OtherMethod", "r1", "h"}, "things/c")), "things/c");
  EXPECT_EQ(Count("things"), 3);
}

TEST_F(IdempotencyTest, FailedAttemptLeavesNothingBehind) {
  const RequestKey key{"acme", "CreateThing", "r1", "hash-a"};
  EXPECT_EQ(CreateThing(key, "things/one", /*fail_after_effect=*/true).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(Count("things"), 0);
  EXPECT_EQ(Count("request_ids"), 0);
  // The retry is a new attempt.
  EXPECT_EQ(Resource(CreateThing(key, "things/one")), "things/one");
  EXPECT_EQ(Count("things"), 1);
}

TEST_F(IdempotencyTest, ReleasedKeyStartsAfresh) {
  const RequestKey key{"acme", "CreateThing", "r1", "hash-a"};
  ASSERT_TRUE(CreateThing(key, "things/one").ok());
  ASSERT_TRUE(pool_
                  ->Transact([&](pqxx::transaction_base& tx) {
                    ReleaseRequest(tx, key);
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(Resource(CreateThing(key, "things/two")), "things/two");
}

TEST_F(IdempotencyTest, EmptyRequestIdIsNotIdempotent) {
  ASSERT_TRUE(CreateThing({"acme", "CreateThing", "", ""}, "things/one").ok());
  ASSERT_TRUE(CreateThing({"acme", "CreateThing", "", ""}, "things/two").ok());
  EXPECT_EQ(Count("things"), 2);
  EXPECT_EQ(Count("request_ids"), 0);
}

// Two calls with one key at the same time: the second blocks on the first's
// claim and, whether the first commits or rolls back, never sees
// ALREADY_EXISTS.
class ConcurrentClaimTest : public IdempotencyTest,
                            public ::testing::WithParamInterface<bool /*first commits*/> {
 protected:
  // True once a backend waits on a lock (the second claim is blocked).
  bool SomeoneWaitsOnALock() {
    auto n = pool_->ReadOne([&](pqxx::transaction_base& tx) -> absl::StatusOr<int> {
      return tx
          .exec1(
              "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND "
              "datname = current_database()")[0]
          .as<int>();
    });
    return n.ok() && *n > 0;
  }
};

TEST_P(ConcurrentClaimTest, SecondCallGetsTheFirstResultOrGoesAhead) {
  const bool first_commits = GetParam();
  const RequestKey key{"acme", "CreateThing", "r1", "hash-a"};
  absl::Notification claimed, release;
  absl::Status first_status;
  std::thread first([&] {
    first_status = pool_->Transact([&](pqxx::transaction_base& tx) -> absl::Status {
      auto seen = ClaimRequest(tx, key, "things/first");
      if (!seen.ok()) return seen.status();
      tx.exec_params("INSERT INTO things (name) VALUES ($1)", "things/first");
      claimed.Notify();
      release.WaitForNotification();
      return first_commits ? absl::OkStatus() : absl::UnavailableError("supplier down");
    });
  });
  claimed.WaitForNotification();
  absl::StatusOr<std::string> second;
  std::thread second_call([&] { second = CreateThing(key, "things/second"); });
  WaitFor([&] { return SomeoneWaitsOnALock(); }, "the second call blocked on the first's claim");
  release.Notify();
  first.join();
  second_call.join();
  ASSERT_TRUE(second.ok()) << second.status();
  if (first_commits) {
    ASSERT_TRUE(first_status.ok()) << first_status;
    EXPECT_EQ(*second, "things/first");
    EXPECT_EQ(Count("things"), 1);
  } else {
    EXPECT_EQ(first_status.code(), absl::StatusCode::kUnavailable);
    EXPECT_EQ(*second, "things/second");
    EXPECT_EQ(Count("things"), 1);
  }
}

INSTANTIATE_TEST_SUITE_P(FirstCommitsOrRollsBack, ConcurrentClaimTest, ::testing::Bool());

}  // namespace
}  // namespace iob::db
