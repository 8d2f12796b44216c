// The catalog Store: the control plane's persistence. Callers see only this
// interface; src/catalog/sqlite/ implements it on SQLite (the embedded
// default) and a PostgreSQL store can implement it without touching callers.
// No SQL appears outside the store implementations.
//
//   ASSIGN_OR_RETURN(auto store, OpenStore("/ws/catalog.db"));
//   ASSIGN_OR_RETURN(auto txn, store->BeginWrite());
//   RETURN_IF_ERROR(txn->UpsertDomain(domain));
//   RETURN_IF_ERROR(txn->AppendAudit({.actor = "alice", .action = "apply.create", .object = "domain:sales"}));
//   RETURN_IF_ERROR(txn->Commit());   // or let txn go out of scope: rolled back
//
// Every change goes through one write Transaction, which also appends the
// audit events describing it: either all of it is committed or none.
//
// Thread safety: a Store may be used from several threads; a Transaction
// belongs to one thread. Writers are serialized, across processes too: a
// second writer waits (bounded), then fails with kFailedPrecondition.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/records.h"
#include "common/status.h"

namespace weft::catalog {

class Transaction {
 public:
  virtual ~Transaction() = default;  // rolls back unless Commit() succeeded

  // The catalog generation this transaction started from (see Store::Generation).
  virtual Result<int64_t> Generation() = 0;
  // The control-plane generation it started from (see Store::ControlGeneration).
  virtual Result<int64_t> ControlGeneration() = 0;

  virtual Status UpsertDomain(const DomainRecord& d) = 0;
  virtual Status DeleteDomain(const std::string& name) = 0;
  virtual Status UpsertPrincipal(const PrincipalRecord& p) = 0;
  // Adds the principal unless it exists: apply declares principals without
  // touching what `weft principal set` gave them.
  virtual Status EnsurePrincipal(const PrincipalRecord& p) = 0;
  // Replaces every membership declared by `source` with `memberships`.
  virtual Status ReplaceMemberships(const std::string& source, const std::vector<MembershipRecord>& memberships) = 0;
  virtual Status UpsertProduct(const ProductRecord& p) = 0;
  virtual Status DeleteProduct(const std::string& id) = 0;  // and its port versions and search entry
  virtual Status UpsertPortVersion(const PortVersionRecord& v) = 0;
  // Fails with kAlreadyExists if (contract_id, version) exists with another digest.
  virtual Status InsertContractVersion(const ContractVersionRecord& c) = 0;
  virtual Status UpsertReferenceEntity(const ReferenceEntityRecord& e) = 0;
  virtual Status DeleteReferenceEntity(const std::string& name) = 0;
  virtual Status IndexForSearch(const SearchDocument& doc) = 0;
  virtual Status UpsertGlossaryTerm(const GlossaryTermRecord& t) = 0;
  virtual Status DeleteGlossaryTerm(const std::string& name) = 0;  // and its links
  // Replaces every glossary link (they are derived; apply recomputes them all).
  virtual Status ReplaceGlossaryLinks(const std::vector<GlossaryLinkRecord>& links) = 0;
  virtual Result<int64_t> AddWaiver(const WaiverRecord& w) = 0;
  virtual Status DeleteWaiver(int64_t id) = 0;
  virtual Status AppendAudit(const AuditEvent& e) = 0;

  // Data plane. A snapshot, its publish record and its quality results are
  // committed together; a rejected publish commits its record and results only.
  //
  // The current (newest) snapshot of `product_id` vMAJOR as this transaction
  // sees it, read under the write lock: a publish checks here that the parent
  // it read when it started is still current, so two publishes of one
  // product — two processes, two servers on one catalog — can never both
  // commit on the same parent (the second append would drop the first's rows).
  virtual Result<std::optional<SnapshotRecord>> CurrentSnapshot(const std::string& product_id, int64_t major) = 0;
  virtual Status InsertSnapshot(const SnapshotRecord& s) = 0;
  virtual Status DeleteSnapshot(const std::string& id) = 0;  // gc; the files go after the commit
  virtual Status InsertPublish(const PublishRecord& p) = 0;
  virtual Status InsertQualityResults(const std::vector<QualityResultRecord>& results) = 0;
  // A snapshot's column profile, committed with the snapshot; DeleteSnapshot removes it.
  virtual Status InsertSnapshotProfile(const SnapshotProfileRecord& p) = 0;
  // A streaming product's producer offset as this transaction sees it, read
  // under the write lock (a batch commits only from the offset it started
  // at), and its new value, committed with the batch's snapshot.
  virtual Result<std::optional<StreamOffsetRecord>> FindStreamOffset(const std::string& product_id, int64_t major,
                                                                     const std::string& producer) = 0;
  virtual Status UpsertStreamOffset(const StreamOffsetRecord& o) = 0;

