#include "interop/product_draft.h"

#include <cctype>
#include <set>

#include "common/strings.h"
#include "interop/yaml_writer.h"
#include "spec/lint.h"
#include "spec/loader.h"

namespace weft::interop {

namespace {

OrderedJson Team(const ProductDraft& d) {
  std::string owner = d.owner.empty() ? d.domain + "-team" : d.owner;
  // An e-mail or user name is a member; anything else names the team.
  if (owner.find('@') == std::string::npos) return {{"name", owner}};
  return {{"name", d.domain + "-team"}, {"members", OrderedJson::array({{{"username", owner}, {"role", "owner"}}})}};
}

// ODCS support: the channel the owner named, or the owner's e-mail.
OrderedJson Support(const ProductDraft& d) {
  std::string url = d.support_url;
  if (url.empty() && d.owner.find('@') != std::string::npos) url = "mailto:" + d.owner;
  if (url.empty()) return nullptr;
  std::string tool = StartsWith(url, "mailto:") ? "email" : url.find("slack") != std::string::npos ? "slack" : "other";
  return OrderedJson::array({{{"channel", d.domain + "-" + d.name}, {"tool", tool}, {"url", url}}});
}

void Classify(OrderedJson& properties) {
  for (auto& p : properties) {
    if (!p.contains("classification")) p["classification"] = "internal";
    if (p.contains("properties")) Classify(p["properties"]);
  }
}

OrderedJson Description(const ProductDraft& d) {
  return {{"purpose", d.description.empty() ? "Imported from " + d.source + "." : d.description}};
}

OrderedJson ProductDocument(const ProductDraft& d) {
  const std::string id = d.domain + "." + d.name;
  OrderedJson doc = {{"apiVersion", "v1.0.0"}, {"kind", "DataProduct"}, {"id", id},       {"name", d.name},
                     {"version", d.version},   {"status", "active"},    {"domain", d.domain}};
  doc["description"] = Description(d);
  if (!d.tags.empty()) doc["tags"] = d.tags;
  doc["team"] = Team(d);
  if (OrderedJson support = Support(d); !support.is_null()) doc["support"] = support;
  doc["outputPorts"] = OrderedJson::array(
      {{{"name", d.name}, {"version", d.version}, {"type", "tables"}, {"contractId", id}}});
  return doc;
}

}  // namespace

std::string SnakeName(std::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    // "OrderItems" -> "order_items": a capital after a lowercase letter starts a word.
    if (std::isupper(c) && i > 0 && std::islower(static_cast<unsigned char>(name[i - 1])) && !out.empty() &&
        out.back() != '_')
      out += '_';
    if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
    else if (!out.empty() && out.back() != '_') out += '_';
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  if (!out.empty() && std::isdigit(static_cast<unsigned char>(out.front()))) out = "t_" + out;
  return out;
}

OrderedJson ContractDocument(const ProductDraft& d) {
  const std::string id = d.domain + "." + d.name;
  OrderedJson doc = {{"apiVersion", "v3.1.0"}, {"kind", "DataContract"}, {"id", id},       {"name", d.name},
                     {"version", d.version},   {"status", "active"},      {"domain", d.domain}, {"dataProduct", d.name}};
  doc["description"] = Description(d);
  if (!d.tags.empty()) doc["tags"] = d.tags;
  doc["team"] = Team(d);
  if (OrderedJson support = Support(d); !support.is_null()) doc["support"] = support;
  doc["schema"] = d.objects;
  for (auto& object : doc["schema"])
    if (object.contains("properties")) Classify(object["properties"]);
  if (!d.sla.empty()) doc["slaProperties"] = d.sla;
  return doc;
}

Result<std::vector<spec::ScaffoldFile>> RenderProducts(const std::vector<ProductDraft>& drafts) {
  std::vector<spec::ScaffoldFile> files;
  std::set<std::string> seen;
  for (const ProductDraft& d : drafts) {
    RETURN_IF_ERROR(spec::ValidateSpecName("domain name", d.domain));
    RETURN_IF_ERROR(spec::ValidateSpecName("product name", d.name));
    if (!seen.insert(d.domain + "." + d.name).second)
      return Status::InvalidArgument(d.source + ": product " + d.domain + "." + d.name + " is imported twice");
    const std::string dir = "domains/" + d.domain + "/products/" + d.name + "/";
    files.push_back({dir + "product.odps.yaml", "# Data product " + d.domain + "." + d.name + " (ODPS v1.0), imported by weft from " +
                                                    d.source + ".\n" + ToYaml(ProductDocument(d))});
    files.push_back({dir + d.name + ".odcs.yaml", "# Data contract " + d.domain + "." + d.name + " (ODCS v3.1), imported by weft from " +
                                                      d.source + ".\n" + ToYaml(ContractDocument(d))});
  }
  // What was rendered must load and lint clean together, or nothing is written.
  std::vector<spec::Document> docs;
  std::vector<spec::Diagnostic> diags;
  for (const auto& f : files) {
    spec::LoadedFile loaded = spec::LoadText(f.content, f.path);
    for (auto& d : loaded.diagnostics) diags.push_back(std::move(d));
    for (auto& d : loaded.documents) docs.push_back(std::move(d));
  }
  for (auto& d : spec::Lint(docs, {})) diags.push_back(std::move(d));
  for (const auto& d : diags)
    if (d.severity == spec::Severity::kError)
      return Status::InvalidArgument("the import would not lint: " + spec::FormatGcc(d));
  return files;
}

}  // namespace weft::interop
