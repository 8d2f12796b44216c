#include "pgwire/types.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "common/strings.h"
#include "common/time.h"

namespace weft::pgwire {

namespace {

// ---- Types -------------------------------------------------------------------

struct Scalar {
  const char* duckdb;
  PgType type;
  uint32_t array_oid;
};

// DuckDB's scalar types and what each is to PostgreSQL. Unsigned integers
// widen to a signed type that holds every value; the 128-bit ones, UBIGINT
// and BIGNUM to numeric. TIMESTAMP_S/MS/NS are timestamps (nanoseconds are
// cut to microseconds, PostgreSQL's precision), TIME_NS a time.
const std::vector<Scalar>& Scalars() {
  static const std::vector<Scalar> k = {
      {"BOOLEAN", {kBoolOid, 1, -1, "bool"}, kBoolArrayOid},
      {"TINYINT", {kInt2Oid, 2, -1, "int2"}, kInt2ArrayOid},
      {"SMALLINT", {kInt2Oid, 2, -1, "int2"}, kInt2ArrayOid},
      {"UTINYINT", {kInt2Oid, 2, -1, "int2"}, kInt2ArrayOid},
      {"INTEGER", {kInt4Oid, 4, -1, "int4"}, kInt4ArrayOid},
      {"USMALLINT", {kInt4Oid, 4, -1, "int4"}, kInt4ArrayOid},
      {"BIGINT", {kInt8Oid, 8, -1, "int8"}, kInt8ArrayOid},
      {"UINTEGER", {kInt8Oid, 8, -1, "int8"}, kInt8ArrayOid},
      {"UBIGINT", {kNumericOid, -1, -1, "numeric"}, kNumericArrayOid},
      {"HUGEINT", {kNumericOid, -1, -1, "numeric"}, kNumericArrayOid},
      {"UHUGEINT", {kNumericOid, -1, -1, "numeric"}, kNumericArrayOid},
      {"BIGNUM", {kNumericOid, -1, -1, "numeric"}, kNumericArrayOid},
      {"DECIMAL", {kNumericOid, -1, -1, "numeric"}, kNumericArrayOid},
      {"FLOAT", {kFloat4Oid, 4, -1, "float4"}, kFloat4ArrayOid},
      {"DOUBLE", {kFloat8Oid, 8, -1, "float8"}, kFloat8ArrayOid},
      {"VARCHAR", {kTextOid, -1, -1, "text"}, kTextArrayOid},
      {"BLOB", {kByteaOid, -1, -1, "bytea"}, kByteaArrayOid},
      {"DATE", {kDateOid, 4, -1, "date"}, kDateArrayOid},
      {"TIME", {kTimeOid, 8, -1, "time"}, kTimeArrayOid},
      {"TIME_NS", {kTimeOid, 8, -1, "time"}, kTimeArrayOid},
      {"TIME WITH TIME ZONE", {kTimetzOid, 12, -1, "timetz"}, kTimetzArrayOid},
      {"TIMESTAMP", {kTimestampOid, 8, -1, "timestamp"}, kTimestampArrayOid},
      {"TIMESTAMP_S", {kTimestampOid, 8, -1, "timestamp"}, kTimestampArrayOid},
      {"TIMESTAMP_MS", {kTimestampOid, 8, -1, "timestamp"}, kTimestampArrayOid},
      {"TIMESTAMP_NS", {kTimestampOid, 8, -1, "timestamp"}, kTimestampArrayOid},
      {"TIMESTAMP WITH TIME ZONE", {kTimestamptzOid, 8, -1, "timestamptz"}, kTimestamptzArrayOid},
      {"INTERVAL", {kIntervalOid, 16, -1, "interval"}, kIntervalArrayOid},
      {"UUID", {kUuidOid, 16, -1, "uuid"}, kUuidArrayOid},
      {"JSON", {kJsonOid, -1, -1, "json"}, kJsonArrayOid},
  };
  return k;
}

const PgType kText{kTextOid, -1, -1, "text"};
const PgType kJson{kJsonOid, -1, -1, "json"};

// A DuckDB type text taken apart, as far as the conversions need: a list
// (LIST or fixed-size ARRAY) of `children[0]`, a STRUCT or MAP of
// `children` (a MAP's are key and value), or a scalar named `name`.
struct TypeTree {
  enum class Kind { kScalar, kList, kStruct, kMap, kOther } kind = Kind::kScalar;
  std::string name;  // a scalar's base name: "DECIMAL" of "DECIMAL(18,2)"
  std::vector<std::pair<std::string, TypeTree>> children;
};

// Splits "a INTEGER, b STRUCT(c INT, d VARCHAR)" at its top-level commas.
std::vector<std::string_view> SplitTopLevel(std::string_view s) {
  std::vector<std::string_view> parts;
  int depth = 0;
  char quote = 0;  // inside "a name" or 'an enum value' (a doubled quote closes and reopens)
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      parts.push_back(Trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  parts.push_back(Trim(s.substr(start)));
  return parts;
}

// A struct field "name TYPE" or "\"a b\" TYPE": its name and type.
std::pair<std::string, std::string_view> Field(std::string_view s) {
  if (!s.empty() && s[0] == '"') {
    std::string name;
    size_t i = 1;
    for (; i < s.size(); ++i) {
      if (s[i] == '"' && i + 1 < s.size() && s[i + 1] == '"') {
        name += '"';
        ++i;
      } else if (s[i] == '"') {
        break;
      } else {
        name += s[i];
      }
    }
    return {name, Trim(s.substr(std::min(i + 1, s.size())))};
  }
  const size_t space = s.find(' ');
  if (space == std::string_view::npos) return {std::string(s), ""};
  return {std::string(s.substr(0, space)), Trim(s.substr(space + 1))};
}

TypeTree ParseType(std::string_view t) {
  t = Trim(t);
  TypeTree tree;
  if (!t.empty() && t.back() == ']') {
    const size_t open = t.rfind('[');
    tree.kind = TypeTree::Kind::kList;
    tree.children.push_back({"", ParseType(t.substr(0, open))});
    return tree;
  }
  const size_t paren = t.find('(');
  tree.name = std::string(t.substr(0, paren));
  if (paren == std::string_view::npos || t.back() != ')') return tree;
  const std::string_view inner = t.substr(paren + 1, t.size() - paren - 2);
  if (tree.name == "STRUCT") {
    tree.kind = TypeTree::Kind::kStruct;
    for (std::string_view part : SplitTopLevel(inner)) {
      auto [name, type] = Field(part);
      tree.children.push_back({name, ParseType(type)});
    }
  } else if (tree.name == "MAP") {
    tree.kind = TypeTree::Kind::kMap;
    for (std::string_view part : SplitTopLevel(inner)) tree.children.push_back({"", ParseType(part)});
    if (tree.children.size() != 2) tree.kind = TypeTree::Kind::kOther;
  } else if (tree.name == "UNION") {
    tree.kind = TypeTree::Kind::kOther;
  }
  return tree;
}

const Scalar* FindScalar(const std::string& name) {
  for (const auto& s : Scalars())
    if (name == s.duckdb) return &s;
  return nullptr;
}

// The numeric typmod of "DECIMAL(p,s)": ((p << 16) | s) + 4, as
// PostgreSQL's numeric(p,s) columns state it.
int32_t DecimalModifier(std::string_view t) {
  const size_t open = t.find('('), comma = t.find(',');
  if (open == std::string_view::npos || comma == std::string_view::npos) return -1;
  int32_t p = 0, s = 0;
  std::from_chars(t.data() + open + 1, t.data() + comma, p);
  std::from_chars(t.data() + comma + 1, t.data() + t.size() - 1, s);
  return ((p << 16) | s) + 4;
}

// ---- Parsing DuckDB's renderings -----------------------------------------------

// A value as DuckDB rendered it, taken apart along its type: a scalar's
// text, or a list's items, a struct's or a map's entries.
struct Value {
  bool null = false;
  std::string text;
  std::vector<std::pair<std::string, Value>> items;  // key (struct field, map key text) and value
};

// Reads DuckDB's rendering of nested values: [a, 'b c', NULL],
// {'field': 1, 'other': x}, {key=value, ...}. A string element is quoted
// with ' when it needs to be (a comma, quote, bracket, leading blank, the
// text NULL...), with \' and \\ inside; anything else is bare.
class NestedReader {
 public:
  explicit NestedReader(std::string_view s) : s_(s) {}

  std::optional<Value> Read(const TypeTree& type, std::string_view stops) {
    Value v;
    if (type.kind == TypeTree::Kind::kList || type.kind == TypeTree::Kind::kStruct ||
        type.kind == TypeTree::Kind::kMap) {
      if (BareNull(stops)) return NullValue();
      const bool list = type.kind == TypeTree::Kind::kList;
      if (!Eat(list ? '[' : '{')) return std::nullopt;
      const char close = list ? ']' : '}';
      if (Eat(close)) return v;
      for (size_t i = 0;; ++i) {
        std::string key;
        const TypeTree* item_type = nullptr;
        if (list) {
          item_type = &type.children[0].second;
        } else if (type.kind == TypeTree::Kind::kStruct) {
          auto k = Scalar(":");
          if (!k || !Eat(':') || !Eat(' ')) return std::nullopt;
          key = k->text;
          item_type = i < type.children.size() ? &type.children[i].second : nullptr;
          if (!item_type) return std::nullopt;
        } else {
          auto k = Read(type.children[0].second, "=");
          if (!k || !Eat('=')) return std::nullopt;
          key = k->null ? "NULL" : k->text;
          item_type = &type.children[1].second;
        }
        auto item = Read(*item_type, list ? ",]" : ",}");
        if (!item) return std::nullopt;
        v.items.push_back({key, std::move(*item)});
        if (Eat(close)) return v;
        if (!Eat(',') || !Eat(' ')) return std::nullopt;
      }
    }
    return Scalar(stops);
  }

  bool AtEnd() const { return pos_ == s_.size(); }

 private:
  static Value NullValue() {
    Value v;
    v.null = true;
    return v;
  }

  bool Eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  // An unquoted NULL followed by a stop character (or the end).
  bool BareNull(std::string_view stops) {
    if (s_.substr(pos_, 4) != "NULL") return false;
    if (pos_ + 4 < s_.size() && stops.find(s_[pos_ + 4]) == std::string_view::npos) return false;
    pos_ += 4;
    return true;
  }

  // A quoted or bare scalar, up to one of `stops` (at the outermost level:
  // the whole rest).
  std::optional<Value> Scalar(std::string_view stops) {
    if (BareNull(stops)) return NullValue();
    Value v;
    if (Eat('\'')) {
      while (pos_ < s_.size() && s_[pos_] != '\'') {
        if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
        v.text += s_[pos_++];
      }
      if (!Eat('\'')) return std::nullopt;
      return v;
    }
    // A bare value ends at a stop character; a bare nested one (a list in
    // a struct) keeps its brackets.
    int depth = 0;
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (depth == 0 && stops.find(c) != std::string_view::npos) break;
      if (c == '[' || c == '{') ++depth;
      if (c == ']' || c == '}') --depth;
      v.text += c;
      ++pos_;
    }
    return v;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

std::optional<Value> ReadNested(const TypeTree& type, std::string_view text) {
  NestedReader reader(text);
  auto v = reader.Read(type, "");
  if (!v || !reader.AtEnd()) return std::nullopt;
  return v;
}

// ---- Numbers -----------------------------------------------------------------

template <typename T>
std::optional<T> Number(std::string_view s) {
  T v{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// PostgreSQL's float output (extra_float_digits = 1, its default): the
// shortest text that reads back as the same value, in fixed notation for
// decimal exponents from -4 up to the type's digits (15 for float8, 6 for
// float4), else d.ddde+XX; NaN, Infinity, -Infinity.
template <typename T>
std::string FloatText(T v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v < 0 ? "-Infinity" : "Infinity";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, end);  // "-1.2345e+05"
  const size_t e = sci.find('e');
  const int exponent = std::stoi(sci.substr(e + 1));
  const int fixed_limit = std::is_same_v<T, float> ? 6 : 15;
  if (exponent < -4 || exponent >= fixed_limit) return sci;
  const bool negative = sci[0] == '-';
  std::string digits;
  for (char c : sci.substr(negative ? 1 : 0, e - (negative ? 1 : 0)))
    if (c != '.') digits += c;
  std::string out = negative ? "-" : "";
  if (exponent < 0) return out + "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
  const size_t int_digits = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= int_digits) return out + digits + std::string(int_digits - digits.size(), '0');
  return out + digits.substr(0, int_digits) + "." + digits.substr(int_digits);
}

std::optional<std::string> FloatTextOf(uint32_t oid, std::string_view duckdb) {
  if (oid == kFloat4Oid) {
    auto v = Number<float>(duckdb);
    return v ? std::optional(FloatText(*v)) : std::nullopt;
  }
  auto v = Number<double>(duckdb);
  return v ? std::optional(FloatText(*v)) : std::nullopt;
}

// ---- Bytes -------------------------------------------------------------------

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// DuckDB renders a BLOB with printable ASCII as itself and every other
// byte (a backslash included) as \xHH.
std::optional<std::string> BlobBytes(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (i + 4 > s.size() || s[i + 1] != 'x' || HexDigit(s[i + 2]) < 0 || HexDigit(s[i + 3]) < 0) return std::nullopt;
    out += static_cast<char>(HexDigit(s[i + 2]) * 16 + HexDigit(s[i + 3]));
    i += 3;
  }
  return out;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

// ---- Dates and times -----------------------------------------------------------

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

const int64_t kPgEpochDays = DaysFromCivil({2000, 1, 1});

std::string Pad(int64_t v, int width) {
  std::string s = std::to_string(v);
  return std::string(s.size() < static_cast<size_t>(width) ? width - s.size() : 0, '0') + s;
}

// A date, timestamp or timestamptz as DuckDB renders it:
// "2024-01-02[ (BC)][ 03:04:05[.123456789]][+05:30]", or (-)infinity.
struct Moment {
  bool infinite = false, negative_infinity = false;
  int64_t days = 0;    // since 1970-01-01
  int64_t micros = 0;  // into the day, fraction cut to microseconds
  int64_t offset_seconds = 0;  // east of UTC
  std::string fraction;        // the fraction's digits as rendered, cut to 6
};

std::optional<Moment> ParseMoment(std::string_view s, bool with_time, bool with_zone) {
  Moment m;
  if (s == "infinity" || s == "-infinity") {
    m.infinite = true;
    m.negative_infinity = s[0] == '-';
    return m;
  }
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto year = Number<int64_t>(s.substr(0, 4)), month = Number<int64_t>(s.substr(5, 2)), day = Number<int64_t>(s.substr(8, 2));
  if (!year || !month || !day) return std::nullopt;
  s.remove_prefix(10);
  int64_t y = *year;
  if (s.starts_with(" (BC)")) {
    y = 1 - y;
    s.remove_prefix(5);
  }
  m.days = DaysFromCivil({y, *month, *day});
  if (!with_time) return s.empty() ? std::optional(m) : std::nullopt;
  if (s.size() < 9 || s[0] != ' ' || s[3] != ':' || s[6] != ':') return std::nullopt;
  auto h = Number<int64_t>(s.substr(1, 2)), mi = Number<int64_t>(s.substr(4, 2)), se = Number<int64_t>(s.substr(7, 2));
  if (!h || !mi || !se) return std::nullopt;
  s.remove_prefix(9);
  m.micros = ((*h * 60 + *mi) * 60 + *se) * kMicrosPerSecond;
  if (s.starts_with(".")) {
    size_t n = 1;
    while (n < s.size() && s[n] >= '0' && s[n] <= '9') ++n;
    m.fraction = std::string(s.substr(1, std::min<size_t>(n - 1, 6)));
    m.micros += *Number<int64_t>(m.fraction + std::string(6 - m.fraction.size(), '0'));
    s.remove_prefix(n);
  }
  if (with_zone) {
    if (s.empty() || (s[0] != '+' && s[0] != '-')) return std::nullopt;
    const int sign = s[0] == '-' ? -1 : 1;
    int64_t parts[3] = {0, 0, 0};
    std::string_view rest = s.substr(1);
    for (int i = 0; i < 3 && !rest.empty(); ++i) {
      auto p = Number<int64_t>(rest.substr(0, 2));
      if (!p) return std::nullopt;
      parts[i] = *p;
      rest.remove_prefix(std::min<size_t>(2, rest.size()));
      if (!rest.empty() && rest[0] == ':') rest.remove_prefix(1);
    }
    if (!rest.empty()) return std::nullopt;
    m.offset_seconds = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
    s = {};
  }
  return s.empty() ? std::optional(m) : std::nullopt;
}

// "0045-03-15 (BC) 10:00:00+00" (DuckDB) -> "0045-03-15 10:00:00+00 BC"
// (PostgreSQL); nanoseconds cut to microseconds, trailing zeros of the
// fraction dropped as PostgreSQL does.
std::string MomentText(std::string_view duckdb) {
  std::string s(duckdb);
  bool bc = false;
  if (auto p = s.find(" (BC)"); p != std::string::npos) {
    s.erase(p, 5);
    bc = true;
  }
  if (auto dot = s.find('.'); dot != std::string::npos) {
    size_t end = dot + 1;
    while (end < s.size() && s[end] >= '0' && s[end] <= '9') ++end;
    std::string fraction = s.substr(dot + 1, std::min<size_t>(end - dot - 1, 6));
    while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
    s = s.substr(0, dot) + (fraction.empty() ? "" : "." + fraction) + s.substr(end);
  }
  return bc ? s + " BC" : s;
}

// An interval as DuckDB renders it: "1 year 2 months 3 days 04:05:06.5",
// "-1 day 00:00:00.000003", "-03:00:00", "00:00:00".
struct Interval {
  int64_t months = 0, days = 0, micros = 0;
};

std::optional<Interval> ParseInterval(std::string_view s) {
  Interval iv;
  std::vector<std::string> words = Split(s, ' ');
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w.find(':') != std::string::npos) {
      std::string_view t = w;
      const bool negative = !t.empty() && t[0] == '-';
      if (negative) t.remove_prefix(1);
      std::vector<std::string> hms = Split(t, ':');
      if (hms.size() != 3) return std::nullopt;
      auto h = Number<int64_t>(hms[0]), m = Number<int64_t>(hms[1]);
      std::string sec = hms[2], frac;
      if (auto dot = sec.find('.'); dot != std::string::npos) {
        frac = sec.substr(dot + 1, 6);
        sec = sec.substr(0, dot);
      }
      auto se = Number<int64_t>(sec);
      if (!h || !m || !se) return std::nullopt;
      int64_t micros = ((*h * 60 + *m) * 60 + *se) * kMicrosPerSecond;
      if (!frac.empty()) micros += *Number<int64_t>(frac + std::string(6 - frac.size(), '0'));
      iv.micros = negative ? -micros : micros;
      if (i + 1 != words.size()) return std::nullopt;
      break;
    }
    auto n = Number<int64_t>(w);
    if (!n || i + 1 >= words.size()) return std::nullopt;
    const std::string unit = words[++i];
    if (unit.starts_with("year")) iv.months += *n * 12;
    else if (unit.starts_with("month")) iv.months += *n;
    else if (unit.starts_with("day")) iv.days += *n;
    else return std::nullopt;
  }
  return iv;
}

// PostgreSQL's interval output, IntervalStyle postgres (EncodeInterval):
// "1 year 2 mons -3 days +04:05:06.5". A field after a negative one gets
// an explicit '+'.
std::string IntervalText(const Interval& iv) {
  std::string out;
  bool is_zero = true, is_before = false;
  auto part = [&](int64_t value, const char* unit) {
    if (value == 0) return;
    out += std::string(is_zero ? "" : " ") + (is_before && value > 0 ? "+" : "") + std::to_string(value) + " " + unit +
           (value != 1 ? "s" : "");
    is_before = value < 0;
    is_zero = false;
  };
  part(iv.months / 12, "year");
  part(iv.months % 12, "mon");
  part(iv.days, "day");
  if (is_zero || iv.micros != 0) {
    const bool minus = iv.micros < 0;
    const int64_t abs = minus ? -iv.micros : iv.micros;
    const int64_t hours = abs / (3600 * kMicrosPerSecond), minutes = abs / (60 * kMicrosPerSecond) % 60;
    const int64_t seconds = abs / kMicrosPerSecond % 60, micros = abs % kMicrosPerSecond;
    out += std::string(is_zero ? "" : " ") + (minus ? "-" : is_before ? "+" : "") + Pad(hours, 2) + ":" +
           Pad(minutes, 2) + ":" + Pad(seconds, 2);
    if (micros != 0) {
      std::string f = Pad(micros, 6);
      while (f.back() == '0') f.pop_back();
      out += "." + f;
    }
  }
  return out;
}

// ---- Text of nested values ----------------------------------------------------

std::optional<std::string> ScalarText(const PgType& type, std::string_view value);

// PostgreSQL's array element quoting (array_out): quoted when empty, NULL
// in any case, or holding a quote, backslash, brace, comma or blank.
std::string ArrayElement(const std::string& s) {
  bool quote = s.empty() || ToLower(s) == "null";
  for (char c : s)
    if (c == '"' || c == '\\' || c == '{' || c == '}' || c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
        c == '\v' || c == '\f')
      quote = true;
  if (!quote) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string Quote(const std::string& s) { return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

// JSON text of a value of `type`: numbers and booleans bare, JSON as it
// is, structs and maps as objects (a map's keys as their text), lists as
// arrays, anything else a string of PostgreSQL's text of it.
std::string JsonText(const TypeTree& type, const Value& v) {
  if (v.null) return "null";
  switch (type.kind) {
    case TypeTree::Kind::kList: {
      std::string out = "[";
      for (size_t i = 0; i < v.items.size(); ++i) out += (i ? "," : "") + JsonText(type.children[0].second, v.items[i].second);
      return out + "]";
    }
    case TypeTree::Kind::kStruct:
    case TypeTree::Kind::kMap: {
      std::string out = "{";
      for (size_t i = 0; i < v.items.size(); ++i) {
        const TypeTree& child = type.kind == TypeTree::Kind::kMap ? type.children[1].second : type.children[i].second;
        out += (i ? "," : "") + Quote(v.items[i].first) + ":" + JsonText(child, v.items[i].second);
      }
      return out + "}";
    }
    default: break;
  }
  const Scalar* s = FindScalar(type.name);
  if (type.name == "JSON") return v.text;
  if (type.name == "BOOLEAN") return v.text;
  if (s && (s->type.oid == kInt2Oid || s->type.oid == kInt4Oid || s->type.oid == kInt8Oid || s->type.oid == kNumericOid))
    return v.text;
  if (s && (s->type.oid == kFloat4Oid || s->type.oid == kFloat8Oid)) {
    auto d = Number<double>(v.text);
    if (d && std::isfinite(*d)) return v.text;
  }
  return Quote(ScalarText(s ? s->type : kText, v.text).value_or(v.text));
}

// The text of a scalar value, or std::nullopt when it does not parse.
std::optional<std::string> ScalarText(const PgType& type, std::string_view value) {
  switch (type.oid) {
    case kBoolOid:
      if (value == "true") return "t";
      if (value == "false") return "f";
      return std::nullopt;
    case kFloat4Oid:
    case kFloat8Oid: return FloatTextOf(type.oid, value);
    case kByteaOid: {
      auto bytes = BlobBytes(value);
      if (!bytes) return std::nullopt;
      return "\\x" + Hex(*bytes);
    }
    case kDateOid:
    case kTimeOid:
    case kTimestampOid:
    case kTimestamptzOid: return MomentText(value);
    case kIntervalOid: {
      auto iv = ParseInterval(value);
      if (!iv) return std::nullopt;
      return IntervalText(*iv);
    }
    default: return std::string(value);
  }
}

// ---- Binary --------------------------------------------------------------------

template <typename T>
std::string BigEndian(T v) {
  using U = std::make_unsigned_t<T>;
  U u;
  std::memcpy(&u, &v, sizeof u);
  std::string out(sizeof u, '\0');
  for (size_t i = 0; i < sizeof u; ++i) out[sizeof u - 1 - i] = static_cast<char>((u >> (8 * i)) & 0xff);
  return out;
}

template <typename T>
T FromBigEndian(std::string_view b) {
  using U = std::make_unsigned_t<T>;
  U u = 0;
  for (size_t i = 0; i < sizeof u; ++i) u = static_cast<U>((u << 8) | static_cast<unsigned char>(b[i]));
  T v;
  std::memcpy(&v, &u, sizeof v);
  return v;
}

std::string FloatBits(double d) {
  int64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return BigEndian(bits);
}

std::string FloatBits(float f) {
  int32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return BigEndian(bits);
}

Status Unparsable(const PgType& type, std::string_view value) {
  return Status::InvalidArgument("cannot encode '" + std::string(value) + "' as " + type.name);
}

// Microseconds since 2000-01-01 00:00 UTC, PostgreSQL's timestamp; its
// infinities are the int64 extremes.
int64_t PgMicros(const Moment& m) {
  if (m.infinite) return m.negative_infinity ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
  return (m.days - kPgEpochDays) * kMicrosPerDay + m.micros - m.offset_seconds * kMicrosPerSecond;
}

Result<int64_t> IntegerOf(const PgType& type, std::string_view value, int64_t lo, int64_t hi) {
  auto v = Number<int64_t>(value);
  if (!v || *v < lo || *v > hi) return Unparsable(type, value);
  return *v;
}

// ---- Binary parameters --------------------------------------------------------

std::string DateText(int64_t pg_days) {
  const CivilDate date = CivilFromDays(pg_days + kPgEpochDays);
  // DuckDB reads a year before 1 AD as a negative astronomical year.
  return (date.year <= 0 ? "-" + Pad(-date.year, 4) : Pad(date.year, 4)) + "-" + Pad(date.month, 2) + "-" +
         Pad(date.day, 2);
}

std::string TimestampText(int64_t micros) {
  int64_t days = micros / kMicrosPerDay, rest = micros % kMicrosPerDay;
  if (rest < 0) {
    rest += kMicrosPerDay;
    --days;
  }
  const int64_t seconds = rest / kMicrosPerSecond;
  return DateText(days) + " " + Pad(seconds / 3600, 2) + ":" + Pad(seconds / 60 % 60, 2) + ":" + Pad(seconds % 60, 2) +
         "." + Pad(rest % kMicrosPerSecond, 6);
}

}  // namespace

PgType PgTypeOf(std::string_view duckdb_type) {
  const std::string_view t = Trim(duckdb_type);
  if (t.empty()) return kText;
  const TypeTree tree = ParseType(t);
  if (tree.kind == TypeTree::Kind::kList) {
    const TypeTree& child = tree.children[0].second;
    if (child.kind != TypeTree::Kind::kScalar) return kJson;
    const Scalar* s = FindScalar(child.name);
    PgType element = s ? s->type : kText;
    const uint32_t array_oid = s ? s->array_oid : kTextArrayOid;
    const int32_t modifier = child.name == "DECIMAL" ? DecimalModifier(t.substr(0, t.rfind('['))) : -1;
    return {array_oid, -1, modifier, "_" + element.name, element.oid};
  }
  if (tree.kind == TypeTree::Kind::kStruct || tree.kind == TypeTree::Kind::kMap) return kJson;
  const Scalar* s = FindScalar(tree.name);
  if (!s) return kText;  // ENUM, UNION, BIT, NULL, ...
  PgType out = s->type;
  if (tree.name == "DECIMAL") out.modifier = DecimalModifier(t);
  return out;
}

std::optional<std::string> PgText(const PgType& type, std::string_view duckdb_type,
                                  const std::optional<std::string>& duckdb_value) {
  if (!duckdb_value) return std::nullopt;
  const std::string& value = *duckdb_value;
  const TypeTree tree = ParseType(duckdb_type);
  if (type.element_oid != 0 && tree.kind == TypeTree::Kind::kList) {
    auto v = ReadNested(tree, value);
    if (!v || v->null) return value;
    const std::string child_type(Trim(duckdb_type).substr(0, Trim(duckdb_type).rfind('[')));
    const PgType element = PgTypeOf(child_type);
    std::string out = "{";
    for (size_t i = 0; i < v->items.size(); ++i) {
      const Value& item = v->items[i].second;
      if (i) out += ",";
      if (item.null) {
        out += "NULL";
        continue;
      }
      auto text = ScalarText(element, item.text);
      out += ArrayElement(text.value_or(item.text));
    }
    return out + "}";
  }
  if (type.oid == kJsonOid && tree.kind != TypeTree::Kind::kScalar) {
    auto v = ReadNested(tree, value);
    if (!v) return value;
    return JsonText(tree, *v);
  }
  return ScalarText(type, value).value_or(value);
}

bool HasBinaryFormat(const PgType& type) {
  switch (type.oid) {
    case kBoolOid:
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kFloat4Oid:
    case kFloat8Oid:
    case kTextOid:
    case kVarcharOid:
    case kNameOid:
    case kJsonOid:
    case kByteaOid:
    case kDateOid:
    case kTimeOid:
    case kTimestampOid:
    case kTimestamptzOid:
    case kIntervalOid:
    case kUuidOid: return true;
    default: return false;
  }
}

Result<std::string> PgBinary(const PgType& type, std::string_view duckdb_type, std::string_view value) {
  switch (type.oid) {
    case kBoolOid:
      if (value == "true") return std::string(1, '\1');
      if (value == "false") return std::string(1, '\0');
      return Unparsable(type, value);
    case kInt2Oid: {
      ASSIGN_OR_RETURN(int64_t v, IntegerOf(type, value, INT16_MIN, INT16_MAX));
      return BigEndian(static_cast<int16_t>(v));
    }
    case kInt4Oid: {
      ASSIGN_OR_RETURN(int64_t v, IntegerOf(type, value, INT32_MIN, INT32_MAX));
      return BigEndian(static_cast<int32_t>(v));
    }
    case kInt8Oid: {
      ASSIGN_OR_RETURN(int64_t v, IntegerOf(type, value, INT64_MIN, INT64_MAX));
      return BigEndian(v);
    }
    case kFloat4Oid: {
      auto v = Number<float>(value);
      if (!v) return Unparsable(type, value);
      return FloatBits(*v);
    }
    case kFloat8Oid: {
      auto v = Number<double>(value);
      if (!v) return Unparsable(type, value);
      return FloatBits(*v);
    }
    case kTextOid:
    case kVarcharOid:
    case kNameOid:
    case kJsonOid: {
      // json's binary format is its text; a nested value's text is JSON.
      auto text = PgText(type, duckdb_type, std::string(value));
      return *text;
    }
    case kByteaOid: {
      auto bytes = BlobBytes(value);
      if (!bytes) return Unparsable(type, value);
      return *bytes;
    }
    case kDateOid: {
      auto m = ParseMoment(value, false, false);
      if (!m) return Unparsable(type, value);
      if (m->infinite) return BigEndian(m->negative_infinity ? INT32_MIN : INT32_MAX);
      return BigEndian(static_cast<int32_t>(m->days - kPgEpochDays));
    }
    case kTimeOid: {
      auto m = ParseMoment("2000-01-01 " + std::string(value), true, false);
      if (!m) return Unparsable(type, value);
      return BigEndian(m->micros);
    }
    case kTimestampOid:
    case kTimestamptzOid: {
      auto m = ParseMoment(value, true, type.oid == kTimestamptzOid);
      if (!m) return Unparsable(type, value);
      return BigEndian(PgMicros(*m));
    }
    case kIntervalOid: {
      auto iv = ParseInterval(value);
      if (!iv) return Unparsable(type, value);
      return BigEndian(iv->micros) + BigEndian(static_cast<int32_t>(iv->days)) +
             BigEndian(static_cast<int32_t>(iv->months));
    }
    case kUuidOid: {
      std::string hex;
      for (char c : value)
        if (c != '-') hex += c;
      if (hex.size() != 32) return Unparsable(type, value);
      std::string out;
      for (size_t i = 0; i < 32; i += 2) {
        if (HexDigit(hex[i]) < 0 || HexDigit(hex[i + 1]) < 0) return Unparsable(type, value);
        out += static_cast<char>(HexDigit(hex[i]) * 16 + HexDigit(hex[i + 1]));
      }
      return out;
    }
    default:
      return Status::FailedPrecondition("values of type " + type.name +
                                        " have no binary format here; ask for this column in text format");
  }
}

std::string DuckDbTypeForOid(uint32_t oid) {
  static const std::map<uint32_t, std::string> k = {
      {kBoolOid, "BOOLEAN"},   {kInt2Oid, "SMALLINT"},   {kInt4Oid, "INTEGER"},      {kInt8Oid, "BIGINT"},
      {kOidOid, "BIGINT"},     {kFloat4Oid, "FLOAT"},    {kFloat8Oid, "DOUBLE"},     {kNumericOid, "DECIMAL"},
      {kTextOid, "VARCHAR"},   {kVarcharOid, "VARCHAR"}, {kBpcharOid, "VARCHAR"},    {kNameOid, "VARCHAR"},
      {kByteaOid, "BLOB"},     {kDateOid, "DATE"},       {kTimeOid, "TIME"},         {kTimetzOid, "TIME WITH TIME ZONE"},
      {kTimestampOid, "TIMESTAMP"}, {kTimestamptzOid, "TIMESTAMP WITH TIME ZONE"},  {kIntervalOid, "INTERVAL"},
      {kUuidOid, "UUID"},      {kJsonOid, "JSON"},       {kJsonbOid, "JSON"},
  };
  auto it = k.find(oid);
  return it == k.end() ? "" : it->second;
}

uint32_t ParameterOid(std::string_view duckdb_type) { return PgTypeOf(duckdb_type).oid; }

Result<std::optional<std::string>> DecodeBinaryParameter(uint32_t oid, std::string_view bytes) {
  auto sized = [&](size_t n) -> Status {
    if (bytes.size() == n) return Status::Ok();
    return Status::InvalidArgument("a binary parameter of type OID " + std::to_string(oid) + " has " +
                                   std::to_string(n) + " bytes, not " + std::to_string(bytes.size()));
  };
  switch (oid) {
    case kBoolOid:
      RETURN_IF_ERROR(sized(1));
      if (bytes[0] != 0 && bytes[0] != 1) return Status::InvalidArgument("a binary boolean parameter is 0 or 1");
      return std::optional<std::string>(bytes[0] ? "true" : "false");
    case kInt2Oid: RETURN_IF_ERROR(sized(2)); return std::optional(std::to_string(FromBigEndian<int16_t>(bytes)));
    case kInt4Oid: RETURN_IF_ERROR(sized(4)); return std::optional(std::to_string(FromBigEndian<int32_t>(bytes)));
    case kInt8Oid: RETURN_IF_ERROR(sized(8)); return std::optional(std::to_string(FromBigEndian<int64_t>(bytes)));
    case kFloat4Oid:
    case kFloat8Oid: {
      RETURN_IF_ERROR(sized(oid == kFloat4Oid ? 4 : 8));
      char buf[64];
      std::to_chars_result r;
      if (oid == kFloat4Oid) {
        const int32_t bits = FromBigEndian<int32_t>(bytes);
        float f;
        std::memcpy(&f, &bits, sizeof f);
        r = std::to_chars(buf, buf + sizeof buf, f);
      } else {
        const int64_t bits = FromBigEndian<int64_t>(bytes);
        double d;
        std::memcpy(&d, &bits, sizeof d);
        r = std::to_chars(buf, buf + sizeof buf, d);
      }
      return std::optional(std::string(buf, r.ptr));
    }
    case kTextOid:
    case kVarcharOid:
    case kBpcharOid:
    case kNameOid:
    case kUnknownOid:
    case kJsonOid:
      if (FindInvalidUtf8(bytes) != std::string_view::npos)
        return Status::InvalidArgument("a text parameter is not valid UTF-8");
      return std::optional(std::string(bytes));
    case kByteaOid: {
      // DuckDB's text of a BLOB: every byte as \xHH reads back exactly.
      std::string out;
      for (unsigned char b : bytes) out += "\\x" + Hex(std::string_view(reinterpret_cast<const char*>(&b), 1));
      return std::optional(out);
    }
    case kDateOid: {
      RETURN_IF_ERROR(sized(4));
      const int32_t days = FromBigEndian<int32_t>(bytes);
      if (days == INT32_MAX) return std::optional<std::string>("infinity");
      if (days == INT32_MIN) return std::optional<std::string>("-infinity");
      return std::optional(DateText(days));
    }
    case kTimestampOid:
    case kTimestamptzOid: {
      RETURN_IF_ERROR(sized(8));
      const int64_t micros = FromBigEndian<int64_t>(bytes);
      if (micros == INT64_MAX) return std::optional<std::string>("infinity");
      if (micros == INT64_MIN) return std::optional<std::string>("-infinity");
      return std::optional(TimestampText(micros) + (oid == kTimestamptzOid ? "+00" : ""));
    }
    case kUuidOid: {
      RETURN_IF_ERROR(sized(16));
      const std::string h = Hex(bytes);
      return std::optional(h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
                           h.substr(20));
    }
    default:
      return Status::InvalidArgument("parameters of type OID " + std::to_string(oid) +
                                     " cannot be sent in binary format here; send them as text");
  }
}

}  // namespace weft::pgwire
