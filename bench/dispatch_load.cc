// End-to-end load on dispatch: `--concurrency` callers submit approved orders
// (SubmitOrder, each with its own PO number under a run id, one or two lines
// and an approver), then the driver waits until none of them is QUEUED or
// SENDING any more (one ListOrders row per state and poll: the newest) and
// reads the run's DELIVERED orders (the supplier acknowledged them) once,
// paging ListOrders(state = DELIVERED, 1000 a page). A full DELIVERED scan
// per poll would cost the service O(orders) each time and slow the delivery
// it measures. The figures:
//   - submit rate and SubmitOrder latency (client clock);
//   - delivered orders/s = orders / (first submit -> the last one delivered,
//     its server update_time);
//   - submit -> delivered p50 / p99 per order (update_time - create_time,
//     both server timestamps).
// The baseline is pgbench's TPS on the same Postgres, measured by the caller
// (./iob bench) and passed in as --baseline-tps; the ratio is ours over it.
//   dispatch_load --addr 127.0.0.1:7103 --token-file T
//     --integration tenants/acme/integrations/sim --orders 5000 --baseline-tps 1500
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <functional>
#include <map>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "bench/load_driver.h"
#include "iob/dispatch/v1/dispatch_service.grpc.pb.h"
#include "libs/common/flags.h"
#include "libs/common/status_macros.h"
#include "libs/runtime/proto_time.h"
#include "libs/runtime/service_host.h"

namespace pb = iob::dispatch::v1;

namespace {

// The `percent` percentile of sorted values (0 when empty), as load_driver
// computes it.
double Quantile(const std::vector<double>& sorted, int percent) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1, sorted.size() * percent / 100)];
}

// Order `i` of the run: one line for even i, two for odd, with an approver
// (the integration may require workflow approval) and a ShipTo (Amazon
// rejects orders without one).
pb::SubmitOrderRequest MakeRequest(const std::string& tenant, const std::string& integration,
                                   const std::string& run_id, long i) {
  pb::SubmitOrderRequest req;
  req.set_parent("tenants/" + tenant);
  req.set_integration(integration);
  req.set_request_id(absl::StrCat(run_id, "-", i));
  pb::OrderContent* o = req.mutable_order();
  o->set_po_number(absl::StrCat(run_id, "-", i));
  o->set_currency("USD");
  for (int n = 1; n <= 1 + i % 2; ++n) {
    auto* line = o->add_lines();
    line->set_line_number(n);
    line->set_quantity("2");
    line->set_supplier_part_id(absl::StrCat("B0SIM-", n));
    line->set_description(absl::StrCat("Bench item ", n));
    line->mutable_unit_price()->set_amount("10.50");
    line->mutable_unit_price()->set_currency("USD");
    line->set_unit_of_measure("EA");
  }
  auto* ship = o->mutable_ship_to();
  ship->set_name("Receiving dock 4");
  ship->add_street("1 Main St");
  ship->set_city("Springfield");
  ship->set_state("IL");
  ship->set_postal_code("62701");
  ship->set_country_code("US");
  *o->mutable_bill_to() = *ship;
  o->mutable_bill_to()->set_name("Accounts Payable");
  o->mutable_contact()->set_email("pat@acme.example");
  auto* approver = req.mutable_approval()->mutable_approver();
  approver->mutable_approver()->set_email("boss@acme.example");
  *approver->mutable_approve_time() = iob::runtime::ToProtoTime(absl::Now());
  return req;
}

// What the submit phase did.
struct Submitted {
  long ok = 0;
  long errors = 0;
  std::vector<double> latencies_ms;  // sorted
  absl::Time start;
  absl::Time end;
};

