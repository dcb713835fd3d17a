// A real SMTP server for tests and benches: tests/support/smtp_sink.py
// (aiosmtpd, Debian's /usr/bin/python3) as a child process, with a
// self-signed certificate for localhost / 127.0.0.1, scripted replies, and
// the messages it received read back from its directory.
//
//   auto sink = SmtpSink::Start({.tls = SmtpSinkTls::kStartTls, .auth = "u:pw"});
//   ASSERT_TRUE(sink.ok()) << sink.status();
//   mail::SmtpOptions o;
//   o.url = (*sink)->url();
//   o.ca_file = (*sink)->ca_file();  // plus username "u", password "pw"
//   (*sink)->ScriptReplies({"451 4.3.0 try later"});  // the next DATA gets 451
//   ... WaitFor([&] { return (*sink)->Accepted().size() == 1; }) ...
#ifndef IOB_TESTS_SUPPORT_SMTP_SINK_H_
#define IOB_TESTS_SUPPORT_SMTP_SINK_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tests/support/service_process.h"

namespace iob::testing {

enum class SmtpSinkTls {
  kNone,      // smtp://, no STARTTLS offered
  kStartTls,  // smtp://, STARTTLS offered and required before MAIL
  kImplicit,  // smtps://
};

struct SmtpSinkOptions {
  SmtpSinkTls tls = SmtpSinkTls::kNone;
  std::string auth;  // "USER:PASSWORD": AUTH required before MAIL; "" = none
  int port = 0;      // 0 = any free port
};

// Writes a self-signed certificate (EC P-256, CN and subjectAltName
// localhost and 127.0.0.1) and its key into `dir` as cert.pem / key.pem with
// /usr/bin/openssl. Returns the certificate's path, which serves as the CA
// file of a client. INTERNAL with openssl's output when it fails.
absl::StatusOr<std::string> MakeSelfSignedCert(const std::string& dir);

// One sink process and its directory (removed by the destructor, which also
// stops the process). Not thread-safe, except that the readers (Accepted,
// Refused, Held) only read files and may run beside a Send on another thread.
class SmtpSink {
 public:
  // Makes a directory, the certificate (unless tls is kNone), starts the
  // sink and waits until it listens. UNAVAILABLE with the sink's log when it
  // exits or is not ready within 30 s.
  static absl::StatusOr<std::unique_ptr<SmtpSink>> Start(SmtpSinkOptions options = {});
  ~SmtpSink();
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  // "smtp://127.0.0.1:PORT" or, for kImplicit, "smtps://127.0.0.1:PORT".
  std::string url() const;
  int port() const { return port_; }
  // The certificate the sink presents ("" for kNone).
  const std::string& ca_file() const { return ca_file_; }
  const std::string& dir() const { return dir_; }
  std::string ReadLog() const;

  // Appends replies to the script: each later DATA consumes one line, in
  // order: "451 4.3.0 try later", "421 4.4.2 closing", "550 5.1.1 no such
  // user" (replied instead of 250; 421 also closes), "hold" (no reply until
  // Release), "drop" (close without a reply). See smtp_sink.py.
  void ScriptReplies(const std::vector<std::string>& replies);

  // The raw messages (bytes as received) accepted with 250, refused with a
  // scripted reply, or held, each in arrival order.
  std::vector<std::string> Accepted() const;
  std::vector<std::string> Refused() const;
  std::vector<std::string> Held() const;

  // Lets every held message (and every later "hold") through with 250.
  void Release();

  // SIGKILL, as a crash: connections die mid-reply. Waits for the exit.
  void Kill();
  // Starts the sink again on the same port with the same directory (the
  // messages stored so far stay). Same errors as Start.
  absl::Status Restart();

 private:
  SmtpSink(SmtpSinkOptions options, std::string dir)
      : options_(std::move(options)), dir_(std::move(dir)) {}
  absl::Status Launch();
  std::vector<std::string> Messages(const std::string& kind) const;

  SmtpSinkOptions options_;
  std::string dir_;
  std::string ca_file_;
  int port_ = 0;
  std::unique_ptr<ServiceProcess> process_;
};

}  // namespace iob::testing

#endif  // IOB_TESTS_SUPPORT_SMTP_SINK_H_
