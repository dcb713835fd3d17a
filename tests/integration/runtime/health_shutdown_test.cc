// Issue 8 findings 9, 10, 11 and 15 through the real credentials binary:
// readiness vs liveness under a database outage and a busy pool, waiting for
// the database at start, the shutdown pause, the client's deadline cancelling
// the query, and server reflection behind a flag. Figures (time to
// NOT_SERVING and back) are printed and recorded as test properties.
#include <grpcpp/generic/generic_stub.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "iob/credentials/v1/credentials_service.grpc.pb.h"
#include "tests/support/test_stack.h"
#include "tests/support/wait.h"

namespace iob::testing {
namespace {

namespace cpb = ::iob::credentials::v1;
using Health = ::grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;

constexpr char kName[] = "iob.credentials.v1.CredentialsService";

class HealthShutdownTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stack_ = TestStack::Create(
        {.services = {Service::kCredentials},
         .principals = {{"admin", {"integrations.read", "integrations.write"}, {"*"}}},
         .flags = {}});
    if (stack_ == nullptr) GTEST_SKIP() << "IOB_TEST_PG_URL unset: run via ./iob test";
  }

  const std::string& Role() const { return stack_->role(Service::kCredentials).role; }

  // The role's backends matching `where` (SQL on pg_stat_activity).
  int Backends(const std::string& where = "true") {
    return stack_
        ->AdminQuery("SELECT count(*) FROM pg_stat_activity WHERE usename = '" + Role() +
                     "' AND (" + where + ")")[0][0]
        .as<int>();
  }

  // ListIntegrations(tenants/acme) as "admin", with a deadline `timeout`
  // from now.
  grpc::Status List(absl::Duration timeout = absl::Seconds(20)) {
    auto ctx = stack_->Ctx("admin");
    ctx->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    cpb::ListIntegrationsRequest req;
    req.set_parent("tenants/acme");
    cpb::ListIntegrationsResponse resp;
    return stack_->Credentials()->ListIntegrations(ctx.get(), req, &resp);
  }

  void Figure(const std::string& key, absl::Duration d) {
    RecordProperty(key, absl::FormatDuration(d));
    std::printf("FIGURE %s = %s\n", key.c_str(), absl::FormatDuration(d).c_str());
  }

  std::unique_ptr<TestStack> stack_;
};

// Liveness ("liveness") reports the process, readiness ("" and the service
// name) the database: an outage turns readiness NOT_SERVING and back, never
// liveness, and the first request after it succeeds.
TEST_F(HealthShutdownTest, Finding9_LivenessIgnoresDatabaseOutageReadinessFollowsIt) {
  ASSERT_TRUE(stack_->Start(Service::kCredentials, {"--readiness-interval", "1s"}).ok());
  auto channel = stack_->Channel(Service::kCredentials);
  EXPECT_EQ(HealthStatus(channel, ""), Health::SERVING);
  EXPECT_EQ(HealthStatus(channel, kName), Health::SERVING);
  EXPECT_EQ(HealthStatus(channel, "liveness"), Health::SERVING);

  const absl::Time outage = absl::Now();
  stack_->AdminQuery("ALTER ROLE " + Role() + " NOLOGIN");
  stack_->AdminQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" +
                     Role() + "'");
  Figure("finding9_outage_to_not_serving",
         WaitFor([&] { return HealthStatus(channel, "") == Health::NOT_SERVING; }));
  EXPECT_EQ(HealthStatus(channel, kName), Health::NOT_SERVING);
  EXPECT_EQ(HealthStatus(channel, "liveness"), Health::SERVING);
  EXPECT_GE(absl::Now() - outage, absl::ZeroDuration());

  stack_->AdminQuery("ALTER ROLE " + Role() + " LOGIN");
  Figure("finding9_recovery_to_serving",
         WaitFor([&] { return HealthStatus(channel, "") == Health::SERVING; }));
  EXPECT_EQ(HealthStatus(channel, kName), Health::SERVING);
  const grpc::Status first = List();
  EXPECT_TRUE(first.ok()) << first.error_message();
}

