#!/usr/bin/env bash
# ctest `readme`: runs README.md's tour, line by line, in a fresh directory,
# as a new user would type it: `build/weft` is the binary under test, /tmp/
# a scratch directory, the server's port a free one. Each command must exit
# 0 unless the table below says otherwise, and print what the table expects.
# A command that fails, or a README that drifts from weft, fails the test.
#   tests/readme_test.sh WEFT_BINARY [README]
set -uo pipefail
WEFT=$(realpath "$1")
README=$(realpath "${2:-$(dirname "$0")/../README.md}")
cd "$(dirname "$0")/.."
T=$(mktemp -d)
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export USER=readme-admin WEFT_USER=  # the tour's `weft init` makes its runner the admin

# command (a substring of the README line; the first match counts) | exit code | text the output must contain
EXPECT=$(cat <<'TABLE'
lint examples/mesh -o json|0|"errors": 0
lint examples/mesh|0|0 error(s)
diff tests/fixtures/diff|1|property-removed
new domain pricing|0|
lint /tmp/mesh|0|[scaffold-placeholder]
import simple examples/import|0|pricing/products/orders/orders.odcs.yaml
apply -f examples/mesh|0|Applied
get products|0|sales.orders
describe product sales.orders|0|sales.orders
export sales.orders --format sql-ddl|0|CREATE TABLE
search customer --classification pii|0|customer.customers
publish customer.customers|0|PUBLISHED
publish sales.orders|0|PUBLISHED
run finance.revenue_daily|0|PUBLISHED
impact tests/fixtures/diff/new|1|finance.revenue_daily
principal add nora|0|
query "SELECT * FROM customer.customers" --as nora|3|weft access request
access list --pending|0|nora@retail.example
query "SELECT email, country|0|DE
access revoke 3|0|
sla status sales.orders|0|latency
monitor --once|0|Monitor pass
stream inventory.stock_levels --producer wms-1|0|committed up to line 1
--since "$SNAP"|0|appended
iceberg/v1/namespaces/sales/tables|0|orders_v1
curl -fsS|0|customer.customers
WEFT_SERVER=|0|
TABLE
)

expect_for() {  # LINE -> "code|text"
  local line=$1 key code text
  while IFS='|' read -r key code text; do
    if [[ "$line" == *"$key"* ]]; then echo "$code|$text"; return; fi
  done <<< "$EXPECT"
  echo "0|"
}

# The tour: the fenced block after "## A five-minute tour".
mapfile -t LINES < <(awk '/^## A five-minute tour/{t=1} t && /^```sh/{b=1; next} b && /^```/{exit} b' "$README")
[ ${#LINES[@]} -gt 20 ] || { echo "readme: no tour found in $README"; exit 1; }

failures=0; ran=0
for raw in "${LINES[@]}"; do
  line=$(sed -E 's/[[:space:]]{2,}#.*$//' <<< "$raw")   # the comment explains; it does not run
  [[ -z "${line// }" || "$line" =~ ^[[:space:]]*# ]] && continue
  [[ "$line" == make* ]] && continue                      # the binary is already built
  cmd=${line//build\/weft/\"$WEFT\"}
  cmd=${cmd//\/tmp\//$T/}
  cmd=${cmd//127.0.0.1:8080/127.0.0.1:$PORT}
  IFS='|' read -r want text <<< "$(expect_for "$line")"
  ran=$((ran + 1))
  if [[ "$cmd" == *"serve "*"&" ]]; then
    eval "${cmd% &} > \"$T/serve.log\" 2>&1 &"
    SERVER=$!
    for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$PORT/healthz" > /dev/null 2>&1 && break; sleep 0.1; done
    continue
  fi
  # In this shell, not a subshell: `export` and `TOKEN=$(...)` carry on.
  eval "$cmd" > "$T/out" 2>&1; code=$?
  out=$(cat "$T/out")
  if [ "$code" != "$want" ]; then
    echo "FAIL (exit $code, README says $want): $line"; echo "$out" | tail -15; failures=$((failures + 1)); continue
  fi
  if [ -n "$text" ] && ! grep -qF -- "$text" <<< "$out"; then
    echo "FAIL (no '$text' in the output): $line"; echo "$out" | tail -15; failures=$((failures + 1)); continue
  fi
  echo "ok   $line"
done
echo "readme: $ran commands, $failures failed"
[ "$failures" -eq 0 ]
