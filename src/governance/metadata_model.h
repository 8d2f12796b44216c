// governance/: the metadata model policies are written against. One call
// turns the proposed state — the spec documents being applied plus what the
// catalog already serves — into plain DuckDB tables (domains, products,
// output_ports, contracts, properties, ...). docs/policies.md documents every
// table and column; that page is the contract policy authors rely on, so a
// column added here is added there.
//
//   ProposedState state{.documents = doc_pointers, .classification_masks = {{"pii", "hash"}}};
//   ASSIGN_OR_RETURN(engine::Database db, engine::Database::Open({}));
//   ASSIGN_OR_RETURN(engine::Connection conn, engine::Connection::Open(db));
//   RETURN_IF_ERROR(BuildMetadataModel(conn, state));
//   // conn.Query("SELECT id FROM products WHERE tier = 'gold'") ...
//
// Conventions: text that is absent or empty is NULL; list columns are
// VARCHAR[] and empty rather than NULL; booleans that a spec leaves out are
// false.
//
// Thread safety: BuildMetadataModel uses the connection it is given (one
// thread at a time, like any Connection).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "catalog/records.h"
#include "common/status.h"
#include "engine/connection.h"
#include "spec/model.h"

namespace weft::governance {

// What would be true after an apply: the documents of the tree being applied
// (with the current catalog's documents for everything the tree does not
// replace) and the port versions the catalog serves.
struct ProposedState {
  std::vector<const spec::Document*> documents;
  // Port versions from the catalog (older majors still served, their
  // deprecation dates). Empty: ports are derived from the specs alone.
  std::vector<catalog::PortVersionRecord> port_versions;
  // Default masking strategy per classification, from weft.yaml
  // (e.g. pii -> hash, restricted -> redact).
  std::map<std::string, std::string> classification_masks;
};

// Creates the model's tables on `conn` and fills them. The tables must not
// exist yet (use a fresh database).
Status BuildMetadataModel(engine::Connection& conn, const ProposedState& state);

// The model's table names, in creation order (for docs tests and `explain`).
const std::vector<std::string>& MetadataModelTables();

}  // namespace weft::governance
