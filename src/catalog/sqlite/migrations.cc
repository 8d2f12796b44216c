#include "catalog/sqlite/migrations.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "catalog/sqlite/stored_paths.h"
#include "common/strings.h"

namespace weft::catalog::sqlite {
namespace {

// Version 1. Conventions: STRICT tables, so a wrong type is an error rather
// than silently stored; text fields are NOT NULL and '' means "not set",
// as in records.h; lists and maps are JSON text; times are ISO 8601 UTC text,
// which sorts chronologically.
constexpr const char* kInitialSchema = R"sql(
-- One row: the catalog generation, advanced by every committed write.
CREATE TABLE catalog_meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  generation INTEGER NOT NULL
) STRICT;
INSERT INTO catalog_meta (id, generation) VALUES (1, 0);

CREATE TABLE domains (
  name TEXT PRIMARY KEY,
  description TEXT NOT NULL,
  owners TEXT NOT NULL,  -- JSON array
  storage_root TEXT NOT NULL,
  service_principal TEXT NOT NULL,
  monthly_budget REAL,
  soft_limit_percent REAL,
  currency TEXT NOT NULL,
  cost_center TEXT NOT NULL,
  spec_json TEXT NOT NULL,
  digest TEXT NOT NULL
) STRICT;

CREATE TABLE principals (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  display_name TEXT NOT NULL,
  attributes TEXT NOT NULL  -- JSON object of strings
) STRICT;

-- Keyed by the declaring source first: re-applying a source replaces its rows.
CREATE TABLE memberships (
  source TEXT NOT NULL,
  group_name TEXT NOT NULL,
  principal TEXT NOT NULL,
  role TEXT NOT NULL,
  PRIMARY KEY (source, group_name, principal, role)
) STRICT;
CREATE INDEX memberships_by_principal ON memberships (principal);

CREATE TABLE products (
  id TEXT PRIMARY KEY,
  domain TEXT NOT NULL REFERENCES domains (name),
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  version TEXT NOT NULL,
  tier TEXT NOT NULL,
  description TEXT NOT NULL,
  tags TEXT NOT NULL,  -- JSON array
  spec_json TEXT NOT NULL,
  digest TEXT NOT NULL
) STRICT;
CREATE INDEX products_by_domain ON products (domain);

CREATE TABLE port_versions (
  product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  port TEXT NOT NULL,
  major INTEGER NOT NULL,
  version TEXT NOT NULL,
  contract_id TEXT NOT NULL,
  status TEXT NOT NULL,
  end_of_support TEXT NOT NULL,
  end_of_life TEXT NOT NULL,
  storage_path TEXT NOT NULL,
  PRIMARY KEY (product_id, port, major)
) STRICT;

-- No foreign key to products: applied contract versions are history and stay
-- immutable even if their product is deleted and created again.
CREATE TABLE contract_versions (
  contract_id TEXT NOT NULL,
  version TEXT NOT NULL,
  major INTEGER NOT NULL,
  product_id TEXT NOT NULL,
  port TEXT NOT NULL,
  spec_json TEXT NOT NULL,
  digest TEXT NOT NULL,
  applied_at TEXT NOT NULL,
  PRIMARY KEY (contract_id, version)
) STRICT;

CREATE TABLE reference_entities (
  name TEXT PRIMARY KEY,
  mastered_by TEXT NOT NULL,
  identifier_name TEXT NOT NULL,
  spec_json TEXT NOT NULL,
  digest TEXT NOT NULL
) STRICT;

-- Filled by the data plane. No foreign key to products: deleting a product's
-- files and its snapshot records is the storage module's decision.
CREATE TABLE snapshots (
  id TEXT PRIMARY KEY,
  product_id TEXT NOT NULL,
  major INTEGER NOT NULL,
  parent_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  row_count INTEGER NOT NULL,
  byte_count INTEGER NOT NULL,
  file_count INTEGER NOT NULL,
  contract_version TEXT NOT NULL,
  input_checksum TEXT NOT NULL,
  quality_json TEXT NOT NULL
) STRICT;
CREATE INDEX snapshots_by_product ON snapshots (product_id, major, created_at);

-- AUTOINCREMENT: ids are never reused, so an id in the audit trail names one
-- waiver forever.
CREATE TABLE waivers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  policy_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  reason TEXT NOT NULL,
  approver TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE audit_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  object TEXT NOT NULL,
  before_digest TEXT NOT NULL,
  after_digest TEXT NOT NULL,
  detail TEXT NOT NULL
) STRICT;
CREATE INDEX audit_events_by_object ON audit_events (object);
CREATE INDEX audit_events_by_time ON audit_events (time);

