#include "tools/supplier-sim/fault_effects.h"

#include <algorithm>
#include <memory>
#include <string>

#include "libs/common/logging.h"
#include "tools/supplier-sim/connection_control.h"

namespace iob::sim {
namespace {

constexpr int kSlowPieces = 20;

}  // namespace

void FaultEffects::Sleep(absl::Duration d) const {
  if (d <= absl::ZeroDuration()) return;
  stopping_->WaitForNotificationWithTimeout(d);
}

bool FaultEffects::ApplyBeforeHandling(const FaultDecision& decision, const httplib::Request& req,
                                       httplib::Response& res) const {
  Sleep(decision.latency);
  switch (decision.kind) {
    case FaultKind::kHttp500:
      res.status = 500;
      res.set_content("500 internal server error (injected)\n", "text/plain; charset=utf-8");
      return true;
    case FaultKind::kHttp503:
      res.status = 503;
      res.set_header("Retry-After", "1");
      res.set_content("503 service unavailable (injected)\n", "text/plain; charset=utf-8");
      return true;
    case FaultKind::kTimeout:
      // Hold the request until the client gives up (or the bound passes),
      // then drop the connection instead of answering late.
      WaitForClientClose(req, decision.hold, stopping_);
      [[fallthrough]];
    case FaultKind::kReset:
      if (!ResetConnection(req)) {
        common::LogWarn("fault: connection to reset not found; answering 500");
      }
      res.status = 500;
      res.set_content("connection reset (injected)\n", "text/plain; charset=utf-8");
      return true;
    case FaultKind::kNone:
    case FaultKind::kCxmlStatus:
    case FaultKind::kResetAfterBody:
    case FaultKind::kSlowBody:
      break;
  }
  return false;
}

void FaultEffects::ApplyAfterHandling(const FaultDecision& decision, const httplib::Request& req,
                                      httplib::Response& res) const {
  if (decision.kind == FaultKind::kResetAfterBody) {
    if (!ResetConnection(req)) common::LogWarn("fault: connection to reset not found; answering");
    return;
  }
  if (decision.kind != FaultKind::kSlowBody || res.body.empty()) return;
  auto body = std::make_shared<std::string>(std::move(res.body));
  res.body.clear();
  std::string content_type = res.get_header_value("Content-Type");
  res.headers.erase("Content-Type");
  const size_t piece = std::max<size_t>(1, (body->size() + kSlowPieces - 1) / kSlowPieces);
  const absl::Duration pause = decision.trickle / kSlowPieces;
  const absl::Notification* stopping = stopping_;
  res.set_content_provider(
      body->size(), content_type,
      [body, piece, pause, stopping](size_t offset, size_t length, httplib::DataSink& sink) {
        size_t n = std::min(piece, length);
        if (!sink.write(body->data() + offset, n)) return false;
        if (offset + n < body->size() && !stopping->HasBeenNotified()) {
          stopping->WaitForNotificationWithTimeout(pause);
        }
        return true;
      });
}

}  // namespace iob::sim
