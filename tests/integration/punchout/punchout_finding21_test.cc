// Issue 8 finding 21 (behaviours with no test), the punchout half, with real
// processes on the mTLS test stack: SIGTERM while a StartSession waits for
// the supplier (the call completes, health turns NOT_SERVING, the process
// exits 0 within the drain timeout), and punchout serving TLS itself
// (--tls-cert-file/--tls-key-file/--tls-client-ca-file): a TLS client with a
// certificate is served, a plaintext client and one without a certificate
// are refused. Every wait is on a condition.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "libs/http/server.h"
#include "tests/integration/punchout/punchout_test_util.h"
#include "tests/support/wait.h"

namespace iob::punchout::testing {
namespace {

using ::iob::testing::WaitFor;

using Health = ::grpc::health::v1::HealthCheckResponse;
using ::iob::testing::HealthStatus;

constexpr char kHealthName[] = "iob.punchout.v1.PunchoutService";

// A supplier endpoint on 127.0.0.1 that holds each setup request until
// Release(), then forwards it to `upstream` (the simulator) and answers with
// the simulator's answer. Handlers run on the server's threads.
class HoldingSupplier {
 public:
  explicit HoldingSupplier(std::string upstream)
      : upstream_(std::move(upstream)),
        server_({.read_timeout = absl::Seconds(120), .keep_alive_timeout = absl::Seconds(120)}) {
    server_.Post("/punchout", [this](const httplib::Request& req, httplib::Response& res) {
      ++received_;
      release_.WaitForNotification();
      auto answer = Http("POST", upstream_, req.body, req.get_header_value("Content-Type"));
      if (!answer.ok()) {
        res.status = 502;
        return;
      }
      res.status = static_cast<int>(answer->status);
      res.set_content(answer->body, answer->content_type);
    });
  }
  ~HoldingSupplier() {
    Release();
    server_.Stop();
  }
  // Starts listening; returns the URL to give the integration ("" on error).
  std::string Start() {
    auto port = server_.Start();
    EXPECT_TRUE(port.ok()) << port.status();
    return port.ok() ? absl::StrCat("http://127.0.0.1:", *port, "/punchout") : "";
  }
  // How many setup requests have arrived (held or answered).
  int received() const { return received_.load(); }
  void Release() {
    if (!release_.HasBeenNotified()) release_.Notify();
  }

 private:
  const std::string upstream_;
  std::atomic<int> received_{0};
  absl::Notification release_;
  http::HttpServer server_;
};

class PunchoutFinding21Test : public PunchoutStackTest<PunchoutFinding21Test> {
 public:
  static PunchoutStackOptions StackOptions() { return {.mtls = true}; }

 protected:
  // A channel of its own (no shared subchannel) to `address`.
  static std::shared_ptr<grpc::Channel> ChannelTo(const std::string& address,
                                                  std::shared_ptr<grpc::ChannelCredentials> creds) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return grpc::CreateCustomChannel(address, std::move(creds), args);
  }

  // ListSuppliers(tenants/acme) as "platform" over `channel`, 10 s deadline.
  grpc::Status ListSuppliers(const std::shared_ptr<grpc::Channel>& channel,
                             pb::ListSuppliersResponse* resp) {
    pb::ListSuppliersRequest req;
    req.set_parent("tenants/acme");
    auto ctx = stack().Ctx("platform");
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return pb::PunchoutService::NewStub(channel)->ListSuppliers(ctx.get(), req, resp);
  }
};

// SIGTERM while StartSession waits for the supplier's answer: readiness turns
// NOT_SERVING, draining starts with the call still in flight, the supplier
// then answers, the call completes OK and the process exits 0 (within the
// drain timeout, or the server would have cancelled the call).
TEST_F(PunchoutFinding21Test, Finding21_SigtermWithCallInFlightCompletesAndExitsZero) {
  auto group = stack().CreateSimGroup();
  ASSERT_TRUE(group.ok()) << group.status();
  HoldingSupplier supplier(group->punchout_url);
  const std::string url = supplier.Start();
  ASSERT_FALSE(url.empty());
  auto in = CreateIntegration(stack(), "acme", "sigterm", *group, url);
  ASSERT_TRUE(in.ok()) << in.status();

  auto punchout = stack().StartExtra(
      Service::kPunchout,
      {"--supplier-timeout", "120s", "--shutdown-pause", "5s", "--drain-timeout", "60s"});
  ASSERT_TRUE(punchout.ok()) << punchout.status();
  ServiceProcess& process = **punchout;
  auto channel = ChannelTo(process.grpc_address(), grpc::InsecureChannelCredentials());
  ASSERT_EQ(HealthStatus(channel, ""), Health::SERVING);

  grpc::Status held;
  pb::Session session;
  std::thread call([&] {
    pb::StartSessionRequest req;
    req.set_parent("tenants/acme");
    req.set_integration(in->name());
    req.mutable_user()->set_id("u-sigterm");
    req.mutable_user()->set_email("sigterm@acme.example");
    req.set_operation(pb::OPERATION_CREATE);
    auto ctx = stack().Ctx("platform");
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(180));
    held = TestStack::PunchoutAt(process.grpc_address())->StartSession(ctx.get(), req, &session);
  });
  WaitFor([&] { return supplier.received() == 1; }, "setup request held at the supplier");