-- Search. search_documents holds one row per indexed product (what a hit
-- shows and filters on); search_fts holds its text, at rowid = doc_id;
-- search_facets holds its tags and classifications. Deleting a product
-- cascades to its document, which cascades to its facets and, through the
-- trigger, removes its text.
CREATE TABLE search_documents (
  doc_id INTEGER PRIMARY KEY,
  product_id TEXT NOT NULL UNIQUE REFERENCES products (id) ON DELETE CASCADE,
  domain TEXT NOT NULL,
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  golden_record INTEGER NOT NULL,
  reference_entities TEXT NOT NULL  -- JSON array
) STRICT;
CREATE INDEX search_documents_by_name ON search_documents (name);

CREATE TABLE search_facets (
  product_id TEXT NOT NULL REFERENCES search_documents (product_id) ON DELETE CASCADE,
  facet TEXT NOT NULL,  -- tag | classification
  value TEXT NOT NULL,
  PRIMARY KEY (product_id, facet, value)
) STRICT;
CREATE INDEX search_facets_by_value ON search_facets (facet, value);

-- The column order is the order of the bm25() weights in sqlite_store.cc.
-- unicode61 splits on punctuation, so the column customer_id is found by
-- "customer" and by "customer_id" (a phrase of two tokens).
CREATE VIRTUAL TABLE search_fts USING fts5 (
  name, tags, columns, description, column_descriptions,
  tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER search_documents_remove_text AFTER DELETE ON search_documents BEGIN
  DELETE FROM search_fts WHERE rowid = old.doc_id;
END;
)sql";

// Version 2: the data plane. Snapshots learn where their directory is and
// which publish made them; every publish attempt (published or not) and the
// result of each quality rule in it are kept as history. Version 1 never
// wrote a snapshot row, but ADD COLUMN with a default keeps any row valid.
constexpr const char* kDataPlaneSchema = R"sql(
ALTER TABLE snapshots ADD COLUMN path TEXT NOT NULL DEFAULT '';
ALTER TABLE snapshots ADD COLUMN publish_id TEXT NOT NULL DEFAULT '';

-- No foreign key to products, like snapshots: history outlives a product.
CREATE TABLE publishes (
  id TEXT PRIMARY KEY,
  product_id TEXT NOT NULL,
  major INTEGER NOT NULL,
  actor TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  outcome TEXT NOT NULL,  -- published | rejected | duplicate | failed
  mode TEXT NOT NULL,     -- replace | append | run
  snapshot_id TEXT NOT NULL,
  rows_in INTEGER NOT NULL,
  rows_valid INTEGER NOT NULL,
  rows_quarantined INTEGER NOT NULL,
  input_checksum TEXT NOT NULL,
  input_archive TEXT NOT NULL,
  quarantine_path TEXT NOT NULL,
  message TEXT NOT NULL
) STRICT;
CREATE INDEX publishes_by_product ON publishes (product_id, started_at);

-- Keyed by position in the publish's result list, not by rule id: the
-- results keep the order the checks reported them, and two checks of one
-- publish sharing an id is the quality compiler's business, not a reason to
-- lose a result.
CREATE TABLE quality_results (
  -- Deferred: a publish's results may be inserted before its record, as
  -- long as both are in the same transaction.
  publish_id TEXT NOT NULL REFERENCES publishes (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  position INTEGER NOT NULL,
  rule_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  object TEXT NOT NULL,
  column_name TEXT NOT NULL,
  severity TEXT NOT NULL,
  dimension TEXT NOT NULL,
  failing_rows INTEGER NOT NULL,
  checked_rows INTEGER NOT NULL,
  value REAL NOT NULL,
  threshold TEXT NOT NULL,
  passed INTEGER NOT NULL,
  row_level INTEGER NOT NULL,
  PRIMARY KEY (publish_id, position)
) STRICT;
)sql";

// Version 3: a derived product's transform SQL is part of what apply
// registers, so `weft run` and lineage read it from the catalog rather than
// from a checkout of the specs.
constexpr const char* kTransformSchema = R"sql(
ALTER TABLE products ADD COLUMN transform_sql TEXT NOT NULL DEFAULT '';
)sql";

