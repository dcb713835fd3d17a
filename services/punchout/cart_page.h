// The punchout service's HTTP edge: the BrowserFormPost endpoint the
// supplier's page posts the cart to, and the small HTML page the user sees
// before going back to the platform.
#ifndef IOB_SERVICES_PUNCHOUT_CART_PAGE_H_
#define IOB_SERVICES_PUNCHOUT_CART_PAGE_H_

#include <string>

#include "libs/http/server.h"
#include "services/punchout/session_broker.h"

namespace iob::punchout {

// Registers `POST /punchout/cart/:token` (and a 405 page for GET) on
// `server`. `return_url_template` may contain {tenant} and {session}
// (replaced URL-encoded), e.g. "https://p2p.example/punchout/return?session={session}".
void RegisterCartEndpoint(http::HttpServer& server, SessionBroker* broker,
                          std::string return_url_template);

// The HTML page for one cart post result (exposed for tests). Everything the
// supplier sent is escaped.
std::string RenderCartPage(const CartPostResult& result, const std::string& return_url);

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string HtmlEscape(const std::string& text);

}  // namespace iob::punchout

#endif  // IOB_SERVICES_PUNCHOUT_CART_PAGE_H_