  // Governed sharing.
  virtual Result<int64_t> InsertAccessRequest(const AccessRequestRecord& r) = 0;
  virtual Status UpdateAccessRequest(const AccessRequestRecord& r) = 0;  // by id: status, decision, grant
  virtual Result<int64_t> InsertGrant(const GrantRecord& g) = 0;
  virtual Status RevokeGrant(int64_t id, const std::string& by, const std::string& at) = 0;
  virtual Result<int64_t> InsertUsage(const UsageRecord& u) = 0;
  virtual Status InsertToken(const TokenRecord& t) = 0;
  virtual Status RevokeToken(const std::string& id, const std::string& by, const std::string& at) = 0;

  // Monitoring and notifications (monitor/). Like usage, these record how
  // products behave, not what the catalog declares: on their own they start
  // no new generation.
  virtual Status InsertSlaCheck(const SlaCheckRecord& c) = 0;
  virtual Result<int64_t> InsertIncident(const IncidentRecord& i) = 0;
  // By id: severity, title, status, assignee, updated_at, resolved_at,
  // resolution, false_positive, detail.
  virtual Status UpdateIncident(const IncidentRecord& i) = 0;
  virtual Status AppendIncidentEvent(const IncidentEventRecord& e) = 0;
  virtual Result<int64_t> InsertSubscription(const SubscriptionRecord& s) = 0;
  virtual Status DeleteSubscription(int64_t id) = 0;
  virtual Status InsertWebhook(const WebhookRecord& w) = 0;
  virtual Status RemoveWebhook(const std::string& id, const std::string& at) = 0;
  virtual Result<int64_t> InsertDelivery(const DeliveryRecord& d) = 0;
  // By id: status, attempts, next_attempt_at, last_attempt_at, last_http_status, last_error.
  virtual Status UpdateDelivery(const DeliveryRecord& d) = 0;

  // Makes every change above durable and visible at once, and advances the
  // catalog generation.
  virtual Status Commit() = 0;
};

// Held while alive (Store::AcquireLease).
class Lease {
 public:
  virtual ~Lease() = default;
};

class Store {
 public:
  virtual ~Store() = default;

  // An exclusive lease named `name` across every process on this catalog —
  // several servers on one PostgreSQL catalog, CLIs and a server on one
  // file — for work that must run once at a time (the monitor's pass and
  // deliveries: two replicas each opening the same incident and sending its
  // notifications would double them). Waits up to `wait`; nullptr when
  // another holder kept it that long. Released when the Lease is destroyed
  // or its process ends, however it ends.
  virtual Result<std::unique_ptr<Lease>> AcquireLease(const std::string& name, std::chrono::milliseconds wait) = 0;

  // Starts the single write transaction; waits for another writer (bounded).
  virtual Result<std::unique_ptr<Transaction>> BeginWrite() = 0;

  // Increases with every committed write of catalog state: a plan made at
  // generation G can be applied only while the catalog is still at G
  // (optimistic concurrency), and caches keyed by it stay valid until then.
  // A transaction that only records usage (metering) or monitoring does not
  // advance it.
  virtual Result<int64_t> Generation() = 0;

  // Increases with every committed write of what a plan reads: domains,
  // team memberships, products, port and contract versions, reference
  // entities, glossary terms, waivers. An apply is refused only when this
  // moved since its plan was made, so grants, tokens and publishes
  // committing meanwhile do not starve it. Never ahead of Generation().
  virtual Result<int64_t> ControlGeneration() = 0;

