// Form-post decoding: cxml-urlencoded / cxml-base64 in any case, raw bodies.
#include "libs/cxml/form.h"

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace iob::cxml {
namespace {

const std::string kXml = "<?xml version=\"1.0\"?><cXML payloadID=\"a+b\">caf\xC3\xA9 & co</cXML>";

TEST(FormTest, RawBodyPassesThrough) {
  EXPECT_EQ(*ExtractCxml(kXml), kXml);
  EXPECT_EQ(*ExtractCxml("\n  " + kXml), "\n  " + kXml);
  std::string bom = "\xEF\xBB\xBF" + kXml;
  EXPECT_EQ(*ExtractCxml(bom), bom);
}

TEST(FormTest, UrlEncodedAnyCase) {
  for (const char* name : {"cxml-urlencoded", "cXML-urlencoded", "CXML-URLENCODED"}) {
    std::string body = "foo=1&" + std::string(name) + "=" + FormUrlEncode(kXml) + "&bar=2";
    absl::StatusOr<std::string> got = ExtractCxml(body);
    ASSERT_TRUE(got.ok()) << name << ": " << got.status();
    EXPECT_EQ(*got, kXml) << name;
  }
}

TEST(FormTest, Base64AnyCaseAndSloppyEncoding) {
  std::string b64;
  absl::Base64Escape(kXml, &b64);
  for (const char* name : {"cxml-base64", "cXML-base64", "CXML-Base64"}) {
    EXPECT_EQ(*ExtractCxml(std::string(name) + "=" + FormUrlEncode(b64)), kXml) << name;
  }
  // '+' not percent-encoded arrives as a space; line breaks inside.
  std::string sloppy = b64;
  for (char& c : sloppy) {
    if (c == '+') c = ' ';
  }
  sloppy.insert(10, "%0D%0A");
  EXPECT_EQ(*ExtractCxml("cxml-base64=" + sloppy), kXml);
}

TEST(FormTest, Errors) {
  EXPECT_EQ(ExtractCxml("foo=bar").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ExtractCxml("cxml-urlencoded=").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ExtractCxml("cxml-urlencoded=%3Cx%G").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ExtractCxml("cxml-base64=!!!!").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ExtractCxml(std::string(100, 'a'), 10).status().code(),
            absl::StatusCode::kResourceExhausted);
}

TEST(FormTest, UrlCodecRoundTrip) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(*FormUrlDecode(FormUrlEncode(all)), all);
  EXPECT_EQ(*FormUrlDecode("a+b%20c"), "a b c");
}

}  // namespace
}  // namespace iob::cxml
