// ReadMail on mail composed by libs/mail (GMime) and on hostile raw mail;
// ParseAuthenticationResults on what receiving servers write.
#include "services/invoice-intake/mail_message.h"

#include <chrono>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/mail/message.h"

namespace iob::invoice {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

// Lines joined with CRLF, ending with one.
std::string Crlf(const std::vector<std::string>& lines) {
  return absl::StrCat(absl::StrJoin(lines, "\r\n"), "\r\n");
}

std::string Binary() {
  std::string bytes;
  for (int i = 0; i < 3000; ++i) bytes.push_back(static_cast<char>((i * 37) % 256));
  return bytes;
}

mail::OutgoingMessage Composed() {
  mail::OutgoingMessage m;
  m.from = {"Amazon Business", "Invoices@Business.Amazon.CO.UK"};
  m.to = {{"", "acme-7f3k@invoices.iob.example"}};
  m.subject = "Ihre Rechnung f\u00fcr Bestellung PO-1001 \u2013 M\u00e4rz";
  m.message_id = "inv.gb-1001@amazon.example";
  m.date = absl::FromUnixSeconds(1710230400);
  m.text = "Please find your invoice attached.";
  m.attachments = {
      {"Rechnung M\u00e4rz 2024.pdf", "application/pdf", Binary()},
      {"invoice.xml", "text/xml", "<cXML/>"},
  };
  return m;
}

TEST(ReadMail, ComposedMessageHeadersAndParts) {
  absl::StatusOr<std::string> raw = mail::Compose(Composed());
  ASSERT_TRUE(raw.ok()) << raw.status();
  absl::StatusOr<MailMessage> mail = ReadMail(*raw);
  ASSERT_TRUE(mail.ok()) << mail.status();

  EXPECT_EQ(mail->message_id, "inv.gb-1001@amazon.example");
  EXPECT_EQ(mail->subject, "Ihre Rechnung f\u00fcr Bestellung PO-1001 \u2013 M\u00e4rz");
  EXPECT_EQ(mail->from_address, "invoices@business.amazon.co.uk");
  EXPECT_EQ(mail->from_domain, "business.amazon.co.uk");
  EXPECT_THAT(mail->recipients, ElementsAre("acme-7f3k@invoices.iob.example"));
  ASSERT_TRUE(mail->date.has_value());
  EXPECT_EQ(*mail->date, absl::FromUnixSeconds(1710230400));
  EXPECT_EQ(mail->authentication_results, "");

  ASSERT_EQ(mail->parts.size(), 3u);
  EXPECT_EQ(mail->parts[0].path, "1");
  EXPECT_EQ(mail->parts[0].content_type, "text/plain");
  EXPECT_FALSE(mail->parts[0].attachment);
  EXPECT_EQ(mail->parts[0].file_name, "");
  EXPECT_THAT(mail->parts[0].data, HasSubstr("Please find your invoice attached."));

  EXPECT_EQ(mail->parts[1].path, "2");
  EXPECT_EQ(mail->parts[1].content_type, "application/pdf");
  EXPECT_EQ(mail->parts[1].file_name, "Rechnung M\u00e4rz 2024.pdf");  // RFC 2231 undone
  EXPECT_TRUE(mail->parts[1].attachment);
  EXPECT_EQ(mail->parts[1].data, Binary());  // base64 undone, byte for byte

  EXPECT_EQ(mail->parts[2].path, "3");
  EXPECT_EQ(mail->parts[2].content_type, "text/xml");
  EXPECT_EQ(mail->parts[2].data, "<cXML/>");
}

TEST(ReadMail, RecipientsInOrderOnceEachGroupsFlattened) {
  const std::string raw = Crlf({
      "Delivered-To: Acme-7F3K@invoices.iob.example",
      "X-Original-To: acme-7f3k@invoices.iob.example",
      "Return-Path: <bounce@amazon.example>",
      "From: \"Amazon\" <no-reply@amazon.example>",
      "To: Accounts: ap@acme.example, \"Payables\" <payables@acme.example>;,",
      " other@acme.example",
      "Cc: AP@ACME.example, cc@acme.example",
      "Subject: =?utf-8?q?Invoice=0D=0AX-Evil=3A_1?=",
      "Date: Tue, 12 Mar 2024 08:00:00 +0000",
      "",
      "body",
  });
  absl::StatusOr<MailMessage> mail = ReadMail(raw);
  ASSERT_TRUE(mail.ok()) << mail.status();
  EXPECT_THAT(mail->recipients,
              ElementsAre("acme-7f3k@invoices.iob.example", "ap@acme.example",
                          "payables@acme.example", "other@acme.example", "cc@acme.example"));
  EXPECT_EQ(mail->from_address, "no-reply@amazon.example");
  // A CR/LF smuggled in through an encoded word is no line break any more.
  EXPECT_EQ(mail->subject, "Invoice  X-Evil: 1");
  EXPECT_EQ(mail->message_id, "");
  ASSERT_EQ(mail->parts.size(), 1u);
  EXPECT_EQ(mail->parts[0].path, "1");
  EXPECT_EQ(mail->parts[0].content_type, "text/plain");
}

TEST(ReadMail, AuthenticationResultsJoinedTopMostFirst) {
  const std::string raw = Crlf({
      "Authentication-Results: mx.iob.example;",
      "\tdkim=pass (2048-bit key) header.d=amazon.com header.i=@amazon.com;",
      "\tspf=pass smtp.mailfrom=bounce@amazon.com",
      "Received: from a by b",
      "Authentication-Results: relay.example; dmarc=fail header.from=amazon.com",
      "From: billing@amazon.com",
      "To: x@invoices.iob.example",
      "",
      "hi",
  });
  absl::StatusOr<MailMessage> mail = ReadMail(raw);
  ASSERT_TRUE(mail.ok()) << mail.status();
  EXPECT_EQ(mail->authentication_results,
            "mx.iob.example; dkim=pass (2048-bit key) header.d=amazon.com "
            "header.i=@amazon.com; spf=pass smtp.mailfrom=bounce@amazon.com; "
            "relay.example; dmarc=fail header.from=amazon.com");
}

TEST(ReadMail, ForwardedMessageIsDescendedInto) {
  const std::string raw = Crlf({
      "From: clerk@acme.example",
      "To: acme-7f3k@invoices.iob.example",
      "Subject: Fwd: Your invoice",
      "MIME-Version: 1.0",
      "Content-Type: multipart/mixed; boundary=\"outer\"",
      "",
      "--outer",
      "Content-Type: text/plain",
      "",
      "See below.",
      "--outer",
      "Content-Type: message/rfc822",
      "",
      "From: billing@amazon.com",
      "Subject: Your invoice",
      "Content-Type: multipart/mixed; boundary=\"inner\"",
      "",
      "--inner",
      "Content-Type: text/plain",
      "",
      "Invoice attached.",
      "--inner",
      "Content-Type: application/pdf; name=\"INV-1.pdf\"",
      "Content-Transfer-Encoding: base64",
      "",
      "JVBERi0xLjQK",
      "--inner--",
      "--outer",
      "Content-Type: message/rfc822",
      "",
      "From: other@amazon.com",
      "Subject: single",
      "",
      "just text",
      "--outer--",
  });
  absl::StatusOr<MailMessage> mail = ReadMail(raw);
  ASSERT_TRUE(mail.ok()) << mail.status();
  ASSERT_EQ(mail->parts.size(), 4u);
  EXPECT_EQ(mail->parts[0].path, "1");
  EXPECT_EQ(mail->parts[1].path, "2.1");
  EXPECT_EQ(mail->parts[2].path, "2.2");
  EXPECT_EQ(mail->parts[2].file_name, "INV-1.pdf");
  EXPECT_TRUE(mail->parts[2].attachment);  // named, so an attachment
  EXPECT_EQ(mail->parts[2].data, "%PDF-1.4\n");
  EXPECT_EQ(mail->parts[3].path, "3.1");
  EXPECT_THAT(mail->parts[3].data, HasSubstr("just text"));
  EXPECT_EQ(mail->from_address, "clerk@acme.example");  // the outer message's
}

TEST(ReadMail, FileNamesDecodedAndControlCharactersReplaced) {
  const std::string raw = Crlf({
      "From: a@amazon.example",
      "To: b@invoices.iob.example",
      "Content-Type: multipart/mixed; boundary=b",
      "",
      "--b",
      "Content-Type: application/pdf",
      "Content-Disposition: attachment; filename*=utf-8''inv%0D%0AX-Evil%3A%201%E2%80%A8.pdf",
      "",
      "x",
      "--b",
      "Content-Type: application/octet-stream",
      "Content-Disposition: attachment; filename=\"=?utf-8?B?UmVjaG51bmcgTcOkcnoucGRm?=\"",
      "",
      "y",
      "--b",
      "Content-Type: text/plain",
      "Content-Disposition: inline",
      "",
      "z",
      "--b",
      "Content-Type: text/csv",
      "Content-Disposition: attachment",
      "",
      "a,b",
      "--b--",
  });
  absl::StatusOr<MailMessage> mail = ReadMail(raw);
  ASSERT_TRUE(mail.ok()) << mail.status();
  ASSERT_EQ(mail->parts.size(), 4u);
  EXPECT_EQ(mail->parts[0].file_name, "inv__X-Evil: 1_.pdf");
  EXPECT_TRUE(mail->parts[0].file_name_repaired);
  EXPECT_EQ(mail->parts[1].file_name, "Rechnung M\u00e4rz.pdf");
  EXPECT_FALSE(mail->parts[1].file_name_repaired);
  EXPECT_FALSE(mail->parts[2].attachment);
  EXPECT_TRUE(mail->parts[3].attachment);  // attachment without a name
  EXPECT_EQ(mail->parts[3].file_name, "");
}

TEST(ReadMail, BrokenBase64DecodesWhatItCan) {
  const std::string raw = Crlf({
      "From: a@amazon.example",
      "To: b@invoices.iob.example",
      "Content-Type: application/octet-stream; name=x.bin",
      "Content-Transfer-Encoding: base64",
      "",
      "SGVsbG8g!!d29y*bGQ=",
      "====",
      "not base64 at all \x01\x02",
  });
  absl::StatusOr<MailMessage> mail = ReadMail(raw);
  ASSERT_TRUE(mail.ok()) << mail.status();
  ASSERT_EQ(mail->parts.size(), 1u);
  EXPECT_TRUE(absl::StartsWith(mail->parts[0].data, "Hello world")) << mail->parts[0].data;
  EXPECT_EQ(mail->parts[0].encoding_error,
            "broken base64: a character outside the alphabet (0x21) at byte 8");
}

TEST(ReadMail, BrokenBase64SaysWhy) {
  const auto error = [](const std::string& body) {
    absl::StatusOr<MailMessage> mail = ReadMail(Crlf({
        "From: a@amazon.example",
        "To: b@invoices.iob.example",
        "Content-Type: application/pdf; name=x.pdf",
        "Content-Transfer-Encoding: BASE64",
        "",
        body,
    }));
    EXPECT_TRUE(mail.ok()) << mail.status();
    return mail.ok() && mail->parts.size() == 1 ? mail->parts[0].encoding_error : "?";
  };
  EXPECT_EQ(error("SGVs\r\nbG8g\r\nd29y\tbGQ="), "");  // line breaks and blanks are fine
  EXPECT_EQ(error("SGVsbG8=\r\n"), "");
  EXPECT_EQ(error("SGVsbG8gd29ybGQ"),
            "broken base64: truncated, 15 characters are not a multiple of 4");
  EXPECT_EQ(error("SGVsbG8=d29y"), "broken base64: data after the '=' padding at byte 8");
  EXPECT_EQ(error("SGVsbG8gd2======"), "broken base64: 6 padding characters where 2 belong");
  // Composed mail (libs/mail, GMime's encoder) is sound.
  absl::StatusOr<std::string> raw = mail::Compose(Composed());
  ASSERT_TRUE(raw.ok());
  absl::StatusOr<MailMessage> mail = ReadMail(*raw);
  ASSERT_TRUE(mail.ok());
  for (const MailPart& p : mail->parts) EXPECT_EQ(p.encoding_error, "") << p.path;
}

TEST(ReadMail, NotAMessage) {
  EXPECT_EQ(ReadMail("").status().code(), absl::StatusCode::kInvalidArgument);
  absl::Status s = ReadMail("%PDF-1.4\nthis is a file, not mail\n").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("header field"));
}

