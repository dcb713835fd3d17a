// Decimals, timestamps, payloadIDs, the shared-secret check, UTF-8.
#include <set>

#include "gtest/gtest.h"
#include "libs/cxml/decimal.h"
#include "libs/cxml/model.h"
#include "libs/cxml/payload_id.h"
#include "libs/cxml/shared_secret.h"
#include "libs/cxml/timestamp.h"
#include "libs/cxml/utf8.h"

namespace iob::cxml {
namespace {

TEST(DecimalTest, AcceptsPlainDecimals) {
  for (const char* s : {"0", "12", "0.50", "-12.75", "+3.0", "100.00", "007"}) {
    EXPECT_TRUE(IsDecimal(s)) << s;
  }
}

TEST(DecimalTest, RejectsEverythingElse) {
  for (const char* s : {"", "1e2", "1E2", "NaN", "nan", "Inf", "-", ".5", "5.", "1,000.00", " 1",
                        "1 ", "0x10", "1.2.3", "--1", "\xD9\xA1"}) {
    EXPECT_FALSE(IsDecimal(s)) << s;
  }
  EXPECT_FALSE(ValidateDecimal("1e2", "X/Money").ok());
  EXPECT_NE(std::string(ValidateDecimal("1e2", "X/Money").message()).find("X/Money"),
            std::string::npos);
}

TEST(DecimalTest, CurrencyCodes) {
  EXPECT_TRUE(IsCurrencyCode("USD"));
  EXPECT_FALSE(IsCurrencyCode("usd"));
  EXPECT_FALSE(IsCurrencyCode("US"));
  EXPECT_FALSE(IsCurrencyCode(""));
}

TEST(TimestampTest, FormatsWithColonOffset) {
  absl::Time t = absl::FromUnixSeconds(1714548600);  // 2024-05-01T07:30:00Z
  EXPECT_EQ(FormatTimestamp(t), "2024-05-01T07:30:00+00:00");
  absl::TimeZone plus2 = absl::FixedTimeZone(2 * 3600);
  EXPECT_EQ(FormatTimestamp(t, plus2), "2024-05-01T09:30:00+02:00");
  EXPECT_TRUE(IsStrictTimestamp(FormatTimestamp(t, plus2)));
}

TEST(TimestampTest, ParsesWhatSuppliersSend) {
  const absl::Time want = absl::FromUnixSeconds(1714548600);
  for (const char* s : {"2024-05-01T07:30:00+00:00", "2024-05-01T09:30:00+02:00",
                        "2024-05-01T07:30:00Z", "2024-05-01T07:30:00", "2024-05-01T02:30:00-0500",
                        " 2024-05-01T07:30:00Z\n", "2024-05-01T07:30"}) {
    absl::StatusOr<absl::Time> t = ParseTimestamp(s);
    ASSERT_TRUE(t.ok()) << s << ": " << t.status();
    EXPECT_EQ(*t, want) << s;
  }
  absl::StatusOr<absl::Time> frac = ParseTimestamp("2024-05-01T07:30:00.250Z");
  ASSERT_TRUE(frac.ok());
  EXPECT_EQ(*frac, want + absl::Milliseconds(250));
  ASSERT_TRUE(ParseTimestamp("2024-05-01").ok());
}

TEST(TimestampTest, RejectsGarbage) {
  for (const char* s :
       {"", "yesterday", "2024-13-01T00:00:00Z", "2024-02-31", "2024-05-01T25:00:00Z",
        "2024-05-01T07:30:00+25:00", "2024-05-01T07:30:00Zjunk", "20240501"}) {
    EXPECT_FALSE(ParseTimestamp(s).ok()) << s;
  }
  EXPECT_FALSE(IsStrictTimestamp("2024-05-01T07:30:00Z"));
  EXPECT_FALSE(IsStrictTimestamp("2024-05-01T07:30:00"));
}

TEST(PayloadIdTest, UniqueAndWellShaped) {
  absl::Time now = absl::FromUnixSeconds(1714548600);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(NewPayloadId(now, "iob.example"));
  EXPECT_EQ(seen.size(), 1000u);
  std::string id = *seen.begin();
  EXPECT_EQ(id.rfind("20240501T073000Z.", 0), 0u) << id;
  EXPECT_EQ(id.substr(id.size() - 12), "@iob.example");
  EXPECT_NE(NewPayloadId(now, "bad host/<x>").find("@bad-host--x-"), std::string::npos);
  EXPECT_NE(NewPayloadId(now, "").find("@iob"), std::string::npos);
}

TEST(SharedSecretTest, ComparesExactly) {
  EXPECT_TRUE(SecretsEqual("s3cret", "s3cret"));
  EXPECT_FALSE(SecretsEqual("s3cret", "s3creT"));
  EXPECT_FALSE(SecretsEqual("s3cret", "s3cret "));
  EXPECT_FALSE(SecretsEqual("", "x"));
}

TEST(SharedSecretTest, VerifiesHeader) {
  Header h;
  h.from = {{"NetworkID", "AN01", ""}};
  h.sender = {{"NetworkID", "AN01", "topsecret"}};
  EXPECT_TRUE(VerifySharedSecret(h, "networkid", "AN01", "topsecret").ok());
  absl::Status wrong = VerifySharedSecret(h, "NetworkID", "AN01", "topsecreT");
  EXPECT_EQ(wrong.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(std::string(wrong.message()).find("topsecret"), std::string::npos);
  EXPECT_FALSE(VerifySharedSecret(h, "NetworkID", "AN02", "topsecret").ok());
  EXPECT_FALSE(VerifySharedSecret(h, "DUNS", "AN01", "topsecret").ok());
  h.sender[0].shared_secret = "";
  EXPECT_FALSE(VerifySharedSecret(h, "NetworkID", "AN01", "").ok());
}

TEST(Utf8Test, StrictValidation) {
  EXPECT_TRUE(IsValidXmlUtf8("plain \xC3\xBC \xE2\x82\xAC \xF0\x9F\x98\x80\t\r\n"));
  size_t at = 0;
  EXPECT_FALSE(IsValidXmlUtf8("ab\xC0\xAF", &at));  // overlong '/'
  EXPECT_EQ(at, 2u);
  EXPECT_FALSE(IsValidXmlUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidXmlUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidXmlUtf8("\xE2\x82"));          // truncated
  EXPECT_FALSE(IsValidXmlUtf8(std::string_view("a\0b", 3)));
  EXPECT_FALSE(IsValidXmlUtf8("\x01"));
  EXPECT_FALSE(IsValidXmlUtf8("\xEF\xBF\xBE"));  // U+FFFE
}

// The validator checks 16- and 64-byte blocks at once: a bad byte or a
// multi-byte character must be found exactly wherever it sits relative to a
// block boundary, with tab, LF and CR passing inside a block.
TEST(Utf8Test, EveryPositionAcrossBlockBoundaries) {
  const std::string plain(200, 'a');
  for (size_t pos = 0; pos < plain.size(); ++pos) {
    for (char bad : {'\x01', '\x00', '\x80', '\xFF'}) {
      std::string s = plain;
      s[pos] = bad;
      size_t at = 0;
      EXPECT_FALSE(IsValidXmlUtf8(s, &at)) << pos;
      EXPECT_EQ(at, pos);
    }
    for (char ws : {'\t', '\n', '\r'}) {
      std::string s = plain;
      s[pos] = ws;
      EXPECT_TRUE(IsValidXmlUtf8(s)) << pos;
    }
    if (pos + 3 <= plain.size()) {
      std::string s = plain;
      s.replace(pos, 3, "\xE2\x82\xAC");  // U+20AC, possibly straddling blocks
      EXPECT_TRUE(IsValidXmlUtf8(s)) << pos;
      s[pos + 2] = 'x';  // truncated sequence
      size_t at = 0;
      EXPECT_FALSE(IsValidXmlUtf8(s, &at)) << pos;
      EXPECT_EQ(at, pos);
    }
  }
}

}  // namespace
}  // namespace iob::cxml

namespace iob::cxml {
namespace {

TEST(ModelTest, NamesRoundTrip) {
  for (DocumentType t : AllDocumentTypes()) {
    EXPECT_EQ(DocumentTypeFromName(DocumentTypeName(t)), t);
  }
  EXPECT_FALSE(DocumentTypeFromName("Nope").has_value());
  EXPECT_EQ(DeploymentModeFromName("TEST"), DeploymentMode::kTest);
  EXPECT_EQ(DeploymentModeFromName("production"), DeploymentMode::kProduction);
  EXPECT_FALSE(DeploymentModeFromName("prod").has_value());
  EXPECT_EQ(DtdSystemId(FamilyOf(DocumentType::kShipNoticeRequest)),
            "http://xml.cxml.org/schemas/cXML/1.2.071/Fulfill.dtd");
  EXPECT_EQ(FamilyOf(DocumentType::kInvoiceDetailRequest), DtdFamily::kInvoiceDetail);
  EXPECT_EQ(RawXml::FromText("a<b>&c").xml, "a&lt;b&gt;&amp;c");
  EXPECT_EQ(RawXml::FromText("a<b>&c").Text(), "a<b>&c");
  EXPECT_EQ(RawXml{"<broken"}.Text(), "");
}

}  // namespace
}  // namespace iob::cxml
