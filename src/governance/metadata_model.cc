#include "governance/metadata_model.h"

#include <algorithm>
#include <cstdint>
#include <set>
#include <tuple>
#include <variant>

#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "spec/placeholders.h"
#include "spec/references.h"
#include "spec/semver.h"

namespace weft::governance {

namespace {

using StringList = std::vector<std::string>;
using Cell = std::variant<std::nullptr_t, std::string, int64_t, double, bool, StringList>;
using Row = std::vector<Cell>;

struct Column {
  const char* name;
  const char* type;  // DuckDB type; "VARCHAR[]" columns are staged as JSON text
};

struct TableDef {
  const char* name;
  std::vector<Column> columns;
};

// The model's schema. docs/policies.md documents each column; keep them in step.
const std::vector<TableDef>& Tables() {
  static const std::vector<TableDef> k = {
      {"domains",
       {{"name", "VARCHAR"}, {"description", "VARCHAR"}, {"owners", "VARCHAR[]"}, {"monthly_budget", "DOUBLE"},
        {"soft_limit_percent", "DOUBLE"}, {"currency", "VARCHAR"}, {"cost_center", "VARCHAR"},
        {"storage_root", "VARCHAR"}, {"file", "VARCHAR"}}},
      {"products",
       {{"id", "VARCHAR"}, {"domain", "VARCHAR"}, {"name", "VARCHAR"}, {"version", "VARCHAR"}, {"status", "VARCHAR"},
        {"tier", "VARCHAR"}, {"description", "VARCHAR"}, {"limitations", "VARCHAR"}, {"usage", "VARCHAR"},
        {"tags", "VARCHAR[]"}, {"transform", "VARCHAR"}, {"file", "VARCHAR"}}},
      {"output_ports",
       {{"product_id", "VARCHAR"}, {"name", "VARCHAR"}, {"major", "BIGINT"}, {"version", "VARCHAR"},
        {"type", "VARCHAR"}, {"contract_id", "VARCHAR"}, {"status", "VARCHAR"}, {"end_of_support", "VARCHAR"},
        {"end_of_life", "VARCHAR"}, {"access", "VARCHAR"}, {"description", "VARCHAR"}, {"in_tree", "BOOLEAN"}}},
      {"input_ports",
       {{"product_id", "VARCHAR"}, {"name", "VARCHAR"}, {"version", "VARCHAR"}, {"contract_id", "VARCHAR"},
        {"resolved", "BOOLEAN"}}},
      {"contracts",
       {{"id", "VARCHAR"}, {"name", "VARCHAR"}, {"version", "VARCHAR"}, {"major", "BIGINT"}, {"status", "VARCHAR"},
        {"domain", "VARCHAR"}, {"data_product", "VARCHAR"}, {"product_id", "VARCHAR"}, {"description", "VARCHAR"},
        {"limitations", "VARCHAR"}, {"usage", "VARCHAR"}, {"tags", "VARCHAR[]"}, {"row_filter", "VARCHAR"},
        {"file", "VARCHAR"}}},
      {"schema_objects",
       {{"contract_id", "VARCHAR"}, {"name", "VARCHAR"}, {"physical_name", "VARCHAR"},
        {"physical_type", "VARCHAR"}, {"description", "VARCHAR"}, {"primary_key", "VARCHAR[]"},
        {"tags", "VARCHAR[]"}}},
      {"properties",
       {{"contract_id", "VARCHAR"}, {"object", "VARCHAR"}, {"name", "VARCHAR"}, {"path", "VARCHAR"},
        {"depth", "BIGINT"}, {"logical_type", "VARCHAR"}, {"physical_type", "VARCHAR"}, {"required", "BOOLEAN"},
        {"unique", "BOOLEAN"}, {"primary_key", "BOOLEAN"}, {"primary_key_position", "BIGINT"},
        {"classification", "VARCHAR"}, {"critical_data_element", "BOOLEAN"}, {"mask", "VARCHAR"},
        {"mask_source", "VARCHAR"}, {"business_name", "VARCHAR"}, {"description", "VARCHAR"},
        {"tags", "VARCHAR[]"}}},
      {"quality_rules",
       {{"contract_id", "VARCHAR"}, {"object", "VARCHAR"}, {"property", "VARCHAR"}, {"properties", "VARCHAR[]"},
        {"id", "VARCHAR"}, {"name", "VARCHAR"}, {"type", "VARCHAR"}, {"metric", "VARCHAR"},
        {"dimension", "VARCHAR"}, {"severity", "VARCHAR"}, {"operator", "VARCHAR"}, {"threshold", "VARCHAR"},
        {"unit", "VARCHAR"}, {"description", "VARCHAR"}}},
      {"sla_properties",
       {{"contract_id", "VARCHAR"}, {"property", "VARCHAR"}, {"value", "VARCHAR"}, {"value_ext", "VARCHAR"},
        {"unit", "VARCHAR"}, {"element", "VARCHAR"}, {"driver", "VARCHAR"}, {"description", "VARCHAR"}}},
      {"relationships",
       {{"contract_id", "VARCHAR"}, {"object", "VARCHAR"}, {"property", "VARCHAR"}, {"from_property", "VARCHAR"},
        {"target_ref", "VARCHAR"}, {"type", "VARCHAR"}, {"target_contract_id", "VARCHAR"},
        {"target_object", "VARCHAR"}, {"target_property", "VARCHAR"}, {"target_entity", "VARCHAR"},
        {"error", "VARCHAR"}}},
      {"reference_entities",
       {{"name", "VARCHAR"}, {"description", "VARCHAR"}, {"identifier_name", "VARCHAR"},
        {"identifier_type", "VARCHAR"}, {"identifier_pattern", "VARCHAR"}, {"mastered_by", "VARCHAR"},
        {"golden_product_id", "VARCHAR"}, {"golden_contract_id", "VARCHAR"}, {"stewards", "VARCHAR[]"}}},
      {"team_members",
       {{"subject_kind", "VARCHAR"}, {"subject_id", "VARCHAR"}, {"username", "VARCHAR"}, {"name", "VARCHAR"},
        {"role", "VARCHAR"}, {"date_out", "VARCHAR"}}},
      {"support_channels",
       {{"subject_kind", "VARCHAR"}, {"subject_id", "VARCHAR"}, {"channel", "VARCHAR"}, {"tool", "VARCHAR"},
        {"url", "VARCHAR"}, {"scope", "VARCHAR"}}},
      {"custom_properties",
       {{"subject_kind", "VARCHAR"}, {"subject_id", "VARCHAR"}, {"property", "VARCHAR"}, {"value", "VARCHAR"}}},
      {"placeholders",
       {{"subject_kind", "VARCHAR"}, {"subject_id", "VARCHAR"}, {"path", "VARCHAR"}, {"value", "VARCHAR"},
        {"file", "VARCHAR"}}},
  };
  return k;
}

Cell Text(const std::string& s) {
  if (s.empty()) return nullptr;
  return s;
}

Cell Opt(const std::optional<double>& v) {
  if (!v) return nullptr;
  return *v;
}

// A JSON scalar as text (strings without quotes); null for null.
Cell JsonText(const spec::Json& v) {
  if (v.is_null()) return nullptr;
  if (v.is_string()) return Text(v.get<std::string>());
  return v.dump();
}

std::optional<int64_t> Major(const std::string& version) {
  auto v = spec::SemVer::Parse(version);
  if (!v.ok()) return std::nullopt;
  return static_cast<int64_t>(v->major);
}

Cell OptInt(const std::optional<int64_t>& v) {
  if (!v) return nullptr;
  return *v;
}

std::string CustomString(const std::vector<spec::CustomProperty>& props, std::string_view name) {
  for (const auto& cp : props)
    if (cp.property == name && cp.value.is_string()) return cp.value.get<std::string>();
  return {};
}

std::string SlaValue(const spec::DataContract& c, std::string_view property) {
  const spec::SlaProperty* s = c.FindSla(property);
  return s && s->value.is_string() ? s->value.get<std::string>() : std::string();
}

// Rows of every table, gathered in one walk over the documents.
class ModelBuilder {
 public:
  explicit ModelBuilder(const ProposedState& state) : state_(state), refs_(state.documents) {}

