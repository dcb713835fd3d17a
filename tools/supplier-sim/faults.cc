#include "tools/supplier-sim/faults.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace iob::sim {
namespace {

using Json = nlohmann::json;

constexpr int kMaxMs = 30000;

absl::Status ReadProbability(const Json& v, const std::string& path, double* out) {
  if (!v.is_number()) return absl::InvalidArgumentError(absl::StrCat(path, ": not a number"));
  double p = v.get<double>();
  if (!(p >= 0.0 && p <= 1.0)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": probability outside [0, 1]"));
  }
  *out = p;
  return absl::OkStatus();
}

absl::Status ReadInt(const Json& v, const std::string& path, int lo, int hi, int* out) {
  if (!v.is_number_integer()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not an integer"));
  }
  int64_t n = v.get<int64_t>();
  if (n < lo || n > hi) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": outside [", lo, ", ", hi, "]"));
  }
  *out = static_cast<int>(n);
  return absl::OkStatus();
}

absl::Status ReadSpec(const Json& obj, const std::string& endpoint, FaultSpec* spec) {
  if (!obj.is_object())
    return absl::InvalidArgumentError(absl::StrCat(endpoint, ": not an object"));
  bool p_given = false;
  for (const auto& [key, v] : obj.items()) {
    std::string path = absl::StrCat(endpoint, ".", key);
    absl::Status s;
    if (key == "http_500") {
      s = ReadProbability(v, path, &spec->http_500);
    } else if (key == "http_503") {
      s = ReadProbability(v, path, &spec->http_503);
    } else if (key == "cxml_status") {
      s = ReadInt(v, path, 100, 999, &spec->cxml_status);
    } else if (key == "cxml_status_p") {
      s = ReadProbability(v, path, &spec->cxml_status_p);
      p_given = true;
    } else if (key == "timeout") {
      s = ReadProbability(v, path, &spec->timeout);
    } else if (key == "timeout_ms") {
      s = ReadInt(v, path, 0, kMaxMs, &spec->timeout_ms);
    } else if (key == "reset") {
      s = ReadProbability(v, path, &spec->reset);
    } else if (key == "reset_after_body") {
      s = ReadProbability(v, path, &spec->reset_after_body);
    } else if (key == "slow_body") {
      s = ReadProbability(v, path, &spec->slow_body);
    } else if (key == "slow_body_ms") {
      s = ReadInt(v, path, 0, kMaxMs, &spec->slow_body_ms);
    } else if (key == "latency_ms") {
      s = ReadInt(v, path, 0, kMaxMs, &spec->latency_ms);
    } else if (key == "times") {
      s = ReadInt(v, path, 0, 1000000, &spec->times);
    } else {
      s = absl::InvalidArgumentError(absl::StrCat(path, ": unknown key"));
    }
    if (!s.ok()) return s;
  }
  if (spec->cxml_status != 0 && !p_given) spec->cxml_status_p = 1.0;
  return absl::OkStatus();
}

Json SpecToJson(const FaultSpec& s) {
  return Json{{"http_500", s.http_500},
              {"http_503", s.http_503},
              {"cxml_status", s.cxml_status},
              {"cxml_status_p", s.cxml_status_p},
              {"timeout", s.timeout},
              {"timeout_ms", s.timeout_ms},
              {"reset", s.reset},
              {"reset_after_body", s.reset_after_body},
              {"slow_body", s.slow_body},
              {"slow_body_ms", s.slow_body_ms},
              {"latency_ms", s.latency_ms},
              {"times", s.times}};
}

}  // namespace

std::string_view FaultKindName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kHttp500:
      return "http_500";
    case FaultKind::kHttp503:
      return "http_503";
    case FaultKind::kCxmlStatus:
      return "cxml_status";
    case FaultKind::kTimeout:
      return "timeout";
    case FaultKind::kReset:
      return "reset";
    case FaultKind::kResetAfterBody:
      return "reset_after_body";
    case FaultKind::kSlowBody:
      return "slow_body";
    case FaultKind::kNone:
      break;
  }
  return "none";
}

FaultInjector::FaultInjector(std::vector<std::string> endpoints, uint64_t seed)
    : endpoints_(std::move(endpoints)), rng_(seed) {}

absl::Status FaultInjector::SetFromJson(std::string_view json) {
  Json doc = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return absl::InvalidArgumentError("faults: malformed JSON");
  if (!doc.is_object()) return absl::InvalidArgumentError("faults: expected a JSON object");
  std::map<std::string, FaultSpec> specs;
  for (const auto& [endpoint, obj] : doc.items()) {
    if (std::find(endpoints_.begin(), endpoints_.end(), endpoint) == endpoints_.end()) {
      return absl::InvalidArgumentError(absl::StrCat(endpoint, ": unknown endpoint"));
    }
    FaultSpec spec;
    absl::Status s = ReadSpec(obj, endpoint, &spec);
    if (!s.ok()) return s;
    specs[endpoint] = spec;
  }
  absl::MutexLock lock(&mu_);
  specs_ = std::move(specs);
  return absl::OkStatus();
}

void FaultInjector::Clear() {
  absl::MutexLock lock(&mu_);
  specs_.clear();
}

std::string FaultInjector::ToJson() const {
  Json out = Json::object();
  absl::MutexLock lock(&mu_);
  for (const auto& [endpoint, spec] : specs_) out[endpoint] = SpecToJson(spec);
  return out.dump();
}

FaultDecision FaultInjector::Decide(const std::string& endpoint) {
  FaultDecision d;
  absl::MutexLock lock(&mu_);
  auto it = specs_.find(endpoint);
  if (it == specs_.end()) return d;
  FaultSpec& s = it->second;
  d.latency = absl::Milliseconds(s.latency_ms);
  double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);  // [0, 1)
  const std::pair<double, FaultKind> table[] = {
      {s.reset, FaultKind::kReset},
      {s.reset_after_body, FaultKind::kResetAfterBody},
      {s.timeout, FaultKind::kTimeout},
      {s.http_500, FaultKind::kHttp500},
      {s.http_503, FaultKind::kHttp503},
      {s.cxml_status != 0 ? s.cxml_status_p : 0.0, FaultKind::kCxmlStatus},
      {s.slow_body, FaultKind::kSlowBody}};
  double edge = 0;
  for (const auto& [p, kind] : table) {
    edge += p;
    if (p > 0 && u < edge) {
      d.kind = kind;
      break;
    }
  }
  if (d.kind == FaultKind::kNone) return d;
  d.cxml_status = s.cxml_status;
  d.hold = absl::Milliseconds(s.timeout_ms);
  d.trickle = absl::Milliseconds(s.slow_body_ms);
  if (s.times > 0 && --s.times == 0) {
    FaultSpec latency_only;
    latency_only.latency_ms = s.latency_ms;
    s = latency_only;
  }
  return d;
}

}  // namespace iob::sim
