#include "lakehouse/manifest.h"

#include <avro.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>

#include <fmt/format.h>

namespace weft::lakehouse {

namespace {

using nlohmann::json;

// ---- the Avro schemas of format/spec.md, with their field ids -------------

json Field(const char* name, json type, int id) { return {{"name", name}, {"type", std::move(type)}, {"field-id", id}}; }
json Optional(const char* name, json type, int id) {
  return {{"name", name}, {"type", json::array({"null", std::move(type)})}, {"default", nullptr}, {"field-id", id}};
}
// A map with int keys: an array of key/value records with the "map" logical type.
json IntMap(const char* name, int id, int key_id, int value_id, const char* value_type) {
  json record = {{"type", "record"},
                 {"name", fmt::format("k{}_v{}", key_id, value_id)},
                 {"fields", json::array({Field("key", "int", key_id), Field("value", value_type, value_id)})}};
  return Optional(name, {{"type", "array"}, {"items", std::move(record)}, {"logicalType", "map"}}, id);
}

const std::string& ManifestEntrySchema() {
  static const std::string schema = [] {
    json data_file = {
        {"type", "record"},
        {"name", "r2"},
        {"fields", json::array({
                       Field("content", "int", 134),
                       Field("file_path", "string", 100),
                       Field("file_format", "string", 101),
                       Field("partition", {{"type", "record"}, {"name", "r102"}, {"fields", json::array()}}, 102),
                       Field("record_count", "long", 103),
                       Field("file_size_in_bytes", "long", 104),
                       IntMap("column_sizes", 108, 117, 118, "long"),
                       IntMap("value_counts", 109, 119, 120, "long"),
                       IntMap("null_value_counts", 110, 121, 122, "long"),
                       IntMap("lower_bounds", 125, 126, 127, "bytes"),
                       IntMap("upper_bounds", 128, 129, 130, "bytes"),
                       Optional("sort_order_id", "int", 140),
                   })}};
    json entry = {{"type", "record"},
                  {"name", "manifest_entry"},
                  {"fields", json::array({Field("status", "int", 0), Optional("snapshot_id", "long", 1),
                                          Optional("sequence_number", "long", 3),
                                          Optional("file_sequence_number", "long", 4),
                                          Field("data_file", std::move(data_file), 2)})}};
    return entry.dump();
  }();
  return schema;
}

const std::string& ManifestFileSchema() {
  static const std::string schema = [] {
    json file = {{"type", "record"},
                 {"name", "manifest_file"},
                 {"fields", json::array({
                                Field("manifest_path", "string", 500),
                                Field("manifest_length", "long", 501),
                                Field("partition_spec_id", "int", 502),
                                Field("content", "int", 517),
                                Field("sequence_number", "long", 515),
                                Field("min_sequence_number", "long", 516),
                                Field("added_snapshot_id", "long", 503),
                                Field("added_files_count", "int", 504),
                                Field("existing_files_count", "int", 505),
                                Field("deleted_files_count", "int", 506),
                                Field("added_rows_count", "long", 512),
                                Field("existing_rows_count", "long", 513),
                                Field("deleted_rows_count", "long", 514),
                            })}};
    return file.dump();
  }();
  return schema;
}

// ---- the object container format (Avro spec, "Object Container Files") ----

constexpr char kMagic[] = {'O', 'b', 'j', '\x01'};
constexpr size_t kSyncSize = 16;

void PutLong(std::string& out, int64_t v) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);  // zigzag
  while (z >= 0x80) {
    out.push_back(static_cast<char>((z & 0x7f) | 0x80));
    z >>= 7;
  }
  out.push_back(static_cast<char>(z));
}
void PutBytes(std::string& out, std::string_view b) {
  PutLong(out, static_cast<int64_t>(b.size()));
  out.append(b);
}

