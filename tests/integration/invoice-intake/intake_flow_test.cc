// Invoice intake through the real path: iob-invoice-intake with
// credentials, the supplier simulator and dispatch as child processes on one
// Postgres (intake_stack.h). An order goes to the simulator and ships; the
// supplier's invoice arrives as mail (a cXML InvoiceDetailRequest attached,
// composed with libs/mail) through IngestMessage and through a Maildir, and
// is stored once, routed, its sender recognised, and matched line by line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "iob/invoice/v1/invoice_service.grpc.pb.h"
#include "libs/cxml/examples.h"
#include "libs/cxml/reader.h"
#include "libs/cxml/writer.h"
#include "libs/mail/message.h"
#include "tests/integration/dispatch/dispatch_test_util.h"
#include "tests/integration/invoice-intake/intake_stack.h"
#include "tests/support/http_client.h"
#include "tests/support/shared_stack_test.h"
#include "tests/support/wait.h"

namespace iob::invoice {
namespace {

namespace ipb = ::iob::invoice::v1;
using ::iob::dispatch::testing::Approved;
using ::iob::dispatch::testing::CreateSimIntegration;
using ::iob::dispatch::testing::MakeOrder;
using ::iob::dispatch::testing::Profile;
using ::iob::dispatch::testing::SimFulfillment;
using ::iob::dispatch::testing::SimIntegration;
using ::iob::dispatch::testing::Submit;
using ::iob::dispatch::testing::WaitForState;
using ::iob::testing::Service;
using ::iob::testing::SimGroup;
using ::iob::testing::TestStack;
using ::iob::testing::WaitFor;
using testing::CxmlInvoice;
using testing::CxmlInvoiceDocument;
using ::testing::HasSubstr;
using testing::WriteCxml;
namespace dpb = ::iob::dispatch::v1;

constexpr const char* kVerified = testing::kVerifiedAmazon;

class IntakeFlowTest : public ::iob::testing::SharedStackTest<IntakeFlowTest> {
 public:
  static std::unique_ptr<TestStack> StartStack(std::string* error) {
    maildir_ = new std::string(::iob::testing::MakeTempDir("intake-maildir-"));
    return testing::StartIntakeStack(*maildir_, error,
                                     {"--supplier-match-policy", "amazon-business: total=1%|0.10"});
  }

 protected:
  // An Amazon integration at the simulator and a shipped order PO with two
  // lines (SKU-1, SKU-2: 2 x 10.50 each).
  SimIntegration ShippedOrder(const std::string& integration_id, const std::string& po) {
    auto in = CreateSimIntegration(stack(), "acme", integration_id, Profile::kAmazon);
    EXPECT_TRUE(in.ok()) << in.status();
    if (!in.ok()) return {};
    EXPECT_TRUE(SimFulfillment(stack(), R"("confirm":"accept","ship_notice":true)").ok());
    dpb::Order order;
    grpc::Status st = Submit(stack(), "acme", in->name, MakeOrder(po, 2), Approved(), &order);
    EXPECT_TRUE(st.ok()) << st.error_message();
    auto shipped = WaitForState(stack(), order.name(), dpb::ORDER_STATE_SHIPPED);
    EXPECT_TRUE(shipped.ok()) << shipped.status();
    return *in;
  }

  std::string Address() { return testing::Address(stack()); }
  ipb::Message Ingest(const std::string& raw) { return testing::Ingest(stack(), raw); }
  ipb::Invoice Invoice(const std::string& name) { return testing::GetInvoice(stack(), name); }
  std::vector<ipb::Invoice> ByPo(const std::string& po) {
    return testing::InvoicesForPo(stack(), po);
  }

