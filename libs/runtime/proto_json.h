// Proto messages kept in jsonb columns (an order's content, an invoice's
// detail): written and read back as proto JSON, one way for every store.
#ifndef IOB_LIBS_RUNTIME_PROTO_JSON_H_
#define IOB_LIBS_RUNTIME_PROTO_JSON_H_

#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <string>

namespace iob::runtime {

// `m` as proto JSON. Cannot fail for a message built or parsed in memory.
inline std::string ToJson(const google::protobuf::Message& m) {
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(m, &out);
  return out;
}

// The message ToJson wrote (unknown fields ignored, so a column written by a
// newer version still reads).
template <typename Message>
Message FromJson(const std::string& json) {
  Message m;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  (void)google::protobuf::util::JsonStringToMessage(json, &m, options);
  return m;
}

}  // namespace iob::runtime

#endif  // IOB_LIBS_RUNTIME_PROTO_JSON_H_
