// What every libcurl user here shares (the HTTP client, the SMTP client, the
// IMAP source): one process-wide curl_global_init, and owners that free
// libcurl's handles and strings.
#ifndef IOB_LIBS_HTTP_CURL_HANDLES_H_
#define IOB_LIBS_HTTP_CURL_HANDLES_H_

#include <curl/curl.h>

#include <memory>

namespace iob::http {

// Runs curl_global_init once per process (it is not thread-safe itself; a
// function-local static is). Call before the first curl_easy_init.
inline void CurlGlobalInitOnce() {
  static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)rc;
}

struct CurlEasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct CurlUrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct CurlStringDeleter {
  void operator()(char* p) const { curl_free(p); }
};

using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlUrl = std::unique_ptr<CURLU, CurlUrlDeleter>;
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

}  // namespace iob::http

#endif  // IOB_LIBS_HTTP_CURL_HANDLES_H_