// Version 4: governed sharing. Requests and grants are kept after they are
// decided, revoked or expired: they are the access history. Usage is one row
// per governed read, the input of showback and budgets.
constexpr const char* kSharingSchema = R"sql(
CREATE TABLE access_requests (
  id INTEGER PRIMARY KEY,
  product_id TEXT NOT NULL,
  major INTEGER NOT NULL,
  principal TEXT NOT NULL,
  grantee TEXT NOT NULL,
  columns TEXT NOT NULL,  -- JSON array; empty: every column
  purpose TEXT NOT NULL,
  until TEXT NOT NULL,
  status TEXT NOT NULL,   -- pending | approved | denied
  created_at TEXT NOT NULL,
  decided_by TEXT NOT NULL,
  decided_at TEXT NOT NULL,
  reason TEXT NOT NULL,
  grant_id INTEGER NOT NULL
) STRICT;

CREATE TABLE grants (
  id INTEGER PRIMARY KEY,
  product_id TEXT NOT NULL,
  major INTEGER NOT NULL,
  grantee TEXT NOT NULL,     -- a principal, a group (team:x) or domain:x
  columns TEXT NOT NULL,     -- JSON array; empty: every column
  purpose TEXT NOT NULL,
  expires_at TEXT NOT NULL,  -- empty: never
  clearances TEXT NOT NULL,  -- JSON array of classifications
  row_filter TEXT NOT NULL,
  granted_by TEXT NOT NULL,
  granted_at TEXT NOT NULL,
  request_id INTEGER NOT NULL,
  revoked_by TEXT NOT NULL,
  revoked_at TEXT NOT NULL   -- empty: in force (unless expired)
) STRICT;
CREATE INDEX grants_by_product ON grants (product_id, major);

CREATE TABLE usage (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  principal TEXT NOT NULL,
  consumer_domain TEXT NOT NULL,
  kind TEXT NOT NULL,        -- query | run
  products TEXT NOT NULL,    -- JSON array of addresses
  columns TEXT NOT NULL,     -- JSON array of address.column
  rows_scanned INTEGER NOT NULL,
  bytes_scanned INTEGER NOT NULL,
  rows_returned INTEGER NOT NULL,
  cpu_seconds REAL NOT NULL,
  wall_seconds REAL NOT NULL,
  cost REAL NOT NULL,
  status TEXT NOT NULL,      -- ok | refused | error
  message TEXT NOT NULL
) STRICT;
CREATE INDEX usage_by_time ON usage (at);
CREATE INDEX usage_by_consumer ON usage (consumer_domain, at);
)sql";

// Version 5: API tokens for the server. The secret itself is never stored.
constexpr const char* kTokenSchema = R"sql(
CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  principal TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,  -- SHA-256 hex of the token text
  description TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,   -- empty: never
  revoked_by TEXT NOT NULL,
  revoked_at TEXT NOT NULL    -- empty: not revoked
) STRICT;
)sql";

// Version 6: monitoring. SLA history (a row per change of state), incidents
// and their timelines, subscriptions, webhooks and the delivery outbox/log.
constexpr const char* kMonitoringSchema = R"sql(
CREATE TABLE sla_checks (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  product_id TEXT NOT NULL,
  major INTEGER NOT NULL,
  sla TEXT NOT NULL,       -- the SLA's id, or its property
  property TEXT NOT NULL,
  state TEXT NOT NULL,     -- met | breached | unknown
  target REAL,
  actual REAL,
  unit TEXT NOT NULL,
  detail TEXT NOT NULL
) STRICT;
CREATE INDEX sla_checks_by_product ON sla_checks (product_id, id);

CREATE TABLE incidents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  product_id TEXT NOT NULL,
  major INTEGER NOT NULL,
  kind TEXT NOT NULL,
  condition TEXT NOT NULL,
  subject TEXT NOT NULL,
  severity TEXT NOT NULL,
  title TEXT NOT NULL,
  status TEXT NOT NULL,    -- open | acknowledged | resolved
  assignee TEXT NOT NULL,
  opened_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  resolved_at TEXT NOT NULL,
  resolution TEXT NOT NULL,
  false_positive INTEGER NOT NULL,
  detail TEXT NOT NULL
) STRICT;
CREATE INDEX incidents_by_product ON incidents (product_id, condition, subject);
CREATE INDEX incidents_by_status ON incidents (status);

