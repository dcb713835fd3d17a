#include "tools/supplier-sim/cxml_http.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/common/logging.h"
#include "libs/cxml/payload_id.h"
#include "libs/cxml/status.h"
#include "libs/cxml/timestamp.h"
#include "libs/cxml/writer.h"

namespace iob::sim {

std::string ResponseXml(const cxml::Response& response) {
  cxml::Document doc;
  const absl::Time now = absl::Now();
  doc.payload_id = cxml::NewPayloadId(now, "supplier-sim.iob");
  doc.timestamp = cxml::FormatTimestamp(now);
  doc.body = response;
  auto xml = cxml::WriteDocument(doc);
  if (!xml.ok()) {
    common::LogError("cannot write cXML Response",
                     {{"error", std::string(xml.status().message())}});
    return "";
  }
  return *std::move(xml);
}

void SendCxmlResponse(const cxml::Response& response, httplib::Response& res) {
  std::string xml = ResponseXml(response);
  if (xml.empty()) {
    res.status = 500;
    res.set_content("500 could not write cXML response\n", "text/plain; charset=utf-8");
    return;
  }
  res.status = 200;
  res.set_content(xml, "text/xml; charset=UTF-8");
}

std::string CxmlOutcome(int code) { return absl::StrCat("cxml_", code); }

std::string SendInjectedStatus(int code, httplib::Response& res) {
  const cxml::StatusCodeInfo* info = cxml::FindStatusCode(code);
  cxml::Response answer;
  answer.status = {code, info ? std::string(info->text) : "Error", "injected fault", "en"};
  SendCxmlResponse(answer, res);
  return absl::StrCat("fault_cxml_", code);
}

}  // namespace iob::sim
