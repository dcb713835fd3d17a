// SmtpSink: smtp_sink.py as a child process, driven through its directory.
#include "tests/support/smtp_sink.h"

#include <signal.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "libs/common/status_macros.h"

namespace iob::testing {
namespace {

constexpr char kPython[] = "/usr/bin/python3";  // Debian's, which has aiosmtpd
constexpr char kOpenssl[] = "/usr/bin/openssl";
constexpr absl::Duration kStartTimeout = absl::Seconds(30);
constexpr absl::Duration kPollInterval = absl::Milliseconds(20);

const char* TlsArg(SmtpSinkTls tls) {
  switch (tls) {
    case SmtpSinkTls::kStartTls:
      return "starttls";
    case SmtpSinkTls::kImplicit:
      return "implicit";
    case SmtpSinkTls::kNone:
      break;
  }
  return "none";
}

}  // namespace

absl::StatusOr<std::string> MakeSelfSignedCert(const std::string& dir) {
  const std::string cert = dir + "/cert.pem";
  IOB_ASSIGN_OR_RETURN(
      const CommandResult r,
      RunCommand(kOpenssl, {"req", "-x509", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                            "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                            "-keyout", dir + "/key.pem", "-out", cert}));
  if (r.exit_code != 0) return absl::InternalError("openssl req failed: " + r.output);
  return cert;
}

absl::StatusOr<std::unique_ptr<SmtpSink>> SmtpSink::Start(SmtpSinkOptions options) {
  std::unique_ptr<SmtpSink> sink(new SmtpSink(std::move(options), MakeTempDir("iob-smtp-sink-")));
  if (sink->options_.tls != SmtpSinkTls::kNone) {
    IOB_ASSIGN_OR_RETURN(sink->ca_file_, MakeSelfSignedCert(sink->dir_));
  }
  sink->port_ = sink->options_.port;
  IOB_RETURN_IF_ERROR(sink->Launch());
  return sink;
}

SmtpSink::~SmtpSink() {
  process_.reset();
  RemoveTree(dir_);
}

absl::Status SmtpSink::Launch() {
  const std::string ready = dir_ + "/ready";
  unlink(ready.c_str());
  std::vector<std::string> args = {
      IOB_SMTP_SINK_SCRIPT, "--dir", dir_, "--port", absl::StrCat(port_), "--tls",
      TlsArg(options_.tls)};
  if (options_.tls != SmtpSinkTls::kNone) {
    args.insert(args.end(), {"--cert", dir_ + "/cert.pem", "--key", dir_ + "/key.pem"});
  }
  if (!options_.auth.empty()) args.insert(args.end(), {"--auth", options_.auth});
  ServiceProcessOptions process;
  process.binary = kPython;
  process.args = std::move(args);
  process.log_path = dir_ + "/sink.log";
  IOB_ASSIGN_OR_RETURN(process_, ServiceProcess::Start(std::move(process)));
  const absl::Time deadline = absl::Now() + kStartTimeout;
  for (;;) {
    int port = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(ReadFileOrEmpty(ready)), &port) && port > 0) {
      port_ = port;
      return absl::OkStatus();
    }
    if (!process_->Running() || absl::Now() > deadline) {
      return absl::UnavailableError("smtp sink did not start; log:\n" + ReadLog());
    }
    absl::SleepFor(kPollInterval);
  }
}

std::string SmtpSink::url() const {
  return absl::StrCat(options_.tls == SmtpSinkTls::kImplicit ? "smtps" : "smtp",
                      "://127.0.0.1:", port_);
}

std::string SmtpSink::ReadLog() const { return ReadFileOrEmpty(dir_ + "/sink.log"); }

void SmtpSink::ScriptReplies(const std::vector<std::string>& replies) {
  std::string script = ReadFileOrEmpty(dir_ + "/script");
  for (const std::string& r : replies) absl::StrAppend(&script, r, "\n");
  WriteFileAtomically(dir_ + "/script", script);
}

std::vector<std::string> SmtpSink::Messages(const std::string& kind) const {
  std::vector<std::string> out;
  for (int n = 1;; ++n) {
    const std::string path = absl::StrCat(dir_, "/", kind, "/", n, ".eml");
    if (!std::filesystem::exists(path)) return out;
    out.push_back(ReadFileOrEmpty(path));
  }
}

std::vector<std::string> SmtpSink::Accepted() const { return Messages("messages"); }
std::vector<std::string> SmtpSink::Refused() const { return Messages("refused"); }
std::vector<std::string> SmtpSink::Held() const { return Messages("held"); }

void SmtpSink::Release() { WriteFileAtomically(dir_ + "/release", ""); }

void SmtpSink::Kill() {
  process_->Signal(SIGKILL);
  (void)process_->WaitExit(kStartTimeout);
}

absl::Status SmtpSink::Restart() {
  if (process_ != nullptr && process_->Running()) Kill();
  return Launch();
}

}  // namespace iob::testing
