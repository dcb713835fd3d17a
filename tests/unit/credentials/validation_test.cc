// The credential vault's input rules: endpoint URLs (scheme, supplier host
// allow-list, test-mode hosts, look-alikes), identities, shared secrets,
// resource names, and the supplier profiles that fill defaults.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/http/egress_policy.h"
#include "libs/runtime/resource_name.h"
#include "services/credentials/integration.h"
#include "services/credentials/supplier_profiles.h"

namespace iob::credentials {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const std::vector<std::string> kAmazonCom = {"amazon.com", "*.amazon.com"};

UrlPolicy TestHosts(std::vector<std::string> hosts) {
  UrlPolicy p;
  p.test_mode_hosts = std::move(hosts);
  return p;
}

absl::Status Url(const std::string& url, Mode mode = Mode::kProduction,
                 const std::vector<std::string>& hosts = kAmazonCom,
                 const UrlPolicy& policy = TestHosts({"127.0.0.1", "localhost:8080"})) {
  return ValidateEndpointUrl(url, "integration.punchout_url", mode, hosts, policy);
}

void ExpectRejected(const absl::Status& st, const std::string& needle) {
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(st.message()), StartsWith("integration.punchout_url: "));
  EXPECT_THAT(std::string(st.message()), HasSubstr(needle));
}

TEST(ValidateEndpointUrlTest, HttpsOnAllowedHostsPasses) {
  for (const char* url :
       {"https://amazon.com/punchout", "https://www.amazon.com/eprocurement/punchout",
        "https://abc.def.amazon.com:8443/x?y=z", "https://WWW.Amazon.COM/p",
        "https://www.amazon.com./trailing-dot"}) {
    EXPECT_TRUE(Url(url).ok()) << url << ": " << Url(url);
  }
}

TEST(ValidateEndpointUrlTest, HttpsRequiredInProduction) {
  ExpectRejected(Url("http://www.amazon.com/punchout"), "https is required in production");
  // Test-mode hosts do not open plain http in production.
  ExpectRejected(Url("http://127.0.0.1/punchout"), "https is required in production");
}

TEST(ValidateEndpointUrlTest, HttpOnlyForTestModeHostsInTestMode) {
  EXPECT_TRUE(Url("http://127.0.0.1/punchout", Mode::kTest).ok());
  EXPECT_TRUE(Url("http://127.0.0.1:9999/punchout", Mode::kTest).ok());  // host without port: any
  EXPECT_TRUE(Url("http://localhost:8080/p", Mode::kTest).ok());
  EXPECT_TRUE(Url("https://127.0.0.1/p", Mode::kTest).ok());  // outside the supplier's hosts too
  // host:port entries allow that port only.
  ExpectRejected(Url("http://localhost:8081/p", Mode::kTest), "https is required");
  ExpectRejected(Url("http://localhost/p", Mode::kTest), "https is required");
  // Other hosts still need https and the supplier's list in test mode.
  ExpectRejected(Url("http://www.amazon.com/p", Mode::kTest), "https is required");
  ExpectRejected(Url("http://127.0.0.2/p", Mode::kTest), "https is required");
  ExpectRejected(Url("https://evil.io/p", Mode::kTest), "not an allowed host");
  // No test-mode hosts configured: nothing is special.
  ExpectRejected(Url("http://127.0.0.1/p", Mode::kTest, kAmazonCom, UrlPolicy{}),
                 "https is required");
}

TEST(ValidateEndpointUrlTest, LookAlikeHostsRejected) {
  for (const char* url : {
           "https://amazon.com.evil.io/punchout",
           "https://www.amazon.com.evil.io/",
           "https://evilamazon.com/",
           "https://www.evilamazon.com/",
           "https://amazon.co/",
           "https://amazon.com-evil.io/",
           "https://evil.io/www.amazon.com",
           "https://evil.io/?next=https://www.amazon.com",
           "https://evil.io#.amazon.com",
           "https://amazon.co.uk/",
       }) {
    SCOPED_TRACE(url);
    const absl::Status st = Url(url);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(st.message()), StartsWith("integration.punchout_url: "));
  }
  ExpectRejected(Url("https://amazon.com.evil.io/punchout"),
                 "host 'amazon.com.evil.io' is not an allowed host for this supplier");
}

