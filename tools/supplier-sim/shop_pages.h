// The simulated supplier's shop, server-rendered HTML (no JavaScript needed):
//
//   GET  /shop/<token>           product list (with Add buttons) and the cart
//   POST /shop/<token>/cart      add=<sku>&qty=<n> | remove=<key> |
//                                update=1&qty-<key>=<n>... ; answers 303 to
//                                the shop page (inspect sessions: 403)
//   POST /shop/<token>/checkout  the auto-posting page returning the cart as
//                                a PunchOutOrderMessage to the session's
//                                BrowserFormPost URL (checkout.h)
//
// Stable hooks for browser tests: data-testid="add-<sku>", "add-qty-<sku>",
// "product-<sku>", "aux-<sku>", "qty-<key>", "remove-<key>", "line-<key>",
// "line-total-<key>", "update-cart", "cart-total", "cart-empty", "checkout",
// "operation", "user-email", "ship-to", "return-to-procurement". Keys are the
// SKU for catalog lines (see ShopLine::key).
#ifndef IOB_TOOLS_SUPPLIER_SIM_SHOP_PAGES_H_
#define IOB_TOOLS_SUPPLIER_SIM_SHOP_PAGES_H_

#include <httplib.h>

#include <string>

#include "tools/supplier-sim/sim_context.h"

namespace iob::sim {

// Thread-safe (state lives in the context).
class ShopPages {
 public:
  // Names used for statistics, received documents and faults.
  static constexpr char kShopName[] = "shop";
  static constexpr char kCartName[] = "cart";
  static constexpr char kCheckoutName[] = "checkout";

  explicit ShopPages(SimContext ctx) : ctx_(ctx) {}

  // req.matches[1] is the session token in all three.
  void HandlePage(const httplib::Request& req, httplib::Response& res) const;
  void HandleCart(const httplib::Request& req, httplib::Response& res) const;
  void HandleCheckout(const httplib::Request& req, httplib::Response& res) const;

  // The shop page of `session` (exposed for tests).
  std::string RenderShop(const ShopSession& session) const;

 private:
  std::string Page(const httplib::Request& req, httplib::Response& res) const;
  std::string Cart(const httplib::Request& req, httplib::Response& res) const;
  std::string Checkout(const httplib::Request& req, httplib::Response& res) const;

  SimContext ctx_;
};

}  // namespace iob::sim

#endif  // IOB_TOOLS_SUPPLIER_SIM_SHOP_PAGES_H_
