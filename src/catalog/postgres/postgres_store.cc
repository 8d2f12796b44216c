#include "catalog/postgres/postgres_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>
#include <map>
#include <utility>

#include "catalog/internal/record_rows.h"
#include "catalog/postgres/migrations.h"
#include "catalog/postgres/tables.h"
#include "catalog/postgres/text_search.h"
#include "common/strings.h"

namespace weft::catalog::postgres {
namespace {

using namespace catalog_internal;  // the shared row decoders and column lists

// ISO 8601 UTC with milliseconds, e.g. 2025-03-01T12:00:00.123Z: sorts as
// time, and is the SQLite store's format.
constexpr const char* kNowSql =
    R"sql(to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))sql";

// Search ranking: the SQLite store's bm25 column weights (name 10, tags 5,
// columns 3, description 2, column descriptions 1) as the labels of one
// weighted vector (RankedVectorSql), so a word in the name counts most; a
// golden record gets the same boost; a product found through a glossary
// term ranks at half the term's score (terms: name 10, synonyms 8,
// definition 2, over unlabelled vectors: ts_rank weighs those 0.1).
const std::string kRankSql = fmt::format("ts_rank({}, d.ranked, q.query)::float8", kRankWeightsSql);
constexpr const char* kTermRankSql =
    "(10 * ts_rank(g.name_v, q.query) + 8 * ts_rank(g.synonyms_v, q.query) + "
    "2 * ts_rank(g.definition_v, q.query))::float8";
constexpr double kGoldenRecordBoost = 1.5;
constexpr double kTermLinkWeight = 0.5;
constexpr int kMaxSearchLimit = 1000;
// Snippets: the best-matching column's text around the matches, [marked].
// Fragment mode (MaxFragments) centers the words around the match, as FTS5 does.
constexpr const char* kHeadlineOptions =
    "StartSel=[, StopSel=], MaxWords=12, MinWords=6, ShortWord=0, MaxFragments=1, FragmentDelimiter=...";

// The search filters ($1 domain, $2 status, $3 tag, $4 classification,
// $5 column tag), shared by the hit list and the facet counts; '' means any.
constexpr const char* kSearchFilterSql = R"sql(
  AND ($1::text = '' OR d.domain = $1)
  AND ($2::text = '' OR d.status = $2)
  AND ($3::text = '' OR EXISTS (SELECT 1 FROM search_facets sf
                                WHERE sf.product_id = d.product_id AND sf.facet = 'tag' AND sf.value = $3))
  AND ($4::text = '' OR EXISTS (SELECT 1 FROM search_facets sf
                                WHERE sf.product_id = d.product_id AND sf.facet = 'classification'
                                  AND sf.value = $4))
  AND ($5::text = '' OR EXISTS (SELECT 1 FROM search_facets sf
                                WHERE sf.product_id = d.product_id AND sf.facet = 'column_tag' AND sf.value = $5)))sql";

// The snippet of glossary term `g` for query `q.query`: its best-matching column.
constexpr const char* kTermSnippetSql = R"sql(
  (SELECT ts_headline('simple', c.text, q.query, '{0}')
   FROM (VALUES (1, g.name, g.name_v, 10.0), (2, g.synonyms, g.synonyms_v, 8.0),
                (3, g.definition, g.definition_v, 2.0)) AS c (i, text, v, weight)
   ORDER BY c.v @@ q.query DESC, c.weight * ts_rank(c.v, q.query) DESC, c.i LIMIT 1))sql";

// A text[] literal for a parameter: every element quoted, its quotes and
// backslashes escaped, so no value is read as array syntax.
std::string TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    out += i == 0 ? "\"" : ",\"";
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

// Paths are stored as given: a PostgreSQL catalog has no directory of its
// own that they could be relative to.
struct AsStored {
  const std::string& Resolve(const std::string& stored) const { return stored; }
};
constexpr AsStored kAsStored;

// LIMIT NULL is no limit.
std::optional<std::string> LimitParam(int limit) {
  if (limit <= 0) return std::nullopt;
  return Param(int64_t{limit});
}

// Decodes every row with `decode` (a function of a Row returning Result<T>).
template <typename Decode>
auto Collect(const Rows& rows, Decode decode)
    -> Result<std::vector<std::decay_t<decltype(decode(std::declval<const Row&>()).value())>>> {
  using T = std::decay_t<decltype(decode(std::declval<const Row&>()).value())>;
  std::vector<T> out;
  out.reserve(static_cast<size_t>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    ASSIGN_OR_RETURN(T value, decode(Row(rows, i)));
    out.push_back(std::move(value));
  }
  return out;
}

// One of catalog_meta's counters: "generation" or "control_generation".
Result<int64_t> ReadGeneration(Connection& conn, const char* column) {
  ASSIGN_OR_RETURN(Rows rows, conn.Query(fmt::format("SELECT {} FROM catalog_meta", column)));
  if (rows.size() != 1) return Status::Internal("the catalog has no generation row");
  return rows.Int(0, 0);
}

// Dump formatting of one value: numbers bare, text quoted as SQL.
std::string DumpValue(const Rows& rows, int row, int column) {
  if (rows.IsNull(row, column)) return "NULL";
  constexpr Oid kInt8 = 20, kInt2 = 21, kInt4 = 23, kFloat8 = 701;
  switch (rows.ColumnType(column)) {
    case kInt8:
    case kInt2:
    case kInt4:
    case kFloat8:
      return rows.Text(row, column);
    default:
      return SqlQuote(rows.Text(row, column));
  }
}

// --- the write transaction ------------------------------------------------------

// Holds the catalog's advisory write lock from BeginWrite until Commit or
// destruction (it is a transaction lock: ending the transaction frees it).
class PostgresTransaction final : public Transaction {
 public:
  explicit PostgresTransaction(Connection conn) : conn_(std::move(conn)) {}
  ~PostgresTransaction() override {
    if (open_) conn_.Exec("ROLLBACK").IgnoreError();  // nothing more can be done in a destructor
  }

  Result<int64_t> Generation() override {
    RETURN_IF_ERROR(CheckOpen());
    return ReadGeneration(conn_, "generation");
  }
  Result<int64_t> ControlGeneration() override {
    RETURN_IF_ERROR(CheckOpen());
    return ReadGeneration(conn_, "control_generation");
  }

  Result<std::optional<SnapshotRecord>> CurrentSnapshot(const std::string& product_id, int64_t major) override {
    RETURN_IF_ERROR(CheckOpen());
    ASSIGN_OR_RETURN(Rows rows, conn_.Query(fmt::format("SELECT {} FROM snapshots WHERE product_id = $1 AND major = $2 "
                                                        "ORDER BY created_at DESC, id DESC LIMIT 1",
                                                        kSnapshotColumns),
                                            product_id, major));
    ASSIGN_OR_RETURN(auto found, Collect(rows, [](const Row& r) { return DecodeSnapshot(r, kAsStored); }));
    if (found.empty()) return std::optional<SnapshotRecord>();
    return std::optional<SnapshotRecord>(std::move(found[0]));
  }

