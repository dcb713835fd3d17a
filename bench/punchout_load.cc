// Load on punchout StartSession at a fixed concurrency, beside the supplier
// simulator's own punchout endpoint driven directly by the same driver with
// an equivalent PunchOutSetupRequest (the baseline). The ratio is iob's
// overhead: credentials resolve, two session writes, egress checks.
//   punchout_load --punchout-addr A --token-file T --tenant acme
//     --integration tenants/acme/integrations/amazon --sim-url http://127.0.0.1:8200
//     --identity ID --secret-file F
#include <grpcpp/grpcpp.h>

#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "bench/load_driver.h"
#include "iob/punchout/v1/punchout_service.grpc.pb.h"
#include "libs/common/flags.h"
#include "libs/cxml/payload_id.h"
#include "libs/cxml/timestamp.h"
#include "libs/cxml/writer.h"
#include "libs/http/client.h"
#include "libs/runtime/service_host.h"

namespace pb = iob::punchout::v1;

namespace {

// The request StartSession sends, minus what only a session knows.
std::string SetupRequest(const std::string& identity, const std::string& secret) {
  iob::cxml::Document doc;
  doc.payload_id = iob::cxml::NewPayloadId(absl::Now(), "bench.local");
  doc.timestamp = iob::cxml::FormatTimestamp(absl::Now());
  doc.deployment_mode = iob::cxml::DeploymentMode::kTest;
  doc.header.from = {{"NetworkId", identity, ""}};
  doc.header.to = {{"NetworkId", "Amazon", ""}};
  doc.header.sender = {{"NetworkId", identity, secret}};
  doc.header.user_agent = "iob-bench";
  iob::cxml::PunchOutSetupRequest req;
  req.buyer_cookie = "bench-cookie";
  req.extrinsics.push_back({"UserEmail", iob::cxml::RawXml::FromText("pat@acme.example")});
  req.browser_form_post_url = "http://127.0.0.1:1/punchout/cart/bench";
  doc.body = req;
  return iob::cxml::WriteDocument(doc).value();
}

}  // namespace

int main(int argc, char** argv) {
  std::string punchout_addr = "127.0.0.1:7102", token_file, tenant = "acme", integration,
              sim_url = "http://127.0.0.1:8200", identity, secret_file;
  int concurrency = 16;
  absl::Duration duration = absl::Seconds(10);
  iob::common::Flags flags("punchout_load", "Load driver for punchout StartSession.");
  flags.Add("punchout-addr", &punchout_addr, "punchout service address");
  flags.Add("token-file", &token_file, "bearer token with punchout.start");
  flags.Add("tenant", &tenant, "tenant");
  flags.Add("integration", &integration, "integration resource name");
  flags.Add("sim-url", &sim_url, "supplier simulator base URL");
  flags.Add("identity", &identity, "the simulator group's From identity");
  flags.Add("secret-file", &secret_file, "the simulator group's shared secret");
  flags.Add("concurrency", &concurrency, "concurrent callers");
  flags.Add("duration", &duration, "time per load");
  if (!flags.Parse(argc, argv).ok()) return 2;
  const std::string token(absl::StripAsciiWhitespace(iob::runtime::ReadFile(token_file).value()));
  const std::string secret(absl::StripAsciiWhitespace(iob::runtime::ReadFile(secret_file).value()));

  iob::http::EgressPolicyOptions egress;
  egress.plain_http_hosts = {"127.0.0.1"};
  iob::http::CurlHttpClient http{iob::http::EgressPolicy(egress)};
  const std::string body = SetupRequest(identity, secret);
  auto channel = grpc::CreateChannel(punchout_addr, grpc::InsecureChannelCredentials());
  auto stub = pb::PunchoutService::NewStub(channel);

  std::vector<iob::bench::LoadResult> results;
  results.push_back(
      iob::bench::RunLoad("simulator /punchout direct (baseline)", concurrency, duration, [&] {
        iob::http::HttpRequest req;
        req.url = sim_url + "/punchout";
        req.body = body;
        req.content_type = "text/xml; charset=UTF-8";
        auto resp = http.Send(req);
        return resp.ok() && resp->status == 200 &&
               resp->body.find("StartPage") != std::string::npos;
      }));
  results.push_back(iob::bench::RunLoad("punchout StartSession", concurrency, duration, [&] {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    pb::StartSessionRequest req;
    req.set_parent("tenants/" + tenant);
    req.set_integration(integration);
    req.mutable_user()->set_id("bench");
    req.mutable_user()->set_email("pat@acme.example");
    pb::Session resp;
    return stub->StartSession(&ctx, req, &resp).ok() && resp.state() == pb::SESSION_STATE_STARTED;
  }));
  std::printf("concurrency %d, %s per load\n", concurrency, absl::FormatDuration(duration).c_str());
  iob::bench::PrintResults(results);
  for (const auto& r : results) {
    if (r.errors > 0) return 1;
  }
  return 0;
}
