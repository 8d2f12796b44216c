#include "spec/diff.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <type_traits>
#include <utility>

#include "common/strings.h"
#include "spec/sla.h"

namespace weft::spec {

const char* ChangeSeverityName(ChangeSeverity s) {
  switch (s) {
    case ChangeSeverity::kBreaking:
      return "breaking";
    case ChangeSeverity::kWarning:
      return "warning";
    case ChangeSeverity::kInfo:
      return "info";
  }
  return "breaking";
}

bool DocumentDiff::has_breaking() const {
  return std::any_of(changes.begin(), changes.end(),
                     [](const Change& c) { return c.severity == ChangeSeverity::kBreaking; });
}

namespace {

constexpr ChangeSeverity kBreaking = ChangeSeverity::kBreaking;
constexpr ChangeSeverity kWarning = ChangeSeverity::kWarning;
constexpr ChangeSeverity kInfo = ChangeSeverity::kInfo;
constexpr bool kAddition = true;

// Breaking changes need a major bump. Warnings change what consumers may see
// or what producers must pass, so they need a minor one, like additions.
DiffRuleInfo MakeRule(std::string id, ChangeSeverity s, std::string summary, bool addition = false) {
  ChangeLevel level = s == kBreaking                ? ChangeLevel::kBreaking
                      : (s == kWarning || addition) ? ChangeLevel::kAddition
                                                    : ChangeLevel::kInfo;
  return {std::move(id), s, level, std::move(summary)};
}

}  // namespace

const std::vector<DiffRuleInfo>& DiffRules() {
  static const std::vector<DiffRuleInfo> k = {
      // Documents and versions.
      MakeRule("contract-removed", kBreaking, "a data contract in OLD is missing from NEW"),
      MakeRule("contract-added", kInfo, "a data contract is new in NEW", kAddition),
      MakeRule("product-removed", kBreaking, "a data product in OLD is missing from NEW"),
      MakeRule("product-added", kInfo, "a data product is new in NEW", kAddition),
      MakeRule("version-invalid", kBreaking, "a version is not semver, so the bump cannot be checked"),
      MakeRule("domain-changed", kBreaking, "the owning domain changed, and with it the domain.product address"),
      MakeRule("status-deprecated", kWarning, "status changed to deprecated or retired"),
      MakeRule("status-changed", kInfo, "any other status change"),
      MakeRule("description-changed", kInfo, "a description or business name changed"),
      MakeRule("tags-changed", kInfo, "tags changed"),
      MakeRule("metadata-changed", kInfo,
               "other documentation changed: name, team, support, examples, custom properties, ..."),
      // Contract-wide.
      MakeRule("server-removed", kWarning, "a server is gone; consumers reading from it lose it"),
      MakeRule("server-added", kInfo, "a server is new", kAddition),
      MakeRule("server-changed", kWarning, "a server's type, environment or connection attributes changed"),
      MakeRule("role-removed", kWarning, "an access role is gone; requests through it no longer work"),
      MakeRule("role-added", kInfo, "an access role is new", kAddition),
      MakeRule("role-changed", kWarning, "a role's access or approvers changed"),
      MakeRule("price-changed", kWarning, "the price changed"),
      MakeRule("sla-removed", kBreaking, "an SLA property is gone: a promise withdrawn"),
      MakeRule("sla-weakened", kBreaking,
               "latency/frequency/time-to-*/error rate grew, a time of availability got later, or "
               "retention/availability/throughput/end-of-support/end-of-life shrank (spec/sla.h)"),
      MakeRule("sla-added", kInfo, "an SLA property is new", kAddition),
      MakeRule("sla-strengthened", kInfo, "an SLA value improved", kAddition),
      MakeRule("sla-changed", kWarning,
               "an SLA changed in a way weft cannot rank (units of another kind, a property it does not know, "
               "generalAvailability)"),
      // Schema objects and properties.
      MakeRule("object-removed", kBreaking, "a schema object (table) is gone"),
      MakeRule("object-added", kInfo, "a schema object is new", kAddition),
      MakeRule("object-renamed", kBreaking, "a schema object kept its id but changed its name"),
      MakeRule("property-removed", kBreaking, "a property (column), nested property or items is gone"),
      MakeRule("property-added", kInfo, "an optional property is new", kAddition),
      MakeRule("required-property-added", kBreaking, "a new property is required: producers must now supply it"),
      MakeRule("property-renamed", kBreaking, "a property kept its id but changed its name"),
      MakeRule("physical-name-changed", kBreaking, "the physical table or column name changed"),
      MakeRule("logical-type-changed", kBreaking, "the logical type changed"),
      MakeRule("physical-type-changed", kBreaking, "the physical type changed and is not a recognised widening"),
      MakeRule("physical-type-widened", kWarning,
               "the physical type widened (int -> bigint, varchar(n) -> varchar(m > n), decimal)"),
      MakeRule("required-tightened", kBreaking, "a property became required"),
      MakeRule("required-relaxed", kWarning, "a property is no longer required: consumers may see nulls"),
      MakeRule("unique-added", kBreaking, "a property became unique"),
      MakeRule("unique-removed", kWarning, "a property is no longer unique: consumers may see duplicates"),
      MakeRule("primary-key-added", kBreaking, "a property joined the primary key"),
      MakeRule("primary-key-removed", kBreaking, "a property left the primary key"),
      MakeRule("primary-key-position-changed", kBreaking, "a primary key column moved within the key"),
      MakeRule("valid-values-narrowed", kBreaking, "validValues lost values, or were added where any value was valid"),
      MakeRule("valid-values-widened", kWarning, "validValues gained values or were dropped"),
      MakeRule("minimum-raised", kBreaking,
               "minimum, exclusiveMinimum, minLength, minItems or minProperties raised or added"),
      MakeRule("minimum-lowered", kWarning, "a lower bound lowered or removed"),
      MakeRule("maximum-lowered", kBreaking,
               "maximum, exclusiveMaximum, maxLength, maxItems or maxProperties lowered or added"),
      MakeRule("maximum-raised", kWarning, "an upper bound raised or removed"),
      MakeRule("pattern-changed", kBreaking, "a pattern was added or changed"),
      MakeRule("pattern-removed", kWarning, "a pattern was removed: consumers may see any string"),
      MakeRule("format-changed", kBreaking, "a format was added or changed"),
      MakeRule("format-removed", kWarning, "a format was removed"),
      MakeRule("type-option-changed", kBreaking,
               "precision, scale, multipleOf, uniqueItems, timezone or another type option added or changed"),
      MakeRule("type-option-removed", kWarning, "such a type option was removed"),
      MakeRule("classification-loosened", kBreaking,
               "classification moved toward public (restricted > confidential > internal > public) or was removed"),
      MakeRule("classification-tightened", kWarning, "classification moved away from public"),
      MakeRule("classification-changed", kWarning, "classification changed between levels weft cannot rank"),
      MakeRule("quality-rule-removed", kWarning, "a quality rule is gone"),
      MakeRule("quality-rule-added", kWarning, "a quality rule is new: it can reject publishes"),
      MakeRule("quality-rule-changed", kWarning, "a quality rule's metric, arguments, query or severity changed"),
      MakeRule("quality-threshold-changed", kWarning, "a quality rule's threshold changed"),
      MakeRule("relationship-removed", kWarning, "a relationship (foreign key) is gone"),
      MakeRule("relationship-added", kInfo, "a relationship is new", kAddition),
      MakeRule("relationship-changed", kWarning, "a relationship's target changed"),
      // Data products.
      MakeRule("output-port-removed", kBreaking, "an output port is gone"),
      MakeRule("output-port-added", kInfo, "an output port is new", kAddition),
      MakeRule("output-port-contract-changed", kBreaking, "an output port is bound to another contract"),
      MakeRule("output-port-version-major", kBreaking, "an output port's version got a new major or went backwards"),
      MakeRule("output-port-version-changed", kWarning, "an output port's version changed within its major"),
      MakeRule("output-port-type-changed", kBreaking, "an output port's type changed"),
      MakeRule("input-port-added", kWarning, "an input port is new: one more upstream the product depends on"),
      MakeRule("input-port-removed", kInfo, "an input port is gone"),
      MakeRule("input-port-changed", kInfo, "an input port's contract or version changed"),
      MakeRule("management-port-removed", kInfo, "a management port is gone"),
      MakeRule("management-port-added", kInfo, "a management port is new", kAddition),
      MakeRule("management-port-changed", kInfo, "a management port changed"),
  };
  return k;
}

const DiffRuleInfo* FindDiffRule(std::string_view id) {
  static const std::map<std::string, const DiffRuleInfo*, std::less<>> index = [] {
    std::map<std::string, const DiffRuleInfo*, std::less<>> m;
    for (const auto& r : DiffRules()) m[r.id] = &r;
    return m;
  }();
  auto it = index.find(id);
  return it == index.end() ? nullptr : it->second;
}

namespace {

// ---------------------------------------------------------------------------
// Recording changes

class Recorder {
 public:
  void Add(std::string_view rule, std::string subject, std::string message, Json old_value = nullptr,
           Json new_value = nullptr, Pos old_pos = {}, Pos new_pos = {}) {
    const DiffRuleInfo* info = FindDiffRule(rule);
    assert(info && "every rule must be listed in DiffRules()");
    changes.push_back({info ? info->severity : kBreaking, std::string(rule), std::move(subject), std::move(message),
                       std::move(old_value), std::move(new_value), old_pos, new_pos});
  }
  // "<field> of <what> changed from X to Y", the common message shape.
  void AddChanged(std::string_view rule, std::string subject, std::string_view field, const std::string& what,
                  Json old_value, Json new_value, Pos old_pos, Pos new_pos);

