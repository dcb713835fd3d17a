// A service's view of the credentials service: a tenant's active
// integrations (tiles), an integration's endpoint with its secret, and the
// verification of the credentials an inbound supplier document presents.
// CredentialsClient is the interface services depend on (tests use
// FakeCredentialsClient); GrpcCredentialsClient calls the real peer, dialled
// from the flags in CredentialsPeerOptions (address, token, TLS / mTLS).
#ifndef IOB_LIBS_SUPPLIER_CREDENTIALS_CLIENT_H_
#define IOB_LIBS_SUPPLIER_CREDENTIALS_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "iob/credentials/v1/credentials_service.grpc.pb.h"
#include "libs/common/flags.h"
#include "libs/cxml/model.h"
#include "libs/runtime/client_channel.h"
#include "libs/supplier/endpoint.h"

namespace iob::supplier {

// Implementations are thread-safe. Errors other than those named keep the
// peer's code, with UNAVAILABLE when the peer cannot be reached or does not
// answer in time, and INTERNAL when it refuses this service's own token
// (runtime::FromPeerStatus).
class CredentialsClient {
 public:
  virtual ~CredentialsClient() = default;

  // Returns the active integrations of `tenant`.
  virtual absl::StatusOr<std::vector<SupplierTile>> ListActive(const std::string& tenant) = 0;

  // Returns the endpoint and secret of `integration` (a resource name).
  // NOT_FOUND, FAILED_PRECONDITION (disabled), UNAVAILABLE.
  virtual absl::StatusOr<SupplierEndpoint> Resolve(const std::string& integration) = 0;

  // Returns the current settings of `integration` (a resource name) as
  // Resolve does, but without its secret (sender.shared_secret is empty), so
  // no secret leaves the peer and no resolve is audited: for checks such as
  // "is it still enabled, does it still require approval". NOT_FOUND,
  // FAILED_PRECONDITION "integration ... is disabled", UNAVAILABLE.
  virtual absl::StatusOr<SupplierEndpoint> Get(const std::string& integration) = 0;

  // Returns the active integration whose From identity is `buyer` (the
  // credential an inbound document names as the buyer; an empty domain
  // matches any) and whose shared secret is `shared_secret`, within `tenant`
  // (empty = any tenant this service may act for). PERMISSION_DENIED
  // "supplier credential not recognised" when nothing matches, including an
  // empty identity or secret; UNAVAILABLE.
  virtual absl::StatusOr<VerifiedSender> Verify(const std::string& tenant,
                                                const cxml::Credential& buyer,
                                                const std::string& shared_secret) = 0;
};

// Calls CredentialsService over `channel` with a 5 s deadline per call.
// Thread-safe.
class GrpcCredentialsClient : public CredentialsClient {
 public:
  // `token` is this service's bearer token (scopes integrations.read for
  // ListActive/Get, also secrets.resolve for Resolve, suppliers.verify for
  // Verify).
  GrpcCredentialsClient(std::shared_ptr<grpc::Channel> channel, std::string token);

  absl::StatusOr<std::vector<SupplierTile>> ListActive(const std::string& tenant) override;
  absl::StatusOr<SupplierEndpoint> Resolve(const std::string& integration) override;
  absl::StatusOr<SupplierEndpoint> Get(const std::string& integration) override;
  absl::StatusOr<VerifiedSender> Verify(const std::string& tenant, const cxml::Credential& buyer,
                                        const std::string& shared_secret) override;

 private:
  void Prepare(grpc::ClientContext& ctx) const;
  std::unique_ptr<credentials::v1::CredentialsService::Stub> stub_;
  std::string token_;
};

// How a service reaches the credentials service; the same flags in every
// service that calls it.
struct CredentialsPeerOptions {
  runtime::PeerOptions peer{"127.0.0.1:7101"};

  // Adds --credentials-addr, --credentials-token-file, --credentials-ca-file,
  // --credentials-cert-file and --credentials-key-file to `flags` (this
  // object must outlive the parse).
  void Register(common::Flags& flags);
};

// Reads the token file and dials the credentials service (TLS when
// tls.ca_file is set, mTLS with a client certificate; plaintext, logged as
// such, otherwise): runtime::ConnectPeer. Errors: NOT_FOUND naming a file
// that cannot be read, INVALID_ARGUMENT for an incomplete TLS configuration
// (runtime::ClientChannelCredentials). The client connects lazily.
absl::StatusOr<std::unique_ptr<GrpcCredentialsClient>> DialCredentials(
    const CredentialsPeerOptions& options);

}  // namespace iob::supplier

#endif  // IOB_LIBS_SUPPLIER_CREDENTIALS_CLIENT_H_
