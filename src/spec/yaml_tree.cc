#include "spec/yaml_tree.h"

#include <yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <unordered_map>

namespace weft::spec {

const YamlNode* YamlNode::Find(std::string_view key) const {
  for (const auto& [k, v] : entries_)
    if (k->IsScalar() && k->scalar_ == key) return v;
  return nullptr;
}

bool IsNullScalar(std::string_view s) { return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL"; }

std::optional<bool> AsBoolScalar(std::string_view s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

namespace {
// Plain-scalar resolution by character class (YAML 1.2 core schema), not
// std::regex: this runs for every scalar of every file and must be cheap.
bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
std::string_view StripSign(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return s;
}
}  // namespace

std::optional<int64_t> AsIntScalar(std::string_view s) {
  for (auto [prefix, base] : {std::pair{"0x", 16}, std::pair{"0o", 8}}) {  // YAML 1.2 hex and octal
    if (s.size() > 2 && s.compare(0, 2, prefix) == 0) {
      int64_t v = 0;
      auto [end, ec] = std::from_chars(s.data() + 2, s.data() + s.size(), v, base);
      if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
      return v;
    }
  }
  if (!IsDigits(StripSign(s))) return std::nullopt;
  int64_t v = 0;
  const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
  auto [end, ec] = std::from_chars(begin, s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> AsFloatScalar(std::string_view s) {
  // [-+]? ( .digits | digits [. digits?] ) ( [eE] [-+]? digits )?
  std::string_view rest = StripSign(s);
  size_t e = rest.find_first_of("eE");
  std::string_view mantissa = rest.substr(0, e);
  if (e != std::string_view::npos && !IsDigits(StripSign(rest.substr(e + 1)))) return std::nullopt;
  size_t dot = mantissa.find('.');
  std::string_view whole = mantissa.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : mantissa.substr(dot + 1);
  bool ok = dot == std::string_view::npos ? IsDigits(whole)
                                          : (whole.empty() ? IsDigits(frac) : IsDigits(whole) && (frac.empty() || IsDigits(frac)));
  if (!ok) return std::nullopt;
  try {
    double v = std::stod(std::string(s));
    if (!std::isfinite(v)) return std::nullopt;
    return v;
  } catch (...) {
    return std::nullopt;
  }
}

nlohmann::json ScalarJson(const YamlNode& n) {
  if (!n.IsScalar()) return nullptr;
  const std::string& s = n.Scalar();
  if (n.quoted()) return s;
  if (IsNullScalar(s)) return nullptr;
  if (auto b = AsBoolScalar(s)) return *b;
  if (auto i = AsIntScalar(s)) return *i;
  if (auto f = AsFloatScalar(s)) return *f;
  return s;
}

Pos PosOfOffset(std::string_view text, size_t offset) {
  Pos p{1, 1};
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.col = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++p.col;
    }
  }
  return p;
}

namespace {

Pos PosOfMark(const yaml_mark_t& m) { return {static_cast<int>(m.line) + 1, static_cast<int>(m.column) + 1}; }

std::string AsString(const yaml_char_t* s) { return s ? reinterpret_cast<const char*>(s) : ""; }

// Owns a libyaml parser for the length of one parse.
class Parser {
 public:
  explicit Parser(std::string_view text) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  }
  ~Parser() { yaml_parser_delete(&parser_); }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
  yaml_parser_t* get() { return &parser_; }

 private:
  yaml_parser_t parser_;
};

// Owns one event.
struct Event {
  yaml_event_t e{};
  ~Event() { yaml_event_delete(&e); }
};

}  // namespace

// Turns libyaml's events into YamlNodes: a stack of open collections, the
// anchors of the current document, and a count of the levels being skipped
// past the depth bound.
class YamlTreeBuilder {
 public:
  YamlTreeBuilder(std::string_view text, int max_depth, YamlStream& out)
      : text_(text), max_depth_(max_depth), out_(out) {}

  void Run() {
    Parser parser(text_);
    for (;;) {
      Event ev;
      if (!yaml_parser_parse(parser.get(), &ev.e)) {
        Fail(*parser.get());
        return;
      }
      if (ev.e.type == YAML_STREAM_END_EVENT) return;
      if (!Handle(ev.e)) return;
    }
  }

 private:
  struct Open {
    YamlNode* node;
    const YamlNode* pending_key;  // maps: the key read, waiting for its value
    std::string anchor;
  };

  bool Handle(const yaml_event_t& e) {
    if (skipping_ > 0) {  // inside a collection too deep to keep
      if (e.type == YAML_SEQUENCE_START_EVENT || e.type == YAML_MAPPING_START_EVENT) ++skipping_;
      if (e.type == YAML_SEQUENCE_END_EVENT || e.type == YAML_MAPPING_END_EVENT) --skipping_;
      return true;
    }
    switch (e.type) {
      case YAML_DOCUMENT_START_EVENT:
        anchors_.clear();  // anchors are per document
        return true;
      case YAML_SCALAR_EVENT: {
        const auto& s = e.data.scalar;
        std::string value(reinterpret_cast<const char*>(s.value), s.length);
        std::string tag = AsString(s.tag);
        bool plain = s.style == YAML_PLAIN_SCALAR_STYLE;
        bool is_null = plain && !s.tag &&
                       (value.empty() || value == "~" || value == "null" || value == "Null" || value == "NULL");
        YamlNode* n = New(is_null ? YamlNode::Kind::kNull : YamlNode::Kind::kScalar, e.start_mark);
        if (!is_null) {
          n->scalar_ = std::move(value);
          n->quoted_ = s.tag ? tag == "!" : !plain;
        }
        Anchor(AsString(s.anchor), n);
        Add(n);
        return true;
      }
      case YAML_ALIAS_EVENT: {
        std::string name = AsString(e.data.alias.anchor);
        auto it = anchors_.find(name);
        if (it == anchors_.end()) {
          out_.error = YamlError{PosOfMark(e.start_mark), "YAML syntax error: unknown anchor '" + name + "'"};
          return false;
        }
        Add(it->second);
        return true;
      }
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT: {
        bool map = e.type == YAML_MAPPING_START_EVENT;
        YamlNode* n = New(map ? YamlNode::Kind::kMap : YamlNode::Kind::kSequence, e.start_mark);
        std::string anchor = AsString(map ? e.data.mapping_start.anchor : e.data.sequence_start.anchor);
        Add(n);
        if (static_cast<int>(open_.size()) > max_depth_) {  // kept empty; see ParseYaml
          Anchor(anchor, n);
          skipping_ = 1;
        } else {
          // Registered at its end, so an alias inside a collection cannot refer to it (no cycles).
          open_.push_back({n, nullptr, std::move(anchor)});
        }
        return true;
      }
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        Anchor(open_.back().anchor, open_.back().node);
        open_.pop_back();
        return true;
      default:  // stream start, document end
        return true;
    }
  }

  YamlNode* New(YamlNode::Kind kind, const yaml_mark_t& mark) {
    YamlNode& n = out_.nodes.emplace_back();
    n.kind_ = kind;
    n.pos_ = PosOfMark(mark);
    return &n;
  }

  void Anchor(const std::string& name, const YamlNode* n) {
    if (!name.empty()) anchors_[name] = n;
  }

  void Add(const YamlNode* n) {
    if (open_.empty()) {
      out_.documents.push_back(n);
      return;
    }
    Open& top = open_.back();
    if (top.node->IsSequence()) {
      top.node->items_.push_back(n);
    } else if (!top.pending_key) {
      top.pending_key = n;
    } else {
      top.node->entries_.emplace_back(top.pending_key, n);
      top.pending_key = nullptr;
    }
  }

  void Fail(const yaml_parser_t& p) {
    std::string problem = p.problem ? p.problem : "cannot parse";
    if (p.error == YAML_MEMORY_ERROR) problem = "out of memory";
    Pos pos = p.error == YAML_READER_ERROR ? PosOfOffset(text_, p.problem_offset) : PosOfMark(p.problem_mark);
    std::string message = "YAML syntax error: " + problem;
    // libyaml's context says what it was reading and where that began ("while parsing a flow sequence").
    if (p.context) message += " (" + std::string(p.context) + " at line " + std::to_string(p.context_mark.line + 1) + ")";
    out_.error = YamlError{pos, std::move(message)};
  }

  std::string_view text_;
  int max_depth_;
  YamlStream& out_;
  std::vector<Open> open_;
  std::unordered_map<std::string, const YamlNode*> anchors_;
  int skipping_ = 0;
};

YamlStream ParseYaml(std::string_view text, int max_depth) {
  YamlStream out;
  YamlTreeBuilder(text, max_depth, out).Run();
  if (out.error) out.documents.clear();
  return out;
}

}  // namespace weft::spec
