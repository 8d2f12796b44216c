// Reading the catalog: weft get, weft describe, weft search, weft audit
// (service/catalog.h). Tables are drawn from the views' JSON.
#include <iomanip>
#include <ostream>
#include <sstream>

#include "cli/call.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "common/strings.h"
#include "service/catalog.h"

namespace weft::cli {

namespace {

using nlohmann::json;
using service::CatalogService;
using service::Caller;
using service::Mesh;


std::string Money(const json& v, const std::string& currency) {
  if (!v.is_number()) return "-";
  std::ostringstream s;
  s << std::fixed << std::setprecision(2) << v.get<double>() << (currency.empty() ? "" : " " + currency);
  return s.str();
}

// The rows of one list, as a table.
using Row = std::vector<std::string> (*)(const json&);

struct Listing {
  const char* what;
  const char* path;
  std::vector<std::string> headers;
  Row row;
  std::function<Answer(Mesh&, const Caller&)> local;
};

std::vector<Listing> Listings() {
  return {
      {"domains", "/api/v1/domains", {"DOMAIN", "OWNERS", "BUDGET", "COST CENTER", "STORAGE ROOT"},
       [](const json& d) -> std::vector<std::string> {
         return {Text(d["name"]), Join(Texts(d["owners"]), ","), Money(d["monthlyBudget"], Text(d["currency"])),
                 Dash(d["costCenter"]), Text(d["storageRoot"])};
       },
       [](Mesh& m, const Caller& c) { return Of(CatalogService(m).Domains(c)); }},
      {"products", "/api/v1/products", {"PRODUCT", "DOMAIN", "STATUS", "TIER", "VERSIONS"},
       [](const json& p) -> std::vector<std::string> {
         std::vector<std::string> versions;
         for (const auto& v : p["versions"])
           versions.push_back("v" + Text(v["major"]) + " " + Text(v["version"]) +
                              (v["status"] == "active" ? "" : " (" + Text(v["status"]) + ")"));
         return {Text(p["id"]), Text(p["domain"]), Text(p["status"]), Dash(p["tier"]), Join(versions, ", ")};
       },
       [](Mesh& m, const Caller& c) { return Of(CatalogService(m).Products(c)); }},
      {"versions", "/api/v1/versions", {"ADDRESS", "PORT", "VERSION", "STATUS", "END OF SUPPORT", "END OF LIFE"},
       [](const json& v) -> std::vector<std::string> {
         return {Text(v["product"]) + "_v" + Text(v["major"]), Text(v["port"]), Text(v["version"]), Text(v["status"]),
                 Dash(v["endOfSupport"]), Dash(v["endOfLife"])};
       },
       [](Mesh& m, const Caller& c) { return Of(CatalogService(m).Versions(c)); }},
      {"policies", "/api/v1/policies", {"POLICY", "SEVERITY", "TITLE"},
       [](const json& p) -> std::vector<std::string> { return {Text(p["id"]), Text(p["severity"]), Text(p["title"])}; },
       [](Mesh& m, const Caller& c) { return Of(CatalogService(m).Policies(c)); }},
      {"waivers", "/api/v1/waivers", {"ID", "POLICY", "SUBJECT", "APPROVER", "EXPIRES", "REASON"},
       [](const json& w) -> std::vector<std::string> {
         return {Text(w["id"]), Text(w["policy"]), Text(w["subject"]), Text(w["approver"]), Text(w["expiresAt"]), Text(w["reason"])};
       },
       [](Mesh& m, const Caller& c) { return Of(CatalogService(m).Waivers(c)); }},
  };
}

// Prints a list as a table of `row`s, or as JSON/YAML.
void RenderList(CommandContext& ctx, const std::string& format, const std::vector<std::string>& headers, Row row,
                const json& items) {
  if (format != "table") return PrintStructured(ctx.out, format, items);
  std::vector<std::vector<std::string>> rows;
  for (const auto& i : items) rows.push_back(row(i));
  PrintTable(ctx.out, headers, rows);
}

void PrintPage(std::ostream& out, const json& p) {
  out << "Product:      " << Text(p["id"]) << "  (" << Text(p["status"]) << (Text(p["tier"]).empty() ? "" : ", " + Text(p["tier"])) << ")\n"
      << "Domain:       " << Text(p["domain"]) << "\n"
      << "Owners:       " << Join(Texts(p["owners"]), ", ") << "\n"
      << "Description:  " << Text(p["description"]) << "\n";
  if (!p["tags"].empty()) out << "Tags:         " << Join(Texts(p["tags"]), ", ") << "\n";
  for (const auto& [label, key] : {std::pair{"Purpose:      ", "purpose"}, std::pair{"Limitations:  ", "limitations"},
                                   std::pair{"Usage:        ", "usage"}})
    if (!Text(p.value(key, json())).empty()) out << label << Text(p[key]) << "\n";
  if (p.contains("viewer")) out << "Your access:  " << Text(p["viewer"].value("state", json())) << "\n";
  for (const auto& s : p["support"]) out << "Support:      " << Text(s["channel"]) << "  " << Text(s["url"]) << "\n";
  const json& f = p["freshness"];
  if (f.is_object() && f["snapshot"].is_string())
    out << "Current:      snapshot " << Text(f["snapshot"]) << ", " << Text(f["rows"]) << " rows, published " << Text(f["lastPublish"])
        << (f["state"] == "unknown" ? "" : " (" + Text(f["state"]) + ")") << "\n";
  for (const auto& v : p["versions"]) {
    out << "\n" << Text(v["address"]) << "  port " << Text(v["port"]) << "  version " << Text(v["version"]) << "  " << Text(v["status"]);
    if (!Text(v.value("since", json())).empty()) out << " since " << Text(v["since"]).substr(0, 10);
    if (!Text(v["endOfLife"]).empty()) out << "  end of life " << Text(v["endOfLife"]);
    out << "\n";
    for (const auto& s : v["sla"]) out << "  SLA " << Text(s["property"]) << " " << s["value"].dump() << " " << Text(s["unit"]) << "\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : v["columns"])
      rows.push_back({Text(c["object"]) + "." + Text(c["name"]), Text(c["type"]), c["required"].get<bool>() ? "required" : "",
                      Text(c["classification"]), Text(c["mask"])});
    PrintTable(out, {"COLUMN", "TYPE", "REQUIRED", "CLASSIFICATION", "MASK"}, rows);
  }
  if (p.value("transformSql", json()).is_string()) out << "\nTransform:\n" << Text(p["transformSql"]) << "\n";
}

void PrintSearch(std::ostream& out, const json& s) {
  if (s.contains("terms") && !s["terms"].empty()) {
    out << "Glossary terms (weft glossary show TERM):\n";
    for (const auto& t : s["terms"])
      out << "  " << Text(t["name"]) << "  " << Text(t["title"]) << ": " << Text(t["definition"]) << "\n";
    out << "\n";
  }
  if (s["hits"].empty()) {
    out << "No products match.\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& h : s["hits"]) {
    // BM25 scores are tiny on small catalogs; three significant digits keep the order visible.
    std::ostringstream score;
    score << std::setprecision(3) << h["score"].get<double>();
    rows.push_back({score.str(), Text(h["product"]), Text(h["status"]), Text(h["quality"]), Text(h["snippet"])});
  }
  PrintTable(out, {"SCORE", "PRODUCT", "STATUS", "QUALITY", "WHY"}, rows);
  for (const auto& [facet, values] : s["facets"].items()) {
    std::vector<std::string> parts;
    for (const auto& [value, count] : values.items()) parts.push_back(value + " (" + Text(count) + ")");
    out << facet << ": " << Join(parts, ", ") << "\n";
  }
  if (!s.value("facetsComplete", true)) {
    out << "(counts are over the best " << Text(s["facetsCounted"]) << " matches; more products matched)\n";
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
      for (const auto& l : Listings()) {
        if (*what != l.what) continue;
        Answer a = Call(ctx, {.path = l.path}, l.local);
        if (Report(ctx, "get", a.status)) RenderList(ctx, *format, l.headers, l.row, a.body);
      }
    });
  }
  {
    auto* cmd = app.add_subcommand("describe", "Show one product: owners, versions, SLAs, contract schema, freshness");
    auto kind = std::make_shared<std::string>();
    auto id = std::make_shared<std::string>();
    auto format = std::make_shared<std::string>("text");
    cmd->add_option("kind", *kind, "product")->required()->check(CLI::IsMember({"product"}));
    cmd->add_option("id", *id, "DOMAIN.PRODUCT")->required();
    cmd->add_option("-o,--output", *format, "Output format")->check(CLI::IsMember({"text", "json", "yaml"}));
    cmd->callback([&ctx, kind, id, format] {  // every option target must outlive parsing
      Answer a = Call(ctx, {.path = "/api/v1/products/" + *id}, [&](Mesh& m, const Caller& c) -> Answer {
        auto page = CatalogService(m).Page(c, *id);
        if (!page.ok()) return {page.status(), nullptr};
        json body = service::ToJson(*page);
        const service::LiveInputs in = service::LiveInputsOf(*page);
        auto records = service::LoadLiveRecords(m, in);
        if (!records.ok()) return {records.status(), nullptr};
        body.update(service::LivePageParts(c, in, *records));
        return {Status::Ok(), body};
      });
      if (!Report(ctx, "describe", a.status)) return;
      if (*format == "text") PrintPage(ctx.out, a.body);
      else PrintStructured(ctx.out, *format, a.body);
    });
  }
  {
    auto* cmd = app.add_subcommand("search", "Search products by name, description, tags and columns");
    auto q = std::make_shared<catalog::SearchQuery>();
    auto quality = std::make_shared<std::string>();
    auto format = std::make_shared<std::string>("table");
    cmd->add_option("query", q->text, "Words to look for");
    cmd->add_option("--domain", q->domain, "Only this domain");
    cmd->add_option("--tag", q->tag, "Only products with this tag");
    cmd->add_option("--classification", q->classification, "Only products with a column of this classification");
    cmd->add_option("--column-tag", q->column_tag, "Only products with a column of this tag");
    cmd->add_option("--status", q->status, "Only products in this status");
    cmd->add_option("--quality", *quality, "Only products whose latest publish is passing, warnings, failing or none")
        ->check(CLI::IsMember({"passing", "warnings", "failing", "none"}));
    cmd->add_option("--limit", q->limit, "Most hits to show")->check(CLI::Range(1, 1000));
    cmd->add_option("-o,--output", *format, "Output format")->check(CLI::IsMember({"table", "json"}));
    cmd->callback([&ctx, q, quality, format] {
      Rest rest{.path = "/api/v1/search",
                .query = {{"q", q->text}, {"domain", q->domain}, {"tag", q->tag}, {"classification", q->classification},
                          {"column_tag", q->column_tag}, {"status", q->status}, {"quality", *quality}, {"limit", std::to_string(q->limit)}}};
      Answer a = Call(ctx, rest, [&](Mesh& m, const Caller& c) { return Of(CatalogService(m).Search(c, *q, *quality)); });
      if (!Report(ctx, "search", a.status)) return;
      if (*format == "json") ctx.out << a.body.dump(2) << "\n";
      else PrintSearch(ctx.out, a.body);
    });
  }
  {
    auto* cmd = app.add_subcommand("audit", "Read the audit trail of catalog changes (stewards and admins)");
    auto filter = std::make_shared<catalog::AuditFilter>();
    auto format = std::make_shared<std::string>("table");
    cmd->add_option("--object", filter->object, "An object (e.g. product:sales.orders), or a prefix ending in *");
    cmd->add_option("--since", filter->since, "Events at or after this time (ISO 8601, e.g. 2026-11-01)");
    cmd->add_option("--limit", filter->limit, "Most events to show")->check(CLI::Range(1, 100000));
    cmd->add_option("-o,--output", *format, "Output format")->check(CLI::IsMember({"table", "json"}));
    cmd->callback([&ctx, filter, format] {
      Rest rest{.path = "/api/v1/audit",
                .query = {{"object", filter->object}, {"since", filter->since}, {"limit", std::to_string(filter->limit)}}};
      Answer a = Call(ctx, rest, [&](Mesh& m, const Caller& c) { return Of(CatalogService(m).Audit(c, *filter)); });
      if (!Report(ctx, "audit", a.status)) return;
      RenderList(ctx, *format, {"TIME", "ACTOR", "ACTION", "OBJECT", "BEFORE", "AFTER"},
                 [](const json& e) -> std::vector<std::string> {
                   return {Text(e["time"]), Text(e["actor"]), Text(e["action"]), Text(e["object"]), Text(e["before"]).substr(0, 12),
                           Text(e["after"]).substr(0, 12)};
                 },
                 a.body);
    });
  }
}

}  // namespace weft::cli
