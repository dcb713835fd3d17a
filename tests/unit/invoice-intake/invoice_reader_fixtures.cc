#include "tests/unit/invoice-intake/invoice_reader_fixtures.h"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"

namespace iob::invoice::testing {
namespace {

constexpr double kWidth = 595;  // A4 in points
constexpr double kHeight = 842;

cairo_status_t AppendTo(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

void Show(cairo_t* cr, const Placed& p) {
  std::unique_ptr<PangoLayout, decltype(&g_object_unref)> layout(pango_cairo_create_layout(cr),
                                                                 g_object_unref);
  std::unique_ptr<PangoFontDescription, decltype(&pango_font_description_free)> font(
      pango_font_description_from_string(p.bold ? "DejaVu Sans Bold 8" : "DejaVu Sans 8"),
      pango_font_description_free);
  pango_layout_set_font_description(layout.get(), font.get());
  pango_layout_set_text(layout.get(), p.text.data(), static_cast<int>(p.text.size()));
  cairo_move_to(cr, p.x, p.y);
  pango_cairo_show_layout(cr, layout.get());
}

// "(text)" as a PDF literal string.
std::string Literal(const std::string& text) {
  return absl::StrCat("(", absl::StrReplaceAll(text, {{"\\", "\\\\"}, {"(", "\\("}, {")", "\\)"}}),
                      ")");
}

std::string Stream(const std::string& dict, const std::string& data) {
  return absl::StrCat("<< ", dict, " /Length ", data.size(), " >>\nstream\n", data, "\nendstream");
}

std::string TextContent(const std::vector<std::string>& lines) {
  std::string content = "BT /F1 11 Tf 14 TL 40 780 Td\n";
  for (const std::string& line : lines) absl::StrAppend(&content, Literal(line), " Tj T*\n");
  return content + "ET";
}

}  // namespace

std::string RenderPdf(const std::vector<Page>& pages) {
  std::string pdf;
  cairo_surface_t* surface = cairo_pdf_surface_create_for_stream(&AppendTo, &pdf, kWidth, kHeight);
  cairo_t* cr = cairo_create(surface);
  for (const Page& page : pages) {
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (const Placed& p : page) Show(cr, p);
    cairo_show_page(cr);
  }
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  cairo_surface_destroy(surface);
  return pdf;
}

Page AmazonInvoicePage(const Sheet& s) {
  Page page;
  double y = 40;
  const auto pair = [&](const std::string& label, const std::string& value) {
    if (value.empty()) return;
    page.push_back({40, y, label});
    page.push_back({230, y, value});
    y += 14;
  };
  page.push_back({40, y, "amazon business", true});
  page.push_back({430, y, "Invoice", true});
  y += 30;
  pair("Invoice number", s.number);
  pair("Invoice date / Date of supply", s.date);
  pair("Sold by", "Amazon EU S.\u00e0 r.l., UK Branch");
  pair("VAT number", "GB727255821");
  y += 10;
  page.push_back({40, y, "Billing address", true});
  page.push_back({320, y, "Delivery address", true});
  y += 14;
  page.push_back({40, y, "ACME Ltd, 1 King Street, London EC2V 8AU"});
  page.push_back({320, y, "ACME Ltd, Unit 4, Slough SL1 4QP"});
  y += 24;
  for (const Order& order : s.orders) {
    pair("Order number", order.amazon_order);
    pair("Purchase order number", order.po);
    y += 6;
    page.push_back({40, y, "Description", true});
    page.push_back({300, y, "Qty", true});
    page.push_back({340, y, "Unit price", true});
    page.push_back({410, y, "VAT rate", true});
    page.push_back({470, y, "Item subtotal", true});
    y += 16;
    for (const Row& row : order.rows) {
      page.push_back({40, y, row.description});
      page.push_back({305, y, row.quantity});
      page.push_back({340, y, row.unit_price});
      page.push_back({410, y, row.rate});
      page.push_back({470, y, row.total});
      y += 12;
      if (!row.asin.empty()) {
        page.push_back({40, y, absl::StrCat("ASIN: ", row.asin)});
        y += 16;
      }
    }
    y += 10;
  }
  const auto total = [&](const std::string& label, const std::string& value, bool bold) {
    if (value.empty()) return;
    page.push_back({330, y, label, bold});
    page.push_back({480, y, value, bold});
    y += 14;
  };
  total("Subtotal (excl. VAT)", s.subtotal, false);
  total(s.vat_label, s.vat, false);
  total("Total payable", s.total, true);
  page.push_back(
      {40, 800, "Amazon EU S.\u00e0 r.l., 38 avenue John F. Kennedy, L-1855 Luxembourg"});
  return page;
}

std::string HandWrittenPdf(const std::vector<std::string>& objects, const std::string& trailer) {
  std::string pdf = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    absl::StrAppend(&pdf, i + 1, " 0 obj\n", objects[i], "\nendobj\n");
  }
  const size_t xref = pdf.size();
  absl::StrAppend(&pdf, "xref\n0 ", objects.size() + 1, "\n0000000000 65535 f \n");
  for (size_t offset : offsets) absl::StrAppend(&pdf, absl::StrFormat("%010d 00000 n \n", offset));
  absl::StrAppend(&pdf, "trailer\n<< /Size ", objects.size() + 1, " /Root 1 0 R ", trailer,
                  " >>\nstartxref\n", xref, "\n%%EOF\n");
  return pdf;
}

std::string PdfWithEmbeddedFile(const std::vector<std::string>& text_lines,
                                const std::string& file_name, const std::string& xml,
                                bool declare_size) {
  const std::string name = Literal(file_name);
  const std::string params =
      declare_size ? absl::StrCat("/Params << /Size ", xml.size(), " >>") : "";
  return HandWrittenPdf({
      absl::StrCat("<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [", name,
                   " 5 0 R] >> >> /AF [5 0 R] >>"),
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font "
      "<< /F1 7 0 R >> >> >>",
      Stream("", TextContent(text_lines)),
      absl::StrCat("<< /Type /Filespec /F ", name, " /UF ", name,
                   " /AFRelationship /Data /Desc (Factur-X Invoice) /EF << /F 6 0 R >> >>"),
      Stream(absl::StrCat("/Type /EmbeddedFile /Subtype /text#2Fxml ", params), xml),
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  });
}

std::string EncryptedPdf() {
  const std::string id = "<8f1d4b2c6a0e9f3d7b5a1c2e4f6a8b0c>";
  return HandWrittenPdf(
      {
          "<< /Type /Catalog /Pages 2 0 R >>",
          "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
          "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
          "<< /Filter /Standard /V 1 /R 2 /P -44 "
          "/O <5f3c1e9a2b7d4c6e8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e> "
          "/U <0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9> >>",
      },
      absl::StrCat("/Encrypt 4 0 R /ID [", id, " ", id, "]"));
}

std::string RepeatedDeflate(const std::string& prefix, const std::string& chunk, int times,
                            const std::string& suffix, bool raw, uint32_t* check) {
  z_stream z = {};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    std::fprintf(stderr, "RepeatedDeflate: deflateInit2 failed\n");
    std::abort();
  }
  // Compresses `in` ending in a full flush: byte-aligned, history reset.
  const auto piece = [&z](const std::string& in) -> std::string {
    if (in.empty()) return "";
    std::string out(deflateBound(&z, in.size()) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    if (deflate(&z, Z_FULL_FLUSH) != Z_OK || z.avail_in != 0) {
      std::fprintf(stderr, "RepeatedDeflate: deflate failed\n");
      std::abort();
    }
    out.resize(out.size() - z.avail_out);
    return out;
  };
  const std::string head = piece(prefix), body = piece(chunk), tail = piece(suffix);
  deflateEnd(&z);

  std::string out = raw ? "" : "\x78\xda";  // zlib header: deflate, 32K window, best
  absl::StrAppend(&out, head);
  for (int i = 0; i < times; ++i) out += body;
  absl::StrAppend(&out, tail, "\x03\x00");  // an empty final block (fixed Huffman)
  const auto sum = [raw](const std::string& s) {
    const auto* b = reinterpret_cast<const Bytef*>(s.data());
    return raw ? crc32(crc32(0, nullptr, 0), b, static_cast<uInt>(s.size()))
               : adler32(adler32(0, nullptr, 0), b, static_cast<uInt>(s.size()));
  };
  const auto combine = [raw](uLong a, uLong b, size_t b_size) {
    return raw ? crc32_combine(a, b, static_cast<z_off_t>(b_size))
               : adler32_combine(a, b, static_cast<z_off_t>(b_size));
  };
  uLong total = sum(prefix);
  const uLong one = sum(chunk);
  for (int i = 0; i < times; ++i) total = combine(total, one, chunk.size());
  total = combine(total, sum(suffix), suffix.size());
  if (!raw) {
    for (int shift : {24, 16, 8, 0}) out.push_back(static_cast<char>((total >> shift) & 0xff));
  }
  if (check != nullptr) *check = static_cast<uint32_t>(total);
  return out;
}

namespace {

std::string Le(uint64_t v, int bytes) {
  std::string out;
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}

}  // namespace

std::string ZipBomb(int mib) {
  const std::string name = "invoices.xml";
  uint32_t crc = 0;
  const std::string data =
      RepeatedDeflate("", std::string(1 << 20, '\0'), mib, "", /*raw=*/true, &crc);
  const uint64_t size = uint64_t{static_cast<uint32_t>(mib)} << 20;
  // version 2.0, no flags, deflate, 1980-01-01 00:00
  const std::string common =
      absl::StrCat(Le(20, 2), Le(0, 2), Le(8, 2), Le(0, 2), Le(0x21, 2), Le(crc, 4),
                   Le(data.size(), 4), Le(size, 4), Le(name.size(), 2), Le(0, 2));
  const std::string local = absl::StrCat("PK\x03\x04", common, name, data);
  const std::string central = absl::StrCat("PK\x01\x02", Le(20, 2), common, Le(0, 2), Le(0, 2),
                                           Le(0, 2), Le(0, 4), Le(0, 4), name);
  return absl::StrCat(local, central, "PK\x05\x06", Le(0, 2), Le(0, 2), Le(1, 2), Le(1, 2),
                      Le(central.size(), 4), Le(local.size(), 4), Le(0, 2));
}

std::string PdfStreamBomb(int mib) {
  std::string chunk;
  while (chunk.size() < (1 << 20)) chunk += "(Invoice bomb word) Tj\n";
  chunk.resize(chunk.rfind('\n', (1 << 20) - 1) + 1);  // whole operators only
  const std::string content =
      RepeatedDeflate("BT /F1 10 Tf 40 800 Td\n", chunk,
                      mib * (1 << 20) / static_cast<int>(chunk.size()), "ET\n", /*raw=*/false);
  return HandWrittenPdf({
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font "
      "<< /F1 5 0 R >> >> >>",
      Stream("/Filter /FlateDecode", content),
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  });
}

std::string PdfEmbeddedFileBomb(int mib) {
  const std::string xml = RepeatedDeflate("<?xml version=\"1.0\"?><x>", std::string(1 << 20, ' '),
                                          mib, "</x>", /*raw=*/false);
  return HandWrittenPdf({
      "<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(factur-x.xml) 5 0 R] "
      ">> >> /AF [5 0 R] >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font "
      "<< /F1 7 0 R >> >> >>",
      Stream("", TextContent({"Invoice number FX-BOMB-1", "Total payable 1.00 EUR"})),
      "<< /Type /Filespec /F (factur-x.xml) /UF (factur-x.xml) /AFRelationship /Data "
      "/EF << /F 6 0 R >> >>",
      Stream(
          "/Type /EmbeddedFile /Subtype /text#2Fxml /Params << /Size 2000 >> /Filter /FlateDecode",
          xml),
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  });
}

std::string PdfPageBomb(int pages, int lines) {
  std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "",  // the page tree, below
      Stream("", TextContent(std::vector<std::string>(
                     lines, "Delivery note, page of a long list of parcels and their contents"))),
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  };
  std::string kids;
  for (int i = 0; i < pages; ++i) {
    absl::StrAppend(&kids, objects.size() + 1, " 0 R ");
    objects.push_back("<< /Type /Page /Parent 2 0 R /Contents 3 0 R >>");
  }
  objects[1] = absl::StrCat("<< /Type /Pages /Count ", pages, " /Kids [", kids,
                            "] /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> >>");
  return HandWrittenPdf(objects);
}

