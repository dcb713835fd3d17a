// The credentials service's API through real gRPC calls against the real
// binary and a real Postgres: CRUD, pagination, etags, update masks,
// idempotency, validation, authentication and authorisation, secret
// resolution and verification, the audit trail, and health.
#include <unistd.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/credentials/credentials_test_util.h"

namespace iob::credentials::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;
using HealthStatusEnum = grpc::health::v1::HealthCheckResponse;

class CredentialsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_ = NewCredentialsStack();
    if (h_ == nullptr) GTEST_SKIP() << "IOB_TEST_PG_URL unset: run via ./iob test";
    ASSERT_TRUE(h_->Start(kCredentials, extra_args_).ok()) << h_->process(kCredentials).ReadLog();
    stub_ = h_->Credentials();
  }

  // Creates and returns an integration; fails the test on error.
  pb::Integration MustCreate(const pb::CreateIntegrationRequest& req,
                             const std::string& who = "acme-admin") {
    pb::Integration out;
    grpc::Status st = stub_->CreateIntegration(h_->Ctx(who).get(), req, &out);
    EXPECT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
    return out;
  }

  grpc::Status Get(const std::string& name, pb::Integration* out,
                   const std::string& who = "acme-admin") {
    pb::GetIntegrationRequest req;
    req.set_name(name);
    return stub_->GetIntegration(h_->Ctx(who).get(), req, out);
  }

  std::vector<pb::AuditEvent> Audit(const std::string& tenant,
                                    const std::string& integration = "") {
    std::vector<pb::AuditEvent> out;
    pb::ListAuditEventsRequest req;
    req.set_parent("tenants/" + tenant);
    req.set_integration(integration);
    req.set_page_size(2);  // exercise paging too
    for (int pages = 0; pages < 100; ++pages) {
      pb::ListAuditEventsResponse resp;
      grpc::Status st = stub_->ListAuditEvents(h_->Ctx(tenant + "-admin").get(), req, &resp);
      EXPECT_TRUE(st.ok()) << st.error_message();
      if (!st.ok()) break;
      out.insert(out.end(), resp.events().begin(), resp.events().end());
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    return out;
  }

  int64_t AdminCount(const std::string& sql) { return h_->AdminQuery(sql)[0][0].as<int64_t>(); }

  std::vector<std::string> extra_args_;
  std::unique_ptr<TestStack> h_;
  std::unique_ptr<pb::CredentialsService::Stub> stub_;
};

#define EXPECT_CODE(status, code_)                                             \
  do {                                                                         \
    const grpc::Status& s_ = (status);                                         \
    EXPECT_EQ(s_.error_code(), grpc::StatusCode::code_) << s_.error_message(); \
  } while (0)

TEST_F(CredentialsApiTest, HealthIsServingAndReflectsTheDatabase) {
  auto channel = h_->Channel(kCredentials);
  EXPECT_EQ(HealthStatus(channel), HealthStatusEnum::SERVING);
  EXPECT_EQ(h_->process(kCredentials).CountLogMessages("health SERVING"), 1);
  // Take the database away from the service role: health follows.
  h_->Stop(kCredentials);
  ASSERT_TRUE(h_->Start(kCredentials, {"--readiness-interval", "100ms"}).ok());
  channel = h_->Channel(kCredentials);
  ASSERT_EQ(HealthStatus(channel), HealthStatusEnum::SERVING);
  h_->AdminQuery("ALTER ROLE " + h_->role(kCredentials).role + " NOLOGIN");
  h_->AdminQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" +
                 h_->role(kCredentials).role + "'");
  ASSERT_TRUE(
      h_->process(kCredentials).WaitForLogMessage("health NOT_SERVING", absl::Seconds(30)).ok());
  EXPECT_EQ(HealthStatus(channel), HealthStatusEnum::NOT_SERVING);
  h_->AdminQuery("ALTER ROLE " + h_->role(kCredentials).role + " LOGIN");
  ASSERT_TRUE(
      h_->process(kCredentials).WaitForLogMessage("health SERVING", absl::Seconds(30), 1).ok());
  EXPECT_EQ(HealthStatus(channel), HealthStatusEnum::SERVING);
  EXPECT_EQ(h_->Stop(kCredentials), 0);
  EXPECT_EQ(h_->process(kCredentials).CountLogMessages("stopped"), 1);
}

