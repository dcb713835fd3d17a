// services/punchout/cart_page.{h,cc}: the HTML page shown after a cart
// post escapes everything the supplier (or anyone) sent.
#include "services/punchout/cart_page.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace iob::punchout {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

CartPostResult Received(const std::string& description) {
  CartPostResult r;
  r.http_status = 200;
  r.message = "Cart <b>received</b>";
  Session s;
  s.tenant = "acme";
  s.id = "s1";
  r.session = s;
  Cart cart;
  CartLine l;
  l.line_number = 1;
  l.quantity = "2";
  l.supplier_part_id = "\"><img src=x onerror=alert(1)>";
  l.supplier_part_auxiliary_id = "<![CDATA[x]]>";
  l.description = description;
  l.unit_price = {"8.99", "US<D"};
  l.unit_of_measure = "E'A";
  cart.lines.push_back(l);
  cart.total = {"17.98&", "USD"};
  r.cart = cart;
  return r;
}

TEST(HtmlEscapeTest, EscapesTheFiveCharacters) {
  EXPECT_EQ(HtmlEscape("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
  EXPECT_EQ(HtmlEscape("&amp;"), "&amp;amp;");
  EXPECT_EQ(HtmlEscape("plain \xC3\xA9"), "plain \xC3\xA9");
}

TEST(RenderCartPageTest, ScriptInADescriptionIsEscaped) {
  const std::string html = RenderCartPage(Received("Pens <script>alert('x')</script>"),
                                          "https://p2p.example/return?s=\"x\"&t=<y>");
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, HasSubstr("Pens &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, HasSubstr("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("<b>received")));
  EXPECT_THAT(html, HasSubstr("Cart &lt;b&gt;received&lt;/b&gt;"));
  EXPECT_THAT(html, HasSubstr("US&lt;D"));
  EXPECT_THAT(html, HasSubstr("E&#39;A"));
  EXPECT_THAT(html, HasSubstr("17.98&amp;"));
  EXPECT_THAT(html,
              HasSubstr("href=\"https://p2p.example/return?s=&quot;x&quot;&amp;t=&lt;y&gt;\""));
  EXPECT_THAT(html, HasSubstr("data-testid=\"cart-title\""));
  EXPECT_THAT(html, HasSubstr("data-testid=\"cart-lines\""));
}

TEST(RenderCartPageTest, ErrorPagesEscapeTheMessageAndShowNoCart) {
  CartPostResult r;
  r.http_status = 410;
  r.message = "expired <i>now</i>";
  const std::string html = RenderCartPage(r, "");
  EXPECT_THAT(html, HasSubstr("The cart was not accepted"));
  EXPECT_THAT(html, HasSubstr("class=\"error\""));
  EXPECT_THAT(html, HasSubstr("expired &lt;i&gt;now&lt;/i&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("cart-lines")));
  EXPECT_THAT(html, Not(HasSubstr("data-testid=\"return\"")));
}

TEST(RenderCartPageTest, AnEmptyCartSaysSo) {
  CartPostResult r;
  r.cart = Cart{};
  r.cart->total = {"0.00", "USD"};
  const std::string html = RenderCartPage(r, "");
  EXPECT_THAT(html, HasSubstr("data-testid=\"cart-empty\""));
  EXPECT_THAT(html, Not(HasSubstr("cart-lines")));
  EXPECT_THAT(html, HasSubstr("0.00 USD"));
}

}  // namespace
}  // namespace iob::punchout
