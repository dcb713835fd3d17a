// RenderPurchaseOrder, read back with poppler: the text a supplier sees (and
// a machine extracts), pages and their numbering, fonts, metadata, errors.
#include "libs/pdf/purchase_order_pdf.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/pdf/examples.h"
#include "poppler/cpp/poppler-document.h"
#include "poppler/cpp/poppler-font.h"
#include "poppler/cpp/poppler-page.h"

namespace iob::pdf {
namespace {

using ::testing::HasSubstr;

std::string Utf8(const poppler::ustring& s) {
  const poppler::byte_array bytes = s.to_utf8();
  return std::string(bytes.begin(), bytes.end());
}

// Poppler's text with its layout spacing folded: each text line trimmed, runs
// of blanks one space, empty lines dropped.
std::string Fold(const std::string& text) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(text, absl::ByAnyChar("\n\f"))) {
    std::vector<absl::string_view> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (!words.empty()) lines.push_back(absl::StrJoin(words, " "));
  }
  return absl::StrJoin(lines, "\n");
}

// A rendered PDF as poppler reads it: the document and each page's folded
// text.
struct Read {
  std::unique_ptr<poppler::document> doc;
  std::vector<std::string> pages;

  std::string All() const { return absl::StrJoin(pages, "\n"); }
};

Read Render(const PurchaseOrderSheet& sheet) {
  absl::StatusOr<std::string> pdf = RenderPurchaseOrder(sheet);
  EXPECT_TRUE(pdf.ok()) << pdf.status();
  Read read;
  if (!pdf.ok()) return read;
  EXPECT_TRUE(absl::StartsWith(*pdf, "%PDF-"));
  // IOB_PDF_TEST_KEEP=<dir> keeps each PDF to look at (<test>-<n>.pdf).
  if (const char* dir = std::getenv("IOB_PDF_TEST_KEEP")) {
    static int n = 0;
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::ofstream(absl::StrCat(dir, "/", name, "-", ++n, ".pdf"), std::ios::binary) << *pdf;
  }
  read.doc.reset(poppler::document::load_from_raw_data(pdf->data(), static_cast<int>(pdf->size())));
  EXPECT_NE(read.doc, nullptr);
  if (read.doc == nullptr) return read;
  for (int i = 0; i < read.doc->pages(); ++i) {
    std::unique_ptr<poppler::page> page(read.doc->create_page(i));
    read.pages.push_back(Fold(Utf8(page->text())));
  }
  return read;
}

// Whether `text` holds `s`; on failure names `s` (not the whole page).
::testing::AssertionResult Contains(const std::string& text, absl::string_view s) {
  if (absl::StrContains(text, s)) return ::testing::AssertionSuccess() << "found \"" << s << "\"";
  return ::testing::AssertionFailure() << "no \"" << s << "\" in the text";
}

int Count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

TEST(PurchaseOrderPdfTest, TenLinesCarryEveryFieldAsText) {
  PurchaseOrderSheet sheet = ExamplePurchaseOrderSheet(10);
  sheet.version = 3;
  Read read = Render(sheet);
  ASSERT_EQ(read.pages.size(), 1u);
  const std::string& text = read.pages[0];
  for (const char* s :
       {"PURCHASE ORDER", "PO-2026-004711", "2026-12-06", "2026-12-20", "Page 1 of 1", "USD"}) {
    EXPECT_TRUE(Contains(text, s));
  }
  for (const Party* p :
       {&sheet.buyer, &sheet.supplier, &sheet.ship_to, &sheet.bill_to, &sheet.contact}) {
    EXPECT_TRUE(Contains(text, p->name));
    for (const std::string& line : p->lines) EXPECT_TRUE(Contains(text, line));
  }
  // Every line's cells sit on one text line, in column order.
  const std::vector<std::string> text_lines = absl::StrSplit(text, '\n');
  for (const PurchaseOrderLine& l : sheet.lines) {
    const std::string row = absl::StrCat(l.number, " ", l.part_id);
    int found = 0;
    for (const std::string& t : text_lines) {
      if (!absl::StartsWith(absl::StripLeadingAsciiWhitespace(t), row)) continue;
      ++found;
      EXPECT_TRUE(absl::StrContains(
          t, absl::StrCat(l.quantity, " ", l.unit, " ", l.unit_price, " ", l.line_total)))
          << t;
    }
    EXPECT_EQ(found, 1) << l.part_id;
    if (!l.aux_id.empty()) {
      EXPECT_TRUE(Contains(text, l.aux_id));
    }
  }
  EXPECT_TRUE(Contains(text, absl::StrCat("Total (USD) ", sheet.total)));
  EXPECT_TRUE(Contains(text, "Please confirm this order within two business days"));
  EXPECT_TRUE(Contains(text, "Deliveries are accepted Monday to Friday"));
  EXPECT_TRUE(Contains(text, "Version 3"));

  EXPECT_EQ(Utf8(read.doc->get_title()), "Purchase order PO-2026-004711 (version 3)");
  EXPECT_EQ(Utf8(read.doc->get_creator()), "iob");
  const std::vector<poppler::font_info> fonts = read.doc->fonts();
  ASSERT_FALSE(fonts.empty());
  bool dejavu = false;
  for (const poppler::font_info& f : fonts) {
    EXPECT_TRUE(f.is_embedded()) << f.name();
    dejavu = dejavu || absl::StrContains(f.name(), "DejaVu");
  }
  EXPECT_TRUE(dejavu);
}