CREATE TABLE incident_events (
  id INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents (id),
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  message TEXT NOT NULL
) STRICT;
CREATE INDEX incident_events_by_incident ON incident_events (incident_id, id);

CREATE TABLE subscriptions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  principal TEXT NOT NULL,
  product_id TEXT NOT NULL,  -- '*': every product
  created_at TEXT NOT NULL,
  UNIQUE (principal, product_id)
) STRICT;

CREATE TABLE webhooks (
  id TEXT PRIMARY KEY,
  principal TEXT NOT NULL,
  url TEXT NOT NULL,
  secret TEXT NOT NULL,   -- the HMAC key: it signs, so it is kept (the catalog file is the workspace's secret store)
  events TEXT NOT NULL,   -- JSON array; empty: every type
  created_at TEXT NOT NULL,
  removed_at TEXT NOT NULL
) STRICT;

CREATE TABLE deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  webhook_id TEXT NOT NULL REFERENCES webhooks (id),
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  subject TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL,   -- pending | delivered | failed
  attempts INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  next_attempt_at TEXT NOT NULL,
  last_attempt_at TEXT NOT NULL,
  last_http_status INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  UNIQUE (webhook_id, event_id)
) STRICT;
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
)sql";

// Version 7: column profiles of each committed snapshot (null share,
// distinct estimate, min/max, top values), computed at publish. One JSON
// document per snapshot: it is read whole, by the product page.
constexpr const char* kProfileSchema = R"sql(
CREATE TABLE snapshot_profiles (
  snapshot_id TEXT PRIMARY KEY,
  product_id TEXT NOT NULL,
  computed_at TEXT NOT NULL,
  columns_json TEXT NOT NULL  -- JSON array, one object per column
) STRICT;
)sql";

// Version 8: the business glossary. glossary_terms holds the applied
// GlossaryTerm specs, glossary_fts their text at rowid = term_id (for
// search), glossary_links the columns of served port versions that name a
// term (derived at apply time, replaced whole). Deleting a term removes its
// links and, through the trigger, its text; deleting a product its links.
constexpr const char* kGlossarySchema = R"sql(
CREATE TABLE glossary_terms (
  term_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  domain TEXT NOT NULL,  -- '' for a global term
  definition TEXT NOT NULL,
  owners TEXT NOT NULL,    -- JSON array
  synonyms TEXT NOT NULL,  -- JSON array
  related TEXT NOT NULL,   -- JSON array of term names
  spec_json TEXT NOT NULL,
  digest TEXT NOT NULL
) STRICT;

CREATE TABLE glossary_links (
  term TEXT NOT NULL REFERENCES glossary_terms (name) ON DELETE CASCADE,
  product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  port TEXT NOT NULL,
  major INTEGER NOT NULL,
  contract_id TEXT NOT NULL,
  contract_version TEXT NOT NULL,
  object TEXT NOT NULL,
  column_name TEXT NOT NULL,
  via TEXT NOT NULL,  -- weft.term | authoritativeDefinitions | businessName
  PRIMARY KEY (term, product_id, port, major, object, column_name)
) STRICT;
CREATE INDEX glossary_links_by_product ON glossary_links (product_id);

CREATE VIRTUAL TABLE glossary_fts USING fts5 (
  name, synonyms, definition,
  tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER glossary_terms_remove_text AFTER DELETE ON glossary_terms BEGIN
  DELETE FROM glossary_fts WHERE rowid = old.term_id;
END;
)sql";

// Version 9: search_fts gets prefix indexes of 2, 3 and 4 characters. A
// word being typed ("cust") is a prefix query; without an index FTS5 merges
// the postings of every term with that prefix on each query (the short
// prefixes match many terms: "rec" is record, receipt, recall, ...), and
// once more for every hit's snippet. From 5 characters on few terms share
// a prefix, so longer ones are left to the merge. FTS5 cannot change a
// table's options: the text moves to a new table at the same rowids (the
// trigger that removes a document's text is recreated around the rename).
constexpr const char* kSearchPrefixSchema = R"sql(
CREATE VIRTUAL TABLE search_fts_prefixed USING fts5 (
  name, tags, columns, description, column_descriptions,
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '2 3 4'
);
INSERT INTO search_fts_prefixed (rowid, name, tags, columns, description, column_descriptions)
  SELECT rowid, name, tags, columns, description, column_descriptions FROM search_fts;