  // Posts `d` to the intake's supplier edge as `group` with `secret`;
  // returns the answered cXML Status code, or minus the HTTP status.
  int Post(cxml::Document d, const SimGroup& group, const std::string& secret) {
    d.header.from = {{"NetworkId", "AmazonBusiness", ""}};
    d.header.to = {{"NetworkId", group.from_identity, ""}};
    d.header.sender = {{"NetworkId", group.from_identity, secret}};
    auto r =
        ::iob::testing::Http("POST", stack().http_url(Service::kInvoiceIntake) + "/cxml/invoice",
                             WriteCxml(d), "text/xml");
    if (!r.ok()) return -1;
    if (r->status != 200) return -r->status;
    EXPECT_THAT(r->body, ::testing::Not(HasSubstr(secret)));
    auto answer = cxml::ReadDocument(r->body);
    if (!answer.ok() || !std::holds_alternative<cxml::Response>(answer->body)) return -2;
    return std::get<cxml::Response>(answer->body).status.code;
  }

  void Resolve(const std::string& name, bool accept, const std::string& note) {
    ipb::ResolveExceptionRequest resolve;
    resolve.set_name(name);
    resolve.set_decision(accept ? ipb::ResolveExceptionRequest::DECISION_ACCEPT
                                : ipb::ResolveExceptionRequest::DECISION_REJECT);
    resolve.set_note(note);
    ipb::Invoice out;
    grpc::Status st =
        stack().Invoices()->ResolveException(stack().Ctx("platform").get(), resolve, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
  }

  static bool Has(const ipb::Invoice& i, ipb::ExceptionType type) {
    for (const auto& e : i.exceptions()) {
      if (e.type() == type) return true;
    }
    return false;
  }

  static inline std::string* maildir_ = nullptr;
};

TEST_F(IntakeFlowTest, AddressIsStableAndUnguessable) {
  const std::string a = Address();
  EXPECT_THAT(a, ::testing::MatchesRegex("acme-[a-z0-9]{10}@invoices\\.iob\\.test"));
  EXPECT_EQ(Address(), a);
}

TEST_F(IntakeFlowTest, CxmlInvoiceByMailIsStoredOnceAndMatched) {
  const std::string integration = ShippedOrder("inv-flow", "PO-INV-1").name;
  const std::string raw = testing::InvoiceMail(
      Address(), "invoices@amazon.com",
      CxmlInvoice("INV-1", "PO-INV-1", {{"SKU-1", "2", "10.50"}, {"SKU-2", "2", "10.50"}}, "42.00"),
      kVerified, "inv-1");
  ipb::Message m = Ingest(raw);
  EXPECT_EQ(m.state(), ipb::MESSAGE_STATE_PROCESSED) << m.reason();
  EXPECT_FALSE(m.duplicate());
  ASSERT_EQ(m.invoices_size(), 1) << m.reason();
  ipb::Invoice i = Invoice(m.invoices(0));
  EXPECT_EQ(i.state(), ipb::INVOICE_STATE_MATCHED) << i.reason() << i.DebugString();
  EXPECT_EQ(i.integration(), integration);
  EXPECT_TRUE(i.sender_verified());
  EXPECT_EQ(i.invoice_number().value(), "INV-1");
  EXPECT_THAT(i.invoice_number().rule(), HasSubstr("cxml"));
  ASSERT_EQ(i.matches_size(), 2);
  EXPECT_TRUE(i.matches(0).ok());
  EXPECT_EQ(i.matches(0).shipped_quantity(), "2");
  ASSERT_EQ(i.sources_size(), 1);
  EXPECT_EQ(i.sources(0).format(), ipb::INVOICE_FORMAT_CXML);
  // Amazon's override of the total tolerance, the defaults for the rest.
  EXPECT_EQ(i.match_policy(),
            "amazon-business: price 1% or 0.05, quantity exact, tax 1% or 0.05, total 1% or 0.10");

  // The same bytes again: the same message, nothing new.
  ipb::Message again = Ingest(raw);
  EXPECT_TRUE(again.duplicate());
  EXPECT_EQ(again.name(), m.name());
  EXPECT_EQ(Invoice(m.invoices(0)).sources_size(), 1);
}

TEST_F(IntakeFlowTest, ASecondCopyWithOtherAmountsIsAnExceptionNotAnOverwrite) {
  ShippedOrder("inv-copy", "PO-INV-2");
  const std::string xml = CxmlInvoice("INV-2", "PO-INV-2", {{"SKU-1", "2", "10.50"}}, "21.00");
  ipb::Message first =
      Ingest(testing::InvoiceMail(Address(), "invoices@amazon.com", xml, kVerified, "inv-2a"));
  ASSERT_EQ(first.invoices_size(), 1) << first.reason();
  // The same invoice by another mail: one invoice, two sources.
  ipb::Message second =
      Ingest(testing::InvoiceMail(Address(), "invoices@amazon.com", xml, kVerified, "inv-2b"));
  ASSERT_EQ(second.invoices_size(), 1);
  EXPECT_EQ(second.invoices(0), first.invoices(0));
  ipb::Invoice i = Invoice(first.invoices(0));
  EXPECT_EQ(i.sources_size(), 2);
  EXPECT_EQ(i.state(), ipb::INVOICE_STATE_MATCHED);
  // A third copy whose amounts differ.
  ipb::Message third = Ingest(testing::InvoiceMail(
      Address(), "invoices@amazon.com",
      CxmlInvoice("INV-2", "PO-INV-2", {{"SKU-1", "2", "12.50"}}, "25.00"), kVerified, "inv-2c"));
  ASSERT_EQ(third.invoices_size(), 1);
  i = Invoice(first.invoices(0));
  EXPECT_EQ(i.state(), ipb::INVOICE_STATE_EXCEPTION);
  bool duplicate = false;
  for (const auto& e : i.exceptions()) duplicate |= e.type() == ipb::EXCEPTION_TYPE_DUPLICATE;
  EXPECT_TRUE(duplicate) << i.DebugString();
  EXPECT_EQ(i.gross().value(), "21.00");  // the first copy's values stay
}

TEST_F(IntakeFlowTest, PriceOutsideToleranceAndUnknownPoAreExceptions) {
  ShippedOrder("inv-price", "PO-INV-3");
  ipb::Message m = Ingest(testing::InvoiceMail(
      Address(), "invoices@amazon.com",
      CxmlInvoice("INV-3", "PO-INV-3", {{"SKU-1", "2", "11.00"}, {"SKU-2", "2", "10.50"}}, "43.00"),
      kVerified, "inv-3"));
  ASSERT_EQ(m.invoices_size(), 1) << m.reason();
  ipb::Invoice i = Invoice(m.invoices(0));
  EXPECT_EQ(i.state(), ipb::INVOICE_STATE_EXCEPTION);
  bool price = false;
  for (const auto& e : i.exceptions()) price |= e.type() == ipb::EXCEPTION_TYPE_PRICE_VARIANCE;
  EXPECT_TRUE(price) << i.DebugString();

  ipb::Message unknown = Ingest(testing::InvoiceMail(
      Address(), "invoices@amazon.com",
      CxmlInvoice("INV-4", "PO-NOBODY", {{"SKU-1", "1", "10.50"}}, "10.50"), kVerified, "inv-4"));
  ASSERT_EQ(unknown.invoices_size(), 1) << unknown.reason();
  i = Invoice(unknown.invoices(0));
  EXPECT_EQ(i.state(), ipb::INVOICE_STATE_EXCEPTION);
  bool no_order = false;
  for (const auto& e : i.exceptions()) no_order |= e.type() == ipb::EXCEPTION_TYPE_NO_ORDER;
  EXPECT_TRUE(no_order) << i.DebugString();

  // A person accepts it, with a note.
  ipb::ResolveExceptionRequest resolve;
  resolve.set_name(i.name());
  resolve.set_decision(ipb::ResolveExceptionRequest::DECISION_ACCEPT);
  resolve.set_note("PO was placed by phone");
  ipb::Invoice out;
  grpc::Status st =
      stack().Invoices()->ResolveException(stack().Ctx("platform").get(), resolve, &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(out.state(), ipb::INVOICE_STATE_ACCEPTED);
  EXPECT_THAT(out.reason(), HasSubstr("PO was placed by phone"));
  st = stack().Invoices()->ResolveException(stack().Ctx("platform").get(), resolve, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(IntakeFlowTest, UnverifiedSenderNeedsReviewAndUnroutableIsQuarantined) {
  ShippedOrder("inv-forged", "PO-INV-5");
  const std::string xml = CxmlInvoice("INV-5", "PO-INV-5", {{"SKU-1", "2", "10.50"}}, "21.00");
  ipb::Message forged =
      Ingest(testing::InvoiceMail(Address(), "invoices@amazon.com", xml, "", "inv-5"));
  ASSERT_EQ(forged.invoices_size(), 1) << forged.reason();
  ipb::Invoice i = Invoice(forged.invoices(0));
  EXPECT_EQ(i.state(), ipb::INVOICE_STATE_NEEDS_REVIEW);
  EXPECT_FALSE(i.sender_verified());
  EXPECT_THAT(i.reason(), HasSubstr("not verified"));

  // Results the sender wrote itself, under another server's name, count for nothing.
  ipb::Message self_signed = Ingest(testing::InvoiceMail(
      Address(), "invoices@amazon.com",
      CxmlInvoice("INV-5b", "PO-INV-5", {{"SKU-1", "2", "10.50"}}, "21.00"),
      "evil.example; dkim=pass header.d=amazon.com; dmarc=pass header.from=amazon.com", "inv-5b"));
  ASSERT_EQ(self_signed.invoices_size(), 1) << self_signed.reason();
  EXPECT_EQ(Invoice(self_signed.invoices(0)).state(), ipb::INVOICE_STATE_NEEDS_REVIEW);

  ipb::Message stray = Ingest(testing::InvoiceMail("nobody@invoices.iob.test",
                                                   "invoices@amazon.com", xml, kVerified, "inv-6"));
  EXPECT_EQ(stray.state(), ipb::MESSAGE_STATE_QUARANTINED);
  EXPECT_THAT(stray.reason(), HasSubstr("unroutable"));
  EXPECT_EQ(stray.invoices_size(), 0);
}

TEST_F(IntakeFlowTest, MaildirMessagesAreStoredThenMovedToProcessed) {
  ShippedOrder("inv-maildir", "PO-INV-7");
  const std::string raw = testing::InvoiceMail(
      Address(), "invoices@amazon.com",
      CxmlInvoice("INV-7", "PO-INV-7", {{"SKU-2", "2", "10.50"}}, "21.00"), kVerified, "inv-7");
  const std::string path = *maildir_ + "/new/1700000000.inv7.host";
  ::iob::testing::WriteFileAtomically(path, raw);
  WaitFor([&] { return !std::filesystem::exists(path); }, "the Maildir message taken");
  std::vector<ipb::Invoice> found;
  WaitFor(
      [&] {
        found = ByPo("PO-INV-7");
        return found.size() == 1;
      },
      "the Maildir invoice listed");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].state(), ipb::INVOICE_STATE_MATCHED) << found[0].DebugString();
  ASSERT_EQ(found[0].sources_size(), 1);
  EXPECT_EQ(testing::FilesIn(*maildir_, ".Processed/cur").size(), 1u);
}

TEST_F(IntakeFlowTest, SuppliersPostCxmlInvoicesToTheHttpEdge) {
  const SimIntegration in = ShippedOrder("inv-post", "PO-INV-8");
  const cxml::Document d =
      CxmlInvoiceDocument("INV-8", "PO-INV-8", {{"SKU-1", "2", "10.50"}}, "21.00");
  const std::string metrics_before = stack().Metrics(Service::kInvoiceIntake);

  // A wrong secret: 401, nothing stored.
  EXPECT_EQ(Post(d, in.group, "not-the-secret"), 401);
  EXPECT_TRUE(ByPo("PO-INV-8").empty());
  // Not an invoice: refused by type.
  cxml::Document confirmation = cxml::ExampleDocument(cxml::DocumentType::kConfirmationRequest);
  EXPECT_EQ(Post(confirmation, in.group, in.group.shared_secret), 406);

  ASSERT_EQ(Post(d, in.group, in.group.shared_secret), 200);
  std::vector<ipb::Invoice> found = ByPo("PO-INV-8");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].state(), ipb::INVOICE_STATE_MATCHED) << found[0].DebugString();
  EXPECT_EQ(found[0].integration(), in.name);
  EXPECT_TRUE(found[0].sender_verified());  // the shared secret proves it
  ASSERT_EQ(found[0].sources_size(), 1);
  EXPECT_EQ(found[0].sources(0).format(), ipb::INVOICE_FORMAT_CXML);

