// Every metric name k8s/monitoring uses -- in an alert, a recording rule, a
// dashboard panel or a dashboard variable -- is exported by some service.
// The whole suite runs (credentials, the supplier simulator, punchout,
// dispatch, invoice intake) and sees a little traffic, because
// prometheus-cpp shows a labelled series only once it has been touched: a
// punchout session (iob_punchout_setup_seconds), an order delivered
// (iob_dispatch_attempts_total), a junk post to each supplier edge
// (*_inbound_documents_total), a Maildir read and then unreadable
// (iob_intake_mailbox_*). Then every /metrics is scraped and each name
// tests/k8s/monitoring_names.mjs reads from k8s/monitoring must be among the
// sample names (histograms as their _bucket, _sum and _count samples), be
// recorded by a rule, or come from outside the services (External()).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tests/integration/dispatch/dispatch_test_util.h"
#include "tests/integration/punchout/punchout_test_util.h"
#include "tests/support/service_process.h"
#include "tests/support/test_stack.h"
#include "tests/support/wait.h"

namespace iob::testing {
namespace {

using ::iob::dispatch::testing::Approved;
using ::iob::dispatch::testing::CreateSimIntegration;
using ::iob::dispatch::testing::FastDispatchFlags;
using ::iob::dispatch::testing::MakeOrder;
using ::iob::dispatch::testing::Profile;
using ::iob::dispatch::testing::Submit;
using ::testing::HasSubstr;

// Names k8s/monitoring takes from outside the iob services, and who exports
// them.
const std::map<std::string, std::string>& External() {
  static const auto* kExternal = new std::map<std::string, std::string>{
      {"up", "Prometheus, one per scrape target"},
      {"kube_pod_container_status_restarts_total", "kube-state-metrics"},
  };
  return *kExternal;
}

// What tests/k8s/monitoring_names.mjs prints.
struct MonitoringNames {
  std::map<std::string, std::vector<std::string>> used;  // name -> where
  std::set<std::string> recorded;
};

MonitoringNames ReadMonitoringNames() {
  MonitoringNames out;
  const char* source = std::getenv("IOB_SOURCE_DIR");
  if (source == nullptr) {
    ADD_FAILURE() << "IOB_SOURCE_DIR unset (ctest sets it)";
    return out;
  }
  auto run =
      RunCommand("/usr/bin/env", {"node", absl::StrCat(source, "/tests/k8s/monitoring_names.mjs")});
  if (!run.ok() || run->exit_code != 0) {
    ADD_FAILURE() << "monitoring_names.mjs: " << (run.ok() ? run->output : run.status().ToString());
    return out;
  }
  const nlohmann::json j = nlohmann::json::parse(run->output, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    ADD_FAILURE() << "monitoring_names.mjs printed no JSON: " << run->output;
    return out;
  }
  for (const auto& [name, where] : j["used"].items()) {
    out.used[name] = where.get<std::vector<std::string>>();
  }
  for (const auto& name : j["recorded"]) out.recorded.insert(name.get<std::string>());
  return out;
}

// The sample names of a Prometheus text page.
std::set<std::string> SampleNames(const std::string& page) {
  std::set<std::string> names;
  for (absl::string_view line : absl::StrSplit(page, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    names.insert(std::string(line.substr(0, line.find_first_of("{ "))));
  }
  return names;
}

constexpr Service kServices[] = {Service::kCredentials, Service::kPunchout, Service::kDispatch,
                                 Service::kInvoiceIntake};

class MetricNamesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    maildir_ = MakeTempDir("metric-names-maildir-");
    for (const char* sub : {"/new", "/cur", "/tmp"}) {
      ASSERT_EQ(mkdir((maildir_ + sub).c_str(), 0700), 0) << sub;
    }
    const std::set<std::string> platform = {"punchout.read", "punchout.start", "orders.read",
                                            "orders.write"};
    stack_ = TestStack::Create({
        .services = {Service::kCredentials, Service::kSupplierSim, Service::kPunchout,
                     Service::kDispatch, Service::kInvoiceIntake},
        .principals =
            {{"punchout", {"integrations.read", "secrets.resolve"}, {"*"}},
             {"dispatch",
              {"integrations.read", "secrets.resolve", "suppliers.verify", "punchout.read"},
              {"*"}},
             {"invoice-intake", {"integrations.read", "suppliers.verify", "orders.read"}, {"*"}},
             {"admin", {"integrations.read", "integrations.write"}, {"acme"}},
             {"platform", platform, {"acme"}}},
        .flags = {{Service::kCredentials, {"--supplier-hosts", "amazon-business=127.0.0.1"}},
                  {Service::kDispatch, FastDispatchFlags()},
                  {Service::kInvoiceIntake,
                   {"--mail-domain", "invoices.iob.test", "--maildir", maildir_, "--poll-interval",
                    "100ms"}}},
    });
    if (stack_ == nullptr) GTEST_SKIP() << "IOB_TEST_PG_URL unset: run via ./iob test";
    for (Service s : {Service::kCredentials, Service::kSupplierSim, Service::kPunchout,
                      Service::kDispatch, Service::kInvoiceIntake}) {
      const absl::Status started = stack_->Start(s);
      ASSERT_TRUE(started.ok()) << started;
    }
  }

