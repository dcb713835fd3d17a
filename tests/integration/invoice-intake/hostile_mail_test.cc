// Hostile mail through the running intake, by both ways in (IngestMessage
// and the Maildir it polls): a 100-deep multipart, a huge header, a zip bomb
// (2 MB that expand to 2 GiB), broken base64, an encrypted PDF, two PDF
// bombs (a content stream of 512 MiB of operators; 10,000 pages) and CR/LF
// in an attachment's name. Each ends quarantined, or its invoice held for
// review, with a reason that says why; the good message after them is still
// read and matched; and the intake's peak memory stays bounded.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/integration/invoice-intake/intake_stack.h"
#include "tests/integration/invoice-intake/intake_test_util.h"
#include "tests/support/shared_stack_test.h"
#include "tests/support/wait.h"
#include "tests/unit/invoice-intake/invoice_reader_fixtures.h"

namespace iob::invoice::testing {
namespace {

using ::iob::testing::MakeTempDir;
using ::iob::testing::WaitFor;
using ::iob::testing::WriteFileAtomically;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::testing::StartsWith;

// The bound on the intake's peak resident memory (VmHWM) after all of it.
// The service idles at about 35 MiB. What it may legitimately hold for
// these messages is each message a few times over (the gRPC request, the
// stored copy read back, GMime's copy, the decoded parts; the largest here
// is 2.8 MB) and the Maildir poll's batch (all of them, about 7 MB): well
// under 100 MiB more (about 70 MiB in all was measured). The bombs inside
// them would each take far more if the service expanded them: the zip
// 2 GiB, the embedded file of the unit tests 1 GiB. PDFs are read in a child
// process with a memory bound of its own (invoice_reader.h), which the
// service's VmHWM does not count.
constexpr int64_t kPeakRssBound = int64_t{192} << 20;

class HostileMailTest : public ::iob::testing::SharedStackTest<HostileMailTest> {
 public:
  static std::unique_ptr<TestStack> StartStack(std::string* error) {
    maildir_ = new std::string(MakeTempDir("hostile-maildir-"));
    return StartIntakeStack(*maildir_, error);
  }
  static void TearDownTestSuite() {
    SharedStackTest::TearDownTestSuite();
    ::iob::testing::RemoveTree(*maildir_);
  }

