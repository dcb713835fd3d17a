// What the dispatch API does, between the gRPC edge and the store: checks an
// order against its integration (through the credentials service), its rule,
// its supplier's profile and its approval; carries a punchout cart's lines
// (through the punchout service); and makes the versions that updates and
// cancellations send. The delivery itself is DeliveryWorkers'.
#ifndef IOB_SERVICES_DISPATCH_DISPATCHER_H_
#define IOB_SERVICES_DISPATCH_DISPATCHER_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "libs/db/idempotency.h"
#include "libs/peers/punchout_client.h"
#include "libs/supplier/credentials_client.h"
#include "services/dispatch/dispatch_metrics.h"
#include "services/dispatch/order.h"
#include "services/dispatch/order_store.h"

namespace iob::dispatch {

// An order version's purchase order PDF.
struct OrderPdf {
  std::string bytes;
  std::string file_name;
  int version = 0;
};

struct SubmitRequest {
  std::string tenant;
  std::string integration;  // resource name, of `tenant`
  std::string session;      // optional punchout session name, of `tenant`
  pb::OrderContent content;
  pb::Approval approval;
  db::RequestKey key;
};

// Thread-safe; borrows its collaborators.
class Dispatcher {
 public:
  // `on_submitted` runs after an order is stored (wakes a delivery worker).
  // `host` names this service in payloadIDs. `mail_enabled`: an SMTP relay
  // is configured, so the rule's PDF action can be carried out.
  Dispatcher(OrderStore* store, supplier::CredentialsClient* credentials,
             peers::PunchoutClient* punchout, DispatchMetrics* metrics, std::string host,
             bool mail_enabled, std::function<void()> on_submitted);

  // The order as stored (see the SubmitOrder RPC for the errors).
  absl::StatusOr<Order> Submit(SubmitRequest request);

  // RetryOrder, CancelOrder, UpdateOrder.
  absl::StatusOr<Order> Retry(const std::string& tenant, const std::string& id,
                              const std::string& who, const db::RequestKey& key);
  absl::StatusOr<Order> Cancel(const std::string& tenant, const std::string& id,
                               const std::string& reason, const db::RequestKey& key);
  absl::StatusOr<Order> Update(const std::string& tenant, const std::string& id,
                               pb::OrderContent content, const db::RequestKey& key);

  // RenderOrderPdf: `version` 0 = the newest. The supplier block shows the
  // integration as the credentials service has it now.
  absl::StatusOr<OrderPdf> RenderPdf(const std::string& tenant, const std::string& id, int version);

  // GetDispatchRule / UpdateDispatchRule: NOT_FOUND for an integration the
  // credentials service does not know.
  absl::StatusOr<DispatchRule> GetRule(const std::string& tenant,
                                       const std::string& integration_id);
  absl::StatusOr<DispatchRule> SetRule(const DispatchRule& rule, const db::RequestKey& key);

 private:
  // OK unless `rule` e-mails the PDF and the integration has no order
  // e-mail or no relay is configured: FAILED_PRECONDITION naming `field`.
  absl::Status CheckCanEmail(const DispatchRule& rule, const supplier::SupplierEndpoint& endpoint,
                             absl::string_view field) const;
  // A new version of `order` of `type` with `content`.
  OrderVersion NextVersion(const Order& order, ChangeType type, pb::OrderContent content,
                           std::string reason) const;

  OrderStore* const store_;
  supplier::CredentialsClient* const credentials_;
  peers::PunchoutClient* const punchout_;
  DispatchMetrics* const metrics_;
  const std::string host_;
  const bool mail_enabled_;
  const std::function<void()> on_submitted_;
};

}  // namespace iob::dispatch

#endif  // IOB_SERVICES_DISPATCH_DISPATCHER_H_
