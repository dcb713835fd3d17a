// gRPC edge of the dispatch service: authorises each call, translates proto
// <-> domain, and turns Status into gRPC codes. The work is in Dispatcher
// (submit and changes), OrderStore (reads) and DeliveryWorkers (delivery).
#ifndef IOB_SERVICES_DISPATCH_DISPATCH_SERVICE_H_
#define IOB_SERVICES_DISPATCH_DISPATCH_SERVICE_H_

#include "iob/dispatch/v1/dispatch_service.grpc.pb.h"
#include "libs/runtime/auth.h"
#include "services/dispatch/dispatcher.h"
#include "services/dispatch/order_store.h"

namespace iob::dispatch {

// Thread-safe; borrows its collaborators.
class DispatchService final : public pb::DispatchService::Service {
 public:
  DispatchService(const runtime::Authenticator* auth, Dispatcher* dispatcher, OrderStore* store)
      : auth_(auth), dispatcher_(dispatcher), store_(store) {}

  grpc::Status GetDispatchRule(grpc::ServerContext* ctx, const pb::GetDispatchRuleRequest* req,
                               pb::DispatchRule* resp) override;
  grpc::Status UpdateDispatchRule(grpc::ServerContext* ctx,
                                  const pb::UpdateDispatchRuleRequest* req,
                                  pb::DispatchRule* resp) override;
  grpc::Status SubmitOrder(grpc::ServerContext* ctx, const pb::SubmitOrderRequest* req,
                           pb::Order* resp) override;
  grpc::Status GetOrder(grpc::ServerContext* ctx, const pb::GetOrderRequest* req,
                        pb::Order* resp) override;
  grpc::Status ListOrders(grpc::ServerContext* ctx, const pb::ListOrdersRequest* req,
                          pb::ListOrdersResponse* resp) override;
  grpc::Status RetryOrder(grpc::ServerContext* ctx, const pb::RetryOrderRequest* req,
                          pb::Order* resp) override;
  grpc::Status CancelOrder(grpc::ServerContext* ctx, const pb::CancelOrderRequest* req,
                           pb::Order* resp) override;
  grpc::Status UpdateOrder(grpc::ServerContext* ctx, const pb::UpdateOrderRequest* req,
                           pb::Order* resp) override;
  grpc::Status RenderOrderPdf(grpc::ServerContext* ctx, const pb::RenderOrderPdfRequest* req,
                              pb::OrderPdf* resp) override;

 private:
  const runtime::Authenticator* auth_;
  Dispatcher* dispatcher_;
  OrderStore* store_;
};

}  // namespace iob::dispatch

#endif  // IOB_SERVICES_DISPATCH_DISPATCH_SERVICE_H_
