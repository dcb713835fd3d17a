// Unit tests for libs/crypto/key_ring: sealing, tamper detection, binding to
// associated data, rotation, key-ring parsing and the hashing helpers.
#include "libs/crypto/key_ring.h"

#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace iob::crypto {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Deterministic 32-byte keys so tests can write rings by hand.
std::string KeyBytes(char fill) { return std::string(32, fill); }
std::string KeyB64(char fill) { return absl::Base64Escape(KeyBytes(fill)); }

struct KeySpec {
  std::string id;
  char fill;
  std::string state;
};

std::string RingJson(const std::string& primary, const std::vector<KeySpec>& keys,
                     char fingerprint_fill = 'f') {
  nlohmann::json doc;
  doc["primary"] = primary;
  doc["keys"] = nlohmann::json::array();
  for (const KeySpec& k : keys) {
    doc["keys"].push_back({{"id", k.id}, {"key", KeyB64(k.fill)}, {"state", k.state}});
  }
  doc["fingerprint_key"] = KeyB64(fingerprint_fill);
  return doc.dump();
}

std::shared_ptr<const KeyRing> MustParse(const std::string& json) {
  auto ring = KeyRing::Parse(json);
  EXPECT_TRUE(ring.ok()) << ring.status();
  return ring.ok() ? *ring : nullptr;
}

class KeyRingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ring_ = MustParse(RingJson("k1", {{"k1", 'a', "active"}}));
    ASSERT_NE(ring_, nullptr);
    ad_ = AssociatedData("tenant-1", "integration-7", "shared_secret", "k1");
  }
  std::shared_ptr<const KeyRing> ring_;
  std::string ad_;
};

TEST_F(KeyRingTest, RoundTrip) {
  for (const std::string& plaintext : {std::string(), std::string("s3cret"), std::string(5000, 'x'),
                                       std::string("nul\0inside", 10)}) {
    auto sealed = ring_->Seal(plaintext, ad_);
    ASSERT_TRUE(sealed.ok()) << sealed.status();
    EXPECT_EQ(sealed->key_id, "k1");
    EXPECT_EQ(sealed->blob.size(), 12 + plaintext.size() + 16);
    if (!plaintext.empty()) {
      EXPECT_THAT(sealed->blob, Not(HasSubstr(plaintext)));
    }
    auto opened = ring_->Open(*sealed, ad_);
    ASSERT_TRUE(opened.ok()) << opened.status();
    EXPECT_EQ(*opened, plaintext);
  }
}

TEST_F(KeyRingTest, FreshNonceEverySeal) {
  auto a = ring_->Seal("same", ad_);
  auto b = ring_->Seal("same", ad_);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->blob.substr(0, 12), b->blob.substr(0, 12));
  EXPECT_NE(a->blob, b->blob);
}

TEST_F(KeyRingTest, TamperedBlobIsDataLoss) {
  auto sealed = ring_->Seal("the secret value", ad_);
  ASSERT_TRUE(sealed.ok());
  const size_t n = sealed->blob.size();
  struct Case {
    const char* what;
    size_t index;
  };
  for (const Case& c :
       {Case{"nonce", 0}, Case{"nonce end", 11}, Case{"ciphertext", 12},
        Case{"ciphertext end", n - 17}, Case{"tag", n - 16}, Case{"tag end", n - 1}}) {
    Sealed bad = *sealed;
    bad.blob[c.index] ^= 0x01;
    auto opened = ring_->Open(bad, ad_);
    EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss) << c.what;
    EXPECT_THAT(std::string(opened.status().message()), HasSubstr("failed authentication"));
  }
  Sealed truncated = *sealed;
  truncated.blob.resize(n - 1);
  EXPECT_EQ(ring_->Open(truncated, ad_).status().code(), absl::StatusCode::kDataLoss);
  Sealed extended = *sealed;
  extended.blob.push_back('x');
  EXPECT_EQ(ring_->Open(extended, ad_).status().code(), absl::StatusCode::kDataLoss);
  Sealed tiny{"k1", std::string(27, '\0')};
  EXPECT_EQ(ring_->Open(tiny, ad_).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ring_->Open(Sealed{"k1", ""}, ad_).status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(KeyRingTest, OtherAssociatedDataFails) {
  auto sealed = ring_->Seal("the secret value", ad_);
  ASSERT_TRUE(sealed.ok());
  for (const std::string& other :
       {AssociatedData("tenant-2", "integration-7", "shared_secret", "k1"),
        AssociatedData("tenant-1", "integration-8", "shared_secret", "k1"),
        AssociatedData("tenant-1", "integration-7", "from_identity", "k1"),
        AssociatedData("tenant-1", "integration-7", "shared_secret", "k2"), std::string()}) {
    auto opened = ring_->Open(*sealed, other);
    EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss);
  }
  EXPECT_TRUE(ring_->Open(*sealed, ad_).ok());
}