// depth nested multiparts around one text leaf, boundaries "n1", "n2", ...
std::string Nested(int depth, const std::string& leaf_type = "text/plain") {
  std::string raw = Crlf({"From: a@amazon.example", "To: b@invoices.iob.example"});
  for (int i = 1; i <= depth; ++i) {
    absl::StrAppend(&raw, "Content-Type: multipart/mixed; boundary=\"n", i, "\"\r\n\r\n--n", i,
                    "\r\n");
  }
  absl::StrAppend(&raw, Crlf({absl::StrCat("Content-Type: ", leaf_type), "", "leaf"}));
  for (int i = depth; i >= 1; --i) absl::StrAppend(&raw, "--n", i, "--\r\n");
  return raw;
}

TEST(ReadMailLimits, NestingAtTheLimitIsRead) {
  absl::StatusOr<MailMessage> mail = ReadMail(Nested(16));
  ASSERT_TRUE(mail.ok()) << mail.status();
  ASSERT_EQ(mail->parts.size(), 1u);
  EXPECT_EQ(mail->parts[0].path, "1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1");
  EXPECT_THAT(mail->parts[0].data, HasSubstr("leaf"));
}

TEST(ReadMailLimits, DeepNestingRefusedBeforeParsing) {
  for (int depth : {17, 100, 5000}) {
    const std::string raw = Nested(depth);
    const auto start = std::chrono::steady_clock::now();
    absl::Status s = ReadMail(raw).status();
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << depth;
    EXPECT_EQ(s.message(), "nesting deeper than 16");
    // The scan refuses it without building 5000 levels of GMime objects.
    EXPECT_LT(took, std::chrono::seconds(1)) << depth;
  }
  MailLimits tight;
  tight.max_depth = 3;
  EXPECT_EQ(ReadMail(Nested(4), tight).status().message(), "nesting deeper than 3");
}

