#include "services/punchout/session_broker.h"

#include <chrono>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/crypto/key_ring.h"
#include "libs/cxml/form.h"
#include "libs/cxml/payload_id.h"
#include "libs/cxml/reader.h"
#include "libs/cxml/status.h"
#include "libs/cxml/writer.h"
#include "libs/common/logging.h"
#include "libs/runtime/metrics.h"

namespace iob::punchout {
namespace {

std::string RandomHex(size_t bytes) { return absl::BytesToHexString(crypto::RandomBytes(bytes)); }

std::string RandomToken() { return absl::WebSafeBase64Escape(crypto::RandomBytes(32)); }

std::string Truncate(std::string s, size_t n = 200) {
  if (s.size() > n) s = s.substr(0, n) + "...";
  return s;
}

// A supplier's cXML Status as a gRPC-facing error.
absl::Status FromSupplierStatus(const cxml::Status& st, std::string* outcome) {
  const std::string what = absl::StrCat("cXML ", st.code, " ", st.text,
                                        st.message.empty() ? "" : ": ", Truncate(st.message));
  switch (cxml::ClassifyStatusCode(st.code)) {
    case cxml::StatusClass::kSuccess:
      return absl::OkStatus();
    case cxml::StatusClass::kTransient:
      *outcome = "supplier_error";
      return absl::UnavailableError(absl::StrCat("supplier error, try again (", what, ")"));
    default:
      break;
  }
  *outcome = "rejected";
  if (st.code == 401 || st.code == 403) {
    return absl::FailedPreconditionError(
        absl::StrCat("supplier rejected our credentials (", what, ")"));
  }
  return absl::FailedPreconditionError(
      absl::StrCat("supplier rejected the punchout request (", what, ")"));
}

}  // namespace

SessionBroker::SessionBroker(BrokerOptions options, CredentialsClient* credentials,
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
  for (const char* outcome :
       {"ok", "rejected", "supplier_error", "unavailable", "egress_denied", "invalid_response"}) {
    started_->Add({{"supplier", "amazon-business"}, {"outcome", outcome}});
  }
  for (const char* outcome : {"stored", "repeat", "conflict", "expired", "unknown", "invalid"}) {
    carts_->Add({{"outcome", outcome}});
  }
}

absl::StatusOr<std::vector<SupplierTile>> SessionBroker::ListSuppliers(const std::string& tenant) {
  return credentials_->ListActive(tenant);
}

absl::StatusOr<Session> SessionBroker::Start(const StartRequest& r) {
  IOB_RETURN_IF_ERROR(ValidateStart(r.user, r.operation, r.ship_to, r.lines));
  const std::string prefix = absl::StrCat("tenants/", r.tenant, "/integrations/");
  if (!absl::StartsWith(r.integration, prefix) || r.integration.size() == prefix.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("integration: must be ", prefix, "{integration}"));
  }
  IOB_ASSIGN_OR_RETURN(SupplierEndpoint endpoint, credentials_->Resolve(r.integration));

  Session s;
  s.tenant = r.tenant;
  s.id = RandomHex(12);
  s.integration = endpoint.integration;
  s.supplier = endpoint.supplier;
  s.user = r.user;
  s.operation = r.operation;
  s.buyer_cookie = RandomHex(16);
  const std::string token = RandomToken();
  s.post_token_sha256 = crypto::Sha256Hex(token);
  s.approval_required = endpoint.approval_required;
  s.request_id = r.request_id;
  s.expire_time = absl::Now() + options_.session_ttl;
  bool replayed = false;
  IOB_ASSIGN_OR_RETURN(Session stored, store_->Create(s, &replayed));
  if (replayed) return stored;