// Submits orders from `concurrency` threads until `orders` are taken (or,
// when `duration` is positive, until it has passed).
Submitted SubmitAll(pb::DispatchService::Stub& stub, const std::string& token,
                    const std::string& tenant, const std::string& integration,
                    const std::string& run_id, int concurrency, long orders,
                    absl::Duration duration) {
  std::atomic<long> next{0};
  std::atomic<long> ok{0}, errors{0};
  std::vector<std::vector<double>> latencies(concurrency);
  std::vector<std::thread> threads;
  absl::Mutex mu;
  std::string first_error;
  Submitted s;
  s.start = absl::Now();
  const absl::Time deadline = s.start + duration;
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&, t] {
      for (;;) {
        const long i = next.fetch_add(1);
        if (duration > absl::ZeroDuration() ? absl::Now() >= deadline : i >= orders) return;
        const pb::SubmitOrderRequest req = MakeRequest(tenant, integration, run_id, i);
        grpc::ClientContext ctx;
        ctx.AddMetadata("authorization", "Bearer " + token);
        pb::Order resp;
        const absl::Time t0 = absl::Now();
        const grpc::Status st = stub.SubmitOrder(&ctx, req, &resp);
        latencies[t].push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
        if (st.ok()) {
          ++ok;
        } else {
          ++errors;
          absl::MutexLock lock(&mu);
          if (first_error.empty()) first_error = st.error_message();
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  s.end = absl::Now();
  s.ok = ok;
  s.errors = errors;
  for (const auto& l : latencies) s.latencies_ms.insert(s.latencies_ms.end(), l.begin(), l.end());
  std::sort(s.latencies_ms.begin(), s.latencies_ms.end());
  if (!first_error.empty())
    std::fprintf(stderr, "first SubmitOrder error: %s\n", first_error.c_str());
  return s;
}

// An order of this run seen DELIVERED: its server timestamps.
struct Delivered {
  absl::Time create;
  absl::Time update;
};

// Reads the orders of `integration` in `state`, newest first, page by page,
// calling `visit` for each one created at or after `since` (paging stops at
// the first older one) until it returns false. Errors: ListOrders' status.
absl::Status ListSince(pb::DispatchService::Stub& stub, const std::string& token,
                       const std::string& tenant, const std::string& integration,
                       pb::OrderState state, int page_size, absl::Time since,
                       const std::function<bool(const pb::Order&)>& visit) {
  pb::ListOrdersRequest req;
  req.set_parent("tenants/" + tenant);
  req.set_integration(integration);
  req.set_state(state);
  req.set_page_size(page_size);
  for (;;) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    pb::ListOrdersResponse resp;
    const grpc::Status st = stub.ListOrders(&ctx, req, &resp);
    if (!st.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(st.error_code()),
                          "ListOrders: " + st.error_message());
    }
    for (const pb::Order& o : resp.orders()) {
      if (iob::runtime::FromProtoTime(o.create_time()) < since || !visit(o)) {
        return absl::OkStatus();
      }
    }
    if (resp.next_page_token().empty()) return absl::OkStatus();
    req.set_page_token(resp.next_page_token());
  }
}

