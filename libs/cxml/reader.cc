// cXML reader: hardened load (limits, UTF-8, DOCTYPE policy, duplicate
// attributes, depth) followed by a mapping from the pugixml tree to the
// structs in model.h. Mapping functions record the first error (with its
// path) in a context and keep going; the caller returns that error.
//
// What keeps it fast (docs/performance.md, "The cXML reader"):
//  - UTF-8 is checked 64 bytes at a time (utf8.cc);
//  - pugixml parses in place, in a copy we own, with parse_embed_pcdata: a
//    leaf element's text is the element's own value, one node instead of two;
//  - the tree is read out of pugixml once (Tree), into flat arrays that the
//    mapping reads with inline code: libpugixml's accessors are calls into
//    the shared library, and looking children, text and attributes up
//    through them cost more than the parse itself;
//  - structs are filled in place (no moves of whole items into vectors), and
//    strings are assigned straight from views of the parsed buffer;
//  - error paths are frames on the stack (Path), rendered only when an error
//    is recorded, so a valid document builds no path strings.
#include "libs/cxml/reader.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "libs/cxml/decimal.h"
#include "libs/cxml/strings_internal.h"
#include "libs/cxml/timestamp.h"
#include "libs/cxml/utf8.h"
#include "pugixml.hpp"

namespace iob::cxml {

using internal::Cat;
using internal::Contains;
using internal::EqualsIgnoreCase;
using internal::Trim;
namespace {

using pugi::xml_node;

// ---- hardened load ---------------------------------------------------------

// Parse options: pugixml's defaults (CDATA, escapes, end-of-line and
// attribute whitespace normalisation), the DOCTYPE kept so that it can be
// checked, and a leaf element's text stored as the element's value. No
// comments, PIs or declarations are kept: below the root, only elements
// have names (Tree relies on it).
constexpr unsigned kParseOptions =
    pugi::parse_default | pugi::parse_doctype | pugi::parse_embed_pcdata;

// Checks the DOCTYPE node's content (everything after "<!DOCTYPE").
absl::Status CheckDoctype(std::string_view v) {
  if (Contains(v, "ENTITY")) {
    return absl::InvalidArgumentError(
        "DOCTYPE declares ENTITY: entity declarations are not allowed");
  }
  if (v.find('[') != std::string_view::npos) {
    return absl::InvalidArgumentError("DOCTYPE with an internal subset is not allowed");
  }
  v = Trim(v);
  size_t sp = v.find_first_of(" \t\r\n");
  if (sp == std::string_view::npos) return absl::OkStatus();  // <!DOCTYPE cXML>
  std::string_view rest = Trim(v.substr(sp));
  if (!rest.starts_with("SYSTEM")) {
    return absl::InvalidArgumentError(
        "DOCTYPE with a PUBLIC or unknown external id is not allowed (only a cxml.org SYSTEM id)");
  }
  rest = Trim(rest.substr(6));
  if (rest.size() < 2 || (rest.front() != '"' && rest.front() != '\'') ||
      rest.back() != rest.front()) {
    return absl::InvalidArgumentError("malformed DOCTYPE SYSTEM id");
  }
  std::string_view url = rest.substr(1, rest.size() - 2);
  constexpr std::string_view kPrefix = "http://xml.cxml.org/schemas/cXML/";
  bool ok = url.starts_with(kPrefix) && url.ends_with(".dtd");
  if (ok) {
    for (char c : url.substr(kPrefix.size())) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '/') ok = false;
    }
  }
  if (!ok) {
    return absl::InvalidArgumentError(Cat(
        "DOCTYPE points at an external DTD other than cxml.org's: \"", url.substr(0, 80), "\""));
  }
  return absl::OkStatus();
}

// Loads `src` (BOM already removed) into `doc`, parsed in place in `buffer`
// (the copy load_buffer would make, but one whose offsets we know: raw
// markup is cut from `src` at the same offsets), with the checks that come
// before the tree is read (Tree::Read adds depth and duplicate attributes).
absl::Status HardenedLoad(std::string_view src, std::string* buffer, pugi::xml_document* doc) {
  size_t bad = 0;
  if (!IsValidXmlUtf8(src, &bad)) {
    return absl::InvalidArgumentError(
        Cat("invalid UTF-8 or a character XML forbids at byte offset ", bad));
  }
  // Quick reject before parsing: ENTITY declarations anywhere in the prolog.
  size_t root = src.find("<cXML");
  std::string_view prolog = src.substr(0, root == std::string_view::npos ? src.size() : root);
  if (Contains(prolog, "<!ENTITY")) {
    return absl::InvalidArgumentError("ENTITY declarations are not allowed");
  }
  // What load_buffer makes: a copy with a NUL after the last byte (so that
  // errors at the very end are reported at the same offsets).
  buffer->reserve(src.size() + 1);
  buffer->assign(src.data(), src.size());
  buffer->push_back('\0');
  pugi::xml_parse_result r =
      doc->load_buffer_inplace(buffer->data(), buffer->size(), kParseOptions, pugi::encoding_utf8);
  if (!r) {
    return absl::InvalidArgumentError(
        Cat("not well-formed XML: ", r.description(), " at byte offset ", r.offset));
  }
  int roots = 0;
  for (xml_node n = doc->first_child(); n; n = n.next_sibling()) {
    if (n.type() == pugi::node_doctype) {
      absl::Status s = CheckDoctype(n.value());
      if (!s.ok()) return s;
    } else if (n.type() == pugi::node_element) {
      ++roots;
    } else if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata) {
      return absl::InvalidArgumentError("text outside the root element");
    }
  }
  if (roots != 1) return absl::InvalidArgumentError("document must have exactly one root element");
  return absl::OkStatus();
}

// ---- raw inner markup -----------------------------------------------------

// Given `pos` just after '<' of a start tag in `s`, returns the offset just
// past its closing '>' and whether the tag was self-closing.
size_t SkipStartTag(std::string_view s, size_t pos, bool* self_closing) {
  char quote = 0;
  for (size_t i = pos; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      *self_closing = i > pos && s[i - 1] == '/';
      return i + 1;
    }
  }
  *self_closing = false;
  return s.size();
}

size_t SkipPast(std::string_view s, size_t from, std::string_view end) {
  size_t e = s.find(end, from);
  return e == std::string_view::npos ? s.size() : e + end.size();
}

