// The glossary service: the business terms applied from GlossaryTerm specs
// and every column of a served product version that names one
// (spec/glossary.h says how a column names a term). What `weft glossary`,
// GET /api/v1/glossary[/{term}] and the web UI's glossary pages show.
//
//   GlossaryService glossary(mesh);
//   ASSIGN_OR_RETURN(TermPage page, glossary.Term(caller, "customer"));
//   nlohmann::json body = ToJson(page);
//
// Who sees what: like every product's page (CatalogService::Page), the
// glossary is metadata, which any signed-in principal may read; the data of
// the columns it lists stays behind grants, masks and row filters.
//
// Thread safety: as the Mesh; a service is a view over it and holds no state.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "catalog/records.h"
#include "service/caller.h"
#include "service/mesh.h"

namespace weft::service {

struct GlossaryView {
  struct Entry {
    catalog::GlossaryTermRecord term;
    int64_t columns = 0;   // columns that name it
    int64_t products = 0;  // products those columns belong to
  };
  std::vector<Entry> terms;  // by name
};

struct TermPage {
  catalog::GlossaryTermRecord term;
  // The related terms that exist (name, title), and those named that do not.
  std::vector<std::pair<std::string, std::string>> related;
  std::vector<std::string> unresolved;
  // The terms that name this one as related.
  std::vector<std::pair<std::string, std::string>> related_by;
  std::vector<catalog::GlossaryLinkRecord> columns;  // by product, major, object, column
};

class GlossaryService {
 public:
  explicit GlossaryService(Mesh& mesh) : mesh_(mesh) {}

  Result<GlossaryView> Terms(const Caller& caller);
  // NotFound with a did-you-mean (names, titles and synonyms) unless `name`
  // is a term; a title or synonym finds its term too.
  Result<TermPage> Term(const Caller& caller, const std::string& name);

 private:
  Mesh& mesh_;
};

nlohmann::json ToJson(const GlossaryView& v);
nlohmann::json ToJson(const TermPage& p);

}  // namespace weft::service
