#include "catalog/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>
#include <map>
#include <string_view>
#include <type_traits>
#include <utility>

#include "catalog/internal/record_rows.h"
#include "catalog/sqlite/export_tables.h"
#include "catalog/sqlite/fts_query.h"
#include "catalog/sqlite/migrations.h"
#include "catalog/sqlite/stored_paths.h"
#include "common/strings.h"

namespace weft::catalog::sqlite {

// The row decoders, column lists and JSON columns, shared with the
// PostgreSQL store (internal/record_rows.h).
using namespace catalog_internal;

namespace {

// ISO 8601 UTC with milliseconds, e.g. 2025-03-01T12:00:00.123Z: sorts as time.
constexpr const char* kNowSql = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

// Search ranking. bm25() weights in search_fts column order (name, tags,
// columns, description, column_descriptions): a word in the name says most
// about what a product is, a word somewhere in a column description least.
constexpr const char* kBm25Sql = "bm25(search_fts, 10.0, 5.0, 3.0, 2.0, 1.0)";
// A golden record (the master of a reference entity) is the product to
// reach for, so it ranks above an equally good match; the boost is small
// enough that a name match still beats a golden record's description match.
constexpr double kGoldenRecordBoost = 1.5;
constexpr int kMaxSearchLimit = 1000;
// bm25() weights in glossary_fts column order (name and title, synonyms,
// definition). A product found through a term its column names ranks at
// half the term's own match: the product is about the term, not named by it.
constexpr const char* kGlossaryBm25Sql = "bm25(glossary_fts, 10.0, 8.0, 2.0)";
constexpr double kTermLinkWeight = 0.5;

// The search filters, shared by the hit list and the facet counts; an empty
// parameter means "any". Tags and classifications match exactly.
constexpr const char* kSearchFilterSql = R"sql(
  AND (:domain = '' OR d.domain = :domain)
  AND (:status = '' OR d.status = :status)
  AND (:tag = '' OR EXISTS (SELECT 1 FROM search_facets f
                            WHERE f.product_id = d.product_id AND f.facet = 'tag' AND f.value = :tag))
  AND (:classification = '' OR EXISTS (SELECT 1 FROM search_facets f
                            WHERE f.product_id = d.product_id AND f.facet = 'classification'
                              AND f.value = :classification))
  AND (:column_tag = '' OR EXISTS (SELECT 1 FROM search_facets f
                            WHERE f.product_id = d.product_id AND f.facet = 'column_tag'
                              AND f.value = :column_tag)))sql";

// The T of a Result<T>.
template <typename R>
struct ResultValue;
template <typename T>
struct ResultValue<Result<T>> {
  using type = T;
};
// What a row decoder (a function of a const Statement& returning Result<T>) decodes.
template <typename Decode>
using Decoded = typename ResultValue<std::invoke_result_t<Decode&, const Statement&>>::type;

// Steps `stmt` to the end, decoding every row.
template <typename Decode, typename T = Decoded<Decode>>
Result<std::vector<T>> CollectRows(Statement& stmt, Decode decode) {
  std::vector<T> rows;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return rows;
    ASSIGN_OR_RETURN(T value, decode(stmt));
    rows.push_back(std::move(value));
  }
}

template <typename Decode>
Result<std::vector<Decoded<Decode>>> Query(Connection& conn, const char* sql, Decode decode) {
  ASSIGN_OR_RETURN(Statement stmt, conn.PrepareCached(sql));
  return CollectRows(stmt, decode);
}

// Runs `read` inside one read transaction, so all its statements see the
// same commit. `read`'s statements are finalized before the snapshot ends.
template <typename Read>
auto InSnapshot(Connection& conn, Read read) -> decltype(read()) {
  RETURN_IF_ERROR(conn.Exec("BEGIN"));
  auto result = read();
  conn.Exec("COMMIT").IgnoreError();  // a read-only transaction has nothing to lose
  return result;
}

// Dump formatting of one value.
std::string DumpValue(const Statement& s, int column) {
  switch (s.ColumnType(column)) {
    case SQLITE_NULL:
      return "NULL";
    case SQLITE_INTEGER:
      return std::to_string(s.Int(column));
    case SQLITE_FLOAT:
      return fmt::format("{}", s.Double(column));  // shortest text that reads back exactly
    default:
      return SqlQuote(s.Text(column));
  }
}

// --- the write transaction ------------------------------------------------------

// One of catalog_meta's counters: "generation" or "control_generation".
Result<int64_t> ReadGeneration(Connection& conn, const char* column) {
  ASSIGN_OR_RETURN(Statement stmt, conn.PrepareCached(fmt::format("SELECT {} FROM catalog_meta", column)));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Status::Internal("the catalog has no generation row");
  return stmt.Int(0);
}

// Holds SQLite's write lock from BeginWrite until Commit or destruction.
}  // namespace

// A new connection parses the whole schema at its first statement and
// prepares every statement afresh: for small writes (a batch of usage
// rows) that was most of the cost, so a connection whose transaction ended
// waits here for the next one. Writers still take SQLite's lock one at a
// time (BEGIN IMMEDIATE); this only spares the setup.
struct IdleWriters {
  static constexpr size_t kKept = 2;

  std::optional<Connection> Take() {
    std::lock_guard lock(mu);
    if (idle.empty()) return std::nullopt;
    Connection conn = std::move(idle.back());
    idle.pop_back();
    return conn;
  }
  void Give(Connection conn) {
    std::lock_guard lock(mu);
    if (idle.size() < kKept) idle.push_back(std::move(conn));
  }

  std::mutex mu;
  std::vector<Connection> idle;  // protected by mu
};

namespace {

class SqliteTransaction final : public Transaction {
 public:
  SqliteTransaction(Connection conn, std::shared_ptr<IdleWriters> idle)
      : paths_(conn.path()), conn_(std::move(conn)), idle_(std::move(idle)) {}
  ~SqliteTransaction() override {
    if (open_) conn_.Exec("ROLLBACK").IgnoreError();  // nothing more can be done in a destructor
    // A connection still inside a transaction (its ROLLBACK failed) is closed,
    // which ends it.
    if (!conn_.InTransaction()) idle_->Give(std::move(conn_));
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
    ASSIGN_OR_RETURN(Statement stmt, conn_.Prepare(fmt::format(
                                         "SELECT {} FROM snapshots WHERE product_id = ?1 AND major = ?2 "
                                         "ORDER BY created_at DESC, id DESC LIMIT 1",
                                         kSnapshotColumns)));
    RETURN_IF_ERROR(stmt.BindAll(product_id, major));
    ASSIGN_OR_RETURN(auto rows, CollectRows(stmt, [this](const Statement& s) { return DecodeSnapshot(s, paths_); }));
    if (rows.empty()) return std::optional<SnapshotRecord>();
    return std::optional<SnapshotRecord>(std::move(rows[0]));
  }

  Status UpsertDomain(const DomainRecord& d) override {
    RETURN_IF_ERROR(RequireKey(d.name, "the domain name"));
    return Run(R"sql(
        INSERT INTO domains (name, description, owners, storage_root, service_principal, monthly_budget,
                             soft_limit_percent, currency, cost_center, spec_json, digest)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
        ON CONFLICT (name) DO UPDATE SET
          description = excluded.description, owners = excluded.owners, storage_root = excluded.storage_root,
          service_principal = excluded.service_principal, monthly_budget = excluded.monthly_budget,
          soft_limit_percent = excluded.soft_limit_percent, currency = excluded.currency,
          cost_center = excluded.cost_center, spec_json = excluded.spec_json, digest = excluded.digest)sql",
               d.name, d.description, ToJson(d.owners), paths_.ToStored(d.storage_root), d.service_principal, d.monthly_budget,
               d.soft_limit_percent, d.currency, d.cost_center, d.spec_json, d.digest)
        .WithContext("while saving domain " + d.name);
  }

  Status DeleteDomain(const std::string& name) override {
    RETURN_IF_ERROR(CheckOpen());
    const std::string context = "while deleting domain " + name;
    // Checked here rather than left to the foreign key, to name the products.
    ASSIGN_OR_RETURN(Statement products, conn_.Prepare("SELECT id FROM products WHERE domain = ?1 ORDER BY id"));
    RETURN_IF_ERROR(products.BindAll(name));
    std::vector<std::string> ids;
    while (true) {
      ASSIGN_OR_RETURN(bool row, products.Step());
      if (!row) break;
      ids.push_back(products.Text(0));
    }
    if (!ids.empty()) {
      return Status::FailedPrecondition(
          fmt::format("domain {} still has products ({}); delete them first", name, Join(ids, ", ")));
    }
    RETURN_IF_ERROR(Run("DELETE FROM domains WHERE name = ?1", name).WithContext(context));
    return RequireChanged("domain " + name);
  }

