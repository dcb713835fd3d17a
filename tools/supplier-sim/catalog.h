// The simulator's product catalog: a handful of products whose data exercise
// what a buyer system must carry through unchanged — prices as decimal
// strings, UNSPSC codes, SupplierPartAuxiliaryIDs holding markup-like text,
// commas, entity and character references and CDATA, and non-ASCII
// descriptions.
#ifndef IOB_TOOLS_SUPPLIER_SIM_CATALOG_H_
#define IOB_TOOLS_SUPPLIER_SIM_CATALOG_H_

#include <optional>
#include <string>
#include <vector>

#include "libs/cxml/model.h"

namespace iob::sim {

struct Product {
  std::string sku;  // SupplierPartID; [A-Za-z0-9-] so it can name form fields
  // SupplierPartAuxiliaryID as raw inner XML, sent byte-for-byte.
  std::optional<cxml::RawXml> auxiliary_id;
  cxml::Description description;
  std::string unit_price;  // decimal string
  std::string currency;    // ISO 4217
  std::string unit_of_measure;
  std::string unspsc;  // Classification domain="UNSPSC"
  std::string manufacturer_part_id;
  std::string manufacturer_name;
};

// Immutable after construction; thread-safe.
class Catalog {
 public:
  explicit Catalog(std::vector<Product> products);

  // The built-in catalog (all prices in USD).
  static Catalog Default();

  const std::vector<Product>& products() const { return products_; }
  // Returns the product with SupplierPartID `sku`, or nullptr.
  const Product* Find(const std::string& sku) const;
  // Currency of the first product ("USD" when empty): the currency of an
  // empty cart's Total.
  std::string currency() const;

 private:
  std::vector<Product> products_;
};

}  // namespace iob::sim

#endif  // IOB_TOOLS_SUPPLIER_SIM_CATALOG_H_
