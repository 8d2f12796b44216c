// Iceberg's single-value serializations of bounds (spec Appendix D): binary
// in manifests, JSON in the REST catalog's scan plans.
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>

#include <fmt/format.h>

#include "common/time.h"
#include "lakehouse/iceberg_schema.h"
#include "lakehouse/manifest.h"

namespace weft::lakehouse {

namespace {

using nlohmann::json;
// Decimals hold up to 38 digits: 128 bits, a GCC/Clang extension.
__extension__ using Int128 = __int128;
__extension__ using UInt128 = unsigned __int128;

template <typename T>
std::string LittleEndian(T v) {
  std::string out(sizeof(T), '\0');
  std::memcpy(out.data(), &v, sizeof(T));  // x86-64 and aarch64 are little-endian
  return out;
}
template <typename T>
Result<T> FromLittleEndian(std::string_view b, std::string_view type) {
  if (b.size() != sizeof(T))
    return Status::InvalidArgument(fmt::format("a {} bound has {} bytes, not {}", type, b.size(), sizeof(T)));
  T v;
  std::memcpy(&v, b.data(), sizeof(T));
  return v;
}

template <typename T>
Result<json> NumberJson(std::string_view b, std::string_view type) {
  ASSIGN_OR_RETURN(T v, FromLittleEndian<T>(b, type));
  return json(v);
}

template <typename T>
Result<T> Integer(std::string_view text, std::string_view type) {
  T v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size())
    return Status::InvalidArgument(fmt::format("'{}' is not a {} value", text, type));
  return v;
}

bool IsDecimal(std::string_view type, int* scale) {
  int precision = 0;
  return std::sscanf(std::string(type).c_str(), "decimal(%d, %d)", &precision, scale) == 2 ||
         std::sscanf(std::string(type).c_str(), "decimal(%d,%d)", &precision, scale) == 2;
}

// "-12.50" at scale 2 -> -1250, as big-endian two's complement in the fewest bytes.
Result<std::string> DecimalBytes(std::string_view text, int scale) {
  Int128 v = 0;
  bool negative = false, point = false;
  int fraction = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (i == 0 && c == '-') negative = true;
    else if (c == '.' && !point) point = true;
    else if (c >= '0' && c <= '9' && fraction < scale + 1) {
      v = v * 10 + (c - '0');
      if (point) ++fraction;
    } else {
      return Status::InvalidArgument(fmt::format("'{}' is not a decimal value of scale {}", text, scale));
    }
  }
  if (fraction > scale) return Status::InvalidArgument(fmt::format("'{}' has more than {} decimals", text, scale));
  for (; fraction < scale; ++fraction) v *= 10;
  if (negative) v = -v;
  std::string out;
  for (int i = 15; i >= 0; --i) out.push_back(static_cast<char>(static_cast<UInt128>(v) >> (8 * i)));
  // Drop leading bytes that only repeat the sign.
  size_t start = 0;
  while (start + 1 < out.size()) {
    const auto b = static_cast<uint8_t>(out[start]), next = static_cast<uint8_t>(out[start + 1]);
    if ((b == 0x00 && !(next & 0x80)) || (b == 0xff && (next & 0x80))) ++start;
    else break;
  }
  return out.substr(start);
}

std::string DecimalText(std::string_view bytes, int scale) {
  Int128 v = (!bytes.empty() && (static_cast<uint8_t>(bytes[0]) & 0x80)) ? -1 : 0;
  for (char c : bytes) v = static_cast<Int128>((static_cast<UInt128>(v) << 8) | static_cast<uint8_t>(c));
  const bool negative = v < 0;
  UInt128 u = negative ? static_cast<UInt128>(-v) : static_cast<UInt128>(v);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  } while (u > 0);
  if (scale > 0) {
    if (digits.size() <= static_cast<size_t>(scale)) digits.insert(0, static_cast<size_t>(scale) + 1 - digits.size(), '0');
    digits.insert(digits.size() - static_cast<size_t>(scale), ".");
  }
  return (negative ? "-" : "") + digits;
}

