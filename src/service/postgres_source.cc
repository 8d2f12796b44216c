#include "service/postgres_source.h"

#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "catalog/location.h"
#include "catalog/postgres/connection.h"
#include "common/hashing.h"
#include "common/strings.h"
#include "control/secrets.h"

namespace weft::service {

namespace fs = std::filesystem;

namespace {

// What COPY reads: the query as written (without a closing semicolon,
// which COPY ( … ) refuses), or every column of the table.
Result<std::string> SelectOf(const spec::ProductSource& source) {
  if (!source.table.empty()) {
    std::vector<std::string> parts;
    for (const std::string& part : Split(source.table, '.')) {
      if (part.empty()) return Status::InvalidArgument("weft.source table '" + source.table + "' is not [schema.]name");
      parts.push_back(SqlIdent(part));
    }
    if (parts.size() > 2) return Status::InvalidArgument("weft.source table '" + source.table + "' is not [schema.]name");
    return "SELECT * FROM " + Join(parts, ".");
  }
  std::string query(Trim(source.query));
  while (!query.empty() && (query.back() == ';' || std::isspace(static_cast<unsigned char>(query.back())))) query.pop_back();
  return query;
}

}  // namespace

Result<SourceExtract> ExtractPostgresSource(const control::Workspace& ws, const std::string& product,
                                            const spec::ProductSource& source, const quality::InputLimits& limits,
                                            const fs::path& dir) {
  const std::string what = "source of " + product;
  ASSIGN_OR_RETURN(std::string url, control::ReadSecret(ws, source.secret));
  if (!catalog::IsCatalogUrl(url))
    return Status::FailedPrecondition("the secret '" + source.secret + "' that weft.source of " + product +
                                      " names holds no postgres:// URL");
  ASSIGN_OR_RETURN(std::string select, SelectOf(source));
  ASSIGN_OR_RETURN(catalog::postgres::Connection conn, catalog::postgres::Connection::Open(url, 10, what));
  // Text forms the CSV reader takes back as the contract's types.
  RETURN_IF_ERROR(conn.Exec("SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; SET IntervalStyle = 'iso_8601'; "
                            "SET extra_float_digits = 3; SET bytea_output = 'hex'; "
                            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  std::error_code ec;
  fs::create_directories(dir, ec);
  const fs::path file = dir / fmt::format("source-{}-{}.csv", product, RandomHex(6));
  std::unique_ptr<FILE, int (*)(FILE*)> out(std::fopen(file.c_str(), "wb"), &std::fclose);
  if (!out) return Status::IoError("cannot create " + file.string());
  int64_t bytes = 0;
  Status copied = conn.CopyOut("COPY (" + select + ") TO STDOUT (FORMAT csv, HEADER true)", [&](std::string_view data) {
    bytes += static_cast<int64_t>(data.size());
    if (bytes > limits.max_input_bytes)
      return Status::InvalidArgument(fmt::format("the {} is larger than publish.maxInputBytes ({} bytes); nothing was "
                                                 "published — narrow the query, or raise the limit in weft.yaml",
                                                 what, limits.max_input_bytes));
    if (std::fwrite(data.data(), 1, data.size(), out.get()) != data.size())
      return Status::IoError("cannot write " + file.string());
    return Status::Ok();
  });
  conn.Exec("COMMIT").IgnoreError();  // read only: nothing to keep
  const bool closed = std::fclose(out.release()) == 0;
  if (copied.ok() && !closed) copied = Status::IoError("cannot write " + file.string());
  if (!copied.ok()) {
    fs::remove(file, ec);
    // The query is the product owner's: a wrong column or a syntax error is theirs to fix.
    if (copied.code() == StatusCode::kInternal)
      return Status::InvalidArgument("reading the " + what + " (secret " + source.secret + ") failed: " + copied.message());
    return copied.WithContext("while reading the " + what);
  }
  return SourceExtract{.file = file, .bytes = bytes};
}

}  // namespace weft::service
