#include "catalog/postgres/migrations.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "catalog/postgres/text_search.h"
#include "common/strings.h"

namespace weft::catalog::postgres {
namespace {

// Version 1: the SQLite catalog's schema at its version 10, in PostgreSQL
// types. The conventions are the SQLite catalog's (sqlite/migrations.cc):
// text fields NOT NULL with '' for "not set", lists and maps as JSON text,
// times as ISO 8601 UTC text, flags as 0/1 integers; so both stores read and
// dump their rows alike.
//
// Search: search_fts and glossary_fts keep each document's text and, per
// text column, its tsvector (the 'simple' configuration: lower-cased words,
// no stemming, no stop words, as SQLite's unicode61 tokenizer), whose
// concatenation `document` is GIN-indexed for matching; the per-column
// vectors weight the rank (postgres_store.cc). The vectors are computed by
// the store from text with punctuation turned into spaces, so that, as in
// FTS5, customer_id is the two words customer and id. Text columns use the
// "C" collation: lists order bytewise, as SQLite's do, whatever the
// database's locale.
constexpr const char* kInitialSchema = R"sql(
CREATE TABLE weft_schema (
  id integer PRIMARY KEY CHECK (id = 1),
  application text COLLATE "C" NOT NULL,  -- 'weft': this database is a weft catalog
  version integer NOT NULL
);

CREATE TABLE catalog_meta (
  id integer PRIMARY KEY CHECK (id = 1),
  generation bigint NOT NULL,
  control_generation bigint NOT NULL
);
INSERT INTO catalog_meta (id, generation, control_generation) VALUES (1, 0, 0);

CREATE TABLE domains (
  name text COLLATE "C" PRIMARY KEY,
  description text COLLATE "C" NOT NULL,
  owners text COLLATE "C" NOT NULL,
  storage_root text COLLATE "C" NOT NULL,
  service_principal text COLLATE "C" NOT NULL,
  monthly_budget double precision,
  soft_limit_percent double precision,
  currency text COLLATE "C" NOT NULL,
  cost_center text COLLATE "C" NOT NULL,
  spec_json text COLLATE "C" NOT NULL,
  digest text COLLATE "C" NOT NULL
);

CREATE TABLE principals (
  name text COLLATE "C" PRIMARY KEY,
  kind text COLLATE "C" NOT NULL,
  display_name text COLLATE "C" NOT NULL,
  attributes text COLLATE "C" NOT NULL
);

CREATE TABLE memberships (
  source text COLLATE "C" NOT NULL,
  group_name text COLLATE "C" NOT NULL,
  principal text COLLATE "C" NOT NULL,
  role text COLLATE "C" NOT NULL,
  PRIMARY KEY (source, group_name, principal, role)
);
CREATE INDEX memberships_by_principal ON memberships (principal);

CREATE TABLE products (
  id text COLLATE "C" PRIMARY KEY,
  domain text COLLATE "C" NOT NULL REFERENCES domains (name),
  name text COLLATE "C" NOT NULL,
  status text COLLATE "C" NOT NULL,
  version text COLLATE "C" NOT NULL,
  tier text COLLATE "C" NOT NULL,
  description text COLLATE "C" NOT NULL,
  tags text COLLATE "C" NOT NULL,
  spec_json text COLLATE "C" NOT NULL,
  digest text COLLATE "C" NOT NULL,
  transform_sql text COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX products_by_domain ON products (domain);

CREATE TABLE port_versions (
  product_id text COLLATE "C" NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  port text COLLATE "C" NOT NULL,
  major bigint NOT NULL,
  version text COLLATE "C" NOT NULL,
  contract_id text COLLATE "C" NOT NULL,
  status text COLLATE "C" NOT NULL,
  end_of_support text COLLATE "C" NOT NULL,
  end_of_life text COLLATE "C" NOT NULL,
  storage_path text COLLATE "C" NOT NULL,
  PRIMARY KEY (product_id, port, major)
);

-- No foreign key to products: applied contract versions are history. `seq`
-- is the order versions were applied (SQLite's rowid), which the text order
-- of version strings is not (1.10.0 < 1.9.0).
CREATE TABLE contract_versions (
  contract_id text COLLATE "C" NOT NULL,
  version text COLLATE "C" NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  major bigint NOT NULL,
  product_id text COLLATE "C" NOT NULL,
  port text COLLATE "C" NOT NULL,
  spec_json text COLLATE "C" NOT NULL,
  digest text COLLATE "C" NOT NULL,
  applied_at text COLLATE "C" NOT NULL,
  PRIMARY KEY (contract_id, version)
);

CREATE TABLE reference_entities (
  name text COLLATE "C" PRIMARY KEY,
  mastered_by text COLLATE "C" NOT NULL,
  identifier_name text COLLATE "C" NOT NULL,
  spec_json text COLLATE "C" NOT NULL,
  digest text COLLATE "C" NOT NULL
);

CREATE TABLE snapshots (
  id text COLLATE "C" PRIMARY KEY,
  product_id text COLLATE "C" NOT NULL,
  major bigint NOT NULL,
  parent_id text COLLATE "C" NOT NULL,
  created_at text COLLATE "C" NOT NULL,
  row_count bigint NOT NULL,
  byte_count bigint NOT NULL,
  file_count bigint NOT NULL,
  contract_version text COLLATE "C" NOT NULL,
  input_checksum text COLLATE "C" NOT NULL,
  quality_json text COLLATE "C" NOT NULL,
  path text COLLATE "C" NOT NULL DEFAULT '',
  publish_id text COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX snapshots_by_product ON snapshots (product_id, major, created_at);

CREATE TABLE waivers (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  policy_id text COLLATE "C" NOT NULL,
  subject text COLLATE "C" NOT NULL,
  reason text COLLATE "C" NOT NULL,
  approver text COLLATE "C" NOT NULL,
  expires_at text COLLATE "C" NOT NULL,
  created_at text COLLATE "C" NOT NULL
);

CREATE TABLE audit_events (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  time text COLLATE "C" NOT NULL,
  actor text COLLATE "C" NOT NULL,
  action text COLLATE "C" NOT NULL,
  object text COLLATE "C" NOT NULL,
  before_digest text COLLATE "C" NOT NULL,
  after_digest text COLLATE "C" NOT NULL,
  detail text COLLATE "C" NOT NULL
);
CREATE INDEX audit_events_by_object ON audit_events (object);
CREATE INDEX audit_events_by_time ON audit_events (time);

CREATE TABLE search_documents (
  doc_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  product_id text COLLATE "C" NOT NULL UNIQUE REFERENCES products (id) ON DELETE CASCADE,
  domain text COLLATE "C" NOT NULL,
  name text COLLATE "C" NOT NULL,
  status text COLLATE "C" NOT NULL,
  golden_record bigint NOT NULL,
  reference_entities text COLLATE "C" NOT NULL
);
CREATE INDEX search_documents_by_name ON search_documents (name);

CREATE TABLE search_facets (
  product_id text COLLATE "C" NOT NULL REFERENCES search_documents (product_id) ON DELETE CASCADE,
  facet text COLLATE "C" NOT NULL,  -- tag | classification | column_tag
  value text COLLATE "C" NOT NULL,
  PRIMARY KEY (product_id, facet, value)
);
CREATE INDEX search_facets_by_value ON search_facets (facet, value);

CREATE TABLE search_fts (
  doc_id bigint PRIMARY KEY REFERENCES search_documents (doc_id) ON DELETE CASCADE,
  name text COLLATE "C" NOT NULL,
  tags text COLLATE "C" NOT NULL,
  columns text COLLATE "C" NOT NULL,
  description text COLLATE "C" NOT NULL,
  column_descriptions text COLLATE "C" NOT NULL,
  name_v tsvector NOT NULL,
  tags_v tsvector NOT NULL,
  columns_v tsvector NOT NULL,
  description_v tsvector NOT NULL,
  column_descriptions_v tsvector NOT NULL,
  document tsvector GENERATED ALWAYS AS (
    name_v || tags_v || columns_v || description_v || column_descriptions_v) STORED
);
CREATE INDEX search_fts_document ON search_fts USING gin (document);

CREATE TABLE publishes (
  id text COLLATE "C" PRIMARY KEY,
  product_id text COLLATE "C" NOT NULL,
  major bigint NOT NULL,
  actor text COLLATE "C" NOT NULL,
  started_at text COLLATE "C" NOT NULL,
  finished_at text COLLATE "C" NOT NULL,
  outcome text COLLATE "C" NOT NULL,
  mode text COLLATE "C" NOT NULL,
  snapshot_id text COLLATE "C" NOT NULL,
  rows_in bigint NOT NULL,
  rows_valid bigint NOT NULL,
  rows_quarantined bigint NOT NULL,
  input_checksum text COLLATE "C" NOT NULL,
  input_archive text COLLATE "C" NOT NULL,
  quarantine_path text COLLATE "C" NOT NULL,
  message text COLLATE "C" NOT NULL
);
CREATE INDEX publishes_by_product ON publishes (product_id, started_at);

CREATE TABLE quality_results (
  publish_id text COLLATE "C" NOT NULL REFERENCES publishes (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  position bigint NOT NULL,
  rule_id text COLLATE "C" NOT NULL,
  kind text COLLATE "C" NOT NULL,
  object text COLLATE "C" NOT NULL,
  column_name text COLLATE "C" NOT NULL,
  severity text COLLATE "C" NOT NULL,
  dimension text COLLATE "C" NOT NULL,
  failing_rows bigint NOT NULL,
  checked_rows bigint NOT NULL,
  value double precision NOT NULL,
  threshold text COLLATE "C" NOT NULL,
  passed bigint NOT NULL,
  row_level bigint NOT NULL,
  PRIMARY KEY (publish_id, position)
);

CREATE TABLE access_requests (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  product_id text COLLATE "C" NOT NULL,
  major bigint NOT NULL,
  principal text COLLATE "C" NOT NULL,
  grantee text COLLATE "C" NOT NULL,
  columns text COLLATE "C" NOT NULL,
  purpose text COLLATE "C" NOT NULL,
  until text COLLATE "C" NOT NULL,
  status text COLLATE "C" NOT NULL,
  created_at text COLLATE "C" NOT NULL,
  decided_by text COLLATE "C" NOT NULL,
  decided_at text COLLATE "C" NOT NULL,
  reason text COLLATE "C" NOT NULL,
  grant_id bigint NOT NULL
);

CREATE TABLE grants (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  product_id text COLLATE "C" NOT NULL,
  major bigint NOT NULL,
  grantee text COLLATE "C" NOT NULL,
  columns text COLLATE "C" NOT NULL,
  purpose text COLLATE "C" NOT NULL,
  expires_at text COLLATE "C" NOT NULL,
  clearances text COLLATE "C" NOT NULL,
  row_filter text COLLATE "C" NOT NULL,
  granted_by text COLLATE "C" NOT NULL,
  granted_at text COLLATE "C" NOT NULL,
  request_id bigint NOT NULL,
  revoked_by text COLLATE "C" NOT NULL,
  revoked_at text COLLATE "C" NOT NULL
);
CREATE INDEX grants_by_product ON grants (product_id, major);

CREATE TABLE usage (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  at text COLLATE "C" NOT NULL,
  principal text COLLATE "C" NOT NULL,
  consumer_domain text COLLATE "C" NOT NULL,
  kind text COLLATE "C" NOT NULL,
  products text COLLATE "C" NOT NULL,
  columns text COLLATE "C" NOT NULL,
  rows_scanned bigint NOT NULL,
  bytes_scanned bigint NOT NULL,
  rows_returned bigint NOT NULL,
  cpu_seconds double precision NOT NULL,
  wall_seconds double precision NOT NULL,
  cost double precision NOT NULL,
  status text COLLATE "C" NOT NULL,
  message text COLLATE "C" NOT NULL
);
CREATE INDEX usage_by_time ON usage (at);
CREATE INDEX usage_by_consumer ON usage (consumer_domain, at);

CREATE TABLE tokens (
  id text COLLATE "C" PRIMARY KEY,
  principal text COLLATE "C" NOT NULL,
  hash text COLLATE "C" NOT NULL UNIQUE,
  description text COLLATE "C" NOT NULL,
  created_by text COLLATE "C" NOT NULL,
  created_at text COLLATE "C" NOT NULL,
  expires_at text COLLATE "C" NOT NULL,
  revoked_by text COLLATE "C" NOT NULL,
  revoked_at text COLLATE "C" NOT NULL
);

CREATE TABLE sla_checks (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  at text COLLATE "C" NOT NULL,
  product_id text COLLATE "C" NOT NULL,
  major bigint NOT NULL,
  sla text COLLATE "C" NOT NULL,
  property text COLLATE "C" NOT NULL,
  state text COLLATE "C" NOT NULL,
  target double precision,
  actual double precision,
  unit text COLLATE "C" NOT NULL,
  detail text COLLATE "C" NOT NULL
);
CREATE INDEX sla_checks_by_product ON sla_checks (product_id, id);

CREATE TABLE incidents (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  product_id text COLLATE "C" NOT NULL,
  major bigint NOT NULL,
  kind text COLLATE "C" NOT NULL,
  condition text COLLATE "C" NOT NULL,
  subject text COLLATE "C" NOT NULL,
  severity text COLLATE "C" NOT NULL,
  title text COLLATE "C" NOT NULL,
  status text COLLATE "C" NOT NULL,
  assignee text COLLATE "C" NOT NULL,
  opened_at text COLLATE "C" NOT NULL,
  updated_at text COLLATE "C" NOT NULL,
  resolved_at text COLLATE "C" NOT NULL,
  resolution text COLLATE "C" NOT NULL,
  false_positive bigint NOT NULL,
  detail text COLLATE "C" NOT NULL
);
CREATE INDEX incidents_by_product ON incidents (product_id, condition, subject);
CREATE INDEX incidents_by_status ON incidents (status);

CREATE TABLE incident_events (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  incident_id bigint NOT NULL REFERENCES incidents (id),
  at text COLLATE "C" NOT NULL,
  actor text COLLATE "C" NOT NULL,
  kind text COLLATE "C" NOT NULL,
  message text COLLATE "C" NOT NULL
);
CREATE INDEX incident_events_by_incident ON incident_events (incident_id, id);

CREATE TABLE subscriptions (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  principal text COLLATE "C" NOT NULL,
  product_id text COLLATE "C" NOT NULL,
  created_at text COLLATE "C" NOT NULL,
  UNIQUE (principal, product_id)
);

CREATE TABLE webhooks (
  id text COLLATE "C" PRIMARY KEY,
  principal text COLLATE "C" NOT NULL,
  url text COLLATE "C" NOT NULL,
  secret text COLLATE "C" NOT NULL,
  events text COLLATE "C" NOT NULL,
  created_at text COLLATE "C" NOT NULL,
  removed_at text COLLATE "C" NOT NULL
);

CREATE TABLE deliveries (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  webhook_id text COLLATE "C" NOT NULL REFERENCES webhooks (id),
  event_id text COLLATE "C" NOT NULL,
  event_type text COLLATE "C" NOT NULL,
  subject text COLLATE "C" NOT NULL,
  payload text COLLATE "C" NOT NULL,
  status text COLLATE "C" NOT NULL,
  attempts bigint NOT NULL,
  created_at text COLLATE "C" NOT NULL,
  next_attempt_at text COLLATE "C" NOT NULL,
  last_attempt_at text COLLATE "C" NOT NULL,
  last_http_status bigint NOT NULL,
  last_error text COLLATE "C" NOT NULL,
  UNIQUE (webhook_id, event_id)
);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);

CREATE TABLE snapshot_profiles (
  snapshot_id text COLLATE "C" PRIMARY KEY,
  product_id text COLLATE "C" NOT NULL,
  computed_at text COLLATE "C" NOT NULL,
  columns_json text COLLATE "C" NOT NULL
);

CREATE TABLE glossary_terms (
  term_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name text COLLATE "C" NOT NULL UNIQUE,
  title text COLLATE "C" NOT NULL,
  domain text COLLATE "C" NOT NULL,
  definition text COLLATE "C" NOT NULL,
  owners text COLLATE "C" NOT NULL,
  synonyms text COLLATE "C" NOT NULL,
  related text COLLATE "C" NOT NULL,
  spec_json text COLLATE "C" NOT NULL,
  digest text COLLATE "C" NOT NULL
);

CREATE TABLE glossary_links (
  term text COLLATE "C" NOT NULL REFERENCES glossary_terms (name) ON DELETE CASCADE,
  product_id text COLLATE "C" NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  port text COLLATE "C" NOT NULL,
  major bigint NOT NULL,
  contract_id text COLLATE "C" NOT NULL,
  contract_version text COLLATE "C" NOT NULL,
  object text COLLATE "C" NOT NULL,
  column_name text COLLATE "C" NOT NULL,
  via text COLLATE "C" NOT NULL,
  PRIMARY KEY (term, product_id, port, major, object, column_name)
);
CREATE INDEX glossary_links_by_product ON glossary_links (product_id);

-- `name` is the term's name and title.
CREATE TABLE glossary_fts (
  term_id bigint PRIMARY KEY REFERENCES glossary_terms (term_id) ON DELETE CASCADE,
  name text COLLATE "C" NOT NULL,
  synonyms text COLLATE "C" NOT NULL,
  definition text COLLATE "C" NOT NULL,
  name_v tsvector NOT NULL,
  synonyms_v tsvector NOT NULL,
  definition_v tsvector NOT NULL,
  document tsvector GENERATED ALWAYS AS (name_v || synonyms_v || definition_v) STORED
);
CREATE INDEX glossary_fts_document ON glossary_fts USING gin (document);
)sql";

// Version 2, as the SQLite catalog's version 11: the month-to-date cost of
// each consuming domain, kept by a trigger on usage. A budget check runs
// before every query and must cost a key lookup, not a sum over the month's
// usage rows (which grow with every query).
constexpr const char* kUsageMonthlySchema = R"sql(
CREATE TABLE usage_monthly (
  consumer_domain text COLLATE "C" NOT NULL,
  month text COLLATE "C" NOT NULL,  -- the YYYY-MM of usage.at
  cost double precision NOT NULL,
  PRIMARY KEY (consumer_domain, month)
);
INSERT INTO usage_monthly (consumer_domain, month, cost)
  SELECT consumer_domain, left(at, 7), SUM(cost) FROM usage GROUP BY 1, 2;
CREATE FUNCTION usage_monthly_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO usage_monthly (consumer_domain, month, cost) VALUES (NEW.consumer_domain, left(NEW.at, 7), NEW.cost)
    ON CONFLICT (consumer_domain, month) DO UPDATE SET cost = usage_monthly.cost + excluded.cost;
  RETURN NULL;
END $$;
CREATE TRIGGER usage_monthly_add AFTER INSERT ON usage FOR EACH ROW EXECUTE FUNCTION usage_monthly_add();
)sql";

// Version 3: search ranks on one weighted vector in the narrow
// search_documents row (kRankedVectorSql) instead of five ts_rank calls over
// search_fts's wide rows, which hold the texts and vectors the snippets
// need. Ranking every match of a common word read and decompressed each
// wide row five times: 10x slower (docs/benchmarks.md, bench/postgres).
constexpr const char* kRankedSearchSchema = R"sql(
ALTER TABLE search_documents ADD COLUMN ranked tsvector NOT NULL DEFAULT ''::tsvector;
UPDATE search_documents d SET ranked = {}
  FROM search_fts f WHERE f.doc_id = d.doc_id;
CREATE INDEX search_documents_ranked ON search_documents USING gin (ranked);
DROP INDEX search_fts_document;
ALTER TABLE search_fts DROP COLUMN document;
)sql";

const std::string& RankedSearchSchema() {
  static const std::string sql = fmt::format(kRankedSearchSchema, RankedVectorSql("f"));
  return sql;
}

// Version 4: search text folded as the SQLite store's FTS5 folds it (é ->
// e, É -> e: IndexText), so "cafe" finds "Café" on both stores. The vectors
// of entries whose text is not all ASCII (the only ones folding changes)
// are computed again from the texts kept beside them.
constexpr const char* kNotAscii = R"sql(~ '[^\x01-\x7f]')sql";

Status RefoldSearchText(Connection& conn) {
  ASSIGN_OR_RETURN(Rows docs, conn.Query(fmt::format(R"sql(
      SELECT doc_id, name, tags, columns, description, column_descriptions FROM search_fts
      WHERE name || tags || columns || description || column_descriptions {})sql",
                                                     kNotAscii)));
  for (int i = 0; i < docs.size(); ++i) {
    RETURN_IF_ERROR(conn.Query(R"sql(
        UPDATE search_fts SET name_v = to_tsvector('simple', $2), tags_v = to_tsvector('simple', $3),
                              columns_v = to_tsvector('simple', $4), description_v = to_tsvector('simple', $5),
                              column_descriptions_v = to_tsvector('simple', $6)
        WHERE doc_id = $1)sql",
                               docs.Int(i, 0), IndexText(docs.Text(i, 1)), IndexText(docs.Text(i, 2)),
                               IndexText(docs.Text(i, 3)), IndexText(docs.Text(i, 4)), IndexText(docs.Text(i, 5)))
                        .status());
  }
  RETURN_IF_ERROR(conn.Exec(fmt::format(R"sql(
      UPDATE search_documents d SET ranked = {} FROM search_fts f
      WHERE f.doc_id = d.doc_id AND f.name || f.tags || f.columns || f.description || f.column_descriptions {})sql",
                                        RankedVectorSql("f"), kNotAscii)));
  ASSIGN_OR_RETURN(Rows terms, conn.Query(fmt::format(
                                   "SELECT term_id, name, synonyms, definition FROM glossary_fts "
                                   "WHERE name || synonyms || definition {}",
                                   kNotAscii)));
  for (int i = 0; i < terms.size(); ++i) {
    RETURN_IF_ERROR(conn.Query(R"sql(
        UPDATE glossary_fts SET name_v = to_tsvector('simple', $2), synonyms_v = to_tsvector('simple', $3),
                                definition_v = to_tsvector('simple', $4)
        WHERE term_id = $1)sql",
                               terms.Int(i, 0), IndexText(terms.Text(i, 1)), IndexText(terms.Text(i, 2)),
                               IndexText(terms.Text(i, 3)))
                        .status());
  }
  return Status::Ok();
}