  std::map<std::string, std::vector<Row>> Build() {
    for (const spec::Document* doc : state_.documents) {
      if (const auto* c = doc->contract()) bound_product_.emplace(c->id, "");
      if (const auto* p = doc->product())
        for (const auto& port : p->output_ports)
          if (!port.contract_id.empty()) bound_product_[port.contract_id] = p->id;
    }
    for (const spec::Document* doc : state_.documents) {
      if (const auto* d = doc->domain()) AddDomain(*d, doc->file);
      if (const auto* p = doc->product()) AddProduct(*p, doc->file);
      if (const auto* c = doc->contract()) AddContract(*c, doc->file);
      if (const auto* e = doc->reference_entity()) AddEntity(*e);
      AddPlaceholders(*doc);
    }
    AddCatalogOnlyPorts();
    return std::move(rows_);
  }

 private:
  void Add(const char* table, Row row) { rows_[table].push_back(std::move(row)); }

  void AddTeam(const std::string& kind, const std::string& id, const spec::Team& team) {
    for (const auto& m : team.members)
      Add("team_members", {kind, id, Text(m.username), Text(m.name), Text(m.role), Text(m.date_out)});
  }
  void AddSupport(const std::string& kind, const std::string& id, const std::vector<spec::SupportChannel>& support) {
    for (const auto& s : support)
      Add("support_channels", {kind, id, Text(s.channel), Text(s.tool), Text(s.url), Text(s.scope)});
  }
  void AddCustom(const std::string& kind, const std::string& id, const std::vector<spec::CustomProperty>& props) {
    for (const auto& cp : props) Add("custom_properties", {kind, id, Text(cp.property), JsonText(cp.value)});
  }

