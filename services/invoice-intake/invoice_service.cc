#include "services/invoice-intake/invoice_service.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/common/invalid_field.h"
#include "libs/common/status_macros.h"
#include "libs/runtime/grpc_status.h"
#include "libs/runtime/pagination.h"
#include "libs/runtime/proto_time.h"
#include "libs/runtime/request_key.h"
#include "libs/runtime/resource_name.h"

namespace iob::invoice {
namespace {

using common::InvalidField;
using runtime::HandleRpc;
using runtime::ParseName;
using runtime::ToProtoTime;

constexpr char kRead[] = "invoices.read";
constexpr char kWrite[] = "invoices.write";
constexpr char kIngest[] = "messages.ingest";

constexpr char kInvoicePattern[] = "tenants/{tenant}/invoices/{invoice}";
constexpr char kMessagePattern[] = "tenants/{tenant}/messages/{message}";
constexpr char kUnroutedPattern[] = "messages/{message}";

constexpr std::pair<const char*, pb::InvoiceState> kStates[] = {
    {"received", pb::INVOICE_STATE_RECEIVED},         {"parsed", pb::INVOICE_STATE_PARSED},
    {"matched", pb::INVOICE_STATE_MATCHED},           {"exception", pb::INVOICE_STATE_EXCEPTION},
    {"needs_review", pb::INVOICE_STATE_NEEDS_REVIEW}, {"rejected", pb::INVOICE_STATE_REJECTED},
    {"accepted", pb::INVOICE_STATE_ACCEPTED},
};

pb::InvoiceState StateOf(const std::string& text) {
  for (const auto& [t, s] : kStates) {
    if (text == t) return s;
  }
  return pb::INVOICE_STATE_UNSPECIFIED;
}

absl::StatusOr<std::string> StateText(pb::InvoiceState state) {
  if (state == pb::INVOICE_STATE_UNSPECIFIED) return std::string();
  for (const auto& [t, s] : kStates) {
    if (s == state) return std::string(t);
  }
  return InvalidField("state", "unknown value");
}

pb::MessageSource SourceOf(const std::string& text) {
  if (text == "imap") return pb::MESSAGE_SOURCE_IMAP;
  if (text == "maildir") return pb::MESSAGE_SOURCE_MAILDIR;
  if (text == "api") return pb::MESSAGE_SOURCE_API;
  if (text == "cxml_post") return pb::MESSAGE_SOURCE_CXML_POST;
  return pb::MESSAGE_SOURCE_UNSPECIFIED;
}

pb::MessageState MessageStateOf(const std::string& text) {
  if (text == "received") return pb::MESSAGE_STATE_RECEIVED;
  if (text == "processed") return pb::MESSAGE_STATE_PROCESSED;
  if (text == "quarantined") return pb::MESSAGE_STATE_QUARANTINED;
  return pb::MESSAGE_STATE_UNSPECIFIED;
}

void ToProto(const StoredMessage& m, pb::Message* out) {
  out->set_name(m.Name());
  out->set_source(SourceOf(m.source));
  out->set_state(MessageStateOf(m.state));
  out->set_reason(m.reason);
  out->set_message_id(m.message_id);
  out->set_sha256(m.sha256);
  out->set_size_bytes(m.size_bytes);
  out->set_from(m.from_address);
  out->set_subject(m.subject);
  out->set_authentication(m.authentication);
  for (const std::string& id : m.invoices) {
    out->add_invoices(absl::StrCat("tenants/", m.tenant, "/invoices/", id));
  }
  *out->mutable_receive_time() = ToProtoTime(m.receive_time);
  if (m.process_time) *out->mutable_process_time() = ToProtoTime(*m.process_time);
  out->set_raw(m.raw);
  out->set_duplicate(m.duplicate);
}

pb::InvoiceFormat FormatOf(const std::string& text) {
  if (text == "cxml") return pb::INVOICE_FORMAT_CXML;
  if (text == "ubl") return pb::INVOICE_FORMAT_UBL;
  if (text == "cii") return pb::INVOICE_FORMAT_CII;
  if (text == "facturx") return pb::INVOICE_FORMAT_FACTURX;
  if (text == "pdf") return pb::INVOICE_FORMAT_PDF;
  return pb::INVOICE_FORMAT_UNSPECIFIED;
}

void ToProto(const InvoiceRecord& i, pb::Invoice* out) {
  *out = i.detail;
  out->set_name(i.Name());
  out->set_state(StateOf(i.state));
  out->set_integration(i.integration);
  out->set_supplier(i.supplier);
  out->set_sender_verified(i.sender_verified);
  out->set_reason(i.reason);
  out->clear_sources();
  for (const InvoiceSourceRecord& s : i.sources) {
    pb::InvoiceSource* p = out->add_sources();
    p->set_message(absl::StrCat("tenants/", i.tenant, "/messages/", s.message));
    p->set_format(FormatOf(s.format));
    p->set_part(s.part);
    p->set_sha256(s.sha256);
    *p->mutable_receive_time() = ToProtoTime(s.receive_time);
  }
  *out->mutable_create_time() = ToProtoTime(i.create_time);
  *out->mutable_update_time() = ToProtoTime(i.update_time);
}

// A message's id and tenant ("" for one not routed to a tenant) from its
// name, with the caller authorised: `scope` for the tenant's messages,
// messages.ingest (the gateway operator) for unrouted ones.
struct MessageName {
  std::string id;
  std::string tenant;
};
absl::StatusOr<MessageName> AuthorizeMessage(const runtime::Authenticator& auth,
                                             const grpc::ServerContext& ctx,
                                             const std::string& name, const char* scope) {
  if (absl::StartsWith(name, "messages/")) {
    // ParseName calls the first variable the tenant: here it is the id.
    IOB_ASSIGN_OR_RETURN(auto parsed, ParseName(kUnroutedPattern, name, "name"));
    IOB_RETURN_IF_ERROR(auth.Authorize(ctx, kIngest, "").status());
    return MessageName{parsed.tenant, ""};
  }
  IOB_ASSIGN_OR_RETURN(auto parsed, ParseName(kMessagePattern, name, "name"));
  IOB_RETURN_IF_ERROR(auth.Authorize(ctx, scope, parsed.tenant).status());
  return MessageName{parsed.id, parsed.tenant};
}

}  // namespace

grpc::Status InvoiceService::GetInvoicingAddress(grpc::ServerContext* ctx,
                                                 const pb::GetInvoicingAddressRequest* req,
                                                 pb::InvoicingAddress* resp) {
  return HandleRpc(*ctx, "GetInvoicingAddress", req->parent(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(auto parent, ParseName(runtime::kTenantPattern, req->parent(), "parent"));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kRead, parent.tenant).status());
    IOB_ASSIGN_OR_RETURN(std::string address, intake_->AddressOf(parent.tenant));
    resp->set_name(absl::StrCat(req->parent(), "/invoicingAddress"));
    resp->set_address(address);
    resp->set_instructions(absl::StrCat(
        "Paste ", address,
        " into each supplier's invoice delivery settings (Amazon Business: Business Settings -> "
        "Pay by Invoice -> invoice delivery e-mail); every invoice sent there is read and matched "
        "to its order."));
    return absl::OkStatus();
  });
}

