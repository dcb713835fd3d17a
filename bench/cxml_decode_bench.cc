// cXML decode/encode throughput. Decoding a 100-line PunchOutOrderMessage and
// OrderRequest through iob::cxml::ReadDocument is measured beside a bare
// pugi::xml_document::load_buffer of the same bytes (the floor: parsing
// alone, no checks, no mapping); the writer is measured on the same documents.
// Each benchmark reports documents/s (items_per_second) and MB/s
// (bytes_per_second); ./iob bench prints them, and the ratio
// ReadDocument / load_buffer is the cost of hardening + mapping.
//
// glibc's malloc is pinned to a steady state first (no heap trimming, no
// mmap for the ~0.3 MB buffer copy pugixml makes): with the defaults, whether
// a freed document's pages go back to the kernel depends on what else sits at
// the top of the heap, so one benchmark paid ~150 page faults per document
// and the other none, and the ratio measured page faults, not parsing.
#include <malloc.h>

#include <string>

#include "benchmark/benchmark.h"
#include "libs/cxml/examples.h"
#include "libs/cxml/reader.h"
#include "libs/cxml/writer.h"
#include "pugixml.hpp"

namespace {

using iob::cxml::Document;

const std::string& Bytes(bool order) {
  static const std::string kPoom =
      *iob::cxml::WriteDocument(iob::cxml::ExamplePunchOutOrderMessage(100));
  static const std::string kOrder = *iob::cxml::WriteDocument(iob::cxml::ExampleOrderRequest(100));
  return order ? kOrder : kPoom;
}

void BM_PugiLoadBuffer(benchmark::State& state) {
  const std::string& xml = Bytes(state.range(0) == 1);
  for (auto _ : state) {
    pugi::xml_document doc;
    pugi::xml_parse_result r =
        doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
    benchmark::DoNotOptimize(r);
    if (!r) state.SkipWithError("parse failed");
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(xml.size()));
  state.SetLabel(state.range(0) == 1 ? "OrderRequest x100" : "PunchOutOrderMessage x100");
}

void BM_ReadDocument(benchmark::State& state) {
  const std::string& xml = Bytes(state.range(0) == 1);
  for (auto _ : state) {
    absl::StatusOr<Document> doc = iob::cxml::ReadDocument(xml);
    benchmark::DoNotOptimize(doc);
    if (!doc.ok()) state.SkipWithError("read failed");
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(xml.size()));
  state.SetLabel(state.range(0) == 1 ? "OrderRequest x100" : "PunchOutOrderMessage x100");
}

void BM_WriteDocument(benchmark::State& state) {
  const Document doc = state.range(0) == 1 ? iob::cxml::ExampleOrderRequest(100)
                                           : iob::cxml::ExamplePunchOutOrderMessage(100);
  int64_t bytes = 0;
  for (auto _ : state) {
    absl::StatusOr<std::string> xml = iob::cxml::WriteDocument(doc);
    benchmark::DoNotOptimize(xml);
    bytes += static_cast<int64_t>(xml->size());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
  state.SetLabel(state.range(0) == 1 ? "OrderRequest x100" : "PunchOutOrderMessage x100");
}

// Arg 0: PunchOutOrderMessage, 1: OrderRequest.
BENCHMARK(BM_PugiLoadBuffer)->Arg(0)->Arg(1);
BENCHMARK(BM_ReadDocument)->Arg(0)->Arg(1);
BENCHMARK(BM_WriteDocument)->Arg(0)->Arg(1);

}  // namespace

int main(int argc, char** argv) {
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
