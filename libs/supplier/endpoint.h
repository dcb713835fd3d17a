// What a service knows about a supplier integration, as the credentials
// service hands it out: the tile a user picks, the endpoint (with its secret)
// a document is sent to, and the integration an inbound document was
// verified to come from. Plain structs; no I/O.
#ifndef IOB_LIBS_SUPPLIER_ENDPOINT_H_
#define IOB_LIBS_SUPPLIER_ENDPOINT_H_

#include <string>
#include <vector>

#include "libs/cxml/model.h"

namespace iob::supplier {

// An active integration as a supplier tile.
struct SupplierTile {
  std::string integration;  // resource name
  std::string supplier;
  std::string display_name;
  bool approval_required = true;
};

// What the supplier needs to know about the integration, and where to
// reach it. Holds the shared secret: never log it or copy it into errors.
struct SupplierEndpoint {
  std::string integration;  // resource name
  std::string supplier;
  std::string display_name;
  std::string punchout_url;
  std::string order_url;  // where OrderRequests go
  std::vector<std::string> allowed_hosts;
  cxml::Credential from, to, sender;  // sender.shared_secret holds the secret
  bool production = false;
  bool approval_required = true;
  std::string user_business_unit;
  std::string order_email;  // where orders go by e-mail ("" = none)
};

// The integration an inbound document's credentials were verified against.
struct VerifiedSender {
  std::string integration;  // resource name tenants/{tenant}/integrations/{id}
  std::string tenant;
  std::string supplier;
};

}  // namespace iob::supplier

#endif  // IOB_LIBS_SUPPLIER_ENDPOINT_H_
