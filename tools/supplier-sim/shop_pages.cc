#include "tools/supplier-sim/shop_pages.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/common/logging.h"
#include "libs/cxml/writer.h"
#include "tools/supplier-sim/cart.h"
#include "tools/supplier-sim/checkout.h"
#include "tools/supplier-sim/html.h"

namespace iob::sim {
namespace {

void SendHtml(httplib::Response& res, int status, const std::string& html) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(html, "text/html; charset=utf-8");
}

// An error page; returns the outcome name "http_<status>".
std::string SendError(httplib::Response& res, int status, const std::string& message,
                      const std::string& back_url = "") {
  std::string body = absl::StrCat(
      "<div class=\"banner\">Amazon Business <small>(iob supplier "
      "simulator)</small></div>\n<h1>",
      status, "</h1>\n<p data-testid=\"error\">", HtmlEscape(message), "</p>\n");
  if (!back_url.empty()) {
    absl::StrAppend(&body, "<p><a href=\"", HtmlEscape(back_url), "\">Back to the shop</a></p>\n");
  }
  SendHtml(res, status, HtmlPage("Error", body));
  return absl::StrCat("http_", status);
}

std::string ShopPath(const std::string& token) { return absl::StrCat("/shop/", token); }

std::string AuxCell(const std::optional<cxml::RawXml>& aux, const std::string& testid) {
  if (!aux.has_value()) return "<td></td>";
  return absl::StrCat("<td><code data-testid=\"", testid, "\">", HtmlEscape(aux->xml),
                      "</code></td>");
}

std::string ShipToText(const std::optional<cxml::Address>& a) {
  if (!a.has_value()) return "";
  std::string text = a->name;
  if (a->postal_address.has_value()) {
    const auto& p = *a->postal_address;
    for (const auto& street : p.street) absl::StrAppend(&text, ", ", street);
    absl::StrAppend(&text, ", ", p.postal_code, p.postal_code.empty() ? "" : " ", p.city, ", ",
                    p.iso_country_code);
  }
  return text;
}

}  // namespace

void ShopPages::HandlePage(const httplib::Request& req, httplib::Response& res) const {
  ServeWithFaults(ctx_, kShopName, req, res,
                  [this](const FaultDecision&, const httplib::Request& r, httplib::Response& out) {
                    return Page(r, out);
                  });
}

void ShopPages::HandleCart(const httplib::Request& req, httplib::Response& res) const {
  ServeWithFaults(ctx_, kCartName, req, res,
                  [this](const FaultDecision&, const httplib::Request& r, httplib::Response& out) {
                    return Cart(r, out);
                  });
}

void ShopPages::HandleCheckout(const httplib::Request& req, httplib::Response& res) const {
  ServeWithFaults(ctx_, kCheckoutName, req, res,
                  [this](const FaultDecision&, const httplib::Request& r, httplib::Response& out) {
                    return Checkout(r, out);
                  });
}

std::string ShopPages::Page(const httplib::Request& req, httplib::Response& res) const {
  std::optional<ShopSession> session = ctx_.sessions.Get(req.matches[1]);
  if (!session.has_value()) return SendError(res, 404, "Unknown or expired punchout session.");
  SendHtml(res, 200, RenderShop(*session));
  return "ok";
}

