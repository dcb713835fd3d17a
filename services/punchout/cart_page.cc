#include "services/punchout/cart_page.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "libs/common/html.h"
#include "libs/cxml/form.h"

namespace iob::punchout {
namespace {

using ::iob::common::HtmlEscape;

constexpr char kStyle[] =
    "body{font-family:system-ui,sans-serif;margin:2rem;color:#222}"
    "table{border-collapse:collapse;margin:1rem 0}"
    "th,td{border-bottom:1px solid #ddd;padding:.4rem .8rem;text-align:left}"
    "td.num{text-align:right}.error{color:#a00}"
    "a.button{display:inline-block;background:#0b5;color:#fff;padding:.6rem 1.2rem;"
    "border-radius:4px;text-decoration:none}";

std::string ReturnUrl(const std::string& tmpl, const Session& s) {
  return absl::StrReplaceAll(tmpl, {{"{tenant}", cxml::FormUrlEncode(s.tenant)},
                                    {"{session}", cxml::FormUrlEncode(s.Name())}});
}

}  // namespace

CartPageView ViewOf(const CartPostResult& result) {
  CartPageView view;
  view.cart = result.cart;
  if (result.status.ok()) {
    if (result.repeat) view.message = "This cart was already received.";
    return view;
  }
  view.message = std::string(result.status.message());
  switch (result.status.code()) {
    case absl::StatusCode::kNotFound:
      view.http_status = 404;
      break;
    case absl::StatusCode::kFailedPrecondition:
      view.http_status = 410;
      break;
    case absl::StatusCode::kAlreadyExists:
      view.http_status = 409;
      break;
    case absl::StatusCode::kInvalidArgument:
      view.http_status = 400;
      break;
    case absl::StatusCode::kUnavailable:
      view.http_status = 503;
      break;
    default:
      view.http_status = 500;
      break;
  }
  return view;
}

std::string RenderCartPage(const CartPageView& view, const std::string& return_url) {
  const bool ok = view.http_status == 200;
  std::string html = absl::StrCat(
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>",
      ok ? "Cart received" : "Cart not accepted", "</title><style>", kStyle,
      "</style></head><body><h1 data-testid=\"cart-title\">",
      ok ? "Your cart is back in procurement" : "The cart was not accepted", "</h1>");
  if (!view.message.empty() || !ok) {
    absl::StrAppend(&html, "<p", ok ? "" : " class=\"error\"", " data-testid=\"cart-message\">",
                    HtmlEscape(view.message), "</p>");
  }
  if (view.cart) {
    const Cart& cart = *view.cart;
    if (cart.lines.empty()) {
      absl::StrAppend(&html,
                      "<p data-testid=\"cart-empty\">The cart is empty: the lines of "
                      "this requisition will be removed.</p>");
    } else {
      absl::StrAppend(
          &html,
          "<table data-testid=\"cart-lines\"><thead><tr><th>#</th><th>Item</th>"
          "<th>Part</th><th>Qty</th><th>Unit</th><th>Unit price</th></tr></thead><tbody>");
      for (const CartLine& l : cart.lines) {
        absl::StrAppend(&html, "<tr><td>", l.line_number, "</td><td>", HtmlEscape(l.description),
                        "</td><td>", HtmlEscape(l.supplier_part_id), "</td><td class=\"num\">",
                        HtmlEscape(l.quantity), "</td><td>", HtmlEscape(l.unit_of_measure),
                        "</td><td class=\"num\">", HtmlEscape(l.unit_price.amount), " ",
                        HtmlEscape(l.unit_price.currency), "</td></tr>");
      }
      absl::StrAppend(&html, "</tbody></table>");
    }
    absl::StrAppend(&html, "<p data-testid=\"cart-total\">Total: <strong>",
                    HtmlEscape(cart.total.amount), " ", HtmlEscape(cart.total.currency),
                    "</strong></p>");
  }
  if (!return_url.empty()) {
    absl::StrAppend(&html, "<p><a class=\"button\" data-testid=\"return\" href=\"",
                    HtmlEscape(return_url), "\">Return to procurement</a></p>");
  }
  absl::StrAppend(&html, "</body></html>\n");
  return html;
}

void RegisterCartEndpoint(http::HttpServer& server, SessionBroker* broker,
                          std::string return_url_template) {
  // Tokens are URL-safe base64 (see SessionBroker).
  server.Post(
      R"(/punchout/cart/([A-Za-z0-9_=-]{1,128}))",
      [broker, tmpl = std::move(return_url_template)](const httplib::Request& req,
                                                      httplib::Response& res) {
        const std::string token = req.matches.size() > 1 ? std::string(req.matches[1]) : "";
        const CartPostResult result =
            broker->ReceiveCart(token, req.body, req.get_header_value("Content-Type"));
        const CartPageView view = ViewOf(result);
        const std::string return_url = result.session ? ReturnUrl(tmpl, *result.session) : "";
        res.status = view.http_status;
        res.set_header("Cache-Control", "no-store");
        res.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
        res.set_content(RenderCartPage(view, return_url), "text/html; charset=utf-8");
      });
  server.Get(R"(/punchout/cart/([A-Za-z0-9_=-]{1,128}))", [](const httplib::Request&,
                                                             httplib::Response& res) {
    res.status = 405;
    res.set_header("Allow", "POST");
    res.set_content(RenderCartPage({405, "The supplier's page must post the cart here.", {}}, ""),
                    "text/html; charset=utf-8");
  });
}

}  // namespace iob::punchout
