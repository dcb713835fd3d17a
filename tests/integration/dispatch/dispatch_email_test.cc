// The rule's PDF action through the real path: a dispatch rule with "Send
// purchase order PDF" on, orders rendered as PDF, e-mailed through a real
// SMTP server (aiosmtpd, STARTTLS + AUTH) by iob-dispatch, parsed back with
// GMime and read with poppler; the relay's transient and permanent replies,
// its absence, and a dispatcher killed mid-send.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/integration/dispatch/dispatch_test_util.h"
#include "tests/support/mail_reading.h"
#include "tests/support/smtp_sink.h"
#include "tests/support/wait.h"

namespace iob::dispatch::testing {
namespace {

using ::iob::testing::ParsedMail;
using ::iob::testing::ParseMail;
using ::iob::testing::PdfPages;
using ::iob::testing::SmtpSink;
using ::iob::testing::WaitFor;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kOrderEmail[] = "orders@supplier.example";
constexpr char kMailFrom[] = "purchasing@acme.example";

class DispatchEmailTest : public DispatchStackTest<DispatchEmailTest> {
 public:
  // Starts the relay the dispatch of this suite sends through (STARTTLS,
  // AUTH) before the stack, which takes its address as flags.
  static std::vector<std::string> DispatchFlags() {
    auto sink = SmtpSink::Start(
        {.tls = ::iob::testing::SmtpSinkTls::kStartTls, .auth = "iob:relay-pw", .port = 0});
    if (!sink.ok()) {
      ADD_FAILURE() << sink.status();
      return {};
    }
    sink_ = sink->release();
    const std::string password_file = sink_->dir() + "/smtp-password";
    ::iob::testing::WriteFileAtomically(password_file, "relay-pw\n");
    return {"--smtp-url",           sink_->url(),  "--smtp-ca-file", sink_->ca_file(),
            "--smtp-user",          "iob",         "--mail-from",    kMailFrom,
            "--smtp-password-file", password_file, "--smtp-timeout", "2s"};
  }
  static void TearDownTestSuite() {
    DispatchStackTest<DispatchEmailTest>::TearDownTestSuite();
    delete sink_;
    sink_ = nullptr;
  }

 protected:
  SmtpSink& sink() { return *sink_; }

  // An integration with an order e-mail and the rule "PDF on, cXML off".
  std::string EmailIntegration(const std::string& id) {
    auto in = CreateSimIntegration(stack(), "acme", id, Profile::kAmazon);
    EXPECT_TRUE(in.ok()) << in.status();
    if (!in.ok()) return "";
    cpb::UpdateIntegrationRequest update;
    update.mutable_integration()->set_name(in->name);
    update.mutable_integration()->set_order_email(kOrderEmail);
    update.mutable_integration()->set_display_name("Müller GmbH 東京");
    update.mutable_update_mask()->add_paths("order_email");
    update.mutable_update_mask()->add_paths("display_name");
    cpb::Integration out;
    grpc::Status st =
        stack().Credentials()->UpdateIntegration(stack().Ctx("admin").get(), update, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(out.order_email(), kOrderEmail);
    pb::UpdateDispatchRuleRequest rule;
    rule.mutable_rule()->set_name(in->name + "/dispatchRule");
    rule.mutable_rule()->set_send_pdf(true);
    pb::DispatchRule set;
    st = stack().Dispatch()->UpdateDispatchRule(stack().Ctx("admin").get(), rule, &set);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return in->name;
  }

  // The accepted messages whose Message-ID is `message_id`.
  std::vector<ParsedMail> AcceptedWithId(const std::string& message_id) {
    std::vector<ParsedMail> found;
    for (const std::string& raw : sink().Accepted()) {
      auto m = ParseMail(raw);
      if (m.ok() && m->message_id == message_id) found.push_back(*m);
    }
    return found;
  }

  static std::string MessageId(const pb::Order& o, int version) {
    const std::string id = o.name().substr(o.name().rfind('/') + 1);
    return absl::StrCat("po.", id, ".v", version, ".acme@acme.example");
  }

  static inline SmtpSink* sink_ = nullptr;
};

TEST_F(DispatchEmailTest, PdfRuleNeedsAnOrderEmailAndBothOnIsRefused) {
  auto in = CreateSimIntegration(stack(), "acme", "mail-rule", Profile::kGeneric);
  ASSERT_TRUE(in.ok()) << in.status();
  pb::UpdateDispatchRuleRequest set;
  set.mutable_rule()->set_name(in->name + "/dispatchRule");
  set.mutable_rule()->set_send_pdf(true);
  pb::DispatchRule rule;
  grpc::Status st = stack().Dispatch()->UpdateDispatchRule(stack().Ctx("admin").get(), set, &rule);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(st.error_message(), HasSubstr("no order e-mail"));
  set.mutable_rule()->set_send_cxml(true);
  st = stack().Dispatch()->UpdateDispatchRule(stack().Ctx("admin").get(), set, &rule);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("twice"));

