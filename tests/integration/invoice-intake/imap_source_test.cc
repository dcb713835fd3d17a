// services/invoice-intake ImapSource against a real Dovecot
// (tests/support/dovecot.h): mail delivered with dovecot-lda, the mailbox
// inspected with doveadm. Fetch marks nothing \Seen; MarkProcessed and
// Quarantine move (MOVE, or COPY/STORE/EXPUNGE when MOVE is not offered);
// a crash between Fetch and MarkProcessed, a restarted server and a reset
// UIDVALIDITY lose nothing and acknowledge nothing wrongly; TLS is required;
// a wrong password or token is refused without appearing in the error; a
// message built to look like IMAP replies, or over the bound, is
// quarantined while the others are read byte for byte.
#include "services/invoice-intake/imap_source.h"

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/dovecot.h"
#include "tests/support/wait.h"

namespace iob::invoice {
namespace {

using ::iob::testing::Dovecot;
using ::iob::testing::DovecotOptions;
using ::iob::testing::MailboxMessage;
using ::iob::testing::WaitFor;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

std::string MessageId(int n) { return absl::StrCat("<invoice-", n, "@supplier.example>"); }

std::string Message(int n, const std::string& body = "") {
  return absl::StrCat("From: billing@supplier.example\r\nTo: invoices@iob.example\r\n",
                      "Message-ID: ", MessageId(n), "\r\nSubject: Invoice ", n,
                      "\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\nInvoice ", n,
                      " attached.\r\n", body);
}

std::vector<std::string> Keys(const std::vector<FetchedMessage>& messages) {
  std::vector<std::string> keys;
  for (const FetchedMessage& m : messages) keys.push_back(m.key);
  return keys;
}

class ImapSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Dovecot::Installed()) {
      GTEST_SKIP() << "dovecot-imapd is not installed (apt-get install dovecot-imapd)";
    }
    StartDovecot({});
  }

  void StartDovecot(const DovecotOptions& options) {
    dovecot_.reset();
    auto started = Dovecot::Start(options);
    ASSERT_TRUE(started.ok()) << started.status();
    dovecot_ = *std::move(started);
  }

  // imap:// with STARTTLS, the server's certificate trusted.
  ImapOptions Options() const {
    ImapOptions o;
    o.url = dovecot_->imap_url();
    o.username = dovecot_->user();
    o.password = dovecot_->password();
    o.ca_file = dovecot_->ca_file();
    o.timeout = absl::Seconds(10);
    return o;
  }

  std::unique_ptr<MailSource> Open(const ImapOptions& options) {
    auto source = OpenImap(options);
    EXPECT_TRUE(source.ok()) << source.status();
    return source.ok() ? *std::move(source) : nullptr;
  }

  void Deliver(const std::string& raw) {
    const absl::Status delivered = dovecot_->Deliver(raw);
    ASSERT_TRUE(delivered.ok()) << delivered;
  }

  std::vector<MailboxMessage> Box(const std::string& mailbox) const {
    auto listed = dovecot_->List(mailbox);
    EXPECT_TRUE(listed.ok()) << listed.status();
    return listed.ok() ? *listed : std::vector<MailboxMessage>{};
  }

  std::vector<std::string> Ids(const std::string& mailbox) const {
    std::vector<std::string> ids;
    for (const MailboxMessage& m : Box(mailbox)) ids.push_back(m.message_id);
    return ids;
  }

  // No message of `mailbox` carries \Seen.
  void ExpectNoneSeen(const std::string& mailbox) const {
    for (const MailboxMessage& m : Box(mailbox)) {
      EXPECT_THAT(m.flags, Not(HasSubstr("\\Seen"))) << mailbox << " uid " << m.uid;
    }
  }

  std::unique_ptr<Dovecot> dovecot_;
};

