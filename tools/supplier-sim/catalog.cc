#include "tools/supplier-sim/catalog.h"

#include <utility>

namespace iob::sim {

Catalog::Catalog(std::vector<Product> products) : products_(std::move(products)) {}

Catalog Catalog::Default() {
  using cxml::RawXml;
  std::vector<Product> p;
  // Markup-looking text, escaped: the raw bytes hold entity references.
  p.push_back({"B0SIMPEN12",
               RawXml{"&lt;aux a=\"1\"&gt;x,y&amp;z&lt;/aux&gt;"},
               {"en", "Ballpoint pens, blue ink, 12-pack", ""},
               "8.99",
               "USD",
               "PK",
               "44121701",
               "BP-12-BL",
               "Acme Writing Co."});
  // Commas, an escaped ampersand and a bare '>' (legal in XML text).
  p.push_back({"B0SIMPAPER",
               RawXml{"qid=1700000000,sr=8-1&amp;ref=sim>p,\"500\""},
               {"de", "Kopierpapier A4, 80 g/m\xC2\xB2 \xE2\x80\x94 500 Blatt", ""},
               "5.49",
               "USD",
               "PK",
               "14111507",
               "KP-A4-80",
               "Papierfabrik M\xC3\xBC"
               "ller GmbH"});
  // A CDATA section: must come back as CDATA, not re-escaped.
  p.push_back(
      {"B0SIMCOFFE",
       RawXml{"<![CDATA[id<1>,\"pods\"&raw]]>"},
       {"fr", "Capsules de caf\xC3\xA9 cr\xC3\xA8me (\xC3\x98 44 mm), bo\xC3\xAEte de 50", ""},
       "24.00",
       "USD",
       "BX",
       "50201706",
       "CC-50",
       "Caf\xC3\xA9s du Sud"});
  // Character references, which a re-serializer would turn into characters.
  p.push_back({"B0SIMNOTE5",
               RawXml{"caf&#233;,&#x2C;2,\xE6\x97\xA5\xE6\x9C\xAC"},
               {"ja", "\xE3\x83\x8E\xE3\x83\xBC\xE3\x83\x88 A5 notebook, dot grid", ""},
               "3.75",
               "USD",
               "EA",
               "14111514",
               "NB-A5-DOT",
               "Kokuyo-ish"});
  // Plain, no auxiliary id at all.
  p.push_back({"B0SIMCABLE",
               std::nullopt,
               {"en", "USB-C cable, 2 m", ""},
               "11.20",
               "USD",
               "EA",
               "43202222",
               "USBC-2M",
               "Cablers Inc."});
  return Catalog(std::move(p));
}

const Product* Catalog::Find(const std::string& sku) const {
  for (const Product& product : products_) {
    if (product.sku == sku) return &product;
  }
  return nullptr;
}

std::string Catalog::currency() const {
  return products_.empty() ? "USD" : products_.front().currency;
}

}  // namespace iob::sim
