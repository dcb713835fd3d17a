// SmtpClient against a real SMTP server (tests/support/smtp_sink.py,
// aiosmtpd): STARTTLS and implicit TLS with AUTH, the message read back with
// GMime, scripted 4xx/5xx replies, and relays that drop, die or cannot be
// trusted.
#include "libs/mail/smtp_client.h"

#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "libs/mail/message.h"
#include "tests/support/mail_reading.h"
#include "tests/support/smtp_sink.h"
#include "tests/support/wait.h"

namespace iob::mail {
namespace {

using iob::testing::SmtpSink;
using iob::testing::SmtpSinkOptions;
using iob::testing::SmtpSinkTls;
using iob::testing::WaitFor;

constexpr char kUser[] = "iob-relay";
constexpr char kPassword[] = "s3cret-Pa55";
constexpr char kFrom[] = "purchasing@acme.example";
constexpr char kTo[] = "orders@supplier.example";

std::string PdfLikeBytes() {
  std::string data = "%PDF-1.7\n";
  for (int i = 0; i < 4096; ++i) data.push_back(static_cast<char>((i * 7919) & 0xff));
  return data;
}

std::string PurchaseOrderMail(const std::string& message_id = "po.o123.v2.acme@iob.example") {
  OutgoingMessage m;
  m.from = {"Acme Purchasing", kFrom};
  m.to = {{"Müller GmbH", kTo}};
  m.subject = "Bestellung PO-1001 an Müller GmbH 東京";
  m.message_id = message_id;
  m.date = absl::FromUnixSeconds(1767225600);
  m.text = "Please find purchase order PO-1001 attached.\n";
  m.attachments.push_back({"PO-1001.pdf", "application/pdf", PdfLikeBytes()});
  absl::StatusOr<std::string> raw = Compose(m);
  EXPECT_TRUE(raw.ok()) << raw.status();
  return raw.value_or("");
}

std::unique_ptr<SmtpSink> StartSink(SmtpSinkTls tls, const std::string& auth = "") {
  SmtpSinkOptions options;
  options.tls = tls;
  options.auth = auth;
  absl::StatusOr<std::unique_ptr<SmtpSink>> sink = SmtpSink::Start(options);
  EXPECT_TRUE(sink.ok()) << sink.status();
  return sink.ok() ? std::move(*sink) : nullptr;
}

// A client for `sink`: TLS trusting its certificate, AUTH when it wants it.
SmtpOptions OptionsFor(const SmtpSink& sink, bool auth) {
  SmtpOptions o;
  o.url = sink.url();
  o.ca_file = sink.ca_file();
  if (auth) {
    o.username = kUser;
    o.password = kPassword;
  }
  o.helo_name = "iob.example";
  o.timeout = absl::Seconds(20);
  return o;
}

SendResult SendPurchaseOrder(const SmtpOptions& options, const std::string& message) {
  return SmtpClient(options).Send(kFrom, {kTo}, message);
}

std::string Describe(const SendResult& r) {
  return absl::StrCat(SendOutcomeLabel(r.outcome), " ", r.reply_code, " ", r.reply_text);
}

TEST(SmtpClientTest, StartTlsWithAuthDeliversTheMessageIntact) {
  auto sink = StartSink(SmtpSinkTls::kStartTls, absl::StrCat(kUser, ":", kPassword));
  ASSERT_NE(sink, nullptr);
  const std::string message = PurchaseOrderMail();
  const SendResult r = SendPurchaseOrder(OptionsFor(*sink, /*auth=*/true), message);
  EXPECT_EQ(r.outcome, SendOutcome::kDelivered) << Describe(r) << "\n" << sink->ReadLog();
  EXPECT_EQ(r.reply_code, 250);
  EXPECT_EQ(r.reply_text, "2.0.0 OK queued");
  EXPECT_GT(r.latency, absl::ZeroDuration());

  const std::vector<std::string> accepted = sink->Accepted();
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0], message);  // byte for byte, after SMTP dot-stuffing both ways
  absl::StatusOr<iob::testing::ParsedMail> mail = iob::testing::ParseMail(accepted[0]);
  ASSERT_TRUE(mail.ok()) << mail.status();
  EXPECT_EQ(mail->message_id, "po.o123.v2.acme@iob.example");
  EXPECT_EQ(mail->subject, "Bestellung PO-1001 an Müller GmbH 東京");
  ASSERT_EQ(mail->to.size(), 1u);
  EXPECT_EQ(mail->to[0].name, "Müller GmbH");
  EXPECT_EQ(mail->to[0].address, kTo);
  ASSERT_EQ(mail->parts.size(), 2u);
  EXPECT_EQ(mail->parts[1].file_name, "PO-1001.pdf");
  EXPECT_EQ(mail->parts[1].content_type, "application/pdf");
  EXPECT_EQ(mail->parts[1].data, PdfLikeBytes());
  EXPECT_TRUE(absl::StrContains(sink->ReadLog(), "STARTTLS")) << sink->ReadLog();
}