// The bytes between the start and end tag of the element whose name starts
// at `off` in `src` (just after its '<'), assigned to `out`.
void InnerXml(std::string_view src, size_t off, std::string& out) {
  bool self_closing = false;
  size_t start = SkipStartTag(src, off, &self_closing);
  if (self_closing) {
    out.clear();
    return;
  }
  int depth = 0;
  size_t i = start;
  while (i < src.size()) {
    size_t lt = src.find('<', i);
    if (lt == std::string_view::npos) break;
    std::string_view rest = src.substr(lt);
    if (rest.starts_with("<!--")) {
      i = SkipPast(src, lt + 4, "-->");
    } else if (rest.starts_with("<![CDATA[")) {
      i = SkipPast(src, lt + 9, "]]>");
    } else if (rest.starts_with("<?")) {
      i = SkipPast(src, lt + 2, "?>");
    } else if (rest.starts_with("</")) {
      if (depth == 0) {
        out = src.substr(start, lt - start);
        return;
      }
      --depth;
      i = SkipPast(src, lt + 2, ">");
    } else {
      bool sc = false;
      i = SkipStartTag(src, lt + 1, &sc);
      if (!sc) ++depth;
    }
  }
  out = src.substr(start);
}

// ---- mapping ---------------------------------------------------------------

// Where the mapping is, for error messages: "OrderRequest/ItemOut[2]/ItemID".
// A chain of frames on the stack, rendered by str() only when an error is
// recorded. A Path points at its parent: keep the parent alive (pass
// `path.Child("X")` as an argument, or bind it to a local whose parent is a
// named local, never to a temporary).
class Path {
 public:
  explicit Path(std::string_view root) : name_(root) {}

  // `name` below this path, e.g. "OrderRequest/OrderRequestHeader".
  Path Child(std::string_view name) const { return Path(this, name, 0); }
  // The i-th (0-based) `name` below this path, shown 1-based: "ItemOut[1]".
  Path Item(std::string_view name, size_t i) const { return Path(this, name, i + 1); }

  std::string str() const {
    std::string out = parent_ ? parent_->str() : std::string();
    if (parent_) out += '/';
    out.append(name_.data(), name_.size());
    if (index_ > 0) out += Cat("[", index_, "]");
    return out;
  }

 private:
  Path(const Path* parent, std::string_view name, size_t index)
      : parent_(parent), name_(name), index_(index) {}

  const Path* parent_ = nullptr;
  std::string_view name_;
  size_t index_ = 0;  // 1-based position among same-named siblings; 0: not shown
};

class Ctx {
 public:
  explicit Ctx(std::string_view src) : src_(src) {}
  const absl::Status& status() const { return status_; }
  std::string_view src() const { return src_; }

  void Fail(absl::Status s) {
    if (status_.ok()) status_ = std::move(s);
  }
  // Records "missing required <path><rest...>", e.g. (path, "@", "orderID").
  template <typename... Rest>
  void Missing(const Path& path, const Rest&... rest) {
    if (status_.ok()) {
      status_ = absl::InvalidArgumentError(Cat("missing required ", path.str(), rest...));
    }
  }

 private:
  std::string_view src_;
  absl::Status status_;
};

class Node;

// Element names are short: comparing them inline beats a call to memcmp.
bool SameName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// The element tree, read out of pugixml in one walk into flat arrays that the
// mapping then reads with inline code. libpugixml's accessors are calls into
// the shared library (a few ns each) and the mapping looks at most nodes
// several times (child lookups, text, attributes): reading each node once,
// here, is what keeps the reader near the parser's own speed. The same walk
// enforces the depth limit and rejects duplicate attributes.
class Tree : private pugi::xml_tree_walker {
 public:
  // Reads the tree under `root`, the document element of a document parsed in
  // place in `buffer`. Returns RESOURCE_EXHAUSTED when elements nest deeper
  // than limits.max_depth, or INVALID_ARGUMENT for an element carrying the
  // same attribute twice; the first such element in document order is named.
  // The document and `buffer` must outlive the Tree (names and values are
  // views of the buffer).
  absl::Status Read(xml_node root, std::string_view buffer, const Limits& limits);

  Node root() const;

 private:
  friend class Node;
  static constexpr uint32_t kNone = ~uint32_t{0};

  // Values are pugixml's NUL-terminated strings (in the buffer, or its
  // static ""), measured only when used; names are compared many times, so
  // their length is kept.
  struct Entry {
    std::string_view name;  // "" for text and CDATA (only elements have names)
    const char* value;      // text; an element's first run of text (parse_embed_pcdata)
    uint32_t first_child;   // children include text runs
    uint32_t next_sibling;
    uint32_t attrs_begin;  // [attrs_begin, attrs_end) in attrs_
    uint32_t attrs_end;
  };
  struct Attribute {
    std::string_view name;
    const char* value;
  };

  // Appends `n` as the next node at `level` (the root is level 0).
  bool Add(xml_node n, size_t level);
  bool for_each(xml_node& n) override { return Add(n, static_cast<size_t>(depth()) + 1); }

  std::string_view buffer_;
  std::vector<Entry> nodes_;
  std::vector<Attribute> attrs_;
  std::vector<uint32_t> open_;           // open_[level]: the last node added at that level
  std::vector<std::string_view> names_;  // scratch for the duplicate check
  int max_depth_ = 0;
  absl::Status status_;
};

// An element (or text run) of a Tree. An empty Node stands for an absent
// element and answers "" / nothing to everything, so lookups chain:
// n.Child("a").Child("b"). Cheap to copy.
class Node {
 public:
  Node() = default;

  explicit operator bool() const { return e_ != nullptr; }
  std::string_view name() const { return e_ ? e_->name : std::string_view(); }
  std::string_view value() const { return e_ ? e_->value : std::string_view(); }

  // The first child element named `name` (pugixml's child(name)), or empty.
  Node Child(std::string_view name) const {
    return FindChild([&](const Tree::Entry& c) { return SameName(c.name, name); });
  }

  size_t Count(std::string_view name) const {
    size_t n = 0;
    FindChild([&](const Tree::Entry& c) {
      n += SameName(c.name, name);
      return false;
    });
    return n;
  }

  // Calls f(child, i) for each child element named `name`, i counting from 0.
  template <typename F>
  void ForEach(std::string_view name, F&& f) const {
    size_t i = 0;
    FindChild([&](const Tree::Entry& c) {
      if (SameName(c.name, name)) f(Node(tree_, &c), i++);
      return false;
    });
  }

  // The first child element for which pred(name) holds, or empty.
  template <typename P>
  Node Find(P&& pred) const {
    return FindChild([&](const Tree::Entry& c) { return !c.name.empty() && pred(c.name); });
  }

  // The value of attribute `name`, trimmed ("" when absent).
  std::string_view Attr(std::string_view name) const {
    if (!e_) return {};
    for (uint32_t i = e_->attrs_begin; i < e_->attrs_end; ++i) {
      const Tree::Attribute& a = tree_->attrs_[i];
      if (SameName(a.name, name)) return Trim(a.value);
    }
    return {};
  }

