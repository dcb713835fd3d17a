// libs/runtime's gRPC edge kit: resource names and the id rule, request ids
// and request hashes, pagination.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "iob/credentials/v1/credentials_service.pb.h"
#include "libs/runtime/pagination.h"
#include "libs/runtime/request_key.h"
#include "libs/runtime/resource_name.h"

namespace iob::runtime {
namespace {

using ::testing::ElementsAre;
using ::testing::StartsWith;

TEST(IdRuleTest, OneRuleForEveryId) {
  const std::string longest(63, 'a'), too_long(64, 'a');
  for (const std::string& good :
       {std::string("a"), std::string("acme"), std::string("acme-2"), std::string("a1"), longest}) {
    EXPECT_TRUE(IsValidId(good)) << good;
  }
  for (const char* bad :
       {"", "1acme", "-acme", "acme-", "Acme", "ac_me", "ac.me", "ac me", "%61"}) {
    EXPECT_FALSE(IsValidId(bad)) << bad;
  }
  EXPECT_FALSE(IsValidId(too_long));
}

TEST(ParseNameTest, TenantAndIdFromThePattern) {
  auto n = ParseName("tenants/{tenant}/sessions/{session}", "tenants/acme/sessions/s0a1", "name");
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->tenant, "acme");
  EXPECT_EQ(n->id, "s0a1");
  auto t = ParseName("tenants/{tenant}", "tenants/globex", "parent");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->tenant, "globex");
  EXPECT_EQ(t->id, "");
}

TEST(ParseNameTest, RefusalsNameTheFieldAndThePattern) {
  for (const char* bad :
       {"", "tenants/acme", "tenants/acme/orders/o1", "tenants/1acme/sessions/s",
        "tenants/acme/sessions/0abc", "tenants/acme/sessions/s/x", "/tenants/acme/sessions/s"}) {
    auto n = ParseName("tenants/{tenant}/sessions/{session}", bad, "session");
    ASSERT_FALSE(n.ok()) << bad;
    EXPECT_EQ(n.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(n.status().message(), "session: must be tenants/{tenant}/sessions/{session}");
  }
}

TEST(RequestIdTest, PrintableAsciiUpTo128) {
  EXPECT_TRUE(ValidateRequestId("").ok());
  EXPECT_TRUE(ValidateRequestId(std::string(128, 'r')).ok());
  for (const std::string& bad : {std::string(129, 'r'), std::string("a b"), std::string("a\nb"),
                                 std::string("caf\xc3\xa9")}) {
    auto st = ValidateRequestId(bad);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(st.message()), StartsWith("request_id: "));
  }
}

TEST(RequestKeyTest, HashIgnoresTheRequestIdAndSeesEverythingElse) {
  credentials::v1::RotateSharedSecretRequest a;
  a.set_name("tenants/acme/integrations/x");
  a.set_shared_secret("fingerprint-1");
  a.set_request_id("r1");
  credentials::v1::RotateSharedSecretRequest same = a;
  same.set_request_id("r2");
  credentials::v1::RotateSharedSecretRequest other = a;
  other.set_name("tenants/acme/integrations/y");
  EXPECT_EQ(RequestHash(a), RequestHash(same));
  EXPECT_NE(RequestHash(a), RequestHash(other));

  auto key = RequestKeyOf("acme", "RotateSharedSecret", a);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->tenant, "acme");
  EXPECT_EQ(key->method, "RotateSharedSecret");
  EXPECT_EQ(key->request_id, "r1");
  EXPECT_EQ(key->request_hash, RequestHash(a));

  a.set_request_id("bad id");
  EXPECT_EQ(RequestKeyOf("acme", "RotateSharedSecret", a).status().code(),
            absl::StatusCode::kInvalidArgument);
  a.clear_request_id();
  auto none = RequestKeyOf("acme", "RotateSharedSecret", a);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->request_hash, "");  // not idempotent: nothing to compare
}

// A list of ids 1..n served in pages.
absl::StatusOr<std::vector<int>> Fetch(int n, const std::string& after, int limit) {
  int start = after.empty() ? 0 : std::stoi(after);
  std::vector<int> out;
  for (int i = start + 1; i <= n && static_cast<int>(out.size()) < limit; ++i) out.push_back(i);
  return out;
}

TEST(PaginateTest, WalksEveryItemOnceAndEndsWithoutAToken) {
  std::vector<int> seen;
  std::string token;
  int pages = 0;
  do {
    auto page = Paginate(
        2, token, "things",
        [](const std::string& after, int limit) { return Fetch(5, after, limit); },
        [](int i) { return std::to_string(i); });
    ASSERT_TRUE(page.ok()) << page.status();
    seen.insert(seen.end(), page->items.begin(), page->items.end());
    token = page->next_page_token;
    ASSERT_LE(++pages, 3);
  } while (!token.empty());
  EXPECT_THAT(seen, ElementsAre(1, 2, 3, 4, 5));
  EXPECT_EQ(pages, 3);
}

TEST(PaginateTest, ExactFitHasNoNextToken) {
  auto page = Paginate(
      5, "", "things", [](const std::string& after, int limit) { return Fetch(5, after, limit); },
      [](int i) { return std::to_string(i); });
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 5u);
  EXPECT_EQ(page->next_page_token, "");
}

TEST(PaginateTest, RefusesNegativeSizesAndForeignTokens) {
  auto fetch = [](const std::string& after, int limit) { return Fetch(5, after, limit); };
  auto key = [](int i) { return std::to_string(i); };
  EXPECT_EQ(Paginate(-1, "", "things", fetch, key).status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::string other_kind = EncodePageToken("others", "2");
  auto page = Paginate(2, other_kind, "things", fetch, key);
  EXPECT_EQ(page.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(page.status().message()), StartsWith("page_token: "));
}

}  // namespace
}  // namespace iob::runtime
