#include "server/mcp.h"

#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>
#include <set>
#include <regex>

#include "common/hashing.h"
#include "common/strings.h"
#include "service/authorizer.h"
#include "service/catalog.h"
#include "service/control.h"
#include "service/lineage.h"
#include "service/outcome.h"
#include "service/query.h"
#include "service/sharing.h"

namespace weft::server {

namespace {

using nlohmann::json;
using Row = std::vector<std::optional<std::string>>;

// JSON-RPC 2.0's error codes, and MCP's for an unknown resource.
constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kInternalError = -32603;
constexpr int kResourceNotFound = -32002;

constexpr const char* kProductUri = "weft://products/";
constexpr int kDefaultRows = 100;
constexpr int kMaxRows = 1000;

// Revisions are dates: they compare as text.
bool AtLeast(const std::string& revision, const char* since) { return revision >= since; }

bool Supported(const std::string& revision) {
  return std::find(std::begin(kMcpRevisions), std::end(kMcpRevisions), revision) != std::end(kMcpRevisions);
}

json RpcResult(const json& id, json result) { return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}}; }

json RpcError(const json& id, int code, const std::string& message, json data = nullptr) {
  json error = {{"code", code}, {"message", message}};
  if (!data.is_null()) error["data"] = std::move(data);
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(error)}};
}

// A failure or refusal as an agent reads it: what kind (the REST API's
// problem type and status) and the service's own words, which say why
// without echoing what the caller may not see.
std::string RefusalText(const std::string& what, const Status& s) {
  return fmt::format("{} failed: {} (HTTP {}): {}", what, service::ProblemSlugOf(s.code()),
                     service::HttpStatusOf(s.code()), s.message());
}

std::string Clip(const std::string& text, size_t max) { return text.size() <= max ? text : text.substr(0, max) + "…"; }

