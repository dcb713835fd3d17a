// How iobctl reaches a service: address, bearer token, optional TLS, and a
// ClientContext carrying them; the skeleton every gRPC command area shares
// (RunGrpcArea, Call) and the output helpers (JSON, refusals, times).
#ifndef IOB_TOOLS_IOBCTL_CONNECTION_H_
#define IOB_TOOLS_IOBCTL_CONNECTION_H_

#include <google/protobuf/duration.pb.h>
#include <google/protobuf/message.h>
#include <google/protobuf/timestamp.pb.h>
#include <grpcpp/grpcpp.h>

#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/common/flags.h"
#include "libs/runtime/client_channel.h"

namespace iob::iobctl {

// The dispatch service's address as ./iob up runs it (--addr's default for
// `iobctl orders` and `iobctl rules`).
inline constexpr char kDispatchAddr[] = "127.0.0.1:7103";

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

// Fills `message` from the proto JSON (field names as in the .proto or
// lowerCamel) in file `path`, or stdin for "-". NOT_FOUND when it cannot be
// read, INVALID_ARGUMENT naming the file and the parser's complaint (an
// unknown field, a bad value) otherwise.
absl::Status ReadJsonMessage(const std::string& path, google::protobuf::Message* message);

// `id` when it already is a resource name (contains '/'), otherwise
// "tenants/<tenant>/<collection>/<id>"; "" when that needs a tenant and
// `tenant` is empty, or `id` is empty.
std::string ChildName(const std::string& tenant, const std::string& collection,
                      const std::string& id);

// RFC 3339 in UTC, or "-" for an unset timestamp.
std::string TimeText(const google::protobuf::Timestamp& time);
// Compact ("24h", "1.5s", "120ms").
std::string DurationText(const google::protobuf::Duration& duration);

// Sends one call with conn.Context(). Returns 0 with `*response` filled, 1
// after PrintRefusal when the service refused, 2 when the token file cannot
// be read (printed to `err`).
template <typename Stub, typename Request, typename Response>
int Call(Stub& stub, const Connection& conn,
         grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
         const Request& request, Response* response, std::ostream& err) {
  auto ctx = conn.Context();
  if (!ctx.ok()) return (err << "iobctl: " << ctx.status().message() << "\n", 2);
  grpc::Status status = (stub.*method)(ctx->get(), request, response);
  return status.ok() ? 0 : PrintRefusal(err, status);
}

// One subcommand of a gRPC area: given the stub, the parsed flags (with
// their owner, to ask which were Given) returns the exit code.
template <typename Stub, typename Args>
using Subcommand =
    std::function<int(Stub&, const Args&, const common::Flags&, std::ostream&, std::ostream&)>;

// Runs `iobctl <area> <subcommand> [flags] [positional]` against `Service`:
// prints `usage` to err and returns 2 without a subcommand, to out and 0 for
// --help; 2 for a subcommand not in `subcommands`; otherwise registers the
// flags (`register_flags` binds them to an Args, whose `conn` and
// `positional` it must have), parses them (ParseCommandFlags), dials
// Args::conn and runs the subcommand. Args must be default-constructible.
template <typename Service, typename Args>
int RunGrpcArea(const std::string& area, const char* usage,
                const std::map<std::string, Subcommand<typename Service::Stub, Args>>& subcommands,
                const std::function<void(common::Flags&, Args&)>& register_flags,
                const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? err : out) << usage;
    return args.empty() ? 2 : 0;
  }
  auto subcommand = subcommands.find(args[0]);
  if (subcommand == subcommands.end()) {
    err << "iobctl: unknown " << area << " command '" << args[0] << "'\n" << usage;
    return 2;
  }
  Args a;
  common::Flags flags("iobctl " + area + " " + args[0], usage);
  register_flags(flags, a);
  int exit_code = 0;
  if (!ParseCommandFlags(flags, {args.begin() + 1, args.end()}, &a.positional, err, &exit_code)) {
    return exit_code;
  }
  auto channel = a.conn.Dial();
  if (!channel.ok()) return (err << "iobctl: " << channel.status().message() << "\n", 2);
  auto stub = Service::NewStub(*channel);
  return subcommand->second(*stub, a, flags, out, err);
}

}  // namespace iob::iobctl

#endif  // IOB_TOOLS_IOBCTL_CONNECTION_H_
