// What the invoice-intake suites make: cXML invoices and the mails that
// carry them, as a supplier and its receiving mail server send them.
#ifndef IOB_TESTS_INTEGRATION_INVOICE_INTAKE_INTAKE_TEST_UTIL_H_
#define IOB_TESTS_INTEGRATION_INVOICE_INTAKE_INTAKE_TEST_UTIL_H_

#include <string>
#include <tuple>
#include <vector>

#include "libs/cxml/model.h"

namespace iob::invoice::testing {

// What the receiving server (authserv-id mx.iob.example, the one the suites'
// intake trusts) writes for mail that passed DKIM, SPF and DMARC for
// amazon.com.
inline constexpr char kVerifiedAmazon[] =
    "mx.iob.example; dkim=pass header.d=amazon.com; spf=pass smtp.mailfrom=amazon.com; "
    "dmarc=pass header.from=amazon.com";

// Invoice lines: (supplier part, quantity, unit price in USD).
using InvoiceLines = std::vector<std::tuple<std::string, std::string, std::string>>;

// A cXML InvoiceDetailRequest `number` for `po`: one item per line (order
// line n for part "SKU-<n>"), USD, no tax, subtotal = net = gross = `net`.
cxml::Document CxmlInvoiceDocument(const std::string& number, const std::string& po,
                                   const InvoiceLines& lines, const std::string& net);
// The document written (libs/cxml); "" with a test failure when it cannot be.
std::string WriteCxml(const cxml::Document& d);
std::string CxmlInvoice(const std::string& number, const std::string& po, const InvoiceLines& lines,
                        const std::string& net);

// A supplier's mail to `to` from `from` with `xml` attached as invoice.xml
// (libs/mail), Message-ID <id@amazon.com>, with the receiving server's
// Authentication-Results `auth` on top when it is not empty.
std::string InvoiceMail(const std::string& to, const std::string& from, const std::string& xml,
                        const std::string& auth, const std::string& id);

}  // namespace iob::invoice::testing

#endif  // IOB_TESTS_INTEGRATION_INVOICE_INTAKE_INTAKE_TEST_UTIL_H_