TEST(AssociatedDataTest, Finding7_VersionedSchemeBindsTheVersion) {
  EXPECT_EQ(AssociatedData("t", "r", "f", "k", 12), std::string("iob.v2\0t\0r\0f\0k\0"
                                                                "12",
                                                                17));
  EXPECT_NE(AssociatedData("t", "r", "f", "k", 1), AssociatedData("t", "r", "f", "k", 2));
  EXPECT_NE(AssociatedData("t", "r", "f", "k", 1), AssociatedData("t", "r", "f", "k"));
  // A ciphertext sealed for version 1 does not open as version 2.
  auto ring = MustParse(RingJson("k1", {{"k1", 'a', "active"}}));
  ASSERT_NE(ring, nullptr);
  auto sealed = ring->Seal("v1 secret", AssociatedData("t", "r", "f", "k1", 1));
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(*ring->Open(*sealed, AssociatedData("t", "r", "f", "k1", 1)), "v1 secret");
  EXPECT_EQ(ring->Open(*sealed, AssociatedData("t", "r", "f", "k1", 2)).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(KeyRingParseTest, CanOpenOnlyActiveKeys) {
  auto ring = MustParse(RingJson("k2", {{"k1", 'a', "retired"}, {"k2", 'b', "active"}}));
  ASSERT_NE(ring, nullptr);
  EXPECT_TRUE(ring->CanOpen("k2"));
  EXPECT_FALSE(ring->CanOpen("k1"));
  EXPECT_FALSE(ring->CanOpen("k3"));
}

TEST(AssociatedDataTest, PartsAreSeparated) {
  EXPECT_EQ(AssociatedData("t", "r", "f", "k"), std::string("iob.v1\0t\0r\0f\0k", 14));
  EXPECT_NE(AssociatedData("ab", "c", "f", "k"), AssociatedData("a", "bc", "f", "k"));
}

TEST(KeyRingRotationTest, KeyIdIsAuthenticated) {
  // Two active keys with the same material: relabelling still fails.
  auto ring = MustParse(RingJson("k1", {{"k1", 'a', "active"}, {"k2", 'a', "active"}}));
  ASSERT_NE(ring, nullptr);
  auto sealed = ring->Seal("v", "ad");
  ASSERT_TRUE(sealed.ok());
  Sealed relabelled{"k2", sealed->blob};
  EXPECT_EQ(ring->Open(relabelled, "ad").status().code(), absl::StatusCode::kDataLoss);
}

TEST(KeyRingRotationTest, NewPrimaryOpensOldAndSealsNew) {
  auto old_ring = MustParse(RingJson("k1", {{"k1", 'a', "active"}}));
  ASSERT_NE(old_ring, nullptr);
  auto old_sealed = old_ring->Seal("old secret", "ad-1");
  ASSERT_TRUE(old_sealed.ok());

  auto new_ring = MustParse(RingJson("k2", {{"k1", 'a', "active"}, {"k2", 'b', "active"}}));
  ASSERT_NE(new_ring, nullptr);
  EXPECT_EQ(new_ring->primary_id(), "k2");
  auto opened = new_ring->Open(*old_sealed, "ad-1");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, "old secret");

  auto new_sealed = new_ring->Seal("new secret", "ad-2");
  ASSERT_TRUE(new_sealed.ok());
  EXPECT_EQ(new_sealed->key_id, "k2");
  // The old ring does not know k2.
  EXPECT_EQ(old_ring->Open(*new_sealed, "ad-2").status().code(), absl::StatusCode::kNotFound);

  // Retiring k1 afterwards: old ciphertexts are refused, new ones still open.
  auto retired_ring = MustParse(RingJson("k2", {{"k1", 'a', "retired"}, {"k2", 'b', "active"}}));
  ASSERT_NE(retired_ring, nullptr);
  auto refused = retired_ring->Open(*old_sealed, "ad-1");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.status().message(), "key k1 is retired");
  EXPECT_TRUE(retired_ring->Open(*new_sealed, "ad-2").ok());
}

