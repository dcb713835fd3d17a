// Invoices as their producers make them, for invoice_reader tests: PDFs
// rendered with cairo + pango in Amazon Business's layout, PDFs written by
// hand where cairo cannot go (embedded files, encryption), and CII / UBL
// documents in the shape EN 16931 tools write.
#ifndef IOB_TESTS_UNIT_INVOICE_INTAKE_INVOICE_READER_FIXTURES_H_
#define IOB_TESTS_UNIT_INVOICE_INTAKE_INVOICE_READER_FIXTURES_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace iob::invoice::testing {

// Text placed on a page, top-left corner at (x, y) in points.
struct Placed {
  double x = 0;
  double y = 0;
  std::string text;
  bool bold = false;
};
using Page = std::vector<Placed>;

// A PDF of A4 pages (cairo's PDF surface, DejaVu Sans through pango).
std::string RenderPdf(const std::vector<Page>& pages);

struct Row {
  std::string description, asin, quantity, unit_price, rate, total;
};
struct Order {
  std::string amazon_order;  // "204-1234567-1234567"
  std::string po;            // "" = no purchase order line
  std::vector<Row> rows;
};
// What an Amazon Business invoice shows. An empty value leaves its line out.
struct Sheet {
  std::string number = "GB4ABCDE12345";
  std::string date = "12 March 2024";
  std::vector<Order> orders = {
      {"204-1234567-1234567",
       "PO-2024-0042",
       {{"AmazonBasics USB-C cable, 1.8 m", "B01GGKYKQM", "2", "\u00a38.33", "20%", "\u00a316.66"},
        {"Logitech M185 wireless mouse", "B004YAVF8I", "1", "\u00a312.49", "20%", "\u00a312.49"}}},
  };
  std::string subtotal = "\u00a329.15";
  std::string vat_label = "VAT 20%";
  std::string vat = "\u00a35.83";
  std::string total = "\u00a334.98";
};
// The page, laid out like Amazon Business's (UK) invoice: header labels
// with their values in a second column, the order and PO numbers, an item
// table with the ASIN under each description, totals at the bottom right.
Page AmazonInvoicePage(const Sheet& sheet);

// A PDF written object by object: `objects[i]` becomes object i + 1, the
// catalog must be object 1; `trailer` is added to the trailer dictionary.
std::string HandWrittenPdf(const std::vector<std::string>& objects,
                           const std::string& trailer = "");

// One page of Helvetica text lines, with `xml` embedded as `file_name`
// (EmbeddedFiles name tree and /AF, as Factur-X requires). `declare_size`
// false leaves /Params /Size out.
std::string PdfWithEmbeddedFile(const std::vector<std::string>& text_lines,
                                const std::string& file_name, const std::string& xml,
                                bool declare_size = true);

// A PDF encrypted with the standard security handler whose user password
// is not empty: nobody without it can open it.
std::string EncryptedPdf();

// ---- bombs: small files that cost a reader without bounds a great deal ----

// A zlib stream (RFC 1950, what a PDF's /FlateDecode holds) or, with `raw`,
// a bare deflate stream (RFC 1951, what a zip member holds) of `prefix`,
// then `chunk` `times` times, then `suffix`, made without ever holding the
// inflated whole: each piece is compressed once, ending in a full flush
// (byte-aligned, no reference to earlier data), so the compressed chunk can
// simply be repeated. Deflate reaches about 1000:1 on repetitive input: a
// 1 MiB chunk repeated 1024 times inflates to 1 GiB from about 1 MB.
// `*check` (when given) receives the stream's check value: CRC-32 with
// `raw` (for the zip directory), else Adler-32 (also in the zlib trailer).
std::string RepeatedDeflate(const std::string& prefix, const std::string& chunk, int times,
                            const std::string& suffix, bool raw, uint32_t* check = nullptr);

// A zip archive of one member, "invoices.xml", that inflates to `mib` MiB
// (at most 4095) of zeros from about mib KiB.
std::string ZipBomb(int mib);

// A one-page PDF whose content stream inflates to `mib` MiB of text-showing
// operators ("(...) Tj"): a reader that runs it shows tens of millions of
// words.
std::string PdfStreamBomb(int mib);

// A Factur-X-like PDF whose embedded "factur-x.xml" declares 2000 bytes
// (/Params /Size) and inflates to `mib` MiB.
std::string PdfEmbeddedFileBomb(int mib);

// A PDF of `pages` pages that all show one content stream: `lines` lines of
// "Delivery note, page of a long list" text each (so no invoice).
std::string PdfPageBomb(int pages, int lines);

// A CII CrossIndustryInvoice (EN 16931 profile) for two lines, EUR:
// FX-2024-0007 of 2024-03-12 for PO-1001, net 29.15, tax 5.54, due 34.69.
// `type_code` 380 (invoice) or 381 (credit note).
std::string CiiInvoice(const std::string& type_code = "380");

// A UBL 2.1 Invoice (PEPPOL BIS Billing 3) UBL-2024-42 of 2024-03-12 for
// PO-1002, one line, EUR, net 12.49, tax 2.37, payable 14.86; or the same
// as a CreditNote.
std::string UblInvoice();
std::string UblCreditNote();

}  // namespace iob::invoice::testing

#endif  // IOB_TESTS_UNIT_INVOICE_INTAKE_INVOICE_READER_FIXTURES_H_