// Reads the container's framing; `what` names the file in errors.
class Cursor {
 public:
  Cursor(std::string_view bytes, std::string what) : bytes_(bytes), what_(std::move(what)) {}
  Result<int64_t> Long() {
    uint64_t z = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= bytes_.size()) return Truncated();
      const auto b = static_cast<uint8_t>(bytes_[pos_++]);
      z |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
    }
    return Error("a variable-length number is longer than 10 bytes");
  }
  Result<std::string_view> Take(int64_t n) {
    if (n < 0) return Error("a negative length");
    if (static_cast<uint64_t>(n) > bytes_.size() - pos_) return Truncated();
    std::string_view s = bytes_.substr(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return s;
  }
  Result<std::string_view> Bytes() {
    ASSIGN_OR_RETURN(int64_t n, Long());
    return Take(n);
  }
  bool AtEnd() const { return pos_ == bytes_.size(); }
  size_t pos() const { return pos_; }
  Status Error(const std::string& m) const {
    return Status::InvalidArgument(fmt::format("{} is not a valid Avro file: {} at byte {}", what_, m, pos_));
  }

 private:
  Status Truncated() const { return Error("it ends early"); }
  std::string_view bytes_;
  std::string what_;
  size_t pos_ = 0;
};

using Metadata = std::vector<std::pair<std::string, std::string>>;  // in the order written

// One block of `count` encoded records; the sync marker is the first 16
// bytes of SHA-256 over the header and the block, so it depends only on
// what the file holds.
Result<std::string> Container(const Metadata& metadata, int64_t count, const std::string& block) {
  std::string out(kMagic, sizeof kMagic);
  PutLong(out, static_cast<int64_t>(metadata.size()));
  for (const auto& [k, v] : metadata) {
    PutBytes(out, k);
    PutBytes(out, v);
  }
  PutLong(out, 0);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), out.data(), out.size()) != 1 ||
      EVP_DigestUpdate(ctx.get(), block.data(), block.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest, nullptr) != 1)
    return Status::Internal("cannot compute SHA-256 for an Avro sync marker");
  const std::string sync(reinterpret_cast<const char*>(digest), kSyncSize);
  out += sync;
  if (count > 0) {
    PutLong(out, count);
    PutBytes(out, block);
    out += sync;
  }
  return out;
}

struct Parsed {
  std::map<std::string, std::string> metadata;
  std::vector<std::string_view> blocks;  // encoded records, `counts` each
  std::vector<int64_t> counts;
};

Result<Parsed> ParseContainer(std::string_view bytes, const std::string& what) {
  Cursor c(bytes, what);
  ASSIGN_OR_RETURN(std::string_view magic, c.Take(sizeof kMagic));
  if (magic != std::string_view(kMagic, sizeof kMagic)) return c.Error("it does not start with Obj\\x01");
  Parsed p;
  for (;;) {
    ASSIGN_OR_RETURN(int64_t n, c.Long());
    if (n == 0) break;
    if (n < 0) {  // a negative count is followed by the block's byte size
      n = -n;
      RETURN_IF_ERROR(c.Long().status());
    }
    for (int64_t i = 0; i < n; ++i) {
      ASSIGN_OR_RETURN(std::string_view k, c.Bytes());
      ASSIGN_OR_RETURN(std::string_view v, c.Bytes());
      p.metadata[std::string(k)] = std::string(v);
    }
  }
  ASSIGN_OR_RETURN(std::string_view sync, c.Take(kSyncSize));
  auto codec = p.metadata.find("avro.codec");
  if (codec != p.metadata.end() && codec->second != "null")
    return c.Error("codec '" + codec->second + "' is not supported (weft writes and reads uncompressed manifests)");
  while (!c.AtEnd()) {
    ASSIGN_OR_RETURN(int64_t count, c.Long());
    ASSIGN_OR_RETURN(std::string_view block, c.Bytes());
    ASSIGN_OR_RETURN(std::string_view marker, c.Take(kSyncSize));
    if (count < 0) return c.Error("a negative record count");
    if (marker != sync) return c.Error("a block's sync marker differs from the header's");
    p.blocks.push_back(block);
    p.counts.push_back(count);
  }
  return p;
}

// ---- records through avro-c's generic values -------------------------------

Status AvroError(const std::string& doing) { return Status::Internal(fmt::format("avro: {}: {}", doing, avro_strerror())); }