// RED series exist at zero before any call, count calls by code, and the
// page passes `promtool check metrics`.
TEST_F(CredentialsApiTest, MetricsArePreRegisteredCountedAndLintClean) {
  const int port = h_->process(kCredentials).metrics_port();
  auto before = ::iob::testing::HttpGet(port, "/metrics");
  ASSERT_TRUE(before.ok()) << before.status();
  const std::string labels =
      "grpc_code=\"NotFound\",grpc_method=\"GetIntegration\","
      "grpc_service=\"iob.credentials.v1.CredentialsService\",grpc_type=\"unary\"";
  EXPECT_THAT(*before, HasSubstr("grpc_server_handled_total{" + labels + "} 0"));
  EXPECT_THAT(*before, HasSubstr("grpc_server_started_total{grpc_method=\"RotateSharedSecret\""));

  pb::Integration out;
  EXPECT_CODE(Get("tenants/acme/integrations/missing", &out), NOT_FOUND);
  auto after = ::iob::testing::HttpGet(port, "/metrics");
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_THAT(*after, HasSubstr("grpc_server_handled_total{" + labels + "} 1"));
  EXPECT_THAT(*after, HasSubstr("grpc_server_handling_seconds_bucket{"));

  const std::string file = h_->dir() + "/metrics.txt";
  ::iob::testing::WriteFileAtomically(file, *after);
  if (access("/usr/bin/promtool", X_OK) != 0) GTEST_SKIP() << "promtool not installed";
  auto lint = ::iob::testing::RunCommand("/bin/sh", {"-c", "promtool check metrics < " + file});
  ASSERT_TRUE(lint.ok()) << lint.status();
  EXPECT_EQ(lint->exit_code, 0) << lint->output;
}

TEST_F(CredentialsApiTest, CreateGetUpdateDeleteGet) {
  const std::string secret = RandomSecret("crud-");
  pb::Integration created = MustCreate(AmazonCreate("acme", "amazon-main", secret));
  EXPECT_EQ(created.name(), "tenants/acme/integrations/amazon-main");
  EXPECT_EQ(created.supplier(), "amazon-business");
  EXPECT_EQ(created.display_name(), "Amazon Business");
  EXPECT_EQ(created.marketplace(), "amazon.com");
  EXPECT_EQ(created.from().domain(), "NetworkId");
  EXPECT_EQ(created.from().identity(), "buyer-1");
  EXPECT_EQ(created.to().identity(), "Amazon");
  EXPECT_EQ(created.sender().identity(), "buyer-1");
  EXPECT_EQ(created.mode(), pb::MODE_PRODUCTION);
  EXPECT_TRUE(created.require_approval());
  EXPECT_EQ(created.payment_method(), pb::PAYMENT_METHOD_PAY_BY_INVOICE);
  EXPECT_EQ(created.state(), pb::INTEGRATION_STATE_ACTIVE);
  EXPECT_EQ(created.secret_version(), 1);
  EXPECT_THAT(created.secret_fingerprint(), StartsWith("hs256:"));
  EXPECT_TRUE(created.shared_secret().empty());
  EXPECT_FALSE(created.etag().empty());
  EXPECT_GT(created.create_time().seconds(), 0);

  pb::Integration got;
  ASSERT_TRUE(Get(created.name(), &got).ok());
  EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());

  pb::UpdateIntegrationRequest up;
  up.mutable_integration()->set_name(created.name());
  up.mutable_integration()->set_etag(created.etag());
  up.mutable_integration()->set_display_name("Amazon (EU buyers)");
  up.mutable_integration()->set_payment_method(pb::PAYMENT_METHOD_PCARD);
  up.mutable_integration()->set_require_approval(false);
  up.mutable_update_mask()->add_paths("display_name");
  up.mutable_update_mask()->add_paths("payment_method");
  up.mutable_update_mask()->add_paths("require_approval");
  pb::Integration updated;
  grpc::Status st = stub_->UpdateIntegration(h_->Ctx("acme-admin").get(), up, &updated);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(updated.display_name(), "Amazon (EU buyers)");
  EXPECT_EQ(updated.payment_method(), pb::PAYMENT_METHOD_PCARD);
  EXPECT_FALSE(updated.require_approval());
  EXPECT_NE(updated.etag(), created.etag());
  EXPECT_EQ(updated.punchout_url(), created.punchout_url());  // not in the mask
  EXPECT_EQ(updated.secret_version(), 1);
  ASSERT_TRUE(Get(created.name(), &got).ok());
  EXPECT_EQ(got.display_name(), "Amazon (EU buyers)");
  EXPECT_EQ(got.etag(), updated.etag());

  pb::DeleteIntegrationRequest del;
  del.set_name(created.name());
  del.set_etag(updated.etag());
  pb::DeleteIntegrationResponse del_resp;
  st = stub_->DeleteIntegration(h_->Ctx("acme-admin").get(), del, &del_resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_CODE(Get(created.name(), &got), NOT_FOUND);
  EXPECT_CODE(stub_->DeleteIntegration(h_->Ctx("acme-admin").get(), del, &del_resp), NOT_FOUND);
  EXPECT_EQ(AdminCount("SELECT count(*) FROM credentials.integrations"), 0);
}

