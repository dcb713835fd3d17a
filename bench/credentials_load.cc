// Load on the credential vault: GetIntegration and ResolveIntegrationSecret
// at a fixed concurrency, beside grpc.health.v1 Check on the same server
// driven by the same driver (the baseline: a gRPC round trip with no work),
// then every figure beside its floor (issue 12's targets):
//   GetIntegration req/s >= 0.5x health Check req/s, p99 <= 5 ms;
//   ResolveIntegrationSecret req/s >= 0.3x health Check req/s;
// and, for information, beside pgbench's `-S` (single-row select) and TPC-B
// TPS at the same client count on the same Postgres, which the caller
// (./iob bench) measures in the same run and passes in.
//   credentials_load --addr 127.0.0.1:7101 --token-file T --integration NAME
//       [--loads health,get,resolve] [--rounds 10] [--select-tps N] [--tpcb-tps N]
// The loads take turns in --rounds slices, so a figure and its floor share
// the machine's background work.
// Exits 1 when a call failed, 2 on bad flags; a missed target is printed,
// not an exit code (the figures are noisy on a shared machine).
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "bench/load_driver.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "iob/credentials/v1/credentials_service.grpc.pb.h"
#include "libs/common/flags.h"
#include "libs/runtime/service_host.h"

namespace pb = iob::credentials::v1;