// A schema and one reusable record value of it.
class Record {
 public:
  static Result<std::unique_ptr<Record>> Make(const std::string& schema_json, const std::string& what) {
    auto r = std::unique_ptr<Record>(new Record());
    if (avro_schema_from_json_length(schema_json.data(), schema_json.size(), &r->schema_))
      return Status::InvalidArgument(fmt::format("{}: its Avro schema does not parse: {}", what, avro_strerror()));
    r->iface_ = avro_generic_class_from_schema(r->schema_);
    if (!r->iface_ || avro_generic_value_new(r->iface_, &r->value_)) return AvroError("cannot make a value of " + what);
    r->has_value_ = true;
    return r;
  }
  ~Record() {
    if (has_value_) avro_value_decref(&value_);
    if (iface_) avro_value_iface_decref(iface_);
    if (schema_) avro_schema_decref(schema_);
  }
  Record(const Record&) = delete;
  Record& operator=(const Record&) = delete;
  avro_value_t* value() { return &value_; }

 private:
  Record() = default;
  avro_schema_t schema_ = nullptr;
  avro_value_iface_t* iface_ = nullptr;
  avro_value_t value_{};
  bool has_value_ = false;
};

// Writing: set fields by name. Every setter reports avro-c's error.
class Setter {
 public:
  explicit Setter(avro_value_t* v) : v_(v) {}
  Result<avro_value_t> Get(const char* name) {
    avro_value_t f;
    if (avro_value_get_by_name(v_, name, &f, nullptr)) return AvroError(std::string("no field ") + name);
    return f;
  }
  Status Int(const char* name, int32_t x) {
    ASSIGN_OR_RETURN(avro_value_t f, Get(name));
    return avro_value_set_int(&f, x) ? AvroError(name) : Status::Ok();
  }
  Status Long(const char* name, int64_t x) {
    ASSIGN_OR_RETURN(avro_value_t f, Get(name));
    return avro_value_set_long(&f, x) ? AvroError(name) : Status::Ok();
  }
  Status String(const char* name, const std::string& s) {
    ASSIGN_OR_RETURN(avro_value_t f, Get(name));
    return avro_value_set_string_len(&f, s.c_str(), s.size() + 1) ? AvroError(name) : Status::Ok();
  }
  // A ["null", T] union: branch 0 for none, else branch 1.
  template <typename T, typename Set>
  Status Opt(const char* name, const std::optional<T>& x, Set set) {
    ASSIGN_OR_RETURN(avro_value_t f, Get(name));
    avro_value_t branch;
    if (avro_value_set_branch(&f, x ? 1 : 0, &branch)) return AvroError(name);
    if (!x) return avro_value_set_null(&branch) ? AvroError(name) : Status::Ok();
    return set(&branch, *x) ? AvroError(name) : Status::Ok();
  }
  Status OptLong(const char* name, const std::optional<int64_t>& x) {
    return Opt(name, x, [](avro_value_t* b, int64_t y) { return avro_value_set_long(b, y); });
  }
  Status OptInt(const char* name, const std::optional<int32_t>& x) {
    return Opt(name, x, [](avro_value_t* b, int32_t y) { return avro_value_set_int(b, y); });
  }
  // An int-keyed map; an empty map is written as null (absent).
  template <typename V>
  Status Map(const char* name, const std::map<int32_t, V>& m) {
    ASSIGN_OR_RETURN(avro_value_t f, Get(name));
    avro_value_t branch;
    if (avro_value_set_branch(&f, m.empty() ? 0 : 1, &branch)) return AvroError(name);
    if (m.empty()) return avro_value_set_null(&branch) ? AvroError(name) : Status::Ok();
    for (const auto& [k, v] : m) {
      avro_value_t item, key, value;
      if (avro_value_append(&branch, &item, nullptr) || avro_value_get_by_index(&item, 0, &key, nullptr) ||
          avro_value_get_by_index(&item, 1, &value, nullptr) || avro_value_set_int(&key, k))
        return AvroError(name);
      int rc;
      if constexpr (std::is_same_v<V, std::string>) {
        rc = avro_value_set_bytes(&value, const_cast<char*>(v.data()), v.size());
      } else {
        rc = avro_value_set_long(&value, v);
      }
      if (rc) return AvroError(name);
    }
    return Status::Ok();
  }

 private:
  avro_value_t* v_;
};