  // False when text follows a child element or a CDATA section (mixed
  // content): then the element's text is more than its own value.
  bool SingleTextRun() const {
    return !FindChild([](const Tree::Entry& c) { return c.name.empty(); });
  }
  // Appends the element's text runs (its value, then text and CDATA children).
  void AppendText(std::string& out) const {
    out.append(value());
    FindChild([&](const Tree::Entry& c) {
      if (c.name.empty()) out.append(c.value);
      return false;
    });
  }

  // Offset in the source of the element's name (just after its '<'), or npos.
  size_t SourceOffset() const {
    if (!e_) return std::string_view::npos;
    const char* base = tree_->buffer_.data();
    const char* name = e_->name.data();
    if (name <= base || name >= base + tree_->buffer_.size()) return std::string_view::npos;
    return static_cast<size_t>(name - base);
  }

 private:
  friend class Tree;
  Node(const Tree* tree, const Tree::Entry* e) : tree_(tree), e_(e) {}

  // The first child (text runs included) for which match(entry) holds.
  template <typename M>
  Node FindChild(M&& match) const {
    if (!e_) return Node();
    const Tree::Entry* nodes = tree_->nodes_.data();
    for (uint32_t i = e_->first_child; i != Tree::kNone; i = nodes[i].next_sibling) {
      if (match(nodes[i])) return Node(tree_, &nodes[i]);
    }
    return Node();
  }

  const Tree* tree_ = nullptr;
  const Tree::Entry* e_ = nullptr;
};

Node Tree::root() const { return nodes_.empty() ? Node() : Node(this, nodes_.data()); }

absl::Status Tree::Read(xml_node root, std::string_view buffer, const Limits& limits) {
  buffer_ = buffer;
  // A guess from the size (about one node per 50 bytes of markup), so that
  // the arrays rarely grow.
  nodes_.reserve(buffer.size() / 48 + 16);
  attrs_.reserve(buffer.size() / 96 + 16);
  max_depth_ = limits.max_depth;
  if (Add(root, 0)) root.traverse(*this);  // depth() is 0 for the root's children
  return status_;
}

bool Tree::Add(xml_node n, size_t level) {
  const auto index = static_cast<uint32_t>(nodes_.size());
  if (index == kNone) {
    status_ = absl::ResourceExhaustedError("too many XML nodes");
    return false;
  }
  Entry& e = nodes_.emplace_back(Entry{n.name(), n.value(), kNone, kNone, 0, 0});
  // Link as the last child of open_[level - 1].
  if (open_.size() > level) {
    nodes_[open_[level]].next_sibling = index;
    open_.resize(level);
  } else if (level > 0) {
    nodes_[open_[level - 1]].first_child = index;
  }
  open_.push_back(index);
  if (e.name.empty()) return true;  // text: no attributes, no depth of its own

  // The limit counts the root as depth 1.
  if (static_cast<int>(level) + 1 > max_depth_) {
    status_ =
        absl::ResourceExhaustedError(Cat("elements nested deeper than the limit of ", max_depth_));
    return false;
  }
  e.attrs_begin = static_cast<uint32_t>(attrs_.size());
  for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) {
    attrs_.push_back({a.name(), a.value()});
  }
  e.attrs_end = static_cast<uint32_t>(attrs_.size());
  if (e.attrs_end - e.attrs_begin < 2) return true;
  names_.clear();
  for (uint32_t i = e.attrs_begin; i < e.attrs_end; ++i) names_.push_back(attrs_[i].name);
  std::sort(names_.begin(), names_.end());
  auto dup = std::adjacent_find(names_.begin(), names_.end());
  if (dup != names_.end()) {
    status_ = absl::InvalidArgumentError(Cat("duplicate attribute ", *dup, " on element ", e.name));
    return false;
  }
  return true;
}

// An element's direct character data (text and CDATA), trimmed: a view of
// pugixml's buffer for a leaf (the common case: no copy), the runs joined for
// mixed content. Assign it straight into a field: `d.text = Text(n);`.
class TextValue {
 public:
  explicit TextValue(Node n) {
    if (n.SingleTextRun()) {
      view_ = Trim(n.value());
      return;
    }
    n.AppendText(joined_);
    joined_ = std::string(Trim(joined_));
    joined_used_ = true;
  }

  std::string_view view() const { return joined_used_ ? std::string_view(joined_) : view_; }
  operator std::string_view() const { return view(); }  // NOLINT: assigned into strings
  bool empty() const { return view().empty(); }

 private:
  std::string_view view_;
  std::string joined_;
  bool joined_used_ = false;
};

TextValue Text(Node n) { return TextValue(n); }

std::string_view Attr(Node n, std::string_view name) { return n.Attr(name); }

std::string_view ReqAttr(Ctx& ctx, Node n, const char* name, const Path& path) {
  std::string_view v = Attr(n, name);
  if (v.empty()) ctx.Missing(path, "@", name);
  return v;
}

Node ReqChild(Ctx& ctx, Node e, std::string_view name, const Path& path) {
  Node c = e.Child(name);
  if (!c) ctx.Missing(path, "/", name);
  return c;
}

TextValue ReqText(Ctx& ctx, Node e, std::string_view name, const Path& path) {
  Node c = ReqChild(ctx, e, name, path);
  TextValue v = Text(c);
  if (c && v.empty()) ctx.Missing(path, "/", name, " (empty)");
  return v;
}

TextValue OptText(Node e, std::string_view name) { return Text(e.Child(name)); }

std::string_view DecimalAttr(Ctx& ctx, Node n, const char* name, const Path& path) {
  std::string_view v = ReqAttr(ctx, n, name, path);
  if (!v.empty() && !IsDecimal(v)) ctx.Fail(ValidateDecimal(v, Cat(path.str(), "@", name)));
  return v;
}

// Appends one element per child named `name` to `out` (reserved first) and
// calls read(child, i, element).
template <typename T, typename F>
void ReadEach(Node parent, std::string_view name, std::vector<T>& out, F&& read) {
  out.reserve(out.size() + parent.Count(name));
  parent.ForEach(name, [&](Node c, size_t i) { read(c, i, out.emplace_back()); });
}

void ReadMoneyNode(Ctx& ctx, Node money, const Path& path, Money& m) {
  if (!money) return;
  m.amount = Text(money);
  m.currency = Attr(money, "currency");
  if (m.amount.empty()) {
    ctx.Missing(path, " (amount)");
  } else if (!IsDecimal(m.amount)) {
    ctx.Fail(ValidateDecimal(m.amount, path.str()));
  }
  if (m.currency.empty()) ctx.Missing(path, "@currency");
}

// A wrapper such as Total/UnitPrice holding a Money.
void ReadMoneyIn(Ctx& ctx, Node wrapper, const Path& path, Money& m) {
  ReadMoneyNode(ctx, ReqChild(ctx, wrapper, "Money", path), path.Child("Money"), m);
}