std::string ShopPages::RenderShop(const ShopSession& s) const {
  const bool read_only = s.operation == cxml::PunchOutOperation::kInspect;
  const std::string base = ShopPath(s.token);
  std::string b = absl::StrCat(
      "<div class=\"banner\">Amazon Business <small>(iob supplier simulator)</small></div>\n"
      "<p>Operation: <b data-testid=\"operation\">",
      std::string(cxml::PunchOutOperationName(s.operation)),
      "</b> &middot; User: <span data-testid=\"user-email\">",
      HtmlEscape(ExtrinsicText(s.extrinsics, "UserEmail")),
      "</span> &middot; Ship to: <span data-testid=\"ship-to\">", HtmlEscape(ShipToText(s.ship_to)),
      "</span></p>\n");
  for (const std::string& note : s.notes) {
    absl::StrAppend(&b, "<p class=\"note\" data-testid=\"note\">", HtmlEscape(note), "</p>\n");
  }

  if (!read_only) {
    absl::StrAppend(&b,
                    "<h2>Products</h2>\n<table data-testid=\"products\">\n<tr><th>Product</th>"
                    "<th>SKU</th><th>Auxiliary ID</th><th>UNSPSC</th><th class=\"num\">Price</th>"
                    "<th></th></tr>\n");
    for (const Product& p : ctx_.catalog.products()) {
      absl::StrAppend(
          &b, "<tr data-testid=\"product-", p.sku, "\"><td lang=\"", HtmlEscape(p.description.lang),
          "\">", HtmlEscape(p.description.text), "<br><small>", HtmlEscape(p.manufacturer_name),
          " ", HtmlEscape(p.manufacturer_part_id), "</small></td><td>", HtmlEscape(p.sku), "</td>",
          AuxCell(p.auxiliary_id, "aux-" + p.sku), "<td>", HtmlEscape(p.unspsc),
          "</td><td class=\"num\" data-testid=\"price-", p.sku, "\">", HtmlEscape(p.unit_price),
          " ", HtmlEscape(p.currency), "</td><td><form method=\"post\" action=\"", base,
          "/cart\"><input type=\"hidden\" name=\"add\" value=\"", HtmlEscape(p.sku),
          "\"><input type=\"number\" name=\"qty\" value=\"1\" min=\"1\" max=\"9999\" "
          "aria-label=\"Quantity\" data-testid=\"add-qty-",
          p.sku, "\"> <button type=\"submit\" data-testid=\"add-", p.sku,
          "\">Add to cart</button></form></td></tr>\n");
    }
    absl::StrAppend(&b, "</table>\n");
  }

  absl::StrAppend(&b, "<h2>Cart</h2>\n");
  if (s.cart.empty()) {
    absl::StrAppend(&b, "<p data-testid=\"cart-empty\">Your cart is empty.</p>\n");
  } else {
    absl::StrAppend(&b, "<form method=\"post\" action=\"", base,
                    "/cart\" id=\"cart-form\">\n<table data-testid=\"cart\">\n<tr><th>Item</th>"
                    "<th>SKU</th><th>Auxiliary ID</th><th class=\"num\">Price</th><th>Qty</th>"
                    "<th class=\"num\">Line total</th><th></th></tr>\n");
    for (const ShopLine& line : s.cart) {
      const auto& d = line.item_detail;
      std::string desc = d.descriptions.empty() ? "" : d.descriptions.front().text;
      auto total = LineTotal(line);
      absl::StrAppend(
          &b, "<tr data-testid=\"line-", HtmlEscape(line.key), "\"><td>", HtmlEscape(desc),
          "</td><td>", HtmlEscape(line.item_id.supplier_part_id), "</td>",
          AuxCell(line.item_id.supplier_part_auxiliary_id, "line-aux-" + HtmlEscape(line.key)),
          "<td class=\"num\">", HtmlEscape(d.unit_price.amount), " ",
          HtmlEscape(d.unit_price.currency), "</td><td><input type=\"number\" name=\"qty-",
          HtmlEscape(line.key), "\" value=\"", HtmlEscape(line.quantity),
          "\" min=\"0\" max=\"9999\" step=\"any\" aria-label=\"Quantity\" data-testid=\"qty-",
          HtmlEscape(line.key), "\"", read_only ? " readonly" : "",
          "></td><td class=\"num\" data-testid=\"line-total-", HtmlEscape(line.key), "\">",
          total.ok() ? HtmlEscape(*total) : "?", "</td><td>");
      if (!read_only) {
        // In its own form, so Enter in a quantity field means "Update cart".
        absl::StrAppend(&b, "<button type=\"submit\" form=\"remove-form\" name=\"remove\" value=\"",
                        HtmlEscape(line.key), "\" data-testid=\"remove-", HtmlEscape(line.key),
                        "\">Remove</button>");
      }
      absl::StrAppend(&b, "</td></tr>\n");
    }
    absl::StrAppend(&b, "</table>\n");
    if (!read_only) {
      absl::StrAppend(&b,
                      "<button type=\"submit\" name=\"update\" value=\"1\" "
                      "data-testid=\"update-cart\">Update cart</button>\n");
    }
    absl::StrAppend(&b, "</form>\n");
    if (!read_only) {
      absl::StrAppend(&b, "<form method=\"post\" action=\"", base,
                      "/cart\" id=\"remove-form\"></form>\n");
    }
  }
  auto total = CartTotal(s.cart, ctx_.catalog.currency());
  absl::StrAppend(&b, "<p>Total: <b data-testid=\"cart-total\">",
                  total.ok() ? HtmlEscape(absl::StrCat(total->amount, " ", total->currency))
                             : HtmlEscape(std::string(total.status().message())),
                  "</b></p>\n<form method=\"post\" action=\"", base,
                  "/checkout\"><button type=\"submit\" data-testid=\"checkout\">",
                  read_only ? "Return to procurement" : "Proceed to checkout",
                  "</button></form>\n");
  return HtmlPage("Amazon Business (simulated)", b);
}