  Status UpsertDomain(const DomainRecord& d) override {
    RETURN_IF_ERROR(RequireKey(d.name, "the domain name"));
    return Write("while saving domain " + d.name, R"sql(
        INSERT INTO domains (name, description, owners, storage_root, service_principal, monthly_budget,
                             soft_limit_percent, currency, cost_center, spec_json, digest)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        ON CONFLICT (name) DO UPDATE SET
          description = excluded.description, owners = excluded.owners, storage_root = excluded.storage_root,
          service_principal = excluded.service_principal, monthly_budget = excluded.monthly_budget,
          soft_limit_percent = excluded.soft_limit_percent, currency = excluded.currency,
          cost_center = excluded.cost_center, spec_json = excluded.spec_json, digest = excluded.digest)sql",
               d.name, d.description, ToJson(d.owners), d.storage_root, d.service_principal, d.monthly_budget,
               d.soft_limit_percent, d.currency, d.cost_center, d.spec_json, d.digest);
  }

  Status DeleteDomain(const std::string& name) override {
    RETURN_IF_ERROR(CheckOpen());
    const std::string context = "while deleting domain " + name;
    // Checked here rather than left to the foreign key, to name the products.
    ASSIGN_OR_RETURN(Rows products, conn_.Query("SELECT id FROM products WHERE domain = $1 ORDER BY id", name));
    if (products.size() > 0) {
      std::vector<std::string> ids;
      for (int i = 0; i < products.size(); ++i) ids.push_back(products.Text(i, 0));
      return Status::FailedPrecondition(
          fmt::format("domain {} still has products ({}); delete them first", name, Join(ids, ", ")));
    }
    RETURN_IF_ERROR(Run("DELETE FROM domains WHERE name = $1", name).WithContext(context));
    return RequireChanged("domain " + name);
  }

  Status UpsertPrincipal(const PrincipalRecord& p) override {
    RETURN_IF_ERROR(RequireKey(p.name, "the principal name"));
    return Write("while saving principal " + p.name, R"sql(
        INSERT INTO principals (name, kind, display_name, attributes) VALUES ($1, $2, $3, $4)
        ON CONFLICT (name) DO UPDATE SET
          kind = excluded.kind, display_name = excluded.display_name, attributes = excluded.attributes)sql",
               p.name, p.kind, p.display_name, ToJson(p.attributes));
  }

  Status EnsurePrincipal(const PrincipalRecord& p) override {
    RETURN_IF_ERROR(RequireKey(p.name, "the principal name"));
    return Write("while saving principal " + p.name, R"sql(
        INSERT INTO principals AS old (name, kind, display_name, attributes) VALUES ($1, $2, $3, $4)
        ON CONFLICT (name) DO UPDATE SET
          display_name = CASE WHEN old.display_name = '' THEN excluded.display_name ELSE old.display_name END)sql",
               p.name, p.kind, p.display_name, ToJson(p.attributes));
  }

  Status ReplaceMemberships(const std::string& source, const std::vector<MembershipRecord>& memberships) override {
    RETURN_IF_ERROR(RequireKey(source, "the membership source"));
    const std::string context = "while replacing the memberships declared by " + source;
    for (const MembershipRecord& m : memberships) {
      if (!m.source.empty() && m.source != source) {
        return Status::InvalidArgument(fmt::format("membership of {} in {} is declared by {}, not by {}", m.principal,
                                                   m.group, m.source, source))
            .WithContext(context);
      }
    }
    RETURN_IF_ERROR(Write(context, "DELETE FROM memberships WHERE source = $1", source));
    for (const MembershipRecord& m : memberships) {
      // A membership listed twice is one membership.
      RETURN_IF_ERROR(Write(context, R"sql(
          INSERT INTO memberships (source, group_name, principal, role) VALUES ($1, $2, $3, $4)
          ON CONFLICT DO NOTHING)sql",
                          source, m.group, m.principal, m.role));
    }
    return Status::Ok();
  }

  Status UpsertProduct(const ProductRecord& p) override {
    RETURN_IF_ERROR(RequireKey(p.id, "the product id"));
    // A missing domain: the foreign key's error, "domain … is not in the
    // catalog" (connection.cc), at the next statement that waits.
    return Write("while saving product " + p.id, R"sql(
        INSERT INTO products (id, domain, name, status, version, tier, description, tags, spec_json, digest,
                              transform_sql)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        ON CONFLICT (id) DO UPDATE SET
          domain = excluded.domain, name = excluded.name, status = excluded.status, version = excluded.version,
          tier = excluded.tier, description = excluded.description, tags = excluded.tags,
          spec_json = excluded.spec_json, digest = excluded.digest, transform_sql = excluded.transform_sql)sql",
               p.id, p.domain, p.name, p.status, p.version, p.tier, p.description, ToJson(p.tags), p.spec_json,
               p.digest, p.transform_sql);
  }

  Status DeleteProduct(const std::string& id) override {
    // Port versions, glossary links and the search entry go with it (ON
    // DELETE CASCADE, see migrations.cc).
    RETURN_IF_ERROR(Run("DELETE FROM products WHERE id = $1", id).WithContext("while deleting product " + id));
    return RequireChanged("product " + id);
  }

  Status UpsertPortVersion(const PortVersionRecord& v) override {
    const std::string context = fmt::format("while saving port {} v{} of product {}", v.port, v.major, v.product_id);
    RETURN_IF_ERROR(RequireKey(v.port, "the port name"));
    return Write(context, R"sql(
        INSERT INTO port_versions (product_id, port, major, version, contract_id, status, end_of_support,
                                   end_of_life, storage_path)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        ON CONFLICT (product_id, port, major) DO UPDATE SET
          version = excluded.version, contract_id = excluded.contract_id, status = excluded.status,
          end_of_support = excluded.end_of_support, end_of_life = excluded.end_of_life,
          storage_path = excluded.storage_path)sql",
               v.product_id, v.port, v.major, v.version, v.contract_id, v.status, v.end_of_support, v.end_of_life,
               v.storage_path);
  }

  Status InsertContractVersion(const ContractVersionRecord& c) override {
    RETURN_IF_ERROR(RequireKey(c.contract_id, "the contract id"));
    RETURN_IF_ERROR(RequireKey(c.version, "the contract version"));
    RETURN_IF_ERROR(CheckOpen());
    const std::string context = fmt::format("while saving contract {} version {}", c.contract_id, c.version);
    ASSIGN_OR_RETURN(Rows existing,
                     conn_.Query("SELECT digest FROM contract_versions WHERE contract_id = $1 AND version = $2",
                                 c.contract_id, c.version));
    if (existing.size() > 0) {
      if (existing.Text(0, 0) == c.digest) return Status::Ok();  // re-applying the same spec
      return Status::AlreadyExists(fmt::format(
          "contract {} version {} is already applied with a different spec; versions are immutable — bump the version",
          c.contract_id, c.version));
    }
    return Write(context, fmt::format(R"sql(
        INSERT INTO contract_versions (contract_id, version, major, product_id, port, spec_json, digest, applied_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE(NULLIF($8, ''), {})))sql",
                           kNowSql),
               c.contract_id, c.version, c.major, c.product_id, c.port, c.spec_json, c.digest, c.applied_at);
  }

  Status UpsertReferenceEntity(const ReferenceEntityRecord& e) override {
    RETURN_IF_ERROR(RequireKey(e.name, "the reference entity name"));
    return Write("while saving reference entity " + e.name, R"sql(
        INSERT INTO reference_entities (name, mastered_by, identifier_name, spec_json, digest)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (name) DO UPDATE SET
          mastered_by = excluded.mastered_by, identifier_name = excluded.identifier_name,
          spec_json = excluded.spec_json, digest = excluded.digest)sql",
               e.name, e.mastered_by, e.identifier_name, e.spec_json, e.digest);
  }

  Status DeleteReferenceEntity(const std::string& name) override {
    RETURN_IF_ERROR(Run("DELETE FROM reference_entities WHERE name = $1", name)
                        .WithContext("while deleting reference entity " + name));
    return RequireChanged("reference entity " + name);
  }

  Status IndexForSearch(const SearchDocument& doc) override {
    const std::string context = "while indexing product " + doc.product_id + " for search";
    // Replaces the previous entry: the cascade removes its text and facets.
    RETURN_IF_ERROR(Write(context, "DELETE FROM search_documents WHERE product_id = $1", doc.product_id));
    const std::string tags = Join(doc.tags, " ") + " " + Join(doc.column_tags, " ");
    // Each column's vector once: the snippets' (search_fts) and, weighted
    // into one, the ranking's (search_documents.ranked).
    static const std::string insert = fmt::format(R"sql(
        WITH v AS (
          SELECT to_tsvector('simple', $11) AS name_v, to_tsvector('simple', $12) AS tags_v,
                 to_tsvector('simple', $13) AS columns_v, to_tsvector('simple', $14) AS description_v,
                 to_tsvector('simple', $15) AS column_descriptions_v),
        document AS (
          INSERT INTO search_documents (product_id, domain, name, status, golden_record, reference_entities, ranked)
          SELECT $1, $2, $3, $4, $5, $6, {} FROM v RETURNING doc_id)
        INSERT INTO search_fts (doc_id, name, tags, columns, description, column_descriptions,
                                name_v, tags_v, columns_v, description_v, column_descriptions_v)
        SELECT doc_id, $3, $7, $8, $9, $10, v.name_v, v.tags_v, v.columns_v, v.description_v, v.column_descriptions_v
        FROM document, v)sql",
                                                  RankedVectorSql("v"));
    RETURN_IF_ERROR(Write(context, insert,
                        doc.product_id, doc.domain, doc.name, doc.status, doc.golden_record, ToJson(doc.references),
                        tags, doc.columns, doc.description, doc.column_descriptions, IndexText(doc.name),
                        IndexText(tags), IndexText(doc.columns), IndexText(doc.description),
                        IndexText(doc.column_descriptions)));
    // The facets in one statement, not one per value: statements are what
    // a bulk index pays for (bench_search writes 100,000 entries).
    std::vector<std::string> facets, values;
    for (const auto& [facet, list] :
         {std::pair{"tag", &doc.tags}, std::pair{"classification", &doc.classifications},
          std::pair{"column_tag", &doc.column_tags}}) {
      for (const std::string& value : *list) {
        facets.push_back(facet);
        values.push_back(value);
      }
    }
    if (values.empty()) return Status::Ok();
    return Write(context, R"sql(
        INSERT INTO search_facets (product_id, facet, value)
        SELECT $1, f, v FROM unnest($2::text[], $3::text[]) AS x (f, v) ON CONFLICT DO NOTHING)sql",
                 doc.product_id, TextArray(facets), TextArray(values));
  }

  Status UpsertGlossaryTerm(const GlossaryTermRecord& t) override {
    RETURN_IF_ERROR(RequireKey(t.name, "the glossary term name"));
    const std::string context = "while saving glossary term " + t.name;
    RETURN_IF_ERROR(Write(context, R"sql(
        INSERT INTO glossary_terms (name, title, domain, definition, owners, synonyms, related, spec_json, digest)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        ON CONFLICT (name) DO UPDATE SET
          title = excluded.title, domain = excluded.domain, definition = excluded.definition,
          owners = excluded.owners, synonyms = excluded.synonyms, related = excluded.related,
          spec_json = excluded.spec_json, digest = excluded.digest)sql",
                        t.name, t.title, t.domain, t.definition, ToJson(t.owners), ToJson(t.synonyms),
                        ToJson(t.related), t.spec_json, t.digest));
    const std::string name = t.name + " " + t.title;
    const std::string synonyms = Join(t.synonyms, ", ");
    return Write(context, R"sql(
        INSERT INTO glossary_fts (term_id, name, synonyms, definition, name_v, synonyms_v, definition_v)
        SELECT term_id, $2, $3, $4, to_tsvector('simple', $5), to_tsvector('simple', $6), to_tsvector('simple', $7)
        FROM glossary_terms WHERE name = $1
        ON CONFLICT (term_id) DO UPDATE SET
          name = excluded.name, synonyms = excluded.synonyms, definition = excluded.definition,
          name_v = excluded.name_v, synonyms_v = excluded.synonyms_v, definition_v = excluded.definition_v)sql",
               t.name, name, synonyms, t.definition, IndexText(name), IndexText(synonyms), IndexText(t.definition));
  }

  Status DeleteGlossaryTerm(const std::string& name) override {
    RETURN_IF_ERROR(Run("DELETE FROM glossary_terms WHERE name = $1", name)
                        .WithContext("while deleting glossary term " + name));
    return RequireChanged("glossary term " + name);
  }

  Status ReplaceGlossaryLinks(const std::vector<GlossaryLinkRecord>& links) override {
    RETURN_IF_ERROR(Write("while replacing the glossary links", "DELETE FROM glossary_links"));
    for (const auto& l : links) {
      RETURN_IF_ERROR(Write(fmt::format("while linking {}.{} of {} to glossary term {}", l.object, l.column,
                                                   l.product_id, l.term), R"sql(
          INSERT INTO glossary_links (term, product_id, port, major, contract_id, contract_version, object, column_name, via)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING)sql",
                          l.term, l.product_id, l.port, l.major, l.contract_id, l.contract_version, l.object, l.column,
                          l.via));
    }
    return Status::Ok();
  }

  Result<int64_t> AddWaiver(const WaiverRecord& w) override {
    RETURN_IF_ERROR(RequireKey(w.policy_id, "the waiver's policy id"));
    RETURN_IF_ERROR(Run(fmt::format(R"sql(
        INSERT INTO waivers (policy_id, subject, reason, approver, expires_at, created_at)
        VALUES ($1, $2, $3, $4, $5, COALESCE(NULLIF($6, ''), {})) RETURNING id)sql",
                                    kNowSql),
                        w.policy_id, w.subject, w.reason, w.approver, w.expires_at, w.created_at)
                        .WithContext(fmt::format("while adding a waiver of {} for {}", w.policy_id, w.subject)));
    return last_.Int(0, 0);
  }

  Status DeleteWaiver(int64_t id) override {
    RETURN_IF_ERROR(
        Run("DELETE FROM waivers WHERE id = $1", id).WithContext(fmt::format("while deleting waiver {}", id)));
    return RequireChanged(fmt::format("waiver {}", id));
  }

  Status AppendAudit(const AuditEvent& e) override {
    return Write(fmt::format("while recording audit event {} {}", e.action, e.object), fmt::format(R"sql(
        INSERT INTO audit_events (time, actor, action, object, before_digest, after_digest, detail)
        VALUES (COALESCE(NULLIF($1, ''), {}), $2, $3, $4, $5, $6, $7))sql",
                           kNowSql),
               e.time, e.actor, e.action, e.object, e.before_digest, e.after_digest, e.detail);
  }

  Status InsertSnapshot(const SnapshotRecord& sn) override {
    RETURN_IF_ERROR(RequireKey(sn.id, "the snapshot id"));
    RETURN_IF_ERROR(RequireKey(sn.product_id, "the snapshot's product id"));
    // A plain INSERT: snapshots are immutable, so an existing id is an error.
    return Write(fmt::format("while recording snapshot {} of {}", sn.id, sn.product_id), fmt::format(R"sql(
        INSERT INTO snapshots ({})
        VALUES ($1, $2, $3, $4, COALESCE(NULLIF($5, ''), {}), $6, $7, $8, $9, $10, $11, $12, $13))sql",
                           kSnapshotColumns, kNowSql),
               sn.id, sn.product_id, sn.major, sn.parent_id, sn.created_at, sn.path, sn.rows, sn.bytes, sn.files,
               sn.contract_version, sn.input_checksum, sn.publish_id, sn.quality_json);
  }

  Status DeleteSnapshot(const std::string& id) override {
    RETURN_IF_ERROR(Run("DELETE FROM snapshots WHERE id = $1", id).WithContext("while deleting snapshot " + id));
    RETURN_IF_ERROR(RequireChanged("snapshot " + id));
    return Write("while deleting the profile of snapshot " + id, "DELETE FROM snapshot_profiles WHERE snapshot_id = $1", id);
  }

  Status InsertSnapshotProfile(const SnapshotProfileRecord& p) override {
    RETURN_IF_ERROR(RequireKey(p.snapshot_id, "the profiled snapshot's id"));
    return Write("while recording the profile of snapshot " + p.snapshot_id, fmt::format(R"sql(
        INSERT INTO snapshot_profiles (snapshot_id, product_id, computed_at, columns_json)
        VALUES ($1, $2, COALESCE(NULLIF($3, ''), {}), $4))sql",
                           kNowSql),
               p.snapshot_id, p.product_id, p.computed_at, p.columns_json);
  }

  Result<std::optional<StreamOffsetRecord>> FindStreamOffset(const std::string& product_id, int64_t major,
                                                             const std::string& producer) override {
    RETURN_IF_ERROR(CheckOpen());
    ASSIGN_OR_RETURN(Rows rows, conn_.Query(fmt::format("SELECT {} FROM stream_offsets "
                                                        "WHERE product_id = $1 AND major = $2 AND producer = $3",
                                                        kStreamOffsetColumns),
                                            product_id, major, producer));
    ASSIGN_OR_RETURN(auto found, Collect(rows, DecodeStreamOffset<Row>));
    if (found.empty()) return std::optional<StreamOffsetRecord>();
    return std::optional<StreamOffsetRecord>(std::move(found[0]));
  }

  Status UpsertStreamOffset(const StreamOffsetRecord& o) override {
    RETURN_IF_ERROR(RequireKey(o.producer, "the stream's producer"));
    return Write(fmt::format("while recording how far producer {} streamed into {}", o.producer, o.product_id),
                 fmt::format(R"sql(
        INSERT INTO stream_offsets ({})
        VALUES ($1, $2, $3, $4, $5, $6, COALESCE(NULLIF($7, ''), {}))
        ON CONFLICT (product_id, major, producer) DO UPDATE SET
          committed_lines = excluded.committed_lines, publish_id = excluded.publish_id,
          snapshot_id = excluded.snapshot_id, updated_at = excluded.updated_at)sql",
                             kStreamOffsetColumns, kNowSql),
                 o.product_id, o.major, o.producer, o.offset, o.publish_id, o.snapshot_id, o.updated_at);
  }

  Status InsertPublish(const PublishRecord& p) override {
    RETURN_IF_ERROR(RequireKey(p.id, "the publish id"));
    RETURN_IF_ERROR(RequireKey(p.product_id, "the publish's product id"));
    return Write(fmt::format("while recording publish {} of {}", p.id, p.product_id), fmt::format(R"sql(
        INSERT INTO publishes ({0})
        VALUES ($1, $2, $3, $4, COALESCE(NULLIF($5, ''), {1}), COALESCE(NULLIF($6, ''), {1}), $7, $8, $9, $10, $11,
                $12, $13, $14, $15, $16))sql",
                           kPublishColumns, kNowSql),
               p.id, p.product_id, p.major, p.actor, p.started_at, p.finished_at, p.outcome, p.mode, p.snapshot_id,
               p.rows_in, p.rows_valid, p.rows_quarantined, p.input_checksum, p.input_archive, p.quarantine_path,
               p.message);
  }

  Status InsertQualityResults(const std::vector<QualityResultRecord>& results) override {
    RETURN_IF_ERROR(CheckOpen());
    // Positions continue after the publish's existing results, so calling
    // this more than once for one publish appends.
    for (const QualityResultRecord& r : results) {
      RETURN_IF_ERROR(RequireKey(r.publish_id, "the quality result's publish id"));
      RETURN_IF_ERROR(Write(fmt::format("while recording quality result {} of publish {}", r.rule_id,
                                                   r.publish_id), fmt::format(R"sql(
          INSERT INTO quality_results (position, {})
          SELECT COALESCE(MAX(position) + 1, 0), $1, $2, $3, $4, $5, $6, $7, $8::bigint, $9::bigint, $10::float8,
                 $11, $12::bigint, $13::bigint
          FROM quality_results WHERE publish_id = $1)sql",
                                      kQualityResultColumns),
                          r.publish_id, r.rule_id, r.kind, r.object, r.column, r.severity, r.dimension,
                          r.failing_rows, r.checked_rows, r.value, r.threshold, r.passed, r.row_level));
    }
    return Status::Ok();
  }

  Result<int64_t> InsertAccessRequest(const AccessRequestRecord& r) override {
    RETURN_IF_ERROR(RequireKey(r.product_id, "the requested product"));
    RETURN_IF_ERROR(RequireKey(r.principal, "the requesting principal"));
    RETURN_IF_ERROR(Run(fmt::format(R"sql(
        INSERT INTO access_requests (product_id, major, principal, grantee, columns, purpose, until, status,
                                     created_at, decided_by, decided_at, reason, grant_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, COALESCE(NULLIF($9, ''), {}), $10, $11, $12, $13) RETURNING id)sql",
                                    kNowSql),
                        r.product_id, r.major, r.principal, r.grantee.empty() ? r.principal : r.grantee,
                        ToJson(r.columns), r.purpose, r.until, r.status, r.created_at, r.decided_by, r.decided_at,
                        r.reason, r.grant_id)
                        .WithContext("while recording an access request for " + r.product_id));
    return last_.Int(0, 0);
  }

  Status UpdateAccessRequest(const AccessRequestRecord& r) override {
    RETURN_IF_ERROR(Run(R"sql(
        UPDATE access_requests SET status = $2, decided_by = $3, decided_at = $4, reason = $5, grant_id = $6
        WHERE id = $1)sql",
                        r.id, r.status, r.decided_by, r.decided_at, r.reason, r.grant_id)
                        .WithContext(fmt::format("while deciding access request {}", r.id)));
    return RequireChanged(fmt::format("access request {}", r.id));
  }

  Result<int64_t> InsertGrant(const GrantRecord& g) override {
    RETURN_IF_ERROR(RequireKey(g.product_id, "the granted product"));
    RETURN_IF_ERROR(RequireKey(g.grantee, "the grantee"));
    RETURN_IF_ERROR(Run(fmt::format(R"sql(
        INSERT INTO grants (product_id, major, grantee, columns, purpose, expires_at, clearances, row_filter,
                            granted_by, granted_at, request_id, revoked_by, revoked_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, COALESCE(NULLIF($10, ''), {}), $11, $12, $13) RETURNING id)sql",
                                    kNowSql),
                        g.product_id, g.major, g.grantee, ToJson(g.columns), g.purpose, g.expires_at,
                        ToJson(g.clearances), g.row_filter, g.granted_by, g.granted_at, g.request_id, g.revoked_by,
                        g.revoked_at)
                        .WithContext(fmt::format("while granting {} to {}", g.product_id, g.grantee)));
    return last_.Int(0, 0);
  }

  Status RevokeGrant(int64_t id, const std::string& by, const std::string& at) override {
    RETURN_IF_ERROR(Run(fmt::format(R"sql(
        UPDATE grants SET revoked_by = $2, revoked_at = COALESCE(NULLIF($3, ''), {})
        WHERE id = $1 AND revoked_at = '')sql",
                                    kNowSql),
                        id, by, at)
                        .WithContext(fmt::format("while revoking grant {}", id)));
    return RequireChanged(fmt::format("grant {} (in force)", id));
  }

  Result<int64_t> InsertUsage(const UsageRecord& u) override {
    // Metering, not catalog state: on its own it starts no new generation
    // (store.h).
    RETURN_IF_ERROR(RunOperational(fmt::format(R"sql(
        INSERT INTO usage (at, principal, consumer_domain, kind, products, columns, rows_scanned, bytes_scanned,
                           rows_returned, cpu_seconds, wall_seconds, cost, status, message)
        VALUES (COALESCE(NULLIF($1, ''), {}), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
        RETURNING id)sql",
                                               kNowSql),
                                   u.at, u.principal, u.consumer_domain, u.kind, ToJson(u.products),
                                   ToJson(u.columns), u.rows_scanned, u.bytes_scanned, u.rows_returned,
                                   u.cpu_seconds, u.wall_seconds, u.cost, u.status, u.message)
                        .WithContext("while recording usage of " + u.principal));
    return last_.Int(0, 0);
  }

  Status InsertToken(const TokenRecord& t) override {
    RETURN_IF_ERROR(RequireKey(t.id, "the token id"));
    RETURN_IF_ERROR(RequireKey(t.principal, "the token's principal"));
    RETURN_IF_ERROR(RequireKey(t.hash, "the token hash"));
    return Write("while saving a token for " + t.principal, fmt::format(R"sql(
        INSERT INTO tokens ({})
        VALUES ($1, $2, $3, $4, $5, COALESCE(NULLIF($6, ''), {}), $7, '', ''))sql",
                           kTokenColumns, kNowSql),
               t.id, t.principal, t.hash, t.description, t.created_by, t.created_at, t.expires_at);
  }

  Status RevokeToken(const std::string& id, const std::string& by, const std::string& at) override {
    RETURN_IF_ERROR(Run(fmt::format(R"sql(
        UPDATE tokens SET revoked_by = $2, revoked_at = COALESCE(NULLIF($3, ''), {})
        WHERE id = $1 AND revoked_at = '')sql",
                                    kNowSql),
                        id, by, at)
                        .WithContext("while revoking token " + id));
    return RequireChanged("token " + id + " (not revoked)");
  }

  // --- monitoring: operational writes (no new generation) ---

  Status InsertSlaCheck(const SlaCheckRecord& c) override {
    RETURN_IF_ERROR(RequireKey(c.product_id, "the product of an SLA check"));
    return RunOperational(fmt::format(R"sql(
        INSERT INTO sla_checks (at, product_id, major, sla, property, state, target, actual, unit, detail)
        VALUES (COALESCE(NULLIF($1, ''), {}), $2, $3, $4, $5, $6, $7, $8, $9, $10))sql",
                                      kNowSql),
                          c.at, c.product_id, c.major, c.sla, c.property, c.state, c.target, c.actual, c.unit,
                          c.detail)
        .WithContext("while recording an SLA check of " + c.product_id);
  }

  Result<int64_t> InsertIncident(const IncidentRecord& i) override {
    RETURN_IF_ERROR(RequireKey(i.product_id, "the product of an incident"));
    RETURN_IF_ERROR(RequireKey(i.condition, "the incident's condition"));
    RETURN_IF_ERROR(RunOperational(fmt::format(R"sql(
        INSERT INTO incidents (product_id, major, kind, condition, subject, severity, title, status, assignee,
                               opened_at, updated_at, resolved_at, resolution, false_positive, detail)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, COALESCE(NULLIF($10, ''), {0}),
                COALESCE(NULLIF($11, ''), NULLIF($10, ''), {0}), $12, $13, $14, $15)
        RETURNING id)sql",
                                               kNowSql),
                                   i.product_id, i.major, i.kind, i.condition, i.subject, i.severity, i.title,
                                   i.status, i.assignee, i.opened_at, i.updated_at, i.resolved_at, i.resolution,
                                   i.false_positive, i.detail)
                        .WithContext("while opening an incident on " + i.product_id));
    return last_.Int(0, 0);
  }

  Status UpdateIncident(const IncidentRecord& i) override {
    RETURN_IF_ERROR(RunOperational(fmt::format(R"sql(
        UPDATE incidents SET severity = $2, title = $3, status = $4, assignee = $5,
                             updated_at = COALESCE(NULLIF($6, ''), {}), resolved_at = $7, resolution = $8,
                             false_positive = $9, detail = $10
        WHERE id = $1)sql",
                                               kNowSql),
                                   i.id, i.severity, i.title, i.status, i.assignee, i.updated_at, i.resolved_at,
                                   i.resolution, i.false_positive, i.detail)
                        .WithContext(fmt::format("while updating incident {}", i.id)));
    return RequireChanged(fmt::format("incident {}", i.id));
  }

  Status AppendIncidentEvent(const IncidentEventRecord& e) override {
    return RunOperational(fmt::format(R"sql(
        INSERT INTO incident_events (incident_id, at, actor, kind, message)
        VALUES ($1, COALESCE(NULLIF($2, ''), {}), $3, $4, $5))sql",
                                      kNowSql),
                          e.incident_id, e.at, e.actor, e.kind, e.message)
        .WithContext(fmt::format("while recording on incident {}", e.incident_id));
  }

  Result<int64_t> InsertSubscription(const SubscriptionRecord& sub) override {
    RETURN_IF_ERROR(RequireKey(sub.principal, "the subscriber"));
    RETURN_IF_ERROR(RequireKey(sub.product_id, "the subscribed product"));
    RETURN_IF_ERROR(RunOperational(fmt::format(R"sql(
        INSERT INTO subscriptions (principal, product_id, created_at)
        VALUES ($1, $2, COALESCE(NULLIF($3, ''), {})) RETURNING id)sql",
                                               kNowSql),
                                   sub.principal, sub.product_id, sub.created_at)
                        .WithContext(fmt::format("while subscribing {} to {}", sub.principal, sub.product_id)));
    return last_.Int(0, 0);
  }

  Status DeleteSubscription(int64_t id) override {
    RETURN_IF_ERROR(RunOperational("DELETE FROM subscriptions WHERE id = $1", id)
                        .WithContext(fmt::format("while removing subscription {}", id)));
    return RequireChanged(fmt::format("subscription {}", id));
  }

  Status InsertWebhook(const WebhookRecord& w) override {
    RETURN_IF_ERROR(RequireKey(w.id, "the webhook id"));
    RETURN_IF_ERROR(RequireKey(w.principal, "the webhook's principal"));
    return RunOperational(fmt::format(R"sql(
        INSERT INTO webhooks ({}) VALUES ($1, $2, $3, $4, $5, COALESCE(NULLIF($6, ''), {}), ''))sql",
                                      kWebhookColumns, kNowSql),
                          w.id, w.principal, w.url, w.secret, ToJson(w.events), w.created_at)
        .WithContext("while adding a webhook for " + w.principal);
  }

  Status RemoveWebhook(const std::string& id, const std::string& at) override {
    RETURN_IF_ERROR(RunOperational(fmt::format(R"sql(
        UPDATE webhooks SET removed_at = COALESCE(NULLIF($2, ''), {}) WHERE id = $1 AND removed_at = '')sql",
                                               kNowSql),
                                   id, at)
                        .WithContext("while removing webhook " + id));
    return RequireChanged("webhook " + id + " (in use)");
  }

  Result<int64_t> InsertDelivery(const DeliveryRecord& d) override {
    RETURN_IF_ERROR(RequireKey(d.webhook_id, "the delivery's webhook"));
    RETURN_IF_ERROR(RequireKey(d.event_id, "the delivered event's id"));
    RETURN_IF_ERROR(RunOperational(fmt::format(R"sql(
        INSERT INTO deliveries (webhook_id, event_id, event_type, subject, payload, status, attempts, created_at,
                                next_attempt_at, last_attempt_at, last_http_status, last_error)
        VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE(NULLIF($8, ''), {0}),
                COALESCE(NULLIF($9, ''), NULLIF($8, ''), {0}), $10, $11, $12)
        RETURNING id)sql",
                                               kNowSql),
                                   d.webhook_id, d.event_id, d.event_type, d.subject, d.payload, d.status,
                                   d.attempts, d.created_at, d.next_attempt_at, d.last_attempt_at,
                                   d.last_http_status, d.last_error)
                        .WithContext(fmt::format("while queueing event {} for webhook {}", d.event_id,
                                                 d.webhook_id)));
    return last_.Int(0, 0);
  }

  Status UpdateDelivery(const DeliveryRecord& d) override {
    RETURN_IF_ERROR(RunOperational(R"sql(
        UPDATE deliveries SET status = $2, attempts = $3, next_attempt_at = $4, last_attempt_at = $5,
                              last_http_status = $6, last_error = $7
        WHERE id = $1)sql",
                                   d.id, d.status, d.attempts, d.next_attempt_at, d.last_attempt_at,
                                   d.last_http_status, d.last_error)
                        .WithContext(fmt::format("while recording delivery {}", d.id)));
    return RequireChanged(fmt::format("delivery {}", d.id));
  }

  Status Commit() override {
    if (control_changed_) {
      RETURN_IF_ERROR(
          Run("UPDATE catalog_meta SET generation = generation + 1, control_generation = control_generation + 1"));
    } else if (catalog_changed_) {
      RETURN_IF_ERROR(Run("UPDATE catalog_meta SET generation = generation + 1"));
    }
    // Deferred constraints are checked here. On failure PostgreSQL has
    // rolled the transaction back; the destructor's ROLLBACK is a no-op.
    RETURN_IF_ERROR(conn_.Exec("COMMIT").WithContext("while committing the catalog write"));
    open_ = false;
    return Status::Ok();
  }

 private:
  Status CheckOpen() const {
    if (open_) return Status::Ok();
    return Status::FailedPrecondition("the catalog transaction is already committed; begin a new one");
  }

  // A write of catalog state: Commit starts a new generation.
  template <typename... Args>
  Status Run(const std::string& sql, const Args&... args) {
    catalog_changed_ = true;
    if (!control_changed_) control_changed_ = WritesPlanInputs(sql);
    return RunOperational(sql, args...);
  }

  // A write of catalog state whose answer nobody reads: sent without
  // waiting (Connection::Send), its error, with `context`, comes from the
  // next statement that waits — at the latest Commit's.
  template <typename... Args>
  Status Write(const std::string& context, const std::string& sql, const Args&... args) {
    RETURN_IF_ERROR(CheckOpen());
    catalog_changed_ = true;
    if (!control_changed_) control_changed_ = WritesPlanInputs(sql);
    return conn_.Send(sql, Params{Param(args)...}, context);
  }

  // A write of what happened (usage, monitoring), not of what the catalog
  // declares: on its own it starts no new generation. Its rows (RETURNING)
  // and change count stay in last_.
  template <typename... Args>
  Status RunOperational(const std::string& sql, const Args&... args) {
    RETURN_IF_ERROR(CheckOpen());
    ASSIGN_OR_RETURN(last_, conn_.Query(sql, args...));
    return Status::Ok();
  }

  // After a DELETE or UPDATE by key: NotFound when the key named nothing.
  Status RequireChanged(const std::string& what) const {
    if (last_.Changed() > 0) return Status::Ok();
    return Status::NotFound(what + " is not in the catalog");
  }

  Connection conn_;
  Rows last_;  // of the last write
  bool open_ = true;
  bool catalog_changed_ = false;
  bool control_changed_ = false;
};

}  // namespace

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const std::string& url,
                                                           const PostgresStoreOptions& options) {
  ASSIGN_OR_RETURN(Connection conn, Connection::Open(url, options.connect_timeout_s));
  RETURN_IF_ERROR(Migrate(conn, CatalogMigrations(), options.lock_timeout_ms));
  return std::unique_ptr<PostgresStore>(new PostgresStore(url, options, std::move(conn)));
}