  void AddDomain(const spec::DomainSpec& d, const std::string& file) {
    Add("domains", {Text(d.name), Text(d.description), d.owners, Opt(d.monthly_budget), Opt(d.soft_limit_percent),
                    Text(d.currency), Text(d.cost_center), Text(d.storage_root), file});
    // Domain owners own every product of the domain: policies that look for
    // an owner can accept them (role 'owner').
    for (const auto& owner : d.owners) Add("team_members", {std::string("domain"), d.name, owner, nullptr, std::string("owner"), nullptr});
  }

  void AddProduct(const spec::DataProduct& p, const std::string& file) {
    std::string domain = p.domain.empty() ? Split(p.id, '.')[0] : p.domain;
    Add("products", {Text(p.id), Text(domain), Text(p.name), Text(p.version), Text(p.status),
                     Text(CustomString(p.custom_properties, "weft.tier")), Text(p.description.purpose),
                     Text(p.description.limitations), Text(p.description.usage), p.tags,
                     Text(CustomString(p.custom_properties, "weft.transform")), file});
    AddTeam("product", p.id, p.team);
    AddSupport("product", p.id, p.support);
    AddCustom("product", p.id, p.custom_properties);
    for (const auto& port : p.output_ports) AddOutputPort(p, port);
    for (const auto& in : p.input_ports)
      Add("input_ports", {Text(p.id), Text(in.name), Text(in.version), Text(in.contract_id),
                          refs_.FindContract(in.contract_id) != nullptr});
  }

  // A port of the tree; the catalog's record for the same major, when there
  // is one, says its lifecycle. Otherwise the lifecycle follows the specs.
  void AddOutputPort(const spec::DataProduct& p, const spec::OutputPort& port) {
    const spec::Document* bound = refs_.FindContract(port.contract_id);
    const spec::DataContract* c = bound ? bound->contract() : nullptr;
    std::optional<int64_t> major = Major(port.version.empty() && c ? c->version : port.version);
    std::string status = "active", eos, eol;
    for (const std::string* s : {&p.status, c ? &c->status : nullptr})
      if (s && (*s == "deprecated" || *s == "retired")) status = *s;
    if (c) {
      eos = SlaValue(*c, "endOfSupport");
      eol = SlaValue(*c, "endOfLife");
    }
    for (const auto& r : state_.port_versions) {
      if (r.product_id != p.id || r.port != port.name || !major || r.major != *major) continue;
      status = r.status;
      if (!r.end_of_support.empty()) eos = r.end_of_support;
      if (!r.end_of_life.empty()) eol = r.end_of_life;
    }
    if (major) ports_in_tree_.insert({p.id, port.name, *major});
    std::string access = CustomString(port.custom_properties, "weft.access");
    port_access_[{p.id, port.name}] = access;
    Add("output_ports", {Text(p.id), Text(port.name), OptInt(major), Text(port.version), Text(port.type),
                         Text(port.contract_id), status, Text(eos), Text(eol), access.empty() ? "open" : access,
                         Text(port.description), true});
    AddCustom("output_port", p.id + "/" + port.name, port.custom_properties);
  }

  // Majors the catalog still serves that the tree no longer describes
  // (e.g. v1 kept, deprecated, after v2 was applied).
  void AddCatalogOnlyPorts() {
    for (const auto& r : state_.port_versions) {
      if (ports_in_tree_.count({r.product_id, r.port, r.major})) continue;
      auto it = port_access_.find({r.product_id, r.port});
      std::string access = it == port_access_.end() || it->second.empty() ? "open" : it->second;
      Add("output_ports", {Text(r.product_id), Text(r.port), r.major, Text(r.version), nullptr, Text(r.contract_id),
                           Text(r.status), Text(r.end_of_support), Text(r.end_of_life), access, nullptr, false});
    }
  }