// A cell of a markdown table: one line, no column breaks.
std::string Cell(const std::string& text) {
  std::string out;
  for (char c : Clip(text, 200)) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

// The one table layout of every text answer (schemas, query results): a
// markdown table, which models read reliably.
std::string MarkdownTable(const std::vector<std::string>& header, const std::vector<Row>& rows) {
  std::string out = "|";
  for (const auto& h : header) out += " " + Cell(h) + " |";
  out += "\n|";
  for (size_t i = 0; i < header.size(); ++i) out += "---|";
  out += "\n";
  for (const auto& row : rows) {
    out += "|";
    for (const auto& cell : row) out += " " + (cell ? Cell(*cell) : std::string("NULL")) + " |";
    out += "\n";
  }
  return out;
}

// --- tool arguments ---------------------------------------------------------------------

Status OnlyArguments(const json& args, std::initializer_list<std::string_view> names) {
  for (const auto& [key, value] : args.items())
    if (std::find(names.begin(), names.end(), key) == names.end())
      return Status::InvalidArgument(fmt::format("unknown argument \"{}\" (the tool takes: {})", Clip(key, 64),
                                                 fmt::join(names, ", ")));
  return Status::Ok();
}

Result<std::string> StringArgument(const json& args, const char* name, bool required = false) {
  auto it = args.find(name);
  if (it == args.end() || it->is_null()) {
    if (required) return Status::InvalidArgument(fmt::format("the argument \"{}\" (a string) is required", name));
    return std::string();
  }
  if (!it->is_string()) return Status::InvalidArgument(fmt::format("the argument \"{}\" must be a string", name));
  return it->get<std::string>();
}

Result<int> IntegerArgument(const json& args, const char* name, int fallback, int min, int max) {
  auto it = args.find(name);
  if (it == args.end() || it->is_null()) return fallback;
  if (!it->is_number_integer() || it->get<int64_t>() < min || it->get<int64_t>() > max)
    return Status::InvalidArgument(fmt::format("the argument \"{}\" must be an integer from {} to {}", name, min, max));
  return static_cast<int>(it->get<int64_t>());
}

Result<std::vector<std::string>> StringsArgument(const json& args, const char* name) {
  auto it = args.find(name);
  if (it == args.end() || it->is_null()) return std::vector<std::string>();
  if (!it->is_array() || !std::all_of(it->begin(), it->end(), [](const json& v) { return v.is_string(); }))
    return Status::InvalidArgument(fmt::format("the argument \"{}\" must be an array of strings", name));
  return it->get<std::vector<std::string>>();
}

// --- what a product is, for describe_product and the resources -------------------------------

struct ProductDoc {
  service::ProductPage page;
  std::set<std::string> upstream, downstream;  // direct neighbours in the lineage graph
};

Result<ProductDoc> LoadProductDoc(service::Mesh& mesh, const service::Caller& caller, const std::string& id) {
  ProductDoc doc;
  ASSIGN_OR_RETURN(doc.page, service::CatalogService(mesh).Page(caller, id));
  ASSIGN_OR_RETURN(service::LineageView lineage, service::LineageService(mesh).Lineage(caller, id, {}));
  for (const auto& e : lineage.edges) {
    if (e.edge.to == id) doc.upstream.insert(e.edge.from);
    if (e.edge.from == id) doc.downstream.insert(e.edge.to);
  }
  return doc;
}

// The newest major the page shows: what `domain.product` addresses.
const service::ProductPage::Version* Newest(const service::ProductPage& page) {
  const service::ProductPage::Version* newest = nullptr;
  for (const auto& v : page.versions)
    if (!newest || v.port.major > newest->port.major) newest = &v;
  return newest;
}

// How the caller reads a column of the newest major: clear, a mask's name,
// or hidden (its grants do not name it, or it reads nothing).
std::string ColumnAccess(const service::ProductPage& page, const std::string& column) {
  auto it = page.viewer.columns.find(column);
  return it == page.viewer.columns.end() ? "hidden" : it->second;
}

std::string AccessSummary(const service::ProductPage& page) {
  const auto& v = page.viewer;
  if (v.state == "owner") return "you own it: every column in clear, every row";
  if (v.state == "access") {
    int64_t masked = 0;
    for (const auto& [column, how] : v.columns) masked += how != "clear";
    return fmt::format("you may read it: {} column(s), {} masked, {} hidden; {}", v.columns.size(), masked,
                       v.hidden_columns, v.row_filter.value_or(false) ? "a row filter applies" : "every row");
  }
  if (v.state == "pending") return fmt::format("your access request {} waits for a decision", v.pending_request);
  return "you may not read it" + (v.reason.empty() ? std::string() : ": " + v.reason);
}

// The product's documentation as markdown: the resource's text and
// describe_product's.
std::string ProductMarkdown(const ProductDoc& doc, const std::string& now) {
  const auto& page = doc.page;
  const auto& p = page.product;
  std::string md = fmt::format("# {}\n\n{}\n\n", p.id, p.description.empty() ? "(no description)" : p.description);
  std::vector<Row> facts = {{"domain", p.domain},
                            {"status", p.status + (p.tier.empty() ? "" : ", tier " + p.tier) + ", version " + p.version},
                            {"owners", Join(page.owners, ", ")},
                            {"quality", page.quality}};
  const json fresh = service::FreshnessJson(page.freshness, now);
  if (fresh["snapshot"].is_string())
    facts.push_back({"freshness", fmt::format("{} ({} rows, published {})", fresh["state"].get<std::string>(),
                                              fresh["rows"].dump(), fresh["lastPublish"].get<std::string>())});
  else
    facts.push_back({"freshness", "never published"});
  if (!p.tags.empty()) facts.push_back({"tags", Join(p.tags, ", ")});
  md += MarkdownTable({"", ""}, facts) + "\n";
  for (const auto& [title, text] : {std::pair{"Purpose", page.purpose}, {"Limitations", page.limitations}, {"Usage", page.usage}})
    if (!text.empty()) md += fmt::format("## {}\n\n{}\n\n", title, text);
  if (const auto* v = Newest(page)) {
    md += fmt::format("## Schema of {}_v{} (contract {} {}, {})\n\nQuery it as `{}` (the newest major) or `{}_v{}`.\n\n",
                      p.id, v->port.major, v->port.contract_id, v->port.version, v->port.status, p.id, p.id, v->port.major);
    std::vector<Row> columns;
    for (const auto& c : v->columns)
      columns.push_back({c.name, c.type, c.classification, c.description, ColumnAccess(page, c.name)});
    md += MarkdownTable({"column", "type", "classification", "description", "your access"}, columns) + "\n";
    if (!v->sla.empty()) {
      md += "## SLAs\n\n";
      for (const auto& s : v->sla)
        md += fmt::format("- {}: {} {}\n", s.property, s.value.is_string() ? s.value.get<std::string>() : s.value.dump(), s.unit);
      md += "\n";
    }
  } else {
    md += "## Schema\n\nNo version is served yet.\n\n";
  }
  auto names = [](const std::set<std::string>& ids) { return ids.empty() ? std::string("none") : Join({ids.begin(), ids.end()}, ", "); };
  md += fmt::format("## Lineage\n\n- upstream: {}\n- downstream: {}\n\n", names(doc.upstream), names(doc.downstream));
  md += fmt::format("## Your access\n\n{}.\n\n", AccessSummary(page));
  if (page.viewer.state == "none")
    md += fmt::format(
        "## How to request access\n\nCall the `request_access` tool with `product: \"{}\"` and your purpose (or `weft access "
        "request {} --purpose TEXT`). Its owners ({}) decide; `explain_policy` says what a grant would give.\n",
        p.id, p.id, page.owners.empty() ? "see the domain" : Join(page.owners, ", "));
  return md;
}

// --- the tools -------------------------------------------------------------------------------

struct ToolOutput {
  std::string text;  // what the model reads
  json structured;   // structuredContent (revisions with output schemas)
};

// What tools/call records in the audit trail: the object acted on and a
// note, never secrets or result rows.
struct ToolAudit {
  std::string object;
  std::string detail;
};

Result<ToolOutput> SearchProducts(service::Mesh& mesh, const service::Caller& caller, const json& args, ToolAudit& audit) {
  RETURN_IF_ERROR(OnlyArguments(args, {"query", "domain", "tag", "classification", "status", "quality", "limit"}));
  catalog::SearchQuery q;
  ASSIGN_OR_RETURN(q.text, StringArgument(args, "query"));
  ASSIGN_OR_RETURN(q.domain, StringArgument(args, "domain"));
  ASSIGN_OR_RETURN(q.tag, StringArgument(args, "tag"));
  ASSIGN_OR_RETURN(q.classification, StringArgument(args, "classification"));
  ASSIGN_OR_RETURN(q.status, StringArgument(args, "status"));
  ASSIGN_OR_RETURN(q.limit, IntegerArgument(args, "limit", 10, 1, 50));
  ASSIGN_OR_RETURN(std::string quality, StringArgument(args, "quality"));
  audit.detail = fmt::format("search \"{}\"", Clip(q.text, 100));
  ASSIGN_OR_RETURN(service::SearchView view, service::CatalogService(mesh).Search(caller, q, quality));
  json products = json::array();
  std::string text;
  for (const auto& h : view.hits) {
    products.push_back({{"id", h.hit.product_id}, {"domain", h.hit.domain}, {"status", h.hit.status},
                        {"description", h.description}, {"tier", h.tier}, {"quality", h.quality}, {"owners", h.owners},
                        {"lastSnapshot", h.last_snapshot}, {"snippet", h.hit.snippet}});
    text += fmt::format("- {} ({}, quality {}, {}): {}\n", h.hit.product_id, h.hit.status, h.quality,
                        h.last_snapshot.empty() ? "never published" : "last published " + h.last_snapshot,
                        h.description.empty() ? h.hit.snippet : h.description);
  }
  if (text.empty()) text = "No product matches. Try fewer words, or no query to list every product.\n";
  else text += "\ndescribe_product gives a product's schema, SLAs and what you may read of it.\n";
  audit.detail += fmt::format(": {} hit(s)", view.hits.size());
  return ToolOutput{text, {{"products", products}, {"facets", view.facets}}};
}

Result<ToolOutput> DescribeProduct(service::Mesh& mesh, const service::Caller& caller, const json& args, ToolAudit& audit) {
  RETURN_IF_ERROR(OnlyArguments(args, {"product"}));
  ASSIGN_OR_RETURN(std::string id, StringArgument(args, "product", true));
  audit.object = "product:" + id;
  ASSIGN_OR_RETURN(ProductDoc doc, LoadProductDoc(mesh, caller, id));
  // The product page as GET /api/v1/products/{id} renders it, with its
  // freshness now and the lineage summary.
  json page = service::ToJson(doc.page);
  page["freshness"] = service::FreshnessJson(doc.page.freshness, caller.now);
  page["lineage"] = {{"upstream", doc.upstream}, {"downstream", doc.downstream}};
  audit.detail = "viewer " + doc.page.viewer.state;
  return ToolOutput{ProductMarkdown(doc, caller.now), std::move(page)};
}

Result<ToolOutput> RequestAccess(service::Mesh& mesh, const service::Caller& caller, const json& args, ToolAudit& audit) {
  RETURN_IF_ERROR(OnlyArguments(args, {"product", "purpose", "columns", "until"}));
  access::RequestArgs request;
  ASSIGN_OR_RETURN(request.product, StringArgument(args, "product", true));
  audit.object = "product:" + request.product;
  ASSIGN_OR_RETURN(request.purpose, StringArgument(args, "purpose", true));
  ASSIGN_OR_RETURN(request.columns, StringsArgument(args, "columns"));
  ASSIGN_OR_RETURN(request.until, StringArgument(args, "until"));
  ASSIGN_OR_RETURN(service::RequestView r, service::AccessService(mesh).Request(caller, request));
  audit.detail = fmt::format("request {}", r.id);
  json out = service::ToJson(r);
  out["product"] = request.product;
  out["status"] = "pending";
  return ToolOutput{fmt::format("Access request {} for {} is pending. It is decided by {}. Once approved, the query tool "
                                "reads the product with the grant's masks and row filter.",
                                r.id, request.product, r.approvers.empty() ? "the product's owners" : Join(r.approvers, ", ")),
                    std::move(out)};
}

Result<ToolOutput> Query(service::Mesh& mesh, const service::Caller& caller, const json& args, ToolAudit& audit) {
  RETURN_IF_ERROR(OnlyArguments(args, {"sql", "max_rows"}));
  ASSIGN_OR_RETURN(std::string sql, StringArgument(args, "sql", true));
  ASSIGN_OR_RETURN(int max_rows, IntegerArgument(args, "max_rows", kDefaultRows, 1, kMaxRows));
  audit.object = "mcp:query";
  audit.detail = "sql sha256 " + Sha256Hex(sql).substr(0, 16);
  // The rows beyond max_rows are read and dropped, not stopped: a query
  // stopped early would be recorded as failed and go unpriced. The time
  // limit bounds it as any query.
  std::vector<std::string> columns;
  std::vector<Row> kept;
  query::QueryRequest request;
  request.sql = sql;
  request.on_rows = [&](const std::vector<std::string>& names, const std::vector<Row>& rows) {
    if (columns.empty()) columns = names;
    for (const auto& r : rows)
      if (kept.size() < static_cast<size_t>(max_rows)) kept.push_back(r);
    return Status::Ok();
  };
  ASSIGN_OR_RETURN(query::QueryAnswer answer, service::QueryService(mesh).Run(caller, request));
  if (columns.empty()) columns = answer.columns;
  std::vector<std::string> read;
  for (const auto& r : answer.relations) read.push_back(r.address);
  if (!answer.relations.empty()) audit.object = "product:" + answer.relations.front().product_id;
  const int64_t total = answer.usage.rows_returned;
  const bool truncated = total > static_cast<int64_t>(kept.size());
  audit.detail += fmt::format(", read {}, {} row(s)", Join(read, " "), total);
  json rows = json::array();
  for (const auto& r : kept) rows.push_back(service::RowJson(r));
  json out = {{"columns", columns},
              {"rows", rows},
              {"rowCount", total},
              {"truncated", truncated},
              {"warnings", answer.warnings},
              {"usage",
               {{"cpuSeconds", answer.usage.cpu_seconds}, {"bytesScanned", answer.usage.bytes_scanned},
                {"rowsScanned", answer.usage.rows_scanned}, {"cost", answer.usage.cost},
                {"currency", mesh.workspace().settings.Currency()}}}};
  std::string text = MarkdownTable(columns, kept);
  text += truncated ? fmt::format("\n{} rows; the first {} are shown (max_rows). Aggregate or add a LIMIT for less.\n", total, kept.size())
                    : fmt::format("\n{} row(s).\n", total);
  for (const auto& w : answer.warnings) text += "warning: " + w + "\n";
  return ToolOutput{std::move(text), std::move(out)};
}

// Why the caller (or, for those who may see a product's grantees, another
// principal) may or may not read a product, which masks and row filters
// apply, and which global policies govern it.
Result<ToolOutput> ExplainPolicy(service::Mesh& mesh, const service::Caller& caller, const json& args, ToolAudit& audit) {
  RETURN_IF_ERROR(OnlyArguments(args, {"product", "principal"}));
  ASSIGN_OR_RETURN(std::string id, StringArgument(args, "product", true));
  ASSIGN_OR_RETURN(std::string principal, StringArgument(args, "principal"));
  audit.object = "product:" + id;
  service::CatalogService catalog(mesh);
  RETURN_IF_ERROR(catalog.CheckProduct(id));
  service::Caller subject = caller;
  if (!principal.empty() && principal != caller.principal.name) {
    // Who reads a product, and how, is for those who may see its grantees.
    RETURN_IF_ERROR(service::Authorizer::Check(caller.principal, service::Action::kSeeGrantees, service::Resource::Product(id)));
    ASSIGN_OR_RETURN(subject, mesh.CallerFor(principal));
    subject.now = caller.now;
    audit.detail = "for " + principal + ", ";
  }
  ASSIGN_OR_RETURN(service::ProductPage page, catalog.Page(subject, id));
  ASSIGN_OR_RETURN(std::vector<spec::PolicySpec> policies, catalog.Policies(caller));
  ASSIGN_OR_RETURN(service::ViolationsView violations, service::ControlService(mesh).Violations(caller));
  const auto& viewer = page.viewer;
  const auto& masking = mesh.workspace().settings.masking;
  const std::string who = subject.principal.name;

  std::string text = fmt::format("{} on {}: {}.\n", who, id, AccessSummary(page));
  json grants = json::array();
  for (const auto& g : page.consumers) {
    if (!g.revoked_at.empty()) continue;
    grants.push_back({{"id", g.id}, {"grantee", g.grantee}, {"major", g.major}, {"columns", g.columns},
                      {"clearances", g.clearances}, {"rowFilter", g.row_filter}, {"purpose", g.purpose},
                      {"expiresAt", g.expires_at}});
    text += fmt::format("- grant {} to {} (v{}, purpose \"{}\"): {}, {}{}{}\n", g.id, g.grantee, g.major, g.purpose,
                        g.columns.empty() ? "every column" : "columns " + Join(g.columns, ", "),
                        g.row_filter.empty() ? "every row" : "rows where " + g.row_filter,
                        g.clearances.empty() ? "" : ", cleared for " + Join(g.clearances, ", "),
                        g.expires_at.empty() ? "" : ", until " + g.expires_at);
  }
  json columns = json::array();
  if (const auto* v = Newest(page)) {
    text += fmt::format("Columns of {}_v{}:\n", id, v->port.major);
    for (const auto& c : v->columns) {
      const std::string how = ColumnAccess(page, c.name);
      std::string why;
      if (viewer.state == "owner") why = "the producing team reads its product whole";
      else if (how == "hidden") why = viewer.can_read ? "no grant in force names it" : "no read access";
      else if (how != "clear") why = c.mask.is_null() ? "the workspace masks classification " + c.classification
                                                     : "the column's weft.mask";
      else if (masking.count(c.classification)) why = "a grant's clearance for " + c.classification + " lifts its mask";
      columns.push_back({{"name", c.name}, {"classification", c.classification}, {"access", how}, {"why", why}});
      text += fmt::format("- {}: {}{}\n", c.name, how, why.empty() ? "" : " (" + why + ")");
    }
  }
  const bool filtered = viewer.row_filter.value_or(false);
  text += filtered ? "Rows: filtered — only rows the contract's weft.rowFilter and the grants' filters allow.\n"
                   : (viewer.can_read ? "Rows: every row.\n" : "");
  json governing = json::array();
  for (const auto& p : policies) governing.push_back({{"id", p.id}, {"title", p.title}, {"severity", p.severity}});
  json found = json::array();
  for (const auto& pv : violations.evaluation.violations) {
    const bool about = pv.subject == id || StartsWith(pv.subject, id + ":") || StartsWith(pv.subject, id + "/");
    if (!about) continue;
    found.push_back({{"policy", pv.policy_id}, {"severity", pv.severity}, {"subject", pv.subject},
                     {"message", pv.message}, {"waived", pv.waived}});
  }
  text += fmt::format("Global policies in force: {}{}. Violations on this product: {}.\n", policies.size(),
                      policies.empty() ? "" : " (" + Join([&] {
                        std::vector<std::string> ids;
                        for (const auto& p : policies) ids.push_back(p.id);
                        return ids;
                      }(), ", ") + ")",
                      found.empty() ? std::string("none") : std::to_string(found.size()));
  for (const auto& f : found)
    text += fmt::format("- {} {} {}: {}{}\n", f["severity"].get<std::string>(), f["policy"].get<std::string>(),
                        f["subject"].get<std::string>(), f["message"].get<std::string>(), f["waived"].get<bool>() ? " (waived)" : "");
  json out = {{"product", id},
              {"principal", who},
              {"state", viewer.state},
              {"canRead", viewer.can_read},
              {"reason", viewer.reason},
              {"grants", grants},
              {"columns", columns},
              {"rowFilter", filtered},
              {"policies", governing},
              {"violations", found}};
  audit.detail += "state " + viewer.state;
  return ToolOutput{std::move(text), std::move(out)};
}

struct Tool {
  const char* name;
  const char* title;
  const char* description;
  json input;
  json output;
  bool read_only;
  Result<ToolOutput> (*run)(service::Mesh&, const service::Caller&, const json&, ToolAudit&);
};

const std::vector<Tool>& Tools() {
  static const std::vector<Tool> kTools = {
      {"search_products", "Search data products",
       "Search the data mesh's catalog of data products by words (names, descriptions, columns, glossary terms) and "
       "facets. Returns product ids (domain.product) with status, quality and freshness.",
       json::parse(R"js({"type": "object", "additionalProperties": false, "properties": {
          "query": {"type": "string", "description": "Words to search for; empty lists every product"},
          "domain": {"type": "string", "description": "Only products of this domain"},
          "tag": {"type": "string", "description": "Only products with this tag"},
          "classification": {"type": "string", "description": "Only products with a column of this classification (e.g. pii)"},
          "status": {"type": "string", "description": "Only products with this status (e.g. active)"},
          "quality": {"type": "string", "enum": ["passing", "warnings", "failing", "none"]},
          "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10}}})js"),
       json::parse(R"js({"type": "object", "required": ["products"], "properties": {
          "products": {"type": "array", "items": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}},
          "facets": {"type": "object"}}})js"),
       true, SearchProducts},
      {"describe_product", "Describe a data product",
       "A data product's documentation: description, owners, schema with classifications, SLAs, quality, freshness, "
       "lineage, and what you may read of it (columns in clear, masked or hidden; whether a row filter applies).",
       json::parse(R"js({"type": "object", "additionalProperties": false, "required": ["product"], "properties": {
          "product": {"type": "string", "description": "The product id, domain.product (e.g. sales.orders)"}}})js"),
       json::parse(R"js({"type": "object", "required": ["id", "viewer"], "properties": {
          "id": {"type": "string"}, "viewer": {"type": "object"}, "versions": {"type": "array"}, "lineage": {"type": "object"}}})js"),
       true, DescribeProduct},
      {"request_access", "Request access to a data product",
       "Ask a data product's owners for read access, with the purpose they decide on. Creates a pending access request; "
       "nothing is readable until an owner approves it.",
       json::parse(R"js({"type": "object", "additionalProperties": false, "required": ["product", "purpose"], "properties": {
          "product": {"type": "string", "description": "The product id, domain.product (or domain.product@vN for a major)"},
          "purpose": {"type": "string", "description": "Why you need it: the owners decide on this"},
          "columns": {"type": "array", "items": {"type": "string"}, "description": "Only these columns (default: all)"},
          "until": {"type": "string", "description": "The grant's end, YYYY-MM-DD (default: none)"}}})js"),
       json::parse(R"js({"type": "object", "required": ["id", "product", "status"], "properties": {
          "id": {"type": "integer"}, "product": {"type": "string"}, "status": {"type": "string"},
          "approvers": {"type": "array", "items": {"type": "string"}}}})js"),
       false, RequestAccess},
      {"query", "Run a governed SQL query",
       "Run one SQL SELECT over data products, named domain.product (the newest major) or domain.product_vN. The "
       "query is governed: only products you may read, with their masks (e.g. hashed e-mails) and row filters applied; "
       "it has a time limit and is metered against your domain's budget. Returns at most max_rows rows.",
       json::parse(R"js({"type": "object", "additionalProperties": false, "required": ["sql"], "properties": {
          "sql": {"type": "string", "description": "One SELECT (DuckDB SQL) over domain.product names"},
          "max_rows": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100,
                       "description": "Rows returned at most; the answer says when there were more"}}})js"),
       json::parse(R"js({"type": "object", "required": ["columns", "rows", "rowCount", "truncated"], "properties": {
          "columns": {"type": "array", "items": {"type": "string"}},
          "rows": {"type": "array", "items": {"type": "array", "items": {"type": ["string", "null"]}}},
          "rowCount": {"type": "integer"}, "truncated": {"type": "boolean"},
          "warnings": {"type": "array", "items": {"type": "string"}}, "usage": {"type": "object"}}})js"),
       true, Query},
      {"explain_policy", "Explain access to a data product",
       "Why you may or may not read a data product: the grants in force, each column's access (clear, masked, hidden) and "
       "why, whether a row filter applies, and the global governance policies with this product's violations. Owners, "
       "stewards and admins may ask about another principal.",
       json::parse(R"js({"type": "object", "additionalProperties": false, "required": ["product"], "properties": {
          "product": {"type": "string", "description": "The product id, domain.product"},
          "principal": {"type": "string", "description": "Another principal to explain for (owners, stewards, admins)"}}})js"),
       json::parse(R"js({"type": "object", "required": ["product", "principal", "state", "canRead", "columns"], "properties": {
          "product": {"type": "string"}, "principal": {"type": "string"}, "state": {"type": "string"},
          "canRead": {"type": "boolean"}, "grants": {"type": "array"}, "columns": {"type": "array"},
          "rowFilter": {"type": "boolean"}, "policies": {"type": "array"}, "violations": {"type": "array"}}})js"),
       true, ExplainPolicy},
  };
  return kTools;
}

