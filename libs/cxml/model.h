// cXML documents as plain structs: no I/O, no XML. One struct per element we
// speak, with snake_case fields that follow the cXML element and attribute
// names. Money and quantities are decimal strings (see decimal.h), never
// double. Optional elements are std::optional or empty vectors; optional
// attributes are empty strings when absent.
//
// Every struct is a value type: copyable, comparable with ==, and safe to use
// from several threads as long as no thread mutates a shared instance.
#ifndef IOB_LIBS_CXML_MODEL_H_
#define IOB_LIBS_CXML_MODEL_H_

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace iob::cxml {

// The cXML version we write (and the DTD set we validate against).
inline constexpr std::string_view kCxmlVersion = "1.2.071";

// Request@deploymentMode / Message@deploymentMode. Absent means production.
enum class DeploymentMode { kProduction, kTest };

// XML content of an element whose DTD content model is ANY
// (SupplierPartAuxiliaryID, Extrinsic). `xml` holds the element's inner
// markup exactly as received (text escaped as it arrived, CDATA sections,
// child elements), so a value read from a supplier is sent back byte-for-byte.
// Build one from plain text with FromText(); read plain text with Text().
struct RawXml {
  std::string xml;

  // Escapes `text` (&, <, >) into a RawXml holding only character data.
  static RawXml FromText(std::string_view text);
  // The concatenated character data of `xml` (entities and CDATA resolved,
  // markup dropped). Returns "" when `xml` is not a well-formed fragment.
  std::string Text() const;

  friend bool operator==(const RawXml&, const RawXml&) = default;
};

// <Credential domain="..."><Identity/><SharedSecret/></Credential>.
struct Credential {
  std::string domain;         // required, e.g. "NetworkID", "DUNS"
  std::string identity;       // required (text)
  std::string shared_secret;  // optional; only in Sender
  friend bool operator==(const Credential&, const Credential&) = default;
};

// <Header><From/><To/><Sender/></Header>. From, To and Sender each need at
// least one credential; Sender also a UserAgent.
struct Header {
  std::vector<Credential> from;
  std::vector<Credential> to;
  std::vector<Credential> sender;
  std::string user_agent;
  friend bool operator==(const Header&, const Header&) = default;
};

// <Money currency="USD">12.50</Money>. Both required.
struct Money {
  std::string amount;    // decimal string, e.g. "0.50", "-12", never "1e2"
  std::string currency;  // ISO 4217 code, e.g. "USD"
  friend bool operator==(const Money&, const Money&) = default;
};

// <Description xml:lang="en">text<ShortName>..</ShortName></Description>.
struct Description {
  std::string lang = "en";  // xml:lang, required
  std::string text;
  std::string short_name;  // optional
  friend bool operator==(const Description&, const Description&) = default;
};

// <Extrinsic name="UserEmail">value</Extrinsic>.
struct Extrinsic {
  std::string name;  // required; may carry a prefix ("coupa:UserEmail")
  RawXml value;
  friend bool operator==(const Extrinsic&, const Extrinsic&) = default;
};

// <Phone name=".."><TelephoneNumber>...</TelephoneNumber></Phone>.
struct Phone {
  std::string name;
  std::string iso_country_code = "US";  // CountryCode@isoCountryCode
  std::string country_code;             // CountryCode text, e.g. "1"
  std::string area_or_city_code;
  std::string number;
  std::string extension;  // optional
  friend bool operator==(const Phone&, const Phone&) = default;
};

// <PostalAddress>: DeliverTo*, Street+, City, State?, PostalCode?, Country.
struct PostalAddress {
  std::string name;  // optional attribute
  std::vector<std::string> deliver_to;
  std::vector<std::string> street;  // at least one
  std::string city;                 // required
  std::string state;
  std::string postal_code;
  std::string country;           // required text, e.g. "United States"
  std::string iso_country_code;  // required, e.g. "US"
  friend bool operator==(const PostalAddress&, const PostalAddress&) = default;
};

// <Address> as used inside ShipTo and BillTo.
struct Address {
  std::string address_id;         // optional attribute
  std::string address_id_domain;  // optional attribute
  std::string iso_country_code;   // optional attribute
  std::string name;               // required
  std::string name_lang = "en";
  std::optional<PostalAddress> postal_address;
  std::string email;  // optional
  std::optional<Phone> phone;
  friend bool operator==(const Address&, const Address&) = default;
};

// <Contact role=".."><Name/>PostalAddress*, Email*, Phone*, Extrinsic*.
struct Contact {
  std::string role;  // optional, e.g. "buyer", "endUser", "remitTo"
  std::string address_id;
  std::string address_id_domain;
  std::string name;  // required
  std::string name_lang = "en";
  std::vector<PostalAddress> postal_addresses;
  std::vector<std::string> emails;
  std::vector<Phone> phones;
  std::vector<Extrinsic> extrinsics;
  friend bool operator==(const Contact&, const Contact&) = default;
};

// <Comments xml:lang=".." type="..">text</Comments>.
struct Comment {
  std::string lang;  // optional
  std::string type;  // optional
  std::string text;
  friend bool operator==(const Comment&, const Comment&) = default;
};

// <Shipping><Money/><Description/></Shipping>.
struct Shipping {
  std::string tracking_domain;  // optional
  std::string tracking_id;      // optional
  Money money;
  Description description;
  friend bool operator==(const Shipping&, const Shipping&) = default;
};

// <Tax><Money/><Description/></Tax>.
struct Tax {
  Money money;
  Description description;
  friend bool operator==(const Tax&, const Tax&) = default;
};

// <Classification domain="UNSPSC" code="..">value</Classification>.
struct Classification {
  std::string domain;  // required
  std::string code;    // optional
  std::string value;
  friend bool operator==(const Classification&, const Classification&) = default;
};

// <ItemID>: SupplierPartID, SupplierPartAuxiliaryID?, BuyerPartID?.
struct ItemId {
  std::string supplier_part_id;  // required
  // Kept byte-for-byte: whatever the supplier put there goes back unchanged.
  std::optional<RawXml> supplier_part_auxiliary_id;
  std::string buyer_part_id;  // optional
  friend bool operator==(const ItemId&, const ItemId&) = default;
};

// <ItemDetail>: UnitPrice, Description+, UnitOfMeasure, Classification+,
// ManufacturerPartID?, ManufacturerName?, URL?, LeadTime?, Extrinsic*.
struct ItemDetail {
  Money unit_price;
  std::vector<Description> descriptions;        // at least one
  std::string unit_of_measure;                  // required, UN/CEFACT code e.g. "EA"
  std::vector<Classification> classifications;  // at least one
  std::string manufacturer_part_id;
  std::string manufacturer_name;
  std::string url;
  std::string lead_time;  // days, decimal string
  std::vector<Extrinsic> extrinsics;
  friend bool operator==(const ItemDetail&, const ItemDetail&) = default;
};

// A cart line in a PunchOutOrderMessage.
struct ItemIn {
  std::string quantity;  // required decimal
  std::string line_number;
  ItemId item_id;
  ItemDetail item_detail;
  std::optional<Address> ship_to;
  std::optional<Shipping> shipping;
  std::optional<Tax> tax;
  std::vector<Extrinsic> extrinsics;
  friend bool operator==(const ItemIn&, const ItemIn&) = default;
};

// An order line in an OrderRequest, or an item to edit/inspect in a
// PunchOutSetupRequest.
struct ItemOut {
  std::string quantity;  // required decimal
  std::string line_number;
  std::string requisition_id;
  std::string requested_delivery_date;  // cXML date or timestamp
  ItemId item_id;
  std::optional<ItemDetail> item_detail;
  std::optional<Address> ship_to;
  std::optional<Shipping> shipping;
  std::optional<Tax> tax;
  std::vector<Contact> contacts;
  std::vector<Comment> comments;
  friend bool operator==(const ItemOut&, const ItemOut&) = default;
};

// PunchOutSetupRequest@operation and PunchOutOrderMessageHeader@operationAllowed.
enum class PunchOutOperation { kCreate, kEdit, kInspect };

// PunchOutSetupRequest (cXML.dtd, inside Request).
struct PunchOutSetupRequest {
  PunchOutOperation operation = PunchOutOperation::kCreate;
  std::string buyer_cookie;           // required; echoed back in the order message
  std::vector<Extrinsic> extrinsics;  // UserEmail, UniqueName, ...
  std::string browser_form_post_url;  // optional BrowserFormPost/URL
  std::vector<Contact> contacts;
  std::string supplier_setup_url;  // optional SupplierSetup/URL
  std::optional<Address> ship_to;
  std::vector<ItemOut> items;  // for edit / inspect
  friend bool operator==(const PunchOutSetupRequest&, const PunchOutSetupRequest&) = default;
};

// PunchOutSetupResponse (inside Response): the StartPage URL.
struct PunchOutSetupResponse {
  std::string start_page_url;  // required
  friend bool operator==(const PunchOutSetupResponse&, const PunchOutSetupResponse&) = default;
};

// PunchOutOrderMessage (cXML.dtd, inside Message): the cart posted back.
struct PunchOutOrderMessage {
  std::string buyer_cookie;
  PunchOutOperation operation_allowed = PunchOutOperation::kCreate;
  std::string quote_status;  // optional: "pending" | "final"
  Money total;
  std::optional<Address> ship_to;
  std::optional<Shipping> shipping;
  std::optional<Tax> tax;
  std::vector<ItemIn> items;
  friend bool operator==(const PunchOutOrderMessage&, const PunchOutOrderMessage&) = default;
};

// OrderRequestHeader@type.
enum class OrderType { kNew, kUpdate, kDelete };

// <Payment><PCard number expiration name/></Payment>. (The 1.2.071 DTD
// declares %cxml.payment; twice; the first declaration, PCard, is in force.)
struct Payment {
  std::string number;      // required (masked in iobctl output)
  std::string expiration;  // required, a date
  std::string name;
  friend bool operator==(const Payment&, const Payment&) = default;
};

// OrderRequest (cXML.dtd, inside Request).
struct OrderRequest {
  std::string order_id;    // required
  std::string order_date;  // required timestamp
  OrderType type = OrderType::kNew;
  std::string order_version;            // optional, "1", "2", ...
  std::string requested_delivery_date;  // optional
  std::string document_reference;       // payloadID of the previous version
  Money total;
  std::optional<Address> ship_to;
  Address bill_to;  // required
  std::optional<Shipping> shipping;
  std::optional<Tax> tax;
  std::optional<Payment> payment;
  std::vector<Contact> contacts;
  std::vector<Comment> comments;
  std::vector<Extrinsic> extrinsics;
  std::vector<ItemOut> items;  // at least one
  friend bool operator==(const OrderRequest&, const OrderRequest&) = default;
};

// <Status code="200" text="OK">message</Status>.
struct Status {
  int code = 200;
  std::string text = "OK";  // required
  std::string message;      // optional character data
  std::string lang;         // optional xml:lang
  friend bool operator==(const Status&, const Status&) = default;
};

// ProfileRequest: empty.
struct ProfileRequest {
  friend bool operator==(const ProfileRequest&, const ProfileRequest&) = default;
};

// <Option name="..">value</Option>.
struct ProfileOption {
  std::string name;
  std::string value;
  friend bool operator==(const ProfileOption&, const ProfileOption&) = default;
};

// <Transaction requestName="OrderRequest"><URL/>Option*</Transaction>.
struct ProfileTransaction {
  std::string request_name;
  std::string url;
  std::vector<ProfileOption> options;
  friend bool operator==(const ProfileTransaction&, const ProfileTransaction&) = default;
};

// ProfileResponse (inside Response).
struct ProfileResponse {
  std::string effective_date;  // required timestamp
  std::string last_refresh;
  std::vector<ProfileOption> options;
  std::vector<ProfileTransaction> transactions;  // at least one
  friend bool operator==(const ProfileResponse&, const ProfileResponse&) = default;
};

// The plain Response: a Status, optionally carrying a PunchOutSetupResponse
// or a ProfileResponse (at most one of the two).
struct Response {
  Status status;
  std::optional<PunchOutSetupResponse> punch_out_setup_response;
  std::optional<ProfileResponse> profile_response;
  friend bool operator==(const Response&, const Response&) = default;
};

// <OrderReference orderID=".."><DocumentReference payloadID=".."/></OrderReference>.
struct OrderReference {
  std::string order_id;
  std::string order_date;
  std::string payload_id;  // required: the OrderRequest's payloadID
  friend bool operator==(const OrderReference&, const OrderReference&) = default;
};

// <ConfirmationStatus> (Fulfill.dtd).
struct ConfirmationStatus {
  std::string quantity;  // required
  // required: accept | allDetail | detail | backordered | reject | unknown | requestToPay
  std::string type;
  std::string shipment_date;
  std::string delivery_date;
  std::string unit_of_measure;  // required
  std::optional<Money> unit_price;
  std::optional<Tax> tax;
  std::optional<Shipping> shipping;
  std::vector<Comment> comments;
  std::vector<Extrinsic> extrinsics;
  friend bool operator==(const ConfirmationStatus&, const ConfirmationStatus&) = default;
};

// <ConfirmationItem quantity lineNumber>: UnitOfMeasure, ConfirmationStatus+.
struct ConfirmationItem {
  std::string quantity;
  std::string line_number;
  std::string unit_of_measure;
  std::vector<ConfirmationStatus> statuses;  // at least one
  friend bool operator==(const ConfirmationItem&, const ConfirmationItem&) = default;
};

// ConfirmationRequest (Fulfill.dtd).
struct ConfirmationRequest {
  std::string confirm_id;
  std::string operation = "new";  // new | update
  // required: accept | allDetail | detail | backordered | except | reject |
  // requestToPay | replace
  std::string type;
  std::string notice_date;  // required timestamp
  std::string invoice_id;
  std::optional<Money> total;
  std::optional<Shipping> shipping;
  std::optional<Tax> tax;
  std::vector<Contact> contacts;
  std::vector<Comment> comments;
  std::vector<Extrinsic> extrinsics;
  OrderReference order_reference;
  std::vector<ConfirmationItem> items;
  friend bool operator==(const ConfirmationRequest&, const ConfirmationRequest&) = default;
};

// <CarrierIdentifier domain="companyName">UPS</CarrierIdentifier>.
struct CarrierIdentifier {
  std::string domain;  // required
  std::string value;
  friend bool operator==(const CarrierIdentifier&, const CarrierIdentifier&) = default;
};

// <ShipmentIdentifier domain=".." trackingURL="..">1Z...</ShipmentIdentifier>.
struct ShipmentIdentifier {
  std::string domain;
  std::string tracking_url;
  std::string value;
  friend bool operator==(const ShipmentIdentifier&, const ShipmentIdentifier&) = default;
};

// <ShipControl>: CarrierIdentifier+, ShipmentIdentifier+.
struct ShipControl {
  std::vector<CarrierIdentifier> carrier_identifiers;
  std::vector<ShipmentIdentifier> shipment_identifiers;
  friend bool operator==(const ShipControl&, const ShipControl&) = default;
};

// <ShipNoticeItem quantity lineNumber>: ItemID?, UnitOfMeasure.
struct ShipNoticeItem {
  std::string quantity;
  std::string line_number;
  std::optional<ItemId> item_id;
  std::string unit_of_measure;
  friend bool operator==(const ShipNoticeItem&, const ShipNoticeItem&) = default;
};

// <ShipNoticePortion>: OrderReference, ShipNoticeItem*.
struct ShipNoticePortion {
  OrderReference order_reference;
  std::vector<ShipNoticeItem> items;
  friend bool operator==(const ShipNoticePortion&, const ShipNoticePortion&) = default;
};

// ShipNoticeRequest (Fulfill.dtd).
struct ShipNoticeRequest {
  std::string shipment_id;        // required
  std::string operation = "new";  // new | update | delete
  std::string notice_date;        // required
  std::string shipment_date;
  std::string delivery_date;
  std::string shipment_type;     // actual | planned
  std::string fulfillment_type;  // partial | complete
  std::vector<Contact> contacts;
  std::vector<Comment> comments;
  std::vector<Extrinsic> extrinsics;
  std::vector<ShipControl> ship_controls;
  std::vector<ShipNoticePortion> portions;
  friend bool operator==(const ShipNoticeRequest&, const ShipNoticeRequest&) = default;
};

// <InvoiceDetailItem invoiceLineNumber quantity>.
struct InvoiceDetailItem {
  std::string invoice_line_number;  // required
  std::string quantity;             // required
  std::string unit_of_measure;      // required
  Money unit_price;
  std::string line_number;  // InvoiceDetailItemReference@lineNumber, required
  std::optional<ItemId> item_id;
  std::optional<Description> description;
  std::optional<Money> subtotal_amount;
  std::optional<Tax> tax;
  std::optional<Money> gross_amount;
  std::optional<Money> net_amount;
  std::vector<Extrinsic> extrinsics;
  friend bool operator==(const InvoiceDetailItem&, const InvoiceDetailItem&) = default;
};

// <InvoiceDetailOrder>: InvoiceDetailOrderInfo/OrderReference, items.
struct InvoiceDetailOrder {
  OrderReference order_reference;
  std::vector<InvoiceDetailItem> items;  // at least one
  friend bool operator==(const InvoiceDetailOrder&, const InvoiceDetailOrder&) = default;
};

// <InvoiceDetailSummary> amounts.
struct InvoiceDetailSummary {
  Money subtotal_amount;  // required
  Tax tax;                // required
  std::optional<Money> special_handling_amount;
  std::optional<Money> shipping_amount;
  std::optional<Money> gross_amount;
  std::optional<Money> discount_amount;  // InvoiceDetailDiscount/Money
  Money net_amount;                      // required
  std::optional<Money> due_amount;
  friend bool operator==(const InvoiceDetailSummary&, const InvoiceDetailSummary&) = default;
};

// InvoiceDetailRequest (InvoiceDetail.dtd): standard invoice or credit memo.
struct InvoiceDetailRequest {
  std::string invoice_id;  // required
  std::string purpose =
      "standard";  // standard | creditMemo | debitMemo | lineLevelCreditMemo | lineLevelDebitMemo
  std::string operation = "new";   // new | delete
  std::string invoice_date;        // required
  bool is_tax_in_line = false;     // InvoiceDetailLineIndicator@isTaxInLine
  std::vector<Contact> partners;   // InvoicePartner/Contact
  std::string document_reference;  // payloadID of the invoice a memo corrects
  std::vector<Comment> comments;   // at most one is written (DTD: Comments?)
  std::vector<Extrinsic> extrinsics;
  std::vector<InvoiceDetailOrder> orders;  // at least one
  InvoiceDetailSummary summary;
  friend bool operator==(const InvoiceDetailRequest&, const InvoiceDetailRequest&) = default;
};

// The message inside a cXML envelope.
using Body =
    std::variant<PunchOutSetupRequest, PunchOutOrderMessage, OrderRequest, ConfirmationRequest,
                 ShipNoticeRequest, InvoiceDetailRequest, ProfileRequest, Response>;

// A whole cXML document: the envelope (<cXML payloadID timestamp>), the
// Header (absent for Response documents) and the body.
struct Document {
  std::string payload_id;  // required; generate once (payload_id.h), reuse on retry
  std::string timestamp;   // required; FormatTimestamp() writes "+hh:mm"
  std::string version = std::string(kCxmlVersion);
  std::string lang = "en-US";  // cXML@xml:lang, optional
  Header header;               // not written for Response documents
  DeploymentMode deployment_mode = DeploymentMode::kProduction;
  std::string in_reply_to;  // Message@inReplyTo (PunchOutOrderMessage only)
  Body body;
  friend bool operator==(const Document&, const Document&) = default;
};

// The kind of document, for dispatch and display.
enum class DocumentType {
  kPunchOutSetupRequest,
  kPunchOutSetupResponse,
  kPunchOutOrderMessage,
  kOrderRequest,
  kResponse,
  kConfirmationRequest,
  kShipNoticeRequest,
  kInvoiceDetailRequest,
  kProfileRequest,
  kProfileResponse,
};

// The DTD a document family validates against.
enum class DtdFamily { kCxml, kFulfill, kInvoiceDetail };

// Returns the document's type (a Response carrying a PunchOutSetupResponse is
// kPunchOutSetupResponse, one carrying a ProfileResponse kProfileResponse).
DocumentType TypeOf(const Document& doc);
// Returns the element name, e.g. "OrderRequest", "Response".
std::string_view DocumentTypeName(DocumentType type);
// Parses a name from DocumentTypeName (case-insensitive); nullopt if unknown.
std::optional<DocumentType> DocumentTypeFromName(std::string_view name);
// All types, in declaration order.
const std::vector<DocumentType>& AllDocumentTypes();
// Returns the DTD family of a type.
DtdFamily FamilyOf(DocumentType type);
// Returns the DTD file name: "cXML.dtd", "Fulfill.dtd", "InvoiceDetail.dtd".
std::string_view DtdFileName(DtdFamily family);
// Returns the canonical SYSTEM id, e.g.
// "http://xml.cxml.org/schemas/cXML/1.2.071/Fulfill.dtd".
std::string DtdSystemId(DtdFamily family);

// Returns the attribute value: "create" / "edit" / "inspect", "new" / ...
std::string_view PunchOutOperationName(PunchOutOperation op);
std::string_view OrderTypeName(OrderType type);
std::string_view DeploymentModeName(DeploymentMode mode);
// Parses an integration's mode ("test" / "production", any letter case);
// nullopt for anything else.
std::optional<DeploymentMode> DeploymentModeFromName(std::string_view name);

}  // namespace iob::cxml

#endif  // IOB_LIBS_CXML_MODEL_H_