  Status UpsertPrincipal(const PrincipalRecord& p) override {
    RETURN_IF_ERROR(RequireKey(p.name, "the principal name"));
    return Run(R"sql(
        INSERT INTO principals (name, kind, display_name, attributes) VALUES (?1, ?2, ?3, ?4)
        ON CONFLICT (name) DO UPDATE SET
          kind = excluded.kind, display_name = excluded.display_name, attributes = excluded.attributes)sql",
               p.name, p.kind, p.display_name, ToJson(p.attributes))
        .WithContext("while saving principal " + p.name);
  }

  Status EnsurePrincipal(const PrincipalRecord& p) override {
    RETURN_IF_ERROR(RequireKey(p.name, "the principal name"));
    return Run(R"sql(
        INSERT INTO principals (name, kind, display_name, attributes) VALUES (?1, ?2, ?3, ?4)
        ON CONFLICT (name) DO UPDATE SET
          display_name = CASE WHEN display_name = '' THEN excluded.display_name ELSE display_name END)sql",
               p.name, p.kind, p.display_name, ToJson(p.attributes))
        .WithContext("while saving principal " + p.name);
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
    RETURN_IF_ERROR(Run("DELETE FROM memberships WHERE source = ?1", source).WithContext(context));
    for (const MembershipRecord& m : memberships) {
      // A membership listed twice is one membership.
      RETURN_IF_ERROR(Run(R"sql(
          INSERT INTO memberships (source, group_name, principal, role) VALUES (?1, ?2, ?3, ?4)
          ON CONFLICT DO NOTHING)sql",
                          source, m.group, m.principal, m.role)
                          .WithContext(context));
    }
    return Status::Ok();
  }

  Status UpsertProduct(const ProductRecord& p) override {
    RETURN_IF_ERROR(RequireKey(p.id, "the product id"));
    const std::string context = "while saving product " + p.id;
    ASSIGN_OR_RETURN(bool domain_exists, Exists("SELECT 1 FROM domains WHERE name = ?1", p.domain));
    if (!domain_exists) {
      return Status::FailedPrecondition(
          fmt::format("product {}: domain {} is not in the catalog; apply the domain first", p.id, p.domain));
    }
    // ON CONFLICT ... DO UPDATE, not INSERT OR REPLACE: a replace deletes the
    // row first, which would cascade to the product's port versions.
    return Run(R"sql(
        INSERT INTO products (id, domain, name, status, version, tier, description, tags, spec_json, digest,
                              transform_sql)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
        ON CONFLICT (id) DO UPDATE SET
          domain = excluded.domain, name = excluded.name, status = excluded.status, version = excluded.version,
          tier = excluded.tier, description = excluded.description, tags = excluded.tags,
          spec_json = excluded.spec_json, digest = excluded.digest, transform_sql = excluded.transform_sql)sql",
               p.id, p.domain, p.name, p.status, p.version, p.tier, p.description, ToJson(p.tags), p.spec_json,
               p.digest, p.transform_sql)
        .WithContext(context);
  }

  Status DeleteProduct(const std::string& id) override {
    // Port versions and the search entry go with it (ON DELETE CASCADE and
    // the search_documents trigger, see migrations.cc).
    RETURN_IF_ERROR(Run("DELETE FROM products WHERE id = ?1", id).WithContext("while deleting product " + id));
    return RequireChanged("product " + id);
  }

  Status UpsertPortVersion(const PortVersionRecord& v) override {
    const std::string context = fmt::format("while saving port {} v{} of product {}", v.port, v.major, v.product_id);
    RETURN_IF_ERROR(RequireKey(v.port, "the port name"));
    ASSIGN_OR_RETURN(bool product_exists, Exists("SELECT 1 FROM products WHERE id = ?1", v.product_id));
    if (!product_exists) {
      return Status::FailedPrecondition(
                 fmt::format("product {} is not in the catalog; save the product before its ports", v.product_id))
          .WithContext(context);
    }
    return Run(R"sql(
        INSERT INTO port_versions (product_id, port, major, version, contract_id, status, end_of_support,
                                   end_of_life, storage_path)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
        ON CONFLICT (product_id, port, major) DO UPDATE SET
          version = excluded.version, contract_id = excluded.contract_id, status = excluded.status,
          end_of_support = excluded.end_of_support, end_of_life = excluded.end_of_life,
          storage_path = excluded.storage_path)sql",
               v.product_id, v.port, v.major, v.version, v.contract_id, v.status, v.end_of_support, v.end_of_life,
               paths_.ToStored(v.storage_path))
        .WithContext(context);
  }

  Status InsertContractVersion(const ContractVersionRecord& c) override {
    RETURN_IF_ERROR(RequireKey(c.contract_id, "the contract id"));
    RETURN_IF_ERROR(RequireKey(c.version, "the contract version"));
    RETURN_IF_ERROR(CheckOpen());
    const std::string context = fmt::format("while saving contract {} version {}", c.contract_id, c.version);
    ASSIGN_OR_RETURN(Statement existing,
                     conn_.Prepare("SELECT digest FROM contract_versions WHERE contract_id = ?1 AND version = ?2"));
    RETURN_IF_ERROR(existing.BindAll(c.contract_id, c.version));
    ASSIGN_OR_RETURN(bool found, existing.Step());
    if (found) {
      if (existing.Text(0) == c.digest) return Status::Ok();  // re-applying the same spec
      return Status::AlreadyExists(fmt::format(
          "contract {} version {} is already applied with a different spec; versions are immutable — bump the version",
          c.contract_id, c.version));
    }
    return Run(fmt::format(R"sql(
        INSERT INTO contract_versions (contract_id, version, major, product_id, port, spec_json, digest, applied_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, COALESCE(NULLIF(?8, ''), {})))sql",
                           kNowSql),
               c.contract_id, c.version, c.major, c.product_id, c.port, c.spec_json, c.digest, c.applied_at)
        .WithContext(context);
  }

  Status UpsertReferenceEntity(const ReferenceEntityRecord& e) override {
    RETURN_IF_ERROR(RequireKey(e.name, "the reference entity name"));
    return Run(R"sql(
        INSERT INTO reference_entities (name, mastered_by, identifier_name, spec_json, digest)
        VALUES (?1, ?2, ?3, ?4, ?5)
        ON CONFLICT (name) DO UPDATE SET
          mastered_by = excluded.mastered_by, identifier_name = excluded.identifier_name,
          spec_json = excluded.spec_json, digest = excluded.digest)sql",
               e.name, e.mastered_by, e.identifier_name, e.spec_json, e.digest)
        .WithContext("while saving reference entity " + e.name);
  }

  Status DeleteReferenceEntity(const std::string& name) override {
    RETURN_IF_ERROR(Run("DELETE FROM reference_entities WHERE name = ?1", name)
                        .WithContext("while deleting reference entity " + name));
    return RequireChanged("reference entity " + name);
  }

  Status IndexForSearch(const SearchDocument& doc) override {
    const std::string context = "while indexing product " + doc.product_id + " for search";
    ASSIGN_OR_RETURN(bool product_exists, Exists("SELECT 1 FROM products WHERE id = ?1", doc.product_id));
    if (!product_exists) {
      return Status::FailedPrecondition(
                 fmt::format("product {} is not in the catalog; save the product before indexing it", doc.product_id))
          .WithContext(context);
    }
    // Replaces the previous entry: the trigger and the cascade remove its
    // text and facets.
    RETURN_IF_ERROR(Run("DELETE FROM search_documents WHERE product_id = ?1", doc.product_id).WithContext(context));
    RETURN_IF_ERROR(Run(R"sql(
        INSERT INTO search_documents (product_id, domain, name, status, golden_record, reference_entities)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6))sql",
                        doc.product_id, doc.domain, doc.name, doc.status, doc.golden_record ? 1 : 0,
                        ToJson(doc.references))
                        .WithContext(context));
    const int64_t doc_id = conn_.LastInsertRowid();
    RETURN_IF_ERROR(Run(R"sql(
        INSERT INTO search_fts (rowid, name, tags, columns, description, column_descriptions)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6))sql",
                        doc_id, doc.name, Join(doc.tags, " ") + " " + Join(doc.column_tags, " "), doc.columns,
                        doc.description, doc.column_descriptions)
                        .WithContext(context));
    for (const auto& [facet, values] :
         {std::pair{"tag", &doc.tags}, std::pair{"classification", &doc.classifications},
          std::pair{"column_tag", &doc.column_tags}}) {
      for (const std::string& value : *values) {
        RETURN_IF_ERROR(Run(R"sql(
            INSERT INTO search_facets (product_id, facet, value) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING)sql",
                            doc.product_id, facet, value)
                            .WithContext(context));
      }
    }
    return Status::Ok();
  }

  Status UpsertGlossaryTerm(const GlossaryTermRecord& t) override {
    RETURN_IF_ERROR(RequireKey(t.name, "the glossary term name"));
    const std::string context = "while saving glossary term " + t.name;
    RETURN_IF_ERROR(Run(R"sql(
        INSERT INTO glossary_terms (name, title, domain, definition, owners, synonyms, related, spec_json, digest)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
        ON CONFLICT (name) DO UPDATE SET
          title = excluded.title, domain = excluded.domain, definition = excluded.definition,
          owners = excluded.owners, synonyms = excluded.synonyms, related = excluded.related,
          spec_json = excluded.spec_json, digest = excluded.digest)sql",
                        t.name, t.title, t.domain, t.definition, ToJson(t.owners), ToJson(t.synonyms),
                        ToJson(t.related), t.spec_json, t.digest)
                        .WithContext(context));
    // Its searchable text, at the term's rowid (replaced: FTS5 has no upsert).
    RETURN_IF_ERROR(Run(R"sql(
        DELETE FROM glossary_fts WHERE rowid = (SELECT term_id FROM glossary_terms WHERE name = ?1))sql",
                        t.name)
                        .WithContext(context));
    return Run(R"sql(
        INSERT INTO glossary_fts (rowid, name, synonyms, definition)
        SELECT term_id, name || ' ' || title, ?2, definition FROM glossary_terms WHERE name = ?1)sql",
               t.name, Join(t.synonyms, ", "))
        .WithContext(context);
  }

  Status DeleteGlossaryTerm(const std::string& name) override {
    RETURN_IF_ERROR(Run("DELETE FROM glossary_terms WHERE name = ?1", name)
                        .WithContext("while deleting glossary term " + name));
    return RequireChanged("glossary term " + name);
  }

  Status ReplaceGlossaryLinks(const std::vector<GlossaryLinkRecord>& links) override {
    RETURN_IF_ERROR(Run("DELETE FROM glossary_links").WithContext("while replacing the glossary links"));
    for (const auto& l : links) {
      RETURN_IF_ERROR(Run(R"sql(
          INSERT INTO glossary_links (term, product_id, port, major, contract_id, contract_version, object, column_name, via)
          VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING)sql",
                          l.term, l.product_id, l.port, l.major, l.contract_id, l.contract_version, l.object, l.column,
                          l.via)
                          .WithContext(fmt::format("while linking {}.{} of {} to glossary term {}", l.object, l.column,
                                                   l.product_id, l.term)));
    }
    return Status::Ok();
  }

  Result<int64_t> AddWaiver(const WaiverRecord& w) override {
    RETURN_IF_ERROR(RequireKey(w.policy_id, "the waiver's policy id"));
    RETURN_IF_ERROR(Run(fmt::format(R"sql(
        INSERT INTO waivers (policy_id, subject, reason, approver, expires_at, created_at)
        VALUES (?1, ?2, ?3, ?4, ?5, COALESCE(NULLIF(?6, ''), {})))sql",
                                    kNowSql),
                        w.policy_id, w.subject, w.reason, w.approver, w.expires_at, w.created_at)
                        .WithContext(fmt::format("while adding a waiver of {} for {}", w.policy_id, w.subject)));
    return conn_.LastInsertRowid();
  }

  Status DeleteWaiver(int64_t id) override {
    RETURN_IF_ERROR(
        Run("DELETE FROM waivers WHERE id = ?1", id).WithContext(fmt::format("while deleting waiver {}", id)));
    return RequireChanged(fmt::format("waiver {}", id));
  }

  Status AppendAudit(const AuditEvent& e) override {
    return Run(fmt::format(R"sql(
        INSERT INTO audit_events (time, actor, action, object, before_digest, after_digest, detail)
        VALUES (COALESCE(NULLIF(?1, ''), {}), ?2, ?3, ?4, ?5, ?6, ?7))sql",
                           kNowSql),
               e.time, e.actor, e.action, e.object, e.before_digest, e.after_digest, e.detail)
        .WithContext(fmt::format("while recording audit event {} {}", e.action, e.object));
  }

  Status InsertSnapshot(const SnapshotRecord& sn) override {
    RETURN_IF_ERROR(RequireKey(sn.id, "the snapshot id"));
    RETURN_IF_ERROR(RequireKey(sn.product_id, "the snapshot's product id"));
    const std::string context = fmt::format("while recording snapshot {} of {}", sn.id, sn.product_id);
    // A plain INSERT: snapshots are immutable, so an existing id is an error
    // (SQLite's constraint message says which).
    return Run(fmt::format(R"sql(
        INSERT INTO snapshots ({})
        VALUES (?1, ?2, ?3, ?4, COALESCE(NULLIF(?5, ''), {}), ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13))sql",
                           kSnapshotColumns, kNowSql),
               sn.id, sn.product_id, sn.major, sn.parent_id, sn.created_at, paths_.ToStored(sn.path), sn.rows, sn.bytes, sn.files,
               sn.contract_version, sn.input_checksum, sn.publish_id, sn.quality_json)
        .WithContext(context);
  }

  Status DeleteSnapshot(const std::string& id) override {
    RETURN_IF_ERROR(Run("DELETE FROM snapshots WHERE id = ?1", id).WithContext("while deleting snapshot " + id));
    RETURN_IF_ERROR(RequireChanged("snapshot " + id));
    return Run("DELETE FROM snapshot_profiles WHERE snapshot_id = ?1", id).WithContext("while deleting the profile of snapshot " + id);
  }

  Status InsertSnapshotProfile(const SnapshotProfileRecord& p) override {
    RETURN_IF_ERROR(RequireKey(p.snapshot_id, "the profiled snapshot's id"));
    return Run(fmt::format(R"sql(
        INSERT INTO snapshot_profiles (snapshot_id, product_id, computed_at, columns_json)
        VALUES (?1, ?2, COALESCE(NULLIF(?3, ''), {}), ?4))sql",
                           kNowSql),
               p.snapshot_id, p.product_id, p.computed_at, p.columns_json)
        .WithContext("while recording the profile of snapshot " + p.snapshot_id);
  }

  Result<std::optional<StreamOffsetRecord>> FindStreamOffset(const std::string& product_id, int64_t major,
                                                             const std::string& producer) override {
    RETURN_IF_ERROR(CheckOpen());
    ASSIGN_OR_RETURN(Statement stmt,
                     conn_.Prepare(fmt::format(
                         "SELECT {} FROM stream_offsets WHERE product_id = ?1 AND major = ?2 AND producer = ?3",
                         kStreamOffsetColumns)));
    RETURN_IF_ERROR(stmt.BindAll(product_id, major, producer));
    ASSIGN_OR_RETURN(auto rows, CollectRows(stmt, DecodeStreamOffset<Statement>));
    if (rows.empty()) return std::optional<StreamOffsetRecord>();
    return std::optional<StreamOffsetRecord>(std::move(rows[0]));
  }

  Status UpsertStreamOffset(const StreamOffsetRecord& o) override {
    RETURN_IF_ERROR(RequireKey(o.producer, "the stream's producer"));
    return Run(fmt::format(R"sql(
        INSERT INTO stream_offsets ({})
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, COALESCE(NULLIF(?7, ''), {}))
        ON CONFLICT (product_id, major, producer) DO UPDATE SET
          committed_lines = excluded.committed_lines, publish_id = excluded.publish_id,
          snapshot_id = excluded.snapshot_id, updated_at = excluded.updated_at)sql",
                           kStreamOffsetColumns, kNowSql),
               o.product_id, o.major, o.producer, o.offset, o.publish_id, o.snapshot_id, o.updated_at)
        .WithContext(fmt::format("while recording how far producer {} streamed into {}", o.producer, o.product_id));
  }

  Status InsertPublish(const PublishRecord& p) override {
    RETURN_IF_ERROR(RequireKey(p.id, "the publish id"));
    RETURN_IF_ERROR(RequireKey(p.product_id, "the publish's product id"));
    return Run(fmt::format(R"sql(
        INSERT INTO publishes ({})
        VALUES (?1, ?2, ?3, ?4, COALESCE(NULLIF(?5, ''), {}), COALESCE(NULLIF(?6, ''), {}), ?7, ?8, ?9, ?10, ?11,
                ?12, ?13, ?14, ?15, ?16))sql",
                           kPublishColumns, kNowSql, kNowSql),
               p.id, p.product_id, p.major, p.actor, p.started_at, p.finished_at, p.outcome, p.mode, p.snapshot_id,
               p.rows_in, p.rows_valid, p.rows_quarantined, p.input_checksum, paths_.ToStored(p.input_archive),
               paths_.ToStored(p.quarantine_path), p.message)
        .WithContext(fmt::format("while recording publish {} of {}", p.id, p.product_id));
  }

  Status InsertQualityResults(const std::vector<QualityResultRecord>& results) override {
    RETURN_IF_ERROR(CheckOpen());
    // Positions continue after the publish's existing results, so calling
    // this more than once for one publish appends.
    std::map<std::string, int64_t> next_position;
    for (const QualityResultRecord& r : results) {
      RETURN_IF_ERROR(RequireKey(r.publish_id, "the quality result's publish id"));
      const std::string context = fmt::format("while recording quality result {} of publish {}", r.rule_id, r.publish_id);
      auto it = next_position.find(r.publish_id);
      if (it == next_position.end()) {
        ASSIGN_OR_RETURN(Statement max,
                         conn_.Prepare("SELECT COALESCE(MAX(position) + 1, 0) FROM quality_results WHERE publish_id = ?1"));
        RETURN_IF_ERROR(max.BindAll(r.publish_id));
        ASSIGN_OR_RETURN(bool row, max.Step());
        it = next_position.emplace(r.publish_id, row ? max.Int(0) : 0).first;
      }
      RETURN_IF_ERROR(Run(fmt::format(R"sql(
          INSERT INTO quality_results (position, {})
          VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14))sql",
                                      kQualityResultColumns),
                          it->second++, r.publish_id, r.rule_id, r.kind, r.object, r.column, r.severity, r.dimension,
                          r.failing_rows, r.checked_rows, r.value, r.threshold, r.passed ? 1 : 0, r.row_level ? 1 : 0)
                          .WithContext(context));
    }
    return Status::Ok();
  }

  Result<int64_t> InsertAccessRequest(const AccessRequestRecord& r) override {
    RETURN_IF_ERROR(RequireKey(r.product_id, "the requested product"));
    RETURN_IF_ERROR(RequireKey(r.principal, "the requesting principal"));
    RETURN_IF_ERROR(Run(fmt::format(R"sql(
        INSERT INTO access_requests (product_id, major, principal, grantee, columns, purpose, until, status,
                                     created_at, decided_by, decided_at, reason, grant_id)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, COALESCE(NULLIF(?9, ''), {}), ?10, ?11, ?12, ?13))sql",
                                    kNowSql),
                        r.product_id, r.major, r.principal, r.grantee.empty() ? r.principal : r.grantee,
                        ToJson(r.columns), r.purpose, r.until, r.status,
                        r.created_at, r.decided_by, r.decided_at, r.reason, r.grant_id)
                        .WithContext("while recording an access request for " + r.product_id));
    return conn_.LastInsertRowid();
  }

  Status UpdateAccessRequest(const AccessRequestRecord& r) override {
    RETURN_IF_ERROR(Run(R"sql(
        UPDATE access_requests SET status = ?2, decided_by = ?3, decided_at = ?4, reason = ?5, grant_id = ?6
        WHERE id = ?1)sql",
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
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, COALESCE(NULLIF(?10, ''), {}), ?11, ?12, ?13))sql",
                                    kNowSql),
                        g.product_id, g.major, g.grantee, ToJson(g.columns), g.purpose, g.expires_at,
                        ToJson(g.clearances), g.row_filter, g.granted_by, g.granted_at, g.request_id, g.revoked_by,
                        g.revoked_at)
                        .WithContext(fmt::format("while granting {} to {}", g.product_id, g.grantee)));
    return conn_.LastInsertRowid();
  }

  Status RevokeGrant(int64_t id, const std::string& by, const std::string& at) override {
    RETURN_IF_ERROR(Run(fmt::format(R"sql(
        UPDATE grants SET revoked_by = ?2, revoked_at = COALESCE(NULLIF(?3, ''), {})
        WHERE id = ?1 AND revoked_at = '')sql",
                                    kNowSql),
                        id, by, at)
                        .WithContext(fmt::format("while revoking grant {}", id)));
    return RequireChanged(fmt::format("grant {} (in force)", id));
  }

  Result<int64_t> InsertUsage(const UsageRecord& u) override {
    // Usage is metering, not catalog state: on its own it starts no new
    // generation, so every query does not invalidate every cache and every
    // plan in flight (store.h).
    RETURN_IF_ERROR(RunOperational(fmt::format(R"sql(
        INSERT INTO usage (at, principal, consumer_domain, kind, products, columns, rows_scanned, bytes_scanned,
                           rows_returned, cpu_seconds, wall_seconds, cost, status, message)
        VALUES (COALESCE(NULLIF(?1, ''), {}), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14))sql",
                                               kNowSql),
                                   u.at, u.principal, u.consumer_domain, u.kind, ToJson(u.products),
                                   ToJson(u.columns), u.rows_scanned, u.bytes_scanned, u.rows_returned,
                                   u.cpu_seconds, u.wall_seconds, u.cost, u.status, u.message)
                        .WithContext("while recording usage of " + u.principal));
    return conn_.LastInsertRowid();
  }

  Status InsertToken(const TokenRecord& t) override {
    RETURN_IF_ERROR(RequireKey(t.id, "the token id"));
    RETURN_IF_ERROR(RequireKey(t.principal, "the token's principal"));
    RETURN_IF_ERROR(RequireKey(t.hash, "the token hash"));
    return Run(fmt::format(R"sql(
        INSERT INTO tokens ({})
        VALUES (?1, ?2, ?3, ?4, ?5, COALESCE(NULLIF(?6, ''), {}), ?7, '', ''))sql",
                           kTokenColumns, kNowSql),
               t.id, t.principal, t.hash, t.description, t.created_by, t.created_at, t.expires_at)
        .WithContext("while saving a token for " + t.principal);
  }

  Status RevokeToken(const std::string& id, const std::string& by, const std::string& at) override {
    RETURN_IF_ERROR(Run(fmt::format(R"sql(
        UPDATE tokens SET revoked_by = ?2, revoked_at = COALESCE(NULLIF(?3, ''), {})
        WHERE id = ?1 AND revoked_at = '')sql",
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
        VALUES (COALESCE(NULLIF(?1, ''), {}), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10))sql",
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
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, COALESCE(NULLIF(?10, ''), {0}),
                COALESCE(NULLIF(?11, ''), NULLIF(?10, ''), {0}), ?12, ?13, ?14, ?15))sql",
                                               kNowSql),
                                   i.product_id, i.major, i.kind, i.condition, i.subject, i.severity, i.title,
                                   i.status, i.assignee, i.opened_at, i.updated_at, i.resolved_at, i.resolution,
                                   i.false_positive ? 1 : 0, i.detail)
                        .WithContext("while opening an incident on " + i.product_id));
    return conn_.LastInsertRowid();
  }

  Status UpdateIncident(const IncidentRecord& i) override {
    RETURN_IF_ERROR(RunOperational(fmt::format(R"sql(
        UPDATE incidents SET severity = ?2, title = ?3, status = ?4, assignee = ?5,
                             updated_at = COALESCE(NULLIF(?6, ''), {}), resolved_at = ?7, resolution = ?8,
                             false_positive = ?9, detail = ?10
        WHERE id = ?1)sql",
                                               kNowSql),
                                   i.id, i.severity, i.title, i.status, i.assignee, i.updated_at, i.resolved_at,
                                   i.resolution, i.false_positive ? 1 : 0, i.detail)
                        .WithContext(fmt::format("while updating incident {}", i.id)));
    return RequireChanged(fmt::format("incident {}", i.id));
  }

  Status AppendIncidentEvent(const IncidentEventRecord& e) override {
    return RunOperational(fmt::format(R"sql(
        INSERT INTO incident_events (incident_id, at, actor, kind, message)
        VALUES (?1, COALESCE(NULLIF(?2, ''), {}), ?3, ?4, ?5))sql",
                                      kNowSql),
                          e.incident_id, e.at, e.actor, e.kind, e.message)
        .WithContext(fmt::format("while recording on incident {}", e.incident_id));
  }

  Result<int64_t> InsertSubscription(const SubscriptionRecord& sub) override {
    RETURN_IF_ERROR(RequireKey(sub.principal, "the subscriber"));
    RETURN_IF_ERROR(RequireKey(sub.product_id, "the subscribed product"));
    RETURN_IF_ERROR(RunOperational(fmt::format(R"sql(
        INSERT INTO subscriptions (principal, product_id, created_at)
        VALUES (?1, ?2, COALESCE(NULLIF(?3, ''), {})))sql",
                                               kNowSql),
                                   sub.principal, sub.product_id, sub.created_at)
                        .WithContext(fmt::format("while subscribing {} to {}", sub.principal, sub.product_id)));
    return conn_.LastInsertRowid();
  }

  Status DeleteSubscription(int64_t id) override {
    RETURN_IF_ERROR(RunOperational("DELETE FROM subscriptions WHERE id = ?1", id)
                        .WithContext(fmt::format("while removing subscription {}", id)));
    return RequireChanged(fmt::format("subscription {}", id));
  }

  Status InsertWebhook(const WebhookRecord& w) override {
    RETURN_IF_ERROR(RequireKey(w.id, "the webhook id"));
    RETURN_IF_ERROR(RequireKey(w.principal, "the webhook's principal"));
    return RunOperational(fmt::format(R"sql(
        INSERT INTO webhooks ({}) VALUES (?1, ?2, ?3, ?4, ?5, COALESCE(NULLIF(?6, ''), {}), ''))sql",
                                      kWebhookColumns, kNowSql),
                          w.id, w.principal, w.url, w.secret, ToJson(w.events), w.created_at)
        .WithContext("while adding a webhook for " + w.principal);
  }

  Status RemoveWebhook(const std::string& id, const std::string& at) override {
    RETURN_IF_ERROR(RunOperational(fmt::format(R"sql(
        UPDATE webhooks SET removed_at = COALESCE(NULLIF(?2, ''), {}) WHERE id = ?1 AND removed_at = '')sql",
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
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, COALESCE(NULLIF(?8, ''), {0}),
                COALESCE(NULLIF(?9, ''), NULLIF(?8, ''), {0}), ?10, ?11, ?12))sql",
                                               kNowSql),
                                   d.webhook_id, d.event_id, d.event_type, d.subject, d.payload, d.status,
                                   d.attempts, d.created_at, d.next_attempt_at, d.last_attempt_at,
                                   d.last_http_status, d.last_error)
                        .WithContext(fmt::format("while queueing event {} for webhook {}", d.event_id,
                                                 d.webhook_id)));
    return conn_.LastInsertRowid();
  }

  Status UpdateDelivery(const DeliveryRecord& d) override {
    RETURN_IF_ERROR(RunOperational(R"sql(
        UPDATE deliveries SET status = ?2, attempts = ?3, next_attempt_at = ?4, last_attempt_at = ?5,
                              last_http_status = ?6, last_error = ?7
        WHERE id = ?1)sql",
                                   d.id, d.status, d.attempts, d.next_attempt_at, d.last_attempt_at,
                                   d.last_http_status, d.last_error)
                        .WithContext(fmt::format("while recording delivery {}", d.id)));
    return RequireChanged(fmt::format("delivery {}", d.id));
  }

  Status Commit() override {
    if (control_changed_)
      RETURN_IF_ERROR(Run("UPDATE catalog_meta SET generation = generation + 1, control_generation = control_generation + 1"));
    else if (catalog_changed_)
      RETURN_IF_ERROR(Run("UPDATE catalog_meta SET generation = generation + 1"));
    // On failure the transaction stays open and the destructor rolls it back.
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

  // A write of what happened (usage, monitoring), not of what the catalog
  // declares: on its own it starts no new generation.
  template <typename... Args>
  Status RunOperational(const std::string& sql, const Args&... args) {
    RETURN_IF_ERROR(CheckOpen());
    ASSIGN_OR_RETURN(Statement stmt, conn_.PrepareCached(sql));
    RETURN_IF_ERROR(stmt.BindAll(args...));
    return stmt.Run();
  }

  template <typename... Args>
  Result<bool> Exists(const char* sql, const Args&... args) {
    RETURN_IF_ERROR(CheckOpen());
    ASSIGN_OR_RETURN(Statement stmt, conn_.PrepareCached(sql));
    RETURN_IF_ERROR(stmt.BindAll(args...));
    return stmt.Step();
  }

  // After a DELETE by key: NotFound when the key named nothing.
  Status RequireChanged(const std::string& what) const {
    if (conn_.Changes() > 0) return Status::Ok();
    return Status::NotFound(what + " is not in the catalog");
  }

  const StoredPaths paths_;
  Connection conn_;
  const std::shared_ptr<IdleWriters> idle_;
  bool open_ = true;  // until Commit succeeds
  bool catalog_changed_ = false;  // a Run (not RunOperational): Commit starts a new generation
  bool control_changed_ = false;  // a Run writing what plans read: a new control generation too
};