Result<std::unique_ptr<Transaction>> PostgresStore::BeginWrite() {
  ASSIGN_OR_RETURN(Connection conn, OpenWriter());
  return std::unique_ptr<Transaction>(std::make_unique<PostgresTransaction>(std::move(conn)));
}

Result<Connection> PostgresStore::OpenWriter() {
  const std::string context = "while starting a catalog write";
  ASSIGN_OR_RETURN(Connection conn, Connection::Open(url_, options_.connect_timeout_s));
  // READ COMMITTED, the lock first: every later statement of the
  // transaction sees every commit made before the lock was granted, and no
  // other writer commits until this one ends. (A REPEATABLE READ snapshot
  // would be taken by the lock statement itself, before the wait: stale.)
  RETURN_IF_ERROR(conn.Exec(fmt::format("BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL lock_timeout = {}",
                                        options_.lock_timeout_ms))
                      .WithContext(context));
  RETURN_IF_ERROR(conn.Query("SELECT pg_advisory_xact_lock($1)", kWriteLockKey).status().WithContext(context));
  return conn;
}

namespace {

// A session-level advisory lock on a connection of its own: every server
// on the catalog sees it, and PostgreSQL drops it with the connection.
class AdvisoryLease final : public Lease {
 public:
  explicit AdvisoryLease(Connection conn) : conn_(std::move(conn)) {}