// Ways to nest that a naive scan would miss, each `depth` deep; GMime
// nests every one of them.
std::string NestedTricky(int depth, const std::string& style) {
  std::string raw = Crlf({"From: a@amazon.example", "To: b@invoices.iob.example"});
  for (int i = 1; i <= depth; ++i) {
    if (style == "rfc2231") {  // the boundary in RFC 2231 continuations
      absl::StrAppend(&raw, "Content-Type: multipart/mixed; boundary*0=\"n\"; boundary*1*=%41", i,
                      "\r\n\r\n--nA", i, "\r\n");
    } else if (style == "junk") {  // a line that is no header before the type
      absl::StrAppend(&raw, "this line is no header\r\nContent-Type : multipart/mixed;\r\n",
                      "\tboundary=\"n", i, "\"\r\n\r\n--n", i, "\r\n");
    } else if (style == "digest") {  // untyped digest parts are messages
      absl::StrAppend(&raw, "Content-Type: multipart/digest; boundary=\"n", i, "\"\r\n\r\n--n", i,
                      "\r\n\r\n");
    }
  }
  absl::StrAppend(&raw, Crlf({"Content-Type: text/plain", "", "leaf"}));
  for (int i = depth; i >= 1; --i) {
    absl::StrAppend(&raw, style == "rfc2231" ? absl::StrCat("--nA", i) : absl::StrCat("--n", i),
                    "--\r\n");
  }
  return raw;
}