TEST_F(CredentialsApiTest, ListPaginatesWithoutDuplicates) {
  std::set<std::string> want;
  for (int i = 0; i < 7; ++i) {
    const std::string id = "int-" + std::to_string(i);
    MustCreate(AmazonCreate("acme", id, RandomSecret("list-")));
    want.insert("tenants/acme/integrations/" + id);
  }
  MustCreate(AmazonCreate("globex", "other", RandomSecret("list-")), "globex-admin");

  pb::ListIntegrationsRequest req;
  req.set_parent("tenants/acme");
  req.set_page_size(3);
  std::vector<std::string> seen;
  std::vector<int> page_sizes;
  for (int pages = 0; pages < 10; ++pages) {
    pb::ListIntegrationsResponse resp;
    grpc::Status st = stub_->ListIntegrations(h_->Ctx("acme-reader").get(), req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    page_sizes.push_back(resp.integrations_size());
    for (const auto& in : resp.integrations()) {
      seen.push_back(in.name());
      EXPECT_TRUE(in.shared_secret().empty());
    }
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  EXPECT_THAT(page_sizes, ElementsAre(3, 3, 1));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), want);
  EXPECT_EQ(seen.size(), want.size());  // no duplicates
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));

  // Default page size returns everything at once.
  req.clear_page_token();
  req.set_page_size(0);
  pb::ListIntegrationsResponse all;
  ASSERT_TRUE(stub_->ListIntegrations(h_->Ctx("acme-admin").get(), req, &all).ok());
  EXPECT_EQ(all.integrations_size(), 7);
  EXPECT_TRUE(all.next_page_token().empty());

  // Tokens this list did not return.
  pb::ListAuditEventsRequest audit_req;
  audit_req.set_parent("tenants/acme");
  audit_req.set_page_size(1);
  pb::ListAuditEventsResponse audit_resp;
  ASSERT_TRUE(stub_->ListAuditEvents(h_->Ctx("acme-admin").get(), audit_req, &audit_resp).ok());
  ASSERT_FALSE(audit_resp.next_page_token().empty());
  for (const std::string& bad : {std::string("garbage!"), std::string("djE6aW50ZWdyYXRpb25z"),
                                 audit_resp.next_page_token()}) {
    req.set_page_token(bad);
    pb::ListIntegrationsResponse resp;
    grpc::Status st = stub_->ListIntegrations(h_->Ctx("acme-admin").get(), req, &resp);
    EXPECT_CODE(st, INVALID_ARGUMENT);
    EXPECT_THAT(st.error_message(), StartsWith("page_token"));
  }
  req.clear_page_token();
  req.set_page_size(-1);
  pb::ListIntegrationsResponse resp;
  grpc::Status st = stub_->ListIntegrations(h_->Ctx("acme-admin").get(), req, &resp);
  EXPECT_CODE(st, INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), StartsWith("page_size"));
}

TEST_F(CredentialsApiTest, StaleEtagIsAborted) {
  pb::Integration v1 = MustCreate(AmazonCreate("acme", "etag", RandomSecret("etag-")));
  pb::UpdateIntegrationRequest up;
  up.mutable_integration()->set_name(v1.name());
  up.mutable_integration()->set_etag(v1.etag());
  up.mutable_integration()->set_display_name("first");
  up.mutable_update_mask()->add_paths("display_name");
  pb::Integration v2;
  ASSERT_TRUE(stub_->UpdateIntegration(h_->Ctx("acme-admin").get(), up, &v2).ok());

  up.mutable_integration()->set_display_name("second");  // still carries v1's etag
  pb::Integration out;
  grpc::Status st = stub_->UpdateIntegration(h_->Ctx("acme-admin").get(), up, &out);
  EXPECT_CODE(st, ABORTED);
  EXPECT_THAT(st.error_message(), HasSubstr("etag"));

  pb::RotateSharedSecretRequest rot;
  rot.set_name(v1.name());
  rot.set_etag(v1.etag());
  rot.set_shared_secret(RandomSecret("rot-"));
  EXPECT_CODE(stub_->RotateSharedSecret(h_->Ctx("acme-admin").get(), rot, &out), ABORTED);

  pb::DeleteIntegrationRequest del;
  del.set_name(v1.name());
  del.set_etag(v1.etag());
  pb::DeleteIntegrationResponse del_resp;
  EXPECT_CODE(stub_->DeleteIntegration(h_->Ctx("acme-admin").get(), del, &del_resp), ABORTED);

  pb::Integration now;
  ASSERT_TRUE(Get(v1.name(), &now).ok());
  EXPECT_EQ(now.display_name(), "first");
  EXPECT_EQ(now.etag(), v2.etag());
  EXPECT_EQ(now.secret_version(), 1);
}

