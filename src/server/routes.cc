#include "server/routes.h"

#include "service/schemas.h"

#include <algorithm>
#include <cctype>

namespace weft::server {

using nlohmann::json;

const char* RoleName(Role role) {
  switch (role) {
    case Role::kPublic: return "public";
    case Role::kConsumer: return "consumer";
    case Role::kOwner: return "owner";
    case Role::kSteward: return "steward";
    case Role::kAdmin: return "admin";
  }
  return "?";
}

std::string PathRegex(const std::string& path_template) {
  std::string out;
  for (size_t i = 0; i < path_template.size(); ++i) {
    char c = path_template[i];
    if (c == '{') {
      i = path_template.find('}', i);
      out += "([^/]+)";
      continue;
    }
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-') out += c;
    else out += std::string("\\") + c;
  }
  return out;
}

std::vector<std::string> PathParams(const std::string& path_template) {
  std::vector<std::string> out;
  for (size_t i = path_template.find('{'); i != std::string::npos; i = path_template.find('{', i + 1))
    out.push_back(path_template.substr(i + 1, path_template.find('}', i) - i - 1));
  return out;
}

namespace {

json ProblemResponse(const std::string& description) {
  return {{"description", description},
          {"content", {{"application/problem+json", {{"schema", {{"$ref", "#/components/schemas/Problem"}}}}}}}};
}

json Operation(const Route& r) {
  json op = {{"summary", r.summary},
             {"operationId", r.method + r.path},
             {"tags", json::array({r.tag})},
             {"x-weft-role", RoleName(r.role)},
             {"parameters", json::array()},
             {"responses", json::object()}};
  std::transform(op["operationId"].get_ref<std::string&>().begin(), op["operationId"].get_ref<std::string&>().end(),
                 op["operationId"].get_ref<std::string&>().begin(),
                 [](char c) { return std::isalnum(static_cast<unsigned char>(c)) ? c : '_'; });
  for (const auto& name : PathParams(r.path))
    op["parameters"].push_back({{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
  for (const auto& q : r.query)
    op["parameters"].push_back({{"name", q.name},
                                {"in", "query"},
                                {"required", q.required},
                                {"description", q.description},
                                {"schema", {{"type", q.type}}}});
  if (!r.body.empty()) {
    json schema = r.body == "application/json" ? json{{"type", "object"}} : json{{"type", "string"}, {"format", "binary"}};
    op["requestBody"] = {{"required", true}, {"content", {{r.body, {{"schema", schema}}}}}};
  }
  json body = r.view.empty() ? json::object() : json{{"schema", {{"$ref", "#/components/schemas/" + r.view}}}};
  op["responses"]["200"] = {{"description", "Success"}, {"content", {{r.response, body}}}};
  if (r.role == Role::kPublic) {
    op["security"] = json::array();
  } else {
    op["responses"]["401"] = ProblemResponse("No token, or an unknown, expired or revoked one");
    op["responses"]["403"] = ProblemResponse(std::string("The caller's role is not enough (needs: ") + RoleName(r.role) + ")");
    op["responses"]["429"] = ProblemResponse("Over the per-token rate limit; see Retry-After");
  }
  op["responses"]["400"] = ProblemResponse("Malformed or invalid input");
  op["responses"]["404"] = ProblemResponse("No such object");
  return op;
}

}  // namespace

json OpenApiDocument(const std::vector<Route>& routes, const std::string& version) {
  json doc = {
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "weft API"},
        {"version", version},
        {"description",
         "The REST API of a weft workspace: catalog, publishing, governed queries, access, lineage, cost and "
         "governance. Authenticate with `Authorization: Bearer <token>` (weft token create). Errors are RFC 9457 "
         "problem details."}}},
      {"servers", json::array({{{"url", "/"}}})},
      {"security", json::array({{{"bearer", json::array()}}})},
      {"paths", json::object()},
      {"components",
       {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}},
        {"schemas",
         {{"Problem",
           {{"type", "object"},
            {"required", json::array({"type", "title", "status"})},
            {"properties",
             {{"type", {{"type", "string"}}},
              {"title", {{"type", "string"}}},
              {"status", {{"type", "integer"}}},
              {"detail", {{"type", "string"}}},
              {"instance", {{"type", "string"}}}}}}}}}}}};
  const json views = service::ViewSchemas();  // items() of a temporary would dangle
  for (const auto& [name, schema] : views.items()) doc["components"]["schemas"][name] = schema;
  for (const auto& r : routes) {
    // The Iceberg REST catalog's routes are Apache Iceberg's OpenAPI
    // document's, not weft's (docs/lakehouse.md).
    if (r.path.rfind("/iceberg/", 0) == 0) continue;
    // /mcp speaks JSON-RPC, which the MCP specification documents (docs/mcp.md).
    if (r.path == "/mcp") continue;
    std::string method = r.method;
    std::transform(method.begin(), method.end(), method.begin(), [](char c) { return static_cast<char>(std::tolower(c)); });
    doc["paths"][r.path][method] = Operation(r);
  }
  return doc;
}

}  // namespace weft::server
