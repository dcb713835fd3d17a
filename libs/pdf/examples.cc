// Sample sheet; see examples.h.
#include "libs/pdf/examples.h"

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

}  // namespace iob::pdf
