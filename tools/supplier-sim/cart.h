// Cart rules of a punchout session: building lines from catalog products and
// from the ItemOut lines of an edit/inspect PunchOutSetupRequest, adding,
// re-quantifying and removing lines, and totals. No I/O.
#ifndef IOB_TOOLS_SUPPLIER_SIM_CART_H_
#define IOB_TOOLS_SUPPLIER_SIM_CART_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/cxml/model.h"
#include "tools/supplier-sim/catalog.h"
#include "tools/supplier-sim/sim_state.h"

namespace iob::sim {

// The cart a session starts with for `items` (edit/inspect): each ItemOut
// becomes a line with its ItemID unchanged (auxiliary id byte-for-byte); its
// ItemDetail when present, else the catalog product's detail for its
// SupplierPartID. Lines with neither are dropped and described in `notes`.
std::vector<ShopLine> CartFromItems(const std::vector<cxml::ItemOut>& items, const Catalog& catalog,
                                    std::vector<std::string>* notes);

// Adds `quantity` (a positive integer string) of `product`: increases the
// line with the same ItemID, or appends a line. INVALID_ARGUMENT for a bad
// quantity.
absl::Status AddToCart(std::vector<ShopLine>& cart, const Product& product,
                       const std::string& quantity);

// Sets the quantity of the line `key` (a non-negative integer string; "0"
// removes the line). NOT_FOUND for an unknown key, INVALID_ARGUMENT for a bad
// quantity.
absl::Status SetQuantity(std::vector<ShopLine>& cart, const std::string& key,
                         const std::string& quantity);

// Removes the line `key`; NOT_FOUND when absent.
absl::Status RemoveLine(std::vector<ShopLine>& cart, const std::string& key);

// quantity x unit price, exact. INVALID_ARGUMENT / OUT_OF_RANGE on bad data.
absl::StatusOr<std::string> LineTotal(const ShopLine& line);

// Sum of line totals in the cart's one currency (at least 2 fraction
// digits); an empty cart totals "0.00" in `empty_currency`.
// FAILED_PRECONDITION when lines carry different currencies.
absl::StatusOr<cxml::Money> CartTotal(const std::vector<ShopLine>& cart,
                                      const std::string& empty_currency);

// True when `quantity` is an integer in [min, 9999] (shop form input).
bool IsFormQuantity(const std::string& quantity, int min);

}  // namespace iob::sim

#endif  // IOB_TOOLS_SUPPLIER_SIM_CART_H_
