// dbt schema.yml -> one product per model. Per column: data_type ->
// physicalType and logicalType; not_null (test or constraint) -> required;
// unique -> unique; primary_key -> primaryKey; accepted_values -> an
// invalidValues rule; relationships / foreign_key -> a relationship to the
// other model's product (<domain>.<model>#<model>.<field>); check
// constraints -> bounds where interop/check_bounds.h reads them, else a sql
// rule. A model with `versions` is imported at its
// latest version (latest_version, else the highest v): its columns after
// include/exclude, contract version <v>.0.0. contract {enforced: true} is kept
// as the tag dbt-contract-enforced.
#include <map>
#include <optional>
#include <set>

#include "common/strings.h"
#include "interop/check_bounds.h"
#include "interop/importers.h"
#include "interop/types.h"

namespace weft::interop {

namespace {

using spec::YamlNode;

class DbtImporter {
 public:
  DbtImporter(const ImportInput& in, std::string domain, engine::Connection& conn)
      : in_(in), domain_(std::move(domain)), conn_(conn) {}

  Result<ProductDraft> Model(const YamlNode& m) {
    if (!m.IsMap()) return InputError(in_, m.pos(), "a model must be a map");
    const YamlNode* name_node = m.Find("name");
    if (!name_node) return InputError(in_, m.pos(), "a model needs a name");
    ASSIGN_OR_RETURN(std::string name, ScalarText(in_, *name_node, "a model's name"));
    ProductDraft d;
    d.domain = domain_;
    d.name = SnakeName(name);
    d.source = in_.file;
    if (const YamlNode* desc = m.Find("description"); desc && desc->IsScalar()) d.description = desc->Scalar();
    if (const YamlNode* config = m.Find("config"); config && config->IsMap())
      if (const YamlNode* contract = config->Find("contract"); contract && contract->IsMap())
        if (const YamlNode* enforced = contract->Find("enforced"); enforced && spec::ScalarJson(*enforced) == true)
          d.tags.push_back("dbt-contract-enforced");

    std::vector<const YamlNode*> columns;
    if (const YamlNode* cols = m.Find("columns")) {
      if (!cols->IsSequence()) return InputError(in_, cols->pos(), "'columns' must be a list");
      for (const auto& c : *cols) columns.push_back(&c);
    }
    if (const YamlNode* versions = m.Find("versions")) RETURN_IF_ERROR(LatestVersion(m, *versions, columns, d));
    if (columns.empty()) return InputError(in_, m.pos(), "model '" + name + "' has no columns");

    OrderedJson object = {{"name", d.name}};
    if (d.name != name) object["physicalName"] = name;
    object["physicalType"] = "table";
    object["properties"] = OrderedJson::array();
    OrderedJson object_quality = OrderedJson::array();
    int key_position = 0;
    for (const YamlNode* c : columns) {
      ASSIGN_OR_RETURN(OrderedJson p, Column(*c, key_position));
      object["properties"].push_back(std::move(p));
    }
    // Model-level tests and constraints: over several columns.
    for (const char* key : {"data_tests", "tests"})
      if (const YamlNode* tests = m.Find(key)) RETURN_IF_ERROR(ModelTests(*tests, object_quality));
    if (const YamlNode* constraints = m.Find("constraints"))
      RETURN_IF_ERROR(ModelConstraints(*constraints, object, object_quality));
    if (!object_quality.empty()) object["quality"] = object_quality;
    d.objects.push_back(std::move(object));
    return d;
  }

