#include "pgwire/introspection.h"

#include <string>

#include "pgwire/catalog_query.h"
#include "service/query.h"

namespace weft::pgwire {

Result<std::optional<nlohmann::json>> Introspection::Classify(const std::string& sql) {
  if (!MayBeCatalogQuery(sql)) return std::optional<nlohmann::json>();
  ASSIGN_OR_RETURN(engine::DuckDbSqlValidator * parser, mesh_.parser());
  std::string text = sql;
  ASSIGN_OR_RETURN(nlohmann::json ast, parser->SerializeSql(text));
  // psql qualifies every type it casts to; DuckDB's grammar refuses a few
  // of them (catalog_query.h). Each retry removes one qualifier DuckDB
  // pointed at, so this ends.
  for (int retries = 0; ast.value("error", false) && ast.value("error_type", "") == "parser" && retries < 16; ++retries) {
    size_t position = 0;
    try {
      position = std::stoul(ast.value("position", std::string("x")));
    } catch (const std::exception&) {
      break;
    }
    std::optional<std::string> again = WithoutPgCatalogQualifierAt(text, position);
    if (!again) break;
    text = std::move(*again);
    ASSIGN_OR_RETURN(ast, parser->SerializeSql(text));
  }
  // What DuckDB cannot parse, or parses as another statement, is the
  // governed path's to refuse (with DuckDB's message).
  if (ast.value("error", true)) return std::optional<nlohmann::json>();
  ASSIGN_OR_RETURN(std::optional<CatalogQuery> query, PrepareCatalogQuery(std::move(ast), text));
  if (!query) return std::optional<nlohmann::json>();
  return std::optional<nlohmann::json>(std::move(query->ast));
}

Result<std::shared_ptr<ShadowCatalog>> Introspection::ShadowFor(const service::Caller& caller) {
  ASSIGN_OR_RETURN(service::QuerySchema schema, service::QueryService(mesh_).Schema(caller));
  ShadowView view{.principal = caller.principal.name, .schema = std::move(schema), .weft_version = weft_version_};
  const std::string key = view.Fingerprint();
  {
    std::lock_guard lock(mu_);
    for (auto it = shadows_.begin(); it != shadows_.end(); ++it) {
      if (it->first != key) continue;
      shadows_.splice(shadows_.begin(), shadows_, it);
      return shadows_.front().second;
    }
  }
  // Built outside the lock: other callers' catalog queries go on meanwhile.
  ASSIGN_OR_RETURN(std::unique_ptr<ShadowCatalog> built, ShadowCatalog::Open(view));
  std::shared_ptr<ShadowCatalog> shadow = std::move(built);
  std::lock_guard lock(mu_);
  shadows_.emplace_front(key, shadow);
  if (shadows_.size() > kCachedShadows) shadows_.pop_back();
  return shadow;
}

Result<std::optional<CatalogAnswer>> Introspection::Answer(const service::Caller& caller, const std::string& sql,
                                                           const std::vector<std::optional<std::string>>& parameters) {
  ASSIGN_OR_RETURN(std::optional<nlohmann::json> ast, Classify(sql));
  if (!ast) return std::optional<CatalogAnswer>();
  ASSIGN_OR_RETURN(std::shared_ptr<ShadowCatalog> shadow, ShadowFor(caller));
  ASSIGN_OR_RETURN(query::QueryRuntime * runtime, mesh_.runtime());
  ASSIGN_OR_RETURN(CatalogAnswer answer, shadow->Run(*ast, parameters, runtime->options().timeout_seconds));
  return std::optional<CatalogAnswer>(std::move(answer));
}

Result<std::optional<CatalogAnswer>> Introspection::Describe(const service::Caller& caller, const std::string& sql) {
  ASSIGN_OR_RETURN(std::optional<nlohmann::json> ast, Classify(sql));
  if (!ast) return std::optional<CatalogAnswer>();
  ASSIGN_OR_RETURN(std::shared_ptr<ShadowCatalog> shadow, ShadowFor(caller));
  ASSIGN_OR_RETURN(CatalogAnswer answer, shadow->Describe(*ast));
  return std::optional<CatalogAnswer>(std::move(answer));
}

}  // namespace weft::pgwire
