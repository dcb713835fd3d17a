#include "services/dispatch/delivery_worker.h"

#include "absl/strings/str_cat.h"
#include "libs/common/logging.h"
#include "libs/cxml/timestamp.h"
#include "libs/supplier/exchange.h"
#include "services/dispatch/order_mail.h"

namespace iob::dispatch {
namespace {

using Kind = AttemptResult::Kind;

}  // namespace

DeliveryWorkers::DeliveryWorkers(WorkerOptions options, OrderStore* store,
                                 supplier::CachingCredentialsClient* credentials,
                                 http::HttpClient* http, const mail::SmtpClient* smtp,
                                 DispatchMetrics* metrics)
    : options_(std::move(options)),
      store_(store),
      credentials_(credentials),
      http_(http),
      smtp_(smtp),
      metrics_(metrics),
      rng_(std::random_device{}()) {}

DeliveryWorkers::~DeliveryWorkers() { Stop(); }

void DeliveryWorkers::Start() {
  for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this, i] { Run(i); });
}

void DeliveryWorkers::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    wake_.SignalAll();
  }
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

void DeliveryWorkers::Wake() {
  absl::MutexLock lock(&mu_);
  // One idle worker per new order: waking them all would send every one of
  // them to the database to find a single order.
  if (wakeups_ < options_.workers) ++wakeups_;
  wake_.Signal();
}

bool DeliveryWorkers::Idle(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  if (!stopping_ && wakeups_ == 0) wake_.WaitWithTimeout(&mu_, timeout);
  if (wakeups_ > 0) --wakeups_;
  return stopping_;
}

void DeliveryWorkers::Run(int index) {
  const std::string worker = absl::StrCat(options_.name, "/", index);
  absl::Time last_error_log = absl::InfinitePast();
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
    }
    absl::StatusOr<std::vector<Claim>> claims =
        store_->ClaimDue(worker, options_.lease, options_.claim_batch);
    if (!claims.ok()) {
      // The database is away: say so once in a while, and keep trying.
      if (absl::Now() - last_error_log > absl::Seconds(10)) {
        common::LogWarn("claiming orders failed",
                        {{"worker", worker}, {"error", claims.status().ToString()}});
        last_error_log = absl::Now();
      }
      if (Idle(options_.poll_interval)) return;
      continue;
    }
    if (claims->empty()) {
      if (Idle(options_.poll_interval)) return;
      continue;
    }
    for (const Claim& claim : *claims) Deliver(claim);
  }
}

void DeliveryWorkers::Deliver(const Claim& claim) {
  const Order& order = claim.order;
  const absl::Time start = absl::Now();
  AttemptResult result;
  result.attempt.version = claim.version.version;
  result.attempt.start_time = start;
  result.exchange.direction = "out";
  result.exchange.time = start;

  Verdict verdict = Verdict::kTransient;
  absl::StatusOr<supplier::SupplierEndpoint> endpoint = credentials_->Resolve(order.integration);
  if (!endpoint.ok()) {
    // Not sent: the vault is away, or the integration was disabled or
    // deleted since the order was accepted (an admin can put it right).
    result.attempt.outcome = std::string(supplier::OutcomeLabel(supplier::Outcome::kNotSent));
    result.attempt.text =
        absl::StrCat("cannot resolve the integration: ", endpoint.status().message());
    verdict = Verdict::kTransient;
  } else if (order.channel == Channel::kEmail) {
    verdict = SendByMail(claim, *endpoint, result);
  } else {
    verdict = SendCxml(claim, *endpoint, result);
  }
  const absl::Time now = absl::Now();
  metrics_->Attempt(result.attempt.outcome, result.attempt.http_status, result.attempt.cxml_code,
                    result.attempt.smtp_code);

  switch (verdict) {
    case Verdict::kDelivered:
      result.kind = Kind::kDelivered;
      break;
    case Verdict::kRejected:
      result.kind = Kind::kRejected;
      result.reason = result.attempt.text;
      break;
    case Verdict::kPermanent:
      // No retry will change it.
      result.kind = Kind::kFailed;
      result.reason = result.attempt.text;
      break;
    case Verdict::kTransient: {
      result.kind = Kind::kRetry;
      result.reason = result.attempt.text;
      const absl::Time first = order.first_attempt_time.value_or(start);
      if (options_.retry.Exhausted(order.attempt_count, first, now)) {
        result.kind = Kind::kFailed;
        result.reason =
            absl::StrCat("gave up after ", order.attempt_count, " attempts over ",
                         absl::FormatDuration(absl::Trunc(now - first, absl::Seconds(1))),
                         "; last: ", result.attempt.text);
      } else {
        absl::Duration delay;
        {
          absl::MutexLock lock(&mu_);
          delay = options_.retry.NextDelay(order.attempt_count, rng_);
        }
        result.next_attempt_time = now + delay;
      }
      break;
    }
  }

  absl::Status st = store_->FinishAttempt(claim, result);
  if (!st.ok()) {
    // The lease runs out and another worker (or this one) sends it again,
    // with the same payloadID.
    common::LogWarn("recording an attempt failed",
                    {{"order", order.Name()}, {"error", st.ToString()}});
    return;
  }
  if (result.kind == Kind::kDelivered && claim.version.version == 1) {
    metrics_->Delivered(order.test, now - order.create_time);
  }
  if (result.kind == Kind::kFailed) {
    metrics_->DeadLetter(order.test);
    common::LogWarn("order failed (dead letter)",
                    {{"order", order.Name()}, {"reason", result.reason}});
  }
}