// A busy request pool is not a database outage: with the one pooled
// connection stuck behind a lock, readiness pings (on their own connection)
// keep completing and the replica stays SERVING.
TEST_F(HealthShutdownTest, Finding9_BusyPoolKeepsReadiness) {
  ASSERT_TRUE(stack_
                  ->Start(Service::kCredentials, {"--db-pool-size", "1", "--readiness-interval",
                                                  "100ms", "--db-lock-timeout", "0"})
                  .ok());
  auto channel = stack_->Channel(Service::kCredentials);
  pqxx::connection admin(stack_->db().AdminUrl());
  pqxx::work locker(admin);
  locker.exec("LOCK TABLE credentials.integrations IN ACCESS EXCLUSIVE MODE");
  grpc::Status held;
  std::thread call([&] { held = List(absl::Seconds(120)); });
  WaitFor([&] { return Backends("wait_event_type = 'Lock'") == 1; });
  const std::string busy_since =
      stack_->AdminQuery("SELECT clock_timestamp()::text")[0][0].as<std::string>();
  // A readiness ping started and finished after the pool became busy.
  WaitFor([&] {
    return Backends("query = 'SELECT 1' AND state = 'idle' AND query_start > '" + busy_since +
                    "'::timestamptz") == 1;
  });
  EXPECT_EQ(HealthStatus(channel, ""), Health::SERVING);
  EXPECT_EQ(HealthStatus(channel, kName), Health::SERVING);
  locker.abort();
  call.join();
  EXPECT_TRUE(held.ok()) << held.error_message();
}

// A pod that starts before its database waits for it (with backoff) instead
// of exiting, then migrates and serves.
TEST_F(HealthShutdownTest, Finding9_MigrateOnStartWaitsForTheDatabase) {
  stack_->AdminQuery("ALTER ROLE " + Role() + " NOLOGIN");
  std::vector<std::string> args = {"serve"};
  for (std::string& a : stack_->Args(Service::kCredentials)) args.push_back(std::move(a));
  args.insert(args.end(), {"--grpc-listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0",
                           "--db-start-timeout", "120s"});
  auto process = ServiceProcess::Start({.binary = TestStack::Binary(Service::kCredentials),
                                        .args = args,
                                        .env = {},
                                        .log_path = stack_->dir() + "/credentials-waits.log"});
  ASSERT_TRUE(process.ok()) << process.status();
  const absl::Status waiting =
      (*process)->WaitForLogMessage("database not ready, retrying", absl::Seconds(60));
  ASSERT_TRUE(waiting.ok()) << waiting;
  EXPECT_TRUE((*process)->Running());
  stack_->AdminQuery("ALTER ROLE " + Role() + " LOGIN");
  const absl::Status serving = (*process)->WaitServing(absl::Seconds(60));
  ASSERT_TRUE(serving.ok()) << serving;
  EXPECT_EQ((*process)->CountLogMessages("migrations applied"), 1);
  (*process)->Signal(SIGTERM);
  auto code = (*process)->WaitExit(absl::Seconds(60));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);
}

// On SIGTERM readiness turns NOT_SERVING at once, but calls are still served
// during --shutdown-pause (load balancers catch up), then the process drains
// and exits 0. Liveness stays SERVING meanwhile.
TEST_F(HealthShutdownTest, Finding10_ShutdownPauseServesWhileNotServing) {
  ASSERT_TRUE(
      stack_->Start(Service::kCredentials, {"--shutdown-pause", "10s", "--drain-timeout", "30s"})
          .ok());
  auto channel = stack_->Channel(Service::kCredentials);
  ASSERT_EQ(HealthStatus(channel, ""), Health::SERVING);
  ServiceProcess& process = stack_->process(Service::kCredentials);
  process.Signal(SIGTERM);
  Figure("finding10_sigterm_to_not_serving",
         WaitFor([&] { return HealthStatus(channel, "") == Health::NOT_SERVING; }));
  EXPECT_EQ(HealthStatus(channel, kName), Health::NOT_SERVING);
  EXPECT_EQ(HealthStatus(channel, "liveness"), Health::SERVING);
  const grpc::Status during_pause = List();
  EXPECT_TRUE(during_pause.ok()) << during_pause.error_message();
  auto code = process.WaitExit(absl::Seconds(90));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);
  const std::string log = process.ReadLog();
  EXPECT_LT(log.find("\"shutdown pause\""), log.find("\"draining\"")) << log;
}