// The SQLite catalog's version 13: how far each producer's stream into a
// streaming product is committed (service/stream.h).
constexpr const char* kStreamOffsetSchema = R"sql(
CREATE TABLE IF NOT EXISTS stream_offsets (
  product_id text COLLATE "C" NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  major bigint NOT NULL,
  producer text COLLATE "C" NOT NULL,
  committed_lines bigint NOT NULL,
  publish_id text COLLATE "C" NOT NULL,
  snapshot_id text COLLATE "C" NOT NULL,
  updated_at text COLLATE "C" NOT NULL,
  PRIMARY KEY (product_id, major, producer)
);
)sql";

const std::vector<Migration>& AllMigrations() {
  static const std::vector<Migration> migrations = {
      {1, "initial schema (the SQLite catalog's version 10)", kInitialSchema},
      {2, "usage: month-to-date cost per consuming domain", kUsageMonthlySchema},
      {3, "search: one weighted vector per product, ranked in the narrow row", RankedSearchSchema().c_str()},
      {4, "search: accents and Latin capitals folded as in the SQLite store", "", RefoldSearchText},
      {5, "streaming products: producer offsets", kStreamOffsetSchema},
  };
  return migrations;
}

// Tables in the schema weft uses (the connection's current schema).
Result<std::vector<std::string>> ListTables(Connection& conn) {
  ASSIGN_OR_RETURN(Rows rows, conn.Query(R"sql(
      SELECT table_name FROM information_schema.tables
      WHERE table_schema = current_schema() ORDER BY table_name)sql"));
  std::vector<std::string> names;
  for (int i = 0; i < rows.size(); ++i) names.push_back(rows.Text(i, 0));
  return names;
}

// The version of the catalog, after refusing a database that is not one or
// is newer than this weft.
Result<int64_t> Inspect(Connection& conn, int64_t newest) {
  ASSIGN_OR_RETURN(std::vector<std::string> tables, ListTables(conn));
  if (tables.empty()) return 0;  // an empty database: it becomes a catalog
  if (std::find(tables.begin(), tables.end(), "weft_schema") == tables.end()) {
    return Status::FailedPrecondition(
        fmt::format("the PostgreSQL database {} is not a weft catalog: it holds other tables ({}); point weft at an "
                    "empty database",
                    conn.name(), Join(tables, ", ")));
  }
  ASSIGN_OR_RETURN(Rows rows, conn.Query("SELECT application, version FROM weft_schema WHERE id = 1"));
  if (rows.size() != 1 || rows.Text(0, 0) != "weft") {
    return Status::FailedPrecondition(
        fmt::format("the PostgreSQL database {} is not a weft catalog (its weft_schema table has no weft mark)",
                    conn.name()));
  }
  const int64_t version = rows.Int(0, 1);
  if (version > newest) {
    return Status::FailedPrecondition(fmt::format(
        "the PostgreSQL catalog {} was written by a newer weft (schema {}, this weft knows up to {}); upgrade weft",
        conn.name(), version, newest));
  }
  return version;
}

Status MigrateLocked(Connection& conn, std::span<const Migration> migrations, int64_t newest) {
  ASSIGN_OR_RETURN(int64_t version, Inspect(conn, newest));
  for (const Migration& m : migrations) {
    if (m.version <= version) continue;
    const std::string context =
        fmt::format("applying catalog migration {} ({}) to {}", m.version, m.description, conn.name());
    if (*m.sql != '\0') RETURN_IF_ERROR(conn.Exec(m.sql).WithContext(context));
    if (m.then != nullptr) RETURN_IF_ERROR(m.then(conn).WithContext(context));
  }
  return conn
      .Query(R"sql(
          INSERT INTO weft_schema (id, application, version) VALUES (1, 'weft', $1)
          ON CONFLICT (id) DO UPDATE SET version = excluded.version)sql",
             newest)
      .status();
}

}  // namespace

