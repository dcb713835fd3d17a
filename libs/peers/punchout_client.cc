#include "libs/peers/punchout_client.h"

#include <iterator>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "libs/common/status_macros.h"

namespace iob::peers {
namespace {

namespace pb = ::iob::punchout::v1;

constexpr char kPeer[] = "punchout";

// "SESSION_STATE_CART_RECEIVED" -> "cart_received".
std::string StateText(pb::SessionState state) {
  std::string name(absl::StripPrefix(pb::SessionState_Name(state), "SESSION_STATE_"));
  if (name.empty()) return absl::StrCat("state ", static_cast<int>(state));  // unnamed value
  return absl::AsciiStrToLower(name);
}

}  // namespace

absl::Status CheckCheckedOut(const std::string& session, pb::SessionState state) {
  if (state == pb::SESSION_STATE_CHECKED_OUT) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("session ", session, " is ", StateText(state), ", not checked out"));
}

GrpcPunchoutClient::GrpcPunchoutClient(std::shared_ptr<grpc::Channel> channel, std::string token)
    : stub_(pb::PunchoutService::NewStub(std::move(channel))), token_(std::move(token)) {}

absl::StatusOr<CheckedOutCart> GrpcPunchoutClient::GetCheckedOutCart(const std::string& session) {
  pb::Session s;
  {
    grpc::ClientContext ctx;
    runtime::PreparePeerCall(ctx, token_);
    pb::GetSessionRequest req;
    req.set_name(session);
    grpc::Status st = stub_->GetSession(&ctx, req, &s);
    if (!st.ok()) return runtime::FromPeerStatus(st, kPeer);
  }
  IOB_RETURN_IF_ERROR(CheckCheckedOut(s.name(), s.state()));

  pb::Cart cart;
  {
    grpc::ClientContext ctx;
    runtime::PreparePeerCall(ctx, token_);
    pb::GetCartRequest req;
    req.set_session(s.name());
    grpc::Status st = stub_->GetCart(&ctx, req, &cart);
    if (!st.ok()) return runtime::FromPeerStatus(st, kPeer);
  }
  CheckedOutCart out;
  out.session = s.name();
  out.integration = s.integration();
  out.supplier = s.supplier();
  out.approval_required = s.approval_required();
  out.lines.assign(std::make_move_iterator(cart.mutable_lines()->begin()),
                   std::make_move_iterator(cart.mutable_lines()->end()));
  out.total = std::move(*cart.mutable_total());
  return out;
}

void PunchoutPeerOptions::Register(common::Flags& flags) { peer.Register(flags, kPeer, kPeer); }

absl::StatusOr<std::unique_ptr<GrpcPunchoutClient>> DialPunchout(
    const PunchoutPeerOptions& options) {
  IOB_ASSIGN_OR_RETURN(runtime::PeerConnection peer, runtime::ConnectPeer(kPeer, options.peer));
  return std::make_unique<GrpcPunchoutClient>(std::move(peer.channel), std::move(peer.token));
}

}  // namespace iob::peers
