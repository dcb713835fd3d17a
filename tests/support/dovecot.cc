// Dovecot: /usr/sbin/dovecot -F under setsid (its own process group) as a
// child process; dovecot-lda and doveadm run against the same config.
#include "tests/support/dovecot.h"

#include <arpa/inet.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "libs/common/status_macros.h"
#include "tests/support/smtp_sink.h"

namespace iob::testing {
namespace {

constexpr char kDovecot[] = "/usr/sbin/dovecot";
constexpr char kLda[] = "/usr/lib/dovecot/dovecot-lda";
constexpr char kDoveadm[] = "/usr/bin/doveadm";
constexpr char kSetsid[] = "/usr/bin/setsid";
constexpr absl::Duration kStartTimeout = absl::Seconds(30);
constexpr absl::Duration kPollInterval = absl::Milliseconds(20);

// A loopback port nobody listens on right now (the kernel's pick).
absl::StatusOr<int> FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  close(fd);
  if (!ok) return absl::InternalError("cannot pick a free port");
  return ntohs(addr.sin_port);
}

bool Accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

// Who owns the mail and runs Dovecot's unprivileged processes. As root:
// nobody for mail (Dovecot refuses uid 0 for it) and Dovecot's own users;
// otherwise everything runs as us.
struct Users {
  uid_t mail_uid = 0;
  gid_t mail_gid = 0;
  std::string config;  // lines for dovecot.conf
};

absl::StatusOr<Users> MailUsers() {
  Users users;
  if (geteuid() == 0) {
    const passwd* nobody = getpwnam("nobody");
    if (nobody == nullptr) return absl::InternalError("no user nobody");
    users.mail_uid = nobody->pw_uid;
    users.mail_gid = nobody->pw_gid;
    return users;
  }
  const passwd* me = getpwuid(geteuid());
  const group* my_group = getgrgid(getegid());
  if (me == nullptr || my_group == nullptr) return absl::InternalError("who am I?");
  users.mail_uid = me->pw_uid;
  users.mail_gid = my_group->gr_gid;
  users.config = absl::StrCat("default_internal_user = ", me->pw_name, "\n",
                              "default_internal_group = ", my_group->gr_name, "\n",
                              "default_login_user = ", me->pw_name, "\n");
  return users;
}

}  // namespace

bool Dovecot::Installed() {
  for (const char* binary : {kDovecot, kLda, kDoveadm, kSetsid}) {
    if (access(binary, X_OK) != 0) return false;
  }
  return true;
}

absl::StatusOr<std::unique_ptr<Dovecot>> Dovecot::Start(DovecotOptions options) {
  std::unique_ptr<Dovecot> d(new Dovecot(std::move(options), MakeTempDir("iob-dovecot-")));
  IOB_RETURN_IF_ERROR(d->WriteConfig());
  IOB_RETURN_IF_ERROR(d->Launch());
  return d;
}

Dovecot::~Dovecot() {
  Kill();
  RemoveTree(dir_);
}

absl::Status Dovecot::WriteConfig() {
  IOB_ASSIGN_OR_RETURN(const Users users, MailUsers());
  // Dovecot's unprivileged processes (and the mail user) must get through
  // the directory; the mail itself belongs to the mail user.
  const std::string mail = dir_ + "/mail";
  if (chmod(dir_.c_str(), 0711) != 0 || mkdir(mail.c_str(), 0700) != 0 ||
      chown(mail.c_str(), users.mail_uid, users.mail_gid) != 0 ||
      mkdir((dir_ + "/run").c_str(), 0755) != 0 || mkdir((dir_ + "/state").c_str(), 0755) != 0 ||
      mkdir((dir_ + "/incoming").c_str(), 0755) != 0) {
    return absl::InternalError("cannot prepare " + dir_);
  }
  if (options_.tls) {
    IOB_ASSIGN_OR_RETURN(ca_file_, MakeSelfSignedCert(dir_));
  }
  IOB_ASSIGN_OR_RETURN(imap_port_, FreePort());
  do {
    IOB_ASSIGN_OR_RETURN(imaps_port_, FreePort());
  } while (imaps_port_ == imap_port_);

  // Read by Dovecot's auth process, which runs unprivileged.
  const std::string passwd = dir_ + "/passwd";
  WriteFileAtomically(passwd, absl::StrCat(options_.user, ":{PLAIN}", options_.password, "\n"));
  chmod(passwd.c_str(), 0644);

  std::string conf = absl::StrCat(
      "protocols = imap\n"
      "listen = 127.0.0.1\n",
      "base_dir = ", dir_, "/run\n", "state_dir = ", dir_, "/state\n", "log_path = ", dir_,
      "/dovecot.log\n", users.config,
      "disable_plaintext_auth = no\n"
      "auth_mechanisms = plain login xoauth2 oauthbearer\n"
      "auth_failure_delay = 0\n"
      "passdb {\n  driver = passwd-file\n  args = ",
      passwd, "\n}\n", "userdb {\n  driver = static\n  args = uid=", users.mail_uid,
      " gid=", users.mail_gid, " home=", mail, "/%u\n}\n", "mail_location = maildir:~/Maildir\n");
  if (options_.tls) {
    absl::StrAppend(&conf, "ssl = yes\nssl_cert = <", ca_file_, "\nssl_key = <", dir_,
                    "/key.pem\n");
  } else {
    absl::StrAppend(&conf, "ssl = no\n");
  }
  if (!options_.imap_capability.empty()) {
    absl::StrAppend(&conf, "imap_capability = ", options_.imap_capability, "\n");
  }
  absl::StrAppend(&conf, "service imap-login {\n  inet_listener imap {\n    port = ", imap_port_,
                  "\n  }\n  inet_listener imaps {\n    port = ", options_.tls ? imaps_port_ : 0,
                  "\n  }\n}\n");
  config_ = dir_ + "/dovecot.conf";
  WriteFileAtomically(config_, conf);
  return absl::OkStatus();
}