// Waits until no order of this run (PO numbers starting with `po_prefix`,
// created at or after `since`) is QUEUED or SENDING, reading one order per
// state each `poll` (the newest one in that state), so waiting costs the
// service next to nothing. False when `timeout` passed first.
absl::StatusOr<bool> WaitUntilSettled(pb::DispatchService::Stub& stub, const std::string& token,
                                      const std::string& tenant, const std::string& integration,
                                      const std::string& po_prefix, absl::Time since,
                                      absl::Duration poll, absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  for (;;) {
    bool pending = false;
    for (pb::OrderState state : {pb::ORDER_STATE_QUEUED, pb::ORDER_STATE_SENDING}) {
      IOB_RETURN_IF_ERROR(
          ListSince(stub, token, tenant, integration, state, 1, since, [&](const pb::Order& o) {
            if (absl::StartsWith(o.content().po_number(), po_prefix)) {
              pending = true;
            }
            return !pending;
          }));
    }
    if (!pending) return true;
    if (absl::Now() >= give_up) return false;
    absl::SleepFor(poll);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string addr = "127.0.0.1:7103", token_file, tenant = "acme", integration, run_id,
              name = "dispatch", baseline_tps_text = "0";
  int concurrency = 16, orders = 5000;
  absl::Duration duration = absl::ZeroDuration(), poll_interval = absl::Milliseconds(250),
                 delivery_timeout = absl::Minutes(5);
  iob::common::Flags flags("dispatch_load",
                           "End-to-end load on dispatch: submit orders, wait until delivered.");
  flags.Add("addr", &addr, "dispatch service address");
  flags.Add("token-file", &token_file, "bearer token with orders.read and orders.write");
  flags.Add("tenant", &tenant, "tenant");
  flags.Add("integration", &integration, "integration resource name (its order URL is the sim)");
  flags.Add("orders", &orders, "orders to submit (unless --duration is set)");
  flags.Add("duration", &duration, "submit for this long instead of a fixed number of orders");
  flags.Add("concurrency", &concurrency, "concurrent submitters");
  flags.Add("run-id", &run_id, "PO number prefix of this run (default: random)");
  flags.Add("name", &name, "row name prefix, e.g. the simulator latency");
  flags.Add("baseline-tps", &baseline_tps_text, "pgbench TPS measured in the same run");
  flags.Add("poll-interval", &poll_interval, "how often undelivered orders are looked for");
  flags.Add("delivery-timeout", &delivery_timeout,
            "longest wait for the last delivery (what is not delivered by then counts as errors)");
  if (!flags.Parse(argc, argv).ok()) return 2;
  double baseline_tps = 0;
  if (!absl::SimpleAtod(baseline_tps_text, &baseline_tps) || concurrency < 1 || orders < 1) {
    std::fprintf(stderr, "--baseline-tps must be a number, --concurrency and --orders >= 1\n");
    return 2;
  }
  auto token_text = iob::runtime::ReadFile(token_file);
  if (!token_text.ok()) {
    std::fprintf(stderr, "--token-file: %s\n", token_text.status().ToString().c_str());
    return 2;
  }
  const std::string token(absl::StripAsciiWhitespace(*token_text));
  if (run_id.empty()) run_id = absl::StrCat("bench-", absl::ToUnixMicros(absl::Now()));

  auto channel = grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
  auto stub = pb::DispatchService::NewStub(channel);

  // Submit first, then read: listing while submitting would load the service
  // we measure, and the end time comes from the server's update_time anyway.
  const Submitted sub =
      SubmitAll(*stub, token, tenant, integration, run_id, concurrency, orders, duration);
  const std::string po_prefix = run_id + "-";
  const absl::Time since = sub.start - absl::Seconds(1);
  absl::StatusOr<bool> settled = WaitUntilSettled(*stub, token, tenant, integration, po_prefix,
                                                  since, poll_interval, delivery_timeout);
  std::map<std::string, Delivered> delivered;
  absl::Status scan = settled.status();
  if (scan.ok()) {
    if (!*settled) std::fprintf(stderr, "orders still undelivered after --delivery-timeout\n");
    scan = ListSince(*stub, token, tenant, integration, pb::ORDER_STATE_DELIVERED, 1000, since,
                     [&](const pb::Order& o) {
                       if (absl::StartsWith(o.content().po_number(), po_prefix)) {
                         delivered.emplace(o.name(),
                                           Delivered{iob::runtime::FromProtoTime(o.create_time()),
                                                     iob::runtime::FromProtoTime(o.update_time())});
                       }
                       return true;
                     });
  }
  if (!scan.ok()) std::fprintf(stderr, "%s\n", scan.ToString().c_str());

  absl::Time last = sub.start;
  std::vector<double> e2e_ms;
  for (const auto& [order, d] : delivered) {
    last = std::max(last, d.update);
    e2e_ms.push_back(absl::ToDoubleMilliseconds(d.update - d.create));
  }
  std::sort(e2e_ms.begin(), e2e_ms.end());
  const double submit_seconds = absl::ToDoubleSeconds(sub.end - sub.start);
  const double e2e_seconds = absl::ToDoubleSeconds(last - sub.start);

  std::vector<iob::bench::LoadResult> rows(3);
  rows[0] = {.name = "pgbench TPC-B (baseline)", .per_second = baseline_tps};
  rows[1] = {.name = name + " SubmitOrder",
             .calls = sub.ok + sub.errors,
             .errors = sub.errors,
             .per_second = submit_seconds > 0 ? sub.ok / submit_seconds : 0,
             .p50_ms = Quantile(sub.latencies_ms, 50),
             .p99_ms = Quantile(sub.latencies_ms, 99)};
  rows[2] = {.name = name + " delivered e2e",
             .calls = static_cast<long>(delivered.size()),
             .errors = sub.ok - static_cast<long>(delivered.size()),
             .per_second = e2e_seconds > 0 ? delivered.size() / e2e_seconds : 0,
             .p50_ms = Quantile(e2e_ms, 50),
             .p99_ms = Quantile(e2e_ms, 99)};
  std::printf(
      "concurrency %d, %ld orders submitted in %.2f s, last delivered %.2f s after the "
      "first submit (p50/p99 of the e2e row: submit -> delivered)\n",
      concurrency, sub.ok, submit_seconds, e2e_seconds);
  iob::bench::PrintResults(rows);
  std::printf(
      "{\"load\":\"%s\",\"concurrency\":%d,\"submitted\":%ld,\"submit_errors\":%ld,"
      "\"submit_per_second\":%.1f,\"submit_p50_ms\":%.3f,\"submit_p99_ms\":%.3f,"
      "\"delivered\":%ld,\"delivered_per_second\":%.1f,\"e2e_p50_ms\":%.3f,\"e2e_p99_ms\":%.3f,"
      "\"baseline_tps\":%.1f,\"ratio\":%.3f}\n",
      name.c_str(), concurrency, sub.ok, sub.errors, rows[1].per_second, rows[1].p50_ms,
      rows[1].p99_ms, rows[2].calls, rows[2].per_second, rows[2].p50_ms, rows[2].p99_ms,
      baseline_tps, baseline_tps > 0 ? rows[2].per_second / baseline_tps : 0);
  return sub.errors == 0 && rows[2].errors == 0 && scan.ok() ? 0 : 1;
}