json ToolList(const std::string& revision) {
  json tools = json::array();
  for (const auto& t : Tools()) {
    json tool = {{"name", t.name},
                 {"description", t.description},
                 {"inputSchema", t.input},
                 {"annotations",
                  {{"title", t.title},
                   {"readOnlyHint", t.read_only},
                   {"destructiveHint", false},
                   {"idempotentHint", t.read_only},
                   {"openWorldHint", false}}}};
    if (AtLeast(revision, "2025-06-18")) {
      tool["title"] = t.title;
      tool["outputSchema"] = t.output;
    }
    tools.push_back(std::move(tool));
  }
  return {{"tools", tools}};
}

constexpr const char* kInstructions =
    "Weft is a data mesh: domains publish data products (domain.product) with contracts, and every read is governed. "
    "Find products with search_products, read one's schema and your access with describe_product (or the "
    "weft://products/{product} resources), and answer questions with query (one SQL SELECT over domain.product names; "
    "masks such as hashed e-mails and row filters are applied for you, so a masked value is not an error). When a "
    "query is refused, explain_policy says why and request_access asks the owners, with a purpose.";

// The HTTP-level refusals are problems, as on every other route.
void ReplyProblem(const httplib::Request& req, httplib::Response& res, const Problem& p) {
  res.status = p.status;
  res.set_content(p.ToJson(req.path).dump(), "application/problem+json");
}

