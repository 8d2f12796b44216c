// Who a service call acts for, and when: every service method takes one.
// The CLI makes it from --as (the trusted local mode, docs/security.md),
// the server from the request's verified token.
// Thread safety: a value.
#pragma once

#include <string>

#include "access/principals.h"

namespace weft::service {

struct Caller {
  access::Principal principal;
  std::string now;  // ISO 8601 UTC, fixed for the whole call
};

}  // namespace weft::service