TEST(KeyRingRotationTest, RetiredKeyCannotBePrimary) {
  auto ring = KeyRing::Parse(RingJson("k1", {{"k1", 'a', "retired"}, {"k2", 'b', "active"}}));
  EXPECT_EQ(ring.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(ring.status().message()), HasSubstr("retired"));
}

TEST_F(KeyRingTest, UnknownKeyIdIsNotFound) {
  auto sealed = ring_->Seal("v", ad_);
  ASSERT_TRUE(sealed.ok());
  Sealed unknown{"k9", sealed->blob};
  EXPECT_EQ(ring_->Open(unknown, ad_).status().code(), absl::StatusCode::kNotFound);
}

TEST(KeyRingParseTest, MalformedRingsAreInvalidArgumentWithoutKeyMaterial) {
  const std::string good_b64 = KeyB64('q');
  const std::string fp_b64 = KeyB64('f');
  const std::string short_b64 = absl::Base64Escape(std::string(31, 'q'));
  const std::string long_b64 = absl::Base64Escape(std::string(33, 'q'));
  const std::string fp_json = "\"" + fp_b64 + "\"";
  auto ring_with = [&](const std::string& keys, const std::string& primary = "\"k1\"",
                       const std::string& fp = "") {
    return "{\"primary\":" + primary + ",\"keys\":" + keys +
           ",\"fingerprint_key\":" + (fp.empty() ? fp_json : fp) + "}";
  };
  const std::string k1 = "{\"id\":\"k1\",\"key\":\"" + good_b64 + "\",\"state\":\"active\"}";
  struct Case {
    std::string what;
    std::string json;
    std::string expect;  // substring of the message
  };
  const std::vector<Case> cases = {
      {"not json", "{\"primary\":\"k1\",\"keys\":[" + k1, "not valid JSON"},
      {"not json with key", "{\"key\":\"" + good_b64 + "\" oops", "not valid JSON"},
      {"array", "[" + k1 + "]", "object"},
      {"no primary", "{\"keys\":[" + k1 + "],\"fingerprint_key\":\"" + fp_b64 + "\"}", "primary"},
      {"primary not string", ring_with("[" + k1 + "]", "7"), "primary"},
      {"primary unknown", ring_with("[" + k1 + "]", "\"k2\""), "not among the keys"},
      {"no keys", ring_with("[]"), "keys"},
      {"keys not array", ring_with("{}"), "keys"},
      {"key entry not object", ring_with("[\"" + good_b64 + "\"]"), "keys[0]"},
      {"missing id", ring_with("[{\"key\":\"" + good_b64 + "\"}]"), "id"},
      {"missing key", ring_with("[{\"id\":\"k1\"}]"), "has no \"key\""},
      {"short key", ring_with("[{\"id\":\"k1\",\"key\":\"" + short_b64 + "\"}]"), "32 bytes"},
      {"long key", ring_with("[{\"id\":\"k1\",\"key\":\"" + long_b64 + "\"}]"), "32 bytes"},
      {"bad base64", ring_with("[{\"id\":\"k1\",\"key\":\"" + good_b64.substr(0, 20) + "!!\"}]"),
       "base64"},
      {"key not string", ring_with("[{\"id\":\"k1\",\"key\":12}]"), "base64 string"},
      {"bad state",
       ring_with("[{\"id\":\"k1\",\"key\":\"" + good_b64 + "\",\"state\":\"" + good_b64 + "\"}]"),
       "state"},
      {"duplicate id", ring_with("[" + k1 + "," + k1 + "]"), "duplicate key id \"k1\""},
      {"no fingerprint key", "{\"primary\":\"k1\",\"keys\":[" + k1 + "]}", "fingerprint_key"},
      {"short fingerprint key", ring_with("[" + k1 + "]", "\"k1\"", "\"" + short_b64 + "\""),
       "fingerprint_key"},
  };
  for (const Case& c : cases) {
    auto ring = KeyRing::Parse(c.json);
    ASSERT_FALSE(ring.ok()) << c.what;
    EXPECT_EQ(ring.status().code(), absl::StatusCode::kInvalidArgument) << c.what;
    const std::string message(ring.status().message());
    EXPECT_THAT(message, HasSubstr(c.expect)) << c.what;
    for (const std::string& secret :
         {good_b64, fp_b64, short_b64, long_b64, good_b64.substr(0, 20)}) {
      EXPECT_THAT(message, Not(HasSubstr(secret))) << c.what;
    }
  }
}