  process.Signal(SIGTERM);
  WaitFor([&] { return HealthStatus(channel, "") == Health::NOT_SERVING; }, "NOT_SERVING");
  EXPECT_EQ(HealthStatus(channel, kHealthName), Health::NOT_SERVING);
  // Draining has begun and the call is still held.
  ASSERT_TRUE(process.WaitForLogMessage("draining", absl::Seconds(60)).ok()) << process.ReadLog();
  EXPECT_TRUE(process.Running());

  supplier.Release();
  call.join();
  EXPECT_TRUE(held.ok()) << held.error_code() << " " << held.error_message();
  EXPECT_THAT(session.start_page_url(), ::testing::StartsWith("http://127.0.0.1:"));
  auto code = process.WaitExit(absl::Seconds(60));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << process.ReadLog();
  EXPECT_EQ(supplier.received(), 1);
}

// Punchout serving TLS with client certificates required (the stack's CA):
// a TLS client presenting a certificate gets ListSuppliers; a plaintext
// client and a TLS client without a certificate are refused.
TEST_F(PunchoutFinding21Test, Finding21_PunchoutServesTlsAndRefusesPlaintext) {
  auto group = stack().CreateSimGroup();
  ASSERT_TRUE(group.ok()) << group.status();
  auto in = CreateIntegration(stack(), "acme", "tls-serving", *group);
  ASSERT_TRUE(in.ok()) << in.status();

  auto punchout =
      stack().StartExtra(Service::kPunchout, {"--tls-cert-file", stack().pki_path("server.crt"),
                                              "--tls-key-file", stack().pki_path("server.key"),
                                              "--tls-client-ca-file", stack().pki_path("ca.crt")});
  ASSERT_TRUE(punchout.ok()) << punchout.status();
  const std::string address = (*punchout)->grpc_address();

  pb::ListSuppliersResponse resp;
  grpc::Status st = ListSuppliers(ChannelTo(address, stack().TlsCredentials("operator")), &resp);
  ASSERT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
  bool listed = false;
  for (const auto& s : resp.suppliers()) listed |= s.integration() == in->name();
  EXPECT_TRUE(listed) << resp.DebugString();

  pb::ListSuppliersResponse plain_resp;
  const grpc::Status plain =
      ListSuppliers(ChannelTo(address, grpc::InsecureChannelCredentials()), &plain_resp);
  EXPECT_EQ(plain.error_code(), grpc::StatusCode::UNAVAILABLE) << plain.error_message();
  EXPECT_EQ(plain_resp.suppliers_size(), 0);

  pb::ListSuppliersResponse anon_resp;
  const grpc::Status no_cert =
      ListSuppliers(ChannelTo(address, stack().TlsCredentials("")), &anon_resp);
  EXPECT_FALSE(no_cert.ok());
  EXPECT_EQ(anon_resp.suppliers_size(), 0);
}

// Kubernetes' gRPC probes cannot speak TLS: with --health-listen, a TLS-only
// service also serves grpc.health.v1, and nothing else, in plaintext.
TEST_F(PunchoutFinding21Test, Finding1_TlsServiceAnswersProbesOnItsPlaintextHealthPort) {
  auto punchout = stack().StartExtra(
      Service::kPunchout, {"--tls-cert-file", stack().pki_path("server.crt"), "--tls-key-file",
                           stack().pki_path("server.key"), "--tls-client-ca-file",
                           stack().pki_path("ca.crt"), "--health-listen", "127.0.0.1:0"});
  ASSERT_TRUE(punchout.ok()) << punchout.status();
  auto health_port = (*punchout)->LogIntField("health port", "health_port");
  ASSERT_TRUE(health_port.ok()) << (*punchout)->ReadLog();
  auto health =
      ChannelTo(absl::StrCat("127.0.0.1:", *health_port), grpc::InsecureChannelCredentials());
  using Health = grpc::health::v1::HealthCheckResponse;
  EXPECT_EQ(iob::testing::HealthStatus(health, ""), Health::SERVING);
  EXPECT_EQ(iob::testing::HealthStatus(health, "liveness"), Health::SERVING);
  EXPECT_EQ(iob::testing::HealthStatus(health, "iob.punchout.v1.PunchoutService"), Health::SERVING);
  // Only health: the service's own RPCs are not on that port.
  pb::ListSuppliersResponse resp;
  const grpc::Status st = ListSuppliers(health, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNIMPLEMENTED) << st.error_message();
  // Shutdown turns it NOT_SERVING there too.
  (*punchout)->Signal(SIGTERM);
  ASSERT_TRUE((*punchout)->WaitExit(absl::Seconds(60)).ok());
}

}  // namespace
}  // namespace iob::punchout::testing
