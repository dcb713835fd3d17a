// The credentials suite's stack and request builders.
#include "tests/integration/credentials/credentials_test_util.h"

#include <set>

#include "libs/crypto/key_ring.h"

namespace iob::credentials::testing {

std::unique_ptr<TestStack> NewCredentialsStack() {
  const std::set<std::string> admin = {"integrations.read", "integrations.write", "audit.read"};
  return TestStack::Create({
      .services = {kCredentials},
      .principals =
          {
              {"acme-admin", admin, {"acme"}},
              {"globex-admin", admin, {"globex"}},
              {"acme-reader", {"integrations.read"}, {"acme"}},
              {"resolver", {"integrations.read", "secrets.resolve"}, {"*"}},
              {"verifier", {"suppliers.verify"}, {"*"}},
              {"acme-verifier", {"suppliers.verify"}, {"acme"}},
              {"super",
               {"integrations.read", "integrations.write", "audit.read", "secrets.resolve",
                "suppliers.verify"},
               {"*"}},
          },
      .flags = {},
  });
}

pb::CreateIntegrationRequest AmazonCreate(const std::string& tenant, const std::string& id,
                                          const std::string& secret,
                                          const std::string& from_identity) {
  pb::CreateIntegrationRequest req;
  req.set_parent("tenants/" + tenant);
  req.set_integration_id(id);
  pb::Integration* in = req.mutable_integration();
  in->set_supplier("amazon-business");
  in->mutable_from()->set_identity(from_identity);
  in->set_shared_secret(secret);
  in->set_punchout_url("https://www.amazon.com/eprocurement/punchout");
  in->set_order_url("https://www.amazon.com/eprocurement/order");
  in->set_mode(pb::MODE_PRODUCTION);
  return req;
}

std::string RandomSecret(const std::string& prefix) {
  return prefix + crypto::Sha256Hex(crypto::RandomBytes(32)).substr(0, 32);
}

}  // namespace iob::credentials::testing
