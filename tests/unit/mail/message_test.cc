// Compose, read back with GMime's parser: headers, the text, attachment
// bytes, RFC 2047 / 2231 encodings, and header injection through every
// free-text field.
#include "libs/mail/message.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/support/mail_reading.h"

namespace iob::mail {
namespace {

using ::iob::testing::ParsedMail;
using ::iob::testing::ParseMail;

std::string AllByteValues() {
  std::string data;
  for (int round = 0; round < 3; ++round) {
    for (int b = 0; b < 256; ++b) data.push_back(static_cast<char>(b));
  }
  return data;
}

OutgoingMessage PurchaseOrderMail() {
  OutgoingMessage m;
  m.from = {"Acme Purchasing", "purchasing@acme.example"};
  m.to = {{"Orders", "orders@supplier.example"}, {"", "backup@supplier.example"}};
  m.subject = "Purchase order PO-1001 (version 2)";
  m.message_id = "po.o123.v2.acme@iob.example";
  m.date = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z
  m.text = "Hello,\nplease find our purchase order attached.\n\nAcme\n";
  m.attachments.push_back({"PO-1001.pdf", "application/pdf", AllByteValues()});
  return m;
}

ParsedMail ComposeAndParse(const OutgoingMessage& m, std::string* raw_out = nullptr) {
  absl::StatusOr<std::string> raw = Compose(m);
  EXPECT_TRUE(raw.ok()) << raw.status();
  if (!raw.ok()) return {};
  if (raw_out != nullptr) *raw_out = *raw;
  absl::StatusOr<ParsedMail> parsed = ParseMail(*raw);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *parsed : ParsedMail{};
}

// True when some line of `raw` starts with `prefix` (case-insensitive), i.e.
// `prefix` could be read as a header of its own.
bool HasLineStartingWith(const std::string& raw, absl::string_view prefix) {
  for (absl::string_view line : absl::StrSplit(raw, "\r\n")) {
    if (absl::StartsWithIgnoreCase(line, prefix)) return true;
  }
  return false;
}

TEST(ComposeTest, HeadersTextAndAttachmentRoundTrip) {
  std::string raw;
  const ParsedMail mail = ComposeAndParse(PurchaseOrderMail(), &raw);

  ASSERT_EQ(mail.from.size(), 1u);
  EXPECT_EQ(mail.from[0].name, "Acme Purchasing");
  EXPECT_EQ(mail.from[0].address, "purchasing@acme.example");
  ASSERT_EQ(mail.to.size(), 2u);
  EXPECT_EQ(mail.to[0].name, "Orders");
  EXPECT_EQ(mail.to[0].address, "orders@supplier.example");
  EXPECT_EQ(mail.to[1].address, "backup@supplier.example");
  EXPECT_EQ(mail.subject, "Purchase order PO-1001 (version 2)");
  EXPECT_EQ(mail.message_id, "po.o123.v2.acme@iob.example");
  EXPECT_EQ(mail.Header("Message-ID"), std::vector<std::string>{"<po.o123.v2.acme@iob.example>"});
  EXPECT_EQ(mail.date_unix, 1767225600);
  ASSERT_EQ(mail.Header("Date").size(), 1u);
  EXPECT_TRUE(absl::StrContains(mail.Header("Date")[0], "01 Jan 2026 00:00:00 +0000"))
      << mail.Header("Date")[0];
  EXPECT_EQ(mail.Header("MIME-Version"), std::vector<std::string>{"1.0"});
  EXPECT_EQ(mail.content_type, "multipart/mixed");

  ASSERT_EQ(mail.parts.size(), 2u);
  EXPECT_EQ(mail.parts[0].content_type, "text/plain");
  EXPECT_EQ(mail.parts[0].charset, "utf-8");
  EXPECT_EQ(mail.parts[0].encoding, GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
  EXPECT_EQ(absl::StrReplaceAll(mail.parts[0].data, {{"\r\n", "\n"}}), PurchaseOrderMail().text);
  EXPECT_EQ(mail.parts[1].content_type, "application/pdf");
  EXPECT_EQ(mail.parts[1].disposition, "attachment");
  EXPECT_EQ(mail.parts[1].file_name, "PO-1001.pdf");
  EXPECT_EQ(mail.parts[1].encoding, GMIME_CONTENT_ENCODING_BASE64);
  EXPECT_EQ(mail.parts[1].data, AllByteValues());  // every byte value, exactly

  // Ready for SMTP DATA: CRLF line ends only, lines within RFC 5322's limit.
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\n') {
      ASSERT_TRUE(i > 0 && raw[i - 1] == '\r') << "bare LF at " << i;
    }
    if (raw[i] == '\r') {
      ASSERT_TRUE(i + 1 < raw.size() && raw[i + 1] == '\n') << "bare CR at " << i;
    }
  }
  for (absl::string_view line : absl::StrSplit(raw, "\r\n")) EXPECT_LE(line.size(), 998u);
}

TEST(ComposeTest, MessageIdIsTheCallersEachTime) {
  absl::StatusOr<std::string> a = Compose(PurchaseOrderMail());
  absl::StatusOr<std::string> b = Compose(PurchaseOrderMail());
  ASSERT_TRUE(a.ok() && b.ok());
  // The MIME boundary is random; the Message-ID (what makes a re-sent
  // message recognisable) is fixed by the caller.
  EXPECT_EQ(ParseMail(*a)->message_id, ParseMail(*b)->message_id);
}

TEST(ComposeTest, NonAsciiSubjectNameAndFileNameAreEncoded) {
  OutgoingMessage m = PurchaseOrderMail();
  m.subject = "Bestellung an Müller GmbH 東京";
  m.to = {{"Müller GmbH, Einkauf", "orders@supplier.example"}};
  m.text = "Grüße aus 東京\n";
  m.attachments[0].file_name = "Bestellung Müller 東京.pdf";
  std::string raw;
  const ParsedMail mail = ComposeAndParse(m, &raw);

  EXPECT_EQ(mail.subject, "Bestellung an Müller GmbH 東京");
  ASSERT_EQ(mail.Header("Subject").size(), 1u);
  EXPECT_TRUE(absl::StrContains(absl::AsciiStrToLower(mail.Header("Subject")[0]), "=?utf-8?"))
      << mail.Header("Subject")[0];
  ASSERT_EQ(mail.to.size(), 1u);  // the comma did not split the name into two addresses
  EXPECT_EQ(mail.to[0].name, "Müller GmbH, Einkauf");
  EXPECT_EQ(mail.to[0].address, "orders@supplier.example");
  EXPECT_EQ(absl::StrReplaceAll(mail.parts[0].data, {{"\r\n", "\n"}}), "Grüße aus 東京\n");
  EXPECT_EQ(mail.parts[1].file_name, "Bestellung Müller 東京.pdf");
  // Headers travel as 7-bit ASCII.
  const std::string head = raw.substr(0, raw.find("\r\n\r\n"));
  for (unsigned char c : head) EXPECT_LT(c, 0x80);
}

TEST(ComposeTest, CrLfInSubjectCannotAddAHeader) {
  OutgoingMessage m = PurchaseOrderMail();
  m.subject = "x\r\nBcc: evil@x.example";
  std::string raw;
  const ParsedMail mail = ComposeAndParse(m, &raw);
  EXPECT_TRUE(mail.Header("Bcc").empty());
  EXPECT_TRUE(mail.bcc.empty());
  EXPECT_FALSE(HasLineStartingWith(raw, "Bcc:")) << raw;
  EXPECT_EQ(mail.subject, "x  Bcc: evil@x.example");
}

TEST(ComposeTest, NewlineInDisplayNameCannotAddAHeader) {
  OutgoingMessage m = PurchaseOrderMail();
  m.from.name = "a\nX-Evil: 1";
  m.to[0].name = "b\r\nBcc: evil@x.example";
  std::string raw;
  const ParsedMail mail = ComposeAndParse(m, &raw);
  EXPECT_TRUE(mail.Header("X-Evil").empty());
  EXPECT_TRUE(mail.Header("Bcc").empty());
  EXPECT_FALSE(HasLineStartingWith(raw, "X-Evil")) << raw;
  EXPECT_FALSE(HasLineStartingWith(raw, "Bcc:")) << raw;
  ASSERT_EQ(mail.from.size(), 1u);
  EXPECT_EQ(mail.from[0].name, "a X-Evil: 1");
  EXPECT_EQ(mail.from[0].address, "purchasing@acme.example");
  ASSERT_EQ(mail.to.size(), 2u);
  EXPECT_EQ(mail.to[0].address, "orders@supplier.example");
}

TEST(ComposeTest, ControlCharactersInFileNameCannotAddAHeader) {
  OutgoingMessage m = PurchaseOrderMail();
  m.attachments[0].file_name = "po.pdf\r\nContent-Type: text/html\r\n\r\n<script>";
  std::string raw;
  const ParsedMail mail = ComposeAndParse(m, &raw);
  ASSERT_EQ(mail.parts.size(), 2u);
  EXPECT_EQ(mail.parts[1].content_type, "application/pdf");
  EXPECT_EQ(mail.parts[1].data, AllByteValues());
  EXPECT_FALSE(HasLineStartingWith(raw, "Content-Type: text/html")) << raw;
}

TEST(ComposeTest, OtherControlAndInvalidUtf8BecomeHarmless) {
  OutgoingMessage m = PurchaseOrderMail();
  m.subject = std::string(
      "a\0b\xc2\x85"
      "c\u2028d\xff",
      11);  // NUL, C1 NEL, LS, invalid byte
  const ParsedMail mail = ComposeAndParse(m);
  EXPECT_EQ(mail.subject, "a b c d\uFFFD");
}

TEST(ComposeTest, RefusesBadAddressesMessageIdAndContentType) {
  const auto code_and_message = [](const OutgoingMessage& m) {
    absl::StatusOr<std::string> r = Compose(m);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(r.status().message());
  };
  OutgoingMessage m = PurchaseOrderMail();
  m.from.address = "purchasing@acme.example\r\nBcc: evil@x.example";
  EXPECT_TRUE(absl::StartsWith(code_and_message(m), "from.address:"));

  m = PurchaseOrderMail();
  m.to[1].address = "a@b.example, evil@x.example";
  EXPECT_TRUE(absl::StartsWith(code_and_message(m), "to[1].address:"));

  m = PurchaseOrderMail();
  m.to.clear();
  EXPECT_TRUE(absl::StartsWith(code_and_message(m), "to:"));

  for (const char* id : {"<po.1@iob.example>", "po.1", "po..1@iob.example", "po 1@iob.example",
                         "po.1@iob.example\r\nBcc: x@y.example", ""}) {
    m = PurchaseOrderMail();
    m.message_id = id;
    EXPECT_TRUE(absl::StartsWith(code_and_message(m), "message_id:")) << id;
  }

  m = PurchaseOrderMail();
  m.attachments[0].content_type = "application/pdf\r\nX-Evil: 1";
  EXPECT_TRUE(absl::StartsWith(code_and_message(m), "attachments[0].content_type:"));
}

TEST(ValidateAddressTest, AcceptsPlainAddressesOnly) {
  EXPECT_TRUE(ValidateAddress("orders@supplier.example", "to").ok());
  EXPECT_TRUE(ValidateAddress("first.last+po@sub.supplier.example", "to").ok());
  for (const char* bad : {"", "orders", "orders@localhost", "Orders <orders@s.example>",
                          "a b@s.example", "a@s.example,b@s.example", "\"a\"@s.example",
                          "a@s.example\n", "a@@s.example", ".a@s.example"}) {
    absl::Status s = ValidateAddress(bad, "to");
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_TRUE(absl::StartsWith(s.message(), "to:")) << bad;
  }
}

}  // namespace
}  // namespace iob::mail