TEST_F(ImapSourceTest, FetchHandsOverUnseenMessagesOldestFirstWithoutFlaggingThemSeen) {
  for (int n = 1; n <= 3; ++n) ASSERT_NO_FATAL_FAILURE(Deliver(Message(n)));
  const absl::StatusOr<uint32_t> validity = dovecot_->UidValidity("INBOX");
  ASSERT_TRUE(validity.ok()) << validity.status();
  auto source = Open(Options());
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->Name(), dovecot_->imap_url());

  auto fetched = source->Fetch(10);
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  EXPECT_THAT(Keys(*fetched),
              ElementsAre(absl::StrCat(*validity, ":1"), absl::StrCat(*validity, ":2"),
                          absl::StrCat(*validity, ":3")));
  for (int n = 1; n <= 3; ++n) EXPECT_EQ((*fetched)[n - 1].raw, Message(n));  // byte for byte
  ExpectNoneSeen("INBOX");

  auto first_two = source->Fetch(2);
  ASSERT_TRUE(first_two.ok()) << first_two.status();
  EXPECT_THAT(Keys(*first_two), ElementsAre((*fetched)[0].key, (*fetched)[1].key));
  EXPECT_THAT(Box("INBOX"), SizeIs(3));
  ExpectNoneSeen("INBOX");
}

TEST_F(ImapSourceTest, ProcessedAndQuarantinedMessagesAreMovedAndNotFetchedAgain) {
  for (int n = 1; n <= 3; ++n) ASSERT_NO_FATAL_FAILURE(Deliver(Message(n)));
  auto source = Open(Options());
  ASSERT_NE(source, nullptr);
  auto fetched = source->Fetch(10);
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  ASSERT_THAT(*fetched, SizeIs(3));
  EXPECT_THAT(Box("Processed"), IsEmpty());  // the folders do not exist yet

  ASSERT_TRUE(source->MarkProcessed((*fetched)[0].key).ok());
  ASSERT_TRUE(source->Quarantine((*fetched)[1].key).ok());

  EXPECT_THAT(Ids("INBOX"), ElementsAre(MessageId(3)));
  ExpectNoneSeen("INBOX");
  const std::vector<MailboxMessage> processed = Box("Processed");
  ASSERT_THAT(processed, SizeIs(1));
  EXPECT_EQ(processed[0].message_id, MessageId(1));
  EXPECT_THAT(processed[0].flags, HasSubstr("\\Seen"));
  EXPECT_THAT(Ids("Quarantine"), ElementsAre(MessageId(2)));
  ExpectNoneSeen("Quarantine");  // left new for the person who reviews it

  auto left = source->Fetch(10);
  ASSERT_TRUE(left.ok()) << left.status();
  EXPECT_THAT(Keys(*left), ElementsAre((*fetched)[2].key));

  // A retried acknowledgement (its answer was lost) is harmless.
  const absl::Status again = source->MarkProcessed((*fetched)[0].key);
  EXPECT_TRUE(again.ok()) << again;
  EXPECT_THAT(Box("Processed"), SizeIs(1));
  EXPECT_EQ(source->MarkProcessed("not-a-key").code(), absl::StatusCode::kInvalidArgument);

  // MOVE flags nothing \Deleted, and Dovecot counts no expunge for it (the
  // session's counters are logged at logout; compare the test without MOVE).
  source.reset();
  WaitFor([&] { return absl::StrContains(dovecot_->ReadLog(), "Logged out"); }, "logout");
  EXPECT_THAT(dovecot_->ReadLog(), HasSubstr("deleted=0 expunged=0"));
}

