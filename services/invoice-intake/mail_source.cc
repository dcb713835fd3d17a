// What every mail source shares.
#include "services/invoice-intake/mail_source.h"

#include "libs/common/logging.h"

namespace iob::invoice {

void LogUnreadableMessage(const MailSource& source, const std::string& key,
                          const std::string& reason, const absl::Status& moved) {
  if (moved.ok()) {
    common::LogWarn("mail source quarantined a message it cannot read",
                    {{"mailbox", source.Name()}, {"source_id", key}, {"reason", reason}});
  } else {
    common::LogWarn("mail source cannot read a message, nor move it to quarantine",
                    {{"mailbox", source.Name()},
                     {"source_id", key},
                     {"reason", reason},
                     {"error", moved.ToString()}});
  }
}

}  // namespace iob::invoice
