// A throwaway Postgres database per test (fixture), created on the server
// named by IOB_TEST_PG_URL (set by `./iob test`), plus service roles that own
// one schema each, as in production.
#ifndef IOB_TESTS_SUPPORT_PG_TEST_DB_H_
#define IOB_TESTS_SUPPORT_PG_TEST_DB_H_

#include <memory>
#include <string>
#include <vector>

namespace iob::testing {

// Returns the environment variable `name`, or `fallback` when it is unset.
std::string TestEnv(const char* name, const std::string& fallback);

// A login role created by PgTestDatabase::CreateServiceRole.
struct ServiceRole {
  std::string role;  // actual role name: cluster-global, so suffixed per database
  std::string url;   // postgresql://role:password@host:port/<database>
};

// Owns one freshly created database (and the roles made for it); dropping
// happens in the destructor. Not thread-safe: use from the test's thread.
// Errors talking to the server abort the test binary with a message on
// stderr: a test cannot do anything useful without its database.
class PgTestDatabase {
 public:
  // Creates database iobtest_<16 hex> owned by the superuser of
  // IOB_TEST_PG_URL, with every default privilege of PUBLIC on it and on its
  // `public` schema revoked (so service roles get only what is granted).
  // Returns nullptr when IOB_TEST_PG_URL is unset; callers then
  //   GTEST_SKIP() << "IOB_TEST_PG_URL unset: run via ./iob test";
  static std::unique_ptr<PgTestDatabase> Create();

  // Drops the database (WITH (FORCE): open connections are terminated) and
  // the roles it created. Failures are reported on stderr, never thrown.
  ~PgTestDatabase();
  PgTestDatabase(const PgTestDatabase&) = delete;
  PgTestDatabase& operator=(const PgTestDatabase&) = delete;

  // The fresh database's name.
  const std::string& name() const { return name_; }

  // Superuser URL for the fresh database (same user/password/host/port as
  // IOB_TEST_PG_URL).
  std::string AdminUrl() const;

  // Creates LOGIN role `<role>_<suffix of this database>` with a random
  // password and CONNECT on this database only, and schema `schema` owned by
  // it. Returns the role's name and URL.
  ServiceRole CreateServiceRole(const std::string& role, const std::string& schema);

 private:
  PgTestDatabase(std::string server_url, std::string name);

  std::string server_url_;  // IOB_TEST_PG_URL: the maintenance database
  std::string name_;
  std::vector<std::string> roles_;
};

}  // namespace iob::testing

#endif  // IOB_TESTS_SUPPORT_PG_TEST_DB_H_