TEST(PurchaseOrderPdfTest, HundredLinesBreakAcrossPagesWithHeadersAndPageNumbers) {
  const PurchaseOrderSheet sheet = ExamplePurchaseOrderSheet(100);
  Read read = Render(sheet);
  const size_t n = read.pages.size();
  ASSERT_GT(n, 1u);
  for (size_t i = 0; i < n; ++i) {
    SCOPED_TRACE(absl::StrCat("page ", i + 1));
    const std::string& page = read.pages[i];
    EXPECT_TRUE(Contains(page, "Part ID"));
    EXPECT_TRUE(Contains(page, "Description"));
    EXPECT_TRUE(Contains(page, "Amount (USD)"));
    EXPECT_EQ(Count(page, "Page "), 1);
    EXPECT_TRUE(Contains(page, absl::StrCat("Page ", i + 1, " of ", n)));
    EXPECT_TRUE(Contains(page, "PO-2026-004711"));
    if (i + 1 < n) {
      EXPECT_FALSE(Contains(page, "Total (USD)"));
    }
  }
  const std::string all = read.All();
  for (const PurchaseOrderLine& l : sheet.lines) EXPECT_EQ(Count(all, l.part_id), 1) << l.part_id;
  EXPECT_TRUE(Contains(read.pages.back(), absl::StrCat("Total (USD) ", sheet.total)));
  EXPECT_TRUE(Contains(read.pages.back(), "Deliveries are accepted"));
}

TEST(PurchaseOrderPdfTest, AnyScriptComesBackAsText) {
  PurchaseOrderSheet sheet = ExamplePurchaseOrderSheet(2);
  sheet.supplier.name = "Müller GmbH";
  sheet.supplier.lines = {"Königstraße 12", "70173 Stuttgart"};
  sheet.ship_to.name = "東京 物流センター";
  sheet.lines[0].description = "Schraube für Gehäuse, 東京仕様";
  Read read = Render(sheet);
  ASSERT_EQ(read.pages.size(), 1u);
  for (const char* s : {"Müller GmbH", "Königstraße 12", "東京 物流センター", "東京仕様"}) {
    EXPECT_TRUE(Contains(read.pages[0], s));
  }
  bool cjk_font = false;
  for (const poppler::font_info& f : read.doc->fonts()) {
    EXPECT_TRUE(f.is_embedded()) << f.name();
    cjk_font = cjk_font || absl::StrContains(f.name(), "Droid");
  }
  EXPECT_TRUE(cjk_font) << "CJK should fall back to Droid Sans Fallback";
}

TEST(PurchaseOrderPdfTest, MarkerAndReasonArePrintedOnEveryPage) {
  PurchaseOrderSheet sheet = ExamplePurchaseOrderSheet(100);
  sheet.marker = "CANCELLED";
  sheet.reason = "Project stopped by the customer";
  sheet.version = 2;
  Read read = Render(sheet);
  ASSERT_GT(read.pages.size(), 1u);
  EXPECT_TRUE(Contains(read.pages[0], "Reason: Project stopped by the customer"));
  for (const std::string& page : read.pages) EXPECT_TRUE(Contains(page, "CANCELLED"));

  sheet = ExamplePurchaseOrderSheet(3);
  sheet.marker = "CHANGED";
  read = Render(sheet);
  ASSERT_EQ(read.pages.size(), 1u);
  EXPECT_TRUE(Contains(read.pages[0], "CHANGED"));
  EXPECT_FALSE(Contains(read.pages[0], "Reason:"));

  sheet = ExamplePurchaseOrderSheet(3);
  read = Render(sheet);
  EXPECT_FALSE(Contains(read.pages[0], "CHANGED"));
  EXPECT_FALSE(Contains(read.pages[0], "CANCELLED"));
}

TEST(PurchaseOrderPdfTest, MarkupInFieldsPrintsLiterally) {
  PurchaseOrderSheet sheet = ExamplePurchaseOrderSheet(1);
  sheet.supplier.name = "Smith <b>& Sons</b> &amp; Co";
  sheet.lines[0].description = "Bracket <i>blue</i> & grey";
  sheet.comments = "<big>Urgent</big> & <span foreground=\"red\">fragile</span>";
  Read read = Render(sheet);
  ASSERT_EQ(read.pages.size(), 1u);
  EXPECT_TRUE(Contains(read.pages[0], "Smith <b>& Sons</b> &amp; Co"));
  EXPECT_TRUE(Contains(read.pages[0], "Bracket <i>blue</i> & grey"));
  EXPECT_TRUE(
      Contains(read.pages[0], "<big>Urgent</big> & <span foreground=\"red\">fragile</span>"));
}

