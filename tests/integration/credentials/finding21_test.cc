// Issue 8 finding 21 (behaviours with no test), the credentials half,
// against the real iob-credentials binary and Postgres: SIGTERM with a call
// in flight (the call completes, health turns NOT_SERVING, the process exits
// 0 within the drain timeout), and `iob-credentials rewrap` racing
// RotateSharedSecret calls on the same rows. Calls are held with row locks
// the test takes as the superuser; every wait is on a condition.
#include <signal.h>

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/crypto/key_ring.h"
#include "tests/integration/credentials/credentials_test_util.h"
#include "tests/support/wait.h"

namespace iob::credentials::testing {
namespace {

using ::iob::testing::WaitFor;

using ::iob::testing::CommandResult;
using ::iob::testing::ReadFileOrEmpty;
using ::iob::testing::RunCommand;
using ::iob::testing::ServiceProcess;
using ::iob::testing::WriteFileAtomically;
using Health = ::grpc::health::v1::HealthCheckResponse;

constexpr char kHealthName[] = "iob.credentials.v1.CredentialsService";

class CredentialsFinding21Test : public ::testing::Test {
 protected:
  void SetUp() override {
    h_ = NewCredentialsStack();
    if (h_ == nullptr) GTEST_SKIP() << "IOB_TEST_PG_URL unset: run via ./iob test";
  }

  const std::string& Role() const { return h_->role(kCredentials).role; }

  // The stack role's backends waiting for a lock (the service's and any
  // `iob-credentials` command's).
  int LockWaiters() {
    return h_
        ->AdminQuery("SELECT count(*) FROM pg_stat_activity WHERE usename = '" + Role() +
                     "' AND wait_event_type = 'Lock'")[0][0]
        .as<int>();
  }

  // A context as `principal` with a deadline long enough to outlast a held
  // lock (the waits above are bounded well below it).
  std::unique_ptr<grpc::ClientContext> LongCtx(const std::string& principal) {
    auto ctx = h_->Ctx(principal);
    ctx->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(180)));
    return ctx;
  }

  std::string Create(const std::string& id, const std::string& secret) {
    pb::Integration out;
    grpc::Status st = h_->Credentials()->CreateIntegration(h_->Ctx("acme-admin").get(),
                                                           AmazonCreate("acme", id, secret), &out);
    EXPECT_TRUE(st.ok()) << id << ": " << st.error_message();
    return out.name();
  }

  grpc::Status Rotate(const std::string& name, const std::string& secret,
                      const std::string& request_id) {
    pb::RotateSharedSecretRequest req;
    req.set_name(name);
    req.set_shared_secret(secret);
    req.set_request_id(request_id);
    pb::Integration out;
    return h_->Credentials()->RotateSharedSecret(LongCtx("acme-admin").get(), req, &out);
  }

  std::unique_ptr<TestStack> h_;
};

// SIGTERM while an UpdateIntegration waits behind a row lock: readiness turns
// NOT_SERVING, draining starts with the call still in flight, the call then
// completes OK and the process exits 0 (within the drain timeout, or the
// server would have cancelled the call).
TEST_F(CredentialsFinding21Test, Finding21_SigtermWithCallInFlightCompletesAndExitsZero) {
  ASSERT_TRUE(h_->Start(kCredentials, {"--shutdown-pause", "5s", "--drain-timeout", "60s",
                                       "--db-lock-timeout", "0", "--db-statement-timeout", "0"})
                  .ok())
      << h_->process(kCredentials).ReadLog();
  const std::string name = Create("held", RandomSecret("held-"));
  ASSERT_FALSE(name.empty());
  auto channel = h_->Channel(kCredentials);
  ASSERT_EQ(HealthStatus(channel, ""), Health::SERVING);

  pqxx::connection admin(h_->db().AdminUrl());
  pqxx::work locker(admin);
  locker.exec("SELECT 1 FROM credentials.integrations WHERE integration_id = 'held' FOR UPDATE");

  grpc::Status held;
  pb::Integration updated;
  std::thread call([&] {
    pb::UpdateIntegrationRequest up;
    up.mutable_integration()->set_name(name);
    up.mutable_integration()->set_display_name("updated during shutdown");
    up.mutable_update_mask()->add_paths("display_name");
    held = h_->Credentials()->UpdateIntegration(LongCtx("acme-admin").get(), up, &updated);
  });
  WaitFor([&] { return LockWaiters() == 1; }, "update waiting on the row lock");

  ServiceProcess& process = h_->process(kCredentials);
  process.Signal(SIGTERM);
  WaitFor([&] { return HealthStatus(channel, "") == Health::NOT_SERVING; }, "NOT_SERVING");
  EXPECT_EQ(HealthStatus(channel, kHealthName), Health::NOT_SERVING);
  // Draining has begun and the call is still held.
  ASSERT_TRUE(process.WaitForLogMessage("draining", absl::Seconds(60)).ok()) << process.ReadLog();
  EXPECT_EQ(LockWaiters(), 1);
  EXPECT_TRUE(process.Running());

  locker.abort();
  call.join();
  EXPECT_TRUE(held.ok()) << held.error_code() << " " << held.error_message();
  EXPECT_EQ(updated.display_name(), "updated during shutdown");
  auto code = process.WaitExit(absl::Seconds(60));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << process.ReadLog();
  EXPECT_EQ(h_->AdminQuery("SELECT display_name FROM credentials.integrations WHERE "
                           "integration_id = 'held'")[0][0]
                .as<std::string>(),
            "updated during shutdown");
}