grpc::Status InvoiceService::IngestMessage(grpc::ServerContext* ctx,
                                           const pb::IngestMessageRequest* req, pb::Message* resp) {
  return HandleRpc(*ctx, "IngestMessage", "", [&]() -> absl::Status {
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kIngest, "").status());
    if (req->raw().empty()) return InvalidField("raw", "is required (the RFC 5322 bytes)");
    IOB_ASSIGN_OR_RETURN(StoredMessage m, intake_->Take("api", "", req->raw()));
    ToProto(m, resp);
    return absl::OkStatus();
  });
}

grpc::Status InvoiceService::GetMessage(grpc::ServerContext* ctx, const pb::GetMessageRequest* req,
                                        pb::Message* resp) {
  return HandleRpc(*ctx, "GetMessage", req->name(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(MessageName name, AuthorizeMessage(*auth_, *ctx, req->name(), kRead));
    const std::string& id = name.id;
    const std::string& tenant = name.tenant;
    IOB_ASSIGN_OR_RETURN(StoredMessage m, store_->GetMessage(id, req->include_raw()));
    if (m.tenant != tenant)
      return absl::NotFoundError(absl::StrCat("message ", req->name(), " not found"));
    ToProto(m, resp);
    return absl::OkStatus();
  });
}

grpc::Status InvoiceService::ReprocessMessage(grpc::ServerContext* ctx,
                                              const pb::ReprocessMessageRequest* req,
                                              pb::Message* resp) {
  return HandleRpc(*ctx, "ReprocessMessage", req->name(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(MessageName name, AuthorizeMessage(*auth_, *ctx, req->name(), kWrite));
    const std::string& id = name.id;
    const std::string& tenant = name.tenant;
    IOB_ASSIGN_OR_RETURN(StoredMessage before, store_->GetMessage(id, false));
    if (before.tenant != tenant) {
      return absl::NotFoundError(absl::StrCat("message ", req->name(), " not found"));
    }
    IOB_RETURN_IF_ERROR(store_->ResetMessage(id));
    IOB_ASSIGN_OR_RETURN(StoredMessage m, intake_->Process(id));
    ToProto(m, resp);
    return absl::OkStatus();
  });
}

