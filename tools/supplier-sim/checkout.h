// Checkout: the PunchOutOrderMessage for a session's cart, and the HTML page
// that posts it to the buyer's BrowserFormPost URL the way a supplier's site
// does (a form auto-submitted by a tiny script, with a visible button for
// browsers without JavaScript).
#ifndef IOB_TOOLS_SUPPLIER_SIM_CHECKOUT_H_
#define IOB_TOOLS_SUPPLIER_SIM_CHECKOUT_H_

#include <string>

#include "absl/status/statusor.h"
#include "libs/cxml/model.h"
#include "tools/supplier-sim/sim_state.h"

namespace iob::sim {

// Credential the simulator writes as From and Sender of its documents.
inline constexpr char kSupplierDomain[] = "NetworkID";
inline constexpr char kSupplierIdentity[] = "iob-supplier-sim";
inline constexpr char kSupplierUserAgent[] = "iob-supplier-sim/1";

// Builds the PunchOutOrderMessage for `session`: BuyerCookie, operationAllowed
// ("inspect" for inspect sessions, else "edit"), Total, the session's ShipTo,
// and one ItemIn per cart line (ItemID unchanged, line numbers 1..n). An empty
// cart gives an empty message with Total 0.00 in `empty_currency`. Errors:
// FAILED_PRECONDITION (mixed currencies), INVALID_ARGUMENT / OUT_OF_RANGE
// (bad quantities or prices).
absl::StatusOr<cxml::Document> BuildOrderMessage(const ShopSession& session,
                                                 const std::string& empty_currency);

// The form field a cart is posted in, and its value for `xml`:
// ("cxml-urlencoded", xml) or ("cxml-base64", base64(xml)).
std::string CartFieldName(CartEncoding encoding);
std::string CartFieldValue(CartEncoding encoding, const std::string& xml);

// The auto-posting HTML page: <form method="post" action=`post_url`> with the
// hidden cart field (value HTML-escaped; the browser form-encodes it),
// a "Return to procurement" button (data-testid="return-to-procurement") and
// a script submitting the form on load. `summary` is shown as text.
std::string RenderAutoPostPage(const std::string& post_url, CartEncoding encoding,
                               const std::string& xml, const std::string& summary);

}  // namespace iob::sim

#endif  // IOB_TOOLS_SUPPLIER_SIM_CHECKOUT_H_