  virtual Result<std::vector<DomainRecord>> ListDomains() = 0;
  virtual Result<std::vector<PrincipalRecord>> ListPrincipals() = 0;
  virtual Result<std::vector<MembershipRecord>> ListMemberships() = 0;
  virtual Result<std::vector<ProductRecord>> ListProducts() = 0;
  // One product by id (DOMAIN.PRODUCT): what a page or a search hit needs,
  // without reading every product of a large catalog.
  virtual Result<std::optional<ProductRecord>> FindProduct(const std::string& id) = 0;
  virtual Result<std::vector<PortVersionRecord>> ListPortVersions() = 0;
  virtual Result<std::vector<ContractVersionRecord>> ListContractVersions() = 0;
  virtual Result<std::vector<ReferenceEntityRecord>> ListReferenceEntities() = 0;
  virtual Result<std::vector<WaiverRecord>> ListWaivers() = 0;
  virtual Result<std::vector<GlossaryTermRecord>> ListGlossaryTerms() = 0;  // by name
  // By term, product, major, object, column.
  virtual Result<std::vector<GlossaryLinkRecord>> ListGlossaryLinks(const GlossaryLinkFilter& filter) = 0;
  virtual Result<std::vector<AuditEvent>> ListAudit(const AuditFilter& filter) = 0;
  virtual Result<SearchResult> Search(const SearchQuery& query) = 0;

  // Snapshots of a product (every major), newest first.
  virtual Result<std::vector<SnapshotRecord>> ListSnapshots(const std::string& product_id) = 0;
  // Every snapshot of every product (for gc), newest first.
  virtual Result<std::vector<SnapshotRecord>> ListAllSnapshots() = 0;
  // Publish attempts of a product (empty: of every product, removed ones
  // too), newest first; limit <= 0: all.
  virtual Result<std::vector<PublishRecord>> ListPublishes(const std::string& product_id, int limit) = 0;
  virtual Result<std::vector<QualityResultRecord>> ListQualityResults(const std::string& publish_id) = 0;
  // The producers of a streaming product and how far each is committed, by producer.
  virtual Result<std::vector<StreamOffsetRecord>> ListStreamOffsets(const std::string& product_id) = 0;
  // The profile of a snapshot; nullopt for one published before profiles existed.
  virtual Result<std::optional<SnapshotProfileRecord>> FindSnapshotProfile(const std::string& snapshot_id) = 0;

  virtual Result<std::vector<AccessRequestRecord>> ListAccessRequests() = 0;  // by id
  virtual Result<std::vector<GrantRecord>> ListGrants() = 0;                  // by id, revoked ones too
  virtual Result<std::vector<UsageRecord>> ListUsage(const UsageFilter& filter) = 0;  // by time
  // The total cost of the usage `filter` selects, summed by the store (a
  // budget check on every query must not read every row of the month).
  virtual Result<double> SumUsageCost(const UsageFilter& filter) = 0;
  virtual Result<std::vector<TokenRecord>> ListTokens() = 0;  // by creation, revoked ones too
  // The token whose hash this is, revoked or expired ones too; NotFound otherwise.
  virtual Result<TokenRecord> FindToken(const std::string& hash) = 0;

  // The SLA history of a product, newest first; limit <= 0: all.
  virtual Result<std::vector<SlaCheckRecord>> ListSlaChecks(const std::string& product_id, int limit) = 0;
  virtual Result<std::vector<IncidentRecord>> ListIncidents(const IncidentFilter& filter) = 0;  // newest first
  virtual Result<std::vector<IncidentEventRecord>> ListIncidentEvents(int64_t incident_id) = 0;  // in order
  virtual Result<std::vector<SubscriptionRecord>> ListSubscriptions() = 0;                       // by id
  virtual Result<std::vector<WebhookRecord>> ListWebhooks() = 0;  // by creation, removed ones too
  virtual Result<std::vector<DeliveryRecord>> ListDeliveries(const DeliveryFilter& filter) = 0;  // newest first

  // A deterministic text dump of every table (tests compare dumps to prove
  // a refused change left the catalog untouched).
  virtual Result<std::string> Dump() = 0;
};

// Opens (creating and migrating when needed) the store at `location`: a file
// path for SQLite. A catalog written by a newer weft, or a file that is not a
// catalog, is refused with a clear error.
Result<std::unique_ptr<Store>> OpenStore(const std::string& location);

}  // namespace weft::catalog