// Settings of every connection (they are not stored in the file).
Status ConfigureConnection(Connection& conn) {
  // synchronous=FULL, not WAL's usual NORMAL: with NORMAL the last commits
  // can vanish on power loss (the file stays consistent). A catalog commit
  // records storage that already exists and an audit trail that must not
  // forget; writes are rare (apply, publish), so one fsync each is cheap.
  return conn.Exec("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;");
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path, const SqliteStoreOptions& options) {
  // Each connection to ":memory:" or "" would be a separate private database.
  if (path.empty() || path == ":memory:") {
    return Status::InvalidArgument(fmt::format("the catalog location '{}' is not a file path", path));
  }
  ASSIGN_OR_RETURN(Connection conn, Connection::Open(path, options.busy_timeout_ms));
  RETURN_IF_ERROR(Migrate(conn, CatalogMigrations()));

  // WAL: readers never wait for the writer nor block it, and a reader sees
  // the last commit. The mode is stored in the file; setting it again is a no-op.
  {
    ASSIGN_OR_RETURN(Statement wal, conn.Prepare("PRAGMA journal_mode = WAL"));
    ASSIGN_OR_RETURN(bool row, wal.Step());
    const std::string mode = row ? ToLower(wal.Text(0)) : "";
    if (mode != "wal") {
      return Status::FailedPrecondition(fmt::format(
          "{}: cannot use SQLite's WAL mode here (journal mode stays '{}'); keep the workspace on a local file system",
          path, mode));
    }
  }
  RETURN_IF_ERROR(ConfigureConnection(conn).WithContext("while opening the catalog " + path));
  // The migration connection becomes the shared reader; query_only makes any
  // write through it a bug that fails loudly.
  RETURN_IF_ERROR(conn.Exec("PRAGMA query_only = ON"));
  return std::unique_ptr<SqliteStore>(new SqliteStore(path, options, std::move(conn)));
}