TEST_F(ImapSourceTest, ACrashBetweenFetchAndMarkProcessedFetchesTheMessagesAgain) {
  for (int n = 1; n <= 2; ++n) ASSERT_NO_FATAL_FAILURE(Deliver(Message(n)));
  std::vector<FetchedMessage> first;
  {
    auto source = Open(Options());
    ASSERT_NE(source, nullptr);
    auto fetched = source->Fetch(10);
    ASSERT_TRUE(fetched.ok()) << fetched.status();
    first = *std::move(fetched);
  }  // the poller died before storing and acknowledging
  ASSERT_THAT(first, SizeIs(2));
  ExpectNoneSeen("INBOX");

  auto restarted = Open(Options());
  ASSERT_NE(restarted, nullptr);
  auto again = restarted->Fetch(10);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(Keys(*again), ElementsAre(first[0].key, first[1].key));
  EXPECT_EQ((*again)[0].raw, first[0].raw);
  for (const FetchedMessage& m : *again) ASSERT_TRUE(restarted->MarkProcessed(m.key).ok());
  EXPECT_THAT(Ids("Processed"), ElementsAre(MessageId(1), MessageId(2)));
}

TEST_F(ImapSourceTest, AServerRestartBetweenPollsIsUnavailableThenFine) {
  for (int n = 1; n <= 2; ++n) ASSERT_NO_FATAL_FAILURE(Deliver(Message(n)));
  auto source = Open(Options());
  ASSERT_NE(source, nullptr);
  auto before = source->Fetch(10);
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_THAT(*before, SizeIs(2));

  dovecot_->Kill();  // the source's connection dies with it
  auto down = source->Fetch(10);
  EXPECT_EQ(down.status().code(), absl::StatusCode::kUnavailable) << down.status();
  EXPECT_EQ(source->MarkProcessed((*before)[0].key).code(), absl::StatusCode::kUnavailable);

  const absl::Status restarted = dovecot_->Restart();
  ASSERT_TRUE(restarted.ok()) << restarted;
  auto after = source->Fetch(10);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_THAT(Keys(*after), ElementsAre((*before)[0].key, (*before)[1].key));
  for (const FetchedMessage& m : *after) {
    const absl::Status marked = source->MarkProcessed(m.key);
    EXPECT_TRUE(marked.ok()) << marked;
  }
  EXPECT_THAT(Box("INBOX"), IsEmpty());
  EXPECT_THAT(Box("Processed"), SizeIs(2));
}

TEST_F(ImapSourceTest, AResetMailboxNeverAcknowledgesByAnOldKey) {
  ASSERT_NO_FATAL_FAILURE(Deliver(Message(1)));
  auto source = Open(Options());
  ASSERT_NE(source, nullptr);
  auto fetched = source->Fetch(10);
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  ASSERT_THAT(*fetched, SizeIs(1));
  const absl::StatusOr<uint32_t> old_validity = dovecot_->UidValidity("INBOX");
  ASSERT_TRUE(old_validity.ok()) << old_validity.status();

  // The mailbox is rebuilt: its UIDs no longer mean what they meant.
  ASSERT_TRUE(dovecot_->SetUidValidity("INBOX", *old_validity + 1000).ok());
  const absl::Status stale = source->MarkProcessed((*fetched)[0].key);
  EXPECT_EQ(stale.code(), absl::StatusCode::kFailedPrecondition) << stale;
  EXPECT_THAT(Ids("INBOX"), ElementsAre(MessageId(1)));
  ExpectNoneSeen("INBOX");

  auto refetched = source->Fetch(10);
  ASSERT_TRUE(refetched.ok()) << refetched.status();
  EXPECT_THAT(Keys(*refetched), ElementsAre(absl::StrCat(*old_validity + 1000, ":1")));
  ASSERT_TRUE(source->MarkProcessed((*refetched)[0].key).ok());
  EXPECT_THAT(Ids("Processed"), ElementsAre(MessageId(1)));
}

