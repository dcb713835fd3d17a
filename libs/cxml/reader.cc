// cXML reader: hardened load (limits, UTF-8, DOCTYPE policy, duplicate
// attributes, depth) followed by a mapping from the pugixml tree to the
// structs in model.h. Mapping functions record the first error (with its
// path) in a context and keep going; the caller returns that error.
#include "libs/cxml/reader.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
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

using pugi::xml_node;

// ---- hardened load ---------------------------------------------------------

// Checks the DOCTYPE node's content (everything after "<!DOCTYPE").
absl::Status CheckDoctype(std::string_view v) {
  if (Contains(v, "ENTITY")) {
    return absl::InvalidArgumentError(
        "DOCTYPE declares ENTITY: entity declarations are not allowed");
  }
  if (v.find('[') != std::string_view::npos) {
    return absl::InvalidArgumentError("DOCTYPE with an internal subset is not allowed");
  }
  v = Trim(v);
  size_t sp = v.find_first_of(" \t\r\n");
  if (sp == std::string_view::npos) return absl::OkStatus();  // <!DOCTYPE cXML>
  std::string_view rest = Trim(v.substr(sp));
  if (!rest.starts_with("SYSTEM")) {
    return absl::InvalidArgumentError(
        "DOCTYPE with a PUBLIC or unknown external id is not allowed (only a cxml.org SYSTEM id)");
  }
  rest = Trim(rest.substr(6));
  if (rest.size() < 2 || (rest.front() != '"' && rest.front() != '\'') ||
      rest.back() != rest.front()) {
    return absl::InvalidArgumentError("malformed DOCTYPE SYSTEM id");
  }
  std::string_view url = rest.substr(1, rest.size() - 2);
  constexpr std::string_view kPrefix = "http://xml.cxml.org/schemas/cXML/";
  bool ok = url.starts_with(kPrefix) && url.ends_with(".dtd");
  if (ok) {
    for (char c : url.substr(kPrefix.size())) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '/') ok = false;
    }
  }
  if (!ok) {
    return absl::InvalidArgumentError(Cat(
        "DOCTYPE points at an external DTD other than cxml.org's: \"", url.substr(0, 80), "\""));
  }
  return absl::OkStatus();
}

absl::Status CheckTree(const pugi::xml_document& doc, const Limits& limits) {
  // Iterative walk: depth limit and duplicate attributes.
  std::vector<std::pair<xml_node, int>> stack;
  for (xml_node n = doc.first_child(); n; n = n.next_sibling()) stack.emplace_back(n, 1);
  std::vector<std::string_view> names;
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    if (node.type() != pugi::node_element) continue;
    if (depth > limits.max_depth) {
      return absl::ResourceExhaustedError(
          Cat("elements nested deeper than the limit of ", limits.max_depth));
    }
    pugi::xml_attribute first = node.first_attribute();
    if (first && first.next_attribute()) {
      names.clear();
      for (pugi::xml_attribute a = first; a; a = a.next_attribute()) names.emplace_back(a.name());
      std::sort(names.begin(), names.end());
      auto dup = std::adjacent_find(names.begin(), names.end());
      if (dup != names.end()) {
        return absl::InvalidArgumentError(
            Cat("duplicate attribute ", *dup, " on element ", node.name()));
      }
    }
    for (xml_node c = node.first_child(); c; c = c.next_sibling()) {
      if (c.type() == pugi::node_element) stack.emplace_back(c, depth + 1);
    }
  }
  return absl::OkStatus();
}

// Loads `src` (BOM already removed) into `doc` with every check applied.
absl::Status HardenedLoad(std::string_view src, const Limits& limits, pugi::xml_document* doc) {
  size_t bad = 0;
  if (!IsValidXmlUtf8(src, &bad)) {
    return absl::InvalidArgumentError(
        Cat("invalid UTF-8 or a character XML forbids at byte offset ", bad));
  }
  // Quick reject before parsing: ENTITY declarations anywhere in the prolog.
  size_t root = src.find("<cXML");
  std::string_view prolog = src.substr(0, root == std::string_view::npos ? src.size() : root);
  if (Contains(prolog, "<!ENTITY")) {
    return absl::InvalidArgumentError("ENTITY declarations are not allowed");
  }
  pugi::xml_parse_result r = doc->load_buffer(
      src.data(), src.size(), pugi::parse_default | pugi::parse_doctype, pugi::encoding_utf8);
  if (!r) {
    return absl::InvalidArgumentError(
        Cat("not well-formed XML: ", r.description(), " at byte offset ", r.offset));
  }
  int roots = 0;
  for (xml_node n = doc->first_child(); n; n = n.next_sibling()) {
    if (n.type() == pugi::node_doctype) {
      absl::Status s = CheckDoctype(n.value());
      if (!s.ok()) return s;
    } else if (n.type() == pugi::node_element) {
      ++roots;
    } else if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata) {
      return absl::InvalidArgumentError("text outside the root element");
    }
  }
  if (roots != 1) return absl::InvalidArgumentError("document must have exactly one root element");
  return CheckTree(*doc, limits);
}

// ---- raw inner markup -----------------------------------------------------

// Given `pos` just after '<' of a start tag in `s`, returns the offset just
// past its closing '>' and whether the tag was self-closing.
size_t SkipStartTag(std::string_view s, size_t pos, bool* self_closing) {
  char quote = 0;
  for (size_t i = pos; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      *self_closing = i > pos && s[i - 1] == '/';
      return i + 1;
    }
  }
  *self_closing = false;
  return s.size();
}

size_t SkipPast(std::string_view s, size_t from, std::string_view end) {
  size_t e = s.find(end, from);
  return e == std::string_view::npos ? s.size() : e + end.size();
}