void OptMoneyIn(Ctx& ctx, Node parent, std::string_view name, const Path& path,
                std::optional<Money>& out) {
  if (Node w = parent.Child(name)) ReadMoneyIn(ctx, w, path.Child(name), out.emplace());
}

void ReadDescription(Node n, Description& d) {
  std::string_view lang = Attr(n, "xml:lang");
  if (!lang.empty()) d.lang = lang;
  d.text = Text(n);
  d.short_name = Text(n.Child("ShortName"));
}

void ReadRaw(Ctx& ctx, Node n, RawXml& out) {
  // The buffer pugixml parsed is a copy of the source: same offsets.
  size_t off = n.SourceOffset();
  if (off == std::string_view::npos || off == 0 || off >= ctx.src().size() ||
      ctx.src()[off - 1] != '<') {
    ctx.Fail(absl::InternalError(Cat("no source markup for <", n.name().substr(0, 64), ">")));
    return;
  }
  InnerXml(ctx.src(), off, out.xml);
}

void ReadExtrinsics(Ctx& ctx, Node parent, const Path& path, std::vector<Extrinsic>& out) {
  ReadEach(parent, "Extrinsic", out, [&](Node x, size_t i, Extrinsic& e) {
    e.name = ReqAttr(ctx, x, "name", path.Item("Extrinsic", i));
    ReadRaw(ctx, x, e.value);
  });
}

void ReadComments(Node parent, std::vector<Comment>& out) {
  ReadEach(parent, "Comments", out, [&](Node c, size_t, Comment& comment) {
    comment.lang = Attr(c, "xml:lang");
    comment.type = Attr(c, "type");
    comment.text = Text(c);
  });
}

void ReadPhone(Node n, Phone& p) {
  p.name = Attr(n, "name");
  Node t = n.Child("TelephoneNumber");
  Node cc = t.Child("CountryCode");
  p.iso_country_code = Attr(cc, "isoCountryCode");
  p.country_code = Text(cc);
  p.area_or_city_code = OptText(t, "AreaOrCityCode");
  p.number = OptText(t, "Number");
  p.extension = OptText(t, "Extension");
}

void ReadPostalAddress(Ctx& ctx, Node n, const Path& path, PostalAddress& a) {
  a.name = Attr(n, "name");
  a.deliver_to.reserve(n.Count("DeliverTo"));
  n.ForEach("DeliverTo", [&](Node c, size_t) { a.deliver_to.emplace_back(Text(c)); });
  a.street.reserve(n.Count("Street"));
  n.ForEach("Street", [&](Node c, size_t) { a.street.emplace_back(Text(c)); });
  a.city = OptText(n, "City");
  a.state = OptText(n, "State");
  a.postal_code = OptText(n, "PostalCode");
  Node country = ReqChild(ctx, n, "Country", path);
  a.country = Text(country);
  if (country) {
    a.iso_country_code = ReqAttr(ctx, country, "isoCountryCode", path.Child("Country"));
  }
}

void ReadAddressIn(Ctx& ctx, Node wrapper, const Path& wpath, Address& a) {
  Node n = ReqChild(ctx, wrapper, "Address", wpath);
  if (!n) return;
  const Path path = wpath.Child("Address");
  a.address_id = Attr(n, "addressID");
  a.address_id_domain = Attr(n, "addressIDDomain");
  a.iso_country_code = Attr(n, "isoCountryCode");
  Node name = ReqChild(ctx, n, "Name", path);
  a.name = Text(name);
  std::string_view lang = Attr(name, "xml:lang");
  if (!lang.empty()) a.name_lang = lang;
  if (Node pa = n.Child("PostalAddress")) {
    ReadPostalAddress(ctx, pa, path.Child("PostalAddress"), a.postal_address.emplace());
  }
  a.email = OptText(n, "Email");
  if (Node ph = n.Child("Phone")) ReadPhone(ph, a.phone.emplace());
}

void OptAddress(Ctx& ctx, Node parent, std::string_view wrapper, const Path& path,
                std::optional<Address>& out) {
  if (Node w = parent.Child(wrapper)) {
    ReadAddressIn(ctx, w, path.Child(wrapper), out.emplace());
  }
}

void ReadContact(Ctx& ctx, Node n, const Path& path, Contact& c) {
  c.role = Attr(n, "role");
  c.address_id = Attr(n, "addressID");
  c.address_id_domain = Attr(n, "addressIDDomain");
  Node name = ReqChild(ctx, n, "Name", path);
  c.name = Text(name);
  std::string_view lang = Attr(name, "xml:lang");
  if (!lang.empty()) c.name_lang = lang;
  ReadEach(n, "PostalAddress", c.postal_addresses, [&](Node p, size_t i, PostalAddress& a) {
    ReadPostalAddress(ctx, p, path.Item("PostalAddress", i), a);
  });
  c.emails.reserve(n.Count("Email"));
  n.ForEach("Email", [&](Node m, size_t) { c.emails.emplace_back(Text(m)); });
  ReadEach(n, "Phone", c.phones, [&](Node p, size_t, Phone& phone) { ReadPhone(p, phone); });
  ReadExtrinsics(ctx, n, path, c.extrinsics);
}

void ReadContacts(Ctx& ctx, Node parent, const Path& path, std::vector<Contact>& out) {
  ReadEach(parent, "Contact", out, [&](Node c, size_t i, Contact& contact) {
    ReadContact(ctx, c, path.Item("Contact", i), contact);
  });
}

void OptShipping(Ctx& ctx, Node parent, const Path& ppath, std::optional<Shipping>& out) {
  Node n = parent.Child("Shipping");
  if (!n) return;
  Shipping& s = out.emplace();
  s.tracking_domain = Attr(n, "trackingDomain");
  s.tracking_id = Attr(n, "trackingId");
  ReadMoneyIn(ctx, n, ppath.Child("Shipping"), s.money);
  ReadDescription(n.Child("Description"), s.description);
}

void ReadTax(Ctx& ctx, Node n, const Path& path, Tax& t) {
  ReadMoneyIn(ctx, n, path, t.money);
  ReadDescription(n.Child("Description"), t.description);
}

void OptTax(Ctx& ctx, Node parent, const Path& ppath, std::optional<Tax>& out) {
  if (Node n = parent.Child("Tax")) ReadTax(ctx, n, ppath.Child("Tax"), out.emplace());
}

void ReadItemId(Ctx& ctx, Node parent, const Path& ppath, ItemId& id) {
  Node n = ReqChild(ctx, parent, "ItemID", ppath);
  if (!n) return;
  const Path path = ppath.Child("ItemID");
  // SupplierPartID is an identifier: kept exactly, only the ends trimmed.
  id.supplier_part_id = ReqText(ctx, n, "SupplierPartID", path);
  if (Node aux = n.Child("SupplierPartAuxiliaryID"))
    ReadRaw(ctx, aux, id.supplier_part_auxiliary_id.emplace());
  id.buyer_part_id = OptText(n, "BuyerPartID");
}