TEST_F(ImapSourceTest, AWrongPasswordIsRefusedWithoutThePasswordInTheError) {
  ASSERT_NO_FATAL_FAILURE(Deliver(Message(1)));
  ImapOptions options = Options();
  options.password = "Wrong-Pass-41d";
  auto source = Open(options);
  ASSERT_NE(source, nullptr);
  auto fetched = source->Fetch(10);
  ASSERT_EQ(fetched.status().code(), absl::StatusCode::kUnauthenticated) << fetched.status();
  const std::string message(fetched.status().message());
  EXPECT_THAT(message, HasSubstr(dovecot_->user()));
  EXPECT_THAT(message, Not(HasSubstr(options.password)));
  EXPECT_THAT(message, Not(HasSubstr(absl::Base64Escape(options.password))));
  EXPECT_THAT(
      message,
      Not(HasSubstr(absl::Base64Escape(absl::StrCat(std::string(1, '\0'), dovecot_->user(),
                                                    std::string(1, '\0'), options.password)))));
  ExpectNoneSeen("INBOX");
}

TEST_F(ImapSourceTest, AnOAuth2TokenLogsInAndAWrongOneIsRefused) {
  ASSERT_NO_FATAL_FAILURE(Deliver(Message(1)));
  // The throwaway Dovecot checks a bearer token like a password.
  ImapOptions options = Options();
  options.password = "";
  options.oauth2_token = dovecot_->password();
  auto source = Open(options);
  ASSERT_NE(source, nullptr);
  auto fetched = source->Fetch(10);
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  EXPECT_THAT(*fetched, SizeIs(1));
  EXPECT_THAT(dovecot_->ReadLog(), HasSubstr("method=OAUTHBEARER"));

  options.oauth2_token = "ya29.wrong-token-5Kd";
  auto wrong = Open(options);
  ASSERT_NE(wrong, nullptr);
  auto refused = wrong->Fetch(10);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kUnauthenticated) << refused.status();
  EXPECT_THAT(refused.status().message(), Not(HasSubstr(options.oauth2_token)));
}

TEST_F(ImapSourceTest, StartTlsIsRequiredUnlessPlainIsAllowedForLoopback) {
  DovecotOptions no_tls;
  no_tls.tls = false;
  ASSERT_NO_FATAL_FAILURE(StartDovecot(no_tls));
  ASSERT_NO_FATAL_FAILURE(Deliver(Message(1)));
  ImapOptions options = Options();
  auto source = Open(options);
  ASSERT_NE(source, nullptr);
  auto refused = source->Fetch(10);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition) << refused.status();
  EXPECT_THAT(refused.status().message(), HasSubstr("STARTTLS"));
  // No login went over the clear connection.
  EXPECT_THAT(dovecot_->ReadLog(), Not(HasSubstr("Login:")));
  EXPECT_THAT(dovecot_->ReadLog(), Not(HasSubstr("auth failed")));

  options.plain = true;  // allowed: the server is on loopback
  auto plain = Open(options);
  ASSERT_NE(plain, nullptr);
  auto fetched = plain->Fetch(10);
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  EXPECT_THAT(*fetched, SizeIs(1));
}

TEST_F(ImapSourceTest, ImapsWorksAndAnUntrustedCertificateIsUnavailable) {
  ASSERT_NO_FATAL_FAILURE(Deliver(Message(1)));
  ImapOptions options = Options();
  options.url = dovecot_->imaps_url();
  options.ca_file = "";  // the system's CAs do not know the self-signed certificate
  auto untrusted = Open(options);
  ASSERT_NE(untrusted, nullptr);
  auto refused = untrusted->Fetch(10);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();
  EXPECT_THAT(dovecot_->ReadLog(), Not(HasSubstr("Login:")));

  options.ca_file = dovecot_->ca_file();
  auto source = Open(options);
  ASSERT_NE(source, nullptr);
  auto fetched = source->Fetch(10);
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  ASSERT_THAT(*fetched, SizeIs(1));
  EXPECT_EQ((*fetched)[0].raw, Message(1));
  ASSERT_TRUE(source->MarkProcessed((*fetched)[0].key).ok());
  EXPECT_THAT(Ids("Processed"), ElementsAre(MessageId(1)));
}

