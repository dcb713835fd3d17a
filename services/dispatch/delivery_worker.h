// The outbox's delivery side: worker threads that claim due orders from the
// store (FOR UPDATE SKIP LOCKED, with a lease), send each one's next version
// (a cXML OrderRequest to the supplier's PO request URL, or the purchase
// order PDF e-mailed to its order address), classify the answer and record
// the attempt. Any number of processes may run workers on
// one database; an order held by a process that died is taken again when its
// lease runs out.
#ifndef IOB_SERVICES_DISPATCH_DELIVERY_WORKER_H_
#define IOB_SERVICES_DISPATCH_DELIVERY_WORKER_H_

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/http/client.h"
#include "libs/mail/smtp_client.h"
#include "libs/supplier/caching_credentials_client.h"
#include "services/dispatch/dispatch_metrics.h"
#include "services/dispatch/order.h"
#include "services/dispatch/order_store.h"

namespace iob::dispatch {

struct WorkerOptions {
  int workers = 4;
  // How long a claim is held; an attempt must end well within it (the
  // supplier timeout is checked against it at start-up).
  absl::Duration lease = absl::Seconds(60);
  // How often an idle worker looks for due orders (SubmitOrder in this
  // process wakes one at once).
  absl::Duration poll_interval = absl::Milliseconds(250);
  // Orders one claim takes (sent one after the other).
  int claim_batch = 1;
  RetryPolicy retry;
  // The envelope and From address of e-mailed orders.
  std::string mail_from;
  // Prefix of the lease owner names ("<host>:<pid>"); each thread adds "/<n>".
  std::string name;
};

// Thread-safe: Wake may be called from any thread.
class DeliveryWorkers {
 public:
  // Borrows everything. A secret is resolved through `credentials`' cache;
  // the entry is dropped when the supplier refuses our credentials, so a
  // rotated secret is used at the next attempt.
  // `smtp` may be null: no relay configured (orders by e-mail then wait,
  // retried, with the reason recorded).
  DeliveryWorkers(WorkerOptions options, OrderStore* store,
                  supplier::CachingCredentialsClient* credentials, http::HttpClient* http,
                  const mail::SmtpClient* smtp, DispatchMetrics* metrics);
  ~DeliveryWorkers();

  // Starts the worker threads.
  void Start();
  // Stops taking new claims and waits for the attempts in flight to end.
  void Stop();
  // Wakes an idle worker (an order was just submitted).
  void Wake();

  // Sends one claimed delivery and records it. Exposed for tests.
  void Deliver(const Claim& claim);

 private:
  // What one attempt to hand a version over came to, before the retry
  // policy.
  enum class Verdict { kDelivered, kRejected, kTransient, kPermanent };

  void Run(int index);
  // Sends the claimed version by its channel, filling `result`'s attempt
  // and exchange.
  Verdict SendCxml(const Claim& claim, const supplier::SupplierEndpoint& endpoint,
                   AttemptResult& result);
  Verdict SendByMail(const Claim& claim, const supplier::SupplierEndpoint& endpoint,
                     AttemptResult& result);
  // Waits until woken, stopped or `timeout`; true when stopping.
  bool Idle(absl::Duration timeout);

  const WorkerOptions options_;
  OrderStore* const store_;
  supplier::CachingCredentialsClient* const credentials_;
  http::HttpClient* const http_;
  const mail::SmtpClient* const smtp_;
  DispatchMetrics* const metrics_;

  absl::Mutex mu_;
  absl::CondVar wake_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int wakeups_ ABSL_GUARDED_BY(mu_) = 0;
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_;
};

}  // namespace iob::dispatch

#endif  // IOB_SERVICES_DISPATCH_DELIVERY_WORKER_H_