void ReadItemDetail(Ctx& ctx, Node n, const Path& path, ItemDetail& d) {
  ReadMoneyIn(ctx, ReqChild(ctx, n, "UnitPrice", path), path.Child("UnitPrice"), d.unit_price);
  ReadEach(n, "Description", d.descriptions,
           [&](Node c, size_t, Description& desc) { ReadDescription(c, desc); });
  if (d.descriptions.empty()) ctx.Missing(path, "/Description");
  d.unit_of_measure = ReqText(ctx, n, "UnitOfMeasure", path);
  ReadEach(n, "Classification", d.classifications, [&](Node c, size_t i, Classification& cl) {
    cl.domain = ReqAttr(ctx, c, "domain", path.Item("Classification", i));
    cl.code = Attr(c, "code");
    cl.value = Text(c);
  });
  d.manufacturer_part_id = OptText(n, "ManufacturerPartID");
  d.manufacturer_name = OptText(n, "ManufacturerName");
  d.url = OptText(n, "URL");
  d.lead_time = OptText(n, "LeadTime");
  ReadExtrinsics(ctx, n, path, d.extrinsics);
}

void ReadItemOut(Ctx& ctx, Node n, const Path& path, ItemOut& it) {
  it.quantity = DecimalAttr(ctx, n, "quantity", path);
  it.line_number = Attr(n, "lineNumber");
  it.requisition_id = Attr(n, "requisitionID");
  it.requested_delivery_date = Attr(n, "requestedDeliveryDate");
  ReadItemId(ctx, n, path, it.item_id);
  if (Node d = n.Child("ItemDetail")) {
    ReadItemDetail(ctx, d, path.Child("ItemDetail"), it.item_detail.emplace());
  }
  OptAddress(ctx, n, "ShipTo", path, it.ship_to);
  OptShipping(ctx, n, path, it.shipping);
  OptTax(ctx, n, path, it.tax);
  ReadContacts(ctx, n, path, it.contacts);
  ReadComments(n, it.comments);
}

void ReadItemIn(Ctx& ctx, Node n, const Path& path, ItemIn& it) {
  it.quantity = DecimalAttr(ctx, n, "quantity", path);
  it.line_number = Attr(n, "lineNumber");
  ReadItemId(ctx, n, path, it.item_id);
  Node d = ReqChild(ctx, n, "ItemDetail", path);
  if (d) ReadItemDetail(ctx, d, path.Child("ItemDetail"), it.item_detail);
  OptAddress(ctx, n, "ShipTo", path, it.ship_to);
  OptShipping(ctx, n, path, it.shipping);
  OptTax(ctx, n, path, it.tax);
  ReadExtrinsics(ctx, n, path, it.extrinsics);
}

std::optional<PunchOutOperation> ParseOperation(std::string_view v) {
  if (EqualsIgnoreCase(v, "create")) return PunchOutOperation::kCreate;
  if (EqualsIgnoreCase(v, "edit")) return PunchOutOperation::kEdit;
  if (EqualsIgnoreCase(v, "inspect")) return PunchOutOperation::kInspect;
  return std::nullopt;
}

PunchOutOperation ReqOperation(Ctx& ctx, Node n, const char* attr, const Path& path) {
  std::string_view v = ReqAttr(ctx, n, attr, path);
  auto op = ParseOperation(v);
  if (!v.empty() && !op) {
    ctx.Fail(absl::InvalidArgumentError(
        Cat("unsupported value \"", v, "\" for ", path.str(), "@", attr)));
  }
  return op.value_or(PunchOutOperation::kCreate);
}

void ReadOrderReference(Ctx& ctx, Node parent, const Path& ppath, OrderReference& r) {
  Node n = ReqChild(ctx, parent, "OrderReference", ppath);
  if (!n) return;
  const Path path = ppath.Child("OrderReference");
  r.order_id = Attr(n, "orderID");
  r.order_date = Attr(n, "orderDate");
  Node d = ReqChild(ctx, n, "DocumentReference", path);
  if (d) r.payload_id = ReqAttr(ctx, d, "payloadID", path.Child("DocumentReference"));
}

void ReadPunchOutSetupRequest(Ctx& ctx, Node n, PunchOutSetupRequest& r) {
  const Path p("PunchOutSetupRequest");
  r.operation = ReqOperation(ctx, n, "operation", p);
  Node cookie = ReqChild(ctx, n, "BuyerCookie", p);
  r.buyer_cookie = Text(cookie);
  ReadExtrinsics(ctx, n, p, r.extrinsics);
  r.browser_form_post_url = Text(n.Child("BrowserFormPost").Child("URL"));
  ReadContacts(ctx, n, p, r.contacts);
  r.supplier_setup_url = Text(n.Child("SupplierSetup").Child("URL"));
  OptAddress(ctx, n, "ShipTo", p, r.ship_to);
  ReadEach(n, "ItemOut", r.items, [&](Node c, size_t i, ItemOut& item) {
    ReadItemOut(ctx, c, p.Item("ItemOut", i), item);
  });
}

void ReadPunchOutOrderMessage(Ctx& ctx, Node n, PunchOutOrderMessage& m) {
  const Path p("PunchOutOrderMessage");
  const Path hp = p.Child("PunchOutOrderMessageHeader");
  Node cookie = ReqChild(ctx, n, "BuyerCookie", p);
  m.buyer_cookie = Text(cookie);
  Node h = ReqChild(ctx, n, "PunchOutOrderMessageHeader", p);
  if (h) {
    m.operation_allowed = ReqOperation(ctx, h, "operationAllowed", hp);
    m.quote_status = Attr(h, "quoteStatus");
    ReadMoneyIn(ctx, ReqChild(ctx, h, "Total", hp), hp.Child("Total"), m.total);
    OptAddress(ctx, h, "ShipTo", hp, m.ship_to);
    OptShipping(ctx, h, hp, m.shipping);
    OptTax(ctx, h, hp, m.tax);
  }
  ReadEach(n, "ItemIn", m.items,
           [&](Node c, size_t i, ItemIn& item) { ReadItemIn(ctx, c, p.Item("ItemIn", i), item); });
}

