#include "engine/query_result.h"

#include <cassert>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "engine/internal/duckdb_errors.h"

namespace weft::engine {
namespace {

// Owns a duckdb_logical_type handed out by the C API.
class LogicalType {
 public:
  explicit LogicalType(duckdb_logical_type type) : type_(type) {}
  LogicalType(const LogicalType&) = delete;
  LogicalType& operator=(const LogicalType&) = delete;
  ~LogicalType() {
    if (type_ != nullptr) duckdb_destroy_logical_type(&type_);
  }
  duckdb_logical_type get() const { return type_; }

 private:
  duckdb_logical_type type_;
};

struct ValueDeleter {
  void operator()(duckdb_value value) const { duckdb_destroy_value(&value); }
};
using ValuePtr = std::unique_ptr<std::remove_pointer_t<duckdb_value>, ValueDeleter>;

bool RowIsValid(const uint64_t* validity, idx_t row) {
  return validity == nullptr || ((validity[row / 64] >> (row % 64)) & 1) != 0;
}

// duckdb_string_t keeps strings of up to 12 bytes inside the struct and longer
// ones behind a pointer (with a 4-byte prefix copy we do not need).
std::string_view StringAt(const void* data, idx_t row) {
  const duckdb_string_t& s = static_cast<const duckdb_string_t*>(data)[row];
  const uint32_t length = s.value.inlined.length;
  if (length <= sizeof(s.value.inlined.inlined)) return {s.value.inlined.inlined, length};
  return {s.value.pointer.ptr, length};
}

template <typename T>
T At(const void* data, idx_t row) {
  return static_cast<const T*>(data)[row];
}

duckdb_hugeint ToHugeint(int64_t v) {
  duckdb_hugeint h;
  h.lower = static_cast<uint64_t>(v);
  h.upper = v < 0 ? -1 : 0;
  return h;
}

// value = upper * 2^64 + lower. Small values take the exact int64 path: for a
// small negative number the two terms nearly cancel and lose every digit.
double HugeintToDouble(duckdb_hugeint h) {
  if ((h.upper == 0 && h.lower >> 63 == 0) || (h.upper == -1 && h.lower >> 63 == 1)) {
    return static_cast<double>(static_cast<int64_t>(h.lower));
  }
  return static_cast<double>(h.upper) * 18446744073709551616.0 + static_cast<double>(h.lower);
}

// Reads an integer stored in the physical type `internal` (used by DECIMAL
// and ENUM, whose storage width depends on their parameters).
duckdb_hugeint StoredInteger(duckdb_type internal, const void* data, idx_t row) {
  switch (internal) {
    case DUCKDB_TYPE_SMALLINT: return ToHugeint(At<int16_t>(data, row));
    case DUCKDB_TYPE_INTEGER: return ToHugeint(At<int32_t>(data, row));
    case DUCKDB_TYPE_BIGINT: return ToHugeint(At<int64_t>(data, row));
    case DUCKDB_TYPE_UTINYINT: return ToHugeint(At<uint8_t>(data, row));
    case DUCKDB_TYPE_USMALLINT: return ToHugeint(At<uint16_t>(data, row));
    case DUCKDB_TYPE_UINTEGER: return ToHugeint(At<uint32_t>(data, row));
    case DUCKDB_TYPE_HUGEINT: return At<duckdb_hugeint>(data, row);
    default: assert(false && "unexpected storage type"); return ToHugeint(0);
  }
}

// Rebuilds one cell of `vector` (of logical type `type`) as a duckdb_value, so
// DuckDB itself can format it. nullptr when the C API has no constructor for
// the type (BIGNUM) or a child could not be rebuilt.
ValuePtr ValueAt(duckdb_vector vector, duckdb_logical_type type, idx_t row) {
  if (!RowIsValid(duckdb_vector_get_validity(vector), row)) return ValuePtr(duckdb_create_null_value());
  const void* data = duckdb_vector_get_data(vector);
  switch (duckdb_get_type_id(type)) {
    case DUCKDB_TYPE_BOOLEAN: return ValuePtr(duckdb_create_bool(At<bool>(data, row)));
    case DUCKDB_TYPE_TINYINT: return ValuePtr(duckdb_create_int8(At<int8_t>(data, row)));
    case DUCKDB_TYPE_SMALLINT: return ValuePtr(duckdb_create_int16(At<int16_t>(data, row)));
    case DUCKDB_TYPE_INTEGER: return ValuePtr(duckdb_create_int32(At<int32_t>(data, row)));
    case DUCKDB_TYPE_BIGINT: return ValuePtr(duckdb_create_int64(At<int64_t>(data, row)));
    case DUCKDB_TYPE_UTINYINT: return ValuePtr(duckdb_create_uint8(At<uint8_t>(data, row)));
    case DUCKDB_TYPE_USMALLINT: return ValuePtr(duckdb_create_uint16(At<uint16_t>(data, row)));
    case DUCKDB_TYPE_UINTEGER: return ValuePtr(duckdb_create_uint32(At<uint32_t>(data, row)));
    case DUCKDB_TYPE_UBIGINT: return ValuePtr(duckdb_create_uint64(At<uint64_t>(data, row)));
    case DUCKDB_TYPE_HUGEINT: return ValuePtr(duckdb_create_hugeint(At<duckdb_hugeint>(data, row)));
    case DUCKDB_TYPE_UHUGEINT: return ValuePtr(duckdb_create_uhugeint(At<duckdb_uhugeint>(data, row)));
    case DUCKDB_TYPE_FLOAT: return ValuePtr(duckdb_create_float(At<float>(data, row)));
    case DUCKDB_TYPE_DOUBLE: return ValuePtr(duckdb_create_double(At<double>(data, row)));
    case DUCKDB_TYPE_DATE: return ValuePtr(duckdb_create_date(At<duckdb_date>(data, row)));
    case DUCKDB_TYPE_TIME: return ValuePtr(duckdb_create_time(At<duckdb_time>(data, row)));
    case DUCKDB_TYPE_TIME_NS: return ValuePtr(duckdb_create_time_ns(At<duckdb_time_ns>(data, row)));
    case DUCKDB_TYPE_TIME_TZ: return ValuePtr(duckdb_create_time_tz_value(At<duckdb_time_tz>(data, row)));
    case DUCKDB_TYPE_TIMESTAMP: return ValuePtr(duckdb_create_timestamp(At<duckdb_timestamp>(data, row)));
    case DUCKDB_TYPE_TIMESTAMP_TZ: return ValuePtr(duckdb_create_timestamp_tz(At<duckdb_timestamp>(data, row)));
    case DUCKDB_TYPE_TIMESTAMP_S: return ValuePtr(duckdb_create_timestamp_s(At<duckdb_timestamp_s>(data, row)));
    case DUCKDB_TYPE_TIMESTAMP_MS: return ValuePtr(duckdb_create_timestamp_ms(At<duckdb_timestamp_ms>(data, row)));
    case DUCKDB_TYPE_TIMESTAMP_NS: return ValuePtr(duckdb_create_timestamp_ns(At<duckdb_timestamp_ns>(data, row)));
    case DUCKDB_TYPE_INTERVAL: return ValuePtr(duckdb_create_interval(At<duckdb_interval>(data, row)));
    case DUCKDB_TYPE_VARCHAR: {
      const std::string_view s = StringAt(data, row);
      return ValuePtr(duckdb_create_varchar_length(s.data(), s.size()));
    }
    case DUCKDB_TYPE_BLOB: {
      const std::string_view s = StringAt(data, row);
      return ValuePtr(duckdb_create_blob(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
    }
    case DUCKDB_TYPE_BIT: {
      // Vector storage and duckdb_bit share DuckDB's internal bit-string layout.
      const std::string_view s = StringAt(data, row);
      duckdb_bit bit{reinterpret_cast<uint8_t*>(const_cast<char*>(s.data())), s.size()};
      return ValuePtr(duckdb_create_bit(bit));
    }
    case DUCKDB_TYPE_UUID: {
      // Vectors store a UUID as a hugeint with the top bit flipped (so it
      // sorts as text); duckdb_create_uuid wants the plain 128-bit number.
      const duckdb_hugeint stored = At<duckdb_hugeint>(data, row);
      duckdb_uhugeint uuid;
      uuid.lower = stored.lower;
      uuid.upper = static_cast<uint64_t>(stored.upper) ^ (uint64_t{1} << 63);
      return ValuePtr(duckdb_create_uuid(uuid));
    }
    case DUCKDB_TYPE_DECIMAL: {
      duckdb_decimal d;
      d.width = duckdb_decimal_width(type);
      d.scale = duckdb_decimal_scale(type);
      d.value = StoredInteger(duckdb_decimal_internal_type(type), data, row);
      return ValuePtr(duckdb_create_decimal(d));
    }
    case DUCKDB_TYPE_ENUM: {
      const duckdb_hugeint index = StoredInteger(duckdb_enum_internal_type(type), data, row);
      return ValuePtr(duckdb_create_enum_value(type, index.lower));
    }
    case DUCKDB_TYPE_LIST:
    case DUCKDB_TYPE_MAP: {
      const duckdb_list_entry entry = At<duckdb_list_entry>(data, row);
      duckdb_vector child = duckdb_list_vector_get_child(vector);
      if (duckdb_get_type_id(type) == DUCKDB_TYPE_MAP) {
        // A MAP is a LIST of STRUCT(key, value).
        LogicalType key_type(duckdb_map_type_key_type(type));
        LogicalType value_type(duckdb_map_type_value_type(type));
        duckdb_vector keys_vector = duckdb_struct_vector_get_child(child, 0);
        duckdb_vector values_vector = duckdb_struct_vector_get_child(child, 1);
        std::vector<ValuePtr> owned;
        std::vector<duckdb_value> keys(entry.length + 1), values(entry.length + 1);
        for (idx_t i = 0; i < entry.length; ++i) {
          owned.push_back(ValueAt(keys_vector, key_type.get(), entry.offset + i));
          keys[i] = owned.back().get();
          owned.push_back(ValueAt(values_vector, value_type.get(), entry.offset + i));
          values[i] = owned.back().get();
          if (keys[i] == nullptr || values[i] == nullptr) return nullptr;
        }
        return ValuePtr(duckdb_create_map_value(type, keys.data(), values.data(), entry.length));
      }
      LogicalType child_type(duckdb_list_type_child_type(type));
      std::vector<ValuePtr> owned;
      // +1: never hand DuckDB a null array pointer, even for an empty list.
      std::vector<duckdb_value> items(entry.length + 1);
      for (idx_t i = 0; i < entry.length; ++i) {
        owned.push_back(ValueAt(child, child_type.get(), entry.offset + i));
        if (!owned.back()) return nullptr;
        items[i] = owned.back().get();
      }
      return ValuePtr(duckdb_create_list_value(child_type.get(), items.data(), entry.length));
    }
    case DUCKDB_TYPE_ARRAY: {
      LogicalType child_type(duckdb_array_type_child_type(type));
      const idx_t size = duckdb_array_type_array_size(type);
      duckdb_vector child = duckdb_array_vector_get_child(vector);
      std::vector<ValuePtr> owned;
      std::vector<duckdb_value> items(size + 1);
      for (idx_t i = 0; i < size; ++i) {
        owned.push_back(ValueAt(child, child_type.get(), row * size + i));
        if (!owned.back()) return nullptr;
        items[i] = owned.back().get();
      }
      return ValuePtr(duckdb_create_array_value(child_type.get(), items.data(), size));
    }
    case DUCKDB_TYPE_STRUCT: {
      const idx_t count = duckdb_struct_type_child_count(type);
      std::vector<ValuePtr> owned;
      std::vector<duckdb_value> fields(count + 1);
      for (idx_t i = 0; i < count; ++i) {
        LogicalType field_type(duckdb_struct_type_child_type(type, i));
        owned.push_back(ValueAt(duckdb_struct_vector_get_child(vector, i), field_type.get(), row));
        if (!owned.back()) return nullptr;
        fields[i] = owned.back().get();
      }
      return ValuePtr(duckdb_create_struct_value(type, fields.data()));
    }
    case DUCKDB_TYPE_UNION: {
      // A UNION vector is a STRUCT whose child 0 is the tag and child 1 + t
      // holds member t.
      const uint8_t tag = At<uint8_t>(duckdb_vector_get_data(duckdb_struct_vector_get_child(vector, 0)), row);
      LogicalType member_type(duckdb_union_type_member_type(type, tag));
      ValuePtr member = ValueAt(duckdb_struct_vector_get_child(vector, tag + 1), member_type.get(), row);
      if (!member) return nullptr;
      return ValuePtr(duckdb_create_union_value(type, tag, member.get()));
    }
    default:
      return nullptr;
  }
}

}  // namespace

std::string_view TypeName(ColumnType type) {
  switch (type) {
    case DUCKDB_TYPE_BOOLEAN: return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT: return "TINYINT";
    case DUCKDB_TYPE_SMALLINT: return "SMALLINT";
    case DUCKDB_TYPE_INTEGER: return "INTEGER";
    case DUCKDB_TYPE_BIGINT: return "BIGINT";
    case DUCKDB_TYPE_UTINYINT: return "UTINYINT";
    case DUCKDB_TYPE_USMALLINT: return "USMALLINT";
    case DUCKDB_TYPE_UINTEGER: return "UINTEGER";
    case DUCKDB_TYPE_UBIGINT: return "UBIGINT";
    case DUCKDB_TYPE_HUGEINT: return "HUGEINT";
    case DUCKDB_TYPE_UHUGEINT: return "UHUGEINT";
    case DUCKDB_TYPE_FLOAT: return "FLOAT";
    case DUCKDB_TYPE_DOUBLE: return "DOUBLE";
    case DUCKDB_TYPE_DECIMAL: return "DECIMAL";
    case DUCKDB_TYPE_VARCHAR: return "VARCHAR";
    case DUCKDB_TYPE_BLOB: return "BLOB";
    case DUCKDB_TYPE_DATE: return "DATE";
    case DUCKDB_TYPE_TIME: return "TIME";
    case DUCKDB_TYPE_TIME_NS: return "TIME_NS";
    case DUCKDB_TYPE_TIME_TZ: return "TIME WITH TIME ZONE";
    case DUCKDB_TYPE_TIMESTAMP: return "TIMESTAMP";
    case DUCKDB_TYPE_TIMESTAMP_TZ: return "TIMESTAMP WITH TIME ZONE";
    case DUCKDB_TYPE_TIMESTAMP_S: return "TIMESTAMP_S";
    case DUCKDB_TYPE_TIMESTAMP_MS: return "TIMESTAMP_MS";
    case DUCKDB_TYPE_TIMESTAMP_NS: return "TIMESTAMP_NS";
    case DUCKDB_TYPE_INTERVAL: return "INTERVAL";
    case DUCKDB_TYPE_UUID: return "UUID";
    case DUCKDB_TYPE_ENUM: return "ENUM";
    case DUCKDB_TYPE_LIST: return "LIST";
    case DUCKDB_TYPE_STRUCT: return "STRUCT";
    case DUCKDB_TYPE_MAP: return "MAP";
    case DUCKDB_TYPE_ARRAY: return "ARRAY";
    case DUCKDB_TYPE_UNION: return "UNION";
    case DUCKDB_TYPE_BIT: return "BIT";
    case DUCKDB_TYPE_BIGNUM: return "BIGNUM";
    case DUCKDB_TYPE_SQLNULL: return "NULL";
    default: return "INVALID";
  }
}

namespace {

std::string FieldName(std::string_view name) {
  const bool plain = !name.empty() && !(name[0] >= '0' && name[0] <= '9') &&
                     name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
                         std::string_view::npos;
  if (plain) return std::string(name);
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string TakeText(char* text) {
  std::string out = text != nullptr ? text : "";
  duckdb_free(text);
  return out;
}

}  // namespace

std::string TypeText(duckdb_logical_type type) {
  if (std::string alias = TakeText(duckdb_logical_type_get_alias(type)); !alias.empty()) return alias;
  const ColumnType id = duckdb_get_type_id(type);
  switch (id) {
    case DUCKDB_TYPE_DECIMAL:
      return "DECIMAL(" + std::to_string(duckdb_decimal_width(type)) + "," + std::to_string(duckdb_decimal_scale(type)) +
             ")";
    case DUCKDB_TYPE_LIST: {
      LogicalType child(duckdb_list_type_child_type(type));
      return TypeText(child.get()) + "[]";
    }
    case DUCKDB_TYPE_ARRAY: {
      LogicalType child(duckdb_array_type_child_type(type));
      return TypeText(child.get()) + "[" + std::to_string(duckdb_array_type_array_size(type)) + "]";
    }
    case DUCKDB_TYPE_MAP: {
      LogicalType key(duckdb_map_type_key_type(type)), value(duckdb_map_type_value_type(type));
      return "MAP(" + TypeText(key.get()) + ", " + TypeText(value.get()) + ")";
    }
    case DUCKDB_TYPE_STRUCT:
    case DUCKDB_TYPE_UNION: {
      const bool is_union = id == DUCKDB_TYPE_UNION;
      const idx_t n = is_union ? duckdb_union_type_member_count(type) : duckdb_struct_type_child_count(type);
      std::string out = is_union ? "UNION(" : "STRUCT(";
      for (idx_t i = 0; i < n; ++i) {
        LogicalType child(is_union ? duckdb_union_type_member_type(type, i) : duckdb_struct_type_child_type(type, i));
        if (i > 0) out += ", ";
        out += FieldName(TakeText(is_union ? duckdb_union_type_member_name(type, i)
                                           : duckdb_struct_type_child_name(type, i))) +
               " " + TypeText(child.get());
      }
      return out + ")";
    }
    case DUCKDB_TYPE_ENUM: {
      std::string out = "ENUM(";
      for (uint32_t i = 0, n = duckdb_enum_dictionary_size(type); i < n; ++i) {
        if (i > 0) out += ", ";
        out += "'";
        for (char c : TakeText(duckdb_enum_dictionary_value(type, i))) out += c == '\'' ? std::string("''") : std::string(1, c);
        out += "'";
      }
      return out + ")";
    }
    case DUCKDB_TYPE_INVALID:
    case DUCKDB_TYPE_ANY:
      return "";
    default:
      return std::string(TypeName(id));
  }
}

// ---- DataChunk ---------------------------------------------------------------

DataChunk::DataChunk(duckdb_data_chunk chunk) : chunk_(chunk), size_(duckdb_data_chunk_get_size(chunk)) {
  const idx_t count = duckdb_data_chunk_get_column_count(chunk);
  columns_.resize(count);
  for (idx_t i = 0; i < count; ++i) {
    Column& c = columns_[i];
    c.vector = duckdb_data_chunk_get_vector(chunk, i);
    LogicalType type(duckdb_vector_get_column_type(c.vector));
    c.type = duckdb_get_type_id(type.get());
    if (c.type == DUCKDB_TYPE_DECIMAL) {
      c.decimal_scale = duckdb_decimal_scale(type.get());
      c.decimal_storage = duckdb_decimal_internal_type(type.get());
    }
    c.data = duckdb_vector_get_data(c.vector);
    c.validity = duckdb_vector_get_validity(c.vector);
  }
}

DataChunk::DataChunk(DataChunk&& other) noexcept
    : chunk_(std::exchange(other.chunk_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      columns_(std::move(other.columns_)) {}

DataChunk& DataChunk::operator=(DataChunk&& other) noexcept {
  if (this != &other) {
    Destroy();
    chunk_ = std::exchange(other.chunk_, nullptr);
    size_ = std::exchange(other.size_, 0);
    columns_ = std::move(other.columns_);
  }
  return *this;
}

DataChunk::~DataChunk() { Destroy(); }

void DataChunk::Destroy() {
  if (chunk_ != nullptr) duckdb_destroy_data_chunk(&chunk_);
  chunk_ = nullptr;
}

bool DataChunk::IsNull(size_t col, size_t row) const {
  assert(col < columns_.size() && row < size_);
  return !RowIsValid(columns_[col].validity, row);
}

std::optional<int64_t> DataChunk::TryGetInt64(size_t col, size_t row) const {
  assert(col < columns_.size() && row < size_);
  const Column& c = columns_[col];
  switch (c.type) {
    case DUCKDB_TYPE_BOOLEAN: return At<bool>(c.data, row) ? 1 : 0;
    case DUCKDB_TYPE_TINYINT: return At<int8_t>(c.data, row);
    case DUCKDB_TYPE_SMALLINT: return At<int16_t>(c.data, row);
    case DUCKDB_TYPE_INTEGER: return At<int32_t>(c.data, row);
    case DUCKDB_TYPE_BIGINT: return At<int64_t>(c.data, row);
    case DUCKDB_TYPE_UTINYINT: return At<uint8_t>(c.data, row);
    case DUCKDB_TYPE_USMALLINT: return At<uint16_t>(c.data, row);
    case DUCKDB_TYPE_UINTEGER: return At<uint32_t>(c.data, row);
    case DUCKDB_TYPE_UBIGINT: {
      const uint64_t v = At<uint64_t>(c.data, row);
      if (v >> 63 != 0) return std::nullopt;
      return static_cast<int64_t>(v);
    }
    case DUCKDB_TYPE_HUGEINT: {
      // SUM(BIGINT) is a HUGEINT; accept it while the value fits.
      const duckdb_hugeint v = At<duckdb_hugeint>(c.data, row);
      const bool fits = (v.upper == 0 && v.lower >> 63 == 0) || (v.upper == -1 && v.lower >> 63 == 1);
      if (!fits) return std::nullopt;
      return static_cast<int64_t>(v.lower);
    }
    case DUCKDB_TYPE_UHUGEINT: {
      const duckdb_uhugeint v = At<duckdb_uhugeint>(c.data, row);
      if (v.upper != 0 || v.lower >> 63 != 0) return std::nullopt;
      return static_cast<int64_t>(v.lower);
    }
    default:
      return std::nullopt;
  }
}

int64_t DataChunk::GetInt64(size_t col, size_t row) const {
  const std::optional<int64_t> v = TryGetInt64(col, row);
  assert(v.has_value() && "GetInt64 on a non-integer column or a value outside int64");
  return v.value_or(0);
}

double DataChunk::GetDouble(size_t col, size_t row) const {
  assert(col < columns_.size() && row < size_);
  const Column& c = columns_[col];
  switch (c.type) {
    case DUCKDB_TYPE_FLOAT: return At<float>(c.data, row);
    case DUCKDB_TYPE_DOUBLE: return At<double>(c.data, row);
    case DUCKDB_TYPE_DECIMAL: {
      return HugeintToDouble(StoredInteger(c.decimal_storage, c.data, row)) / std::pow(10.0, c.decimal_scale);
    }
    case DUCKDB_TYPE_HUGEINT: return HugeintToDouble(At<duckdb_hugeint>(c.data, row));
    case DUCKDB_TYPE_UHUGEINT: {
      const duckdb_uhugeint v = At<duckdb_uhugeint>(c.data, row);
      return static_cast<double>(v.upper) * 18446744073709551616.0 + static_cast<double>(v.lower);
    }
    case DUCKDB_TYPE_UBIGINT: return static_cast<double>(At<uint64_t>(c.data, row));
    default: return static_cast<double>(GetInt64(col, row));
  }
}

bool DataChunk::GetBool(size_t col, size_t row) const {
  assert(col < columns_.size() && row < size_);
  assert(columns_[col].type == DUCKDB_TYPE_BOOLEAN);
  return At<bool>(columns_[col].data, row);
}

std::string_view DataChunk::GetString(size_t col, size_t row) const {
  assert(col < columns_.size() && row < size_);
  const Column& c = columns_[col];
  if (c.type != DUCKDB_TYPE_VARCHAR && c.type != DUCKDB_TYPE_BLOB) {
    assert(false && "GetString on a column that is not VARCHAR or BLOB");
    return {};
  }
  return StringAt(c.data, row);
}

std::string DataChunk::GetAsString(size_t col, size_t row) const {
  assert(col < columns_.size() && row < size_);
  if (IsNull(col, row)) return "NULL";
  const Column& c = columns_[col];
  switch (c.type) {  // fast paths with no allocation inside DuckDB
    case DUCKDB_TYPE_VARCHAR: return std::string(StringAt(c.data, row));
    case DUCKDB_TYPE_BOOLEAN: return At<bool>(c.data, row) ? "true" : "false";
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER: return std::to_string(GetInt64(col, row));
    case DUCKDB_TYPE_UBIGINT: return std::to_string(At<uint64_t>(c.data, row));
    default: break;
  }
  LogicalType type(duckdb_vector_get_column_type(c.vector));
  ValuePtr value = ValueAt(c.vector, type.get(), row);
  if (!value) return "<" + std::string(TypeName(c.type)) + ">";
  char* text = duckdb_get_varchar(value.get());
  if (text == nullptr) return "<" + std::string(TypeName(c.type)) + ">";
  std::string out(text);
  duckdb_free(text);
  return out;
}

// ---- QueryResult -------------------------------------------------------------

QueryResult::QueryResult(duckdb_result result)
    : result_(result), owned_(true), column_count_(duckdb_column_count(&result_)) {}

QueryResult::QueryResult(QueryResult&& other) noexcept
    : result_(other.result_), owned_(std::exchange(other.owned_, false)), column_count_(other.column_count_) {
  other.result_ = duckdb_result{};
}

QueryResult& QueryResult::operator=(QueryResult&& other) noexcept {
  if (this != &other) {
    Destroy();
    result_ = other.result_;
    owned_ = std::exchange(other.owned_, false);
    column_count_ = other.column_count_;
    other.result_ = duckdb_result{};
  }
  return *this;
}

QueryResult::~QueryResult() { Destroy(); }

void QueryResult::Destroy() {
  if (owned_) duckdb_destroy_result(&result_);
  owned_ = false;
}

std::string QueryResult::column_name(size_t col) const {
  const char* name = duckdb_column_name(&result_, col);
  return name != nullptr ? name : "";
}

ColumnType QueryResult::column_type(size_t col) const { return duckdb_column_type(&result_, col); }

std::string QueryResult::column_type_text(size_t col) const {
  LogicalType type(duckdb_column_logical_type(&result_, col));
  return type.get() == nullptr ? "" : TypeText(type.get());
}

int64_t QueryResult::rows_changed() const { return static_cast<int64_t>(duckdb_rows_changed(&result_)); }

Result<std::optional<DataChunk>> QueryResult::NextChunk() {
  if (!owned_) return Status::FailedPrecondition("QueryResult was moved from");
  while (true) {
    duckdb_data_chunk chunk = duckdb_fetch_chunk(result_);
    if (chunk == nullptr) {
      // nullptr means "exhausted" or, for a streaming result, "failed".
      if (duckdb_result_error(&result_) != nullptr) return engine_internal::ResultError(&result_);
      return std::optional<DataChunk>();
    }
    DataChunk wrapped(chunk);
    if (wrapped.size() > 0) return std::optional<DataChunk>(std::move(wrapped));
  }
}

Result<std::vector<std::vector<std::optional<std::string>>>> QueryResult::FetchAllAsStrings() {
  std::vector<std::vector<std::optional<std::string>>> rows;
  while (true) {
    ASSIGN_OR_RETURN(std::optional<DataChunk> chunk, NextChunk());
    if (!chunk) break;
    for (size_t row = 0; row < chunk->size(); ++row) {
      std::vector<std::optional<std::string>>& out = rows.emplace_back();
      out.reserve(chunk->column_count());
      for (size_t col = 0; col < chunk->column_count(); ++col) {
        if (chunk->IsNull(col, row)) {
          out.emplace_back(std::nullopt);
        } else {
          out.emplace_back(chunk->GetAsString(col, row));
        }
      }
    }
  }
  return rows;
}

Result<std::optional<DataChunk>> QueryResult::SingleCellChunk() {
  if (column_count_ != 1) {
    return Status::InvalidArgument("expected a single value, but the query returns " + std::to_string(column_count_) +
                                   " columns");
  }
  ASSIGN_OR_RETURN(std::optional<DataChunk> chunk, NextChunk());
  if (!chunk) return Status::InvalidArgument("expected a single value, but the query returned no rows");
  size_t rows = chunk->size();
  while (true) {
    ASSIGN_OR_RETURN(std::optional<DataChunk> more, NextChunk());
    if (!more) break;
    rows += more->size();
  }
  if (rows != 1) {
    return Status::InvalidArgument("expected a single value, but the query returned " + std::to_string(rows) +
                                   " rows");
  }
  return chunk;
}

Result<std::optional<std::string>> QueryResult::ScalarString() {
  ASSIGN_OR_RETURN(std::optional<DataChunk> chunk, SingleCellChunk());
  if (chunk->IsNull(0, 0)) return std::optional<std::string>();
  return std::optional<std::string>(chunk->GetAsString(0, 0));
}

Result<int64_t> QueryResult::ScalarInt64() {
  ASSIGN_OR_RETURN(std::optional<DataChunk> chunk, SingleCellChunk());
  if (chunk->IsNull(0, 0)) return Status::InvalidArgument("expected an integer, but the query returned NULL");
  const ColumnType type = chunk->column_type(0);
  if (type == DUCKDB_TYPE_BOOLEAN || type == DUCKDB_TYPE_DECIMAL || type == DUCKDB_TYPE_FLOAT ||
      type == DUCKDB_TYPE_DOUBLE) {
    return Status::InvalidArgument("expected an integer, but the query returned a " + std::string(TypeName(type)));
  }
  const std::optional<int64_t> value = chunk->TryGetInt64(0, 0);
  if (value) return *value;
  if (type == DUCKDB_TYPE_UBIGINT || type == DUCKDB_TYPE_HUGEINT || type == DUCKDB_TYPE_UHUGEINT) {
    return Status::InvalidArgument("the query returned " + chunk->GetAsString(0, 0) +
                                   ", which does not fit in a 64-bit integer");
  }
  return Status::InvalidArgument("expected an integer, but the query returned a " + std::string(TypeName(type)));
}

}  // namespace weft::engine
