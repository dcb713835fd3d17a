// CII and UBL read with pugixml: a hardened load, then a mapping that looks
// elements up by local name along fixed paths and records the first error.
#include "services/invoice-intake/cii_reader.h"

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "libs/common/status_macros.h"
#include "libs/cxml/decimal.h"
#include "libs/cxml/utf8.h"
#include "pugixml.hpp"

namespace iob::invoice {
namespace {

using pugi::xml_node;

constexpr absl::string_view kCiiNamespace =
    "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";
constexpr absl::string_view kUblInvoiceNamespace =
    "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
constexpr absl::string_view kUblCreditNoteNamespace =
    "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
constexpr absl::string_view kBom = "\xEF\xBB\xBF";
constexpr size_t kRootScanBytes = 64 << 10;

std::string_view Std(absl::string_view s) { return {s.data(), s.size()}; }

// ---- hardened load ---------------------------------------------------------

// Stops at the first element nested deeper than the limit (pugixml's own
// iterative walk, so no recursion here).
class DepthCheck : public pugi::xml_tree_walker {
 public:
  explicit DepthCheck(int max_depth) : max_depth_(max_depth) {}
  bool exceeded() const { return exceeded_; }
  bool for_each(xml_node& node) override {
    if (depth() >= max_depth_ && node.type() == pugi::node_element) {
      exceeded_ = true;
      return false;
    }
    return true;
  }

 private:
  const int max_depth_;
  bool exceeded_ = false;
};

absl::Status Load(absl::string_view bytes, const XmlLimits& limits, pugi::xml_document* doc) {
  if (bytes.size() > limits.max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("XML larger than ", limits.max_bytes, " bytes"));
  }
  if (absl::StartsWith(bytes, kBom)) bytes.remove_prefix(kBom.size());
  size_t bad = 0;
  if (!cxml::IsValidXmlUtf8(Std(bytes), &bad)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid UTF-8 or a character XML forbids at byte offset ", bad));
  }
  // No e-invoice has a DOCTYPE; refusing any keeps entity declarations out.
  if (absl::StrContains(bytes, "<!DOCTYPE") || absl::StrContains(bytes, "<!ENTITY")) {
    return absl::InvalidArgumentError("a DOCTYPE is not allowed");
  }
  const pugi::xml_parse_result r =
      doc->load_buffer(bytes.data(), bytes.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!r) {
    return absl::InvalidArgumentError(
        absl::StrCat("not well-formed XML: ", r.description(), " at byte offset ", r.offset));
  }
  int roots = 0;
  for (xml_node n = doc->first_child(); n; n = n.next_sibling()) {
    if (n.type() == pugi::node_element) ++roots;
    if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata) {
      return absl::InvalidArgumentError("text outside the root element");
    }
  }
  if (roots != 1) return absl::InvalidArgumentError("the document must have one root element");
  DepthCheck depth(limits.max_depth);
  doc->traverse(depth);
  if (depth.exceeded()) {
    return absl::ResourceExhaustedError(
        absl::StrCat("XML elements nested deeper than ", limits.max_depth));
  }
  return absl::OkStatus();
}

// ---- lookups ---------------------------------------------------------------

absl::string_view LocalName(absl::string_view name) {
  const size_t colon = name.find(':');
  return colon == absl::string_view::npos ? name : name.substr(colon + 1);
}

// The namespace URI of `n`'s prefix, declared on it or an ancestor.
absl::string_view NamespaceOf(xml_node n) {
  const absl::string_view name = n.name();
  const size_t colon = name.find(':');
  const std::string attr =
      colon == absl::string_view::npos ? "xmlns" : absl::StrCat("xmlns:", name.substr(0, colon));
  for (xml_node a = n; a; a = a.parent()) {
    if (pugi::xml_attribute at = a.attribute(attr.c_str())) return at.value();
  }
  return "";
}

std::vector<xml_node> Children(xml_node n, absl::string_view local) {
  std::vector<xml_node> out;
  for (xml_node c = n.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && LocalName(c.name()) == local) out.push_back(c);
  }
  return out;
}

