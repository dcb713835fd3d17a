#include "services/punchout/session_broker.h"

#include <chrono>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/common/logging.h"
#include "libs/common/status_macros.h"
#include "libs/crypto/key_ring.h"
#include "libs/cxml/payload_id.h"
#include "libs/cxml/status.h"
#include "libs/runtime/metrics.h"
#include "libs/supplier/inbound.h"

namespace iob::punchout {
namespace {

std::string RandomHex(size_t bytes) { return absl::BytesToHexString(crypto::RandomBytes(bytes)); }

std::string RandomToken() { return absl::WebSafeBase64Escape(crypto::RandomBytes(32)); }

}  // namespace

SessionBroker::SessionBroker(BrokerOptions options, supplier::CredentialsClient* credentials,
                             http::HttpClient* http, SessionStore* store,
                             prometheus::Registry* registry)
    : options_(std::move(options)), credentials_(credentials), http_(http), store_(store) {
  started_ = &prometheus::BuildCounter()
                  .Name("iob_punchout_sessions_started_total")
                  .Help("Punchout sessions started, by supplier and outcome.")
                  .Register(*registry);
  setup_seconds_ = &prometheus::BuildHistogram()
                        .Name("iob_punchout_setup_seconds")
                        .Help("Time the supplier took to answer PunchOutSetupRequest.")
                        .Register(*registry);
  carts_ = &prometheus::BuildCounter()
                .Name("iob_punchout_carts_returned_total")
                .Help("Carts posted back by suppliers, by outcome.")
                .Register(*registry);
  expired_ = &prometheus::BuildCounter()
                  .Name("iob_punchout_sessions_expired_total")
                  .Help("Sessions that expired before a cart came back.")
                  .Register(*registry)
                  .Add({});
  for (supplier::Outcome outcome :
       {supplier::Outcome::kDelivered, supplier::Outcome::kRejected,
        supplier::Outcome::kSupplierError, supplier::Outcome::kUnreachable,
        supplier::Outcome::kRefusedByPolicy, supplier::Outcome::kBadAnswer,
        supplier::Outcome::kNotSent}) {
    started_->Add(
        {{"supplier", "amazon-business"}, {"outcome", std::string(OutcomeLabel(outcome))}});
  }
  for (const char* outcome : {"stored", "repeat", "conflict", "expired", "unknown", "invalid"}) {
    carts_->Add({{"outcome", outcome}});
  }
}

absl::StatusOr<std::vector<supplier::SupplierTile>> SessionBroker::ListSuppliers(
    const std::string& tenant) {
  return credentials_->ListActive(tenant);
}

absl::StatusOr<Session> SessionBroker::Start(const StartRequest& r) {
  IOB_RETURN_IF_ERROR(ValidateStart(r.user, r.operation, r.ship_to, r.lines));
  IOB_ASSIGN_OR_RETURN(SupplierEndpoint endpoint, credentials_->Resolve(r.integration));

  Session s;
  s.tenant = r.tenant;
  s.id = absl::StrCat("s", RandomHex(12));  // ids start with a letter (resource_name.h)
  s.integration = endpoint.integration;
  s.supplier = endpoint.supplier;
  s.user = r.user;
  s.operation = r.operation;
  s.buyer_cookie = RandomHex(16);
  const std::string token = RandomToken();
  s.post_token_sha256 = crypto::Sha256Hex(token);
  s.approval_required = endpoint.approval_required;
  s.expire_time = absl::Now() + options_.session_ttl;
  bool replayed = false;
  IOB_ASSIGN_OR_RETURN(Session stored, store_->Create(s, r.key, &replayed));
  if (replayed) return stored;

  const auto t0 = std::chrono::steady_clock::now();
  const SetupResult setup = SendSetupRequest(
      stored, endpoint, r, absl::StrCat(options_.public_url, "/punchout/cart/", token));
  setup_seconds_->Add({{"supplier", s.supplier}}, runtime::LatencyBuckets())
      .Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  const std::string outcome(supplier::OutcomeLabel(setup.outcome));
  started_->Add({{"supplier", s.supplier}, {"outcome", outcome}}).Increment();
  if (!setup.start_page_url.ok()) {
    // The message quotes the supplier: bound it, and never echo our secret.
    const absl::Status sent(setup.start_page_url.status().code(),
                            supplier::BoundSupplierText(setup.start_page_url.status().message(),
                                                        endpoint.sender.shared_secret, 500));
    common::LogWarn("punchout setup failed", {{"tenant", s.tenant},
                                              {"session", s.id},
                                              {"supplier", s.supplier},
                                              {"outcome", outcome},
                                              {"error", std::string(sent.message())}});
    IOB_RETURN_IF_ERROR(store_->MarkFailed(stored, std::string(sent.message()), r.key));
    return sent;
  }
  IOB_RETURN_IF_ERROR(store_->MarkStarted(stored, *setup.start_page_url));
  common::LogInfo("punchout session started",
                  {{"tenant", s.tenant}, {"session", s.id}, {"supplier", s.supplier}});
  return store_->Get(s.tenant, s.id);
}

SessionBroker::SetupResult SessionBroker::SendSetupRequest(const Session& session,
                                                           const SupplierEndpoint& endpoint,
                                                           const StartRequest& r,
                                                           const std::string& post_url) {
  const absl::Time now = absl::Now();
  const cxml::Document doc = BuildSetupRequest(session, endpoint, post_url, r.ship_to, r.lines,
                                               cxml::NewPayloadId(now, options_.host_name), now);
  supplier::ExchangeResult sent = supplier::ExchangeDocument(
      *http_, doc, {endpoint.punchout_url, endpoint.allowed_hosts, "punchout"});
  if (!sent.response.ok()) return {sent.outcome, sent.response.status()};
  const auto& setup = sent.response->punch_out_setup_response;
  if (!setup || !(absl::StartsWith(setup->start_page_url, "https://") ||
                  absl::StartsWith(setup->start_page_url, "http://"))) {
    return {supplier::Outcome::kBadAnswer,
            absl::UnavailableError("supplier response has no http(s) StartPage URL")};
  }
  // The user's browser goes there next: the same hosts as the integration's
  // egress, https unless the policy allows the host over http.
  if (absl::Status st = CheckStartPageUrl(setup->start_page_url, endpoint.allowed_hosts,
                                          options_.plain_http_hosts);
      !st.ok()) {
    return {supplier::Outcome::kBadAnswer, st};
  }
  return {supplier::Outcome::kDelivered, setup->start_page_url};
}

CartPostResult SessionBroker::ReceiveCart(const std::string& token, const std::string& body,
                                          const std::string& content_type) {
  CartPostResult result;
  auto refuse = [&](const char* outcome, absl::Status status) {
    carts_->Add({{"outcome", outcome}}).Increment();
    result.status = std::move(status);
    return result;
  };
  auto session = store_->FindByPostToken(crypto::Sha256Hex(token));
  if (!session.ok()) {
    return refuse("unknown",
                  session.status().code() == absl::StatusCode::kNotFound
                      ? absl::NotFoundError("This punchout session does not exist.")
                      : absl::UnavailableError("The cart could not be stored; try again."));
  }
  result.session = *session;
  const std::string body_sha = crypto::Sha256Hex(body);
  if (session->ExpiredAt(absl::Now())) {
    (void)store_->MarkExpired(*session);
    return refuse("expired", absl::FailedPreconditionError(
                                 "This punchout session has expired. Start a new one from your "
                                 "procurement system."));
  }
  switch (session->state) {
    case SessionState::kCartReceived:
    case SessionState::kCheckedOut:
      if (body_sha == session->cart_body_sha256) {
        carts_->Add({{"outcome", "repeat"}}).Increment();
        result.repeat = true;
        if (auto cart = store_->GetCart(session->tenant, session->id); cart.ok())
          result.cart = *cart;
        return result;
      }
      return refuse("conflict", absl::AlreadyExistsError(
                                    "This punchout session already received a different cart."));
    case SessionState::kExpired:
    case SessionState::kFailed:
      return refuse("expired", absl::FailedPreconditionError(
                                   "This punchout session is no longer open. Start a new one."));
    default:
      break;
  }
  auto invalid = [&](const std::string& why) {
    return refuse("invalid", absl::InvalidArgumentError(why));
  };
  supplier::DecodeStep failed_step = supplier::DecodeStep::kDocument;
  auto doc = supplier::DecodeInbound(body, content_type, {},
                                     cxml::DocumentType::kPunchOutOrderMessage, &failed_step);
  if (!doc.ok()) {
    return invalid(absl::StrCat(failed_step == supplier::DecodeStep::kEnvelope
                                    ? "No cart found in the post: "
                                    : "The cart is not valid cXML: ",
                                supplier::BoundSupplierText(doc.status().message(), {}, 300)));
  }
  const auto& message = std::get<cxml::PunchOutOrderMessage>(doc->body);
  if (!crypto::ConstantTimeEquals(message.buyer_cookie, session->buyer_cookie)) {
    return invalid("The cart does not belong to this punchout session (BuyerCookie mismatch).");
  }
  auto cart = CartFromOrderMessage(message);
  if (!cart.ok()) return invalid(std::string(cart.status().message()));
  if (absl::Status st = store_->SaveCart(*session, *cart, body_sha); !st.ok()) {
    return refuse("conflict",
                  st.code() == absl::StatusCode::kAborted
                      ? absl::AlreadyExistsError("This punchout session already received a cart.")
                      : absl::UnavailableError("The cart could not be stored; try again."));
  }
  carts_->Add({{"outcome", "stored"}}).Increment();
  common::LogInfo("cart received", {{"tenant", session->tenant},
                                    {"session", session->id},
                                    {"lines", static_cast<int>(cart->lines.size())}});
  result.cart = *cart;
  result.session->state = SessionState::kCartReceived;
  return result;
}

absl::StatusOr<RequisitionDraft> SessionBroker::Checkout(const std::string& tenant,
                                                         const std::string& id) {
  IOB_ASSIGN_OR_RETURN(const Session current, store_->Get(tenant, id));
  // The integration as it is now: disabling it, or turning approval on,
  // applies to carts still open.
  absl::StatusOr<SupplierEndpoint> endpoint = credentials_->Get(current.integration);
  if (endpoint.status().code() == absl::StatusCode::kNotFound) {
    return absl::FailedPreconditionError(
        absl::StrCat("integration ", current.integration, " no longer exists"));
  }
  if (!endpoint.ok()) return endpoint.status();
  IOB_ASSIGN_OR_RETURN(Cart cart, store_->GetCart(tenant, id));
  // The stored total is already the computed one; price again so the draft
  // never carries a total its lines do not add up to.
  if (absl::Status priced = PriceCart(cart); !priced.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the cart of session ", current.Name(), " cannot be checked out: ", priced.message()));
  }
  IOB_ASSIGN_OR_RETURN(Session s, store_->Checkout(tenant, id, endpoint->approval_required));
  return RequisitionDraft{std::move(s), std::move(cart)};
}

absl::StatusOr<int> SessionBroker::ExpireDue() {
  IOB_ASSIGN_OR_RETURN(int n, store_->ExpireDue());
  if (n > 0) expired_->Increment(n);
  return n;
}

}  // namespace iob::punchout