  std::string start_page_url, outcome = "ok";
  const auto t0 = std::chrono::steady_clock::now();
  const absl::Status sent = SendSetupRequest(
      stored, endpoint, r, absl::StrCat(options_.public_url, "/punchout/cart/", token),
      &start_page_url, &outcome);
  setup_seconds_->Add({{"supplier", s.supplier}}, runtime::LatencyBuckets())
      .Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  started_->Add({{"supplier", s.supplier}, {"outcome", outcome}}).Increment();
  if (!sent.ok()) {
    common::LogWarn("punchout setup failed", {{"tenant", s.tenant},
                                               {"session", s.id},
                                               {"supplier", s.supplier},
                                               {"outcome", outcome},
                                               {"error", std::string(sent.message())}});
    IOB_RETURN_IF_ERROR(store_->MarkFailed(stored, std::string(sent.message())));
    return sent;
  }
  IOB_RETURN_IF_ERROR(store_->MarkStarted(stored, start_page_url));
  common::LogInfo("punchout session started",
                   {{"tenant", s.tenant}, {"session", s.id}, {"supplier", s.supplier}});
  return store_->Get(s.tenant, s.id);
}

absl::Status SessionBroker::SendSetupRequest(const Session& session,
                                             const SupplierEndpoint& endpoint,
                                             const StartRequest& r, const std::string& post_url,
                                             std::string* start_page_url, std::string* outcome) {
  const absl::Time now = absl::Now();
  const cxml::Document doc = BuildSetupRequest(session, endpoint, post_url, r.ship_to, r.lines,
                                               cxml::NewPayloadId(now, options_.host_name), now);
  auto xml = cxml::WriteDocument(doc);
  if (!xml.ok()) {
    *outcome = "invalid_response";
    return absl::InternalError(
        absl::StrCat("cannot write PunchOutSetupRequest: ", xml.status().message()));
  }
  http::HttpRequest req;
  req.url = endpoint.punchout_url;
  req.body = *std::move(xml);
  req.content_type = "text/xml; charset=UTF-8";
  req.allowed_hosts = endpoint.allowed_hosts;
  auto resp = http_->Send(req);
  if (!resp.ok()) {
    const std::string detail(resp.status().message());
    switch (resp.status().code()) {
      case absl::StatusCode::kPermissionDenied:
      case absl::StatusCode::kInvalidArgument:
        *outcome = "egress_denied";
        return absl::FailedPreconditionError(
            absl::StrCat("supplier punchout URL refused: ", detail));
      case absl::StatusCode::kDeadlineExceeded:
        *outcome = "unavailable";
        return absl::UnavailableError("supplier did not answer in time");
      default:
        *outcome = "unavailable";
        return absl::UnavailableError(absl::StrCat("cannot reach supplier: ", detail));
    }
  }
  // Suppliers answer errors as cXML with HTTP 200 or with an HTTP error code;
  // read the cXML either way, and fall back to the HTTP status.
  auto doc_in = cxml::ReadDocument(resp->body);
  if (doc_in.ok() && !std::holds_alternative<cxml::Response>(doc_in->body)) {
    doc_in = absl::InvalidArgumentError(
        absl::StrCat("expected a cXML Response, got ",
                     std::string(cxml::DocumentTypeName(cxml::TypeOf(*doc_in)))));
  }
  if (!doc_in.ok()) {
    if (resp->status >= 500) {
      *outcome = "supplier_error";
      return absl::UnavailableError(absl::StrCat("supplier answered HTTP ", resp->status));
    }
    if (resp->status >= 400) {
      *outcome = "rejected";
      return absl::FailedPreconditionError(absl::StrCat("supplier answered HTTP ", resp->status));
    }
    *outcome = "invalid_response";
    return absl::UnavailableError(absl::StrCat("supplier sent an invalid response: ",
                                               Truncate(std::string(doc_in.status().message()))));
  }
  const auto& response = std::get<cxml::Response>(doc_in->body);
  IOB_RETURN_IF_ERROR(FromSupplierStatus(response.status, outcome));
  if (!response.punch_out_setup_response ||
      !(absl::StartsWith(response.punch_out_setup_response->start_page_url, "https://") ||
        absl::StartsWith(response.punch_out_setup_response->start_page_url, "http://"))) {
    *outcome = "invalid_response";
    return absl::UnavailableError("supplier response has no http(s) StartPage URL");
  }
  *start_page_url = response.punch_out_setup_response->start_page_url;
  return absl::OkStatus();
}