// The bytes between the start and end tag of `node`, from the source buffer.
// Falls back to re-serializing when the offset is not available.
std::string InnerXml(std::string_view src, xml_node node) {
  ptrdiff_t off = node.offset_debug();
  if (off <= 0 || static_cast<size_t>(off) >= src.size() || src[off - 1] != '<') {
    std::string out;
    struct Sink : pugi::xml_writer {
      std::string* out;
      void write(const void* data, size_t size) override {
        out->append(static_cast<const char*>(data), size);
      }
    } sink;
    sink.out = &out;
    for (xml_node c = node.first_child(); c; c = c.next_sibling()) {
      c.print(sink, "", pugi::format_raw);
    }
    return out;
  }
  bool self_closing = false;
  size_t start = SkipStartTag(src, static_cast<size_t>(off), &self_closing);
  if (self_closing) return "";
  int depth = 0;
  size_t i = start;
  while (i < src.size()) {
    size_t lt = src.find('<', i);
    if (lt == std::string_view::npos) break;
    std::string_view rest = src.substr(lt);
    if (rest.starts_with("<!--")) {
      i = SkipPast(src, lt + 4, "-->");
    } else if (rest.starts_with("<![CDATA[")) {
      i = SkipPast(src, lt + 9, "]]>");
    } else if (rest.starts_with("<?")) {
      i = SkipPast(src, lt + 2, "?>");
    } else if (rest.starts_with("</")) {
      if (depth == 0) return std::string(src.substr(start, lt - start));
      --depth;
      i = SkipPast(src, lt + 2, ">");
    } else {
      bool sc = false;
      i = SkipStartTag(src, lt + 1, &sc);
      if (!sc) ++depth;
    }
  }
  return std::string(src.substr(start));
}

// ---- mapping ---------------------------------------------------------------

class Ctx {
 public:
  explicit Ctx(std::string_view src) : src_(src) {}
  const absl::Status& status() const { return status_; }
  std::string_view src() const { return src_; }

  void Fail(absl::Status s) {
    if (status_.ok()) status_ = std::move(s);
  }
  void Missing(std::string_view what) {
    Fail(absl::InvalidArgumentError(Cat("missing required ", what)));
  }

 private:
  std::string_view src_;
  absl::Status status_;
};

std::string Trimmed(std::string_view s) { return std::string(Trim(s)); }

// Concatenated direct character data (text and CDATA) of `n`, trimmed.
std::string Text(xml_node n) {
  xml_node first = n.first_child();
  if (first && !first.next_sibling() &&
      (first.type() == pugi::node_pcdata || first.type() == pugi::node_cdata)) {
    return Trimmed(first.value());
  }
  std::string out;
  for (xml_node c = first; c; c = c.next_sibling()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) out += c.value();
  }
  return Trimmed(out);
}

std::string Attr(xml_node n, const char* name) { return Trimmed(n.attribute(name).value()); }

std::string ReqAttr(Ctx& ctx, xml_node n, const char* name, std::string_view path) {
  std::string v = Attr(n, name);
  if (v.empty()) ctx.Missing(Cat(path, "@", name));
  return v;
}

xml_node ReqChild(Ctx& ctx, xml_node n, const char* name, std::string_view path) {
  xml_node c = n.child(name);
  if (!c) ctx.Missing(Cat(path, "/", name));
  return c;
}

std::string ReqText(Ctx& ctx, xml_node n, const char* name, std::string_view path) {
  xml_node c = ReqChild(ctx, n, name, path);
  std::string v = Text(c);
  if (c && v.empty()) ctx.Missing(Cat(path, "/", name, " (empty)"));
  return v;
}

std::string OptText(xml_node n, const char* name) { return Text(n.child(name)); }

std::string DecimalAttr(Ctx& ctx, xml_node n, const char* name, std::string_view path) {
  std::string v = ReqAttr(ctx, n, name, path);
  if (!v.empty()) {
    absl::Status s = ValidateDecimal(v, Cat(path, "@", name));
    if (!s.ok()) ctx.Fail(s);
  }
  return v;
}

std::string Idx(std::string_view path, std::string_view name, size_t i) {
  return Cat(path, "/", name, "[", i + 1, "]");
}

template <typename F>
void ForEach(xml_node parent, const char* name, F&& f) {
  size_t i = 0;
  for (xml_node c = parent.child(name); c; c = c.next_sibling(name)) f(c, i++);
}

Money ReadMoneyNode(Ctx& ctx, xml_node money, std::string_view path) {
  Money m;
  if (!money) return m;
  m.amount = Text(money);
  m.currency = Attr(money, "currency");
  if (m.amount.empty()) {
    ctx.Missing(Cat(path, " (amount)"));
  } else {
    absl::Status s = ValidateDecimal(m.amount, path);
    if (!s.ok()) ctx.Fail(s);
  }
  if (m.currency.empty()) ctx.Missing(Cat(path, "@currency"));
  return m;
}

// A wrapper such as Total/UnitPrice holding a Money.
Money ReadMoneyIn(Ctx& ctx, xml_node wrapper, std::string_view path) {
  return ReadMoneyNode(ctx, ReqChild(ctx, wrapper, "Money", path), Cat(path, "/Money"));
}

std::optional<Money> OptMoneyIn(Ctx& ctx, xml_node parent, const char* name,
                                std::string_view path) {
  xml_node w = parent.child(name);
  if (!w) return std::nullopt;
  return ReadMoneyIn(ctx, w, Cat(path, "/", name));
}

Description ReadDescription(xml_node n) {
  Description d;
  std::string lang = Attr(n, "xml:lang");
  if (!lang.empty()) d.lang = lang;
  d.text = Text(n);
  d.short_name = OptText(n, "ShortName");
  return d;
}

