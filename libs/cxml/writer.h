// Writes cXML documents: elements in exactly the order the DTD declares, the
// DOCTYPE of the message family (cXML.dtd, Fulfill.dtd, InvoiceDetail.dtd),
// UTF-8, escaped text. Output validates against the official 1.2.071 DTDs.
#ifndef IOB_LIBS_CXML_WRITER_H_
#define IOB_LIBS_CXML_WRITER_H_

#include <string>

#include "absl/status/statusor.h"
#include "libs/cxml/model.h"

namespace iob::cxml {

// Serializes `doc`. Checks before anything is returned: every required
// field is present, amounts and quantities are decimals (decimal.h), currency
// codes are three upper-case letters, the envelope timestamp has the
// "+hh:mm" shape (timestamp.h), enumerated attributes hold allowed values,
// RawXml parts are well-formed fragments, and all text is valid UTF-8 with
// no characters XML forbids. Errors: INVALID_ARGUMENT naming the first
// offending path, e.g. "OrderRequest/ItemOut[1]/ItemDetail/UnitPrice/Money".
// Thread-safe (no shared state).
absl::StatusOr<std::string> WriteDocument(const Document& doc);

// Returns `xml`, a document WriteDocument wrote, with the content of every
// SharedSecret element replaced by "[redacted]": for logs of what was sent,
// without writing the document a second time. Thread-safe.
std::string RedactSharedSecrets(std::string xml);

// Checks that `xml` can be the content of an element whose content is
// written verbatim (RawXml: SupplierPartAuxiliaryID, Extrinsic): a
// well-formed fragment with no declaration or DOCTYPE, only the five
// predefined entities and character references, and "]]>" only closing a
// CDATA section. INVALID_ARGUMENT saying what is wrong. Thread-safe.
absl::Status CheckRawXml(std::string_view xml);

}  // namespace iob::cxml

#endif  // IOB_LIBS_CXML_WRITER_H_
