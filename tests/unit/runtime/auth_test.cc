// Bearer-token authentication: tokens-file parsing, Authenticate, and the
// scope and tenant checks of a Principal.
#include "libs/runtime/auth.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/crypto/key_ring.h"

namespace iob::runtime {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string File(const std::string& entries) {
  return absl::StrCat("{\"tokens\":[", entries, "]}");
}

std::string Entry(const std::string& principal, const std::string& hash,
                  const std::string& extra = "") {
  return absl::StrCat("{\"principal\":\"", principal, "\",\"sha256\":\"", hash, "\"", extra, "}");
}

void ExpectInvalid(const std::string& json, const std::string& needle) {
  auto auth = Authenticator::Parse(json);
  ASSERT_FALSE(auth.ok()) << json;
  EXPECT_EQ(auth.status().code(), absl::StatusCode::kInvalidArgument) << json;
  EXPECT_THAT(std::string(auth.status().message()), HasSubstr(needle)) << json;
}

TEST(AuthParseTest, RejectsMalformedFiles) {
  const std::string good = crypto::Sha256Hex("t1");
  ExpectInvalid("", "expected");
  ExpectInvalid("not json", "expected");
  ExpectInvalid("[]", "expected");
  ExpectInvalid("{}", "expected");
  ExpectInvalid("{\"tokens\": {}}", "expected");
  ExpectInvalid(File("42"), "entry 0: not an object");
  ExpectInvalid(File(Entry("", good)), "entry 0: principal is empty");
  ExpectInvalid(File(Entry("a", "abc")), "entry 0: sha256 must be 64 hex digits");
  ExpectInvalid(File(Entry("a", std::string(64, 'g'))), "sha256 must be 64 hex digits");
  ExpectInvalid(File(Entry("a", good + "0")), "sha256 must be 64 hex digits");
  ExpectInvalid(File(Entry("a", good, ",\"scopes\":\"integrations.read\"")), "entry 0: scopes");
  ExpectInvalid(File(Entry("a", good, ",\"scopes\":[1]")), "entry 0: scopes");
  ExpectInvalid(File(Entry("a", good, ",\"tenants\":{}")), "entry 0: tenants");
  ExpectInvalid(File(Entry("a", good) + "," + Entry("b", good)), "entry 1: duplicate token hash");
}

TEST(AuthParseTest, ErrorsNeverEchoTheHash) {
  const std::string hash = crypto::Sha256Hex("t1");
  auto auth = Authenticator::Parse(File(Entry("a", hash) + "," + Entry("b", hash)));
  ASSERT_FALSE(auth.ok());
  EXPECT_THAT(std::string(auth.status().message()), Not(HasSubstr(hash.substr(0, 16))));
}

TEST(AuthParseTest, UpperCaseHashAccepted) {
  std::string hash = crypto::Sha256Hex("tok");
  for (char& c : hash) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto auth = Authenticator::Parse(File(Entry("a", hash)));
  ASSERT_TRUE(auth.ok()) << auth.status();
  EXPECT_TRUE((*auth)->Authenticate("Bearer tok").ok());
}

TEST(AuthParseTest, LoadFileMissing) {
  auto auth = Authenticator::LoadFile("/nonexistent/tokens.json");
  ASSERT_FALSE(auth.ok());
  EXPECT_EQ(auth.status().code(), absl::StatusCode::kInvalidArgument);
}

class AuthenticateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto auth = Authenticator::Parse(
        File(TokenEntryJson("admin", "admin-token-123", {"integrations.read", "integrations.write"},
                            {"acme"}) +
             "," + TokenEntryJson("punchout", "punchout-token-456", {"secrets.resolve"}, {"*"}) +
             "," + Entry("nobody", crypto::Sha256Hex("nobody-token"))));
    ASSERT_TRUE(auth.ok()) << auth.status();
    auth_ = std::move(auth).value();
  }
  std::unique_ptr<Authenticator> auth_;
};

TEST_F(AuthenticateTest, MissingToken) {
  for (const char* header : {"", "   ", "Bearer", "Bearer ", "Bearer    "}) {
    auto p = auth_->Authenticate(header);
    ASSERT_FALSE(p.ok()) << "'" << header << "'";
    EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
  }
  EXPECT_THAT(std::string(auth_->Authenticate("").status().message()),
              HasSubstr("missing bearer token"));
}

TEST_F(AuthenticateTest, NotABearerToken) {
  for (const char* header : {"Basic YWRtaW46cGFzcw==", "admin-token-123", "Bearer-admin-token-123",
                             "Token admin-token-123"}) {
    auto p = auth_->Authenticate(header);
    ASSERT_FALSE(p.ok()) << header;
    EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated) << header;
  }
}

TEST_F(AuthenticateTest, InvalidTokenNeverEchoed) {
  for (const char* header : {"Bearer admin-token-12", "Bearer admin-token-1234",
                             "Bearer ADMIN-TOKEN-123", "Bearer admin-token-123x"}) {
    auto p = auth_->Authenticate(header);
    ASSERT_FALSE(p.ok()) << header;
    EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_THAT(std::string(p.status().message()), HasSubstr("invalid bearer token"));
    EXPECT_THAT(std::string(p.status().message()), Not(HasSubstr("admin-token")));
  }
}

TEST_F(AuthenticateTest, ValidTokenGivesPrincipalWithScopesAndTenants) {
  for (const char* header :
       {"Bearer admin-token-123", "bearer admin-token-123", "  BEARER   admin-token-123  "}) {
    auto p = auth_->Authenticate(header);
    ASSERT_TRUE(p.ok()) << header << ": " << p.status();
    EXPECT_EQ(p->name, "admin");
    EXPECT_TRUE(p->HasScope("integrations.read"));
    EXPECT_TRUE(p->HasScope("integrations.write"));
    EXPECT_FALSE(p->HasScope("secrets.resolve"));
    EXPECT_FALSE(p->HasScope("integrations"));
    EXPECT_TRUE(p->MayActFor("acme"));
    EXPECT_FALSE(p->MayActFor("globex"));
    EXPECT_FALSE(p->MayActFor("acm"));
    EXPECT_FALSE(p->MayActFor("*x"));
  }
}

TEST_F(AuthenticateTest, WildcardTenant) {
  auto p = auth_->Authenticate("Bearer punchout-token-456");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->name, "punchout");
  EXPECT_TRUE(p->MayActFor("acme"));
  EXPECT_TRUE(p->MayActFor("globex"));
  EXPECT_TRUE(p->HasScope("secrets.resolve"));
  EXPECT_FALSE(p->HasScope("integrations.read"));
}

TEST_F(AuthenticateTest, NoScopesNoTenantsMeansNothing) {
  auto p = auth_->Authenticate("Bearer nobody-token");
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->HasScope("integrations.read"));
  EXPECT_FALSE(p->MayActFor("acme"));
}

TEST(TokenEntryJsonTest, HoldsOnlyTheHash) {
  const std::string entry = TokenEntryJson("p", "very-secret-token", {"a"}, {"t"});
  EXPECT_THAT(entry, Not(HasSubstr("very-secret-token")));
  EXPECT_THAT(entry, HasSubstr(crypto::Sha256Hex("very-secret-token")));
}

}  // namespace
}  // namespace iob::runtime