RawXml Raw(Ctx& ctx, xml_node n) { return RawXml{InnerXml(ctx.src(), n)}; }

std::vector<Extrinsic> ReadExtrinsics(Ctx& ctx, xml_node parent, std::string_view path) {
  std::vector<Extrinsic> out;
  ForEach(parent, "Extrinsic", [&](xml_node x, size_t i) {
    Extrinsic e;
    e.name = ReqAttr(ctx, x, "name", Idx(path, "Extrinsic", i));
    e.value = Raw(ctx, x);
    out.push_back(std::move(e));
  });
  return out;
}

std::vector<Comment> ReadComments(xml_node parent) {
  std::vector<Comment> out;
  ForEach(parent, "Comments", [&](xml_node c, size_t) {
    out.push_back(Comment{Attr(c, "xml:lang"), Attr(c, "type"), Text(c)});
  });
  return out;
}

Phone ReadPhone(xml_node n) {
  Phone p;
  p.name = Attr(n, "name");
  xml_node t = n.child("TelephoneNumber");
  xml_node cc = t.child("CountryCode");
  p.iso_country_code = Attr(cc, "isoCountryCode");
  p.country_code = Text(cc);
  p.area_or_city_code = OptText(t, "AreaOrCityCode");
  p.number = OptText(t, "Number");
  p.extension = OptText(t, "Extension");
  return p;
}

PostalAddress ReadPostalAddress(Ctx& ctx, xml_node n, std::string_view path) {
  PostalAddress a;
  a.name = Attr(n, "name");
  ForEach(n, "DeliverTo", [&](xml_node c, size_t) { a.deliver_to.push_back(Text(c)); });
  ForEach(n, "Street", [&](xml_node c, size_t) { a.street.push_back(Text(c)); });
  a.city = OptText(n, "City");
  a.state = OptText(n, "State");
  a.postal_code = OptText(n, "PostalCode");
  xml_node country = ReqChild(ctx, n, "Country", path);
  a.country = Text(country);
  if (country) a.iso_country_code = ReqAttr(ctx, country, "isoCountryCode", Cat(path, "/Country"));
  return a;
}

Address ReadAddressIn(Ctx& ctx, xml_node wrapper, std::string_view wpath) {
  Address a;
  std::string path = Cat(wpath, "/Address");
  xml_node n = ReqChild(ctx, wrapper, "Address", wpath);
  if (!n) return a;
  a.address_id = Attr(n, "addressID");
  a.address_id_domain = Attr(n, "addressIDDomain");
  a.iso_country_code = Attr(n, "isoCountryCode");
  xml_node name = ReqChild(ctx, n, "Name", path);
  a.name = Text(name);
  std::string lang = Attr(name, "xml:lang");
  if (!lang.empty()) a.name_lang = lang;
  if (xml_node pa = n.child("PostalAddress")) {
    a.postal_address = ReadPostalAddress(ctx, pa, path + "/PostalAddress");
  }
  a.email = OptText(n, "Email");
  if (xml_node ph = n.child("Phone")) a.phone = ReadPhone(ph);
  return a;
}

std::optional<Address> OptAddress(Ctx& ctx, xml_node parent, const char* wrapper,
                                  std::string_view path) {
  xml_node w = parent.child(wrapper);
  if (!w) return std::nullopt;
  return ReadAddressIn(ctx, w, Cat(path, "/", wrapper));
}

Contact ReadContact(Ctx& ctx, xml_node n, std::string_view path) {
  Contact c;
  c.role = Attr(n, "role");
  c.address_id = Attr(n, "addressID");
  c.address_id_domain = Attr(n, "addressIDDomain");
  xml_node name = ReqChild(ctx, n, "Name", path);
  c.name = Text(name);
  std::string lang = Attr(name, "xml:lang");
  if (!lang.empty()) c.name_lang = lang;
  ForEach(n, "PostalAddress", [&](xml_node p, size_t i) {
    c.postal_addresses.push_back(ReadPostalAddress(ctx, p, Idx(path, "PostalAddress", i)));
  });
  ForEach(n, "Email", [&](xml_node e, size_t) { c.emails.push_back(Text(e)); });
  ForEach(n, "Phone", [&](xml_node p, size_t) { c.phones.push_back(ReadPhone(p)); });
  c.extrinsics = ReadExtrinsics(ctx, n, path);
  return c;
}

std::vector<Contact> ReadContacts(Ctx& ctx, xml_node parent, std::string_view path) {
  std::vector<Contact> out;
  ForEach(parent, "Contact", [&](xml_node c, size_t i) {
    out.push_back(ReadContact(ctx, c, Idx(path, "Contact", i)));
  });
  return out;
}

std::optional<Shipping> OptShipping(Ctx& ctx, xml_node parent, std::string_view ppath) {
  xml_node n = parent.child("Shipping");
  if (!n) return std::nullopt;
  std::string path = Cat(ppath, "/Shipping");
  Shipping s;
  s.tracking_domain = Attr(n, "trackingDomain");
  s.tracking_id = Attr(n, "trackingId");
  s.money = ReadMoneyIn(ctx, n, path);
  s.description = ReadDescription(n.child("Description"));
  return s;
}

Tax ReadTax(Ctx& ctx, xml_node n, std::string_view path) {
  Tax t;
  t.money = ReadMoneyIn(ctx, n, path);
  t.description = ReadDescription(n.child("Description"));
  return t;
}

std::optional<Tax> OptTax(Ctx& ctx, xml_node parent, std::string_view ppath) {
  xml_node n = parent.child("Tax");
  if (!n) return std::nullopt;
  return ReadTax(ctx, n, Cat(ppath, "/Tax"));
}