// The client's gRPC deadline cancels the service's query in Postgres: with
// statement and lock timeouts off, a call stuck behind a lock stops waiting
// in the database once the client gave up.
TEST_F(HealthShutdownTest, Finding11_RpcQueryCancelledAtClientDeadline) {
  ASSERT_TRUE(
      stack_
          ->Start(Service::kCredentials, {"--db-statement-timeout", "0", "--db-lock-timeout", "0"})
          .ok());
  pqxx::connection admin(stack_->db().AdminUrl());
  pqxx::work locker(admin);
  locker.exec("LOCK TABLE credentials.integrations IN ACCESS EXCLUSIVE MODE");
  const grpc::Status status = List(absl::Seconds(1));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << status.error_message();
  // Still holding the lock: the service's statement must be gone anyway.
  Figure("finding11_deadline_to_query_cancelled",
         WaitFor([&] { return Backends("wait_event_type = 'Lock'") == 0; }));
  EXPECT_EQ(Backends("wait_event_type = 'Lock'"), 0);
  locker.abort();
  EXPECT_TRUE(List().ok());
}

// Calls ServerReflectionInfo with list_services and returns the raw answer
// (or the call's status when it fails).
absl::StatusOr<std::string> ReflectionListServices(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  auto call =
      stub.PrepareCall(&ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag = nullptr;
  bool ok = false;
  auto step = [&](int n) {
    EXPECT_TRUE(cq.Next(&tag, &ok));
    EXPECT_EQ(tag, reinterpret_cast<void*>(n));
    return ok;
  };
  call->StartCall(reinterpret_cast<void*>(1));
  step(1);
  // ServerReflectionRequest{list_services: ""}: field 7, length-delimited, empty.
  const std::string request("\x3a\x00", 2);
  grpc::Slice slice(request);
  grpc::ByteBuffer out(&slice, 1);
  call->Write(out, reinterpret_cast<void*>(2));
  step(2);
  call->WritesDone(reinterpret_cast<void*>(3));
  step(3);
  grpc::ByteBuffer in;
  call->Read(&in, reinterpret_cast<void*>(4));
  const bool got = step(4);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  step(5);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  if (!got) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  }
  std::vector<grpc::Slice> slices;
  EXPECT_TRUE(in.Dump(&slices).ok());
  std::string answer;
  for (const grpc::Slice& s : slices)
    answer.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return answer;
}

// Reflection answers unauthenticated callers, so it can be turned off
// (--no-reflection; the prod overlay does).
TEST_F(HealthShutdownTest, Finding15_ReflectionCanBeTurnedOff) {
  ASSERT_TRUE(stack_->Start(Service::kCredentials).ok());
  auto on = ReflectionListServices(stack_->Channel(Service::kCredentials));
  ASSERT_TRUE(on.ok()) << on.status();
  EXPECT_THAT(*on, HasSubstr(kName));

  ASSERT_TRUE(stack_->Start(Service::kCredentials, {"--no-reflection"}).ok());
  auto off = ReflectionListServices(stack_->Channel(Service::kCredentials));
  EXPECT_EQ(off.status().code(), absl::StatusCode::kUnimplemented) << off.status();
  EXPECT_THAT(stack_->process(Service::kCredentials).ReadLog(),
              HasSubstr("\"reflection\":\"off\""));
}

}  // namespace
}  // namespace iob::testing