absl::Status Dovecot::Launch() {
  ServiceProcessOptions process;
  // setsid: Dovecot leads its own process group, which Kill signals whole.
  process.binary = kSetsid;
  process.args = {kDovecot, "-F", "-c", config_};
  process.log_path = dir_ + "/stdout.log";
  IOB_ASSIGN_OR_RETURN(process_, ServiceProcess::Start(std::move(process)));
  const absl::Time deadline = absl::Now() + kStartTimeout;
  while (!Accepts(imap_port_)) {
    if (!process_->Running() || absl::Now() > deadline) {
      return absl::UnavailableError(absl::StrCat("dovecot did not start; output:\n",
                                                 ReadFileOrEmpty(dir_ + "/stdout.log"), "\nlog:\n",
                                                 ReadLog()));
    }
    absl::SleepFor(kPollInterval);
  }
  return absl::OkStatus();
}

std::string Dovecot::imap_url(const std::string& mailbox) const {
  return absl::StrCat("imap://127.0.0.1:", imap_port_, "/", mailbox);
}

std::string Dovecot::imaps_url(const std::string& mailbox) const {
  return absl::StrCat("imaps://127.0.0.1:", imaps_port_, "/", mailbox);
}

std::string Dovecot::ReadLog() const { return ReadFileOrEmpty(dir_ + "/dovecot.log"); }

absl::Status Dovecot::Deliver(const std::string& raw) {
  const std::string path = absl::StrCat(dir_, "/incoming/", ++deliveries_, ".eml");
  WriteFileAtomically(path, raw);
  chmod(path.c_str(), 0644);  // dovecot-lda reads it as the mail user
  IOB_ASSIGN_OR_RETURN(const CommandResult r,
                       RunCommand(kLda, {"-c", config_, "-d", options_.user, "-p", path}));
  if (r.exit_code != 0) {
    return absl::InternalError(absl::StrCat("dovecot-lda exited ", r.exit_code, ": ", r.output));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Dovecot::Doveadm(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {"-c", config_};
  argv.insert(argv.end(), args.begin(), args.end());
  IOB_ASSIGN_OR_RETURN(const CommandResult r, RunCommand(kDoveadm, argv));
  if (r.exit_code != 0) {
    return absl::InternalError(absl::StrCat("doveadm exited ", r.exit_code, ": ", r.output));
  }
  return r.output;
}

absl::StatusOr<std::vector<MailboxMessage>> Dovecot::List(const std::string& mailbox) const {
  IOB_ASSIGN_OR_RETURN(const std::string out,
                       Doveadm({"-f", "tab", "fetch", "-u", options_.user,
                                "uid flags hdr.message-id", "mailbox", mailbox}));
  std::vector<MailboxMessage> messages;
  // A header line, then "uid<TAB>flags<TAB>message-id" per message; doveadm's
  // complaints (a missing mailbox) share the output and have no tabs.
  for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
    const std::vector<absl::string_view> fields = absl::StrSplit(line, '\t');
    MailboxMessage m;
    if (fields.size() != 3 || !absl::SimpleAtoi(fields[0], &m.uid)) continue;
    m.flags = std::string(absl::StripAsciiWhitespace(fields[1]));
    m.message_id = std::string(absl::StripAsciiWhitespace(fields[2]));
    messages.push_back(std::move(m));
  }
  return messages;
}

absl::StatusOr<uint32_t> Dovecot::UidValidity(const std::string& mailbox) const {
  IOB_ASSIGN_OR_RETURN(const std::string out, Doveadm({"-f", "tab", "mailbox", "status", "-u",
                                                       options_.user, "uidvalidity", mailbox}));
  // "mailbox<TAB>uidvalidity", then "<mailbox><TAB><n>".
  for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
    const std::vector<absl::string_view> fields = absl::StrSplit(line, '\t');
    uint32_t v = 0;
    if (fields.size() == 2 && absl::SimpleAtoi(fields[1], &v)) return v;
  }
  return absl::InternalError("doveadm gave no uidvalidity: " + out);
}

absl::Status Dovecot::SetUidValidity(const std::string& mailbox, uint32_t uid_validity) {
  return Doveadm({"mailbox", "update", "-u", options_.user, "--uid-validity",
                  absl::StrCat(uid_validity), mailbox})
      .status();
}

void Dovecot::Kill() {
  if (process_ == nullptr || !process_->Running()) return;
  // The master leads the group (setsid); its children share it.
  kill(-process_->pid(), SIGKILL);
  (void)process_->WaitExit(kStartTimeout);
}

absl::Status Dovecot::Restart() {
  Kill();
  return Launch();
}

}  // namespace iob::testing
