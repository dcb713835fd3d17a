// What the simulator received and sent, for tests: counters per endpoint and
// outcome, and the last N request bodies received / documents sent per
// endpoint. Exposed by the admin API (/admin/stats, /admin/received,
// /admin/sent).
#ifndef IOB_TOOLS_SUPPLIER_SIM_TRAFFIC_LOG_H_
#define IOB_TOOLS_SUPPLIER_SIM_TRAFFIC_LOG_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace iob::sim {

struct LoggedDocument {
  absl::Time at;
  std::string body;
};

struct EndpointStats {
  int64_t received = 0;                     // requests seen (before faults)
  std::map<std::string, int64_t> outcomes;  // "ok", "cxml_401", "fault_reset", ...
};

// Thread-safe.
class TrafficLog {
 public:
  explicit TrafficLog(size_t keep_documents = 50) : keep_(keep_documents) {}

  // Counts one request to `endpoint` and keeps `body` (may be empty).
  void Received(const std::string& endpoint, std::string body);
  // Counts the outcome of a request to `endpoint`.
  void Outcome(const std::string& endpoint, const std::string& outcome);
  // Keeps a document the simulator produced (e.g. the PunchOutOrderMessage of
  // a checkout) under `endpoint`.
  void Sent(const std::string& endpoint, std::string body);

  std::map<std::string, EndpointStats> Stats() const;
  // Oldest first; at most keep_documents.
  std::vector<LoggedDocument> ReceivedDocuments(const std::string& endpoint) const;
  std::vector<LoggedDocument> SentDocuments(const std::string& endpoint) const;
  // Forgets counters and documents.
  void Reset();

 private:
  void Keep(std::map<std::string, std::deque<LoggedDocument>>& docs, const std::string& endpoint,
            std::string body) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t keep_;
  mutable absl::Mutex mu_;
  std::map<std::string, EndpointStats> stats_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::deque<LoggedDocument>> received_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::deque<LoggedDocument>> sent_ ABSL_GUARDED_BY(mu_);
};

}  // namespace iob::sim

#endif  // IOB_TOOLS_SUPPLIER_SIM_TRAFFIC_LOG_H_
