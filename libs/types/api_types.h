// The shared API types (iob.type.v1: LineItem, PostalAddress, Contact, Money)
// as a service receives them: each checked field by field, with errors that
// name the field the caller must fix, and turned into the cXML elements they
// become on the wire. No I/O.
#ifndef IOB_LIBS_TYPES_API_TYPES_H_
#define IOB_LIBS_TYPES_API_TYPES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "iob/type/v1/contact.pb.h"
#include "iob/type/v1/line_item.pb.h"
#include "iob/type/v1/postal_address.pb.h"
#include "libs/cxml/decimal.h"
#include "libs/cxml/model.h"

namespace iob::types {

// Like common::CheckText, but tabs and line breaks are allowed
// (descriptions, comments). INVALID_ARGUMENT "<field>: ...".
absl::Status CheckMultiLineText(absl::string_view value, absl::string_view field, size_t max_bytes);

// A SupplierPartAuxiliaryID is sent back verbatim as an element's content:
// at most 4 KiB, and what cxml::CheckRawXml accepts.
absl::Status CheckAuxId(absl::string_view aux, absl::string_view field);

// A non-negative plain decimal; INVALID_ARGUMENT "<field>: ..." otherwise.
absl::StatusOr<cxml::Decimal> NonNegative(absl::string_view text, absl::string_view field);

// Checks one line: quantity (positive decimal), supplier_part_id, aux id,
// description, unit price (non-negative decimal in `currency`; any ISO 4217
// code when `currency` is empty), unit of measure, classifications,
// manufacturer data. `field` is its path ("order.lines[2]"). Thread-safe.
absl::Status CheckLineItem(const type::v1::LineItem& line, absl::string_view field,
                           absl::string_view currency);

// Checks an address: street (1..4 lines), city, country code (ISO 3166
// alpha-2), optional name, state, postal code, country. Thread-safe.
absl::Status CheckPostalAddress(const type::v1::PostalAddress& address, absl::string_view field);

// Checks a contact: optional id and name; an e-mail, when given (or when
// `email_required`), must look like one.
absl::Status CheckContact(const type::v1::Contact& contact, absl::string_view field,
                          bool email_required);

// True when no field of `address` is set.
bool IsEmpty(const type::v1::PostalAddress& address);

// The cXML ItemOut for `line`: quantity, lineNumber, SupplierPartID,
// SupplierPartAuxiliaryID byte-for-byte, ItemDetail (UnitPrice, Description
// (the part id when empty), UnitOfMeasure, Classification (UNSPSC when
// none), manufacturer data).
cxml::ItemOut ToItemOut(const type::v1::LineItem& line);

// The cXML Address (ShipTo / BillTo) for `address`; Address/Name is the
// address's name, else `fallback_name`; `email` is added when not empty.
cxml::Address ToCxmlAddress(const type::v1::PostalAddress& address,
                            const std::string& fallback_name, const std::string& email = "");

}  // namespace iob::types

#endif  // IOB_LIBS_TYPES_API_TYPES_H_
