// How an iob service (or tool) dials another iob service over gRPC: the TLS
// material named by flags (--<peer>-ca-file, --<peer>-cert-file,
// --<peer>-key-file) turned into channel credentials. A channel is plaintext
// only when no CA is given, and then a warning says so, so a deployment
// cannot lose TLS unnoticed. Also what every peer client in libs/ shares:
// the address and token flags (PeerOptions, ConnectPeer), the metadata and
// deadline of each call (PreparePeerCall) and how a peer's error is passed
// on (FromPeerStatus).
#ifndef IOB_LIBS_RUNTIME_CLIENT_CHANNEL_H_
#define IOB_LIBS_RUNTIME_CLIENT_CHANNEL_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/common/flags.h"

namespace iob::runtime {

// The TLS side of a client's connection to one peer. Value type.
struct ClientTlsOptions {
  // PEM CA bundle the peer's certificate must chain to (its name checked
  // against the address's host). Empty = plaintext.
  std::string ca_file;
  // PEM client certificate and its key, presented for mTLS; both or neither,
  // and only with ca_file.
  std::string cert_file;
  std::string key_file;

  // Adds --<prefix>-ca-file, --<prefix>-cert-file and --<prefix>-key-file
  // (IOB_<PREFIX>_CA_FILE, ... in the environment) to `flags`; `peer` names
  // the service in the help text. The flags write into this object, which
  // must outlive the parse.
  void Register(common::Flags& flags, const std::string& prefix, const std::string& peer);
};

// Returns channel credentials for `tls`: TLS trusting ca_file, presenting
// cert_file/key_file when given; insecure credentials when ca_file is empty.
// Logs nothing (command-line tools use it too); `peer` names the service in
// errors. Errors: INVALID_ARGUMENT when only one of
// cert_file / key_file is set, or a client certificate comes without a CA;
// NOT_FOUND naming the file when one cannot be read (never its content).
// Thread-safe.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientChannelCredentials(
    const ClientTlsOptions& tls, const std::string& peer);

// A channel to `address` ("host:port") with ClientChannelCredentials(tls),
// logging the transport ("mtls", "tls", or a warning for "plaintext") with
// `peer`; the same errors. The channel connects lazily; it is shared-owned and
// thread-safe.
absl::StatusOr<std::shared_ptr<grpc::Channel>> DialPeer(const std::string& peer,
                                                        const std::string& address,
                                                        const ClientTlsOptions& tls);

// How a service reaches one iob peer: the same flags in every service that
// calls it. Value type.
struct PeerOptions {
  // `default_addr` is the peer's address until a flag says otherwise.
  explicit PeerOptions(std::string default_addr) : addr(std::move(default_addr)) {}

  std::string addr;        // host:port
  std::string token_file;  // this service's bearer token for the peer (required)
  ClientTlsOptions tls;

  // Adds --<prefix>-addr, --<prefix>-token-file and the TLS flags
  // (ClientTlsOptions::Register) to `flags`; `peer` names the service in the
  // help text. This object must outlive the parse.
  void Register(common::Flags& flags, const std::string& prefix, const std::string& peer);
};

// A dialled peer and the token to present to it.
struct PeerConnection {
  std::shared_ptr<grpc::Channel> channel;
  std::string token;  // the token file's content, surrounding whitespace removed
};

// Reads options.token_file and dials options.addr (DialPeer). Errors:
// NOT_FOUND naming a file that cannot be read (never its content),
// INVALID_ARGUMENT for an incomplete TLS configuration. The channel connects
// lazily. Thread-safe.
absl::StatusOr<PeerConnection> ConnectPeer(const std::string& peer, const PeerOptions& options);

// Sets up one call to a peer: `authorization: Bearer <token>` and a deadline
// `timeout` from now.
void PreparePeerCall(grpc::ClientContext& ctx, const std::string& token,
                     absl::Duration timeout = absl::Seconds(5));

// A failed peer call as the error the client returns, `peer` naming the
// service: the peer's code and message (safe to pass on), except
// UNAUTHENTICATED / PERMISSION_DENIED, which become INTERNAL "<peer> service
// refused this service: ..." (our own token was refused: a deployment
// problem, not the caller's), and DEADLINE_EXCEEDED, which becomes
// UNAVAILABLE "<peer> service did not answer in time". `status` must not be
// OK. Thread-safe.
absl::Status FromPeerStatus(const grpc::Status& status, const std::string& peer);

}  // namespace iob::runtime

#endif  // IOB_LIBS_RUNTIME_CLIENT_CHANNEL_H_