  // The supplier retries the same post: answered 200 again, stored once.
  EXPECT_EQ(Post(d, in.group, in.group.shared_secret), 200);
  // The same invoice by mail too: one invoice with both sources.
  ipb::Message mailed = Ingest(testing::InvoiceMail(Address(), "invoices@amazon.com", WriteCxml(d),
                                                    kVerified, "inv-8-mail"));
  ASSERT_EQ(mailed.invoices_size(), 1) << mailed.reason();
  EXPECT_EQ(mailed.invoices(0), found[0].name());
  found = ByPo("PO-INV-8");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].sources_size(), 2);
  EXPECT_EQ(found[0].state(), ipb::INVOICE_STATE_MATCHED);

  const std::string metrics = stack().Metrics(Service::kInvoiceIntake);
  auto grew = [&](const std::string& name, const std::map<std::string, std::string>& labels) {
    return ::iob::testing::SampleSum(metrics, name, labels) -
           ::iob::testing::SampleSum(metrics_before, name, labels);
  };
  EXPECT_EQ(grew("iob_intake_inbound_documents_total",
                 {{"type", "InvoiceDetailRequest"}, {"code", "200"}}),
            2);
  EXPECT_EQ(grew("iob_intake_inbound_documents_total", {{"code", "401"}}), 1);
  EXPECT_EQ(grew("iob_intake_messages_total", {{"source", "cxml_post"}, {"outcome", "processed"}}),
            1);
  EXPECT_EQ(grew("iob_intake_messages_total", {{"source", "cxml_post"}, {"outcome", "duplicate"}}),
            1);
  EXPECT_EQ(grew("iob_intake_invoices_total", {{"format", "cxml"}, {"state", "matched"}}), 2);
}

