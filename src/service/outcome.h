// The two mappings of a Status to what a front end says: the HTTP status
// of the REST API and the exit code of the CLI. Both front ends use these
// and nothing else, so one refusal reads the same through either; the CLI's
// remote mode maps an HTTP status back to the Status it came from.
//
//   exit  HTTP  codes
//   0     200   ok
//   1     409   already exists, failed precondition
//   1     422   rejected (checked and refused: lint errors, a breaking plan, a failing publish)
//   1     429   resource exhausted
//   1     500   I/O, internal
//   1     503   cancelled
//   1     504   deadline exceeded
//   2     400   invalid argument
//   2     404   not found
//   3     401   unauthenticated
//   3     403   permission denied
//
// Thread safety: pure functions.
#pragma once

#include "common/status.h"

namespace weft::service {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;  // the command ran and found problems, or failed
inline constexpr int kExitUsage = 2;     // the caller's input is wrong
inline constexpr int kExitDenied = 3;    // the acting principal may not do this

int HttpStatusOf(StatusCode code);
int ExitCodeOf(StatusCode code);
// The code an HTTP status stands for (the inverse of HttpStatusOf).
StatusCode StatusCodeOfHttp(int http_status);
// The slug of a problem's type URI for `code` (RFC 9457).
const char* ProblemSlugOf(StatusCode code);

}  // namespace weft::service
