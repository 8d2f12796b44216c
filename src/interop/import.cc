#include "interop/import.h"

#include "interop/importers.h"

namespace weft::interop {

const std::vector<std::string>& ImportFormatNames() {
  static const std::vector<std::string> k = {"simple", "dbt", "sql", "jsonschema"};
  return k;
}

Result<ImportFormat> ParseImportFormat(std::string_view name) {
  if (name == "simple") return ImportFormat::kSimple;
  if (name == "dbt") return ImportFormat::kDbt;
  if (name == "sql") return ImportFormat::kSql;
  if (name == "jsonschema") return ImportFormat::kJsonSchema;
  return Status::InvalidArgument("unknown import format '" + std::string(name) + "'; expected simple, dbt, sql or jsonschema");
}

Status InputError(const ImportInput& in, spec::Pos pos, const std::string& message) {
  if (pos.line == 0) return Status::InvalidArgument(in.file + ": " + message);
  return Status::InvalidArgument(in.file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.col) + ": " + message);
}

Result<ParsedInput> ParseInput(const ImportInput& in) {
  ParsedInput p{.stream = spec::ParseYaml(in.text, /*max_depth=*/64), .root = nullptr};
  if (p.stream.error) return InputError(in, p.stream.error->pos, p.stream.error->message);
  if (p.stream.documents.size() != 1)
    return InputError(in, {}, "expected one document, found " + std::to_string(p.stream.documents.size()));
  p.root = p.stream.documents.front();
  if (!p.root->IsMap()) return InputError(in, p.root->pos(), "expected a map at the top");
  return p;
}

OrderedJson YamlJson(const spec::YamlNode& n) {
  if (n.IsMap()) {
    OrderedJson obj = OrderedJson::object();
    for (const auto& [k, v] : n.entries())
      if (k->IsScalar() && !obj.contains(k->Scalar())) obj[k->Scalar()] = YamlJson(*v);
    return obj;
  }
  if (n.IsSequence()) {
    OrderedJson arr = OrderedJson::array();
    for (const auto& item : n) arr.push_back(YamlJson(item));
    return arr;
  }
  return OrderedJson(spec::ScalarJson(n));
}

Result<std::string> ScalarText(const ImportInput& in, const spec::YamlNode& n, const std::string& what) {
  if (!n.IsScalar() || n.Scalar().empty()) return InputError(in, n.pos(), what + " must be a non-empty text");
  return n.Scalar();
}

Result<std::string> DomainFor(const ImportInput& in, const std::string& own, const ImportOptions& options) {
  if (!own.empty()) return own;
  if (!options.domain.empty()) return options.domain;
  return InputError(in, {}, "no domain: the input names none; give one with --domain");
}

OrderedJson ValidValuesRule(const OrderedJson& values) {
  return {{"metric", "invalidValues"}, {"arguments", {{"validValues", values}}}, {"mustBe", 0}};
}

OrderedJson UniqueTogetherRule(const OrderedJson& properties) {
  return {{"metric", "duplicateValues"}, {"arguments", {{"properties", properties}}}, {"mustBe", 0}, {"unit", "rows"},
          {"dimension", "uniqueness"}};
}

OrderedJson ForeignKey(const OrderedJson& to, const std::string& contract) {
  return {{"type", "foreignKey"}, {"to", to}, {"customProperties", {{{"property", "weft.contract"}, {"value", contract}}}}};
}

Result<std::vector<spec::ScaffoldFile>> Import(ImportFormat format, const std::vector<ImportInput>& inputs,
                                               const ImportOptions& options) {
  std::vector<ProductDraft> drafts;
  for (const ImportInput& in : inputs) {
    Result<std::vector<ProductDraft>> got = [&]() -> Result<std::vector<ProductDraft>> {
      switch (format) {
        case ImportFormat::kSimple: return ImportSimple(in, options);
        case ImportFormat::kDbt: return ImportDbt(in, options);
        case ImportFormat::kSql: return ImportSql(in, options);
        case ImportFormat::kJsonSchema: return ImportJsonSchema(in, options);
      }
      return Status::Internal("unknown import format");
    }();
    if (!got.ok()) return got.status();
    if (got->empty()) return InputError(in, {}, "nothing to import (no table, model or schema found)");
    for (auto& d : *got) {
      if (d.support_url.empty()) d.support_url = options.support_url;
      drafts.push_back(std::move(d));
    }
  }
  return RenderProducts(drafts);
}

}  // namespace weft::interop