 private:
  Connection conn_;
};

}  // namespace

Result<std::unique_ptr<Lease>> PostgresStore::AcquireLease(const std::string& name, std::chrono::milliseconds wait) {
  ASSIGN_OR_RETURN(Connection conn, Connection::Open(url_, options_.connect_timeout_s));
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (true) {
    // The write lock's key as the first half: weft's locks, apart from anyone else's.
    ASSIGN_OR_RETURN(Rows got, conn.Query("SELECT pg_try_advisory_lock($1::int, hashtext($2))", kWriteLockKey, name));
    if (got.Text(0, 0) == "t") return std::unique_ptr<Lease>(std::make_unique<AdvisoryLease>(std::move(conn)));
    if (std::chrono::steady_clock::now() >= deadline) return std::unique_ptr<Lease>();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Result<CatalogTables> PostgresStore::ExportTables() {
  return Reading([](Connection& conn) -> Result<CatalogTables> {
    RETURN_IF_ERROR(conn.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    Result<CatalogTables> tables = postgres::ExportTables(conn);
    conn.Exec("COMMIT").IgnoreError();  // a read-only transaction has nothing to lose
    return tables;
  });
}

Status PostgresStore::ImportTables(const CatalogTables& tables, const std::function<Status()>& before_commit) {
  ASSIGN_OR_RETURN(Connection conn, OpenWriter());
  Status done = [&]() -> Status {
    RETURN_IF_ERROR(postgres::ImportTables(conn, tables));
    ASSIGN_OR_RETURN(CatalogTables copied, postgres::ExportTables(conn));
    const std::string differs = FirstDifference(tables, copied);
    if (!differs.empty()) return Status::Internal("the copy is not what was read: " + differs);
    if (before_commit) RETURN_IF_ERROR(before_commit());
    return conn.Exec("COMMIT");
  }();
  // Dropping the connection would end the transaction too; this says so at once.
  if (!done.ok()) conn.Exec("ROLLBACK").IgnoreError();
  return done.WithContext("while copying the catalog into " + conn.name());
}

template <typename Read>
auto PostgresStore::Reading(Read read) -> decltype(read(std::declval<Connection&>())) {
  std::lock_guard lock(read_mu_);
  auto result = read(reader_);
  if (result.ok() || reader_.Healthy()) return result;
  RETURN_IF_ERROR(reader_.Reset());
  return read(reader_);
}

template <typename... Args>
Result<Rows> PostgresStore::ReadRows(const std::string& sql, const Args&... args) {
  return Reading([&](Connection& conn) { return conn.Query(sql, args...); });
}

Result<int64_t> PostgresStore::Generation() {
  return Reading([](Connection& conn) { return ReadGeneration(conn, "generation"); });
}

Result<int64_t> PostgresStore::ControlGeneration() {
  return Reading([](Connection& conn) { return ReadGeneration(conn, "control_generation"); });
}

Result<std::vector<DomainRecord>> PostgresStore::ListDomains() {
  ASSIGN_OR_RETURN(Rows rows, ReadRows(R"sql(
      SELECT name, description, owners, storage_root, service_principal, monthly_budget, soft_limit_percent,
             currency, cost_center, spec_json, digest
      FROM domains ORDER BY name)sql"));
  return Collect(rows, [](const Row& r) { return DecodeDomain(r, kAsStored); });
}

Result<std::vector<PrincipalRecord>> PostgresStore::ListPrincipals() {
  ASSIGN_OR_RETURN(Rows rows, ReadRows("SELECT name, kind, display_name, attributes FROM principals ORDER BY name"));
  return Collect(rows, DecodePrincipal<Row>);
}

Result<std::vector<MembershipRecord>> PostgresStore::ListMemberships() {
  ASSIGN_OR_RETURN(Rows rows, ReadRows(R"sql(
      SELECT group_name, principal, role, source FROM memberships
      ORDER BY group_name, principal, role, source)sql"));
  return Collect(rows, DecodeMembership<Row>);
}

Result<std::vector<ProductRecord>> PostgresStore::ListProducts() {
  ASSIGN_OR_RETURN(Rows rows, ReadRows(fmt::format("SELECT {} FROM products ORDER BY id", kProductColumns)));
  return Collect(rows, DecodeProduct<Row>);
}

Result<std::optional<ProductRecord>> PostgresStore::FindProduct(const std::string& id) {
  ASSIGN_OR_RETURN(Rows rows, ReadRows(fmt::format("SELECT {} FROM products WHERE id = $1", kProductColumns), id));
  ASSIGN_OR_RETURN(auto products, Collect(rows, DecodeProduct<Row>));
  if (products.empty()) return std::optional<ProductRecord>();
  return std::optional<ProductRecord>(std::move(products.front()));
}

Result<std::vector<PortVersionRecord>> PostgresStore::ListPortVersions() {
  ASSIGN_OR_RETURN(Rows rows, ReadRows(R"sql(
      SELECT product_id, port, major, version, contract_id, status, end_of_support, end_of_life, storage_path
      FROM port_versions ORDER BY product_id, port, major)sql"));
  return Collect(rows, [](const Row& r) { return DecodePortVersion(r, kAsStored); });
}

Result<std::vector<ContractVersionRecord>> PostgresStore::ListContractVersions() {
  ASSIGN_OR_RETURN(Rows rows, ReadRows(R"sql(
      SELECT contract_id, version, major, product_id, port, spec_json, digest, applied_at
      FROM contract_versions ORDER BY contract_id, seq)sql"));
  return Collect(rows, DecodeContractVersion<Row>);
}

Result<std::vector<ReferenceEntityRecord>> PostgresStore::ListReferenceEntities() {
  ASSIGN_OR_RETURN(Rows rows, ReadRows(
      "SELECT name, mastered_by, identifier_name, spec_json, digest FROM reference_entities ORDER BY name"));
  return Collect(rows, DecodeReferenceEntity<Row>);
}

Result<std::vector<GlossaryTermRecord>> PostgresStore::ListGlossaryTerms() {
  ASSIGN_OR_RETURN(Rows rows, ReadRows(R"sql(
      SELECT name, title, domain, definition, owners, synonyms, related, spec_json, digest
      FROM glossary_terms ORDER BY name)sql"));
  return Collect(rows, DecodeGlossaryTerm<Row>);
}

Result<std::vector<GlossaryLinkRecord>> PostgresStore::ListGlossaryLinks(const GlossaryLinkFilter& filter) {
  ASSIGN_OR_RETURN(Rows rows, ReadRows(R"sql(
      SELECT term, product_id, port, major, contract_id, contract_version, object, column_name, via
      FROM glossary_links WHERE ($1::text = '' OR term = $1) AND ($2::text = '' OR product_id = $2)
      ORDER BY term, product_id, port, major, object, column_name)sql",
                                       filter.term, filter.product));
  return Collect(rows, DecodeGlossaryLink<Row>);
}

Result<std::vector<WaiverRecord>> PostgresStore::ListWaivers() {
  ASSIGN_OR_RETURN(Rows rows, ReadRows(
      "SELECT id, policy_id, subject, reason, approver, expires_at, created_at FROM waivers ORDER BY id"));
  return Collect(rows, DecodeWaiver<Row>);
}

Result<std::vector<AuditEvent>> PostgresStore::ListAudit(const AuditFilter& filter) {
  // "product:sales.*" is a prefix; anything else an exact object; "" any.
  std::string match = "any";
  std::string object = filter.object;
  if (EndsWith(object, "*")) {
    match = "prefix";
    object.pop_back();
  } else if (!object.empty()) {
    match = "exact";
  }
  // The order is in the text: ORDER BY id [DESC] LIMIT walks the primary key.
  ASSIGN_OR_RETURN(Rows rows, ReadRows(fmt::format(R"sql(
      SELECT id, time, actor, action, object, before_digest, after_digest, detail
      FROM audit_events
      WHERE CASE $1::text WHEN 'exact' THEN object = $2
                          WHEN 'prefix' THEN starts_with(object, $2)
                          ELSE true END
        AND time >= $3 AND id > $4
      ORDER BY id {}
      LIMIT $5)sql",
                                                   filter.newest_first ? "DESC" : "ASC"),
                                       match, object, filter.since, filter.after_id, LimitParam(filter.limit)));
  return Collect(rows, DecodeAuditEvent<Row>);
}

Result<std::vector<SnapshotRecord>> PostgresStore::ListSnapshots(const std::string& product_id) {
  ASSIGN_OR_RETURN(Rows rows, ReadRows(fmt::format("SELECT {} FROM snapshots WHERE product_id = $1 "
                                                   "ORDER BY created_at DESC, id DESC",
                                                   kSnapshotColumns),
                                       product_id));
  return Collect(rows, [](const Row& r) { return DecodeSnapshot(r, kAsStored); });
}

Result<std::vector<SnapshotRecord>> PostgresStore::ListAllSnapshots() {
  ASSIGN_OR_RETURN(Rows rows,
                   ReadRows(fmt::format("SELECT {} FROM snapshots ORDER BY created_at DESC, id DESC", kSnapshotColumns)));
  return Collect(rows, [](const Row& r) { return DecodeSnapshot(r, kAsStored); });
}

Result<std::vector<PublishRecord>> PostgresStore::ListPublishes(const std::string& product_id, int limit) {
  ASSIGN_OR_RETURN(Rows rows, ReadRows(fmt::format("SELECT {} FROM publishes WHERE $1::text = '' OR product_id = $1 "
                                                   "ORDER BY started_at DESC, id DESC LIMIT $2",
                                                   kPublishColumns),
                                       product_id, LimitParam(limit)));
  return Collect(rows, [](const Row& r) { return DecodePublish(r, kAsStored); });
}

Result<std::vector<QualityResultRecord>> PostgresStore::ListQualityResults(const std::string& publish_id) {
  ASSIGN_OR_RETURN(Rows rows, ReadRows(fmt::format(
                                  "SELECT {} FROM quality_results WHERE publish_id = $1 ORDER BY position",
                                  kQualityResultColumns),
                              publish_id));
  return Collect(rows, DecodeQualityResult<Row>);
}

Result<std::optional<SnapshotProfileRecord>> PostgresStore::FindSnapshotProfile(const std::string& snapshot_id) {
  ASSIGN_OR_RETURN(Rows rows, ReadRows(R"sql(
      SELECT snapshot_id, product_id, computed_at, columns_json FROM snapshot_profiles WHERE snapshot_id = $1)sql",
                                       snapshot_id));
  if (rows.size() == 0) return std::optional<SnapshotProfileRecord>();
  return std::optional<SnapshotProfileRecord>(SnapshotProfileRecord{.snapshot_id = rows.Text(0, 0),
                                                                    .product_id = rows.Text(0, 1),
                                                                    .computed_at = rows.Text(0, 2),
                                                                    .columns_json = rows.Text(0, 3)});
}

Result<std::vector<AccessRequestRecord>> PostgresStore::ListAccessRequests() {
  ASSIGN_OR_RETURN(Rows rows, ReadRows(fmt::format("SELECT {} FROM access_requests ORDER BY id", kAccessRequestColumns)));
  return Collect(rows, DecodeAccessRequest<Row>);
}

Result<std::vector<GrantRecord>> PostgresStore::ListGrants() {
  ASSIGN_OR_RETURN(Rows rows, ReadRows(fmt::format("SELECT {} FROM grants ORDER BY id", kGrantColumns)));
  return Collect(rows, DecodeGrant<Row>);
}

Result<std::vector<TokenRecord>> PostgresStore::ListTokens() {
  ASSIGN_OR_RETURN(Rows rows, ReadRows(fmt::format("SELECT {} FROM tokens ORDER BY created_at, id", kTokenColumns)));
  return Collect(rows, DecodeToken<Row>);
}

Result<TokenRecord> PostgresStore::FindToken(const std::string& hash) {
  ASSIGN_OR_RETURN(Rows rows, ReadRows(fmt::format("SELECT {} FROM tokens WHERE hash = $1", kTokenColumns), hash));
  if (rows.size() == 0) return Status::NotFound("no such token");
  return DecodeToken(Row(rows, 0));
}

Result<std::vector<StreamOffsetRecord>> PostgresStore::ListStreamOffsets(const std::string& product_id) {
  ASSIGN_OR_RETURN(Rows rows, ReadRows(fmt::format("SELECT {} FROM stream_offsets WHERE product_id = $1 "
                                                   "ORDER BY producer, major",
                                                   kStreamOffsetColumns),
                                       product_id));
  return Collect(rows, DecodeStreamOffset<Row>);
}

Result<std::vector<SlaCheckRecord>> PostgresStore::ListSlaChecks(const std::string& product_id, int limit) {
  ASSIGN_OR_RETURN(Rows rows, ReadRows(fmt::format(
                                  "SELECT {} FROM sla_checks WHERE product_id = $1 ORDER BY id DESC LIMIT $2",
                                  kSlaCheckColumns),
                              product_id, LimitParam(limit)));
  return Collect(rows, DecodeSlaCheck<Row>);
}

Result<std::vector<IncidentRecord>> PostgresStore::ListIncidents(const IncidentFilter& filter) {
  ASSIGN_OR_RETURN(Rows rows, ReadRows(fmt::format(R"sql(
      SELECT {} FROM incidents
      WHERE ($1::text = '' OR product_id = $1)
        AND ($2::text = '' OR status = $2 OR ($2 = 'unresolved' AND status <> 'resolved'))
      ORDER BY id DESC LIMIT $3)sql",
                                                   kIncidentColumns),
                                       filter.product_id, filter.status, LimitParam(filter.limit)));
  return Collect(rows, DecodeIncident<Row>);
}

Result<std::vector<IncidentEventRecord>> PostgresStore::ListIncidentEvents(int64_t incident_id) {
  ASSIGN_OR_RETURN(Rows rows, ReadRows(fmt::format("SELECT {} FROM incident_events WHERE incident_id = $1 ORDER BY id",
                                                   kIncidentEventColumns),
                                       incident_id));
  return Collect(rows, DecodeIncidentEvent<Row>);
}

Result<std::vector<SubscriptionRecord>> PostgresStore::ListSubscriptions() {
  ASSIGN_OR_RETURN(Rows rows, ReadRows("SELECT id, principal, product_id, created_at FROM subscriptions ORDER BY id"));
  return Collect(rows, DecodeSubscription<Row>);
}

Result<std::vector<WebhookRecord>> PostgresStore::ListWebhooks() {
  ASSIGN_OR_RETURN(Rows rows, ReadRows(fmt::format("SELECT {} FROM webhooks ORDER BY created_at, id", kWebhookColumns)));
  return Collect(rows, DecodeWebhook<Row>);
}

Result<std::vector<DeliveryRecord>> PostgresStore::ListDeliveries(const DeliveryFilter& filter) {
  ASSIGN_OR_RETURN(Rows rows, ReadRows(fmt::format(R"sql(
      SELECT {} FROM deliveries
      WHERE ($1::text = '' OR webhook_id = $1)
        AND ($2::text = '' OR status = $2)
        AND ($3::text = '' OR (status = 'pending' AND next_attempt_at <= $3))
        AND ($5::text = '' OR event_id = $5)
      ORDER BY id DESC LIMIT $4)sql",
                                                   kDeliveryColumns),
                                       filter.webhook_id, filter.status, filter.due_by, LimitParam(filter.limit),
                                       filter.event_id));
  return Collect(rows, DecodeDelivery<Row>);
}

namespace {

// The WHERE clause of a UsageFilter ($1 product, $2 consumer domain, $3
// since, $4 until). A product matches any of its majors: the addresses are
// "<id>_v<major>".
constexpr const char* kUsageWhere = R"sql(
      WHERE ($1::text = '' OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(usage.products::jsonb) AS p (address)
                                       WHERE p.address = $1 OR left(p.address, length($1) + 2) = $1 || '_v'))
        AND ($2::text = '' OR consumer_domain = $2)
        AND ($3::text = '' OR at >= $3)
        AND ($4::text = '' OR at < $4))sql";

}  // namespace

Result<std::vector<UsageRecord>> PostgresStore::ListUsage(const UsageFilter& filter) {
  ASSIGN_OR_RETURN(Rows rows, ReadRows(fmt::format("SELECT {} FROM usage {} ORDER BY at, id", kUsageColumns, kUsageWhere),
                                       filter.product_id, filter.consumer_domain, filter.since, filter.until));
  return Collect(rows, DecodeUsage<Row>);
}

Result<double> PostgresStore::SumUsageCost(const UsageFilter& filter) {
  // Whole months (a budget check): the running totals; anything else sums the rows.
  ASSIGN_OR_RETURN(Rows rows, WholeMonthsFrom(filter)
                                  ? ReadRows(R"sql(
                                        SELECT COALESCE(SUM(cost), 0) FROM usage_monthly
                                        WHERE ($1::text = '' OR consumer_domain = $1) AND month >= left($2, 7))sql",
                                             filter.consumer_domain, filter.since)
                                  : ReadRows(fmt::format("SELECT COALESCE(SUM(cost), 0) FROM usage {}", kUsageWhere),
                                             filter.product_id, filter.consumer_domain, filter.since, filter.until));
  return rows.size() > 0 ? rows.Double(0, 0) : 0.0;
}