void ReplyJson(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

std::string MediaType(const std::string& header) {
  const std::string head = header.substr(0, header.find(';'));
  std::string type(Trim(head));
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return type;
}

bool AcceptsJson(const std::string& accept) {
  if (accept.empty()) return true;
  for (const auto& part : Split(accept, ',')) {
    const std::string type = MediaType(part);
    if (type == "application/json" || type == "application/*" || type == "*/*") return true;
  }
  return false;
}

// An invalid envelope's error, or null for a well-formed message.
json EnvelopeError(const json& m) {
  if (!m.is_object()) return RpcError(nullptr, kInvalidRequest, "a JSON-RPC message must be an object");
  auto id = m.find("id");
  const bool good_id = id != m.end() && (id->is_string() || id->is_number_integer());
  if (id != m.end() && !good_id) return RpcError(nullptr, kInvalidRequest, "\"id\" must be a string or an integer");
  const json reply_id = good_id ? *id : json();
  if (m.value("jsonrpc", json()) != "2.0") return RpcError(reply_id, kInvalidRequest, "\"jsonrpc\" must be \"2.0\"");
  auto method = m.find("method");
  if (method == m.end()) {
    if (good_id && (m.contains("result") || m.contains("error"))) return nullptr;  // a response
    return RpcError(reply_id, kInvalidRequest, "a message needs a \"method\", or a \"result\" or \"error\" to a request");
  }
  if (!method->is_string()) return RpcError(reply_id, kInvalidRequest, "\"method\" must be a string");
  if (auto params = m.find("params"); params != m.end() && !params->is_object())
    return RpcError(reply_id, kInvalidParams, "\"params\" must be an object");
  return nullptr;
}

bool IsInitialize(const json& m) { return m.is_object() && m.value("method", json()) == "initialize"; }

}  // namespace

