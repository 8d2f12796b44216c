#include "server/problem.h"

#include "service/outcome.h"

namespace weft::server {

namespace {

const char* TitleOf(int status) {
  switch (status) {
    case 400: return "Bad request";
    case 401: return "Not authenticated";
    case 403: return "Forbidden";
    case 404: return "Not found";
    case 405: return "Method not allowed";
    case 409: return "Conflict";
    case 413: return "Request body too large";
    case 415: return "Unsupported media type";
    case 422: return "Unprocessable content";
    case 429: return "Too many requests";
    case 503: return "Service unavailable";
    case 504: return "Timed out";
    default: return status >= 500 ? "Internal error" : "Error";
  }
}

}  // namespace

nlohmann::json Problem::ToJson(const std::string& instance) const {
  nlohmann::json j = extensions.is_object() ? extensions : nlohmann::json::object();
  j["type"] = type;
  j["title"] = title;
  j["status"] = status;
  j["detail"] = detail;
  if (!instance.empty()) j["instance"] = instance;
  return j;
}

Problem MakeProblem(int status, const std::string& slug, const std::string& detail) {
  return {.status = status, .type = "https://weft.dev/problems/" + slug, .title = TitleOf(status), .detail = detail};
}

Problem ProblemFromStatus(const Status& status) {
  return MakeProblem(service::HttpStatusOf(status.code()), service::ProblemSlugOf(status.code()), status.message());
}

nlohmann::json IcebergErrorJson(const Problem& p) {
  std::string type;
  if (auto it = p.extensions.find("icebergType"); it != p.extensions.end() && it->is_string()) type = it->get<std::string>();
  if (type.empty()) {
    switch (p.status) {
      case 400: case 413: case 415: type = "BadRequestException"; break;
      case 401: type = "NotAuthorizedException"; break;
      case 403: type = "ForbiddenException"; break;
      case 404: type = "NotFoundException"; break;
      case 405: case 406: type = "UnsupportedOperationException"; break;
      case 409: type = "AlreadyExistsException"; break;
      case 416: type = "BadRequestException"; break;
      case 422: type = "UnprocessableEntityException"; break;
      case 429: type = "TooManyRequestsException"; break;
      case 503: type = "ServiceUnavailableException"; break;
      default: type = p.status >= 500 ? "InternalServerError" : "BadRequestException";
    }
  }
  return {{"error", {{"message", p.detail}, {"type", type}, {"code", p.status}}}};
}

}  // namespace weft::server
