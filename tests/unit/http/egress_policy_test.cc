// Unit tests for libs/http/egress_policy: address classification, numeric
// host spellings, URL parsing, wildcard host matching, CIDRs and the Vet()
// decision with an injected resolver. No network.
#include "libs/http/egress_policy.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iob::http {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

EgressPolicyOptions Opts(std::vector<std::string> plain_http_hosts,
                         std::vector<std::string> private_allow = {}) {
  EgressPolicyOptions o;
  o.plain_http_hosts = std::move(plain_http_hosts);
  o.private_allow = std::move(private_allow);
  return o;
}

IpAddress Ip(const std::string& text) {
  auto ip = ParseIpLiteral(text);
  EXPECT_TRUE(ip.has_value()) << text;
  return ip.value_or(IpAddress{});
}

// Resolves from a fixed table and counts calls; unknown names fail.
class FakeResolver : public Resolver {
 public:
  explicit FakeResolver(std::map<std::string, std::vector<std::string>> table)
      : table_(std::move(table)) {}
  absl::StatusOr<std::vector<IpAddress>> Resolve(std::string_view host) const override {
    absl::MutexLock lock(&mu_);
    ++calls_;
    auto it = table_.find(std::string(host));
    if (it == table_.end()) return absl::UnavailableError("no such host");
    std::vector<IpAddress> out;
    for (const auto& t : it->second) out.push_back(*ParseIpLiteral(t));
    return out;
  }
  int calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  std::map<std::string, std::vector<std::string>> table_;
  mutable absl::Mutex mu_;
  mutable int calls_ = 0;
};

// ---------------------------------------------------------------------------
// Address classification

struct ClassCase {
  const char* address;
  AddressClass expected;
};

class ClassifyTest : public ::testing::TestWithParam<ClassCase> {};

TEST_P(ClassifyTest, Classifies) {
  const ClassCase& c = GetParam();
  auto ip = ParseIpLiteral(c.address);
  ASSERT_TRUE(ip.has_value()) << c.address;
  EXPECT_EQ(ClassifyAddress(*ip), c.expected)
      << c.address << " classified as " << AddressClassName(ClassifyAddress(*ip));
}

INSTANTIATE_TEST_SUITE_P(V4, ClassifyTest,
                         ::testing::Values(ClassCase{"127.0.0.1", AddressClass::kLoopback},
                                           ClassCase{"127.255.255.254", AddressClass::kLoopback},
                                           ClassCase{"0.0.0.0", AddressClass::kUnspecified},
                                           ClassCase{"0.1.2.3", AddressClass::kUnspecified},
                                           ClassCase{"10.0.0.1", AddressClass::kPrivate},
                                           ClassCase{"10.255.255.255", AddressClass::kPrivate},
                                           ClassCase{"172.16.0.1", AddressClass::kPrivate},
                                           ClassCase{"172.31.255.255", AddressClass::kPrivate},
                                           ClassCase{"172.15.255.255", AddressClass::kPublic},
                                           ClassCase{"172.32.0.0", AddressClass::kPublic},
                                           ClassCase{"192.168.1.1", AddressClass::kPrivate},
                                           ClassCase{"192.169.0.1", AddressClass::kPublic},
                                           ClassCase{"100.64.0.1", AddressClass::kShared},
                                           ClassCase{"100.127.255.255", AddressClass::kShared},
                                           ClassCase{"100.63.255.255", AddressClass::kPublic},
                                           ClassCase{"100.128.0.0", AddressClass::kPublic},
                                           ClassCase{"169.254.0.1", AddressClass::kLinkLocal},
                                           ClassCase{"169.254.169.254", AddressClass::kMetadata},
                                           ClassCase{"100.100.100.200", AddressClass::kMetadata},
                                           ClassCase{"224.0.0.1", AddressClass::kMulticast},
                                           ClassCase{"239.255.255.255", AddressClass::kMulticast},
                                           ClassCase{"255.255.255.255", AddressClass::kBroadcast},
                                           ClassCase{"240.0.0.1", AddressClass::kReserved},
                                           ClassCase{"192.0.0.8", AddressClass::kReserved},
                                           ClassCase{"192.0.2.1", AddressClass::kReserved},
                                           ClassCase{"198.51.100.7", AddressClass::kReserved},
                                           ClassCase{"203.0.113.9", AddressClass::kReserved},
                                           ClassCase{"198.18.0.1", AddressClass::kReserved},
                                           ClassCase{"198.19.255.255", AddressClass::kReserved},
                                           ClassCase{"198.20.0.0", AddressClass::kPublic},
                                           ClassCase{"8.8.8.8", AddressClass::kPublic},
                                           ClassCase{"1.1.1.1", AddressClass::kPublic},
                                           ClassCase{"52.94.236.248", AddressClass::kPublic}));

