#!/usr/bin/env bash
# Checks every #include "module/..." in src/ against the module order of
# docs/architecture.md: a module includes only modules to its left (or
# itself); server/ and cli/ never include each other; only cli/main.cc
# may include both. Tests (*_test.cc, testing.h) may wire more: their
# fixtures apply trees and start servers.
set -euo pipefail
cd "$(dirname "$0")/.."
order=(common spec catalog engine storage governance quality interop monitor lineage access query control service pgwire server cli)
rank() { local i; for i in "${!order[@]}"; do [ "${order[$i]}" = "$1" ] && { echo "$i"; return; }; done; echo -1; }
fail=0
while IFS= read -r file; do
  case "$file" in *_test.cc|*/testing.h) continue ;; esac
  mod=${file#src/}; mod=${mod%%/*}
  r=$(rank "$mod")
  [ "$r" -ge 0 ] || continue
  while IFS= read -r inc; do
    dep=${inc%%/*}
    d=$(rank "$dep")
    [ "$d" -ge 0 ] || continue
    if [ "$d" -gt "$r" ] || { [ "$mod" = server ] && [ "$dep" = cli ]; } || { [ "$mod" = cli ] && [ "$dep" = server ]; }; then
      [ "$file" = src/cli/main.cc ] && continue
      echo "$file includes $inc: $mod may not depend on $dep" >&2
      fail=1
    fi
  done < <(sed -n 's/^#include "\([a-z_]*\/[^"]*\)".*/\1/p' "$file")
done < <(find src -name '*.cc' -o -name '*.h' | sort)
[ "$fail" -eq 0 ] && echo "layering: every include follows the module order"
exit "$fail"
