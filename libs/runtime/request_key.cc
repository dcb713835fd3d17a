#include "libs/runtime/request_key.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <memory>

#include "libs/common/invalid_field.h"
#include "libs/common/status_macros.h"
#include "libs/crypto/key_ring.h"

namespace iob::runtime {
namespace {

const google::protobuf::FieldDescriptor* RequestIdField(const google::protobuf::Message& m) {
  const auto* field = m.GetDescriptor()->FindFieldByName("request_id");
  return field != nullptr && field->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
                 !field->is_repeated()
             ? field
             : nullptr;
}

}  // namespace

absl::Status ValidateRequestId(absl::string_view request_id) {
  if (request_id.size() > 128) {
    return common::InvalidField("request_id", "longer than 128 characters");
  }
  for (unsigned char c : request_id) {
    if (c < 0x21 || c > 0x7e) return common::InvalidField("request_id", "must be printable ASCII");
  }
  return absl::OkStatus();
}

std::string RequestHash(const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  if (const auto* field = RequestIdField(*copy))
    copy->GetReflection()->ClearField(copy.get(), field);
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    copy->SerializeToCodedStream(&coded);
  }
  return crypto::Sha256Hex(bytes);
}

absl::StatusOr<db::RequestKey> RequestKeyOf(absl::string_view tenant, absl::string_view method,
                                            const google::protobuf::Message& request) {
  db::RequestKey key{std::string(tenant), std::string(method), "", ""};
  if (const auto* field = RequestIdField(request)) {
    key.request_id = request.GetReflection()->GetString(request, field);
  }
  IOB_RETURN_IF_ERROR(ValidateRequestId(key.request_id));
  if (!key.request_id.empty()) key.request_hash = RequestHash(request);
  return key;
}

}  // namespace iob::runtime
