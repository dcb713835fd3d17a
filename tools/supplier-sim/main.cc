// iob-supplier-sim: a stand-in for Amazon Business speaking cXML over HTTP
// (see README.md). main only wires flags, logging and signals to SupplierSim.
#include <pthread.h>

#include <csignal>
#include <cstdint>
#include <iostream>
#include <string>

#include "libs/common/flags.h"
#include "libs/common/logging.h"
#include "tools/supplier-sim/supplier_sim.h"

namespace {

int Run(int argc, char** argv) {
  using iob::common::LogError;
  using iob::common::LogInfo;
  std::string listen = "127.0.0.1:8200";
  std::string public_url;
  std::string cart_encoding = "urlencoded";
  std::string seed_group;
  int fault_seed = 1;
  int keep_documents = 50;
  std::string fulfillment_url;
  iob::common::Flags flags("iob-supplier-sim",
                           "A simulated Amazon Business punchout supplier speaking cXML.");
  flags.Add("listen", &listen, "address to serve HTTP on, host:port (port 0 picks a free one)");
  flags.Add("public-url", &public_url,
            "base URL written into StartPage and credential URLs (default http://<listen>)");
  flags.Add("cart-encoding", &cart_encoding,
            "how checkout posts the cart back: urlencoded (cxml-urlencoded) or base64 "
            "(cxml-base64); default for new groups");
  flags.Add("seed-group", &seed_group,
            "punchout groups to create at start: IDENTITY:SECRET[,IDENTITY:SECRET...]");
  flags.Add("fault-seed", &fault_seed, "seed of the fault-injection draws");
  flags.Add("keep-documents", &keep_documents, "received/sent documents kept per endpoint");
  flags.Add("fulfillment-url", &fulfillment_url,
            "where ConfirmationRequests and ShipNoticeRequests for accepted orders are posted "
            "(e.g. http://127.0.0.1:8103/cxml/fulfill); empty = nowhere until POST "
            "/admin/fulfillment");
  auto parsed = flags.Parse(argc, argv);
  if (!parsed.ok()) {
    if (parsed.status().code() == absl::StatusCode::kCancelled) return 0;
    std::cerr << parsed.status().message() << "\n" << flags.Usage();
    return 2;
  }
  iob::common::InitLogging("iob-supplier-sim");

  iob::sim::SimOptions options;
  auto address = iob::sim::ParseListenAddress(listen);
  auto encoding = iob::sim::ParseCartEncoding(cart_encoding);
  if (!address.ok() || !encoding.ok()) {
    std::cerr << (!address.ok() ? address.status() : encoding.status()).message() << "\n";
    return 2;
  }
  auto seeds = iob::sim::ParseSeedGroups(seed_group, *encoding);
  if (!seeds.ok() || keep_documents < 0) {
    std::cerr << (seeds.ok() ? "--keep-documents must be >= 0" : seeds.status().message()) << "\n";
    return 2;
  }
  if (absl::Status s = iob::sim::CheckFulfillmentUrl(fulfillment_url); !s.ok()) {
    std::cerr << "--fulfillment-" << s.message() << "\n";
    return 2;
  }
  options.host = address->first;
  options.port = address->second;
  options.public_url = public_url;
  options.cart_encoding = *encoding;
  options.seed_groups = *seeds;
  options.fault_seed = static_cast<uint64_t>(fault_seed);
  options.keep_documents = static_cast<size_t>(keep_documents);
  options.fulfillment_url = fulfillment_url;

  // Block the stop signals in every thread; this one waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  iob::sim::SupplierSim sim(options);
  auto port = sim.Start();
  if (!port.ok()) {
    LogError("cannot start", {{"error", std::string(port.status().message())}});
    return 1;
  }
  LogInfo("serving", {{"http_port", *port},
                      {"host", options.host},
                      {"public_url", sim.public_url()},
                      {"cart_encoding", cart_encoding},
                      {"fulfillment_url", fulfillment_url},
                      {"seed_groups", static_cast<int64_t>(options.seed_groups.size())}});

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  LogInfo("stopping", {{"signal", signal_number}});
  sim.Stop();
  LogInfo("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