// Reading: fields by name; a field the writer's schema lacks reads as absent.
class Getter {
 public:
  Getter(avro_value_t* v, const std::string* what) : v_(v), what_(what) {}
  std::optional<avro_value_t> Find(const char* name) const {
    avro_value_t f;
    if (avro_value_get_by_name(v_, name, &f, nullptr)) return std::nullopt;
    // An optional field: the non-null branch, or none.
    if (avro_value_get_type(&f) == AVRO_UNION) {
      avro_value_t branch;
      if (avro_value_get_current_branch(&f, &branch) || avro_value_get_type(&branch) == AVRO_NULL) return std::nullopt;
      return branch;
    }
    return f;
  }
  Status Wrong(const char* name, const char* expected) const {
    return Status::InvalidArgument(fmt::format("{}: field {} is missing or not {}", *what_, name, expected));
  }
  Result<int64_t> Long(const char* name) const {
    ASSIGN_OR_RETURN(std::optional<int64_t> x, OptLong(name));
    if (!x) return Wrong(name, "a long");
    return *x;
  }
  Result<int32_t> Int(const char* name) const {
    ASSIGN_OR_RETURN(std::optional<int32_t> x, OptInt(name));
    if (!x) return Wrong(name, "an int");
    return *x;
  }
  Result<std::optional<int64_t>> OptLong(const char* name) const {
    auto f = Find(name);
    if (!f) return std::optional<int64_t>();
    int64_t x = 0;
    if (avro_value_get_type(&*f) != AVRO_INT64 || avro_value_get_long(&*f, &x)) return Wrong(name, "a long");
    return std::optional<int64_t>(x);
  }
  Result<std::optional<int32_t>> OptInt(const char* name) const {
    auto f = Find(name);
    if (!f) return std::optional<int32_t>();
    int32_t x = 0;
    if (avro_value_get_type(&*f) != AVRO_INT32 || avro_value_get_int(&*f, &x)) return Wrong(name, "an int");
    return std::optional<int32_t>(x);
  }
  Result<std::string> String(const char* name) const {
    auto f = Find(name);
    const char* s = nullptr;
    size_t size = 0;
    if (!f || avro_value_get_type(&*f) != AVRO_STRING || avro_value_get_string(&*f, &s, &size) || size == 0)
      return Wrong(name, "a string");
    return std::string(s, size - 1);  // avro-c counts the terminating NUL
  }
  template <typename V>
  Status Map(const char* name, std::map<int32_t, V>* out) const {
    auto f = Find(name);
    if (!f) return Status::Ok();
    size_t n = 0;
    if (avro_value_get_type(&*f) != AVRO_ARRAY || avro_value_get_size(&*f, &n)) return Wrong(name, "a map array");
    for (size_t i = 0; i < n; ++i) {
      avro_value_t item, key, value;
      int32_t k = 0;
      if (avro_value_get_by_index(&*f, i, &item, nullptr) || avro_value_get_by_index(&item, 0, &key, nullptr) ||
          avro_value_get_by_index(&item, 1, &value, nullptr) || avro_value_get_int(&key, &k))
        return Wrong(name, "a map of int keys");
      if constexpr (std::is_same_v<V, std::string>) {
        const void* b = nullptr;
        size_t size = 0;
        if (avro_value_get_bytes(&value, &b, &size)) return Wrong(name, "a map of bytes");
        (*out)[k] = std::string(static_cast<const char*>(b), size);
      } else {
        int64_t x = 0;
        if (avro_value_get_long(&value, &x)) return Wrong(name, "a map of longs");
        (*out)[k] = x;
      }
    }
    return Status::Ok();
  }
  Result<Getter> Sub(const char* name, avro_value_t* storage) const {
    auto f = Find(name);
    if (!f || avro_value_get_type(&*f) != AVRO_RECORD) return Wrong(name, "a record");
    *storage = *f;
    return Getter(storage, what_);
  }

 private:
  avro_value_t* v_;
  const std::string* what_;
};