CartPostResult SessionBroker::ReceiveCart(const std::string& token, const std::string& body) {
  CartPostResult result;
  auto count = [&](const char* outcome) { carts_->Add({{"outcome", outcome}}).Increment(); };
  auto session = store_->FindByPostToken(crypto::Sha256Hex(token));
  if (!session.ok()) {
    count("unknown");
    result.http_status = session.status().code() == absl::StatusCode::kNotFound ? 404 : 503;
    result.message = result.http_status == 404 ? "This punchout session does not exist."
                                               : "The cart could not be stored; try again.";
    return result;
  }
  result.session = *session;
  const std::string body_sha = crypto::Sha256Hex(body);
  if (session->ExpiredAt(absl::Now())) {
    (void)store_->MarkExpired(*session);
    count("expired");
    result.http_status = 410;
    result.message =
        "This punchout session has expired. Start a new one from your procurement system.";
    return result;
  }
  switch (session->state) {
    case SessionState::kCartReceived:
    case SessionState::kCheckedOut:
      if (body_sha == session->cart_body_sha256) {
        count("repeat");
        result.message = "This cart was already received.";
        if (auto cart = store_->GetCart(session->tenant, session->id); cart.ok())
          result.cart = *cart;
        return result;
      }
      count("conflict");
      result.http_status = 409;
      result.message = "This punchout session already received a different cart.";
      return result;
    case SessionState::kExpired:
    case SessionState::kFailed:
      count("expired");
      result.http_status = 410;
      result.message = "This punchout session is no longer open. Start a new one.";
      return result;
    default:
      break;
  }
  auto invalid = [&](const std::string& why) {
    count("invalid");
    result.http_status = 400;
    result.message = why;
    return result;
  };
  auto xml = cxml::ExtractCxml(body);
  if (!xml.ok())
    return invalid(absl::StrCat("No cart found in the post: ", xml.status().message()));
  auto doc = cxml::ReadDocumentOfType(*xml, cxml::DocumentType::kPunchOutOrderMessage);
  if (!doc.ok())
    return invalid(absl::StrCat("The cart is not valid cXML: ", doc.status().message()));
  const auto& message = std::get<cxml::PunchOutOrderMessage>(doc->body);
  if (!crypto::ConstantTimeEquals(message.buyer_cookie, session->buyer_cookie)) {
    return invalid("The cart does not belong to this punchout session (BuyerCookie mismatch).");
  }
  auto cart = CartFromOrderMessage(message);
  if (!cart.ok()) return invalid(std::string(cart.status().message()));
  if (absl::Status st = store_->SaveCart(*session, *cart, body_sha); !st.ok()) {
    count("conflict");
    result.http_status = st.code() == absl::StatusCode::kAborted ? 409 : 503;
    result.message = result.http_status == 409 ? "This punchout session already received a cart."
                                               : "The cart could not be stored; try again.";
    return result;
  }
  count("stored");
  common::LogInfo("cart received", {{"tenant", session->tenant},
                                     {"session", session->id},
                                     {"lines", static_cast<int>(cart->lines.size())}});
  result.cart = *cart;
  result.session->state = SessionState::kCartReceived;
  return result;
}

absl::StatusOr<RequisitionDraft> SessionBroker::Checkout(const std::string& tenant,
                                                         const std::string& id) {
  IOB_ASSIGN_OR_RETURN(Session s, store_->Checkout(tenant, id));
  IOB_ASSIGN_OR_RETURN(Cart cart, store_->GetCart(tenant, id));
  return RequisitionDraft{std::move(s), std::move(cart)};
}

absl::StatusOr<int> SessionBroker::ExpireDue() {
  IOB_ASSIGN_OR_RETURN(int n, store_->ExpireDue());
  if (n > 0) expired_->Increment(n);
  return n;
}

}  // namespace iob::punchout