// The first element along `path` ("A/B/C", local names) below `n`.
xml_node Find(xml_node n, absl::string_view path) {
  for (absl::string_view step : absl::StrSplit(path, '/')) {
    xml_node next;
    for (xml_node c = n.first_child(); c && !next; c = c.next_sibling()) {
      if (c.type() == pugi::node_element && LocalName(c.name()) == step) next = c;
    }
    if (!next) return {};
    n = next;
  }
  return n;
}

std::string Text(xml_node n) { return std::string(absl::StripAsciiWhitespace(n.child_value())); }

// "schemeID:value", or the value alone without a scheme.
std::string Identifier(xml_node n) {
  const std::string value = Text(n);
  const std::string scheme(absl::StripAsciiWhitespace(n.attribute("schemeID").value()));
  if (value.empty()) return "";
  return scheme.empty() ? value : absl::StrCat(scheme, ":", value);
}

// Reads values under one rule prefix ("cii", "ubl"), keeping the first
// error.
class Mapper {
 public:
  explicit Mapper(absl::string_view syntax) : syntax_(syntax) {}

  const absl::Status& status() const { return status_; }
  void Fail(std::string message) {
    if (status_.ok()) status_ = absl::InvalidArgumentError(std::move(message));
  }

  // The text at `path` below `base`; its rule names `rule_path`.
  Found Value(xml_node base, absl::string_view path, absl::string_view rule_path) {
    Found f;
    f.value = Text(Find(base, path));
    if (!f.value.empty()) f.rule = absl::StrCat(syntax_, ":", rule_path);
    return f;
  }

  // An amount or quantity: a plain decimal, or "" when absent.
  std::string Decimal(xml_node n, absl::string_view rule_path) {
    std::string v = Text(n);
    if (!v.empty() && !cxml::IsDecimal(v)) {
      Fail(absl::StrCat(rule_path, " is not a plain decimal: \"", v.substr(0, 40), "\""));
      return "";
    }
    return v;
  }
  Found Amount(xml_node base, absl::string_view path, absl::string_view rule_path) {
    Found f;
    f.value = Decimal(Find(base, path), rule_path);
    if (!f.value.empty()) f.rule = absl::StrCat(syntax_, ":", rule_path);
    return f;
  }

 private:
  const absl::string_view syntax_;
  absl::Status status_;
};

int LineNumber(absl::string_view text) {
  int n = 0;
  return absl::SimpleAtoi(text, &n) && n > 0 ? n : 0;
}

void AddPo(std::vector<Found>& pos, Found po) {
  if (po.empty()) return;
  for (const Found& f : pos) {
    if (f.value == po.value) return;
  }
  pos.push_back(std::move(po));
}

void AddIssuer(std::vector<std::string>& ids, std::string id) {
  if (id.empty()) return;
  for (const std::string& i : ids) {
    if (i == id) return;
  }
  ids.push_back(std::move(id));
}

// The element among `candidates` whose currencyID is `currency` (or that
// has none); the first otherwise.
xml_node InCurrency(const std::vector<xml_node>& candidates, absl::string_view currency) {
  for (xml_node n : candidates) {
    const absl::string_view c = n.attribute("currencyID").value();
    if (c.empty() || c == currency) return n;
  }
  return candidates.empty() ? xml_node() : candidates.front();
}

void CheckBasisQuantity(xml_node basis, int line, InvoiceDocument& inv) {
  const std::string b = Text(basis);
  if (b.empty()) return;
  absl::StatusOr<cxml::Decimal> d = cxml::Decimal::Parse(b);
  absl::StatusOr<cxml::Decimal> one = cxml::Decimal::Parse("1");
  if (d.ok() && d->WithMinScale(9)->ToString() == one->WithMinScale(9)->ToString()) return;
  inv.doubts.push_back(absl::StrCat("line ", line, ": the price is for ", b, " units, not one"));
}

}  // namespace

std::string IsoDate(int year, int month, int day) {
  if (year < 1900 || year > 9999) return "";
  const absl::CivilDay d(year, month, day);
  if (d.year() != year || d.month() != month || d.day() != day) return "";
  return absl::FormatCivilTime(d);
}