// Encodes each item with `fill` into one block.
template <typename T, typename Fill>
Result<std::string> EncodeAll(Record& record, const std::vector<T>& items, Fill fill) {
  std::string block;
  std::vector<char> buf;
  for (const T& item : items) {
    avro_value_reset(record.value());
    RETURN_IF_ERROR(fill(Setter(record.value()), item));
    size_t size = 0;
    if (avro_value_sizeof(record.value(), &size)) return AvroError("size of a record");
    buf.resize(size);
    std::unique_ptr<std::remove_pointer_t<avro_writer_t>, decltype(&avro_writer_free)> w(
        avro_writer_memory(buf.data(), static_cast<int64_t>(buf.size())), &avro_writer_free);
    if (!w || avro_value_write(w.get(), record.value())) return AvroError("encoding a record");
    block.append(buf.data(), size);
  }
  return block;
}

// Decodes every record of the container with `take`.
template <typename Take>
Status DecodeAll(const Parsed& p, const std::string& what, Take take) {
  auto schema = p.metadata.find("avro.schema");
  if (schema == p.metadata.end()) return Status::InvalidArgument(what + " has no avro.schema in its header");
  ASSIGN_OR_RETURN(std::unique_ptr<Record> record, Record::Make(schema->second, what));
  for (size_t b = 0; b < p.blocks.size(); ++b) {
    std::unique_ptr<std::remove_pointer_t<avro_reader_t>, decltype(&avro_reader_free)> r(
        avro_reader_memory(p.blocks[b].data(), static_cast<int64_t>(p.blocks[b].size())), &avro_reader_free);
    if (!r) return AvroError("reading " + what);
    for (int64_t i = 0; i < p.counts[b]; ++i) {
      avro_value_reset(record->value());
      if (avro_value_read(r.get(), record->value()))
        return Status::InvalidArgument(fmt::format("{}: record {} of block {} does not decode: {}", what, i, b, avro_strerror()));
      RETURN_IF_ERROR(take(Getter(record->value(), &what)));
    }
  }
  return Status::Ok();
}

Result<int32_t> IntMeta(const Parsed& p, const std::string& key, const std::string& what) {
  auto it = p.metadata.find(key);
  int32_t v = 0;
  if (it == p.metadata.end() ||
      std::from_chars(it->second.data(), it->second.data() + it->second.size(), v).ec != std::errc())
    return Status::InvalidArgument(fmt::format("{}: header key '{}' is missing or not a number", what, key));
  return v;
}

}  // namespace

Result<std::string> WriteManifest(const Manifest& m) {
  ASSIGN_OR_RETURN(std::unique_ptr<Record> record, Record::Make(ManifestEntrySchema(), "manifest_entry"));
  auto fill = [](Setter s, const ManifestEntry& e) -> Status {
    RETURN_IF_ERROR(s.Int("status", static_cast<int32_t>(e.status)));
    RETURN_IF_ERROR(s.OptLong("snapshot_id", e.snapshot_id));
    RETURN_IF_ERROR(s.OptLong("sequence_number", e.sequence_number));
    RETURN_IF_ERROR(s.OptLong("file_sequence_number", e.file_sequence_number));
    ASSIGN_OR_RETURN(avro_value_t df, s.Get("data_file"));
    Setter d(&df);
    const DataFile& f = e.data_file;
    RETURN_IF_ERROR(d.Int("content", f.content));
    RETURN_IF_ERROR(d.String("file_path", f.file_path));
    RETURN_IF_ERROR(d.String("file_format", f.file_format));
    RETURN_IF_ERROR(d.Long("record_count", f.record_count));
    RETURN_IF_ERROR(d.Long("file_size_in_bytes", f.file_size_in_bytes));
    RETURN_IF_ERROR(d.Map("column_sizes", f.column_sizes));
    RETURN_IF_ERROR(d.Map("value_counts", f.value_counts));
    RETURN_IF_ERROR(d.Map("null_value_counts", f.null_value_counts));
    RETURN_IF_ERROR(d.Map("lower_bounds", f.lower_bounds));
    RETURN_IF_ERROR(d.Map("upper_bounds", f.upper_bounds));
    return d.OptInt("sort_order_id", f.sort_order_id);
  };
  ASSIGN_OR_RETURN(std::string block, EncodeAll(*record, m.entries, fill));
  const Metadata metadata = {{"avro.schema", ManifestEntrySchema()},
                             {"avro.codec", "null"},
                             {"schema", m.schema_json},
                             {"schema-id", std::to_string(m.schema_id)},
                             {"partition-spec", m.partition_spec_json},
                             {"partition-spec-id", std::to_string(m.partition_spec_id)},
                             {"format-version", "2"},
                             {"content", "data"}};
  return Container(metadata, static_cast<int64_t>(m.entries.size()), block);
}

