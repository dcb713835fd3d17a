#include "libs/runtime/client_channel.h"

#include "absl/strings/str_cat.h"
#include "libs/common/logging.h"
#include "libs/common/status_macros.h"
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

}  // namespace iob::runtime
