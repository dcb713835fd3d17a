// The rule's PDF action in the domain: the purchase order sheet an order
// version prints as, and the e-mail that carries it to the supplier. Plain
// values and rules; the rendering is libs/pdf's, the sending libs/mail's.
#ifndef IOB_SERVICES_DISPATCH_ORDER_MAIL_H_
#define IOB_SERVICES_DISPATCH_ORDER_MAIL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/mail/message.h"
#include "libs/pdf/purchase_order_pdf.h"
#include "libs/supplier/endpoint.h"
#include "services/dispatch/order.h"

namespace iob::dispatch {

// The sheet of `version` of `order` for `endpoint`'s supplier: our company
// (the bill-to party), the supplier (integration display name and order
// e-mail), addresses, contact, lines with exact line totals, the total,
// "CHANGED" for an update and "CANCELLED" (with the reason) for a
// cancellation. INVALID_ARGUMENT on an amount that cannot be computed.
absl::StatusOr<pdf::PurchaseOrderSheet> SheetFor(const Order& order, const OrderVersion& version,
                                                 const supplier::SupplierEndpoint& endpoint);

// The PDF of `version` of `order` (SheetFor, rendered).
absl::StatusOr<std::string> RenderOrderPdf(const Order& order, const OrderVersion& version,
                                           const supplier::SupplierEndpoint& endpoint);

// "PO-<po number>-v<N>.pdf", with anything but letters, digits, '-', '_'
// and '.' in the PO number replaced by '_'.
std::string PdfFileName(const Order& order, const OrderVersion& version);

// The Message-ID of `version` of `order` (without brackets), fixed per
// version so a re-sent message is recognisably the same one:
// "po.<order id>.v<N>.<tenant>@<domain of from_address>".
std::string MessageIdFor(const Order& order, const OrderVersion& version,
                         const std::string& from_address);

// The e-mail of `version` of `order` to `endpoint`'s order e-mail, from
// `from_address` (named after our company), with `pdf` attached: Subject
// "Purchase order <PO> (version N)", a short text saying what the
// attachment is and, for a change or cancellation, what it replaces.
mail::OutgoingMessage OrderMail(const Order& order, const OrderVersion& version,
                                const supplier::SupplierEndpoint& endpoint,
                                const std::string& from_address, std::string pdf, absl::Time date);

// What the exchange log keeps of a sent order mail: the message without
// its attachment bytes, and a line naming the attachment with its size and
// SHA-256.
std::string MailRecord(const mail::OutgoingMessage& message);

}  // namespace iob::dispatch

#endif  // IOB_SERVICES_DISPATCH_ORDER_MAIL_H_