INSTANTIATE_TEST_SUITE_P(
    V6, ClassifyTest,
    ::testing::Values(ClassCase{"::1", AddressClass::kLoopback},
                      ClassCase{"::", AddressClass::kUnspecified},
                      ClassCase{"fc00::1", AddressClass::kPrivate},
                      ClassCase{"fd12:3456::1", AddressClass::kPrivate},
                      ClassCase{"fe80::1", AddressClass::kLinkLocal},
                      ClassCase{"febf:ffff::1", AddressClass::kLinkLocal},
                      ClassCase{"fec0::1", AddressClass::kPrivate},
                      ClassCase{"ff02::1", AddressClass::kMulticast},
                      ClassCase{"::ffff:127.0.0.1", AddressClass::kLoopback},
                      ClassCase{"::ffff:7f00:1", AddressClass::kLoopback},
                      ClassCase{"::ffff:169.254.169.254", AddressClass::kMetadata},
                      ClassCase{"::ffff:10.0.0.1", AddressClass::kPrivate},
                      ClassCase{"::ffff:0.0.0.0", AddressClass::kUnspecified},
                      ClassCase{"::ffff:8.8.8.8", AddressClass::kPublic},
                      ClassCase{"::127.0.0.1", AddressClass::kLoopback},
                      ClassCase{"::2", AddressClass::kUnspecified},
                      ClassCase{"64:ff9b::a9fe:a9fe", AddressClass::kMetadata},
                      ClassCase{"64:ff9b::808:808", AddressClass::kPublic},
                      ClassCase{"2002:7f00:1::", AddressClass::kLoopback},
                      ClassCase{"2002:c0a8:101::1", AddressClass::kPrivate},
                      ClassCase{"fd00:ec2::254", AddressClass::kMetadata},
                      ClassCase{"2001:db8::1", AddressClass::kReserved},
                      ClassCase{"2001::1", AddressClass::kReserved},
                      ClassCase{"100::1", AddressClass::kReserved},
                      ClassCase{"2001:1ff::1", AddressClass::kReserved},
                      ClassCase{"2001:200::1", AddressClass::kPublic},
                      ClassCase{"4000::1", AddressClass::kReserved},
                      ClassCase{"2606:4700:4700::1111", AddressClass::kPublic},
                      ClassCase{"2a00:1450:4001::200e", AddressClass::kPublic}));

TEST(AddressClass, OnlyNonRoutableClassesAreNeverAllowListable) {
  EXPECT_TRUE(IsAllowListable(AddressClass::kLoopback));
  EXPECT_TRUE(IsAllowListable(AddressClass::kPrivate));
  EXPECT_TRUE(IsAllowListable(AddressClass::kShared));
  EXPECT_TRUE(IsAllowListable(AddressClass::kLinkLocal));
  EXPECT_FALSE(IsAllowListable(AddressClass::kMetadata));
  EXPECT_FALSE(IsAllowListable(AddressClass::kUnspecified));
  EXPECT_FALSE(IsAllowListable(AddressClass::kBroadcast));
  EXPECT_FALSE(IsAllowListable(AddressClass::kMulticast));
}

// ---------------------------------------------------------------------------
// Numeric host spellings

TEST(ParseIpLiteral, NumericIpv4SpellingsAllMeanLoopback) {
  for (const char* text : {"127.0.0.1", "0x7f000001", "0X7F000001", "2130706433", "0177.0.0.1",
                           "127.1", "127.0.1", "0x7f.1", "017700000001", "0x7f.0.0.0x1"}) {
    auto ip = ParseIpLiteral(text);
    ASSERT_TRUE(ip.has_value()) << text;
    EXPECT_EQ(ip->ToString(), "127.0.0.1") << text;
    EXPECT_EQ(ClassifyAddress(*ip), AddressClass::kLoopback) << text;
  }
}