std::string ShopPages::Cart(const httplib::Request& req, httplib::Response& res) const {
  const std::string token = req.matches[1];
  const std::string back = ShopPath(token);
  std::optional<ShopSession> before = ctx_.sessions.Get(token);
  if (!before.has_value()) return SendError(res, 404, "Unknown or expired punchout session.");
  if (before->operation == cxml::PunchOutOperation::kInspect) {
    return SendError(res, 403, "This cart was opened for inspection and cannot be changed.", back);
  }
  auto updated = ctx_.sessions.Update(token, [&](ShopSession& s) -> absl::Status {
    if (req.has_param("add")) {
      const Product* p = ctx_.catalog.Find(req.get_param_value("add"));
      if (p == nullptr) return absl::NotFoundError("No such product.");
      std::string qty = req.has_param("qty") ? req.get_param_value("qty") : "1";
      return AddToCart(s.cart, *p, qty);
    }
    if (req.has_param("remove")) return RemoveLine(s.cart, req.get_param_value("remove"));
    // Update: every qty-<key> field that changed. Take the keys first, as
    // SetQuantity may remove lines.
    std::vector<std::pair<std::string, std::string>> changes;
    for (const ShopLine& line : s.cart) {
      std::string field = "qty-" + line.key;
      if (req.has_param(field.c_str()) && req.get_param_value(field.c_str()) != line.quantity) {
        changes.emplace_back(line.key, req.get_param_value(field.c_str()));
      }
    }
    for (const auto& [key, qty] : changes) {
      absl::Status st = SetQuantity(s.cart, key, qty);
      if (!st.ok()) return st;
    }
    return absl::OkStatus();
  });
  if (!updated.ok()) {
    int status = updated.status().code() == absl::StatusCode::kNotFound ? 404 : 400;
    return SendError(res, status, std::string(updated.status().message()), back);
  }
  res.status = 303;
  res.set_header("Location", back);
  res.set_header("Cache-Control", "no-store");
  return "ok";
}

std::string ShopPages::Checkout(const httplib::Request& req, httplib::Response& res) const {
  const std::string token = req.matches[1];
  auto session = ctx_.sessions.Update(token, [](ShopSession& s) {
    ++s.checkouts;
    return absl::OkStatus();
  });
  if (!session.ok()) return SendError(res, 404, "Unknown or expired punchout session.");
  auto doc = BuildOrderMessage(*session, ctx_.catalog.currency());
  if (!doc.ok()) return SendError(res, 409, std::string(doc.status().message()), ShopPath(token));
  auto xml = cxml::WriteDocument(*doc);
  if (!xml.ok()) {
    common::LogError("checkout: cannot write PunchOutOrderMessage",
                     {{"error", std::string(xml.status().message())}});
    return SendError(res, 500, "Could not write the cart as cXML.", ShopPath(token));
  }
  ctx_.traffic.Sent(kCheckoutName, *xml);
  const auto& message = std::get<cxml::PunchOutOrderMessage>(doc->body);
  std::string summary =
      absl::StrCat("Returning ", message.items.size(), " line(s), total ", message.total.amount,
                   " ", message.total.currency, ", to your procurement system.");
  common::LogInfo("checkout: cart returned",
                  {{"session", token.substr(0, 8)},
                   {"lines", static_cast<int64_t>(message.items.size())},
                   {"encoding", std::string(CartEncodingName(session->cart_encoding))}});
  SendHtml(
      res, 200,
      RenderAutoPostPage(session->browser_form_post_url, session->cart_encoding, *xml, summary));
  return "ok";
}

}  // namespace iob::sim
