// cXML writer: a small streaming XML emitter plus one function per element,
// each writing its children in DTD order. The first validation failure is
// remembered with its path and returned instead of the document.
#include "libs/cxml/writer.h"

#include <initializer_list>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "libs/cxml/decimal.h"
#include "libs/cxml/strings_internal.h"
#include "libs/cxml/timestamp.h"
#include "libs/cxml/utf8.h"
#include "pugixml.hpp"

namespace iob::cxml {

using internal::Cat;
using internal::Contains;
using internal::EqualsIgnoreCase;
using internal::Trim;
using internal::TrimLeft;
using internal::View;
namespace {

struct Attr {
  std::string_view name;
  std::string_view value;
  bool always = false;  // write even when empty
};

bool OneOf(std::string_view v, std::initializer_list<std::string_view> allowed) {
  for (std::string_view a : allowed) {
    if (v == a) return true;
  }
  return false;
}

// Character references allowed in a RawXml fragment; anything else after '&'
// would be an undefined entity.
bool EntityRefsOk(std::string_view raw) {
  std::string x;  // raw without CDATA sections, where '&' is literal
  for (size_t i = 0; i < raw.size();) {
    size_t c = raw.find("<![CDATA[", i);
    if (c == std::string_view::npos) {
      x.append(raw.substr(i));
      break;
    }
    x.append(raw.substr(i, c - i));
    size_t e = raw.find("]]>", c);
    i = e == std::string_view::npos ? raw.size() : e + 3;
  }
  for (size_t i = x.find('&'); i != std::string::npos; i = x.find('&', i + 1)) {
    size_t semi = x.find(';', i);
    if (semi == std::string::npos || semi - i > 12) return false;
    std::string_view ref = std::string_view(x).substr(i + 1, semi - i - 1);
    if (ref == "amp" || ref == "lt" || ref == "gt" || ref == "quot" || ref == "apos") continue;
    if (ref.size() >= 2 && ref[0] == '#') {
      bool hex = ref[1] == 'x';
      std::string_view digits = ref.substr(hex ? 2 : 1);
      if (digits.empty()) return false;
      for (char c : digits) {
        bool ok = hex ? absl::ascii_isxdigit(static_cast<unsigned char>(c))
                      : absl::ascii_isdigit(static_cast<unsigned char>(c));
        if (!ok) return false;
      }
      continue;
    }
    return false;
  }
  return true;
}

class Writer {
 public:
  Writer() { out_.reserve(16 * 1024); }

  std::string Take() { return std::move(out_); }
  const absl::Status& status() const { return status_; }

  void Fail(std::string message) {
    if (status_.ok()) status_ = absl::InvalidArgumentError(std::move(message));
  }
  void Required(std::string_view value, std::string_view path) {
    if (value.empty()) Fail(Cat("missing required ", path));
  }
  void Decimal(std::string_view value, std::string_view path) {
    if (value.empty()) {
      Fail(Cat("missing required ", path));
    } else if (!status_.ok()) {
      return;
    } else {
      absl::Status s = ValidateDecimal(value, path);
      if (!s.ok()) Fail(std::string(s.message()));
    }
  }
  void Enum(std::string_view value, std::string_view path,
            std::initializer_list<std::string_view> allowed) {
    if (!OneOf(value, allowed)) Fail(Cat("invalid value \"", value, "\" for ", path));
  }

  void Raw(std::string_view s) { out_.append(s.data(), s.size()); }

  void Open(std::string_view name, std::initializer_list<Attr> attrs = {}) {
    StartTag(name, attrs);
    out_ += ">\n";
    ++depth_;
  }
  void Close(std::string_view name) {
    --depth_;
    Indent();
    out_ += "</";
    Raw(name);
    out_ += ">\n";
  }
  // <name attrs>text</name> on one line.
  void Leaf(std::string_view name, std::string_view text, std::initializer_list<Attr> attrs = {}) {
    StartTag(name, attrs);
    out_ += '>';
    Text(text);
    out_ += "</";
    Raw(name);
    out_ += ">\n";
  }
  // <name attrs/>
  void Empty(std::string_view name, std::initializer_list<Attr> attrs = {}) {
    StartTag(name, attrs);
    out_ += "/>\n";
  }
  // <name attrs>raw markup</name>; the fragment is checked for well-formedness.
  void RawLeaf(std::string_view name, const RawXml& raw, std::string_view path,
               std::initializer_list<Attr> attrs = {}) {
    if (absl::Status st = CheckRawXml(raw.xml); !st.ok()) Fail(Cat(st.message(), " at ", path));
    StartTag(name, attrs);
    out_ += '>';
    Raw(raw.xml);
    out_ += "</";
    Raw(name);
    out_ += ">\n";
  }

  // Description has mixed content: text then an optional ShortName.
  void DescriptionElement(const Description& d, std::string_view path) {
    Required(d.lang, Cat(path, "@xml:lang"));
    StartTag("Description", {{"xml:lang", d.lang, true}});
    out_ += '>';
    Text(d.text);
    if (!d.short_name.empty()) {
      out_ += "<ShortName>";
      Text(d.short_name);
      out_ += "</ShortName>";
    }
    out_ += "</Description>\n";
  }