ItemId ReadItemId(Ctx& ctx, xml_node parent, std::string_view ppath) {
  ItemId id;
  std::string path = Cat(ppath, "/ItemID");
  xml_node n = ReqChild(ctx, parent, "ItemID", ppath);
  if (!n) return id;
  // SupplierPartID is an identifier: kept exactly, only the ends trimmed.
  id.supplier_part_id = ReqText(ctx, n, "SupplierPartID", path);
  if (xml_node aux = n.child("SupplierPartAuxiliaryID"))
    id.supplier_part_auxiliary_id = Raw(ctx, aux);
  id.buyer_part_id = OptText(n, "BuyerPartID");
  return id;
}

ItemDetail ReadItemDetail(Ctx& ctx, xml_node n, std::string_view path) {
  ItemDetail d;
  d.unit_price = ReadMoneyIn(ctx, ReqChild(ctx, n, "UnitPrice", path), Cat(path, "/UnitPrice"));
  ForEach(n, "Description",
          [&](xml_node c, size_t) { d.descriptions.push_back(ReadDescription(c)); });
  if (d.descriptions.empty()) ctx.Missing(Cat(path, "/Description"));
  d.unit_of_measure = ReqText(ctx, n, "UnitOfMeasure", path);
  ForEach(n, "Classification", [&](xml_node c, size_t i) {
    Classification cl;
    cl.domain = ReqAttr(ctx, c, "domain", Idx(path, "Classification", i));
    cl.code = Attr(c, "code");
    cl.value = Text(c);
    d.classifications.push_back(std::move(cl));
  });
  d.manufacturer_part_id = OptText(n, "ManufacturerPartID");
  d.manufacturer_name = OptText(n, "ManufacturerName");
  d.url = OptText(n, "URL");
  d.lead_time = OptText(n, "LeadTime");
  d.extrinsics = ReadExtrinsics(ctx, n, path);
  return d;
}

ItemOut ReadItemOut(Ctx& ctx, xml_node n, std::string_view path) {
  ItemOut it;
  it.quantity = DecimalAttr(ctx, n, "quantity", path);
  it.line_number = Attr(n, "lineNumber");
  it.requisition_id = Attr(n, "requisitionID");
  it.requested_delivery_date = Attr(n, "requestedDeliveryDate");
  it.item_id = ReadItemId(ctx, n, path);
  if (xml_node d = n.child("ItemDetail")) {
    it.item_detail = ReadItemDetail(ctx, d, Cat(path, "/ItemDetail"));
  }
  it.ship_to = OptAddress(ctx, n, "ShipTo", path);
  it.shipping = OptShipping(ctx, n, path);
  it.tax = OptTax(ctx, n, path);
  it.contacts = ReadContacts(ctx, n, path);
  it.comments = ReadComments(n);
  return it;
}

ItemIn ReadItemIn(Ctx& ctx, xml_node n, std::string_view path) {
  ItemIn it;
  it.quantity = DecimalAttr(ctx, n, "quantity", path);
  it.line_number = Attr(n, "lineNumber");
  it.item_id = ReadItemId(ctx, n, path);
  xml_node d = ReqChild(ctx, n, "ItemDetail", path);
  if (d) it.item_detail = ReadItemDetail(ctx, d, Cat(path, "/ItemDetail"));
  it.ship_to = OptAddress(ctx, n, "ShipTo", path);
  it.shipping = OptShipping(ctx, n, path);
  it.tax = OptTax(ctx, n, path);
  it.extrinsics = ReadExtrinsics(ctx, n, path);
  return it;
}

std::optional<PunchOutOperation> ParseOperation(std::string_view v) {
  if (EqualsIgnoreCase(v, "create")) return PunchOutOperation::kCreate;
  if (EqualsIgnoreCase(v, "edit")) return PunchOutOperation::kEdit;
  if (EqualsIgnoreCase(v, "inspect")) return PunchOutOperation::kInspect;
  return std::nullopt;
}

PunchOutOperation ReqOperation(Ctx& ctx, xml_node n, const char* attr, std::string_view path) {
  std::string v = ReqAttr(ctx, n, attr, path);
  auto op = ParseOperation(v);
  if (!v.empty() && !op) {
    ctx.Fail(
        absl::InvalidArgumentError(Cat("unsupported value \"", v, "\" for ", path, "@", attr)));
  }
  return op.value_or(PunchOutOperation::kCreate);
}

OrderReference ReadOrderReference(Ctx& ctx, xml_node parent, std::string_view ppath) {
  OrderReference r;
  std::string path = Cat(ppath, "/OrderReference");
  xml_node n = ReqChild(ctx, parent, "OrderReference", ppath);
  if (!n) return r;
  r.order_id = Attr(n, "orderID");
  r.order_date = Attr(n, "orderDate");
  xml_node d = ReqChild(ctx, n, "DocumentReference", path);
  if (d) r.payload_id = ReqAttr(ctx, d, "payloadID", Cat(path, "/DocumentReference"));
  return r;
}

PunchOutSetupRequest ReadPunchOutSetupRequest(Ctx& ctx, xml_node n) {
  const std::string p = "PunchOutSetupRequest";
  PunchOutSetupRequest r;
  r.operation = ReqOperation(ctx, n, "operation", p);
  xml_node cookie = ReqChild(ctx, n, "BuyerCookie", p);
  r.buyer_cookie = Text(cookie);
  r.extrinsics = ReadExtrinsics(ctx, n, p);
  r.browser_form_post_url = Text(n.child("BrowserFormPost").child("URL"));
  r.contacts = ReadContacts(ctx, n, p);
  r.supplier_setup_url = Text(n.child("SupplierSetup").child("URL"));
  r.ship_to = OptAddress(ctx, n, "ShipTo", p);
  ForEach(n, "ItemOut", [&](xml_node c, size_t i) {
    r.items.push_back(ReadItemOut(ctx, c, Idx(p, "ItemOut", i)));
  });
  return r;
}