 private:
  // The columns of the latest version: `columns` of the version entry, where
  // `- include: all` (or a list) brings the model's own columns in, minus
  // `exclude`.
  Status LatestVersion(const YamlNode& m, const YamlNode& versions, std::vector<const YamlNode*>& columns,
                       ProductDraft& d) {
    if (!versions.IsSequence() || versions.size() == 0)
      return InputError(in_, versions.pos(), "'versions' must be a non-empty list of {v: N}");
    std::optional<int64_t> latest;
    if (const YamlNode* l = m.Find("latest_version")) latest = spec::AsIntScalar(l->Scalar());
    const YamlNode* chosen = nullptr;
    int64_t best = -1;
    for (const auto& v : versions) {
      const YamlNode* vn = v.IsMap() ? v.Find("v") : nullptr;
      std::optional<int64_t> num = vn ? spec::AsIntScalar(vn->Scalar()) : std::nullopt;
      if (!num) return InputError(in_, v.pos(), "a version needs a whole number v");
      if ((latest && *num == *latest) || (!latest && *num > best)) {
        chosen = &v;
        best = *num;
      }
    }
    if (!chosen) return InputError(in_, versions.pos(), "latest_version names no version in 'versions'");
    d.version = std::to_string(best) + ".0.0";
    std::vector<const YamlNode*> own = std::move(columns);
    columns.clear();
    std::set<std::string> included, excluded;
    bool include_all = !chosen->Find("columns");
    std::vector<const YamlNode*> extra;
    if (const YamlNode* cols = chosen->Find("columns")) {
      for (const auto& c : *cols) {
        if (const YamlNode* inc = c.Find("include")) {
          if (inc->IsScalar() && (inc->Scalar() == "all" || inc->Scalar() == "*")) include_all = true;
          else if (inc->IsSequence())
            for (const auto& n : *inc) included.insert(n.Scalar());
          if (const YamlNode* exc = c.Find("exclude"))
            for (const auto& n : *exc) excluded.insert(n.Scalar());
        } else {
          extra.push_back(&c);
        }
      }
    }
    std::set<std::string> overridden;
    for (const YamlNode* c : extra)
      if (const YamlNode* n = c->Find("name")) overridden.insert(n->Scalar());
    for (const YamlNode* c : own) {
      const YamlNode* n = c->Find("name");
      std::string cname = n ? n->Scalar() : "";
      if (overridden.count(cname) || excluded.count(cname)) continue;
      if (include_all || included.count(cname)) columns.push_back(c);
    }
    for (const YamlNode* c : extra) columns.push_back(c);
    return Status::Ok();
  }

  Result<OrderedJson> Column(const YamlNode& c, int& key_position) {
    if (!c.IsMap() || !c.Find("name")) return InputError(in_, c.pos(), "a column needs a name");
    ASSIGN_OR_RETURN(std::string name, ScalarText(in_, *c.Find("name"), "a column's name"));
    OrderedJson p = {{"name", name}};
    std::string logical = "string";
    if (const YamlNode* t = c.Find("data_type")) {
      ASSIGN_OR_RETURN(std::string type, ScalarText(in_, *t, "data_type"));
      logical = LogicalTypeOf(type);
      if (logical.empty()) return InputError(in_, t->pos(), "column '" + name + "': unknown data_type '" + type + "'");
      p["logicalType"] = logical;
      p["physicalType"] = type;
    } else {
      p["logicalType"] = logical;
    }
    if (const YamlNode* d = c.Find("description"); d && d->IsScalar() && !d->Scalar().empty())
      p["description"] = d->Scalar();
    OrderedJson quality = OrderedJson::array();
    OrderedJson relationships = OrderedJson::array();
    if (const YamlNode* constraints = c.Find("constraints")) {
      if (!constraints->IsSequence()) return InputError(in_, constraints->pos(), "'constraints' must be a list");
      for (const auto& k : *constraints) {
        const YamlNode* type = k.IsMap() ? k.Find("type") : nullptr;
        if (!type) return InputError(in_, k.pos(), "a constraint needs a type");
        const std::string t = type->Scalar();
        if (t == "not_null") p["required"] = true;
        else if (t == "unique") p["unique"] = true;
        else if (t == "primary_key") {
          p["primaryKey"] = true;
          p["primaryKeyPosition"] = ++key_position;
          p["required"] = true;
        } else if (t == "foreign_key") {
          ASSIGN_OR_RETURN(OrderedJson fk, ForeignKeyTarget(k, k.Find("to"), k.Find("to_columns")));
          relationships.push_back(std::move(fk));
        } else if (t == "check") {
          const YamlNode* e = k.Find("expression");
          if (!e || !e->IsScalar()) return InputError(in_, k.pos(), "a check constraint needs an expression");
          ASSIGN_OR_RETURN(bool mapped, CheckToOptions(conn_, e->Scalar(), p));
          if (!mapped) quality.push_back(CheckRule(e->Scalar()));
        } else {
          return InputError(in_, type->pos(), "unknown constraint type '" + t + "'");
        }
      }
    }
    for (const char* key : {"data_tests", "tests"}) {
      const YamlNode* tests = c.Find(key);
      if (!tests) continue;
      if (!tests->IsSequence()) return InputError(in_, tests->pos(), std::string("'") + key + "' must be a list");
      for (const auto& t : *tests) RETURN_IF_ERROR(ColumnTest(t, p, quality, relationships));
    }
    if (!quality.empty()) p["quality"] = quality;
    if (!relationships.empty()) p["relationships"] = relationships;
    return p;
  }