Result<SearchResult> PostgresStore::Search(const SearchQuery& query) {
  if (query.limit <= 0 || query.limit > kMaxSearchLimit) {
    return Status::InvalidArgument(
        fmt::format("the search limit is {}; it must be between 1 and {}", query.limit, kMaxSearchLimit));
  }
  ASSIGN_OR_RETURN(std::string tsquery, TsQueryText(query.text));
  const bool full_text = !tsquery.empty();
  const int window = std::max(query.limit, kSearchFacetWindow);

  // The shape of the SQLite store's search (sqlite_store.cc): one statement
  // ranks the matches and keeps the best `window` + 1 (the extra row says
  // whether more matched), returning them in rank order (kind 0), then the
  // tag, classification and column-tag counts over the first `window` of
  // them (kind 1). $6 is the window, $7 the tsquery text.
  //
  // Text: the GIN index over each product's weighted vector finds the
  // matches, one ts_rank over that vector weighs them; through the columns that name them, glossary terms
  // find products too. A product found both ways keeps its best score (and
  // that way's snippet). No text: a filtered listing by name.
  const std::string ranked =
      full_text ? fmt::format(R"sql(
      q AS (SELECT to_tsquery('simple', $7) AS query),
      text_hits AS (
        SELECT d.product_id, {0} * CASE WHEN d.golden_record <> 0 THEN {1} ELSE 1.0 END AS score,
               NULL::text AS snippet
        FROM q, search_documents d
        WHERE d.ranked @@ q.query {2}
        ORDER BY score DESC, d.product_id
        LIMIT $6 + 1),
      term_hits AS (
        SELECT l.product_id, {3} * {4} AS score,
               l.object || '.' || l.column_name || ' is the glossary term ' || t.name || ': ' || {5} AS snippet
        FROM q, glossary_fts g JOIN glossary_terms t ON t.term_id = g.term_id
             JOIN glossary_links l ON l.term = t.name
             JOIN search_documents d ON d.product_id = l.product_id
        WHERE g.document @@ q.query {2}),
      matched AS (
        SELECT DISTINCT ON (product_id) product_id, score, snippet
        FROM (SELECT * FROM text_hits UNION ALL SELECT * FROM term_hits) AS hits
        ORDER BY product_id, score DESC),
      ranked AS MATERIALIZED (
        SELECT d.product_id, d.domain, d.name, d.status, m.score, m.snippet, d.doc_id
        FROM matched m JOIN search_documents d ON d.product_id = m.product_id
        ORDER BY m.score DESC, d.product_id
        LIMIT $6 + 1))sql",
                              kRankSql, kGoldenRecordBoost, kSearchFilterSql, kTermLinkWeight, kTermRankSql,
                              fmt::format(kTermSnippetSql, kHeadlineOptions))
                : fmt::format(R"sql(
      ranked AS MATERIALIZED (
        SELECT d.product_id, d.domain, d.name, d.status, 0.0::float8 AS score, ''::text AS snippet, d.doc_id
        FROM search_documents d WHERE true {}
        ORDER BY d.name, d.product_id
        LIMIT $6 + 1))sql",
                              kSearchFilterSql);
  const std::string order = full_text ? "score DESC, product_id" : "name, product_id";
  const std::string search_sql = fmt::format(R"sql(
      WITH {},
      counted AS (SELECT product_id FROM ranked ORDER BY {} LIMIT $6)
      SELECT 0 AS kind, product_id, domain, name, status, score, snippet, doc_id FROM ranked
      UNION ALL
      SELECT 1, f.facet, f.value, NULL, NULL, NULL, NULL, count(*)
      FROM counted JOIN search_facets f ON f.product_id = counted.product_id
      GROUP BY f.facet, f.value
      ORDER BY kind, {})sql",
                                             ranked, order, order);
  // A text hit's snippet: the best-matching column around the matches.
  const std::string snippet_sql = fmt::format(R"sql(
      WITH q AS (SELECT to_tsquery('simple', $1) AS query)
      SELECT ts_headline('simple', c.text, q.query, '{}')
      FROM q, search_fts f CROSS JOIN LATERAL (
        VALUES (1, f.name, f.name_v, 10.0), (2, f.tags, f.tags_v, 5.0), (3, f.columns, f.columns_v, 3.0),
               (4, f.description, f.description_v, 2.0),
               (5, f.column_descriptions, f.column_descriptions_v, 1.0)) AS c (i, text, v, weight)
      WHERE f.doc_id = $2
      ORDER BY c.v @@ q.query DESC, c.weight * ts_rank(c.v, q.query) DESC, c.i
      LIMIT 1)sql",
                                              kHeadlineOptions);
  // The terms themselves, for a text search.
  const std::string terms_sql = fmt::format(R"sql(
      WITH q AS (SELECT to_tsquery('simple', $1) AS query)
      SELECT t.name, t.title, t.domain, t.definition, {} AS score, {}
      FROM q, glossary_fts g JOIN glossary_terms t ON t.term_id = g.term_id
      WHERE g.document @@ q.query
      ORDER BY score DESC, t.name
      LIMIT $2)sql",
                                            kTermRankSql, fmt::format(kTermSnippetSql, kHeadlineOptions));

  Params params{Param(query.domain), Param(query.status), Param(query.tag), Param(query.classification),
                Param(query.column_tag), Param(window)};
  if (full_text) params.push_back(Param(tsquery));

  return Reading([&](Connection& conn) -> Result<SearchResult> {
    RETURN_IF_ERROR(conn.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    auto found = [&]() -> Result<SearchResult> {
      SearchResult result;
      ASSIGN_OR_RETURN(Rows rows, conn.Run(search_sql, params));
      std::vector<int64_t> text_hit_docs;  // doc_id of each hit whose snippet is still to make; 0: none needed
      int64_t ranked_rows = 0;
      for (int i = 0; i < rows.size(); ++i) {
        if (rows.Int(i, 0) == 1) {
          result.facets[rows.Text(i, 1)][rows.Text(i, 2)] = rows.Int(i, 7);
          continue;
        }
        if (++ranked_rows > window) continue;  // the extra row: more matched than the facets count
        ++result.facets["domain"][rows.Text(i, 2)];
        ++result.facets["status"][rows.Text(i, 4)];
        if (ranked_rows > query.limit) continue;
        text_hit_docs.push_back(full_text && rows.IsNull(i, 6) ? rows.Int(i, 7) : 0);
        result.hits.push_back({.product_id = rows.Text(i, 1), .domain = rows.Text(i, 2), .name = rows.Text(i, 3),
                               .status = rows.Text(i, 4), .score = rows.Double(i, 5), .snippet = rows.Text(i, 6)});
      }
      result.facets_counted = std::min<int64_t>(ranked_rows, window);
      result.facets_complete = ranked_rows <= window;
      for (size_t i = 0; i < result.hits.size(); ++i) {
        if (text_hit_docs[i] == 0) continue;
        ASSIGN_OR_RETURN(Rows snippet, conn.Query(snippet_sql, tsquery, text_hit_docs[i]));
        if (snippet.size() > 0) result.hits[i].snippet = snippet.Text(0, 0);
      }
      if (full_text) {
        ASSIGN_OR_RETURN(Rows terms, conn.Query(terms_sql, tsquery, query.limit));
        for (int i = 0; i < terms.size(); ++i) {
          result.terms.push_back({.name = terms.Text(i, 0), .title = terms.Text(i, 1), .domain = terms.Text(i, 2),
                                  .definition = terms.Text(i, 3), .score = terms.Double(i, 4),
                                  .snippet = terms.Text(i, 5)});
        }
      }
      return result;
    }();
    conn.Exec("COMMIT").IgnoreError();  // a read-only transaction has nothing to lose
    return found;
  });
}