std::span<const Migration> CatalogMigrations() {
  return AllMigrations();
}

Result<int64_t> SchemaVersion(Connection& conn) {
  return Inspect(conn, std::numeric_limits<int64_t>::max());
}

Status Migrate(Connection& conn, std::span<const Migration> migrations, int lock_timeout_ms) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return Status::Internal(fmt::format("catalog migration at position {} has version {}; versions must be 1, 2, ...",
                                          i, migrations[i].version));
    }
  }
  const int64_t newest = migrations.empty() ? 0 : migrations.back().version;
  // An up-to-date catalog takes no lock: opening must work while another
  // process applies.
  ASSIGN_OR_RETURN(int64_t version, Inspect(conn, newest));
  if (version == newest) return Status::Ok();

  const std::string context = "while migrating the catalog " + conn.name();
  RETURN_IF_ERROR(conn.Exec("BEGIN").WithContext(context));
  Status status = conn.Exec(fmt::format("SET LOCAL lock_timeout = {}", lock_timeout_ms));
  if (status.ok()) status = conn.Query("SELECT pg_advisory_xact_lock($1)", kWriteLockKey).status();
  if (status.ok()) status = MigrateLocked(conn, migrations, newest);
  if (status.ok()) status = conn.Exec("COMMIT").WithContext("while committing the catalog schema");
  if (!status.ok()) conn.Exec("ROLLBACK").IgnoreError();  // DDL included: nothing is left half-done
  return status.WithContext(context);
}

}  // namespace weft::catalog::postgres