// Days since 1970-01-01 -> "YYYY-MM-DD".
std::string DateText(int64_t days) {
  const CivilDate date = CivilFromDays(days);
  return fmt::format("{:04d}-{:02d}-{:02d}", date.year, date.month, date.day);
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string TimeText(int64_t micros) {
  return fmt::format("{:02d}:{:02d}:{:02d}.{:06d}", micros / 3'600'000'000, micros / 60'000'000 % 60,
                     micros / 1'000'000 % 60, micros % 1'000'000);
}

std::string TimestampText(int64_t micros) {
  const int64_t day = FloorDiv(micros, 86'400'000'000);
  return DateText(day) + "T" + TimeText(micros - day * 86'400'000'000);
}

Result<std::string> UuidBytes(std::string_view text) {
  std::string out;
  int nibble = -1;
  for (char c : text) {
    if (c == '-') continue;
    int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (v < 0) return Status::InvalidArgument(fmt::format("'{}' is not a UUID", text));
    if (nibble < 0) {
      nibble = v;
    } else {
      out.push_back(static_cast<char>(nibble << 4 | v));
      nibble = -1;
    }
  }
  if (out.size() != 16 || nibble >= 0) return Status::InvalidArgument(fmt::format("'{}' is not a UUID", text));
  return out;
}

std::string Hex(std::string_view b, bool dashes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < b.size(); ++i) {
    if (dashes && (i == 4 || i == 6 || i == 8 || i == 10)) out.push_back('-');
    out.push_back(kHex[static_cast<uint8_t>(b[i]) >> 4]);
    out.push_back(kHex[static_cast<uint8_t>(b[i]) & 15]);
  }
  return out;
}

}  // namespace

Result<std::optional<std::string>> EncodeBound(std::string_view type, std::string_view text) {
  using Out = std::optional<std::string>;
  int scale = 0;
  if (type == "boolean") {
    if (text != "true" && text != "false") return Status::InvalidArgument(fmt::format("'{}' is not a boolean", text));
    return Out(std::string(1, text == "true" ? '\1' : '\0'));
  }
  if (type == "int" || type == "date") {
    ASSIGN_OR_RETURN(int32_t v, Integer<int32_t>(text, type));
    return Out(LittleEndian(v));
  }
  if (type == "long" || type == "time" || type == "timestamp" || type == "timestamptz") {
    ASSIGN_OR_RETURN(int64_t v, Integer<int64_t>(text, type));
    return Out(LittleEndian(v));
  }
  if (type == "float" || type == "double") {
    const std::string s(text);
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size()) return Status::InvalidArgument(fmt::format("'{}' is not a {}", text, type));
    if (std::isnan(v)) return Out();  // NaN is never a bound
    if (type == "float") return Out(LittleEndian(std::strtof(s.c_str(), nullptr)));
    return Out(LittleEndian(v));
  }
  if (IsDecimal(type, &scale)) {
    ASSIGN_OR_RETURN(std::string b, DecimalBytes(text, scale));
    return Out(std::move(b));
  }
  if (type == "string") return Out(std::string(text));
  if (type == "uuid") {
    ASSIGN_OR_RETURN(std::string b, UuidBytes(text));
    return Out(std::move(b));
  }
  // binary: DuckDB's text of a BLOB escapes bytes, so its bounds are not
  // taken from the footer's text; nested types have none.
  return Out();
}

Result<json> BoundToJson(std::string_view type, std::string_view b) {
  int scale = 0;
  if (type == "boolean") {
    if (b.size() != 1) return Status::InvalidArgument("a boolean bound is not 1 byte");
    return json(b[0] != 0);
  }
  if (type == "int") return NumberJson<int32_t>(b, type);
  if (type == "long") return NumberJson<int64_t>(b, type);
  if (type == "float") return NumberJson<float>(b, type);
  if (type == "double") return NumberJson<double>(b, type);
  if (type == "date") {
    ASSIGN_OR_RETURN(int32_t days, FromLittleEndian<int32_t>(b, type));
    return json(DateText(days));
  }
  if (type == "time" || type == "timestamp" || type == "timestamptz") {
    ASSIGN_OR_RETURN(int64_t micros, FromLittleEndian<int64_t>(b, type));
    if (type == "time") return json(TimeText(micros));
    return json(TimestampText(micros) + (type == "timestamptz" ? "+00:00" : ""));
  }
  if (IsDecimal(type, &scale)) {
    if (b.empty() || b.size() > 16) return Status::InvalidArgument("a decimal bound has " + std::to_string(b.size()) + " bytes");
    return json(DecimalText(b, scale));
  }
  if (type == "string") return json(std::string(b));
  if (type == "uuid") {
    if (b.size() != 16) return Status::InvalidArgument("a uuid bound is not 16 bytes");
    return json(Hex(b, true));
  }
  if (type == "binary" || type.starts_with("fixed")) {
    std::string h = Hex(b, false);
    for (char& c : h) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return json(h);
  }
  return Status::InvalidArgument(fmt::format("a bound of type {} has no JSON form", type));
}

Result<json> DataFileToRestJson(const DataFile& f, const json& schema) {
  // The primitive types of the fields bounds may name, by id.
  std::map<int32_t, std::string> types;
  std::function<void(const json&)> walk = [&](const json& fields) {
    for (const auto& field : fields) {
      const json& t = field.at("type");
      if (t.is_string()) types[field.at("id").get<int32_t>()] = t.get<std::string>();
      else if (t.value("type", "") == "struct") walk(t.at("fields"));
    }
  };
  if (!schema.contains("fields")) return Status::InvalidArgument("the schema has no fields");
  walk(schema.at("fields"));
  auto counts = [](const std::map<int32_t, int64_t>& m) {
    json keys = json::array(), values = json::array();
    for (const auto& [k, v] : m) {
      keys.push_back(k);
      values.push_back(v);
    }
    return json{{"keys", keys}, {"values", values}};
  };
  auto bounds = [&](const std::map<int32_t, std::string>& m) -> Result<json> {
    json keys = json::array(), values = json::array();
    for (const auto& [k, v] : m) {
      auto t = types.find(k);
      if (t == types.end()) continue;
      ASSIGN_OR_RETURN(json value, BoundToJson(t->second, v));
      keys.push_back(k);
      values.push_back(std::move(value));
    }
    return json{{"keys", keys}, {"values", values}};
  };
  json out = {{"content", "data"},
              {"file-path", f.file_path},
              {"file-format", "parquet"},
              {"spec-id", 0},
              {"partition", json::array()},
              {"file-size-in-bytes", f.file_size_in_bytes},
              {"record-count", f.record_count},
              {"column-sizes", counts(f.column_sizes)},
              {"value-counts", counts(f.value_counts)},
              {"null-value-counts", counts(f.null_value_counts)}};
  ASSIGN_OR_RETURN(out["lower-bounds"], bounds(f.lower_bounds));
  ASSIGN_OR_RETURN(out["upper-bounds"], bounds(f.upper_bounds));
  if (f.sort_order_id) out["sort-order-id"] = *f.sort_order_id;
  return out;
}

}  // namespace weft::lakehouse