SqliteStore::SqliteStore(std::string path, SqliteStoreOptions options, Connection reader)
    : path_(std::move(path)),
      paths_(path_),
      options_(options),
      reader_(std::move(reader)),
      idle_writers_(std::make_shared<IdleWriters>()) {}

Result<std::unique_ptr<Transaction>> SqliteStore::BeginWrite() {
  const std::string context = "while starting a catalog write";
  std::optional<Connection> conn = idle_writers_->Take();
  if (!conn) {
    ASSIGN_OR_RETURN(conn, Connection::Open(path_, options_.busy_timeout_ms));
    RETURN_IF_ERROR(ConfigureConnection(*conn).WithContext(context));
  }
  // IMMEDIATE takes the write lock now (waiting up to the busy timeout), so
  // two writers never both read, then collide at their first write.
  RETURN_IF_ERROR(conn->Exec("BEGIN IMMEDIATE").WithContext(context));
  return std::unique_ptr<Transaction>(std::make_unique<SqliteTransaction>(std::move(*conn), idle_writers_));
}

Result<int64_t> SqliteStore::Generation() {
  std::lock_guard lock(read_mu_);
  return ReadGeneration(reader_, "generation");
}

Result<int64_t> SqliteStore::ControlGeneration() {
  std::lock_guard lock(read_mu_);
  return ReadGeneration(reader_, "control_generation");
}

