// SupplierSim: the whole simulator in one object — state, fault injection,
// the endpoint classes and the HTTP server routing to them. main.cc wires
// flags to SimOptions; tests run it in-process on port 0.
#ifndef IOB_TOOLS_SUPPLIER_SIM_SUPPLIER_SIM_H_
#define IOB_TOOLS_SUPPLIER_SIM_SUPPLIER_SIM_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "libs/http/server.h"
#include "tools/supplier-sim/admin_api.h"
#include "tools/supplier-sim/catalog.h"
#include "tools/supplier-sim/fault_effects.h"
#include "tools/supplier-sim/faults.h"
#include "tools/supplier-sim/fulfillment.h"
#include "tools/supplier-sim/invoicing.h"
#include "tools/supplier-sim/order_endpoint.h"
#include "tools/supplier-sim/punchout_endpoint.h"
#include "tools/supplier-sim/shop_pages.h"
#include "tools/supplier-sim/sim_state.h"
#include "tools/supplier-sim/traffic_log.h"

namespace iob::sim {

struct SimOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 = pick a free port
  // Base URL for StartPage and credential URLs; "" = http://<host>:<port>.
  std::string public_url;
  // Cart encoding of groups created without one (and of seeded groups).
  CartEncoding cart_encoding = CartEncoding::kUrlEncoded;
  std::vector<Group> seed_groups;
  uint64_t fault_seed = 1;
  size_t keep_documents = 50;
  size_t max_sessions = 1000;
  size_t max_orders = 100000;  // orders counted; the oldest are forgotten beyond
  // Where fulfilment documents go until POST /admin/fulfillment changes it;
  // "" = nowhere. Must be an http(s) URL.
  std::string fulfillment_url;
  int threads = 16;
};

// Parses "host:port", "[v6]:port" or ":port" (host 127.0.0.1).
// INVALID_ARGUMENT otherwise.
absl::StatusOr<std::pair<std::string, int>> ParseListenAddress(std::string_view text);

// Parses --seed-group: "IDENTITY:SECRET[,IDENTITY:SECRET...]" (the identity
// holds no ':' or ','; the secret no ','). INVALID_ARGUMENT otherwise.
absl::StatusOr<std::vector<Group>> ParseSeedGroups(std::string_view text, CartEncoding encoding);

class SupplierSim {
 public:
  explicit SupplierSim(SimOptions options);
  // Stops the server (see Stop).
  ~SupplierSim();
  SupplierSim(const SupplierSim&) = delete;
  SupplierSim& operator=(const SupplierSim&) = delete;

  // Adds the seed groups, starts the fulfilment and invoicing threads, binds and serves in
  // the background. Returns the bound port. Errors: INVALID_ARGUMENT /
  // ALREADY_EXISTS for seed groups or a bad fulfillment_url, UNAVAILABLE
  // when the address cannot be bound. Ignores SIGPIPE for the process
  // (injected resets make writes fail). Call once.
  absl::StatusOr<int> Start();
  // Wakes every injected wait, drops pending fulfilment posts and invoices,
  // then stops the server and joins its threads. Idempotent; not from a
  // handler.
  void Stop();

  std::string public_url() const { return public_url_.Get(); }
  GroupRegistry& groups() { return groups_; }
  ShopSessions& sessions() { return sessions_; }
  TrafficLog& traffic() { return traffic_; }
  FaultInjector& faults() { return faults_; }
  OrderBook& orders() { return orders_; }
  Fulfiller& fulfiller() { return fulfiller_; }
  Invoicer& invoicer() { return invoicer_; }

 private:
  SimContext Context();
  void Route();

  const SimOptions options_;
  absl::Notification stopping_;
  const Catalog catalog_;
  GroupRegistry groups_;
  ShopSessions sessions_;
  TrafficLog traffic_;
  FaultInjector faults_;
  FaultEffects effects_;
  PublicUrl public_url_;
  OrderBook orders_;
  Invoicer invoicer_;  // before fulfiller_, which tells it about shipped orders
  Fulfiller fulfiller_;
  PunchOutEndpoint punchout_;
  OrderEndpoint order_;
  ShopPages shop_;
  AdminApi admin_;
  http::HttpServer server_;
};

}  // namespace iob::sim

#endif  // IOB_TOOLS_SUPPLIER_SIM_SUPPLIER_SIM_H_
