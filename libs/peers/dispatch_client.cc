#include "libs/peers/dispatch_client.h"

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"

namespace iob::peers {
namespace {

namespace pb = ::iob::dispatch::v1;

constexpr char kPeer[] = "dispatch";

}  // namespace

GrpcDispatchClient::GrpcDispatchClient(std::shared_ptr<grpc::Channel> channel, std::string token)
    : stub_(pb::DispatchService::NewStub(std::move(channel))), token_(std::move(token)) {}

absl::StatusOr<std::vector<pb::Order>> GrpcDispatchClient::OrdersByPo(
    const std::string& tenant, const std::string& po_number) {
  pb::ListOrdersResponse list;
  {
    grpc::ClientContext ctx;
    runtime::PreparePeerCall(ctx, token_);
    pb::ListOrdersRequest req;
    req.set_parent(absl::StrCat("tenants/", tenant));
    req.set_po_number(po_number);
    req.set_page_size(10);
    grpc::Status st = stub_->ListOrders(&ctx, req, &list);
    if (!st.ok()) return runtime::FromPeerStatus(st, kPeer);
  }
  std::vector<pb::Order> orders;
  for (const pb::Order& listed : list.orders()) {
    grpc::ClientContext ctx;
    runtime::PreparePeerCall(ctx, token_);
    pb::GetOrderRequest req;
    req.set_name(listed.name());
    pb::Order order;
    grpc::Status st = stub_->GetOrder(&ctx, req, &order);
    if (!st.ok()) return runtime::FromPeerStatus(st, kPeer);
    orders.push_back(std::move(order));
  }
  return orders;
}

void DispatchPeerOptions::Register(common::Flags& flags) { peer.Register(flags, kPeer, kPeer); }

absl::StatusOr<std::unique_ptr<GrpcDispatchClient>> DialDispatch(
    const DispatchPeerOptions& options) {
  IOB_ASSIGN_OR_RETURN(runtime::PeerConnection peer, runtime::ConnectPeer(kPeer, options.peer));
  return std::make_unique<GrpcDispatchClient>(std::move(peer.channel), std::move(peer.token));
}

}  // namespace iob::peers