Result<std::vector<DomainRecord>> SqliteStore::ListDomains() {
  std::lock_guard lock(read_mu_);
  return Query(reader_, R"sql(
      SELECT name, description, owners, storage_root, service_principal, monthly_budget, soft_limit_percent,
             currency, cost_center, spec_json, digest
      FROM domains ORDER BY name)sql",
               [this](const Statement& s) { return DecodeDomain(s, paths_); });
}

Result<std::vector<PrincipalRecord>> SqliteStore::ListPrincipals() {
  std::lock_guard lock(read_mu_);
  return Query(reader_, "SELECT name, kind, display_name, attributes FROM principals ORDER BY name",
               DecodePrincipal<Statement>);
}

Result<std::vector<MembershipRecord>> SqliteStore::ListMemberships() {
  std::lock_guard lock(read_mu_);
  return Query(reader_, R"sql(
      SELECT group_name, principal, role, source FROM memberships
      ORDER BY group_name, principal, role, source)sql",
               DecodeMembership<Statement>);
}

Result<std::vector<ProductRecord>> SqliteStore::ListProducts() {
  std::lock_guard lock(read_mu_);
  ASSIGN_OR_RETURN(Statement stmt, reader_.PrepareCached(fmt::format("SELECT {} FROM products ORDER BY id", kProductColumns)));
  return CollectRows(stmt, DecodeProduct<Statement>);
}

Result<std::optional<ProductRecord>> SqliteStore::FindProduct(const std::string& id) {
  std::lock_guard lock(read_mu_);
  ASSIGN_OR_RETURN(Statement stmt,
                   reader_.PrepareCached(fmt::format("SELECT {} FROM products WHERE id = ?1", kProductColumns)));
  RETURN_IF_ERROR(stmt.BindAll(id));
  ASSIGN_OR_RETURN(auto rows, CollectRows(stmt, DecodeProduct<Statement>));
  if (rows.empty()) return std::optional<ProductRecord>();
  return std::optional<ProductRecord>(std::move(rows.front()));
}