TEST(ParseIpLiteral, Ipv6FormsWithAndWithoutBrackets) {
  EXPECT_EQ(Ip("[::1]").ToString(), "::1");
  EXPECT_EQ(Ip("0:0:0:0:0:0:0:1").ToString(), "::1");
  EXPECT_EQ(Ip("::ffff:127.0.0.1").family, IpAddress::Family::kV6);
}

TEST(ParseIpLiteral, RejectsNamesAndJunk) {
  for (const char* text :
       {"", "localhost", "example.com", "1.2.3.4.5", "256.1.1.1", "127.0.0.1 x", "127.0.0.1/8",
        "0x", "fe80::1%eth0", "[::1", "::ffff:127.0.0.1.1", "1.2.3.4:80"}) {
    EXPECT_FALSE(ParseIpLiteral(text).has_value()) << text;
  }
}

// ---------------------------------------------------------------------------
// URL parsing

TEST(ParseUrl, SplitsAndNormalises) {
  auto u = ParseUrl("HTTPS://Example.COM/a/b?c=d#frag");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "example.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->path, "/a/b?c=d");
  EXPECT_FALSE(u->has_userinfo);
  EXPECT_FALSE(u->host_is_ip_literal);
}

TEST(ParseUrl, DefaultsAndPorts) {
  EXPECT_EQ(ParseUrl("https://example.com")->path, "/");
  EXPECT_EQ(ParseUrl("https://example.com?x=1")->path, "/?x=1");
  EXPECT_EQ(ParseUrl("http://example.com")->port, 80);
  EXPECT_EQ(ParseUrl("http://example.com:8080/p")->port, 8080);
  EXPECT_EQ(ParseUrl("https://example.com:/p")->port, 443);
  EXPECT_EQ(ParseUrl("https://example.com./x")->host, "example.com");
}

TEST(ParseUrl, IpLiteralsAreCanonical) {
  auto v6 = ParseUrl("https://[::1]:8443/x");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 8443);
  EXPECT_TRUE(v6->host_is_ip_literal);

  auto hex = ParseUrl("https://0x7f000001:99/");
  ASSERT_TRUE(hex.ok());
  EXPECT_EQ(hex->host, "127.0.0.1");
  EXPECT_TRUE(hex->host_is_ip_literal);
  EXPECT_EQ(ParseUrl("https://127.1/")->host, "127.0.0.1");
  EXPECT_EQ(ParseUrl("https://2130706433/")->host, "127.0.0.1");
}

TEST(ParseUrl, UserinfoIsDetectedAndStripped) {
  auto u = ParseUrl("https://user:pw@example.com/x");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->has_userinfo);
  EXPECT_EQ(u->host, "example.com");
  auto two = ParseUrl("https://a@b@evil.example/");
  ASSERT_TRUE(two.ok());
  EXPECT_TRUE(two->has_userinfo);
  EXPECT_EQ(two->host, "evil.example");
  // '@' after the authority is part of the path, not userinfo.
  auto path_at = ParseUrl("https://example.com/a@b");
  ASSERT_TRUE(path_at.ok());
  EXPECT_FALSE(path_at->has_userinfo);
  EXPECT_EQ(path_at->host, "example.com");
}

TEST(ParseUrl, RejectsMalformed) {
  for (const char* url : {"https://",
                          "https:///x",
                          "example.com",
                          "//example.com/",
                          "https://exa mple.com/",
                          "https://example.com:0/",
                          "https://example.com:65536/",
                          "https://example.com:-1/",
                          "https://example.com:8o/",
                          "https://ex%61mple.com/",
                          "https://[::1/",
                          "https://[zz::1]/",
                          "https://[::1]x/",
                          "https://1.2.3.4.5/",
                          "https://999.1.1.1/",
                          "https://a..b/",
                          "https://example.com\\@evil.com/",
                          "https://example.com\t/",
                          "https://::1/",
                          "https://exa\nmple.com/",
                          "https://ex*ample.com/"}) {
    auto u = ParseUrl(url);
    EXPECT_FALSE(u.ok()) << url << " parsed as host " << u->host;
    if (!u.ok()) {
      EXPECT_EQ(u.status().code(), absl::StatusCode::kInvalidArgument) << url;
    }
  }
}