TEST(ReadMailLimits, NestingTheScanMustNotMiss) {
  for (const std::string style : {"rfc2231", "junk", "digest"}) {
    // Shallow: GMime reads it the way the scan does.
    absl::StatusOr<MailMessage> shallow = ReadMail(NestedTricky(3, style));
    ASSERT_TRUE(shallow.ok()) << style << ": " << shallow.status();
    ASSERT_EQ(shallow->parts.size(), 1u) << style;
    EXPECT_EQ(shallow->parts[0].path, style == "digest" ? "1.1.1.1" : "1.1.1") << style;
    EXPECT_EQ(shallow->parts[0].content_type, "text/plain") << style;
    EXPECT_TRUE(absl::StartsWith(shallow->parts[0].data, "leaf")) << style;
    // Deep: refused by the scan, before GMime builds it.
    const std::string deep = NestedTricky(3000, style);
    const auto start = std::chrono::steady_clock::now();
    absl::Status s = ReadMail(deep).status();
    EXPECT_EQ(s.message(), "nesting deeper than 16") << style;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1)) << style;
  }
}

TEST(ReadMailLimits, EncodedForwardIsOneOpaquePart) {
  // GMime keeps a base64 message/rfc822 whole; its 400 KB are no headers.
  std::string encoded;
  for (int i = 0; i < 5500; ++i) encoded += std::string(76, 'A') + "\r\n";
  const std::string raw = absl::StrCat(
      Crlf({"From: a@amazon.example", "Content-Type: multipart/mixed; boundary=b", "", "--b",
            "Content-Type: message/rfc822", "Content-Transfer-Encoding: base64", ""}),
      encoded, "--b--\r\n");
  absl::StatusOr<MailMessage> mail = ReadMail(raw);
  ASSERT_TRUE(mail.ok()) << mail.status();
  ASSERT_EQ(mail->parts.size(), 1u);
  EXPECT_EQ(mail->parts[0].data.size(), 5500u * 57);
}