Result<std::vector<PortVersionRecord>> SqliteStore::ListPortVersions() {
  std::lock_guard lock(read_mu_);
  return Query(reader_, R"sql(
      SELECT product_id, port, major, version, contract_id, status, end_of_support, end_of_life, storage_path
      FROM port_versions ORDER BY product_id, port, major)sql",
               [this](const Statement& s) { return DecodePortVersion(s, paths_); });
}

Result<std::vector<ContractVersionRecord>> SqliteStore::ListContractVersions() {
  std::lock_guard lock(read_mu_);
  // rowid order is the order versions were applied, which text order of
  // version strings is not (1.10.0 < 1.9.0).
  return Query(reader_, R"sql(
      SELECT contract_id, version, major, product_id, port, spec_json, digest, applied_at
      FROM contract_versions ORDER BY contract_id, rowid)sql",
               DecodeContractVersion<Statement>);
}

Result<std::vector<ReferenceEntityRecord>> SqliteStore::ListReferenceEntities() {
  std::lock_guard lock(read_mu_);
  return Query(reader_,
               "SELECT name, mastered_by, identifier_name, spec_json, digest FROM reference_entities ORDER BY name",
               DecodeReferenceEntity<Statement>);
}

Result<std::vector<GlossaryTermRecord>> SqliteStore::ListGlossaryTerms() {
  std::lock_guard lock(read_mu_);
  return Query(reader_, R"sql(
      SELECT name, title, domain, definition, owners, synonyms, related, spec_json, digest
      FROM glossary_terms ORDER BY name)sql",
               DecodeGlossaryTerm<Statement>);
}

Result<std::vector<GlossaryLinkRecord>> SqliteStore::ListGlossaryLinks(const GlossaryLinkFilter& filter) {
  std::lock_guard lock(read_mu_);
  ASSIGN_OR_RETURN(Statement stmt, reader_.PrepareCached(R"sql(
      SELECT term, product_id, port, major, contract_id, contract_version, object, column_name, via
      FROM glossary_links WHERE (?1 = '' OR term = ?1) AND (?2 = '' OR product_id = ?2)
      ORDER BY term, product_id, port, major, object, column_name)sql"));
  RETURN_IF_ERROR(stmt.BindAll(filter.term, filter.product));
  return CollectRows(stmt, DecodeGlossaryLink<Statement>);
}

Result<std::vector<WaiverRecord>> SqliteStore::ListWaivers() {
  std::lock_guard lock(read_mu_);
  return Query(reader_, R"sql(
      SELECT id, policy_id, subject, reason, approver, expires_at, created_at FROM waivers ORDER BY id)sql",
               DecodeWaiver<Statement>);
}

Result<std::vector<AuditEvent>> SqliteStore::ListAudit(const AuditFilter& filter) {
  // "product:sales.*" is a prefix; anything else an exact object; "" any.
  std::string match = "any";
  std::string object = filter.object;
  if (EndsWith(object, "*")) {
    match = "prefix";
    object.pop_back();
  } else if (!object.empty()) {
    match = "exact";
  }
  std::lock_guard lock(read_mu_);
  // The order is in the text, not a parameter: ORDER BY id [DESC] walks the
  // rowid, so the newest event (each plan asks for it) costs one step, not a
  // sort of the whole trail.
  ASSIGN_OR_RETURN(Statement stmt, reader_.PrepareCached(fmt::format(R"sql(
      SELECT id, time, actor, action, object, before_digest, after_digest, detail
      FROM audit_events
      WHERE CASE :match WHEN 'exact' THEN object = :object
                        WHEN 'prefix' THEN substr(object, 1, length(:object)) = :object
                        ELSE 1 END
        AND time >= :since AND id > :after_id
      ORDER BY id {}
      LIMIT :limit)sql", filter.newest_first ? "DESC" : "ASC")));
  RETURN_IF_ERROR(stmt.BindNamed(":match", match));
  RETURN_IF_ERROR(stmt.BindNamed(":object", object));
  RETURN_IF_ERROR(stmt.BindNamed(":since", filter.since));
  RETURN_IF_ERROR(stmt.BindNamed(":after_id", filter.after_id));
  // A limit of 0 or less means no limit (SQLite's LIMIT -1).
  RETURN_IF_ERROR(stmt.BindNamed(":limit", filter.limit > 0 ? int64_t{filter.limit} : int64_t{-1}));
  return CollectRows(stmt, DecodeAuditEvent<Statement>);
}

Result<std::vector<SnapshotRecord>> SqliteStore::ListSnapshots(const std::string& product_id) {
  std::lock_guard lock(read_mu_);
  ASSIGN_OR_RETURN(Statement stmt, reader_.PrepareCached(fmt::format(
                                       "SELECT {} FROM snapshots WHERE product_id = ?1 ORDER BY created_at DESC, id DESC",
                                       kSnapshotColumns)));
  RETURN_IF_ERROR(stmt.BindAll(product_id));
  return CollectRows(stmt, [this](const Statement& s) { return DecodeSnapshot(s, paths_); });
}

Result<std::vector<SnapshotRecord>> SqliteStore::ListAllSnapshots() {
  std::lock_guard lock(read_mu_);
  ASSIGN_OR_RETURN(Statement stmt, reader_.PrepareCached(fmt::format(
                                       "SELECT {} FROM snapshots ORDER BY created_at DESC, id DESC", kSnapshotColumns)));
  return CollectRows(stmt, [this](const Statement& s) { return DecodeSnapshot(s, paths_); });
}

Result<std::vector<PublishRecord>> SqliteStore::ListPublishes(const std::string& product_id, int limit) {
  std::lock_guard lock(read_mu_);
  ASSIGN_OR_RETURN(Statement stmt,
                   reader_.PrepareCached(fmt::format(
                       "SELECT {} FROM publishes WHERE ?1 = '' OR product_id = ?1 ORDER BY started_at DESC, id DESC LIMIT ?2",
                       kPublishColumns)));
  // A limit of 0 or less means all (SQLite's LIMIT -1).
  RETURN_IF_ERROR(stmt.BindAll(product_id, limit > 0 ? int64_t{limit} : int64_t{-1}));
  return CollectRows(stmt, [this](const Statement& s) { return DecodePublish(s, paths_); });
}

Result<std::vector<QualityResultRecord>> SqliteStore::ListQualityResults(const std::string& publish_id) {
  std::lock_guard lock(read_mu_);
  ASSIGN_OR_RETURN(Statement stmt,
                   reader_.PrepareCached(fmt::format(
                       "SELECT {} FROM quality_results WHERE publish_id = ?1 ORDER BY position", kQualityResultColumns)));
  RETURN_IF_ERROR(stmt.BindAll(publish_id));
  return CollectRows(stmt, DecodeQualityResult<Statement>);
}

Result<std::optional<SnapshotProfileRecord>> SqliteStore::FindSnapshotProfile(const std::string& snapshot_id) {
  std::lock_guard lock(read_mu_);
  ASSIGN_OR_RETURN(Statement stmt, reader_.PrepareCached(
      "SELECT snapshot_id, product_id, computed_at, columns_json FROM snapshot_profiles WHERE snapshot_id = ?1"));
  RETURN_IF_ERROR(stmt.BindAll(snapshot_id));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<SnapshotProfileRecord>();
  return std::optional<SnapshotProfileRecord>(SnapshotProfileRecord{
      .snapshot_id = stmt.Text(0), .product_id = stmt.Text(1), .computed_at = stmt.Text(2), .columns_json = stmt.Text(3)});
}

Result<std::vector<AccessRequestRecord>> SqliteStore::ListAccessRequests() {
  std::lock_guard lock(read_mu_);
  ASSIGN_OR_RETURN(Statement stmt,
                   reader_.PrepareCached(fmt::format("SELECT {} FROM access_requests ORDER BY id", kAccessRequestColumns)));
  return CollectRows(stmt, DecodeAccessRequest<Statement>);
}

Result<std::vector<GrantRecord>> SqliteStore::ListGrants() {
  std::lock_guard lock(read_mu_);
  ASSIGN_OR_RETURN(Statement stmt, reader_.PrepareCached(fmt::format("SELECT {} FROM grants ORDER BY id", kGrantColumns)));
  return CollectRows(stmt, DecodeGrant<Statement>);
}

Result<std::vector<TokenRecord>> SqliteStore::ListTokens() {
  std::lock_guard lock(read_mu_);
  ASSIGN_OR_RETURN(Statement stmt,
                   reader_.PrepareCached(fmt::format("SELECT {} FROM tokens ORDER BY created_at, id", kTokenColumns)));
  return CollectRows(stmt, DecodeToken<Statement>);
}

Result<TokenRecord> SqliteStore::FindToken(const std::string& hash) {
  std::lock_guard lock(read_mu_);
  ASSIGN_OR_RETURN(Statement stmt,
                   reader_.PrepareCached(fmt::format("SELECT {} FROM tokens WHERE hash = ?1", kTokenColumns)));
  RETURN_IF_ERROR(stmt.BindAll(hash));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return Status::NotFound("no such token");
  return DecodeToken(stmt);
}

Result<std::vector<StreamOffsetRecord>> SqliteStore::ListStreamOffsets(const std::string& product_id) {
  std::lock_guard lock(read_mu_);
  ASSIGN_OR_RETURN(Statement stmt, reader_.PrepareCached(fmt::format(
                                       "SELECT {} FROM stream_offsets WHERE product_id = ?1 ORDER BY producer, major",
                                       kStreamOffsetColumns)));
  RETURN_IF_ERROR(stmt.BindAll(product_id));
  return CollectRows(stmt, DecodeStreamOffset<Statement>);
}

Result<std::vector<SlaCheckRecord>> SqliteStore::ListSlaChecks(const std::string& product_id, int limit) {
  std::lock_guard lock(read_mu_);
  ASSIGN_OR_RETURN(Statement stmt,
                   reader_.PrepareCached(fmt::format(
                       "SELECT {} FROM sla_checks WHERE product_id = ?1 ORDER BY id DESC LIMIT ?2", kSlaCheckColumns)));
  RETURN_IF_ERROR(stmt.BindAll(product_id, limit > 0 ? int64_t{limit} : int64_t{-1}));
  return CollectRows(stmt, DecodeSlaCheck<Statement>);
}

Result<std::vector<IncidentRecord>> SqliteStore::ListIncidents(const IncidentFilter& filter) {
  std::lock_guard lock(read_mu_);
  ASSIGN_OR_RETURN(Statement stmt, reader_.PrepareCached(fmt::format(R"sql(
      SELECT {} FROM incidents
      WHERE (?1 = '' OR product_id = ?1)
        AND (?2 = '' OR status = ?2 OR (?2 = 'unresolved' AND status <> 'resolved'))
      ORDER BY id DESC LIMIT ?3)sql",
                                                               kIncidentColumns)));
  RETURN_IF_ERROR(stmt.BindAll(filter.product_id, filter.status,
                               filter.limit > 0 ? int64_t{filter.limit} : int64_t{-1}));
  return CollectRows(stmt, DecodeIncident<Statement>);
}

Result<std::vector<IncidentEventRecord>> SqliteStore::ListIncidentEvents(int64_t incident_id) {
  std::lock_guard lock(read_mu_);
  ASSIGN_OR_RETURN(Statement stmt, reader_.PrepareCached(fmt::format(
                                       "SELECT {} FROM incident_events WHERE incident_id = ?1 ORDER BY id",
                                       kIncidentEventColumns)));
  RETURN_IF_ERROR(stmt.BindAll(incident_id));
  return CollectRows(stmt, DecodeIncidentEvent<Statement>);
}

Result<std::vector<SubscriptionRecord>> SqliteStore::ListSubscriptions() {
  std::lock_guard lock(read_mu_);
  return Query(reader_, "SELECT id, principal, product_id, created_at FROM subscriptions ORDER BY id",
               DecodeSubscription<Statement>);
}

Result<std::vector<WebhookRecord>> SqliteStore::ListWebhooks() {
  std::lock_guard lock(read_mu_);
  ASSIGN_OR_RETURN(Statement stmt, reader_.PrepareCached(fmt::format(
                                       "SELECT {} FROM webhooks ORDER BY created_at, id", kWebhookColumns)));
  return CollectRows(stmt, DecodeWebhook<Statement>);
}

Result<std::vector<DeliveryRecord>> SqliteStore::ListDeliveries(const DeliveryFilter& filter) {
  std::lock_guard lock(read_mu_);
  ASSIGN_OR_RETURN(Statement stmt, reader_.PrepareCached(fmt::format(R"sql(
      SELECT {} FROM deliveries
      WHERE (?1 = '' OR webhook_id = ?1)
        AND (?2 = '' OR status = ?2)
        AND (?3 = '' OR (status = 'pending' AND next_attempt_at <= ?3))
        AND (?5 = '' OR event_id = ?5)
      ORDER BY id DESC LIMIT ?4)sql",
                                                               kDeliveryColumns)));
  RETURN_IF_ERROR(stmt.BindAll(filter.webhook_id, filter.status, filter.due_by,
                               filter.limit > 0 ? int64_t{filter.limit} : int64_t{-1}, filter.event_id));
  return CollectRows(stmt, DecodeDelivery<Statement>);
}