PunchOutOrderMessage ReadPunchOutOrderMessage(Ctx& ctx, xml_node n) {
  const std::string p = "PunchOutOrderMessage";
  const std::string hp = p + "/PunchOutOrderMessageHeader";
  PunchOutOrderMessage m;
  xml_node cookie = ReqChild(ctx, n, "BuyerCookie", p);
  m.buyer_cookie = Text(cookie);
  xml_node h = ReqChild(ctx, n, "PunchOutOrderMessageHeader", p);
  if (h) {
    m.operation_allowed = ReqOperation(ctx, h, "operationAllowed", hp);
    m.quote_status = Attr(h, "quoteStatus");
    m.total = ReadMoneyIn(ctx, ReqChild(ctx, h, "Total", hp), hp + "/Total");
    m.ship_to = OptAddress(ctx, h, "ShipTo", hp);
    m.shipping = OptShipping(ctx, h, hp);
    m.tax = OptTax(ctx, h, hp);
  }
  ForEach(n, "ItemIn", [&](xml_node c, size_t i) {
    m.items.push_back(ReadItemIn(ctx, c, Idx(p, "ItemIn", i)));
  });
  return m;
}

OrderRequest ReadOrderRequest(Ctx& ctx, xml_node n) {
  const std::string p = "OrderRequest";
  const std::string hp = p + "/OrderRequestHeader";
  OrderRequest o;
  xml_node h = ReqChild(ctx, n, "OrderRequestHeader", p);
  if (h) {
    o.order_id = ReqAttr(ctx, h, "orderID", hp);
    o.order_date = ReqAttr(ctx, h, "orderDate", hp);
    std::string type = Attr(h, "type");
    if (type.empty() || type == "new") {
      o.type = OrderType::kNew;
    } else if (type == "update") {
      o.type = OrderType::kUpdate;
    } else if (type == "delete") {
      o.type = OrderType::kDelete;
    } else {
      ctx.Fail(
          absl::InvalidArgumentError(Cat("unsupported value \"", type, "\" for ", hp, "@type")));
    }
    o.order_version = Attr(h, "orderVersion");
    o.requested_delivery_date = Attr(h, "requestedDeliveryDate");
    o.total = ReadMoneyIn(ctx, ReqChild(ctx, h, "Total", hp), hp + "/Total");
    o.ship_to = OptAddress(ctx, h, "ShipTo", hp);
    xml_node bill = ReqChild(ctx, h, "BillTo", hp);
    if (bill) o.bill_to = ReadAddressIn(ctx, bill, hp + "/BillTo");
    o.shipping = OptShipping(ctx, h, hp);
    o.tax = OptTax(ctx, h, hp);
    if (xml_node pay = h.child("Payment")) {
      std::string pp = hp + "/Payment";
      xml_node card = ReqChild(ctx, pay, "PCard", pp);
      if (card) {
        pp += "/PCard";
        Payment py;
        py.number = ReqAttr(ctx, card, "number", pp);
        py.expiration = ReqAttr(ctx, card, "expiration", pp);
        py.name = Attr(card, "name");
        o.payment = std::move(py);
      }
    }
    o.contacts = ReadContacts(ctx, h, hp);
    o.comments = ReadComments(h);
    if (xml_node ref = h.child("DocumentReference")) {
      o.document_reference = ReqAttr(ctx, ref, "payloadID", hp + "/DocumentReference");
    }
    o.extrinsics = ReadExtrinsics(ctx, h, hp);
  }
  ForEach(n, "ItemOut", [&](xml_node c, size_t i) {
    o.items.push_back(ReadItemOut(ctx, c, Idx(p, "ItemOut", i)));
  });
  if (o.items.empty()) ctx.Missing(p + "/ItemOut");
  return o;
}

std::vector<ProfileOption> ReadOptions(Ctx& ctx, xml_node parent, std::string_view path) {
  std::vector<ProfileOption> out;
  ForEach(parent, "Option", [&](xml_node o, size_t i) {
    out.push_back(ProfileOption{ReqAttr(ctx, o, "name", Idx(path, "Option", i)), Text(o)});
  });
  return out;
}

Response ReadResponse(Ctx& ctx, xml_node n) {
  const std::string p = "Response";
  Response r;
  xml_node st = ReqChild(ctx, n, "Status", p);
  if (st) {
    std::string code = ReqAttr(ctx, st, "code", p + "/Status");
    if (!code.empty() && !absl::SimpleAtoi(code, &r.status.code)) {
      ctx.Fail(absl::InvalidArgumentError(Cat("not a number: ", p, "/Status@code")));
    }
    // Status@text is required by the DTD, but a sloppy error page without it
    // still tells us the code: keep going with an empty text.
    r.status.text = Attr(st, "text");
    r.status.lang = Attr(st, "xml:lang");
    r.status.message = Text(st);
  }
  if (xml_node pos = n.child("PunchOutSetupResponse")) {
    std::string pp = p + "/PunchOutSetupResponse";
    xml_node sp = ReqChild(ctx, pos, "StartPage", pp);
    PunchOutSetupResponse out;
    if (sp) out.start_page_url = ReqText(ctx, sp, "URL", pp + "/StartPage");
    r.punch_out_setup_response = std::move(out);
  }
  if (xml_node pr = n.child("ProfileResponse")) {
    std::string pp = p + "/ProfileResponse";
    ProfileResponse out;
    out.effective_date = ReqAttr(ctx, pr, "effectiveDate", pp);
    out.last_refresh = Attr(pr, "lastRefresh");
    out.options = ReadOptions(ctx, pr, pp);
    ForEach(pr, "Transaction", [&](xml_node t, size_t i) {
      std::string tp = Idx(pp, "Transaction", i);
      ProfileTransaction tr;
      tr.request_name = ReqAttr(ctx, t, "requestName", tp);
      tr.url = ReqText(ctx, t, "URL", tp);
      tr.options = ReadOptions(ctx, t, tp);
      out.transactions.push_back(std::move(tr));
    });
    if (out.transactions.empty()) ctx.Missing(pp + "/Transaction");
    r.profile_response = std::move(out);
  }
  return r;
}

