#include "services/dispatch/delivery_worker.h"

#include "absl/strings/str_cat.h"
#include "libs/common/logging.h"
#include "libs/cxml/timestamp.h"
#include "libs/supplier/exchange.h"

namespace iob::dispatch {
namespace {

using Kind = AttemptResult::Kind;

}  // namespace

DeliveryWorkers::DeliveryWorkers(WorkerOptions options, OrderStore* store,
                                 supplier::CachingCredentialsClient* credentials,
                                 http::HttpClient* http, DispatchMetrics* metrics)
    : options_(std::move(options)),
      store_(store),
      credentials_(credentials),
      http_(http),
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
  result.exchange.document_type = "OrderRequest";
  result.exchange.payload_id = claim.version.payload_id;
  result.exchange.time = start;

  supplier::ExchangeResult exchange;
  absl::StatusOr<supplier::SupplierEndpoint> endpoint = credentials_->Resolve(order.integration);
  if (!endpoint.ok()) {
    // Not sent: the vault is away, or the integration was disabled or
    // deleted since the order was accepted (an admin can put it right).
    exchange.outcome = supplier::Outcome::kNotSent;
    exchange.response =
        absl::Status(endpoint.status().code(),
                     absl::StrCat("cannot resolve the integration: ", endpoint.status().message()));
  } else {
    absl::StatusOr<cxml::Document> doc =
        BuildOrderRequest(order, claim.version, *endpoint, cxml::FormatTimestamp(start));
    if (!doc.ok()) {
      exchange.outcome = supplier::Outcome::kNotSent;
      exchange.response = doc.status();
    } else {
      supplier::ExchangeTarget target;
      target.url = endpoint->order_url;
      target.allowed_hosts = endpoint->allowed_hosts;
      target.purpose = "order";
      // A retry never rides on a connection that may have died.
      target.fresh_connection = order.attempt_count > 1;
      exchange = supplier::ExchangeDocument(*http_, *doc, target);
    }
  }

  const absl::Time now = absl::Now();
  result.attempt.outcome = std::string(supplier::OutcomeLabel(exchange.outcome));
  result.attempt.http_status = exchange.http_status;
  result.attempt.cxml_code = exchange.cxml_code;
  result.attempt.latency = exchange.latency;
  result.attempt.text =
      exchange.response.ok() ? "" : std::string(exchange.response.status().message());
  result.exchange.http_status = exchange.http_status;
  result.exchange.cxml_code = exchange.cxml_code;
  result.exchange.latency = exchange.latency;
  result.exchange.document = std::move(exchange.sent);
  result.exchange.answer = std::move(exchange.answer);
  metrics_->Attempt(result.attempt.outcome, exchange.http_status, exchange.cxml_code);

  switch (exchange.outcome) {
    case supplier::Outcome::kDelivered:
      result.kind = Kind::kDelivered;
      break;
    case supplier::Outcome::kRejected:
      result.kind = Kind::kRejected;
      result.reason = result.attempt.text;
      if (exchange.cxml_code == 401 || exchange.cxml_code == 403) {
        credentials_->Invalidate(order.integration);
      }
      break;
    case supplier::Outcome::kRefusedByPolicy:
      // Our configuration refuses the URL: no retry will change that.
      result.kind = Kind::kFailed;
      result.reason = result.attempt.text;
      break;
    case supplier::Outcome::kNotSent:
      if (endpoint.ok()) {
        // The document cannot be written: no retry will change that.
        result.kind = Kind::kFailed;
        result.reason = result.attempt.text;
        break;
      }
      // The vault is away, or an admin may re-enable the integration: retry.
      [[fallthrough]];
    case supplier::Outcome::kSupplierError:
    case supplier::Outcome::kUnreachable:
    case supplier::Outcome::kBadAnswer: {
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

}  // namespace iob::dispatch