TEST_F(IntakeFlowTest, AnAcceptedInvoiceCountsTowardsWhatTheOrderHasBeenInvoiced) {
  ShippedOrder("inv-accept", "PO-INV-9");
  // 2 x SKU-1 at 11.00: a price variance a person accepts.
  ipb::Message first = Ingest(testing::InvoiceMail(
      Address(), "invoices@amazon.com",
      CxmlInvoice("INV-9a", "PO-INV-9", {{"SKU-1", "2", "11.00"}}, "22.00"), kVerified, "inv-9a"));
  ASSERT_EQ(first.invoices_size(), 1) << first.reason();
  ipb::Invoice a = Invoice(first.invoices(0));
  ASSERT_EQ(a.state(), ipb::INVOICE_STATE_EXCEPTION);
  EXPECT_TRUE(Has(a, ipb::EXCEPTION_TYPE_PRICE_VARIANCE)) << a.DebugString();
  Resolve(a.name(), true, "price rise agreed by phone");

  // The same two units billed again: over-invoiced, because the accepted
  // invoice already billed what shipped.
  ipb::Message second = Ingest(testing::InvoiceMail(
      Address(), "invoices@amazon.com",
      CxmlInvoice("INV-9b", "PO-INV-9", {{"SKU-1", "2", "10.50"}}, "21.00"), kVerified, "inv-9b"));
  ASSERT_EQ(second.invoices_size(), 1) << second.reason();
  ipb::Invoice b = Invoice(second.invoices(0));
  EXPECT_EQ(b.state(), ipb::INVOICE_STATE_EXCEPTION);
  EXPECT_TRUE(Has(b, ipb::EXCEPTION_TYPE_OVER_INVOICED)) << b.DebugString();

  // Rejected, it puts nothing on the order: SKU-2 billed after a rejected
  // invoice for it still matches.
  ipb::Message third = Ingest(testing::InvoiceMail(
      Address(), "invoices@amazon.com",
      CxmlInvoice("INV-9c", "PO-INV-9", {{"SKU-2", "2", "13.00"}}, "26.00"), kVerified, "inv-9c"));
  ASSERT_EQ(third.invoices_size(), 1) << third.reason();
  Resolve(third.invoices(0), false, "wrong price");
  ipb::Message fourth = Ingest(testing::InvoiceMail(
      Address(), "invoices@amazon.com",
      CxmlInvoice("INV-9d", "PO-INV-9", {{"SKU-2", "2", "10.50"}}, "21.00"), kVerified, "inv-9d"));
  ASSERT_EQ(fourth.invoices_size(), 1) << fourth.reason();
  EXPECT_EQ(Invoice(fourth.invoices(0)).state(), ipb::INVOICE_STATE_MATCHED);
}