absl::string_view XmlRootName(absl::string_view bytes) {
  bytes = bytes.substr(0, kRootScanBytes);
  if (absl::StartsWith(bytes, kBom)) bytes.remove_prefix(kBom.size());
  size_t i = 0;
  while (i < bytes.size()) {
    while (i < bytes.size() && absl::ascii_isspace(static_cast<unsigned char>(bytes[i]))) ++i;
    const absl::string_view rest = bytes.substr(i);
    if (rest.empty() || rest.front() != '<') return "";
    size_t end = absl::string_view::npos;
    if (absl::StartsWith(rest, "<?")) {
      end = rest.find("?>");
      if (end != absl::string_view::npos) end += 2;
    } else if (absl::StartsWith(rest, "<!--")) {
      end = rest.find("-->");
      if (end != absl::string_view::npos) end += 3;
    } else if (absl::StartsWith(rest, "<!")) {
      const size_t bracket = rest.find('[');
      const size_t close = rest.find('>');
      end = bracket < close ? rest.find("]>", bracket) : close;
      if (end != absl::string_view::npos) end += bracket < close ? 2 : 1;
    } else {
      size_t n = 1;
      while (n < rest.size() && !absl::ascii_isspace(static_cast<unsigned char>(rest[n])) &&
             rest[n] != '>' && rest[n] != '/') {
        ++n;
      }
      return LocalName(rest.substr(1, n - 1));
    }
    if (end == absl::string_view::npos) return "";
    i += end;
  }
  return "";
}