Result<std::string> PostgresStore::Dump() {
  return Reading([&](Connection& conn) -> Result<std::string> {
    RETURN_IF_ERROR(conn.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    auto dump = [&]() -> Result<std::string> {
      ASSIGN_OR_RETURN(int64_t version, SchemaVersion(conn));
      std::string out = fmt::format("schema version {}\n", version);
      // Every table but weft_schema (its version is the line above), each
      // ordered by its primary key.
      ASSIGN_OR_RETURN(Rows tables, conn.Query(R"sql(
          SELECT c.relname,
                 (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY array_position(i.indkey::int2[], a.attnum))
                  FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                  WHERE i.indrelid = c.oid AND i.indisprimary)
          FROM pg_class c
          WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND c.relname <> 'weft_schema'
          ORDER BY c.relname COLLATE "C")sql"));
      for (int t = 0; t < tables.size(); ++t) {
        const std::string table = tables.Text(t, 0);
        const std::string key = tables.IsNull(t, 1) ? "1" : tables.Text(t, 1);
        ASSIGN_OR_RETURN(Rows rows, conn.Query(fmt::format("SELECT * FROM {} ORDER BY {}", SqlIdent(table), key)));
        std::vector<std::string> columns;
        for (int c = 0; c < rows.columns(); ++c) columns.push_back(rows.ColumnName(c));
        out += fmt::format("\n[{}] {}\n", table, Join(columns, " | "));
        for (int r = 0; r < rows.size(); ++r) {
          std::vector<std::string> values;
          for (int c = 0; c < rows.columns(); ++c) values.push_back(DumpValue(rows, r, c));
          out += Join(values, " | ") + "\n";
        }
      }
      return out;
    }();
    conn.Exec("COMMIT").IgnoreError();  // a read-only transaction has nothing to lose
    return dump;
  });
}

}  // namespace weft::catalog::postgres