std::string CiiInvoice(const std::string& type_code) {
  return absl::StrCat(R"(<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
    xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter>
      <ram:ID>urn:cen.eu:en16931:2017</ram:ID>
    </ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>FX-2024-0007</ram:ID>
    <ram:TypeCode>)",
                      type_code, R"(</ram:TypeCode>
    <ram:IssueDateTime>
      <udt:DateTimeString format="102">20240312</udt:DateTimeString>
    </ram:IssueDateTime>
    <ram:IncludedNote><ram:Content>Thank you for your order.</ram:Content></ram:IncludedNote>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID></ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedTradeProduct>
        <ram:SellerAssignedID>B01GGKYKQM</ram:SellerAssignedID>
        <ram:Name>AmazonBasics USB-C cable</ram:Name>
      </ram:SpecifiedTradeProduct>
      <ram:SpecifiedLineTradeAgreement>
        <ram:BuyerOrderReferencedDocument><ram:LineID>1</ram:LineID></ram:BuyerOrderReferencedDocument>
        <ram:GrossPriceProductTradePrice><ram:ChargeAmount>8.33</ram:ChargeAmount></ram:GrossPriceProductTradePrice>
        <ram:NetPriceProductTradePrice><ram:ChargeAmount>8.33</ram:ChargeAmount></ram:NetPriceProductTradePrice>
      </ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="H87">2</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement>
        <ram:ApplicableTradeTax>
          <ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode>
          <ram:RateApplicablePercent>19</ram:RateApplicablePercent>
        </ram:ApplicableTradeTax>
        <ram:SpecifiedTradeSettlementLineMonetarySummation>
          <ram:LineTotalAmount>16.66</ram:LineTotalAmount>
        </ram:SpecifiedTradeSettlementLineMonetarySummation>
      </ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument><ram:LineID>2</ram:LineID></ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedTradeProduct>
        <ram:SellerAssignedID>B004YAVF8I</ram:SellerAssignedID>
        <ram:Name>Logitech M185 mouse</ram:Name>
      </ram:SpecifiedTradeProduct>
      <ram:SpecifiedLineTradeAgreement>
        <ram:BuyerOrderReferencedDocument><ram:LineID>2</ram:LineID></ram:BuyerOrderReferencedDocument>
        <ram:NetPriceProductTradePrice>
          <ram:ChargeAmount>12.49</ram:ChargeAmount>
          <ram:BasisQuantity unitCode="H87">1.000</ram:BasisQuantity>
        </ram:NetPriceProductTradePrice>
      </ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="H87">1</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement>
        <ram:ApplicableTradeTax>
          <ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode>
          <ram:RateApplicablePercent>19</ram:RateApplicablePercent>
        </ram:ApplicableTradeTax>
        <ram:SpecifiedTradeSettlementLineMonetarySummation>
          <ram:LineTotalAmount>12.49</ram:LineTotalAmount>
        </ram:SpecifiedTradeSettlementLineMonetarySummation>
      </ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>
    <ram:ApplicableHeaderTradeAgreement>
      <ram:BuyerReference>ACME-AP</ram:BuyerReference>
      <ram:SellerTradeParty>
        <ram:GlobalID schemeID="0088">4000001123452</ram:GlobalID>
        <ram:Name>Amazon EU S.&#224; r.l.</ram:Name>
        <ram:PostalTradeAddress>
          <ram:PostcodeCode>1855</ram:PostcodeCode><ram:LineOne>38 avenue John F. Kennedy</ram:LineOne>
          <ram:CityName>Luxembourg</ram:CityName><ram:CountryID>LU</ram:CountryID>
        </ram:PostalTradeAddress>
        <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">DE814584193</ram:ID></ram:SpecifiedTaxRegistration>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:Name>ACME GmbH</ram:Name></ram:BuyerTradeParty>
      <ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>PO-1001</ram:IssuerAssignedID></ram:BuyerOrderReferencedDocument>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery>
      <ram:ActualDeliverySupplyChainEvent>
        <ram:OccurrenceDateTime><udt:DateTimeString format="102">20240310</udt:DateTimeString></ram:OccurrenceDateTime>
      </ram:ActualDeliverySupplyChainEvent>
    </ram:ApplicableHeaderTradeDelivery>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:ApplicableTradeTax>
        <ram:CalculatedAmount>5.54</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode>
        <ram:BasisAmount>29.15</ram:BasisAmount><ram:CategoryCode>S</ram:CategoryCode>
        <ram:RateApplicablePercent>19</ram:RateApplicablePercent>
      </ram:ApplicableTradeTax>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>29.15</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>29.15</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="EUR">5.54</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>34.69</ram:GrandTotalAmount>
        <ram:DuePayableAmount>34.69</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
)");
}

