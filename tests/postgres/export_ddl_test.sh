#!/usr/bin/env bash
# ctest `export_postgres_ddl`: `weft export --format sql-ddl --dialect postgres`
# in a real PostgreSQL 15 (Debian's /usr/lib/postgresql/15/bin): a throwaway
# cluster in a temp dir on a Unix socket, the exported DDL run with
# ON_ERROR_STOP, then a row that keeps the contract goes in and rows that
# break it (an unknown status, a negative amount, a missing amount) are
# refused by the constraints the export wrote.
#   tests/postgres/export_ddl_test.sh WEFT_BINARY
set -euo pipefail
WEFT=$(realpath "$1")
PG=/usr/lib/postgresql/15/bin
if [ ! -x "$PG/initdb" ] || ! command -v psql >/dev/null; then
  echo "NOT RUN: PostgreSQL 15 (postgresql-15) and psql are not installed"
  exit 0
fi
cd "$(dirname "$0")/../.."
T=$(mktemp -d)
# initdb refuses root: run the server as the postgres account then.
AS=()
if [ "$(id -u)" = 0 ]; then AS=(runuser -u postgres --); chown postgres "$T"; fi
trap '"${AS[@]}" "$PG/pg_ctl" -D "$T/data" stop -m immediate >/dev/null 2>&1 || true; rm -rf "$T"' EXIT

"$WEFT" init "$T/ws" >/dev/null
mkdir -p "$T/mesh/domains/sales"
cat > "$T/mesh/domains/sales/domain.yaml" <<'YAML'
apiVersion: weft/v1
kind: Domain
name: sales
description: Orders.
owners: [carol@retail.example]
monthlyBudget: 100
currency: USD
costCenter: CC-1234
YAML
"$WEFT" import simple examples/import/orders.yaml --domain sales --out "$T/mesh" >/dev/null
"$WEFT" apply -f "$T/mesh" --workspace "$T/ws" >/dev/null
"$WEFT" export sales.orders --format sql-ddl --dialect postgres --workspace "$T/ws" > "$T/orders.sql"
chmod 644 "$T/orders.sql"

"${AS[@]}" "$PG/initdb" -D "$T/data" -A trust >/dev/null
"${AS[@]}" "$PG/pg_ctl" -D "$T/data" -o "-k $T -c listen_addresses=''" -l "$T/server.log" -w start >/dev/null
sql() { "${AS[@]}" psql -h "$T" -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
sql -f "$T/orders.sql"
sql -c "INSERT INTO orders VALUES ('o1', 'open', 12.5, now())"
for row in "('o2', 'lost', 1, now())" "('o3', 'open', -1, now())" "('o4', 'open', NULL, now())" "('o1', 'open', 1, now())"; do
  if sql -c "INSERT INTO orders VALUES $row" 2>/dev/null; then
    echo "FAIL: PostgreSQL took $row, which breaks the contract" >&2
    exit 1
  fi
done
[ "$(sql -c 'SELECT count(*) FROM orders')" = 1 ] || { echo "FAIL: expected one row" >&2; exit 1; }
[ "$(sql -c "SELECT col_description('orders'::regclass, 1)")" = "The order's number." ] || { echo "FAIL: column comment" >&2; exit 1; }
echo "export_postgres_ddl: the PostgreSQL DDL runs in PostgreSQL 15 and enforces the contract"
