// How iobctl reaches a service: address, bearer token, optional TLS, and a
// ClientContext carrying them.
#ifndef IOB_TOOLS_IOBCTL_CONNECTION_H_
#define IOB_TOOLS_IOBCTL_CONNECTION_H_

#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/common/flags.h"
#include "libs/runtime/client_channel.h"

namespace iob::iobctl {

struct Connection {
  std::string addr;
  std::string token_file = ".iob/secrets/admin.token";
  // TLS when tls.ca_file is set; mTLS with tls.cert_file / tls.key_file.
  runtime::ClientTlsOptions tls;
  bool json = false;

  // --addr (default `default_addr`), --token-file, --tls-ca-file,
  // --tls-cert-file, --tls-key-file, --json.
  void Register(common::Flags& flags, const std::string& default_addr);

  // A channel to `addr` (runtime::DialPeer: NOT_FOUND for an unreadable TLS
  // file, INVALID_ARGUMENT for an incomplete TLS configuration).
  absl::StatusOr<std::shared_ptr<grpc::Channel>> Dial() const;

  // A context with the bearer token and a 30 s deadline. NOT_FOUND naming the
  // token file when it cannot be read.
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> Context() const;
};

// Parses `args` with `flags`; only the variables for --addr, --token-file and
// --tls-{ca,cert,key}-file (IOB_ADDR, IOB_TOKEN_FILE, IOB_TLS_CA_FILE, ...)
// are read from the environment. Prints help / errors to err
// and returns false when the command should stop (exit code in *exit_code).
bool ParseCommandFlags(common::Flags& flags, const std::vector<std::string>& args,
                       std::vector<std::string>* positional, std::ostream& err, int* exit_code);

// Prints "iobctl: CODE: message" for a refused call; returns exit code 1.
int PrintRefusal(std::ostream& err, const grpc::Status& status);

// A message as indented JSON with proto field names.
std::string ToJson(const google::protobuf::Message& message);

// Reads a secret from a file, or stdin for "-", dropping one trailing newline.
absl::StatusOr<std::string> ReadSecretFile(const std::string& path);

}  // namespace iob::iobctl

#endif  // IOB_TOOLS_IOBCTL_CONNECTION_H_
