#include "libs/supplier/credentials_client.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/common/logging.h"
#include "libs/common/status_macros.h"
#include "libs/runtime/resource_name.h"

namespace iob::supplier {
namespace {

namespace pb = ::iob::credentials::v1;

constexpr char kNotRecognised[] = "supplier credential not recognised";

cxml::Credential ToCxml(const pb::Credential& c) { return {c.domain(), c.identity(), ""}; }

absl::Status FromPeer(const grpc::Status& st) { return runtime::FromPeerStatus(st, "credentials"); }

// The integration as an endpoint, without a secret.
SupplierEndpoint ToEndpoint(const pb::Integration& in) {
  SupplierEndpoint e;
  e.integration = in.name();
  e.supplier = in.supplier();
  e.display_name = in.display_name();
  e.punchout_url = in.punchout_url();
  e.order_url = in.order_url();
  e.allowed_hosts.assign(in.allowed_hosts().begin(), in.allowed_hosts().end());
  e.from = ToCxml(in.from());
  e.to = ToCxml(in.to());
  e.sender = ToCxml(in.sender());
  e.production = in.mode() == pb::MODE_PRODUCTION;
  e.approval_required = in.require_approval();
  e.user_business_unit = in.user_business_unit();
  e.order_email = in.order_email();
  return e;
}

}  // namespace

GrpcCredentialsClient::GrpcCredentialsClient(std::shared_ptr<grpc::Channel> channel,
                                             std::string token)
    : stub_(pb::CredentialsService::NewStub(std::move(channel))), token_(std::move(token)) {}

void GrpcCredentialsClient::Prepare(grpc::ClientContext& ctx) const {
  runtime::PreparePeerCall(ctx, token_);
}

absl::StatusOr<std::vector<SupplierTile>> GrpcCredentialsClient::ListActive(
    const std::string& tenant) {
  std::vector<SupplierTile> out;
  pb::ListIntegrationsRequest req;
  req.set_parent(absl::StrCat("tenants/", tenant));
  req.set_page_size(1000);
  do {
    grpc::ClientContext ctx;
    Prepare(ctx);
    pb::ListIntegrationsResponse resp;
    grpc::Status st = stub_->ListIntegrations(&ctx, req, &resp);
    if (!st.ok()) return FromPeer(st);
    for (const auto& in : resp.integrations()) {
      if (in.state() != pb::INTEGRATION_STATE_ACTIVE) continue;
      out.push_back({in.name(), in.supplier(), in.display_name(), in.require_approval()});
    }
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
  return out;
}

absl::StatusOr<SupplierEndpoint> GrpcCredentialsClient::Resolve(const std::string& integration) {
  grpc::ClientContext ctx;
  Prepare(ctx);
  pb::ResolveIntegrationSecretRequest req;
  req.set_name(integration);
  pb::ResolveIntegrationSecretResponse resp;
  grpc::Status st = stub_->ResolveIntegrationSecret(&ctx, req, &resp);
  if (!st.ok()) return FromPeer(st);
  SupplierEndpoint e = ToEndpoint(resp.integration());
  e.sender.shared_secret = resp.shared_secret();
  return e;
}

absl::StatusOr<SupplierEndpoint> GrpcCredentialsClient::Get(const std::string& integration) {
  grpc::ClientContext ctx;
  Prepare(ctx);
  pb::GetIntegrationRequest req;
  req.set_name(integration);
  pb::Integration resp;
  grpc::Status st = stub_->GetIntegration(&ctx, req, &resp);
  if (!st.ok()) return FromPeer(st);
  // The same refusal ResolveIntegrationSecret gives for a disabled one.
  if (resp.state() != pb::INTEGRATION_STATE_ACTIVE) {
    return absl::FailedPreconditionError(absl::StrCat("integration ", resp.name(), " is disabled"));
  }
  return ToEndpoint(resp);
}

absl::StatusOr<VerifiedSender> GrpcCredentialsClient::Verify(const std::string& tenant,
                                                             const cxml::Credential& buyer,
                                                             const std::string& shared_secret) {
  // The peer would answer INVALID_ARGUMENT; to the sender it is the same
  // refusal as a wrong secret.
  if (buyer.identity.empty() || shared_secret.empty()) {
    return absl::PermissionDeniedError(kNotRecognised);
  }
  grpc::ClientContext ctx;
  Prepare(ctx);
  pb::VerifySupplierCredentialRequest req;
  req.set_tenant(tenant);
  req.mutable_buyer()->set_domain(buyer.domain);
  req.mutable_buyer()->set_identity(buyer.identity);
  req.set_shared_secret(shared_secret);
  pb::VerifySupplierCredentialResponse resp;
  grpc::Status st = stub_->VerifySupplierCredential(&ctx, req, &resp);
  if (st.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    // Either nothing matched, or this service may not verify for `tenant`
    // (missing scope or tenant): the sender learns only that it was refused.
    if (!absl::StrContains(st.error_message(), kNotRecognised)) {
      common::LogWarn("credentials service refused supplier verification",
                      {{"tenant", tenant}, {"error", st.error_message()}});
    }
    return absl::PermissionDeniedError(kNotRecognised);
  }
  if (!st.ok()) return FromPeer(st);
  const pb::Integration& in = resp.integration();
  IOB_ASSIGN_OR_RETURN(runtime::ResourceName name,
                       runtime::ParseName(runtime::kIntegrationPattern, in.name(), "integration"));
  return VerifiedSender{in.name(), name.tenant, in.supplier()};
}

void CredentialsPeerOptions::Register(common::Flags& flags) {
  peer.Register(flags, "credentials", "credentials");
}

absl::StatusOr<std::unique_ptr<GrpcCredentialsClient>> DialCredentials(
    const CredentialsPeerOptions& options) {
  IOB_ASSIGN_OR_RETURN(runtime::PeerConnection peer,
                       runtime::ConnectPeer("credentials", options.peer));
  return std::make_unique<GrpcCredentialsClient>(std::move(peer.channel), std::move(peer.token));
}

}  // namespace iob::supplier