TEST(KeyRingParseTest, StateDefaultsToActive) {
  const std::string json = "{\"primary\":\"k1\",\"keys\":[{\"id\":\"k1\",\"key\":\"" + KeyB64('a') +
                           "\"}],\"fingerprint_key\":\"" + KeyB64('f') + "\"}";
  auto ring = MustParse(json);
  ASSERT_NE(ring, nullptr);
  auto sealed = ring->Seal("v", "ad");
  ASSERT_TRUE(sealed.ok());
  EXPECT_TRUE(ring->Open(*sealed, "ad").ok());
}

TEST(KeyRingParseTest, GenerateJsonParsesAndIsFresh) {
  const std::string a = KeyRing::GenerateJson("k7");
  const std::string b = KeyRing::GenerateJson("k7");
  EXPECT_NE(a, b);
  auto ring = MustParse(a);
  ASSERT_NE(ring, nullptr);
  EXPECT_EQ(ring->primary_id(), "k7");
  auto sealed = ring->Seal("round trip", "ad");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->key_id, "k7");
  EXPECT_EQ(*ring->Open(*sealed, "ad"), "round trip");
  // A ring generated separately cannot open it (different key material).
  auto other = MustParse(b);
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->Open(*sealed, "ad").status().code(), absl::StatusCode::kDataLoss);
}

TEST(KeyRingParseTest, LoadFile) {
  const std::string path = ::testing::TempDir() + "/iob_key_ring_test.json";
  {
    std::ofstream out(path);
    out << RingJson("k1", {{"k1", 'a', "active"}});
  }
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);  // LoadFile refuses files others may read
  auto ring = KeyRing::LoadFile(path);
  ASSERT_TRUE(ring.ok()) << ring.status();
  EXPECT_EQ((*ring)->primary_id(), "k1");
  std::remove(path.c_str());
  EXPECT_EQ(KeyRing::LoadFile(path).status().code(), absl::StatusCode::kNotFound);
}

TEST(FingerprintTest, StablePerValueAndKey) {
  auto ring1 = MustParse(RingJson("k1", {{"k1", 'a', "active"}}, 'f'));
  auto ring1_again = MustParse(RingJson("k2", {{"k2", 'b', "active"}}, 'f'));
  auto ring2 = MustParse(RingJson("k1", {{"k1", 'a', "active"}}, 'g'));
  ASSERT_TRUE(ring1 && ring1_again && ring2);
  const std::string fp = ring1->Fingerprint("shared-secret");
  EXPECT_EQ(fp.size(), 6 + 32u);
  EXPECT_EQ(fp.rfind("hs256:", 0), 0u);
  EXPECT_EQ(fp.find_first_not_of("0123456789abcdef", 6), std::string::npos);
  EXPECT_THAT(fp, Not(HasSubstr("shared-secret")));
  EXPECT_EQ(fp, ring1->Fingerprint("shared-secret"));
  EXPECT_EQ(fp, ring1_again->Fingerprint("shared-secret"));  // same fingerprint key
  EXPECT_NE(fp, ring1->Fingerprint("shared-secreT"));
  EXPECT_NE(fp, ring1->Fingerprint(""));
  EXPECT_NE(fp, ring2->Fingerprint("shared-secret"));  // other fingerprint key
}

TEST(ConstantTimeEqualsTest, ComparesBytes) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_TRUE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", ""));
  EXPECT_FALSE(ConstantTimeEquals(std::string("a\0b", 3), "a"));
}

TEST(Sha256HexTest, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(RandomBytesTest, LengthAndVariety) {
  EXPECT_EQ(RandomBytes(0).size(), 0u);
  std::set<std::string> seen;
  for (int i = 0; i < 16; ++i) {
    std::string r = RandomBytes(16);
    EXPECT_EQ(r.size(), 16u);
    seen.insert(r);
  }
  EXPECT_EQ(seen.size(), 16u);
}

TEST_F(KeyRingTest, ConcurrentUseIsSafe) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const std::string value = "v" + std::to_string(t) + "-" + std::to_string(i);
        auto sealed = ring_->Seal(value, ad_);
        if (!sealed.ok()) {
          ++failures;
          continue;
        }
        auto opened = ring_->Open(*sealed, ad_);
        if (!opened.ok() || *opened != value) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace iob::crypto