TEST(SmtpClientTest, ImplicitTlsDelivers) {
  auto sink = StartSink(SmtpSinkTls::kImplicit, absl::StrCat(kUser, ":", kPassword));
  ASSERT_NE(sink, nullptr);
  ASSERT_TRUE(absl::StartsWith(sink->url(), "smtps://"));
  const SendResult r = SendPurchaseOrder(OptionsFor(*sink, true), PurchaseOrderMail());
  EXPECT_EQ(r.outcome, SendOutcome::kDelivered) << Describe(r) << "\n" << sink->ReadLog();
  EXPECT_EQ(sink->Accepted().size(), 1u);
}

TEST(SmtpClientTest, PlainToLoopbackDelivers) {
  auto sink = StartSink(SmtpSinkTls::kNone);
  ASSERT_NE(sink, nullptr);
  SmtpOptions o = OptionsFor(*sink, false);
  o.plain = true;
  const SendResult r = SendPurchaseOrder(o, PurchaseOrderMail());
  EXPECT_EQ(r.outcome, SendOutcome::kDelivered) << Describe(r) << "\n" << sink->ReadLog();
  EXPECT_EQ(sink->Accepted().size(), 1u);
}

TEST(SmtpClientTest, StartTlsIsRequiredNeverSkipped) {
  auto sink = StartSink(SmtpSinkTls::kNone);  // offers no STARTTLS
  ASSERT_NE(sink, nullptr);
  const SendResult r = SendPurchaseOrder(OptionsFor(*sink, false), PurchaseOrderMail());
  EXPECT_EQ(r.outcome, SendOutcome::kUnreachable) << Describe(r);
  EXPECT_EQ(r.reply_code, 0);
  EXPECT_TRUE(absl::StrContains(r.reply_text, "STARTTLS")) << r.reply_text;
  EXPECT_TRUE(sink->Accepted().empty());
  // Nothing of the envelope went over the wire in clear.
  EXPECT_FALSE(absl::StrContains(absl::AsciiStrToLower(sink->ReadLog()), "mail from"))
      << sink->ReadLog();
}

TEST(SmtpClientTest, WrongPasswordIsPermanentWithTheReply) {
  auto sink = StartSink(SmtpSinkTls::kStartTls, absl::StrCat(kUser, ":", kPassword));
  ASSERT_NE(sink, nullptr);
  SmtpOptions o = OptionsFor(*sink, true);
  o.password = "wrong-Pa55word";
  const SendResult r = SendPurchaseOrder(o, PurchaseOrderMail());
  EXPECT_EQ(r.outcome, SendOutcome::kPermanent) << Describe(r);
  EXPECT_EQ(r.reply_code, 535);
  EXPECT_TRUE(absl::StrContains(r.reply_text, "Authentication credentials invalid"))
      << r.reply_text;
  EXPECT_FALSE(absl::StrContains(r.reply_text, "wrong-Pa55word"));
  EXPECT_TRUE(sink->Accepted().empty());
}

TEST(SmtpClientTest, NoAuthWhereRequiredIsPermanent) {
  auto sink = StartSink(SmtpSinkTls::kStartTls, absl::StrCat(kUser, ":", kPassword));
  ASSERT_NE(sink, nullptr);
  const SendResult r = SendPurchaseOrder(OptionsFor(*sink, false), PurchaseOrderMail());
  EXPECT_EQ(r.outcome, SendOutcome::kPermanent) << Describe(r);
  EXPECT_EQ(r.reply_code, 530);
}

