// The cXML status code table and failure Responses.
#include "libs/cxml/status.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace iob::cxml {

const std::vector<StatusCodeInfo>& StatusCodeTable() {
  static const std::vector<StatusCodeInfo>* const kTable = new std::vector<StatusCodeInfo>{
      {200, StatusClass::kSuccess, "OK"},
      {201, StatusClass::kSuccess, "Accepted"},
      {204, StatusClass::kSuccess, "No Content"},
      {280, StatusClass::kSuccess, "Forwarded"},
      {281, StatusClass::kSuccess, "Forwarded: pending"},
      {400, StatusClass::kPermanent, "Bad Request"},
      {401, StatusClass::kPermanent, "Unauthorized"},
      {402, StatusClass::kPermanent, "Payment Required"},
      {403, StatusClass::kPermanent, "Forbidden"},
      {406, StatusClass::kPermanent, "Not Acceptable"},
      {409, StatusClass::kPermanent, "Conflict"},
      {412, StatusClass::kPermanent, "Precondition Failed"},
      {417, StatusClass::kPermanent, "Expectation Failed"},
      {450, StatusClass::kPermanent, "Not Implemented"},
      {475, StatusClass::kPermanent, "Signature Required"},
      {476, StatusClass::kPermanent, "Signature Verification Failed"},
      {477, StatusClass::kPermanent, "Signature Unacceptable"},
      {500, StatusClass::kTransient, "Internal Server Error"},
      {550, StatusClass::kTransient, "Unable to reach cXML server"},
      {551, StatusClass::kTransient, "Unable to forward request"},
      {560, StatusClass::kTransient, "Temporary server error"},
  };
  return *kTable;
}

const StatusCodeInfo* FindStatusCode(int code) {
  for (const StatusCodeInfo& row : StatusCodeTable()) {
    if (row.code == code) return &row;
  }
  return nullptr;
}

StatusClass ClassifyStatusCode(int code) {
  if (const StatusCodeInfo* row = FindStatusCode(code)) return row->cls;
  if (code >= 200 && code < 300) return StatusClass::kSuccess;
  if (code >= 500 && code < 600) return StatusClass::kTransient;
  return StatusClass::kPermanent;
}

namespace {
int CodeFor(InboundFailure f) {
  switch (f) {
    case InboundFailure::kMalformed:
      return 400;
    case InboundFailure::kNotAcceptable:
      return 406;
    case InboundFailure::kUnauthenticated:
      return 401;
    case InboundFailure::kForbidden:
      return 403;
    case InboundFailure::kUnsupported:
      return 450;
    case InboundFailure::kDuplicate:
      return 409;
    case InboundFailure::kPreconditionFailed:
      return 412;
    case InboundFailure::kTooLarge:
      return 417;
    case InboundFailure::kInternal:
      return 500;
    case InboundFailure::kUnavailable:
      return 560;
  }
  return 500;
}

constexpr InboundFailure kAllFailures[] = {
    InboundFailure::kMalformed,          InboundFailure::kNotAcceptable,
    InboundFailure::kUnauthenticated,    InboundFailure::kForbidden,
    InboundFailure::kUnsupported,        InboundFailure::kDuplicate,
    InboundFailure::kPreconditionFailed, InboundFailure::kTooLarge,
    InboundFailure::kInternal,           InboundFailure::kUnavailable,
};

// A code WithCxmlCode accepts: a failure code of the table.
bool IsFailureCode(int code) {
  const StatusCodeInfo* row = FindStatusCode(code);
  return row != nullptr && row->cls != StatusClass::kSuccess;
}

Response FailureWithCode(int code, std::string_view detail) {
  Response r;
  r.status.code = code;
  r.status.text = std::string(FindStatusCode(code)->text);
  r.status.message = std::string(detail);
  r.status.lang = "en";
  return r;
}
}  // namespace

Response MakeFailureResponse(InboundFailure failure, std::string_view detail) {
  return FailureWithCode(CodeFor(failure), detail);
}

Response MakeSuccessResponse(bool accepted_for_later) {
  Response r;
  r.status.code = accepted_for_later ? 201 : 200;
  r.status.text = std::string(FindStatusCode(r.status.code)->text);
  return r;
}

absl::Status WithCxmlCode(absl::Status status, int code) {
  if (status.ok() || !IsFailureCode(code)) return status;
  status.SetPayload(kCxmlCodePayload, absl::Cord(absl::StrCat(code)));
  return status;
}

std::optional<int> CxmlCodeOf(const absl::Status& status) {
  auto payload = status.GetPayload(kCxmlCodePayload);  // absl::optional<absl::Cord>
  int code = 0;
  if (!payload || !absl::SimpleAtoi(std::string(*payload), &code) || !IsFailureCode(code)) {
    return std::nullopt;
  }
  return code;
}

InboundFailure FailureFromStatus(const absl::Status& status) {
  if (std::optional<int> code = CxmlCodeOf(status)) {
    for (InboundFailure f : kAllFailures) {
      if (CodeFor(f) == *code) return f;
    }
  }
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      return InboundFailure::kMalformed;
    case absl::StatusCode::kResourceExhausted:
      return InboundFailure::kTooLarge;
    case absl::StatusCode::kUnauthenticated:
      return InboundFailure::kUnauthenticated;
    case absl::StatusCode::kPermissionDenied:
      return InboundFailure::kForbidden;
    case absl::StatusCode::kUnimplemented:
      return InboundFailure::kUnsupported;
    case absl::StatusCode::kAlreadyExists:
      return InboundFailure::kDuplicate;
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kNotFound:
      return InboundFailure::kPreconditionFailed;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return InboundFailure::kUnavailable;
    default:
      return InboundFailure::kInternal;
  }
}

Response ResponseForStatus(const absl::Status& status) {
  const std::string_view detail(status.message().data(), status.message().size());
  if (std::optional<int> code = CxmlCodeOf(status)) return FailureWithCode(*code, detail);
  return MakeFailureResponse(FailureFromStatus(status), detail);
}

}  // namespace iob::cxml
