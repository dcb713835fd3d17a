// The punchout service's HTTP edge: the BrowserFormPost endpoint the
// supplier's page posts the cart to, and the small HTML page the user sees
// before going back to the platform.
#ifndef IOB_SERVICES_PUNCHOUT_CART_PAGE_H_
#define IOB_SERVICES_PUNCHOUT_CART_PAGE_H_

#include <optional>
#include <string>

#include "libs/http/server.h"
#include "services/punchout/session_broker.h"

namespace iob::punchout {

// Registers `POST /punchout/cart/:token` (and a 405 page for GET) on
// `server`. `return_url_template` may contain {tenant} and {session}
// (replaced URL-encoded), e.g. "https://p2p.example/punchout/return?session={session}".
void RegisterCartEndpoint(http::HttpServer& server, SessionBroker* broker,
                          std::string return_url_template);

// What the cart page shows: the HTTP status it is served with, a message
// safe to show the user (escaped when rendered) and the cart, if any.
struct CartPageView {
  int http_status = 200;
  std::string message;
  std::optional<Cart> cart;
};

// The page for a cart post result: NOT_FOUND 404, FAILED_PRECONDITION 410,
// ALREADY_EXISTS 409, INVALID_ARGUMENT 400, UNAVAILABLE 503 (any other error
// 500), OK 200; the status message (or, for a repeat, a note saying so) as
// the message. Exposed for tests.
CartPageView ViewOf(const CartPostResult& result);

// The HTML page for `view` (exposed for tests). Everything the supplier sent
// is escaped; `return_url` (may be empty: no link) becomes the link back.
std::string RenderCartPage(const CartPageView& view, const std::string& return_url);

}  // namespace iob::punchout

#endif  // IOB_SERVICES_PUNCHOUT_CART_PAGE_H_