TEST(PurchaseOrderPdfTest, LongDescriptionWrapsInItsColumnWithoutLosingWords) {
  PurchaseOrderSheet sheet = ExamplePurchaseOrderSheet(3);
  std::string description;
  for (int i = 0; i < 60; ++i) absl::StrAppend(&description, "word", i, " ");
  sheet.lines[1].description = description;
  Read read = Render(sheet);
  ASSERT_EQ(read.pages.size(), 1u);
  // Every word once; wrapped over many text lines inside the description
  // column, the quantity and amounts beside its first line.
  const std::vector<std::string> words = absl::StrSplit(read.pages[0], absl::ByAnyChar(" \n"));
  for (int i = 0; i < 60; ++i) {
    EXPECT_EQ(std::count(words.begin(), words.end(), absl::StrCat("word", i)), 1) << i;
  }
  const std::vector<std::string> lines = absl::StrSplit(read.pages[0], '\n');
  EXPECT_GT(std::count_if(lines.begin(), lines.end(),
                          [](const std::string& l) { return absl::StartsWith(l, "word"); }),
            10);
  const PurchaseOrderLine& l = sheet.lines[1];
  EXPECT_TRUE(
      Contains(read.pages[0], absl::StrCat("2 PART-0002 word0 word1 word2 word3 word4 ", l.quantity,
                                           " EA ", l.unit_price, " ", l.line_total)));
}

TEST(PurchaseOrderPdfTest, LongCommentsContinueOnTheNextPage) {
  PurchaseOrderSheet sheet = ExamplePurchaseOrderSheet(5);
  sheet.comments.clear();
  for (int i = 0; i < 150; ++i) absl::StrAppend(&sheet.comments, "Remark R", 1000 + i, "\n");
  Read read = Render(sheet);
  ASSERT_GT(read.pages.size(), 1u);
  const std::string all = read.All();
  for (int i = 0; i < 150; ++i) EXPECT_EQ(Count(all, absl::StrCat("R", 1000 + i)), 1) << i;
  EXPECT_TRUE(Contains(read.pages.back(), "Remark R1149"));
}

TEST(PurchaseOrderPdfTest, HugeRowFitsOnOnePage) {
  PurchaseOrderSheet sheet = ExamplePurchaseOrderSheet(2);
  for (int i = 0; i < 3000; ++i) absl::StrAppend(&sheet.lines[0].description, " filler");
  Read read = Render(sheet);
  ASSERT_FALSE(read.pages.empty());
  const std::string all = read.All();
  EXPECT_EQ(Count(all, "PART-0001"), 1);
  EXPECT_EQ(Count(all, "PART-0002"), 1);
  // The description is cut at about one page, ending in an ellipsis (whose
  // glyph carries the cut words as its text, so poppler still finds them):
  // the title page, then the table on one page.
  EXPECT_EQ(read.pages.size(), 2u);
  EXPECT_TRUE(Contains(read.pages.back(), absl::StrCat("Total (USD) ", sheet.total)));
}

TEST(PurchaseOrderPdfTest, BadInputIsInvalidArgument) {
  PurchaseOrderSheet sheet = ExamplePurchaseOrderSheet(2);
  sheet.po_number.clear();
  EXPECT_EQ(RenderPurchaseOrder(sheet).status().code(), absl::StatusCode::kInvalidArgument);

  sheet = ExamplePurchaseOrderSheet(0);
  EXPECT_EQ(RenderPurchaseOrder(sheet).status().code(), absl::StatusCode::kInvalidArgument);

  sheet = ExamplePurchaseOrderSheet(2);
  sheet.lines[1].description = "bad \xff byte";
  absl::StatusOr<std::string> pdf = RenderPurchaseOrder(sheet);
  EXPECT_EQ(pdf.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(pdf.status().message(), HasSubstr("lines[1]"));

  sheet = ExamplePurchaseOrderSheet(2);
  sheet.ship_to.lines.push_back(std::string("nul\0inside", 10));
  pdf = RenderPurchaseOrder(sheet);
  EXPECT_EQ(pdf.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(pdf.status().message(), HasSubstr("ship_to"));
}

TEST(PurchaseOrderPdfTest, ConcurrentRendersAreIndependent) {
  constexpr int kThreads = 4;
  std::vector<absl::StatusOr<std::string>> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&results, t] {
      PurchaseOrderSheet sheet = ExamplePurchaseOrderSheet(30);
      sheet.po_number = absl::StrCat("PO-THREAD-", t);
      results[t] = RenderPurchaseOrder(sheet);
    });
  }
  for (std::thread& t : threads) t.join();
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_TRUE(results[t].ok()) << results[t].status();
    std::unique_ptr<poppler::document> doc(poppler::document::load_from_raw_data(
        results[t]->data(), static_cast<int>(results[t]->size())));
    ASSERT_NE(doc, nullptr);
    EXPECT_EQ(Utf8(doc->get_title()), absl::StrCat("Purchase order PO-THREAD-", t, " (version 1)"));
  }
}

}  // namespace
}  // namespace iob::pdf
