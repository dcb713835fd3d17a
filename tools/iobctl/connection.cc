#include "tools/iobctl/connection.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <cstdlib>
#include <iostream>
#include <iterator>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
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

namespace {

// The content of `path`, or stdin for "-".
absl::StatusOr<std::string> ReadInput(const std::string& path) {
  if (path != "-") return runtime::ReadFile(path);
  return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

}  // namespace

absl::StatusOr<std::string> ReadSecretFile(const std::string& path) {
  auto value = ReadInput(path);
  if (!value.ok()) return value.status();
  if (!value->empty() && value->back() == '\n') value->pop_back();
  if (!value->empty() && value->back() == '\r') value->pop_back();
  return value;
}

absl::Status ReadJsonMessage(const std::string& path, google::protobuf::Message* message) {
  auto json = ReadInput(path);
  if (!json.ok()) return json.status();
  auto parsed = google::protobuf::util::JsonStringToMessage(*json, message);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": not a ", message->GetTypeName(), " in proto JSON: ", parsed.message().ToString()));
  }
  return absl::OkStatus();
}

std::string ChildName(const std::string& tenant, const std::string& collection,
                      const std::string& id) {
  if (id.find('/') != std::string::npos) return id;
  if (id.empty() || tenant.empty()) return "";
  return absl::StrCat("tenants/", tenant, "/", collection, "/", id);
}

std::string TimeText(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0 && time.nanos() == 0) return "-";
  return google::protobuf::util::TimeUtil::ToString(time);
}

std::string DurationText(const google::protobuf::Duration& duration) {
  return absl::FormatDuration(absl::Seconds(duration.seconds()) +
                              absl::Nanoseconds(duration.nanos()));
}

}  // namespace iob::iobctl
