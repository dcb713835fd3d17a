#include "tools/supplier-sim/supplier_sim.h"

#include <csignal>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/common/status_macros.h"

namespace iob::sim {
namespace {

http::HttpServerOptions ServerOptions(const SimOptions& o) {
  http::HttpServerOptions s;
  s.host = o.host;
  s.port = o.port;
  s.threads = o.threads;
  s.max_body_bytes = 4u << 20;
  // Idle keep-alive connections hold a stop for up to this long.
  s.keep_alive_timeout = absl::Seconds(1);
  return s;
}

// The token pattern of StartPage URLs (random_ids.h: 32 hex characters).
constexpr char kToken[] = "([0-9a-f]{32})";

}  // namespace

absl::StatusOr<std::pair<std::string, int>> ParseListenAddress(std::string_view text) {
  std::string host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find("]:");
    if (close == std::string_view::npos) {
      return absl::InvalidArgumentError("--listen: expected [v6-address]:port");
    }
    host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return absl::InvalidArgumentError("--listen: expected host:port");
    }
    host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  if (host.empty()) host = "127.0.0.1";
  int port = -1;
  if (!absl::SimpleAtoi(std::string(port_text), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError("--listen: bad port");
  }
  return std::make_pair(host, port);
}

absl::StatusOr<std::vector<Group>> ParseSeedGroups(std::string_view text, CartEncoding encoding) {
  std::vector<Group> out;
  for (const std::string& item :
       std::vector<std::string>(absl::StrSplit(std::string(text), ',', absl::SkipEmpty()))) {
    size_t colon = item.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == item.size()) {
      return absl::InvalidArgumentError("--seed-group: expected IDENTITY:SECRET[,...]");
    }
    out.push_back({item.substr(0, colon), item.substr(colon + 1), encoding});
  }
  return out;
}

SupplierSim::SupplierSim(SimOptions options)
    : options_(std::move(options)),
      catalog_(Catalog::Default()),
      sessions_(options_.max_sessions),
      traffic_(options_.keep_documents),
      faults_({PunchOutEndpoint::kName, OrderEndpoint::kName, ShopPages::kShopName,
               ShopPages::kCartName, ShopPages::kCheckoutName},
              options_.fault_seed),
      effects_(&stopping_),
      orders_(options_.max_orders),
      invoicer_(traffic_, options_.keep_documents),
      fulfiller_(traffic_, {},
                 [this](const AcceptedOrder& order) { invoicer_.OrderShipped(order); }),
      punchout_(Context()),
      order_(Context(), orders_, fulfiller_),
      shop_(Context()),
      admin_(Context(), orders_, fulfiller_, invoicer_),
      server_(ServerOptions(options_)) {}

SupplierSim::~SupplierSim() { Stop(); }

SimContext SupplierSim::Context() {
  return SimContext{catalog_, groups_,  sessions_,   traffic_,
                    faults_,  effects_, public_url_, options_.cart_encoding};
}

void SupplierSim::Route() {
  using Req = const httplib::Request&;
  using Res = httplib::Response&;
  server_.Post("/punchout", [this](Req q, Res r) { punchout_.Handle(q, r); });
  server_.Post("/order", [this](Req q, Res r) { order_.Handle(q, r); });
  server_.Get(absl::StrCat("/shop/", kToken), [this](Req q, Res r) { shop_.HandlePage(q, r); });
  server_.Post(absl::StrCat("/shop/", kToken, "/cart"),
               [this](Req q, Res r) { shop_.HandleCart(q, r); });
  server_.Post(absl::StrCat("/shop/", kToken, "/checkout"),
               [this](Req q, Res r) { shop_.HandleCheckout(q, r); });

  server_.Post("/admin/groups", [this](Req q, Res r) { admin_.CreateGroup(q, r); });
  server_.Get("/admin/groups", [this](Req q, Res r) { admin_.ListGroups(q, r); });
  server_.Post("/admin/groups/([A-Za-z0-9._:@-]+)",
               [this](Req q, Res r) { admin_.UpdateGroup(q, r); });
  server_.Get("/admin/faults", [this](Req q, Res r) { admin_.GetFaults(q, r); });
  server_.Post("/admin/faults", [this](Req q, Res r) { admin_.SetFaults(q, r); });
  server_.Post("/admin/faults/clear", [this](Req q, Res r) { admin_.ClearFaults(q, r); });
  server_.Get("/admin/stats", [this](Req q, Res r) { admin_.GetStats(q, r); });
  server_.Post("/admin/stats/reset", [this](Req q, Res r) { admin_.ResetStats(q, r); });
  server_.Get("/admin/received", [this](Req q, Res r) { admin_.GetReceived(q, r); });
  server_.Get("/admin/sent", [this](Req q, Res r) { admin_.GetSent(q, r); });
  server_.Get(absl::StrCat("/admin/sessions/", kToken),
              [this](Req q, Res r) { admin_.GetSession(q, r); });
  server_.Get("/admin/orders", [this](Req q, Res r) { admin_.ListOrders(q, r); });
  server_.Get("/admin/orders/(.+)", [this](Req q, Res r) { admin_.GetOrder(q, r); });
  server_.Get("/admin/fulfillment", [this](Req q, Res r) { admin_.GetFulfillment(q, r); });
  server_.Post("/admin/fulfillment", [this](Req q, Res r) { admin_.SetFulfillment(q, r); });
  server_.Get("/admin/invoicing", [this](Req q, Res r) { admin_.GetInvoicing(q, r); });
  server_.Post("/admin/invoicing", [this](Req q, Res r) { admin_.SetInvoicing(q, r); });
  server_.Post("/admin/invoicing/clear", [this](Req q, Res r) { admin_.ClearInvoicing(q, r); });
  server_.Get("/admin/invoices", [this](Req q, Res r) { admin_.ListInvoices(q, r); });
  server_.Get("/healthz", [](Req, Res r) { r.set_content("ok\n", "text/plain"); });
}

absl::StatusOr<int> SupplierSim::Start() {
  for (const Group& g : options_.seed_groups) {
    absl::Status s = groups_.Add(g);
    if (!s.ok()) return s;
  }
  IOB_RETURN_IF_ERROR(CheckFulfillmentUrl(options_.fulfillment_url));
  FulfillmentSettings fulfillment;
  fulfillment.url = options_.fulfillment_url;
  fulfiller_.set_settings(std::move(fulfillment));
  invoicer_.Start();
  fulfiller_.Start();
  // A reset connection makes httplib's next write raise SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  auto url_for = [this](int port) {
    if (!options_.public_url.empty()) return options_.public_url;
    std::string host =
        options_.host == "0.0.0.0" || options_.host == "::" ? "127.0.0.1" : options_.host;
    if (host.find(':') != std::string::npos) host = absl::StrCat("[", host, "]");
    return absl::StrCat("http://", host, ":", port);
  };
  if (options_.port != 0) public_url_.Set(url_for(options_.port));
  Route();
  absl::StatusOr<int> port = server_.Start();
  if (!port.ok()) return port.status();
  public_url_.Set(url_for(*port));
  return *port;
}

void SupplierSim::Stop() {
  if (!stopping_.HasBeenNotified()) stopping_.Notify();
  fulfiller_.Stop();
  invoicer_.Stop();
  server_.Stop();
}

}  // namespace iob::sim
