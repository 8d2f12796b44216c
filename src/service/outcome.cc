#include "service/outcome.h"

namespace weft::service {

int HttpStatusOf(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition: return 409;
    case StatusCode::kRejected: return 422;
    case StatusCode::kResourceExhausted: return 429;
    case StatusCode::kCancelled: return 503;
    case StatusCode::kDeadlineExceeded: return 504;
    case StatusCode::kIoError:
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

int ExitCodeOf(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound: return kExitUsage;
    case StatusCode::kUnauthenticated:
    case StatusCode::kPermissionDenied: return kExitDenied;
    default: return kExitFindings;
  }
}

StatusCode StatusCodeOfHttp(int http_status) {
  if (http_status < 300) return StatusCode::kOk;
  switch (http_status) {
    case 400: return StatusCode::kInvalidArgument;
    case 401: return StatusCode::kUnauthenticated;
    case 403: return StatusCode::kPermissionDenied;
    case 404: return StatusCode::kNotFound;
    case 409: return StatusCode::kFailedPrecondition;
    case 413: return StatusCode::kInvalidArgument;
    case 422: return StatusCode::kRejected;
    case 429: return StatusCode::kResourceExhausted;
    case 503: return StatusCode::kCancelled;
    case 504: return StatusCode::kDeadlineExceeded;
    default: return http_status < 500 ? StatusCode::kInvalidArgument : StatusCode::kInternal;
  }
}

const char* ProblemSlugOf(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid-argument";
    case StatusCode::kUnauthenticated: return "unauthenticated";
    case StatusCode::kPermissionDenied: return "forbidden";
    case StatusCode::kNotFound: return "not-found";
    case StatusCode::kAlreadyExists: return "already-exists";
    case StatusCode::kFailedPrecondition: return "failed-precondition";
    case StatusCode::kRejected: return "rejected";
    case StatusCode::kResourceExhausted: return "resource-exhausted";
    case StatusCode::kCancelled: return "cancelled";
    case StatusCode::kDeadlineExceeded: return "deadline-exceeded";
    case StatusCode::kIoError:
    case StatusCode::kInternal: return "internal";
  }
  return "internal";
}

}  // namespace weft::service