DROP TRIGGER search_documents_remove_text;
DROP TABLE search_fts;
ALTER TABLE search_fts_prefixed RENAME TO search_fts;
CREATE TRIGGER search_documents_remove_text AFTER DELETE ON search_documents BEGIN
  DELETE FROM search_fts WHERE rowid = old.doc_id;
END;
)sql";

// What a plan reads (domains, teams, products, ports, contracts, entities,
// terms, waivers) gets its own generation, so that an apply is refused only
// when one of those changed since its plan, not when a grant, a token or a
// publish committed meanwhile (sqlite_store.cc, WritesPlanInputs).
constexpr const char* kControlGenerationSchema = R"sql(
ALTER TABLE catalog_meta ADD COLUMN control_generation INTEGER NOT NULL DEFAULT 0;
)sql";

// The month-to-date cost of each consuming domain, kept by a trigger on
// usage: a budget check runs before every query and must cost a key lookup,
// not a scan of the month's usage rows (which grow with every query).
constexpr const char* kUsageMonthlySchema = R"sql(
CREATE TABLE usage_monthly (
  consumer_domain TEXT NOT NULL,
  month TEXT NOT NULL,  -- the YYYY-MM of usage.at
  cost REAL NOT NULL,
  PRIMARY KEY (consumer_domain, month)
) STRICT, WITHOUT ROWID;
INSERT INTO usage_monthly (consumer_domain, month, cost)
  SELECT consumer_domain, substr(at, 1, 7), SUM(cost) FROM usage WHERE true GROUP BY 1, 2;
CREATE TRIGGER usage_monthly_add AFTER INSERT ON usage BEGIN
  INSERT INTO usage_monthly (consumer_domain, month, cost) VALUES (new.consumer_domain, substr(new.at, 1, 7), new.cost)
    ON CONFLICT (consumer_domain, month) DO UPDATE SET cost = cost + excluded.cost;
END;
)sql";

// Paths under the catalog's directory (storage roots, version directories,
// snapshots, archived inputs, quarantine files) become relative to it (stored_paths.h),
// so a copied or restored workspace reads its own storage rather than the
// original's. weft_stored_path is defined on the migrating connection
// (Migrate), since the rule needs where the file is now.
constexpr const char* kRelativePathsSchema = R"sql(
UPDATE domains SET storage_root = weft_stored_path(storage_root);
UPDATE port_versions SET storage_path = weft_stored_path(storage_path);
UPDATE snapshots SET path = weft_stored_path(path);
UPDATE publishes SET input_archive = weft_stored_path(input_archive),
                     quarantine_path = weft_stored_path(quarantine_path);
)sql";

// Version 13: streaming products (service/stream.h). How far each producer's
// stream is committed, written in the same transaction as its batch. IF NOT
// EXISTS: a catalog whose version was set back (a restore of a file whose
// header is older than its tables) migrates all the same.
constexpr const char* kStreamOffsetSchema = R"sql(
CREATE TABLE IF NOT EXISTS stream_offsets (
  product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  major INTEGER NOT NULL,
  producer TEXT NOT NULL,
  committed_lines INTEGER NOT NULL,
  publish_id TEXT NOT NULL,
  snapshot_id TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (product_id, major, producer)
) STRICT, WITHOUT ROWID;
)sql";

constexpr Migration kMigrations[] = {
    {1, "initial schema", kInitialSchema},
    {2, "data plane: snapshot paths, publishes, quality results", kDataPlaneSchema},
    {3, "derived products: transform SQL", kTransformSchema},
    {4, "governed sharing: access requests, grants, usage", kSharingSchema},
    {5, "server: API tokens", kTokenSchema},
    {6, "monitoring: SLA history, incidents, subscriptions, webhooks, deliveries", kMonitoringSchema},
    {7, "column profiles of snapshots", kProfileSchema},
    {8, "business glossary: terms, column links, term search", kGlossarySchema},
    {9, "search: prefix indexes for words being typed", kSearchPrefixSchema},
    {10, "control-plane generation: what plans read", kControlGenerationSchema},
    {11, "usage: month-to-date cost per consuming domain", kUsageMonthlySchema},
    {12, "paths relative to the catalog's directory", kRelativePathsSchema},
    {13, "streaming products: producer offsets", kStreamOffsetSchema},
};

