// The in-memory model of the specs weft reads: ODCS v3.1 data contracts,
// ODPS v1.0 data products, and weft's own Domain, ReferenceEntity and GlossaryTerm kinds
// (docs/spec-reference.md). Every object remembers where it and each of its
// fields stood in the source file, so lint and diff can point at them, and
// keeps the fields weft does not know (they are warned about, never dropped).
//
//   ASSIGN_OR_RETURN(LoadedFile f, LoadFile("orders.odcs.yaml"));
//   const DataContract& c = std::get<DataContract>(f.documents[0].spec);
//   Pos where = c.schema[0].properties[0].At("logicalType");
//
// Thread safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "spec/diagnostic.h"

namespace weft::spec {

using Json = nlohmann::json;

// Common base: positions of the object and its fields, plus unknown fields.
struct SpecNode {
  Pos pos;
  std::map<std::string, Pos, std::less<>> field_pos;
  Json unknown = Json::object();  // fields weft does not model, verbatim

  bool Has(std::string_view field) const { return field_pos.find(field) != field_pos.end(); }
  // Where `field` was written, or where the object starts when it was not.
  Pos At(std::string_view field) const {
    auto it = field_pos.find(field);
    return it == field_pos.end() ? pos : it->second;
  }
};

struct CustomProperty : SpecNode {
  std::string property;
  Json value;
  std::string description;
};

struct AuthoritativeDefinition : SpecNode {
  std::string url;
  std::string type;
  std::string description;
};

// ODCS v3.1 / ODPS v1.0 `description` object; a plain string is read as `purpose`.
struct Description : SpecNode {
  std::string purpose;
  std::string limitations;
  std::string usage;
  std::vector<AuthoritativeDefinition> authoritative_definitions;
  std::vector<CustomProperty> custom_properties;
  bool empty() const { return purpose.empty() && limitations.empty() && usage.empty(); }
};

// The eight ODCS comparison operators.
enum class OperatorKind {
  kMustBe,
  kMustNotBe,
  kMustBeGreaterThan,
  kMustBeGreaterOrEqualTo,
  kMustBeLessThan,
  kMustBeLessOrEqualTo,
  kMustBeBetween,
  kMustNotBeBetween,
};
const char* OperatorName(OperatorKind k);
std::optional<OperatorKind> ParseOperator(std::string_view name);
const std::vector<std::string>& OperatorNames();

struct Threshold {
  OperatorKind kind = OperatorKind::kMustBe;
  Json value;  // a number, or [low, high] for the between operators
  Pos pos;
};

struct QualityRule : SpecNode {
  std::string id;
  std::string name;
  std::string description;
  std::string type;    // library | sql | text | custom (library when only `metric` is given)
  std::string metric;  // library: nullValues | missingValues | invalidValues | duplicateValues | rowCount
  Json arguments = Json::object();  // validValues, pattern, missingValues, properties
  std::string query;   // sql
  std::string engine;  // custom
  Json implementation;  // custom
  std::vector<Threshold> thresholds;  // lint reports more than one as an error
  std::string unit;      // rows | percent
  std::string severity;  // error | warning | info (ODCS leaves values open; weft knows these)
  std::string dimension;
  std::string business_impact;
  std::string method;
  std::string schedule;
  std::string scheduler;
  std::vector<std::string> tags;
  std::vector<AuthoritativeDefinition> authoritative_definitions;
  std::vector<CustomProperty> custom_properties;
};

struct Relationship : SpecNode {
  std::string id;
  std::string type = "foreignKey";
  // `from` is empty at property level (the owning property is the source).
  std::vector<std::string> from;
  std::vector<std::string> to;
  bool composite() const { return to.size() > 1; }
  std::vector<CustomProperty> custom_properties;
  // A target in another contract: ODCS's `to` (shorthand `object.property`
  // or `schema/<o>/properties/<p>`) names no contract by id, so weft reads
  // the contract from the `weft.contract` custom property (a contract id, a
  // contract file or a ReferenceEntity) and returns "<contract>#<to>", the
  // form ReferenceResolver::Resolve takes; `to` itself otherwise.
  std::string Target(const std::string& target) const;
};

struct Property;

struct Property : SpecNode {
  std::string id;
  std::string name;
  std::string physical_name;
  std::string logical_type;
  std::string physical_type;
  std::string business_name;
  std::string description;
  std::string classification;
  std::string encrypted_name;
  std::string transform_logic;
  std::string transform_description;
  std::vector<std::string> transform_source_objects;
  std::optional<bool> required;
  std::optional<bool> unique;
  std::optional<bool> primary_key;
  std::optional<int64_t> primary_key_position;
  std::optional<bool> partitioned;
  std::optional<int64_t> partition_key_position;
  std::optional<bool> critical_data_element;
  std::vector<std::string> tags;
  Json examples = Json::array();
  // logicalTypeOptions, by name (minLength, pattern, minimum, ...), with positions.
  SpecNode options_node;
  std::map<std::string, Json> options;
  std::vector<Property> properties;  // object members
  std::vector<Property> items;       // array element type (zero or one)
  std::vector<QualityRule> quality;
  std::vector<Relationship> relationships;
  std::vector<AuthoritativeDefinition> authoritative_definitions;
  std::vector<CustomProperty> custom_properties;