 protected:
  static inline std::string* maildir_ = nullptr;
};

// `data` in base64, in lines of 76 characters.
std::string Base64Lines(const std::string& data) {
  const std::string b64 = absl::Base64Escape(data);
  std::string out;
  for (size_t i = 0; i < b64.size(); i += 76) absl::StrAppend(&out, b64.substr(i, 76), "\r\n");
  return out;
}

// A mail from Amazon Business to `to`, as the receiving server stores it:
// `mime` is its MIME part (Content-Type on), `extra` more header lines.
std::string Mail(const std::string& to, const std::string& id, const std::string& mime,
                 const std::string& extra = "") {
  return Received(absl::StrCat("From: Amazon Business <invoices@amazon.com>\r\nTo: ", to,
                               "\r\nSubject: Your invoice\r\nMessage-ID: <", id,
                               "@amazon.com>\r\nMIME-Version: 1.0\r\n", extra, mime));
}

// A multipart/mixed MIME part: a text and one base64 attachment, its
// Content-Disposition parameters `name_params` (e.g. "filename=x.pdf").
std::string WithAttachment(const std::string& type, const std::string& name_params,
                           const std::string& base64) {
  return absl::StrCat(
      "Content-Type: multipart/mixed; boundary=\"part\"\r\n\r\n"
      "--part\r\nContent-Type: text/plain\r\n\r\nYour invoice is attached.\r\n"
      "--part\r\nContent-Type: ",
      type, "\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; ",
      name_params, "\r\n\r\n", base64, "--part--\r\n");
}

// One hostile message and what must become of it.
struct Hostile {
  std::string name;
  std::string mime;          // the MIME part (or, for the header, the rest)
  std::string extra_header;  // header lines before it
  std::string reason;        // the quarantined message's reason holds this
  // Set for a message that is read (processed) but whose invoice is held
  // for review: the invoice's reason holds this.
  std::string review_reason;
};

// The hostile messages. `crlf_invoice` is the cXML invoice the CR/LF one
// carries (a good invoice, in a forged-looking name).
std::vector<Hostile> HostileMessages(const std::string& crlf_invoice) {
  std::string deep = "Content-Type: multipart/mixed; boundary=b0\r\n\r\n";
  for (int i = 1; i < 100; ++i) {
    absl::StrAppend(&deep, "--b", i - 1, "\r\nContent-Type: multipart/mixed; boundary=b", i,
                    "\r\n\r\n");
  }
  absl::StrAppend(&deep, "--b99\r\nContent-Type: text/plain\r\n\r\ndeep\r\n");
  for (int i = 99; i >= 0; --i) absl::StrAppend(&deep, "--b", i, "--\r\n");

  std::string huge = "X-Padding: x";
  while (huge.size() < (300 << 10)) absl::StrAppend(&huge, "\r\n ", std::string(900, 'x'));
  absl::StrAppend(&huge, "\r\n");

  std::string broken = Base64Lines(testing::RenderPdf({testing::AmazonInvoicePage({})}));
  broken.insert(broken.size() / 2, "!*!");  // not base64

  const std::string zip = testing::ZipBomb(2048);
  EXPECT_LT(zip.size(), size_t{3} << 20);
  return {
      {"100-deep multipart", deep, "", "unreadable message: nesting deeper than 16", ""},
      {"huge header", "Content-Type: text/plain\r\n\r\nhello\r\n", huge,
       "unreadable message: headers larger than 262144 bytes", ""},
      {"zip bomb", WithAttachment("application/zip", "filename=invoices.zip", Base64Lines(zip)), "",
       "invoices.zip: an archive (zip), not opened: archives are never expanded", ""},
      {"broken base64", WithAttachment("application/pdf", "filename=invoice.pdf", broken), "",
       "invoice.pdf: broken base64: a character outside the alphabet (0x21)", ""},
      {"encrypted PDF",
       WithAttachment("application/pdf", "filename=invoice.pdf",
                      Base64Lines(testing::EncryptedPdf())),
       "", "invoice.pdf: encrypted PDF", ""},
      {"PDF content stream bomb",
       WithAttachment("application/pdf", "filename=invoice-bomb.pdf",
                      Base64Lines(testing::PdfStreamBomb(512))),
       "", "invoice-bomb.pdf: PDF reading stopped: ", ""},
      {"PDF of 10,000 pages",
       WithAttachment("application/pdf", "filename=delivery-notes.pdf",
                      Base64Lines(testing::PdfPageBomb(10000, 50))),
       "", "delivery-notes.pdf: no invoice found, and only the first 50 of 10000 pages were read",
       ""},
      {"CR/LF in a name",
       WithAttachment("text/xml", "filename*=utf-8''invoice%0D%0AX-Injected%3A%20yes.xml",
                      Base64Lines(crlf_invoice)),
       "", "", "the attachment's file name held control characters"},
  };
}

// Checks what became of `h` sent as `m` (`how` names the way in).
void ExpectOutcome(TestStack& stack, const Hostile& h, const ipb::Message& m,
                   const std::string& how) {
  SCOPED_TRACE(absl::StrCat(h.name, " by ", how));
  std::printf("%s by %s: %s, %s\n", h.name.c_str(), how.c_str(),
              ipb::MessageState_Name(m.state()).c_str(), m.reason().c_str());
  if (h.review_reason.empty()) {
    EXPECT_EQ(m.state(), ipb::MESSAGE_STATE_QUARANTINED) << m.reason();
    EXPECT_THAT(m.reason(), HasSubstr(h.reason));
    EXPECT_EQ(m.invoices_size(), 0);
    return;
  }
  EXPECT_EQ(m.state(), ipb::MESSAGE_STATE_PROCESSED) << m.reason();
  ASSERT_EQ(m.invoices_size(), 1) << m.reason();
  const ipb::Invoice inv = GetInvoice(stack, m.invoices(0));
  EXPECT_EQ(inv.state(), ipb::INVOICE_STATE_NEEDS_REVIEW);
  EXPECT_THAT(inv.reason(), HasSubstr(h.review_reason));
  ASSERT_EQ(inv.sources_size(), 1);
  EXPECT_EQ(inv.sources(0).part(), "invoice__X-Injected: yes.xml");
  EXPECT_EQ(inv.matches_size(), 0);  // held, not matched
}

TEST_F(HostileMailTest, EachIsQuarantinedOrHeldWithItsReasonAndTheNextIsMatched) {
  ASSERT_FALSE(
      ShipOrders(stack(), "hostile", {"PO-HOSTILE-API", "PO-HOSTILE-MAILDIR", "PO-HOSTILE-CRLF"})
          .empty());
  const std::string to = Address(stack());
  const pid_t intake = stack().process(::iob::testing::Service::kInvoiceIntake).pid();
  if (absl::StatusOr<int64_t> idle = PeakRssBytes(intake); idle.ok()) {
    std::printf("intake peak RSS (VmHWM) before: %.1f MiB\n",
                static_cast<double>(*idle) / (1 << 20));
  }
  const auto good = [&](const std::string& how) {
    return Mail(to, "good-" + how,
                WithAttachment("text/xml", "filename=invoice.xml",
                               Base64Lines(CxmlInvoice(
                                   "GOOD-" + how, "PO-HOSTILE-" + how,
                                   {{"SKU-1", "2", "10.50"}, {"SKU-2", "2", "10.50"}}, "42.00"))));
  };

  // By IngestMessage, one after the other, then a good one.
  int n = 0;
  for (const Hostile& h : HostileMessages(
           CxmlInvoice("CRLF-API", "PO-HOSTILE-CRLF", {{"SKU-1", "1", "10.50"}}, "10.50"))) {
    const absl::Time start = absl::Now();
    const ipb::Message m = Ingest(
        stack(), Mail(to, absl::StrCat("api-", ++n), h.mime, h.extra_header), absl::Seconds(60));
    // Reading a PDF is bounded: 5 s of processor time, 20 s in all
    // (ReaderLimits), whatever the PDF asks for.
    EXPECT_LT(absl::Now() - start, absl::Seconds(40)) << h.name;
    ExpectOutcome(stack(), h, m, "IngestMessage");
  }
  ipb::Message m = Ingest(stack(), good("API"));
  ASSERT_EQ(m.invoices_size(), 1) << m.reason();
  EXPECT_EQ(GetInvoice(stack(), m.invoices(0)).state(), ipb::INVOICE_STATE_MATCHED);

  // Into the Maildir, all at once, the good one last.
  const std::vector<Hostile> hostile = HostileMessages(
      CxmlInvoice("CRLF-MAILDIR", "PO-HOSTILE-CRLF", {{"SKU-1", "1", "10.50"}}, "10.50"));
  std::vector<std::string> raws;
  for (size_t i = 0; i < hostile.size(); ++i) {
    raws.push_back(Mail(to, absl::StrCat("maildir-", i), hostile[i].mime, hostile[i].extra_header));
    WriteFileAtomically(absl::StrCat(*maildir_, "/new/17000000", i, ".hostile.test"), raws[i]);
  }
  const std::string good_raw = good("MAILDIR");
  WriteFileAtomically(*maildir_ + "/new/1700000099.zgood.test", good_raw);
  WaitFor([&] { return FilesIn(*maildir_, "new").empty(); }, "the Maildir emptied",
          absl::Seconds(120));
  EXPECT_THAT(FilesIn(*maildir_, ".Quarantine/cur"), SizeIs(hostile.size() - 1));
  EXPECT_THAT(FilesIn(*maildir_, ".Processed/cur"), SizeIs(2));  // CR/LF and the good one
  // The same bytes again are the stored message, as it ended.
  for (size_t i = 0; i < hostile.size(); ++i) {
    const ipb::Message again = Ingest(stack(), raws[i]);
    EXPECT_TRUE(again.duplicate());
    ExpectOutcome(stack(), hostile[i], again, "the Maildir");
  }
  const std::vector<ipb::Invoice> matched = InvoicesForPo(stack(), "PO-HOSTILE-MAILDIR");
  ASSERT_THAT(matched, SizeIs(1));
  EXPECT_EQ(matched[0].state(), ipb::INVOICE_STATE_MATCHED) << matched[0].DebugString();

  // Still up, and its memory bounded.
  EXPECT_TRUE(stack().process(::iob::testing::Service::kInvoiceIntake).Running());
  absl::StatusOr<int64_t> peak = PeakRssBytes(intake);
  ASSERT_TRUE(peak.ok()) << peak.status();
  std::printf("intake peak RSS (VmHWM): %.1f MiB (bound %lld MiB)\n",
              static_cast<double>(*peak) / (1 << 20), static_cast<long long>(kPeakRssBound >> 20));
  EXPECT_LT(*peak, kPeakRssBound);
}

}  // namespace
}  // namespace iob::invoice::testing
