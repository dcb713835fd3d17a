// Sample sheets; see examples.h.
#include "libs/pdf/examples.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/cxml/decimal.h"

namespace iob::pdf {

PurchaseOrderSheet ExamplePurchaseOrderSheet(int lines) {
  using cxml::Decimal;
  PurchaseOrderSheet s;
  s.po_number = "PO-2026-004711";
  s.version = 1;
  s.order_date = "2026-12-06";
  s.requested_delivery = "2026-12-20";
  s.buyer = {"Acme Industrial Supply Inc.",
             {"1200 Harbor Boulevard", "Oakland, CA 94607", "United States",
              "purchasing@acme.example", "+1 510 555 0100"}};
  s.supplier = {
      "Northwind Components Ltd.",
      {"Unit 4, Riverside Park", "Leeds LS10 1AB", "United Kingdom", "orders@northwind.example"}};
  s.ship_to = {"Acme Receiving, Dock 3",
               {"Attn: Jane Doe", "1250 Harbor Boulevard", "Oakland, CA 94607", "United States"}};
  s.bill_to = {"Acme Accounts Payable",
               {"PO Box 4410", "Oakland, CA 94604", "United States", "ap@acme.example"}};
  s.contact = {"Jane Doe", {"Buyer, Facilities", "jane.doe@acme.example", "+1 510 555 0142"}};
  s.currency = "USD";
  s.comments =
      "Please confirm this order within two business days and quote our PO number on every "
      "delivery note and invoice.\nDeliveries are accepted Monday to Friday, 7:00-15:00.";
  Decimal total = *Decimal::Parse("0.00");
  for (int i = 1; i <= lines; ++i) {
    PurchaseOrderLine l;
    l.number = absl::StrCat(i);
    l.part_id = absl::StrFormat("PART-%04d", i);
    if (i % 3 == 0) l.aux_id = absl::StrFormat("AUX-%d-B", i);
    l.description = absl::StrCat("Hex bolt M", 4 + i % 9, " x ", 10 + 5 * (i % 8),
                                 " mm, stainless steel A2, DIN 933");
    if (i % 7 == 0) {
      absl::StrAppend(&l.description,
                      ", packed in boxes of 100 with a certificate of conformity; deliver "
                      "together with the matching nuts and washers of the same grade");
    }
    l.quantity = absl::StrCat(1 + i % 12);
    l.unit = i % 4 == 0 ? "BX" : "EA";
    l.unit_price = absl::StrFormat("%d.%02d", 2 + (i * 7) % 180, (i * 37) % 100);
    const Decimal line_total = *Decimal::Parse(l.quantity)->Times(*Decimal::Parse(l.unit_price));
    l.line_total = line_total.ToString();
    total = *total.Plus(line_total);
    s.lines.push_back(std::move(l));
  }
  s.total = total.ToString();
  return s;
}

namespace {

// Pennies as a plain decimal: 1234 -> "12.34".
std::string Pounds(int64_t pennies) {
  return absl::StrFormat("%s%d.%02d", pennies < 0 ? "-" : "", std::abs(pennies) / 100,
                         std::abs(pennies) % 100);
}

}  // namespace

InvoiceSheet ExampleInvoiceSheet(int lines) {
  InvoiceSheet s;
  s.brand = "amazon business";
  s.seller = {"Amazon EU S.à r.l., UK Branch",
              {"1 Principal Place, Worship Street", "London EC2A 2FA", "United Kingdom"}};
  s.seller_vat_number = "GB727255821";
  s.invoice_number = "GB6AB12CDE4";
  s.invoice_date = "6 December 2026";
  s.po_number = "PO-2026-004711";
  s.order_number = "203-4417236-5520341";
  s.order_date = "4 December 2026";
  s.payment_terms = "Pay by Invoice, 30 days";
  s.payment_due = "5 January 2027";
  s.bill_to = {"Acme Industrial Supply Ltd.",
               {"Accounts Payable", "12 Dock Road", "Leeds LS10 1AB", "United Kingdom"}};
  s.ship_to = {"Acme Receiving, Dock 3",
               {"Attn: Jane Doe", "14 Dock Road", "Leeds LS10 1AB", "United Kingdom"}};
  s.currency = "GBP";
  s.tax_name = "VAT";
  s.notes =
      "Payment by bank transfer to the account on your Amazon Business statement. Please quote "
      "the invoice number with your payment.";
  // Pennies are exact integers; VAT is rounded half up per line, as the
  // seller does.
  int64_t subtotal = 0, vat = 0;
  for (int i = 1; i <= lines; ++i) {
    InvoiceSheetLine l;
    constexpr const char* kSizes[] = {"S", "M", "L"};
    l.description =
        absl::StrCat("Nitrile gloves, size ", kSizes[i % 3], ", box of ", 50 * (1 + i % 4));
    if (i % 5 == 0) {
      absl::StrAppend(&l.description,
                      ", powder free, food safe, EN 455 and EN 374 certified, blue, textured "
                      "fingertips for a secure grip in wet and dry conditions");
    }
    l.part_label = absl::StrFormat("ASIN: B0EXAMPL%02d", i % 100);
    const int quantity = 1 + i % 6;
    const int64_t price = 199 + (i * 733) % 9000;  // pennies
    l.quantity = absl::StrCat(quantity);
    l.unit_price = Pounds(price);
    l.tax_rate = "20";
    l.amount = Pounds(quantity * price);
    subtotal += quantity * price;
    vat += (quantity * price * 20 + 50) / 100;
    s.lines.push_back(std::move(l));
  }
  s.subtotal = Pounds(subtotal);
  s.tax = Pounds(vat);
  s.total = Pounds(subtotal + vat);
  return s;
}

}  // namespace iob::pdf