namespace {

// The UBL document around `root`, `line` and `quantity` names.
std::string Ubl(const std::string& root, const std::string& type_element, const std::string& line,
                const std::string& quantity) {
  return absl::StrCat(R"(<?xml version="1.0" encoding="UTF-8"?>
<)",
                      root, R"( xmlns="urn:oasis:names:specification:ubl:schema:xsd:)", root, R"(-2"
    xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
    xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
  <cbc:ID>UBL-2024-42</cbc:ID>
  <cbc:IssueDate>2024-03-12</cbc:IssueDate>
  <cbc:)",
                      type_element, ">", root == "CreditNote" ? "381" : "380",
                      "</cbc:", type_element,
                      R"(>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cbc:BuyerReference>ACME-AP</cbc:BuyerReference>
  <cac:OrderReference><cbc:ID>PO-1002</cbc:ID></cac:OrderReference>
  <cac:AccountingSupplierParty>
    <cac:Party>
      <cbc:EndpointID schemeID="0088">4000001123452</cbc:EndpointID>
      <cac:PartyName><cbc:Name>Amazon Business EU</cbc:Name></cac:PartyName>
      <cac:PostalAddress><cbc:CityName>Luxembourg</cbc:CityName><cac:Country><cbc:IdentificationCode>LU</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
      <cac:PartyTaxScheme><cbc:CompanyID>DE814584193</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
      <cac:PartyLegalEntity><cbc:RegistrationName>Amazon EU S.&#224; r.l.</cbc:RegistrationName></cac:PartyLegalEntity>
    </cac:Party>
  </cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty>
    <cac:Party>
      <cbc:EndpointID schemeID="0088">4000001987658</cbc:EndpointID>
      <cac:PartyLegalEntity><cbc:RegistrationName>ACME GmbH</cbc:RegistrationName></cac:PartyLegalEntity>
    </cac:Party>
  </cac:AccountingCustomerParty>
  <cac:TaxTotal>
    <cbc:TaxAmount currencyID="EUR">2.37</cbc:TaxAmount>
    <cac:TaxSubtotal>
      <cbc:TaxableAmount currencyID="EUR">12.49</cbc:TaxableAmount>
      <cbc:TaxAmount currencyID="EUR">2.37</cbc:TaxAmount>
      <cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>19</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>
    </cac:TaxSubtotal>
  </cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="EUR">12.49</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="EUR">12.49</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="EUR">14.86</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="EUR">14.86</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <cac:)",
                      line, R"(>
    <cbc:ID>1</cbc:ID>
    <cbc:)",
                      quantity, R"( unitCode="H87">1</cbc:)", quantity, R"(>
    <cbc:LineExtensionAmount currencyID="EUR">12.49</cbc:LineExtensionAmount>
    <cac:OrderLineReference><cbc:LineID>3</cbc:LineID></cac:OrderLineReference>
    <cac:Item>
      <cbc:Name>Logitech M185 mouse</cbc:Name>
      <cac:SellersItemIdentification><cbc:ID>B004YAVF8I</cbc:ID></cac:SellersItemIdentification>
      <cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>19</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="EUR">12.49</cbc:PriceAmount></cac:Price>
  </cac:)",
                      line, R"(>
</)",
                      root, ">\n");
}

}  // namespace

std::string UblInvoice() {
  return Ubl("Invoice", "InvoiceTypeCode", "InvoiceLine", "InvoicedQuantity");
}

std::string UblCreditNote() {
  return Ubl("CreditNote", "CreditNoteTypeCode", "CreditNoteLine", "CreditedQuantity");
}

}  // namespace iob::invoice::testing
