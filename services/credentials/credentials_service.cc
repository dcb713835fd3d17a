#include "services/credentials/credentials_service.h"

#include <google/protobuf/util/time_util.h>

#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/status_macros.h"
#include "libs/crypto/key_ring.h"
#include "libs/runtime/grpc_status.h"
#include "libs/common/logging.h"
#include "libs/runtime/pagination.h"

namespace iob::credentials {
namespace {

using google::protobuf::util::TimeUtil;
using runtime::DecodePageToken;
using runtime::EncodePageToken;
using runtime::PageSize;
using common::Secret;

// Scopes (documented in the proto).
constexpr char kRead[] = "integrations.read";
constexpr char kWrite[] = "integrations.write";
constexpr char kAudit[] = "audit.read";
constexpr char kResolve[] = "secrets.resolve";
constexpr char kVerify[] = "suppliers.verify";

// Fields an Update may name, mapped to the domain fields they replace.
const std::set<std::string>& UpdatablePaths() {
  static const auto* kPaths =
      new std::set<std::string>{"display_name",    "marketplace",   "from",
                                "from.identity",   "from.domain",   "to",
                                "to.identity",     "to.domain",     "sender",
                                "sender.identity", "sender.domain", "punchout_url",
                                "order_url",       "mode",          "require_approval",
                                "payment_method",  "state",         "user_business_unit"};
  return *kPaths;
}

google::protobuf::Timestamp ToProto(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

void ToProto(const Integration& in, const std::vector<std::string>& allowed_hosts,
             pb::Integration* out) {
  out->set_name(in.Name());
  for (const auto& h : allowed_hosts) out->add_allowed_hosts(h);
  out->set_supplier(in.supplier);
  out->set_display_name(in.display_name);
  out->set_marketplace(in.marketplace);
  out->mutable_from()->set_domain(in.from.domain);
  out->mutable_from()->set_identity(in.from.identity);
  out->mutable_to()->set_domain(in.to.domain);
  out->mutable_to()->set_identity(in.to.identity);
  out->mutable_sender()->set_domain(in.sender.domain);
  out->mutable_sender()->set_identity(in.sender.identity);
  out->set_punchout_url(in.punchout_url);
  out->set_order_url(in.order_url);
  out->set_mode(in.mode == Mode::kProduction ? pb::MODE_PRODUCTION : pb::MODE_TEST);
  out->set_require_approval(in.require_approval);
  out->set_payment_method(in.payment_method == "pcard" ? pb::PAYMENT_METHOD_PCARD
                                                       : pb::PAYMENT_METHOD_PAY_BY_INVOICE);
  out->set_state(in.state == "disabled" ? pb::INTEGRATION_STATE_DISABLED
                                        : pb::INTEGRATION_STATE_ACTIVE);
  out->set_user_business_unit(in.user_business_unit);
  out->set_etag(in.Etag());
  *out->mutable_create_time() = ToProto(in.create_time);
  *out->mutable_update_time() = ToProto(in.update_time);
  out->set_secret_version(in.secret_version);
  *out->mutable_secret_update_time() = ToProto(in.secret_update_time);
  out->set_secret_fingerprint(in.secret_fingerprint);
}

absl::Status Invalid(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

// Copies the enum-valued proto fields; UNSPECIFIED leaves the current value
// unless `required`.
absl::Status CopyEnums(const pb::Integration& src, bool required, Integration& dst) {
  switch (src.mode()) {
    case pb::MODE_TEST:
      dst.mode = Mode::kTest;
      break;
    case pb::MODE_PRODUCTION:
      dst.mode = Mode::kProduction;
      break;
    case pb::MODE_UNSPECIFIED:
      if (required)
        return Invalid("integration.mode", "is required (MODE_TEST or MODE_PRODUCTION)");
      break;
    default:
      return Invalid("integration.mode", "unknown value");
  }
  switch (src.payment_method()) {
    case pb::PAYMENT_METHOD_PAY_BY_INVOICE:
      dst.payment_method = "pay_by_invoice";
      break;
    case pb::PAYMENT_METHOD_PCARD:
      dst.payment_method = "pcard";
      break;
    case pb::PAYMENT_METHOD_UNSPECIFIED:
      break;
    default:
      return Invalid("integration.payment_method", "unknown value");
  }
  switch (src.state()) {
    case pb::INTEGRATION_STATE_ACTIVE:
      dst.state = "active";
      break;
    case pb::INTEGRATION_STATE_DISABLED:
      dst.state = "disabled";
      break;
    case pb::INTEGRATION_STATE_UNSPECIFIED:
      break;
    default:
      return Invalid("integration.state", "unknown value");
  }
  return absl::OkStatus();
}

absl::Status ValidateRequestId(const std::string& id) {
  if (id.size() > 128) return Invalid("request_id", "longer than 128 characters");
  for (unsigned char c : id) {
    if (c < 0x21 || c > 0x7e) return Invalid("request_id", "must be printable ASCII");
  }
  return absl::OkStatus();
}

absl::Status CheckEtag(const std::string& given, const Integration& current) {
  if (!given.empty() && given != current.Etag()) {
    return absl::AbortedError(absl::StrCat("etag mismatch: ", current.Name(),
                                           " was modified (current etag ", current.Etag(), ")"));
  }
  return absl::OkStatus();
}

std::string NewIntegrationId(const std::string& supplier) {
  const std::string rnd = crypto::RandomBytes(4);
  return absl::StrCat(supplier.substr(0, 50), "-", absl::BytesToHexString(rnd));
}

}  // namespace

std::vector<std::string> CredentialsService::AllowedHosts(const Integration& in) const {
  std::vector<std::string> hosts;
  if (auto profile = profiles_->Find(in.supplier); profile.ok()) {
    hosts = (*profile)->AllowedHosts(in.marketplace).value_or(std::vector<std::string>{});
  }
  // A test-mode integration may also reach the operator's test hosts (the
  // simulator); callers' egress policies only know host names.
  if (in.mode == Mode::kTest && !hosts.empty()) {
    for (const std::string& h : policy_.test_mode_hosts) hosts.push_back(h.substr(0, h.rfind(':')));
  }
  return hosts;
}

grpc::Status CredentialsService::GetIntegration(grpc::ServerContext* ctx,
                                                const pb::GetIntegrationRequest* req,
                                                pb::Integration* resp) {
  std::string tenant, id;
  absl::Status st = ParseIntegrationName(req->name(), "name", &tenant, &id);
  if (st.ok()) st = auth_->Authorize(*ctx, kRead, tenant).status();
  if (st.ok()) {
    auto in = store_->Get(tenant, id);
    st = in.status();
    if (in.ok()) ToProto(*in, AllowedHosts(*in), resp);
  }
  return runtime::FinishRpc(*ctx, "GetIntegration", req->name(), st);
}

grpc::Status CredentialsService::ListIntegrations(grpc::ServerContext* ctx,
                                                  const pb::ListIntegrationsRequest* req,
                                                  pb::ListIntegrationsResponse* resp) {
  std::string tenant;
  absl::Status st = [&]() -> absl::Status {
    IOB_RETURN_IF_ERROR(ParseTenantName(req->parent(), "parent", &tenant));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kRead, tenant).status());
    IOB_ASSIGN_OR_RETURN(int limit, PageSize(req->page_size()));
    IOB_ASSIGN_OR_RETURN(std::string after, DecodePageToken(req->page_token(), "integrations"));
    IOB_ASSIGN_OR_RETURN(auto page, store_->List(tenant, after, limit + 1));
    for (int i = 0; i < static_cast<int>(page.size()) && i < limit; ++i) {
      ToProto(page[i], AllowedHosts(page[i]), resp->add_integrations());
    }
    if (static_cast<int>(page.size()) > limit) {
      resp->set_next_page_token(EncodePageToken("integrations", page[limit - 1].id));
    }
    return absl::OkStatus();
  }();
  return runtime::FinishRpc(*ctx, "ListIntegrations", req->parent(), st);
}

absl::StatusOr<Integration> CredentialsService::Create(const grpc::ServerContext& ctx,
                                                       const pb::CreateIntegrationRequest& req) {
  Integration in;
  IOB_RETURN_IF_ERROR(ParseTenantName(req.parent(), "parent", &in.tenant));
  IOB_ASSIGN_OR_RETURN(runtime::Principal who, auth_->Authorize(ctx, kWrite, in.tenant));
  IOB_RETURN_IF_ERROR(ValidateRequestId(req.request_id()));
  if (!req.has_integration()) return Invalid("integration", "is required");
  const pb::Integration& src = req.integration();
  if (!src.name().empty()) return Invalid("integration.name", "is assigned by the server");
  IOB_ASSIGN_OR_RETURN(const SupplierProfile* profile, profiles_->Find(src.supplier()));
  in.supplier = profile->id;
  in.id = req.integration_id().empty() ? NewIntegrationId(in.supplier) : req.integration_id();
  if (!IsValidId(in.id)) {
    return Invalid("integration_id", "must match [a-z][a-z0-9-]{0,62} and not end with '-'");
  }
  in.display_name = src.display_name();
  in.marketplace = src.marketplace();
  in.from = {src.from().domain(), src.from().identity()};
  in.to = {src.to().domain(), src.to().identity()};
  in.sender = {src.sender().domain(), src.sender().identity()};
  in.punchout_url = src.punchout_url();
  in.order_url = src.order_url();
  in.user_business_unit = src.user_business_unit();
  in.require_approval = src.has_require_approval() ? src.require_approval() : true;
  IOB_RETURN_IF_ERROR(CopyEnums(src, /*required=*/true, in));
  ApplyProfileDefaults(*profile, in);
  IOB_RETURN_IF_ERROR(ValidateIntegration(in, *profile, policy_));
  const Secret secret(src.shared_secret());
  IOB_RETURN_IF_ERROR(ValidateSharedSecret(secret.reveal(), "integration.shared_secret"));
  IOB_ASSIGN_OR_RETURN(in.sealed_secret, vault_->Seal(in, secret));
  in.secret_fingerprint = vault_->Fingerprint(secret);
  in.secret_version = 1;
  return store_->Create(in,
                        AuditEntry::About(in, "integration.created", who.name, req.request_id()),
                        {req.request_id(), "CreateIntegration"});
}

grpc::Status CredentialsService::CreateIntegration(grpc::ServerContext* ctx,
                                                   const pb::CreateIntegrationRequest* req,
                                                   pb::Integration* resp) {
  auto in = Create(*ctx, *req);
  if (in.ok()) ToProto(*in, AllowedHosts(*in), resp);
  return runtime::FinishRpc(*ctx, "CreateIntegration", req->parent(), in.status());
}

absl::StatusOr<Integration> CredentialsService::Update(const grpc::ServerContext& ctx,
                                                       const pb::UpdateIntegrationRequest& req) {
  std::string tenant, id;
  IOB_RETURN_IF_ERROR(
      ParseIntegrationName(req.integration().name(), "integration.name", &tenant, &id));
  IOB_ASSIGN_OR_RETURN(runtime::Principal who, auth_->Authorize(ctx, kWrite, tenant));
  IOB_RETURN_IF_ERROR(ValidateRequestId(req.request_id()));
  if (req.update_mask().paths_size() == 0) return Invalid("update_mask", "names no fields");
  std::set<std::string> paths;
  for (const std::string& p : req.update_mask().paths()) {
    if (p == "shared_secret") {
      return Invalid("update_mask", "shared_secret is changed with RotateSharedSecret");
    }
    if (!UpdatablePaths().count(p)) {
      return Invalid("update_mask", absl::StrCat("field '", p, "' cannot be updated"));
    }
    paths.insert(p);
  }
  const pb::Integration& src = req.integration();
  return store_->Modify(
      tenant, id, {req.request_id(), "UpdateIntegration"},
      [&](Integration& in) -> absl::StatusOr<AuditEntry> {
        IOB_RETURN_IF_ERROR(CheckEtag(src.etag(), in));
        const Credential old_from = in.from;
        auto has = [&](const char* p) { return paths.count(p) > 0; };
        if (has("display_name")) in.display_name = src.display_name();
        if (has("marketplace")) in.marketplace = src.marketplace();
        if (has("from") || has("from.domain")) in.from.domain = src.from().domain();
        if (has("from") || has("from.identity")) in.from.identity = src.from().identity();
        if (has("to") || has("to.domain")) in.to.domain = src.to().domain();
        if (has("to") || has("to.identity")) in.to.identity = src.to().identity();
        if (has("sender") || has("sender.domain")) in.sender.domain = src.sender().domain();
        if (has("sender") || has("sender.identity")) in.sender.identity = src.sender().identity();
        // The Sender follows the From identity unless it was set apart.
        if (in.sender == old_from && !has("sender") && !has("sender.domain") &&
            !has("sender.identity")) {
          in.sender = in.from;
        }
        if (has("punchout_url")) in.punchout_url = src.punchout_url();
        if (has("order_url")) in.order_url = src.order_url();
        if (has("user_business_unit")) in.user_business_unit = src.user_business_unit();
        if (has("require_approval")) {
          in.require_approval = src.has_require_approval() ? src.require_approval() : true;
        }
        pb::Integration enums;
        if (has("mode")) enums.set_mode(src.mode());
        if (has("payment_method")) enums.set_payment_method(src.payment_method());
        if (has("state")) enums.set_state(src.state());
        IOB_RETURN_IF_ERROR(CopyEnums(enums, /*required=*/has("mode"), in));
        IOB_ASSIGN_OR_RETURN(const SupplierProfile* profile, profiles_->Find(in.supplier));
        IOB_RETURN_IF_ERROR(ValidateIntegration(in, *profile, policy_));
        AuditEntry audit = AuditEntry::About(in, "integration.updated", who.name, req.request_id());
        audit.fields.assign(paths.begin(), paths.end());
        return audit;
      });
}

grpc::Status CredentialsService::UpdateIntegration(grpc::ServerContext* ctx,
                                                   const pb::UpdateIntegrationRequest* req,
                                                   pb::Integration* resp) {
  auto in = Update(*ctx, *req);
  if (in.ok()) ToProto(*in, AllowedHosts(*in), resp);
  return runtime::FinishRpc(*ctx, "UpdateIntegration", req->integration().name(), in.status());
}

absl::Status CredentialsService::Delete(const grpc::ServerContext& ctx,
                                        const pb::DeleteIntegrationRequest& req) {
  std::string tenant, id;
  IOB_RETURN_IF_ERROR(ParseIntegrationName(req.name(), "name", &tenant, &id));
  IOB_ASSIGN_OR_RETURN(runtime::Principal who, auth_->Authorize(ctx, kWrite, tenant));
  IOB_RETURN_IF_ERROR(ValidateRequestId(req.request_id()));
  return store_->Delete(tenant, id, [&](const Integration& in) -> absl::StatusOr<AuditEntry> {
    IOB_RETURN_IF_ERROR(CheckEtag(req.etag(), in));
    return AuditEntry::About(in, "integration.deleted", who.name, req.request_id());
  });
}

grpc::Status CredentialsService::DeleteIntegration(grpc::ServerContext* ctx,
                                                   const pb::DeleteIntegrationRequest* req,
                                                   pb::DeleteIntegrationResponse*) {
  return runtime::FinishRpc(*ctx, "DeleteIntegration", req->name(), Delete(*ctx, *req));
}

absl::StatusOr<Integration> CredentialsService::Rotate(const grpc::ServerContext& ctx,
                                                       const pb::RotateSharedSecretRequest& req) {
  std::string tenant, id;
  IOB_RETURN_IF_ERROR(ParseIntegrationName(req.name(), "name", &tenant, &id));
  IOB_ASSIGN_OR_RETURN(runtime::Principal who, auth_->Authorize(ctx, kWrite, tenant));
  IOB_RETURN_IF_ERROR(ValidateRequestId(req.request_id()));
  const Secret secret(req.shared_secret());
  IOB_RETURN_IF_ERROR(ValidateSharedSecret(secret.reveal(), "shared_secret"));
  return store_->Modify(tenant, id, {req.request_id(), "RotateSharedSecret"},
                        [&](Integration& in) -> absl::StatusOr<AuditEntry> {
                          IOB_RETURN_IF_ERROR(CheckEtag(req.etag(), in));
                          IOB_ASSIGN_OR_RETURN(in.sealed_secret, vault_->Seal(in, secret));
                          in.secret_fingerprint = vault_->Fingerprint(secret);
                          ++in.secret_version;
                          AuditEntry audit =
                              AuditEntry::About(in, "secret.rotated", who.name, req.request_id());
                          audit.fields = {"shared_secret"};
                          return audit;
                        });
}

grpc::Status CredentialsService::RotateSharedSecret(grpc::ServerContext* ctx,
                                                    const pb::RotateSharedSecretRequest* req,
                                                    pb::Integration* resp) {
  auto in = Rotate(*ctx, *req);
  if (in.ok()) ToProto(*in, AllowedHosts(*in), resp);
  return runtime::FinishRpc(*ctx, "RotateSharedSecret", req->name(), in.status());
}

absl::Status CredentialsService::Resolve(const grpc::ServerContext& ctx,
                                         const pb::ResolveIntegrationSecretRequest& req,
                                         pb::ResolveIntegrationSecretResponse* resp) {
  std::string tenant, id;
  IOB_RETURN_IF_ERROR(ParseIntegrationName(req.name(), "name", &tenant, &id));
  IOB_ASSIGN_OR_RETURN(runtime::Principal who, auth_->Authorize(ctx, kResolve, tenant));
  IOB_ASSIGN_OR_RETURN(Integration in, store_->Get(tenant, id));
  if (in.state != "active") {
    return absl::FailedPreconditionError(absl::StrCat("integration ", in.Name(), " is disabled"));
  }
  IOB_ASSIGN_OR_RETURN(Secret secret, vault_->Open(in));
  IOB_RETURN_IF_ERROR(store_->AppendAudit(
      AuditEntry::About(in, "secret.resolved", who.name, runtime::RequestIdOf(ctx))));
  ToProto(in, AllowedHosts(in), resp->mutable_integration());
  resp->set_shared_secret(secret.reveal());
  return absl::OkStatus();
}

grpc::Status CredentialsService::ResolveIntegrationSecret(
    grpc::ServerContext* ctx, const pb::ResolveIntegrationSecretRequest* req,
    pb::ResolveIntegrationSecretResponse* resp) {
  return runtime::FinishRpc(*ctx, "ResolveIntegrationSecret", req->name(),
                            Resolve(*ctx, *req, resp));
}

absl::StatusOr<Integration> CredentialsService::Verify(
    const grpc::ServerContext& ctx, const pb::VerifySupplierCredentialRequest& req) {
  if (!req.tenant().empty() && !IsValidId(req.tenant())) return Invalid("tenant", "is malformed");
  IOB_ASSIGN_OR_RETURN(runtime::Principal who, auth_->Authorize(ctx, kVerify, req.tenant()));
  if (req.buyer().identity().empty()) return Invalid("buyer.identity", "is required");
  if (req.shared_secret().empty()) return Invalid("shared_secret", "is required");
  const Secret presented(req.shared_secret());
  IOB_ASSIGN_OR_RETURN(auto candidates,
                       store_->FindByFromIdentity(req.buyer().identity(), req.tenant()));
  const Integration* match = nullptr;
  for (const Integration& in : candidates) {
    if (in.state != "active" || !who.MayActFor(in.tenant)) continue;
    if (!req.buyer().domain().empty() &&
        !absl::EqualsIgnoreCase(req.buyer().domain(), in.from.domain)) {
      continue;
    }
    auto secret = vault_->Open(in);
    if (!secret.ok()) continue;
    // Compare every candidate so the time taken does not depend on which matched.
    if (crypto::ConstantTimeEquals(secret->reveal(), presented.reveal()) && match == nullptr) {
      match = &in;
    }
  }
  if (match == nullptr) return absl::PermissionDeniedError("supplier credential not recognised");
  return *match;
}

grpc::Status CredentialsService::VerifySupplierCredential(
    grpc::ServerContext* ctx, const pb::VerifySupplierCredentialRequest* req,
    pb::VerifySupplierCredentialResponse* resp) {
  auto in = Verify(*ctx, *req);
  if (in.ok()) ToProto(*in, AllowedHosts(*in), resp->mutable_integration());
  return runtime::FinishRpc(*ctx, "VerifySupplierCredential", "tenants/" + req->tenant(),
                            in.status());
}

absl::Status CredentialsService::ListAudit(const grpc::ServerContext& ctx,
                                           const pb::ListAuditEventsRequest& req,
                                           pb::ListAuditEventsResponse* resp) {
  std::string tenant, integration_tenant, integration_id;
  IOB_RETURN_IF_ERROR(ParseTenantName(req.parent(), "parent", &tenant));
  IOB_RETURN_IF_ERROR(auth_->Authorize(ctx, kAudit, tenant).status());
  if (!req.integration().empty()) {
    IOB_RETURN_IF_ERROR(ParseIntegrationName(req.integration(), "integration", &integration_tenant,
                                             &integration_id));
    if (integration_tenant != tenant) return Invalid("integration", "belongs to another tenant");
  }
  IOB_ASSIGN_OR_RETURN(int limit, PageSize(req.page_size()));
  IOB_ASSIGN_OR_RETURN(std::string after_text, DecodePageToken(req.page_token(), "audit"));
  int64_t after = 0;
  if (!after_text.empty() && !absl::SimpleAtoi(after_text, &after)) {
    return Invalid("page_token", "is not a token this list returned");
  }
  IOB_ASSIGN_OR_RETURN(auto events, store_->ListAudit(tenant, integration_id, after, limit + 1));
  for (int i = 0; i < static_cast<int>(events.size()) && i < limit; ++i) {
    const AuditEntry& a = events[i];
    pb::AuditEvent* e = resp->add_events();
    e->set_id(a.id);
    e->set_integration(absl::StrCat("tenants/", a.tenant, "/integrations/", a.integration_id));
    e->set_action(a.action);
    e->set_actor(a.actor);
    *e->mutable_time() = ToProto(a.time);
    e->set_secret_version(a.secret_version);
    for (const auto& f : a.fields) e->add_fields(f);
    e->set_request_id(a.request_id);
  }
  if (static_cast<int>(events.size()) > limit) {
    resp->set_next_page_token(EncodePageToken("audit", absl::StrCat(events[limit - 1].id)));
  }
  return absl::OkStatus();
}

grpc::Status CredentialsService::ListAuditEvents(grpc::ServerContext* ctx,
                                                 const pb::ListAuditEventsRequest* req,
                                                 pb::ListAuditEventsResponse* resp) {
  return runtime::FinishRpc(*ctx, "ListAuditEvents", req->parent(), ListAudit(*ctx, *req, resp));
}

}  // namespace iob::credentials
