// Issue 8 finding 21, punchout behaviours that had no test: the session
// expiry sweeper (--session-sweep-interval), a supplier answering the setup
// request with a redirect, and tenant isolation and unauthenticated callers
// on ListSuppliers and CheckoutCart. Real processes (the shared test stack).
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/integration/punchout/punchout_test_util.h"

namespace iob::punchout::testing {
namespace {

using ::testing::HasSubstr;

class PunchoutGapsTest : public PunchoutStackTest<PunchoutGapsTest> {
 public:
  static PunchoutStackOptions StackOptions() { return {.supplier_timeout = "5s"}; }

 protected:
  // A new acme integration on a new simulator group; its name ("" on error).
  std::string NewIntegration(const std::string& id, const std::string& punchout_url = "") {
    auto group = stack().CreateSimGroup();
    EXPECT_TRUE(group.ok()) << group.status();
    if (!group.ok()) return "";
    auto in = CreateIntegration(stack(), "acme", id, *group, punchout_url);
    EXPECT_TRUE(in.ok()) << in.status();
    return in.ok() ? in->name() : "";
  }

  // The state column of the acme session of `email` ("" when none).
  std::string StoredState(const std::string& email) {
    pqxx::result r = stack().AdminQuery("SELECT state FROM punchout.sessions WHERE user_email = '" +
                                        email + "'");
    return r.empty() ? "" : r[0][0].as<std::string>();
  }
};

// One HTTP exchange on 127.0.0.1: reads a request and answers 302 to
// `location`. Owns its listening socket; joins in the destructor.
class RedirectingSupplier {
 public:
  explicit RedirectingSupplier(std::string location) : location_(std::move(location)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd_, 4);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~RedirectingSupplier() {
    shutdown(fd_, SHUT_RDWR);
    thread_.join();
    close(fd_);
  }
  int port() const { return port_; }
  // The request it received ("" before one arrived).
  std::string request() const { return request_; }

 private:
  void Serve() {
    const int c = accept(fd_, nullptr, nullptr);
    if (c < 0) return;
    std::string in;
    char buf[4096];
    size_t body_start = std::string::npos;
    size_t want = 0;
    while (true) {
      const ssize_t n = read(c, buf, sizeof buf);
      if (n <= 0) break;
      in.append(buf, static_cast<size_t>(n));
      if (body_start == std::string::npos &&
          (body_start = in.find("\r\n\r\n")) != std::string::npos) {
        body_start += 4;
        const size_t cl = in.find("Content-Length: ");
        want = cl == std::string::npos ? 0 : std::stoul(in.substr(cl + 16));
      }
      if (body_start != std::string::npos && in.size() >= body_start + want) break;
    }
    request_ = in;
    const std::string answer = "HTTP/1.1 302 Found\r\nLocation: " + location_ +
                               "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    (void)!write(c, answer.data(), answer.size());
    close(c);
  }

  std::string location_;
  int fd_ = -1;
  int port_ = 0;
  std::string request_;
  std::thread thread_;
};

TEST_F(PunchoutGapsTest, Finding21_SessionExpirySweeperMarksUnusedSessionsExpired) {
  auto swept = stack().StartExtra(Service::kPunchout,
                                  {"--session-ttl", "1s", "--session-sweep-interval", "200ms"});
  ASSERT_TRUE(swept.ok()) << swept.status();
  const std::string integration = NewIntegration("sweeper");
  ASSERT_FALSE(integration.empty());
  auto stub = stack().PunchoutAt((*swept)->grpc_address());
  pb::StartSessionRequest req;
  req.set_parent("tenants/acme");
  req.set_integration(integration);
  req.mutable_user()->set_id("u-sweep");
  req.mutable_user()->set_email("sweep@acme.example");
  pb::Session s;
  grpc::Status st = stub->StartSession(stack().Ctx("platform").get(), req, &s);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(StoredState("sweep@acme.example"), "started");
  // Nobody reads or posts to the session: only the sweeper can expire it.
  // Wait for the stored state (bounded generously; polled, not guessed).
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (StoredState("sweep@acme.example") != "expired" && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));  // poll interval
  }
  EXPECT_EQ(StoredState("sweep@acme.example"), "expired");
}

TEST_F(PunchoutGapsTest, Finding21_SupplierRedirectOnSetupIsRefusedNotFollowed) {
  auto group = stack().CreateSimGroup();
  ASSERT_TRUE(group.ok()) << group.status();
  RedirectingSupplier redirector(group->punchout_url);
  auto in = CreateIntegration(stack(), "acme", "redirect", *group,
                              absl::StrCat("http://127.0.0.1:", redirector.port(), "/punchout"));
  ASSERT_TRUE(in.ok()) << in.status();
  auto before = stack().SimReceived("punchout");
  ASSERT_TRUE(before.ok());
  pb::Session s;
  grpc::Status st = StartCreate(stack(), "acme", in->name(), "redirect@acme.example", &s);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << st.error_message();
  EXPECT_THAT(st.error_message(), HasSubstr("redirect refused"));
  EXPECT_THAT(st.error_message(), ::testing::Not(HasSubstr(group->shared_secret)));
  EXPECT_THAT(redirector.request(), HasSubstr("PunchOutSetupRequest"));
  auto after = stack().SimReceived("punchout");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->size(), before->size()) << "the redirect must not be followed";
  EXPECT_EQ(StoredState("redirect@acme.example"), "failed");
}

TEST_F(PunchoutGapsTest, Finding21_ListSuppliersAndCheckoutCartRefuseOtherTenantsAndAnonymous) {
  const std::string integration = NewIntegration("isolation");
  ASSERT_FALSE(integration.empty());
  pb::Session s;
  grpc::Status started = StartCreate(stack(), "acme", integration, "iso@acme.example", &s);
  ASSERT_TRUE(started.ok()) << started.error_message();
  auto stub = stack().Punchout();

  pb::ListSuppliersRequest list;
  list.set_parent("tenants/acme");
  pb::ListSuppliersResponse suppliers;
  ASSERT_TRUE(stub->ListSuppliers(stack().Ctx("platform").get(), list, &suppliers).ok());
  pb::CheckoutCartRequest checkout;
  checkout.set_session(s.name());
  checkout.set_request_id("iso-1");
  pb::RequisitionDraft draft;

  for (const std::string header : {"", "Bearer not-a-token"}) {
    SCOPED_TRACE(header);
    EXPECT_EQ(
        stub->ListSuppliers(TestStack::CtxWithHeader(header).get(), list, &suppliers).error_code(),
        grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(
        stub->CheckoutCart(TestStack::CtxWithHeader(header).get(), checkout, &draft).error_code(),
        grpc::StatusCode::UNAUTHENTICATED);
  }
  EXPECT_EQ(
      stub->ListSuppliers(stack().Ctx("globex-platform").get(), list, &suppliers).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub->CheckoutCart(stack().Ctx("globex-platform").get(), checkout, &draft).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // The other tenant's own list does not show acme's integration.
  pb::ListSuppliersRequest globex;
  globex.set_parent("tenants/globex");
  pb::ListSuppliersResponse theirs;
  ASSERT_TRUE(stub->ListSuppliers(stack().Ctx("globex-platform").get(), globex, &theirs).ok());
  EXPECT_THAT(theirs.DebugString(), ::testing::Not(HasSubstr(integration)));
}

}  // namespace
}  // namespace iob::punchout::testing