TEST_F(CredentialsApiTest, UpdateMaskErrorsNameTheField) {
  pb::Integration v1 = MustCreate(AmazonCreate("acme", "mask", RandomSecret("mask-")));
  auto update = [&](std::vector<std::string> paths) {
    pb::UpdateIntegrationRequest up;
    up.mutable_integration()->set_name(v1.name());
    up.mutable_integration()->set_display_name("changed");
    up.mutable_integration()->set_shared_secret("new-secret-value-1");
    up.mutable_integration()->set_supplier("generic-cxml");
    for (const auto& p : paths) up.mutable_update_mask()->add_paths(p);
    pb::Integration out;
    return stub_->UpdateIntegration(h_->Ctx("acme-admin").get(), up, &out);
  };
  grpc::Status st = update({"display_name", "supplier"});
  EXPECT_CODE(st, INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("'supplier'"));
  st = update({"no_such_field"});
  EXPECT_CODE(st, INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("no_such_field"));
  st = update({"shared_secret"});
  EXPECT_CODE(st, INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("shared_secret"));
  EXPECT_THAT(st.error_message(), Not(HasSubstr("new-secret-value-1")));
  st = update({});
  EXPECT_CODE(st, INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), StartsWith("update_mask"));

  // A masked field whose new value breaks a rule: named, nothing stored.
  pb::UpdateIntegrationRequest up;
  up.mutable_integration()->set_name(v1.name());
  up.mutable_integration()->set_punchout_url("http://www.amazon.com/p");
  up.mutable_update_mask()->add_paths("punchout_url");
  pb::Integration out;
  st = stub_->UpdateIntegration(h_->Ctx("acme-admin").get(), up, &out);
  EXPECT_CODE(st, INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), StartsWith("integration.punchout_url"));

  pb::Integration now;
  ASSERT_TRUE(Get(v1.name(), &now).ok());
  EXPECT_EQ(now.SerializeAsString(), v1.SerializeAsString());
  EXPECT_EQ(Audit("acme").size(), 1u);  // only the create
}

TEST_F(CredentialsApiTest, CreateIsIdempotentByRequestIdAndIdsAreUnique) {
  pb::CreateIntegrationRequest req = AmazonCreate("acme", "", RandomSecret("idem-"));
  req.set_request_id("req-0001");
  pb::Integration first = MustCreate(req);
  EXPECT_THAT(first.name(), StartsWith("tenants/acme/integrations/amazon-business-"));
  pb::Integration again = MustCreate(req);
  EXPECT_EQ(again.name(), first.name());
  EXPECT_EQ(again.etag(), first.etag());
  EXPECT_EQ(AdminCount("SELECT count(*) FROM credentials.integrations"), 1);
  EXPECT_EQ(Audit("acme").size(), 1u);

  pb::CreateIntegrationRequest named = AmazonCreate("acme", "fixed", RandomSecret("idem-"));
  MustCreate(named);
  pb::Integration out;
  grpc::Status st = stub_->CreateIntegration(h_->Ctx("acme-admin").get(), named, &out);
  EXPECT_CODE(st, ALREADY_EXISTS);
  EXPECT_THAT(st.error_message(), HasSubstr("tenants/acme/integrations/fixed"));
  // The same id in another tenant is a different resource.
  named.set_parent("tenants/globex");
  EXPECT_TRUE(stub_->CreateIntegration(h_->Ctx("globex-admin").get(), named, &out).ok());
  EXPECT_EQ(AdminCount("SELECT count(*) FROM credentials.integrations"), 3);
}

TEST_F(CredentialsApiTest, RequestIdReusedForAnotherRequestIsRefused) {
  pb::Integration a = MustCreate(AmazonCreate("acme", "alpha", RandomSecret("a-")));
  pb::Integration b = MustCreate(AmazonCreate("acme", "beta", RandomSecret("b-")));
  auto rotate = [&](const std::string& name, const std::string& secret, pb::Integration* out) {
    pb::RotateSharedSecretRequest req;
    req.set_name(name);
    req.set_shared_secret(secret);
    req.set_request_id("rot-1");
    return stub_->RotateSharedSecret(h_->Ctx("acme-admin").get(), req, out);
  };
  const std::string s1 = RandomSecret("s1-");
  pb::Integration out;
  ASSERT_TRUE(rotate(a.name(), s1, &out).ok());
  EXPECT_EQ(out.secret_version(), 2);
  // The same request again: the first result, no second rotation.
  ASSERT_TRUE(rotate(a.name(), s1, &out).ok());
  EXPECT_EQ(out.secret_version(), 2);
  // The key names another resource, or another secret: refused, nothing rotated.
  grpc::Status st = rotate(b.name(), RandomSecret("s2-"), &out);
  EXPECT_CODE(st, INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), StartsWith("request_id: "));
  st = rotate(a.name(), RandomSecret("s3-"), &out);
  EXPECT_CODE(st, INVALID_ARGUMENT);
  EXPECT_EQ(AdminCount("SELECT secret_version FROM credentials.integrations WHERE "
                       "integration_id = 'beta'"),
            1);
  EXPECT_EQ(AdminCount("SELECT secret_version FROM credentials.integrations WHERE "
                       "integration_id = 'alpha'"),
            2);
  // No plaintext-derived value of the secret is kept with the key.
  EXPECT_EQ(AdminCount("SELECT count(*) FROM credentials.request_ids WHERE request_hash = '' "
                       "OR strpos(request_hash, 's1-') > 0"),
            0);
}

TEST_F(CredentialsApiTest, ConcurrentCreatesWithOneRequestIdMakeOneIntegration) {
  pb::CreateIntegrationRequest req = AmazonCreate("acme", "", RandomSecret("race-"));
  req.set_request_id("race-1");
  constexpr int kCallers = 8;
  std::vector<pb::Integration> outs(kCallers);
  std::vector<grpc::Status> statuses(kCallers);
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      statuses[i] = stub_->CreateIntegration(h_->Ctx("acme-admin").get(), req, &outs[i]);
    });
  }
  for (std::thread& t : callers) t.join();
  for (int i = 0; i < kCallers; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << statuses[i].error_message();
    EXPECT_EQ(outs[i].name(), outs[0].name());
  }
  EXPECT_EQ(AdminCount("SELECT count(*) FROM credentials.integrations"), 1);
}