// ---------------------------------------------------------------------------
// Wildcard host matching

TEST(HostMatches, Wildcards) {
  EXPECT_TRUE(HostMatches("*.amazon.com", "abintegrations.amazon.com"));
  EXPECT_TRUE(HostMatches("*.amazon.com", "a.b.amazon.com"));
  EXPECT_TRUE(HostMatches("*.amazon.com", "ABIntegrations.Amazon.COM"));
  EXPECT_TRUE(HostMatches("*.Amazon.com", "abintegrations.amazon.com."));
  EXPECT_FALSE(HostMatches("*.amazon.com", "amazon.com"));
  EXPECT_FALSE(HostMatches("*.amazon.com", "amazon.com.evil.io"));
  EXPECT_FALSE(HostMatches("*.amazon.com", "evilamazon.com"));
  EXPECT_FALSE(HostMatches("*.amazon.com", ".amazon.com.evil"));
  EXPECT_FALSE(HostMatches("*.amazon.com", "amazon.co"));
}

TEST(HostMatches, ExactEntries) {
  EXPECT_TRUE(HostMatches("abintegrations.amazon.com", "abintegrations.amazon.com"));
  EXPECT_FALSE(HostMatches("abintegrations.amazon.com", "x.abintegrations.amazon.com"));
  EXPECT_FALSE(HostMatches("amazon.com", "evilamazon.com"));
  EXPECT_TRUE(HostMatches("127.0.0.1", "0x7f000001"));
  EXPECT_FALSE(HostMatches("", "amazon.com"));
  EXPECT_FALSE(HostMatches("*", "amazon.com"));
}

// ---------------------------------------------------------------------------
// CIDRs

TEST(Cidr, ParseAndContains) {
  auto ten = Cidr::Parse("10.0.0.0/8");
  ASSERT_TRUE(ten.has_value());
  EXPECT_TRUE(ten->Contains(Ip("10.1.2.3")));
  EXPECT_FALSE(ten->Contains(Ip("11.0.0.1")));
  EXPECT_FALSE(ten->Contains(Ip("::ffff:10.0.0.1")));  // families differ

  auto rfc1918 = Cidr::Parse("172.16.0.0/12");
  ASSERT_TRUE(rfc1918.has_value());
  EXPECT_TRUE(rfc1918->Contains(Ip("172.31.255.255")));
  EXPECT_FALSE(rfc1918->Contains(Ip("172.32.0.0")));

  auto bare = Cidr::Parse("127.0.0.1");
  ASSERT_TRUE(bare.has_value());
  EXPECT_EQ(bare->prefix_len, 32);
  EXPECT_TRUE(bare->Contains(Ip("127.0.0.1")));
  EXPECT_FALSE(bare->Contains(Ip("127.0.0.2")));

  auto v6 = Cidr::Parse("fd00::/8");
  ASSERT_TRUE(v6.has_value());
  EXPECT_TRUE(v6->Contains(Ip("fd12::1")));
  EXPECT_FALSE(v6->Contains(Ip("fe80::1")));

  for (const char* bad : {"10.0.0.0/33", "abc", "10.0.0.0/", "::/129", "127.1/32", "1.2.3.4/x"}) {
    EXPECT_FALSE(Cidr::Parse(bad).has_value()) << bad;
  }
}

// ---------------------------------------------------------------------------
// Vet

class VetTest : public ::testing::Test {
 protected:
  // Builds a policy whose resolver knows a few names; keeps a pointer to it.
  EgressPolicy Make(EgressPolicyOptions options = {}) {
    auto resolver = std::make_unique<FakeResolver>(std::map<std::string, std::vector<std::string>>{
        {"supplier.example", {"52.94.236.248"}},
        {"abintegrations.amazon.com", {"52.94.236.248", "2600:9000::1"}},
        {"rebind.example", {"127.0.0.1"}},
        {"mixed.example", {"52.94.236.248", "127.0.0.1"}},
        {"internal.example", {"10.0.0.5"}},
        {"a.corp.example", {"10.0.0.6"}},
        {"localhost", {"127.0.0.1", "::1"}},
        {"metadata.example", {"169.254.169.254"}},
    });
    resolver_ = resolver.get();
    return EgressPolicy(std::move(options), std::move(resolver));
  }

