// Secrets a workspace keeps for the systems it reads from (a product's
// `weft.source` names one: `postgres: secret:orders-db`), so no descriptor,
// catalog row or log carries a password. Each is a file <workspace>/secrets/NAME,
// readable by its owner only (the directory too), as ssh keeps its keys: a
// secret others may read is refused until `chmod 600` fixes it.
//
//   RETURN_IF_ERROR(WriteSecret(ws, "orders-db", "postgres://app:pw@db/orders"));   // weft secret set
//   ASSIGN_OR_RETURN(std::string url, ReadSecret(ws, "orders-db"));
//
// Thread safety: functions of the file system.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "control/workspace.h"

namespace weft::control {

// Names: spec::CheckSecretName.
// Writes (or replaces) the secret, owner-only, whole or not at all.
Status WriteSecret(const Workspace& ws, const std::string& name, const std::string& value);
// The value (without a trailing newline). NotFound naming `weft secret set`
// when missing; FailedPrecondition when group or others may read it.
Result<std::string> ReadSecret(const Workspace& ws, const std::string& name);
Status RemoveSecret(const Workspace& ws, const std::string& name);
// The names, sorted; never the values.
Result<std::vector<std::string>> ListSecrets(const Workspace& ws);

}  // namespace weft::control