TEST_F(CredentialsApiTest, ValidationErrorsNameTheFieldAndStoreNothing) {
  const std::string secret = RandomSecret("invalid-");
  struct Case {
    std::string field;
    std::function<void(pb::CreateIntegrationRequest&)> mutate;
  };
  std::vector<Case> cases = {
      {"parent", [](auto& r) { r.set_parent("acme"); }},
      {"integration_id", [](auto& r) { r.set_integration_id("Bad_Id"); }},
      {"integration.supplier", [](auto& r) { r.mutable_integration()->set_supplier("ebay"); }},
      {"integration.name",
       [](auto& r) { r.mutable_integration()->set_name("tenants/acme/integrations/x"); }},
      {"integration.mode",
       [](auto& r) { r.mutable_integration()->set_mode(pb::MODE_UNSPECIFIED); }},
      {"integration.punchout_url",
       [](auto& r) { r.mutable_integration()->set_punchout_url("http://www.amazon.com/p"); }},
      {"integration.punchout_url",
       [](auto& r) { r.mutable_integration()->set_punchout_url("https://amazon.com.evil.io/p"); }},
      {"integration.order_url",
       [](auto& r) { r.mutable_integration()->set_order_url("https://u:p@www.amazon.com/o"); }},
      {"integration.from.identity", [](auto& r) { r.mutable_integration()->clear_from(); }},
      {"integration.from.identity",
       [](auto& r) { r.mutable_integration()->mutable_from()->set_identity("a\nb"); }},
      {"integration.marketplace",
       [](auto& r) { r.mutable_integration()->set_marketplace("amazon.mars"); }},
      {"integration.shared_secret",
       [](auto& r) { r.mutable_integration()->clear_shared_secret(); }},
      {"integration.shared_secret",
       [](auto& r) { r.mutable_integration()->set_shared_secret("short"); }},
      {"integration.shared_secret",
       [](auto& r) { r.mutable_integration()->set_shared_secret("tab\tinside-secret"); }},
      {"request_id", [](auto& r) { r.set_request_id("has space"); }},
      {"integration", [](auto& r) { r.clear_integration(); }},
  };
  for (const Case& c : cases) {
    pb::CreateIntegrationRequest req = AmazonCreate("acme", "bad", secret);
    c.mutate(req);
    pb::Integration out;
    grpc::Status st = stub_->CreateIntegration(h_->Ctx("acme-admin").get(), req, &out);
    EXPECT_CODE(st, INVALID_ARGUMENT);
    EXPECT_THAT(st.error_message(), StartsWith(c.field + ":")) << c.field;
    EXPECT_THAT(st.error_message(), Not(HasSubstr(secret)));
  }
  pb::ListIntegrationsRequest list;
  list.set_parent("tenants/acme");
  pb::ListIntegrationsResponse resp;
  ASSERT_TRUE(stub_->ListIntegrations(h_->Ctx("acme-admin").get(), list, &resp).ok());
  EXPECT_THAT(resp.integrations(), IsEmpty());
  EXPECT_THAT(Audit("acme"), IsEmpty());
  EXPECT_EQ(AdminCount("SELECT count(*) FROM credentials.audit_events"), 0);
  EXPECT_EQ(AdminCount("SELECT count(*) FROM credentials.integrations"), 0);
}

TEST_F(CredentialsApiTest, OtherTenantsAreDenied) {
  pb::Integration acme = MustCreate(AmazonCreate("acme", "amazon", RandomSecret("x-")));
  pb::Integration out;
  // globex's admin reaches for acme: existing and missing alike are denied.
  for (const std::string& name : {acme.name(), std::string("tenants/acme/integrations/missing")}) {
    grpc::Status st = Get(name, &out, "globex-admin");
    EXPECT_CODE(st, PERMISSION_DENIED);
    EXPECT_THAT(st.error_message(), HasSubstr("may not act for tenant acme"));
  }
  pb::ListIntegrationsRequest list;
  list.set_parent("tenants/acme");
  pb::ListIntegrationsResponse list_resp;
  EXPECT_CODE(stub_->ListIntegrations(h_->Ctx("globex-admin").get(), list, &list_resp),
              PERMISSION_DENIED);
  EXPECT_CODE(stub_->CreateIntegration(h_->Ctx("globex-admin").get(),
                                       AmazonCreate("acme", "intruder", RandomSecret("x-")), &out),
              PERMISSION_DENIED);
  pb::UpdateIntegrationRequest up;
  up.mutable_integration()->set_name(acme.name());
  up.mutable_integration()->set_display_name("pwned");
  up.mutable_update_mask()->add_paths("display_name");
  EXPECT_CODE(stub_->UpdateIntegration(h_->Ctx("globex-admin").get(), up, &out), PERMISSION_DENIED);
  pb::RotateSharedSecretRequest rot;
  rot.set_name(acme.name());
  rot.set_shared_secret(RandomSecret("x-"));
  EXPECT_CODE(stub_->RotateSharedSecret(h_->Ctx("globex-admin").get(), rot, &out),
              PERMISSION_DENIED);
  pb::DeleteIntegrationRequest del;
  del.set_name(acme.name());
  pb::DeleteIntegrationResponse del_resp;
  EXPECT_CODE(stub_->DeleteIntegration(h_->Ctx("globex-admin").get(), del, &del_resp),
              PERMISSION_DENIED);
  pb::ListAuditEventsRequest audit;
  audit.set_parent("tenants/acme");
  pb::ListAuditEventsResponse audit_resp;
  EXPECT_CODE(stub_->ListAuditEvents(h_->Ctx("globex-admin").get(), audit, &audit_resp),
              PERMISSION_DENIED);
  // Naming another tenant's integration under one's own parent is refused too.
  audit.set_parent("tenants/globex");
  audit.set_integration(acme.name());
  EXPECT_CODE(stub_->ListAuditEvents(h_->Ctx("globex-admin").get(), audit, &audit_resp),
              INVALID_ARGUMENT);

  ASSERT_TRUE(Get(acme.name(), &out).ok());
  EXPECT_EQ(out.SerializeAsString(), acme.SerializeAsString());
  EXPECT_EQ(AdminCount("SELECT count(*) FROM credentials.audit_events"), 1);
}