DeliveryWorkers::Verdict DeliveryWorkers::SendCxml(const Claim& claim,
                                                   const supplier::SupplierEndpoint& endpoint,
                                                   AttemptResult& result) {
  const Order& order = claim.order;
  result.exchange.document_type = "OrderRequest";
  result.exchange.payload_id = claim.version.payload_id;
  supplier::ExchangeResult exchange;
  absl::StatusOr<cxml::Document> doc = BuildOrderRequest(
      order, claim.version, endpoint, cxml::FormatTimestamp(result.attempt.start_time));
  if (!doc.ok()) {
    exchange.outcome = supplier::Outcome::kNotSent;
    exchange.response = doc.status();
  } else {
    supplier::ExchangeTarget target;
    target.url = endpoint.order_url;
    target.allowed_hosts = endpoint.allowed_hosts;
    target.purpose = "order";
    // A retry never rides on a connection that may have died.
    target.fresh_connection = order.attempt_count > 1;
    exchange = supplier::ExchangeDocument(*http_, *doc, target);
  }
  result.attempt.outcome = std::string(supplier::OutcomeLabel(exchange.outcome));
  result.attempt.http_status = result.exchange.http_status = exchange.http_status;
  result.attempt.cxml_code = result.exchange.cxml_code = exchange.cxml_code;
  result.attempt.latency = result.exchange.latency = exchange.latency;
  result.attempt.text =
      exchange.response.ok() ? "" : std::string(exchange.response.status().message());
  result.exchange.document = std::move(exchange.sent);
  result.exchange.answer = std::move(exchange.answer);

  switch (exchange.outcome) {
    case supplier::Outcome::kDelivered:
      return Verdict::kDelivered;
    case supplier::Outcome::kRejected:
      if (exchange.cxml_code == 401 || exchange.cxml_code == 403) {
        credentials_->Invalidate(order.integration);
      }
      return Verdict::kRejected;
    case supplier::Outcome::kRefusedByPolicy:  // our configuration refuses the URL
    case supplier::Outcome::kNotSent:          // the document cannot be written
      return Verdict::kPermanent;
    case supplier::Outcome::kSupplierError:
    case supplier::Outcome::kUnreachable:
    case supplier::Outcome::kBadAnswer:
      break;
  }
  return Verdict::kTransient;
}

DeliveryWorkers::Verdict DeliveryWorkers::SendByMail(const Claim& claim,
                                                     const supplier::SupplierEndpoint& endpoint,
                                                     AttemptResult& result) {
  const Order& order = claim.order;
  result.exchange.document_type = "OrderEmail";
  if (smtp_ == nullptr || endpoint.order_email.empty()) {
    // Configuration an operator or admin can put right: retry until then.
    result.attempt.outcome = std::string(supplier::OutcomeLabel(supplier::Outcome::kNotSent));
    result.attempt.text =
        smtp_ == nullptr
            ? "this dispatch has no SMTP relay (--smtp-url) for an order by e-mail"
            : absl::StrCat("integration ", endpoint.integration, " has no order e-mail");
    return Verdict::kTransient;
  }
  absl::StatusOr<std::string> pdf = RenderOrderPdf(order, claim.version, endpoint);
  if (!pdf.ok()) {
    result.attempt.outcome = std::string(supplier::OutcomeLabel(supplier::Outcome::kNotSent));
    result.attempt.text = absl::StrCat("cannot render the PDF: ", pdf.status().message());
    return Verdict::kPermanent;
  }
  mail::OutgoingMessage message = OrderMail(order, claim.version, endpoint, options_.mail_from,
                                            *std::move(pdf), result.attempt.start_time);
  result.exchange.payload_id = message.message_id;
  result.exchange.document = MailRecord(message);
  absl::StatusOr<std::string> composed = mail::Compose(message);
  if (!composed.ok()) {
    result.attempt.outcome = std::string(supplier::OutcomeLabel(supplier::Outcome::kNotSent));
    result.attempt.text = absl::StrCat("cannot compose the e-mail: ", composed.status().message());
    return Verdict::kPermanent;
  }
  const mail::SendResult sent = smtp_->Send(options_.mail_from, {endpoint.order_email}, *composed);
  result.attempt.smtp_code = result.exchange.smtp_code = sent.reply_code;
  result.attempt.latency = result.exchange.latency = sent.latency;
  result.attempt.text = sent.outcome == mail::SendOutcome::kDelivered ? "" : sent.reply_text;
  result.exchange.answer = sent.reply_text;
  switch (sent.outcome) {
    case mail::SendOutcome::kDelivered:
      result.attempt.outcome = "ok";
      return Verdict::kDelivered;
    case mail::SendOutcome::kTransient:
      result.attempt.outcome = "smtp_transient";
      return Verdict::kTransient;
    case mail::SendOutcome::kPermanent:
      result.attempt.outcome = "smtp_permanent";
      return Verdict::kPermanent;
    case mail::SendOutcome::kUnreachable:
      break;
  }
  result.attempt.outcome = std::string(supplier::OutcomeLabel(supplier::Outcome::kUnreachable));
  return Verdict::kTransient;
}

}  // namespace iob::dispatch
