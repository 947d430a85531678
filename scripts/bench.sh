#!/usr/bin/env bash
# npm run bench: the benchmarks of bench/, each printing a table of ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure_node_modules.sh
bash scripts/ensure_services.sh
bash scripts/ensure_test_peers.sh
for bench in bench/*_bench.ts; do
  echo "== $bench"
  node --import tsx "$bench"
done