void ReadOrderRequest(Ctx& ctx, Node n, OrderRequest& o) {
  const Path p("OrderRequest");
  const Path hp = p.Child("OrderRequestHeader");
  Node h = ReqChild(ctx, n, "OrderRequestHeader", p);
  if (h) {
    o.order_id = ReqAttr(ctx, h, "orderID", hp);
    o.order_date = ReqAttr(ctx, h, "orderDate", hp);
    std::string_view type = Attr(h, "type");
    if (type.empty() || type == "new") {
      o.type = OrderType::kNew;
    } else if (type == "update") {
      o.type = OrderType::kUpdate;
    } else if (type == "delete") {
      o.type = OrderType::kDelete;
    } else {
      ctx.Fail(absl::InvalidArgumentError(
          Cat("unsupported value \"", type, "\" for ", hp.str(), "@type")));
    }
    o.order_version = Attr(h, "orderVersion");
    o.requested_delivery_date = Attr(h, "requestedDeliveryDate");
    ReadMoneyIn(ctx, ReqChild(ctx, h, "Total", hp), hp.Child("Total"), o.total);
    OptAddress(ctx, h, "ShipTo", hp, o.ship_to);
    Node bill = ReqChild(ctx, h, "BillTo", hp);
    if (bill) ReadAddressIn(ctx, bill, hp.Child("BillTo"), o.bill_to);
    OptShipping(ctx, h, hp, o.shipping);
    OptTax(ctx, h, hp, o.tax);
    if (Node pay = h.Child("Payment")) {
      const Path pp = hp.Child("Payment");
      Node card = ReqChild(ctx, pay, "PCard", pp);
      if (card) {
        const Path cp = pp.Child("PCard");
        Payment& py = o.payment.emplace();
        py.number = ReqAttr(ctx, card, "number", cp);
        py.expiration = ReqAttr(ctx, card, "expiration", cp);
        py.name = Attr(card, "name");
      }
    }
    ReadContacts(ctx, h, hp, o.contacts);
    ReadComments(h, o.comments);
    if (Node ref = h.Child("DocumentReference")) {
      o.document_reference = ReqAttr(ctx, ref, "payloadID", hp.Child("DocumentReference"));
    }
    ReadExtrinsics(ctx, h, hp, o.extrinsics);
  }
  ReadEach(n, "ItemOut", o.items, [&](Node c, size_t i, ItemOut& item) {
    ReadItemOut(ctx, c, p.Item("ItemOut", i), item);
  });
  if (o.items.empty()) ctx.Missing(p, "/ItemOut");
}

void ReadOptions(Ctx& ctx, Node parent, const Path& path, std::vector<ProfileOption>& out) {
  ReadEach(parent, "Option", out, [&](Node o, size_t i, ProfileOption& option) {
    option.name = ReqAttr(ctx, o, "name", path.Item("Option", i));
    option.value = Text(o);
  });
}

void ReadResponse(Ctx& ctx, Node n, Response& r) {
  const Path p("Response");
  Node st = ReqChild(ctx, n, "Status", p);
  if (st) {
    const Path sp = p.Child("Status");
    std::string_view code = ReqAttr(ctx, st, "code", sp);
    if (!code.empty() &&
        !absl::SimpleAtoi(absl::string_view(code.data(), code.size()), &r.status.code)) {
      ctx.Fail(absl::InvalidArgumentError(Cat("not a number: ", sp.str(), "@code")));
    }
    // Status@text is required by the DTD, but a sloppy error page without it
    // still tells us the code: keep going with an empty text.
    r.status.text = Attr(st, "text");
    r.status.lang = Attr(st, "xml:lang");
    r.status.message = Text(st);
  }
  if (Node pos = n.Child("PunchOutSetupResponse")) {
    const Path pp = p.Child("PunchOutSetupResponse");
    PunchOutSetupResponse& out = r.punch_out_setup_response.emplace();
    Node sp = ReqChild(ctx, pos, "StartPage", pp);
    if (sp) out.start_page_url = ReqText(ctx, sp, "URL", pp.Child("StartPage"));
  }
  if (Node pr = n.Child("ProfileResponse")) {
    const Path pp = p.Child("ProfileResponse");
    ProfileResponse& out = r.profile_response.emplace();
    out.effective_date = ReqAttr(ctx, pr, "effectiveDate", pp);
    out.last_refresh = Attr(pr, "lastRefresh");
    ReadOptions(ctx, pr, pp, out.options);
    ReadEach(pr, "Transaction", out.transactions, [&](Node t, size_t i, ProfileTransaction& tr) {
      const Path tp = pp.Item("Transaction", i);
      tr.request_name = ReqAttr(ctx, t, "requestName", tp);
      tr.url = ReqText(ctx, t, "URL", tp);
      ReadOptions(ctx, t, tp, tr.options);
    });
    if (out.transactions.empty()) ctx.Missing(pp, "/Transaction");
  }
}

void ReadConfirmationRequest(Ctx& ctx, Node n, ConfirmationRequest& c) {
  const Path p("ConfirmationRequest");
  const Path hp = p.Child("ConfirmationHeader");
  Node h = ReqChild(ctx, n, "ConfirmationHeader", p);
  if (h) {
    c.confirm_id = Attr(h, "confirmID");
    std::string_view op = Attr(h, "operation");
    if (!op.empty()) c.operation = op;
    c.type = ReqAttr(ctx, h, "type", hp);
    c.notice_date = ReqAttr(ctx, h, "noticeDate", hp);
    c.invoice_id = Attr(h, "invoiceID");
    OptMoneyIn(ctx, h, "Total", hp, c.total);
    OptShipping(ctx, h, hp, c.shipping);
    OptTax(ctx, h, hp, c.tax);
    ReadContacts(ctx, h, hp, c.contacts);
    ReadComments(h, c.comments);
    ReadExtrinsics(ctx, h, hp, c.extrinsics);
  }
  ReadOrderReference(ctx, n, p, c.order_reference);
  ReadEach(n, "ConfirmationItem", c.items, [&](Node it, size_t i, ConfirmationItem& item) {
    const Path ip = p.Item("ConfirmationItem", i);
    item.quantity = DecimalAttr(ctx, it, "quantity", ip);
    item.line_number = ReqAttr(ctx, it, "lineNumber", ip);
    item.unit_of_measure = ReqText(ctx, it, "UnitOfMeasure", ip);
    ReadEach(it, "ConfirmationStatus", item.statuses,
             [&](Node s, size_t k, ConfirmationStatus& st) {
               const Path sp = ip.Item("ConfirmationStatus", k);
               st.quantity = DecimalAttr(ctx, s, "quantity", sp);
               st.type = ReqAttr(ctx, s, "type", sp);
               st.shipment_date = Attr(s, "shipmentDate");
               st.delivery_date = Attr(s, "deliveryDate");
               st.unit_of_measure = ReqText(ctx, s, "UnitOfMeasure", sp);
               OptMoneyIn(ctx, s, "UnitPrice", sp, st.unit_price);
               OptTax(ctx, s, sp, st.tax);
               OptShipping(ctx, s, sp, st.shipping);
               ReadComments(s, st.comments);
               ReadExtrinsics(ctx, s, sp, st.extrinsics);
             });
    if (item.statuses.empty()) ctx.Missing(ip, "/ConfirmationStatus");
  });
}

