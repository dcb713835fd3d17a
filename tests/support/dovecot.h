// A real IMAP server for tests: a throwaway Dovecot (Debian's dovecot-imapd)
// with its own config directory, nothing of the system's configuration
// touched. One user with a password (also accepted as an XOAUTH2 /
// OAUTHBEARER token), Maildir storage, plain IMAP on a loopback port
// (STARTTLS offered unless tls is off) and IMAPS on another, with a
// self-signed certificate for localhost / 127.0.0.1.
//
//   if (!Dovecot::Installed()) GTEST_SKIP() << "dovecot-imapd is not installed";
//   auto dovecot = Dovecot::Start();
//   ASSERT_TRUE(dovecot.ok()) << dovecot.status();
//   ASSERT_TRUE((*dovecot)->Deliver(raw).ok());     // dovecot-lda into INBOX
//   ... an IMAP client on (*dovecot)->imap_url() with user(), password(), ca_file() ...
//   auto inbox = (*dovecot)->List("INBOX");        // uid, flags, Message-ID (doveadm)
//   (*dovecot)->Kill();  ...  (*dovecot)->Restart();
//
// Dovecot runs as its own process group, so Kill takes every Dovecot
// process down at once (its imap processes outlive a killed master
// otherwise) and open connections drop, as in a crash.
#ifndef IOB_TESTS_SUPPORT_DOVECOT_H_
#define IOB_TESTS_SUPPORT_DOVECOT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tests/support/service_process.h"

namespace iob::testing {

struct DovecotOptions {
  // true: ssl = yes, STARTTLS offered on the imap port, an imaps port.
  // false: ssl = no, no STARTTLS, no imaps port.
  bool tls = true;
  // The post-login CAPABILITY list to advertise instead of Dovecot's own
  // (imap_capability), e.g. without MOVE to drive a client's fallback;
  // "" = Dovecot's.
  std::string imap_capability;
  std::string user = "invoices";
  std::string password = "imap-test-password-7Qx";
};

// One message in a mailbox, as doveadm reports it.
struct MailboxMessage {
  uint32_t uid = 0;
  std::string flags;       // "\Seen \Deleted", "" for none
  std::string message_id;  // the Message-ID header, "" when absent
};

// One Dovecot instance and its directory (removed by the destructor, which
// kills the server). Not thread-safe.
class Dovecot {
 public:
  // True when /usr/sbin/dovecot, dovecot-lda and doveadm are installed.
  static bool Installed();

  // Makes the directory, the certificate (with tls), the config and the
  // user, picks two free loopback ports, starts Dovecot and waits until it
  // accepts connections. UNAVAILABLE with Dovecot's log when it exits or is
  // not ready within 30 s; INTERNAL when a file cannot be written.
  static absl::StatusOr<std::unique_ptr<Dovecot>> Start(DovecotOptions options = {});
  ~Dovecot();
  Dovecot(const Dovecot&) = delete;
  Dovecot& operator=(const Dovecot&) = delete;

  // "imap://127.0.0.1:PORT/<mailbox>" and "imaps://127.0.0.1:PORT/<mailbox>".
  std::string imap_url(const std::string& mailbox = "INBOX") const;
  std::string imaps_url(const std::string& mailbox = "INBOX") const;
  int imap_port() const { return imap_port_; }
  int imaps_port() const { return imaps_port_; }
  // The certificate Dovecot presents ("" without tls).
  const std::string& ca_file() const { return ca_file_; }
  const std::string& user() const { return options_.user; }
  const std::string& password() const { return options_.password; }
  const std::string& dir() const { return dir_; }
  // Dovecot's own log (logins, disconnects with their counters, errors).
  std::string ReadLog() const;

  // Delivers `raw` into the user's INBOX with dovecot-lda, as an MTA would.
  // INTERNAL with dovecot-lda's output when it fails.
  absl::Status Deliver(const std::string& raw);

  // The messages of `mailbox` in UID order (none when it does not exist),
  // read with doveadm. INTERNAL with doveadm's output when it fails.
  absl::StatusOr<std::vector<MailboxMessage>> List(const std::string& mailbox) const;

  // The mailbox's UIDVALIDITY, and setting a new one (as a server does when
  // a mailbox is rebuilt: every UID a client knows becomes meaningless).
  absl::StatusOr<uint32_t> UidValidity(const std::string& mailbox) const;
  absl::Status SetUidValidity(const std::string& mailbox, uint32_t uid_validity);

  // SIGKILL to every Dovecot process, as a crash: connections drop. Waits
  // for the master's exit.
  void Kill();
  // Starts Dovecot again on the same ports with the same mail (after Kill,
  // or killing it first). Same errors as Start.
  absl::Status Restart();

 private:
  Dovecot(DovecotOptions options, std::string dir)
      : options_(std::move(options)), dir_(std::move(dir)) {}
  absl::Status WriteConfig();
  absl::Status Launch();
  // doveadm -c <config> <args...>; its output, INTERNAL when it fails.
  absl::StatusOr<std::string> Doveadm(const std::vector<std::string>& args) const;

  DovecotOptions options_;
  std::string dir_;
  std::string config_;
  std::string ca_file_;
  int imap_port_ = 0;
  int imaps_port_ = 0;
  int deliveries_ = 0;
  std::unique_ptr<ServiceProcess> process_;
};

}  // namespace iob::testing

#endif  // IOB_TESTS_SUPPORT_DOVECOT_H_
