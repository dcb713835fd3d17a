// Names and DTD families of cXML document types; RawXml helpers.
#include "libs/cxml/model.h"

#include "absl/strings/ascii.h"
#include "libs/cxml/strings_internal.h"
#include "pugixml.hpp"

namespace iob::cxml {

using internal::Cat;
using internal::Contains;
using internal::EqualsIgnoreCase;
using internal::Trim;
using internal::TrimLeft;
using internal::View;

RawXml RawXml::FromText(std::string_view text) {
  RawXml out;
  out.xml.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out.xml += "&amp;";
        break;
      case '<':
        out.xml += "&lt;";
        break;
      case '>':
        out.xml += "&gt;";
        break;
      default:
        out.xml += c;
    }
  }
  return out;
}

std::string RawXml::Text() const {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size(),
                       pugi::parse_default | pugi::parse_fragment | pugi::parse_ws_pcdata,
                       pugi::encoding_utf8)) {
    return "";
  }
  std::string out;
  struct Walker : pugi::xml_tree_walker {
    std::string* out;
    bool for_each(pugi::xml_node& node) override {
      if (node.type() == pugi::node_pcdata || node.type() == pugi::node_cdata) *out += node.value();
      return true;
    }
  } walker;
  walker.out = &out;
  doc.traverse(walker);
  return out;
}

namespace {
struct TypeInfo {
  DocumentType type;
  std::string_view name;
  DtdFamily family;
};
constexpr TypeInfo kTypes[] = {
    {DocumentType::kPunchOutSetupRequest, "PunchOutSetupRequest", DtdFamily::kCxml},
    {DocumentType::kPunchOutSetupResponse, "PunchOutSetupResponse", DtdFamily::kCxml},
    {DocumentType::kPunchOutOrderMessage, "PunchOutOrderMessage", DtdFamily::kCxml},
    {DocumentType::kOrderRequest, "OrderRequest", DtdFamily::kCxml},
    {DocumentType::kResponse, "Response", DtdFamily::kCxml},
    {DocumentType::kConfirmationRequest, "ConfirmationRequest", DtdFamily::kFulfill},
    {DocumentType::kShipNoticeRequest, "ShipNoticeRequest", DtdFamily::kFulfill},
    {DocumentType::kInvoiceDetailRequest, "InvoiceDetailRequest", DtdFamily::kInvoiceDetail},
    {DocumentType::kProfileRequest, "ProfileRequest", DtdFamily::kCxml},
    {DocumentType::kProfileResponse, "ProfileResponse", DtdFamily::kCxml},
};

const TypeInfo& Info(DocumentType type) {
  for (const TypeInfo& t : kTypes) {
    if (t.type == type) return t;
  }
  return kTypes[0];
}
}  // namespace

DocumentType TypeOf(const Document& doc) {
  struct Visitor {
    DocumentType operator()(const PunchOutSetupRequest&) {
      return DocumentType::kPunchOutSetupRequest;
    }
    DocumentType operator()(const PunchOutOrderMessage&) {
      return DocumentType::kPunchOutOrderMessage;
    }
    DocumentType operator()(const OrderRequest&) { return DocumentType::kOrderRequest; }
    DocumentType operator()(const ConfirmationRequest&) {
      return DocumentType::kConfirmationRequest;
    }
    DocumentType operator()(const ShipNoticeRequest&) { return DocumentType::kShipNoticeRequest; }
    DocumentType operator()(const InvoiceDetailRequest&) {
      return DocumentType::kInvoiceDetailRequest;
    }
    DocumentType operator()(const ProfileRequest&) { return DocumentType::kProfileRequest; }
    DocumentType operator()(const Response& r) {
      if (r.punch_out_setup_response) return DocumentType::kPunchOutSetupResponse;
      if (r.profile_response) return DocumentType::kProfileResponse;
      return DocumentType::kResponse;
    }
  };
  return std::visit(Visitor{}, doc.body);
}

std::string_view DocumentTypeName(DocumentType type) { return Info(type).name; }

std::optional<DocumentType> DocumentTypeFromName(std::string_view name) {
  for (const TypeInfo& t : kTypes) {
    if (EqualsIgnoreCase(t.name, name)) return t.type;
  }
  return std::nullopt;
}

const std::vector<DocumentType>& AllDocumentTypes() {
  static const std::vector<DocumentType>* const kAll = [] {
    auto* v = new std::vector<DocumentType>;
    for (const TypeInfo& t : kTypes) v->push_back(t.type);
    return v;
  }();
  return *kAll;
}

DtdFamily FamilyOf(DocumentType type) { return Info(type).family; }

std::string_view DtdFileName(DtdFamily family) {
  switch (family) {
    case DtdFamily::kCxml:
      return "cXML.dtd";
    case DtdFamily::kFulfill:
      return "Fulfill.dtd";
    case DtdFamily::kInvoiceDetail:
      return "InvoiceDetail.dtd";
  }
  return "cXML.dtd";
}

std::string DtdSystemId(DtdFamily family) {
  return Cat("http://xml.cxml.org/schemas/cXML/", kCxmlVersion, "/", DtdFileName(family));
}

std::string_view PunchOutOperationName(PunchOutOperation op) {
  switch (op) {
    case PunchOutOperation::kCreate:
      return "create";
    case PunchOutOperation::kEdit:
      return "edit";
    case PunchOutOperation::kInspect:
      return "inspect";
  }
  return "create";
}

std::string_view OrderTypeName(OrderType type) {
  switch (type) {
    case OrderType::kNew:
      return "new";
    case OrderType::kUpdate:
      return "update";
    case OrderType::kDelete:
      return "delete";
  }
  return "new";
}

std::string_view DeploymentModeName(DeploymentMode mode) {
  return mode == DeploymentMode::kTest ? "test" : "production";
}

std::optional<DeploymentMode> DeploymentModeFromName(std::string_view name) {
  if (EqualsIgnoreCase(name, "test")) return DeploymentMode::kTest;
  if (EqualsIgnoreCase(name, "production")) return DeploymentMode::kProduction;
  return std::nullopt;
}

}  // namespace iob::cxml
