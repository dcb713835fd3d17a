#include "services/dispatch/order_mail.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/status_macros.h"
#include "libs/crypto/key_ring.h"

namespace iob::dispatch {
namespace {

// "Street 1", "Street 2", "City, State Postal", "Country".
pdf::Party PartyOf(const type::v1::PostalAddress& a) {
  pdf::Party p;
  p.name = a.name();
  for (const std::string& street : a.street()) p.lines.push_back(street);
  std::string city = a.city();
  if (!a.state().empty()) absl::StrAppend(&city, city.empty() ? "" : ", ", a.state());
  if (!a.postal_code().empty()) absl::StrAppend(&city, city.empty() ? "" : " ", a.postal_code());
  if (!city.empty()) p.lines.push_back(city);
  if (!a.country().empty() || !a.country_code().empty()) {
    p.lines.push_back(a.country().empty() ? a.country_code() : a.country());
  }
  return p;
}

// The printed date of a cXML timestamp ("2026-12-06T10:00:00+00:00").
std::string DateOf(const std::string& timestamp) { return timestamp.substr(0, 10); }

std::string MarkerOf(ChangeType type) {
  switch (type) {
    case ChangeType::kUpdate:
      return "CHANGED";
    case ChangeType::kDelete:
      return "CANCELLED";
    case ChangeType::kNew:
      break;
  }
  return "";
}

}  // namespace

absl::StatusOr<pdf::PurchaseOrderSheet> SheetFor(const Order& order, const OrderVersion& version,
                                                 const supplier::SupplierEndpoint& endpoint) {
  const pb::OrderContent& c = version.content;
  pdf::PurchaseOrderSheet s;
  s.marker = MarkerOf(version.type);
  s.po_number = c.po_number();
  s.version = version.version;
  s.order_date = DateOf(version.order_date);
  s.requested_delivery = c.requested_delivery_date();
  s.buyer = PartyOf(c.bill_to());
  s.supplier.name = endpoint.display_name.empty() ? order.supplier : endpoint.display_name;
  if (!endpoint.order_email.empty()) s.supplier.lines.push_back(endpoint.order_email);
  s.ship_to = PartyOf(c.ship_to());
  s.bill_to = PartyOf(c.bill_to());
  s.contact.name = c.contact().name();
  if (!c.contact().email().empty()) s.contact.lines.push_back(c.contact().email());
  s.currency = c.currency();
  for (int i = 0; i < c.lines_size(); ++i) {
    const type::v1::LineItem& l = c.lines(i);
    IOB_ASSIGN_OR_RETURN(cxml::Decimal total, LineTotal(l, absl::StrCat("order.lines[", i, "]")));
    s.lines.push_back({absl::StrCat(l.line_number()), l.supplier_part_id(),
                       l.supplier_part_auxiliary_id(), l.description(), l.quantity(),
                       l.unit_of_measure(), l.unit_price().amount(), total.ToString()});
  }
  IOB_ASSIGN_OR_RETURN(s.total, OrderTotal(c));
  s.comments = c.comments();
  s.reason = version.reason;
  return s;
}

absl::StatusOr<std::string> RenderOrderPdf(const Order& order, const OrderVersion& version,
                                           const supplier::SupplierEndpoint& endpoint) {
  IOB_ASSIGN_OR_RETURN(pdf::PurchaseOrderSheet sheet, SheetFor(order, version, endpoint));
  return pdf::RenderPurchaseOrder(sheet);
}

std::string PdfFileName(const Order& order, const OrderVersion& version) {
  std::string po = order.po_number;
  for (char& ch : po) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_' &&
        ch != '.') {
      ch = '_';
    }
  }
  return absl::StrCat("PO-", po, "-v", version.version, ".pdf");
}

std::string MessageIdFor(const Order& order, const OrderVersion& version,
                         const std::string& from_address) {
  return absl::StrCat("po.", order.id, ".v", version.version, ".", order.tenant, "@",
                      from_address.substr(from_address.rfind('@') + 1));
}

mail::OutgoingMessage OrderMail(const Order& order, const OrderVersion& version,
                                const supplier::SupplierEndpoint& endpoint,
                                const std::string& from_address, std::string pdf, absl::Time date) {
  const pb::OrderContent& c = version.content;
  const std::string buyer = c.bill_to().name();
  mail::OutgoingMessage m;
  m.from = {buyer, from_address};
  m.to = {{endpoint.display_name, endpoint.order_email}};
  m.subject = absl::StrCat("Purchase order ", order.po_number, " (version ", version.version, ")");
  m.message_id = MessageIdFor(order, version, from_address);
  m.date = date;
  const std::string file = PdfFileName(order, version);
  std::vector<std::string> text;
  switch (version.type) {
    case ChangeType::kNew:
      text.push_back(absl::StrCat("Please find attached our purchase order ", order.po_number, " (",
                                  file, ")", buyer.empty() ? "" : absl::StrCat(" from ", buyer),
                                  "."));
      break;
    case ChangeType::kUpdate:
      text.push_back(absl::StrCat("CHANGED: purchase order ", order.po_number, " version ",
                                  version.version, " (", file, ") replaces version ",
                                  version.version - 1, ". Please act on this version."));
      break;
    case ChangeType::kDelete:
      text.push_back(absl::StrCat("CANCELLED: purchase order ", order.po_number,
                                  " is cancelled. Please do not ship it."));
      if (!version.reason.empty()) text.push_back(absl::StrCat("Reason: ", version.reason));
      break;
  }
  text.push_back(absl::StrCat(c.lines_size(), c.lines_size() == 1 ? " line" : " lines", ", total ",
                              order.total, " ", order.currency, "."));
  if (!c.contact().email().empty() || !c.contact().name().empty()) {
    text.push_back(absl::StrCat("Questions: ", c.contact().name(),
                                c.contact().email().empty() ? "" : " <", c.contact().email(),
                                c.contact().email().empty() ? "" : ">"));
  }
  m.text = absl::StrCat(absl::StrJoin(text, "\n\n"), "\n");
  m.attachments.push_back({file, "application/pdf", std::move(pdf)});
  return m;
}

std::string MailRecord(const mail::OutgoingMessage& message) {
  mail::OutgoingMessage bare = message;
  bare.attachments.clear();
  absl::StatusOr<std::string> composed = mail::Compose(bare);
  std::string record = composed.ok() ? *composed : "";
  for (const mail::Attachment& a : message.attachments) {
    absl::StrAppend(&record, "\r\n[attachment ", a.file_name, ": ", a.content_type, ", ",
                    a.data.size(), " bytes, sha256 ", crypto::Sha256Hex(a.data), "]\r\n");
  }
  return record;
}

}  // namespace iob::dispatch