absl::StatusOr<InvoiceDocument> ReadCii(absl::string_view bytes, InvoiceFormat format,
                                        const XmlLimits& limits) {
  pugi::xml_document doc;
  IOB_RETURN_IF_ERROR(Load(bytes, limits, &doc));
  const xml_node root = doc.document_element();
  if (LocalName(root.name()) != "CrossIndustryInvoice" || NamespaceOf(root) != kCiiNamespace) {
    return absl::InvalidArgumentError("not a CII CrossIndustryInvoice");
  }
  Mapper m("cii");
  InvoiceDocument inv;
  inv.format = format;
  inv.invoice_number = m.Value(root, "ExchangedDocument/ID", "ExchangedDocument/ID");
  if (inv.invoice_number.empty()) return absl::InvalidArgumentError("no ExchangedDocument/ID");
  inv.credit_memo = Text(Find(root, "ExchangedDocument/TypeCode")) == "381";

  const xml_node date = Find(root, "ExchangedDocument/IssueDateTime/DateTimeString");
  const std::string d = Text(date);
  int ymd = 0;
  if (!d.empty()) {
    const std::string iso = d.size() == 8 && absl::SimpleAtoi(d, &ymd)
                                ? IsoDate(ymd / 10000, ymd / 100 % 100, ymd % 100)
                                : "";
    if (iso.empty()) {
      m.Fail(absl::StrCat("ExchangedDocument/IssueDateTime is not a date (format 102): \"",
                          d.substr(0, 20), "\""));
    }
    inv.invoice_date = {iso, "cii:ExchangedDocument/IssueDateTime/DateTimeString"};
  }

  const xml_node trade = Find(root, "SupplyChainTradeTransaction");
  const xml_node agreement = Find(trade, "ApplicableHeaderTradeAgreement");
  const xml_node settlement = Find(trade, "ApplicableHeaderTradeSettlement");
  inv.currency = Text(Find(settlement, "InvoiceCurrencyCode"));

  AddPo(inv.po_numbers,
        m.Value(agreement, "BuyerOrderReferencedDocument/IssuerAssignedID",
                "ApplicableHeaderTradeAgreement/BuyerOrderReferencedDocument/IssuerAssignedID"));

  const xml_node seller = Find(agreement, "SellerTradeParty");
  for (xml_node id : Children(seller, "ID")) AddIssuer(inv.issuer_ids, Identifier(id));
  for (xml_node id : Children(seller, "GlobalID")) AddIssuer(inv.issuer_ids, Identifier(id));
  for (xml_node reg : Children(seller, "SpecifiedTaxRegistration")) {
    AddIssuer(inv.issuer_ids, Identifier(Find(reg, "ID")));
  }
  inv.issuer_name = Text(Find(seller, "Name"));

  constexpr absl::string_view kSum = "SpecifiedTradeSettlementHeaderMonetarySummation";
  const xml_node sums = Find(settlement, kSum);
  inv.net = m.Amount(sums, "TaxBasisTotalAmount", absl::StrCat(kSum, "/TaxBasisTotalAmount"));
  if (inv.net.empty()) {
    inv.net = m.Amount(sums, "LineTotalAmount", absl::StrCat(kSum, "/LineTotalAmount"));
  }
  const xml_node tax = InCurrency(Children(sums, "TaxTotalAmount"), inv.currency);
  inv.tax.value = m.Decimal(tax, absl::StrCat(kSum, "/TaxTotalAmount"));
  if (!inv.tax.empty()) inv.tax.rule = absl::StrCat("cii:", kSum, "/TaxTotalAmount");
  inv.gross = m.Amount(sums, "DuePayableAmount", absl::StrCat(kSum, "/DuePayableAmount"));
  if (inv.gross.empty()) {
    inv.gross = m.Amount(sums, "GrandTotalAmount", absl::StrCat(kSum, "/GrandTotalAmount"));
  }

  int index = 0;
  for (xml_node item : Children(trade, "IncludedSupplyChainTradeLineItem")) {
    ++index;
    const std::string where = absl::StrCat("IncludedSupplyChainTradeLineItem[", index, "]");
    InvoiceLine line;
    line.line_number = LineNumber(Text(Find(item, "AssociatedDocumentLineDocument/LineID")));
    if (line.line_number == 0) line.line_number = index;
    line.supplier_part_id = Text(Find(item, "SpecifiedTradeProduct/SellerAssignedID"));
    line.description = Text(Find(item, "SpecifiedTradeProduct/Name"));
    const xml_node agreement_line = Find(item, "SpecifiedLineTradeAgreement");
    line.po_number = Text(Find(agreement_line, "BuyerOrderReferencedDocument/IssuerAssignedID"));
    AddPo(inv.po_numbers,
          {line.po_number, absl::StrCat("cii:", where,
                                        "/SpecifiedLineTradeAgreement/"
                                        "BuyerOrderReferencedDocument/IssuerAssignedID")});
    line.order_line_number =
        LineNumber(Text(Find(agreement_line, "BuyerOrderReferencedDocument/LineID")));
    const xml_node price = Find(agreement_line, "NetPriceProductTradePrice");
    line.unit_price = m.Decimal(Find(price, "ChargeAmount"), absl::StrCat(where, "/ChargeAmount"));
    CheckBasisQuantity(Find(price, "BasisQuantity"), line.line_number, inv);
    const xml_node quantity = Find(item, "SpecifiedLineTradeDelivery/BilledQuantity");
    line.quantity = m.Decimal(quantity, absl::StrCat(where, "/BilledQuantity"));
    line.unit_of_measure = quantity.attribute("unitCode").value();
    line.subtotal =
        m.Decimal(Find(item,
                       "SpecifiedLineTradeSettlement/SpecifiedTradeSettlementLineMonetarySummation/"
                       "LineTotalAmount"),
                  absl::StrCat(where, "/LineTotalAmount"));
    inv.lines.push_back(std::move(line));
  }
  if (inv.po_numbers.empty()) {
    AddPo(inv.po_numbers,
          m.Value(agreement, "BuyerReference", "ApplicableHeaderTradeAgreement/BuyerReference"));
  }
  IOB_RETURN_IF_ERROR(m.status());
  return inv;
}