TEST(ValidateEndpointUrlTest, UserInfoRefused) {
  for (const char* url : {"https://user:pass@www.amazon.com/p", "https://www.amazon.com@evil.io/p",
                          "https://www.amazon.com:443@evil.io/", "https://user@www.amazon.com/"}) {
    SCOPED_TRACE(url);
    const absl::Status st = Url(url);
    ASSERT_FALSE(st.ok());
    EXPECT_THAT(std::string(st.message()), StartsWith("integration.punchout_url: "));
    EXPECT_THAT(std::string(st.message()), Not(HasSubstr("pass@")));
  }
  ExpectRejected(Url("https://user:pass@www.amazon.com/p"), "user information");
}

TEST(ValidateEndpointUrlTest, ControlCharactersAndSpacesRefused) {
  for (std::string url :
       {std::string("https://www.amazon.com/p\r\nX-Injected: 1"),
        std::string("https://www.amazon.com/p q"), std::string("https://www.amazon.com/\x7f"),
        std::string("https://www.amazon.com/\t"), std::string("https://www.amazon.com/p\0x", 25)}) {
    ExpectRejected(Url(url), "spaces or control characters");
  }
}

TEST(ValidateEndpointUrlTest, MalformedOrOtherSchemesRefused) {
  ExpectRejected(Url(""), "is required");
  ExpectRejected(Url("www.amazon.com/punchout"), "");
  ExpectRejected(Url("ftp://www.amazon.com/p"), "https URL");
  ExpectRejected(Url("javascript:alert(1)"), "");
  ExpectRejected(Url("file:///etc/passwd"), "");
  ExpectRejected(Url("https://"), "");
  ExpectRejected(Url("https://www.amazon.com/" + std::string(2100, 'a')), "longer than 2048");
}

TEST(ValidateEndpointUrlTest, EmptyHostListAllowsAnyHttpsHost) {
  EXPECT_TRUE(Url("https://cxml.supplier.example/po", Mode::kProduction, {}).ok());
  ExpectRejected(Url("http://cxml.supplier.example/po", Mode::kProduction, {}), "https");
}

// The supplier host lists are read by the egress policy's matcher.
bool HostMatches(const std::string& host, const std::string& pattern) {
  return http::HostMatches(pattern, host);
}

TEST(HostMatchesTest, WildcardsMatchSubdomainsOnly) {
  EXPECT_TRUE(HostMatches("www.amazon.com", "*.amazon.com"));
  EXPECT_TRUE(HostMatches("a.b.amazon.com", "*.amazon.com"));
  EXPECT_TRUE(HostMatches("WWW.AMAZON.COM", "*.amazon.com"));
  EXPECT_FALSE(HostMatches("amazon.com", "*.amazon.com"));
  EXPECT_FALSE(HostMatches("evilamazon.com", "*.amazon.com"));
  EXPECT_FALSE(HostMatches("amazon.com.evil.io", "*.amazon.com"));
  EXPECT_FALSE(HostMatches(".amazon.com", "*.amazon.com"));
  EXPECT_TRUE(HostMatches("amazon.com", "amazon.com"));
  EXPECT_TRUE(HostMatches("Amazon.Com", "amazon.com"));
  EXPECT_FALSE(HostMatches("www.amazon.com", "amazon.com"));
}