ConfirmationRequest ReadConfirmationRequest(Ctx& ctx, xml_node n) {
  const std::string p = "ConfirmationRequest";
  const std::string hp = p + "/ConfirmationHeader";
  ConfirmationRequest c;
  xml_node h = ReqChild(ctx, n, "ConfirmationHeader", p);
  if (h) {
    c.confirm_id = Attr(h, "confirmID");
    std::string op = Attr(h, "operation");
    if (!op.empty()) c.operation = op;
    c.type = ReqAttr(ctx, h, "type", hp);
    c.notice_date = ReqAttr(ctx, h, "noticeDate", hp);
    c.invoice_id = Attr(h, "invoiceID");
    c.total = OptMoneyIn(ctx, h, "Total", hp);
    c.shipping = OptShipping(ctx, h, hp);
    c.tax = OptTax(ctx, h, hp);
    c.contacts = ReadContacts(ctx, h, hp);
    c.comments = ReadComments(h);
    c.extrinsics = ReadExtrinsics(ctx, h, hp);
  }
  c.order_reference = ReadOrderReference(ctx, n, p);
  ForEach(n, "ConfirmationItem", [&](xml_node it, size_t i) {
    std::string ip = Idx(p, "ConfirmationItem", i);
    ConfirmationItem item;
    item.quantity = DecimalAttr(ctx, it, "quantity", ip);
    item.line_number = ReqAttr(ctx, it, "lineNumber", ip);
    item.unit_of_measure = ReqText(ctx, it, "UnitOfMeasure", ip);
    ForEach(it, "ConfirmationStatus", [&](xml_node s, size_t k) {
      std::string sp = Idx(ip, "ConfirmationStatus", k);
      ConfirmationStatus st;
      st.quantity = DecimalAttr(ctx, s, "quantity", sp);
      st.type = ReqAttr(ctx, s, "type", sp);
      st.shipment_date = Attr(s, "shipmentDate");
      st.delivery_date = Attr(s, "deliveryDate");
      st.unit_of_measure = ReqText(ctx, s, "UnitOfMeasure", sp);
      st.unit_price = OptMoneyIn(ctx, s, "UnitPrice", sp);
      st.tax = OptTax(ctx, s, sp);
      st.shipping = OptShipping(ctx, s, sp);
      st.comments = ReadComments(s);
      st.extrinsics = ReadExtrinsics(ctx, s, sp);
      item.statuses.push_back(std::move(st));
    });
    if (item.statuses.empty()) ctx.Missing(ip + "/ConfirmationStatus");
    c.items.push_back(std::move(item));
  });
  return c;
}

ShipNoticeRequest ReadShipNoticeRequest(Ctx& ctx, xml_node n) {
  const std::string p = "ShipNoticeRequest";
  const std::string hp = p + "/ShipNoticeHeader";
  ShipNoticeRequest s;
  xml_node h = ReqChild(ctx, n, "ShipNoticeHeader", p);
  if (h) {
    s.shipment_id = ReqAttr(ctx, h, "shipmentID", hp);
    std::string op = Attr(h, "operation");
    if (!op.empty()) s.operation = op;
    s.notice_date = ReqAttr(ctx, h, "noticeDate", hp);
    s.shipment_date = Attr(h, "shipmentDate");
    s.delivery_date = Attr(h, "deliveryDate");
    s.shipment_type = Attr(h, "shipmentType");
    s.fulfillment_type = Attr(h, "fulfillmentType");
    s.contacts = ReadContacts(ctx, h, hp);
    s.comments = ReadComments(h);
    s.extrinsics = ReadExtrinsics(ctx, h, hp);
  }
  ForEach(n, "ShipControl", [&](xml_node c, size_t i) {
    std::string cp = Idx(p, "ShipControl", i);
    ShipControl sc;
    ForEach(c, "CarrierIdentifier", [&](xml_node ci, size_t k) {
      sc.carrier_identifiers.push_back(
          CarrierIdentifier{ReqAttr(ctx, ci, "domain", Idx(cp, "CarrierIdentifier", k)), Text(ci)});
    });
    ForEach(c, "ShipmentIdentifier", [&](xml_node si, size_t) {
      sc.shipment_identifiers.push_back(
          ShipmentIdentifier{Attr(si, "domain"), Attr(si, "trackingURL"), Text(si)});
    });
    s.ship_controls.push_back(std::move(sc));
  });
  ForEach(n, "ShipNoticePortion", [&](xml_node po, size_t i) {
    std::string pp = Idx(p, "ShipNoticePortion", i);
    ShipNoticePortion portion;
    portion.order_reference = ReadOrderReference(ctx, po, pp);
    ForEach(po, "ShipNoticeItem", [&](xml_node it, size_t k) {
      std::string ip = Idx(pp, "ShipNoticeItem", k);
      ShipNoticeItem item;
      item.quantity = DecimalAttr(ctx, it, "quantity", ip);
      item.line_number = ReqAttr(ctx, it, "lineNumber", ip);
      if (it.child("ItemID")) item.item_id = ReadItemId(ctx, it, ip);
      item.unit_of_measure = ReqText(ctx, it, "UnitOfMeasure", ip);
      portion.items.push_back(std::move(item));
    });
    s.portions.push_back(std::move(portion));
  });
  return s;
}

