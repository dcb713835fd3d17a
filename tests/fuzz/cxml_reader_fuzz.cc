// libFuzzer target: the cXML reader on arbitrary bytes. Whatever it accepts
// must also survive being written again (and the writer's output must read
// back), so reader and writer are checked for agreement, not just crashes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "libs/cxml/reader.h"
#include "libs/cxml/writer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  iob::cxml::Limits limits;
  limits.max_bytes = 1 << 20;
  absl::StatusOr<iob::cxml::Document> doc = iob::cxml::ReadDocument(bytes, limits);
  if (!doc.ok()) return 0;
  absl::StatusOr<std::string> xml = iob::cxml::WriteDocument(*doc);
  if (!xml.ok()) return 0;  // lenient reads (e.g. no zone) may not be writable
  absl::StatusOr<iob::cxml::Document> again = iob::cxml::ReadDocument(*xml);
  if (!again.ok()) std::abort();  // we wrote something we cannot read
  return 0;
}
