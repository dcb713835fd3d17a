#include "tools/supplier-sim/cart.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/cxml/decimal.h"

namespace iob::sim {
namespace {

using cxml::Decimal;

bool IsKeySafe(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// The SKU when usable and free, else "line-<n>" with the first free n.
std::string NewKey(const std::vector<ShopLine>& cart, const std::string& sku) {
  auto taken = [&cart](const std::string& k) {
    return std::any_of(cart.begin(), cart.end(), [&k](const ShopLine& l) { return l.key == k; });
  };
  if (IsKeySafe(sku) && !taken(sku)) return sku;
  for (size_t n = cart.size() + 1;; ++n) {
    std::string k = absl::StrCat("line-", n);
    if (!taken(k)) return k;
  }
}

cxml::ItemDetail DetailOf(const Product& p) {
  cxml::ItemDetail d;
  d.unit_price = {p.unit_price, p.currency};
  d.descriptions = {p.description};
  d.unit_of_measure = p.unit_of_measure;
  d.classifications = {{"UNSPSC", "", p.unspsc}};
  d.manufacturer_part_id = p.manufacturer_part_id;
  d.manufacturer_name = p.manufacturer_name;
  return d;
}

}  // namespace

bool IsFormQuantity(const std::string& quantity, int min) {
  if (quantity.empty() || quantity.size() > 4) return false;
  if (!std::all_of(quantity.begin(), quantity.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  int n = 0;
  return absl::SimpleAtoi(quantity, &n) && n >= min && n <= 9999;
}

std::vector<ShopLine> CartFromItems(const std::vector<cxml::ItemOut>& items, const Catalog& catalog,
                                    std::vector<std::string>* notes) {
  std::vector<ShopLine> cart;
  for (const cxml::ItemOut& item : items) {
    ShopLine line;
    line.quantity = item.quantity;
    line.item_id = item.item_id;
    if (item.item_detail.has_value()) {
      line.item_detail = *item.item_detail;
    } else if (const Product* p = catalog.Find(item.item_id.supplier_part_id)) {
      line.item_detail = DetailOf(*p);
    } else {
      notes->push_back(absl::StrCat("Dropped line with unknown SupplierPartID \"",
                                    item.item_id.supplier_part_id, "\" and no ItemDetail."));
      continue;
    }
    line.key = NewKey(cart, item.item_id.supplier_part_id);
    cart.push_back(std::move(line));
  }
  return cart;
}

absl::Status AddToCart(std::vector<ShopLine>& cart, const Product& product,
                       const std::string& quantity) {
  if (!IsFormQuantity(quantity, 1)) {
    return absl::InvalidArgumentError("quantity must be a whole number from 1 to 9999");
  }
  for (ShopLine& line : cart) {
    if (line.item_id.supplier_part_id == product.sku &&
        line.item_id.supplier_part_auxiliary_id == product.auxiliary_id) {
      auto have = Decimal::Parse(line.quantity);
      auto add = Decimal::Parse(quantity);
      if (!have.ok()) return have.status();
      auto sum = have->Plus(*add);
      if (!sum.ok()) return sum.status();
      line.quantity = sum->ToString();
      return absl::OkStatus();
    }
  }
  ShopLine line;
  line.key = NewKey(cart, product.sku);
  line.quantity = quantity;
  line.item_id.supplier_part_id = product.sku;
  line.item_id.supplier_part_auxiliary_id = product.auxiliary_id;
  line.item_detail = DetailOf(product);
  cart.push_back(std::move(line));
  return absl::OkStatus();
}

absl::Status SetQuantity(std::vector<ShopLine>& cart, const std::string& key,
                         const std::string& quantity) {
  auto it = std::find_if(cart.begin(), cart.end(), [&](const ShopLine& l) { return l.key == key; });
  if (it == cart.end()) return absl::NotFoundError(absl::StrCat("no cart line \"", key, "\""));
  if (!IsFormQuantity(quantity, 0)) {
    return absl::InvalidArgumentError("quantity must be a whole number from 0 to 9999");
  }
  if (quantity.find_first_not_of('0') == std::string::npos) {
    cart.erase(it);
  } else {
    it->quantity = quantity.substr(std::min(quantity.find_first_not_of('0'), quantity.size()));
  }
  return absl::OkStatus();
}

absl::Status RemoveLine(std::vector<ShopLine>& cart, const std::string& key) {
  auto it = std::find_if(cart.begin(), cart.end(), [&](const ShopLine& l) { return l.key == key; });
  if (it == cart.end()) return absl::NotFoundError(absl::StrCat("no cart line \"", key, "\""));
  cart.erase(it);
  return absl::OkStatus();
}

absl::StatusOr<std::string> LineTotal(const ShopLine& line) {
  auto q = Decimal::Parse(line.quantity);
  if (!q.ok()) return q.status();
  auto p = Decimal::Parse(line.item_detail.unit_price.amount);
  if (!p.ok()) return p.status();
  auto t = q->Times(*p);
  if (!t.ok()) return t.status();
  return t->ToString();
}

absl::StatusOr<cxml::Money> CartTotal(const std::vector<ShopLine>& cart,
                                      const std::string& empty_currency) {
  std::string currency =
      cart.empty() ? empty_currency : cart.front().item_detail.unit_price.currency;
  Decimal total;
  for (const ShopLine& line : cart) {
    if (line.item_detail.unit_price.currency != currency) {
      return absl::FailedPreconditionError("cart lines have different currencies");
    }
    auto t = LineTotal(line);
    if (!t.ok()) return t.status();
    auto d = Decimal::Parse(*t);
    if (!d.ok()) return d.status();
    auto sum = total.Plus(*d);
    if (!sum.ok()) return sum.status();
    total = *sum;
  }
  auto shown = total.WithMinScale(2);
  if (!shown.ok()) return shown.status();
  return cxml::Money{shown->ToString(), currency};
}

}  // namespace iob::sim