// A valid Amazon Business integration after profile defaults.
Integration ValidAmazon() {
  SupplierProfiles profiles;
  Integration in;
  in.tenant = "acme";
  in.id = "amazon";
  in.supplier = "amazon-business";
  in.from.identity = "acme-buyer-1";
  in.punchout_url = "https://www.amazon.com/eprocurement/punchout";
  in.order_url = "https://www.amazon.com/orders";
  in.mode = Mode::kProduction;
  ApplyProfileDefaults(**profiles.Find("amazon-business"), in);
  return in;
}

absl::Status Validate(const Integration& in) {
  SupplierProfiles profiles;
  return ValidateIntegration(in, **profiles.Find(in.supplier), UrlPolicy{});
}

TEST(ApplyProfileDefaultsTest, AmazonBusinessFillsDomainsAndSupplierIdentity) {
  Integration in = ValidAmazon();
  EXPECT_EQ(in.marketplace, "amazon.com");
  EXPECT_EQ(in.display_name, "Amazon Business");
  EXPECT_EQ(in.from, (Credential{"NetworkId", "acme-buyer-1"}));
  EXPECT_EQ(in.to, (Credential{"NetworkId", "Amazon"}));
  EXPECT_EQ(in.sender, in.from);
  EXPECT_TRUE(Validate(in).ok()) << Validate(in);
}

TEST(ApplyProfileDefaultsTest, KeepsWhatTheAdminEntered) {
  SupplierProfiles profiles;
  Integration in;
  in.marketplace = "amazon.co.uk";
  in.display_name = "Amazon UK";
  in.from = {"DUNS", "123"};
  in.to = {"DUNS", "456"};
  in.sender = {"NetworkId", "sender-1"};
  ApplyProfileDefaults(**profiles.Find("amazon-business"), in);
  EXPECT_EQ(in.marketplace, "amazon.co.uk");
  EXPECT_EQ(in.display_name, "Amazon UK");
  EXPECT_EQ(in.from, (Credential{"DUNS", "123"}));
  EXPECT_EQ(in.to, (Credential{"DUNS", "456"}));
  EXPECT_EQ(in.sender, (Credential{"NetworkId", "sender-1"}));
}

TEST(ApplyProfileDefaultsTest, GenericProfileLeavesDomainsToTheAdmin) {
  SupplierProfiles profiles;
  Integration in;
  in.from.identity = "me";
  ApplyProfileDefaults(**profiles.Find("generic-cxml"), in);
  EXPECT_EQ(in.marketplace, "other");
  EXPECT_EQ(in.from.domain, "");
  EXPECT_EQ(in.to.identity, "");
  EXPECT_EQ(in.sender.identity, "me");
}

TEST(ValidateIntegrationTest, IdentitiesBoundedAndClean) {
  struct Case {
    std::string identity;
    const char* why;
  };
  for (const Case& c : std::vector<Case>{{"", "is required"},
                                         {std::string(257, 'a'), "longer than 256"},
                                         {"acme\nbuyer", "control characters"},
                                         {"acme\x01", "control characters"},
                                         {"acme\x7f", "control characters"},
                                         {" acme", "leading or trailing spaces"},
                                         {"acme ", "leading or trailing spaces"}}) {
    SCOPED_TRACE(c.identity);
    Integration in = ValidAmazon();
    in.from.identity = c.identity;
    in.sender = in.from;
    const absl::Status st = Validate(in);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(st.message()), StartsWith("integration.from.identity: "));
    EXPECT_THAT(std::string(st.message()), HasSubstr(c.why));
  }
  Integration in = ValidAmazon();
  in.from.identity = std::string(256, 'a');
  in.sender = in.from;
  EXPECT_TRUE(Validate(in).ok());
  in.to.identity = "Ama\tzon";
  EXPECT_THAT(std::string(Validate(in).message()), StartsWith("integration.to.identity: "));
  in = ValidAmazon();
  in.sender.domain = "Network\nId";
  EXPECT_THAT(std::string(Validate(in).message()), StartsWith("integration.sender.domain: "));
  in = ValidAmazon();
  in.from.domain = std::string(65, 'N');
  EXPECT_THAT(std::string(Validate(in).message()), StartsWith("integration.from.domain: "));
}