TEST_F(IntakeFlowTest, TwoInvoicesOfOneOrderLineAtOnceAreCheckedOneAfterTheOther) {
  ShippedOrder("inv-race", "PO-INV-10");
  // Each bills both shipped units of SKU-1: together they over-invoice it.
  std::vector<std::string> mails;
  for (const char* number : {"INV-10a", "INV-10b"}) {
    mails.push_back(testing::InvoiceMail(
        Address(), "invoices@amazon.com",
        CxmlInvoice(number, "PO-INV-10", {{"SKU-1", "2", "10.50"}}, "21.00"), kVerified, number));
  }
  // Both are held where they read what was invoiced before, then let go
  // together: without a lock of their own they would both read nothing.
  pqxx::connection admin(stack().db().AdminUrl());
  pqxx::work hold(admin);
  hold.exec("LOCK TABLE invoice_intake.invoiced_quantities IN ACCESS EXCLUSIVE MODE");
  std::vector<ipb::Message> taken(mails.size());
  std::vector<std::thread> threads;
  for (size_t n = 0; n < mails.size(); ++n) {
    threads.emplace_back([&, n] { taken[n] = Ingest(mails[n]); });
  }
  // Both waiting, each holding its own invoice's lock (a sweep reading the
  // same message a second time waits for that lock, so it is not counted).
  WaitFor(
      [&] {
        return stack()
                   .AdminQuery(
                       "SELECT count(DISTINCT a.pid) FROM pg_stat_activity a JOIN pg_locks l ON "
                       "l.pid = a.pid AND l.locktype = 'advisory' AND l.granted WHERE "
                       "a.wait_event_type = 'Lock' AND a.datname = current_database()")[0][0]
                   .as<int>() == 2;
      },
      "both invoices waiting");
  hold.abort();
  for (std::thread& t : threads) t.join();
  int matched = 0, over = 0;
  for (const ipb::Message& m : taken) {
    ASSERT_EQ(m.invoices_size(), 1) << m.reason();
    const ipb::Invoice i = Invoice(m.invoices(0));
    matched += i.state() == ipb::INVOICE_STATE_MATCHED;
    over += Has(i, ipb::EXCEPTION_TYPE_OVER_INVOICED);
  }
  EXPECT_EQ(matched, 1);
  EXPECT_EQ(over, 1);
}

}  // namespace
}  // namespace iob::invoice