  void TearDown() override {
    stack_.reset();
    RemoveTree(maildir_);
  }

  // The sample names every service exports now.
  std::set<std::string> Exported() const {
    std::set<std::string> names;
    for (Service s : kServices) names.merge(SampleNames(stack_->Metrics(s)));
    return names;
  }

  std::string maildir_;
  std::unique_ptr<TestStack> stack_;
};

TEST_F(MetricNamesTest, EveryNameK8sMonitoringUsesIsExported) {
  const MonitoringNames names = ReadMonitoringNames();
  ASSERT_FALSE(names.used.empty());
  for (const auto& [name, source] : External()) {
    EXPECT_TRUE(names.used.count(name)) << name << " (" << source << ") is no longer used: drop it";
  }

  // The traffic that makes the labelled series appear.
  auto integration = CreateSimIntegration(*stack_, "acme", "metrics", Profile::kAmazon);
  ASSERT_TRUE(integration.ok()) << integration.status();
  punchout::v1::Session session;
  grpc::Status st = punchout::testing::StartCreate(*stack_, "acme", integration->name,
                                                   "pat@acme.example", &session);
  EXPECT_TRUE(st.ok()) << st.error_message();
  dispatch::v1::Order order;
  st = Submit(*stack_, "acme", integration->name, MakeOrder("PO-METRICS-1"), Approved(), &order);
  EXPECT_TRUE(st.ok()) << st.error_message();
  for (const auto& [service, path] : {std::pair{Service::kDispatch, "/cxml/fulfill"},
                                      std::pair{Service::kInvoiceIntake, "/cxml/invoice"}}) {
    auto posted = Http("POST", stack_->http_url(service) + path, "not cXML", "text/xml");
    ASSERT_TRUE(posted.ok()) << posted.status();
    // cXML answers on HTTP 200; the Status element carries the code (406:
    // not a readable document).
    EXPECT_THAT(posted->body, HasSubstr("code=\"406\"")) << path;
  }
  WaitFor([&] { return Exported().count("iob_intake_mailbox_last_poll_timestamp_seconds") > 0; },
          "the Maildir read once");
  // Every later read fails: the Maildir has no new/ any more.
  ASSERT_EQ(std::rename((maildir_ + "/new").c_str(), (maildir_ + "/new.gone").c_str()), 0);

  std::map<std::string, std::vector<std::string>> missing;
  WaitFor(
      [&] {
        const std::set<std::string> exported = Exported();
        missing.clear();
        for (const auto& [name, where] : names.used) {
          if (!exported.count(name) && !names.recorded.count(name) && !External().count(name)) {
            missing[name] = where;
          }
        }
        return missing.empty();
      },
      "every metric name k8s/monitoring uses exported", absl::Seconds(30));
  for (const auto& [name, where] : missing) {
    ADD_FAILURE() << name << " is exported by no service; used in:\n  "
                  << absl::StrJoin(where, "\n  ");
  }
}

}  // namespace
}  // namespace iob::testing