  static void ExpectDenied(const absl::StatusOr<VettedTarget>& r, const std::string& text) {
    ASSERT_FALSE(r.ok()) << "expected a refusal containing: " << text;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied) << r.status();
    EXPECT_THAT(std::string(r.status().message()), StartsWith("egress policy: "));
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(text));
  }

  FakeResolver* resolver_ = nullptr;
};

TEST_F(VetTest, PublicHttpsHostIsVettedAndPinned) {
  EgressPolicy policy = Make();
  auto t = policy.Vet("https://supplier.example/cxml/po?x=1", {});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->scheme, "https");
  EXPECT_EQ(t->host, "supplier.example");
  EXPECT_EQ(t->port, 443);
  EXPECT_EQ(t->path, "/cxml/po?x=1");
  EXPECT_EQ(t->ip.ToString(), "52.94.236.248");
  EXPECT_EQ(t->Url(), "https://supplier.example:443/cxml/po?x=1");
}

TEST_F(VetTest, SchemesOtherThanHttpsAreRefusedWithoutResolving) {
  EgressPolicy policy = Make(Opts({"127.0.0.1"}));
  auto gopher = policy.Vet("gopher://127.0.0.1:70/", {});
  ExpectDenied(gopher, "scheme 'gopher' not allowed (https only)");
  EXPECT_EQ(gopher.status().message(), "egress policy: scheme 'gopher' not allowed (https only)");
  ExpectDenied(policy.Vet("file:///etc/passwd", {}), "scheme 'file' not allowed");
  ExpectDenied(policy.Vet("FTP://supplier.example/", {}), "scheme 'ftp' not allowed");
  ExpectDenied(policy.Vet("javascript:alert(1)", {}), "scheme 'javascript' not allowed");
  EXPECT_EQ(resolver_->calls(), 0);
}

TEST_F(VetTest, PlainHttpOnlyForListedHosts) {
  EgressPolicy policy = Make(Opts({"127.0.0.1:8200", "localhost"}));
  ExpectDenied(policy.Vet("http://supplier.example/", {}), "scheme 'http' not allowed");
  EXPECT_TRUE(policy.Vet("http://127.0.0.1:8200/", {}).ok());
  ExpectDenied(policy.Vet("http://127.0.0.1:8201/", {}), "scheme 'http' not allowed");
  auto lh = policy.Vet("http://localhost:9999/x", {});
  ASSERT_TRUE(lh.ok()) << lh.status();
  EXPECT_EQ(lh->ip.ToString(), "127.0.0.1");
  // A plain-http host may also be reached over https.
  EXPECT_TRUE(policy.Vet("https://localhost:9999/x", {}).ok());
}

TEST_F(VetTest, UserinfoRefusedWithoutEchoingIt) {
  EgressPolicy policy = Make();
  auto r = policy.Vet("https://buyer:s3cr3t@supplier.example/", {});
  ExpectDenied(r, "userinfo");
  EXPECT_THAT(std::string(r.status().message()), ::testing::Not(HasSubstr("s3cr3t")));
}

TEST_F(VetTest, SupplierAllowList) {
  EgressPolicy policy = Make();
  const std::vector<std::string> allowed = {"*.amazon.com"};
  auto ok = policy.Vet("https://abintegrations.amazon.com/punchout", allowed);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->ip.ToString(), "52.94.236.248");
  int calls = resolver_->calls();
  auto evil = policy.Vet("https://amazon.com.evil.io/", allowed);
  ExpectDenied(evil, "host 'amazon.com.evil.io' is not in the supplier's allowed hosts");
  ExpectDenied(policy.Vet("https://evilamazon.com/", allowed), "not in the supplier's allowed");
  ExpectDenied(policy.Vet("https://amazon.com/", allowed), "not in the supplier's allowed");
  EXPECT_EQ(resolver_->calls(), calls);  // refused before any DNS lookup
}