InvoiceDetailRequest ReadInvoiceDetailRequest(Ctx& ctx, xml_node n) {
  const std::string p = "InvoiceDetailRequest";
  const std::string hp = p + "/InvoiceDetailRequestHeader";
  InvoiceDetailRequest inv;
  xml_node h = ReqChild(ctx, n, "InvoiceDetailRequestHeader", p);
  if (h) {
    inv.invoice_id = ReqAttr(ctx, h, "invoiceID", hp);
    std::string purpose = Attr(h, "purpose");
    if (!purpose.empty()) inv.purpose = purpose;
    std::string op = Attr(h, "operation");
    if (!op.empty()) inv.operation = op;
    inv.invoice_date = ReqAttr(ctx, h, "invoiceDate", hp);
    inv.is_tax_in_line = Attr(h.child("InvoiceDetailLineIndicator"), "isTaxInLine") == "yes";
    ForEach(h, "InvoicePartner", [&](xml_node ip, size_t i) {
      std::string pp = Idx(hp, "InvoicePartner", i);
      xml_node c = ReqChild(ctx, ip, "Contact", pp);
      if (c) inv.partners.push_back(ReadContact(ctx, c, pp + "/Contact"));
    });
    if (xml_node ref = h.child("DocumentReference")) {
      inv.document_reference = ReqAttr(ctx, ref, "payloadID", hp + "/DocumentReference");
    }
    inv.comments = ReadComments(h);
    inv.extrinsics = ReadExtrinsics(ctx, h, hp);
  }
  ForEach(n, "InvoiceDetailOrder", [&](xml_node o, size_t i) {
    std::string op = Idx(p, "InvoiceDetailOrder", i);
    InvoiceDetailOrder order;
    xml_node info = ReqChild(ctx, o, "InvoiceDetailOrderInfo", op);
    if (info) order.order_reference = ReadOrderReference(ctx, info, op + "/InvoiceDetailOrderInfo");
    ForEach(o, "InvoiceDetailItem", [&](xml_node it, size_t k) {
      std::string ip = Idx(op, "InvoiceDetailItem", k);
      InvoiceDetailItem item;
      item.invoice_line_number = ReqAttr(ctx, it, "invoiceLineNumber", ip);
      item.quantity = DecimalAttr(ctx, it, "quantity", ip);
      item.unit_of_measure = ReqText(ctx, it, "UnitOfMeasure", ip);
      item.unit_price = ReadMoneyIn(ctx, ReqChild(ctx, it, "UnitPrice", ip), ip + "/UnitPrice");
      std::string rp = ip + "/InvoiceDetailItemReference";
      xml_node ref = ReqChild(ctx, it, "InvoiceDetailItemReference", ip);
      if (ref) {
        item.line_number = ReqAttr(ctx, ref, "lineNumber", rp);
        if (ref.child("ItemID")) item.item_id = ReadItemId(ctx, ref, rp);
        if (xml_node d = ref.child("Description")) item.description = ReadDescription(d);
      }
      item.subtotal_amount = OptMoneyIn(ctx, it, "SubtotalAmount", ip);
      item.tax = OptTax(ctx, it, ip);
      item.gross_amount = OptMoneyIn(ctx, it, "GrossAmount", ip);
      item.net_amount = OptMoneyIn(ctx, it, "NetAmount", ip);
      item.extrinsics = ReadExtrinsics(ctx, it, ip);
      order.items.push_back(std::move(item));
    });
    if (order.items.empty()) ctx.Missing(op + "/InvoiceDetailItem");
    inv.orders.push_back(std::move(order));
  });
  if (inv.orders.empty()) ctx.Missing(p + "/InvoiceDetailOrder");
  const std::string sp = p + "/InvoiceDetailSummary";
  xml_node s = ReqChild(ctx, n, "InvoiceDetailSummary", p);
  if (s) {
    InvoiceDetailSummary& sum = inv.summary;
    sum.subtotal_amount =
        ReadMoneyIn(ctx, ReqChild(ctx, s, "SubtotalAmount", sp), sp + "/SubtotalAmount");
    xml_node tax = ReqChild(ctx, s, "Tax", sp);
    if (tax) sum.tax = ReadTax(ctx, tax, sp + "/Tax");
    sum.special_handling_amount = OptMoneyIn(ctx, s, "SpecialHandlingAmount", sp);
    sum.shipping_amount = OptMoneyIn(ctx, s, "ShippingAmount", sp);
    sum.gross_amount = OptMoneyIn(ctx, s, "GrossAmount", sp);
    sum.discount_amount = OptMoneyIn(ctx, s, "InvoiceDetailDiscount", sp);
    sum.net_amount = ReadMoneyIn(ctx, ReqChild(ctx, s, "NetAmount", sp), sp + "/NetAmount");
    sum.due_amount = OptMoneyIn(ctx, s, "DueAmount", sp);
  }
  return inv;
}

std::vector<Credential> ReadCredentials(Ctx& ctx, xml_node h, const char* name) {
  std::string path = Cat("Header/", name);
  std::vector<Credential> out;
  xml_node n = ReqChild(ctx, h, name, "Header");
  if (!n) return out;
  ForEach(n, "Credential", [&](xml_node c, size_t i) {
    std::string cp = Idx(path, "Credential", i);
    Credential cr;
    cr.domain = ReqAttr(ctx, c, "domain", cp);
    cr.identity = ReqText(ctx, c, "Identity", cp);
    cr.shared_secret = OptText(c, "SharedSecret");
    out.push_back(std::move(cr));
  });
  if (out.empty()) ctx.Missing(path + "/Credential");
  return out;
}