TEST(ReadMailLimits, ForwardsCountAsNesting) {
  // message/rfc822 inside message/rfc822 inside ... 20 times.
  std::string inner = Crlf({"From: x@amazon.example", "", "innermost"});
  for (int i = 0; i < 20; ++i) {
    inner =
        absl::StrCat(Crlf({"From: x@amazon.example", "Content-Type: message/rfc822", ""}), inner);
  }
  absl::Status s = ReadMail(inner).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(), "nesting deeper than 16");
}

std::string ManyParts(int n) {
  std::vector<std::string> lines = {"From: a@amazon.example", "To: b@invoices.iob.example",
                                    "Content-Type: multipart/mixed; boundary=p", ""};
  for (int i = 0; i < n; ++i) {
    lines.insert(lines.end(), {"--p", "Content-Type: text/plain", "", absl::StrCat("part ", i)});
  }
  lines.push_back("--p--");
  return Crlf(lines);
}

TEST(ReadMailLimits, PartCount) {
  absl::StatusOr<MailMessage> ok = ReadMail(ManyParts(200));
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->parts.size(), 200u);
  EXPECT_EQ(ok->parts.back().path, "200");
  absl::Status s = ReadMail(ManyParts(201)).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(), "message has more than 200 parts");
}

TEST(ReadMailLimits, HugeHeader) {
  std::string raw = "From: a@amazon.example\r\nX-Junk: ";
  raw.append(300 << 10, 'a');
  raw += "\r\n\r\nbody\r\n";
  absl::Status s = ReadMail(raw).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(), "headers larger than 262144 bytes");

  // Folded over many lines, or spread over part headers, it counts the same.
  std::string folded = "From: a@amazon.example\r\nX-Junk: a";
  for (int i = 0; i < 30000; ++i) folded += "\r\n folded";
  folded += "\r\n\r\nbody\r\n";
  EXPECT_EQ(ReadMail(folded).status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(ReadMailLimits, MessageAndDecodedSize) {
  MailLimits limits;
  limits.max_message_bytes = 1000;
  EXPECT_EQ(ReadMail(ManyParts(100), limits).status().message(), "message larger than 1000 bytes");

  limits = MailLimits();
  limits.max_decoded_bytes = 500;
  absl::Status s = ReadMail(ManyParts(100), limits).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(), "decoded parts larger than 500 bytes");
}

// ---- Authentication-Results -------------------------------------------------