void ReadShipNoticeRequest(Ctx& ctx, Node n, ShipNoticeRequest& s) {
  const Path p("ShipNoticeRequest");
  const Path hp = p.Child("ShipNoticeHeader");
  Node h = ReqChild(ctx, n, "ShipNoticeHeader", p);
  if (h) {
    s.shipment_id = ReqAttr(ctx, h, "shipmentID", hp);
    std::string_view op = Attr(h, "operation");
    if (!op.empty()) s.operation = op;
    s.notice_date = ReqAttr(ctx, h, "noticeDate", hp);
    s.shipment_date = Attr(h, "shipmentDate");
    s.delivery_date = Attr(h, "deliveryDate");
    s.shipment_type = Attr(h, "shipmentType");
    s.fulfillment_type = Attr(h, "fulfillmentType");
    ReadContacts(ctx, h, hp, s.contacts);
    ReadComments(h, s.comments);
    ReadExtrinsics(ctx, h, hp, s.extrinsics);
  }
  ReadEach(n, "ShipControl", s.ship_controls, [&](Node c, size_t i, ShipControl& sc) {
    const Path cp = p.Item("ShipControl", i);
    ReadEach(c, "CarrierIdentifier", sc.carrier_identifiers,
             [&](Node ci, size_t k, CarrierIdentifier& id) {
               id.domain = ReqAttr(ctx, ci, "domain", cp.Item("CarrierIdentifier", k));
               id.value = Text(ci);
             });
    ReadEach(c, "ShipmentIdentifier", sc.shipment_identifiers,
             [&](Node si, size_t, ShipmentIdentifier& id) {
               id.domain = Attr(si, "domain");
               id.tracking_url = Attr(si, "trackingURL");
               id.value = Text(si);
             });
  });
  ReadEach(n, "ShipNoticePortion", s.portions, [&](Node po, size_t i, ShipNoticePortion& sp) {
    const Path pp = p.Item("ShipNoticePortion", i);
    ReadOrderReference(ctx, po, pp, sp.order_reference);
    ReadEach(po, "ShipNoticeItem", sp.items, [&](Node it, size_t k, ShipNoticeItem& item) {
      const Path ip = pp.Item("ShipNoticeItem", k);
      item.quantity = DecimalAttr(ctx, it, "quantity", ip);
      item.line_number = ReqAttr(ctx, it, "lineNumber", ip);
      if (it.Child("ItemID")) ReadItemId(ctx, it, ip, item.item_id.emplace());
      item.unit_of_measure = ReqText(ctx, it, "UnitOfMeasure", ip);
    });
  });
}

void ReadInvoiceDetailRequest(Ctx& ctx, Node n, InvoiceDetailRequest& inv) {
  const Path p("InvoiceDetailRequest");
  const Path hp = p.Child("InvoiceDetailRequestHeader");
  Node h = ReqChild(ctx, n, "InvoiceDetailRequestHeader", p);
  if (h) {
    inv.invoice_id = ReqAttr(ctx, h, "invoiceID", hp);
    std::string_view purpose = Attr(h, "purpose");
    if (!purpose.empty()) inv.purpose = purpose;
    std::string_view op = Attr(h, "operation");
    if (!op.empty()) inv.operation = op;
    inv.invoice_date = ReqAttr(ctx, h, "invoiceDate", hp);
    inv.is_tax_in_line = Attr(h.Child("InvoiceDetailLineIndicator"), "isTaxInLine") == "yes";
    h.ForEach("InvoicePartner", [&](Node ip, size_t i) {
      const Path pp = hp.Item("InvoicePartner", i);
      Node c = ReqChild(ctx, ip, "Contact", pp);
      if (c) ReadContact(ctx, c, pp.Child("Contact"), inv.partners.emplace_back());
    });
    if (Node ref = h.Child("DocumentReference")) {
      inv.document_reference = ReqAttr(ctx, ref, "payloadID", hp.Child("DocumentReference"));
    }
    ReadComments(h, inv.comments);
    ReadExtrinsics(ctx, h, hp, inv.extrinsics);
  }
  ReadEach(n, "InvoiceDetailOrder", inv.orders, [&](Node o, size_t i, InvoiceDetailOrder& order) {
    const Path op = p.Item("InvoiceDetailOrder", i);
    Node info = ReqChild(ctx, o, "InvoiceDetailOrderInfo", op);
    if (info) {
      ReadOrderReference(ctx, info, op.Child("InvoiceDetailOrderInfo"), order.order_reference);
    }
    ReadEach(o, "InvoiceDetailItem", order.items, [&](Node it, size_t k, InvoiceDetailItem& item) {
      const Path ip = op.Item("InvoiceDetailItem", k);
      item.invoice_line_number = ReqAttr(ctx, it, "invoiceLineNumber", ip);
      item.quantity = DecimalAttr(ctx, it, "quantity", ip);
      item.unit_of_measure = ReqText(ctx, it, "UnitOfMeasure", ip);
      ReadMoneyIn(ctx, ReqChild(ctx, it, "UnitPrice", ip), ip.Child("UnitPrice"), item.unit_price);
      const Path rp = ip.Child("InvoiceDetailItemReference");
      Node ref = ReqChild(ctx, it, "InvoiceDetailItemReference", ip);
      if (ref) {
        item.line_number = ReqAttr(ctx, ref, "lineNumber", rp);
        if (ref.Child("ItemID")) ReadItemId(ctx, ref, rp, item.item_id.emplace());
        if (Node d = ref.Child("Description")) {
          ReadDescription(d, item.description.emplace());
        }
      }
      OptMoneyIn(ctx, it, "SubtotalAmount", ip, item.subtotal_amount);
      OptTax(ctx, it, ip, item.tax);
      OptMoneyIn(ctx, it, "GrossAmount", ip, item.gross_amount);
      OptMoneyIn(ctx, it, "NetAmount", ip, item.net_amount);
      ReadExtrinsics(ctx, it, ip, item.extrinsics);
    });
    if (order.items.empty()) ctx.Missing(op, "/InvoiceDetailItem");
  });
  if (inv.orders.empty()) ctx.Missing(p, "/InvoiceDetailOrder");
  const Path sp = p.Child("InvoiceDetailSummary");
  Node s = ReqChild(ctx, n, "InvoiceDetailSummary", p);
  if (s) {
    InvoiceDetailSummary& sum = inv.summary;
    ReadMoneyIn(ctx, ReqChild(ctx, s, "SubtotalAmount", sp), sp.Child("SubtotalAmount"),
                sum.subtotal_amount);
    Node tax = ReqChild(ctx, s, "Tax", sp);
    if (tax) ReadTax(ctx, tax, sp.Child("Tax"), sum.tax);
    OptMoneyIn(ctx, s, "SpecialHandlingAmount", sp, sum.special_handling_amount);
    OptMoneyIn(ctx, s, "ShippingAmount", sp, sum.shipping_amount);
    OptMoneyIn(ctx, s, "GrossAmount", sp, sum.gross_amount);
    OptMoneyIn(ctx, s, "InvoiceDetailDiscount", sp, sum.discount_amount);
    ReadMoneyIn(ctx, ReqChild(ctx, s, "NetAmount", sp), sp.Child("NetAmount"), sum.net_amount);
    OptMoneyIn(ctx, s, "DueAmount", sp, sum.due_amount);
  }
}

