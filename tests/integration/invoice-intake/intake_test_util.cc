#include "tests/integration/invoice-intake/intake_test_util.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/cxml/examples.h"
#include "libs/cxml/writer.h"
#include "libs/mail/message.h"

namespace iob::invoice::testing {

cxml::Document CxmlInvoiceDocument(const std::string& number, const std::string& po,
                                   const InvoiceLines& lines, const std::string& net) {
  cxml::Document d = cxml::ExampleDocument(cxml::DocumentType::kInvoiceDetailRequest,
                                           cxml::ExampleDetail::kMinimal);
  auto& inv = std::get<cxml::InvoiceDetailRequest>(d.body);
  inv.invoice_id = number;
  inv.orders.clear();
  cxml::InvoiceDetailOrder order;
  order.order_reference.order_id = po;
  order.order_reference.payload_id = "order@iob.test";
  int n = 0;
  for (const auto& [part, quantity, price] : lines) {
    cxml::InvoiceDetailItem item;
    item.invoice_line_number = absl::StrCat(++n);
    item.quantity = quantity;
    item.unit_of_measure = "EA";
    item.unit_price = {price, "USD"};
    // The order line: SKU-<n> is line n of MakeOrder's orders.
    item.line_number = part.substr(part.rfind('-') + 1);
    item.item_id = cxml::ItemId{part, std::nullopt, ""};
    order.items.push_back(item);
  }
  inv.orders.push_back(order);
  inv.summary.subtotal_amount = {net, "USD"};
  inv.summary.tax = {{"0.00", "USD"}, {"en", "No tax", ""}};
  inv.summary.net_amount = {net, "USD"};
  inv.summary.gross_amount = cxml::Money{net, "USD"};
  return d;
}

std::string WriteCxml(const cxml::Document& d) {
  absl::StatusOr<std::string> xml = cxml::WriteDocument(d);
  EXPECT_TRUE(xml.ok()) << xml.status();
  return xml.ok() ? *xml : "";
}

std::string CxmlInvoice(const std::string& number, const std::string& po, const InvoiceLines& lines,
                        const std::string& net) {
  return WriteCxml(CxmlInvoiceDocument(number, po, lines, net));
}

std::string InvoiceMail(const std::string& to, const std::string& from, const std::string& xml,
                        const std::string& auth, const std::string& id) {
  mail::OutgoingMessage m;
  m.from = {"Amazon Business", from};
  m.to = {{"", to}};
  m.subject = "Your invoice";
  m.message_id = absl::StrCat(id, "@amazon.com");
  m.date = absl::Now();
  m.text = "Your invoice is attached.";
  m.attachments.push_back({"invoice.xml", "text/xml", xml});
  absl::StatusOr<std::string> raw = mail::Compose(m);
  EXPECT_TRUE(raw.ok()) << raw.status();
  if (!raw.ok()) return "";
  return auth.empty() ? *raw : absl::StrCat("Authentication-Results: ", auth, "\r\n", *raw);
}

}  // namespace iob::invoice::testing
