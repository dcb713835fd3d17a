// The two XML syntaxes of the European e-invoice (EN 16931): UN/CEFACT
// Cross Industry Invoice (CII, also what a Factur-X / ZUGFeRD PDF carries)
// and OASIS UBL 2.1 Invoice / CreditNote (PEPPOL BIS Billing 3), read into
// an InvoiceDocument. The common BASIC / EN 16931 elements only; elements
// are matched by local name, whatever their prefixes. No I/O.
//
// Untrusted bytes are loaded hardened: size and depth limits, UTF-8 only,
// no DOCTYPE at all (so no entity can be declared, let alone expanded), one
// root element, the root's namespace checked.
#ifndef IOB_SERVICES_INVOICE_INTAKE_CII_READER_H_
#define IOB_SERVICES_INVOICE_INTAKE_CII_READER_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/invoice-intake/invoice.h"

namespace iob::invoice {

struct XmlLimits {
  size_t max_bytes = 8 << 20;
  int max_depth = 64;
};

// "YYYY-MM-DD" for a real calendar day (years 1900-9999); "" otherwise.
// Shared by the readers. Thread-safe.
std::string IsoDate(int year, int month, int day);

// The root element's local name ("cXML", "CrossIndustryInvoice", "Invoice")
// after the prolog (BOM, XML declaration, comments, processing
// instructions, DOCTYPE); "" when `bytes` does not open like XML. Reads at
// most the first 64 KiB. Thread-safe.
absl::string_view XmlRootName(absl::string_view bytes);

// Reads a CII rsm:CrossIndustryInvoice. `format` is kCii or kFacturX (what
// the document came in; the rules are the same, "cii:<path>"). Mapping:
//   invoice_number  ExchangedDocument/ID
//   invoice_date    ExchangedDocument/IssueDateTime/DateTimeString (format 102)
//   credit_memo     ExchangedDocument/TypeCode 381
//   currency        ApplicableHeaderTradeSettlement/InvoiceCurrencyCode
//   po_numbers      ApplicableHeaderTradeAgreement/BuyerOrderReferencedDocument/
//                   IssuerAssignedID, and the same per line; with none of
//                   those, ApplicableHeaderTradeAgreement/BuyerReference (BT-10:
//                   PEPPOL wants a buyer reference or an order reference, and
//                   buyers often have their PO number put there; producers
//                   such as @e-invoice-eu/core write no order reference in
//                   Factur-X below the EXTENDED profile)
//   issuer          SellerTradeParty: ID, GlobalID (schemeID:value),
//                   SpecifiedTaxRegistration/ID (schemeID:value); Name
//   net / tax / gross  SpecifiedTradeSettlementHeaderMonetarySummation:
//                   TaxBasisTotalAmount (else LineTotalAmount) / TaxTotalAmount
//                   (in the invoice currency) / DuePayableAmount (else
//                   GrandTotalAmount)
//   lines           IncludedSupplyChainTradeLineItem: AssociatedDocumentLineDocument/
//                   LineID, SpecifiedTradeProduct/SellerAssignedID and Name,
//                   SpecifiedLineTradeAgreement/NetPriceProductTradePrice/
//                   ChargeAmount (a BasisQuantity other than 1 is a doubt),
//                   BuyerOrderReferencedDocument/LineID, SpecifiedLineTradeDelivery/
//                   BilledQuantity (@unitCode), SpecifiedTradeSettlementLineMonetarySummation/
//                   LineTotalAmount.
// Errors: RESOURCE_EXHAUSTED over a limit; INVALID_ARGUMENT "<reason>" for
// XML that is not well-formed or not CII, a missing invoice number, or an
// amount that is not a plain decimal (naming the element). Thread-safe.
absl::StatusOr<InvoiceDocument> ReadCii(absl::string_view bytes, InvoiceFormat format,
                                        const XmlLimits& limits = {});

// Reads a UBL 2.1 Invoice or CreditNote (kUbl, rules "ubl:<path>"):
//   invoice_number  cbc:ID;  invoice_date  cbc:IssueDate
//   credit_memo     a CreditNote, or InvoiceTypeCode 381
//   currency        cbc:DocumentCurrencyCode
//   po_numbers      cac:OrderReference/cbc:ID (but not PEPPOL's placeholder
//                   "NA"), else cbc:BuyerReference (as for CII)
//   issuer          AccountingSupplierParty/Party: EndpointID, PartyIdentification/ID,
//                   PartyTaxScheme/CompanyID (schemeID:value); PartyLegalEntity/
//                   RegistrationName, else PartyName/Name
//   net / tax / gross  LegalMonetaryTotal/TaxExclusiveAmount / TaxTotal/TaxAmount
//                   (in the document currency) / LegalMonetaryTotal/PayableAmount
//   lines           InvoiceLine / CreditNoteLine: ID, InvoicedQuantity /
//                   CreditedQuantity, LineExtensionAmount, OrderLineReference/LineID,
//                   Item/Name, Item/SellersItemIdentification/ID, Price/PriceAmount
//                   (a BaseQuantity other than 1 is a doubt).
// Errors as ReadCii. Thread-safe.
absl::StatusOr<InvoiceDocument> ReadUbl(absl::string_view bytes, const XmlLimits& limits = {});

}  // namespace iob::invoice

#endif  // IOB_SERVICES_INVOICE_INTAKE_CII_READER_H_
