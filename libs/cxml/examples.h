// Sample cXML documents of every type we speak, for `iobctl cxml example`,
// tests, benchmarks and the supplier simulator. Values are fictitious.
#ifndef IOB_LIBS_CXML_EXAMPLES_H_
#define IOB_LIBS_CXML_EXAMPLES_H_

#include "libs/cxml/model.h"

namespace iob::cxml {

// How much of the optional structure to fill in.
enum class ExampleDetail {
  kMinimal,  // required parts only
  kFull,     // every optional part the model has, at least once
};

// Returns a valid document of `type` (WriteDocument accepts it) with a fixed
// payloadID and timestamp so output is reproducible. Thread-safe.
Document ExampleDocument(DocumentType type, ExampleDetail detail = ExampleDetail::kFull);

// Returns a PunchOutOrderMessage / OrderRequest with `lines` item lines
// (sizes for benchmarks). Thread-safe.
Document ExamplePunchOutOrderMessage(int lines);
Document ExampleOrderRequest(int lines);

}  // namespace iob::cxml

#endif  // IOB_LIBS_CXML_EXAMPLES_H_