int main(int argc, char** argv) {
  std::string addr = "127.0.0.1:7101", token_file, integration, loads = "health,get,resolve",
              select_tps_text = "0", tpcb_tps_text = "0";
  int concurrency = 16, rounds = 10;
  absl::Duration duration = absl::Seconds(10), deadline = absl::Seconds(5);
  iob::common::Flags flags("credentials_load", "Load driver for the credentials service.");
  flags.Add("addr", &addr, "service address");
  flags.Add("token-file", &token_file, "bearer token with integrations.read and secrets.resolve");
  flags.Add("integration", &integration,
            "integration resource name(s) to read, comma-separated: calls take them in turn");
  flags.Add("concurrency", &concurrency, "concurrent callers");
  flags.Add("duration", &duration, "time per load");
  flags.Add("deadline", &deadline,
            "deadline of each call (peers set 5 s: runtime::PreparePeerCall; 0: none)");
  flags.Add("rounds", &rounds, "slices each load's time is cut into, the loads taking turns");
  flags.Add("loads", &loads, "loads to run, in order: health, get, resolve (comma-separated)");
  flags.Add("select-tps", &select_tps_text, "pgbench -S TPS of the same run (0: not measured)");
  flags.Add("tpcb-tps", &tpcb_tps_text, "pgbench TPC-B TPS of the same run (0: not measured)");
  if (!flags.Parse(argc, argv).ok()) return 2;
  double select_tps = 0, tpcb_tps = 0;
  if (!absl::SimpleAtod(select_tps_text, &select_tps) ||
      !absl::SimpleAtod(tpcb_tps_text, &tpcb_tps) || concurrency < 1) {
    std::fprintf(stderr, "--select-tps and --tpcb-tps must be numbers, --concurrency >= 1\n");
    return 2;
  }
  auto token_text = iob::runtime::ReadFile(token_file);
  if (!token_text.ok()) {
    std::fprintf(stderr, "--token-file: %s\n", token_text.status().ToString().c_str());
    return 2;
  }
  const std::string bearer = "Bearer " + std::string(absl::StripAsciiWhitespace(*token_text));

  const std::vector<std::string> names = absl::StrSplit(integration, ',', absl::SkipWhitespace());
  if (names.empty()) {
    std::fprintf(stderr, "--integration is required\n");
    return 2;
  }
  std::atomic<size_t> turn{0};
  auto next_name = [&]() -> const std::string& {
    return names[turn.fetch_add(1, std::memory_order_relaxed) % names.size()];
  };
  auto channel = grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  auto creds = pb::CredentialsService::NewStub(channel);

  // Like a peer's call (runtime::PreparePeerCall): the server bounds its
  // database work by the deadline (db::ScopedDeadline).
  auto with_deadline = [&](grpc::ClientContext& ctx) {
    if (deadline > absl::ZeroDuration()) {
      ctx.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(deadline));
    }
  };
  const std::map<std::string, iob::bench::Load> known = {
      {"health",
       {"health Check (baseline)",
        [&] {
          grpc::ClientContext ctx;
          with_deadline(ctx);
          grpc::health::v1::HealthCheckRequest req;
          grpc::health::v1::HealthCheckResponse resp;
          return health->Check(&ctx, req, &resp).ok();
        }}},
      {"get",
       {"GetIntegration",
        [&] {
          grpc::ClientContext ctx;
          with_deadline(ctx);
          ctx.AddMetadata("authorization", bearer);
          pb::GetIntegrationRequest req;
          req.set_name(next_name());
          pb::Integration resp;
          return creds->GetIntegration(&ctx, req, &resp).ok();
        }}},
      {"resolve",
       {"ResolveIntegrationSecret",
        [&] {
          grpc::ClientContext ctx;
          with_deadline(ctx);
          ctx.AddMetadata("authorization", bearer);
          pb::ResolveIntegrationSecretRequest req;
          req.set_name(next_name());
          pb::ResolveIntegrationSecretResponse resp;
          return creds->ResolveIntegrationSecret(&ctx, req, &resp).ok();
        }}},
  };
  std::vector<std::string> keys;
  std::vector<iob::bench::Load> chosen;
  for (absl::string_view load : absl::StrSplit(loads, ',', absl::SkipWhitespace())) {
    auto it = known.find(std::string(load));
    if (it == known.end()) {
      std::fprintf(stderr, "--loads: unknown load \"%s\"\n", std::string(load).c_str());
      return 2;
    }
    keys.push_back(it->first);
    chosen.push_back(it->second);
  }
  const std::vector<iob::bench::LoadResult> results =
      iob::bench::RunInterleaved(chosen, concurrency, duration, rounds);
  std::map<std::string, iob::bench::LoadResult> by_load;
  for (size_t i = 0; i < keys.size(); ++i) by_load[keys[i]] = results[i];
  std::printf("concurrency %d, %s per load in %d interleaved rounds\n", concurrency,
              absl::FormatDuration(duration).c_str(), rounds);
  iob::bench::PrintResults(results);

  // Every figure beside its floor, where both were measured.
  std::vector<iob::bench::FloorRow> floors;
  const std::string clients = " (" + std::to_string(concurrency) + " clients)";
  const auto health_run = by_load.find("health");
  for (const auto& [load, target] :
       {std::pair<std::string, double>{"get", 0.5}, {"resolve", 0.3}}) {
    const auto it = by_load.find(load);
    if (it == by_load.end()) continue;
    const iob::bench::LoadResult& r = it->second;
    const std::string figure = r.name + " req/s";
    if (health_run != by_load.end()) {
      floors.push_back(
          {figure, r.per_second, "gRPC health Check req/s", health_run->second.per_second, target});
    }
    if (load == "get") {
      if (select_tps > 0)
        floors.push_back({figure, r.per_second, "pgbench -S tps" + clients, select_tps});
      floors.push_back({r.name + " p99 ms", r.p99_ms, "limit ms", 5.0, 1.0, /*at_most=*/true});
    } else if (tpcb_tps > 0) {
      floors.push_back({figure, r.per_second, "pgbench TPC-B tps" + clients, tpcb_tps});
    }
  }
  if (!floors.empty()) {
    std::printf("floors of the same run:\n");
    const bool met = iob::bench::PrintFloors(floors);
    std::printf("targets: %s\n", met ? "all met" : "some MISSED");
  }
  for (const auto& r : results) {
    if (r.errors > 0) return 1;
  }
  return 0;
}
