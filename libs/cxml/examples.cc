// Sample documents; see examples.h.
#include "libs/cxml/examples.h"

#include <string>

#include "libs/cxml/status.h"
#include "libs/cxml/strings_internal.h"

namespace iob::cxml {
namespace {

using internal::Cat;

constexpr char kTimestamp[] = "2024-05-01T09:30:00+02:00";

Header ExampleHeader(bool from_supplier) {
  Header h;
  Credential buyer{"NetworkID", "AN01000000001", ""};
  Credential supplier{"DUNS", "128990368", ""};
  h.from = {from_supplier ? supplier : buyer};
  h.to = {from_supplier ? buyer : supplier};
  h.sender = {{from_supplier ? "DUNS" : "NetworkID", from_supplier ? "128990368" : "AN01000000001",
               "s3cr3t-&-<shared>"}};
  h.user_agent = "iob 0.1";
  return h;
}

PostalAddress ExamplePostal() {
  PostalAddress p;
  p.name = "default";
  p.deliver_to = {"Jane Doe", "Receiving dock 3"};
  p.street = {"123 Main Street", "Building B"};
  p.city = "Sunnyvale";
  p.state = "CA";
  p.postal_code = "94089";
  p.country = "United States";
  p.iso_country_code = "US";
  return p;
}

Phone ExamplePhone() {
  Phone ph;
  ph.name = "work";
  ph.iso_country_code = "US";
  ph.country_code = "1";
  ph.area_or_city_code = "408";
  ph.number = "5551234";
  ph.extension = "42";
  return ph;
}

Address ExampleAddress(bool full, std::string_view name) {
  Address a;
  a.name = std::string(name);
  if (full) {
    a.address_id = "SHIP-001";
    a.address_id_domain = "buyerLocationID";
    a.iso_country_code = "US";
    a.postal_address = ExamplePostal();
    a.email = "receiving@buyer.example";
    a.phone = ExamplePhone();
  }
  return a;
}

Contact ExampleContact(bool full) {
  Contact c;
  c.name = "Jane Doe";
  if (full) {
    c.role = "endUser";
    c.address_id = "U-17";
    c.address_id_domain = "buyerUserID";
    c.postal_addresses = {ExamplePostal()};
    c.emails = {"jane.doe@buyer.example"};
    c.phones = {ExamplePhone()};
    c.extrinsics = {{"CostCenter", RawXml::FromText("CC-4711")}};
  }
  return c;
}

Shipping ExampleShipping() {
  Shipping s;
  s.tracking_domain = "UPS";
  s.tracking_id = "1Z999";
  s.money = {"5.00", "USD"};
  s.description = {"en", "Standard shipping", "Ground"};
  return s;
}

Tax ExampleTax() {
  Tax t;
  t.money = {"1.25", "USD"};
  t.description = {"en", "Sales tax", ""};
  return t;
}

ItemId ExampleItemId(int i, bool full) {
  ItemId id;
  id.supplier_part_id = Cat("B07PART", i);
  if (full) {
    id.supplier_part_auxiliary_id = RawXml::FromText(Cat("QID:", i, "|offer=A&B<1>"));
    id.buyer_part_id = Cat("BP-", i);
  }
  return id;
}

ItemDetail ExampleItemDetail(int i, bool full) {
  ItemDetail d;
  d.unit_price = {"0.50", "USD"};
  d.descriptions = {{"en", Cat("Ballpoint pen, blue, pack ", i), full ? "Pen" : ""}};
  d.unit_of_measure = "EA";
  d.classifications = {{"UNSPSC", full ? "44121704" : "", "44121704"}};
  if (full) {
    d.descriptions.push_back({"de", "Kugelschreiber, blau \xE2\x80\x93 \xC3\xBC", ""});
    d.manufacturer_part_id = "PEN-BL-10";
    d.manufacturer_name = "Pens & Co";
    d.url = "https://supplier.example/p/B07PART";
    d.lead_time = "2";
    d.extrinsics = {{"soldBy", RawXml::FromText("Pens & Co")}};
  }
  return d;
}

ItemIn ExampleItemIn(int i, bool full) {
  ItemIn it;
  it.quantity = "2";
  it.item_id = ExampleItemId(i, full);
  it.item_detail = ExampleItemDetail(i, full);
  if (full) {
    it.line_number = Cat(i);
    it.ship_to = ExampleAddress(true, "Jane Doe");
    it.shipping = ExampleShipping();
    it.tax = ExampleTax();
    it.extrinsics = {{"condition", RawXml::FromText("New")}};
  }
  return it;
}

ItemOut ExampleItemOut(int i, bool full) {
  ItemOut it;
  it.quantity = "2";
  it.line_number = Cat(i);
  it.item_id = ExampleItemId(i, full);
  if (full) {
    it.requisition_id = "REQ-9";
    it.requested_delivery_date = "2024-05-10";
    it.item_detail = ExampleItemDetail(i, full);
    it.ship_to = ExampleAddress(true, "Jane Doe");
    it.shipping = ExampleShipping();
    it.tax = ExampleTax();
    it.contacts = {ExampleContact(true)};
    it.comments = {{"en", "", "Leave at reception"}};
  }
  return it;
}

OrderReference ExampleOrderReference() {
  return {"PO-2024-0001", "2024-05-01T09:30:00+02:00",
          "20240501T073000Z.4711.00000000000000ab@iob.example"};
}

Document Base(bool from_supplier) {
  Document d;
  d.payload_id = Cat("20240501T073000Z.4711.", from_supplier ? "5" : "0", "000000000000001@",
                     from_supplier ? "supplier.example" : "iob.example");
  d.timestamp = kTimestamp;
  d.header = ExampleHeader(from_supplier);
  return d;
}

PunchOutOrderMessage MakePunchOutOrderMessage(int lines, bool full) {
  PunchOutOrderMessage m;
  m.buyer_cookie = "c0ffee-session-17";
  m.operation_allowed = full ? PunchOutOperation::kEdit : PunchOutOperation::kCreate;
  m.total = {Cat(lines, ".00"), "USD"};
  if (full) {
    m.quote_status = "final";
    m.ship_to = ExampleAddress(true, "Jane Doe");
    m.shipping = ExampleShipping();
    m.tax = ExampleTax();
  }
  for (int i = 1; i <= lines; ++i) m.items.push_back(ExampleItemIn(i, full));
  return m;
}

OrderRequest MakeOrderRequest(int lines, bool full) {
  OrderRequest o;
  o.order_id = "PO-2024-0001";
  o.order_date = kTimestamp;
  o.total = {Cat(lines, ".00"), "USD"};
  o.bill_to = ExampleAddress(full, "Buyer Inc. Accounts Payable");
  for (int i = 1; i <= lines; ++i) o.items.push_back(ExampleItemOut(i, full));
  if (full) {
    o.type = OrderType::kUpdate;
    o.order_version = "2";
    o.requested_delivery_date = "2024-05-10";
    o.document_reference = "20240430T073000Z.4711.00000000000000aa@iob.example";
    o.ship_to = ExampleAddress(true, "Jane Doe");
    o.shipping = ExampleShipping();
    o.tax = ExampleTax();
    o.payment = Payment{"4111111111111111", "2026-12-31", "Jane Doe"};
    o.contacts = {ExampleContact(true)};
    o.comments = {{"en", "", "Please deliver before noon"}};
    o.extrinsics = {{"UserEmail", RawXml::FromText("jane.doe@buyer.example")},
                    {"UniqueName", RawXml::FromText("jdoe")}};
  }
  return o;
}

}  // namespace

Document ExamplePunchOutOrderMessage(int lines) {
  Document d = Base(true);
  d.body = MakePunchOutOrderMessage(lines, true);
  return d;
}

Document ExampleOrderRequest(int lines) {
  Document d = Base(false);
  d.body = MakeOrderRequest(lines, true);
  return d;
}

Document ExampleDocument(DocumentType type, ExampleDetail detail) {
  const bool full = detail == ExampleDetail::kFull;
  switch (type) {
    case DocumentType::kPunchOutSetupRequest: {
      Document d = Base(false);
      PunchOutSetupRequest r;
      r.buyer_cookie = "c0ffee-session-17";
      r.browser_form_post_url = "https://iob.example/punchout/return";
      if (full) {
        r.operation = PunchOutOperation::kEdit;
        r.extrinsics = {{"UserEmail", RawXml::FromText("jane.doe@buyer.example")},
                        {"UniqueName", RawXml::FromText("jdoe")},
                        {"UserBusinessUnit", RawXml::FromText("Facilities")}};
        r.contacts = {ExampleContact(true)};
        r.supplier_setup_url = "https://supplier.example/punchout";
        r.ship_to = ExampleAddress(true, "Jane Doe");
        r.items = {ExampleItemOut(1, true)};
      }
      d.deployment_mode = full ? DeploymentMode::kTest : DeploymentMode::kProduction;
      d.body = std::move(r);
      return d;
    }
    case DocumentType::kPunchOutSetupResponse: {
      Document d = Base(true);
      Response r = MakeSuccessResponse();
      r.punch_out_setup_response =
          PunchOutSetupResponse{"https://supplier.example/start?s=abc&t=1"};
      d.body = std::move(r);
      return d;
    }
    case DocumentType::kPunchOutOrderMessage: {
      Document d = Base(true);
      if (full) d.in_reply_to = "20240501T073000Z.4711.0000000000000001@iob.example";
      d.body = MakePunchOutOrderMessage(full ? 2 : 1, full);
      return d;
    }
    case DocumentType::kOrderRequest: {
      Document d = Base(false);
      d.body = MakeOrderRequest(full ? 2 : 1, full);
      return d;
    }
    case DocumentType::kResponse: {
      Document d = Base(true);
      d.body = full
                   ? MakeFailureResponse(InboundFailure::kMalformed,
                                         "missing required OrderRequest/OrderRequestHeader@orderID")
                   : MakeSuccessResponse();
      return d;
    }
    case DocumentType::kConfirmationRequest: {
      Document d = Base(true);
      ConfirmationRequest c;
      c.type = full ? "detail" : "accept";
      c.notice_date = kTimestamp;
      c.order_reference = ExampleOrderReference();
      if (full) {
        c.confirm_id = "CONF-1";
        c.operation = "update";
        c.invoice_id = "INV-1";
        c.total = Money{"2.00", "USD"};
        c.shipping = ExampleShipping();
        c.tax = ExampleTax();
        c.contacts = {ExampleContact(true)};
        c.comments = {{"en", "", "One line backordered"}};
        c.extrinsics = {{"AmazonOrderID", RawXml::FromText("112-0000000-0000000")}};
        ConfirmationItem it;
        it.quantity = "2";
        it.line_number = "1";
        it.unit_of_measure = "EA";
        ConfirmationStatus accepted;
        accepted.quantity = "1";
        accepted.type = "accept";
        accepted.shipment_date = "2024-05-02T00:00:00+00:00";
        accepted.delivery_date = "2024-05-04T00:00:00+00:00";
        accepted.unit_of_measure = "EA";
        accepted.unit_price = Money{"0.50", "USD"};
        accepted.tax = ExampleTax();
        accepted.shipping = ExampleShipping();
        accepted.comments = {{"en", "", "ships tomorrow"}};
        accepted.extrinsics = {{"seller", RawXml::FromText("Pens & Co")}};
        ConfirmationStatus back;
        back.quantity = "1";
        back.type = "backordered";
        back.unit_of_measure = "EA";
        it.statuses = {accepted, back};
        c.items = {it};
      }
      d.body = std::move(c);
      return d;
    }
    case DocumentType::kShipNoticeRequest: {
      Document d = Base(true);
      ShipNoticeRequest s;
      s.shipment_id = "SHIP-77";
      s.notice_date = kTimestamp;
      if (full) {
        s.operation = "update";
        s.shipment_date = "2024-05-02T08:00:00+00:00";
        s.delivery_date = "2024-05-04T08:00:00+00:00";
        s.shipment_type = "actual";
        s.fulfillment_type = "partial";
        s.contacts = {ExampleContact(true)};
        s.comments = {{"en", "", "First box"}};
        s.extrinsics = {{"AmazonOrderID", RawXml::FromText("112-0000000-0000000")}};
        s.ship_controls = {{{{"companyName", "UPS"}},
                            {{"trackingNumber", "https://ups.example/t?n=1Z999", "1Z999"}}}};
        ShipNoticeItem item;
        item.quantity = "1";
        item.line_number = "1";
        item.item_id = ExampleItemId(1, true);
        item.unit_of_measure = "EA";
        s.portions = {{ExampleOrderReference(), {item}}};
      }
      d.body = std::move(s);
      return d;
    }
    case DocumentType::kInvoiceDetailRequest: {
      Document d = Base(true);
      InvoiceDetailRequest inv;
      inv.invoice_id = "INV-2024-001";
      inv.invoice_date = kTimestamp;
      InvoiceDetailItem item;
      item.invoice_line_number = "1";
      item.quantity = full ? "-2" : "2";
      item.unit_of_measure = "EA";
      item.unit_price = {"0.50", "USD"};
      item.line_number = "1";
      if (full) {
        item.item_id = ExampleItemId(1, true);
        item.description = Description{"en", "Ballpoint pen, blue", ""};
        item.subtotal_amount = Money{"-1.00", "USD"};
        item.tax = ExampleTax();
        item.gross_amount = Money{"-1.00", "USD"};
        item.net_amount = Money{"-1.00", "USD"};
        item.extrinsics = {{"reason", RawXml::FromText("damaged")}};
      }
      inv.orders = {{ExampleOrderReference(), {item}}};
      inv.summary.subtotal_amount = {full ? "-1.00" : "1.00", "USD"};
      inv.summary.tax = {{"0.00", "USD"}, {"en", "No tax", ""}};
      inv.summary.net_amount = {full ? "-1.00" : "1.00", "USD"};
      if (full) {
        inv.purpose = "creditMemo";
        inv.is_tax_in_line = true;
        Contact remit = ExampleContact(true);
        remit.role = "remitTo";
        inv.partners = {remit};
        inv.document_reference = "20240502T073000Z.99.0000000000000001@supplier.example";
        inv.comments = {{"en", "", "Credit for damaged pens"}};
        inv.extrinsics = {{"invoiceSubmissionMethod", RawXml::FromText("Online")}};
        inv.summary.special_handling_amount = Money{"0.00", "USD"};
        inv.summary.shipping_amount = Money{"0.00", "USD"};
        inv.summary.gross_amount = Money{"-1.00", "USD"};
        inv.summary.discount_amount = Money{"0.00", "USD"};
        inv.summary.due_amount = Money{"-1.00", "USD"};
      }
      d.body = std::move(inv);
      return d;
    }
    case DocumentType::kProfileRequest: {
      Document d = Base(false);
      d.body = ProfileRequest{};
      return d;
    }
    case DocumentType::kProfileResponse: {
      Document d = Base(true);
      Response r = MakeSuccessResponse();
      ProfileResponse p;
      p.effective_date = kTimestamp;
      p.transactions = {{"OrderRequest", "https://supplier.example/cxml/order", {}}};
      if (full) {
        p.last_refresh = kTimestamp;
        p.options = {{"Service", "Amazon Business"}};
        p.transactions.push_back({"PunchOutSetupRequest",
                                  "https://supplier.example/cxml/punchout",
                                  {{"operations", "create edit inspect"}}});
      }
      r.profile_response = std::move(p);
      d.body = std::move(r);
      return d;
    }
  }
  return Base(false);
}

}  // namespace iob::cxml
