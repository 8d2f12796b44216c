// The embedded catalog Store: one SQLite file (the workspace's catalog.db)
// in WAL mode, with an FTS5 index for product search. The schema and its
// versions are in migrations.cc; every other statement is in sqlite_store.cc.
//
//   ASSIGN_OR_RETURN(auto store, SqliteStore::Open("/ws/catalog.db"));
//   ASSIGN_OR_RETURN(auto txn, store->BeginWrite());
//
// Connections: each write Transaction opens its own connection and holds
// SQLite's write lock (BEGIN IMMEDIATE) from start to end, so writers are
// serialized across threads and processes alike. Reads share one read-only
// connection; in WAL mode they never wait for a writer and see the last
// committed state.
//
// Thread safety: a SqliteStore is safe for concurrent use from several
// threads; a Transaction belongs to one thread.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "catalog/sqlite/connection.h"
#include "catalog/sqlite/stored_paths.h"
#include "catalog/store.h"
#include "catalog/tables.h"

namespace weft::catalog::sqlite {

struct IdleWriters;  // sqlite_store.cc

struct SqliteStoreOptions {
  // How long a writer (or, rarely, a reader) waits for SQLite's lock before
  // giving up; tests shorten it.
  int busy_timeout_ms = 5000;
};

class SqliteStore final : public Store {
 public:
  // Opens `path` (creating it when missing), refuses a file that is not a
  // catalog or is newer than this weft, and applies pending migrations.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path, const SqliteStoreOptions& options = {});

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

  // Every table as of one commit (catalog/tables.h), for `weft catalog migrate`.
  Result<CatalogTables> ExportTables();

 private:
  SqliteStore(std::string path, SqliteStoreOptions options, Connection reader);

  // Constant after construction.
  const std::string path_;
  const StoredPaths paths_;  // how paths are stored: relative to path_'s directory when under it
  const SqliteStoreOptions options_;

  std::mutex read_mu_;
  Connection reader_;  // protected by read_mu_
  // Write connections between transactions (shared: a Transaction may
  // outlive the store).
  const std::shared_ptr<IdleWriters> idle_writers_;
};

}  // namespace weft::catalog::sqlite