Result<Manifest> ReadManifest(std::string_view bytes) {
  const std::string what = "the manifest";
  ASSIGN_OR_RETURN(Parsed p, ParseContainer(bytes, what));
  auto meta = [&](const char* key) -> std::string {
    auto it = p.metadata.find(key);
    return it == p.metadata.end() ? "" : it->second;
  };
  if (meta("format-version") != "2")
    return Status::InvalidArgument(what + " is not an Iceberg v2 manifest (format-version '" + meta("format-version") + "')");
  if (meta("content") != "data")
    return Status::InvalidArgument(what + " is not a data manifest (content '" + meta("content") + "')");
  Manifest m;
  m.schema_json = meta("schema");
  m.partition_spec_json = meta("partition-spec");
  ASSIGN_OR_RETURN(m.schema_id, IntMeta(p, "schema-id", what));
  ASSIGN_OR_RETURN(m.partition_spec_id, IntMeta(p, "partition-spec-id", what));
  auto take = [&](const Getter& g) -> Status {
    ManifestEntry e;
    ASSIGN_OR_RETURN(int32_t status, g.Int("status"));
    if (status < 0 || status > 2) return Status::InvalidArgument(fmt::format("{}: status {} is not 0, 1 or 2", what, status));
    e.status = static_cast<EntryStatus>(status);
    ASSIGN_OR_RETURN(e.snapshot_id, g.OptLong("snapshot_id"));
    ASSIGN_OR_RETURN(e.sequence_number, g.OptLong("sequence_number"));
    ASSIGN_OR_RETURN(e.file_sequence_number, g.OptLong("file_sequence_number"));
    avro_value_t storage;
    ASSIGN_OR_RETURN(Getter d, g.Sub("data_file", &storage));
    DataFile& f = e.data_file;
    ASSIGN_OR_RETURN(f.content, d.Int("content"));
    ASSIGN_OR_RETURN(f.file_path, d.String("file_path"));
    ASSIGN_OR_RETURN(f.file_format, d.String("file_format"));
    ASSIGN_OR_RETURN(f.record_count, d.Long("record_count"));
    ASSIGN_OR_RETURN(f.file_size_in_bytes, d.Long("file_size_in_bytes"));
    RETURN_IF_ERROR(d.Map("column_sizes", &f.column_sizes));
    RETURN_IF_ERROR(d.Map("value_counts", &f.value_counts));
    RETURN_IF_ERROR(d.Map("null_value_counts", &f.null_value_counts));
    RETURN_IF_ERROR(d.Map("lower_bounds", &f.lower_bounds));
    RETURN_IF_ERROR(d.Map("upper_bounds", &f.upper_bounds));
    ASSIGN_OR_RETURN(f.sort_order_id, d.OptInt("sort_order_id"));
    m.entries.push_back(std::move(e));
    return Status::Ok();
  };
  RETURN_IF_ERROR(DecodeAll(p, what, take));
  return m;
}

