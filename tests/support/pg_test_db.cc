// Creates and drops throwaway databases and service roles on the test server.
#include "tests/support/pg_test_db.h"

#include <libpq-fe.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <pqxx/pqxx>
#include <utility>

#include "libs/crypto/key_ring.h"

namespace iob::testing {
namespace {

[[noreturn]] void Fatal(const std::string& what, const std::exception& e) {
  std::fprintf(stderr, "PgTestDatabase: %s: %s\n", what.c_str(), e.what());
  std::abort();
}

// Random lowercase hex of `chars` characters.
std::string RandomHex(size_t chars) {
  return crypto::Sha256Hex(crypto::RandomBytes(32)).substr(0, chars);
}

std::string PercentEncode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

// Rebuilds `base` (a libpq URL or key=value string) as a postgresql:// URL
// with the given overrides (keyword -> value) applied.
std::string BuildUrl(const std::string& base, const std::map<std::string, std::string>& overrides) {
  char* err = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(base.c_str(), &err);
  if (parsed == nullptr) {
    std::fprintf(stderr, "PgTestDatabase: IOB_TEST_PG_URL cannot be parsed: %s\n",
                 err != nullptr ? err : "?");
    std::abort();
  }
  std::map<std::string, std::string> values;
  for (PQconninfoOption* o = parsed; o->keyword != nullptr; ++o) {
    if (o->val != nullptr) values[o->keyword] = o->val;
  }
  PQconninfoFree(parsed);
  for (const auto& [k, v] : overrides) values[k] = v;

  auto take = [&values](const char* key) {
    auto it = values.find(key);
    if (it == values.end()) return std::string();
    std::string v = std::move(it->second);
    values.erase(it);
    return v;
  };
  const std::string user = take("user");
  const std::string password = take("password");
  const std::string host = take("host");
  const std::string port = take("port");
  const std::string dbname = take("dbname");

  std::string url = "postgresql://";
  if (!user.empty()) {
    url += PercentEncode(user);
    if (!password.empty()) url += ":" + PercentEncode(password);
    url += "@";
  }
  url += PercentEncode(host);
  if (!port.empty()) url += ":" + port;
  url += "/" + PercentEncode(dbname);
  char sep = '?';
  for (const auto& [k, v] : values) {
    url += sep + k + "=" + PercentEncode(v);
    sep = '&';
  }
  return url;
}

}  // namespace

std::string TestEnv(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : fallback;
}

std::unique_ptr<PgTestDatabase> PgTestDatabase::Create() {
  const std::string server_url = TestEnv("IOB_TEST_PG_URL", "");
  if (server_url.empty()) return nullptr;
  const std::string name = "iobtest_" + RandomHex(16);
  try {
    pqxx::connection conn(server_url);
    pqxx::nontransaction tx(conn);
    tx.exec("CREATE DATABASE " + tx.quote_name(name));
  } catch (const std::exception& e) {
    Fatal("cannot create database " + name + " on IOB_TEST_PG_URL", e);
  }
  std::unique_ptr<PgTestDatabase> db(new PgTestDatabase(server_url, name));
  try {
    pqxx::connection conn(db->AdminUrl());
    pqxx::nontransaction tx(conn);
    tx.exec("REVOKE ALL ON DATABASE " + tx.quote_name(name) + " FROM PUBLIC");
    tx.exec("REVOKE ALL ON SCHEMA public FROM PUBLIC");
  } catch (const std::exception& e) {
    Fatal("cannot restrict database " + name, e);
  }
  return db;
}

PgTestDatabase::PgTestDatabase(std::string server_url, std::string name)
    : server_url_(std::move(server_url)), name_(std::move(name)) {}

PgTestDatabase::~PgTestDatabase() {
  try {
    pqxx::connection conn(server_url_);
    pqxx::nontransaction tx(conn);
    tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
    for (const std::string& role : roles_) tx.exec("DROP ROLE IF EXISTS " + tx.quote_name(role));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "PgTestDatabase: cannot drop database %s: %s\n", name_.c_str(), e.what());
  }
}

std::string PgTestDatabase::AdminUrl() const { return BuildUrl(server_url_, {{"dbname", name_}}); }

ServiceRole PgTestDatabase::CreateServiceRole(const std::string& role, const std::string& schema) {
  // name_ is "iobtest_<hex>": reuse the hex so roles are unique per database.
  ServiceRole out;
  out.role = role + "_" + name_.substr(name_.find('_') + 1);
  const std::string password = RandomHex(24);
  try {
    pqxx::connection conn(server_url_);
    pqxx::nontransaction tx(conn);
    tx.exec("CREATE ROLE " + tx.quote_name(out.role) + " LOGIN PASSWORD " + tx.quote(password));
    roles_.push_back(out.role);
    tx.exec("GRANT CONNECT ON DATABASE " + tx.quote_name(name_) + " TO " + tx.quote_name(out.role));
  } catch (const std::exception& e) {
    Fatal("cannot create role " + out.role, e);
  }
  try {
    pqxx::connection conn(AdminUrl());
    pqxx::nontransaction tx(conn);
    tx.exec("CREATE SCHEMA " + tx.quote_name(schema) + " AUTHORIZATION " + tx.quote_name(out.role));
  } catch (const std::exception& e) {
    Fatal("cannot create schema " + schema + " in " + name_, e);
  }
  out.url = BuildUrl(server_url_, {{"user", out.role}, {"password", password}, {"dbname", name_}});
  return out;
}

}  // namespace iob::testing