 private:
  void Indent() { out_.append(static_cast<size_t>(depth_) * 2, ' '); }

  void StartTag(std::string_view name, std::initializer_list<Attr> attrs) {
    Indent();
    out_ += '<';
    Raw(name);
    for (const Attr& a : attrs) {
      if (a.value.empty() && !a.always) continue;
      out_ += ' ';
      Raw(a.name);
      out_ += "=\"";
      AttrText(a.value);
      out_ += '"';
    }
  }

  void Text(std::string_view s) {
    for (char c : s) {
      switch (c) {
        case '&':
          out_ += "&amp;";
          break;
        case '<':
          out_ += "&lt;";
          break;
        case '>':
          out_ += "&gt;";
          break;
        case '\r':
          out_ += "&#13;";
          break;
        default:
          out_ += c;
      }
    }
  }

  void AttrText(std::string_view s) {
    for (char c : s) {
      switch (c) {
        case '&':
          out_ += "&amp;";
          break;
        case '<':
          out_ += "&lt;";
          break;
        case '>':
          out_ += "&gt;";
          break;
        case '"':
          out_ += "&quot;";
          break;
        case '\n':
          out_ += "&#10;";
          break;
        case '\r':
          out_ += "&#13;";
          break;
        case '\t':
          out_ += "&#9;";
          break;
        default:
          out_ += c;
      }
    }
  }