Status McpServer::Audit(const service::Caller& caller, const std::string& token_id, const std::string& action,
                        const std::string& object, const std::string& detail) {
  ASSIGN_OR_RETURN(auto txn, mesh_.store().BeginWrite());
  RETURN_IF_ERROR(txn->AppendAudit({.time = caller.now, .actor = caller.principal.name, .action = action, .object = object,
                                    .detail = Clip(detail, 400) + " (token " + token_id + ")"}));
  return txn->Commit();
}

std::string McpServer::OpenSession(const std::string& principal, const std::string& revision) {
  const auto now = std::chrono::steady_clock::now();
  const std::string id = RandomHex(16);
  std::lock_guard lock(mu_);
  std::erase_if(sessions_, [&](const auto& s) { return now - s.second.last_used > kSessionIdle; });
  std::vector<std::map<std::string, Session>::iterator> own;
  for (auto it = sessions_.begin(); it != sessions_.end(); ++it)
    if (it->second.principal == principal) own.push_back(it);
  if (own.size() >= kSessionsPerPrincipal)
    sessions_.erase(*std::min_element(own.begin(), own.end(), [](auto a, auto b) { return a->second.last_used < b->second.last_used; }));
  sessions_[id] = {principal, revision, now};
  return id;
}

std::optional<std::string> McpServer::SessionRevision(const std::string& id, const std::string& principal, bool end) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  auto it = sessions_.find(id);
  // Another principal's session reads as unknown: ids stay private.
  if (it == sessions_.end() || it->second.principal != principal || now - it->second.last_used > kSessionIdle) return std::nullopt;
  std::string revision = it->second.revision;
  if (end) sessions_.erase(it);
  else it->second.last_used = now;
  return revision;
}