Result<int64_t> ReadPragma(Connection& conn, const char* name) {
  ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(fmt::format("PRAGMA {}", name)));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Status::Internal(fmt::format("PRAGMA {} returned no row", name));
  return stmt.Int(0);
}

Result<std::vector<std::string>> ListTables(Connection& conn) {
  ASSIGN_OR_RETURN(Statement stmt,
                   conn.Prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') ORDER BY name"));
  std::vector<std::string> names;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return names;
    names.push_back(stmt.Text(0));
  }
}

// What the database header and schema say about the file.
struct FileState {
  int64_t application_id = 0;
  int64_t version = 0;
};

// Reads the file's state and refuses a file that is not a catalog of a
// version this weft knows.
Result<FileState> Inspect(Connection& conn, int64_t newest) {
  FileState state;
  const std::string& path = conn.path();
  // The first read of the header: where a file that is not a database fails.
  ASSIGN_OR_RETURN(state.application_id, ReadPragma(conn, "application_id"));
  ASSIGN_OR_RETURN(state.version, ReadPragma(conn, "user_version"));
  if (state.application_id != kWeftApplicationId) {
    if (state.application_id != 0) {
      return Status::FailedPrecondition(fmt::format(
          "{} is not a weft catalog: it is an SQLite database of another application (application_id {:#x}); "
          "point weft at a new file or at a workspace's catalog.db",
          path, state.application_id));
    }
    ASSIGN_OR_RETURN(std::vector<std::string> tables, ListTables(conn));
    if (!tables.empty() || state.version != 0) {
      return Status::FailedPrecondition(
          fmt::format("{} is not a weft catalog: it is an SQLite database holding other tables ({}); "
                      "point weft at a new file or at a workspace's catalog.db",
                      path, Join(tables, ", ")));
    }
    // An empty database: it becomes a catalog.
  }
  if (state.version > newest) {
    return Status::FailedPrecondition(
        fmt::format("{} was written by a newer weft (schema {}, this weft knows up to {}); upgrade weft", path,
                    state.version, newest));
  }
  return state;
}

// Runs inside the migration transaction. Inspects again: another process
// may have migrated the file between the first look and the lock.
Status MigrateLocked(Connection& conn, std::span<const Migration> migrations, int64_t newest) {
  ASSIGN_OR_RETURN(FileState state, Inspect(conn, newest));
  for (const Migration& m : migrations) {
    if (m.version <= state.version) continue;
    RETURN_IF_ERROR(conn.Exec(m.sql).WithContext(
        fmt::format("applying catalog migration {} ({}) to {}", m.version, m.description, conn.path())));
  }
  // PRAGMA takes no parameters; both values are integers formatted here.
  return conn.Exec(fmt::format("PRAGMA application_id = {}; PRAGMA user_version = {};", kWeftApplicationId, newest));
}

}  // namespace

std::span<const Migration> CatalogMigrations() {
  return kMigrations;
}

Status Migrate(Connection& conn, std::span<const Migration> migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return Status::Internal(fmt::format("catalog migration at position {} has version {}; versions must be 1, 2, ...",
                                          i, migrations[i].version));
    }
  }
  const int64_t newest = migrations.empty() ? 0 : migrations.back().version;
  // The usual case, an up-to-date catalog, takes no write lock: opening a
  // catalog must work while another process applies.
  ASSIGN_OR_RETURN(FileState state, Inspect(conn, newest));
  if (state.application_id == kWeftApplicationId && state.version == newest) return Status::Ok();

  const StoredPaths paths(conn.path());
  RETURN_IF_ERROR(
      conn.DefineTextFunction("weft_stored_path", [paths](const std::string& p) { return paths.ToStored(p); }));
  RETURN_IF_ERROR(conn.Exec("BEGIN IMMEDIATE").WithContext("while migrating the catalog " + conn.path()));
  Status status = MigrateLocked(conn, migrations, newest);
  if (status.ok()) status = conn.Exec("COMMIT").WithContext("while committing the catalog schema");
  if (!status.ok()) conn.Exec("ROLLBACK").IgnoreError();  // nothing to undo when BEGIN's lock was the failure
  return status;
}

}  // namespace weft::catalog::sqlite
