// gRPC edge of the punchout service: authorises each call, translates proto
// <-> domain, and turns Status into gRPC codes. The work is in SessionBroker.
#ifndef IOB_SERVICES_PUNCHOUT_PUNCHOUT_SERVICE_H_
#define IOB_SERVICES_PUNCHOUT_PUNCHOUT_SERVICE_H_

#include "iob/punchout/v1/punchout_service.grpc.pb.h"
#include "libs/runtime/auth.h"
#include "services/punchout/session_broker.h"
#include "services/punchout/session_store.h"

namespace iob::punchout {

namespace pb = ::iob::punchout::v1;

// Thread-safe; borrows its collaborators.
class PunchoutService final : public pb::PunchoutService::Service {
 public:
  PunchoutService(const runtime::Authenticator* auth, SessionBroker* broker, SessionStore* store)
      : auth_(auth), broker_(broker), store_(store) {}

  grpc::Status ListSuppliers(grpc::ServerContext* ctx, const pb::ListSuppliersRequest* req,
                             pb::ListSuppliersResponse* resp) override;
  grpc::Status StartSession(grpc::ServerContext* ctx, const pb::StartSessionRequest* req,
                            pb::Session* resp) override;
  grpc::Status GetSession(grpc::ServerContext* ctx, const pb::GetSessionRequest* req,
                          pb::Session* resp) override;
  grpc::Status ListSessions(grpc::ServerContext* ctx, const pb::ListSessionsRequest* req,
                            pb::ListSessionsResponse* resp) override;
  grpc::Status GetCart(grpc::ServerContext* ctx, const pb::GetCartRequest* req,
                       pb::Cart* resp) override;
  grpc::Status CheckoutCart(grpc::ServerContext* ctx, const pb::CheckoutCartRequest* req,
                            pb::RequisitionDraft* resp) override;

 private:
  const runtime::Authenticator* auth_;
  SessionBroker* broker_;
  SessionStore* store_;
};

}  // namespace iob::punchout

#endif  // IOB_SERVICES_PUNCHOUT_PUNCHOUT_SERVICE_H_
