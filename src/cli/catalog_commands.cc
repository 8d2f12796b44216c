// Reading the catalog: weft get, weft describe, weft search, weft audit.
#include <iomanip>
#include <ostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/workspace_context.h"
#include "common/strings.h"
#include "governance/policy.h"
#include "spec/loader.h"

namespace weft::cli {

namespace {

using nlohmann::json;

std::string Money(const std::optional<double>& v, const std::string& currency) {
  if (!v) return "-";
  std::ostringstream s;
  s << std::fixed << std::setprecision(2) << *v << (currency.empty() ? "" : " " + currency);
  return s.str();
}

// Prints rows as a table, or the same objects as JSON/YAML.
void Render(CommandContext& ctx, const std::string& format, const std::vector<std::string>& headers,
            const std::vector<std::vector<std::string>>& rows, const json& objects) {
  if (format == "table") PrintTable(ctx.out, headers, rows);
  else PrintStructured(ctx.out, format, objects);
}

template <typename T>
bool Check(CommandContext& ctx, const Result<T>& r) {
  if (r.ok()) return true;
  ctx.err << "weft: " << r.status().message() << "\n";
  ctx.exit_code = kExitFindings;
  return false;
}

void GetDomains(CommandContext& ctx, catalog::Store& store, const std::string& format) {
  auto domains = store.ListDomains();
  if (!Check(ctx, domains)) return;
  std::vector<std::vector<std::string>> rows;
  json objects = json::array();
  for (const auto& d : *domains) {
    rows.push_back({d.name, Join(d.owners, ","), Money(d.monthly_budget, d.currency), d.cost_center.empty() ? "-" : d.cost_center,
                    d.storage_root});
    objects.push_back({{"name", d.name}, {"description", d.description}, {"owners", d.owners},
                       {"storageRoot", d.storage_root}, {"servicePrincipal", d.service_principal},
                       {"monthlyBudget", d.monthly_budget ? json(*d.monthly_budget) : json()},
                       {"currency", d.currency}, {"costCenter", d.cost_center}});
  }
  Render(ctx, format, {"DOMAIN", "OWNERS", "BUDGET", "COST CENTER", "STORAGE ROOT"}, rows, objects);
}

void GetProducts(CommandContext& ctx, catalog::Store& store, const std::string& format) {
  auto products = store.ListProducts();
  auto ports = store.ListPortVersions();
  if (!Check(ctx, products) || !Check(ctx, ports)) return;
  std::vector<std::vector<std::string>> rows;
  json objects = json::array();
  for (const auto& p : *products) {
    std::vector<std::string> versions;
    json vj = json::array();
    for (const auto& v : *ports) {
      if (v.product_id != p.id) continue;
      versions.push_back("v" + std::to_string(v.major) + " " + v.version + (v.status == "active" ? "" : " (" + v.status + ")"));
      vj.push_back({{"port", v.port}, {"major", v.major}, {"version", v.version}, {"status", v.status}});
    }
    rows.push_back({p.id, p.domain, p.status, p.tier.empty() ? "-" : p.tier, Join(versions, ", ")});
    objects.push_back({{"id", p.id}, {"domain", p.domain}, {"name", p.name}, {"status", p.status}, {"tier", p.tier},
                       {"version", p.version}, {"description", p.description}, {"tags", p.tags}, {"versions", vj}});
  }
  Render(ctx, format, {"PRODUCT", "DOMAIN", "STATUS", "TIER", "VERSIONS"}, rows, objects);
}

void GetVersions(CommandContext& ctx, catalog::Store& store, const std::string& format) {
  auto ports = store.ListPortVersions();
  if (!Check(ctx, ports)) return;
  std::vector<std::vector<std::string>> rows;
  json objects = json::array();
  for (const auto& v : *ports) {
    std::string address = v.product_id + "_v" + std::to_string(v.major);
    rows.push_back({address, v.port, v.version, v.status, v.end_of_support.empty() ? "-" : v.end_of_support,
                    v.end_of_life.empty() ? "-" : v.end_of_life});
    objects.push_back({{"product", v.product_id}, {"port", v.port}, {"major", v.major}, {"version", v.version},
                       {"contract", v.contract_id}, {"status", v.status}, {"endOfSupport", v.end_of_support},
                       {"endOfLife", v.end_of_life}, {"storagePath", v.storage_path}});
  }
  Render(ctx, format, {"ADDRESS", "PORT", "VERSION", "STATUS", "END OF SUPPORT", "END OF LIFE"}, rows, objects);
}

void GetPolicies(CommandContext& ctx, const control::Workspace& ws, const std::string& format) {
  std::vector<std::filesystem::path> dirs;
  bool with_default = false;
  for (const auto& pack : ws.PolicyPacks()) {
    if (pack == "default") with_default = true;
    else dirs.push_back(ws.ResolvePath(pack));
  }
  auto policies = governance::LoadPolicies(dirs, with_default);
  if (!Check(ctx, policies)) return;
  std::vector<std::vector<std::string>> rows;
  json objects = json::array();
  for (const auto& p : *policies) {
    rows.push_back({p.id, p.severity, p.title});
    objects.push_back({{"id", p.id}, {"severity", p.severity}, {"title", p.title}, {"rationale", p.rationale}});
  }
  Render(ctx, format, {"POLICY", "SEVERITY", "TITLE"}, rows, objects);
}

void GetWaivers(CommandContext& ctx, catalog::Store& store, const std::string& format) {
  auto waivers = store.ListWaivers();
  if (!Check(ctx, waivers)) return;
  std::vector<std::vector<std::string>> rows;
  json objects = json::array();
  for (const auto& w : *waivers) {
    rows.push_back({std::to_string(w.id), w.policy_id, w.subject, w.approver, w.expires_at, w.reason});
    objects.push_back({{"id", w.id}, {"policy", w.policy_id}, {"subject", w.subject}, {"approver", w.approver},
                       {"expiresAt", w.expires_at}, {"reason", w.reason}, {"createdAt", w.created_at}});
  }
  Render(ctx, format, {"ID", "POLICY", "SUBJECT", "APPROVER", "EXPIRES", "REASON"}, rows, objects);
}

void DescribeProduct(CommandContext& ctx, catalog::Store& store, const std::string& id, const std::string& format) {
  auto products = store.ListProducts();
  auto ports = store.ListPortVersions();
  auto contracts = store.ListContractVersions();
  auto domains = store.ListDomains();
  if (!Check(ctx, products) || !Check(ctx, ports) || !Check(ctx, contracts) || !Check(ctx, domains)) return;
  auto it = std::find_if(products->begin(), products->end(), [&](const catalog::ProductRecord& p) { return p.id == id; });
  if (it == products->end()) {
    std::vector<std::string> ids;
    for (const auto& p : *products) ids.push_back(p.id);
    std::string hint = ClosestMatch(id, ids);
    ctx.err << "weft describe: no product '" << id << "' in the catalog"
            << (hint.empty() ? std::string() : "; did you mean '" + hint + "'?") << "\n";
    ctx.exit_code = kExitFindings;
    return;
  }
  auto product_doc = spec::LoadText(it->spec_json, "catalog:product:" + id);
  const spec::DataProduct* p = product_doc.documents.empty() ? nullptr : product_doc.documents[0].product();
  json out = {{"id", it->id}, {"domain", it->domain}, {"status", it->status}, {"tier", it->tier},
              {"version", it->version}, {"description", it->description}, {"tags", it->tags},
              {"owners", json::array()}, {"support", json::array()}, {"versions", json::array()}};
  for (const auto& d : *domains)
    if (d.name == it->domain) out["owners"] = d.owners;
  if (p) {
    for (const auto& m : p->team.members) out["team"].push_back({{"username", m.username}, {"role", m.role}});
    for (const auto& s : p->support) out["support"].push_back({{"channel", s.channel}, {"url", s.url}});
  }
  for (const auto& v : *ports) {
    if (v.product_id != id) continue;
    json version = {{"address", v.product_id + "_v" + std::to_string(v.major)}, {"port", v.port},
                    {"version", v.version}, {"status", v.status}, {"endOfSupport", v.end_of_support},
                    {"endOfLife", v.end_of_life}, {"contract", v.contract_id}, {"columns", json::array()},
                    {"sla", json::array()}};
    for (const auto& c : *contracts) {
      if (c.contract_id != v.contract_id || c.version != v.version) continue;
      auto cd = spec::LoadText(c.spec_json, "catalog:contract");
      const spec::DataContract* contract = cd.documents.empty() ? nullptr : cd.documents[0].contract();
      if (!contract) continue;
      for (const auto& s : contract->sla_properties)
        version["sla"].push_back({{"property", s.property}, {"value", s.value}, {"unit", s.unit}});
      for (const auto& obj : contract->schema)
        for (const auto& prop : obj.properties) {
          const nlohmann::json* mask = prop.Custom("weft.mask");
          version["columns"].push_back({{"object", obj.name}, {"name", prop.name}, {"type", prop.logical_type},
                                        {"required", prop.is_required()}, {"classification", prop.classification},
                                        {"mask", mask ? *mask : json()}, {"description", prop.description}});
        }
    }
    out["versions"].push_back(version);
  }
  if (format != "text") {
    PrintStructured(ctx.out, format, out);
    return;
  }
  ctx.out << "Product:      " << it->id << "  (" << it->status << (it->tier.empty() ? "" : ", " + it->tier) << ")\n"
          << "Domain:       " << it->domain << "\n"
          << "Owners:       " << Join(out["owners"].get<std::vector<std::string>>(), ", ") << "\n"
          << "Description:  " << it->description << "\n";
  if (!it->tags.empty()) ctx.out << "Tags:         " << Join(it->tags, ", ") << "\n";
  for (const auto& s : out["support"]) ctx.out << "Support:      " << s["channel"].get<std::string>() << "  " << s["url"].get<std::string>() << "\n";
  for (const auto& v : out["versions"]) {
    ctx.out << "\n" << v["address"].get<std::string>() << "  port " << v["port"].get<std::string>() << "  version "
            << v["version"].get<std::string>() << "  " << v["status"].get<std::string>();
    if (!v["endOfLife"].get<std::string>().empty()) ctx.out << "  end of life " << v["endOfLife"].get<std::string>();
    ctx.out << "\n";
    for (const auto& s : v["sla"])
      ctx.out << "  SLA " << s["property"].get<std::string>() << " " << s["value"].dump() << " " << s["unit"].get<std::string>() << "\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : v["columns"])
      rows.push_back({c["object"].get<std::string>() + "." + c["name"].get<std::string>(), c["type"].get<std::string>(),
                      c["required"].get<bool>() ? "required" : "", c["classification"].get<std::string>(),
                      c["mask"].is_null() ? "" : c["mask"].get<std::string>()});
    PrintTable(ctx.out, {"COLUMN", "TYPE", "REQUIRED", "CLASSIFICATION", "MASK"}, rows);
  }
}

}  // namespace

void AddCatalogCommands(CLI::App& app, CommandContext& ctx) {
  {
    auto* cmd = app.add_subcommand("get", "List catalog objects: domains, products, versions, policies, waivers");
    auto what = std::make_shared<std::string>();
    auto format = std::make_shared<std::string>("table");
    cmd->add_option("what", *what, "What to list")
        ->required()
        ->check(CLI::IsMember({"domains", "products", "versions", "policies", "waivers"}));
    cmd->add_option("-o,--output", *format, "Output format")->check(CLI::IsMember({"table", "json", "yaml"}));
    cmd->callback([&ctx, what, format] {
      auto opened = OpenWorkspaceOrReport(ctx);
      if (!opened) return;
      if (*what == "domains") GetDomains(ctx, *opened->store, *format);
      else if (*what == "products") GetProducts(ctx, *opened->store, *format);
      else if (*what == "versions") GetVersions(ctx, *opened->store, *format);
      else if (*what == "policies") GetPolicies(ctx, opened->ws, *format);
      else GetWaivers(ctx, *opened->store, *format);
    });
  }
  {
    auto* cmd = app.add_subcommand("describe", "Show one product: owners, versions, SLAs, contract schema");
    auto kind = std::make_shared<std::string>();
    auto id = std::make_shared<std::string>();
    auto format = std::make_shared<std::string>("text");
    cmd->add_option("kind", *kind, "product")->required()->check(CLI::IsMember({"product"}));
    cmd->add_option("id", *id, "DOMAIN.PRODUCT")->required();
    cmd->add_option("-o,--output", *format, "Output format")->check(CLI::IsMember({"text", "json", "yaml"}));
    cmd->callback([&ctx, kind, id, format] {  // every option target must outlive parsing
      auto opened = OpenWorkspaceOrReport(ctx);
      if (opened) DescribeProduct(ctx, *opened->store, *id, *format);
    });
  }
  {
    auto* cmd = app.add_subcommand("search", "Search products by name, description, tags and columns");
    auto q = std::make_shared<catalog::SearchQuery>();
    auto format = std::make_shared<std::string>("table");
    cmd->add_option("query", q->text, "Words to look for");
    cmd->add_option("--domain", q->domain, "Only this domain");
    cmd->add_option("--tag", q->tag, "Only products with this tag");
    cmd->add_option("--classification", q->classification, "Only products with a column of this classification");
    cmd->add_option("--status", q->status, "Only products in this status");
    cmd->add_option("--limit", q->limit, "Most hits to show")->check(CLI::Range(1, 1000));
    cmd->add_option("-o,--output", *format, "Output format")->check(CLI::IsMember({"table", "json"}));
    cmd->callback([&ctx, q, format] {
      auto opened = OpenWorkspaceOrReport(ctx);
      if (!opened) return;
      auto result = opened->store->Search(*q);
      if (!Check(ctx, result)) return;
      json objects = json::array();
      std::vector<std::vector<std::string>> rows;
      for (const auto& h : result->hits) {
        // BM25 scores are tiny on small catalogs; three significant digits keep the order visible.
        std::ostringstream score;
        score << std::setprecision(3) << h.score;
        rows.push_back({score.str(), h.product_id, h.status, h.snippet});
        objects.push_back({{"product", h.product_id}, {"domain", h.domain}, {"status", h.status},
                           {"score", h.score}, {"snippet", h.snippet}});
      }
      if (*format == "json") {
        ctx.out << json({{"hits", objects}, {"facets", result->facets}}).dump(2) << "\n";
        return;
      }
      if (rows.empty()) {
        ctx.out << "No products match.\n";
        return;
      }
      PrintTable(ctx.out, {"SCORE", "PRODUCT", "STATUS", "WHY"}, rows);
      for (const auto& [facet, values] : result->facets) {
        std::vector<std::string> parts;
        for (const auto& [value, count] : values) parts.push_back(value + " (" + std::to_string(count) + ")");
        ctx.out << facet << ": " << Join(parts, ", ") << "\n";
      }
    });
  }
  {
    auto* cmd = app.add_subcommand("audit", "Read the audit trail of catalog changes");
    auto filter = std::make_shared<catalog::AuditFilter>();
    auto format = std::make_shared<std::string>("table");
    cmd->add_option("--object", filter->object, "An object (e.g. product:sales.orders), or a prefix ending in *");
    cmd->add_option("--since", filter->since, "Events at or after this time (ISO 8601, e.g. 2026-11-01)");
    cmd->add_option("--limit", filter->limit, "Most events to show")->check(CLI::Range(1, 100000));
    cmd->add_option("-o,--output", *format, "Output format")->check(CLI::IsMember({"table", "json"}));
    cmd->callback([&ctx, filter, format] {
      auto opened = OpenWorkspaceOrReport(ctx);
      if (!opened) return;
      auto events = opened->store->ListAudit(*filter);
      if (!Check(ctx, events)) return;
      std::vector<std::vector<std::string>> rows;
      json objects = json::array();
      for (const auto& e : *events) {
        rows.push_back({e.time, e.actor, e.action, e.object, e.before_digest.substr(0, 12), e.after_digest.substr(0, 12)});
        objects.push_back({{"id", e.id}, {"time", e.time}, {"actor", e.actor}, {"action", e.action},
                           {"object", e.object}, {"before", e.before_digest}, {"after", e.after_digest},
                           {"detail", e.detail}});
      }
      Render(ctx, *format, {"TIME", "ACTOR", "ACTION", "OBJECT", "BEFORE", "AFTER"}, rows, objects);
    });
  }
}

}  // namespace weft::cli
