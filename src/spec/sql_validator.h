// The seam through which spec-level checks (lint of `sql` quality rules and
// of regular expressions) ask the SQL engine, so that lint accepts exactly
// what publish will run. The spec module stays engine-free; engine/ provides
// the DuckDB implementation.
// Thread safety: implementations say their own.
#pragma once

#include <string_view>

#include "common/status.h"

namespace weft::spec {

class SqlValidator {
 public:
  virtual ~SqlValidator() = default;
  // OK when `sql` parses as exactly one SELECT statement (CTEs, set operations
  // and subqueries allowed); otherwise an InvalidArgument with the parser's
  // message or "only a single SELECT is allowed".
  virtual Status CheckSingleSelect(std::string_view sql) const = 0;
  // OK when `pattern` compiles as a regular expression in the engine's
  // dialect (RE2 for DuckDB); otherwise InvalidArgument with the reason.
  virtual Status CheckRegex(std::string_view pattern) const = 0;
};

}  // namespace weft::spec
