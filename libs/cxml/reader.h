// Reads cXML documents from untrusted bytes: lenient where real suppliers are
// sloppy, strict where it matters.
//
// Tolerated: a UTF-8 BOM; an XML declaration naming another encoding when the
// bytes are UTF-8 anyway; a plain DOCTYPE whose SYSTEM id is a cxml.org DTD
// (ignored, never fetched); timestamps without a zone or with "Z"; missing
// xml:lang on Name/Description ("en" assumed); a missing UserAgent; blank
// space around values.
//
// Rejected: anything over the size limit (before parsing) or nested deeper
// than the depth limit; invalid UTF-8 or characters XML forbids; a DOCTYPE
// with an internal subset (ENTITY declarations: billion laughs, external
// entities) or pointing at any other external DTD; duplicate attributes;
// malformed XML (truncated input included); a missing required element or
// attribute (the error names its path, e.g.
// "OrderRequest/OrderRequestHeader@orderID"); amounts and quantities that are
// not plain decimals; a Money without currency.
//
// Nothing is fetched, no entity is expanded (pugixml only knows the five
// predefined entities and character references), no I/O happens.
#ifndef IOB_LIBS_CXML_READER_H_
#define IOB_LIBS_CXML_READER_H_

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/cxml/model.h"

namespace iob::cxml {

// Limits applied to every inbound document.
struct Limits {
  size_t max_bytes = 4u << 20;  // 4 MiB
  int max_depth = 64;           // element nesting
};

// Parses and maps one cXML document. Returns the Document, or:
//  - RESOURCE_EXHAUSTED: bigger than limits.max_bytes / deeper than
//    limits.max_depth;
//  - INVALID_ARGUMENT: not well-formed, invalid UTF-8, forbidden DOCTYPE,
//    duplicate attribute, missing/invalid required part (message names the
//    path);
//  - UNIMPLEMENTED: a well-formed cXML document of a type we do not speak.
// Thread-safe (no shared state).
absl::StatusOr<Document> ReadDocument(std::string_view bytes, const Limits& limits = {});

// Like ReadDocument, and additionally INVALID_ARGUMENT when the document is
// not of type `expected` (TypeOf()).
absl::StatusOr<Document> ReadDocumentOfType(std::string_view bytes, DocumentType expected,
                                            const Limits& limits = {});

}  // namespace iob::cxml

#endif  // IOB_LIBS_CXML_READER_H_
