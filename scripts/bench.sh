#!/usr/bin/env bash
# npm run bench: the benchmarks of bench/, each printing its own table as it runs, then one table
# of every goal beside its peer (bench/summary.ts). `npm run bench -- download api_load` runs only
# the benches named.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure_node_modules.sh
bash scripts/ensure_services.sh
bash scripts/ensure_test_peers.sh
rm -rf .cache/bench/goals
benches=()
if [[ $# -gt 0 ]]; then
  for name in "$@"; do benches+=("bench/${name%_bench}_bench.ts"); done
else
  benches=(bench/*_bench.ts)
fi
for bench in "${benches[@]}"; do
  echo "== $bench"
  node --import tsx "$bench"
done
echo "== goals"
node --import tsx bench/summary.ts