TEST(ValidateIntegrationTest, OtherFieldsNamed) {
  Integration in = ValidAmazon();
  in.marketplace = "amazon.nowhere";
  EXPECT_THAT(std::string(Validate(in).message()), StartsWith("integration.marketplace: "));
  in = ValidAmazon();
  in.order_url = "https://orders.evil.io/";
  EXPECT_THAT(std::string(Validate(in).message()), StartsWith("integration.order_url: "));
  in = ValidAmazon();
  in.payment_method = static_cast<PaymentMethod>(7);  // no such method
  EXPECT_THAT(std::string(Validate(in).message()), StartsWith("integration.payment_method: "));
  in = ValidAmazon();
  in.state = static_cast<IntegrationState>(7);  // no such state
  EXPECT_THAT(std::string(Validate(in).message()), StartsWith("integration.state: "));
  in = ValidAmazon();
  in.display_name = std::string(201, 'x');
  EXPECT_THAT(std::string(Validate(in).message()), StartsWith("integration.display_name: "));
  in = ValidAmazon();
  in.user_business_unit = "unit\r\n";
  EXPECT_THAT(std::string(Validate(in).message()), StartsWith("integration.user_business_unit: "));
  in = ValidAmazon();
  in.marketplace = "amazon.co.uk";  // URLs on amazon.com are not UK hosts
  EXPECT_THAT(std::string(Validate(in).message()), StartsWith("integration.punchout_url: "));
}

TEST(ValidateSharedSecretTest, BoundsAndPrintable) {
  EXPECT_TRUE(ValidateSharedSecret("12345678", "f").ok());
  EXPECT_TRUE(ValidateSharedSecret(std::string(512, 'x'), "f").ok());
  EXPECT_TRUE(ValidateSharedSecret("with space ~!", "f").ok());
  struct Case {
    std::string secret;
    const char* why;
  };
  for (const Case& c : std::vector<Case>{{"", "is required"},
                                         {"1234567", "8 to 512"},
                                         {std::string(513, 'x'), "8 to 512"},
                                         {"abcdefgh\n", "printable ASCII"},
                                         {"abcdefgh\x7f", "printable ASCII"},
                                         {"abcdefgh\xc3\xa9", "printable ASCII"},
                                         {std::string("abcd\0efgh", 9), "printable ASCII"}}) {
    const absl::Status st = ValidateSharedSecret(c.secret, "integration.shared_secret");
    ASSERT_FALSE(st.ok()) << c.secret;
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(st.message()), StartsWith("integration.shared_secret: "));
    EXPECT_THAT(std::string(st.message()), HasSubstr(c.why));
    if (c.secret.size() > 3) {
      EXPECT_THAT(std::string(st.message()), Not(HasSubstr(c.secret.substr(0, 4))));
    }
  }
}

// Credentials' resource names through the suite's one parser, in the call
// shape these tests were written for.
absl::Status ParseIntegrationName(absl::string_view name, absl::string_view field,
                                  std::string* tenant, std::string* id) {
  auto parsed = runtime::ParseName(runtime::kIntegrationPattern, name, field);
  if (!parsed.ok()) return parsed.status();
  *tenant = parsed->tenant;
  *id = parsed->id;
  return absl::OkStatus();
}

absl::Status ParseTenantName(absl::string_view name, absl::string_view field, std::string* tenant) {
  auto parsed = runtime::ParseName(runtime::kTenantPattern, name, field);
  if (!parsed.ok()) return parsed.status();
  *tenant = parsed->tenant;
  return absl::OkStatus();
}