TEST(SmtpClientTest, TryLaterIsTransientThenDelivered) {
  auto sink = StartSink(SmtpSinkTls::kStartTls);
  ASSERT_NE(sink, nullptr);
  sink->ScriptReplies({"451 4.3.0 try later"});
  const SmtpOptions o = OptionsFor(*sink, false);
  const std::string message = PurchaseOrderMail();

  SendResult r = SendPurchaseOrder(o, message);
  EXPECT_EQ(r.outcome, SendOutcome::kTransient) << Describe(r);
  EXPECT_EQ(r.reply_code, 451);
  EXPECT_EQ(r.reply_text, "4.3.0 try later");
  EXPECT_EQ(sink->Refused().size(), 1u);
  EXPECT_TRUE(sink->Accepted().empty());

  r = SendPurchaseOrder(o, message);
  EXPECT_EQ(r.outcome, SendOutcome::kDelivered) << Describe(r);
  EXPECT_EQ(sink->Accepted().size(), 1u);  // delivered once
}

TEST(SmtpClientTest, ServiceNotAvailableIsTransient) {
  auto sink = StartSink(SmtpSinkTls::kStartTls);
  ASSERT_NE(sink, nullptr);
  sink->ScriptReplies({"421 4.4.2 closing connection"});
  const SendResult r = SendPurchaseOrder(OptionsFor(*sink, false), PurchaseOrderMail());
  EXPECT_EQ(r.outcome, SendOutcome::kTransient) << Describe(r);
  EXPECT_EQ(r.reply_code, 421);
  EXPECT_EQ(r.reply_text, "4.4.2 closing connection");
}

TEST(SmtpClientTest, NoSuchUserIsPermanentWithTheReply) {
  auto sink = StartSink(SmtpSinkTls::kStartTls);
  ASSERT_NE(sink, nullptr);
  sink->ScriptReplies({"550 5.1.1 no such user"});
  const SendResult r = SendPurchaseOrder(OptionsFor(*sink, false), PurchaseOrderMail());
  EXPECT_EQ(r.outcome, SendOutcome::kPermanent) << Describe(r);
  EXPECT_EQ(r.reply_code, 550);
  EXPECT_EQ(r.reply_text, "5.1.1 no such user");
  EXPECT_TRUE(sink->Accepted().empty());
}

TEST(SmtpClientTest, DroppedConnectionIsUnreachable) {
  auto sink = StartSink(SmtpSinkTls::kStartTls);
  ASSERT_NE(sink, nullptr);
  sink->ScriptReplies({"drop"});
  const SendResult r = SendPurchaseOrder(OptionsFor(*sink, false), PurchaseOrderMail());
  EXPECT_EQ(r.outcome, SendOutcome::kUnreachable) << Describe(r);
  EXPECT_EQ(r.reply_code, 0);
  EXPECT_FALSE(r.reply_text.empty());
  EXPECT_TRUE(sink->Accepted().empty());
}

TEST(SmtpClientTest, RelayDownIsUnreachable) {
  auto sink = StartSink(SmtpSinkTls::kStartTls);
  ASSERT_NE(sink, nullptr);
  const SmtpOptions o = OptionsFor(*sink, false);
  sink->Kill();
  const SendResult r = SendPurchaseOrder(o, PurchaseOrderMail());
  EXPECT_EQ(r.outcome, SendOutcome::kUnreachable) << Describe(r);
  EXPECT_EQ(r.reply_code, 0);
  EXPECT_TRUE(absl::StrContains(r.reply_text, "connect")) << r.reply_text;
}