TEST_F(CredentialsApiTest, MissingScopeIsDenied) {
  pb::Integration acme = MustCreate(AmazonCreate("acme", "amazon", RandomSecret("x-")));
  pb::Integration out;
  grpc::Status st = stub_->CreateIntegration(
      h_->Ctx("acme-reader").get(), AmazonCreate("acme", "more", RandomSecret("x-")), &out);
  EXPECT_CODE(st, PERMISSION_DENIED);
  EXPECT_THAT(st.error_message(), HasSubstr("lacks scope integrations.write"));
  pb::ListAuditEventsRequest audit;
  audit.set_parent("tenants/acme");
  pb::ListAuditEventsResponse audit_resp;
  EXPECT_CODE(stub_->ListAuditEvents(h_->Ctx("acme-reader").get(), audit, &audit_resp),
              PERMISSION_DENIED);
  EXPECT_CODE(Get(acme.name(), &out, "verifier"), PERMISSION_DENIED);
  EXPECT_TRUE(Get(acme.name(), &out, "acme-reader").ok());
}

TEST_F(CredentialsApiTest, MissingOrBadTokenIsUnauthenticated) {
  pb::Integration acme = MustCreate(AmazonCreate("acme", "amazon", RandomSecret("x-")));
  const std::string admin_token = h_->Token("acme-admin");
  for (const std::string& header :
       {std::string(""), std::string("Bearer"), std::string("Bearer not-a-token"),
        std::string("Basic ") + admin_token, admin_token, "Bearer " + admin_token + "x"}) {
    SCOPED_TRACE(header);
    pb::Integration out;
    pb::GetIntegrationRequest get;
    get.set_name(acme.name());
    EXPECT_CODE(stub_->GetIntegration(TestStack::CtxWithHeader(header).get(), get, &out),
                UNAUTHENTICATED);
    pb::ListIntegrationsRequest list;
    list.set_parent("tenants/acme");
    pb::ListIntegrationsResponse list_resp;
    EXPECT_CODE(stub_->ListIntegrations(TestStack::CtxWithHeader(header).get(), list, &list_resp),
                UNAUTHENTICATED);
    EXPECT_CODE(stub_->CreateIntegration(TestStack::CtxWithHeader(header).get(),
                                         AmazonCreate("acme", "anon", RandomSecret("x-")), &out),
                UNAUTHENTICATED);
    pb::ResolveIntegrationSecretRequest res;
    res.set_name(acme.name());
    pb::ResolveIntegrationSecretResponse res_resp;
    grpc::Status st =
        stub_->ResolveIntegrationSecret(TestStack::CtxWithHeader(header).get(), res, &res_resp);
    EXPECT_CODE(st, UNAUTHENTICATED);
    EXPECT_TRUE(res_resp.shared_secret().empty());
    EXPECT_THAT(st.error_message(), Not(HasSubstr(admin_token)));
    pb::VerifySupplierCredentialRequest ver;
    ver.mutable_buyer()->set_identity("buyer-1");
    ver.set_shared_secret("whatever-secret");
    pb::VerifySupplierCredentialResponse ver_resp;
    EXPECT_CODE(
        stub_->VerifySupplierCredential(TestStack::CtxWithHeader(header).get(), ver, &ver_resp),
        UNAUTHENTICATED);
  }
  EXPECT_EQ(AdminCount("SELECT count(*) FROM credentials.integrations"), 1);
}