grpc::Status InvoiceService::ListInvoices(grpc::ServerContext* ctx,
                                          const pb::ListInvoicesRequest* req,
                                          pb::ListInvoicesResponse* resp) {
  return HandleRpc(*ctx, "ListInvoices", req->parent(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(auto parent, ParseName(runtime::kTenantPattern, req->parent(), "parent"));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kRead, parent.tenant).status());
    InvoiceFilter filter;
    IOB_ASSIGN_OR_RETURN(filter.state, StateText(req->state()));
    if (!req->integration().empty()) {
      IOB_RETURN_IF_ERROR(
          ParseName(runtime::kIntegrationPattern, req->integration(), "integration").status());
      filter.integration = req->integration();
    }
    filter.po_number = req->po_number();
    IOB_ASSIGN_OR_RETURN(auto page, runtime::Paginate(
                                        req->page_size(), req->page_token(), "invoices",
                                        [&](const std::string& after, int limit) {
                                          return store_->ListInvoices(parent.tenant, filter, after,
                                                                      limit);
                                        },
                                        &InvoiceStore::PageKey));
    for (const InvoiceRecord& i : page.items) ToProto(i, resp->add_invoices());
    resp->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::Status InvoiceService::GetInvoice(grpc::ServerContext* ctx, const pb::GetInvoiceRequest* req,
                                        pb::Invoice* resp) {
  return HandleRpc(*ctx, "GetInvoice", req->name(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(auto name, ParseName(kInvoicePattern, req->name(), "name"));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kRead, name.tenant).status());
    IOB_ASSIGN_OR_RETURN(InvoiceRecord i, store_->GetInvoice(name.tenant, name.id));
    ToProto(i, resp);
    return absl::OkStatus();
  });
}

grpc::Status InvoiceService::ResolveException(grpc::ServerContext* ctx,
                                              const pb::ResolveExceptionRequest* req,
                                              pb::Invoice* resp) {
  return HandleRpc(*ctx, "ResolveException", req->name(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(auto name, ParseName(kInvoicePattern, req->name(), "name"));
    IOB_ASSIGN_OR_RETURN(runtime::Principal who, auth_->Authorize(*ctx, kWrite, name.tenant));
    if (req->decision() != pb::ResolveExceptionRequest::DECISION_ACCEPT &&
        req->decision() != pb::ResolveExceptionRequest::DECISION_REJECT) {
      return InvalidField("decision", "must be DECISION_ACCEPT or DECISION_REJECT");
    }
    IOB_RETURN_IF_ERROR(common::CheckText(req->note(), "note", 2000, true));
    IOB_ASSIGN_OR_RETURN(auto key, runtime::RequestKeyOf(name.tenant, "ResolveException", *req));
    IOB_ASSIGN_OR_RETURN(
        InvoiceRecord i,
        store_->Resolve(name.tenant, name.id,
                        req->decision() == pb::ResolveExceptionRequest::DECISION_ACCEPT,
                        req->note(), who.name, key));
    ToProto(i, resp);
    return absl::OkStatus();
  });
}

}  // namespace iob::invoice
