#include "libs/runtime/client_channel.h"

#include <chrono>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/common/logging.h"
#include "libs/common/status_macros.h"
#include "libs/runtime/grpc_status.h"
#include "libs/runtime/service_host.h"

namespace iob::runtime {

void ClientTlsOptions::Register(common::Flags& flags, const std::string& prefix,
                                const std::string& peer) {
  flags.Add(absl::StrCat(prefix, "-ca-file"), &ca_file,
            absl::StrCat("PEM CA bundle the ", peer,
                         " service's certificate must chain to; dial with TLS when set "
                         "(plaintext, with a warning, when empty)"));
  flags.Add(absl::StrCat(prefix, "-cert-file"), &cert_file,
            absl::StrCat("PEM client certificate presented to the ", peer, " service (mTLS)"));
  flags.Add(absl::StrCat(prefix, "-key-file"), &key_file,
            absl::StrCat("PEM private key of --", prefix, "-cert-file"));
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientChannelCredentials(
    const ClientTlsOptions& tls, const std::string& peer) {
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("a client certificate for the ", peer,
                                                   " service needs both its cert and key file"));
  }
  if (tls.ca_file.empty()) {
    if (!tls.cert_file.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("a client certificate for the ", peer,
                                                     " service needs its CA file (TLS) as well"));
    }
    return grpc::InsecureChannelCredentials();
  }
  grpc::SslCredentialsOptions ssl;
  IOB_ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadFile(tls.ca_file));
  if (!tls.cert_file.empty()) {
    IOB_ASSIGN_OR_RETURN(ssl.pem_cert_chain, ReadFile(tls.cert_file));
    IOB_ASSIGN_OR_RETURN(ssl.pem_private_key, ReadFile(tls.key_file));
  }
  return grpc::SslCredentials(ssl);
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> DialPeer(const std::string& peer,
                                                        const std::string& address,
                                                        const ClientTlsOptions& tls) {
  IOB_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> creds,
                       ClientChannelCredentials(tls, peer));
  if (tls.ca_file.empty()) {
    common::LogWarn("gRPC client without TLS: calls travel in plaintext",
                    {{"peer", peer}, {"address", address}, {"transport", "plaintext"}});
  } else {
    common::LogInfo("gRPC client transport",
                    {{"peer", peer},
                     {"address", address},
                     {"transport", tls.cert_file.empty() ? "tls" : "mtls"}});
  }
  return grpc::CreateChannel(address, std::move(creds));
}

void PeerOptions::Register(common::Flags& flags, const std::string& prefix,
                           const std::string& peer) {
  flags.Add(absl::StrCat(prefix, "-addr"), &addr, absl::StrCat(peer, " service address"));
  flags.Add(absl::StrCat(prefix, "-token-file"), &token_file,
            absl::StrCat("this service's bearer token for the ", peer, " service (required)"));
  tls.Register(flags, prefix, peer);
}

absl::StatusOr<PeerConnection> ConnectPeer(const std::string& peer, const PeerOptions& options) {
  IOB_ASSIGN_OR_RETURN(std::string token, ReadFile(options.token_file));
  IOB_ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel,
                       DialPeer(peer, options.addr, options.tls));
  return PeerConnection{std::move(channel), std::string(absl::StripAsciiWhitespace(token))};
}

void PreparePeerCall(grpc::ClientContext& ctx, const std::string& token, absl::Duration timeout) {
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  ctx.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout));
}

absl::Status FromPeerStatus(const grpc::Status& status, const std::string& peer) {
  absl::Status s = FromGrpcStatus(status);
  if (s.code() == absl::StatusCode::kUnauthenticated ||
      s.code() == absl::StatusCode::kPermissionDenied) {
    return absl::InternalError(absl::StrCat(peer, " service refused this service: ", s.message()));
  }
  if (s.code() == absl::StatusCode::kDeadlineExceeded) {
    return absl::UnavailableError(absl::StrCat(peer, " service did not answer in time"));
  }
  return s;
}

}  // namespace iob::runtime
