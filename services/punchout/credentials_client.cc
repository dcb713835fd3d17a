#include "services/punchout/credentials_client.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "libs/runtime/grpc_status.h"

namespace iob::punchout {
namespace {

namespace pb = ::iob::credentials::v1;

cxml::Credential ToCxml(const pb::Credential& c) { return {c.domain(), c.identity(), ""}; }

// The peer's message is safe to pass on, but say where it came from.
absl::Status FromPeer(const grpc::Status& st) {
  absl::Status s = runtime::FromGrpcStatus(st);
  if (s.code() == absl::StatusCode::kUnauthenticated ||
      s.code() == absl::StatusCode::kPermissionDenied) {
    // Our own credentials were refused: a deployment problem, not the caller's.
    return absl::InternalError(
        absl::StrCat("credentials service refused this service: ", s.message()));
  }
  if (s.code() == absl::StatusCode::kDeadlineExceeded) {
    return absl::UnavailableError("credentials service did not answer in time");
  }
  return s;
}

}  // namespace

GrpcCredentialsClient::GrpcCredentialsClient(std::shared_ptr<grpc::Channel> channel,
                                             std::string token)
    : stub_(pb::CredentialsService::NewStub(std::move(channel))), token_(std::move(token)) {}

void GrpcCredentialsClient::Prepare(grpc::ClientContext& ctx) const {
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token_));
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
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
  const pb::Integration& in = resp.integration();
  SupplierEndpoint e;
  e.integration = in.name();
  e.supplier = in.supplier();
  e.punchout_url = in.punchout_url();
  e.allowed_hosts.assign(in.allowed_hosts().begin(), in.allowed_hosts().end());
  e.from = ToCxml(in.from());
  e.to = ToCxml(in.to());
  e.sender = ToCxml(in.sender());
  e.sender.shared_secret = resp.shared_secret();
  e.production = in.mode() == pb::MODE_PRODUCTION;
  e.approval_required = in.require_approval();
  e.user_business_unit = in.user_business_unit();
  return e;
}

}  // namespace iob::punchout
