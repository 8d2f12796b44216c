// The catalog Store on PostgreSQL: what several weft processes (servers
// behind one address, CLIs) share when one SQLite file on one host is not
// enough. Same records, same semantics as the SQLite store
// (sqlite/sqlite_store.h); the schema and its versions are in migrations.cc.
//
//   ASSIGN_OR_RETURN(auto store, PostgresStore::Open("postgres://weft@db.internal/weft"));
//   ASSIGN_OR_RETURN(auto txn, store->BeginWrite());
//
// Connections: each write Transaction opens its own connection, begins a
// READ COMMITTED transaction and takes the catalog's advisory write lock
// (pg_advisory_xact_lock) before anything else, holding it to the end: like
// SQLite's BEGIN IMMEDIATE, writers serialize across threads, processes and
// hosts, and every statement of a writer sees every earlier commit, so the
// generation it reads cannot move under it. A writer that waits longer than
// lock_timeout_ms fails with kFailedPrecondition "…locked by another weft
// process…; retry". Reads share one connection behind a mutex (autocommit:
// each sees the last commit); multi-statement reads (Search, Dump) run in
// one REPEATABLE READ transaction. A read whose connection was dropped
// reconnects and runs once more (reads are safe to repeat); a write is never
// retried here: its transaction is gone with the connection and nothing of
// it was committed.
//
// Thread safety: a PostgresStore is safe for concurrent use from several
// threads; a Transaction belongs to one thread.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "catalog/postgres/connection.h"
#include "catalog/store.h"
#include "catalog/tables.h"

namespace weft::catalog::postgres {

struct PostgresStoreOptions {
  // How long a writer (or a migration) waits for the write lock; tests shorten it.
  int lock_timeout_ms = 5000;
  int connect_timeout_s = 10;
};

class PostgresStore final : public Store {
 public:
  // Connects to `url` (postgres:// or postgresql://), refuses a database that
  // is not a weft catalog or is newer than this weft, and applies pending
  // migrations. Errors name the catalog as user@host:port/db, never the password.
  static Result<std::unique_ptr<PostgresStore>> Open(const std::string& url, const PostgresStoreOptions& options = {});

  Result<std::unique_ptr<Transaction>> BeginWrite() override;
  Result<std::unique_ptr<Lease>> AcquireLease(const std::string& name, std::chrono::milliseconds wait) override;
  Result<int64_t> Generation() override;
  Result<int64_t> ControlGeneration() override;

  Result<std::vector<DomainRecord>> ListDomains() override;
  Result<std::vector<PrincipalRecord>> ListPrincipals() override;
  Result<std::vector<MembershipRecord>> ListMemberships() override;
  Result<std::vector<ProductRecord>> ListProducts() override;
  Result<std::optional<ProductRecord>> FindProduct(const std::string& id) override;
  Result<std::vector<PortVersionRecord>> ListPortVersions() override;
  Result<std::vector<ContractVersionRecord>> ListContractVersions() override;
  Result<std::vector<ReferenceEntityRecord>> ListReferenceEntities() override;
  Result<std::vector<WaiverRecord>> ListWaivers() override;
  Result<std::vector<GlossaryTermRecord>> ListGlossaryTerms() override;
  Result<std::vector<GlossaryLinkRecord>> ListGlossaryLinks(const GlossaryLinkFilter& filter) override;
  Result<std::vector<AuditEvent>> ListAudit(const AuditFilter& filter) override;
  Result<SearchResult> Search(const SearchQuery& query) override;
  Result<std::vector<SnapshotRecord>> ListSnapshots(const std::string& product_id) override;
  Result<std::vector<SnapshotRecord>> ListAllSnapshots() override;
  Result<std::vector<PublishRecord>> ListPublishes(const std::string& product_id, int limit) override;
  Result<std::vector<QualityResultRecord>> ListQualityResults(const std::string& publish_id) override;
  Result<std::vector<StreamOffsetRecord>> ListStreamOffsets(const std::string& product_id) override;
  Result<std::optional<SnapshotProfileRecord>> FindSnapshotProfile(const std::string& snapshot_id) override;
  Result<std::vector<AccessRequestRecord>> ListAccessRequests() override;
  Result<std::vector<GrantRecord>> ListGrants() override;
  Result<std::vector<TokenRecord>> ListTokens() override;
  Result<TokenRecord> FindToken(const std::string& hash) override;
  Result<std::vector<SlaCheckRecord>> ListSlaChecks(const std::string& product_id, int limit) override;
  Result<std::vector<IncidentRecord>> ListIncidents(const IncidentFilter& filter) override;
  Result<std::vector<IncidentEventRecord>> ListIncidentEvents(int64_t incident_id) override;
  Result<std::vector<SubscriptionRecord>> ListSubscriptions() override;
  Result<std::vector<WebhookRecord>> ListWebhooks() override;
  Result<std::vector<DeliveryRecord>> ListDeliveries(const DeliveryFilter& filter) override;
  Result<std::vector<UsageRecord>> ListUsage(const UsageFilter& filter) override;
  Result<double> SumUsageCost(const UsageFilter& filter) override;
  Result<std::string> Dump() override;

  // Every table as of one commit (catalog/tables.h).
  Result<CatalogTables> ExportTables();
  // Fills this catalog, which must be empty, with `tables` (an export of
  // another store: catalog/migrate.h) in one transaction under the write
  // lock; reads the copy back, and commits only if it equals `tables` and
  // `before_commit` (a last check of the caller's) passes.
  Status ImportTables(const CatalogTables& tables, const std::function<Status()>& before_commit);

 private:
  PostgresStore(std::string url, PostgresStoreOptions options, Connection reader)
      : url_(std::move(url)), options_(options), reader_(std::move(reader)) {}

  // A new connection inside a transaction holding the catalog's write lock.
  Result<Connection> OpenWriter();
  // Runs `read` on the reader connection under read_mu_; once more after
  // reconnecting when the connection was lost.
  template <typename Read>
  auto Reading(Read read) -> decltype(read(std::declval<Connection&>()));
  // One statement on the reader.
  template <typename... Args>
  Result<Rows> ReadRows(const std::string& sql, const Args&... args);

  // Constant after construction.
  const std::string url_;  // holds the password, if the URL has one: never printed
  const PostgresStoreOptions options_;

  std::mutex read_mu_;
  Connection reader_;  // protected by read_mu_
};

}  // namespace weft::catalog::postgres