std::optional<Problem> McpServer::CheckOrigin(const httplib::Request& req, const std::string& host, int port) {
  if (!req.has_header("Origin")) return std::nullopt;
  const std::string origin = req.get_header_value("Origin");
  static const std::regex kOrigin("https?://(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?");
  std::smatch m;
  if (std::regex_match(origin, m, kOrigin)) {
    std::string name = m[1].str();
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const std::string authority = name + m[2].str();
    if (authority == host + ":" + std::to_string(port)) return std::nullopt;
    // A rebinding attack needs a DNS name the attacker controls: an IP
    // literal or localhost in the Origin is where the browser really was,
    // and it must be where the request went (the Host header).
    static const std::regex kLiteral("localhost|\\[[0-9a-f:.]+\\]|[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    std::string to = req.get_header_value("Host");
    std::transform(to.begin(), to.end(), to.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (std::regex_match(name, kLiteral) && authority == to) return std::nullopt;
  }
  return MakeProblem(403, "forbidden",
                     "Origin '" + Clip(origin, 100) + "' is not this server's: /mcp answers browsers only from its own origin "
                     "(DNS-rebinding protection); agents that are not browsers send no Origin");
}

json McpServer::Initialize(const service::Caller& caller, const std::string& token_id, const json& message,
                           std::string& revision) {
  if (json bad = EnvelopeError(message); !bad.is_null()) return bad;
  if (!message.contains("id")) return RpcError(nullptr, kInvalidRequest, "initialize is a request: it needs an \"id\"");
  const json& id = message["id"];
  const json params = message.value("params", json::object());
  auto requested = params.find("protocolVersion");
  if (requested == params.end() || !requested->is_string())
    return RpcError(id, kInvalidParams, "initialize needs \"protocolVersion\" (a string)");
  revision = Supported(requested->get<std::string>()) ? requested->get<std::string>() : std::string(kMcpRevisions[0]);
  const json client = params.value("clientInfo", json::object());
  const std::string client_name = client.is_object() ? client.value("name", json("?")).dump() : "?";
  const std::string client_version = client.is_object() ? client.value("version", json("?")).dump() : "?";
  if (Status s = Audit(caller, token_id, "mcp.initialize", "mcp:session",
                       fmt::format("client {} {}, revision {}", Clip(client_name, 80), Clip(client_version, 40), revision));
      !s.ok())
    return RpcError(id, kInternalError, "the session could not be audited: " + s.message());
  json server = {{"name", "weft"}, {"version", version_}};
  if (AtLeast(revision, "2025-06-18")) server["title"] = "Weft data mesh";
  return RpcResult(id, {{"protocolVersion", revision},
                        {"capabilities", {{"tools", {{"listChanged", false}}},
                                          {"resources", {{"listChanged", false}, {"subscribe", false}}}}},
                        {"serverInfo", server},
                        {"instructions", kInstructions}});
}

json McpServer::CallTool(const service::Caller& caller, const std::string& token_id, const std::string& revision,
                         const json& id, const json& params) {
  auto name = params.find("name");
  if (name == params.end() || !name->is_string()) return RpcError(id, kInvalidParams, "tools/call needs \"name\" (a string)");
  const auto& tools = Tools();
  auto tool = std::find_if(tools.begin(), tools.end(), [&](const Tool& t) { return *name == t.name; });
  if (tool == tools.end())
    return RpcError(id, kInvalidParams, "no tool \"" + Clip(name->get<std::string>(), 64) + "\" (tools/list names them)");
  const json args = params.value("arguments", json::object());
  if (!args.is_object()) return RpcError(id, kInvalidParams, "\"arguments\" must be an object");
  ToolAudit audit{.object = "mcp:" + std::string(tool->name), .detail = {}};
  // Bad arguments are the tool's errors, not the protocol's: the model
  // reads them and can correct its call (the spec's advice).
  Result<ToolOutput> out = tool->run(mesh_, caller, args, audit);
  json result;
  if (out.ok()) {
    result = {{"content", json::array({{{"type", "text"}, {"text", out->text}}})}, {"isError", false}};
    if (AtLeast(revision, "2025-06-18")) result["structuredContent"] = std::move(out->structured);
  } else {
    const std::string text = RefusalText(tool->name, out.status());
    result = {{"content", json::array({{{"type", "text"}, {"text", text}}})}, {"isError", true}};
    audit.detail += (audit.detail.empty() ? "" : ", ") + std::string("refused: ") + service::ProblemSlugOf(out.status().code());
  }
  if (Status s = Audit(caller, token_id, "mcp.tools/call", audit.object, std::string(tool->name) + ": " + audit.detail); !s.ok())
    return RpcError(id, kInternalError, "the call could not be audited: " + s.message());
  return RpcResult(id, std::move(result));
}

json McpServer::ListResources(const service::Caller& caller, const std::string& revision, const json& id) {
  auto list = service::CatalogService(mesh_).Products(caller);
  if (!list.ok()) return RpcError(id, kInternalError, list.status().message());
  json resources = json::array();
  for (const auto& p : list->products) {
    json r = {{"uri", kProductUri + p.id},
              {"name", p.id},
              {"description", Clip(p.description, 300)},
              {"mimeType", "text/markdown"}};
    if (AtLeast(revision, "2025-06-18")) r["title"] = p.id + " (" + p.domain + ")";
    resources.push_back(std::move(r));
  }
  return RpcResult(id, {{"resources", resources}});
}

json McpServer::ReadResource(const service::Caller& caller, const std::string& token_id, const json& id,
                             const json& params) {
  auto uri = params.find("uri");
  if (uri == params.end() || !uri->is_string()) return RpcError(id, kInvalidParams, "resources/read needs \"uri\" (a string)");
  const std::string text = uri->get<std::string>();
  if (!StartsWith(text, kProductUri))
    return RpcError(id, kResourceNotFound, "weft's resources are " + std::string(kProductUri) + "{domain.product}",
                    {{"uri", Clip(text, 200)}});
  const std::string product = text.substr(std::string_view(kProductUri).size());
  auto doc = LoadProductDoc(mesh_, caller, product);
  if (Status s = Audit(caller, token_id, "mcp.resources/read", "product:" + product,
                       doc.ok() ? "read" : std::string("refused: ") + service::ProblemSlugOf(doc.status().code()));
      !s.ok())
    return RpcError(id, kInternalError, "the read could not be audited: " + s.message());
  if (!doc.ok()) {
    const int code = doc.status().code() == StatusCode::kNotFound ? kResourceNotFound : kInternalError;
    return RpcError(id, code, RefusalText("resources/read", doc.status()), {{"uri", Clip(text, 200)}});
  }
  return RpcResult(id, {{"contents", json::array({{{"uri", text}, {"mimeType", "text/markdown"},
                                                    {"text", ProductMarkdown(*doc, caller.now)}}})}});
}

json McpServer::Dispatch(const service::Caller& caller, const std::string& token_id, const std::string& revision,
                         const json& message) {
  if (json bad = EnvelopeError(message); !bad.is_null()) return bad;
  // Notifications (initialized, cancelled) need no answer, and this server
  // sends no requests, so a response needs nothing either.
  if (!message.contains("id") || !message.contains("method")) return nullptr;
  const json& id = message["id"];
  const std::string method = message["method"].get<std::string>();
  const json params = message.value("params", json::object());
  if (method == "initialize") return RpcError(id, kInvalidRequest, "initialize must be alone in its request, without a session");
  if (method == "ping") return RpcResult(id, json::object());
  if (method == "tools/list") return RpcResult(id, ToolList(revision));
  if (method == "tools/call") return CallTool(caller, token_id, revision, id, params);
  if (method == "resources/list") return ListResources(caller, revision, id);
  if (method == "resources/templates/list")
    return RpcResult(id, {{"resourceTemplates",
                           json::array({{{"uriTemplate", std::string(kProductUri) + "{product}"},
                                         {"name", "product"},
                                         {"description", "A data product's documentation by id (domain.product): schema, "
                                                         "SLAs, quality, lineage, your access and how to request it"},
                                         {"mimeType", "text/markdown"}}})}});
  if (method == "resources/read") return ReadResource(caller, token_id, id, params);
  return RpcError(id, kMethodNotFound, "weft's MCP server has no method \"" + Clip(method, 64) + "\"");
}

void McpServer::Handle(const service::Caller& caller, const std::string& token_id, const httplib::Request& req,
                       httplib::Response& res) {
  const std::string session = req.get_header_value("Mcp-Session-Id");
  const std::string& principal = caller.principal.name;
  if (req.method == "DELETE") {
    if (session.empty() || !SessionRevision(session, principal, /*end=*/true))
      return ReplyProblem(req, res, MakeProblem(404, "not-found", "no MCP session '" + Clip(session, 64) + "' of yours"));
    res.status = 204;
    return;
  }
  if (MediaType(req.get_header_value("Content-Type")) != "application/json")
    return ReplyProblem(req, res, MakeProblem(415, "unsupported-media-type", "POST /mcp takes a JSON-RPC message as application/json"));
  if (!AcceptsJson(req.get_header_value("Accept")))
    return ReplyProblem(req, res, MakeProblem(406, "not-acceptable", "/mcp answers with application/json: the Accept header must allow it"));
  const json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return ReplyJson(res, 400, RpcError(nullptr, kParseError, "Parse error: the body is not JSON"));
  if (IsInitialize(body)) {
    std::string revision;
    json reply = Initialize(caller, token_id, body, revision);
    if (reply.contains("error")) return ReplyJson(res, 400, reply);
    res.set_header("Mcp-Session-Id", OpenSession(principal, revision));
    return ReplyJson(res, 200, reply);
  }
  if (session.empty())
    return ReplyProblem(req, res, MakeProblem(400, "invalid-argument", "this request needs the Mcp-Session-Id header that initialize returned"));
  std::optional<std::string> revision = SessionRevision(session, principal, /*end=*/false);
  if (!revision)
    return ReplyProblem(req, res, MakeProblem(404, "not-found", "no MCP session '" + Clip(session, 64) + "' of yours (ended or expired): initialize again"));
  if (req.has_header("MCP-Protocol-Version") && req.get_header_value("MCP-Protocol-Version") != *revision)
    return ReplyProblem(req, res, MakeProblem(400, "invalid-argument",
                                              "MCP-Protocol-Version '" + Clip(req.get_header_value("MCP-Protocol-Version"), 32) +
                                                  "' is not this session's revision (" + *revision + ")"));
  if (!body.is_array()) {
    json reply = Dispatch(caller, token_id, *revision, body);
    if (reply.is_null()) {
      res.status = 202;
      return;
    }
    const int code = reply.contains("error") ? reply["error"]["code"].get<int>() : 0;
    return ReplyJson(res, code == kInvalidRequest ? 400 : 200, reply);
  }
  // Batches were part of 2025-03-26 only.
  if (*revision != "2025-03-26")
    return ReplyJson(res, 400, RpcError(nullptr, kInvalidRequest, "JSON-RPC batches are not part of MCP " + *revision));
  if (body.empty()) return ReplyJson(res, 400, RpcError(nullptr, kInvalidRequest, "an empty batch"));
  json replies = json::array();
  for (const auto& message : body)
    if (json reply = Dispatch(caller, token_id, *revision, message); !reply.is_null()) replies.push_back(std::move(reply));
  if (replies.empty()) {
    res.status = 202;
    return;
  }
  ReplyJson(res, 200, replies);
}

}  // namespace weft::server
