// The punchout service's view of the credentials service: the tenant's
// active integrations (tiles) and an integration's endpoint with its secret.
#ifndef IOB_SERVICES_PUNCHOUT_CREDENTIALS_CLIENT_H_
#define IOB_SERVICES_PUNCHOUT_CREDENTIALS_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "iob/credentials/v1/credentials_service.grpc.pb.h"
#include "services/punchout/session.h"

namespace iob::punchout {

struct SupplierTile {
  std::string integration;
  std::string supplier;
  std::string display_name;
  bool approval_required = true;
};

// Interface so tests can stand in for the peer; the real one is below.
class CredentialsClient {
 public:
  virtual ~CredentialsClient() = default;
  // Active integrations of `tenant`.
  virtual absl::StatusOr<std::vector<SupplierTile>> ListActive(const std::string& tenant) = 0;
  // The endpoint and secret of `integration` (a resource name). Errors keep
  // the peer's code: NOT_FOUND, FAILED_PRECONDITION (disabled), UNAVAILABLE.
  virtual absl::StatusOr<SupplierEndpoint> Resolve(const std::string& integration) = 0;
};

// Thread-safe.
class GrpcCredentialsClient : public CredentialsClient {
 public:
  // `token` is this service's bearer token (scopes integrations.read,
  // secrets.resolve).
  GrpcCredentialsClient(std::shared_ptr<grpc::Channel> channel, std::string token);
  absl::StatusOr<std::vector<SupplierTile>> ListActive(const std::string& tenant) override;
  absl::StatusOr<SupplierEndpoint> Resolve(const std::string& integration) override;

 private:
  void Prepare(grpc::ClientContext& ctx) const;
  std::unique_ptr<credentials::v1::CredentialsService::Stub> stub_;
  std::string token_;
};

}  // namespace iob::punchout

#endif  // IOB_SERVICES_PUNCHOUT_CREDENTIALS_CLIENT_H_
