#include "catalog/location.h"

#include "catalog/postgres/connection.h"
#include "common/strings.h"

namespace weft::catalog {

bool IsCatalogUrl(std::string_view location) {
  return StartsWith(location, "postgres://") || StartsWith(location, "postgresql://");
}

std::string PrintableLocation(const std::string& location) {
  return IsCatalogUrl(location) ? postgres::CatalogName(location) : location;
}

bool HasPassword(const std::string& location) {
  return IsCatalogUrl(location) && !postgres::UrlPassword(location).empty();
}

}  // namespace weft::catalog
