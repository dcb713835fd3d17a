// How an iob service (or tool) dials another iob service over gRPC: the TLS
// material named by flags (--<peer>-ca-file, --<peer>-cert-file,
// --<peer>-key-file) turned into channel credentials. A channel is plaintext
// only when no CA is given, and then a warning says so, so a deployment
// cannot lose TLS unnoticed.
#ifndef IOB_LIBS_RUNTIME_CLIENT_CHANNEL_H_
#define IOB_LIBS_RUNTIME_CLIENT_CHANNEL_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
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

}  // namespace iob::runtime

#endif  // IOB_LIBS_RUNTIME_CLIENT_CHANNEL_H_
