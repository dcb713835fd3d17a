// A service's view of the punchout service: the checked-out cart of a
// punchout session, so an order can be submitted by its session name and
// carry the lines the user chose on the supplier's site. PunchoutClient is
// the interface services depend on (tests use FakePunchoutClient);
// GrpcPunchoutClient calls the real peer, dialled from the flags in
// PunchoutPeerOptions (address, token, TLS / mTLS).
#ifndef IOB_LIBS_PEERS_PUNCHOUT_CLIENT_H_
#define IOB_LIBS_PEERS_PUNCHOUT_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "iob/punchout/v1/punchout_service.grpc.pb.h"
#include "iob/type/v1/line_item.pb.h"
#include "iob/type/v1/money.pb.h"
#include "libs/common/flags.h"
#include "libs/runtime/client_channel.h"

namespace iob::peers {

// A punchout session's cart once the user checked it out.
struct CheckedOutCart {
  std::string session;      // tenants/{tenant}/sessions/{session}
  std::string integration;  // tenants/{tenant}/integrations/{integration}
  std::string supplier;
  bool approval_required = true;  // from the integration, at checkout
  std::vector<iob::type::v1::LineItem> lines;
  iob::type::v1::Money total;
};

// OK when `state` is CHECKED_OUT; otherwise FAILED_PRECONDITION "session
// <session> is <state>, not checked out" (state in lower case, e.g.
// "cart_received"). Shared by the implementations. Thread-safe.
absl::Status CheckCheckedOut(const std::string& session, punchout::v1::SessionState state);

// Implementations are thread-safe. Errors other than those named keep the
// peer's code (NOT_FOUND for an unknown session, INVALID_ARGUMENT for a
// malformed name, ...), with UNAVAILABLE when the peer cannot be reached or
// does not answer in time, and INTERNAL when it refuses this service's own
// token (runtime::FromPeerStatus).
class PunchoutClient {
 public:
  virtual ~PunchoutClient() = default;

  // Returns the cart of `session` (a resource name): the session's
  // integration, supplier and approval flag, and the cart's lines and total.
  // FAILED_PRECONDITION (CheckCheckedOut) unless the session is checked out.
  virtual absl::StatusOr<CheckedOutCart> GetCheckedOutCart(const std::string& session) = 0;
};

// Calls PunchoutService (GetSession, then GetCart) over `channel` with a 5 s
// deadline per call. Thread-safe.
class GrpcPunchoutClient : public PunchoutClient {
 public:
  // `token` is this service's bearer token (scope punchout.read).
  GrpcPunchoutClient(std::shared_ptr<grpc::Channel> channel, std::string token);

  absl::StatusOr<CheckedOutCart> GetCheckedOutCart(const std::string& session) override;

 private:
  std::unique_ptr<punchout::v1::PunchoutService::Stub> stub_;
  std::string token_;
};

// How a service reaches the punchout service; the same flags in every
// service that calls it.
struct PunchoutPeerOptions {
  runtime::PeerOptions peer{"127.0.0.1:7102"};

  // Adds --punchout-addr, --punchout-token-file, --punchout-ca-file,
  // --punchout-cert-file and --punchout-key-file to `flags` (this object
  // must outlive the parse).
  void Register(common::Flags& flags);
};

// Reads the token file and dials the punchout service (TLS when
// --punchout-ca-file is set, mTLS with a client certificate; plaintext,
// logged as such, otherwise): runtime::ConnectPeer. Errors: NOT_FOUND naming
// a file that cannot be read, INVALID_ARGUMENT for an incomplete TLS
// configuration. The client connects lazily.
absl::StatusOr<std::unique_ptr<GrpcPunchoutClient>> DialPunchout(
    const PunchoutPeerOptions& options);

}  // namespace iob::peers

#endif  // IOB_LIBS_PEERS_PUNCHOUT_CLIENT_H_