  bool is_required() const { return required.value_or(false); }
  bool is_unique() const { return unique.value_or(false); }
  bool is_primary_key() const { return primary_key.value_or(false); }
  // Custom property value by name (e.g. "weft.mask"), or null.
  const Json* Custom(std::string_view name) const;
};

struct SchemaObject : SpecNode {
  std::string id;
  std::string name;
  std::string physical_name;
  std::string physical_type;
  std::string logical_type;  // "object" when given
  std::string business_name;
  std::string description;
  std::string data_granularity_description;
  std::vector<std::string> tags;
  std::vector<Property> properties;
  std::vector<QualityRule> quality;
  std::vector<Relationship> relationships;
  std::vector<AuthoritativeDefinition> authoritative_definitions;
  std::vector<CustomProperty> custom_properties;

  const Property* FindProperty(std::string_view name) const;
};

struct Server : SpecNode {
  std::string id;
  std::string server;
  std::string type;
  std::string description;
  std::string environment;
  Json attributes = Json::object();  // type-specific: host, port, database, location, format, ...
};

struct Role : SpecNode {
  std::string role;
  std::string description;
  std::string access;  // read | write
  std::vector<std::string> first_level_approvers;
  std::vector<std::string> second_level_approvers;
  std::vector<CustomProperty> custom_properties;
};

struct TeamMember : SpecNode {
  std::string username;
  std::string name;
  std::string role;
  std::string description;
  std::string date_in;
  std::string date_out;
  std::string replaced_by_username;
};

// ODCS v3.1 and ODPS v1.0 `team`: an object with members (a bare list of
// members, as in ODCS v3.0, is accepted too).
struct Team : SpecNode {
  std::string name;
  std::string description;
  std::vector<TeamMember> members;
};

struct SupportChannel : SpecNode {
  std::string id;
  std::string channel;
  std::string url;
  std::string description;
  std::string tool;
  std::string scope;
  std::string invitation_url;
};

struct Price : SpecNode {
  std::optional<double> amount;
  std::string currency;
  std::string unit;
};

struct SlaProperty : SpecNode {
  std::string id;
  std::string property;  // latency, frequency, retention, availability, generalAvailability, endOfSupport, endOfLife, ...
  Json value;
  Json value_ext;
  std::string unit;
  std::string element;
  std::string driver;  // regulatory | analytics | operational
  std::string description;
  std::string scheduler;
  std::string schedule;
};

struct DataContract : SpecNode {
  std::string api_version;
  std::string kind;
  std::string id;
  std::string name;
  std::string version;
  std::string status;
  std::string domain;
  std::string data_product;
  std::string tenant;
  Description description;
  std::vector<std::string> tags;
  std::vector<Server> servers;
  std::vector<Role> roles;
  Team team;
  std::vector<SupportChannel> support;
  std::optional<Price> price;
  std::string sla_default_element;
  std::vector<SlaProperty> sla_properties;
  std::vector<AuthoritativeDefinition> authoritative_definitions;
  std::vector<CustomProperty> custom_properties;
  std::string contract_created_ts;
  std::vector<SchemaObject> schema;

