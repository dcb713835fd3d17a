// gRPC edge of invoice intake: authorises each call, translates proto <->
// domain, turns Status into gRPC codes. The work is in Intake (messages) and
// InvoiceStore (reads, resolutions).
#ifndef IOB_SERVICES_INVOICE_INTAKE_INVOICE_SERVICE_H_
#define IOB_SERVICES_INVOICE_INTAKE_INVOICE_SERVICE_H_

#include "iob/invoice/v1/invoice_service.grpc.pb.h"
#include "libs/runtime/auth.h"
#include "services/invoice-intake/intake.h"
#include "services/invoice-intake/invoice_store.h"

namespace iob::invoice {

// Thread-safe; borrows its collaborators.
class InvoiceService final : public pb::InvoiceService::Service {
 public:
  InvoiceService(const runtime::Authenticator* auth, Intake* intake, InvoiceStore* store)
      : auth_(auth), intake_(intake), store_(store) {}

  grpc::Status GetInvoicingAddress(grpc::ServerContext* ctx,
                                   const pb::GetInvoicingAddressRequest* req,
                                   pb::InvoicingAddress* resp) override;
  grpc::Status IngestMessage(grpc::ServerContext* ctx, const pb::IngestMessageRequest* req,
                             pb::Message* resp) override;
  grpc::Status GetMessage(grpc::ServerContext* ctx, const pb::GetMessageRequest* req,
                          pb::Message* resp) override;
  grpc::Status ReprocessMessage(grpc::ServerContext* ctx, const pb::ReprocessMessageRequest* req,
                                pb::Message* resp) override;
  grpc::Status ListInvoices(grpc::ServerContext* ctx, const pb::ListInvoicesRequest* req,
                            pb::ListInvoicesResponse* resp) override;
  grpc::Status GetInvoice(grpc::ServerContext* ctx, const pb::GetInvoiceRequest* req,
                          pb::Invoice* resp) override;
  grpc::Status ResolveException(grpc::ServerContext* ctx, const pb::ResolveExceptionRequest* req,
                                pb::Invoice* resp) override;

 private:
  const runtime::Authenticator* auth_;
  Intake* intake_;
  InvoiceStore* store_;
};

}  // namespace iob::invoice

#endif  // IOB_SERVICES_INVOICE_INTAKE_INVOICE_SERVICE_H_
