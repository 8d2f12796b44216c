#include "spec/stream_settings.h"

#include <fmt/format.h>

namespace weft::spec {

namespace {

// A number within [lo, hi] under `key`, or the default already in `out`.
Status ReadBound(const Json& value, const char* key, double lo, double hi, bool integer, double& out) {
  if (!value.contains(key)) return Status::Ok();
  const Json& v = value.at(key);
  const bool ok = integer ? v.is_number_integer() : v.is_number();
  if (!ok || v.get<double>() < lo || v.get<double>() > hi)
    return Status::InvalidArgument(fmt::format("weft.stream {} must be {} from {} to {}", key,
                                               integer ? "a whole number" : "a number", lo, hi));
  out = v.get<double>();
  return Status::Ok();
}

}  // namespace

Result<std::optional<StreamSettings>> StreamSettingsOf(const DataProduct& product) {
  for (const auto& cp : product.custom_properties) {
    if (cp.property != "weft.stream") continue;
    StreamSettings s;
    if (cp.value.is_boolean()) {
      if (!cp.value.get<bool>()) return std::optional<StreamSettings>();
      return std::optional<StreamSettings>(s);
    }
    if (!cp.value.is_object())
      return Status::InvalidArgument("weft.stream must be true or a mapping {maxRows: N, maxSeconds: S, maxBytes: B}");
    for (const auto& [key, v] : cp.value.items())
      if (key != "maxRows" && key != "maxSeconds" && key != "maxBytes")
        return Status::InvalidArgument("weft.stream has an unknown key '" + key + "'; it takes maxRows, maxSeconds and maxBytes");
    double rows = static_cast<double>(s.max_rows), bytes = static_cast<double>(s.max_bytes);
    RETURN_IF_ERROR(ReadBound(cp.value, "maxRows", 1, 1e6, true, rows));
    RETURN_IF_ERROR(ReadBound(cp.value, "maxSeconds", 0.05, 3600, false, s.max_seconds));
    RETURN_IF_ERROR(ReadBound(cp.value, "maxBytes", 1024, 1073741824.0, true, bytes));
    s.max_rows = static_cast<int64_t>(rows);
    s.max_bytes = static_cast<int64_t>(bytes);
    return std::optional<StreamSettings>(s);
  }
  return std::optional<StreamSettings>();
}

}  // namespace weft::spec
