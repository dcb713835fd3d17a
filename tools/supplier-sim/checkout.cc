#include "tools/supplier-sim/checkout.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/cxml/payload_id.h"
#include "libs/cxml/timestamp.h"
#include "tools/supplier-sim/cart.h"
#include "tools/supplier-sim/html.h"

namespace iob::sim {

absl::StatusOr<cxml::Document> BuildOrderMessage(const ShopSession& session,
                                                 const std::string& empty_currency) {
  auto total = CartTotal(session.cart, empty_currency);
  if (!total.ok()) return total.status();

  cxml::PunchOutOrderMessage m;
  m.buyer_cookie = session.buyer_cookie;
  m.operation_allowed = session.operation == cxml::PunchOutOperation::kInspect
                            ? cxml::PunchOutOperation::kInspect
                            : cxml::PunchOutOperation::kEdit;
  m.total = *total;
  m.ship_to = session.ship_to;
  int n = 0;
  for (const ShopLine& line : session.cart) {
    cxml::ItemIn in;
    in.quantity = line.quantity;
    in.line_number = std::to_string(++n);
    in.item_id = line.item_id;
    in.item_detail = line.item_detail;
    m.items.push_back(std::move(in));
  }

  cxml::Document doc;
  const absl::Time now = absl::Now();
  doc.payload_id = cxml::NewPayloadId(now, "supplier-sim.iob");
  doc.timestamp = cxml::FormatTimestamp(now);
  doc.header.from = {{kSupplierDomain, kSupplierIdentity, ""}};
  doc.header.to = {session.buyer_credential};
  doc.header.sender = {{kSupplierDomain, kSupplierIdentity, ""}};
  doc.header.user_agent = kSupplierUserAgent;
  doc.in_reply_to = session.setup_payload_id;
  doc.body = std::move(m);
  return doc;
}

std::string CartFieldName(CartEncoding encoding) {
  return encoding == CartEncoding::kBase64 ? "cxml-base64" : "cxml-urlencoded";
}

std::string CartFieldValue(CartEncoding encoding, const std::string& xml) {
  return encoding == CartEncoding::kBase64 ? absl::Base64Escape(xml) : xml;
}

std::string RenderAutoPostPage(const std::string& post_url, CartEncoding encoding,
                               const std::string& xml, const std::string& summary) {
  std::string body = absl::StrCat(
      "<div class=\"banner\">Amazon Business <small>(iob supplier simulator)</small></div>\n"
      "<h1>Returning your cart</h1>\n<p data-testid=\"checkout-summary\">",
      HtmlEscape(summary),
      "</p>\n"
      "<form id=\"cxml-return\" method=\"post\" action=\"",
      HtmlEscape(post_url),
      "\" accept-charset=\"UTF-8\" enctype=\"application/x-www-form-urlencoded\">\n"
      "<input type=\"hidden\" name=\"",
      CartFieldName(encoding), "\" value=\"", HtmlEscape(CartFieldValue(encoding, xml)),
      "\">\n"
      "<button type=\"submit\" id=\"return-to-procurement\" "
      "data-testid=\"return-to-procurement\">Return to procurement</button>\n"
      "</form>\n"
      "<script>document.getElementById('cxml-return').submit();</script>\n");
  return HtmlPage("Returning your cart", body);
}

}  // namespace iob::sim