Result<std::string> WriteManifestList(const ManifestList& list) {
  ASSIGN_OR_RETURN(std::unique_ptr<Record> record, Record::Make(ManifestFileSchema(), "manifest_file"));
  auto fill = [](Setter s, const ManifestFile& f) -> Status {
    RETURN_IF_ERROR(s.String("manifest_path", f.manifest_path));
    RETURN_IF_ERROR(s.Long("manifest_length", f.manifest_length));
    RETURN_IF_ERROR(s.Int("partition_spec_id", f.partition_spec_id));
    RETURN_IF_ERROR(s.Int("content", f.content));
    RETURN_IF_ERROR(s.Long("sequence_number", f.sequence_number));
    RETURN_IF_ERROR(s.Long("min_sequence_number", f.min_sequence_number));
    RETURN_IF_ERROR(s.Long("added_snapshot_id", f.added_snapshot_id));
    RETURN_IF_ERROR(s.Int("added_files_count", f.added_files_count));
    RETURN_IF_ERROR(s.Int("existing_files_count", f.existing_files_count));
    RETURN_IF_ERROR(s.Int("deleted_files_count", f.deleted_files_count));
    RETURN_IF_ERROR(s.Long("added_rows_count", f.added_rows_count));
    RETURN_IF_ERROR(s.Long("existing_rows_count", f.existing_rows_count));
    return s.Long("deleted_rows_count", f.deleted_rows_count);
  };
  ASSIGN_OR_RETURN(std::string block, EncodeAll(*record, list.manifests, fill));
  Metadata metadata = {{"avro.schema", ManifestFileSchema()},
                       {"avro.codec", "null"},
                       {"snapshot-id", std::to_string(list.snapshot_id)}};
  if (list.parent_snapshot_id) metadata.emplace_back("parent-snapshot-id", std::to_string(*list.parent_snapshot_id));
  metadata.emplace_back("sequence-number", std::to_string(list.sequence_number));
  metadata.emplace_back("format-version", "2");
  return Container(metadata, static_cast<int64_t>(list.manifests.size()), block);
}

Result<ManifestList> ReadManifestList(std::string_view bytes) {
  const std::string what = "the manifest list";
  ASSIGN_OR_RETURN(Parsed p, ParseContainer(bytes, what));
  auto version = p.metadata.find("format-version");
  if (version == p.metadata.end() || version->second != "2")
    return Status::InvalidArgument(what + " is not an Iceberg v2 manifest list (no format-version 2 in its header)");
  ManifestList list;
  auto long_meta = [&](const char* key) -> Result<std::optional<int64_t>> {
    auto it = p.metadata.find(key);
    if (it == p.metadata.end()) return std::optional<int64_t>();
    int64_t v = 0;
    if (std::from_chars(it->second.data(), it->second.data() + it->second.size(), v).ec != std::errc())
      return Status::InvalidArgument(fmt::format("{}: header key '{}' is not a number", what, key));
    return std::optional<int64_t>(v);
  };
  ASSIGN_OR_RETURN(auto snapshot_id, long_meta("snapshot-id"));
  ASSIGN_OR_RETURN(auto sequence_number, long_meta("sequence-number"));
  if (!snapshot_id || !sequence_number)
    return Status::InvalidArgument(what + " lacks snapshot-id or sequence-number in its header");
  list.snapshot_id = *snapshot_id;
  list.sequence_number = *sequence_number;
  ASSIGN_OR_RETURN(list.parent_snapshot_id, long_meta("parent-snapshot-id"));
  auto take = [&](const Getter& g) -> Status {
    ManifestFile f;
    ASSIGN_OR_RETURN(f.manifest_path, g.String("manifest_path"));
    ASSIGN_OR_RETURN(f.manifest_length, g.Long("manifest_length"));
    ASSIGN_OR_RETURN(f.partition_spec_id, g.Int("partition_spec_id"));
    ASSIGN_OR_RETURN(f.content, g.Int("content"));
    ASSIGN_OR_RETURN(f.sequence_number, g.Long("sequence_number"));
    ASSIGN_OR_RETURN(f.min_sequence_number, g.Long("min_sequence_number"));
    ASSIGN_OR_RETURN(f.added_snapshot_id, g.Long("added_snapshot_id"));
    ASSIGN_OR_RETURN(f.added_files_count, g.Int("added_files_count"));
    ASSIGN_OR_RETURN(f.existing_files_count, g.Int("existing_files_count"));
    ASSIGN_OR_RETURN(f.deleted_files_count, g.Int("deleted_files_count"));
    ASSIGN_OR_RETURN(f.added_rows_count, g.Long("added_rows_count"));
    ASSIGN_OR_RETURN(f.existing_rows_count, g.Long("existing_rows_count"));
    ASSIGN_OR_RETURN(f.deleted_rows_count, g.Long("deleted_rows_count"));
    list.manifests.push_back(std::move(f));
    return Status::Ok();
  };
  RETURN_IF_ERROR(DecodeAll(p, what, take));
  return list;
}

}  // namespace weft::lakehouse