  // A malformed order e-mail never reaches the integration.
  cpb::UpdateIntegrationRequest update;
  update.mutable_integration()->set_name(in->name);
  update.mutable_integration()->set_order_email("orders@supplier.example\r\nBcc: x@evil.example");
  update.mutable_update_mask()->add_paths("order_email");
  cpb::Integration out;
  st = stack().Credentials()->UpdateIntegration(stack().Ctx("admin").get(), update, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("integration.order_email"));
}

TEST_F(DispatchEmailTest, OrderArrivesAsAPdfMailTheSupplierCanRead) {
  const std::string integration = EmailIntegration("mail-flow");
  pb::Order order;
  grpc::Status st =
      Submit(stack(), "acme", integration, MakeOrder("PO-MAIL-1", 3), Approved(), &order);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(order.channel(), pb::CHANNEL_EMAIL);
  auto delivered = WaitForState(stack(), order.name(), pb::ORDER_STATE_DELIVERED);
  ASSERT_TRUE(delivered.ok()) << delivered.status();
  // A person reads it: no electronic confirmation is awaited.
  EXPECT_FALSE(delivered->has_confirm_deadline_time());
  ASSERT_EQ(delivered->attempts_size(), 1);
  EXPECT_EQ(delivered->attempts(0).outcome(), "ok");
  EXPECT_EQ(delivered->attempts(0).smtp_code(), 250);
  ASSERT_EQ(delivered->exchanges_size(), 1);
  const pb::Exchange& sent = delivered->exchanges(0);
  EXPECT_EQ(sent.document_type(), "OrderEmail");
  EXPECT_EQ(sent.payload_id(), MessageId(order, 1));
  EXPECT_THAT(sent.document(), HasSubstr("Subject: Purchase order PO-MAIL-1 (version 1)"));
  EXPECT_THAT(sent.document(), HasSubstr("[attachment PO-PO-MAIL-1-v1.pdf: application/pdf"));
  // The cXML channel was not used.
  auto sim = SimOrder(stack(), "PO-MAIL-1");
  EXPECT_TRUE(!sim.ok() || sim->received == 0);

  std::vector<ParsedMail> mails = AcceptedWithId(MessageId(order, 1));
  ASSERT_EQ(mails.size(), 1u);
  const ParsedMail& m = mails[0];
  EXPECT_EQ(m.subject, "Purchase order PO-MAIL-1 (version 1)");
  ASSERT_EQ(m.from.size(), 1u);
  EXPECT_EQ(m.from[0].address, kMailFrom);
  EXPECT_EQ(m.from[0].name, "Accounts Payable");
  ASSERT_EQ(m.to.size(), 1u);
  EXPECT_EQ(m.to[0].address, kOrderEmail);
  EXPECT_EQ(m.Header("Date").size(), 1u);
  EXPECT_THAT(m.Text(), HasSubstr("PO-MAIL-1"));
  EXPECT_THAT(m.Text(), HasSubstr("63.00 USD"));
  const std::vector<::iob::testing::ParsedPart> attachments = m.Attachments();
  ASSERT_EQ(attachments.size(), 1u);
  EXPECT_EQ(attachments[0].file_name, "PO-PO-MAIL-1-v1.pdf");
  EXPECT_EQ(attachments[0].content_type, "application/pdf");
  auto pages = PdfPages(attachments[0].data);
  ASSERT_TRUE(pages.ok()) << pages.status();
  const std::string text = absl::StrJoin(*pages, "\n");
  EXPECT_THAT(text, HasSubstr("PO-MAIL-1"));
  for (const char* sku : {"SKU-1", "SKU-2", "SKU-3"}) EXPECT_THAT(text, HasSubstr(sku));
  EXPECT_THAT(text, HasSubstr("63.00"));
  EXPECT_THAT(text, HasSubstr("21.00"));  // a line total: 2 x 10.50
  EXPECT_THAT(text, HasSubstr("Müller GmbH"));
  EXPECT_THAT(text, HasSubstr("東京"));

  // The same PDF on request, for a look.
  pb::RenderOrderPdfRequest render;
  render.set_name(order.name());
  pb::OrderPdf pdf;
  st = stack().Dispatch()->RenderOrderPdf(stack().Ctx("platform").get(), render, &pdf);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(pdf.file_name(), "PO-PO-MAIL-1-v1.pdf");
  EXPECT_EQ(pdf.version(), 1);
  auto again = PdfPages(pdf.pdf());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(absl::StrJoin(*again, "\n"), HasSubstr("SKU-3"));
  render.set_version(7);
  st = stack().Dispatch()->RenderOrderPdf(stack().Ctx("platform").get(), render, &pdf);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(st.error_message(), HasSubstr("version 7"));
}

TEST_F(DispatchEmailTest, TransientRepliesAreRetriedAndTheMailGoesOnce) {
  const std::string integration = EmailIntegration("mail-retry");
  sink().ScriptReplies({"451 4.3.0 try later", "421 4.4.2 closing"});
  pb::Order order;
  ASSERT_TRUE(
      Submit(stack(), "acme", integration, MakeOrder("PO-MAIL-451"), Approved(), &order).ok());
  auto delivered = WaitForState(stack(), order.name(), pb::ORDER_STATE_DELIVERED);
  ASSERT_TRUE(delivered.ok()) << delivered.status();
  ASSERT_EQ(delivered->attempts_size(), 3);
  EXPECT_EQ(delivered->attempts(0).outcome(), "smtp_transient");
  EXPECT_EQ(delivered->attempts(0).smtp_code(), 451);
  EXPECT_THAT(delivered->attempts(0).text(), HasSubstr("try later"));
  EXPECT_EQ(delivered->attempts(1).smtp_code(), 421);
  EXPECT_EQ(delivered->attempts(2).outcome(), "ok");
  EXPECT_EQ(AcceptedWithId(MessageId(order, 1)).size(), 1u);
}

TEST_F(DispatchEmailTest, PermanentReplyFailsTheOrderWithTheRelaysText) {
  const std::string integration = EmailIntegration("mail-550");
  sink().ScriptReplies({"550 5.1.1 mailbox unavailable"});
  pb::Order order;
  ASSERT_TRUE(
      Submit(stack(), "acme", integration, MakeOrder("PO-MAIL-550"), Approved(), &order).ok());
  auto failed = WaitForState(stack(), order.name(), pb::ORDER_STATE_FAILED);
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_THAT(failed->failure_reason(), HasSubstr("mailbox unavailable"));
  ASSERT_EQ(failed->attempts_size(), 1);
  EXPECT_EQ(failed->attempts(0).outcome(), "smtp_permanent");
  EXPECT_EQ(failed->attempts(0).smtp_code(), 550);
  EXPECT_TRUE(AcceptedWithId(MessageId(order, 1)).empty());
}

TEST_F(DispatchEmailTest, RelayDownIsRetriedThenFailsAndGoesOnRetryOrder) {
  const std::string integration = EmailIntegration("mail-down");
  sink().Kill();
  pb::Order order;
  ASSERT_TRUE(
      Submit(stack(), "acme", integration, MakeOrder("PO-MAIL-DOWN"), Approved(), &order).ok());
  // Every attempt (--max-attempts 4) finds no relay: retried, then failed.
  auto failed = WaitForState(stack(), order.name(), pb::ORDER_STATE_FAILED);
  ASSERT_TRUE(failed.ok()) << failed.status();
  ASSERT_EQ(failed->attempts_size(), 4);
  for (const pb::Attempt& a : failed->attempts()) EXPECT_EQ(a.outcome(), "unavailable");
  EXPECT_THAT(failed->failure_reason(), HasSubstr("gave up after 4 attempts"));

  ASSERT_TRUE(sink().Restart().ok());
  pb::RetryOrderRequest retry;
  retry.set_name(order.name());
  pb::Order out;
  ASSERT_TRUE(stack().Dispatch()->RetryOrder(stack().Ctx("admin").get(), retry, &out).ok());
  auto delivered = WaitForState(stack(), order.name(), pb::ORDER_STATE_DELIVERED);
  ASSERT_TRUE(delivered.ok()) << delivered.status();
  EXPECT_EQ(AcceptedWithId(MessageId(order, 1)).size(), 1u);
}

TEST_F(DispatchEmailTest, KilledMidSendTheMailIsSentAgainWithTheSameMessageId) {
  const std::string integration = EmailIntegration("mail-kill");
  sink().ScriptReplies({"hold"});
  pb::Order order;
  ASSERT_TRUE(
      Submit(stack(), "acme", integration, MakeOrder("PO-MAIL-KILL"), Approved(), &order).ok());
  WaitFor([&] { return sink().Held().size() == 1; }, "the message held at the relay");
  stack().process(Service::kDispatch).Signal(SIGKILL);
  ASSERT_TRUE(stack().process(Service::kDispatch).WaitExit(absl::Seconds(10)).ok());
  ASSERT_TRUE(stack().Start(Service::kDispatch).ok());

  // After the lease the order goes again, under the same Message-ID.
  auto delivered = WaitForState(stack(), order.name(), pb::ORDER_STATE_DELIVERED);
  ASSERT_TRUE(delivered.ok()) << delivered.status();
  auto held = ParseMail(sink().Held()[0]);
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_EQ(held->message_id, MessageId(order, 1));
  EXPECT_EQ(AcceptedWithId(MessageId(order, 1)).size(), 1u);
  sink().Release();
}

TEST_F(DispatchEmailTest, ChangesAndCancellationsAreMailedAsNewVersions) {
  const std::string integration = EmailIntegration("mail-change");
  pb::Order order;
  ASSERT_TRUE(
      Submit(stack(), "acme", integration, MakeOrder("PO-MAIL-CHG"), Approved(), &order).ok());
  ASSERT_TRUE(WaitForState(stack(), order.name(), pb::ORDER_STATE_DELIVERED).ok());

  // Amazon by cXML takes no updates; by e-mail a person reads the change.
  pb::UpdateOrderRequest update;
  update.set_name(order.name());
  *update.mutable_order() = MakeOrder("PO-MAIL-CHG");
  update.mutable_order()->mutable_lines(0)->set_quantity("5");
  pb::Order changed;
  grpc::Status st =
      stack().Dispatch()->UpdateOrder(stack().Ctx("platform").get(), update, &changed);
  ASSERT_TRUE(st.ok()) << st.error_message();
  WaitFor([&] { return AcceptedWithId(MessageId(order, 2)).size() == 1; }, "version 2 mailed");
  ParsedMail v2 = AcceptedWithId(MessageId(order, 2))[0];
  EXPECT_EQ(v2.subject, "Purchase order PO-MAIL-CHG (version 2)");
  EXPECT_THAT(v2.Text(), HasSubstr("CHANGED"));
  ASSERT_EQ(v2.Attachments().size(), 1u);
  auto pages = PdfPages(v2.Attachments()[0].data);
  ASSERT_TRUE(pages.ok()) << pages.status();
  EXPECT_THAT(absl::StrJoin(*pages, "\n"), HasSubstr("CHANGED"));

  ASSERT_TRUE(WaitForState(stack(), order.name(), pb::ORDER_STATE_DELIVERED).ok());
  pb::CancelOrderRequest cancel;
  cancel.set_name(order.name());
  cancel.set_reason("ordered twice by mistake");
  st = stack().Dispatch()->CancelOrder(stack().Ctx("platform").get(), cancel, &changed);
  ASSERT_TRUE(st.ok()) << st.error_message();
  auto cancelled = WaitForState(stack(), order.name(), pb::ORDER_STATE_CANCELLED);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  std::vector<ParsedMail> v3 = AcceptedWithId(MessageId(order, 3));
  ASSERT_EQ(v3.size(), 1u);
  ASSERT_EQ(v3[0].Attachments().size(), 1u);
  pages = PdfPages(v3[0].Attachments()[0].data);
  ASSERT_TRUE(pages.ok()) << pages.status();
  const std::string text = absl::StrJoin(*pages, "\n");
  EXPECT_THAT(text, HasSubstr("CANCELLED"));
  EXPECT_THAT(text, HasSubstr("ordered twice by mistake"));
  EXPECT_THAT(text, Not(HasSubstr("CHANGED")));
}

}  // namespace
}  // namespace iob::dispatch::testing