void ReadCredentials(Ctx& ctx, Node header, const char* name, std::vector<Credential>& out) {
  const Path hp("Header");
  const Path path = hp.Child(name);
  Node n = ReqChild(ctx, header, name, hp);
  if (!n) return;
  ReadEach(n, "Credential", out, [&](Node c, size_t i, Credential& cr) {
    const Path cp = path.Item("Credential", i);
    cr.domain = ReqAttr(ctx, c, "domain", cp);
    cr.identity = ReqText(ctx, c, "Identity", cp);
    cr.shared_secret = OptText(c, "SharedSecret");
  });
  if (out.empty()) ctx.Missing(path, "/Credential");
}

DeploymentMode ReadMode(Ctx& ctx, Node n, std::string_view path) {
  std::string_view m = Attr(n, "deploymentMode");
  if (m.empty() || EqualsIgnoreCase(m, "production")) return DeploymentMode::kProduction;
  if (EqualsIgnoreCase(m, "test")) return DeploymentMode::kTest;
  ctx.Fail(absl::InvalidArgumentError(
      Cat("unsupported value \"", m, "\" for ", path, "@deploymentMode")));
  return DeploymentMode::kProduction;
}

absl::StatusOr<Document> MapDocument(Ctx& ctx, Node root) {
  Document doc;
  if (root.name() != "cXML") {
    return absl::InvalidArgumentError(
        Cat("root element is <", root.name().substr(0, 64), ">, not <cXML>"));
  }
  const Path rp("cXML");
  doc.payload_id = ReqAttr(ctx, root, "payloadID", rp);
  doc.timestamp = ReqAttr(ctx, root, "timestamp", rp);
  if (!doc.timestamp.empty()) {
    auto t = ParseTimestamp(doc.timestamp);
    if (!t.ok())
      ctx.Fail(absl::InvalidArgumentError(Cat("cXML@timestamp: ", t.status().message())));
  }
  doc.version = Attr(root, "version");
  doc.lang = Attr(root, "xml:lang");
  if (!ctx.status().ok()) return ctx.status();
  if (Node resp = root.Child("Response")) {
    ReadResponse(ctx, resp, doc.body.emplace<Response>());
    if (!ctx.status().ok()) return ctx.status();
    return doc;
  }
  Node header = root.Child("Header");
  if (!header) return absl::InvalidArgumentError("missing required cXML/Header (or Response)");
  ReadCredentials(ctx, header, "From", doc.header.from);
  ReadCredentials(ctx, header, "To", doc.header.to);
  ReadCredentials(ctx, header, "Sender", doc.header.sender);
  doc.header.user_agent = Text(header.Child("Sender").Child("UserAgent"));

  if (Node msg = root.Child("Message")) {
    doc.deployment_mode = ReadMode(ctx, msg, "Message");
    doc.in_reply_to = Attr(msg, "inReplyTo");
    Node pom = msg.Child("PunchOutOrderMessage");
    if (!pom) {
      Node first = msg.Find([](std::string_view name) { return name != "Status"; });
      return absl::UnimplementedError(
          Cat("unsupported message type ",
              (first ? first.name() : std::string_view("(none)")).substr(0, 64)));
    }
    ReadPunchOutOrderMessage(ctx, pom, doc.body.emplace<PunchOutOrderMessage>());
  } else if (Node req = root.Child("Request")) {
    doc.deployment_mode = ReadMode(ctx, req, "Request");
    Node body = req.Find([](std::string_view) { return true; });
    if (!body) return absl::InvalidArgumentError("missing required Request body element");
    std::string_view name = body.name();
    if (name == "PunchOutSetupRequest") {
      ReadPunchOutSetupRequest(ctx, body, doc.body.emplace<PunchOutSetupRequest>());
    } else if (name == "OrderRequest") {
      ReadOrderRequest(ctx, body, doc.body.emplace<OrderRequest>());
    } else if (name == "ConfirmationRequest") {
      ReadConfirmationRequest(ctx, body, doc.body.emplace<ConfirmationRequest>());
    } else if (name == "ShipNoticeRequest") {
      ReadShipNoticeRequest(ctx, body, doc.body.emplace<ShipNoticeRequest>());
    } else if (name == "InvoiceDetailRequest") {
      ReadInvoiceDetailRequest(ctx, body, doc.body.emplace<InvoiceDetailRequest>());
    } else if (name == "ProfileRequest") {
      doc.body = ProfileRequest{};
    } else {
      return absl::UnimplementedError(Cat("unsupported request type ", name.substr(0, 64)));
    }
  } else {
    return absl::InvalidArgumentError("missing required cXML/Request or cXML/Message");
  }
  if (!ctx.status().ok()) return ctx.status();
  return doc;
}

}  // namespace

absl::StatusOr<Document> ReadDocument(std::string_view bytes, const Limits& limits) {
  if (bytes.size() > limits.max_bytes) {
    return absl::ResourceExhaustedError(
        Cat("document of ", bytes.size(), " bytes exceeds the limit of ", limits.max_bytes));
  }
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  if (bytes.empty()) return absl::InvalidArgumentError("empty document");
  if (bytes.size() >= 2 &&
      ((bytes[0] == '\xFF' && bytes[1] == '\xFE') || (bytes[0] == '\xFE' && bytes[1] == '\xFF'))) {
    return absl::InvalidArgumentError("UTF-16 documents are not accepted; send UTF-8");
  }
  std::string buffer;  // outlives `xml`, which points into it
  pugi::xml_document xml;
  absl::Status s = HardenedLoad(bytes, &buffer, &xml);
  if (!s.ok()) return s;
  Tree tree;
  s = tree.Read(xml.document_element(), buffer, limits);
  if (!s.ok()) return s;
  Ctx ctx(bytes);
  return MapDocument(ctx, tree.root());
}

absl::StatusOr<Document> ReadDocumentOfType(std::string_view bytes, DocumentType expected,
                                            const Limits& limits) {
  auto doc = ReadDocument(bytes, limits);
  if (!doc.ok()) return doc.status();
  DocumentType got = TypeOf(*doc);
  if (got != expected) {
    return absl::InvalidArgumentError(
        Cat("expected a ", DocumentTypeName(expected), " document, got ", DocumentTypeName(got)));
  }
  return doc;
}

}  // namespace iob::cxml
