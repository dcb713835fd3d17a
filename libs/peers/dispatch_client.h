// A service's view of the dispatch service: the orders a supplier document
// names, with their lines and ship notices, so invoice intake can match an
// invoice against what was ordered and shipped. GrpcDispatchClient calls the
// real peer, dialled from the flags in DispatchPeerOptions.
#ifndef IOB_LIBS_PEERS_DISPATCH_CLIENT_H_
#define IOB_LIBS_PEERS_DISPATCH_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "iob/dispatch/v1/dispatch_service.grpc.pb.h"
#include "libs/common/flags.h"
#include "libs/runtime/client_channel.h"

namespace iob::peers {

// Thread-safe. Errors keep the peer's code, UNAVAILABLE when it cannot be
// reached, INTERNAL when it refuses this service's token
// (runtime::FromPeerStatus).
class DispatchClient {
 public:
  virtual ~DispatchClient() = default;

  // The orders of `tenant` with PO number `po_number` (zero or one: PO
  // numbers are unique per tenant), each with its confirmations and
  // shipments (GetOrder's detail).
  virtual absl::StatusOr<std::vector<dispatch::v1::Order>> OrdersByPo(
      const std::string& tenant, const std::string& po_number) = 0;
};

// ListOrders filtered by PO number, then GetOrder for each, 5 s per call.
class GrpcDispatchClient : public DispatchClient {
 public:
  // `token` is this service's bearer token (scope orders.read).
  GrpcDispatchClient(std::shared_ptr<grpc::Channel> channel, std::string token);

  absl::StatusOr<std::vector<dispatch::v1::Order>> OrdersByPo(
      const std::string& tenant, const std::string& po_number) override;

 private:
  std::unique_ptr<dispatch::v1::DispatchService::Stub> stub_;
  std::string token_;
};

// --dispatch-addr, --dispatch-token-file, --dispatch-ca-file,
// --dispatch-cert-file, --dispatch-key-file.
struct DispatchPeerOptions {
  runtime::PeerOptions peer{"127.0.0.1:7103"};
  void Register(common::Flags& flags);
};

// Reads the token file and dials dispatch (runtime::ConnectPeer).
absl::StatusOr<std::unique_ptr<GrpcDispatchClient>> DialDispatch(
    const DispatchPeerOptions& options);

}  // namespace iob::peers

#endif  // IOB_LIBS_PEERS_DISPATCH_CLIENT_H_
