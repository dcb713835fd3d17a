// A local Maildir as a mail source (the default for `./iob up`: no mail
// server needed). Any MTA or test drops messages into <path>/new the Maildir
// way (write into tmp/, rename into new/), so a file seen in new/ is whole.
//
// Layout (Maildir++, as Dovecot and Courier read it):
//   <path>/{new,cur,tmp}               the inbox
//   <path>/.Processed/{new,cur,tmp}    MarkProcessed: cur/<name>:2,<flags>S
//   <path>/.Quarantine/{new,cur,tmp}   Quarantine:    cur/<name>:2,<flags>
#ifndef IOB_SERVICES_INVOICE_INTAKE_MAILDIR_SOURCE_H_
#define IOB_SERVICES_INVOICE_INTAKE_MAILDIR_SOURCE_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/invoice-intake/mail_source.h"

namespace iob::invoice {

struct MaildirOptions {
  std::string path;  // the Maildir (created with its folders when missing)
  // Maildir++ folder names: a leading dot, no '/'.
  std::string processed_folder = ".Processed";
  std::string quarantine_folder = ".Quarantine";
  // A message file larger than this is moved to the quarantine folder
  // instead of being read (see mail_source.h).
  size_t max_message_bytes = kDefaultMaxMessageBytes;

  // INVALID_ARGUMENT naming the field ("maildir.path: is required") for an
  // empty path, a folder name that is not ".<name>" without '/', the two
  // folders being the same, or a bound of 0. Thread-safe.
  absl::Status Check() const;
};

// Checks `options` and creates <path>/{cur,new,tmp} and both folders (each
// with its cur/new/tmp and Maildir++'s "maildirfolder" marker) when missing.
// Errors: INVALID_ARGUMENT from Check; UNAVAILABLE naming the directory that
// cannot be created. No directory is read until Fetch.
//
// The source reads new/ and cur/ (skipping messages flagged S, seen, or T,
// trashed, by a mail client), oldest first by modification time (the
// delivery time; the name breaks ties). Keys are the messages' unique names
// (the file name up to ":2,"), so a mail client moving a message from new/
// to cur/ between Fetch and MarkProcessed does not lose it. Symbolic links
// and other non-regular files are ignored; a file that cannot be read is
// skipped with a warning in the log. Fetch errors: UNAVAILABLE when new/ or
// cur/ cannot be listed. MarkProcessed / Quarantine errors:
// INVALID_ARGUMENT for a key that is not a unique name, NOT_FOUND when the
// message is neither in the inbox nor already in the target folder,
// UNAVAILABLE when the rename fails.
absl::StatusOr<std::unique_ptr<MailSource>> OpenMaildir(const MaildirOptions& options);

}  // namespace iob::invoice

#endif  // IOB_SERVICES_INVOICE_INTAKE_MAILDIR_SOURCE_H_