DeploymentMode ReadMode(Ctx& ctx, xml_node n, std::string_view path) {
  std::string m = Attr(n, "deploymentMode");
  if (m.empty() || EqualsIgnoreCase(m, "production")) return DeploymentMode::kProduction;
  if (EqualsIgnoreCase(m, "test")) return DeploymentMode::kTest;
  ctx.Fail(absl::InvalidArgumentError(
      Cat("unsupported value \"", m, "\" for ", path, "@deploymentMode")));
  return DeploymentMode::kProduction;
}

absl::StatusOr<Document> MapDocument(Ctx& ctx, xml_node root) {
  Document doc;
  if (std::strcmp(root.name(), "cXML") != 0) {
    return absl::InvalidArgumentError(
        Cat("root element is <", std::string_view(root.name()).substr(0, 64), ">, not <cXML>"));
  }
  doc.payload_id = ReqAttr(ctx, root, "payloadID", "cXML");
  doc.timestamp = ReqAttr(ctx, root, "timestamp", "cXML");
  if (!doc.timestamp.empty()) {
    auto t = ParseTimestamp(doc.timestamp);
    if (!t.ok())
      ctx.Fail(absl::InvalidArgumentError(Cat("cXML@timestamp: ", t.status().message())));
  }
  doc.version = Attr(root, "version");
  doc.lang = Attr(root, "xml:lang");
  if (!ctx.status().ok()) return ctx.status();

  if (xml_node resp = root.child("Response")) {
    doc.body = ReadResponse(ctx, resp);
    if (!ctx.status().ok()) return ctx.status();
    return doc;
  }
  xml_node header = root.child("Header");
  if (!header) return absl::InvalidArgumentError("missing required cXML/Header (or Response)");
  doc.header.from = ReadCredentials(ctx, header, "From");
  doc.header.to = ReadCredentials(ctx, header, "To");
  doc.header.sender = ReadCredentials(ctx, header, "Sender");
  doc.header.user_agent = Text(header.child("Sender").child("UserAgent"));

  if (xml_node msg = root.child("Message")) {
    doc.deployment_mode = ReadMode(ctx, msg, "Message");
    doc.in_reply_to = Attr(msg, "inReplyTo");
    xml_node pom = msg.child("PunchOutOrderMessage");
    if (!pom) {
      xml_node first = msg.find_child([](xml_node c) {
        return c.type() == pugi::node_element && std::strcmp(c.name(), "Status") != 0;
      });
      return absl::UnimplementedError(
          Cat("unsupported message type ",
              std::string_view(first ? first.name() : "(none)").substr(0, 64)));
    }
    doc.body = ReadPunchOutOrderMessage(ctx, pom);
  } else if (xml_node req = root.child("Request")) {
    doc.deployment_mode = ReadMode(ctx, req, "Request");
    xml_node body = req.find_child([](xml_node c) { return c.type() == pugi::node_element; });
    if (!body) return absl::InvalidArgumentError("missing required Request body element");
    std::string_view name = body.name();
    if (name == "PunchOutSetupRequest") {
      doc.body = ReadPunchOutSetupRequest(ctx, body);
    } else if (name == "OrderRequest") {
      doc.body = ReadOrderRequest(ctx, body);
    } else if (name == "ConfirmationRequest") {
      doc.body = ReadConfirmationRequest(ctx, body);
    } else if (name == "ShipNoticeRequest") {
      doc.body = ReadShipNoticeRequest(ctx, body);
    } else if (name == "InvoiceDetailRequest") {
      doc.body = ReadInvoiceDetailRequest(ctx, body);
    } else if (name == "ProfileRequest") {
      doc.body = ProfileRequest{};
    } else {
      return absl::UnimplementedError(Cat("unsupported request type ", name.substr(0, 64)));
    }
  } else {
    return absl::InvalidArgumentError("missing required cXML/Request or cXML/Message");
  }
  if (!ctx.status().ok()) return ctx.status();
  return doc;
}

}  // namespace

absl::StatusOr<Document> ReadDocument(std::string_view bytes, const Limits& limits) {
  if (bytes.size() > limits.max_bytes) {
    return absl::ResourceExhaustedError(
        Cat("document of ", bytes.size(), " bytes exceeds the limit of ", limits.max_bytes));
  }
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  if (bytes.empty()) return absl::InvalidArgumentError("empty document");
  if (bytes.size() >= 2 &&
      ((bytes[0] == '\xFF' && bytes[1] == '\xFE') || (bytes[0] == '\xFE' && bytes[1] == '\xFF'))) {
    return absl::InvalidArgumentError("UTF-16 documents are not accepted; send UTF-8");
  }
  pugi::xml_document xml;
  absl::Status s = HardenedLoad(bytes, limits, &xml);
  if (!s.ok()) return s;
  Ctx ctx(bytes);
  return MapDocument(ctx, xml.document_element());
}

absl::StatusOr<Document> ReadDocumentOfType(std::string_view bytes, DocumentType expected,
                                            const Limits& limits) {
  auto doc = ReadDocument(bytes, limits);
  if (!doc.ok()) return doc.status();
  DocumentType got = TypeOf(*doc);
  if (got != expected) {
    return absl::InvalidArgumentError(
        Cat("expected a ", DocumentTypeName(expected), " document, got ", DocumentTypeName(got)));
  }
  return doc;
}

}  // namespace iob::cxml