namespace {

// The WHERE clause of a UsageFilter (?1 product, ?2 consumer domain, ?3 since,
// ?4 until). A product matches any of its majors: the addresses are "<id>_v<major>".
constexpr const char* kUsageWhere = R"sql(
      WHERE (?1 = '' OR EXISTS (SELECT 1 FROM json_each(usage.products) AS p
                                 WHERE p.value = ?1 OR p.value LIKE ?1 || '\_v%' ESCAPE '\'))
        AND (?2 = '' OR consumer_domain = ?2)
        AND (?3 = '' OR at >= ?3)
        AND (?4 = '' OR at < ?4))sql";

}  // namespace

Result<std::vector<UsageRecord>> SqliteStore::ListUsage(const UsageFilter& filter) {
  std::lock_guard lock(read_mu_);
  ASSIGN_OR_RETURN(Statement stmt,
                   reader_.PrepareCached(fmt::format("SELECT {} FROM usage {} ORDER BY at, id", kUsageColumns, kUsageWhere)));
  RETURN_IF_ERROR(stmt.BindAll(filter.product_id, filter.consumer_domain, filter.since, filter.until));
  return CollectRows(stmt, DecodeUsage<Statement>);
}

Result<double> SqliteStore::SumUsageCost(const UsageFilter& filter) {
  std::lock_guard lock(read_mu_);
  auto prepare = [&]() -> Result<Statement> {
    if (WholeMonthsFrom(filter)) {
      ASSIGN_OR_RETURN(Statement stmt,
                       reader_.PrepareCached("SELECT COALESCE(SUM(cost), 0) FROM usage_monthly "
                                       "WHERE (?1 = '' OR consumer_domain = ?1) AND month >= substr(?2, 1, 7)"));
      RETURN_IF_ERROR(stmt.BindAll(filter.consumer_domain, filter.since));
      return stmt;
    }
    ASSIGN_OR_RETURN(Statement stmt, reader_.PrepareCached(fmt::format("SELECT COALESCE(SUM(cost), 0) FROM usage {}", kUsageWhere)));
    RETURN_IF_ERROR(stmt.BindAll(filter.product_id, filter.consumer_domain, filter.since, filter.until));
    return stmt;
  };
  ASSIGN_OR_RETURN(Statement stmt, prepare());
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return 0.0;
  return stmt.Double(0);
}

Result<SearchResult> SqliteStore::Search(const SearchQuery& query) {
  if (query.limit <= 0 || query.limit > kMaxSearchLimit) {
    return Status::InvalidArgument(
        fmt::format("the search limit is {}; it must be between 1 and {}", query.limit, kMaxSearchLimit));
  }
  ASSIGN_OR_RETURN(std::string match, FtsMatchExpression(query.text));
  const bool full_text = !match.empty();
  const int window = std::max(query.limit, kSearchFacetWindow);

  // One statement ranks the matches and keeps the best `window` + 1 (the
  // extra row says whether more matched); it returns them in rank order
  // (kind 0), then the tag, classification and column-tag counts over the
  // first `window` of them (kind 1). Facet counts thus cost a key lookup per
  // kept hit, never a walk of search_facets, and the snippets, the costliest
  // part of a hit, are made for the returned hits only (below).
  //
  // Text: FTS5 finds and ranks, over the products' text and, through the
  // columns that name them, over the glossary terms' names, synonyms and
  // definitions: a product whose column is the term "customer" is found by
  // the term's synonym "client". A product found both ways keeps its best
  // score (and that way's snippet). No text (or none searchable): a
  // filtered listing by name.
  const std::string ranked = full_text ? fmt::format(R"sql(
      text_hits AS (
        SELECT d.product_id, -{} * CASE WHEN d.golden_record THEN {} ELSE 1.0 END AS score, NULL AS snippet
        FROM search_fts JOIN search_documents d ON d.doc_id = search_fts.rowid
        WHERE search_fts MATCH :match {}
        ORDER BY score DESC, d.product_id
        LIMIT :window + 1),
      term_hits AS (
        SELECT l.product_id, -{} * {} AS score,
               l.object || '.' || l.column_name || ' is the glossary term ' || t.name || ': ' ||
                 snippet(glossary_fts, -1, '[', ']', '...', 8) AS snippet
        FROM glossary_fts JOIN glossary_terms t ON t.term_id = glossary_fts.rowid
             JOIN glossary_links l ON l.term = t.name
             JOIN search_documents d ON d.product_id = l.product_id
        WHERE glossary_fts MATCH :match {}),
      matched AS (
        SELECT product_id, max(score) AS score, snippet
        FROM (SELECT * FROM text_hits UNION ALL SELECT * FROM term_hits) GROUP BY product_id),
      ranked AS MATERIALIZED (
        SELECT d.product_id, d.domain, d.name, d.status, m.score, m.snippet, d.doc_id
        FROM matched m JOIN search_documents d ON d.product_id = m.product_id
        ORDER BY m.score DESC, d.product_id
        LIMIT :window + 1))sql",
                                                     kBm25Sql, kGoldenRecordBoost, kSearchFilterSql,
                                                     kGlossaryBm25Sql, kTermLinkWeight, kSearchFilterSql)
                                       : fmt::format(R"sql(
      ranked AS MATERIALIZED (
        SELECT d.product_id, d.domain, d.name, d.status, 0.0 AS score, '' AS snippet, d.doc_id
        FROM search_documents d WHERE 1 {}
        ORDER BY d.name, d.product_id
        LIMIT :window + 1))sql",
                                                     kSearchFilterSql);
  const std::string order = full_text ? "score DESC, product_id" : "name, product_id";
  const std::string search_sql = fmt::format(R"sql(
      WITH {},
      counted AS (SELECT product_id FROM ranked ORDER BY {} LIMIT :window)
      SELECT 0 AS kind, product_id, domain, name, status, score, snippet, doc_id FROM ranked
      UNION ALL
      SELECT 1, f.facet, f.value, NULL, NULL, NULL, NULL, count(*)
      FROM counted CROSS JOIN search_facets f ON f.product_id = counted.product_id
      GROUP BY f.facet, f.value
      ORDER BY kind, {})sql",
                                             ranked, order, order);
  // A text hit's snippet: the MATCH again, for one row (FTS5 seeks by rowid).
  const std::string snippet_sql = R"sql(
      SELECT snippet(search_fts, -1, '[', ']', '...', 12) FROM search_fts
      WHERE search_fts MATCH :match AND rowid = :doc_id)sql";
  // The terms themselves, for a text search.
  const std::string terms_sql = fmt::format(R"sql(
      SELECT t.name, t.title, t.domain, t.definition, -{} AS score,
             snippet(glossary_fts, -1, '[', ']', '...', 12)
      FROM glossary_fts JOIN glossary_terms t ON t.term_id = glossary_fts.rowid
      WHERE glossary_fts MATCH :match
      ORDER BY score DESC, t.name
      LIMIT :limit)sql",
                                            kGlossaryBm25Sql);

  std::lock_guard lock(read_mu_);
  return InSnapshot(reader_, [&]() -> Result<SearchResult> {
    SearchResult result;
    std::vector<int64_t> text_hit_docs;  // doc_id of each hit whose snippet is still to make; 0: none needed
    {
      ASSIGN_OR_RETURN(Statement stmt, reader_.PrepareCached(search_sql));
      if (full_text) RETURN_IF_ERROR(stmt.BindNamed(":match", match));
      RETURN_IF_ERROR(stmt.BindNamed(":domain", query.domain));
      RETURN_IF_ERROR(stmt.BindNamed(":status", query.status));
      RETURN_IF_ERROR(stmt.BindNamed(":tag", query.tag));
      RETURN_IF_ERROR(stmt.BindNamed(":column_tag", query.column_tag));
      RETURN_IF_ERROR(stmt.BindNamed(":classification", query.classification));
      RETURN_IF_ERROR(stmt.BindNamed(":window", window));
      int64_t ranked_rows = 0;
      while (true) {
        ASSIGN_OR_RETURN(bool row, stmt.Step());
        if (!row) break;
        if (stmt.Int(0) == 1) {
          result.facets[stmt.Text(1)][stmt.Text(2)] = stmt.Int(7);
          continue;
        }
        if (++ranked_rows > window) continue;  // the extra row: more matched than the facets count
        ++result.facets["domain"][stmt.Text(2)];
        ++result.facets["status"][stmt.Text(4)];
        if (ranked_rows > query.limit) continue;
        text_hit_docs.push_back(full_text && stmt.IsNull(6) ? stmt.Int(7) : 0);
        result.hits.push_back({.product_id = stmt.Text(1), .domain = stmt.Text(2), .name = stmt.Text(3),
                               .status = stmt.Text(4), .score = stmt.Double(5), .snippet = stmt.Text(6)});
      }
      result.facets_counted = std::min<int64_t>(ranked_rows, window);
      result.facets_complete = ranked_rows <= window;
    }
    for (size_t i = 0; i < result.hits.size(); ++i) {
      if (text_hit_docs[i] == 0) continue;
      ASSIGN_OR_RETURN(Statement stmt, reader_.PrepareCached(snippet_sql));
      RETURN_IF_ERROR(stmt.BindNamed(":match", match));
      RETURN_IF_ERROR(stmt.BindNamed(":doc_id", text_hit_docs[i]));
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (row) result.hits[i].snippet = stmt.Text(0);
    }
    if (full_text) {
      ASSIGN_OR_RETURN(Statement stmt, reader_.PrepareCached(terms_sql));
      RETURN_IF_ERROR(stmt.BindNamed(":match", match));
      RETURN_IF_ERROR(stmt.BindNamed(":limit", query.limit));
      ASSIGN_OR_RETURN(result.terms, CollectRows(stmt, DecodeTermHit<Statement>));
    }
    return result;
  });
}

