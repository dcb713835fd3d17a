#include "services/credentials/credentials_service.h"

#include <optional>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/invalid_field.h"
#include "libs/common/logging.h"
#include "libs/common/status_macros.h"
#include "libs/crypto/key_ring.h"
#include "libs/runtime/grpc_status.h"
#include "libs/runtime/pagination.h"
#include "libs/runtime/proto_time.h"
#include "libs/runtime/request_key.h"
#include "libs/runtime/resource_name.h"

namespace iob::credentials {
namespace {

using common::InvalidField;
using common::Secret;
using runtime::HandleRpc;
using runtime::ParseName;
using runtime::ToProtoTime;

// Scopes (documented in the proto).
constexpr char kRead[] = "integrations.read";
constexpr char kWrite[] = "integrations.write";
constexpr char kAudit[] = "audit.read";
constexpr char kResolve[] = "secrets.resolve";
constexpr char kVerify[] = "suppliers.verify";

// How many integrations of one tenant may name the same From identity and
// still be tried by VerifySupplierCredential (the first by id).
constexpr int kVerifyCandidatesPerTenant = 20;

// Fields an Update may name, mapped to the domain fields they replace.
const std::set<std::string>& UpdatablePaths() {
  static const auto* kPaths =
      new std::set<std::string>{"display_name",    "marketplace",   "from",
                                "from.identity",   "from.domain",   "to",
                                "to.identity",     "to.domain",     "sender",
                                "sender.identity", "sender.domain", "punchout_url",
                                "order_url",       "mode",          "require_approval",
                                "payment_method",  "state",         "user_business_unit",
                                "order_email"};
  return *kPaths;
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
  out->set_payment_method(in.payment_method == PaymentMethod::kPcard
                              ? pb::PAYMENT_METHOD_PCARD
                              : pb::PAYMENT_METHOD_PAY_BY_INVOICE);
  out->set_state(in.state == IntegrationState::kDisabled ? pb::INTEGRATION_STATE_DISABLED
                                                         : pb::INTEGRATION_STATE_ACTIVE);
  out->set_user_business_unit(in.user_business_unit);
  out->set_order_email(in.order_email);
  out->set_etag(in.Etag());
  *out->mutable_create_time() = ToProtoTime(in.create_time);
  *out->mutable_update_time() = ToProtoTime(in.update_time);
  out->set_secret_version(in.secret_version);
  *out->mutable_secret_update_time() = ToProtoTime(in.secret_update_time);
  out->set_secret_fingerprint(in.secret_fingerprint);
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
        return InvalidField("integration.mode", "is required (MODE_TEST or MODE_PRODUCTION)");
      break;
    default:
      return InvalidField("integration.mode", "unknown value");
  }
  switch (src.payment_method()) {
    case pb::PAYMENT_METHOD_PAY_BY_INVOICE:
      dst.payment_method = PaymentMethod::kPayByInvoice;
      break;
    case pb::PAYMENT_METHOD_PCARD:
      dst.payment_method = PaymentMethod::kPcard;
      break;
    case pb::PAYMENT_METHOD_UNSPECIFIED:
      break;
    default:
      return InvalidField("integration.payment_method", "unknown value");
  }
  switch (src.state()) {
    case pb::INTEGRATION_STATE_ACTIVE:
      dst.state = IntegrationState::kActive;
      break;
    case pb::INTEGRATION_STATE_DISABLED:
      dst.state = IntegrationState::kDisabled;
      break;
    case pb::INTEGRATION_STATE_UNSPECIFIED:
      break;
    default:
      return InvalidField("integration.state", "unknown value");
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
  return HandleRpc(*ctx, "GetIntegration", req->name(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(auto name, ParseName(runtime::kIntegrationPattern, req->name(), "name"));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kRead, name.tenant).status());
    IOB_ASSIGN_OR_RETURN(Integration in, store_->Get(name.tenant, name.id));
    ToProto(in, AllowedHosts(in), resp);
    return absl::OkStatus();
  });
}

