// Answering cXML over HTTP the way suppliers do: a cXML Response document,
// HTTP 200 whatever the cXML Status code (the Status element carries the
// outcome), Content-Type text/xml; charset=UTF-8. Shared by the simulator's
// cXML endpoints (punchout, order).
#ifndef IOB_TOOLS_SUPPLIER_SIM_CXML_HTTP_H_
#define IOB_TOOLS_SUPPLIER_SIM_CXML_HTTP_H_

#include <httplib.h>

#include <string>

#include "libs/cxml/model.h"

namespace iob::sim {

// Returns the serialized Response document (fresh payloadID and timestamp),
// or "" if the writer refused it (a bug in the simulator).
std::string ResponseXml(const cxml::Response& response);

// Writes `response` into `res` (HTTP 200). On a writer failure answers HTTP
// 500 with a plain-text body instead.
void SendCxmlResponse(const cxml::Response& response, httplib::Response& res);

// The "cxml_<code>" outcome name for statistics.
std::string CxmlOutcome(int code);

// Answers an injected cxml_status fault: a Response with `code`, its
// standard text and the message "injected fault". Returns the outcome name
// "fault_cxml_<code>".
std::string SendInjectedStatus(int code, httplib::Response& res);

}  // namespace iob::sim

#endif  // IOB_TOOLS_SUPPLIER_SIM_CXML_HTTP_H_