  const SchemaObject* FindObject(std::string_view name) const;
  const SlaProperty* FindSla(std::string_view property) const;
};

struct InputPort : SpecNode {
  std::string name;
  std::string version;
  std::string contract_id;
  std::vector<std::string> tags;
  std::vector<CustomProperty> custom_properties;
};

struct InputContractRef : SpecNode {
  std::string id;
  std::string version;
};

struct OutputPort : SpecNode {
  std::string name;
  std::string version;
  std::string type;
  std::string contract_id;
  std::string description;
  std::vector<InputContractRef> input_contracts;
  std::vector<std::string> tags;
  std::vector<CustomProperty> custom_properties;
};

struct ManagementPort : SpecNode {
  std::string name;
  std::string content;  // discoverability | observability | control | dictionary
  std::string type;     // rest | topic
  std::string url;
  std::string channel;
  std::string description;
};

// customProperties weft.source of a product: an operational PostgreSQL
// database it is published from, by the secret holding its URL, and what to
// read — a query, or a table ([schema.]name).
//   - property: weft.source
//     value: {postgres: secret:orders-db, query: "SELECT … FROM orders"}
struct ProductSource {
  std::string secret;  // the name after "secret:"
  std::string query;
  std::string table;
};

// A secret's name (control/secrets.h): 1-64 of [a-z0-9._-], starting with a
// letter or digit, so it is a plain file name.
Status CheckSecretName(const std::string& name);

struct DataProduct : SpecNode {
  std::string api_version;
  std::string kind;
  std::string id;
  std::string name;
  std::string version;
  std::string status;
  std::string domain;
  std::string tenant;
  Description description;
  std::vector<std::string> tags;
  std::vector<InputPort> input_ports;
  std::vector<OutputPort> output_ports;
  std::vector<ManagementPort> management_ports;
  Team team;
  std::vector<SupportChannel> support;
  std::vector<AuthoritativeDefinition> authoritative_definitions;
  std::vector<CustomProperty> custom_properties;
  std::string product_created_ts;