namespace {

// flock(2) on a file beside the catalog: every process on this host that
// opens the catalog sees it, and the kernel drops it with the process.
class FileLease final : public Lease {
 public:
  explicit FileLease(int fd) : fd_(fd) {}
  ~FileLease() override { ::close(fd_); }
  FileLease(const FileLease&) = delete;
  FileLease& operator=(const FileLease&) = delete;

 private:
  int fd_;
};

}  // namespace

Result<std::unique_ptr<Lease>> SqliteStore::AcquireLease(const std::string& name, std::chrono::milliseconds wait) {
  const std::string file = path_ + ".lease-" + name;
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError(fmt::format("cannot open {}: {}", file, std::strerror(errno)));
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      const int error = errno;
      ::close(fd);
      return Status::IoError(fmt::format("cannot lock {}: {}", file, std::strerror(error)));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::close(fd);
      return std::unique_ptr<Lease>();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::unique_ptr<Lease>(std::make_unique<FileLease>(fd));
}

Result<CatalogTables> SqliteStore::ExportTables() {
  std::lock_guard lock(read_mu_);
  return InSnapshot(reader_, [&] { return sqlite::ExportTables(reader_, paths_); });
}

Result<std::string> SqliteStore::Dump() {
  std::lock_guard lock(read_mu_);
  return InSnapshot(reader_, [&]() -> Result<std::string> {
    std::string out;
    {
      ASSIGN_OR_RETURN(Statement version, reader_.Prepare("PRAGMA user_version"));
      ASSIGN_OR_RETURN(bool row, version.Step());
      out += fmt::format("schema version {}\n", row ? version.Int(0) : 0);
    }
    // Every table and the FTS table itself, not its shadow tables (FTS5's
    // private storage) nor sqlite_schema (the schema, not data).
    ASSIGN_OR_RETURN(Statement tables, reader_.Prepare(R"sql(
        SELECT name, type FROM pragma_table_list
        WHERE schema = 'main' AND type IN ('table', 'virtual') AND name <> 'sqlite_schema'
        ORDER BY name)sql"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, tables.Step());
      if (!row) break;
      const std::string table = tables.Text(0);
      ASSIGN_OR_RETURN(Statement info,
                       reader_.Prepare("SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk"));
      RETURN_IF_ERROR(info.BindAll(table));
      std::vector<std::string> key;
      while (true) {
        ASSIGN_OR_RETURN(bool key_row, info.Step());
        if (!key_row) break;
        key.push_back(SqlIdent(info.Text(0)));
      }
      // A table without a declared key (the FTS table, sqlite_sequence) is
      // ordered by rowid, which the dump shows: for search_fts it links the
      // text to its search_documents row.
      const std::string sql = key.empty()
                                  ? fmt::format("SELECT rowid, * FROM {} ORDER BY rowid", SqlIdent(table))
                                  : fmt::format("SELECT * FROM {} ORDER BY {}", SqlIdent(table), Join(key, ", "));
      ASSIGN_OR_RETURN(Statement rows, reader_.Prepare(sql));
      std::vector<std::string> columns;
      for (int i = 0; i < rows.ColumnCount(); ++i) columns.push_back(rows.ColumnName(i));
      out += fmt::format("\n[{}] {}\n", table, Join(columns, " | "));
      while (true) {
        ASSIGN_OR_RETURN(bool data_row, rows.Step());
        if (!data_row) break;
        std::vector<std::string> values;
        for (int i = 0; i < rows.ColumnCount(); ++i) values.push_back(DumpValue(rows, i));
        out += Join(values, " | ") + "\n";
      }
    }
    return out;
  });
}

}  // namespace weft::catalog::sqlite