grpc::Status CredentialsService::ListIntegrations(grpc::ServerContext* ctx,
                                                  const pb::ListIntegrationsRequest* req,
                                                  pb::ListIntegrationsResponse* resp) {
  return HandleRpc(*ctx, "ListIntegrations", req->parent(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(auto parent, ParseName(runtime::kTenantPattern, req->parent(), "parent"));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kRead, parent.tenant).status());
    IOB_ASSIGN_OR_RETURN(auto page, runtime::Paginate(
                                        req->page_size(), req->page_token(), "integrations",
                                        [&](const std::string& after, int limit) {
                                          return store_->List(parent.tenant, after, limit);
                                        },
                                        [](const Integration& in) { return in.id; }));
    for (const Integration& in : page.items) {
      ToProto(in, AllowedHosts(in), resp->add_integrations());
    }
    resp->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

absl::StatusOr<Integration> CredentialsService::Create(const grpc::ServerContext& ctx,
                                                       const pb::CreateIntegrationRequest& req) {
  Integration in;
  IOB_ASSIGN_OR_RETURN(auto parent, ParseName(runtime::kTenantPattern, req.parent(), "parent"));
  in.tenant = parent.tenant;
  IOB_ASSIGN_OR_RETURN(runtime::Principal who, auth_->Authorize(ctx, kWrite, in.tenant));
  IOB_RETURN_IF_ERROR(runtime::ValidateRequestId(req.request_id()));
  if (!req.has_integration()) return InvalidField("integration", "is required");
  const pb::Integration& src = req.integration();
  if (!src.name().empty()) return InvalidField("integration.name", "is assigned by the server");
  IOB_ASSIGN_OR_RETURN(const SupplierProfile* profile, profiles_->Find(src.supplier()));
  in.supplier = profile->id;
  in.id = req.integration_id().empty() ? NewIntegrationId(in.supplier) : req.integration_id();
  if (!runtime::IsValidId(in.id)) {
    return InvalidField("integration_id", absl::StrCat("must match ", runtime::kIdRule));
  }
  in.display_name = src.display_name();
  in.marketplace = src.marketplace();
  in.from = {src.from().domain(), src.from().identity()};
  in.to = {src.to().domain(), src.to().identity()};
  in.sender = {src.sender().domain(), src.sender().identity()};
  in.punchout_url = src.punchout_url();
  in.order_url = src.order_url();
  in.user_business_unit = src.user_business_unit();
  in.order_email = src.order_email();
  in.require_approval = src.has_require_approval() ? src.require_approval() : true;
  IOB_RETURN_IF_ERROR(CopyEnums(src, /*required=*/true, in));
  ApplyProfileDefaults(*profile, in);
  IOB_RETURN_IF_ERROR(ValidateIntegration(in, *profile, policy_));
  const Secret secret(src.shared_secret());
  IOB_RETURN_IF_ERROR(ValidateSharedSecret(secret.reveal(), "integration.shared_secret"));
  in.secret_version = 1;
  IOB_RETURN_IF_ERROR(vault_->Seal(secret, in));
  in.secret_fingerprint = vault_->Fingerprint(secret);
  // The request is keyed with the secret's keyed fingerprint, never the secret.
  pb::CreateIntegrationRequest keyed = req;
  keyed.mutable_integration()->set_shared_secret(in.secret_fingerprint);
  IOB_ASSIGN_OR_RETURN(db::RequestKey key,
                       runtime::RequestKeyOf(in.tenant, "CreateIntegration", keyed));
  return store_->Create(
      in, AuditEntry::About(in, "integration.created", who.name, req.request_id()), key);
}

grpc::Status CredentialsService::CreateIntegration(grpc::ServerContext* ctx,
                                                   const pb::CreateIntegrationRequest* req,
                                                   pb::Integration* resp) {
  return HandleRpc(*ctx, "CreateIntegration", req->parent(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(Integration in, Create(*ctx, *req));
    ToProto(in, AllowedHosts(in), resp);
    return absl::OkStatus();
  });
}

absl::StatusOr<Integration> CredentialsService::Update(const grpc::ServerContext& ctx,
                                                       const pb::UpdateIntegrationRequest& req) {
  IOB_ASSIGN_OR_RETURN(auto name, ParseName(runtime::kIntegrationPattern, req.integration().name(),
                                            "integration.name"));
  IOB_ASSIGN_OR_RETURN(runtime::Principal who, auth_->Authorize(ctx, kWrite, name.tenant));
  IOB_ASSIGN_OR_RETURN(db::RequestKey key,
                       runtime::RequestKeyOf(name.tenant, "UpdateIntegration", req));
  if (req.update_mask().paths_size() == 0) return InvalidField("update_mask", "names no fields");
  std::set<std::string> paths;
  for (const std::string& p : req.update_mask().paths()) {
    if (p == "shared_secret") {
      return InvalidField("update_mask", "shared_secret is changed with RotateSharedSecret");
    }
    if (!UpdatablePaths().count(p)) {
      return InvalidField("update_mask", absl::StrCat("field '", p, "' cannot be updated"));
    }
    paths.insert(p);
  }
  const pb::Integration& src = req.integration();
  return store_->Modify(
      name.tenant, name.id, key, [&](Integration& in) -> absl::StatusOr<AuditEntry> {
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
        if (has("order_email")) in.order_email = src.order_email();
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
  return HandleRpc(*ctx, "UpdateIntegration", req->integration().name(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(Integration in, Update(*ctx, *req));
    ToProto(in, AllowedHosts(in), resp);
    return absl::OkStatus();
  });
}

grpc::Status CredentialsService::DeleteIntegration(grpc::ServerContext* ctx,
                                                   const pb::DeleteIntegrationRequest* req,
                                                   pb::DeleteIntegrationResponse*) {
  return HandleRpc(*ctx, "DeleteIntegration", req->name(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(auto name, ParseName(runtime::kIntegrationPattern, req->name(), "name"));
    IOB_ASSIGN_OR_RETURN(runtime::Principal who, auth_->Authorize(*ctx, kWrite, name.tenant));
    IOB_RETURN_IF_ERROR(runtime::ValidateRequestId(req->request_id()));
    return store_->Delete(
        name.tenant, name.id, [&](const Integration& in) -> absl::StatusOr<AuditEntry> {
          IOB_RETURN_IF_ERROR(CheckEtag(req->etag(), in));
          return AuditEntry::About(in, "integration.deleted", who.name, req->request_id());
        });
  });
}

absl::StatusOr<Integration> CredentialsService::Rotate(const grpc::ServerContext& ctx,
                                                       const pb::RotateSharedSecretRequest& req) {
  IOB_ASSIGN_OR_RETURN(auto name, ParseName(runtime::kIntegrationPattern, req.name(), "name"));
  IOB_ASSIGN_OR_RETURN(runtime::Principal who, auth_->Authorize(ctx, kWrite, name.tenant));
  IOB_RETURN_IF_ERROR(runtime::ValidateRequestId(req.request_id()));
  const Secret secret(req.shared_secret());
  IOB_RETURN_IF_ERROR(ValidateSharedSecret(secret.reveal(), "shared_secret"));
  // The request is keyed with the secret's keyed fingerprint, never the secret.
  pb::RotateSharedSecretRequest keyed = req;
  keyed.set_shared_secret(vault_->Fingerprint(secret));
  IOB_ASSIGN_OR_RETURN(db::RequestKey key,
                       runtime::RequestKeyOf(name.tenant, "RotateSharedSecret", keyed));
  return store_->Modify(
      name.tenant, name.id, key, [&](Integration& in) -> absl::StatusOr<AuditEntry> {
        IOB_RETURN_IF_ERROR(CheckEtag(req.etag(), in));
        // The version is bound into the ciphertext: count it up first.
        ++in.secret_version;
        IOB_RETURN_IF_ERROR(vault_->Seal(secret, in));
        in.secret_fingerprint = vault_->Fingerprint(secret);
        AuditEntry audit = AuditEntry::About(in, "secret.rotated", who.name, req.request_id());
        audit.fields = {"shared_secret"};
        return audit;
      });
}

grpc::Status CredentialsService::RotateSharedSecret(grpc::ServerContext* ctx,
                                                    const pb::RotateSharedSecretRequest* req,
                                                    pb::Integration* resp) {
  return HandleRpc(*ctx, "RotateSharedSecret", req->name(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(Integration in, Rotate(*ctx, *req));
    ToProto(in, AllowedHosts(in), resp);
    return absl::OkStatus();
  });
}

grpc::Status CredentialsService::ResolveIntegrationSecret(
    grpc::ServerContext* ctx, const pb::ResolveIntegrationSecretRequest* req,
    pb::ResolveIntegrationSecretResponse* resp) {
  return HandleRpc(*ctx, "ResolveIntegrationSecret", req->name(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(auto name, ParseName(runtime::kIntegrationPattern, req->name(), "name"));
    IOB_ASSIGN_OR_RETURN(runtime::Principal who, auth_->Authorize(*ctx, kResolve, name.tenant));
    IOB_ASSIGN_OR_RETURN(Integration in, store_->Get(name.tenant, name.id));
    if (in.state != IntegrationState::kActive) {
      return absl::FailedPreconditionError(absl::StrCat("integration ", in.Name(), " is disabled"));
    }
    IOB_ASSIGN_OR_RETURN(Secret secret, vault_->Open(in));
    IOB_RETURN_IF_ERROR(store_->AppendAudit(
        AuditEntry::About(in, "secret.resolved", who.name, runtime::RequestIdOf(*ctx))));
    ToProto(in, AllowedHosts(in), resp->mutable_integration());
    resp->set_shared_secret(secret.reveal());
    return absl::OkStatus();
  });
}

grpc::Status CredentialsService::VerifySupplierCredential(
    grpc::ServerContext* ctx, const pb::VerifySupplierCredentialRequest* req,
    pb::VerifySupplierCredentialResponse* resp) {
  return HandleRpc(*ctx, "VerifySupplierCredential", "tenants/" + req->tenant(),
                   [&]() -> absl::Status {
                     IOB_ASSIGN_OR_RETURN(Integration in, Verify(*ctx, *req));
                     ToProto(in, AllowedHosts(in), resp->mutable_integration());
                     return absl::OkStatus();
                   });
}

absl::StatusOr<Integration> CredentialsService::Verify(
    const grpc::ServerContext& ctx, const pb::VerifySupplierCredentialRequest& req) {
  if (!req.tenant().empty() && !runtime::IsValidId(req.tenant())) {
    return InvalidField("tenant", "is malformed");
  }
  IOB_ASSIGN_OR_RETURN(runtime::Principal who, auth_->Authorize(ctx, kVerify, req.tenant()));
  if (req.buyer().identity().empty()) return InvalidField("buyer.identity", "is required");
  if (req.shared_secret().empty()) return InvalidField("shared_secret", "is required");
  const Secret presented(req.shared_secret());
  // Only the tenants the caller may act for are searched, and each tenant
  // brings at most kVerifyCandidatesPerTenant candidates, so another
  // tenant's integrations naming the same identity cannot crowd them out.
  std::optional<std::vector<std::string>> tenants;
  if (!req.tenant().empty()) {
    tenants = std::vector<std::string>{req.tenant()};
  } else if (!who.MayActFor("*")) {
    tenants.emplace();
    for (const std::string& t : who.tenants) {
      if (runtime::IsValidId(t)) tenants->push_back(t);
    }
  }
  IOB_ASSIGN_OR_RETURN(auto candidates,
                       store_->FindVerifyCandidates(req.buyer().identity(), req.buyer().domain(),
                                                    tenants, kVerifyCandidatesPerTenant));
  const Integration* match = nullptr;
  for (const Integration& in : candidates) {
    if (in.state != IntegrationState::kActive || !who.MayActFor(in.tenant)) continue;
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

grpc::Status CredentialsService::ListAuditEvents(grpc::ServerContext* ctx,
                                                 const pb::ListAuditEventsRequest* req,
                                                 pb::ListAuditEventsResponse* resp) {
  return HandleRpc(*ctx, "ListAuditEvents", req->parent(), [&]() -> absl::Status {
    IOB_ASSIGN_OR_RETURN(auto parent, ParseName(runtime::kTenantPattern, req->parent(), "parent"));
    IOB_RETURN_IF_ERROR(auth_->Authorize(*ctx, kAudit, parent.tenant).status());
    std::string integration_id;
    if (!req->integration().empty()) {
      IOB_ASSIGN_OR_RETURN(auto integration, ParseName(runtime::kIntegrationPattern,
                                                       req->integration(), "integration"));
      if (integration.tenant != parent.tenant) {
        return InvalidField("integration", "belongs to another tenant");
      }
      integration_id = integration.id;
    }
    IOB_ASSIGN_OR_RETURN(
        auto page, runtime::Paginate(
                       req->page_size(), req->page_token(), "audit",
                       [&](const std::string& after_text,
                           int limit) -> absl::StatusOr<std::vector<AuditEntry>> {
                         int64_t after = 0;
                         if (!after_text.empty() && !absl::SimpleAtoi(after_text, &after)) {
                           return InvalidField("page_token", "is not a token this list returned");
                         }
                         return store_->ListAudit(parent.tenant, integration_id, after, limit);
                       },
                       [](const AuditEntry& a) { return absl::StrCat(a.id); }));
    for (const AuditEntry& a : page.items) {
      pb::AuditEvent* e = resp->add_events();
      e->set_id(a.id);
      e->set_integration(absl::StrCat("tenants/", a.tenant, "/integrations/", a.integration_id));
      e->set_action(a.action);
      e->set_actor(a.actor);
      *e->mutable_time() = ToProtoTime(a.time);
      e->set_secret_version(a.secret_version);
      for (const auto& f : a.fields) e->add_fields(f);
      e->set_request_id(a.request_id);
    }
    resp->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

}  // namespace iob::credentials