  const OutputPort* FindOutputPort(std::string_view name) const;
  // The SQL file customProperties weft.transform names, relative to the
  // descriptor; empty for a source product.
  std::string TransformPath() const;
  // The operational database weft.source names (`weft publish --from-source`);
  // nullopt when it names none, or not in the form lint accepts.
  std::optional<ProductSource> Source() const;
};

// weft's Domain kind (domain.yaml): a domain is an isolated "account".
struct DomainSpec : SpecNode {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string description;
  std::vector<std::string> owners;
  std::string storage_root;  // empty: <workspace>/domains/<name>
  std::optional<double> monthly_budget;
  std::optional<double> soft_limit_percent;
  std::string currency;  // empty or the workspace's (lint: currency-mismatch)
  std::string cost_center;
};

// weft's ReferenceEntity kind: master data with one golden record product.
struct ReferenceEntity : SpecNode {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string description;
  std::string identifier_name;
  std::string identifier_type;
  std::string identifier_pattern;
  SpecNode identifier_node;
  std::string mastered_by;  // "domain.product" or "domain.product/port"
  std::vector<std::string> stewards;
};

// weft's GlossaryTerm kind: one business term of the mesh's glossary
// (docs/spec-reference.md). `name` is its stable id (lower_snake_case);
// columns link to it by weft.term, by an authoritativeDefinitions entry of
// type businessDefinition whose url is glossary:NAME, or by a businessName
// equal to its name, title or a synonym (spec/glossary.h). A term with a
// `domain` is that domain's (its owners apply it); one without is global
// (stewards and admins apply it). Names are unique across the workspace.
struct GlossaryTerm : SpecNode {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string title;  // how people write it ("Net revenue"); empty: the name
  std::string domain;  // empty: a global term
  std::string definition;
  std::vector<std::string> owners;
  std::vector<std::string> synonyms;
  std::vector<std::string> related;  // names of other terms
};

// weft's Policy kind: one governance rule of a policy pack (docs/policies.md).
// The query runs over the metadata model; each row it returns is a violation.
struct PolicySpec : SpecNode {
  std::string api_version;
  std::string kind;
  std::string id;
  std::string title;
  std::string severity;  // error | warn
  std::string rationale;
  std::string query;
};

// weft's Workspace kind (weft.yaml): settings of one mesh.
struct WorkspaceSpec : SpecNode {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string catalog;                    // catalog location; default catalog.db beside weft.yaml
  std::vector<std::string> policy_packs;  // "default" (built in) or directories relative to weft.yaml
  std::map<std::string, double> rate_card;  // e.g. cpuSecond, gbScanned, gbStoredMonth
  // The one currency of every price, cost and budget of the workspace (an
  // ISO 4217 code): nothing is converted, so a domain may not budget in
  // another. Currency() is it, or USD when weft.yaml sets none.
  std::string currency;
  std::string Currency() const { return currency.empty() ? "USD" : currency; }
  std::map<std::string, std::string> masking;  // classification -> default mask
  std::optional<int64_t> retention_snapshots;
  std::optional<int64_t> retention_days;
  std::string query_memory_limit;
  std::optional<int64_t> query_threads;
  std::optional<double> query_timeout_seconds;     // query.timeoutSeconds; default 60
  std::optional<int64_t> query_concurrency;        // query.concurrentPerPrincipal; default 4
  // publish: the publish guards' defaults (quality/guards.h)
  std::optional<double> publish_max_quarantined_share;  // publish.maxQuarantinedShare
  std::optional<double> publish_max_shrink;             // publish.maxShrink
  std::optional<double> publish_volume_sensitivity;     // publish.volumeSensitivity
  std::optional<int64_t> publish_min_history;           // publish.minHistory
  // publish: bounds on reading one input file (quality/input_limits.h)
  std::optional<int64_t> publish_max_input_bytes;  // publish.maxInputBytes, decompressed
  std::optional<double> publish_max_expansion;     // publish.maxExpansion, decompressed / compressed
  std::optional<int64_t> publish_max_field_bytes;  // publish.maxFieldBytes, one CSV field or JSON string
  // lineage.openlineage: where each publish's and run's OpenLineage events go
  // (docs/lineage.md); neither url nor file: nowhere.
  std::string openlineage_url;        // an http(s) endpoint the events are POSTed to, one per request
  std::string openlineage_file;       // a file the events are appended to, one JSON per line; relative to weft.yaml
  std::string openlineage_namespace;  // default "weft://<name>"
  std::optional<double> openlineage_timeout_seconds;  // of each POST; default 5
  // lakehouse.fileAccess: how the Iceberg REST catalog hands files to callers
  // who may read a table whole: "urls" (signed URLs under weft serve; the
  // default when empty) or "local" (file:// paths, for engines on this host).
  std::string lakehouse_file_access;
};

enum class DocKind { kDataContract, kDataProduct, kDomain, kReferenceEntity, kPolicy, kWorkspace, kGlossaryTerm };
const char* DocKindName(DocKind k);

struct Document {
  std::string file;
  DocKind kind = DocKind::kDataContract;
  std::variant<DataContract, DataProduct, DomainSpec, ReferenceEntity, PolicySpec, WorkspaceSpec, GlossaryTerm> spec;
  Json json;  // the whole document as JSON (canonical form: keys sorted)

  const DataContract* contract() const { return std::get_if<DataContract>(&spec); }
  const DataProduct* product() const { return std::get_if<DataProduct>(&spec); }
  const DomainSpec* domain() const { return std::get_if<DomainSpec>(&spec); }
  const ReferenceEntity* reference_entity() const { return std::get_if<ReferenceEntity>(&spec); }
  const PolicySpec* policy() const { return std::get_if<PolicySpec>(&spec); }
  const WorkspaceSpec* workspace() const { return std::get_if<WorkspaceSpec>(&spec); }
  const GlossaryTerm* glossary_term() const { return std::get_if<GlossaryTerm>(&spec); }
};

// The ODCS v3.1 logical types.
const std::vector<std::string>& LogicalTypes();
// The ODCS library metrics.
const std::vector<std::string>& LibraryMetrics();

}  // namespace weft::spec