  std::string out_;
  int depth_ = 0;
  absl::Status status_;
};

std::string Idx(std::string_view path, std::string_view name, size_t i) {
  return Cat(path, "/", name, "[", i + 1, "]");
}

void WriteMoney(Writer& w, const Money& m, const std::string& path) {
  std::string p = Cat(path, "/Money");
  w.Decimal(m.amount, p);
  if (m.currency.empty()) {
    w.Fail(Cat("missing required ", p, "@currency"));
  } else if (!IsCurrencyCode(m.currency)) {
    w.Fail(Cat("invalid currency \"", m.currency, "\" at ", p, "@currency"));
  }
  w.Leaf("Money", m.amount, {{"currency", m.currency, true}});
}

// <Name>Money</Name> wrappers such as Total, SubtotalAmount.
void WrapMoney(Writer& w, std::string_view name, const Money& m, const std::string& path) {
  w.Open(name);
  WriteMoney(w, m, Cat(path, "/", name));
  w.Close(name);
}

void WriteCredentials(Writer& w, std::string_view name, const std::vector<Credential>& creds,
                      bool with_user_agent, const std::string& user_agent) {
  std::string path = Cat("Header/", name);
  if (creds.empty()) w.Fail(Cat("missing required ", path, "/Credential"));
  w.Open(name);
  for (size_t i = 0; i < creds.size(); ++i) {
    const Credential& c = creds[i];
    std::string cp = Idx(path, "Credential", i);
    w.Required(c.domain, Cat(cp, "@domain"));
    w.Required(c.identity, Cat(cp, "/Identity"));
    w.Open("Credential", {{"domain", c.domain, true}});
    w.Leaf("Identity", c.identity);
    if (!c.shared_secret.empty()) w.Leaf("SharedSecret", c.shared_secret);
    w.Close("Credential");
  }
  if (with_user_agent) {
    w.Required(user_agent, Cat(path, "/UserAgent"));
    w.Leaf("UserAgent", user_agent);
  }
  w.Close(name);
}

void WriteHeader(Writer& w, const Header& h) {
  w.Open("Header");
  WriteCredentials(w, "From", h.from, false, "");
  WriteCredentials(w, "To", h.to, false, "");
  WriteCredentials(w, "Sender", h.sender, true, h.user_agent);
  w.Close("Header");
}

void WriteExtrinsics(Writer& w, const std::vector<Extrinsic>& xs, const std::string& path) {
  for (size_t i = 0; i < xs.size(); ++i) {
    std::string p = Idx(path, "Extrinsic", i);
    w.Required(xs[i].name, Cat(p, "@name"));
    w.RawLeaf("Extrinsic", xs[i].value, p, {{"name", xs[i].name, true}});
  }
}

void WriteComments(Writer& w, const std::vector<Comment>& cs) {
  for (const Comment& c : cs) {
    w.Leaf("Comments", c.text, {{"xml:lang", c.lang}, {"type", c.type}});
  }
}

void WritePhone(Writer& w, const Phone& ph, const std::string& path) {
  w.Required(ph.iso_country_code, Cat(path, "/TelephoneNumber/CountryCode@isoCountryCode"));
  w.Open("Phone", {{"name", ph.name}});
  w.Open("TelephoneNumber");
  w.Leaf("CountryCode", ph.country_code, {{"isoCountryCode", ph.iso_country_code, true}});
  w.Leaf("AreaOrCityCode", ph.area_or_city_code);
  w.Leaf("Number", ph.number);
  if (!ph.extension.empty()) w.Leaf("Extension", ph.extension);
  w.Close("TelephoneNumber");
  w.Close("Phone");
}

void WritePostalAddress(Writer& w, const PostalAddress& a, const std::string& path) {
  if (a.street.empty()) w.Fail(Cat("missing required ", path, "/Street"));
  w.Required(a.city, Cat(path, "/City"));
  w.Required(a.iso_country_code, Cat(path, "/Country@isoCountryCode"));
  w.Open("PostalAddress", {{"name", a.name}});
  for (const std::string& d : a.deliver_to) w.Leaf("DeliverTo", d);
  for (const std::string& s : a.street) w.Leaf("Street", s);
  w.Leaf("City", a.city);
  if (!a.state.empty()) w.Leaf("State", a.state);
  if (!a.postal_code.empty()) w.Leaf("PostalCode", a.postal_code);
  w.Leaf("Country", a.country, {{"isoCountryCode", a.iso_country_code, true}});
  w.Close("PostalAddress");
}

// ShipTo / BillTo: (Address).
void WriteAddressWrapper(Writer& w, std::string_view wrapper, const Address& a,
                         const std::string& parent) {
  std::string path = Cat(parent, "/", wrapper, "/Address");
  w.Required(a.name, Cat(path, "/Name"));
  w.Open(wrapper);
  w.Open("Address", {{"isoCountryCode", a.iso_country_code},
                     {"addressID", a.address_id},
                     {"addressIDDomain", a.address_id_domain}});
  w.Leaf("Name", a.name, {{"xml:lang", a.name_lang, true}});
  if (a.postal_address) WritePostalAddress(w, *a.postal_address, path + "/PostalAddress");
  if (!a.email.empty()) w.Leaf("Email", a.email);
  if (a.phone) WritePhone(w, *a.phone, path + "/Phone");
  w.Close("Address");
  w.Close(wrapper);
}

void WriteContacts(Writer& w, const std::vector<Contact>& cs, const std::string& path) {
  for (size_t i = 0; i < cs.size(); ++i) {
    const Contact& c = cs[i];
    std::string p = Idx(path, "Contact", i);
    w.Required(c.name, p + "/Name");
    w.Open(
        "Contact",
        {{"role", c.role}, {"addressID", c.address_id}, {"addressIDDomain", c.address_id_domain}});
    w.Leaf("Name", c.name, {{"xml:lang", c.name_lang, true}});
    for (size_t k = 0; k < c.postal_addresses.size(); ++k) {
      WritePostalAddress(w, c.postal_addresses[k], Idx(p, "PostalAddress", k));
    }
    for (const std::string& e : c.emails) w.Leaf("Email", e);
    for (size_t k = 0; k < c.phones.size(); ++k) WritePhone(w, c.phones[k], Idx(p, "Phone", k));
    WriteExtrinsics(w, c.extrinsics, p);
    w.Close("Contact");
  }
}

void WriteShipping(Writer& w, const Shipping& s, const std::string& parent) {
  std::string p = parent + "/Shipping";
  w.Open("Shipping", {{"trackingDomain", s.tracking_domain}, {"trackingId", s.tracking_id}});
  WriteMoney(w, s.money, p);
  w.DescriptionElement(s.description, p + "/Description");
  w.Close("Shipping");
}

void WriteTax(Writer& w, const Tax& t, const std::string& parent) {
  std::string p = parent + "/Tax";
  w.Open("Tax");
  WriteMoney(w, t.money, p);
  w.DescriptionElement(t.description, p + "/Description");
  w.Close("Tax");
}

void WriteItemId(Writer& w, const ItemId& id, const std::string& parent) {
  std::string p = parent + "/ItemID";
  w.Required(id.supplier_part_id, p + "/SupplierPartID");
  w.Open("ItemID");
  w.Leaf("SupplierPartID", id.supplier_part_id);
  if (id.supplier_part_auxiliary_id) {
    w.RawLeaf("SupplierPartAuxiliaryID", *id.supplier_part_auxiliary_id,
              p + "/SupplierPartAuxiliaryID");
  }
  if (!id.buyer_part_id.empty()) w.Leaf("BuyerPartID", id.buyer_part_id);
  w.Close("ItemID");
}

void WriteItemDetail(Writer& w, const ItemDetail& d, const std::string& parent) {
  std::string p = parent + "/ItemDetail";
  w.Open("ItemDetail");
  WrapMoney(w, "UnitPrice", d.unit_price, p);
  if (d.descriptions.empty()) w.Fail(Cat("missing required ", p, "/Description"));
  for (size_t i = 0; i < d.descriptions.size(); ++i) {
    w.DescriptionElement(d.descriptions[i], Idx(p, "Description", i));
  }
  w.Required(d.unit_of_measure, p + "/UnitOfMeasure");
  w.Leaf("UnitOfMeasure", d.unit_of_measure);
  if (d.classifications.empty()) w.Fail(Cat("missing required ", p, "/Classification"));
  for (size_t i = 0; i < d.classifications.size(); ++i) {
    const Classification& c = d.classifications[i];
    w.Required(c.domain, Idx(p, "Classification", i) + "@domain");
    w.Leaf("Classification", c.value, {{"domain", c.domain, true}, {"code", c.code}});
  }
  if (!d.manufacturer_part_id.empty()) w.Leaf("ManufacturerPartID", d.manufacturer_part_id);
  if (!d.manufacturer_name.empty()) w.Leaf("ManufacturerName", d.manufacturer_name);
  if (!d.url.empty()) w.Leaf("URL", d.url);
  if (!d.lead_time.empty()) {
    w.Decimal(d.lead_time, p + "/LeadTime");
    w.Leaf("LeadTime", d.lead_time);
  }
  WriteExtrinsics(w, d.extrinsics, p);
  w.Close("ItemDetail");
}

void WriteItemOut(Writer& w, const ItemOut& it, const std::string& p) {
  w.Decimal(it.quantity, p + "@quantity");
  w.Open("ItemOut", {{"quantity", it.quantity, true},
                     {"lineNumber", it.line_number},
                     {"requisitionID", it.requisition_id},
                     {"requestedDeliveryDate", it.requested_delivery_date}});
  WriteItemId(w, it.item_id, p);
  if (it.item_detail) WriteItemDetail(w, *it.item_detail, p);
  if (it.ship_to) WriteAddressWrapper(w, "ShipTo", *it.ship_to, p);
  if (it.shipping) WriteShipping(w, *it.shipping, p);
  if (it.tax) WriteTax(w, *it.tax, p);
  WriteContacts(w, it.contacts, p);
  WriteComments(w, it.comments);
  w.Close("ItemOut");
}

void WriteItemIn(Writer& w, const ItemIn& it, const std::string& p) {
  w.Decimal(it.quantity, p + "@quantity");
  w.Open("ItemIn", {{"quantity", it.quantity, true}, {"lineNumber", it.line_number}});
  WriteItemId(w, it.item_id, p);
  WriteItemDetail(w, it.item_detail, p);
  if (it.ship_to) WriteAddressWrapper(w, "ShipTo", *it.ship_to, p);
  if (it.shipping) WriteShipping(w, *it.shipping, p);
  if (it.tax) WriteTax(w, *it.tax, p);
  WriteExtrinsics(w, it.extrinsics, p);
  w.Close("ItemIn");
}

void WriteDocumentReference(Writer& w, std::string_view payload_id, const std::string& path) {
  w.Required(payload_id, path + "/DocumentReference@payloadID");
  w.Empty("DocumentReference", {{"payloadID", payload_id, true}});
}

void WriteOrderReference(Writer& w, const OrderReference& r, const std::string& parent) {
  std::string p = parent + "/OrderReference";
  w.Open("OrderReference", {{"orderID", r.order_id}, {"orderDate", r.order_date}});
  WriteDocumentReference(w, r.payload_id, p);
  w.Close("OrderReference");
}

void WritePunchOutSetupRequest(Writer& w, const PunchOutSetupRequest& r) {
  const std::string p = "PunchOutSetupRequest";
  w.Required(r.buyer_cookie, p + "/BuyerCookie");
  w.Open("PunchOutSetupRequest", {{"operation", PunchOutOperationName(r.operation), true}});
  w.Leaf("BuyerCookie", r.buyer_cookie);
  WriteExtrinsics(w, r.extrinsics, p);
  if (!r.browser_form_post_url.empty()) {
    w.Open("BrowserFormPost");
    w.Leaf("URL", r.browser_form_post_url);
    w.Close("BrowserFormPost");
  }
  WriteContacts(w, r.contacts, p);
  if (!r.supplier_setup_url.empty()) {
    w.Open("SupplierSetup");
    w.Leaf("URL", r.supplier_setup_url);
    w.Close("SupplierSetup");
  }
  if (r.ship_to) WriteAddressWrapper(w, "ShipTo", *r.ship_to, p);
  for (size_t i = 0; i < r.items.size(); ++i) WriteItemOut(w, r.items[i], Idx(p, "ItemOut", i));
  w.Close("PunchOutSetupRequest");
}

void WritePunchOutOrderMessage(Writer& w, const PunchOutOrderMessage& m) {
  const std::string p = "PunchOutOrderMessage";
  const std::string hp = p + "/PunchOutOrderMessageHeader";
  w.Required(m.buyer_cookie, p + "/BuyerCookie");
  if (!m.quote_status.empty()) w.Enum(m.quote_status, hp + "@quoteStatus", {"pending", "final"});
  w.Open("PunchOutOrderMessage");
  w.Leaf("BuyerCookie", m.buyer_cookie);
  w.Open("PunchOutOrderMessageHeader",
         {{"operationAllowed", PunchOutOperationName(m.operation_allowed), true},
          {"quoteStatus", m.quote_status}});
  WrapMoney(w, "Total", m.total, hp);
  if (m.ship_to) WriteAddressWrapper(w, "ShipTo", *m.ship_to, hp);
  if (m.shipping) WriteShipping(w, *m.shipping, hp);
  if (m.tax) WriteTax(w, *m.tax, hp);
  w.Close("PunchOutOrderMessageHeader");
  for (size_t i = 0; i < m.items.size(); ++i) WriteItemIn(w, m.items[i], Idx(p, "ItemIn", i));
  w.Close("PunchOutOrderMessage");
}

void WriteOrderRequest(Writer& w, const OrderRequest& o) {
  const std::string p = "OrderRequest";
  const std::string hp = p + "/OrderRequestHeader";
  w.Required(o.order_id, hp + "@orderID");
  w.Required(o.order_date, hp + "@orderDate");
  if (o.items.empty()) w.Fail(Cat("missing required ", p, "/ItemOut"));
  w.Open("OrderRequest");
  w.Open("OrderRequestHeader", {{"orderID", o.order_id, true},
                                {"orderDate", o.order_date, true},
                                {"type", OrderTypeName(o.type), true},
                                {"orderVersion", o.order_version},
                                {"requestedDeliveryDate", o.requested_delivery_date}});
  WrapMoney(w, "Total", o.total, hp);
  if (o.ship_to) WriteAddressWrapper(w, "ShipTo", *o.ship_to, hp);
  WriteAddressWrapper(w, "BillTo", o.bill_to, hp);
  if (o.shipping) WriteShipping(w, *o.shipping, hp);
  if (o.tax) WriteTax(w, *o.tax, hp);
  if (o.payment) {
    const Payment& pay = *o.payment;
    std::string pp = hp + "/Payment/PCard";
    w.Required(pay.number, pp + "@number");
    w.Required(pay.expiration, pp + "@expiration");
    w.Open("Payment");
    w.Empty(
        "PCard",
        {{"number", pay.number, true}, {"expiration", pay.expiration, true}, {"name", pay.name}});
    w.Close("Payment");
  }
  WriteContacts(w, o.contacts, hp);
  WriteComments(w, o.comments);
  if (!o.document_reference.empty()) WriteDocumentReference(w, o.document_reference, hp);
  WriteExtrinsics(w, o.extrinsics, hp);
  w.Close("OrderRequestHeader");
  for (size_t i = 0; i < o.items.size(); ++i) WriteItemOut(w, o.items[i], Idx(p, "ItemOut", i));
  w.Close("OrderRequest");
}

void WriteOptions(Writer& w, const std::vector<ProfileOption>& opts, const std::string& path) {
  for (size_t i = 0; i < opts.size(); ++i) {
    w.Required(opts[i].name, Idx(path, "Option", i) + "@name");
    w.Leaf("Option", opts[i].value, {{"name", opts[i].name, true}});
  }
}

void WriteResponse(Writer& w, const Response& r) {
  const std::string p = "Response";
  w.Required(r.status.text, p + "/Status@text");
  if (r.status.code < 100 || r.status.code > 999) w.Fail("invalid Response/Status@code");
  if (r.punch_out_setup_response && r.profile_response) {
    w.Fail("Response carries both PunchOutSetupResponse and ProfileResponse");
  }
  std::string code = Cat(r.status.code);
  w.Open("Response");
  w.Leaf("Status", r.status.message,
         {{"code", code, true}, {"text", r.status.text, true}, {"xml:lang", r.status.lang}});
  if (r.profile_response) {
    const ProfileResponse& pr = *r.profile_response;
    std::string pp = p + "/ProfileResponse";
    w.Required(pr.effective_date, pp + "@effectiveDate");
    if (pr.transactions.empty()) w.Fail(Cat("missing required ", pp, "/Transaction"));
    w.Open("ProfileResponse",
           {{"effectiveDate", pr.effective_date, true}, {"lastRefresh", pr.last_refresh}});
    WriteOptions(w, pr.options, pp);
    for (size_t i = 0; i < pr.transactions.size(); ++i) {
      const ProfileTransaction& t = pr.transactions[i];
      std::string tp = Idx(pp, "Transaction", i);
      w.Required(t.request_name, tp + "@requestName");
      w.Required(t.url, tp + "/URL");
      w.Open("Transaction", {{"requestName", t.request_name, true}});
      w.Leaf("URL", t.url);
      WriteOptions(w, t.options, tp);
      w.Close("Transaction");
    }
    w.Close("ProfileResponse");
  }
  if (r.punch_out_setup_response) {
    std::string pp = p + "/PunchOutSetupResponse/StartPage/URL";
    w.Required(r.punch_out_setup_response->start_page_url, pp);
    w.Open("PunchOutSetupResponse");
    w.Open("StartPage");
    w.Leaf("URL", r.punch_out_setup_response->start_page_url);
    w.Close("StartPage");
    w.Close("PunchOutSetupResponse");
  }
  w.Close("Response");
}

void WriteConfirmationRequest(Writer& w, const ConfirmationRequest& c) {
  const std::string p = "ConfirmationRequest";
  const std::string hp = p + "/ConfirmationHeader";
  w.Enum(c.type, hp + "@type",
         {"accept", "allDetail", "detail", "backordered", "except", "reject", "requestToPay",
          "replace"});
  w.Enum(c.operation, hp + "@operation", {"new", "update"});
  w.Required(c.notice_date, hp + "@noticeDate");
  w.Open("ConfirmationRequest");
  w.Open("ConfirmationHeader", {{"confirmID", c.confirm_id},
                                {"operation", c.operation, true},
                                {"type", c.type, true},
                                {"noticeDate", c.notice_date, true},
                                {"invoiceID", c.invoice_id}});
  if (c.total) WrapMoney(w, "Total", *c.total, hp);
  if (c.shipping) WriteShipping(w, *c.shipping, hp);
  if (c.tax) WriteTax(w, *c.tax, hp);
  WriteContacts(w, c.contacts, hp);
  WriteComments(w, c.comments);
  WriteExtrinsics(w, c.extrinsics, hp);
  w.Close("ConfirmationHeader");
  WriteOrderReference(w, c.order_reference, p);
  for (size_t i = 0; i < c.items.size(); ++i) {
    const ConfirmationItem& it = c.items[i];
    std::string ip = Idx(p, "ConfirmationItem", i);
    w.Decimal(it.quantity, ip + "@quantity");
    w.Required(it.line_number, ip + "@lineNumber");
    w.Required(it.unit_of_measure, ip + "/UnitOfMeasure");
    if (it.statuses.empty()) w.Fail(Cat("missing required ", ip, "/ConfirmationStatus"));
    w.Open("ConfirmationItem",
           {{"quantity", it.quantity, true}, {"lineNumber", it.line_number, true}});
    w.Leaf("UnitOfMeasure", it.unit_of_measure);
    for (size_t k = 0; k < it.statuses.size(); ++k) {
      const ConfirmationStatus& s = it.statuses[k];
      std::string sp = Idx(ip, "ConfirmationStatus", k);
      w.Decimal(s.quantity, sp + "@quantity");
      w.Enum(s.type, sp + "@type",
             {"accept", "allDetail", "detail", "backordered", "reject", "unknown", "requestToPay"});
      w.Required(s.unit_of_measure, sp + "/UnitOfMeasure");
      w.Open("ConfirmationStatus", {{"quantity", s.quantity, true},
                                    {"type", s.type, true},
                                    {"shipmentDate", s.shipment_date},
                                    {"deliveryDate", s.delivery_date}});
      w.Leaf("UnitOfMeasure", s.unit_of_measure);
      if (s.unit_price) WrapMoney(w, "UnitPrice", *s.unit_price, sp);
      if (s.tax) WriteTax(w, *s.tax, sp);
      if (s.shipping) WriteShipping(w, *s.shipping, sp);
      WriteComments(w, s.comments);
      WriteExtrinsics(w, s.extrinsics, sp);
      w.Close("ConfirmationStatus");
    }
    w.Close("ConfirmationItem");
  }
  w.Close("ConfirmationRequest");
}

void WriteShipNoticeRequest(Writer& w, const ShipNoticeRequest& s) {
  const std::string p = "ShipNoticeRequest";
  const std::string hp = p + "/ShipNoticeHeader";
  w.Required(s.shipment_id, hp + "@shipmentID");
  w.Required(s.notice_date, hp + "@noticeDate");
  w.Enum(s.operation, hp + "@operation", {"new", "update", "delete"});
  if (!s.shipment_type.empty())
    w.Enum(s.shipment_type, hp + "@shipmentType", {"actual", "planned"});
  if (!s.fulfillment_type.empty()) {
    w.Enum(s.fulfillment_type, hp + "@fulfillmentType", {"partial", "complete"});
  }
  w.Open("ShipNoticeRequest");
  w.Open("ShipNoticeHeader", {{"shipmentID", s.shipment_id, true},
                              {"operation", s.operation, true},
                              {"noticeDate", s.notice_date, true},
                              {"shipmentDate", s.shipment_date},
                              {"deliveryDate", s.delivery_date},
                              {"shipmentType", s.shipment_type},
                              {"fulfillmentType", s.fulfillment_type}});
  WriteContacts(w, s.contacts, hp);
  WriteComments(w, s.comments);
  WriteExtrinsics(w, s.extrinsics, hp);
  w.Close("ShipNoticeHeader");
  for (size_t i = 0; i < s.ship_controls.size(); ++i) {
    const ShipControl& sc = s.ship_controls[i];
    std::string cp = Idx(p, "ShipControl", i);
    if (sc.carrier_identifiers.empty()) w.Fail(Cat("missing required ", cp, "/CarrierIdentifier"));
    if (sc.shipment_identifiers.empty())
      w.Fail(Cat("missing required ", cp, "/ShipmentIdentifier"));
    w.Open("ShipControl");
    for (size_t k = 0; k < sc.carrier_identifiers.size(); ++k) {
      const CarrierIdentifier& ci = sc.carrier_identifiers[k];
      w.Required(ci.domain, Idx(cp, "CarrierIdentifier", k) + "@domain");
      w.Leaf("CarrierIdentifier", ci.value, {{"domain", ci.domain, true}});
    }
    for (const ShipmentIdentifier& si : sc.shipment_identifiers) {
      w.Leaf("ShipmentIdentifier", si.value,
             {{"domain", si.domain}, {"trackingURL", si.tracking_url}});
    }
    w.Close("ShipControl");
  }
  for (size_t i = 0; i < s.portions.size(); ++i) {
    const ShipNoticePortion& portion = s.portions[i];
    std::string pp = Idx(p, "ShipNoticePortion", i);
    w.Open("ShipNoticePortion");
    WriteOrderReference(w, portion.order_reference, pp);
    for (size_t k = 0; k < portion.items.size(); ++k) {
      const ShipNoticeItem& it = portion.items[k];
      std::string ip = Idx(pp, "ShipNoticeItem", k);
      w.Decimal(it.quantity, ip + "@quantity");
      w.Required(it.line_number, ip + "@lineNumber");
      w.Required(it.unit_of_measure, ip + "/UnitOfMeasure");
      w.Open("ShipNoticeItem",
             {{"quantity", it.quantity, true}, {"lineNumber", it.line_number, true}});
      if (it.item_id) WriteItemId(w, *it.item_id, ip);
      w.Leaf("UnitOfMeasure", it.unit_of_measure);
      w.Close("ShipNoticeItem");
    }
    w.Close("ShipNoticePortion");
  }
  w.Close("ShipNoticeRequest");
}

void WriteOptMoneyWrapper(Writer& w, std::string_view name, const std::optional<Money>& m,
                          const std::string& path) {
  if (m) WrapMoney(w, name, *m, path);
}

void WriteInvoiceDetailRequest(Writer& w, const InvoiceDetailRequest& inv) {
  const std::string p = "InvoiceDetailRequest";
  const std::string hp = p + "/InvoiceDetailRequestHeader";
  w.Required(inv.invoice_id, hp + "@invoiceID");
  w.Required(inv.invoice_date, hp + "@invoiceDate");
  w.Enum(inv.purpose, hp + "@purpose",
         {"standard", "creditMemo", "debitMemo", "lineLevelCreditMemo", "lineLevelDebitMemo"});
  w.Enum(inv.operation, hp + "@operation", {"new", "delete"});
  if (inv.orders.empty()) w.Fail(Cat("missing required ", p, "/InvoiceDetailOrder"));
  if (inv.comments.size() > 1) w.Fail(Cat("at most one ", hp, "/Comments"));
  w.Open("InvoiceDetailRequest");
  w.Open("InvoiceDetailRequestHeader", {{"invoiceID", inv.invoice_id, true},
                                        {"purpose", inv.purpose, true},
                                        {"operation", inv.operation, true},
                                        {"invoiceDate", inv.invoice_date, true}});
  w.Empty("InvoiceDetailHeaderIndicator");
  w.Empty("InvoiceDetailLineIndicator", {{"isTaxInLine", inv.is_tax_in_line ? "yes" : ""}});
  for (size_t i = 0; i < inv.partners.size(); ++i) {
    w.Open("InvoicePartner");
    WriteContacts(w, {inv.partners[i]}, Idx(hp, "InvoicePartner", i));
    w.Close("InvoicePartner");
  }
  if (!inv.document_reference.empty()) WriteDocumentReference(w, inv.document_reference, hp);
  WriteComments(w, inv.comments);
  WriteExtrinsics(w, inv.extrinsics, hp);
  w.Close("InvoiceDetailRequestHeader");
  for (size_t i = 0; i < inv.orders.size(); ++i) {
    const InvoiceDetailOrder& o = inv.orders[i];
    std::string op = Idx(p, "InvoiceDetailOrder", i);
    if (o.items.empty()) w.Fail(Cat("missing required ", op, "/InvoiceDetailItem"));
    w.Open("InvoiceDetailOrder");
    w.Open("InvoiceDetailOrderInfo");
    WriteOrderReference(w, o.order_reference, op + "/InvoiceDetailOrderInfo");
    w.Close("InvoiceDetailOrderInfo");
    for (size_t k = 0; k < o.items.size(); ++k) {
      const InvoiceDetailItem& it = o.items[k];
      std::string ip = Idx(op, "InvoiceDetailItem", k);
      w.Required(it.invoice_line_number, ip + "@invoiceLineNumber");
      w.Decimal(it.quantity, ip + "@quantity");
      w.Required(it.unit_of_measure, ip + "/UnitOfMeasure");
      w.Required(it.line_number, ip + "/InvoiceDetailItemReference@lineNumber");
      w.Open("InvoiceDetailItem", {{"invoiceLineNumber", it.invoice_line_number, true},
                                   {"quantity", it.quantity, true}});
      w.Leaf("UnitOfMeasure", it.unit_of_measure);
      WrapMoney(w, "UnitPrice", it.unit_price, ip);
      std::string rp = ip + "/InvoiceDetailItemReference";
      w.Open("InvoiceDetailItemReference", {{"lineNumber", it.line_number, true}});
      if (it.item_id) WriteItemId(w, *it.item_id, rp);
      if (it.description) w.DescriptionElement(*it.description, rp + "/Description");
      w.Close("InvoiceDetailItemReference");
      WriteOptMoneyWrapper(w, "SubtotalAmount", it.subtotal_amount, ip);
      if (it.tax) WriteTax(w, *it.tax, ip);
      WriteOptMoneyWrapper(w, "GrossAmount", it.gross_amount, ip);
      WriteOptMoneyWrapper(w, "NetAmount", it.net_amount, ip);
      WriteExtrinsics(w, it.extrinsics, ip);
      w.Close("InvoiceDetailItem");
    }
    w.Close("InvoiceDetailOrder");
  }
  const InvoiceDetailSummary& s = inv.summary;
  const std::string sp = p + "/InvoiceDetailSummary";
  w.Open("InvoiceDetailSummary");
  WrapMoney(w, "SubtotalAmount", s.subtotal_amount, sp);
  WriteTax(w, s.tax, sp);
  if (s.special_handling_amount)
    WrapMoney(w, "SpecialHandlingAmount", *s.special_handling_amount, sp);
  WriteOptMoneyWrapper(w, "ShippingAmount", s.shipping_amount, sp);
  WriteOptMoneyWrapper(w, "GrossAmount", s.gross_amount, sp);
  WriteOptMoneyWrapper(w, "InvoiceDetailDiscount", s.discount_amount, sp);
  WrapMoney(w, "NetAmount", s.net_amount, sp);
  WriteOptMoneyWrapper(w, "DueAmount", s.due_amount, sp);
  w.Close("InvoiceDetailSummary");
  w.Close("InvoiceDetailRequest");
}

}  // namespace

std::string RedactSharedSecrets(std::string xml) {
  static constexpr std::string_view kOpen = "<SharedSecret>", kClose = "</SharedSecret>";
  for (size_t at = xml.find(kOpen); at != std::string::npos; at = xml.find(kOpen, at)) {
    at += kOpen.size();
    const size_t end = xml.find(kClose, at);
    if (end == std::string::npos) break;
    xml.replace(at, end - at, "[redacted]");
  }
  return xml;
}

absl::Status CheckRawXml(std::string_view xml) {
  // "]]>" may only close a CDATA section.
  for (size_t i = 0; (i = xml.find("]]>", i)) != std::string_view::npos; i += 3) {
    const size_t open = xml.rfind("<![CDATA[", i);
    const size_t closed = open == std::string_view::npos ? open : xml.find("]]>", open);
    if (open == std::string_view::npos || closed != i) {
      return absl::InvalidArgumentError("\"]]>\" in character data");
    }
  }
  if (!EntityRefsOk(xml)) return absl::InvalidArgumentError("undefined entity reference");
  if (xml.find('<') == std::string_view::npos) return absl::OkStatus();
  // Parsed inside an element of its own, so a stray '<' at the end is caught.
  std::string wrapped = "<r>";
  wrapped.append(xml.data(), xml.size());
  wrapped += "</r>";
  pugi::xml_document doc;
  const pugi::xml_parse_result r = doc.load_buffer(
      wrapped.data(), wrapped.size(),
      pugi::parse_default | pugi::parse_declaration | pugi::parse_doctype, pugi::encoding_utf8);
  bool has_decl = xml.find("<!DOCTYPE") != std::string_view::npos;
  for (pugi::xml_node n = doc.first_child().first_child(); n; n = n.next_sibling()) {
    has_decl |= n.type() == pugi::node_declaration || n.type() == pugi::node_doctype;
  }
  if (!r || has_decl || std::distance(doc.children().begin(), doc.children().end()) != 1) {
    return absl::InvalidArgumentError("not a well-formed XML fragment");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> WriteDocument(const Document& doc) {
  Writer w;
  const DocumentType type = TypeOf(doc);
  w.Required(doc.payload_id, "cXML@payloadID");
  if (doc.timestamp.empty()) {
    w.Required(doc.timestamp, "cXML@timestamp");
  } else if (!IsStrictTimestamp(doc.timestamp)) {
    w.Fail(Cat("cXML@timestamp \"", doc.timestamp, "\" is not YYYY-MM-DDThh:mm:ss+hh:mm"));
  }
  w.Raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE cXML SYSTEM \"");
  w.Raw(DtdSystemId(FamilyOf(type)));
  w.Raw("\">\n");
  w.Open("cXML", {{"payloadID", doc.payload_id, true},
                  {"timestamp", doc.timestamp, true},
                  {"version", doc.version},
                  {"xml:lang", doc.lang}});
  const std::string_view mode = DeploymentModeName(doc.deployment_mode);
  if (const auto* r = std::get_if<Response>(&doc.body)) {
    WriteResponse(w, *r);
  } else if (const auto* m = std::get_if<PunchOutOrderMessage>(&doc.body)) {
    WriteHeader(w, doc.header);
    w.Open("Message", {{"deploymentMode", mode, true}, {"inReplyTo", doc.in_reply_to}});
    WritePunchOutOrderMessage(w, *m);
    w.Close("Message");
  } else {
    WriteHeader(w, doc.header);
    w.Open("Request", {{"deploymentMode", mode, true}});
    std::visit(
        [&w](const auto& body) {
          using T = std::decay_t<decltype(body)>;
          if constexpr (std::is_same_v<T, PunchOutSetupRequest>) {
            WritePunchOutSetupRequest(w, body);
          } else if constexpr (std::is_same_v<T, OrderRequest>) {
            WriteOrderRequest(w, body);
          } else if constexpr (std::is_same_v<T, ConfirmationRequest>) {
            WriteConfirmationRequest(w, body);
          } else if constexpr (std::is_same_v<T, ShipNoticeRequest>) {
            WriteShipNoticeRequest(w, body);
          } else if constexpr (std::is_same_v<T, InvoiceDetailRequest>) {
            WriteInvoiceDetailRequest(w, body);
          } else if constexpr (std::is_same_v<T, ProfileRequest>) {
            w.Empty("ProfileRequest");
          }
        },
        doc.body);
    w.Close("Request");
  }
  w.Close("cXML");
  if (!w.status().ok()) return w.status();
  std::string out = w.Take();
  size_t bad = 0;
  if (!IsValidXmlUtf8(out, &bad)) {
    return absl::InvalidArgumentError(
        Cat("document text contains invalid UTF-8 or a character XML forbids (output offset ", bad,
            ")"));
  }
  return out;
}

}  // namespace iob::cxml