TEST_F(ImapSourceTest, WithoutMoveTheSourceCopiesFlagsDeletedAndExpunges) {
  DovecotOptions no_move;  // Dovecot's capabilities minus MOVE
  no_move.imap_capability = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ UIDPLUS";
  ASSERT_NO_FATAL_FAILURE(StartDovecot(no_move));
  for (int n = 1; n <= 3; ++n) ASSERT_NO_FATAL_FAILURE(Deliver(Message(n)));
  {
    auto source = Open(Options());
    ASSERT_NE(source, nullptr);
    auto fetched = source->Fetch(10);
    ASSERT_TRUE(fetched.ok()) << fetched.status();
    ASSERT_THAT(*fetched, SizeIs(3));
    ASSERT_TRUE(source->MarkProcessed((*fetched)[0].key).ok());
    ASSERT_TRUE(source->Quarantine((*fetched)[1].key).ok());
  }  // logs out: Dovecot logs the session's counters
  WaitFor([&] { return absl::StrContains(dovecot_->ReadLog(), "Logged out"); }, "logout");
  EXPECT_THAT(Ids("INBOX"), ElementsAre(MessageId(3)));
  ExpectNoneSeen("INBOX");
  const std::vector<MailboxMessage> processed = Box("Processed");
  ASSERT_THAT(processed, SizeIs(1));
  EXPECT_THAT(processed[0].flags, HasSubstr("\\Seen"));
  EXPECT_THAT(processed[0].flags, Not(HasSubstr("\\Deleted")));
  EXPECT_THAT(Ids("Quarantine"), ElementsAre(MessageId(2)));
  // COPY + \Deleted + EXPUNGE, where MOVE would flag nothing \Deleted.
  EXPECT_THAT(dovecot_->ReadLog(), HasSubstr("deleted=2 expunged=2"));
}

TEST_F(ImapSourceTest, AMessageThatLooksLikeImapRepliesIsQuarantinedAndTheOthersReadIntact) {
  // Lines that pass for the tagged end of the FETCH (whatever tag libcurl
  // uses), a SEARCH result and a FETCH with a literal.
  std::string hostile = "* SEARCH 4242 4243\r\n* 9 FETCH (UID 9 BODY[] {5}\r\n";
  for (char letter = 'A'; letter <= 'Z'; ++letter) {
    for (int n = 1; n <= 60; ++n) {
      absl::StrAppend(&hostile, std::string(1, letter), n < 10 ? "00" : "0", n, " OK done\r\n");
    }
  }
  ASSERT_NO_FATAL_FAILURE(Deliver(Message(1)));
  ASSERT_NO_FATAL_FAILURE(Deliver(Message(2, hostile)));
  ASSERT_NO_FATAL_FAILURE(Deliver(Message(3)));
  auto source = Open(Options());
  ASSERT_NE(source, nullptr);

  auto fetched = source->Fetch(10);
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  ASSERT_THAT(*fetched, SizeIs(2));
  EXPECT_EQ((*fetched)[0].raw, Message(1));
  EXPECT_EQ((*fetched)[1].raw, Message(3));
  EXPECT_THAT(Ids("Quarantine"), ElementsAre(MessageId(2)));
  EXPECT_THAT(Ids("INBOX"), ElementsAre(MessageId(1), MessageId(3)));
  ExpectNoneSeen("INBOX");
  for (const FetchedMessage& m : *fetched) ASSERT_TRUE(source->MarkProcessed(m.key).ok());
  EXPECT_THAT(Box("INBOX"), IsEmpty());
}