  // not_null, unique, accepted_values {values}, relationships {to, field};
  // arguments may sit under `arguments:` (dbt 1.10) or beside the name.
  Status ColumnTest(const YamlNode& t, OrderedJson& p, OrderedJson& quality, OrderedJson& relationships) {
    std::string name;
    const YamlNode* args = nullptr;
    if (t.IsScalar()) {
      name = t.Scalar();
    } else if (t.IsMap() && t.size() >= 1) {
      name = t.entries().front().first->Scalar();
      args = t.entries().front().second;
      if (args && args->IsMap() && args->Find("arguments")) args = args->Find("arguments");
    } else {
      return InputError(in_, t.pos(), "a test is a name or {name: {arguments}}");
    }
    if (name == "not_null") {
      p["required"] = true;
    } else if (name == "unique") {
      p["unique"] = true;
    } else if (name == "accepted_values") {
      const YamlNode* values = args && args->IsMap() ? args->Find("values") : nullptr;
      if (!values || !values->IsSequence()) return InputError(in_, t.pos(), "accepted_values needs values: [...]");
      quality.push_back(ValidValuesRule(YamlJson(*values)));
    } else if (name == "relationships") {
      if (!args || !args->IsMap()) return InputError(in_, t.pos(), "relationships needs to: ref('model') and field");
      const YamlNode* field = args->Find("field");
      ASSIGN_OR_RETURN(OrderedJson fk, ForeignKeyTarget(*args, args->Find("to"), field));
      relationships.push_back(std::move(fk));
    } else {
      // Package tests (dbt_utils, dbt_expectations) have no ODCS equivalent:
      // kept as documentation so nothing is lost silently.
      quality.push_back({{"type", "text"}, {"name", SnakeName(name)},
                         {"description", "dbt test " + name + (args ? ": " + YamlJson(*args).dump() : std::string())}});
    }
    return Status::Ok();
  }

  // `constraints: [{type: primary_key, columns: [a, b]}, ...]` on the model:
  // primary_key, unique, not_null, check and foreign_key over named columns.
  Status ModelConstraints(const YamlNode& constraints, OrderedJson& object, OrderedJson& object_quality) {
    if (!constraints.IsSequence()) return InputError(in_, constraints.pos(), "'constraints' must be a list");
    for (const auto& k : constraints) {
      const YamlNode* type = k.IsMap() ? k.Find("type") : nullptr;
      if (!type) return InputError(in_, k.pos(), "a constraint needs a type");
      const std::string t = type->Scalar();
      std::vector<OrderedJson*> cols;
      if (const YamlNode* names = k.Find("columns")) {
        if (!names->IsSequence()) return InputError(in_, names->pos(), "'columns' must be a list");
        for (const auto& n : *names) {
          OrderedJson* p = nullptr;
          for (auto& prop : object["properties"])
            if (prop["name"] == n.Scalar()) p = &prop;
          if (!p) return InputError(in_, n.pos(), "constraint names '" + n.Scalar() + "', which is not a column");
          cols.push_back(p);
        }
      }
      if (t == "check") {
        const YamlNode* e = k.Find("expression");
        if (!e || !e->IsScalar()) return InputError(in_, k.pos(), "a check constraint needs an expression");
        object_quality.push_back(CheckRule(e->Scalar()));
        continue;
      }
      if (cols.empty()) return InputError(in_, k.pos(), "a model-level " + t + " constraint needs columns");
      if (t == "primary_key") {
        int position = 0;
        for (OrderedJson* p : cols) {
          (*p)["primaryKey"] = true;
          (*p)["primaryKeyPosition"] = ++position;
          (*p)["required"] = true;
        }
      } else if (t == "not_null") {
        for (OrderedJson* p : cols) (*p)["required"] = true;
      } else if (t == "unique") {
        if (cols.size() == 1) {
          (*cols[0])["unique"] = true;
        } else {
          OrderedJson names = OrderedJson::array();
          for (OrderedJson* p : cols) names.push_back((*p)["name"]);
          object_quality.push_back(UniqueTogetherRule(names));
        }
      } else if (t == "foreign_key" && cols.size() == 1) {
        ASSIGN_OR_RETURN(OrderedJson fk, ForeignKeyTarget(k, k.Find("to"), k.Find("to_columns")));
        (*cols[0])["relationships"].push_back(std::move(fk));
      } else {
        return InputError(in_, type->pos(), "unsupported model-level constraint '" + t + "'");
      }
    }
    return Status::Ok();
  }

