#include "tools/iobctl/connection.h"

#include <google/protobuf/util/json_util.h>

#include <cstdlib>
#include <iostream>
#include <iterator>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/runtime/service_host.h"

namespace iob::iobctl {

void Connection::Register(common::Flags& flags, const std::string& default_addr) {
  addr = default_addr;
  flags.Add("addr", &addr, "service address host:port");
  flags.Add("token-file", &token_file, "file holding the bearer token");
  tls.Register(flags, "tls", "called");
  flags.Add("json", &json, "print JSON instead of a table");
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> Connection::Dial() const {
  auto creds = runtime::ClientChannelCredentials(tls, "called");
  if (!creds.ok()) return creds.status();
  return grpc::CreateChannel(addr, *std::move(creds));
}

absl::StatusOr<std::unique_ptr<grpc::ClientContext>> Connection::Context() const {
  auto token = runtime::ReadFile(token_file);
  if (!token.ok()) {
    return absl::NotFoundError(
        absl::StrCat("cannot read token file ", token_file,
                     " (start the suite with ./iob up, or pass --token-file)"));
  }
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->AddMetadata("authorization", absl::StrCat("Bearer ", absl::StripAsciiWhitespace(*token)));
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return ctx;
}

bool ParseCommandFlags(common::Flags& flags, const std::vector<std::string>& args,
                       std::vector<std::string>* positional, std::ostream& err, int* exit_code) {
  auto parsed = flags.Parse(args, [](const std::string& name) -> const char* {
    static const std::set<std::string> kFromEnvironment = {
        "IOB_ADDR", "IOB_TOKEN_FILE", "IOB_TLS_CA_FILE", "IOB_TLS_CERT_FILE", "IOB_TLS_KEY_FILE"};
    return kFromEnvironment.count(name) > 0 ? std::getenv(name.c_str()) : nullptr;
  });
  if (parsed.ok()) {
    *positional = std::move(parsed).value();
    return true;
  }
  if (parsed.status().code() == absl::StatusCode::kCancelled) {
    err << flags.Usage();
    *exit_code = 0;
  } else {
    err << "iobctl: " << parsed.status().message() << "\n";
    *exit_code = 2;
  }
  return false;
}

int PrintRefusal(std::ostream& err, const grpc::Status& st) {
  static const char* kNames[] = {"OK",
                                 "CANCELLED",
                                 "UNKNOWN",
                                 "INVALID_ARGUMENT",
                                 "DEADLINE_EXCEEDED",
                                 "NOT_FOUND",
                                 "ALREADY_EXISTS",
                                 "PERMISSION_DENIED",
                                 "RESOURCE_EXHAUSTED",
                                 "FAILED_PRECONDITION",
                                 "ABORTED",
                                 "OUT_OF_RANGE",
                                 "UNIMPLEMENTED",
                                 "INTERNAL",
                                 "UNAVAILABLE",
                                 "DATA_LOSS",
                                 "UNAUTHENTICATED"};
  const int code = st.error_code();
  err << "iobctl: " << (code >= 0 && code < 17 ? kNames[code] : "ERROR") << ": "
      << st.error_message() << "\n";
  return 1;
}

std::string ToJson(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions opts;
  opts.add_whitespace = true;
  opts.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, opts);
  return out;
}

absl::StatusOr<std::string> ReadSecretFile(const std::string& path) {
  std::string value;
  if (path == "-") {
    value.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    auto content = runtime::ReadFile(path);
    if (!content.ok()) return content.status();
    value = *std::move(content);
  }
  if (!value.empty() && value.back() == '\n') value.pop_back();
  if (!value.empty() && value.back() == '\r') value.pop_back();
  return value;
}

}  // namespace iob::iobctl
