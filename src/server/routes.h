// The API's route table: one entry per method and path, which both the
// router and /api/openapi.json are made from, so the document cannot list
// a route the server lacks or miss one it has.
// Thread safety: values; the table is built once and then only read.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <regex>
#include <string>
#include <vector>

namespace weft::server {

// Who may call a route. Every /api/v1 route needs a valid token
// (kConsumer and up); the others are checked on top of it.
enum class Role {
  kPublic,    // no token: health, metrics, the OpenAPI document, the UI
  kConsumer,  // any principal with a valid token
  kOwner,     // an owner of the product in the path (or of some domain, for routes without one); admins
  kSteward,   // platform stewards and admins
  kAdmin,     // platform admins
};

const char* RoleName(Role role);

struct Param {
  std::string name;
  std::string description;
  bool required = false;
  std::string type = "string";  // string | integer | boolean
};

struct Route {
  std::string method;  // GET, POST, DELETE
  std::string path;    // OpenAPI template: /api/v1/products/{id}
  Role role = Role::kConsumer;
  std::string summary;
  std::vector<Param> query;
  std::string body;      // "" none; else the request body's media type (application/json, application/octet-stream)
  std::string response;  // the success media type (application/json, application/x-ndjson, text/plain, text/html)
  std::string tag;
  // The success body's schema: a view of service/schemas.h ("" none).
  std::string view;
};

// The route's path as a regex with one capture per {parameter}; a
// parameter matches one path segment.
std::string PathRegex(const std::string& path_template);

// The names of the {parameters} of a path template, in order.
std::vector<std::string> PathParams(const std::string& path_template);

// The OpenAPI 3.1 document of `routes`.
nlohmann::json OpenApiDocument(const std::vector<Route>& routes, const std::string& version);

}  // namespace weft::server
