// A YAML document tree for the loader, built from libyaml's event parser.
//
// Why not yaml-cpp (still used to emit YAML in cli/output.cc): parsing a
// 6 KB contract took it ~1 ms, more than the whole lint target for 1,000
// files; libyaml's parser does the same in ~0.08 ms, and it reports syntax
// errors at the same line:col as yaml-cpp (whose scanner follows libyaml's).
// See docs/benchmarks.md, "bench_lint".
//
//   YamlStream s = ParseYaml(text, /*max_depth=*/64);
//   if (s.error) Report(s.error->pos, s.error->message);
//   for (const YamlNode* doc : s.documents) Walk(*doc);
//
// Scalars are not resolved: the loader applies YAML 1.2's core schema itself.
// A plain scalar with no tag that spells null (empty, ~, null, Null, NULL) is
// a null node, as in yaml-cpp. Aliases point at their anchor's node (nothing
// is copied), so a walk expands them and must bound what it visits.
//
// Thread safety: ParseYaml is a pure function, safe to call concurrently; a
// YamlStream is immutable once returned.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "spec/diagnostic.h"

namespace weft::spec {

class YamlNode {
 public:
  enum class Kind { kNull, kScalar, kSequence, kMap };

  // Sequence iteration yields nodes (not pointers), as a range-for expects.
  class ItemIterator {
   public:
    explicit ItemIterator(const YamlNode* const* p) : p_(p) {}
    const YamlNode& operator*() const { return **p_; }
    ItemIterator& operator++() {
      ++p_;
      return *this;
    }
    bool operator!=(const ItemIterator& o) const { return p_ != o.p_; }

   private:
    const YamlNode* const* p_;
  };

  Kind kind() const { return kind_; }
  bool IsNull() const { return kind_ == Kind::kNull; }
  bool IsScalar() const { return kind_ == Kind::kScalar; }
  bool IsSequence() const { return kind_ == Kind::kSequence; }
  bool IsMap() const { return kind_ == Kind::kMap; }
  // Where the node starts (1-based).
  Pos pos() const { return pos_; }
  const std::string& Scalar() const { return scalar_; }
  // Quoted or block scalars, and plain ones tagged '!': always strings.
  bool quoted() const { return quoted_; }

  // Items of a sequence (empty for other kinds).
  ItemIterator begin() const { return ItemIterator(items_.data()); }
  ItemIterator end() const { return ItemIterator(items_.data() + items_.size()); }
  size_t size() const { return kind_ == Kind::kMap ? entries_.size() : items_.size(); }
  // Key/value pairs of a map, in document order; repeated keys are kept.
  const std::vector<std::pair<const YamlNode*, const YamlNode*>>& entries() const { return entries_; }
  // The value of the first scalar key equal to `key`, or nullptr.
  const YamlNode* Find(std::string_view key) const;

 private:
  friend class YamlTreeBuilder;
  Kind kind_ = Kind::kNull;
  Pos pos_;
  bool quoted_ = false;
  std::string scalar_;
  std::vector<const YamlNode*> items_;
  std::vector<std::pair<const YamlNode*, const YamlNode*>> entries_;
};

struct YamlError {
  Pos pos;
  std::string message;  // "YAML syntax error: …"
};

struct YamlStream {
  std::deque<YamlNode> nodes;              // owns every node; a deque keeps their addresses stable
  std::vector<const YamlNode*> documents;  // one per document, in order
  std::optional<YamlError> error;          // set: the text is not valid YAML, documents are dropped
};

// Parses every document of `text`. A collection nested deeper than
// `max_depth` (the root is at 0) is parsed, for syntax errors, but kept empty,
// so a pathological file cannot build a huge tree; the loader's walk reports
// the nesting (document-too-deep) at its first node past `max_depth`.
YamlStream ParseYaml(std::string_view text, int max_depth);

// Line and column (1-based, counting characters) of a byte offset in `text`.
Pos PosOfOffset(std::string_view text, size_t offset);

// YAML 1.2 core schema resolution of a plain scalar's text: null (empty, ~,
// null, Null, NULL), bool (true/True/TRUE, false/...), int (decimal, 0x, 0o),
// float; nullopt when the text is not of that type.
bool IsNullScalar(std::string_view s);
std::optional<bool> AsBoolScalar(std::string_view s);
std::optional<int64_t> AsIntScalar(std::string_view s);
std::optional<double> AsFloatScalar(std::string_view s);
// A scalar or null node as JSON under that schema (quoted scalars are
// strings); collections are null.
nlohmann::json ScalarJson(const YamlNode& n);

}  // namespace weft::spec