  Status ModelTests(const YamlNode& tests, OrderedJson& object_quality) {
    if (!tests.IsSequence()) return InputError(in_, tests.pos(), "model tests must be a list");
    for (const auto& t : tests) {
      if (!t.IsMap() || t.size() == 0) continue;
      std::string name = t.entries().front().first->Scalar();
      const YamlNode* args = t.entries().front().second;
      if (args && args->IsMap() && args->Find("arguments")) args = args->Find("arguments");
      if (name == "dbt_utils.unique_combination_of_columns" || name == "unique_combination_of_columns") {
        const YamlNode* cols = args ? args->Find("combination_of_columns") : nullptr;
        if (!cols) return InputError(in_, t.pos(), name + " needs combination_of_columns");
        object_quality.push_back(UniqueTogetherRule(YamlJson(*cols)));
      } else {
        object_quality.push_back({{"type", "text"}, {"name", SnakeName(name)},
                                  {"description", "dbt test " + name + (args ? ": " + YamlJson(*args).dump() : std::string())}});
      }
    }
    return Status::Ok();
  }

  // ref('customers') + id -> customers.id in contract <domain>.customers
  Result<OrderedJson> ForeignKeyTarget(const YamlNode& at, const YamlNode* to, const YamlNode* field) {
    if (!to || !to->IsScalar()) return InputError(in_, at.pos(), "a relationship needs to: ref('model')");
    std::string ref(Trim(to->Scalar()));
    for (const char* prefix : {"ref(", "source("}) {
      if (!StartsWith(ref, prefix) || !EndsWith(ref, ")")) continue;
      ref = ref.substr(std::string_view(prefix).size(), ref.size() - std::string_view(prefix).size() - 1);
      auto parts = Split(ref, ',');
      ref = std::string(Trim(parts.back()));
    }
    if (ref.size() >= 2 && (ref.front() == '\'' || ref.front() == '"')) ref = ref.substr(1, ref.size() - 2);
    std::string column;
    if (field && field->IsSequence() && field->size() == 1) column = (*field->begin()).Scalar();
    else if (field && field->IsScalar()) column = field->Scalar();
    if (column.empty() || ref.empty())
      return InputError(in_, at.pos(), "a relationship needs a model (to: ref('model')) and one column (field)");
    const std::string model = SnakeName(ref);
    return ForeignKey(model + "." + column, domain_ + "." + model);
  }

  const ImportInput& in_;
  std::string domain_;
  engine::Connection& conn_;
};

}  // namespace

Result<std::vector<ProductDraft>> ImportDbt(const ImportInput& in, const ImportOptions& options) {
  ASSIGN_OR_RETURN(ParsedInput parsed, ParseInput(in));
  ASSIGN_OR_RETURN(std::string domain, DomainFor(in, "", options));
  const YamlNode* models = parsed.root->Find("models");
  if (!models || !models->IsSequence())
    return InputError(in, parsed.root->pos(), "a dbt schema.yml lists its models under 'models:'");
  ASSIGN_OR_RETURN(DuckDbSandbox sandbox, OpenDuckDbSandbox());  // reads check constraints
  DbtImporter importer(in, domain, sandbox.conn);
  std::vector<ProductDraft> drafts;
  for (const auto& m : *models) {
    ASSIGN_OR_RETURN(ProductDraft d, importer.Model(m));
    drafts.push_back(std::move(d));
  }
  return drafts;
}

}  // namespace weft::interop