TEST(SmtpClientTest, UntrustedCertificateIsUnreachable) {
  auto sink = StartSink(SmtpSinkTls::kStartTls);
  auto implicit_sink = StartSink(SmtpSinkTls::kImplicit);
  ASSERT_NE(sink, nullptr);
  ASSERT_NE(implicit_sink, nullptr);
  // Each sink's self-signed certificate is a CA the other does not chain to.
  SmtpOptions o = OptionsFor(*sink, false);
  o.ca_file = implicit_sink->ca_file();
  SendResult r = SendPurchaseOrder(o, PurchaseOrderMail());
  EXPECT_EQ(r.outcome, SendOutcome::kUnreachable) << Describe(r);

  o = OptionsFor(*implicit_sink, false);
  o.ca_file = sink->ca_file();
  r = SendPurchaseOrder(o, PurchaseOrderMail());
  EXPECT_EQ(r.outcome, SendOutcome::kUnreachable) << Describe(r);
  EXPECT_TRUE(sink->Accepted().empty());
  EXPECT_TRUE(implicit_sink->Accepted().empty());
}

TEST(SmtpClientTest, NoReplyWithinTheTimeoutIsUnreachable) {
  auto sink = StartSink(SmtpSinkTls::kStartTls);
  ASSERT_NE(sink, nullptr);
  sink->ScriptReplies({"hold"});
  SmtpOptions o = OptionsFor(*sink, false);
  o.timeout = absl::Seconds(1);
  const SendResult r = SendPurchaseOrder(o, PurchaseOrderMail());
  EXPECT_EQ(r.outcome, SendOutcome::kUnreachable) << Describe(r);
  EXPECT_TRUE(absl::StrContains(absl::AsciiStrToLower(r.reply_text), "timeout")) << r.reply_text;
  // Bounded by the timeout, not by libcurl's 120 s wait for a reply.
  EXPECT_LT(r.latency, absl::Seconds(5));
  EXPECT_EQ(sink->Held().size(), 1u);
}

TEST(SmtpClientTest, HeldMessageIsDeliveredOnRelease) {
  auto sink = StartSink(SmtpSinkTls::kStartTls);
  ASSERT_NE(sink, nullptr);
  sink->ScriptReplies({"hold"});
  SendResult r;
  std::thread sender([&] { r = SendPurchaseOrder(OptionsFor(*sink, false), PurchaseOrderMail()); });
  WaitFor([&] { return sink->Held().size() == 1; }, "message held");
  EXPECT_TRUE(sink->Accepted().empty());
  sink->Release();
  sender.join();
  EXPECT_EQ(r.outcome, SendOutcome::kDelivered) << Describe(r);
  EXPECT_EQ(sink->Accepted().size(), 1u);
}

// The relay dies (kill -9) after the message went over but before its 250:
// the send is unreachable, so the outbox sends it again, and the copy that
// arrives carries the same Message-ID.
TEST(SmtpClientTest, KilledMidSendIsUnreachableAndTheResendHasTheSameMessageId) {
  auto sink = StartSink(SmtpSinkTls::kStartTls);
  ASSERT_NE(sink, nullptr);
  sink->ScriptReplies({"hold"});
  const SmtpOptions o = OptionsFor(*sink, false);
  SendResult first;
  std::thread sender(
      [&] { first = SendPurchaseOrder(o, PurchaseOrderMail("po.o7.v3.acme@iob.example")); });
  WaitFor([&] { return sink->Held().size() == 1; }, "message held");
  sink->Kill();
  sender.join();
  EXPECT_EQ(first.outcome, SendOutcome::kUnreachable) << Describe(first);
  EXPECT_TRUE(sink->Accepted().empty());

  ASSERT_TRUE(sink->Restart().ok()) << sink->ReadLog();
  EXPECT_EQ(sink->url(), o.url);  // same port
  const SendResult again = SendPurchaseOrder(o, PurchaseOrderMail("po.o7.v3.acme@iob.example"));
  EXPECT_EQ(again.outcome, SendOutcome::kDelivered) << Describe(again);
  ASSERT_EQ(sink->Accepted().size(), 1u);
  absl::StatusOr<iob::testing::ParsedMail> held = iob::testing::ParseMail(sink->Held()[0]);
  absl::StatusOr<iob::testing::ParsedMail> delivered = iob::testing::ParseMail(sink->Accepted()[0]);
  ASSERT_TRUE(held.ok() && delivered.ok());
  EXPECT_EQ(delivered->message_id, "po.o7.v3.acme@iob.example");
  EXPECT_EQ(delivered->message_id, held->message_id);
}

}  // namespace
}  // namespace iob::mail