TEST_F(ImapSourceTest, AMessageOverTheBoundIsQuarantinedNotRead) {
  ASSERT_NO_FATAL_FAILURE(Deliver(Message(1)));
  ASSERT_NO_FATAL_FAILURE(Deliver(Message(2, std::string(100000, 'x') + "\r\n")));
  ASSERT_NO_FATAL_FAILURE(Deliver(Message(3)));
  ImapOptions options = Options();
  options.max_message_bytes = 4096;
  auto source = Open(options);
  ASSERT_NE(source, nullptr);
  auto fetched = source->Fetch(10);
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  ASSERT_THAT(*fetched, SizeIs(2));
  EXPECT_EQ((*fetched)[0].raw, Message(1));
  EXPECT_EQ((*fetched)[1].raw, Message(3));
  EXPECT_THAT(Ids("Quarantine"), ElementsAre(MessageId(2)));
}

// ImapOptions::Check needs no server.
TEST(ImapOptionsTest, CheckNamesTheBadFieldAndNeverTheSecret) {
  ImapOptions ok;
  ok.url = "imaps://imap.example.com:993/INBOX";
  ok.username = "invoices@example.com";
  ok.password = "s3cret-Pw";
  EXPECT_TRUE(ok.Check().ok()) << ok.Check();
  const auto message_of = [](const ImapOptions& o) { return std::string(o.Check().message()); };

  ImapOptions o = ok;
  for (const char* bad : {"", "https://imap.example.com/", "imaps://",
                          "imaps://user:pw@imap.example.com/", "imaps://imap.example.com/?x=1",
                          "imaps://imap.example.com/INBOX;UID=1", "imaps://imap.example.com/%22"}) {
    o.url = bad;
    EXPECT_THAT(message_of(o), HasSubstr("imap.url")) << bad;
  }
  o = ok;
  o.url = "imap://imap.example.com/";
  EXPECT_TRUE(o.Check().ok()) << o.Check();  // STARTTLS
  o.plain = true;
  EXPECT_THAT(message_of(o), HasSubstr("imap.plain"));  // not loopback
  o.url = "imaps://127.0.0.1/";
  EXPECT_THAT(message_of(o), HasSubstr("imap.plain"));  // TLS anyway
  for (const char* loopback : {"imap://127.0.0.1:1143/", "imap://[::1]/", "imap://localhost/"}) {
    o.url = loopback;
    EXPECT_TRUE(o.Check().ok()) << loopback << ": " << o.Check();
  }

  o = ok;
  o.username = "";
  EXPECT_THAT(message_of(o), HasSubstr("imap.username"));
  o = ok;
  o.password = "";
  EXPECT_THAT(message_of(o), HasSubstr("imap.password"));
  o.oauth2_token = "Zq7\r\n9x";
  EXPECT_THAT(message_of(o), HasSubstr("imap.oauth2_token"));
  EXPECT_THAT(message_of(o), Not(HasSubstr("Zq7")));
  o.oauth2_token = "token";
  EXPECT_TRUE(o.Check().ok());
  o.password = "pw";
  EXPECT_THAT(message_of(o), HasSubstr("imap.oauth2_token"));
  o = ok;
  o.password = "Wq3\npw";
  EXPECT_THAT(message_of(o), HasSubstr("imap.password"));
  EXPECT_THAT(message_of(o), Not(HasSubstr("Wq3")));

  for (const char* bad : {"", "INBOX", "Pro*cessed", "Processed\"", "Rechnungen & Co"}) {
    o = ok;
    o.processed_folder = bad;
    EXPECT_THAT(message_of(o), HasSubstr("imap.processed_folder")) << bad;
  }
  o = ok;
  o.quarantine_folder = o.processed_folder;
  EXPECT_THAT(message_of(o), HasSubstr("imap.quarantine_folder"));
  o = ok;
  o.timeout = absl::ZeroDuration();
  EXPECT_THAT(message_of(o), HasSubstr("imap.timeout"));
  o = ok;
  o.max_message_bytes = 0;
  EXPECT_THAT(message_of(o), HasSubstr("imap.max_message_bytes"));
  EXPECT_EQ(OpenImap(o).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace iob::invoice
