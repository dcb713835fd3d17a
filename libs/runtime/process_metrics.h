// The process's own series under the names every Prometheus client library
// uses (process_resident_memory_bytes, process_cpu_seconds_total, ...), read
// from /proc/self at each scrape: what a dashboard shows as a service's
// saturation without a kubelet in between.
#ifndef IOB_LIBS_RUNTIME_PROCESS_METRICS_H_
#define IOB_LIBS_RUNTIME_PROCESS_METRICS_H_

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <vector>

namespace iob::runtime {

// process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_threads, process_open_fds,
// process_max_fds, process_start_time_seconds. A family whose source cannot
// be read is left out of that scrape. Thread-safe.
class ProcessMetrics : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace iob::runtime

#endif  // IOB_LIBS_RUNTIME_PROCESS_METRICS_H_
