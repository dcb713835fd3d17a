// gRPC edge of the credential vault: authorises each call, translates proto
// <-> domain, and turns Status into gRPC codes. Rules live in integration.h,
// SQL in integration_store.h, sealing in secret_vault.h.
#ifndef IOB_SERVICES_CREDENTIALS_CREDENTIALS_SERVICE_H_
#define IOB_SERVICES_CREDENTIALS_CREDENTIALS_SERVICE_H_

#include "iob/credentials/v1/credentials_service.grpc.pb.h"
#include "libs/runtime/auth.h"
#include "services/credentials/integration.h"
#include "services/credentials/integration_store.h"
#include "services/credentials/secret_vault.h"
#include "services/credentials/supplier_profiles.h"

namespace iob::credentials {

namespace pb = ::iob::credentials::v1;

// Thread-safe; borrows everything it is given, which must outlive it.
class CredentialsService final : public pb::CredentialsService::Service {
 public:
  CredentialsService(const runtime::Authenticator* auth, IntegrationStore* store,
                     const SecretVault* vault, const SupplierProfiles* profiles, UrlPolicy policy)
      : auth_(auth),
        store_(store),
        vault_(vault),
        profiles_(profiles),
        policy_(std::move(policy)) {}

  grpc::Status GetIntegration(grpc::ServerContext* ctx, const pb::GetIntegrationRequest* req,
                              pb::Integration* resp) override;
  grpc::Status ListIntegrations(grpc::ServerContext* ctx, const pb::ListIntegrationsRequest* req,
                                pb::ListIntegrationsResponse* resp) override;
  grpc::Status CreateIntegration(grpc::ServerContext* ctx, const pb::CreateIntegrationRequest* req,
                                 pb::Integration* resp) override;
  grpc::Status UpdateIntegration(grpc::ServerContext* ctx, const pb::UpdateIntegrationRequest* req,
                                 pb::Integration* resp) override;
  grpc::Status DeleteIntegration(grpc::ServerContext* ctx, const pb::DeleteIntegrationRequest* req,
                                 pb::DeleteIntegrationResponse* resp) override;
  grpc::Status RotateSharedSecret(grpc::ServerContext* ctx,
                                  const pb::RotateSharedSecretRequest* req,
                                  pb::Integration* resp) override;
  grpc::Status ResolveIntegrationSecret(grpc::ServerContext* ctx,
                                        const pb::ResolveIntegrationSecretRequest* req,
                                        pb::ResolveIntegrationSecretResponse* resp) override;
  grpc::Status VerifySupplierCredential(grpc::ServerContext* ctx,
                                        const pb::VerifySupplierCredentialRequest* req,
                                        pb::VerifySupplierCredentialResponse* resp) override;
  grpc::Status ListAuditEvents(grpc::ServerContext* ctx, const pb::ListAuditEventsRequest* req,
                               pb::ListAuditEventsResponse* resp) override;

 private:
  // The mutations and the credential check, for their RPCs above.
  absl::StatusOr<Integration> Create(const grpc::ServerContext& ctx,
                                     const pb::CreateIntegrationRequest& req);
  absl::StatusOr<Integration> Update(const grpc::ServerContext& ctx,
                                     const pb::UpdateIntegrationRequest& req);
  absl::StatusOr<Integration> Rotate(const grpc::ServerContext& ctx,
                                     const pb::RotateSharedSecretRequest& req);
  absl::StatusOr<Integration> Verify(const grpc::ServerContext& ctx,
                                     const pb::VerifySupplierCredentialRequest& req);

  // Hosts the integration's endpoints may be on, for callers' egress checks.
  std::vector<std::string> AllowedHosts(const Integration& in) const;

  const runtime::Authenticator* auth_;
  IntegrationStore* store_;
  const SecretVault* vault_;
  const SupplierProfiles* profiles_;
  const UrlPolicy policy_;
};

}  // namespace iob::credentials

#endif  // IOB_SERVICES_CREDENTIALS_CREDENTIALS_SERVICE_H_
