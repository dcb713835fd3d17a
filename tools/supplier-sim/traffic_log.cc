#include "tools/supplier-sim/traffic_log.h"

#include <utility>

#include "absl/time/clock.h"

namespace iob::sim {

void TrafficLog::Received(const std::string& endpoint, std::string body) {
  absl::MutexLock lock(&mu_);
  ++stats_[endpoint].received;
  Keep(received_, endpoint, std::move(body));
}

void TrafficLog::Outcome(const std::string& endpoint, const std::string& outcome) {
  absl::MutexLock lock(&mu_);
  ++stats_[endpoint].outcomes[outcome];
}

void TrafficLog::Sent(const std::string& endpoint, std::string body) {
  absl::MutexLock lock(&mu_);
  Keep(sent_, endpoint, std::move(body));
}

void TrafficLog::Keep(std::map<std::string, std::deque<LoggedDocument>>& docs,
                      const std::string& endpoint, std::string body) {
  if (keep_ == 0) return;
  auto& q = docs[endpoint];
  q.push_back({absl::Now(), std::move(body)});
  while (q.size() > keep_) q.pop_front();
}

std::map<std::string, EndpointStats> TrafficLog::Stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

std::vector<LoggedDocument> TrafficLog::ReceivedDocuments(const std::string& endpoint) const {
  absl::MutexLock lock(&mu_);
  auto it = received_.find(endpoint);
  if (it == received_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::vector<LoggedDocument> TrafficLog::SentDocuments(const std::string& endpoint) const {
  absl::MutexLock lock(&mu_);
  auto it = sent_.find(endpoint);
  if (it == sent_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

void TrafficLog::Reset() {
  absl::MutexLock lock(&mu_);
  stats_.clear();
  received_.clear();
  sent_.clear();
}

}  // namespace iob::sim