// `rewrap` runs while RotateSharedSecret calls hit the same rows: rewrap is
// held on one row, rows after it are rotated meanwhile, rows it already
// holds get rotations queued behind it. At the end every row opens to its
// last rotated secret and every row is sealed with the primary key.
TEST_F(CredentialsFinding21Test, Finding21_RewrapRacingRotationLeavesEveryRowOpenOnPrimaryKey) {
  ASSERT_TRUE(h_->Start(kCredentials, {"--db-pool-size", "16", "--db-lock-timeout", "0"}).ok())
      << h_->process(kCredentials).ReadLog();
  constexpr int kRows = 12;
  constexpr int kHeld = 6;  // the row rewrap is held on
  std::vector<std::string> names(kRows);
  std::vector<std::string> last(kRows);
  for (int i = 0; i < kRows; ++i) {
    last[i] = RandomSecret("v1-");
    names[i] = Create(absl::StrCat("r", i / 10, i % 10), last[i]);
  }
  ASSERT_FALSE(HasFailure());

  // k2 becomes primary (k1 stays active) and the service reloads it, so
  // rotations seal with k2 and rewrap moves the k1 rows to k2.
  nlohmann::json ring = nlohmann::json::parse(ReadFileOrEmpty(h_->secrets().key_ring_file));
  const nlohmann::json k2 = nlohmann::json::parse(crypto::KeyRing::GenerateJson("k2"));
  ring["keys"].push_back(k2["keys"][0]);
  ring["primary"] = "k2";
  WriteFileAtomically(h_->secrets().key_ring_file, ring.dump());
  ServiceProcess& service = h_->process(kCredentials);
  service.Signal(SIGHUP);
  ASSERT_TRUE(service.WaitForLogMessage("key ring reloaded", absl::Seconds(30)).ok())
      << service.ReadLog();

  pqxx::connection admin(h_->db().AdminUrl());
  pqxx::work locker(admin);
  locker.exec(absl::StrCat("SELECT 1 FROM credentials.integrations WHERE integration_id = 'r0",
                           kHeld, "' FOR UPDATE"));

  CommandResult rewrap;
  std::thread runner([&] {
    std::vector<std::string> args = {"rewrap"};
    for (const auto& a : h_->Args(kCredentials)) args.push_back(a);
    args.insert(args.end(), {"--db-lock-timeout", "0"});
    auto r = RunCommand(TestStack::Binary(kCredentials), args);
    EXPECT_TRUE(r.ok()) << r.status();
    if (r.ok()) rewrap = *r;
  });
  // Rewrap holds rows r00..r05 and waits for r06.
  WaitFor([&] { return LockWaiters() == 1; }, "rewrap waiting on the held row");

  // Rows after the held one: rotated while rewrap is mid-batch.
  for (int i = kHeld + 1; i < kRows; ++i) {
    const std::string secret = RandomSecret("v2-");
    grpc::Status st = Rotate(names[i], secret, absl::StrCat("rot-", i));
    ASSERT_TRUE(st.ok()) << names[i] << ": " << st.error_message();
    last[i] = secret;
  }
  // Rows rewrap holds: the rotations queue behind its transaction.
  std::vector<grpc::Status> queued(kHeld);
  std::vector<std::thread> rotators;
  for (int i = 0; i < kHeld; ++i) {
    last[i] = RandomSecret("v2-");
    rotators.emplace_back([&, i, secret = last[i]] {
      queued[i] = Rotate(names[i], secret, absl::StrCat("rot-", i));
    });
  }
  WaitFor([&] { return LockWaiters() == 1 + kHeld; }, "rotations queued behind rewrap");

  locker.abort();
  runner.join();
  for (std::thread& t : rotators) t.join();
  for (int i = 0; i < kHeld; ++i) {
    EXPECT_TRUE(queued[i].ok()) << names[i] << ": " << queued[i].error_message();
  }
  EXPECT_EQ(rewrap.exit_code, 0) << rewrap.output;
  EXPECT_THAT(rewrap.output, ::testing::HasSubstr("rewrap done")) << rewrap.output;

  for (int i = 0; i < kRows; ++i) {
    pb::ResolveIntegrationSecretRequest req;
    req.set_name(names[i]);
    pb::ResolveIntegrationSecretResponse resp;
    grpc::Status st =
        h_->Credentials()->ResolveIntegrationSecret(h_->Ctx("resolver").get(), req, &resp);
    ASSERT_TRUE(st.ok()) << names[i] << ": " << st.error_message();
    EXPECT_EQ(resp.shared_secret(), last[i]) << names[i];
  }
  EXPECT_EQ(h_->AdminQuery("SELECT count(*) FROM credentials.integrations WHERE secret_key_id <> "
                           "'k2'")[0][0]
                .as<int>(),
            0);
  EXPECT_EQ(h_->AdminQuery(
                  "SELECT count(*) FROM credentials.integrations WHERE secret_key_id = 'k2'")[0][0]
                .as<int>(),
            kRows);
}

}  // namespace
}  // namespace iob::credentials::testing
