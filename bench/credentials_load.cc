// Load on the credential vault: GetIntegration and ResolveIntegrationSecret
// at a fixed concurrency, beside grpc.health.v1 Check on the same server
// driven by the same driver (the baseline: a gRPC round trip with no work).
//   credentials_load --addr 127.0.0.1:7101 --token-file T --integration NAME
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "absl/strings/ascii.h"
#include "bench/load_driver.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "iob/credentials/v1/credentials_service.grpc.pb.h"
#include "libs/common/flags.h"

namespace pb = iob::credentials::v1;

int main(int argc, char** argv) {
  std::string addr = "127.0.0.1:7101", token_file, integration;
  int concurrency = 16;
  absl::Duration duration = absl::Seconds(10);
  iob::common::Flags flags("credentials_load", "Load driver for the credentials service.");
  flags.Add("addr", &addr, "service address");
  flags.Add("token-file", &token_file, "bearer token with integrations.read and secrets.resolve");
  flags.Add("integration", &integration, "integration resource name to read");
  flags.Add("concurrency", &concurrency, "concurrent callers");
  flags.Add("duration", &duration, "time per load");
  if (!flags.Parse(argc, argv).ok()) return 2;
  std::ifstream in(token_file);
  std::string token;
  std::getline(in, token);
  token = std::string(absl::StripAsciiWhitespace(token));

  auto channel = grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  auto creds = pb::CredentialsService::NewStub(channel);
  auto with_token = [&](grpc::ClientContext& ctx) {
    ctx.AddMetadata("authorization", "Bearer " + token);
  };

  std::vector<iob::bench::LoadResult> results;
  results.push_back(iob::bench::RunLoad("health Check (baseline)", concurrency, duration, [&] {
    grpc::ClientContext ctx;
    grpc::health::v1::HealthCheckRequest req;
    grpc::health::v1::HealthCheckResponse resp;
    return health->Check(&ctx, req, &resp).ok();
  }));
  results.push_back(iob::bench::RunLoad("GetIntegration", concurrency, duration, [&] {
    grpc::ClientContext ctx;
    with_token(ctx);
    pb::GetIntegrationRequest req;
    req.set_name(integration);
    pb::Integration resp;
    return creds->GetIntegration(&ctx, req, &resp).ok();
  }));
  results.push_back(iob::bench::RunLoad("ResolveIntegrationSecret", concurrency, duration, [&] {
    grpc::ClientContext ctx;
    with_token(ctx);
    pb::ResolveIntegrationSecretRequest req;
    req.set_name(integration);
    pb::ResolveIntegrationSecretResponse resp;
    return creds->ResolveIntegrationSecret(&ctx, req, &resp).ok();
  }));
  std::printf("concurrency %d, %s per load\n", concurrency, absl::FormatDuration(duration).c_str());
  iob::bench::PrintResults(results);
  for (const auto& r : results) {
    if (r.errors > 0) return 1;
  }
  return 0;
}