  void AddContract(const spec::DataContract& c, const std::string& file) {
    Add("contracts", {Text(c.id), Text(c.name), Text(c.version), OptInt(Major(c.version)), Text(c.status),
                      Text(c.domain), Text(c.data_product), Text(bound_product_[c.id]), Text(c.description.purpose),
                      Text(c.description.limitations), Text(c.description.usage), c.tags,
                      Text(CustomString(c.custom_properties, "weft.rowFilter")), file});
    AddTeam("contract", c.id, c.team);
    AddSupport("contract", c.id, c.support);
    AddCustom("contract", c.id, c.custom_properties);
    for (const auto& s : c.sla_properties)
      Add("sla_properties", {Text(c.id), Text(s.property), JsonText(s.value), JsonText(s.value_ext), Text(s.unit),
                             Text(s.element), Text(s.driver), Text(s.description)});
    for (const auto& obj : c.schema) {
      std::vector<std::pair<int64_t, std::string>> keys;
      for (const auto& p : obj.properties)
        if (p.is_primary_key()) keys.emplace_back(p.primary_key_position.value_or(0), p.name);
      std::stable_sort(keys.begin(), keys.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      StringList pk;
      for (auto& k : keys) pk.push_back(k.second);
      Add("schema_objects", {Text(c.id), Text(obj.name), Text(obj.physical_name), Text(obj.physical_type),
                             Text(obj.description), pk, obj.tags});
      for (const auto& p : obj.properties) AddProperty(c, file, obj, p, p.name, 0);
      for (const auto& q : obj.quality) AddQuality(c, obj, nullptr, q);
      for (const auto& r : obj.relationships)
        for (size_t i = 0; i < r.to.size(); ++i) {
          std::string from = i < r.from.size() ? r.from[i] : std::string();
          // `from` may be written "object.column"; the model keeps the column.
          if (StartsWith(from, obj.name + ".")) from.erase(0, obj.name.size() + 1);
          AddRelationship(c, file, obj, nullptr, from, r, r.to[i]);
        }
    }
  }

  void AddProperty(const spec::DataContract& c, const std::string& file, const spec::SchemaObject& obj,
                   const spec::Property& p, const std::string& path, int64_t depth) {
    std::string mask, mask_source;
    if (const spec::Json* m = p.Custom("weft.mask"); m && m->is_string()) {
      mask = m->get<std::string>();
      mask_source = "property";
    } else if (auto it = state_.classification_masks.find(p.classification);
               !p.classification.empty() && it != state_.classification_masks.end()) {
      mask = it->second;
      mask_source = "classification";
    }
    Add("properties",
        {Text(c.id), Text(obj.name), Text(p.name), Text(path), depth, Text(p.logical_type), Text(p.physical_type),
         p.is_required(), p.is_unique(), p.is_primary_key(), OptInt(p.primary_key_position), Text(p.classification),
         p.critical_data_element.value_or(false), Text(mask), Text(mask_source), Text(p.business_name),
         Text(p.description), p.tags});
    AddCustom("property", c.id + ":" + obj.name + "." + path, p.custom_properties);
    for (const auto& q : p.quality) AddQuality(c, obj, &path, q);
    for (const auto& r : p.relationships)
      for (const auto& to : r.to) AddRelationship(c, file, obj, &path, path, r, to);
    for (const auto& child : p.properties) AddProperty(c, file, obj, child, path + "." + child.name, depth + 1);
    for (const auto& item : p.items)
      AddProperty(c, file, obj, item, path + "[]" + (item.name.empty() ? "" : "." + item.name), depth + 1);
  }

  void AddQuality(const spec::DataContract& c, const spec::SchemaObject& obj, const std::string* path,
                  const spec::QualityRule& q) {
    // The columns a rule checks: its property, or the key columns of an
    // object-level duplicateValues rule.
    StringList columns;
    if (path) columns.push_back(*path);
    else if (q.arguments.contains("properties") && q.arguments["properties"].is_array())
      for (const auto& name : q.arguments["properties"])
        if (name.is_string()) columns.push_back(name.get<std::string>());
    Cell op = nullptr, threshold = nullptr;
    if (!q.thresholds.empty()) {
      op = std::string(spec::OperatorName(q.thresholds[0].kind));
      threshold = q.thresholds[0].value.dump();
    }
    Add("quality_rules", {Text(c.id), Text(obj.name), path ? Text(*path) : Cell(nullptr), columns, Text(q.id),
                          Text(q.name), Text(q.type), Text(q.metric), Text(q.dimension), Text(q.severity), op,
                          threshold, Text(q.unit), Text(q.description)});
  }

  void AddRelationship(const spec::DataContract& c, const std::string& file, const spec::SchemaObject& obj,
                       const std::string* path, const std::string& from, const spec::Relationship& r,
                       const std::string& to) {
    spec::ResolvedTarget t = refs_.Resolve(c, file, r.Target(to));
    Add("relationships",
        {Text(c.id), Text(obj.name), path ? Text(*path) : Cell(nullptr), Text(from), Text(to), Text(r.type),
         t.ok() ? Text(t.contract->id) : Cell(nullptr), t.ok() ? Text(t.object->name) : Cell(nullptr),
         t.ok() ? Text(t.property->name) : Cell(nullptr), Text(t.entity), Text(t.error)});
  }

  // Values `weft new` wrote that are still there, read from the document's
  // JSON so that documents the catalog holds (no comments) are seen too.
  void AddPlaceholders(const spec::Document& doc) {
    std::string kind, id;
    if (const auto* d = doc.domain()) kind = "domain", id = d->name;
    else if (const auto* p = doc.product()) kind = "product", id = p->id;
    else if (const auto* c = doc.contract()) kind = "contract", id = c->id;
    else if (const auto* e = doc.reference_entity()) kind = "reference_entity", id = e->name;
    else return;
    for (const auto& v : spec::FindValuePlaceholders(doc.json))
      Add("placeholders", {kind, Text(id), v.path, v.value, Text(doc.file)});
  }

  void AddEntity(const spec::ReferenceEntity& e) {
    const spec::DataContract* golden = refs_.GoldenContract(e);
    Add("reference_entities",
        {Text(e.name), Text(e.description), Text(e.identifier_name), Text(e.identifier_type),
         Text(e.identifier_pattern), Text(e.mastered_by), Text(Split(e.mastered_by, '/')[0]),
         golden ? Text(golden->id) : Cell(nullptr), e.stewards});
  }

  const ProposedState& state_;
  spec::ReferenceResolver refs_;
  std::map<std::string, std::string> bound_product_;  // contract id -> product whose port binds it
  std::set<std::tuple<std::string, std::string, int64_t>> ports_in_tree_;
  std::map<std::pair<std::string, std::string>, std::string> port_access_;
  std::map<std::string, std::vector<Row>> rows_;
};

Status AppendCell(engine::Appender& app, const Cell& cell) {
  return std::visit(
      [&app](const auto& v) -> Status {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, StringList>) return app.Append(nlohmann::json(v).dump());
        else if constexpr (std::is_same_v<T, std::string>) return app.Append(std::string_view(v));
        else return app.Append(v);
      },
      cell);
}

// Appenders cannot write lists through weft's wrapper, so list columns are
// staged as JSON text and converted in one set-based statement per table.
Status CreateTable(engine::Connection& conn, const TableDef& table, const std::vector<Row>& rows) {
  std::string staging = std::string("staging_") + table.name;
  std::vector<std::string> staged, select;
  for (const auto& col : table.columns) {
    bool list = std::string_view(col.type) == "VARCHAR[]";
    std::string name = SqlIdent(col.name);
    staged.push_back(name + " " + (list ? "VARCHAR" : col.type));
    select.push_back(list ? "from_json(" + name + ", '[\"VARCHAR\"]') AS " + name : name);
  }
  RETURN_IF_ERROR(conn.Execute("CREATE TEMP TABLE " + staging + " (" + Join(staged, ", ") + ")"));
  {
    ASSIGN_OR_RETURN(engine::Appender app, conn.CreateAppender("", staging));
    for (const Row& row : rows) {
      for (const Cell& cell : row) RETURN_IF_ERROR(AppendCell(app, cell));
      RETURN_IF_ERROR(app.EndRow());
    }
    RETURN_IF_ERROR(app.Close());
  }
  return conn.Execute("CREATE TABLE " + SqlIdent(table.name) + " AS SELECT " + Join(select, ", ") + " FROM " +
                      staging + "; DROP TABLE " + staging);
}

}  // namespace

const std::vector<std::string>& MetadataModelTables() {
  static const std::vector<std::string> k = [] {
    std::vector<std::string> names;
    for (const auto& t : Tables()) names.push_back(t.name);
    return names;
  }();
  return k;
}

Status BuildMetadataModel(engine::Connection& conn, const ProposedState& state) {
  std::map<std::string, std::vector<Row>> rows = ModelBuilder(state).Build();
  for (const auto& table : Tables()) {
    Status s = CreateTable(conn, table, rows[table.name]);
    if (!s.ok()) return Status::Internal("building metadata table " + std::string(table.name) + ": " + s.message());
  }
  return Status::Ok();
}

}  // namespace weft::governance