  std::vector<Change> changes;
};

// What is being compared: `subject` for machines, `what` for messages.
struct Node {
  std::string subject;  // "orders.customer_id"
  std::string what;     // "property 'customer_id' in 'orders'"
};

std::string Quote(std::string_view s) {
  return "'" + std::string(s) + "'";
}

// A value as messages show it: strings quoted, absent values as "none".
std::string Show(const Json& v) {
  if (v.is_null()) return "none";
  std::string s = v.is_string() ? Quote(v.get<std::string>()) : v.dump();
  constexpr size_t kMax = 80;
  return s.size() > kMax ? s.substr(0, kMax - 3) + "..." : s;
}

// "type 'postgres' -> 'duckdb', host 'a' -> 'b'": the keys two objects differ in.
std::string DescribeDelta(const Json& a, const Json& b) {
  if (!a.is_object() || !b.is_object()) return Show(a) + " -> " + Show(b);
  std::set<std::string> keys;
  for (const auto& [k, v] : a.items()) keys.insert(k);
  for (const auto& [k, v] : b.items()) keys.insert(k);
  std::vector<std::string> parts;
  for (const auto& k : keys) {
    Json x = a.contains(k) ? a[k] : Json(), y = b.contains(k) ? b[k] : Json();
    if (x != y) parts.push_back(k + " " + Show(x) + " -> " + Show(y));
  }
  return Join(parts, ", ");
}

void Recorder::AddChanged(std::string_view rule, std::string subject, std::string_view field, const std::string& what,
                          Json old_value, Json new_value, Pos old_pos, Pos new_pos) {
  std::string message =
      std::string(field) + " of " + what + " changed from " + Show(old_value) + " to " + Show(new_value);
  Add(rule, std::move(subject), std::move(message), std::move(old_value), std::move(new_value), old_pos, new_pos);
}

// ---------------------------------------------------------------------------
// Model -> JSON, so fields compare with == and print in messages. Empty
// strings and lists become null: ODCS does not distinguish absent from empty.

Json Str(const std::string& s) {
  return s.empty() ? Json() : Json(s);
}
Json Strings(const std::vector<std::string>& v) {
  return v.empty() ? Json() : Json(v);
}
template <typename T>
Json Optional(const std::optional<T>& v) {
  return v ? Json(*v) : Json();
}
Json NonEmpty(Json v) {
  return v.empty() ? Json() : v;
}

// An object of the non-null members, or null when there are none.
Json Obj(std::initializer_list<std::pair<const char*, Json>> members) {
  Json o = Json::object();
  for (const auto& [k, v] : members) {
    if (!v.is_null()) o[k] = v;
  }
  return NonEmpty(std::move(o));
}

Json CustomProps(const std::vector<CustomProperty>& v) {
  Json o = Json::object();
  for (const auto& p : v) o[p.property] = p.value;
  return NonEmpty(std::move(o));
}

Json AuthDefs(const std::vector<AuthoritativeDefinition>& v) {
  Json a = Json::array();
  for (const auto& d : v) a.push_back(Obj({{"type", Str(d.type)}, {"url", Str(d.url)}}));
  return NonEmpty(std::move(a));
}

Json DescriptionJson(const Description& d) {
  return Obj({{"purpose", Str(d.purpose)}, {"limitations", Str(d.limitations)}, {"usage", Str(d.usage)}});
}

Json TeamJson(const Team& t) {
  Json members = Json::array();
  for (const auto& m : t.members) members.push_back(Str(m.username.empty() ? m.name : m.username));
  return Obj({{"name", Str(t.name)}, {"members", NonEmpty(std::move(members))}});
}

Json SupportJson(const std::vector<SupportChannel>& v) {
  Json a = Json::array();
  for (const auto& s : v) a.push_back(Obj({{"channel", Str(s.channel)}, {"url", Str(s.url)}}));
  return NonEmpty(std::move(a));
}

Json PriceJson(const std::optional<Price>& p) {
  if (!p) return nullptr;
  return Obj({{"amount", Optional(p->amount)}, {"currency", Str(p->currency)}, {"unit", Str(p->unit)}});
}

Json PosJson(Pos p) {
  return p.line == 0 ? Json() : Json{{"line", p.line}, {"col", p.col}};
}

// ---------------------------------------------------------------------------
// Pairing old and new list items

template <typename T>
struct Paired {
  const T* old_item;  // null: added
  const T* new_item;  // null: removed
};

template <typename T>
using KeyFn = std::string (*)(const T&);

// Pairs items by the first key function, then the still unpaired ones by the
// next, and so on; an empty key never pairs. Equal keys pair in list order,
// so duplicates (two unnamed nullValues checks) pair one to one.
template <typename T>
std::vector<Paired<T>> PairUp(const std::vector<T>& olds, const std::vector<T>& news,
                              std::initializer_list<std::type_identity_t<KeyFn<T>>> keys) {
  std::vector<const T*> match(olds.size(), nullptr);
  std::vector<bool> taken(news.size(), false);
  for (KeyFn<T> key : keys) {
    for (size_t i = 0; i < olds.size(); ++i) {
      std::string k = match[i] ? std::string() : key(olds[i]);
      if (k.empty()) continue;
      for (size_t j = 0; j < news.size(); ++j) {
        if (!taken[j] && key(news[j]) == k) {
          match[i] = &news[j];
          taken[j] = true;
          break;
        }
      }
    }
  }
  std::vector<Paired<T>> out;
  for (size_t i = 0; i < olds.size(); ++i) out.push_back({&olds[i], match[i]});
  for (size_t j = 0; j < news.size(); ++j) {
    if (!taken[j]) out.push_back({nullptr, &news[j]});
  }
  return out;
}

template <typename T>
std::string IdKey(const T& t) {
  return t.id;
}
template <typename T>
std::string NameKey(const T& t) {
  return t.name;
}

std::string Child(const std::string& parent, const std::string& name) {
  return parent.empty() ? name : parent + ":" + name;
}

// ---------------------------------------------------------------------------
// Field tables: a field, the rule a change to it falls under, and how to read it.

template <typename T>
struct FieldRule {
  const char* field;
  const char* rule;
  Json (*get)(const T&);
};

template <typename T>
void DiffFields(Recorder& r, const std::vector<FieldRule<T>>& fields, const T& a, const T& b, const Node& n) {
  for (const auto& f : fields) {
    Json x = f.get(a), y = f.get(b);
    if (x == y) continue;
    r.AddChanged(f.rule, n.subject.empty() ? f.field : n.subject, f.field, n.what, x, y, a.At(f.field), b.At(f.field));
  }
}

// Lists whose items are added, removed or changed as a whole: servers, roles,
// relationships, input and management ports.
template <typename T>
struct ListRule {
  const char* noun;     // "server", for messages
  const char* prefix;   // "server", for subjects: "server:prod"
  const char* removed;  // rule ids
  const char* added;
  const char* changed;
  std::string (*label)(const T&);  // how the item is named
  Json (*body)(const T&);          // what "changed" compares
};

template <typename T>
void DiffList(Recorder& r, const ListRule<T>& rule, const std::vector<Paired<T>>& pairs, const Node& owner) {
  std::string in = owner.what.empty() ? "" : " in " + owner.what;
  for (const auto& [a, b] : pairs) {
    const T& any = a ? *a : *b;
    std::string label = rule.label(any);
    std::string subject = Child(owner.subject, std::string(rule.prefix) + ":" + label);
    std::string what = std::string(rule.noun) + " " + Quote(label);
    if (!b) {
      r.Add(rule.removed, subject, what + " removed" + (in.empty() ? "" : " from " + owner.what), rule.body(*a),
            nullptr, a->pos, {});
    } else if (!a) {
      r.Add(rule.added, subject, what + " added" + in, nullptr, rule.body(*b), {}, b->pos);
    } else if (Json x = rule.body(*a), y = rule.body(*b); x != y) {
      r.Add(rule.changed, subject, what + in + " changed: " + DescribeDelta(x, y), x, y, a->pos, b->pos);
    }
  }
}

// ---------------------------------------------------------------------------
// Status

bool IsRetiring(const std::string& status) {
  std::string s = ToLower(status);
  return s == "deprecated" || s == "retired";
}

void DiffStatus(Recorder& r, const SpecNode& a, const std::string& sa, const SpecNode& b, const std::string& sb,
                const std::string& what) {
  if (sa == sb) return;
  bool retiring = IsRetiring(sb) && !IsRetiring(sa);
  r.AddChanged(retiring ? "status-deprecated" : "status-changed", "status", "status", what, Str(sa), Str(sb),
               a.At("status"), b.At("status"));
}

// ---------------------------------------------------------------------------
// Classification: the ODCS examples' levels, lowest (most open) first.

std::optional<int> ClassificationRank(const std::string& c) {
  static const std::map<std::string, int> kRanks = {
      {"", -1},         {"public", 0},     {"internal", 1}, {"confidential", 2},
      {"sensitive", 2}, {"restricted", 3}, {"secret", 4}};
  auto it = kRanks.find(ToLower(Trim(c)));
  if (it == kRanks.end()) return std::nullopt;
  return it->second;
}

void DiffClassification(Recorder& r, const Property& a, const Property& b, const Node& n) {
  if (ToLower(a.classification) == ToLower(b.classification)) return;
  auto ra = ClassificationRank(a.classification), rb = ClassificationRank(b.classification);
  // Removing a classification is a loosening: policies keyed on it stop applying.
  const char* rule = !ra || !rb  ? "classification-changed"
                     : *rb < *ra ? "classification-loosened"
                                 : "classification-tightened";
  r.AddChanged(rule, n.subject, "classification", n.what, Str(a.classification), Str(b.classification),
               a.At("classification"), b.At("classification"));
}

// ---------------------------------------------------------------------------
// Physical types: recognise the widenings every engine performs losslessly.

struct PhysicalType {
  std::string base;           // canonical: integer, bigint, double, decimal, varchar, ...
  std::vector<int64_t> args;  // (n) or (p, s)
  bool operator==(const PhysicalType&) const = default;
};

std::string CanonicalBase(const std::string& base) {
  static const std::map<std::string, std::string> kAliases = [] {
    std::map<std::string, std::string> m;
    auto add = [&m](const char* canonical, std::initializer_list<const char*> aliases) {
      for (const char* alias : aliases) m[alias] = canonical;
    };
    add("tinyint", {"int1", "byte"});
    add("smallint", {"int2", "short", "int16"});
    add("integer", {"int", "int4", "int32", "signed"});
    add("bigint", {"int8", "int64", "long"});
    add("hugeint", {"int128"});
    add("real", {"float4", "float"});
    add("double", {"float8", "double precision"});
    add("decimal", {"numeric", "number"});
    add("varchar", {"character varying", "nvarchar", "string", "text"});
    add("char", {"character", "nchar"});
    return m;
  }();
  auto it = kAliases.find(base);
  return it == kAliases.end() ? base : it->second;
}

std::optional<PhysicalType> ParsePhysicalType(const std::string& text) {
  std::string s = ToLower(Trim(text));
  if (s.empty()) return std::nullopt;
  PhysicalType t;
  size_t open = s.find('(');
  t.base = CanonicalBase(std::string(Trim(s.substr(0, open))));
  if (open == std::string::npos) return t;
  if (s.back() != ')') return std::nullopt;
  for (const auto& part : Split(s.substr(open + 1, s.size() - open - 2), ',')) {
    std::string_view p = Trim(part);
    int64_t v = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (ec != std::errc() || end != p.data() + p.size()) return std::nullopt;
    t.args.push_back(v);
  }
  return t;
}

bool IsWidening(const PhysicalType& from, const PhysicalType& to) {
  static const std::vector<std::vector<std::string>> kLadders = {
      {"tinyint", "smallint", "integer", "bigint", "hugeint"}, {"real", "double"}};
  for (const auto& ladder : kLadders) {
    auto f = std::find(ladder.begin(), ladder.end(), from.base), t = std::find(ladder.begin(), ladder.end(), to.base);
    if (f != ladder.end() && t != ladder.end()) return t > f;
  }
  if (from.base != to.base) return false;
  if (from.base == "varchar") {  // no length: unbounded
    return to.args.empty() || (from.args.size() == 1 && to.args.size() == 1 && to.args[0] > from.args[0]);
  }
  if (from.base == "decimal" && from.args.size() == 2 && to.args.size() == 2) {
    // Keeps every value when neither the integer digits nor the scale shrink.
    return to.args[1] >= from.args[1] && to.args[0] - to.args[1] >= from.args[0] - from.args[1];
  }
  return false;
}

template <typename T>
void DiffPhysicalType(Recorder& r, const T& a, const T& b, const Node& n) {
  if (a.physical_type == b.physical_type) return;
  auto pa = ParsePhysicalType(a.physical_type), pb = ParsePhysicalType(b.physical_type);
  if (pa && pb && *pa == *pb) return;  // spelling only: INT vs integer
  const char* rule = pa && pb && IsWidening(*pa, *pb) ? "physical-type-widened" : "physical-type-changed";
  r.AddChanged(rule, n.subject, "physicalType", n.what, Str(a.physical_type), Str(b.physical_type),
               a.At("physicalType"), b.At("physicalType"));
}

// ---------------------------------------------------------------------------
// Constraint flags: required, unique, primaryKey.

struct FlagRule {
  const char* field;
  bool (Property::*get)() const;
  const char* set_rule;
  const char* cleared_rule;
  const char* set_text;
  const char* cleared_text;
};

const FlagRule kFlagRules[] = {
    {"required", &Property::is_required, "required-tightened", "required-relaxed", "became required",
     "is no longer required"},
    {"unique", &Property::is_unique, "unique-added", "unique-removed", "became unique", "is no longer unique"},
    {"primaryKey", &Property::is_primary_key, "primary-key-added", "primary-key-removed", "joined the primary key",
     "left the primary key"},
};

void DiffFlags(Recorder& r, const Property& a, const Property& b, const Node& n) {
  for (const auto& f : kFlagRules) {
    bool x = (a.*f.get)(), y = (b.*f.get)();
    if (x == y) continue;
    r.Add(y ? f.set_rule : f.cleared_rule, n.subject, n.what + " " + (y ? f.set_text : f.cleared_text), x, y,
          a.At(f.field), b.At(f.field));
  }
  if (a.is_primary_key() && b.is_primary_key() && a.primary_key_position != b.primary_key_position) {
    r.AddChanged("primary-key-position-changed", n.subject, "primaryKeyPosition", n.what,
                 Optional(a.primary_key_position), Optional(b.primary_key_position), a.At("primaryKeyPosition"),
                 b.At("primaryKeyPosition"));
  }
}

// ---------------------------------------------------------------------------
// logicalTypeOptions bounds: each family has a lower and an upper bound, the
// value family also exclusive ones (a number in ODCS v3.1, a flag that turns
// minimum/maximum exclusive in v3.0).

// Numbers compare as numbers, strings (ISO dates and timestamps) as text.
std::optional<int> CompareValues(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) {
    double x = a.get<double>(), y = b.get<double>();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.is_string() && b.is_string()) {
    int c = a.get<std::string>().compare(b.get<std::string>());
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  return std::nullopt;
}

struct Bound {
  std::string option;
  Json value;
  bool exclusive = false;
};

// >0 when `b` admits fewer values than `a`; `lower` says which side bounds.
std::optional<int> Tightness(const Bound& a, const Bound& b, bool lower) {
  auto c = CompareValues(a.value, b.value);
  if (!c) return std::nullopt;
  if (*c != 0) return lower ? -*c : *c;
  return static_cast<int>(b.exclusive) - static_cast<int>(a.exclusive);
}

std::optional<Bound> EffectiveBound(const std::map<std::string, Json>& options, const char* inclusive,
                                    const char* exclusive, bool lower) {
  std::vector<Bound> candidates;
  bool flag = false;
  if (exclusive) {
    if (auto it = options.find(exclusive); it != options.end()) {
      if (it->second.is_boolean())
        flag = it->second.get<bool>();
      else
        candidates.push_back({exclusive, it->second, true});
    }
  }
  if (auto it = options.find(inclusive); it != options.end()) candidates.push_back({inclusive, it->second, flag});
  std::optional<Bound> best;
  for (auto& c : candidates) {
    if (!best || Tightness(*best, c, lower).value_or(0) > 0) best = std::move(c);
  }
  return best;
}

struct BoundFamily {
  const char* lower;
  const char* lower_exclusive;
  const char* upper;
  const char* upper_exclusive;
};

const BoundFamily kBoundFamilies[] = {
    {"minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"},
    {"minLength", nullptr, "maxLength", nullptr},
    {"minItems", nullptr, "maxItems", nullptr},
    {"minProperties", nullptr, "maxProperties", nullptr},
};

std::string ShowBound(const std::optional<Bound>& b) {
  return b ? b->option + " " + Show(b->value) : "none";
}

void DiffBound(Recorder& r, const Property& a, const Property& b, const Node& n, const char* inclusive,
               const char* exclusive, bool lower) {
  auto x = EffectiveBound(a.options, inclusive, exclusive, lower);
  auto y = EffectiveBound(b.options, inclusive, exclusive, lower);
  if (!x && !y) return;
  bool tighter;
  if (!x || !y) {
    tighter = !x;
  } else {
    auto t = Tightness(*x, *y, lower);
    if (t && *t == 0) return;
    tighter = !t || *t > 0;  // incomparable values: assume the worst
  }
  const char* rule =
      lower ? (tighter ? "minimum-raised" : "minimum-lowered") : (tighter ? "maximum-lowered" : "maximum-raised");
  const char* verb = lower ? (tighter ? "lower bound raised" : "lower bound lowered")
                           : (tighter ? "upper bound lowered" : "upper bound raised");
  r.Add(rule, n.subject, std::string(verb) + " on " + n.what + ": " + ShowBound(x) + " -> " + ShowBound(y),
        x ? x->value : Json(), y ? y->value : Json(), a.options_node.At(x ? x->option : inclusive),
        b.options_node.At(y ? y->option : inclusive));
}

// Options compared for equality: any new or changed value constrains data.
struct ExactOption {
  const char* option;
  const char* changed_rule;
  const char* removed_rule;
  bool false_is_absent;  // uniqueItems: false says nothing
};

const ExactOption kExactOptions[] = {
    {"pattern", "pattern-changed", "pattern-removed", false},
    {"format", "format-changed", "format-removed", false},
    {"multipleOf", "type-option-changed", "type-option-removed", false},
    {"uniqueItems", "type-option-changed", "type-option-removed", true},
    {"precision", "type-option-changed", "type-option-removed", false},
    {"scale", "type-option-changed", "type-option-removed", false},
    {"timezone", "type-option-changed", "type-option-removed", false},
    {"defaultTimezone", "type-option-changed", "type-option-removed", false},
    {"required", "type-option-changed", "type-option-removed", false},
};

void DiffOptions(Recorder& r, const Property& a, const Property& b, const Node& n) {
  for (const auto& f : kBoundFamilies) {
    DiffBound(r, a, b, n, f.lower, f.lower_exclusive, true);
    DiffBound(r, a, b, n, f.upper, f.upper_exclusive, false);
  }
  auto get = [](const Property& p, const ExactOption& o) {
    auto it = p.options.find(o.option);
    if (it == p.options.end() || (o.false_is_absent && it->second == Json(false))) return Json();
    return it->second;
  };
  for (const auto& o : kExactOptions) {
    Json x = get(a, o), y = get(b, o);
    if (x == y) continue;
    r.AddChanged(y.is_null() ? o.removed_rule : o.changed_rule, n.subject, o.option, n.what, x, y,
                 a.options_node.At(o.option), b.options_node.At(o.option));
  }
}

// ---------------------------------------------------------------------------
// validValues: the allowed set from the property's invalidValues checks
// (several checks intersect). nullopt: any value is valid.

bool CarriesValidValues(const QualityRule& q) {
  return q.metric == "invalidValues" && q.arguments.contains("validValues") && q.arguments["validValues"].is_array();
}

std::optional<std::set<Json>> ValidValues(const std::vector<QualityRule>& rules) {
  std::optional<std::set<Json>> out;
  for (const auto& q : rules) {
    if (!CarriesValidValues(q)) continue;
    std::set<Json> values(q.arguments["validValues"].begin(), q.arguments["validValues"].end());
    if (!out) {
      out = std::move(values);
      continue;
    }
    std::set<Json> both;
    std::set_intersection(out->begin(), out->end(), values.begin(), values.end(), std::inserter(both, both.begin()));
    out = std::move(both);
  }
  return out;
}

Json SetJson(const std::optional<std::set<Json>>& s) {
  return s ? Json(std::vector<Json>(s->begin(), s->end())) : Json();
}

Pos ValidValuesPos(const Property& p) {
  for (const auto& q : p.quality) {
    if (CarriesValidValues(q)) return q.pos;
  }
  return p.pos;
}

void DiffValidValues(Recorder& r, const Property& a, const Property& b, const Node& n) {
  auto x = ValidValues(a.quality), y = ValidValues(b.quality);
  if (x == y) return;
  std::vector<Json> lost, gained;
  if (x && y) {
    std::set_difference(x->begin(), x->end(), y->begin(), y->end(), std::back_inserter(lost));
    std::set_difference(y->begin(), y->end(), x->begin(), x->end(), std::back_inserter(gained));
  }
  bool narrowed = (!x && y) || !lost.empty();
  std::string detail = !x   ? "validValues added: " + SetJson(y).dump()
                       : !y ? "validValues dropped (was " + SetJson(x).dump() + ")"
                            : (lost.empty() ? "" : "lost " + Json(lost).dump()) +
                                  (lost.empty() || gained.empty() ? "" : ", ") +
                                  (gained.empty() ? "" : "gained " + Json(gained).dump());
  r.Add(narrowed ? "valid-values-narrowed" : "valid-values-widened", n.subject,
        "valid values of " + n.what + (narrowed ? " narrowed: " : " widened: ") + detail, SetJson(x), SetJson(y),
        ValidValuesPos(a), ValidValuesPos(b));
}

// ---------------------------------------------------------------------------
// Quality rules and relationships (objects and properties both carry them).

std::string QualityLabel(const QualityRule& q) {
  for (const std::string* s : {&q.id, &q.name, &q.metric, &q.type}) {
    if (!s->empty()) return *s;
  }
  return "rule";
}

// What the check does. validValues are left out: DiffValidValues ranks them.
Json QualityDefinition(const QualityRule& q) {
  Json args = q.arguments;
  args.erase("validValues");
  return Obj({{"type", Str(q.type)},
              {"metric", Str(q.metric)},
              {"arguments", NonEmpty(std::move(args))},
              {"query", Str(q.query)},
              {"engine", Str(q.engine)},
              {"implementation", q.implementation},
              {"unit", Str(q.unit)},
              {"severity", Str(q.severity)}});
}

Json QualityThresholds(const QualityRule& q) {
  Json a = Json::array();
  for (const auto& t : q.thresholds) a.push_back({{OperatorName(t.kind), t.value}});
  return NonEmpty(std::move(a));
}

Json QualityDocs(const QualityRule& q) {
  return Obj({{"name", Str(q.name)},
              {"description", Str(q.description)},
              {"businessImpact", Str(q.business_impact)},
              {"dimension", Str(q.dimension)},
              {"tags", Strings(q.tags)}});
}

std::string QualityDefinitionKey(const QualityRule& q) {
  return Obj({{"definition", QualityDefinition(q)}, {"thresholds", QualityThresholds(q)}}).dump();
}
std::string QualityKindKey(const QualityRule& q) {
  return q.metric.empty() ? q.type : q.metric;
}

void DiffQuality(Recorder& r, const std::vector<QualityRule>& olds, const std::vector<QualityRule>& news,
                 const Node& owner) {
  // Pair by id, by name, by identical definition, and last by metric, so an
  // unnamed check whose threshold changed still pairs with its old self.
  for (const auto& [a, b] :
       PairUp(olds, news, {IdKey<QualityRule>, NameKey<QualityRule>, QualityDefinitionKey, QualityKindKey})) {
    const QualityRule& any = a ? *a : *b;
    std::string subject = owner.subject + ":quality:" + QualityLabel(any);
    std::string what = "quality rule " + Quote(QualityLabel(any)) + " on " + owner.what;
    if (!a || !b) {
      if (CarriesValidValues(any)) continue;  // reported by DiffValidValues
      Json def = QualityDefinition(any);
      r.Add(a ? "quality-rule-removed" : "quality-rule-added", subject, what + (a ? " removed" : " added"),
            a ? def : Json(), b ? def : Json(), a ? a->pos : Pos{}, b ? b->pos : Pos{});
      continue;
    }
    if (Json x = QualityDefinition(*a), y = QualityDefinition(*b); x != y) {
      r.Add("quality-rule-changed", subject, what + " changed: " + DescribeDelta(x, y), x, y, a->pos, b->pos);
    }
    if (Json x = QualityThresholds(*a), y = QualityThresholds(*b); x != y) {
      r.AddChanged("quality-threshold-changed", subject, "threshold", what, x, y, a->pos, b->pos);
    }
    if (Json x = QualityDocs(*a), y = QualityDocs(*b); x != y) {
      r.Add("description-changed", subject, "documentation of " + what + " changed: " + DescribeDelta(x, y), x, y,
            a->pos, b->pos);
    }
  }
}

std::string RelationshipLabel(const Relationship& rel) {
  if (!rel.id.empty()) return rel.id;
  std::string from = Join(rel.from, ",");
  return (from.empty() ? "" : from + "->") + Join(rel.to, ",");
}
std::string RelationshipFullKey(const Relationship& rel) {
  return rel.type + "|" + Join(rel.from, ",") + "|" + Join(rel.to, ",");
}
std::string RelationshipSourceKey(const Relationship& rel) {
  return rel.type + "|" + Join(rel.from, ",");
}

const ListRule<Relationship> kRelationshipRule = {
    "relationship",
    "relationship",
    "relationship-removed",
    "relationship-added",
    "relationship-changed",
    RelationshipLabel,
    [](const Relationship& rel) {
      return Obj({{"type", Str(rel.type)}, {"from", Strings(rel.from)}, {"to", Strings(rel.to)}});
    }};

void DiffRelationships(Recorder& r, const std::vector<Relationship>& olds, const std::vector<Relationship>& news,
                       const Node& owner) {
  DiffList(r, kRelationshipRule, PairUp(olds, news, {IdKey<Relationship>, RelationshipFullKey, RelationshipSourceKey}),
           owner);
}

// ---------------------------------------------------------------------------
// Properties and schema objects

const std::vector<FieldRule<Property>>& PropertyFields() {
  static const std::vector<FieldRule<Property>> k = {
      {"logicalType", "logical-type-changed", [](const Property& p) { return Str(p.logical_type); }},
      {"physicalName", "physical-name-changed", [](const Property& p) { return Str(p.physical_name); }},
      {"description", "description-changed", [](const Property& p) { return Str(p.description); }},
      {"businessName", "description-changed", [](const Property& p) { return Str(p.business_name); }},
      {"tags", "tags-changed", [](const Property& p) { return Strings(p.tags); }},
      {"examples", "metadata-changed", [](const Property& p) { return NonEmpty(p.examples); }},
      {"criticalDataElement", "metadata-changed", [](const Property& p) { return Optional(p.critical_data_element); }},
      {"partitioned", "metadata-changed", [](const Property& p) { return Optional(p.partitioned); }},
      {"partitionKeyPosition", "metadata-changed",
       [](const Property& p) { return Optional(p.partition_key_position); }},
      {"encryptedName", "metadata-changed", [](const Property& p) { return Str(p.encrypted_name); }},
      {"transformLogic", "metadata-changed", [](const Property& p) { return Str(p.transform_logic); }},
      {"transformDescription", "metadata-changed", [](const Property& p) { return Str(p.transform_description); }},
      {"transformSourceObjects", "metadata-changed",
       [](const Property& p) { return Strings(p.transform_source_objects); }},
      {"authoritativeDefinitions", "metadata-changed",
       [](const Property& p) { return AuthDefs(p.authoritative_definitions); }},
      {"customProperties", "metadata-changed", [](const Property& p) { return CustomProps(p.custom_properties); }},
  };
  return k;
}

const std::vector<FieldRule<SchemaObject>>& ObjectFields() {
  static const std::vector<FieldRule<SchemaObject>> k = {
      {"physicalName", "physical-name-changed", [](const SchemaObject& o) { return Str(o.physical_name); }},
      {"physicalType", "physical-type-changed", [](const SchemaObject& o) { return Str(o.physical_type); }},
      {"logicalType", "logical-type-changed", [](const SchemaObject& o) { return Str(o.logical_type); }},
      {"description", "description-changed", [](const SchemaObject& o) { return Str(o.description); }},
      {"businessName", "description-changed", [](const SchemaObject& o) { return Str(o.business_name); }},
      {"dataGranularityDescription", "description-changed",
       [](const SchemaObject& o) { return Str(o.data_granularity_description); }},
      {"tags", "tags-changed", [](const SchemaObject& o) { return Strings(o.tags); }},
      {"authoritativeDefinitions", "metadata-changed",
       [](const SchemaObject& o) { return AuthDefs(o.authoritative_definitions); }},
      {"customProperties", "metadata-changed", [](const SchemaObject& o) { return CustomProps(o.custom_properties); }},
  };
  return k;
}

void DiffPropertyList(Recorder& r, const std::vector<Property>& olds, const std::vector<Property>& news,
                      const std::string& parent);
void DiffProperty(Recorder& r, const Property& a, const Property& b, const Node& n);

// The element type of an array property, compared as a child named "[]".
void DiffItems(Recorder& r, const Property& a, const Property& b, const Node& n) {
  std::string subject = n.subject + "[]";
  if (!a.items.empty() && !b.items.empty()) {
    DiffProperty(r, a.items[0], b.items[0], {subject, "items of " + n.what});
  } else if (!a.items.empty()) {
    r.Add("property-removed", subject, "items removed from " + n.what, Str(a.items[0].logical_type), nullptr,
          a.items[0].pos, b.pos);
  } else if (!b.items.empty()) {
    const Property& item = b.items[0];
    r.Add(item.is_required() ? "required-property-added" : "property-added", subject, "items added to " + n.what,
          nullptr, Str(item.logical_type), a.pos, item.pos);
  }
}

void DiffProperty(Recorder& r, const Property& a, const Property& b, const Node& n) {
  DiffFields(r, PropertyFields(), a, b, n);
  DiffPhysicalType(r, a, b, n);
  DiffFlags(r, a, b, n);
  DiffClassification(r, a, b, n);
  DiffOptions(r, a, b, n);
  DiffValidValues(r, a, b, n);
  DiffQuality(r, a.quality, b.quality, n);
  DiffRelationships(r, a.relationships, b.relationships, n);
  DiffPropertyList(r, a.properties, b.properties, n.subject);
  DiffItems(r, a, b, n);
}

// Properties pair by id first, so a renamed column is reported as a rename.
void DiffPropertyList(Recorder& r, const std::vector<Property>& olds, const std::vector<Property>& news,
                      const std::string& parent) {
  for (const auto& [a, b] : PairUp(olds, news, {IdKey<Property>, NameKey<Property>})) {
    if (!b) {
      r.Add("property-removed", parent + "." + a->name, "property " + Quote(a->name) + " removed from " + Quote(parent),
            Str(a->logical_type), nullptr, a->pos, {});
    } else if (!a) {
      bool required = b->is_required();
      r.Add(required ? "required-property-added" : "property-added", parent + "." + b->name,
            std::string(required ? "required " : "") + "property " + Quote(b->name) + " added to " + Quote(parent),
            nullptr, Str(b->logical_type), {}, b->pos);
    } else {
      Node n{parent + "." + b->name, "property " + Quote(b->name) + " in " + Quote(parent)};
      if (a->name != b->name) {
        r.Add("property-renamed", n.subject,
              "property " + Quote(a->name) + " in " + Quote(parent) + " renamed to " + Quote(b->name), a->name, b->name,
              a->At("name"), b->At("name"));
      }
      DiffProperty(r, *a, *b, n);
    }
  }
}

void DiffObject(Recorder& r, const SchemaObject& a, const SchemaObject& b) {
  Node n{b.name, "object " + Quote(b.name)};
  if (a.name != b.name) {
    r.Add("object-renamed", b.name, "object " + Quote(a.name) + " renamed to " + Quote(b.name), a.name, b.name,
          a.At("name"), b.At("name"));
  }
  DiffFields(r, ObjectFields(), a, b, n);
  DiffQuality(r, a.quality, b.quality, n);
  DiffRelationships(r, a.relationships, b.relationships, n);
  DiffPropertyList(r, a.properties, b.properties, b.name);
}

void DiffSchema(Recorder& r, const std::vector<SchemaObject>& olds, const std::vector<SchemaObject>& news) {
  for (const auto& [a, b] : PairUp(olds, news, {IdKey<SchemaObject>, NameKey<SchemaObject>})) {
    if (!b) {
      r.Add("object-removed", a->name, "object " + Quote(a->name) + " removed", a->name, nullptr, a->pos, {});
    } else if (!a) {
      r.Add("object-added", b->name, "object " + Quote(b->name) + " added", nullptr, b->name, {}, b->pos);
    } else {
      DiffObject(r, *a, *b);
    }
  }
}

// ---------------------------------------------------------------------------
// SLA properties: ranked by spec/sla.h (units, dates, times of day, and which
// direction is stronger for each property). A synonym pairs with its name:
// `ly` in OLD is `latency` in NEW.

std::string SlaKey(const SlaProperty& s) {
  const SlaPropertyInfo* info = FindSlaProperty(s.property);
  return ToLower(info ? info->name : std::string_view(s.property)) + (s.element.empty() ? "" : "@" + s.element);
}

Json SlaValue(const SlaProperty& s) {
  return Obj({{"value", s.value}, {"valueExt", s.value_ext}, {"unit", Str(s.unit)}});
}

std::string ShowSla(const SlaProperty& s) {
  std::string out = s.value.is_string() ? s.value.get<std::string>() : s.value.dump();
  return s.unit.empty() ? out : out + " " + s.unit;
}

void DiffSla(Recorder& r, const DataContract& oc, const DataContract& nc) {
  for (const auto& [a, b] : PairUp(oc.sla_properties, nc.sla_properties, {IdKey<SlaProperty>, SlaKey})) {
    const SlaProperty& any = a ? *a : *b;
    std::string subject = "sla:" + SlaKey(any);
    std::string what = "SLA " + Quote(any.property) + (any.element.empty() ? "" : " on " + Quote(any.element));
    if (!b) {
      r.Add("sla-removed", subject, what + " removed (was " + ShowSla(*a) + ")", SlaValue(*a), nullptr, a->pos, {});
      continue;
    }
    if (!a) {
      r.Add("sla-added", subject, what + " added: " + ShowSla(*b), nullptr, SlaValue(*b), {}, b->pos);
      continue;
    }
    Json x = SlaValue(*a), y = SlaValue(*b);
    auto c = CompareSla(*a, *b);
    if (!c) {
      r.Add("sla-changed", subject, what + " changed from " + ShowSla(*a) + " to " + ShowSla(*b), x, y, a->pos, b->pos);
    } else if (*c != 0) {
      r.Add(*c < 0 ? "sla-weakened" : "sla-strengthened", subject,
            what + (*c < 0 ? " weakened" : " strengthened") + " from " + ShowSla(*a) + " to " + ShowSla(*b), x, y,
            a->pos, b->pos);
    }
    Json how_a = Obj({{"driver", Str(a->driver)}, {"scheduler", Str(a->scheduler)}, {"schedule", Str(a->schedule)}});
    Json how_b = Obj({{"driver", Str(b->driver)}, {"scheduler", Str(b->scheduler)}, {"schedule", Str(b->schedule)}});
    if (how_a != how_b) {
      r.Add("sla-changed", subject, what + " changed: " + DescribeDelta(how_a, how_b), how_a, how_b, a->pos, b->pos);
    }
    if (a->description != b->description) {
      r.Add("description-changed", subject, "description of " + what + " changed", Str(a->description),
            Str(b->description), a->At("description"), b->At("description"));
    }
  }
}

// ---------------------------------------------------------------------------
// Contract- and product-wide fields

const std::vector<FieldRule<DataContract>>& ContractFields() {
  static const std::vector<FieldRule<DataContract>> k = {
      {"domain", "domain-changed", [](const DataContract& c) { return Str(c.domain); }},
      {"description", "description-changed", [](const DataContract& c) { return DescriptionJson(c.description); }},
      {"tags", "tags-changed", [](const DataContract& c) { return Strings(c.tags); }},
      {"name", "metadata-changed", [](const DataContract& c) { return Str(c.name); }},
      {"dataProduct", "metadata-changed", [](const DataContract& c) { return Str(c.data_product); }},
      {"tenant", "metadata-changed", [](const DataContract& c) { return Str(c.tenant); }},
      {"team", "metadata-changed", [](const DataContract& c) { return TeamJson(c.team); }},
      {"support", "metadata-changed", [](const DataContract& c) { return SupportJson(c.support); }},
      {"authoritativeDefinitions", "metadata-changed",
       [](const DataContract& c) { return AuthDefs(c.authoritative_definitions); }},
      {"customProperties", "metadata-changed", [](const DataContract& c) { return CustomProps(c.custom_properties); }},
      {"slaDefaultElement", "sla-changed", [](const DataContract& c) { return Str(c.sla_default_element); }},
      {"price", "price-changed", [](const DataContract& c) { return PriceJson(c.price); }},
  };
  return k;
}

const std::vector<FieldRule<DataProduct>>& ProductFields() {
  static const std::vector<FieldRule<DataProduct>> k = {
      {"domain", "domain-changed", [](const DataProduct& p) { return Str(p.domain); }},
      {"description", "description-changed", [](const DataProduct& p) { return DescriptionJson(p.description); }},
      {"tags", "tags-changed", [](const DataProduct& p) { return Strings(p.tags); }},
      {"name", "metadata-changed", [](const DataProduct& p) { return Str(p.name); }},
      {"tenant", "metadata-changed", [](const DataProduct& p) { return Str(p.tenant); }},
      {"team", "metadata-changed", [](const DataProduct& p) { return TeamJson(p.team); }},
      {"support", "metadata-changed", [](const DataProduct& p) { return SupportJson(p.support); }},
      {"authoritativeDefinitions", "metadata-changed",
       [](const DataProduct& p) { return AuthDefs(p.authoritative_definitions); }},
      {"customProperties", "metadata-changed", [](const DataProduct& p) { return CustomProps(p.custom_properties); }},
  };
  return k;
}

std::string ServerLabel(const Server& s) {
  return s.server.empty() ? s.id : s.server;
}
std::string ServerKey(const Server& s) {
  return s.server;
}
std::string RoleKey(const Role& r) {
  return r.role;
}

const ListRule<Server> kServerRule = {
    "server", "server", "server-removed", "server-added", "server-changed", ServerLabel, [](const Server& s) {
      return Obj({{"type", Str(s.type)}, {"environment", Str(s.environment)}, {"attributes", NonEmpty(s.attributes)}});
    }};

const ListRule<Role> kRoleRule = {
    "role", "role", "role-removed", "role-added", "role-changed", RoleKey, [](const Role& r) {
      return Obj({{"access", Str(r.access)},
                  {"firstLevelApprovers", Strings(r.first_level_approvers)},
                  {"secondLevelApprovers", Strings(r.second_level_approvers)}});
    }};

const ListRule<InputPort> kInputPortRule = {
    "input port",
    "inputPort",
    "input-port-removed",
    "input-port-added",
    "input-port-changed",
    NameKey<InputPort>,
    [](const InputPort& p) {
      return Obj({{"contractId", Str(p.contract_id)}, {"version", Str(p.version)}});
    }};

const ListRule<ManagementPort> kManagementPortRule = {
    "management port",
    "managementPort",
    "management-port-removed",
    "management-port-added",
    "management-port-changed",
    NameKey<ManagementPort>,
    [](const ManagementPort& p) {
      return Obj(
          {{"content", Str(p.content)}, {"type", Str(p.type)}, {"url", Str(p.url)}, {"channel", Str(p.channel)}});
    }};

void DiffOutputPort(Recorder& r, const OutputPort& a, const OutputPort& b) {
  std::string subject = "outputPort:" + b.name;
  std::string what = "output port " + Quote(b.name);
  auto report = [&](const char* rule, const char* field, const std::string& x, const std::string& y) {
    r.AddChanged(rule, subject, field, what, Str(x), Str(y), a.At(field), b.At(field));
  };
  if (a.contract_id != b.contract_id)
    report("output-port-contract-changed", "contractId", a.contract_id, b.contract_id);
  if (a.type != b.type) report("output-port-type-changed", "type", a.type, b.type);
  if (a.version != b.version) {
    auto va = SemVer::Parse(a.version), vb = SemVer::Parse(b.version);
    BumpKind bump = va.ok() && vb.ok() ? ClassifyBump(*va, *vb) : BumpKind::kNone;
    // A new major of a port is a new interface: consumers must migrate.
    bool major = bump == BumpKind::kMajor || bump == BumpKind::kBackwards;
    report(major ? "output-port-version-major" : "output-port-version-changed", "version", a.version, b.version);
  }
  if (a.description != b.description) report("description-changed", "description", a.description, b.description);
  if (a.tags != b.tags) {
    r.Add("tags-changed", subject, "tags of " + what + " changed", Strings(a.tags), Strings(b.tags), a.At("tags"),
          b.At("tags"));
  }
}

void DiffOutputPorts(Recorder& r, const DataProduct& op, const DataProduct& np) {
  for (const auto& [a, b] : PairUp(op.output_ports, np.output_ports, {NameKey<OutputPort>})) {
    if (!b) {
      r.Add("output-port-removed", "outputPort:" + a->name, "output port " + Quote(a->name) + " removed",
            Str(a->contract_id), nullptr, a->pos, {});
    } else if (!a) {
      r.Add("output-port-added", "outputPort:" + b->name, "output port " + Quote(b->name) + " added", nullptr,
            Str(b->contract_id), {}, b->pos);
    } else {
      DiffOutputPort(r, *a, *b);
    }
  }
}

// ---------------------------------------------------------------------------
// Versions

// The most severe change sets the level, and the level the bump it needs.
void Summarise(DocumentDiff& d) {
  for (const auto& c : d.changes) {
    const DiffRuleInfo* info = FindDiffRule(c.rule);
    ChangeLevel level = info ? info->level : ChangeLevel::kBreaking;
    if (static_cast<int>(level) > static_cast<int>(d.level)) d.level = level;
  }
  d.required = RequiredBump(d.level);
}

// Checks both versions (an unparsable one is a breaking change of its own)
// and whether the bump between them is enough for the changes in `r`.
void Finish(DocumentDiff& d, Recorder& r, const SpecNode& old_node, const SpecNode& new_node) {
  auto ov = SemVer::Parse(d.old_version), nv = SemVer::Parse(d.new_version);
  if (!ov.ok()) {
    r.Add("version-invalid", "version", "old version: " + ov.status().message(), Str(d.old_version), nullptr,
          old_node.At("version"), {});
  }
  if (!nv.ok()) {
    r.Add("version-invalid", "version", "new version: " + nv.status().message(), nullptr, Str(d.new_version), {},
          new_node.At("version"));
  }
  d.changes = std::move(r.changes);
  Summarise(d);
  if (ov.ok() && nv.ok()) {
    d.bump = ClassifyBump(*ov, *nv);
    d.bump_enough = BumpIsEnough(*ov, *nv, d.level);
  } else {
    d.bump = BumpKind::kNone;
    d.bump_enough = false;
  }
}

}  // namespace

DocumentDiff DiffContracts(const DataContract& a, const DataContract& b) {
  DocumentDiff d;
  d.kind = DocKind::kDataContract;
  d.id = !b.id.empty() ? b.id : b.name;
  d.old_version = a.version;
  d.new_version = b.version;
  Recorder r;
  std::string what = "contract " + Quote(d.id);
  DiffStatus(r, a, a.status, b, b.status, what);
  DiffFields(r, ContractFields(), a, b, {"", what});
  DiffList(r, kServerRule, PairUp(a.servers, b.servers, {IdKey<Server>, ServerKey}), {});
  DiffList(r, kRoleRule, PairUp(a.roles, b.roles, {RoleKey}), {});
  DiffSla(r, a, b);
  DiffSchema(r, a.schema, b.schema);
  Finish(d, r, a, b);
  return d;
}

DocumentDiff DiffProducts(const DataProduct& a, const DataProduct& b) {
  DocumentDiff d;
  d.kind = DocKind::kDataProduct;
  d.id = !b.id.empty() ? b.id : b.name;
  d.old_version = a.version;
  d.new_version = b.version;
  Recorder r;
  std::string what = "product " + Quote(d.id);
  DiffStatus(r, a, a.status, b, b.status, what);
  DiffFields(r, ProductFields(), a, b, {"", what});
  DiffOutputPorts(r, a, b);
  DiffList(r, kInputPortRule, PairUp(a.input_ports, b.input_ports, {NameKey<InputPort>}), {});
  DiffList(r, kManagementPortRule, PairUp(a.management_ports, b.management_ports, {NameKey<ManagementPort>}), {});
  Finish(d, r, a, b);
  return d;
}

namespace {

bool Diffable(const Document& d) {
  return d.contract() || d.product();
}

// The identity fields of a contract or product, whatever its kind.
std::pair<std::string, std::string> IdAndName(const Document& d) {
  if (const auto* c = d.contract()) return {c->id, c->name};
  if (const auto* p = d.product()) return {p->id, p->name};
  return {};
}

std::string VersionOf(const Document& d) {
  if (const auto* c = d.contract()) return c->version;
  if (const auto* p = d.product()) return p->version;
  return {};
}

Pos PosOf(const Document& d) {
  if (const auto* c = d.contract()) return c->pos;
  if (const auto* p = d.product()) return p->pos;
  return {};
}

std::string DocIdKey(const Document& d) {
  auto [id, name] = IdAndName(d);
  return id.empty() ? "" : std::string(DocKindName(d.kind)) + "\n" + id;
}

// Falls back to the name only for documents without an id: two documents
// with different ids are different documents even when their names agree.
std::string DocNameKey(const Document& d) {
  auto [id, name] = IdAndName(d);
  return !id.empty() || name.empty() ? "" : std::string(DocKindName(d.kind)) + "\n" + name;
}

// A document only on one side. Its version has nothing to be compared with,
// so the bump is "enough"; a removal still fails through its breaking change.
DocumentDiff LoneDocument(const Document& doc, bool removed) {
  DocumentDiff d;
  d.kind = doc.kind;
  auto [id, name] = IdAndName(doc);
  d.id = id.empty() ? name : id;
  bool contract = doc.kind == DocKind::kDataContract;
  (removed ? d.old_file : d.new_file) = doc.file;
  (removed ? d.old_version : d.new_version) = VersionOf(doc);
  Recorder r;
  const char* rule =
      removed ? (contract ? "contract-removed" : "product-removed") : (contract ? "contract-added" : "product-added");
  r.Add(rule, d.id,
        std::string(contract ? "data contract " : "data product ") + Quote(d.id) + (removed ? " removed" : " added") +
            " (" + doc.file + ")",
        removed ? Json(d.id) : Json(), removed ? Json() : Json(d.id), removed ? PosOf(doc) : Pos{},
        removed ? Pos{} : PosOf(doc));
  d.changes = std::move(r.changes);
  Summarise(d);
  return d;
}

}  // namespace

std::vector<DocumentDiff> DiffDocuments(const std::vector<Document>& old_docs, const std::vector<Document>& new_docs) {
  std::vector<DocumentDiff> out;
  for (const auto& [a, b] : PairUp(old_docs, new_docs, {DocIdKey, DocNameKey})) {
    const Document& any = a ? *a : *b;
    if (!Diffable(any)) continue;
    if (!a || !b) {
      out.push_back(LoneDocument(any, b == nullptr));
      continue;
    }
    DocumentDiff d =
        a->contract() ? DiffContracts(*a->contract(), *b->contract()) : DiffProducts(*a->product(), *b->product());
    d.old_file = a->file;
    d.new_file = b->file;
    out.push_back(std::move(d));
  }
  return out;
}

Json ToJson(const Change& c) {
  return {{"severity", ChangeSeverityName(c.severity)},
          {"rule", c.rule},
          {"subject", c.subject},
          {"message", c.message},
          {"old", c.old_value},
          {"new", c.new_value},
          {"oldPos", PosJson(c.old_pos)},
          {"newPos", PosJson(c.new_pos)}};
}

Json ToJson(const DocumentDiff& d) {
  Json changes = Json::array();
  for (const auto& c : d.changes) changes.push_back(ToJson(c));
  return {{"kind", DocKindName(d.kind)},
          {"id", d.id},
          {"oldFile", Str(d.old_file)},
          {"newFile", Str(d.new_file)},
          {"oldVersion", Str(d.old_version)},
          {"newVersion", Str(d.new_version)},
          {"level", d.level == ChangeLevel::kBreaking   ? "breaking"
                    : d.level == ChangeLevel::kAddition ? "addition"
                    : d.level == ChangeLevel::kInfo     ? "info"
                                                        : "none"},
          {"bump", BumpKindName(d.bump)},
          {"requiredBump", BumpKindName(d.required)},
          {"bumpEnough", d.bump_enough},
          {"changes", std::move(changes)}};
}

}  // namespace weft::spec
