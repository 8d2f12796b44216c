// RFC 9457 problem details: every error the API returns is one of these,
// as application/problem+json, with a stable `type` per kind of error.
// Thread safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "common/status.h"

namespace weft::server {

struct Problem {
  int status = 500;
  std::string type;  // a URI naming the kind: "https://weft.dev/problems/<slug>"
  std::string title;
  std::string detail;
  nlohmann::json extensions = nlohmann::json::object();  // extra members (e.g. "errors", "retryAfter")

  nlohmann::json ToJson(const std::string& instance) const;
};

Problem MakeProblem(int status, const std::string& slug, const std::string& detail);

// A Status as a problem: InvalidArgument 400, PermissionDenied 403,
// NotFound 404, AlreadyExists/FailedPrecondition 409, the rest 500 (with
// the detail kept: weft's messages carry no secrets).
Problem ProblemFromStatus(const Status& status);

// The Iceberg REST catalog's error model, which its clients read instead
// of a problem (the spec's IcebergErrorResponse): {"error": {"message",
// "type", "code"}}. The type is extensions["icebergType"] when set (the
// lakehouse service's, service::IcebergErrorType), else the spec's name
// for the status.
nlohmann::json IcebergErrorJson(const Problem& p);

}  // namespace weft::server
