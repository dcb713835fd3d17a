// Issue 8 finding 14: egress DNS has a deadline. A DNS server that never
// answers (a local UDP socket that swallows queries, named through the
// resolver's server option) makes the lookup fail with DEADLINE_EXCEEDED
// instead of holding the caller; /etc/hosts names still resolve.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/http/egress_policy.h"

namespace iob::http {
namespace {

// A UDP socket on 127.0.0.1 that never answers; it only counts queries.
class SilentDnsServer {
 public:
  SilentDnsServer() {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    EXPECT_EQ(getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentDnsServer() { close(fd_); }

  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }

  // Number of datagrams waiting (queries received and never answered).
  int DrainQueries() {
    int n = 0;
    char buf[1500];
    while (recv(fd_, buf, sizeof(buf), MSG_DONTWAIT) > 0) ++n;
    return n;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(DnsResolverTest, Finding14_ResolverThatNeverAnswersIsDeadlineExceeded) {
  SilentDnsServer server;
  DnsResolver resolver(absl::Milliseconds(300), {server.address()});
  const absl::Time start = absl::Now();
  auto r = resolver.Resolve("supplier.example");
  const absl::Duration took = absl::Now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded) << r.status();
  EXPECT_NE(r.status().message().find("supplier.example"), std::string::npos) << r.status();
  // Bounded: getaddrinfo against a silent server would wait its own
  // (resolv.conf) timeouts; a generous bound, not a measurement.
  EXPECT_LT(took, absl::Seconds(30));
  // The query really went to the silent server.
  EXPECT_GE(server.DrainQueries(), 1);
}

TEST(DnsResolverTest, Finding14_EgressPolicyBoundsTheDnsLookup) {
  SilentDnsServer server;
  EgressPolicyOptions options;
  options.dns_timeout = absl::Milliseconds(300);
  options.dns_servers = {server.address()};
  EgressPolicy policy(options);
  auto t = policy.Vet("https://punchout.supplier.example/setup", {});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kDeadlineExceeded) << t.status();
  EXPECT_GE(server.DrainQueries(), 1);
}

TEST(DnsResolverTest, HostsFileNamesResolveWithoutAskingTheServer) {
  SilentDnsServer server;
  DnsResolver resolver(absl::Seconds(5), {server.address()});
  auto r = resolver.Resolve("localhost");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_FALSE(r->empty());
  EXPECT_EQ(ClassifyAddress(r->front()), AddressClass::kLoopback);
  EXPECT_EQ(server.DrainQueries(), 0);
}

TEST(DnsResolverTest, BadServerListIsUnavailable) {
  DnsResolver resolver(absl::Seconds(1), {"not an address"});
  auto r = resolver.Resolve("supplier.example");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
}

}  // namespace
}  // namespace iob::http
