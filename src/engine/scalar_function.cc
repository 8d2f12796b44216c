#include "engine/scalar_function.h"

#include <duckdb.h>

#include <algorithm>
#include <cctype>

namespace weft::engine {
namespace {

void CallText(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output) {
  const auto& fn = *static_cast<TextFunction*>(duckdb_scalar_function_get_extra_info(info));
  const idx_t n = duckdb_data_chunk_get_size(input);
  duckdb_vector in = duckdb_data_chunk_get_vector(input, 0);
  auto* values = static_cast<duckdb_string_t*>(duckdb_vector_get_data(in));
  uint64_t* validity = duckdb_vector_get_validity(in);
  duckdb_vector_ensure_validity_writable(output);
  uint64_t* out_validity = duckdb_vector_get_validity(output);
  for (idx_t row = 0; row < n; ++row) {
    if (validity && !duckdb_validity_row_is_valid(validity, row)) {
      duckdb_validity_set_row_invalid(out_validity, row);
      continue;
    }
    std::string_view v(duckdb_string_t_data(&values[row]), duckdb_string_t_length(values[row]));
    std::string r = fn(v);
    duckdb_vector_assign_string_element_len(output, row, r.data(), r.size());
  }
}

}  // namespace

Status RegisterTextFunction(Connection& conn, const std::string& name, TextFunction fn) {
  const bool identifier = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) &&
                          std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
  if (!identifier) return Status::InvalidArgument("'" + name + "' is not a function name");
  duckdb_scalar_function f = duckdb_create_scalar_function();
  duckdb_scalar_function_set_name(f, name.c_str());
  duckdb_logical_type varchar = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
  duckdb_scalar_function_add_parameter(f, varchar);
  duckdb_scalar_function_set_return_type(f, varchar);
  duckdb_destroy_logical_type(&varchar);
  duckdb_scalar_function_set_extra_info(f, new TextFunction(std::move(fn)),
                                        [](void* p) { delete static_cast<TextFunction*>(p); });
  duckdb_scalar_function_set_function(f, CallText);
  duckdb_state state = duckdb_register_scalar_function(conn.handle(), f);
  duckdb_destroy_scalar_function(&f);
  if (state == DuckDBError) return Status::InvalidArgument("cannot register function " + name + " (is the name taken?)");
  return Status::Ok();
}

}  // namespace weft::engine
