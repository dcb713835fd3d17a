// SmtpOptions::Check: which relays and settings are refused before any
// connection, and SmtpClient::Send refusing them (and bad envelopes) too.
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "libs/mail/smtp_client.h"

namespace iob::mail {
namespace {

SmtpOptions Relay() {
  SmtpOptions o;
  o.url = "smtp://relay.example:587";
  o.username = "iob";
  o.password = "pw";
  return o;
}

// The field an error names ("smtp.url" for "smtp.url: ..."), or "ok".
std::string FieldOf(const SmtpOptions& o) {
  absl::Status s = o.Check();
  if (s.ok()) return "ok";
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  return std::string(s.message().substr(0, s.message().find(':')));
}

TEST(SmtpOptionsTest, AcceptsStartTlsAndImplicitTls) {
  EXPECT_EQ(FieldOf(Relay()), "ok");
  SmtpOptions o = Relay();
  o.url = "smtps://relay.example:465";
  EXPECT_EQ(FieldOf(o), "ok");
  o.url = "smtp://relay.example";
  o.username = o.password = "";
  o.helo_name = "iob.example";
  EXPECT_EQ(FieldOf(o), "ok");
}

TEST(SmtpOptionsTest, RefusesBadUrls) {
  for (const char* url :
       {"", "relay.example:587", "http://relay.example", "smtp://", "smtp://user:pw@relay.example",
        "smtp://relay.example/helo", "smtp://relay.example?x=1", "smtp://relay.example#f"}) {
    SmtpOptions o = Relay();
    o.url = url;
    EXPECT_EQ(FieldOf(o), "smtp.url") << url;
  }
}

TEST(SmtpOptionsTest, PlainOnlyForLoopback) {
  for (const char* url : {"smtp://127.0.0.1:2525", "smtp://127.9.8.7", "smtp://[::1]:25",
                          "smtp://localhost:25", "smtp://LOCALHOST"}) {
    SmtpOptions o = Relay();
    o.url = url;
    o.plain = true;
    EXPECT_EQ(FieldOf(o), "ok") << url;
  }
  for (const char* url : {"smtp://relay.example:25", "smtp://10.0.0.1", "smtp://128.0.0.1",
                          "smtp://[::2]", "smtp://localhost.evil.example", "smtps://127.0.0.1"}) {
    SmtpOptions o = Relay();
    o.url = url;
    o.plain = true;
    EXPECT_EQ(FieldOf(o), "smtp.plain") << url;
  }
}

TEST(SmtpOptionsTest, CredentialsComeInPairs) {
  SmtpOptions o = Relay();
  o.password = "";
  EXPECT_EQ(FieldOf(o), "smtp.password");
  o = Relay();
  o.username = "";
  EXPECT_EQ(FieldOf(o), "smtp.username");
  o = Relay();
  o.username = "iob\r\nRSET";
  EXPECT_EQ(FieldOf(o), "smtp.username");
}

TEST(SmtpOptionsTest, RefusesBadHeloAndTimeout) {
  SmtpOptions o = Relay();
  o.helo_name = "iob.example\r\nMAIL FROM:<x@y.example>";
  EXPECT_EQ(FieldOf(o), "smtp.helo_name");
  o = Relay();
  o.timeout = absl::ZeroDuration();
  EXPECT_EQ(FieldOf(o), "smtp.timeout");
}

TEST(SmtpClientTest, RefusesBadOptionsAndEnvelopeWithoutConnecting) {
  // A port nobody listens on: a connection attempt would say "unreachable".
  SmtpOptions remote_plain = Relay();
  remote_plain.url = "smtp://192.0.2.1:1";
  remote_plain.plain = true;
  SendResult r = SmtpClient(remote_plain).Send("a@b.example", {"c@d.example"}, "x");
  EXPECT_EQ(r.outcome, SendOutcome::kPermanent);
  EXPECT_EQ(r.reply_code, 0);
  EXPECT_TRUE(absl::StartsWith(r.reply_text, "smtp.plain:")) << r.reply_text;

  SmtpOptions local;
  local.url = "smtp://127.0.0.1:1";
  local.plain = true;
  r = SmtpClient(local).Send("a@b.example>\r\nRCPT TO:<evil@x.example", {"c@d.example"}, "x");
  EXPECT_EQ(r.outcome, SendOutcome::kPermanent);
  EXPECT_TRUE(absl::StartsWith(r.reply_text, "envelope_from:")) << r.reply_text;
  r = SmtpClient(local).Send("a@b.example", {"c@d.example", "e@f.example\r\nDATA"}, "x");
  EXPECT_EQ(r.outcome, SendOutcome::kPermanent);
  EXPECT_TRUE(absl::StartsWith(r.reply_text, "recipients[1]:")) << r.reply_text;
  r = SmtpClient(local).Send("a@b.example", {}, "x");
  EXPECT_TRUE(absl::StartsWith(r.reply_text, "recipients:")) << r.reply_text;
}

TEST(SendOutcomeTest, Labels) {
  EXPECT_EQ(SendOutcomeLabel(SendOutcome::kDelivered), "delivered");
  EXPECT_EQ(SendOutcomeLabel(SendOutcome::kTransient), "transient");
  EXPECT_EQ(SendOutcomeLabel(SendOutcome::kPermanent), "permanent");
  EXPECT_EQ(SendOutcomeLabel(SendOutcome::kUnreachable), "unreachable");
}

}  // namespace
}  // namespace iob::mail