absl::StatusOr<InvoiceDocument> ReadUbl(absl::string_view bytes, const XmlLimits& limits) {
  pugi::xml_document doc;
  IOB_RETURN_IF_ERROR(Load(bytes, limits, &doc));
  const xml_node root = doc.document_element();
  const absl::string_view name = LocalName(root.name());
  const bool credit_note = name == "CreditNote";
  if (!(name == "Invoice" && NamespaceOf(root) == kUblInvoiceNamespace) &&
      !(credit_note && NamespaceOf(root) == kUblCreditNoteNamespace)) {
    return absl::InvalidArgumentError("not a UBL 2 Invoice or CreditNote");
  }
  Mapper m("ubl");
  InvoiceDocument inv;
  inv.format = InvoiceFormat::kUbl;
  inv.invoice_number = m.Value(root, "ID", "ID");
  if (inv.invoice_number.empty()) return absl::InvalidArgumentError("no cbc:ID");
  inv.credit_memo = credit_note || Text(Find(root, "InvoiceTypeCode")) == "381";
  inv.invoice_date = m.Value(root, "IssueDate", "IssueDate");
  int y = 0, mo = 0, d = 0;
  const std::vector<std::string> parts = absl::StrSplit(inv.invoice_date.value, '-');
  if (!inv.invoice_date.empty() &&
      (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &y) || !absl::SimpleAtoi(parts[1], &mo) ||
       !absl::SimpleAtoi(parts[2], &d) || IsoDate(y, mo, d) != inv.invoice_date.value)) {
    m.Fail(absl::StrCat("IssueDate is not a date: \"", inv.invoice_date.value.substr(0, 20), "\""));
  }
  inv.currency = Text(Find(root, "DocumentCurrencyCode"));
  // "NA" is PEPPOL's placeholder for an order reference without a PO.
  if (Found po = m.Value(root, "OrderReference/ID", "OrderReference/ID"); po.value != "NA") {
    AddPo(inv.po_numbers, std::move(po));
  }
  if (inv.po_numbers.empty()) {
    AddPo(inv.po_numbers, m.Value(root, "BuyerReference", "BuyerReference"));
  }

  const xml_node party = Find(root, "AccountingSupplierParty/Party");
  AddIssuer(inv.issuer_ids, Identifier(Find(party, "EndpointID")));
  for (xml_node id : Children(party, "PartyIdentification")) {
    AddIssuer(inv.issuer_ids, Identifier(Find(id, "ID")));
  }
  for (xml_node tax : Children(party, "PartyTaxScheme")) {
    std::string id = Text(Find(tax, "CompanyID"));
    const std::string scheme = Text(Find(tax, "TaxScheme/ID"));
    AddIssuer(inv.issuer_ids, id.empty() || scheme.empty() ? id : absl::StrCat(scheme, ":", id));
  }
  inv.issuer_name = Text(Find(party, "PartyLegalEntity/RegistrationName"));
  if (inv.issuer_name.empty()) inv.issuer_name = Text(Find(party, "PartyName/Name"));

  inv.net = m.Amount(root, "LegalMonetaryTotal/TaxExclusiveAmount",
                     "LegalMonetaryTotal/TaxExclusiveAmount");
  std::vector<xml_node> taxes;
  for (xml_node total : Children(root, "TaxTotal")) taxes.push_back(Find(total, "TaxAmount"));
  inv.tax.value = m.Decimal(InCurrency(taxes, inv.currency), "TaxTotal/TaxAmount");
  if (!inv.tax.empty()) inv.tax.rule = "ubl:TaxTotal/TaxAmount";
  inv.gross =
      m.Amount(root, "LegalMonetaryTotal/PayableAmount", "LegalMonetaryTotal/PayableAmount");

  const absl::string_view line_name = credit_note ? "CreditNoteLine" : "InvoiceLine";
  const absl::string_view quantity_name = credit_note ? "CreditedQuantity" : "InvoicedQuantity";
  int index = 0;
  for (xml_node item : Children(root, line_name)) {
    ++index;
    const std::string where = absl::StrCat(line_name, "[", index, "]");
    InvoiceLine line;
    line.line_number = LineNumber(Text(Find(item, "ID")));
    if (line.line_number == 0) line.line_number = index;
    const xml_node quantity = Find(item, quantity_name);
    line.quantity = m.Decimal(quantity, absl::StrCat(where, "/", quantity_name));
    line.unit_of_measure = quantity.attribute("unitCode").value();
    line.subtotal =
        m.Decimal(Find(item, "LineExtensionAmount"), absl::StrCat(where, "/LineExtensionAmount"));
    line.order_line_number = LineNumber(Text(Find(item, "OrderLineReference/LineID")));
    line.description = Text(Find(item, "Item/Name"));
    line.supplier_part_id = Text(Find(item, "Item/SellersItemIdentification/ID"));
    line.unit_price =
        m.Decimal(Find(item, "Price/PriceAmount"), absl::StrCat(where, "/Price/PriceAmount"));
    CheckBasisQuantity(Find(item, "Price/BaseQuantity"), line.line_number, inv);
    inv.lines.push_back(std::move(line));
  }
  IOB_RETURN_IF_ERROR(m.status());
  return inv;
}

}  // namespace iob::invoice
