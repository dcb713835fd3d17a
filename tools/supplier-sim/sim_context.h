// The simulator's shared pieces, handed to every endpoint class by reference.
// SupplierSim owns them all and outlives the endpoints.
#ifndef IOB_TOOLS_SUPPLIER_SIM_SIM_CONTEXT_H_
#define IOB_TOOLS_SUPPLIER_SIM_SIM_CONTEXT_H_

#include <httplib.h>

#include <functional>
#include <string>

#include "tools/supplier-sim/catalog.h"
#include "tools/supplier-sim/fault_effects.h"
#include "tools/supplier-sim/faults.h"
#include "tools/supplier-sim/sim_state.h"
#include "tools/supplier-sim/traffic_log.h"

namespace iob::sim {

struct SimContext {
  const Catalog& catalog;
  GroupRegistry& groups;
  ShopSessions& sessions;
  TrafficLog& traffic;
  FaultInjector& faults;
  const FaultEffects& effects;
  const PublicUrl& public_url;
  CartEncoding default_cart_encoding;
};

// What a handler run by ServeWithFaults answers: the outcome name counted in
// the statistics ("ok", "cxml_401", "http_404", ...).
using FaultAwareHandler = std::function<std::string(
    const FaultDecision& fault, const httplib::Request& req, httplib::Response& res)>;

// The common frame of every simulated endpoint: counts the request and keeps
// its body under `endpoint`, draws and applies the endpoint's fault (latency,
// HTTP 500/503, timeout, reset), runs `handle` when the fault leaves an answer
// to give (the handler sees the decision, e.g. for cxml_status), trickles the
// answer for slow_body or resets the connection for reset_after_body, and
// counts the outcome ("fault_<kind>" for faults).
void ServeWithFaults(const SimContext& ctx, const std::string& endpoint,
                     const httplib::Request& req, httplib::Response& res,
                     const FaultAwareHandler& handle);

}  // namespace iob::sim

#endif  // IOB_TOOLS_SUPPLIER_SIM_SIM_CONTEXT_H_