TEST(ParseAuthenticationResults, PassesByMethodAndDomain) {
  SenderAuthentication auth = ParseAuthenticationResults(
      "mx.iob.example 1; dkim=pass (2048-bit key; unprotected) header.d=Amazon.COM "
      "header.i=@amazon.com header.s=a1 header.b=\"abc;def\"; dkim=fail header.d=evil.example; "
      "spf = pass (sender is designated) smtp.mailfrom=\"bounce@mail.amazon.de\"; "
      "dmarc=pass (p=QUARANTINE) header.from=amazon.co.uk; arc=pass; "
      "dkim/1=pass header.i=billing@business.amazon.fr");
  EXPECT_THAT(auth.passed,
              ElementsAre(Pair("dkim", "amazon.com"), Pair("spf", "mail.amazon.de"),
                          Pair("dmarc", "amazon.co.uk"), Pair("dkim", "business.amazon.fr")));
  EXPECT_TRUE(auth.VerifiedFor("amazon.com"));
  EXPECT_TRUE(auth.VerifiedFor("AMAZON.de"));  // a subdomain passed SPF
  EXPECT_TRUE(auth.VerifiedFor("amazon.co.uk"));
  EXPECT_TRUE(auth.VerifiedFor("amazon.fr"));
  EXPECT_FALSE(auth.VerifiedFor("evil.example"));  // failed
  EXPECT_FALSE(auth.VerifiedFor("co.uk.evil"));
  EXPECT_FALSE(auth.VerifiedFor("mail.amazon.com"));  // a parent passed, not this subdomain
  EXPECT_FALSE(auth.VerifiedFor("azon.com"));
  EXPECT_FALSE(auth.VerifiedFor(""));
}

TEST(ParseAuthenticationResults, LookalikeDomainsDoNotCount) {
  SenderAuthentication auth = ParseAuthenticationResults(
      "mx; dkim=pass header.d=evilamazon.com; spf=pass "
      "smtp.mailfrom=x@amazon.com.evil.example");
  EXPECT_FALSE(auth.VerifiedFor("amazon.com"));
  EXPECT_TRUE(auth.VerifiedFor("evilamazon.com"));
}

TEST(ParseAuthenticationResults, NothingUsable) {
  EXPECT_TRUE(ParseAuthenticationResults("").passed.empty());
  EXPECT_TRUE(ParseAuthenticationResults("mx.iob.example; none").passed.empty());
  EXPECT_TRUE(ParseAuthenticationResults("((((; dkim=pass header.d=a.example").passed.empty());
  EXPECT_TRUE(ParseAuthenticationResults("mx; dkim=pass").passed.empty());  // no domain
  EXPECT_TRUE(ParseAuthenticationResults("mx; dkim=neutral header.d=a.example").passed.empty());
}

TEST(ParseAuthenticationResults, TrustedServersOnlyAndOnlyAboveForeignHeaders) {
  // Ours on top; below it, one the sender wrote itself, which smuggles our
  // authserv-id in after its own.
  const std::string joined =
      "mx.iob.example; dkim=fail header.d=amazon.com; "
      "forger.example; dkim=pass header.d=forged.example; "
      "mx.iob.example; dkim=pass header.d=amazon.com";
  const std::vector<std::string> trusted = {"mx.iob.example"};
  SenderAuthentication auth = ParseAuthenticationResults(joined, trusted);
  EXPECT_TRUE(auth.passed.empty());
  EXPECT_FALSE(auth.VerifiedFor("amazon.com"));
  // Without trusted ids, everything counts.
  EXPECT_TRUE(ParseAuthenticationResults(joined).VerifiedFor("amazon.com"));

  // Two trusted hops, both counted.
  SenderAuthentication two = ParseAuthenticationResults(
      "edge.iob.example; spf=pass smtp.mailfrom=amazon.com; MX.IOB.EXAMPLE; dkim=pass "
      "header.d=amazon.de",
      std::vector<std::string>{"mx.iob.example", "edge.iob.example"});
  EXPECT_THAT(two.passed, ElementsAre(Pair("spf", "amazon.com"), Pair("dkim", "amazon.de")));
}

TEST(ParseAuthenticationResults, FromAReadMessage) {
  absl::StatusOr<MailMessage> mail = ReadMail(Crlf({
      "Authentication-Results: mx.iob.example; dkim=pass header.d=amazon.co.uk",
      "Authentication-Results: attacker; dkim=pass header.d=amazon.de",
      "From: billing@amazon.co.uk",
      "",
      "x",
  }));
  ASSERT_TRUE(mail.ok()) << mail.status();
  SenderAuthentication auth = ParseAuthenticationResults(
      mail->authentication_results, std::vector<std::string>{"mx.iob.example"});
  EXPECT_TRUE(auth.VerifiedFor(mail->from_domain));
  EXPECT_FALSE(auth.VerifiedFor("amazon.de"));
}

}  // namespace
}  // namespace iob::invoice