TEST_F(CredentialsApiTest, ResolveNeedsTheResolveScope) {
  const std::string secret = RandomSecret("resolve-");
  pb::Integration acme = MustCreate(AmazonCreate("acme", "amazon", secret));
  pb::ResolveIntegrationSecretRequest req;
  req.set_name(acme.name());
  pb::ResolveIntegrationSecretResponse resp;
  grpc::Status st = stub_->ResolveIntegrationSecret(h_->Ctx("resolver").get(), req, &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(resp.shared_secret(), secret);
  EXPECT_EQ(resp.integration().name(), acme.name());
  EXPECT_TRUE(resp.integration().shared_secret().empty());

  for (const char* who : {"acme-admin", "acme-reader", "verifier"}) {
    pb::ResolveIntegrationSecretResponse denied;
    st = stub_->ResolveIntegrationSecret(h_->Ctx(who).get(), req, &denied);
    EXPECT_CODE(st, PERMISSION_DENIED);
    EXPECT_TRUE(denied.shared_secret().empty());
  }
  req.set_name("tenants/acme/integrations/missing");
  EXPECT_CODE(stub_->ResolveIntegrationSecret(h_->Ctx("resolver").get(), req, &resp), NOT_FOUND);

  // A disabled integration does not hand out its secret.
  pb::UpdateIntegrationRequest up;
  up.mutable_integration()->set_name(acme.name());
  up.mutable_integration()->set_state(pb::INTEGRATION_STATE_DISABLED);
  up.mutable_update_mask()->add_paths("state");
  pb::Integration out;
  ASSERT_TRUE(stub_->UpdateIntegration(h_->Ctx("acme-admin").get(), up, &out).ok());
  req.set_name(acme.name());
  pb::ResolveIntegrationSecretResponse disabled;
  st = stub_->ResolveIntegrationSecret(h_->Ctx("resolver").get(), req, &disabled);
  EXPECT_CODE(st, FAILED_PRECONDITION);
  EXPECT_TRUE(disabled.shared_secret().empty());
}

TEST_F(CredentialsApiTest, VerifySupplierCredential) {
  const std::string acme_secret = RandomSecret("verify-a-");
  const std::string globex_secret = RandomSecret("verify-g-");
  pb::Integration acme = MustCreate(AmazonCreate("acme", "amazon", acme_secret, "shared-id"));
  pb::Integration globex =
      MustCreate(AmazonCreate("globex", "amazon", globex_secret, "shared-id"), "globex-admin");
  auto verify = [&](const std::string& who, const std::string& tenant, const std::string& domain,
                    const std::string& identity, const std::string& secret,
                    pb::VerifySupplierCredentialResponse* resp) {
    pb::VerifySupplierCredentialRequest req;
    req.set_tenant(tenant);
    req.mutable_buyer()->set_domain(domain);
    req.mutable_buyer()->set_identity(identity);
    req.set_shared_secret(secret);
    return stub_->VerifySupplierCredential(h_->Ctx(who).get(), req, resp);
  };
  pb::VerifySupplierCredentialResponse resp;
  ASSERT_TRUE(verify("verifier", "", "NetworkId", "shared-id", acme_secret, &resp).ok());
  EXPECT_EQ(resp.integration().name(), acme.name());
  ASSERT_TRUE(verify("verifier", "", "", "shared-id", globex_secret, &resp).ok());
  EXPECT_EQ(resp.integration().name(), globex.name());
  ASSERT_TRUE(verify("verifier", "acme", "networkid", "shared-id", acme_secret, &resp).ok());
  EXPECT_EQ(resp.integration().name(), acme.name());

  struct Denied {
    std::string who, tenant, domain, identity, secret;
  };
  for (const Denied& d : std::vector<Denied>{
           {"verifier", "", "", "shared-id", acme_secret + "x"},
           {"verifier", "", "", "shared-id", "wrong-secret-value"},
           {"verifier", "", "", "other-id", acme_secret},
           {"verifier", "globex", "", "shared-id", acme_secret},
           {"verifier", "", "DUNS", "shared-id", acme_secret},
           {"acme-verifier", "", "", "shared-id", globex_secret},
       }) {
    pb::VerifySupplierCredentialResponse denied;
    grpc::Status st = verify(d.who, d.tenant, d.domain, d.identity, d.secret, &denied);
    EXPECT_CODE(st, PERMISSION_DENIED);
    EXPECT_FALSE(denied.has_integration());
    EXPECT_THAT(st.error_message(), Not(HasSubstr(d.secret)));
  }
  EXPECT_CODE(verify("acme-admin", "", "", "shared-id", acme_secret, &resp), PERMISSION_DENIED);
  EXPECT_CODE(verify("verifier", "", "", "", acme_secret, &resp), INVALID_ARGUMENT);
  EXPECT_CODE(verify("verifier", "", "", "shared-id", "", &resp), INVALID_ARGUMENT);

  // After a rotation only the new secret is recognised.
  const std::string rotated = RandomSecret("verify-r-");
  pb::RotateSharedSecretRequest rot;
  rot.set_name(acme.name());
  rot.set_shared_secret(rotated);
  pb::Integration after;
  ASSERT_TRUE(stub_->RotateSharedSecret(h_->Ctx("acme-admin").get(), rot, &after).ok());
  EXPECT_EQ(after.secret_version(), 2);
  EXPECT_NE(after.secret_fingerprint(), acme.secret_fingerprint());
  EXPECT_CODE(verify("verifier", "acme", "", "shared-id", acme_secret, &resp), PERMISSION_DENIED);
  ASSERT_TRUE(verify("verifier", "acme", "", "shared-id", rotated, &resp).ok());
  EXPECT_EQ(resp.integration().secret_version(), 2);
}

TEST_F(CredentialsApiTest, AuditTrailNamesFieldsNeverValuesAndIsAppendOnly) {
  const std::string secret = RandomSecret("audit-");
  const std::string rotated = RandomSecret("audit-r-");
  pb::CreateIntegrationRequest create = AmazonCreate("acme", "amazon", secret);
  create.set_request_id("create-1");
  pb::Integration v1 = MustCreate(create);
  pb::UpdateIntegrationRequest up;
  up.mutable_integration()->set_name(v1.name());
  up.mutable_integration()->set_display_name("Renamed");
  up.mutable_integration()->set_punchout_url("https://punchout.amazon.com/p");
  up.mutable_update_mask()->add_paths("display_name");
  up.mutable_update_mask()->add_paths("punchout_url");
  up.set_request_id("update-1");
  pb::Integration out;
  ASSERT_TRUE(stub_->UpdateIntegration(h_->Ctx("acme-admin").get(), up, &out).ok());
  pb::RotateSharedSecretRequest rot;
  rot.set_name(v1.name());
  rot.set_shared_secret(rotated);
  rot.set_request_id("rotate-1");
  ASSERT_TRUE(stub_->RotateSharedSecret(h_->Ctx("acme-admin").get(), rot, &out).ok());
  // A retried rotation (same request_id) changes nothing more.
  ASSERT_TRUE(stub_->RotateSharedSecret(h_->Ctx("acme-admin").get(), rot, &out).ok());
  EXPECT_EQ(out.secret_version(), 2);
  pb::ResolveIntegrationSecretRequest res;
  res.set_name(v1.name());
  pb::ResolveIntegrationSecretResponse res_resp;
  ASSERT_TRUE(stub_->ResolveIntegrationSecret(h_->Ctx("resolver").get(), res, &res_resp).ok());
  EXPECT_EQ(res_resp.shared_secret(), rotated);
  MustCreate(AmazonCreate("acme", "second", RandomSecret("audit-")));
  pb::DeleteIntegrationRequest del;
  del.set_name(v1.name());
  del.set_request_id("delete-1");
  pb::DeleteIntegrationResponse del_resp;
  ASSERT_TRUE(stub_->DeleteIntegration(h_->Ctx("acme-admin").get(), del, &del_resp).ok());

  std::vector<pb::AuditEvent> events = Audit("acme", v1.name());
  std::vector<std::string> actions, actors, request_ids;
  std::vector<int64_t> versions;
  for (const auto& e : events) {
    actions.push_back(e.action());
    actors.push_back(e.actor());
    request_ids.push_back(e.request_id());
    versions.push_back(e.secret_version());
    EXPECT_EQ(e.integration(), v1.name());
    EXPECT_GT(e.time().seconds(), 0);
    const std::string text = e.DebugString();
    EXPECT_THAT(text, Not(HasSubstr(secret)));
    EXPECT_THAT(text, Not(HasSubstr(rotated)));
    EXPECT_THAT(text, Not(HasSubstr("Renamed")));
    EXPECT_THAT(text, Not(HasSubstr("punchout.amazon.com")));
  }
  EXPECT_THAT(actions, ElementsAre("integration.created", "integration.updated", "secret.rotated",
                                   "secret.resolved", "integration.deleted"));
  EXPECT_THAT(actors,
              ElementsAre("acme-admin", "acme-admin", "acme-admin", "resolver", "acme-admin"));
  EXPECT_THAT(request_ids, ElementsAre("create-1", "update-1", "rotate-1", "", "delete-1"));
  EXPECT_THAT(versions, ElementsAre(1, 1, 2, 2, 2));
  ASSERT_EQ(events.size(), 5u);
  EXPECT_THAT(events[1].fields(), ElementsAre("display_name", "punchout_url"));
  EXPECT_THAT(events[2].fields(), ElementsAre("shared_secret"));
  EXPECT_EQ(Audit("acme").size(), 6u);  // plus the second integration's create
  EXPECT_THAT(Audit("globex"), IsEmpty());

  // The table refuses changes even from the role that owns it.
  pqxx::connection conn(h_->role(kCredentials).url);
  for (const char* sql :
       {"UPDATE credentials.audit_events SET actor = 'someone-else'",
        "DELETE FROM credentials.audit_events", "TRUNCATE credentials.audit_events"}) {
    SCOPED_TRACE(sql);
    pqxx::work tx(conn);
    EXPECT_THROW(tx.exec(sql), pqxx::sql_error);
  }
  EXPECT_EQ(AdminCount("SELECT count(*) FROM credentials.audit_events"), 6);
  EXPECT_EQ(
      AdminCount("SELECT count(*) FROM credentials.audit_events WHERE actor = 'someone-else'"), 0);
}

}  // namespace
}  // namespace iob::credentials::testing
