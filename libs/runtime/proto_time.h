// absl::Time <-> google.protobuf.Timestamp, the one conversion every API uses
// (microsecond precision, as Postgres keeps time).
#ifndef IOB_LIBS_RUNTIME_PROTO_TIME_H_
#define IOB_LIBS_RUNTIME_PROTO_TIME_H_

#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/time_util.h>

#include "absl/time/time.h"

namespace iob::runtime {

inline google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

inline absl::Time FromProtoTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixMicros(google::protobuf::util::TimeUtil::TimestampToMicroseconds(t));
}

}  // namespace iob::runtime

#endif  // IOB_LIBS_RUNTIME_PROTO_TIME_H_
