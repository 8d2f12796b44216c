// `weft run DOMAIN.PRODUCT`: builds a derived product from its transform
// SQL over the current snapshots of its declared inputs, and checks and
// commits the result exactly like a publish (quality/publisher.h).
//
//   quality::PublishRequest req{.target = "finance.revenue_daily", .actor = "frank"};
//   ASSIGN_OR_RETURN(quality::PublishReport r, RunDerived(*store, *parser, access, runtime.copies(), req));
//
// The run reads as the producing domain's service principal (svc.<domain>):
// each input needs a grant for it (or an open port), and its masks and row
// filters apply, exactly as for a query: the run's engine is given the
// input's governed copy (governed_copies.h) unless the principal may read
// it whole, and the transform passes the query allow-list. Before anything runs, the SQL
// applied with the product is analyzed (lineage/sql_lineage.h) against the
// declared inputPorts only, with the columns the grants allow: a relation
// that is not a declared input, a table function or a file path is refused,
// naming it. Each input port binds to the current snapshot of the major it
// asks for ("sales.orders" with version 1.x: sales.orders_v1;
// "sales.orders_v2": v2); an input with no snapshot yet, or a retired one,
// is refused with what to do. A deprecated input runs, with a warning. The
// read is recorded as usage (kind run) of the producing domain.
//
// Thread safety: like Publish.
#pragma once

#include "access/access_control.h"
#include "catalog/store.h"
#include "common/status.h"
#include "engine/duckdb_sql_validator.h"
#include "query/governed_copies.h"
#include "quality/publisher.h"

namespace weft::query {

// `request.target` names the derived product; its files and transform are
// filled here. The report's mode is "run"; an unchanged SQL over unchanged
// input snapshots is reported as a duplicate and changes nothing.
Result<quality::PublishReport> RunDerived(catalog::Store& store, const engine::DuckDbSqlValidator& parser,
                                          const access::AccessControl& access, GovernedCopies& copies,
                                          quality::PublishRequest request);

}  // namespace weft::query
