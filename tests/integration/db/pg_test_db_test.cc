// tests/support PgTestDatabase: fresh databases, isolated service roles, cleanup.
#include "tests/support/pg_test_db.h"

#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iob::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string One(const std::string& url, const std::string& sql) {
  pqxx::connection conn(url);
  pqxx::nontransaction tx(conn);
  return tx.exec1(sql)[0].as<std::string>("");
}

void Exec(const std::string& url, const std::string& sql) {
  pqxx::connection conn(url);
  pqxx::nontransaction tx(conn);
  tx.exec(sql);
}

TEST(PgTestDatabaseTest, CreatesIsolatedRolesAndCleansUp) {
  const std::string server = TestEnv("IOB_TEST_PG_URL", "");
  if (server.empty()) GTEST_SKIP() << "IOB_TEST_PG_URL unset: run via ./iob test";
  std::string name;
  std::string role_a;
  {
    auto db = PgTestDatabase::Create();
    ASSERT_NE(db, nullptr);
    name = db->name();
    EXPECT_THAT(name, StartsWith("iobtest_"));
    EXPECT_EQ(One(db->AdminUrl(), "SELECT current_database()"), name);

    ServiceRole a = db->CreateServiceRole("svc_a", "a");
    ServiceRole b = db->CreateServiceRole("svc_b", "b");
    role_a = a.role;
    EXPECT_THAT(a.role, StartsWith("svc_a_"));
    EXPECT_THAT(a.url, HasSubstr("/" + name));
    EXPECT_EQ(One(a.url, "SELECT current_user"), a.role);
    EXPECT_EQ(One(a.url, "SELECT current_database()"), name);

    // A role works in its own schema...
    Exec(a.url, "CREATE TABLE a.t (v int)");
    // ...but not in another role's schema, nor can it create schemas.
    Exec(b.url, "CREATE TABLE b.t (v int)");
    EXPECT_THROW(One(a.url, "SELECT count(*) FROM b.t"), pqxx::insufficient_privilege);
    EXPECT_THROW(Exec(a.url, "CREATE SCHEMA extra"), pqxx::insufficient_privilege);
    EXPECT_THROW(Exec(a.url, "CREATE TABLE public.t (v int)"), pqxx::insufficient_privilege);

    // A second database gets different role names for the same request.
    auto other = PgTestDatabase::Create();
    ASSERT_NE(other, nullptr);
    EXPECT_NE(other->name(), name);
    ServiceRole a2 = other->CreateServiceRole("svc_a", "a");
    EXPECT_NE(a2.role, a.role);
    // a cannot connect to the other database.
    const std::string foreign = a.url.substr(0, a.url.rfind('/') + 1) + other->name();
    EXPECT_THROW(One(foreign, "SELECT 1"), pqxx::broken_connection);
  }
  EXPECT_EQ(One(server, "SELECT count(*) FROM pg_database WHERE datname = " +
                            pqxx::connection(server).quote(name)),
            "0");
  EXPECT_EQ(One(server, "SELECT count(*) FROM pg_roles WHERE rolname = '" + role_a + "'"), "0");
}

TEST(PgTestDatabaseTest, TestEnvFallsBack) {
  EXPECT_EQ(TestEnv("IOB_SURELY_UNSET_VARIABLE_XYZ", "fallback"), "fallback");
  setenv("IOB_TEST_ENV_PROBE", "value", 1);
  EXPECT_EQ(TestEnv("IOB_TEST_ENV_PROBE", "fallback"), "value");
}

}  // namespace
}  // namespace iob::testing