TEST(ParseIntegrationNameTest, AcceptsOnlyTheResourceForm) {
  std::string tenant, id;
  ASSERT_TRUE(
      ParseIntegrationName("tenants/acme/integrations/amazon-1", "name", &tenant, &id).ok());
  EXPECT_EQ(tenant, "acme");
  EXPECT_EQ(id, "amazon-1");
  for (const char* bad :
       {"", "tenants/acme", "tenants/acme/integrations", "tenants/acme/integrations/",
        "tenants//integrations/x", "tenants/acme/integrations/x/y", "tenant/acme/integrations/x",
        "tenants/acme/integration/x", "tenants/Acme/integrations/x", "tenants/acme/integrations/X",
        "tenants/acme/integrations/x-", "tenants/acme/integrations/1x",
        "tenants/acme/integrations/a_b", "/tenants/acme/integrations/x",
        "tenants/acme/integrations/x/", "tenants/../integrations/x",
        "tenants/acme/integrations/%61"}) {
    const absl::Status st = ParseIntegrationName(bad, "integration.name", &tenant, &id);
    ASSERT_FALSE(st.ok()) << bad;
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(st.message()), StartsWith("integration.name: "));
  }
  const std::string long_id(64, 'a');
  EXPECT_FALSE(
      ParseIntegrationName("tenants/acme/integrations/" + long_id, "n", &tenant, &id).ok());
  EXPECT_TRUE(
      ParseIntegrationName("tenants/acme/integrations/" + long_id.substr(1), "n", &tenant, &id)
          .ok());
}

TEST(ParseTenantNameTest, AcceptsOnlyTenants) {
  std::string tenant;
  ASSERT_TRUE(ParseTenantName("tenants/globex", "parent", &tenant).ok());
  EXPECT_EQ(tenant, "globex");
  for (const char* bad : {"", "tenants", "tenants/", "tenants/*", "tenants/acme/x", "acme"}) {
    EXPECT_THAT(std::string(ParseTenantName(bad, "parent", &tenant).message()),
                StartsWith("parent: "))
        << bad;
  }
}

TEST(SupplierProfilesTest, FindKnownAndUnknown) {
  SupplierProfiles profiles;
  ASSERT_TRUE(profiles.Find("amazon-business").ok());
  EXPECT_EQ((*profiles.Find("amazon-business"))->to_identity, "Amazon");
  auto unknown = profiles.Find("ebay");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(unknown.status().message()), StartsWith("integration.supplier: "));
  EXPECT_THAT(std::string(unknown.status().message()), HasSubstr("amazon-business"));
}

TEST(SupplierProfilesTest, OverrideHostsReplacesEveryMarketplace) {
  SupplierProfiles profiles;
  ASSERT_TRUE(profiles.OverrideHosts("amazon-business=sim.test, *.sim.test").ok());
  const SupplierProfile* amazon = *profiles.Find("amazon-business");
  for (const char* m : {"amazon.com", "amazon.co.uk", "other"}) {
    auto hosts = amazon->AllowedHosts(m);
    ASSERT_TRUE(hosts.ok());
    EXPECT_THAT(*hosts, ElementsAre("sim.test", "*.sim.test")) << m;
  }
  auto hosts = *amazon->AllowedHosts("amazon.com");
  EXPECT_TRUE(Url("https://a.sim.test/p", Mode::kProduction, hosts).ok());
  EXPECT_FALSE(Url("https://www.amazon.com/p", Mode::kProduction, hosts).ok());
  EXPECT_FALSE(Url("https://sim.test.evil.io/p", Mode::kProduction, hosts).ok());
}

TEST(SupplierProfilesTest, OverrideHostsRejectsBadSpecs) {
  SupplierProfiles profiles;
  for (const char* bad : {"", "amazon-business", "amazon-business=", "ebay=x.test", "=x.test"}) {
    const absl::Status st = profiles.OverrideHosts(bad);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  auto hosts = *(*profiles.Find("amazon-business"))->AllowedHosts("amazon.com");
  EXPECT_THAT(hosts, ElementsAre("amazon.com", "*.amazon.com"));
}

}  // namespace
}  // namespace iob::credentials