TEST_F(VetTest, LoopbackInEverySpellingIsRefused) {
  EgressPolicy policy = Make();
  for (const char* url :
       {"https://127.0.0.1/", "https://0x7f000001/", "https://2130706433/", "https://0177.0.0.1/",
        "https://127.1/", "https://[::1]/", "https://[::ffff:127.0.0.1]/",
        "https://[::ffff:7f00:1]/", "https://localhost/", "https://LOCALHOST./"}) {
    SCOPED_TRACE(url);
    ExpectDenied(policy.Vet(url, {}), "loopback address");
  }
  ExpectDenied(policy.Vet("https://0x7f000001/", {}),
               "host '127.0.0.1' resolves to loopback address 127.0.0.1");
}

TEST_F(VetTest, MetadataIsNeverAllowed) {
  EgressPolicy policy = Make(Opts({"169.254.169.254", "metadata.example"}, {"169.254.0.0/16"}));
  auto r = policy.Vet("https://169.254.169.254/latest/meta-data/", {});
  ExpectDenied(r, "host '169.254.169.254' resolves to link-local/metadata address 169.254.169.254");
  ExpectDenied(policy.Vet("http://metadata.example/", {}), "link-local/metadata");
  ExpectDenied(policy.Vet("https://[fd00:ec2::254]/", {}), "link-local/metadata");
  ExpectDenied(policy.Vet("https://[::ffff:169.254.169.254]/", {}), "link-local/metadata");
}

TEST_F(VetTest, OtherNeverAllowedClasses) {
  EgressPolicy policy = Make(Opts({}, {"0.0.0.0/0"}));
  ExpectDenied(policy.Vet("https://0.0.0.0/", {}), "unspecified address 0.0.0.0");
  ExpectDenied(policy.Vet("https://0/", {}), "unspecified address 0.0.0.0");
  ExpectDenied(policy.Vet("https://255.255.255.255/", {}), "broadcast");
  ExpectDenied(policy.Vet("https://224.0.0.1/", {}), "multicast");
  ExpectDenied(policy.Vet("https://[::]/", {}), "unspecified");
}

TEST_F(VetTest, NameResolvingToLoopbackIsRefused) {
  EgressPolicy policy = Make();
  ExpectDenied(policy.Vet("https://rebind.example/", {}),
               "host 'rebind.example' resolves to loopback address 127.0.0.1 (not allow-listed)");
  // One bad address among good ones is enough to refuse.
  ExpectDenied(policy.Vet("https://mixed.example/", {}), "loopback address 127.0.0.1");
}

TEST_F(VetTest, PrivateAllowByCidrOrHost) {
  ExpectDenied(Make().Vet("https://internal.example/", {}), "private address 10.0.0.5");
  ExpectDenied(Make().Vet("https://100.64.1.1/", {}), "shared (CGNAT) address");
  ExpectDenied(Make().Vet("https://[fe80::1]/", {}), "link-local address fe80::1");
  ExpectDenied(Make().Vet("https://[fd12::1]/", {}), "private address fd12::1");

  auto by_cidr = Make(Opts({}, {"10.0.0.0/8"})).Vet("https://internal.example/", {});
  ASSERT_TRUE(by_cidr.ok()) << by_cidr.status();
  EXPECT_EQ(by_cidr->ip.ToString(), "10.0.0.5");

  EgressPolicy by_host = Make(Opts({}, {"*.corp.example"}));
  EXPECT_TRUE(by_host.Vet("https://a.corp.example/", {}).ok());
  ExpectDenied(by_host.Vet("https://internal.example/", {}), "private address");
  // private_allow does not unlock plain http.
  ExpectDenied(by_host.Vet("http://a.corp.example/", {}), "scheme 'http' not allowed");

  auto v6 = Make(Opts({}, {"::1"})).Vet("https://[::1]:8443/p", {});
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->Url(), "https://[::1]:8443/p");
}

TEST_F(VetTest, ResolverFailureIsUnavailable) {
  auto r = Make().Vet("https://unknown.example/", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(VetTest, MalformedUrlIsInvalidArgument) {
  auto r = Make().Vet("https://exa mple.com/", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), StartsWith("egress policy: "));
  EXPECT_EQ(Make().Vet("no-scheme", {}).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace iob::http
